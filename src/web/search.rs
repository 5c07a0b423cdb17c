//! Search: the results page, the JSON search and suggest calls, the OpenSearch description.

use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::api::EntryRef;
use super::lang::{Lang, asked};
use super::views::{CategoryFilter, Chrome, PageLink, SearchHitView, SearchPage};
use super::{ApiError, AppState, Error, Site, urlencode};
use crate::content::{Entry, Library};
use crate::locale::{self, Language};
use crate::search::analysis::normalize_query;
use crate::search::{self as engine, MAX_RESULTS};
use crate::source::markdown::escape_html;

const PAGE_SIZE: usize = 10;
const MAX_PAGE: usize = MAX_RESULTS / PAGE_SIZE;
const API_DEFAULT_LIMIT: usize = 10;
const API_MAX_LIMIT: usize = 50;
const SUGGESTIONS: usize = 6;
const NEAR_QUERIES: usize = 4;
const POPULAR_ON_EMPTY: usize = 5;
/// Weak matches shown when no entry answers a query.
const WEAK_HITS: usize = 5;

/// Query strings are read as text: numbers are checked here so a bad one is a clear 400.
#[derive(Deserialize)]
pub struct Params {
    q: Option<String>,
    category: Option<String>,
    page: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
    lang: Option<String>,
}

pub(super) fn number(
    value: &Option<String>,
    name: &str,
    default: usize,
    max: usize,
    lang: &Language,
) -> Result<usize, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(default),
        Some(text) => match text.parse::<usize>() {
            Ok(n) if n <= max => Ok(n),
            _ => Err(Error::BadRequest(lang.t.search.not_a_number.fill(&[
                ("name", &name),
                ("max", &max),
                ("text", &text),
            ]))),
        },
    }
}

fn category<'a>(
    site: &Site,
    value: &'a Option<String>,
    lang: &Language,
) -> Result<Option<&'a str>, Error> {
    match value.as_deref().map(str::trim) {
        None | Some("") => Ok(None),
        Some(slug) if site.library.category(slug).is_some() => Ok(Some(slug)),
        Some(slug) => Err(Error::BadRequest(lang.t.search.no_category.with(slug))),
    }
}

/// Runs a search on the worker itself, and counts it. It is CPU work, but short (p50 0.2 ms,
/// p99 1 ms at 10,000 entries; p99 5 ms at 100,000) and bounded (200 characters, 16 words):
/// handing it to the blocking pool and back cost 4% of the search rate under load, and its p99
/// went from 13 to 19 ms (threads beyond the cores contending).
fn run(
    state: &AppState,
    site: &Site,
    lang: &Language,
    request: &engine::Request,
) -> engine::Results {
    let results = site.search_in(&lang.code, request);
    if !results.query.is_empty() {
        state.metrics.searches.inc();
        if results.total == 0 {
            state.metrics.zero_result_searches.inc();
        }
        if !results.answered {
            state.metrics.unanswered_searches.inc();
        }
    }
    results
}

pub async fn page(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<Params>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    page_in(req, state, params, lang)
        .await
        .or_else(|e| Ok(e.response_in(lang)))
}

