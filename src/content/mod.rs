//! The content of the site: entries, categories, vocabulary (synonyms, glossary, generic
//! words), wizards and the contact text, loaded from `content/`, validated and rendered once.
//! Knows nothing of search or HTTP. The format: docs/content.md.

mod body;
mod categories;
mod entries;
mod links;
mod loader;
mod localized;
mod translations;
mod vocabulary;

use std::collections::HashMap;
use unicode_width::UnicodeWidthChar;

pub use crate::source::files::MAX_FILE_BYTES;
pub use crate::source::markdown::Heading;
pub use crate::source::report::{ContentError, ContentErrors};
pub use crate::source::versions::VERSION_DIGITS;
pub use body::Body;
pub use categories::CategoryTranslation;
pub use entries::ContactTranslation;
pub use loader::load;
pub use translations::Translation;

use crate::wizard::Wizard;

#[derive(Debug, Clone)]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub order: i64,
}

#[derive(Debug, Clone)]
pub struct Entry {
    /// The file stem: permanent, what tickets link to.
    pub id: String,
    pub title: String,
    pub category: String,
    pub tags: Vec<String>,
    pub aliases: Vec<String>,
    /// `YYYY-MM-DD`, when the author gave it.
    pub updated: Option<String>,
    pub order: i64,
    /// The rendered HTML and plain text, compressed: see [`Entry::html`] and [`Entry::text`].
    pub body: Body,
    pub headings: Vec<Heading>,
    /// Ids (or aliases) of the entries its body links to (`/kb/<id>…`).
    pub links_to: Vec<String>,
    /// The language its title and body are in: [`crate::locale::DEFAULT`], or a translation's
    /// in a [`Library::localized`] one.
    pub lang: &'static str,
    /// A translation whose source changed since it was made.
    pub outdated: bool,
}

/// How wide an entry's summary is, in columns: a Chinese character takes two, as a terminal
/// shows it, so a summary says about as much in either language (90 characters of Chinese).
const SUMMARY_WIDTH: usize = 180;

impl Entry {
    /// Its path in its language: `/kb/<id>`, `/en/kb/<id>`.
    pub fn url(&self) -> String {
        format!("{}/kb/{}", crate::locale::prefix(self.lang), self.id)
    }

    /// Its URL, or the URL of one of its sections (`/kb/<id>#<anchor>`).
    pub fn url_to(&self, anchor: Option<&str>) -> String {
        match anchor {
            Some(anchor) => format!("{}#{anchor}", self.url()),
            None => self.url(),
        }
    }

    /// The sanitised HTML of the body.
    pub fn html(&self) -> String {
        self.body.html()
    }

    /// The words a reader sees, without markup or image alt text; one block a line.
    pub fn text(&self) -> String {
        self.body.text()
    }

    /// The first words of the text, one or two lines' worth, for lists and ticket replies.
    /// Computed when asked: keeping it would cost memory on every entry.
    pub fn summary(&self) -> String {
        let text = self.text().replace('\n', " ");
        let cut = cut_to_width(&text, SUMMARY_WIDTH);
        if cut.len() < text.len() {
            format!("{}…", cut.trim_end())
        } else {
            text
        }
    }
}

/// The longest start of `text` no wider than `width` columns (see [`SUMMARY_WIDTH`]), ending
/// between words where the text has spaces between them: `…table o…` says less than
/// `…table…`.
fn cut_to_width(text: &str, width: usize) -> &str {
    let mut used = 0;
    let mut end = text.len();
    for (i, c) in text.char_indices() {
        used += c.width().unwrap_or(0);
        if used > width {
            end = i;
            break;
        }
    }
    let cut = &text[..end];
    let in_a_word =
        |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() && c.width() == Some(1));
    if end < text.len()
        && in_a_word(cut.chars().last())
        && in_a_word(text[end..].chars().next())
        && let Some(space) = cut.rfind(char::is_whitespace)
    {
        return &cut[..space];
    }
    cut
}

/// The widest lead, in columns (a Chinese character takes two): a ticket reply or a link
/// preview says this much, 160 characters of Chinese or twice as many of English.
const LEAD_WIDTH: usize = 320;

