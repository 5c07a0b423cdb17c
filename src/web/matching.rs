//! Finding the entries that answer a pasted message: `POST /api/match` for ticket tools, and
//! the `/match` page for support agents (a plain form; works without JavaScript).

use std::sync::Arc;

use actix_web::http::header::{self, ContentType};
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::api::EntryRef;
use super::lang::{Lang, LangParam, named};
use super::views::{Chrome, MatchPage, MatchView, ReadView, breakable_url};
use super::{ApiError, AppState, Error, Site};
use crate::content::Entry;
use crate::locale::{self, Language};
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
/// (analysis and scoring are CPU work), in `lang` or else the language it is written in.
async fn run(
    site: Arc<Site>,
    text: String,
    lang: Option<&'static Language>,
) -> Result<(Message, &'static Language, Vec<Match>), Error> {
    web::block(move || {
        let message = Message::read(text);
        let lang = lang.unwrap_or_else(|| locale::written_in(&message.text));
        let matches = site.match_in(&lang.code, &message.text, MATCHES);
        (message, lang, matches)
    })
    .await
    .map_err(|e| Error::internal("matching a message", e))
}

/// The body, or a 413 when it is over `max` bytes.
pub(super) async fn read_body(
    payload: web::Payload,
    max: usize,
    lang: &Language,
) -> Result<web::Bytes, Error> {
    let t = &lang.t.error;
    match payload.to_bytes_limited(max).await {
        Ok(Ok(body)) => Ok(body),
        Ok(Err(e)) => {
            let failed = || Error::BadRequest(t.body_unreadable.with(&e));
            Err(match e.as_error::<actix_web::error::PayloadError>() {
                Some(payload) => Error::from_payload(payload, failed),
                None => failed(),
            })
        }
        Err(_) => Err(Error::TooLarge(t.body_too_large.with(max / 1024))),
    }
}

/// Every language `entry` is read in, with its URL there: the one it was found in first.
fn read_at(site: &Site, entry: &Entry, anchor: Option<&str>) -> Vec<ReadAt> {
    let mut all = vec![ReadAt {
        lang: entry.lang,
        url: entry.url_to(anchor),
    }];
    for lang in locale::languages() {
        let other = site.library_in(&lang.code).entry(&entry.id);
        if let Some(other) = other.filter(|o| o.lang == lang.code && o.lang != entry.lang) {
            // A section's anchor is kept where the other language has it too.
            let shared = anchor.filter(|a| other.headings.iter().any(|h| h.anchor == *a));
            all.push(ReadAt {
                lang: other.lang,
                url: other.url_to(shared),
            });
        }
    }
    all
}

#[derive(Serialize)]
struct ReadAt {
    lang: &'static str,
    url: String,
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
    /// The language it is given in, and every language it is read in with its URL.
    lang: &'static str,
    languages: Vec<ReadAt>,
}

/// `POST /api/match` with `{"text": "…"}`: the entries that answer it, best first.
pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<LangParam>,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    check_limit(&req, &state)?;
    // `?lang=` names the language to answer in; else the message's own decides.
    let named = named(params.lang.as_deref(), locale::default())?;
    let asked = named.unwrap_or_else(locale::default);
    let t = &asked.t.matching;
    let body = read_body(payload, MAX_BODY_BYTES, asked).await?;
    let wrong = |detail: &str| Error::BadRequest(t.api_body.with(detail));
    let value: serde_json::Value =
        serde_json::from_slice(&body).map_err(|e| wrong(&e.to_string()))?;
    let text = match value.get("text") {
        Some(serde_json::Value::String(text)) => text.clone(),
        Some(_) => return Err(wrong(&t.text_not_string).into()),
        None => return Err(wrong(&t.text_missing).into()),
    };
    let site = state.site();
    let (message, lang, matches) = run(site.clone(), text, named).await?;
    let library = site.library_in(&lang.code);
    let found: Vec<ApiMatch> = matches
        .iter()
        .filter_map(|m| {
            let entry = library.entry(&m.id)?;
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
                lang: entry.lang,
                languages: read_at(&site, entry, m.anchor.as_deref()),
            })
        })
        .collect();
    let answered = found.iter().any(|m| m.answers);
    Ok(HttpResponse::Ok().json(serde_json::json!({
        "lang": lang.code,
        "answered": answered,
        "matches": found,
        "received_chars": message.received_chars,
        "kept_chars": message.kept_chars,
    })))
}

/// `GET /match`: the empty form.
pub async fn form(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    render(&req, &state, &state.site(), lang, Ok(None))
}

/// `POST /match` (a form with `text`): the form again, with the entries that answer it, in
/// the language the message is written in.
pub async fn submit(
    req: HttpRequest,
    state: web::Data<AppState>,
    payload: web::Payload,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let submitted = async {
        check_limit(&req, &state)?;
        let body = read_body(payload, MAX_BODY_BYTES, lang).await?;
        let form: Form = serde_urlencoded::from_bytes(&body)
            .map_err(|e| Error::BadRequest(lang.t.error.bad_form.with(e)))?;
        if is_blank(&form.text) {
            // The form again, saying what is missing: nothing was matched.
            return render(&req, &state, &state.site(), lang, Err(form.text)).map(|mut page| {
                *page.status_mut() = actix_web::http::StatusCode::BAD_REQUEST;
                page
            });
        }
        // One generation for the match and the page, even if content is reloaded between.
        let site = state.site();
        let (message, written_in, matches) = run(site.clone(), form.text.clone(), None).await?;
        let submitted = Submitted {
            text: form.text,
            message,
            lang: written_in,
            matches,
        };
        render(&req, &state, &site, lang, Ok(Some(submitted)))
    };
    submitted.await.or_else(|e| Ok(e.response_in(lang)))
}

