//! The askama view structs, one per page, and what every page shares.

use askama::Template;

use super::assets;
use crate::content::{Category, Entry};

/// What the base layout needs on every page.
pub struct Chrome {
    /// Absolute URL of this page; absent on error pages.
    pub canonical: Option<String>,
    /// The text of the search box.
    pub query: String,
    pub css: String,
    pub js: String,
    pub favicon: String,
}

impl Chrome {
    pub fn new(canonical: String) -> Chrome {
        Chrome {
            canonical: Some(canonical),
            ..Chrome::bare()
        }
    }

    pub fn bare() -> Chrome {
        Chrome {
            canonical: None,
            query: String::new(),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            favicon: assets::url("favicon.svg"),
        }
    }
}

pub struct CategoryCard<'a> {
    pub category: &'a Category,
    pub count: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage<'a> {
    pub chrome: Chrome,
    pub categories: Vec<CategoryCard<'a>>,
    pub recent: Vec<&'a Entry>,
    pub total: usize,
}

#[derive(Template)]
#[template(path = "category.html")]
pub struct CategoryPage<'a> {
    pub chrome: Chrome,
    pub category: &'a Category,
    pub entries: Vec<&'a Entry>,
}

#[derive(Template)]
#[template(path = "entry.html")]
pub struct EntryPage<'a> {
    pub chrome: Chrome,
    pub entry: &'a Entry,
    pub category: &'a Category,
    /// Other entries of the same category.
    pub related: Vec<&'a Entry>,
    pub absolute_url: String,
    /// Title, summary and link, ready to paste into a ticket.
    pub ticket_reply: String,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub heading: &'static str,
    pub message: String,
}

pub struct CategoryFilter {
    pub name: String,
    pub count: usize,
    pub url: String,
    pub selected: bool,
}

pub struct PageLink {
    pub number: usize,
    pub url: String,
    pub current: bool,
}

pub struct SearchHitView {
    pub url: String,
    /// Escaped title with `<mark>`s, from the search module.
    pub title_html: String,
    /// Escaped passage with `<mark>`s, from the search module.
    pub snippet_html: String,
    pub category: String,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage<'a> {
    pub chrome: Chrome,
    pub query: String,
    pub searched: bool,
    pub total: usize,
    /// Nothing matched every word: the hits match some of them.
    pub partial_only: bool,
    pub page: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pagination: Vec<PageLink>,
    pub filters: Vec<CategoryFilter>,
    pub hits: Vec<SearchHitView>,
    /// (url, query) of near queries that have results, when this one has none.
    pub near: Vec<(String, String)>,
    pub popular: Vec<&'a Entry>,
}
