//! Handlers of the HTML pages (and the sitemap).

use actix_web::http::header;
use actix_web::http::header::ContentType;
use actix_web::{HttpRequest, HttpResponse, web};
use askama::Template;

use super::lang::Lang;
use super::views::{
    AllEntriesPage, CategoryCard, CategoryGroup, CategoryPage, Chrome, ContactPage, EntryPage,
    ErrorPage, HomePage, LinkView, PageLink, TocItem,
};
use super::{AppState, Error};
use crate::content::Lookup;
use crate::locale::{self, Language};
use crate::search::analysis::normalize_query;
use crate::source::markdown::escape_html;

const RECENT_ON_HOME: usize = 8;
const POPULAR_ON_HOME: usize = 6;
const RELATED_ON_ENTRY: usize = 8;
/// Entries on a category page (a category of 2,500 generated entries was one 1 MB page).
const CATEGORY_PAGE_SIZE: usize = 30;
/// The highest page number taken: a clear 400 beyond it rather than arithmetic on any number.
const MAX_CATEGORY_PAGE: usize = 1_000_000;

pub(super) const HTML: &str = "text/html; charset=utf-8";

/// A page for [`AppState::page`] to keep.
pub(super) fn html_body(page: impl Template) -> Result<(&'static str, String), Error> {
    Ok((HTML, page.render()?))
}

/// Every language: the pages read in all of them (home, lists, categories, contact).
fn all_languages() -> Vec<&'static Language> {
    locale::languages().iter().collect()
}

pub async fn home(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let library = site.library_in(&lang.code);
    let base = state.base_url(&req);
    // The one part that changes with use: it names the page in the cache.
    let popular = state.popular(library, POPULAR_ON_HOME).await;
    let popular_ids: Vec<&str> = popular.iter().map(|e| e.id.as_str()).collect();
    // Only `/` offers another language, as a link: a browser that prefers English is shown one
    // to `/en/`, never sent there.
    let offer = super::lang::preferred(&req).filter(|l| l.code != lang.code && lang.is_default());
    let mut response = state
        .page(
            &req,
            &site,
            format_args!(
                "home\0{}\0{}\0{base}\0{}",
                lang.code,
                offer.map_or("", |l| l.code.as_str()),
                popular_ids.join(" ")
            ),
            || {
                // Entries already under 常见问题 are not listed again.
                let recent = library
                    .recently_updated(RECENT_ON_HOME + POPULAR_ON_HOME)
                    .into_iter()
                    .filter(|e| !popular.iter().any(|p| p.id == e.id))
                    .take(RECENT_ON_HOME)
                    .collect();
                html_body(HomePage {
                    chrome: Chrome::new(lang, format!("{base}{}/", lang.prefix)).read_in(
                        &base,
                        "/",
                        all_languages(),
                    ),
                    categories: library
                        .categories
                        .iter()
                        .map(|category| CategoryCard {
                            category,
                            count: library.entries_in(&category.slug).count(),
                        })
                        .collect(),
                    popular,
                    recent,
                    total: library.entries.len(),
                    wizards: library.wizards.iter().collect(),
                    offer: offer.map(|l| (format!("{}/", l.prefix), l)),
                })
            },
        )
        .await?;
    if lang.is_default() {
        response.headers_mut().append(
            header::VARY,
            header::HeaderValue::from_static("Accept-Language"),
        );
    }
    Ok(response)
}

/// `/kb`: every category and every entry in it on one page, the site map a reader can use
/// (`/sitemap.xml` is the crawlers'). Titles only, so 10,000 entries stay one page.
pub async fn all_entries(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let library = site.library_in(&lang.code);
    let base = state.base_url(&req);
    state
        .page(
            &req,
            &site,
            format_args!("all\0{}\0{base}", lang.code),
            || {
                let groups = library
                    .categories
                    .iter()
                    .map(|category| CategoryGroup {
                        category,
                        entries: library.entries_in(&category.slug).collect(),
                    })
                    .collect();
                html_body(AllEntriesPage {
                    chrome: Chrome::described(
                        lang,
                        format!("{base}{}/kb", lang.prefix),
                        &lang.t.all.title,
                        &lang.t.all.description,
                    )
                    .read_in(&base, "/kb", all_languages()),
                    groups,
                    total: library.entries.len(),
                    wizards: library.wizards.iter().collect(),
                })
            },
        )
        .await
}