impl Entry {
    /// The entry's opening sentences, whole, up to [`LEAD_WIDTH`]: what a ticket reply and a
    /// link preview quote. Only a first sentence longer than that is cut (with "…").
    pub fn lead(&self) -> String {
        let text = self.text().replace('\n', " ");
        let reach = cut_to_width(&text, LEAD_WIDTH).len();
        if reach == text.len() {
            return text.trim().to_string();
        }
        // The end (in bytes) of the last sentence that ends within reach.
        let end = text[..reach]
            .char_indices()
            .rev()
            .find(|&(i, c)| {
                matches!(c, '。' | '！' | '？' | '；')
                    // An English sentence ends at a stop followed by a space.
                    || (matches!(c, '.' | '!' | '?') && text[i + 1..].starts_with(' '))
            })
            .map(|(i, c)| i + c.len_utf8());
        match end {
            Some(end) => text[..end].trim().to_string(),
            // No sentence ends in reach: the text itself, cut.
            None => format!("{}…", text[..reach].trim_end()),
        }
    }

    /// Title, lead and link, ready to paste into a ticket.
    pub fn ticket_reply(&self, absolute_url: &str) -> String {
        format!("{}\n{}\n{}", self.title, self.lead(), absolute_url)
    }
}

/// English words that mean a Chinese word of the entries: searched as its synonyms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GlossaryTerm {
    pub zh: String,
    pub en: Vec<String>,
}

/// Everything loaded from one content directory. Immutable: a reload builds a new one.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Sorted by `order`.
    pub categories: Vec<Category>,
    /// Sorted by category order, then entry order, then title.
    pub entries: Vec<Entry>,
    /// Groups of words that mean the same to someone searching (`synonyms.toml`).
    pub synonyms: Vec<Vec<String>>,
    /// Words that name no topic of their own (失败, 小程序, …): a search that matches only
    /// these has not found an answer (`generic` in `synonyms.toml`).
    pub generic: Vec<String>,
    /// English words for the Chinese ones the entries use (`glossary.toml`).
    pub glossary: Vec<GlossaryTerm>,
    /// Troubleshooting wizards, by file name.
    pub wizards: Vec<Wizard>,
    /// Whom to contact when nothing here helped, and what to send (`contact.md`, rendered):
    /// shown when a search finds no answer.
    pub contact_html: Option<String>,
    /// Hash of every file read: the content's version.
    pub fingerprint: String,
    /// Entries in other languages (`kb/<id>.<lang>.md`), in file-name order.
    pub translations: Vec<Translation>,
    /// The categories' names in other languages (`categories.<lang>.toml`).
    pub category_translations: Vec<CategoryTranslation>,
    /// The contact text in other languages (`contact.<lang>.md`).
    pub contact_translations: Vec<ContactTranslation>,
    /// Wizards in other languages (`wizards/<id>.<lang>.toml`), checked, not served yet.
    pub wizard_translations: Vec<crate::wizard::WizardTranslation>,
    /// What serves but needs an author's eye, as `path:line: message`.
    pub warnings: Vec<ContentError>,
    by_id: HashMap<String, usize>,
    aliases: HashMap<String, String>,
}

