//! Which query words and groups each candidate holds, read from the postings (a union scorer
//! per word cost more), and the scores of a known set of candidates.

use std::collections::BTreeMap;

use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, TermInfo};
use tantivy::query::Bm25Weight;
use tantivy::query::{EnableScoring, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Searcher, SeekDangerResult, Term};

use super::plan::{Plan, Several};
use super::queries::{SYNONYM_TIE_BREAKER, weighted_fields};
use super::schema::Fields;

/// A group a candidate holds: its score, and whether its title or tags hold it (not only
/// its body).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Held {
    pub(super) score: f32,
    pub(super) headed: bool,
}

impl Held {
    /// Where which field holds it is not read (one word searched alone, typo variants): it
    /// counts as held where it counts most.
    fn anywhere(score: f32) -> Held {
        Held {
            score,
            headed: true,
        }
    }
}

/// For each of `groups` (indices into the plan), whether each candidate holds it.
pub(super) fn groups_held(
    searcher: &Searcher,
    plan: &Plan,
    fields: &Fields,
    groups: &[usize],
    candidates: &[(f32, DocAddress)],
) -> Vec<Vec<bool>> {
    // Every candidate matches at least one group: with one group, all hold it.
    if groups.len() < 2 {
        return vec![vec![true; candidates.len()]; groups.len()];
    }
    by_groups(searcher, plan, fields, groups, candidates, false)
        .into_iter()
        .map(|group| group.into_iter().map(|held| held.is_some()).collect())
        .collect()
}

/// For each of `groups` (indices into the plan), each candidate's score for it when it holds
/// it: the group's best way of saying it, plus [`SYNONYM_TIE_BREAKER`] of the others (as a
/// `DisjunctionMaxQuery` of its alternatives would score), so an entry is not scored once per
/// synonym it uses (乱码, 编码 and 中文乱码 are one idea). Exact groups are scored from the
/// postings read word by word, which costs little more than knowing who holds them; a second
/// tantivy query over the pool cost a fifth of the distinct searches a second.
pub(super) fn groups_scored(
    searcher: &Searcher,
    plan: &Plan,
    fields: &Fields,
    groups: &[usize],
    candidates: &[(f32, DocAddress)],
) -> Vec<Vec<Option<Held>>> {
    // One word searched alone: every candidate holds it, with the score it was found by.
    if let [i] = groups
        && plan.groups[*i].alternatives.len() < 2
    {
        return vec![
            candidates
                .iter()
                .map(|&(score, _)| Some(Held::anywhere(score)))
                .collect(),
        ];
    }
    by_groups(searcher, plan, fields, groups, candidates, true)
}

/// Each group's score in each candidate holding it when `scoring`, else 0 where it holds it
/// (read without the term frequencies and lengths a score needs).
fn by_groups(
    searcher: &Searcher,
    plan: &Plan,
    fields: &Fields,
    groups: &[usize],
    candidates: &[(f32, DocAddress)],
    scoring: bool,
) -> Vec<Vec<Option<Held>>> {
    let mut tokens: Vec<&str> = groups
        .iter()
        .copied()
        .filter(|&i| plan.is_exact(i))
        .flat_map(|i| plan.group_words(i).flatten().map(String::as_str))
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    let by_token = tokens_scored(
        searcher,
        &weighted_fields(fields),
        fields.body,
        &tokens,
        candidates,
        scoring,
    );
    let score = |token: &String, c: usize| {
        tokens
            .binary_search(&token.as_str())
            .ok()
            .and_then(|t| by_token[t][c])
    };
    groups
        .iter()
        .map(|&i| {
            if !plan.is_exact(i) {
                let query = if scoring {
                    plan.best_of_group_query(i, fields)
                } else {
                    plan.group_query(i, fields)
                };
                return scores_of(searcher, &*query, candidates, scoring)
                    .into_iter()
                    .map(|score| score.map(Held::anywhere))
                    .collect();
            }
            (0..candidates.len())
                .map(|c| {
                    let mut headed = false;
                    let ways: Vec<f32> = plan.groups[i]
                        .alternatives
                        .iter()
                        .filter_map(|alt| {
                            // Every word of a way of saying it, or it is not said.
                            let scores: Option<Vec<(f32, bool)>> =
                                alt.tokens.iter().map(|token| score(token, c)).collect();
                            let scores = scores?;
                            headed |= scores.iter().any(|(_, h)| *h);
                            Some(
                                alt.weight(Several::Mean)
                                    * scores.iter().map(|(s, _)| s).sum::<f32>(),
                            )
                        })
                        .collect();
                    let best = ways.iter().copied().reduce(f32::max)?;
                    let all: f32 = ways.iter().sum();
                    Some(Held {
                        score: best + SYNONYM_TIE_BREAKER * (all - best),
                        headed,
                    })
                })
                .collect()
        })
        .collect()
}

