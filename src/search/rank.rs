//! Running a search: candidates from each plan's queries, then ranked by the topic words they
//! hold, their tag labels and their scores, with whether the best answers the query.

use tantivy::collector::TopDocs;
use tantivy::query::{BooleanQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Facet, IndexRecordOption, TantivyDocument, Value};
use tantivy::{DocAddress, Searcher, Term};

use super::held::{groups_scored, scores_of};
use super::plan::Plan;
use super::snippet::Snippets;
use super::{Hit, MAX_RESULTS, Request, Results, SearchIndex};
use crate::content::Library;

/// The pool checked for entries with every word: this many times the hits wanted, at least
/// [`MIN_POOL`].
pub(super) const POOL_FACTOR: usize = 4;
pub(super) const MIN_POOL: usize = 50;

/// The share of a query's distinctive words (weighted by rarity) one entry must hold for the
/// search to count as answered. Chosen on the relevance suite's on- and off-topic questions.
pub(super) const ANSWER_COVERAGE: f32 = 0.5;

/// What a topic word counts for in the ordering when only an entry's body holds it, not its
/// title or tags: a long entry mentions many words in passing, and counted alike, they ranked
/// it above the short entry titled or tagged with what was asked. Tuning halves with the neighbours 0.843 → 0.848 (0 gave 0.854 but cost the
/// entries alone and the English site's questions), alone unchanged.
pub(super) const BODY_ONLY: f32 = 0.5;

