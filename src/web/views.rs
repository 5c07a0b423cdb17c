//! The askama view structs, one per page, and what every page shares.

use askama::Template;

use super::assets;
use crate::content::{Category, Entry, Heading};
use crate::locale::{Language, Messages};
use crate::source::markdown::escape_html;
use crate::wizard::{Input, Outcome, Step, Wizard};

/// What the base layout needs on every page.
pub struct Chrome {
    /// The language of the page, and its interface text.
    pub lang: &'static Language,
    pub t: &'static Messages,
    /// Absolute URL of this page; absent on error pages.
    pub canonical: Option<String>,
    /// The same page in every language it is read in, this one included; empty when only one.
    pub alternates: Vec<Alternate>,
    /// What a link preview (Open Graph, Twitter) shows: title, description, and `article` for
    /// an entry, `website` for the rest.
    pub preview_title: String,
    pub preview_description: String,
    pub preview_type: &'static str,
    /// The text of the search box.
    pub query: String,
    pub css: String,
    pub js: String,
    pub favicon: String,
}

/// A page in one language, for `hreflang` links and the language switch.
pub struct Alternate {
    pub lang: &'static Language,
    /// Absolute.
    pub url: String,
    /// Path and query, for the switch.
    pub path: String,
}

impl Chrome {
    pub fn new(lang: &'static Language, canonical: String) -> Chrome {
        Chrome {
            canonical: Some(canonical),
            ..Chrome::bare(lang)
        }
    }

    /// The same, with what a link preview shows.
    pub fn described(
        lang: &'static Language,
        canonical: String,
        title: &str,
        description: &str,
    ) -> Chrome {
        Chrome {
            preview_title: title.to_string(),
            preview_description: description.to_string(),
            ..Chrome::new(lang, canonical)
        }
    }

    pub fn bare(lang: &'static Language) -> Chrome {
        Chrome {
            lang,
            t: &lang.t,
            canonical: None,
            alternates: Vec::new(),
            preview_title: lang.t.site.name.clone(),
            preview_description: lang.t.site.description.clone(),
            preview_type: "website",
            query: String::new(),
            css: assets::url("app.css"),
            js: assets::url("app.js"),
            favicon: assets::url("favicon.svg"),
        }
    }

    /// Names the page at `path` (without a language prefix) in each of `languages`: the
    /// `hreflang` links and the language switch. One language alone names none.
    pub fn read_in(mut self, base: &str, path: &str, languages: Vec<&'static Language>) -> Chrome {
        if languages.len() > 1 {
            self.alternates = languages
                .into_iter()
                .map(|lang| {
                    let path = format!("{}{path}", lang.prefix);
                    Alternate {
                        lang,
                        url: format!("{base}{path}"),
                        path,
                    }
                })
                .collect();
        }
        self
    }

    /// What `x-default` points to: the page in the default language.
    pub fn default_alternate(&self) -> Option<&Alternate> {
        self.alternates.iter().find(|a| a.lang.is_default())
    }

    /// The other languages, for the switch in the header.
    pub fn other_languages(&self) -> impl Iterator<Item = &Alternate> {
        self.alternates
            .iter()
            .filter(|a| a.lang.code != self.lang.code)
    }

    /// The language translations are made from.
    pub fn source_lang(&self) -> &'static str {
        crate::locale::DEFAULT
    }

    /// The same path in this page's language (`/kb` → `/en/kb`).
    pub fn local(&self, path: &str) -> String {
        format!("{}{path}", self.lang.prefix)
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
    pub popular: Vec<&'a Entry>,
    pub recent: Vec<&'a Entry>,
    pub total: usize,
    pub wizards: Vec<&'a Wizard>,
    /// (path, language) of the home page in the language the browser prefers, when not this.
    pub offer: Option<(String, &'static Language)>,
}

/// One category and every entry in it, for the page listing them all.
pub struct CategoryGroup<'a> {
    pub category: &'a Category,
    pub entries: Vec<&'a Entry>,
}

#[derive(Template)]
#[template(path = "all_entries.html")]
pub struct AllEntriesPage<'a> {
    pub chrome: Chrome,
    pub groups: Vec<CategoryGroup<'a>>,
    pub total: usize,
    pub wizards: Vec<&'a Wizard>,
}