/// What a category URL may carry: `page` (from 1; other parameters are ignored).
#[derive(serde::Deserialize)]
pub struct CategoryParams {
    page: Option<String>,
}

pub async fn category(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    params: web::Query<CategoryParams>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    // Its errors (no such category or page) in the page's language.
    category_in(req, state, slug, params, lang)
        .await
        .or_else(|e| Ok(e.response_in(lang)))
}

async fn category_in(
    req: HttpRequest,
    state: web::Data<AppState>,
    slug: web::Path<String>,
    params: web::Query<CategoryParams>,
    lang: &'static Language,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let library = site.library_in(&lang.code);
    let category = library
        .category(&slug)
        .ok_or_else(|| Error::NotFound(lang.t.category.no_category.with(&*slug)))?;
    let page = super::search::number(&params.page, "page", 1, MAX_CATEGORY_PAGE, lang)?.max(1);
    let base = state.base_url(&req);
    state
        .page(
            &req,
            &site,
            format_args!("c\0{}\0{base}\0{slug}\0{page}", lang.code),
            || {
                let all: Vec<_> = library.entries_in(&category.slug).collect();
                let pages = all.len().div_ceil(CATEGORY_PAGE_SIZE).max(1);
                if page > pages {
                    return Err(Error::NotFound(lang.t.category.no_page.fill(&[
                        ("name", &category.name),
                        ("pages", &pages),
                        ("page", &page),
                    ])));
                }
                // Without the language's prefix: the `hreflang` links add each one's.
                let path = |p: usize| match p {
                    1 => format!("/c/{}", category.slug),
                    p => format!("/c/{}?page={p}", category.slug),
                };
                let link = |p: usize| format!("{}{}", lang.prefix, path(p));
                let mut chrome = Chrome::described(
                    lang,
                    format!("{base}{}", link(page)),
                    &category.name,
                    &category.description,
                )
                .read_in(&base, &path(page), all_languages());
                if page > 1 {
                    chrome.preview_title = format!(
                        "{}{}",
                        category.name,
                        lang.t.category.page_suffix.with(page)
                    );
                }
                html_body(CategoryPage {
                    chrome,
                    category,
                    total: all.len(),
                    entries: all
                        .into_iter()
                        .skip((page - 1) * CATEGORY_PAGE_SIZE)
                        .take(CATEGORY_PAGE_SIZE)
                        .collect(),
                    page,
                    pages,
                    prev: (page > 1).then(|| link(page - 1)),
                    next: (page < pages).then(|| link(page + 1)),
                    pagination: PageLink::around(page, pages, link),
                })
            },
        )
        .await
}

/// What an entry URL may carry besides the id (other parameters are ignored).
#[derive(serde::Deserialize)]
pub struct EntryParams {
    /// `thanks` after a vote, `missing` after a bare 没帮助.
    feedback: Option<String>,
    /// `search` when opened from the results of the query `q`.
    from: Option<String>,
    q: Option<String>,
}

