//! Which query words and groups each candidate holds, read from the postings (a union scorer
//! per word cost more), and the scores of a known set of candidates.

use std::collections::BTreeMap;

use tantivy::query::{EnableScoring, Query};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{DocAddress, DocId, DocSet, Searcher, SeekDangerResult, Term};

use super::plan::Plan;
use super::schema::Fields;

/// For each of `groups` (indices into the plan), whether each candidate holds it. A group of
/// exact words is looked up word by word in the postings: a union scorer per group reads a
/// block of every posting list it holds just to be set up (12% of the server's CPU under
/// distinct searches).
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
    let mut tokens: Vec<&str> = groups
        .iter()
        .copied()
        .filter(|&i| plan.is_exact(i))
        .flat_map(|i| plan.group_words(i).flatten().map(String::as_str))
        .collect();
    tokens.sort_unstable();
    tokens.dedup();
    let by_token = tokens_held(
        searcher,
        &[fields.title, fields.tags, fields.body],
        &tokens,
        candidates,
    );
    let held = |token: &String, c: usize| {
        tokens
            .binary_search(&token.as_str())
            .is_ok_and(|t| by_token[t][c])
    };
    groups
        .iter()
        .map(|&i| {
            if !plan.is_exact(i) {
                let query = plan.group_query(i, fields);
                return scores_of(searcher, &*query, candidates, false)
                    .into_iter()
                    .map(|score| score.is_some())
                    .collect();
            }
            (0..candidates.len())
                .map(|c| {
                    plan.group_words(i)
                        .any(|words| words.iter().all(|token| held(token, c)))
                })
                .collect()
        })
        .collect()
}

/// For each token, whether each candidate has it in any of `fields`: a seek in its posting
/// list per candidate, in doc order.
pub(super) fn tokens_held(
    searcher: &Searcher,
    fields: &[Field],
    tokens: &[&str],
    candidates: &[(f32, DocAddress)],
) -> Vec<Vec<bool>> {
    let mut held = vec![vec![false; candidates.len()]; tokens.len()];
    for (segment, docs) in by_segment(candidates) {
        let reader = searcher.segment_reader(segment);
        for &field in fields {
            let Ok(inverted) = reader.inverted_index(field) else {
                continue;
            };
            for (t, token) in tokens.iter().enumerate() {
                let term = Term::from_field_text(field, token);
                let Ok(Some(mut postings)) =
                    inverted.read_postings(&term, IndexRecordOption::Basic)
                else {
                    continue;
                };
                for &(doc, c) in &docs {
                    // Seeks only go forward; past the end, `doc()` is TERMINATED.
                    if postings.doc() <= doc && postings.seek(doc) == doc {
                        held[t][c] = true;
                    }
                }
            }
        }
    }
    held
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
    /// group's own query says, for queries with parts, synonyms, several fields and typos.
    #[test]
    fn groups_held_agrees_with_each_groups_query() {
        let library = crate::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
            .expect("the real content");
        let index = SearchIndex::build(&library, Settings::FULL).expect("index");
        let searcher = index.reader.searcher();
        let mut checked = 0;
        for query in [
            "白名单不生效 error 19",
            "小程序请求失败 超时",
            "my.request 跨域 cookie",
            "httprequst 区别 上传",
            "N22106 域名 https 证书",
            "乱码 参数 JSON parse",
        ] {
            let mut plan = Plan::new(query, &index.synonyms, index.settings, false);
            plan.keep_typos_for(|token| !index.term_exists(&searcher, token));
            let any = plan.any_query(&index.fields).expect("words");
            let candidates = searcher
                .search(&any, &TopDocs::with_limit(50).order_by_score())
                .expect("search");
            let groups: Vec<usize> = (0..plan.groups.len()).collect();
            let held = groups_held(&searcher, &plan, &index.fields, &groups, &candidates);
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
