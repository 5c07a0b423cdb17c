//! A [`Plan`] as tantivy queries: all words, any word, each group alone, weighted by rarity,
//! and phrases over the whole words; each word searched in the title, tags and body.

use tantivy::Term;
use tantivy::query::{
    BooleanQuery, BoostQuery, DisjunctionMaxQuery, FuzzyTermQuery, Occur, PhraseQuery, Query,
    TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};

use super::plan::*;
use super::schema::Fields;

const TITLE_BOOST: f32 = 3.0;
const TAGS_BOOST: f32 = 2.0;
const BODY_BOOST: f32 = 1.0;
const FUZZY_BOOST: f32 = 0.3;
const PHRASE_BOOST: f32 = 1.5;
/// What the other words of a group add to its best one's score. Chosen on
/// the tuning halves, in the search then (mean with the neighbours: the sum of all, 0.850; 0.1,
/// 0.854; 0.3, 0.856; 0.5, 0.855).
pub(super) const SYNONYM_TIE_BREAKER: f32 = 0.3;

/// The fields a word is searched in, each with its weight.
pub(super) fn weighted_fields(fields: &Fields) -> [(Field, f32); 3] {
    [
        (fields.title, TITLE_BOOST),
        (fields.tags, TAGS_BOOST),
        (fields.body, BODY_BOOST),
    ]
}

impl Plan {
    /// Matches entries with at least one group, scored by BM25. `None` when the query has no
    /// words.
    pub(super) fn any_query(&self, fields: &Fields) -> Option<Box<dyn Query>> {
        if self.groups.is_empty() {
            return None;
        }
        // One flat union: nested unions score the same (a sum of sums) but cost a buffer refill
        // per level, and a union of plain terms lets tantivy skip blocks that cannot score.
        // Each synonym group is scored by its best word afterwards, over the pool only
        // (`held::groups_scored`): here it cost a fifth of the distinct searches a second.
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

    /// The entries holding group `i`, scored by its best way of saying it.
    pub(super) fn best_of_group_query(&self, i: usize, fields: &Fields) -> Box<dyn Query> {
        best_of_group(&self.groups[i], fields, Several::Mean)
    }

    /// The query's whole words in order, joined by spaces: what [`super::analysis::tag_key`] makes of a
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
                        best_of_group(&self.groups[i], fields, Several::Sum),
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

fn field_queries(token: &str, fields: &Fields, scale: f32) -> Vec<(Occur, Box<dyn Query>)> {
    weighted_fields(fields)
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

/// A group scored by its best word: one idea, however many words say it, so an entry is not
/// scored once per synonym it happens to use (乱码, 编码, 中文乱码). Tickets' query, and what
/// `held::groups_scored` computes for the search's pool (tuning tickets with the neighbours
/// 0.74 → 0.78).
fn best_of_group(group: &Group, fields: &Fields, several: Several) -> Box<dyn Query> {
    if group.alternatives.len() < 2 && several == Several::Sum {
        return group_query(group, fields);
    }
    Box::new(DisjunctionMaxQuery::with_tie_breaker(
        alternative_queries(group, fields, several),
        SYNONYM_TIE_BREAKER,
    ))
}

fn group_query(group: &Group, fields: &Fields) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(group_clauses(group, fields)))
}

/// The optional clauses of one group: any of them matching means the group matches.
fn group_clauses(group: &Group, fields: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for alt in &group.alternatives {
        match alt.tokens.as_slice() {
            [token] => clauses.extend(field_queries(token, fields, alt.boost)),
            _ => clauses.push((Occur::Should, alternative_query(alt, fields, Several::Sum))),
        }
    }
    clauses.extend(loose_clauses(group, fields));
    clauses
}

/// Each way of matching a group as one query: each alternative (its words in any field), and
/// its typo variants and prefix together.
fn alternative_queries(group: &Group, fields: &Fields, several: Several) -> Vec<Box<dyn Query>> {
    let mut queries: Vec<Box<dyn Query>> = group
        .alternatives
        .iter()
        .map(|alt| alternative_query(alt, fields, several))
        .collect();
    let loose = loose_clauses(group, fields);
    if !loose.is_empty() {
        queries.push(Box::new(BooleanQuery::new(loose)));
    }
    queries
}

/// One alternative: every one of its words, each in any field.
fn alternative_query(alt: &Alternative, fields: &Fields, several: Several) -> Box<dyn Query> {
    let weight = alt.weight(several);
    match alt.tokens.as_slice() {
        [token] => Box::new(BooleanQuery::new(field_queries(token, fields, weight))),
        tokens => Box::new(BooleanQuery::new(
            tokens
                .iter()
                .map(|t| {
                    let q: Box<dyn Query> =
                        Box::new(BooleanQuery::new(field_queries(t, fields, weight)));
                    (Occur::Must, q)
                })
                .collect(),
        )),
    }
}

/// A group's typo variants and unfinished prefix, weighted below its exact words.
fn loose_clauses(group: &Group, fields: &Fields) -> Vec<(Occur, Box<dyn Query>)> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
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