/// What `/kb/<id>` resolves to.
pub enum Lookup<'a> {
    Entry(&'a Entry),
    /// An old id: redirect to the entry's current id.
    Alias(&'a str),
    Missing,
}

impl Library {
    pub(crate) fn new(
        mut categories: Vec<Category>,
        entries: Vec<Entry>,
        synonyms: Vec<Vec<String>>,
        wizards: Vec<Wizard>,
    ) -> Library {
        categories.sort_by_key(|c| c.order);
        let category_rank: HashMap<&str, usize> = categories
            .iter()
            .enumerate()
            .map(|(i, c)| (c.slug.as_str(), i))
            .collect();
        // The category's rank looked up once per entry, not twice per comparison.
        let mut keyed: Vec<(Option<usize>, i64, Entry)> = entries
            .into_iter()
            .map(|e| (category_rank.get(e.category.as_str()).copied(), e.order, e))
            .collect();
        keyed.sort_by(|a, b| (a.0, a.1, &a.2.title).cmp(&(b.0, b.1, &b.2.title)));
        let entries: Vec<Entry> = keyed.into_iter().map(|(_, _, e)| e).collect();
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let aliases = entries
            .iter()
            .flat_map(|e| e.aliases.iter().map(|a| (a.clone(), e.id.clone())))
            .collect();
        Library {
            categories,
            entries,
            synonyms,
            generic: Vec::new(),
            glossary: Vec::new(),
            contact_html: None,
            wizards,
            fingerprint: String::new(),
            translations: Vec::new(),
            wizard_translations: Vec::new(),
            category_translations: Vec::new(),
            contact_translations: Vec::new(),
            warnings: Vec::new(),
            by_id,
            aliases,
        }
    }

    /// The entry `id` in `lang`, when it has been translated.
    pub fn translation(&self, id: &str, lang: &str) -> Option<&Translation> {
        self.translations
            .iter()
            .find(|t| t.id == id && t.lang == lang)
    }

    /// How many places send readers to each entry: other entries that link to it, and wizard
    /// outcomes that give it as an answer. Entries nothing points to are not listed.
    pub fn references(&self) -> HashMap<&str, usize> {
        let mut references: HashMap<&str, usize> = HashMap::new();
        let mut add = |target: &str, from: &str| {
            let id = match self.lookup(target) {
                Lookup::Entry(entry) => entry.id.as_str(),
                Lookup::Alias(id) => id,
                Lookup::Missing => return,
            };
            if id != from
                && let Some(entry) = self.entry(id)
            {
                *references.entry(entry.id.as_str()).or_default() += 1;
            }
        };
        for entry in &self.entries {
            let mut targets: Vec<&str> = entry.links_to.iter().map(String::as_str).collect();
            targets.sort_unstable();
            targets.dedup();
            for target in targets {
                add(target, &entry.id);
            }
        }
        for wizard in &self.wizards {
            for step in &wizard.steps {
                if let crate::wizard::StepKind::Outcome(outcome) = &step.kind {
                    for link in &outcome.links {
                        add(&link.entry, "");
                    }
                }
            }
        }
        references
    }

    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.by_id.get(id).map(|&i| &self.entries[i])
    }

    pub fn lookup(&self, id: &str) -> Lookup<'_> {
        if let Some(entry) = self.entry(id) {
            Lookup::Entry(entry)
        } else if let Some(target) = self.aliases.get(id) {
            Lookup::Alias(target)
        } else {
            Lookup::Missing
        }
    }

    /// The id a link missing here most likely meant, as ticket tools and autolinkers mangle
    /// them (`TIMEOUT`, `timeout。`, `error_14)`), when that is an entry's id or an alias.
    pub fn meant(&self, id: &str) -> Option<String> {
        unmangled(id).filter(|meant| !matches!(self.lookup(meant), Lookup::Missing))
    }

    pub fn wizard(&self, id: &str) -> Option<&Wizard> {
        self.wizards.iter().find(|w| w.id == id)
    }

    /// Wizards with an outcome pointing to this entry.
    pub fn wizards_leading_to(&self, entry: &str) -> Vec<&Wizard> {
        self.wizards
            .iter()
            .filter(|w| w.outcome_entries().any(|e| e == entry))
            .collect()
    }

    pub fn category(&self, slug: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.slug == slug)
    }

    pub fn entries_in<'a>(&'a self, slug: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.category == slug)
    }

    /// Entries with an `updated` date, newest first.
    pub fn recently_updated(&self, n: usize) -> Vec<&Entry> {
        let mut dated: Vec<&Entry> = self
            .entries
            .iter()
            .filter(|e| e.updated.is_some())
            .collect();
        dated.sort_by(|a, b| b.updated.cmp(&a.updated));
        dated.truncate(n);
        dated
    }
}

