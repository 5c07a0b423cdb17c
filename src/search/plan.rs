//! Turns the text of the search box into tantivy queries.
//!
//! Each word of the query becomes a *group*: the word itself, or all of its parts, or any word of
//! its synonym group, or (for long Latin words) a word one or two edits away. The all-terms query
//! needs every group; the any-terms query needs one. A phrase query over the whole words boosts
//! entries that have them in the same order.

use std::collections::{HashMap, HashSet};

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, PhraseQuery, Query, TermQuery,
};
use tantivy::schema::IndexRecordOption;

use super::analysis::{self, Mode, Token};
use super::readings::Readings;
use super::{Fields, MAX_QUERY_CHARS, Settings};

const TITLE_BOOST: f32 = 3.0;
const TAGS_BOOST: f32 = 2.0;
const BODY_BOOST: f32 = 1.0;
const SYNONYM_BOOST: f32 = 0.8;
const PARTS_BOOST: f32 = 0.7;
const FUZZY_BOOST: f32 = 0.3;
/// A word found by its reading (pinyin, or an input method's homophone): below the word typed.
const READING_BOOST: f32 = 0.6;
/// The most words of a query read as one run (`qing qiu chao shi`): a word typed wrong is a
/// few characters, and each run is tried at every length.
const MAX_READ_RUN: usize = 8;
const PHRASE_BOOST: f32 = 1.5;
const MAX_GROUPS: usize = 16;

/// Tokens that must all appear (in any field), with a weight.
#[derive(Debug, Clone, PartialEq)]
struct Alternative {
    tokens: Vec<String>,
    boost: f32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    /// The words of the query this group stands for.
    pub label: String,
    alternatives: Vec<Alternative>,
    /// Latin tokens that may match with typos: (token, edit distance).
    fuzzy: Vec<(String, u8)>,
    /// An unfinished last word, for search as you type.
    prefix: Option<String>,
    /// A word that names no topic (失败, 小程序): matching it alone answers nothing.
    pub generic: bool,
    /// Byte range of the words in the query.
    pub span: (usize, usize),
}

/// Synonym groups and generic words, each word analysed the way queries are.
#[derive(Debug, Clone, Default)]
pub struct Synonyms {
    /// Each group: its words as token sequences.
    groups: Vec<Vec<Vec<String>>>,
    /// Token sequence of a word → its group.
    by_words: HashMap<Vec<String>, usize>,
    longest: usize,
    /// Generic words as token sequences, with every synonym of one (报错 when 失败 is generic).
    generic: HashSet<Vec<String>>,
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
    fn is_generic(&self, tokens: &[String]) -> bool {
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
    pub groups: Vec<Group>,
    /// Whole words with their positions, for the phrase boost.
    phrase: Vec<(usize, String)>,
}

/// One whole word of the query with the parts inside it.
struct Unit {
    word: Token,
    parts: Vec<Token>,
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

    fn read(
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
        let tokens = analysis::analyze(&query, settings.mode);
        let units = units(tokens);
        let mut phrase: Vec<(usize, String)> = units
            .iter()
            .map(|u| (u.word.position, u.word.text.clone()))
            .collect();
        // One term per position, in order: a phrase query needs both.
        phrase.sort_by_key(|(pos, _)| *pos);
        phrase.dedup_by_key(|(pos, _)| *pos);

        let mut groups = Vec::new();
        let mut i = 0;
        while i < units.len() && groups.len() < max_groups {
            let (group, used) = group_at(&query, &units, i, synonyms, settings);
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
            groups,
            phrase,
        }
    }

