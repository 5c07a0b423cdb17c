//! Words by how they are read. A query typed with the input method off (`jiexi`, `jie xi`,
//! initials such as `jx`) or with the input method's wrong choice of characters (乱马 for 乱码,
//! 陪置 for 配置) still names words the index holds: their toneless pinyin is the same. The
//! readings are made from the index's own Chinese terms, so only words of the content are ever
//! found this way, never a dictionary's.

use std::collections::{HashMap, HashSet};

use pinyin::ToPinyin;

/// The longest reading looked for in one piece, in letters (四个字 of long syllables).
const MAX_READING: usize = 24;
/// The most letters read as initials.
const MAX_INITIALS: usize = 6;
/// Words kept per reading: the most common ones.
const MAX_WORDS: usize = 6;

/// Indexed Chinese words of two characters or more, by their reading.
#[derive(Debug, Default)]
pub struct Readings {
    /// "luanma" → [乱码]
    full: HashMap<String, Vec<String>>,
    /// "lm" → [乱码, …]: only words of titles and tags, which name what entries are about.
    initials: HashMap<String, Vec<String>>,
    /// By the reading an input method's fuzzy sounds (模糊音) give: "buzou" → [步骤].
    loose: HashMap<String, Vec<String>>,
    /// What names nothing when typed in pinyin: every syllable of the index's words alone
    /// (`de`, `yu`, as a lone character names nothing), and the question words (`zenme`).
    quiet: HashSet<String>,
}

/// The words one piece of a query may stand for, most common first.
pub type Choices = Vec<String>;

impl Readings {
    /// From `(term, entries holding it, whether a title or tag holds it)`.
    pub fn new<'a>(terms: impl Iterator<Item = (&'a str, u64, bool)>) -> Readings {
        let mut full: HashMap<String, Vec<(u64, String)>> = HashMap::new();
        let mut initials: HashMap<String, Vec<(u64, String)>> = HashMap::new();
        let mut loose: HashMap<String, Vec<(u64, String)>> = HashMap::new();
        let mut quiet: HashSet<String> = super::analysis::QUESTION_WORDS
            .iter()
            .filter_map(|word| syllables(word))
            .map(|syllables| syllables.concat())
            .collect();
        for (term, entries, named) in terms {
            let Some(syllables) = syllables(term) else {
                continue;
            };
            quiet.extend(syllables.iter().map(|s| s.to_string()));
            if syllables.len() < 2 {
                continue;
            }
            full.entry(syllables.concat())
                .or_default()
                .push((entries, term.to_string()));
            loose
                .entry(loosely(&syllables))
                .or_default()
                .push((entries, term.to_string()));
            if named && syllables.len() <= 4 {
                let letters: String = syllables.iter().filter_map(|s| s.chars().next()).collect();
                initials
                    .entry(letters)
                    .or_default()
                    .push((entries, term.to_string()));
            }
        }
        Readings {
            full: ranked(full),
            initials: ranked(initials),
            loose: ranked(loose),
            quiet,
        }
    }

    /// Whether Latin letters read as one syllable or a question word in pinyin (`de`, `zenme`).
    pub fn is_quiet(&self, letters: &str) -> bool {
        self.quiet.contains(letters)
    }

    /// Splits `letters` (lowercase a–z) into words read that way: whole readings first
    /// (`jiexishibai` → 解析 失败), else initials (`jxsb`). `None` unless all of it is read.
    pub fn spell(&self, letters: &str) -> Option<Vec<Choices>> {
        if letters.len() < 2 || !letters.bytes().all(|b| b.is_ascii_lowercase()) {
            return None;
        }
        split(letters, &self.full).or_else(|| {
            // Initials say little each: only a short run of them, each word once, is read
            // (`ymbmd`, `jxsb`; not `zzzzqqqq`).
            let pieces =
                split(letters, &self.initials).filter(|_| letters.len() <= MAX_INITIALS)?;
            let distinct = pieces
                .iter()
                .enumerate()
                .all(|(i, p)| !pieces[..i].contains(p));
            distinct.then_some(pieces)
        })
    }

    /// The words `text` (Chinese) sounds like, as the fewest pieces, when all of it is read:
    /// exactly, else with the sounds input methods let people confuse.
    pub fn homophones(&self, text: &str) -> Option<Vec<Choices>> {
        let syllables = syllables(text)?;
        split(&syllables.concat(), &self.full).or_else(|| split(&loosely(&syllables), &self.loose))
    }
}

/// Each character's toneless reading; `None` if one is not a Chinese character.
fn syllables(text: &str) -> Option<Vec<&'static str>> {
    text.chars()
        .map(|c| c.to_pinyin().map(|p| p.plain()))
        .collect()
}