/// The id a mangled link most likely meant: lower case, `_` read as `-`, and the punctuation
/// of the sentence a link was pasted into (`。`, `)`) cut off: what follows the id may hold no
/// letter or digit (`error%2014` is not `error`). `None` when that changes nothing.
fn unmangled(id: &str) -> Option<String> {
    let lowered: String = id
        .chars()
        .map(|c| match c {
            '_' => '-',
            c => c.to_ascii_lowercase(),
        })
        .collect();
    let end = lowered
        .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'))
        .unwrap_or(lowered.len());
    let (meant, rest) = lowered.split_at(end);
    if rest.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let meant = meant.trim_end_matches('-');
    (!meant.is_empty() && meant != id).then(|| meant.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mangled_ids_read_as_the_id_they_were() {
        assert_eq!(unmangled("TIMEOUT").as_deref(), Some("timeout"));
        assert_eq!(unmangled("timeout。").as_deref(), Some("timeout"));
        assert_eq!(unmangled("Error_14).").as_deref(), Some("error-14"));
        assert_eq!(unmangled("error-14-").as_deref(), Some("error-14"));
        assert_eq!(unmangled("error-14"), None);
        assert_eq!(unmangled("。"), None);
        // Not a cut-off sentence: another id, or none.
        assert_eq!(unmangled("error 14"), None);
        assert_eq!(unmangled("error。14"), None);
    }

    fn entry(text: &str) -> Entry {
        Entry {
            id: "x".into(),
            title: "t".into(),
            category: "c".into(),
            tags: Vec::new(),
            aliases: Vec::new(),
            updated: None,
            order: 0,
            body: Body::new("", text),
            headings: Vec::new(),
            links_to: Vec::new(),
            lang: crate::locale::DEFAULT,
            outdated: false,
        }
    }

    #[test]
    fn the_lead_is_whole_sentences_and_cuts_only_a_long_first_one() {
        assert_eq!(entry("短。\n第二段。").lead(), "短。 第二段。");
        let many = "一二三四五六七八九十。".repeat(30);
        let lead = entry(&many).lead();
        assert!(
            lead.ends_with('。') && lead.chars().count() <= LEAD_WIDTH / 2,
            "{lead}"
        );
        assert_eq!(lead.chars().count(), 154, "14 whole sentences of 11");
        let long = "长".repeat(300) + "。";
        let cut = entry(&long).lead();
        assert_eq!(cut.chars().count(), LEAD_WIDTH / 2 + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(entry("没有句号").lead(), "没有句号");
        let english = "Check the domain. It must be listed. ".repeat(20);
        let lead = entry(&english).lead();
        assert!(
            lead.ends_with('.') && lead.len() <= LEAD_WIDTH && lead.len() > LEAD_WIDTH - 40,
            "English says as much as Chinese, in more letters: {lead}"
        );
        assert_eq!(entry("Version 1.2 is out").lead(), "Version 1.2 is out");
        // A text that fits is whole, its last sentence too (no space follows its stop).
        assert_eq!(entry("First. Last.").lead(), "First. Last.");
        let run_on = "word ".repeat(100);
        let cut = entry(&run_on).lead();
        assert!(cut.ends_with("word…"), "cut between words: {cut}");
    }

    #[test]
    fn summary_cuts_on_width_between_words_and_joins_lines() {
        let long = "网".repeat(200);
        let s = entry(&long).summary();
        assert_eq!(s.chars().count(), SUMMARY_WIDTH / 2 + 1);
        assert!(s.ends_with('…'));
        assert_eq!(entry("短。\n第二段。").summary(), "短。 第二段。");
        let english = "Configure the domain whitelist in the console first. ".repeat(10);
        let s = entry(&english).summary();
        assert!(
            s.len() > SUMMARY_WIDTH - 20 && s.len() <= SUMMARY_WIDTH + 3,
            "{s}"
        );
        let last = s
            .trim_end_matches('…')
            .rsplit(' ')
            .next()
            .unwrap_or_default();
        assert!(
            [
                "Configure",
                "the",
                "domain",
                "whitelist",
                "in",
                "console",
                "first."
            ]
            .contains(&last),
            "cut between words: {s}"
        );
    }
}