#[derive(Template)]
#[template(path = "category.html")]
pub struct CategoryPage<'a> {
    pub chrome: Chrome,
    pub category: &'a Category,
    /// This page's entries.
    pub entries: Vec<&'a Entry>,
    /// Entries in the whole category.
    pub total: usize,
    pub page: usize,
    pub pages: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pagination: Vec<PageLink>,
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
    /// Wizards that lead to this entry.
    pub wizards: Vec<&'a Wizard>,
    /// The table of contents: each top heading with the ones under it.
    pub toc: Vec<TocItem<'a>>,
    /// `FAQPage` structured data (JSON, `</` escaped), for search engines and previews.
    pub json_ld: String,
    /// Back from voting: say thank you instead of asking.
    pub thanked: bool,
    /// Back from a bare 没帮助: ask what was missing ([`super::feedback::REASONS`]) and offer
    /// every wizard and the contact text.
    pub asking: bool,
    /// (value, label) of each reason, in the page's language.
    pub reasons: Vec<(&'static str, &'static str)>,
    pub all_wizards: Vec<&'a Wizard>,
    pub contact_html: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub chrome: Chrome,
    pub status: u16,
    pub heading: &'static str,
    pub message: String,
    /// Entries close to what was asked for (a missing `/kb/<id>`: the id's words).
    pub suggestions: Vec<LinkView>,
}

/// `/contact`: whom to contact when nothing here helped.
#[derive(Template)]
#[template(path = "contact.html")]
pub struct ContactPage<'a> {
    pub chrome: Chrome,
    pub contact_html: Option<&'a str>,
    pub wizards: Vec<&'a Wizard>,
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

impl PageLink {
    /// Links to pages 1 to `pages`: all of them up to nine, else the first, the last and two
    /// either side of `current`.
    pub fn around(current: usize, pages: usize, url: impl Fn(usize) -> String) -> Vec<PageLink> {
        (1..=pages)
            .filter(|&p| pages <= 9 || p == 1 || p == pages || p.abs_diff(current) <= 2)
            .map(|p| PageLink {
                number: p,
                url: url(p),
                current: p == current,
            })
            .collect()
    }
}

pub struct SearchHitView {
    /// The link, which says which search it was opened from (for insights).
    pub url: String,
    /// The entry's own path, shown to readers (`/kb/<id>`).
    pub path: String,
    /// The language the entry is read in: another than the page's when not translated.
    pub lang: &'static str,
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
    /// (url, query) of the example searches shown above an empty search.
    pub examples: Vec<(String, String)>,
    pub query: String,
    pub searched: bool,
    pub total: usize,
    /// Nothing matched every word: the hits match some of them.
    pub partial_only: bool,
    /// No entry answers the query: the hits matched only generic words, or too few of the
    /// query's own; shown as "maybe related", a few at most.
    pub weak: bool,
    /// Nothing in the chosen category, but some in others: (category name, count in all, URL).
    pub elsewhere: Option<(String, usize, String)>,
    pub page: usize,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pagination: Vec<PageLink>,
    pub filters: Vec<CategoryFilter>,
    pub hits: Vec<SearchHitView>,
    /// (url, query) of near queries that have results, when this one has none.
    pub near: Vec<(String, String)>,
    pub popular: Vec<&'a Entry>,
    pub wizards: Vec<&'a Wizard>,
    /// The same search on the site of the language the query is written in, when that is
    /// another and nothing here answers it: (URL, that language).
    pub offer: Option<(String, &'static Language)>,
    /// The entry most others send readers to, when nothing answers the query.
    pub guide: Option<&'a Entry>,
    /// `contact.md`, rendered, when nothing answers the query.
    pub contact_html: Option<&'a str>,
}

#[derive(Template)]
#[template(path = "match.html")]
pub struct MatchPage<'a> {
    pub chrome: Chrome,
    /// Whether a message was sent (else the empty form).
    pub submitted: bool,
    /// Why the message sent could not be matched (it was empty).
    pub error: Option<String>,
    /// The language the matches are given in: the message's.
    pub answer_lang: &'static Language,
    pub text: String,
    /// How much of the sent text was read.
    pub read: Option<ReadView>,
    pub max_chars: usize,
    pub matches: Vec<MatchView>,
    pub wizards: Vec<&'a Wizard>,
}

pub struct ReadView {
    pub received_chars: usize,
    pub kept_chars: usize,
    /// Only the start and the end were read.
    pub cut: bool,
}