    /// Keeps typo variants only for the tokens `keep` accepts (those the index lacks).
    pub(super) fn keep_typos_for(&mut self, keep: impl Fn(&str) -> bool) {
        for group in &mut self.groups {
            group.fuzzy.retain(|(token, _)| keep(token));
        }
    }

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
                    .map(|g| g.alternatives[0].tokens.concat())
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
                groups.push(self.groups[i].clone());
                i += 1;
                continue;
            };
            let span = (self.groups[i].span.0, self.groups[to - 1].span.1);
            let label = self
                .query
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
                    span,
                });
            }
            i = to;
        }
        self.groups = groups;
    }

    /// Matches entries with at least one group, scored by BM25. `None` when the query has no
    /// words.
    pub(super) fn any_query(&self, fields: &Fields) -> Option<Box<dyn Query>> {
        if self.groups.is_empty() {
            return None;
        }
        // One flat union: nested unions score the same (a sum of sums) but cost a buffer refill
        // per level, and a union of plain terms lets tantivy skip blocks that cannot score.
        let clauses: Vec<(Occur, Box<dyn Query>)> = self
            .groups
            .iter()
            .flat_map(|g| group_clauses(g, fields))
            .collect();
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// The entries holding group `i`.
    pub(super) fn group_query(&self, i: usize, fields: &Fields) -> Box<dyn Query> {
        group_query(&self.groups[i], fields)
    }

    /// The query's whole words in order, joined by spaces: what [`super::tag_key`] makes of a
    /// tag, so a query that is exactly a tag is seen without analysing it again.
    pub(super) fn whole_words(&self) -> String {
        let words: Vec<&str> = self.phrase.iter().map(|(_, w)| w.as_str()).collect();
        words.join(" ")
    }

    /// One query for some groups, each weighted: the entries holding any of them, scored by
    /// BM25 times each group's weight.
    pub(super) fn weighted_query(
        &self,
        weights: &[(usize, f32)],
        fields: &Fields,
    ) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            weights
                .iter()
                .map(|&(i, weight)| {
                    let q: Box<dyn Query> = Box::new(BoostQuery::new(
                        group_query(&self.groups[i], fields),
                        weight,
                    ));
                    (Occur::Should, q)
                })
                .collect(),
        ))
    }

    /// The words of group `i` as token sequences (the word, its parts, its synonyms).
    pub(super) fn group_words(&self, i: usize) -> impl Iterator<Item = &[String]> {
        self.groups[i]
            .alternatives
            .iter()
            .map(|a| a.tokens.as_slice())
    }

    /// Whether group `i` is only its exact words: no typo variants or unfinished prefix, whose
    /// words are only known once the index is read.
    pub(super) fn is_exact(&self, i: usize) -> bool {
        let group = &self.groups[i];
        group.fuzzy.is_empty() && group.prefix.is_none()
    }

    /// How many entries hold group `i`, about: the most any of its words (or synonyms) is in,
    /// given each token's count by `doc_freq`. Typo variants are not counted.
    pub(super) fn doc_freq(&self, i: usize, doc_freq: impl Fn(&str) -> u64) -> u64 {
        self.groups[i]
            .alternatives
            .iter()
            .map(|alt| alt.tokens.iter().map(|t| doc_freq(t)).min().unwrap_or(0))
            .max()
            .unwrap_or(0)
    }

    /// The whole words in order (a little slop allowed): one query for the title, one for the
    /// body, whose scores are added to the candidates they match. None for a single word or a
    /// very long query.
    pub(super) fn phrase_queries(&self, fields: &Fields) -> Vec<Box<dyn Query>> {
        if self.phrase.len() < 2 || self.phrase.len() > 8 {
            return Vec::new();
        }
        let base = self.phrase[0].0;
        [fields.title, fields.body]
            .into_iter()
            .map(|field| {
                let terms = self
                    .phrase
                    .iter()
                    .map(|(pos, text)| (pos - base, Term::from_field_text(field, text)))
                    .collect();
                let phrase = PhraseQuery::new_with_offset_and_slop(terms, 2);
                Box::new(BoostQuery::new(Box::new(phrase), PHRASE_BOOST)) as Box<dyn Query>
            })
            .collect()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Script {
    Latin,
    /// Chinese the index lacks.
    Han,
    /// One Chinese character the index has.
    HanChar,
}

/// Groups tokens into whole words, each with the parts that lie inside it.
fn units(tokens: Vec<Token>) -> Vec<Unit> {
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
        if let Some(unit) = units
            .iter_mut()
            .find(|u| u.word.position <= part.position && part.position < end(&u.word))
            && !unit.parts.iter().any(|p| p.text == part.text)
        {
            unit.parts.push(part);
        }
    }
    units
}

