//! Every interface string of one language, by the page that shows it: what a catalogue
//! (`templates/messages/<code>.toml`) must hold, key for key.

use serde::Deserialize;

use super::text::{Count, Fill, Holes};

/// Every interface string of one language, by the page that shows it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Messages {
    pub language: LanguageText,
    pub site: SiteText,
    pub home: HomeText,
    pub all: AllText,
    pub category: CategoryText,
    pub entry: EntryText,
    pub contact: ContactText,
    pub error: ErrorText,
    pub feedback: FeedbackText,
    pub script: ScriptText,
    pub search: SearchText,
    #[serde(rename = "match")]
    pub matching: MatchText,
    pub wizards: WizardsText,
    pub wizard: WizardText,
    pub deflection: DeflectionText,
    pub admin: AdminText,
}

impl Messages {
    /// Whether every text with named holes has the ones its page fills.
    pub(super) fn check_holes(&self) -> Result<(), String> {
        let c = &self.category;
        let s = &self.search;
        s.none_in.expect("search.none_in", &["category", "query"])?;
        s.no_page
            .expect("search.no_page", &["query", "pages", "page"])?;
        self.feedback
            .reason_invalid
            .expect("feedback.reason_invalid", &["known", "value"])?;
        let js = &self.script;
        js.count_whole.expect("script.count_whole", &["n", "max"])?;
        js.count_cut
            .expect("script.count_cut", &["n", "max", "half"])?;
        self.error
            .unknown_lang
            .expect("error.unknown_lang", &["known", "value"])?;
        let m = &self.matching;
        m.cut.expect("match.cut", &["received", "max", "half"])?;
        m.too_many_picked
            .expect("match.too_many_picked", &["max", "n"])?;
        m.no_section.expect("match.no_section", &["id", "anchor"])?;
        s.not_a_number
            .expect("search.not_a_number", &["name", "max", "text"])?;
        let w = &self.wizard;
        c.summary
            .expect("category.summary", &["total", "page", "pages"])?;
        c.no_page
            .expect("category.no_page", &["name", "pages", "page"])?;
        w.not_an_option
            .expect("wizard.not_an_option", &["position", "answer"])?;
        w.too_long.expect("wizard.too_long", &["position", "max"])?;
        w.after_outcome
            .expect("wizard.after_outcome", &["position"])?;
        let d = &self.deflection;
        d.bad_event
            .expect("deflection.bad_event", &["known", "value"])?;
        d.entries_count
            .expect("deflection.entries_count", &["max", "n"])?;
        let a = &self.admin;
        a.widget_forms.expect(
            "admin.widget_forms",
            &["suggested", "opened", "resolved", "submitted"],
        )?;
        a.funnel.expect(
            "admin.funnel",
            &[
                "started",
                "languages",
                "concluded",
                "searched",
                "gave_up",
                "solved",
                "unsolved",
            ],
        )?;
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LanguageText {
    /// The language's name in itself, on the language switch (`English`, `中文`).
    pub name: String,
    /// Open Graph's `og:locale` (`zh_CN`, `en_US`).
    pub og_locale: String,
    /// The Unicode script it is written in (`Han`, `Latin`): a ticket mostly in it is
    /// answered in it.
    pub script: String,
    /// On an entry of the default language listed in this one.
    pub untranslated: String,
    /// On a translation whose source changed since.
    pub outdated: String,
    /// The link to the source from an outdated translation.
    pub read_source: String,
    /// On `/` in the default language, for a browser that prefers this one.
    pub offer: String,
    /// On a search nothing answers, written in this language on another's site: the same
    /// search here (`{x}`: the query).
    pub search_offer: Fill,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SiteText {
    pub name: String,
    pub description: String,
    pub feed_title: String,
    pub skip_to_content: String,
    pub home: String,
    pub all_entries: String,
    pub match_tickets: String,
    pub contact: String,
    pub feed: String,
    pub footer_label: String,
    pub footer_help: String,
    pub footer_help_link: String,
    pub footer_help_after: String,
    pub breadcrumb: String,
    pub search_form_label: String,
    pub search_label: String,
    pub search_placeholder: String,
    pub search_button: String,
    pub pagination: String,
    pub previous_page: String,
    pub next_page: String,
    pub entries: Count,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HomeText {
    pub title: String,
    pub heading: String,
    pub lead: Count,
    pub browse: String,
    pub view_all: Count,
    pub wizards: String,
    pub popular: String,
    pub recent: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AllText {
    pub title: String,
    pub description: String,
    pub lead: Count,
    pub categories: String,
    pub wizards: String,
    pub empty_category: String,
    pub machine_links: String,
    /// Between the items of a list in a sentence ("、", ", "), and the sentence's end.
    pub separator: String,
    pub end: String,
    pub feed: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CategoryText {
    /// `{x}` is the page number.
    pub page_suffix: Fill,
    /// "共 {total} 篇，第 {page} / {pages} 页"
    pub summary: Holes,
    pub empty: String,
    pub no_category: Fill,
    pub no_page: Holes,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntryText {
    pub updated: String,
    pub id: String,
    pub tags: String,
    pub toc: String,
    pub wizard_hint: String,
    pub wizard_link: Fill,
    pub thanks: String,
    pub thanks_body: String,
    pub sorry: String,
    pub missing_legend: String,
    pub comment_optional: String,
    pub missing_placeholder: String,
    pub send: String,
    pub try_also: String,
    pub search_again: String,
    pub helpful_question: String,
    pub helpful: String,
    pub not_helpful: String,
    pub say_more: String,
    pub comment: String,
    pub comment_placeholder: String,
    pub share: String,
    pub copy_link: String,
    pub as_ticket_reply: String,
    pub ticket_reply_text: String,
    pub copy_ticket_reply: String,
    /// `{x}` is the category's name.
    pub related: Fill,
    /// The label of the `#` link after each heading of an entry's body.
    pub section_link: String,
    /// The alt text of an image in an entry's body written without one.
    pub image_alt: String,
    pub reasons: Reasons,
}

/// The labels of the reasons a reader gives after 没帮助 (`crate::web::feedback::REASONS`,
/// each of which has one: a test says so).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Reasons {
    pub not_my_problem: String,
    pub unclear: String,
    pub did_not_work: String,
    pub outdated: String,
}

impl Reasons {
    /// The label of the reason sent as `value`.
    pub fn label(&self, value: &str) -> Option<&str> {
        match value {
            "not-my-problem" => Some(&self.not_my_problem),
            "unclear" => Some(&self.unclear),
            "did-not-work" => Some(&self.did_not_work),
            "outdated" => Some(&self.outdated),
            _ => None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContactText {
    pub title: String,
    pub wizards_lead: String,
    pub none_before: String,
    pub none_link: String,
    pub none_after: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorText {
    /// The heading of a 405.
    pub not_allowed: String,
    pub unknown_lang: Holes,
    pub bad_form: Fill,
    pub bad_query: Fill,
    pub url_too_long: String,
    pub url_bad_percent: String,
    pub url_not_utf8: String,
    pub cross_site: String,
    pub no_asset: Fill,
    pub method_not_allowed: Fill,
    pub wait: Fill,
    pub body_timeout: Fill,
    pub internal: String,
    pub body_unreadable: Fill,
    pub body_too_large: Fill,
    pub maybe: String,
    pub try_search: String,
    pub back_home: String,
    pub not_found: String,
    pub bad_request: String,
    pub too_large: String,
    pub forbidden: String,
    pub too_many_requests: String,
    pub server_error: String,
    pub no_page: Fill,
    pub no_entry: Fill,
}

/// What `static/app.js` writes into pages: read from the `data-t-*` attributes of `<body>`,
/// its holes (`{x}`, `{n}`, `{max}`, `{half}`) filled there.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptText {
    pub copied: String,
    pub copy_link_to: String,
    pub suggestions: String,
    pub all_results: String,
    pub count_whole: Holes,
    pub count_cut: Holes,
}

/// The errors of a vote.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FeedbackText {
    pub helpful_invalid: Fill,
    pub helpful_missing: String,
    pub comment_too_long: Fill,
    pub reason_only_for_no: String,
    pub reason_invalid: Holes,
    pub unavailable: String,
    /// The reason a reader gave, before their comment as it is stored (`{x}`: the reason).
    pub reason_in_comment: Fill,
}

/// The results page, and the errors of a search's parameters.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchText {
    /// A page past the last of a search's results.
    pub no_page: Holes,
    /// Around the link to the guide entry, offered when nothing answers.
    pub read_before: String,
    pub read_after: String,
    pub title: String,
    pub results_title: Fill,
    pub preview_title: Fill,
    /// Before the example searches, which are links.
    pub lead: String,
    pub examples: Vec<String>,
    pub filters_label: String,
    pub all: String,
    pub weak: Fill,
    pub found: Count,
    pub page_suffix: Fill,
    pub none_in: Holes,
    pub none: Fill,
    pub elsewhere: Count,
    pub partial_only: String,
    pub weak_notice: String,
    pub maybe: String,
    pub near: String,
    pub other_ways: String,
    pub fewer_words: String,
    pub code_before: String,
    pub code_example: String,
    pub code_after: String,
    pub wizard_before: String,
    pub wizard_after: String,
    pub contact: String,
    pub popular: String,
    pub missing_q: String,
    pub not_a_number: Holes,
    pub no_category: Fill,
}

/// `/match` and its reply page, and the errors of `/api/match`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchText {
    /// After an entry's title in a reply, the section it links to.
    pub section_note: Fill,
    pub title: String,
    pub lead: Fill,
    pub text_label: String,
    pub placeholder: String,
    pub cut: Holes,
    pub read_all: Fill,
    pub limit: Fill,
    pub submit: String,
    pub none: String,
    pub found: Count,
    /// Before matches given in another language than the page's: `{x}` is its name.
    pub in_language: Fill,
    pub paste_hint: String,
    pub pick_label: String,
    pub section: String,
    pub why: String,
    pub also_in: String,
    pub tick: String,
    pub reply_text_label: Fill,
    pub combine: String,
    pub reply_title: String,
    pub reply_lead: Count,
    pub copy_reply: String,
    pub another: String,
    pub none_picked: String,
    pub too_many_picked: Holes,
    pub no_section: Holes,
    pub api_body: Fill,
    pub text_not_string: String,
    pub text_missing: String,
    /// On `/match`, after a message with nothing in it but spaces.
    pub empty: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WizardsText {
    pub title: String,
    pub lead: String,
    pub none: String,
    pub start: String,
}

/// A wizard's pages.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WizardText {
    pub description: String,
    pub searching: Fill,
    pub step: Fill,
    pub answers: Fill,
    pub change: String,
    pub change_label: Fill,
    pub skipped: String,
    pub next: String,
    pub outcome: String,
    pub solutions: String,
    pub unrecognized: Fill,
    /// A typed answer the wizard did not recognise, on the step it then asks.
    pub unrecognized_step: Fill,
    pub no_hits_before: String,
    pub search_some: String,
    pub no_hits_or: String,
    pub restart_inline: String,
    pub no_hits_after: String,
    pub hits_lead: Fill,
    pub all_results: String,
    pub nav_label: String,
    pub back: String,
    pub restart: String,
    pub share: String,
    pub changed: String,
    pub changed_to_search: String,
    pub no_wizard: Fill,
    pub too_many: Fill,
    pub not_an_option: Holes,
    pub too_long: Holes,
    pub after_outcome: Holes,
    pub link_broken: Fill,
    pub error_title: String,
    pub error_heading: String,
    pub restart_named: Fill,
    pub resume: String,
    pub solved_title: String,
    pub solved_before: String,
    pub restart_search: String,
    pub solved_or: String,
    pub home_link: String,
    pub solved_after: String,
    pub unsolved_title: String,
    pub recheck_before: String,
    pub recheck_link: String,
    pub recheck_after: String,
    pub search_more: String,
    pub search_kb: String,
    pub question: String,
    pub yes: String,
    pub no: String,
}

/// The errors of `POST /api/deflection` (the help widget's reports).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeflectionText {
    pub bad_body: Fill,
    pub bad_event: Holes,
    pub entries_count: Holes,
    pub unavailable: String,
}

/// `/admin/insights`, and what it answers besides its page.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminText {
    /// The body of a 401, for a client that shows it.
    pub password_needed: String,
    pub no_store: String,
    pub unreadable: Fill,
    pub title: String,
    pub lead: String,
    /// Column headings shared by its tables.
    pub entry: String,
    pub times: String,
    pub language: String,
    /// A section with nothing to show yet.
    pub none_yet: String,
    pub votes: String,
    pub no_votes: String,
    pub most_helpful: String,
    pub helpful: String,
    pub not_helpful: String,
    pub comments: String,
    pub no_comments: String,
    pub unanswered: String,
    pub unanswered_note: String,
    pub query: String,
    pub result: String,
    pub weak: String,
    pub no_results: String,
    pub opened: String,
    pub opened_entry: String,
    pub widget: String,
    /// Around `/static/widget.js`.
    pub widget_before: String,
    pub widget_after: String,
    /// Counts of ticket forms: `{suggested}`, `{opened}`, `{resolved}`, `{submitted}`.
    pub widget_forms: Holes,
    pub suggested: String,
    pub widget_opened: String,
    pub resolved: String,
    pub sent_anyway: String,
    /// `{x}` is the wizard's title.
    pub wizard: Fill,
    /// A wizard's runs: each hole but `{languages}` is a [`AdminText::funnel_times`];
    /// `{languages}` is [`AdminText::funnel_languages`] or nothing.
    pub funnel: Holes,
    pub funnel_times: Count,
    /// `{x}`: the runs started in each language (`zh-CN 2 次、en 1 次`).
    pub funnel_languages: Fill,
    pub step: String,
    pub reached: String,
    pub solved: String,
    pub not_solved: String,
    /// Before an outcome's title among a wizard's steps.
    pub outcome: String,
}
