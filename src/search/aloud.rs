//! Words the index lacks, read again: a run of Latin letters as pinyin (full syllables or
//! initials), a run of Chinese characters as its homophones (an input method's wrong pick),
//! and a partial error code completed to the codes that begin with it.

use super::plan::*;
use super::readings::Readings;

/// A word found by its reading (pinyin, or an input method's homophone): below the word typed.
const READING_BOOST: f32 = 0.6;
/// The most words of a query read as one run (`qing qiu chao shi`): a word typed wrong is a
/// few characters, and each run is tried at every length.
const MAX_READ_RUN: usize = 8;

impl Plan {
    /// A code the index lacks is taken as the start of one (N2210 for N22106, as a reader
    /// copies part of it): it also matches the titles' and tags' words it begins.
    pub(super) fn complete_codes(&mut self, exists: impl Fn(&str) -> bool) {
        for group in &mut self.groups {
            let [token] = group.alternatives[0].tokens.as_slice() else {
                continue;
            };
            let code = token.len() >= 4
                && token.bytes().all(|b| b.is_ascii_alphanumeric())
                && token.bytes().any(|b| b.is_ascii_digit());
            if code && group.prefix.is_none() && !exists(token) {
                group.prefix = Some(token.clone());
            }
        }
    }

    /// Reads the words the index lacks as they sound: a run of Latin words that spells
    /// indexed words in pinyin (`jie xi`, `jiexi`, `jx`), or of Chinese ones that sounds like
    /// indexed words (乱马 → 乱码), becomes those words, one group each. Words the index has
    /// are never read this way, so English and correctly typed Chinese are left alone.
    pub(super) fn read_aloud(
        &mut self,
        exists: impl Fn(&str) -> bool,
        readings: &Readings,
        synonyms: &Synonyms,
    ) {
        let script = |group: &Group| -> Option<Script> {
            let known = group
                .alternatives
                .iter()
                .any(|a| a.tokens.iter().all(|t| exists(t)));
            let text: String = group.alternatives.first()?.tokens.concat();
            let han = !text.is_empty() && text.chars().all(|c| !c.is_ascii() && c.is_alphabetic());
            if han && known && text.chars().count() == 1 {
                // A character the index has may be half of a word typed wrong (失 in 失拜).
                Some(Script::HanChar)
            } else if known || text.is_empty() {
                None
            } else if text.bytes().all(|b| b.is_ascii_lowercase()) {
                Some(Script::Latin)
            } else if han {
                Some(Script::Han)
            } else {
                None
            }
        };
        let joins = |kind: Script, next: Option<Script>| match kind {
            Script::Latin => next == Some(Script::Latin),
            Script::Han | Script::HanChar => {
                matches!(next, Some(Script::Han | Script::HanChar))
            }
        };
        let mut groups = Vec::with_capacity(self.groups.len());
        let mut i = 0;
        while i < self.groups.len() {
            let Some(kind) = script(&self.groups[i]) else {
                groups.push(self.groups[i].clone());
                i += 1;
                continue;
            };
            let mut end = i + 1;
            while end < self.groups.len()
                && end - i < MAX_READ_RUN
                && joins(kind, script(&self.groups[end]))
            {
                end += 1;
            }
            // The longest run from here that reads as indexed words, with a word the index
            // lacks in it.
            let read = (i + 1..=end).rev().find_map(|to| {
                if (i..to).all(|g| script(&self.groups[g]) == Some(Script::HanChar)) {
                    return None;
                }
                let text: String = self.groups[i..to]
                    .iter()
                    .map(|g| match kind {
                        // As typed: a stem (`yume` for `yuming`) is no reading.
                        Script::Latin => typed(g),
                        Script::Han | Script::HanChar => g.alternatives[0].tokens.concat(),
                    })
                    .collect();
                let pieces = match kind {
                    Script::Latin => readings.spell(&text),
                    // An input method gets a character of a word wrong, rarely all of them
                    // (then it picks another real word, which shares one: 超市 for 超时).
                    Script::Han | Script::HanChar => readings
                        .homophones(&text)?
                        .into_iter()
                        .map(|choices| {
                            let kept: Vec<String> = choices
                                .into_iter()
                                .filter(|word| word.chars().any(|c| text.contains(c)))
                                .collect();
                            (!kept.is_empty()).then_some(kept)
                        })
                        .collect::<Option<Vec<_>>>(),
                }?;
                Some((to, pieces))
            });
            let Some((to, pieces)) = read else {
                let mut group = self.groups[i].clone();
                // A lone syllable (`de`) or a question word (`zenme`) the index lacks names
                // nothing, as a lone character does not.
                if kind == Script::Latin && readings.is_quiet(&typed(&group)) {
                    group.generic = true;
                }
                groups.push(group);
                i += 1;
                continue;
            };
            let span = (self.groups[i].span.0, self.groups[to - 1].span.1);
            let label = self
                .text
                .get(span.0..span.1)
                .unwrap_or_default()
                .to_string();
            for choices in pieces {
                groups.push(Group {
                    label: label.clone(),
                    generic: synonyms.is_generic(std::slice::from_ref(&choices[0])),
                    alternatives: choices
                        .into_iter()
                        .map(|word| Alternative {
                            tokens: vec![word],
                            boost: READING_BOOST,
                        })
                        .collect(),
                    fuzzy: Vec::new(),
                    prefix: None,
                    function: false,
                    span,
                });
            }
            i = to;
        }
        self.groups = groups;
    }
}

