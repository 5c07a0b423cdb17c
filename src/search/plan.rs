//! Turns the text of the search box into a plan of word groups, which [`super::queries`]
//! makes into tantivy queries and [`super::aloud`] widens with pinyin, homophones and codes.
//!
//! Each word of the query becomes a *group*: the word itself, or all of its parts, or any word of
//! its synonym group, or (for long Latin words) a word one or two edits away. The all-terms query
//! needs every group; the any-terms query needs one. A phrase query over the whole words boosts
//! entries that have them in the same order.

use std::collections::{HashMap, HashSet};

use super::analysis::{self, Mode, Token};
use super::{MAX_QUERY_CHARS, Settings};

pub(super) const SYNONYM_BOOST: f32 = 0.8;
pub(super) const PARTS_BOOST: f32 = 0.7;
pub(super) const MAX_GROUPS: usize = 16;

/// Tokens that must all appear (in any field), with a weight.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Alternative {
    pub(super) tokens: Vec<String>,
    pub(super) boost: f32,
}

/// How a way of saying a group in several words (secure domain, 服务器域名白名单) is scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Several {
    /// Its words' scores added: the first pass, and tickets (whose tuning half fell 0.78 →
    /// 0.75 with the mean).
    Sum,
    /// Their mean, as one word would score: the search's pool (where a group's typo variants,
    /// too, count as one more way of saying it: best plus 0.3). Added, they outscored the
    /// group's own word (whitelist) wherever they were (tuning with the neighbours 0.863 →
    /// 0.868, alone 0.895 → 0.896).
    Mean,
}

impl Alternative {
    /// What each of its words' scores is multiplied by: the boost, over the number of words
    /// when they are scored by their mean.
    pub(super) fn weight(&self, several: Several) -> f32 {
        match several {
            Several::Sum => self.boost,
            Several::Mean => self.boost / self.tokens.len().max(1) as f32,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The words of the query this group stands for.
    pub label: String,
    pub(super) alternatives: Vec<Alternative>,
    /// Latin tokens that may match with typos: (token, edit distance).
    pub(super) fuzzy: Vec<(String, u8)>,
    /// An unfinished last word, for search as you type.
    pub(super) prefix: Option<String>,
    /// A word that names no topic (失败, 小程序): matching it alone answers nothing.
    pub generic: bool,
    /// A word of a class that names no topic by the dictionary (一个, 必须, 以后): not counted
    /// among the topics an entry holds, though the query still asks for it.
    pub(super) function: bool,
    /// Byte range of the words in the query.
    pub span: (usize, usize),
}

/// Synonym groups and generic words, each word analysed the way queries are.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group: its words as token sequences.
    pub(super) groups: Vec<Vec<Vec<String>>>,
    /// Token sequence of a word → its group.
    pub(super) by_words: HashMap<Vec<String>, usize>,
    pub(super) longest: usize,
    /// Generic words as token sequences, with every synonym of one (报错 when 失败 is generic).
    pub(super) generic: HashSet<Vec<String>>,
}

impl Synonyms {
    pub fn new(groups: &[Vec<String>], generic: &[String], mode: Mode) -> Synonyms {
        let words = |word: &str| -> Vec<String> {
            analysis::analyze(word, mode)
                .into_iter()
                .filter(|t| t.primary)
                .map(|t| t.text)
                .collect()
        };
        let mut synonyms = Synonyms::default();
        for (i, group) in groups.iter().enumerate() {
            let mut analysed = Vec::new();
            for word in group {
                let tokens = words(word);
                if tokens.is_empty() {
                    continue;
                }
                synonyms.longest = synonyms.longest.max(tokens.len());
                synonyms.by_words.entry(tokens.clone()).or_insert(i);
                analysed.push(tokens);
            }
            synonyms.groups.push(analysed);
        }
        for word in generic {
            let tokens = words(word);
            match synonyms.by_words.get(&tokens) {
                Some(&g) => synonyms.generic.extend(synonyms.groups[g].iter().cloned()),
                None if !tokens.is_empty() => {
                    synonyms.generic.insert(tokens);
                }
                None => {}
            }
        }
        synonyms
    }