impl SearchIndex {
    pub(super) fn run(&self, library: &Library, request: &Request, plan: &Plan) -> Results {
        let mut results = Results {
            query: plan.query.clone(),
            ..Results::default()
        };
        let searcher = self.reader.searcher();
        // A typo variant is only worth its cost for a word the index does not have.
        let mut plan = plan.clone();
        plan.keep_typos_for(|token| !self.term_exists(&searcher, token));
        plan.complete_codes(|token| self.term_exists(&searcher, token));
        plan.read_aloud(
            |token| self.term_exists(&searcher, token),
            self.readings(),
            &self.synonyms,
        );
        let Some(any) = plan.any_query(&self.fields) else {
            return results;
        };
        let wanted = (request.offset + request.limit).clamp(1, MAX_RESULTS);
        // The candidates whose words are checked: entries with every word are moved to the
        // front of this pool (a rescoring window, as larger engines use).
        let pool = (wanted * POOL_FACTOR).clamp(MIN_POOL, MAX_RESULTS);
        let top = || TopDocs::with_limit(pool).order_by_score();
        let facets = crate::search::counts::CategoryCounts {
            categories: self.categories.len(),
            ords: &self.category_ords,
        };

        // Every entry is in one category, so the counts per category also give the total.
        let category = request.category.as_deref().filter(|c| !c.is_empty());
        let searched = match category {
            // The common case: hits and category counts in one pass.
            None => searcher.search(&any, &(top(), facets)),
            Some(slug) => searcher.search(&any, &facets).and_then(|counts| {
                let filtered = self.filtered(any.box_clone(), slug);
                Ok((searcher.search(&filtered, &top())?, counts))
            }),
        };
        let (candidates, counts) = match searched {
            Ok(found) => found,
            Err(e) => {
                tracing::error!(query = %plan.query, "search failed: {e}");
                return results;
            }
        };
        results.total = match category {
            Some(slug) => self
                .categories
                .iter()
                .position(|c| c == slug)
                .and_then(|i| counts.get(i))
                .copied()
                .unwrap_or(0) as usize,
            None => counts.iter().sum::<u64>() as usize,
        };
        results.categories = self
            .categories
            .iter()
            .zip(counts)
            .filter(|(_, n)| *n > 0)
            .map(|(slug, n)| (slug.clone(), n as usize))
            .collect();
        // The pool is rescored as larger engines do: entries with every word first, then the
        // others; the phrase boost added to the entries holding the words in order. Checking
        // only the pool keeps the cost of positions off the entries that cannot make the page.
        let all: Vec<usize> = (0..plan.groups.len()).collect();
        // Each group scored by its best word: the flat union that found the pool is faster to
        // walk the index with, and its sum scores an entry once per synonym it uses.
        let scored = groups_scored(&searcher, &plan, &self.fields, &all, &candidates);
        let held: Vec<Vec<bool>> = scored
            .iter()
            .map(|group| group.iter().map(Option::is_some).collect())
            .collect();
        let has_all: Vec<bool> = (0..candidates.len())
            .map(|c| held.iter().all(|group| group[c]))
            .collect();
        results.all_terms_found = has_all.iter().any(|&all| all);
        // Each group's rarity, read once for the two uses below.
        let idfs: Vec<Option<f32>> = (0..plan.groups.len())
            .map(|g| self.group_idf(&searcher, &plan, g))
            .collect();
        (results.unknown_words, results.tagged_words) = self.topic_words(&searcher, &plan, &idfs);
        results.answered = results.total > 0
            && match Self::coverage(&searcher, &plan, &held, &idfs) {
                Some(coverage) => coverage >= ANSWER_COVERAGE,
                // Only generic words (请求失败): answered when one entry has them all.
                None => results.all_terms_found,
            };
        // One field at a time: a phrase scorer checks just the candidates it is asked about,
        // where a union of them would walk every entry holding the words up to each candidate.
        let mut boost = vec![0.0; candidates.len()];
        for query in plan.phrase_queries(&self.fields) {
            for (sum, score) in
                boost
                    .iter_mut()
                    .zip(scores_of(&searcher, &*query, &candidates, true))
            {
                *sum += score.unwrap_or(0.0);
            }
        }
        // A query of several words that is exactly an author's tag (error 12, HTTP 状态码) asks
        // for the entries with that label: they come first, the ones readers are most often
        // sent to first, however the words happen to be spread over titles of different
        // lengths. One word (白名单) cannot be spread, and BM25 already finds the entry about it;
        // ordering by the tag there put a hub that mentions the word once first.
        let key = if plan.phrase.len() > 1 {
            plan.whole_words()
        } else {
            String::new()
        };
        let tagged: Vec<bool> = if key.is_empty() {
            vec![false; candidates.len()]
        } else {
            let query = TermQuery::new(
                Term::from_field_text(self.fields.tag_keys, &key),
                IndexRecordOption::Basic,
            );
            scores_of(&searcher, &query, &candidates, false)
                .into_iter()
                .map(|hit| hit.is_some())
                .collect()
        };
        // How many of the query's words that name a topic each candidate holds (those only in
        // its body count [`BODY_ONLY`]): that decides first (as Algolia ranks by words matched
        // before anything else), then an author's tag, then the score. (On the tuning queries
        // with the neighbours: entries with every word first, the rule before, 0.762 mean; all
        // words counted alike, 0.729; this, 0.796.)
        let topics = |c: usize| {
            (0..plan.groups.len())
                .filter(|&g| !plan.groups[g].generic && !plan.groups[g].function)
                .filter_map(|g| scored[g][c])
                .map(|h| if h.headed { 1.0 } else { BODY_ONLY })
                .sum::<f32>()
        };
        let mut ordered: Vec<Ranked> = candidates
            .into_iter()
            .zip(has_all)
            .zip(boost)
            .zip(tagged)
            .enumerate()
            .map(|(c, ((((score, address), all_terms), boost), tagged))| {
                let best_of_groups: f32 = scored
                    .iter()
                    .filter_map(|group| group[c])
                    .map(|h| h.score)
                    .sum();
                let score = if best_of_groups > 0.0 {
                    best_of_groups
                } else {
                    score
                };
                let standing = self.standing_of(address);
                Ranked {
                    score: (score + boost) * standing,
                    address,
                    all_terms,
                    label: if tagged { standing } else { 0.0 },
                    topics: topics(c),
                }
            })
            .collect();
        ordered.sort_by(|a, b| {
            b.topics
                .total_cmp(&a.topics)
                .then(b.label.total_cmp(&a.label))
                .then(b.score.total_cmp(&a.score))
        });

        // The score shown follows the order shown: a hit listed under one with a lower score
        // (it holds fewer of the topic words, or is not tagged) shows that lower score.
        let mut ceiling = f32::INFINITY;
        for hit in &mut ordered {
            hit.score = hit.score.min(ceiling);
            ceiling = hit.score;
        }

        let snippets = Snippets::new(&searcher, &*any, self.fields, &self.tokens);
        for Ranked {
            score,
            address,
            all_terms,
            ..
        } in ordered.into_iter().skip(request.offset).take(request.limit)
        {
            let Some(id) = self.stored_id(&searcher, address) else {
                continue;
            };
            let Some(entry) = library.entry(&id) else {
                continue;
            };
            let (title_html, snippet_html) = snippets.of(entry);
            results.hits.push(Hit {
                id,
                score,
                title_html,
                snippet_html,
                all_terms,
            });
        }
        results
    }