/// For each token, its score in each candidate summed over the weighted `fields` where it is
/// in one of them: BM25 over the whole index, as a tantivy `TermQuery` in each field scores it
/// (tantivy's [`Bm25Weight`], with its statistics: deleted entries count until merged away),
/// read with a seek in its posting list per candidate, in doc order. Without `scoring`, a
/// score of 0 where it is, read without term frequencies and lengths. Beside each score: whether
/// a field other than `body` holds it.
fn tokens_scored(
    searcher: &Searcher,
    fields: &[(Field, f32)],
    body: Field,
    tokens: &[&str],
    candidates: &[(f32, DocAddress)],
    scoring: bool,
) -> Vec<Vec<Option<(f32, bool)>>> {
    let mut scores = vec![vec![None; candidates.len()]; tokens.len()];
    let readers = searcher.segment_readers();
    let docs_total: u64 = readers.iter().map(|r| u64::from(r.max_doc())).sum();
    let segments = by_segment(candidates);
    let option = if scoring {
        IndexRecordOption::WithFreqs
    } else {
        IndexRecordOption::Basic
    };
    for &(field, boost) in fields {
        let inverted: Vec<_> = readers
            .iter()
            .map(|r| r.inverted_index(field).ok())
            .collect();
        // Read only to score (tantivy takes a field without them as all of length 1).
        let lengths: Vec<FieldNormReader> = if scoring {
            readers
                .iter()
                .map(|r| {
                    r.get_fieldnorms_reader(field)
                        .unwrap_or_else(|_| FieldNormReader::constant(r.max_doc(), 1))
                })
                .collect()
        } else {
            Vec::new()
        };
        let tokens_total: u64 = inverted
            .iter()
            .flatten()
            .map(|i| i.total_num_tokens())
            .sum();
        let average_length = tokens_total as f32 / docs_total.max(1) as f32;
        for (t, token) in tokens.iter().enumerate() {
            let term = Term::from_field_text(field, token);
            // The term in each segment, and how many entries hold it in all of them.
            let infos: Vec<Option<TermInfo>> = inverted
                .iter()
                .map(|index| index.as_ref()?.get_term_info(&term).ok().flatten())
                .collect();
            let holding: u64 = infos.iter().flatten().map(|i| u64::from(i.doc_freq)).sum();
            if holding == 0 {
                continue;
            }
            let weight =
                Bm25Weight::for_one_term_without_explain(holding, docs_total, average_length)
                    .boost_by(boost);
            for (&segment, docs) in &segments {
                let segment = segment as usize;
                let (Some(Some(info)), Some(Some(index))) =
                    (infos.get(segment), inverted.get(segment))
                else {
                    continue;
                };
                let Ok(mut postings) = index.read_postings_from_terminfo(info, option) else {
                    continue;
                };
                for &(doc, c) in docs {
                    // Seeks only go forward; past the end, `doc()` is TERMINATED.
                    if postings.doc() <= doc && postings.seek(doc) == doc {
                        let score = if scoring {
                            let length = lengths[segment].fieldnorm_id(doc);
                            weight.score(length, postings.term_freq())
                        } else {
                            0.0
                        };
                        let held = scores[t][c].get_or_insert((0.0, false));
                        held.0 += score;
                        held.1 |= field != body;
                    }
                }
            }
        }
    }
    scores
}

/// The candidates of each segment, in doc order: (doc, index among the candidates).
pub(super) fn by_segment(candidates: &[(f32, DocAddress)]) -> BTreeMap<u32, Vec<(DocId, usize)>> {
    let mut by_segment: BTreeMap<u32, Vec<(DocId, usize)>> = BTreeMap::new();
    for (i, (_, address)) in candidates.iter().enumerate() {
        by_segment
            .entry(address.segment_ord)
            .or_default()
            .push((address.doc_id, i));
    }
    for docs in by_segment.values_mut() {
        docs.sort_unstable();
    }
    by_segment
}

