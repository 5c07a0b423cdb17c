//! `/admin/insights` (`/en/admin/insights` in English): what votes, searches and wizard runs
//! said, for authors. It exists only when `WENDAO_ADMIN_TOKEN` is set, and answers only to that
//! token (HTTP Basic password, so a browser can ask for it, or a Bearer token).

use actix_web::http::header;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use base64::Engine;
use sha2::{Digest, Sha256};

use super::lang::Lang;
use super::views::{AdminPage, Bar, Chrome, EntryLink, FunnelView};
use super::{AppState, Error, urlencode};
use crate::locale::Language;
use crate::store::{EntryVotes, Insights};
use crate::wizard::StepKind;

const ROWS: i64 = 30;
/// Width of a full bar, in pixels.
const BAR_WIDTH: u32 = 200;

/// How long a wrong admin token waits for its 401.
const WRONG_TOKEN_DELAY: std::time::Duration = std::time::Duration::from_secs(1);

/// What a request's credentials open.
pub enum Access {
    /// The admin token, given rightly.
    Admin,
    /// No credentials (or no admin token set): what anyone may see.
    Public,
}

/// Checks the admin token a request gives, if any. A wrong one answers 401 after a delay
/// ([`WRONG_TOKEN_DELAY`]); an address that sent too many is refused any token for a while
/// (429, see [`super::limits::WrongTokens`]).
pub async fn access(req: &HttpRequest, state: &AppState) -> Result<Access, HttpResponse> {
    let Some(token) = state.admin_token() else {
        return Ok(Access::Public);
    };
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return Ok(Access::Public);
    }
    let client = super::limits::client_address(req, state.trusted_proxies());
    if let Some(client) = client
        && let Err(wait) = state.wrong_tokens().check(client)
    {
        let lang = Lang::of_path(req.path());
        return Err(Error::TooManyRequests(wait.as_secs().max(1)).response_in(lang));
    }
    if authorized(req, token) {
        if let Some(client) = client {
            state.wrong_tokens().passed(client);
        }
        return Ok(Access::Admin);
    }
    if let Some(client) = client {
        state.wrong_tokens().failed(client);
    }
    actix_web::rt::time::sleep(WRONG_TOKEN_DELAY).await;
    Err(unauthorized(Lang::of_path(req.path())))
}

/// Whether a request gives the admin token, for a page that anyone may see and the admin sees
/// more of (`/healthz`): never slowed down nor refused, so a monitor with a stale token still
/// gets its answer, but a wrong token counts toward the lockout, and a locked-out address is
/// never the admin.
pub fn is_admin(req: &HttpRequest, state: &AppState) -> bool {
    let Some(token) = state.admin_token() else {
        return false;
    };
    if !req.headers().contains_key(header::AUTHORIZATION) {
        return false;
    }
    let client = super::limits::client_address(req, state.trusted_proxies());
    if client.is_some_and(|client| state.wrong_tokens().check(client).is_err()) {
        return false;
    }
    let right = authorized(req, token);
    if let Some(client) = client {
        if right {
            state.wrong_tokens().passed(client);
        } else {
            state.wrong_tokens().failed(client);
        }
    }
    right
}

