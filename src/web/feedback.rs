//! "这篇文章有帮助吗？": `POST /kb/<id>/feedback` with `helpful=yes|no` and an optional comment.
//! A plain form answers 303 back to the entry (after a bare 没帮助, to the part that asks what
//! was missing and offers the wizard and the contact text); a request asking for JSON gets the
//! counts.

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use serde::Deserialize;

use super::lang::Lang;
use super::{AppState, Error};
use crate::content::Lookup;
use crate::locale::Language;

/// The cookie that lets a visitor change their vote instead of adding another.
pub const VISITOR_COOKIE: &str = "wendao_visitor";
pub const MAX_COMMENT_CHARS: usize = 1000;

/// What was missing, asked after 没帮助: the form values. The reader sees each one's label
/// in the page's language (`entry.reasons`); the comment keeps its label in the default
/// language, so the insights page reads it without a table of codes.
pub const REASONS: [&str; 4] = ["not-my-problem", "unclear", "did-not-work", "outdated"];

#[derive(Deserialize)]
pub struct Vote {
    helpful: Option<String>,
    reason: Option<String>,
    comment: Option<String>,
    /// Sent by the form that asks what was missing: answered, even with nothing chosen.
    asked: Option<String>,
}

pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<Vote>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    submit_in(req, state, id, form, lang)
        .await
        .or_else(|e| Ok(e.response_in(lang)))
}

async fn submit_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<Vote>,
    lang: &'static Language,
) -> Result<HttpResponse, Error> {
    let t = &lang.t.feedback;
    let site = state.site();
    let entry = match site.library.lookup(&id) {
        Lookup::Entry(entry) => entry.id.clone(),
        Lookup::Alias(target) => target.to_string(),
        Lookup::Missing => return Err(Error::NotFound(lang.t.error.no_entry.with(&*id))),
    };
    let helpful = match form.helpful.as_deref() {
        Some("yes") => true,
        Some("no") => false,
        Some(other) => return Err(Error::BadRequest(t.helpful_invalid.with(other))),
        None => return Err(Error::BadRequest(t.helpful_missing.clone())),
    };
    let comment = form
        .comment
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty());
    if comment.is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS) {
        return Err(Error::BadRequest(
            t.comment_too_long.with(MAX_COMMENT_CHARS),
        ));
    }
    let reason = match form.reason.as_deref().filter(|r| !r.is_empty()) {
        None => None,
        Some(_) if helpful => {
            return Err(Error::BadRequest(t.reason_only_for_no.clone()));
        }
        Some(value) => Some(
            REASONS
                .contains(&value)
                .then(|| crate::locale::default().t.entry.reasons.label(value))
                .flatten()
                .ok_or_else(|| {
                    Error::BadRequest(t.reason_invalid.fill(&[
                        (
                            "known",
                            &REASONS.join(&lang.t.all.separator) as &dyn std::fmt::Display,
                        ),
                        ("value", &value),
                    ]))
                })?,
        ),
    };
    // A first 没帮助 goes on to ask what was missing; the answer to that (or any vote with
    // a word) is thanked.
    let ask_why = !helpful && reason.is_none() && comment.is_none() && form.asked.is_none();
    // Stored in the staff's language, as the reason's label is.
    let tagged = |reason| {
        crate::locale::default()
            .t
            .feedback
            .reason_in_comment
            .with(reason)
    };
    let comment = match (reason, comment) {
        (Some(reason), Some(comment)) => Some(format!("{}{comment}", tagged(reason))),
        (Some(reason), None) => Some(tagged(reason).trim_end().to_string()),
        (None, comment) => comment.map(str::to_string),
    };
    if let Some(limit) = state.vote_limit()
        && let Err(wait) = limit.check(&req)
    {
        return Err(Error::TooManyRequests(wait.as_secs().max(1)));
    }
    let store = state.store().ok_or_else(|| unavailable(lang))?;
    let known = req
        .cookie(VISITOR_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() == 32 && v.bytes().all(|b| b.is_ascii_hexdigit()));
    let visitor = known
        .clone()
        .unwrap_or_else(|| uuid::Uuid::new_v4().simple().to_string());
    store
        .vote(&entry, &visitor, helpful, comment.as_deref(), &lang.code)
        .await
        .map_err(|e| {
            tracing::error!(%entry, "saving a vote: {e}");
            unavailable(lang)
        })?;

    let wants_json = req
        .headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"));
    let mut response = if wants_json {
        let counts = store.feedback(&entry).await.unwrap_or_default();
        HttpResponse::Ok().json(serde_json::json!({ "entry": entry, "feedback": counts }))
    } else {
        HttpResponse::SeeOther()
            .insert_header((
                header::LOCATION,
                format!(
                    "{}/kb/{entry}?feedback={}#feedback",
                    lang.prefix,
                    if ask_why { "missing" } else { "thanks" }
                ),
            ))
            .finish()
    };
    if known.is_none() {
        let cookie = Cookie::build(VISITOR_COOKIE, visitor)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            // Over HTTPS (as `--base-url` says), never sent in clear.
            .secure(state.is_https())
            .max_age(CookieDuration::days(365))
            .finish();
        response
            .add_cookie(&cookie)
            .map_err(|e| Error::internal("making the visitor cookie", e))?;
    }
    Ok(response)
}

fn unavailable(lang: &Language) -> Error {
    Error::Unavailable(lang.t.feedback.unavailable.clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_reason_has_a_label_in_every_language() {
        for lang in crate::locale::languages() {
            for reason in super::REASONS {
                let label = lang.t.entry.reasons.label(reason);
                assert!(
                    label.is_some_and(|l| !l.is_empty()),
                    "{}: {reason}",
                    lang.code
                );
            }
        }
        assert_eq!(
            crate::locale::default().t.entry.reasons.label("unclear"),
            Some("看不懂，或步骤不清楚")
        );
    }
}