/// One reply to a ticket that links every entry an agent ticked on `/match`.
#[derive(Template)]
#[template(path = "match_reply.html")]
pub struct ReplyPage {
    pub chrome: Chrome,
    pub reply: String,
    pub picked: Vec<LinkView>,
}

/// An entry that answers the pasted message, ready for an agent to send.
pub struct MatchView {
    /// What a tick of it sends to `/match/reply`: `<id>` or `<id>#<anchor>`.
    pub pick: String,
    pub title: String,
    /// The language it is given in.
    pub lang: &'static str,
    /// The other languages it is read in, with its URL in each.
    pub others: Vec<(&'static Language, String)>,
    /// The entry's path, or its section's (`/kb/<id>#<anchor>`).
    pub url: String,
    pub absolute_url: String,
    pub absolute_url_html: String,
    /// The heading of the section linked to, when one answers better than the whole entry.
    pub section: Option<String>,
    pub summary: String,
    /// The codes and words of the message it holds.
    pub why: Vec<String>,
    pub ticket_reply: String,
}

/// A link with its text, and a note (a section name, or an escaped snippet).
pub struct LinkView {
    pub text: String,
    pub url: String,
    pub note: String,
}

pub struct TrailItem {
    pub question: String,
    pub answer: String,
    /// Back to this question, with the answers before it.
    pub change_url: String,
}

pub enum WizardView<'a> {
    Choices {
        step: &'a Step,
        options: Vec<LinkView>,
    },
    Input {
        step: &'a Step,
        input: &'a Input,
        /// Answers so far, carried as hidden fields.
        previous: Vec<String>,
    },
    Outcome {
        step: &'a Step,
        outcome: &'a Outcome,
        links: Vec<LinkView>,
        solved: Option<bool>,
        yes_url: String,
        no_url: String,
    },
    Search {
        query: String,
        search_url: String,
        /// Entries holding every word of the answer; notes hold escaped snippets with `<mark>`.
        hits: Vec<LinkView>,
        solved: Option<bool>,
        yes_url: String,
        no_url: String,
    },
}

#[derive(Template)]
#[template(path = "wizard.html")]
pub struct WizardPage<'a> {
    pub chrome: Chrome,
    pub wizard: &'a Wizard,
    pub step_number: usize,
    pub trail: Vec<TrailItem>,
    pub back_url: Option<String>,
    pub restart_url: String,
    pub notice: Option<String>,
    pub share_url: String,
    pub view: WizardView<'a>,
}

#[derive(Template)]
#[template(path = "wizard_list.html")]
pub struct WizardListPage<'a> {
    pub chrome: Chrome,
    pub wizards: Vec<&'a Wizard>,
}

#[derive(Template)]
#[template(path = "wizard_error.html")]
pub struct WizardErrorPage<'a> {
    pub chrome: Chrome,
    pub wizard: &'a Wizard,
    pub message: String,
    pub restart_url: String,
    pub resume_url: Option<String>,
}

/// A number with the width of its bar, for the SVG charts.
pub struct Bar {
    pub value: i64,
    pub width: u32,
}

pub struct FunnelView {
    pub title: String,
    /// Its runs in a sentence: started (in which languages), concluded, turned to a search,
    /// given up, and the answers on its outcomes.
    pub summary: String,
    /// (step title, is an outcome, visits, solved, not solved), in the wizard's order.
    pub steps: Vec<(String, bool, Bar, i64, i64)>,
}

/// An entry named on the admin page, by its title in the page's language where it has one.
pub struct EntryLink {
    pub url: String,
    pub title: String,
    /// The language of the title, marked when it is not the page's.
    pub lang: &'static str,
}

#[derive(Template)]
#[template(path = "admin.html")]
pub struct AdminPage {
    pub chrome: Chrome,
    /// (entry, helpful, not helpful), least helpful first.
    pub entries: Vec<(EntryLink, Bar, Bar)>,
    /// The same, most helpful first.
    pub most_helpful: Vec<(EntryLink, Bar, Bar)>,
    /// (entry, linking the page voted from; helpful, comment, language), newest first.
    pub comments: Vec<(EntryLink, bool, String, String)>,
    /// (URL of the search, query, weak, times, language of the latest): searches no entry
    /// answers.
    pub zero_results: Vec<(String, String, bool, Bar, String)>,
    /// (query, entry, times).
    pub opened: Vec<(String, EntryLink, i64)>,
    pub funnels: Vec<FunnelView>,
    /// Ticket forms the help widget ran on, and the same in a sentence.
    pub forms: crate::store::Deflections,
    pub forms_summary: String,
    /// (entry, counts), most suggested first.
    pub deflections: Vec<(EntryLink, crate::store::Deflections)>,
}