async fn page_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<Params>,
    lang: &'static Language,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let query = params.q.clone().unwrap_or_default();
    let selected = category(&site, &params.category, lang)?.map(str::to_string);
    let page = number(&params.page, "page", 1, MAX_PAGE, lang)?.max(1);
    let base = state.base_url(&req);
    // Popular searches are answered from the cache; only answered searches are kept (an empty
    // one shows popular entries, which change with use; an unanswered one is counted).
    let key = AppState::cache_key(
        &site,
        format_args!(
            "search\0{}\0{base}\0{query}\0{}\0{page}",
            lang.code,
            selected.as_deref().unwrap_or("")
        ),
    );
    if let Some(cached) = state.cached(&req, &key) {
        state.metrics.searches.inc();
        return Ok(cached);
    }
    let request = engine::Request {
        query,
        category: selected.clone(),
        limit: PAGE_SIZE,
        offset: (page - 1) * PAGE_SIZE,
    };
    let results = run(&state, &site, lang, &request);
    // A page past the last, as a category answers one: a 404 saying how many there are.
    let pages = results.total.div_ceil(PAGE_SIZE).min(MAX_PAGE);
    if results.total > 0 && page > pages {
        return Err(Error::NotFound(lang.t.search.no_page.fill(&[
            ("query", &results.query),
            ("pages", &pages),
            ("page", &page),
        ])));
    }
    // Nothing in any category, or only weak matches (a filter with nothing in it is not an
    // unanswered question).
    let found_nothing = results.categories.is_empty();
    let unanswered = found_nothing || (!results.answered && selected.is_none());
    if !results.query.is_empty()
        && unanswered
        && let Some(store) = state.store()
    {
        let q = normalize_query(&results.query);
        if state.first_view(&req, format_args!("zero\0{}\0{q}", lang.code)) {
            store.unanswered(&q, !found_nothing, &lang.code);
        }
    }
    let library = site.library_in(&lang.code);
    let popular = if !results.query.is_empty() && found_nothing {
        state.popular(library, POPULAR_ON_EMPTY).await
    } else {
        Vec::new()
    };
    let html = view(
        &site,
        lang,
        &results,
        selected.as_deref(),
        page,
        &base,
        popular,
    )
    .render()?;
    if results.total > 0 && results.answered {
        return Ok(state.keep(&req, key, HTML, html));
    }
    Ok(HttpResponse::Ok()
        .content_type(ContentType::html())
        .body(html))
}

/// The results page of `results`: hits (at most a few when none answers), filters by
/// category with their counts, pages, and near queries, popular entries, wizards and the
/// contact text when nothing was found.
fn view<'a>(
    site: &'a Site,
    lang: &'static Language,
    results: &engine::Results,
    selected: Option<&str>,
    page: usize,
    base: &str,
    popular: Vec<&'a Entry>,
) -> SearchPage<'a> {
    let library = site.library_in(&lang.code);
    let t = &lang.t.search;
    // Without the language's prefix: the `hreflang` links add each one's.
    let path = |category: Option<&str>, page: usize| {
        let mut url = format!("/search?q={}", urlencode(&results.query));
        if let Some(c) = category {
            url.push_str(&format!("&category={}", urlencode(c)));
        }
        if page > 1 {
            url.push_str(&format!("&page={page}"));
        }
        url
    };
    let link =
        |category: Option<&str>, page: usize| format!("{}{}", lang.prefix, path(category, page));
    let counts = engine::category_counts(results);
    let all_count: usize = counts.values().sum();
    let mut filters = vec![CategoryFilter {
        name: t.all.clone(),
        count: all_count,
        url: link(None, 1),
        selected: selected.is_none(),
    }];
    for c in &library.categories {
        let count = counts.get(c.slug.as_str()).copied().unwrap_or(0);
        if count > 0 || selected == Some(c.slug.as_str()) {
            filters.push(CategoryFilter {
                name: c.name.clone(),
                count,
                url: link(Some(&c.slug), 1),
                selected: selected == Some(c.slug.as_str()),
            });
        }
    }
    let pages = results.total.div_ceil(PAGE_SIZE).min(MAX_PAGE);
    let searched = !results.query.is_empty();
    let weak = searched && results.total > 0 && !results.answered;
    let (hits, pagination) = if weak {
        (
            hits(library, results).into_iter().take(WEAK_HITS).collect(),
            Vec::new(),
        )
    } else {
        (
            hits(library, results),
            PageLink::around(page, pages, |p| link(selected, p)),
        )
    };
    let near = if searched && all_count == 0 {
        let (index, searched_library) = site.index_in(&lang.code);
        index
            .near_queries(searched_library, &results.query, NEAR_QUERIES)
            .into_iter()
            .map(|q| (format!("{}/search?q={}", lang.prefix, urlencode(&q)), q))
            .collect()
    } else {
        Vec::new()
    };
    // An English question on the Chinese site that nothing here answers: the English site
    // answers more of them (see search.md), so it is offered, as a link. (The English site
    // already searches the Chinese entries; a category is left out, as the link leaves it.)
    let offer = (searched && !results.answered && selected.is_none() && lang.is_default())
        .then(|| locale::written_in(&results.query))
        .filter(|written_in| !written_in.is_default())
        .map(|written_in| {
            (
                format!("{}{}", written_in.prefix, path(None, 1)),
                written_in,
            )
        });
    // The other languages' first page: another index finds another number of pages.
    let mut chrome = Chrome::new(lang, format!("{base}{}", link(selected, page))).read_in(
        base,
        &path(selected, 1),
        locale::languages().iter().collect(),
    );
    if searched {
        chrome.preview_title = t.preview_title.with(&results.query);
    }
    chrome.query = results.query.clone();
    let examples = t
        .examples
        .iter()
        .map(|q| {
            (
                format!("{}/search?q={}", lang.prefix, urlencode(q)),
                q.clone(),
            )
        })
        .collect();
    SearchPage {
        chrome,
        examples,
        query: results.query.clone(),
        searched,
        total: results.total,
        partial_only: results.total > 0 && results.answered && !results.all_terms_found,
        weak,
        // A category with nothing in it, or nothing that answers, points to all of them.
        elsewhere: match (selected, results.total, all_count) {
            (Some(slug), total, n) if n > total && (total == 0 || weak) => Some((
                library
                    .category(slug)
                    .map_or_else(|| slug.to_string(), |c| c.name.clone()),
                n,
                link(None, 1),
            )),
            _ => None,
        },
        page,
        prev: (page > 1).then(|| link(selected, page - 1)),
        next: (page < pages).then(|| link(selected, page + 1)),
        pagination,
        filters,
        hits,
        near,
        popular,
        wizards: if searched && (all_count == 0 || weak) {
            library.wizards.iter().collect()
        } else {
            Vec::new()
        },
        offer,
        guide: if searched && (all_count == 0 || weak) {
            site.guide.as_deref().and_then(|id| library.entry(id))
        } else {
            None
        },
        contact_html: library.contact_html.as_deref(),
    }
}

