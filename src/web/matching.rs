//! Finding the entries that answer a pasted message: `POST /api/match` for ticket tools, and
//! the `/match` page for support agents (a plain form; works without JavaScript).

use std::sync::Arc;

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::api::EntryRef;
use super::views::{Chrome, MatchPage, MatchView, breakable_url};
use super::{ApiError, AppState, Error, Site};
use crate::search::{MAX_MESSAGE_CHARS, Match};

/// Matches offered for one message.
const MATCHES: usize = 5;
/// Largest request body read: a message of [`MAX_MESSAGE_CHARS`] characters, each escaped as
/// `\uXXXX` in JSON or `%XX%XX%XX` in a form, fits.
pub const MAX_BODY_BYTES: usize = 64 * 1024;

#[derive(Deserialize)]
struct Message {
    text: String,
}

/// A 429 when this client has had its messages matched too often this minute.
fn check_limit(req: &HttpRequest, state: &AppState) -> Result<(), Error> {
    match state.match_limit().map(|limit| limit.check(req)) {
        Some(Err(wait)) => Err(Error::TooManyRequests(wait.as_secs().max(1))),
        _ => Ok(()),
    }
}

/// The message checked and matched off the async workers (analysis and scoring are CPU work).
async fn run(site: Arc<Site>, text: String) -> Result<Vec<Match>, Error> {
    let chars = text.chars().count();
    if chars > MAX_MESSAGE_CHARS {
        return Err(Error::TooLarge(format!(
            "内容太长：最多 {MAX_MESSAGE_CHARS} 个字符，收到 {chars} 个。请只粘贴客户描述问题和报错的部分。"
        )));
    }
    web::block(move || site.index.match_message(&site.library, &text, MATCHES))
        .await
        .map_err(|e| Error::internal("matching a message", e))
}

/// The body, or a 413 when it is over [`MAX_BODY_BYTES`].
async fn read_body(payload: web::Payload) -> Result<web::Bytes, Error> {
    match payload.to_bytes_limited(MAX_BODY_BYTES).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let failed = || Error::BadRequest(format!("读取请求体失败：{e}"));
            Err(match e.as_error::<actix_web::error::PayloadError>() {
                Some(payload) => Error::from_payload(payload, failed),
                None => failed(),
            })
        }
        Err(_) => Err(Error::TooLarge(format!(
            "请求体太大：最多 {} KB。",
            MAX_BODY_BYTES / 1024
        ))),
    }
}

#[derive(Serialize)]
struct ApiMatch<'a> {
    #[serde(flatten)]
    entry: EntryRef<'a>,
    /// `/kb/<id>#<anchor>` when one section answers better than the whole entry.
    #[serde(skip_serializing_if = "Option::is_none")]
    section_url: Option<String>,
    summary: String,
    score: f32,
    why: &'a [String],
}

/// `POST /api/match` with `{"text": "…"}`: the entries that answer it, best first.
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_limit(&req, &state)?;
    let body = read_body(payload).await?;
    let wrong = |detail: String| {
        Error::BadRequest(format!(
            "请求体应是 JSON：{{\"text\": \"客户的留言或工单原文\"}}（{detail}）"
        ))
    };
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| wrong(e.to_string()))?;
    let text = match value.get("text") {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(_) => return Err(wrong("text 应是字符串".into()).into()),
        None => return Err(wrong("缺少 text".into()).into()),
    };
    let site = state.site();
    let matches = run(site.clone(), text).await?;
    let found: Vec<ApiMatch> = matches
        .iter()
        .filter_map(|m| {
            let entry = site.library.entry(&m.id)?;
            Some(ApiMatch {
                entry: EntryRef::of(entry, state.fixed_base_url()),
                section_url: m.anchor.as_ref().map(|a| entry.url_to(Some(a))),
                summary: entry.lead(),
                score: m.score,
                why: &m.why,
            })
        })
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "matches": found })))
}

/// `GET /match`: the empty form.
pub async fn form(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    render(&req, &state, &state.site(), None, Vec::new())
}

/// `POST /match` (a form with `text`): the form again, with the entries that answer it.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, Error> {
    check_limit(&req, &state)?;
    let body = read_body(payload).await?;
    let message: Message = serde_urlencoded::from_bytes(&body)
        .map_err(|e| Error::BadRequest(format!("表单有误：{e}")))?;
    // One generation for the match and the page, even if content is reloaded between.
    let site = state.site();
    let matches = run(site.clone(), message.text.clone()).await?;
    render(&req, &state, &site, Some(message.text), matches)
}

fn render(
    req: &HttpRequest,
    state: &AppState,
    site: &Site,
    text: Option<String>,
    matches: Vec<Match>,
) -> Result<HttpResponse, Error> {
    let base = state.base_url(req);
    let found = matches
        .iter()
        .filter_map(|m| {
            let entry = site.library.entry(&m.id)?;
            let url = entry.url_to(m.anchor.as_deref());
            let absolute_url = format!("{base}{url}");
            Some(MatchView {
                title: entry.title.clone(),
                section: m.anchor.as_ref().and_then(|a| {
                    entry
                        .headings
                        .iter()
                        .find(|h| &h.anchor == a)
                        .map(|h| h.text.clone())
                }),
                summary: entry.lead(),
                why: m.why.clone(),
                ticket_reply: entry.ticket_reply(&absolute_url),
                absolute_url_html: breakable_url(&absolute_url),
                url,
                absolute_url,
            })
        })
        .collect();
    let html = MatchPage {
        chrome: Chrome::new(format!("{base}/match")),
        submitted: text.is_some(),
        text: text.unwrap_or_default(),
        max_chars: MAX_MESSAGE_CHARS,
        matches: found,
        wizards: site.library.wizards.iter().collect(),
    }
    .render()?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}