    /// Whether a word (as tokens) is generic, or made only of generic words. A lone Chinese
    /// character (能, 用, 拿) is too: it names nothing by itself. (Several in a row, as jieba
    /// splits a word it does not know, such as 卡顿, do.)
    pub(super) fn is_generic(&self, tokens: &[String]) -> bool {
        match tokens {
            [] => false,
            [token] if token.chars().count() == 1 && !token.is_ascii() => true,
            _ => {
                self.generic.contains(tokens)
                    || tokens
                        .iter()
                        .all(|t| self.generic.contains(std::slice::from_ref(t)))
            }
        }
    }
}

/// What a query will search for.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// The query as read: control characters removed, trimmed to [`MAX_QUERY_CHARS`].
    pub query: String,
    /// The query in mainland wording ([`analysis::mainland`]): what the words were read from
    /// and the groups' spans point into.
    pub(super) text: String,
    pub groups: Vec<Group>,
    /// Whole words with their positions, for the phrase boost.
    pub(super) phrase: Vec<(usize, String)>,
}

/// One whole word of the query with the parts inside it.
pub(super) struct Unit {
    pub(super) word: Token,
    pub(super) parts: Vec<Token>,
}

impl Plan {
    pub fn new(raw: &str, synonyms: &Synonyms, settings: Settings, prefix_last: bool) -> Plan {
        Plan::read(
            raw,
            synonyms,
            settings,
            prefix_last,
            MAX_QUERY_CHARS,
            MAX_GROUPS,
        )
    }

    /// A whole message (a ticket, a chat), read to its end: one group per word, as many as it
    /// has, and no typo variants (a long text has enough real words).
    pub fn for_text(raw: &str, synonyms: &Synonyms, settings: Settings, max_chars: usize) -> Plan {
        let settings = Settings {
            typos: false,
            ..settings
        };
        Plan::read(raw, synonyms, settings, false, max_chars, usize::MAX)
    }

    pub(super) fn read(
        raw: &str,
        synonyms: &Synonyms,
        settings: Settings,
        prefix_last: bool,
        max_chars: usize,
        max_groups: usize,
    ) -> Plan {
        let query: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(max_chars)
            .collect::<String>()
            .trim()
            .to_string();
        let text = analysis::mainland(&query).into_owned();
        let tokens = analysis::analyze(&text, settings.mode);
        let units = units(tokens);
        let mut phrase: Vec<(usize, String)> = units
            .iter()
            .map(|u| (u.word.position, u.word.text.clone()))
            .collect();
        // One term per position, in order: a phrase query needs both.
        phrase.sort_by_key(|(pos, _)| *pos);
        phrase.dedup_by_key(|(pos, _)| *pos);

        let words: Vec<String> = units.iter().map(|u| u.word.text.clone()).collect();
        let mut groups = Vec::new();
        let mut i = 0;
        while i < units.len() && groups.len() < max_groups {
            let (group, used) = group_at(&text, &units, &words, i, synonyms, settings);
            groups.push(group);
            i += used;
        }
        if prefix_last
            && !query.ends_with(char::is_whitespace)
            && let (Some(group), Some(unit)) = (groups.last_mut(), units.last())
            && unit.word.text.is_ascii()
        {
            group.prefix = Some(unit.word.text.clone());
        }
        Plan {
            query,
            text,
            groups,
            phrase,
        }
    }

    /// Drops the ways of saying group `i` that no entry holds (`exists` says which tokens some
    /// entry does): they match nothing, and each costs a scorer per field. Its first way stays,
    /// as the group's key.
    pub(super) fn keep_held(&mut self, i: usize, exists: impl Fn(&str) -> bool) {
        let mut first = true;
        self.groups[i].alternatives.retain(|alt| {
            std::mem::take(&mut first) || alt.tokens.iter().all(|token| exists(token))
        });
    }