/// Each hit as shown; its link carries the query, so the entry page can count which result
/// was opened.
fn hits(library: &Library, results: &engine::Results) -> Vec<SearchHitView> {
    let opened_from = format!("?from=search&q={}", urlencode(&results.query));
    results
        .hits
        .iter()
        .filter_map(|hit| {
            let entry = library.entry(&hit.id)?;
            Some(SearchHitView {
                url: format!("{}{opened_from}", entry.url()),
                path: entry.url(),
                lang: entry.lang,
                title_html: hit.title_html.clone(),
                snippet_html: hit.snippet_html.clone(),
                category: library
                    .category(&entry.category)
                    .map(|c| c.name.clone())
                    .unwrap_or_default(),
            })
        })
        .collect()
}

const HTML: &str = "text/html; charset=utf-8";

#[derive(Serialize)]
struct ApiHit<'a> {
    #[serde(flatten)]
    entry: EntryRef<'a>,
    category: &'a str,
    snippet_html: &'a str,
    score: f32,
}

pub async fn api(
    req: HttpRequest,
    state: web::Data<AppState>,
    params: web::Query<Params>,
) -> Result<HttpResponse, ApiError> {
    let site = state.site();
    let lang = asked(params.lang.as_deref())?;
    let query = params
        .q
        .clone()
        .ok_or_else(|| Error::BadRequest(lang.t.search.missing_q.clone()))?;
    let request = engine::Request {
        query,
        category: category(&site, &params.category, lang)?.map(str::to_string),
        limit: number(
            &params.limit,
            "limit",
            API_DEFAULT_LIMIT,
            API_MAX_LIMIT,
            lang,
        )?,
        offset: number(&params.offset, "offset", 0, MAX_RESULTS, lang)?,
    };
    let key = AppState::cache_key(
        &site,
        format_args!(
            "api-search\0{}\0{}\0{}\0{}\0{}",
            lang.code,
            request.query,
            request.category.as_deref().unwrap_or(""),
            request.limit,
            request.offset
        ),
    );
    if let Some(cached) = state.cached(&req, &key) {
        state.metrics.searches.inc();
        return Ok(cached);
    }
    let results = run(&state, &site, lang, &request);
    let library = site.library_in(&lang.code);
    let hits: Vec<ApiHit> = results
        .hits
        .iter()
        .filter_map(|hit| {
            let entry = library.entry(&hit.id)?;
            Some(ApiHit {
                entry: EntryRef::of(entry, state.fixed_base_url()),
                category: &entry.category,
                snippet_html: &hit.snippet_html,
                score: hit.score,
            })
        })
        .collect();
    let body = serde_json::to_vec(&serde_json::json!({
        "query": results.query,
        "lang": lang.code,
        "total": results.total,
        "answered": results.answered,
        "hits": hits,
    }))
    .map_err(|e| Error::internal("writing JSON", e))?;
    if results.total > 0 {
        return Ok(state.keep(&req, key, "application/json", body));
    }
    Ok(HttpResponse::Ok()
        .content_type(ContentType::json())
        .body(body))
}