/// The 401, its body in `lang`.
fn unauthorized(lang: &Language) -> HttpResponse {
    HttpResponse::Unauthorized()
        .insert_header((
            header::WWW_AUTHENTICATE,
            "Basic realm=\"wendao insights\", charset=\"UTF-8\"",
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(lang.t.admin.password_needed.clone())
}

/// The page for the site's staff, in each language (`/admin/insights`, `/en/admin/insights`);
/// its errors in that language too.
pub async fn insights(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    insights_in(req, state, lang)
        .await
        .or_else(|e| Ok(e.response_in(lang)))
}

async fn insights_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    lang: &'static Language,
) -> Result<HttpResponse, Error> {
    let t = &lang.t;
    if state.admin_token().is_none() {
        return Err(Error::NotFound(t.error.no_page.with(req.path())));
    }
    match access(&req, &state).await {
        Ok(Access::Admin) => {}
        Ok(Access::Public) => return Ok(unauthorized(lang)),
        Err(refused) => return Ok(refused),
    }
    let store = state
        .store()
        .ok_or_else(|| Error::Unavailable(t.admin.no_store.clone()))?;
    let insights = store
        .insights(ROWS)
        .await
        .map_err(|e| Error::Unavailable(t.admin.unreadable.with(e)))?;
    let chrome = Chrome::bare(lang).read_in(
        &state.base_url(&req),
        "/admin/insights",
        crate::locale::languages().iter().collect(),
    );
    let page = view(&state, chrome, insights);
    Ok(HttpResponse::Ok()
        .content_type(header::ContentType::html())
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .insert_header(("X-Robots-Tag", "noindex"))
        .body(page.render()?))
}

/// The token as a Basic password or a Bearer token, compared in constant time (on digests, so
/// the length does not leak either).
fn authorized(req: &HttpRequest, token: &str) -> bool {
    // Header bytes as UTF-8, not just visible ASCII: a Bearer token may hold any text.
    let Some(value) = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| std::str::from_utf8(v.as_bytes()).ok())
    else {
        return false;
    };
    let given = if let Some(bearer) = value.strip_prefix("Bearer ") {
        bearer.trim().to_string()
    } else if let Some(basic) = value.strip_prefix("Basic ") {
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(basic.trim())
            .unwrap_or_default();
        let text = String::from_utf8_lossy(&decoded).into_owned();
        text.split_once(':')
            .map(|(_, password)| password.to_string())
            .unwrap_or_default()
    } else {
        return false;
    };
    let (a, b) = (
        Sha256::digest(given.as_bytes()),
        Sha256::digest(token.as_bytes()),
    );
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

fn bar(value: i64, max: i64) -> u32 {
    if max <= 0 {
        0
    } else {
        ((value.max(0) as f64 / max as f64) * BAR_WIDTH as f64).round() as u32
    }
}

/// The page in `chrome`'s language: entries and wizards by their titles in it where they are
/// translated, linking their pages in it.
fn view(state: &AppState, chrome: Chrome, insights: Insights) -> AdminPage {
    let lang = chrome.lang;
    let t = &lang.t.admin;
    let site = state.site();
    let library = site.library_in(&lang.code);
    let link = |id: &str| match library.entry(id) {
        Some(e) => EntryLink {
            url: e.url(),
            title: e.title.clone(),
            lang: e.lang,
        },
        // Gone from the content since: its id, and the 404 its link now leads to.
        None => EntryLink {
            url: format!("{}/kb/{id}", lang.prefix),
            title: id.to_string(),
            lang: lang.code.as_str(),
        },
    };
    let most_votes = insights
        .entries
        .iter()
        .map(|e| e.helpful + e.not_helpful)
        .max()
        .unwrap_or(0);
    let rows = |list: &[EntryVotes]| -> Vec<(EntryLink, Bar, Bar)> {
        list.iter()
            .map(|e| {
                (
                    link(&e.entry),
                    Bar {
                        value: e.helpful,
                        width: bar(e.helpful, most_votes),
                    },
                    Bar {
                        value: e.not_helpful,
                        width: bar(e.not_helpful, most_votes),
                    },
                )
            })
            .collect()
    };
    let entries = rows(&insights.entries);
    let most_helpful = rows(&insights.most_helpful);
    let comments = insights
        .comments
        .iter()
        .map(|c| {
            // The page the comment was left on, in the language voted from.
            let url = format!("{}/kb/{}", crate::locale::prefix(&c.lang), c.entry);
            (
                EntryLink {
                    url,
                    ..link(&c.entry)
                },
                c.helpful,
                c.text.clone(),
                c.lang.clone(),
            )
        })
        .collect();
    let most_zero = insights.zero_results.first().map_or(0, |z| z.count);
    let zero_results = insights
        .zero_results
        .iter()
        .map(|z| {
            (
                format!(
                    "{}/search?q={}",
                    crate::locale::prefix(&z.lang),
                    urlencode(&z.query)
                ),
                z.query.clone(),
                z.weak,
                Bar {
                    value: z.count,
                    width: bar(z.count, most_zero),
                },
                z.lang.clone(),
            )
        })
        .collect();
    let opened = insights
        .opened
        .iter()
        .map(|o| (o.query.clone(), link(&o.entry), o.count))
        .collect();
    let times = |n: i64| t.funnel_times.of(n.max(0) as usize);
    let funnels = library
        .wizards
        .iter()
        .map(|w| {
            // Summed over the languages it was walked in.
            let visits = |step: &str| -> i64 {
                insights
                    .steps
                    .iter()
                    .filter(|s| s.wizard == w.id && s.step == step)
                    .map(|s| s.visits)
                    .sum()
            };
            let answered = |step: &str, solved: bool| -> i64 {
                insights
                    .outcomes
                    .iter()
                    .filter(|o| o.wizard == w.id && o.outcome == step && o.solved == solved)
                    .map(|o| o.count)
                    .sum()
            };
            let started_in: Vec<String> = crate::locale::languages()
                .iter()
                .map(|l| {
                    let n: i64 = insights
                        .steps
                        .iter()
                        .filter(|s| s.wizard == w.id && s.step == w.start && s.lang == l.code)
                        .map(|s| s.visits)
                        .sum();
                    (l, n)
                })
                .filter(|(_, n)| *n > 0)
                .map(|(l, n)| format!("{} {}", l.code, times(n)))
                .collect();
            let most = w.steps.iter().map(|s| visits(&s.id)).max().unwrap_or(0);
            let steps = w
                .steps
                .iter()
                .map(|s| {
                    let outcome = matches!(s.kind, StepKind::Outcome(_));
                    let n = visits(&s.id);
                    (
                        s.title.clone(),
                        outcome,
                        Bar {
                            value: n,
                            width: bar(n, most),
                        },
                        answered(&s.id, true),
                        answered(&s.id, false),
                    )
                })
                .collect::<Vec<_>>();
            let started = visits(&w.start);
            let concluded: i64 = steps
                .iter()
                .filter(|(_, outcome, ..)| *outcome)
                .map(|(_, _, reached, ..)| reached.value)
                .sum();
            let searched = visits(super::wizard::SEARCHED);
            let solved: i64 = steps.iter().map(|(.., solved, _)| solved).sum();
            let unsolved: i64 = steps.iter().map(|(.., unsolved)| unsolved).sum();
            let languages = if started_in.is_empty() {
                String::new()
            } else {
                t.funnel_languages
                    .with(started_in.join(&lang.t.all.separator))
            };
            let summary = t.funnel.fill(&[
                ("started", &times(started)),
                ("languages", &languages),
                ("concluded", &times(concluded)),
                ("searched", &times(searched)),
                ("gave_up", &times((started - concluded - searched).max(0))),
                ("solved", &times(solved)),
                ("unsolved", &times(unsolved)),
            ]);
            FunnelView {
                title: w.title.clone(),
                summary,
                steps,
            }
        })
        .collect();
    let f = &insights.forms;
    let forms_summary = t.widget_forms.fill(&[
        ("suggested", &f.suggested),
        ("opened", &f.opened),
        ("resolved", &f.resolved),
        ("submitted", &f.submitted_anyway),
    ]);
    AdminPage {
        chrome,
        entries,
        most_helpful,
        comments,
        zero_results,
        opened,
        funnels,
        forms_summary,
        forms: insights.forms,
        deflections: insights
            .deflections
            .iter()
            .map(|d| (link(&d.entry), d.counts))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        assert_eq!(bar(5, 10), BAR_WIDTH / 2);
        assert_eq!(bar(10, 10), BAR_WIDTH);
        assert_eq!(bar(3, 0), 0);
    }
}
