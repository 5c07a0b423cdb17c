//! Finding the entries that answer a pasted message: `POST /api/match` for ticket tools, and
//! the `/match` page for support agents (a plain form; works without JavaScript).

use std::sync::Arc;

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::api::EntryRef;
use super::views::{Chrome, MatchPage, MatchView, ReadView, breakable_url};
use super::{ApiError, AppState, Error, Site};
use crate::search::{MAX_MESSAGE_CHARS, Match, Message};

/// Matches offered for one message.
const MATCHES: usize = 5;
/// Largest request body read: a form of about 58,000 Chinese characters (each `%XX%XX%XX`),
/// nearly three times [`MAX_MESSAGE_CHARS`]. Of a text that long the start and the end are
/// read; a larger body is refused.
pub const MAX_BODY_BYTES: usize = 512 * 1024;

#[derive(Deserialize)]
struct Form {
    text: String,
}

/// A 429 when this client has had its messages matched too often this minute.
fn check_limit(req: &HttpRequest, state: &AppState) -> Result<(), Error> {
    match state.match_limit().map(|limit| limit.check(req)) {
        Some(Err(wait)) => Err(Error::TooManyRequests(wait.as_secs().max(1))),
        _ => Ok(()),
    }
}

/// The message read (its start and end, when long) and matched off the async workers
/// (analysis and scoring are CPU work).
async fn run(site: Arc<Site>, text: String) -> Result<(Message, Vec<Match>), Error> {
    web::block(move || {
        let message = Message::read(text);
        let matches = site
            .index
            .match_message(&site.library, &message.text, MATCHES);
        (message, matches)
    })
    .await
    .map_err(|e| Error::internal("matching a message", e))
}

/// The body, or a 413 when it is over `max` bytes.
pub(super) async fn read_body(payload: web::Payload, max: usize) -> Result<web::Bytes, Error> {
    match payload.to_bytes_limited(max).await {
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
            max / 1024
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
    /// That section's heading.
    #[serde(skip_serializing_if = "Option::is_none")]
    section_title: Option<&'a str>,
    summary: String,
    score: f32,
    why: &'a [String],
    /// Whether it is about the message, not only near it (one plain word in common).
    answers: bool,
}

/// `POST /api/match` with `{"text": "…"}`: the entries that answer it, best first.
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_limit(&req, &state)?;
    let body = read_body(payload, MAX_BODY_BYTES).await?;
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
    let (message, matches) = run(site.clone(), text).await?;
    let found: Vec<ApiMatch> = matches
        .iter()
        .filter_map(|m| {
            let entry = site.library.entry(&m.id)?;
            Some(ApiMatch {
                entry: EntryRef::of(entry, state.fixed_base_url()),
                section_url: m.anchor.as_ref().map(|a| entry.url_to(Some(a))),
                section_title: m.anchor.as_ref().and_then(|a| {
                    let heading = entry.headings.iter().find(|h| &h.anchor == a)?;
                    Some(heading.text.as_str())
                }),
                summary: entry.lead(),
                score: m.score,
                why: &m.why,
                answers: m.answers,
            })
        })
        .collect();
    let answered = found.iter().any(|m| m.answers);
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "answered": answered,
        "matches": found,
        "received_chars": message.received_chars,
        "kept_chars": message.kept_chars,
    })))
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
    let body = read_body(payload, MAX_BODY_BYTES).await?;
    let form: Form = serde_urlencoded::from_bytes(&body)
        .map_err(|e| Error::BadRequest(format!("表单有误：{e}")))?;
    // One generation for the match and the page, even if content is reloaded between.
    let site = state.site();
    let (message, matches) = run(site.clone(), form.text.clone()).await?;
    render(&req, &state, &site, Some((form.text, message)), matches)
}

fn render(
    req: &HttpRequest,
    state: &AppState,
    site: &Site,
    submitted: Option<(String, Message)>,
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
                pick: match &m.anchor {
                    Some(anchor) => format!("{}#{anchor}", entry.id),
                    None => entry.id.clone(),
                },
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
    let (text, message) = submitted.unzip();
    let html = MatchPage {
        chrome: Chrome::new(crate::locale::default(), format!("{base}/match")),
        submitted: message.is_some(),
        text: text.unwrap_or_default(),
        read: message.map(|m| ReadView {
            received_chars: m.received_chars,
            kept_chars: m.kept_chars,
            cut: m.is_cut(),
        }),
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

/// Entries one reply may link.
const MAX_PICKED: usize = MATCHES;

/// `GET /match/reply?e=<id>[#<anchor>]&e=…`: one reply linking every entry an agent ticked on
/// `/match`, numbered in the order ticked. A plain link, so it works without JavaScript.
pub async fn reply(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| Error::BadRequest(format!("网址参数有误：{e}")))?;
    let picks: Vec<&str> = pairs
        .iter()
        .filter(|(key, _)| key == "e")
        .map(|(_, value)| value.as_str())
        .collect();
    if picks.is_empty() {
        return Err(Error::BadRequest(
            "没有勾选条目：在“从工单找答案”的结果里勾选要发给客户的条目。".into(),
        ));
    }
    if picks.len() > MAX_PICKED {
        return Err(Error::BadRequest(format!(
            "一条回复最多链接 {MAX_PICKED} 个条目，勾选了 {} 个。",
            picks.len()
        )));
    }
    let site = state.site();
    let base = state.base_url(&req);
    let mut parts = Vec::new();
    let mut picked = Vec::new();
    for (n, pick) in picks.iter().enumerate() {
        let (id, anchor) = match pick.split_once('#') {
            Some((id, anchor)) => (id, Some(anchor)),
            None => (*pick, None),
        };
        let entry = site
            .library
            .entry(id)
            .ok_or_else(|| Error::BadRequest(format!("没有编号为“{id}”的条目。")))?;
        let section = match anchor {
            None => None,
            Some(anchor) => Some(
                entry
                    .headings
                    .iter()
                    .find(|h| h.anchor == anchor)
                    .ok_or_else(|| {
                        Error::BadRequest(format!("条目“{id}”没有“{anchor}”这一节。"))
                    })?,
            ),
        };
        let url = entry.url_to(anchor);
        let absolute_url = format!("{base}{url}");
        parts.push(format!("{}. {}", n + 1, entry.ticket_reply(&absolute_url)));
        picked.push(super::views::LinkView {
            text: entry.title.clone(),
            url,
            note: section.map(|h| h.text.clone()).unwrap_or_default(),
        });
    }
    let html = super::views::ReplyPage {
        chrome: Chrome::new(crate::locale::default(), format!("{base}/match")),
        reply: parts.join("\n\n"),
        picked,
    }
    .render()?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}
