//! The wizard pages: one step per page, the whole path of answers in the URL.
//! `/wizard/<id>?a=<answer>&a=<answer>…&at=<step>`: `a` repeats in order; `at` names the step
//! the link was made for, so a link that no longer fits a changed wizard is noticed.

use actix_web::http::StatusCode;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::lang::Lang;
use super::views::{
    Chrome, LinkView, TrailItem, WizardErrorPage, WizardListPage, WizardPage, WizardView,
};
use super::{AppState, Error, Site, urlencode};
use crate::content::Library;
use crate::locale::{self, Language};
use crate::search as engine;
use crate::wizard::{MAX_ANSWERS, Position, StepKind, Walk, Wizard};

const SEARCH_HITS_ON_FALLBACK: usize = 5;
const HTML: &str = "text/html; charset=utf-8";
/// The funnel's name for "an answer nothing matched, so we searched" (not a valid step id).
pub const SEARCHED: &str = "(search)";

fn html(status: StatusCode, page: impl Template) -> Result<HttpResponse, Error> {
    Ok(HttpResponse::build(status)
        .content_type(ContentType::html())
        .body(page.render()?))
}

/// `/wizard/<id>?a=…&a=…` (and `&at=<step>` when the next step is known).
fn path_url(wizard: &Wizard, answers: &[String], at: Option<&str>) -> String {
    let mut url = wizard.url();
    let mut sep = '?';
    for a in answers {
        url.push_str(&format!("{sep}a={}", urlencode(a)));
        sep = '&';
    }
    if let Some(at) = at {
        url.push_str(&format!("{sep}at={}", urlencode(at)));
    }
    url
}

/// The languages `wizard` is read in: the default and those it is translated into.
fn languages_of(library: &Library, wizard: &str) -> Vec<&'static Language> {
    locale::languages()
        .iter()
        .filter(|l| {
            l.is_default()
                || library
                    .wizard_translations
                    .iter()
                    .any(|t| t.id == wizard && t.lang == l.code)
        })
        .collect()
}

pub async fn list(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let library = site.library_in(&lang.code);
    let base = state.base_url(&req);
    let key = format_args!("wizards\0{}\0{base}", lang.code);
    state
        .page(&req, &site, key, || {
            Ok((
                HTML,
                WizardListPage {
                    chrome: Chrome::described(
                        lang,
                        format!("{base}{}/wizard", lang.prefix),
                        &lang.t.wizards.title,
                        &lang.t.wizard.description,
                    )
                    .read_in(
                        &base,
                        "/wizard",
                        locale::languages().iter().collect(),
                    ),
                    wizards: library.wizards.iter().collect(),
                }
                .render()?,
            ))
        })
        .await
}

