//! The JSON API for ticket systems and tools (shapes fixed by DESIGN.md).

use actix_web::{HttpResponse, web};
use serde::Serialize;

use super::{ApiError, AppState, Error};
use crate::content::{Entry, Heading, Lookup};
use crate::store::Feedback;

#[derive(Serialize)]
struct EntrySummary<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    category: &'a str,
    tags: &'a [String],
    updated: Option<&'a str>,
}

impl<'a> EntrySummary<'a> {
    fn of(entry: &'a Entry) -> Self {
        EntrySummary {
            id: &entry.id,
            title: &entry.title,
            url: entry.url(),
            category: &entry.category,
            tags: &entry.tags,
            updated: entry.updated.as_deref(),
        }
    }
}

#[derive(Serialize)]
struct EntryDetail<'a> {
    #[serde(flatten)]
    summary: EntrySummary<'a>,
    html: String,
    text: String,
    headings: &'a [Heading],
    feedback: Feedback,
}

pub async fn entries(state: web::Data<AppState>) -> HttpResponse {
    let site = state.site();
    let entries: Vec<_> = site.library.entries.iter().map(EntrySummary::of).collect();
    HttpResponse::Ok().json(serde_json::json!({ "entries": entries }))
}

pub async fn entry(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    let site = state.site();
    let entry = match site.library.lookup(&id) {
        Lookup::Entry(entry) => entry,
        // The API answers for old ids too, so a tool holding one keeps working.
        Lookup::Alias(target) => site
            .library
            .entry(target)
            .ok_or_else(|| Error::Internal(format!("alias {id} points nowhere")))?,
        Lookup::Missing => return Err(Error::NotFound(format!("没有编号为“{id}”的条目")).into()),
    };
    Ok(HttpResponse::Ok().json(EntryDetail {
        summary: EntrySummary::of(entry),
        html: entry.html(),
        text: entry.text(),
        headings: &entry.headings,
        feedback: match state.store() {
            Some(store) => store.feedback(&entry.id).await.unwrap_or_else(|e| {
                tracing::error!(entry = %entry.id, "reading votes: {e}");
                Feedback::default()
            }),
            None => Feedback::default(),
        },
    }))
}

/// Always 200 while serving: a failed reload shows in `last_reload`, not in the status code.
pub async fn healthz(state: web::Data<AppState>) -> HttpResponse {
    let site = state.site();
    let status = state.status();
    let time = |t| humantime::format_rfc3339_seconds(t).to_string();
    HttpResponse::Ok().json(serde_json::json!({
        "status": "ok",
        "content_version": status.version,
        "generation": status.generation,
        "loaded_at": time(status.loaded_at),
        "entries": site.library.entries.len(),
        "categories": site.library.categories.len(),
        "wizards": site.library.wizards.len(),
        "last_reload": status.last_reload.map(|r| serde_json::json!({
            "at": time(r.at),
            "ok": r.ok,
            "errors": r.errors,
        })),
    }))
}

/// Prometheus text format.
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}
