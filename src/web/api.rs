//! The JSON API for ticket systems and tools; its contract is docs/api.md.

use actix_web::{HttpRequest, HttpResponse, ResponseError, web};
use serde::Serialize;

use super::lang::{LangParam, asked};
use super::{ApiError, AppState, Error};

/// A JSON answer for [`AppState::page`] to keep, as pages are.
fn json_body(value: &impl Serialize) -> Result<(&'static str, String), Error> {
    let body = serde_json::to_string(value).map_err(|e| Error::internal("writing JSON", e))?;
    Ok(("application/json", body))
}
use crate::content::{Entry, Heading, Lookup};
use crate::store::Feedback;

/// How every JSON answer names an entry: its id, title and link, and the absolute link when
/// `--base-url` says what the site's address is (a request's `Host` is not trusted to).
#[derive(Serialize)]
pub(super) struct EntryRef<'a> {
    id: &'a str,
    title: &'a str,
    url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    absolute_url: Option<String>,
}

impl<'a> EntryRef<'a> {
    pub(super) fn of(entry: &'a Entry, base_url: Option<&str>) -> EntryRef<'a> {
        let url = entry.url();
        EntryRef {
            id: &entry.id,
            title: &entry.title,
            absolute_url: base_url.map(|base| format!("{base}{url}")),
            url,
        }
    }
}

#[derive(Serialize)]
struct EntrySummary<'a> {
    #[serde(flatten)]
    entry: EntryRef<'a>,
    category: &'a str,
    tags: &'a [String],
    updated: Option<&'a str>,
    /// The language it is read in: another than the one asked for when not translated.
    lang: &'a str,
}

impl<'a> EntrySummary<'a> {
    fn of(entry: &'a Entry, state: &AppState) -> Self {
        EntrySummary {
            entry: EntryRef::of(entry, state.fixed_base_url()),
            category: &entry.category,
            tags: &entry.tags,
            updated: entry.updated.as_deref(),
            lang: entry.lang,
        }
    }
}

#[derive(Serialize)]
struct EntryDetail<'a> {
    #[serde(flatten)]
    entry: EntrySummary<'a>,
    summary: String,
    /// Title, lead and link, as the entry page's "复制为工单回复" gives it.
    ticket_reply: String,
    html: String,
    text: String,
    headings: &'a [Heading],
    feedback: Feedback,
}

pub async fn entries(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<LangParam>,
) -> Result<HttpResponse, ApiError> {
    let site = state.site();
    let lang = asked(params.lang.as_deref())?;
    let library = site.library_in(&lang.code);
    Ok(state
        .page(
            &req,
            &site,
            format_args!("api-entries\0{}", lang.code),
            || {
                let entries: Vec<_> = library
                    .entries
                    .iter()
                    .map(|e| EntrySummary::of(e, &state))
                    .collect();
                json_body(&serde_json::json!({ "entries": entries }))
            },
        )
        .await?)
}

pub async fn entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<LangParam>,
) -> Result<HttpResponse, ApiError> {
    let site = state.site();
    let lang = asked(params.lang.as_deref())?;
    let library = site.library_in(&lang.code);
    let entry = match library.lookup(&id) {
        Lookup::Entry(entry) => entry,
        // The API answers for old ids too, so a tool holding one keeps working.
        Lookup::Alias(target) => library.entry(target).ok_or_else(|| {
            Error::internal(format!("following alias {id}"), "it points to no entry")
        })?,
        Lookup::Missing => {
            return Err(Error::NotFound(lang.t.error.no_entry.with(&*id)).into());
        }
    };
    // The votes are read every time; with them, they name the answer in the cache.
    let feedback = match state.store() {
        Some(store) => store.feedback(&entry.id).await.unwrap_or_else(|e| {
            tracing::error!(entry = %entry.id, "reading votes: {e}");
            Feedback::default()
        }),
        None => Feedback::default(),
    };
    let base = state.base_url(&req);
    let key = format_args!(
        "api-entry\0{}\0{base}\0{}\0{}\0{}",
        lang.code, entry.id, feedback.helpful, feedback.not_helpful
    );
    Ok(state
        .page(&req, &site, key, || {
            json_body(&EntryDetail {
                summary: entry.lead(),
                ticket_reply: entry.ticket_reply(&format!("{base}{}", entry.url())),
                entry: EntrySummary::of(entry, &state),
                html: entry.html(),
                text: entry.text(),
                headings: &entry.headings,
                feedback,
            })
        })
        .await?)
}

/// Always 200 while serving: a failed reload shows in `last_reload`, not in the status code.
/// Status for anyone (a load balancer, a monitor); with the admin token also what a failed
/// reload said, which names files on the server.
pub async fn healthz(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let admin = super::admin::is_admin(&req, &state);
    let site = state.site();
    let status = state.status();
    let time = |t| humantime::format_rfc3339_seconds(t).to_string();
    HttpResponse::Ok().json(serde_json::json!({
        "status": "ok",
        "content_version": status.version,
        "generation": status.generation,
        "loaded_at": time(status.loaded_at),
        "entries": site.library.entries.len(),
        // The index's one-time work (near queries, entries analysed for snippets) is done.
        "warmed": site.index.is_warm(),
        "categories": site.library.categories.len(),
        "wizards": site.library.wizards.len(),
        "database": state.store().map(|store| store.health()),
        "last_reload": status.last_reload.map(|r| {
            let mut reload = serde_json::json!({ "at": time(r.at), "ok": r.ok });
            if admin {
                reload["errors"] = r.errors.into();
            } else if !r.ok {
                reload["errors"] = "with the admin token, or in the server's log".into();
            }
            reload
        }),
    }))
}

/// Prometheus text format: on the site's listener, or with `--metrics-addr` on its own.
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let on_metrics_listener = req.app_data::<MetricsListener>().is_some();
    if state.metrics_elsewhere() && !on_metrics_listener {
        let t = &crate::locale::default().t.error;
        return ApiError(Error::NotFound(t.no_page.with(req.path()))).error_response();
    }
    let pages = state.pages();
    state.metrics.page_cache_bytes.set(pages.weight() as i64);
    state.metrics.page_cache_pages.set(pages.len() as i64);
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4; charset=utf-8")
        .body(state.metrics.render())
}

/// Marks the app of the `--metrics-addr` listener.
#[derive(Clone, Copy)]
pub struct MetricsListener;

/// The app of the `--metrics-addr` listener: `/metrics` and nothing else.
pub fn metrics_app(
    state: web::Data<AppState>,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .app_data(state)
        .app_data(MetricsListener)
        .route("/metrics", web::get().to(metrics))
}