pub async fn step(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<Vec<(String, String)>>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let library = site.library_in(&lang.code);
    let Some(wizard) = library.wizard(&id) else {
        return Ok(Error::NotFound(lang.t.wizard.no_wizard.with(&id)).response_in(lang));
    };
    // Not translated: the wizard in the language it is written in, at the same step.
    if wizard.lang != lang.code {
        let location = match req.query_string() {
            "" => wizard.url(),
            query => format!("{}?{query}", wizard.url()),
        };
        return Ok(HttpResponse::Found()
            .insert_header((actix_web::http::header::LOCATION, location))
            .finish());
    }
    let t = &lang.t.wizard;
    let answers: Vec<String> = query
        .iter()
        .filter(|(k, _)| k == "a")
        .map(|(_, v)| v.clone())
        .collect();
    let at = query
        .iter()
        .find(|(k, _)| k == "at")
        .map(|(_, v)| v.as_str());
    let solved = query
        .iter()
        .find(|(k, _)| k == "solved")
        .map(|(_, v)| v.as_str());
    let base = state.base_url(&req);

    let restart_url = path_url(wizard, &[], Some(&wizard.start));
    if answers.len() > MAX_ANSWERS {
        return wizard_error(
            lang,
            wizard,
            t.too_many.with(MAX_ANSWERS),
            restart_url,
            None,
        );
    }
    let walk = match wizard.replay(&answers) {
        Ok(walk) => walk,
        Err(e) => {
            // Offer the last step the path still reaches.
            let good = (1..=answers.len())
                .rev()
                .map(|n| &answers[..n - 1])
                .find(|a| wizard.replay(a).is_ok());
            let resume = good.map(|a| path_url(wizard, a, None));
            return wizard_error(
                lang,
                wizard,
                t.link_broken.with(path_error(lang, &e)),
                restart_url,
                resume,
            );
        }
    };

    let trail = trail(lang, wizard, &walk, &answers);
    let back_url = (!answers.is_empty()).then(|| {
        let previous = &walk.trail[answers.len() - 1].0;
        path_url(wizard, &answers[..answers.len() - 1], Some(&previous.id))
    });
    count_visit(&req, &state, wizard, &walk.at, solved);
    let here = match &walk.at {
        Position::Step(step) => Some(step.id.as_str()),
        Position::Search(_) => None,
    };
    let canonical = path_url(wizard, &answers, here);
    let notice = notice(lang, at, here).or_else(|| {
        walk.unrecognised
            .as_ref()
            .map(|typed| lang.t.wizard.unrecognized_step.with(typed))
    });

    let view = step_view(
        &site, library, wizard, &walk.at, &answers, &canonical, solved,
    )
    .await?;

    // The same step in each language: the answers are the same in all of them.
    let path = canonical
        .strip_prefix(lang.prefix.as_str())
        .unwrap_or(&canonical);
    let page = WizardPage {
        chrome: Chrome::described(
            lang,
            format!("{base}{canonical}"),
            &wizard.title,
            &wizard.description,
        )
        .read_in(&base, path, languages_of(&site.library, &wizard.id)),
        wizard,
        step_number: answers.len() + 1,
        trail,
        back_url,
        restart_url,
        notice,
        share_url: format!("{base}{canonical}"),
        view,
    };
    // A step reached by choices alone is one of a few pages every reader shares: made once.
    // Typed answers (and the searches they lead to) differ per reader: made per request.
    let by_choices = matches!(walk.at, Position::Step(_))
        && walk
            .trail
            .iter()
            .all(|(step, _, _)| matches!(step.kind, StepKind::Choices(_)));
    if by_choices {
        let key = format_args!(
            "wizard\0{}\0{base}\0{}\0{}",
            lang.code,
            wizard.id,
            req.query_string()
        );
        state
            .page(&req, &site, key, || Ok((HTML, page.render()?)))
            .await
    } else {
        html(StatusCode::OK, page)
    }
}

/// The questions answered so far, each with the link that changes its answer.
fn trail(
    lang: &'static Language,
    wizard: &Wizard,
    walk: &Walk,
    answers: &[String],
) -> Vec<TrailItem> {
    walk.trail
        .iter()
        .enumerate()
        .map(|(i, (step, _, shown))| TrailItem {
            question: step.title.clone(),
            answer: if shown.trim().is_empty() {
                lang.t.wizard.skipped.clone()
            } else {
                shown.clone()
            },
            change_url: path_url(wizard, &answers[..i], Some(&step.id)),
        })
        .collect()
}

/// Moves the funnel once a session per visitor: a step shown, or an outcome's answer (yes or
/// no: changing it counts the new one once too).
fn count_visit(
    req: &HttpRequest,
    state: &AppState,
    wizard: &Wizard,
    at: &Position,
    solved: Option<&str>,
) {
    if let Some(store) = state.store() {
        let (w, lang) = (&wizard.id, wizard.lang);
        match (at, solved) {
            (Position::Step(step), Some(answer)) if matches!(step.kind, StepKind::Outcome(_)) => {
                let solved = answer == "yes";
                if state.first_view(
                    req,
                    format_args!("outcome\0{lang}\0{w}\0{}\0{solved}", step.id),
                ) {
                    store.wizard_outcome(w, &step.id, solved, lang);
                }
            }
            (Position::Step(step), _) => {
                if state.first_view(req, format_args!("step\0{lang}\0{w}\0{}", step.id)) {
                    store.wizard_step(w, &step.id, lang);
                }
            }
            (Position::Search(_), Some(answer)) => {
                let solved = answer == "yes";
                if state.first_view(
                    req,
                    format_args!("outcome\0{lang}\0{w}\0{SEARCHED}\0{solved}"),
                ) {
                    store.wizard_outcome(w, SEARCHED, solved, lang);
                }
            }
            (Position::Search(_), None) => {
                if state.first_view(req, format_args!("step\0{lang}\0{w}\0{SEARCHED}")) {
                    store.wizard_step(w, SEARCHED, lang);
                }
            }
        }
    }
}

/// What to say when the link was made for another step than the one its answers reach now.
fn notice(lang: &'static Language, at: Option<&str>, here: Option<&str>) -> Option<String> {
    match (at, here) {
        (Some(wanted), Some(now)) if wanted != now => Some(lang.t.wizard.changed.clone()),
        (Some(_), None) => Some(lang.t.wizard.changed_to_search.clone()),
        _ => None,
    }
}

