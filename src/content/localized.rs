//! The library as read in another language: translated entries, category names and contact
//! text in place of the default language's, everything else (order, ids, dates, wizards) the
//! source's. An entry not translated stays in the default language and says so by its `lang`.

use super::Library;

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
                entry.body = t.body.clone();
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
        if let Some(t) = self.contact_translations.iter().find(|t| t.lang == lang) {
            library.contact_html = Some(t.html.clone());
        }
        library
    }

    /// Whether `id` is read in `lang` in this library (always, in the default language).
    pub fn is_translated(&self, id: &str, lang: &str) -> bool {
        lang == crate::locale::DEFAULT || self.translation(id, lang).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Body, Category, Entry, Translation};
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
            body: Body::new("<p>Body.</p>", "Body."),
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
            ("Body.".into(), vec!["tag".into()], true)
        );
        assert!(en.is_translated("b", "en") && !en.is_translated("a", "en"));
        // The source library is left as it was.
        assert_eq!(library.entry("b").unwrap().title, "乙");
    }
}