pub async fn entry(
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    params: web::Query<EntryParams>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let library = site.library_in(&lang.code);
    let entry = match library.lookup(&id) {
        // Not translated: the entry in the language it is written in, for now.
        Lookup::Entry(entry) if entry.lang != lang.code => {
            return Ok(HttpResponse::Found()
                .insert_header((header::LOCATION, super::with_query(&req, entry.url())))
                .finish());
        }
        Lookup::Entry(entry) => entry,
        Lookup::Alias(target) => {
            // Straight to the page it is read on (in this language, or not translated yet).
            let location = library
                .entry(target)
                .map_or_else(|| format!("/kb/{target}"), |e| e.url());
            return Ok(HttpResponse::MovedPermanently()
                .insert_header((header::LOCATION, super::with_query(&req, location)))
                .finish());
        }
        // A guess, so not permanent: an entry may later take the mangled id's place.
        Lookup::Missing => match library.meant(&id) {
            Some(meant) => {
                let location = format!("{}/kb/{meant}", lang.prefix);
                return Ok(HttpResponse::Found()
                    .insert_header((header::LOCATION, super::with_query(&req, location)))
                    .finish());
            }
            None => return missing_entry(site.clone(), lang, id.into_inner()).await,
        },
    };
    let category = library.category(&entry.category).ok_or_else(|| {
        Error::internal(
            format!("showing entry {}", entry.id),
            "its category is not in the library",
        )
    })?;
    if params.from.as_deref() == Some("search")
        && let (Some(q), Some(store)) = (params.q.as_deref(), state.store())
        && !q.trim().is_empty()
    {
        let q = normalize_query(q);
        if state.first_view(&req, format_args!("opened\0{q}\0{}", entry.id)) {
            store.result_opened(&q, &entry.id);
        }
    }
    let base = state.base_url(&req);
    let thanked = params.feedback.as_deref() == Some("thanks");
    let asking = params.feedback.as_deref() == Some("missing");
    let key = format_args!(
        "kb\0{}\0{base}\0{}\0{thanked}\0{asking}",
        lang.code, entry.id
    );
    state
        .page(&req, &site, key, || {
            let absolute_url = format!("{base}{}", entry.url());
            // The languages it is read in: the default and those it is translated into.
            let languages = locale::languages()
                .iter()
                .filter(|l| site.library.is_translated(&entry.id, &l.code))
                .collect();
            let mut chrome =
                Chrome::described(lang, absolute_url.clone(), &entry.title, &entry.lead()).read_in(
                    &base,
                    &format!("/kb/{}", entry.id),
                    languages,
                );
            chrome.preview_type = "article";
            html_body(EntryPage {
                chrome,
                ticket_reply: entry.ticket_reply(&absolute_url),
                json_ld: faq_json_ld(entry, &absolute_url),
                toc: TocItem::nest(&entry.headings),
                related: library
                    .entries_in(&entry.category)
                    .filter(|e| e.id != entry.id)
                    .take(RELATED_ON_ENTRY)
                    .collect(),
                wizards: library.wizards_leading_to(&entry.id),
                thanked,
                asking,
                reasons: super::feedback::REASONS
                    .iter()
                    .filter_map(|&value| Some((value, lang.t.entry.reasons.label(value)?)))
                    .collect(),
                all_wizards: library.wizards.iter().collect(),
                contact_html: library.contact_html.as_deref(),
                entry,
                category,
                absolute_url,
            })
        })
        .await
}

/// Entries offered on the 404 of a missing entry.
const CLOSE_TO_MISSING: usize = 5;

/// The 404 of `/kb/<id>` for an id we do not have (a mistyped link, an entry removed without
/// an alias): the entries whose words are closest to the id's.
async fn missing_entry(
    site: std::sync::Arc<super::Site>,
    lang: &'static Language,
    id: String,
) -> Result<HttpResponse, Error> {
    let error = Error::NotFound(lang.t.error.no_entry.with(&id));
    let words: String = id
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    // A search is CPU work: off the async workers, as every search is.
    let suggestions = web::block(move || {
        let request = crate::search::Request {
            query: words,
            category: None,
            limit: CLOSE_TO_MISSING,
            offset: 0,
        };
        let library = site.library_in(&lang.code);
        site.index
            .search(&site.library, &request)
            .hits
            .iter()
            .filter_map(|hit| library.entry(&hit.id))
            .map(|entry| LinkView {
                text: entry.title.clone(),
                url: entry.url(),
                note: String::new(),
            })
            .collect()
    })
    .await
    .map_err(|e| Error::internal("suggesting entries for a missing one", e))?;
    let html = ErrorPage {
        chrome: Chrome::bare(lang),
        status: 404,
        heading: &lang.t.error.not_found,
        message: error.to_string(),
        suggestions,
    }
    .render()?;
    Ok(HttpResponse::NotFound()
        .content_type(ContentType::html())
        .body(html))
}