/// Why a path of answers does not replay, in `lang`.
fn path_error(lang: &'static Language, e: &crate::wizard::PathError) -> String {
    use crate::wizard::PathError;
    let t = &lang.t.wizard;
    match e {
        PathError::UnknownChoice { position, answer } => t
            .not_an_option
            .fill(&[("position", position), ("answer", answer)]),
        PathError::AnswerTooLong { position } => t.too_long.fill(&[
            ("position", position),
            ("max", &crate::wizard::MAX_ANSWER_CHARS),
        ]),
        PathError::PastTheEnd { position } => t.after_outcome.fill(&[("position", position)]),
        PathError::TooManyAnswers => t
            .too_many
            .with(MAX_ANSWERS)
            .trim_end_matches(['。', '.'])
            .to_string(),
    }
}

/// Where the path stands, as shown: a step's choices or its input, an outcome with its
/// entries, or the search an unmatched answer led to.
async fn step_view<'a>(
    site: &'a std::sync::Arc<Site>,
    library: &'a Library,
    wizard: &'a Wizard,
    at: &Position<'a>,
    answers: &[String],
    canonical: &str,
    solved: Option<&str>,
) -> Result<WizardView<'a>, Error> {
    Ok(match at {
        Position::Step(step) => match &step.kind {
            StepKind::Choices(choices) => WizardView::Choices {
                step,
                options: choices
                    .iter()
                    .map(|c| {
                        let mut next = answers.to_vec();
                        next.push(c.value.clone());
                        LinkView {
                            text: c.label.clone(),
                            url: path_url(wizard, &next, Some(&c.next)),
                            note: String::new(),
                        }
                    })
                    .collect(),
            },
            StepKind::Input(input) => WizardView::Input {
                step,
                input,
                previous: answers.to_vec(),
            },
            StepKind::Outcome(outcome) => {
                let links = outcome
                    .links
                    .iter()
                    .filter_map(|link| {
                        let entry = library.entry(&link.entry)?;
                        let section = link
                            .anchor
                            .as_ref()
                            .and_then(|a| entry.headings.iter().find(|h| &h.anchor == a))
                            .map(|h| h.text.clone())
                            .unwrap_or_default();
                        Some(LinkView {
                            text: entry.title.clone(),
                            url: entry.url_to(link.anchor.as_deref()),
                            note: section,
                        })
                    })
                    .collect();
                let with =
                    |value: &str| format!("{}&solved={value}", canonical_with_query(canonical));
                WizardView::Outcome {
                    step,
                    outcome,
                    links,
                    solved: solved.map(|s| s == "yes"),
                    yes_url: with("yes"),
                    no_url: with("no"),
                }
            }
        },
        Position::Search(query) => {
            let hits = search_hits(site, wizard.lang, query).await?;
            let with = |value: &str| format!("{}&solved={value}", canonical_with_query(canonical));
            WizardView::Search {
                search_url: format!(
                    "{}/search?q={}",
                    locale::prefix(wizard.lang),
                    urlencode(query)
                ),
                query: query.clone(),
                hits,
                solved: solved.map(|s| s == "yes"),
                yes_url: with("yes"),
                no_url: with("no"),
            }
        }
    })
}

/// `canonical` always has `?` once it has answers or `at`; the start page may not.
fn canonical_with_query(canonical: &str) -> String {
    if canonical.contains('?') {
        canonical.to_string()
    } else {
        format!("{canonical}?")
    }
}

async fn search_hits(
    site: &std::sync::Arc<Site>,
    lang: &'static str,
    query: &str,
) -> Result<Vec<LinkView>, Error> {
    let site = site.clone();
    let request = engine::Request {
        query: query.to_string(),
        limit: SEARCH_HITS_ON_FALLBACK,
        ..engine::Request::default()
    };
    web::block(move || {
        // Only entries with every word: "error 99" must not list the entries of other codes
        // that merely say "error".
        site.search_in(lang, &request)
            .hits
            .iter()
            .filter(|hit| hit.all_terms)
            .filter_map(|hit| {
                let entry = site.library_in(lang).entry(&hit.id)?;
                Some(LinkView {
                    text: entry.title.clone(),
                    url: entry.url(),
                    note: hit.snippet_html.clone(),
                })
            })
            .collect()
    })
    .await
    .map_err(|e| Error::internal("searching for a typed answer", e))
}

fn wizard_error(
    lang: &'static Language,
    wizard: &Wizard,
    message: String,
    restart_url: String,
    resume_url: Option<String>,
) -> Result<HttpResponse, Error> {
    html(
        StatusCode::BAD_REQUEST,
        WizardErrorPage {
            chrome: Chrome::bare(lang),
            wizard,
            message,
            restart_url,
            resume_url,
        },
    )
}
