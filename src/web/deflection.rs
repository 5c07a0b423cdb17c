//! `POST /api/deflection`: what the help widget (`/static/widget.js`) saw happen on a ticket
//! form on another site, counted for `/admin/insights`. No cookie: the widget sends each event
//! once per form, and says with `more` when the form already sent it.

use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::lang::{LangParam, asked};
use super::matching::read_body;
use super::{ApiError, AppState, Error};
use crate::store::Deflection;

/// Entries one event may name: the widget shows three.
const MAX_ENTRIES: usize = 5;
/// Largest body read: five ids and an event name are far smaller.
const MAX_BODY_BYTES: usize = 4 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Event {
    event: String,
    entries: Vec<String>,
    /// The form already sent this event: count the entries, not the form again.
    #[serde(default)]
    more: bool,
}

/// `{"event": "suggested" | "opened" | "resolved" | "submitted_anyway", "entries": [id, …],
/// "more": false}`, sent as JSON or as `text/plain` (which a browser sends to another site
/// without asking first). A 204 when counted.
pub async fn record(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<LangParam>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    let lang = asked(params.lang.as_deref())?;
    let t = &lang.t.deflection;
    if let Some(limit) = state.deflection_limit()
        && let Err(wait) = limit.check(&req)
    {
        return Err(Error::TooManyRequests(wait.as_secs().max(1)).into());
    }
    let body = read_body(payload, MAX_BODY_BYTES, lang).await?;
    let event: Event =
        serde_json::from_slice(&body).map_err(|e| Error::BadRequest(t.bad_body.with(e)))?;
    let kind = Deflection::from_name(&event.event).ok_or_else(|| {
        let known: Vec<&str> = Deflection::ALL.iter().map(|d| d.name()).collect();
        Error::BadRequest(t.bad_event.fill(&[
            ("known", &known.join(&lang.t.all.separator)),
            ("value", &event.event),
        ]))
    })?;
    let site = state.site();
    let mut entries: Vec<&str> = Vec::new();
    for id in &event.entries {
        if site.library.entry(id).is_none() {
            return Err(Error::BadRequest(lang.t.error.no_entry.with(id)).into());
        }
        if !entries.contains(&id.as_str()) {
            entries.push(id);
        }
    }
    if entries.is_empty() || entries.len() > MAX_ENTRIES {
        return Err(Error::BadRequest(
            t.entries_count
                .fill(&[("max", &MAX_ENTRIES), ("n", &entries.len())]),
        )
        .into());
    }
    let store = state
        .store()
        .ok_or_else(|| Error::Unavailable(t.unavailable.clone()))?;
    store.deflection(kind, &entries, event.more);
    Ok(HttpResponse::NoContent().finish())
}