/// A Latin group's letters as typed, lowercased: its words before stemming.
fn typed(group: &Group) -> String {
    group
        .label
        .chars()
        .filter(char::is_ascii_alphabetic)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::plan::tests::plan;

    /// Words the index has are never read as pinyin or as homophones: English words that
    /// happen to be syllables (bin, long) keep their meaning.
    #[test]
    fn only_words_the_index_lacks_are_read_aloud() {
        let readings = Readings::new([("宾馆", 1, true), ("乱码", 2, true)].into_iter());
        let synonyms = Synonyms::default();
        let words = |p: &Plan| -> Vec<Vec<String>> {
            (0..p.groups.len())
                .map(|i| p.group_words(i).next().unwrap_or_default().to_vec())
                .collect()
        };
        let mut p = plan("bin guan", &[]);
        p.read_aloud(|t| t == "bin", &readings, &synonyms);
        assert_eq!(words(&p), [["bin"], ["guan"]]);
        let mut p = plan("bin guan", &[]);
        p.read_aloud(|_| false, &readings, &synonyms);
        assert_eq!(words(&p), [["宾馆"]]);
        assert_eq!(p.groups[0].label, "bin guan");
        let mut p = plan("乱码", &[]);
        p.read_aloud(|t| t == "乱码", &readings, &synonyms);
        assert_eq!(words(&p), [["乱码"]]);
        assert_eq!(p.groups[0].alternatives[0].boost, 1.0);
        let mut p = plan("乱马", &[]);
        p.read_aloud(|_| false, &readings, &synonyms);
        assert_eq!(words(&p), [["乱码"]]);
        assert!(
            p.groups[0].alternatives[0].boost < 1.0,
            "below the word typed"
        );
        // Read as typed, not as stemmed (`yuming` is `yume` to the English stemmer), and a
        // question word in pinyin names nothing.
        let readings = Readings::new([("域名", 3, true)].into_iter());
        let mut p = plan("yuming zenme", &[]);
        p.read_aloud(|_| false, &readings, &synonyms);
        assert_eq!(words(&p)[0], ["域名"]);
        assert!(p.groups[1].generic, "{:?}", p.groups[1]);
        let readings = Readings::new([("宾馆", 1, true), ("乱码", 2, true)].into_iter());
        // Characters that only sound like a word, sharing none of it, are not a slip of
        // the input method (junk such as 峦犸 finds nothing through 乱码).
        let mut p = plan("峦犸", &[]);
        p.read_aloud(|_| false, &readings, &synonyms);
        assert!(words(&p).iter().all(|w| w != &["乱码"]), "{:?}", words(&p));
    }
}