/// One suggestion as `/api/suggest` gives it: the entry, its category, and its title and a
/// passage with what matched in `<mark>` (escaped HTML).
#[derive(serde::Serialize)]
struct SuggestionJson<'a> {
    #[serde(flatten)]
    entry: EntryRef<'a>,
    category: &'a str,
    category_name: &'a str,
    title_html: &'a str,
    snippet_html: &'a str,
}

pub async fn suggest(
    state: web::Data<AppState>,
    params: web::Query<Params>,
) -> Result<HttpResponse, ApiError> {
    let site = state.site();
    let lang = asked(params.lang.as_deref())?;
    let query = params.q.clone().unwrap_or_default();
    let base = state.fixed_base_url().map(str::to_string);
    let found = {
        let site = site.clone();
        web::block(move || {
            let (index, searched) = site.index_in(&lang.code);
            let library = site.library_in(&lang.code);
            index
                .suggest(searched, &query, SUGGESTIONS)
                .into_iter()
                .map(|s| {
                    serde_json::to_value(SuggestionJson {
                        entry: EntryRef::of(s.entry, base.as_deref()),
                        category: &s.entry.category,
                        category_name: library
                            .category(&s.entry.category)
                            .map_or("", |c| c.name.as_str()),
                        title_html: &s.title_html,
                        snippet_html: &s.snippet_html,
                    })
                })
                .collect::<Result<Vec<_>, _>>()
        })
        .await
        .map_err(|e| Error::internal("running suggestions", e))?
        .map_err(|e| Error::internal("writing JSON", e))?
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({ "suggestions": found })))
}

/// `/opensearch.xml` (and `/en/opensearch.xml`): lets a browser add the site's search in the
/// page's language as a search engine.
pub async fn opensearch(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> HttpResponse {
    let base = state.base_url(&req);
    let (name, description) = (
        escape_html(&lang.t.site.name),
        escape_html(&lang.t.site.description),
    );
    let (code, prefix) = (&lang.code, &lang.prefix);
    HttpResponse::Ok()
        .content_type("application/opensearchdescription+xml; charset=utf-8")
        .body(format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<OpenSearchDescription xmlns="http://a9.com/-/spec/opensearch/1.1/">
  <ShortName>{name}</ShortName>
  <Description>{description}</Description>
  <InputEncoding>UTF-8</InputEncoding>
  <Language>{code}</Language>
  <Image width="32" height="32" type="image/svg+xml">{base}/static/favicon.svg</Image>
  <Url type="text/html" method="get" template="{base}{prefix}/search?q={{searchTerms}}"/>
</OpenSearchDescription>
"#
        ))
}
