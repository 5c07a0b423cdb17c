//! Two result lists for one query made one: the reader's language's index and the default
//! language's (through the glossary), on a site read in another language. By reciprocal rank
//! fusion (Cormack, Clarke and Büttcher, 2009): an entry scores 1 / (K + rank) in each list
//! that holds it. Ranks, not scores: the two indexes' scores are not on one scale.

use std::collections::HashMap;

use super::{Hit, Results};

/// The constant of the paper, not tuned here (10 and 60 ranked the tuning questions alike).
const K: f32 = 60.0;

/// Both lists are fused from their first hit to their `depth`-th; `offset` and `limit` then
/// take the page. The same depth for every page of one search gives every page of it the
/// same order.
pub fn fuse(own: Results, other: Results, offset: usize, limit: usize) -> Results {
    let rank_in = |hits: &[Hit]| -> HashMap<String, usize> {
        hits.iter()
            .enumerate()
            .map(|(rank, hit)| (hit.id.clone(), rank))
            .collect()
    };
    let (own_ranks, other_ranks) = (rank_in(&own.hits), rank_in(&other.hits));
    let score = |rank: Option<&usize>| rank.map_or(0.0, |&r| 1.0 / (K + r as f32));
    let own_only = own
        .hits
        .iter()
        .filter(|h| !other_ranks.contains_key(&h.id))
        .count();
    let mut fused: Vec<(f32, Hit)> = own
        .hits
        .into_iter()
        .map(|hit| {
            let both = score(own_ranks.get(&hit.id)) + score(other_ranks.get(&hit.id));
            (both, hit)
        })
        .collect();
    fused.extend(
        other
            .hits
            .into_iter()
            .filter(|hit| !own_ranks.contains_key(&hit.id))
            .map(|hit| (score(other_ranks.get(&hit.id)), hit)),
    );
    // Stable: of two entries fused alike, the reader's language's comes first.
    fused.sort_by(|a, b| b.0.total_cmp(&a.0));

    // The score shown follows the order shown, as in one index's results.
    let mut ceiling = f32::INFINITY;
    let hits = fused
        .into_iter()
        .map(|(_, mut hit)| {
            hit.score = hit.score.min(ceiling);
            ceiling = hit.score;
            hit
        })
        .skip(offset)
        .take(limit)
        .collect();

    // Entries found by either: exact when the other list is whole, else at least the larger.
    let total = if other.total == other_ranks.len() {
        other.total + own_only
    } else {
        other.total.max(own.total)
    };
    let mut categories = other.categories;
    for (slug, n) in own.categories {
        match categories.iter_mut().find(|(s, _)| *s == slug) {
            Some((_, m)) => *m = (*m).max(n),
            None => categories.push((slug, n)),
        }
    }
    Results {
        query: own.query,
        total,
        all_terms_found: own.all_terms_found || other.all_terms_found,
        answered: own.answered || other.answered,
        hits,
        categories,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn results(ids: &[&str], answered: bool) -> Results {
        Results {
            query: "q".into(),
            total: ids.len(),
            answered,
            hits: ids
                .iter()
                .enumerate()
                .map(|(i, id)| Hit {
                    id: id.to_string(),
                    score: 10.0 - i as f32,
                    ..Hit::default()
                })
                .collect(),
            ..Results::default()
        }
    }

    fn ids(r: &Results) -> Vec<&str> {
        r.hits.iter().map(|h| h.id.as_str()).collect()
    }

    #[test]
    fn entries_both_lists_hold_beat_one_only_one_ranks_first() {
        let fused = fuse(
            results(&["a", "b", "c"], false),
            results(&["x", "b", "a", "y"], true),
            0,
            10,
        );
        assert_eq!(ids(&fused), ["a", "b", "x", "c", "y"]);
        assert_eq!(fused.total, 5, "c is found only in the first list");
        assert!(fused.answered, "either list answering answers");
        let scores: Vec<f32> = fused.hits.iter().map(|h| h.score).collect();
        assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    }

    #[test]
    fn pages_of_one_depth_continue_each_other() {
        let page = |offset| {
            fuse(
                results(&["a", "b", "c", "d"], true),
                results(&["d", "e", "a", "f"], true),
                offset,
                2,
            )
        };
        let whole = fuse(
            results(&["a", "b", "c", "d"], true),
            results(&["d", "e", "a", "f"], true),
            0,
            10,
        );
        let pages: Vec<String> = [0, 2, 4]
            .into_iter()
            .flat_map(|o| {
                ids(&page(o))
                    .into_iter()
                    .map(String::from)
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(pages, ids(&whole));
        assert_eq!(ids(&whole)[..2], ["a", "d"]);
    }
}
