//! Search as you type and "did you mean": titles for a prefix, and near queries chosen from
//! the most used tags for a query that finds nothing.

use std::collections::HashMap;

use super::plan::Plan;
use super::{MAX_QUERY_CHARS, Request, SearchIndex};
use crate::content::{Entry, Library};

/// How many tags near queries are chosen from: the most used.
pub(super) const NEAR_TAGS: usize = 2000;

/// A suggestion as you type: the entry, its title with what matched in `<mark>`, and a short
/// passage (both escaped), as DocSearch shows them.
#[derive(Debug, Clone)]
pub struct Suggestion<'a> {
    pub entry: &'a Entry,
    pub title_html: String,
    pub snippet_html: String,
}

impl SearchIndex {
    /// Suggestions for search as you type, in the search's own order (the last word read as a
    /// prefix); then titles holding the typed text that the ranking did not reach (so a
    /// half-typed word such as 白名 still offers 白名单).
    pub fn suggest<'a>(
        &self,
        library: &'a Library,
        query: &str,
        limit: usize,
    ) -> Vec<Suggestion<'a>> {
        let typed = super::analysis::normalize(query.trim());
        let typed: String = typed.chars().take(MAX_QUERY_CHARS).collect();
        if typed.is_empty() {
            return Vec::new();
        }
        let plan = Plan::new(query, &self.synonyms, self.settings, true);
        let request = Request {
            query: query.to_string(),
            category: None,
            limit,
            offset: 0,
        };
        let mut found: Vec<Suggestion> = self
            .run(library, &request, &plan)
            .hits
            .into_iter()
            .filter_map(|hit| {
                Some(Suggestion {
                    entry: library.entry(&hit.id)?,
                    title_html: hit.title_html,
                    snippet_html: hit.snippet_html,
                })
            })
            .collect();
        for &(ref title, i) in &self.titles {
            if found.len() >= limit {
                break;
            }
            let Some(entry) = library.entries.get(i) else {
                continue;
            };
            if title.contains(&typed) && !found.iter().any(|s| s.entry.id == entry.id) {
                found.push(Suggestion {
                    entry,
                    title_html: super::snippet::mark_typed(&entry.title, &typed),
                    snippet_html: super::snippet::passage(&entry.text(), None),
                });
            }
        }
        found
    }

    /// Queries close to one that found nothing and that do find something: the tags sharing
    /// the most characters with it.
    pub fn near_queries(&self, library: &Library, query: &str, n: usize) -> Vec<String> {
        let wanted = char_set(query);
        if wanted.is_empty() {
            return Vec::new();
        }
        let tags = self.near_tags.get_or_init(|| {
            // The most used tags, the earliest first among equals: a tag on one entry (an
            // error code) says little to someone whose words found nothing, and every query
            // that finds nothing is compared with each tag kept.
            let mut uses: HashMap<&str, (usize, usize)> = HashMap::new();
            for (order, tag) in library
                .entries
                .iter()
                .flat_map(|e| e.tags.iter())
                .enumerate()
            {
                uses.entry(tag.as_str()).or_insert((0, order)).0 += 1;
            }
            let mut tags: Vec<(&str, (usize, usize))> = uses.into_iter().collect();
            tags.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
            tags.into_iter()
                .take(NEAR_TAGS)
                .filter(|(tag, _)| self.has_results(tag))
                .map(|(tag, _)| (tag.to_string(), char_set(tag)))
                .collect()
        });
        let mut candidates: Vec<(usize, &str)> = tags
            .iter()
            .map(|(tag, chars)| (shared(chars, &wanted), tag.as_str()))
            .filter(|(shared, _)| *shared > 0)
            .collect();
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.len().cmp(&b.1.len())));
        candidates
            .into_iter()
            .take(n)
            .map(|(_, tag)| tag.to_string())
            .collect()
    }
}

/// The letters and digits of a text, normalised, sorted, each once: compared with a merge, as
/// every tag is compared with each query that finds nothing.
pub(super) fn char_set(text: &str) -> Vec<char> {
    let mut chars: Vec<char> = super::analysis::normalize(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
}

/// How many characters two sorted sets share.
pub(super) fn shared(a: &[char], b: &[char]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::search::*;

    /// Near queries are chosen from the most used tags, so each query that finds nothing is
    /// compared with a bounded number of them however many entries carry a tag of their own.
    #[test]
    pub(super) fn near_queries_come_from_the_most_used_tags() {
        let mut library =
            crate::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
                .expect("the real content");
        let template = library.entries[0].clone();
        let singles = NEAR_TAGS + 100;
        for i in 0..singles {
            let mut entry = template.clone();
            entry.id = format!("code-{i}");
            entry.tags = vec![format!("量子纠{i:05}")];
            library.entries.push(entry);
        }
        let index = SearchIndex::build(&library, Settings::FULL).expect("index");
        let near = index.near_queries(&library, "量子纠缠白名", 4);
        assert_eq!(near.len(), 4, "{near:?}");
        assert!(near.iter().all(|q| q.starts_with("量子纠")), "{near:?}");
        let kept: Vec<&str> = index
            .near_tags
            .get()
            .expect("made by the first call")
            .iter()
            .map(|(tag, _)| tag.as_str())
            .collect();
        assert!(kept.len() <= NEAR_TAGS, "{}", kept.len());
        let last = format!("量子纠{:05}", singles - 1);
        assert!(
            !kept.contains(&last.as_str()),
            "the least used tags are left out"
        );
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for tag in library.entries.iter().flat_map(|e| e.tags.iter()) {
            *uses.entry(tag.as_str()).or_default() += 1;
        }
        for (tag, n) in uses {
            if n > 1 && index.has_results(tag) {
                assert!(kept.contains(&tag), "{tag} (on {n} entries) is kept");
            }
        }
        assert_eq!(shared(&char_set("白名单 ab"), &char_set("名单不生效 b")), 3);
    }
}