/// Nothing but spaces, control characters and invisible ones (zero-width spaces, a BOM).
fn is_blank(text: &str) -> bool {
    text.chars().all(|c| {
        c.is_whitespace()
            || c.is_control()
            || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
    })
}

/// A message sent to `/match`, and what answers it.
struct Submitted {
    text: String,
    message: Message,
    /// The language it is written in: that of the matches.
    lang: &'static Language,
    matches: Vec<Match>,
}

/// The page: the empty form, the form with what answers the message `submitted`, or the form
/// again with an empty message (`Err`, as sent) and a word on what is missing.
fn render(
    req: &HttpRequest,
    state: &AppState,
    site: &Site,
    lang: &'static Language,
    submitted: Result<Option<Submitted>, String>,
) -> Result<HttpResponse, Error> {
    let (submitted, empty) = match submitted {
        Ok(submitted) => (submitted, None),
        Err(text) => (None, Some(text)),
    };
    let base = state.base_url(req);
    let answer_lang = submitted.as_ref().map_or(lang, |s| s.lang);
    let library = site.library_in(&answer_lang.code);
    let found = submitted
        .iter()
        .flat_map(|s| &s.matches)
        .filter_map(|m| {
            let entry = library.entry(&m.id)?;
            let url = entry.url_to(m.anchor.as_deref());
            let absolute_url = format!("{base}{url}");
            Some(MatchView {
                pick: match &m.anchor {
                    Some(anchor) => format!("{}#{anchor}", entry.id),
                    None => entry.id.clone(),
                },
                title: entry.title.clone(),
                lang: entry.lang,
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
                others: read_at(site, entry, m.anchor.as_deref())
                    .into_iter()
                    .skip(1)
                    .filter_map(|r| Some((locale::get(r.lang)?, r.url)))
                    .collect(),
                url,
                absolute_url,
            })
        })
        .collect();
    let html = MatchPage {
        chrome: Chrome::new(lang, format!("{base}{}/match", lang.prefix)).read_in(
            &base,
            "/match",
            locale::languages().iter().collect(),
        ),
        submitted: submitted.is_some(),
        error: empty.is_some().then(|| lang.t.matching.empty.clone()),
        answer_lang,
        text: submitted
            .as_ref()
            .map(|s| s.text.clone())
            .or(empty)
            .unwrap_or_default(),
        read: submitted.as_ref().map(|s| ReadView {
            received_chars: s.message.received_chars,
            kept_chars: s.message.kept_chars,
            cut: s.message.is_cut(),
        }),
        max_chars: MAX_MESSAGE_CHARS,
        matches: found,
        wizards: site.library_in(&lang.code).wizards.iter().collect(),
    }
    .render()?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}

/// Entries one reply may link.
const MAX_PICKED: usize = MATCHES;

/// `GET /match/reply?e=<id>[#<anchor>]&e=…&lang=<code>`: one reply linking every entry an
/// agent ticked on `/match`, numbered in the order ticked, in the language the matches were
/// given in (`lang`, else the page's). A plain link, so it works without JavaScript.
pub async fn reply(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    reply_in(&req, &state, lang).or_else(|e| Ok(e.response_in(lang)))
}

fn reply_in(
    req: &HttpRequest,
    state: &AppState,
    lang: &'static Language,
) -> Result<HttpResponse, Error> {
    let t = &lang.t.matching;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(req.query_string())
        .map_err(|e| Error::BadRequest(lang.t.error.bad_query.with(e)))?;
    let value = |name: &'static str| pairs.iter().filter(move |(k, _)| k == name).map(|(_, v)| v);
    // A pick ticked twice (a hand-made link) is linked once.
    let mut picks: Vec<&String> = Vec::new();
    for pick in value("e") {
        if !picks.contains(&pick) {
            picks.push(pick);
        }
    }
    let reply_lang = named(value("lang").next().map(String::as_str), lang)?.unwrap_or(lang);
    if picks.is_empty() {
        return Err(Error::BadRequest(t.none_picked.clone()));
    }
    if picks.len() > MAX_PICKED {
        return Err(Error::BadRequest(
            t.too_many_picked
                .fill(&[("max", &MAX_PICKED), ("n", &picks.len())]),
        ));
    }
    let site = state.site();
    let library = site.library_in(&reply_lang.code);
    let base = state.base_url(req);
    let mut parts = Vec::new();
    let mut picked = Vec::new();
    for (n, pick) in picks.iter().enumerate() {
        let (id, anchor) = match pick.split_once('#') {
            Some((id, anchor)) => (id, Some(anchor)),
            None => (pick.as_str(), None),
        };
        let entry = library
            .entry(id)
            .ok_or_else(|| Error::BadRequest(lang.t.error.no_entry.with(id)))?;
        let section = match anchor {
            None => None,
            Some(anchor) => Some(
                entry
                    .headings
                    .iter()
                    .find(|h| h.anchor == anchor)
                    .ok_or_else(|| {
                        Error::BadRequest(t.no_section.fill(&[("id", &id), ("anchor", &anchor)]))
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
        // The switch keeps the picks (and `lang=`, the reply's language, when it is given).
        chrome: Chrome::new(lang, format!("{base}{}/match", lang.prefix)).read_in(
            &base,
            &format!("/match/reply?{}", req.query_string()),
            locale::languages().iter().collect(),
        ),
        reply: parts.join("\n\n"),
        picked,
    }
    .render()?;
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(html))
}