/// For each candidate, the query's score if it matches the candidate (0 when not `scoring`).
/// Visits only the candidates, never the whole posting lists.
pub(super) fn scores_of(
    searcher: &Searcher,
    query: &dyn Query,
    candidates: &[(f32, DocAddress)],
    scoring: bool,
) -> Vec<Option<f32>> {
    let mut scores = vec![None; candidates.len()];
    let enable = if scoring {
        EnableScoring::enabled_from_searcher(searcher)
    } else {
        EnableScoring::disabled_from_searcher(searcher)
    };
    let Ok(weight) = query.weight(enable) else {
        return scores;
    };
    // Scorers only move forward: visit each segment's candidates in doc order.
    for (segment, docs) in by_segment(candidates) {
        let Some(&(first, _)) = docs.first() else {
            continue;
        };
        // Made at the first candidate, and then asked about each later one with `seek_danger`:
        // a phrase scorer reads positions for the docs it is asked about and no others.
        let Ok((answer, mut scorer)) =
            weight.scorer_danger(searcher.segment_reader(segment), first, 1.0)
        else {
            continue;
        };
        let mut first_answer = Some(answer);
        // No doc below `bound` matches.
        let mut bound = first;
        for (doc, i) in docs {
            let answer = match first_answer.take() {
                Some(answer) => answer,
                None if doc < bound => continue,
                None => scorer.seek_danger(doc),
            };
            bound = match answer {
                SeekDangerResult::Found => {
                    scores[i] = Some(if scoring { scorer.score() } else { 0.0 });
                    doc + 1
                }
                SeekDangerResult::SeekLowerBound(next) => next,
            };
        }
    }
    scores
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::search::*;
    use tantivy::collector::TopDocs;

    /// Which groups a candidate holds, read word by word from the postings, is what each
    /// group's own query says, and its score what its best-of query scores, for queries with
    /// parts, synonyms, several fields and typos.
    #[test]
    fn groups_held_agrees_with_each_groups_query() {
        let library = crate::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
            .expect("the real content");
        let fresh = SearchIndex::build(&library, Settings::FULL).expect("index");
        // The same after an edit: a second segment, and deleted entries that still count in
        // tantivy's statistics until merged away.
        let mut edited = library.clone();
        for entry in edited.entries.iter_mut().take(3) {
            entry.title.push_str(" 超时 域名");
        }
        let updated = fresh
            .updated(&library, &edited)
            .expect("update")
            .expect("in place");
        let segments = updated.reader.searcher().segment_readers().to_vec();
        assert!(segments.len() > 1 && segments.iter().any(|s| s.num_deleted_docs() > 0));
        let mut checked = 0;
        for (index, query) in [&fresh, &updated].into_iter().flat_map(|index| {
            [
                "白名单不生效 error 19",
                "小程序请求失败 超时",
                "my.request 跨域 cookie",
                "httprequst 区别 上传",
                "N22106 域名 https 证书",
                "乱码 参数 JSON parse",
                "超时",
            ]
            .map(|query| (index, query))
        }) {
            let searcher = index.reader.searcher();
            let mut plan = Plan::new(query, &index.synonyms, index.settings, false);
            plan.keep_typos_for(|token| !index.term_exists(&searcher, token));
            let any = plan.any_query(&index.fields).expect("words");
            let candidates = searcher
                .search(&any, &TopDocs::with_limit(50).order_by_score())
                .expect("search");
            let groups: Vec<usize> = (0..plan.groups.len()).collect();
            let held = groups_held(&searcher, &plan, &index.fields, &groups, &candidates);
            let scored = groups_scored(&searcher, &plan, &index.fields, &groups, &candidates);
            for (i, by_words) in scored.iter().enumerate() {
                let by_query = scores_of(
                    &searcher,
                    &*plan.best_of_group_query(i, &index.fields),
                    &candidates,
                    true,
                );
                for (ours, tantivy) in by_words.iter().zip(&by_query) {
                    let ours = ours.map(|held| held.score);
                    match (ours, tantivy) {
                        (Some(a), Some(b)) => assert!(
                            (a - b).abs() <= 1e-3 * b.abs(),
                            "{query}: group {i}: {a} against {b}"
                        ),
                        _ => assert_eq!(ours.is_some(), tantivy.is_some(), "{query}: group {i}"),
                    }
                }
            }
            for (i, by_words) in held.iter().enumerate() {
                let by_query: Vec<bool> = scores_of(
                    &searcher,
                    &*plan.group_query(i, &index.fields),
                    &candidates,
                    false,
                )
                .into_iter()
                .map(|score| score.is_some())
                .collect();
                assert_eq!(by_words, &by_query, "{query}: group {i}");
                checked += by_words.iter().filter(|&&held| held).count();
            }
        }
        assert!(checked > 50, "{checked} holdings checked");
    }
}
