//! Two result lists for one query made one: the reader's language's index and the default
//! language's (through the glossary), on a site read in another language. By reciprocal rank
//! fusion (Cormack, Clarke and Büttcher, 2009): an entry scores 1 / (K + rank) in each list
//! that holds it. Ranks, not scores: the two indexes' scores are not on one scale.

use std::collections::HashMap;

use super::{Hit, Results};

/// An entry's category, by its id.
pub type CategoryOf<'a> = dyn Fn(&str) -> Option<String> + 'a;

/// The constant of the paper, not tuned here (10 and 60 ranked the tuning questions alike).
const K: f32 = 60.0;

/// Both lists are read from their first hit to one depth; `offset` and `limit` then take the
/// page. `category_of` names an entry's category, to count the union's categories; `None`
/// when the search is in one category (the counts are of all categories, which the lists do
/// not hold). Of two entries fused alike, the one `other` ranks higher comes first when
/// `other_leads` (a query written in the other list's language), else the one `own` does.
pub fn fuse(
    own: Results,
    other: Results,
    offset: usize,
    limit: usize,
    category_of: Option<&CategoryOf<'_>>,
    other_leads: bool,
) -> Results {
    let rank_in = |hits: &[Hit]| -> HashMap<String, usize> {
        hits.iter()
            .enumerate()
            .map(|(rank, hit)| (hit.id.clone(), rank))
            .collect()
    };
    let (own_ranks, other_ranks) = (rank_in(&own.hits), rank_in(&other.hits));
    let score = |rank: Option<&usize>| rank.map_or(0.0, |&r| 1.0 / (K + r as f32));
    let mut fused: Vec<(f32, Hit)> = Vec::with_capacity(own.hits.len() + other.hits.len());
    for mut hit in own.hits {
        let in_other = other_ranks.get(&hit.id);
        hit.all_terms |= in_other.is_some_and(|&r| other.hits[r].all_terms);
        fused.push((score(own_ranks.get(&hit.id)) + score(in_other), hit));
    }
    for (rank, hit) in other.hits.into_iter().enumerate() {
        if !own_ranks.contains_key(&hit.id) {
            fused.push((score(Some(&rank)), hit));
        }
    }
    // Stable: of two entries fused alike, the own list's comes first, unless the other leads.
    let other_rank = |hit: &Hit| other_ranks.get(&hit.id).copied().unwrap_or(usize::MAX);
    fused.sort_by(|a, b| {
        let by_score = b.0.total_cmp(&a.0);
        if other_leads {
            by_score.then(other_rank(&a.1).cmp(&other_rank(&b.1)))
        } else {
            by_score
        }
    });

    // Both lists whole (every entry either found is in hand): the union is counted. Else at
    // least as many as either found, and as are in hand.
    let whole = own.total == own_ranks.len() && other.total == other_ranks.len();
    let total = if whole {
        fused.len()
    } else {
        fused.len().max(own.total).max(other.total)
    };
    let categories = match category_of {
        Some(category_of) if whole => {
            let mut categories = Vec::new();
            for slug in fused.iter().filter_map(|(_, hit)| category_of(&hit.id)) {
                count(&mut categories, slug, 1, |n, one| n + one);
            }
            categories
        }
        // At least as many as either found in each.
        _ => {
            let mut categories = other.categories;
            for (slug, n) in own.categories {
                count(&mut categories, slug, n, usize::max);
            }
            categories
        }
    };

    // The score shown follows the order shown (each index's scale, capped as it goes down).
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
    Results {
        query: own.query,
        total,
        all_terms_found: own.all_terms_found || other.all_terms_found,
        answered: own.answered || other.answered,
        // Read of each list before fusing (`Site::search_in`), not of the union.
        unknown_words: Vec::new(),
        tagged_words: Vec::new(),
        hits,
        categories,
    }
}

/// Adds `n` to the count of `slug` by `combine`, or lists it with `n`.
fn count(
    categories: &mut Vec<(String, usize)>,
    slug: String,
    n: usize,
    combine: fn(usize, usize) -> usize,
) {
    match categories.iter_mut().find(|(s, _)| *s == slug) {
        Some((_, m)) => *m = combine(*m, n),
        None => categories.push((slug, n)),
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

    /// Entries `a`–`m` are in one category, the others in another.
    fn category(id: &str) -> Option<String> {
        Some(if id < "n" { "first" } else { "second" }.to_string())
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
            Some(&category),
            false,
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
                Some(&category),
                false,
            )
        };
        let whole = fuse(
            results(&["a", "b", "c", "d"], true),
            results(&["d", "e", "a", "f"], true),
            0,
            10,
            Some(&category),
            false,
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

    #[test]
    fn the_union_is_counted_when_both_lists_are_whole_and_never_less_than_in_hand() {
        let whole = fuse(
            results(&["a", "b", "x"], false),
            results(&["x", "y"], false),
            0,
            1,
            Some(&category),
            false,
        );
        assert_eq!(whole.total, 4);
        let mut categories = whole.categories.clone();
        categories.sort();
        assert_eq!(
            categories,
            [("first".to_string(), 2), ("second".to_string(), 2)]
        );
        // One list cut short (it found 30, 3 are in hand): at least what either found.
        let mut cut = results(&["a", "b", "c"], false);
        cut.total = 30;
        let partial = fuse(
            cut,
            results(&["x", "y", "z", "o", "p"], false),
            0,
            1,
            None,
            false,
        );
        assert_eq!(partial.total, 30);
        let mut cut = results(&["a", "b"], false);
        cut.total = 3;
        let partial = fuse(cut, results(&["x", "y"], false), 0, 1, None, false);
        assert_eq!(partial.total, 4, "the four in hand");
    }

    #[test]
    fn of_two_entries_fused_alike_the_list_in_the_query_s_language_leads() {
        let own = || results(&["a", "b"], true);
        let other = || results(&["b", "a"], true);
        assert_eq!(ids(&fuse(own(), other(), 0, 10, None, false)), ["a", "b"]);
        assert_eq!(ids(&fuse(own(), other(), 0, 10, None, true)), ["b", "a"]);
    }

    #[test]
    fn an_entry_holding_every_word_in_either_list_is_said_to() {
        let mut own = results(&["a"], true);
        let mut other = results(&["a"], true);
        own.hits[0].all_terms = false;
        other.hits[0].all_terms = true;
        let fused = fuse(own, other, 0, 10, None, false);
        assert!(fused.hits[0].all_terms);
    }
}