    /// Keeps typo variants only for the tokens `keep` accepts (those the index lacks).
    pub(super) fn keep_typos_for(&mut self, keep: impl Fn(&str) -> bool) {
        for group in &mut self.groups {
            group.fuzzy.retain(|(token, _)| keep(token));
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Script {
    Latin,
    /// Chinese the index lacks.
    Han,
    /// One Chinese character the index has.
    HanChar,
}

/// Groups tokens into whole words, each with the parts that lie inside it.
pub(super) fn units(tokens: Vec<Token>) -> Vec<Unit> {
    let end = |t: &Token| t.position + t.text.chars().count();
    let (words, parts): (Vec<Token>, Vec<Token>) = tokens.into_iter().partition(|t| t.primary);
    let mut units: Vec<Unit> = words
        .into_iter()
        .map(|word| Unit {
            word,
            parts: Vec::new(),
        })
        .collect();
    for part in parts {
        // A lone Chinese character (不 in 不生效) matches everything: not a useful part.
        if part.text.chars().count() == 1 && !part.text.is_ascii() {
            continue;
        }
        // Whole words do not overlap and come in order: the last one starting at or before
        // the part is the only one that may hold it, found by halving (a ticket has thousands).
        let after = units.partition_point(|u| u.word.position <= part.position);
        if let Some(unit) = after.checked_sub(1).map(|i| &mut units[i])
            && part.position < end(&unit.word)
            && !unit.parts.iter().any(|p| p.text == part.text)
        {
            unit.parts.push(part);
        }
    }
    units
}

/// The group starting at unit `i`, and how many units it covers (several when they form a
/// synonym). `unit_words` are the units' words, looked up in the synonyms without a copy.
pub(super) fn group_at(
    query: &str,
    units: &[Unit],
    unit_words: &[String],
    i: usize,
    synonyms: &Synonyms,
    settings: Settings,
) -> (Group, usize) {
    for len in (1..=synonyms.longest.min(units.len() - i)).rev() {
        let words = &unit_words[i..i + len];
        if let Some(&g) = synonyms.by_words.get(words) {
            let mut group = unit_group(query, &units[i..i + len], synonyms, settings);
            // A synonym names what its group names: "not working" is 不生效, though its
            // words alone are generic.
            if len > 1 {
                group.generic = synonyms.generic.contains(words);
            }
            for synonym in &synonyms.groups[g] {
                if synonym != words {
                    group.alternatives.push(Alternative {
                        tokens: synonym.clone(),
                        boost: SYNONYM_BOOST,
                    });
                }
            }
            return (group, len);
        }
    }
    (unit_group(query, &units[i..=i], synonyms, settings), 1)
}

/// The words of `units` all together, or (for a single word) its parts all together.
pub(super) fn unit_group(
    query: &str,
    units: &[Unit],
    synonyms: &Synonyms,
    settings: Settings,
) -> Group {
    let from = units[0].word.from;
    let to = units[units.len() - 1].word.to;
    let mut alternatives = vec![Alternative {
        tokens: units.iter().map(|u| u.word.text.clone()).collect(),
        boost: 1.0,
    }];
    if let [unit] = units
        && !unit.parts.is_empty()
    {
        alternatives.push(Alternative {
            tokens: unit.parts.iter().map(|p| p.text.clone()).collect(),
            boost: PARTS_BOOST,
        });
    }
    let mut fuzzy = Vec::new();
    if settings.typos {
        for unit in units {
            for token in std::iter::once(&unit.word).chain(&unit.parts) {
                if let Some(distance) = typo_distance(&token.text)
                    && !fuzzy.iter().any(|(t, _)| t == &token.text)
                {
                    fuzzy.push((token.text.clone(), distance));
                }
            }
        }
    }
    // Generic when the words are, or when one word is made only of generic words (小程序请求;
    // not 请求头, whose one part is all that is generic about it).
    let generic = synonyms.is_generic(&alternatives[0].tokens)
        || alternatives
            .get(1)
            .is_some_and(|parts| parts.tokens.len() > 1 && synonyms.is_generic(&parts.tokens));
    let function = match alternatives[0].tokens.as_slice() {
        [word] => {
            !synonyms.by_words.contains_key(&alternatives[0].tokens)
                && analysis::names_no_topic(word)
        }
        _ => false,
    };
    Group {
        label: query.get(from..to).unwrap_or_default().to_string(),
        alternatives,
        fuzzy,
        prefix: None,
        generic,
        function,
        span: (from, to),
    }
}

/// Edit distance allowed for a Latin word: 1 from 4 letters on, 2 from 9; none for codes or Chinese.
pub(super) fn typo_distance(token: &str) -> Option<u8> {
    let letters = token.chars().filter(|c| c.is_ascii_alphabetic()).count();
    if !token.is_ascii() || letters * 2 < token.len() {
        return None;
    }
    match token.chars().count() {
        0..=3 => None,
        4..=8 => Some(1),
        _ => Some(2),
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;

    pub(crate) fn plan(q: &str, synonyms: &[&[&str]]) -> Plan {
        let groups: Vec<Vec<String>> = synonyms
            .iter()
            .map(|g| g.iter().map(|s| s.to_string()).collect())
            .collect();
        Plan::new(
            q,
            &Synonyms::new(&groups, &[], Mode::Full),
            Settings::FULL,
            false,
        )
    }

    #[test]
    pub(super) fn one_group_per_word_with_its_parts() {
        let p = plan("域名白名单 my.request", &[]);
        assert_eq!(p.groups.len(), 2);
        assert_eq!(p.groups[0].label, "域名白名单");
        let parts = &p.groups[0].alternatives[1].tokens;
        assert!(
            parts.contains(&"域名".to_string()) && parts.contains(&"白名单".to_string()),
            "{parts:?}"
        );
        assert_eq!(p.groups[1].alternatives[0].tokens, ["my.request"]);
        // `my`, the namespace of every API, is a stop word: only its other part is kept.
        assert_eq!(p.groups[1].alternatives[1].tokens, ["request"]);
    }

    #[test]
    pub(super) fn each_part_joins_the_word_it_lies_in_however_long_the_text() {
        let text = "域名白名单 my.request ".repeat(200);
        let p = Plan::for_text(&text, &Synonyms::default(), Settings::FULL, text.len());
        assert_eq!(p.groups.len(), 400);
        for group in &p.groups {
            let [word, parts] = group.alternatives.as_slice() else {
                panic!("{group:?}");
            };
            let parts: Vec<&str> = parts.tokens.iter().map(String::as_str).collect();
            match word.tokens[0].as_str() {
                "域名白名单" => assert!(parts.contains(&"白名单"), "{parts:?}"),
                "my.request" => assert_eq!(parts, ["request"]),
                other => panic!("{other}"),
            }
        }
    }

    #[test]
    pub(super) fn only_the_ways_of_saying_a_word_some_entry_holds_are_kept() {
        let mut p = plan("报错", &[&["报错", "错误", "异常"]]);
        p.keep_held(0, |token| token == "异常");
        let kept: Vec<_> = p.groups[0]
            .alternatives
            .iter()
            .map(|a| a.tokens.join(" "))
            .collect();
        // The first stays whatever the index holds: it is the group's key.
        assert_eq!(kept, ["报错", "异常"]);
    }

    #[test]
    pub(super) fn synonyms_join_a_group_even_across_words() {
        let p = plan(
            "手机 上 请求 报错",
            &[&["手机", "真机"], &["报错", "错误", "异常"]],
        );
        let labels: Vec<_> = p.groups.iter().map(|g| g.label.as_str()).collect();
        assert_eq!(labels, ["手机", "上", "请求", "报错"]);
        let alts: Vec<_> = p.groups[3]
            .alternatives
            .iter()
            .map(|a| a.tokens.join(" "))
            .collect();
        assert_eq!(alts, ["报错", "错误", "异常"]);
        let p = plan("入参 有误", &[&["入参有误", "参数错误"]]);
        assert_eq!(p.groups.len(), 1, "{:?}", p.groups);
    }

    #[test]
    pub(super) fn typo_tolerance_only_for_long_latin_words() {
        assert_eq!(typo_distance("cookie"), Some(1));
        assert_eq!(typo_distance("getappidsync"), Some(2));
        assert_eq!(typo_distance("json"), Some(1));
        assert_eq!(typo_distance("ios"), None);
        assert_eq!(typo_distance("22106"), None);
        assert_eq!(typo_distance("白名单白名单"), None);
    }

    #[test]
    pub(super) fn queries_are_text_not_syntax() {
        for q in [
            "\"未闭合",
            "title:",
            "a AND",
            "(N22106",
            "https:",
            "*",
            "\\\\",
            "\u{0}\u{7}",
            "<script>代理",
        ] {
            let _ = plan(q, &[]);
        }
        assert!(plan("*", &[]).groups.is_empty());
        assert_eq!(plan("(N22106", &[]).groups[0].label, "N22106");
        let long = "很长".repeat(10_000);
        assert_eq!(plan(&long, &[]).query.chars().count(), MAX_QUERY_CHARS);
    }
}
