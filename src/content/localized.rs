//! The library as read in another language: translated entries, category names and contact
//! text in place of the default language's, everything else (order, ids, dates, wizards) the
//! source's. An entry not translated stays in the default language and says so by its `lang`.

use super::{Body, Library, Lookup};

impl Library {
    /// This library in `lang` (one of [`crate::locale::translated`]); the same library for
    /// the default language.
    pub fn localized(&self, lang: &'static str) -> Library {
        let mut library = self.clone();
        if lang == crate::locale::DEFAULT {
            return library;
        }
        for entry in &mut library.entries {
            if let Some(t) = self.translation(&entry.id, lang) {
                entry.title = t.title.clone();
                entry.tags = t.tags.clone();
                entry.body = self.local_links(&t.body, lang);
                entry.headings = t.headings.clone();
                entry.lang = lang;
                entry.outdated = t.outdated;
            }
        }
        if let Some(t) = self.category_translations.iter().find(|t| t.lang == lang) {
            for category in &mut library.categories {
                if let Some((_, name, description)) = t
                    .categories
                    .iter()
                    .find(|(slug, ..)| *slug == category.slug)
                {
                    category.name = name.clone();
                    category.description = description.clone();
                }
            }
        }
        for wizard in &mut library.wizards {
            if let Some(t) = self
                .wizard_translations
                .iter()
                .find(|t| t.lang == lang && t.id == wizard.id)
            {
                *wizard = t.wizard.clone();
                wizard.lang = lang;
            }
        }
        if let Some(t) = self.contact_translations.iter().find(|t| t.lang == lang) {
            library.contact_html = Some(self.local_html(&t.html, lang));
        }
        library
    }

    /// Only the entries written in `lang`, of a library [`Library::localized`] made: what
    /// that language's search index holds.
    pub fn only_in(&self, lang: &str) -> Library {
        let entries = self
            .entries
            .iter()
            .filter(|e| e.lang == lang)
            .cloned()
            .collect();
        let mut library = Library::new(
            self.categories.clone(),
            entries,
            self.synonyms.clone(),
            self.wizards.clone(),
        );
        library.generic = self.generic.clone();
        library.glossary = self.glossary.clone();
        library.contact_html = self.contact_html.clone();
        library.fingerprint = self.fingerprint.clone();
        library
    }

    /// `body` with its links to entries and wizards read in `lang` pointing to their pages in it.
    fn local_links(&self, body: &Body, lang: &'static str) -> Body {
        let html = body.html();
        let local = self.local_html(&html, lang);
        if local == *html {
            return body.clone();
        }
        Body::new(&local, &body.text())
    }

    /// `html` with its links to entries (`href="/kb/<id>`) and wizards (`href="/wizard/<id>`)
    /// read in `lang` pointing to their pages in it; the others stay as they are.
    fn local_html(&self, html: &str, lang: &'static str) -> String {
        const LINKS: [&str; 2] = ["href=\"/kb/", "href=\"/wizard/"];
        let prefix = crate::locale::prefix(lang);
        let mut out = String::with_capacity(html.len());
        let mut rest = html;
        while let Some((at, link)) = LINKS
            .iter()
            .filter_map(|link| rest.find(link).map(|at| (at, *link)))
            .min()
        {
            out.push_str(&rest[..at]);
            let target = &rest[at + link.len()..];
            let id = &target[..target.find(['"', '#', '?']).unwrap_or(target.len())];
            let read_in_lang = if link.ends_with("/kb/") {
                let id = match self.lookup(id) {
                    Lookup::Alias(current) => current,
                    _ => id,
                };
                self.entry(id).is_some() && self.is_translated(id, lang)
            } else {
                self.wizard_translations
                    .iter()
                    .any(|t| t.lang == lang && t.id == id)
            };
            if read_in_lang {
                out.push_str(&link.replacen("\"/", &format!("\"{prefix}/"), 1));
            } else {
                out.push_str(link);
            }
            rest = target;
        }
        out.push_str(rest);
        out
    }

    /// Whether `id` is read in `lang` in this library (always, in the default language).
    pub fn is_translated(&self, id: &str, lang: &str) -> bool {
        lang == crate::locale::DEFAULT || self.translation(id, lang).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Category, Entry, Translation};
    use super::*;

    fn entry(id: &str, title: &str) -> Entry {
        Entry {
            id: id.into(),
            title: title.into(),
            category: "c".into(),
            tags: vec!["标签".into()],
            aliases: Vec::new(),
            updated: None,
            order: 0,
            body: Body::new("<p>正文</p>", "正文"),
            headings: Vec::new(),
            links_to: Vec::new(),
            lang: crate::locale::DEFAULT,
            outdated: false,
        }
    }

    #[test]
    fn translated_entries_replace_their_text_and_the_rest_stay_in_the_source_language() {
        let category = Category {
            slug: "c".into(),
            name: "分类".into(),
            description: String::new(),
            order: 0,
        };
        let mut library = Library::new(
            vec![category],
            vec![entry("a", "甲"), entry("b", "乙")],
            Vec::new(),
            Vec::new(),
        );
        library.translations.push(Translation {
            id: "b".into(),
            lang: "en".into(),
            title: "Bee".into(),
            tags: vec!["tag".into()],
            body: Body::new(
                "<p>Body, <a href=\"/kb/a\">a</a>, <a href=\"/kb/b#x\">b</a>.</p>",
                "Body, a, b.",
            ),
            headings: Vec::new(),
            source_version: String::new(),
            outdated: true,
        });
        let en = library.localized("en");
        let a = en.entry("a").unwrap();
        let b = en.entry("b").unwrap();
        assert_eq!(
            (a.title.as_str(), a.lang, a.url()),
            ("甲", "zh-CN", "/kb/a".into())
        );
        assert_eq!(
            (b.title.as_str(), b.lang, b.url()),
            ("Bee", "en", "/en/kb/b".into())
        );
        assert_eq!(
            (b.text(), b.tags.clone(), b.outdated),
            ("Body, a, b.".into(), vec!["tag".into()], true)
        );
        // A link to an entry read in English leads to its English page; the others stay.
        assert!(b.html().contains("<a href=\"/kb/a\">a</a>"), "{}", b.html());
        assert!(
            b.html().contains("<a href=\"/en/kb/b#x\">b</a>"),
            "{}",
            b.html()
        );
        assert!(en.is_translated("b", "en") && !en.is_translated("a", "en"));
        // The source library is left as it was.
        assert_eq!(library.entry("b").unwrap().title, "乙");
    }
}