/// `/contact`: `contact.md`, with the wizards to try first.
pub async fn contact(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let library = site.library_in(&lang.code);
    let base = state.base_url(&req);
    let key = format_args!("contact\0{}\0{base}", lang.code);
    state
        .page(&req, &site, key, || {
            html_body(ContactPage {
                chrome: Chrome::new(lang, format!("{base}{}/contact", lang.prefix)).read_in(
                    &base,
                    "/contact",
                    all_languages(),
                ),
                contact_html: library.contact_html.as_deref(),
                wizards: library.wizards.iter().collect(),
            })
        })
        .await
}

pub async fn sitemap(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, Error> {
    let site = state.site();
    let base = state.base_url(&req);
    state
        .page(&req, &site, format_args!("sitemap\0{base}"), || {
            Ok(("application/xml; charset=utf-8", sitemap_xml(&site, &base)))
        })
        .await
}

/// Every page for crawlers, in every language it is read in; each names the others
/// (`xhtml:link`, as Google reads `hreflang` in sitemaps).
fn sitemap_xml(site: &super::Site, base: &str) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\">\n",
    );
    let mut page = |path: &str, lastmod: Option<&str>, languages: &[&Language]| {
        for lang in languages {
            let loc = escape_html(&format!("{base}{}{path}", lang.prefix));
            xml.push_str(&format!("  <url><loc>{loc}</loc>"));
            if let Some(date) = lastmod {
                xml.push_str(&format!("<lastmod>{date}</lastmod>"));
            }
            if languages.len() > 1 {
                // Each language, and the default one again as `x-default`, as pages name them.
                let default = languages.iter().filter(|l| l.is_default());
                let named = languages
                    .iter()
                    .map(|l| (l.code.as_str(), l))
                    .chain(default.map(|l| ("x-default", l)));
                for (code, other) in named {
                    let href = escape_html(&format!("{base}{}{path}", other.prefix));
                    xml.push_str(&format!(
                        "<xhtml:link rel=\"alternate\" hreflang=\"{code}\" href=\"{href}\"/>"
                    ));
                }
            }
            xml.push_str("</url>\n");
        }
    };
    let all = all_languages();
    page("/", None, &all);
    page("/kb", None, &all);
    for category in &site.library.categories {
        page(&format!("/c/{}", category.slug), None, &all);
    }
    page("/contact", None, &all);
    // The list of wizards; their steps are `noindex`, as search results are.
    page("/wizard", None, &all);
    for entry in &site.library.entries {
        let languages: Vec<&Language> = all
            .iter()
            .copied()
            .filter(|l| site.library.is_translated(&entry.id, &l.code))
            .collect();
        page(
            &format!("/kb/{}", entry.id),
            entry.updated.as_deref(),
            &languages,
        );
    }
    xml.push_str("</urlset>\n");
    xml
}

pub async fn robots(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(ContentType::plaintext())
        .body(format!(
            "User-agent: *\nDisallow: /api/\nSitemap: {}/sitemap.xml\n",
            state.base_url(&req)
        ))
}

/// An entry as schema.org's `FAQPage`: one question, its whole text the answer. `</` is
/// escaped so the JSON cannot end its `<script>` element.
fn faq_json_ld(entry: &crate::content::Entry, url: &str) -> String {
    let data = serde_json::json!({
        "@context": "https://schema.org",
        "@type": "FAQPage",
        "url": url,
        "inLanguage": entry.lang,
        "mainEntity": [{
            "@type": "Question",
            "name": entry.title,
            "acceptedAnswer": { "@type": "Answer", "text": entry.text(), "url": url },
        }],
    });
    data.to_string().replace("</", "<\\/")
}