/// A reading with the fuzzy sounds input methods offer (zh/z, ch/c, sh/s, ang/an, eng/en,
/// ing/in) made one, syllable by syllable.
fn loosely(syllables: &[&str]) -> String {
    let mut text = String::new();
    for syllable in syllables {
        let s = syllable
            .replacen("zh", "z", 1)
            .replacen("ch", "c", 1)
            .replacen("sh", "s", 1);
        let s = match s.strip_suffix('g') {
            Some(stem) if stem.ends_with("an") || stem.ends_with("en") || stem.ends_with("in") => {
                stem.to_string()
            }
            _ => s,
        };
        text.push_str(&s);
    }
    text
}

fn ranked(by_reading: HashMap<String, Vec<(u64, String)>>) -> HashMap<String, Vec<String>> {
    by_reading
        .into_iter()
        .map(|(reading, mut words)| {
            words.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            let words = words.into_iter().take(MAX_WORDS).map(|(_, w)| w).collect();
            (reading, words)
        })
        .collect()
}

/// The fewest pieces of `letters` that are all keys of `words` (longest first among equals).
fn split(letters: &str, words: &HashMap<String, Vec<String>>) -> Option<Vec<Choices>> {
    let n = letters.len();
    // best[i]: the fewest pieces covering letters[..i], and where the last one starts.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[0] = Some((0, 0));
    for end in 1..=n {
        for start in end.saturating_sub(MAX_READING)..end {
            let Some((pieces, _)) = best[start] else {
                continue;
            };
            if words.contains_key(&letters[start..end])
                && best[end].is_none_or(|(fewest, _)| pieces + 1 < fewest)
            {
                best[end] = Some((pieces + 1, start));
            }
        }
    }
    best[n]?;
    let mut pieces = Vec::new();
    let mut end = n;
    while end > 0 {
        let (_, start) = best[end]?;
        pieces.push(words[&letters[start..end]].clone());
        end = start;
    }
    pieces.reverse();
    Some(pieces)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn readings() -> Readings {
        Readings::new(
            [
                ("乱码", 3, true),
                ("配置", 9, true),
                ("解析", 2, true),
                ("失败", 7, true),
                ("设备", 2, true),
                ("白名单", 5, true),
                ("域名", 8, true),
                ("参数", 4, false),
                ("码", 1, true),
                ("步骤", 3, true),
            ]
            .into_iter(),
        )
    }

    #[test]
    fn pinyin_whole_or_initials_finds_the_words_of_the_index() {
        let r = readings();
        assert_eq!(r.spell("jiexi"), Some(vec![vec!["解析".to_string()]]));
        assert_eq!(
            r.spell("jiexishibai"),
            Some(vec![vec!["解析".to_string()], vec!["失败".to_string()]])
        );
        assert_eq!(
            r.spell("ymbmd"),
            Some(vec![vec!["域名".to_string()], vec!["白名单".to_string()]])
        );
        // Initials choose among the words of titles and tags, most common first.
        assert_eq!(
            r.spell("sb"),
            Some(vec![vec!["失败".to_string(), "设备".to_string()]])
        );
        // A body's word is found by its whole reading, not by initials.
        assert_eq!(r.spell("canshu"), Some(vec![vec!["参数".to_string()]]));
        assert_eq!(r.spell("cs"), None);
        assert_eq!(r.spell("sbsb"), None, "each word once");
        assert_eq!(r.spell("ymbmdymjx"), None, "a short run of initials");
        // English, or a part that reads as nothing: not pinyin.
        assert_eq!(r.spell("long"), None);
        assert_eq!(r.spell("jiexix"), None);
        assert_eq!(r.spell("ma"), None, "single characters are not kept");
    }

    #[test]
    fn a_lone_syllable_or_a_question_word_in_pinyin_is_quiet() {
        let r = readings();
        for quiet in ["ma", "pei", "zenme", "weishenme", "ruhe"] {
            assert!(r.is_quiet(quiet), "{quiet}");
        }
        for word in ["luanma", "peizhi", "https", "long"] {
            assert!(!r.is_quiet(word), "{word}");
        }
    }

    #[test]
    fn homophones_read_the_same() {
        let r = readings();
        assert_eq!(r.homophones("乱马"), Some(vec![vec!["乱码".to_string()]]));
        assert_eq!(r.homophones("陪置"), Some(vec![vec!["配置".to_string()]]));
        assert_eq!(r.homophones("餐数"), Some(vec![vec!["参数".to_string()]]));
        assert_eq!(r.homophones("步奏"), Some(vec![vec!["步骤".to_string()]]));
        assert_eq!(r.homophones("苹果"), None);
        assert_eq!(r.homophones("abc"), None);
    }
}
