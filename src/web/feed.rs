//! `/feed.xml` (and `/en/feed.xml`): an Atom feed of the entries written in the page's
//! language by their `updated` date, newest first, for readers and tools that follow what
//! changed.

use actix_web::{HttpRequest, HttpResponse, web};
use atom_syndication as atom;
use atom_syndication::FixedDateTime;

use super::lang::Lang;
use super::{AppState, Error};
use crate::content::Entry;
use crate::locale::Language;

/// Entries in the feed: the most recently updated.
const FEED_ENTRIES: usize = 50;

pub async fn atom(
    req: HttpRequest,
    state: web::Data<AppState>,
    Lang(lang): Lang,
) -> Result<HttpResponse, Error> {
    let site = state.site();
    let base = state.base_url(&req);
    state
        .page(
            &req,
            &site,
            format_args!("feed\0{}\0{base}", lang.code),
            || {
                let library = site.library_in(&lang.code);
                let written: Vec<&Entry> = library
                    .entries
                    .iter()
                    .filter(|e| e.lang == lang.code)
                    .collect();
                Ok((
                    "application/atom+xml; charset=utf-8",
                    feed_xml(&written, &base, lang),
                ))
            },
        )
        .await
}

/// The date an entry says it was updated, at midnight UTC. Entries without one are not in
/// the feed: a feed entry must say when it changed.
fn updated(entry: &Entry) -> Option<FixedDateTime> {
    let date = entry.updated.as_deref()?;
    FixedDateTime::parse_from_rfc3339(&format!("{date}T00:00:00Z")).ok()
}

fn feed_xml(entries: &[&Entry], base: &str, lang: &Language) -> String {
    let mut dated: Vec<(FixedDateTime, &Entry)> = entries
        .iter()
        .filter_map(|e| Some((updated(e)?, *e)))
        .collect();
    dated.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.id.cmp(&b.1.id)));
    dated.truncate(FEED_ENTRIES);
    let newest = dated.first().map(|(date, _)| *date).unwrap_or_default();
    let link = |href: String, rel: &str| atom::Link {
        href,
        rel: rel.to_string(),
        ..Default::default()
    };
    let items = dated
        .iter()
        .map(|(date, entry)| {
            let url = format!("{base}{}", entry.url());
            atom::Entry {
                id: url.clone(),
                title: entry.title.as_str().into(),
                updated: *date,
                links: vec![link(url, "alternate")],
                summary: Some(entry.lead().into()),
                content: Some(atom::Content {
                    content_type: Some("html".to_string()),
                    value: Some(entry.html()),
                    ..Default::default()
                }),
                ..Default::default()
            }
        })
        .collect();
    atom::Feed {
        id: format!("{base}{}/", lang.prefix),
        title: lang.t.site.feed_title.clone().into(),
        updated: newest,
        lang: Some(lang.code.clone()),
        links: vec![
            link(format!("{base}{}/", lang.prefix), "alternate"),
            link(format!("{base}{}/feed.xml", lang.prefix), "self"),
        ],
        entries: items,
        ..Default::default()
    }
    .to_string()
}