/// A heading of the table of contents and the deeper headings under it, numbered on their own.
pub struct TocItem<'a> {
    pub heading: &'a Heading,
    pub children: Vec<&'a Heading>,
}

impl<'a> TocItem<'a> {
    /// Groups headings under the shallowest level present (h3s under the h2 before them).
    pub fn nest(headings: &'a [Heading]) -> Vec<TocItem<'a>> {
        let top = headings.iter().map(|h| h.level).min().unwrap_or(2);
        let mut items: Vec<TocItem<'a>> = Vec::new();
        for heading in headings {
            match items.last_mut() {
                Some(item) if heading.level > top => item.children.push(heading),
                _ => items.push(TocItem {
                    heading,
                    children: Vec::new(),
                }),
            }
        }
        items
    }
}

/// A URL as escaped HTML that wraps only where a URL may: after `/` and `=`, before `?`, `&`,
/// `#` and each `%` escape (a long run of encoded Chinese would otherwise not fit a phone),
/// never inside a word such as `no-response` (browsers wrap after a hyphen: such parts are kept
/// in a `nobr` span).
pub fn breakable_url(url: &str) -> String {
    let mut html = String::with_capacity(url.len() * 2);
    let mut part = String::new();
    let flush = |part: &mut String, html: &mut String| {
        if part.contains('-') {
            html.push_str("<span class=\"nobr\">");
            html.push_str(&escape_html(part));
            html.push_str("</span>");
        } else {
            html.push_str(&escape_html(part));
        }
        part.clear();
    };
    for c in url.chars() {
        if matches!(c, '?' | '&' | '#' | '%') {
            flush(&mut part, &mut html);
            html.push_str("<wbr>");
        }
        part.push(c);
        if matches!(c, '/' | '=') {
            flush(&mut part, &mut html);
            html.push_str("<wbr>");
        }
    }
    flush(&mut part, &mut html);
    html
}

impl CategoryPage<'_> {
    /// "共 24 篇，第 1 / 2 页".
    pub fn summary(&self) -> String {
        self.chrome.t.category.summary.fill(&[
            ("total", &self.total),
            ("page", &self.page),
            ("pages", &self.pages),
        ])
    }
}

impl MatchPage<'_> {
    /// How much of a long message was read: its start and end, half each.
    pub fn cut_notice(&self, read: &ReadView) -> String {
        self.chrome.t.matching.cut.fill(&[
            ("received", &read.received_chars),
            ("max", &self.max_chars),
            ("half", &(read.kept_chars / 2)),
        ])
    }
}

impl SearchPage<'_> {
    /// "Nothing in “{category}” matches “{query}”".
    pub fn none_in(&self, category: &str) -> String {
        self.chrome
            .t
            .search
            .none_in
            .fill(&[("category", &category), ("query", &self.query)])
    }

    /// The search for the example error code.
    pub fn code_example_url(&self) -> String {
        let code = &self.chrome.t.search.code_example;
        format!(
            "{}?q={}",
            self.chrome.local("/search"),
            super::urlencode(code)
        )
    }
}

impl EntryPage<'_> {
    pub fn absolute_url_html(&self) -> String {
        breakable_url(&self.absolute_url)
    }
}

impl WizardPage<'_> {
    pub fn share_url_html(&self) -> String {
        breakable_url(&self.share_url)
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn urls_wrap_at_their_punctuation_only() {
        assert_eq!(
            super::breakable_url("https://x.cn/wizard/request-errors?a=no-response&b=%E7%99"),
            "https:/<wbr>/<wbr>x.cn/<wbr>wizard/<wbr><span class=\"nobr\">request-errors</span>\
             <wbr>?a=<wbr><span class=\"nobr\">no-response</span><wbr>&amp;b=<wbr><wbr>%E7<wbr>%99"
        );
        assert_eq!(super::breakable_url("\"<x>'"), "&quot;&lt;x&gt;&#39;");
    }
}