    /// How much of what the query names the best candidate holds: the share of the
    /// distinctive (not generic) groups it holds, each weighted by its rarity (BM25's idf), so a
    /// word no entry has (登录 in 登录失败) weighs most. `None` when every group is generic.
    fn coverage(
        searcher: &Searcher,
        plan: &Plan,
        held: &[Vec<bool>],
        idfs: &[Option<f32>],
    ) -> Option<f32> {
        let weights: Vec<(usize, f32)> = (0..plan.groups.len())
            .filter(|&i| !plan.groups[i].generic)
            .map(|i| (i, idfs[i].unwrap_or_else(|| max_idf(searcher))))
            .collect();
        let total: f32 = weights.iter().map(|(_, w)| w).sum();
        if weights.is_empty() || total <= 0.0 {
            return None;
        }
        let candidates = held.first().map_or(0, Vec::len);
        let best = (0..candidates)
            .map(|c| {
                weights
                    .iter()
                    .filter(|(i, _)| held[*i][c])
                    .map(|(_, w)| w)
                    .sum::<f32>()
            })
            .fold(0.0, f32::max);
        Some(best / total)
    }

    /// Of the query's words that name a topic: those no entry holds, and those some entry is
    /// tagged with (a number aside: a code names no subject). Each by its label.
    fn topic_words(
        &self,
        searcher: &Searcher,
        plan: &Plan,
        idfs: &[Option<f32>],
    ) -> (Vec<String>, Vec<String>) {
        let topics =
            (0..plan.groups.len()).filter(|&g| !plan.groups[g].generic && !plan.groups[g].function);
        let (mut unknown, mut tagged) = (Vec::new(), Vec::new());
        for g in topics {
            let label = &plan.groups[g].label;
            if idfs[g].is_none() {
                unknown.push(label.clone());
                continue;
            }
            let in_tags = |token: &str| {
                let term = Term::from_field_text(self.fields.tags, token);
                searcher.doc_freq(&term).unwrap_or(0)
            };
            if !label.chars().all(|c| c.is_ascii_digit()) && plan.doc_freq(g, in_tags) > 0 {
                tagged.push(label.clone());
            }
        }
        (unknown, tagged)
    }

    /// The rarity of group `i` (BM25's idf over the entries holding it); `None` when no entry
    /// does.
    pub(super) fn group_idf(&self, searcher: &Searcher, plan: &Plan, i: usize) -> Option<f32> {
        let n = plan.doc_freq(i, |token| self.doc_freq(searcher, token));
        (n > 0).then(|| idf(searcher.num_docs(), n))
    }

    /// Entries holding a token, about: the most of any one field.
    pub(super) fn doc_freq(&self, searcher: &Searcher, token: &str) -> u64 {
        [self.fields.title, self.fields.tags, self.fields.body]
            .into_iter()
            .map(|field| {
                searcher
                    .doc_freq(&Term::from_field_text(field, token))
                    .unwrap_or(0)
            })
            .max()
            .unwrap_or(0)
    }

    pub(super) fn filtered(&self, query: Box<dyn Query>, slug: &str) -> Box<dyn Query> {
        let category = TermQuery::new(
            Term::from_facet(self.fields.category, &Facet::from_path([slug])),
            IndexRecordOption::Basic,
        );
        // The category adds nothing to the score: a filtered search scores as the same search
        // unfiltered (and as the pool is scored again, in `held`).
        let category = ConstScoreQuery::new(Box::new(category), 0.0);
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, Box::new(category)),
        ]))
    }

    pub(super) fn term_exists(&self, searcher: &Searcher, token: &str) -> bool {
        [self.fields.title, self.fields.tags, self.fields.body]
            .into_iter()
            .any(|field| {
                searcher
                    .doc_freq(&Term::from_field_text(field, token))
                    .is_ok_and(|n| n > 0)
            })
    }

    pub(super) fn stored_id(&self, searcher: &Searcher, address: DocAddress) -> Option<String> {
        let doc: TantivyDocument = searcher.doc(address).ok()?;
        doc.get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }
}

/// A candidate as the results order it.
pub(super) struct Ranked {
    score: f32,
    address: DocAddress,
    all_terms: bool,
    /// The entry's standing when the query is exactly one of its tags, else 0.
    label: f32,
    /// How many of the query's topic words (not generic ones) it holds, those only in its body
    /// counting [`BODY_ONLY`].
    topics: f32,
}

/// BM25's idf of a word `n` of `entries` entries hold.
pub(super) fn idf(entries: u64, n: u64) -> f32 {
    let (entries, n) = (entries as f32, n as f32);
    (1.0 + (entries - n + 0.5) / (n + 0.5)).ln()
}

/// The idf of a word no entry holds: the most a word can weigh.
pub(super) fn max_idf(searcher: &Searcher) -> f32 {
    idf(searcher.num_docs(), 0)
}
