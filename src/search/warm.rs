//! The one-time work of a generation: the readings of its Chinese terms (for pinyin and
//! homophones), the tags near queries come from, and entries analysed for snippets; started
//! when a generation is installed, so no reader waits for it.

use std::collections::HashMap;

use super::SearchIndex;
use super::snippet::analyse;
use crate::content::Library;

impl SearchIndex {
    /// Does the one-time work of the first searches now, which no reader should wait for:
    /// choosing the tags near queries come from (a search per tag, at most [`super::suggest::NEAR_TAGS`]), and
    /// analysing entries for snippets, in the library's order, until the kept tokens reach their
    /// bound (all of 10,000 generated entries; a search finding one of them first cost a sixth
    /// more CPU while it was analysed).
    pub fn warm_up(&self, library: &Library) {
        self.near_queries(library, "问", 0);
        self.readings();
        if let Ok(analyzer) = self
            .reader
            .searcher()
            .index()
            .tokenizer_for_field(self.fields.body)
        {
            for entry in &library.entries {
                if self.tokens.is_nearly_full() {
                    break;
                }
                self.tokens.get(&entry.id, || {
                    analyse(&analyzer, &entry.title, &entry.text())
                });
            }
        }
        self.warm.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether the one-time work of [`SearchIndex::warm_up`] is done.
    pub fn is_warm(&self) -> bool {
        self.warm.load(std::sync::atomic::Ordering::Acquire)
    }
}

impl SearchIndex {
    /// The Chinese terms of every field, with how many entries hold each and whether a title
    /// or tag does.
    pub(super) fn readings(&self) -> &super::readings::Readings {
        self.readings.get_or_init(|| {
            let searcher = self.reader.searcher();
            let mut terms: HashMap<String, (u64, bool)> = HashMap::new();
            for (field, named) in [
                (self.fields.title, true),
                (self.fields.tags, true),
                (self.fields.body, false),
            ] {
                for segment in searcher.segment_readers() {
                    let Ok(inverted) = segment.inverted_index(field) else {
                        continue;
                    };
                    let Ok(mut stream) = inverted.terms().stream() else {
                        continue;
                    };
                    while let Some((bytes, info)) = stream.next() {
                        let Ok(term) = std::str::from_utf8(bytes) else {
                            continue;
                        };
                        if term.is_ascii() {
                            continue;
                        }
                        let seen = terms.entry(term.to_string()).or_default();
                        seen.0 = seen.0.max(u64::from(info.doc_freq));
                        seen.1 |= named;
                    }
                }
            }
            super::readings::Readings::new(
                terms.iter().map(|(t, &(n, named))| (t.as_str(), n, named)),
            )
        })
    }
}