/// The group starting at unit `i`, and how many units it covers (several when they form a synonym).
fn group_at(
    query: &str,
    units: &[Unit],
    i: usize,
    synonyms: &Synonyms,
    settings: Settings,
) -> (Group, usize) {
    for len in (1..=synonyms.longest.min(units.len() - i)).rev() {
        let words: Vec<String> = units[i..i + len]
            .iter()
            .map(|u| u.word.text.clone())
            .collect();
        if let Some(&g) = synonyms.by_words.get(&words) {
            let mut group = unit_group(query, &units[i..i + len], synonyms, settings);
            // A synonym names what its group names: "not working" is 不生效, though its
            // words alone are generic.
            if len > 1 {
                group.generic = synonyms.generic.contains(&words);
            }
            for synonym in &synonyms.groups[g] {
                if *synonym != words {
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
fn unit_group(query: &str, units: &[Unit], synonyms: &Synonyms, settings: Settings) -> Group {
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
    Group {
        label: query.get(from..to).unwrap_or_default().to_string(),
        alternatives,
        fuzzy,
        prefix: None,
        generic,
        span: (from, to),
    }
}

/// Edit distance allowed for a Latin word: 1 from 4 letters on, 2 from 9; none for codes or Chinese.
fn typo_distance(token: &str) -> Option<u8> {
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

fn field_queries(token: &str, fields: &Fields, scale: f32) -> Vec<(Occur, Box<dyn Query>)> {
    [
        (fields.title, TITLE_BOOST),
        (fields.tags, TAGS_BOOST),
        (fields.body, BODY_BOOST),
    ]
    .into_iter()
    .map(|(field, boost)| {
        let term = TermQuery::new(
            Term::from_field_text(field, token),
            IndexRecordOption::WithFreqs,
        );
        let q: Box<dyn Query> = Box::new(BoostQuery::new(Box::new(term), boost * scale));
        (Occur::Should, q)
    })
    .collect()
}

fn group_query(group: &Group, fields: &Fields) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(group_clauses(group, fields)))
}

/// The optional clauses of one group: any of them matching means the group matches.
fn group_clauses(group: &Group, fields: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for alt in &group.alternatives {
        let q: Box<dyn Query> = match alt.tokens.as_slice() {
            [token] => {
                clauses.extend(field_queries(token, fields, alt.boost));
                continue;
            }
            tokens => Box::new(BooleanQuery::new(
                tokens
                    .iter()
                    .map(|t| {
                        let q: Box<dyn Query> =
                            Box::new(BooleanQuery::new(field_queries(t, fields, alt.boost)));
                        (Occur::Must, q)
                    })
                    .collect(),
            )),
        };
        clauses.push((Occur::Should, q));
    }
    for (token, distance) in &group.fuzzy {
        for field in [fields.title, fields.tags, fields.body] {
            let fuzzy = FuzzyTermQuery::new(Term::from_field_text(field, token), *distance, true);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(fuzzy), FUZZY_BOOST)),
            ));
        }
    }
    if let Some(prefix) = &group.prefix {
        for field in [fields.title, fields.tags] {
            let q = FuzzyTermQuery::new_prefix(Term::from_field_text(field, prefix), 0, false);
            clauses.push((
                Occur::Should,
                Box::new(BoostQuery::new(Box::new(q), FUZZY_BOOST)),
            ));
        }
    }
    clauses
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(q: &str, synonyms: &[&[&str]]) -> Plan {
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
    fn one_group_per_word_with_its_parts() {
        let p = plan("域名白名单 my.request", &[]);
        assert_eq!(p.groups.len(), 2);
        assert_eq!(p.groups[0].label, "域名白名单");
        let parts = &p.groups[0].alternatives[1].tokens;
        assert!(
            parts.contains(&"域名".to_string()) && parts.contains(&"白名单".to_string()),
            "{parts:?}"
        );
        assert_eq!(p.groups[1].alternatives[0].tokens, ["my.request"]);
        assert_eq!(p.groups[1].alternatives[1].tokens, ["my", "request"]);
    }

    #[test]
    fn synonyms_join_a_group_even_across_words() {
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
        // Characters that only sound like a word, sharing none of it, are not a slip of
        // the input method (junk such as 峦犸 finds nothing through 乱码).
        let mut p = plan("峦犸", &[]);
        p.read_aloud(|_| false, &readings, &synonyms);
        assert!(words(&p).iter().all(|w| w != &["乱码"]), "{:?}", words(&p));
    }

    #[test]
    fn typo_tolerance_only_for_long_latin_words() {
        assert_eq!(typo_distance("cookie"), Some(1));
        assert_eq!(typo_distance("getappidsync"), Some(2));
        assert_eq!(typo_distance("json"), Some(1));
        assert_eq!(typo_distance("ios"), None);
        assert_eq!(typo_distance("22106"), None);
        assert_eq!(typo_distance("白名单白名单"), None);
    }

    #[test]
    fn queries_are_text_not_syntax() {
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
