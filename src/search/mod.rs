//! Full-text search over a [`Library`]: a tantivy index built from the loaded content, and
//! queries that treat the search box as text, never as syntax.

pub mod analysis;
mod counts;
mod disk;
mod matching;
mod plan;
mod readings;
mod snippet;
mod update;

use std::collections::{BTreeMap, HashMap};

use anyhow::Context;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, EnableScoring, Occur, Query, TermQuery};
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions, Value,
};
use tantivy::{
    DocAddress, DocId, DocSet, Index, IndexReader, ReloadPolicy, Searcher, SeekDangerResult, Term,
};

use crate::content::{Entry, Library};
use analysis::{Mode, WendaoTokenizer};
pub use disk::{FORMAT as INDEX_FORMAT, Origin};
pub use matching::{MAX_MESSAGE_CHARS, Match};
use plan::Plan;

/// Longest query we read, in characters; the rest is dropped.
pub const MAX_QUERY_CHARS: usize = 200;
/// How deep results go (offset + limit).
pub const MAX_RESULTS: usize = 1000;
/// The pool checked for entries with every word: this many times the hits wanted, at least
/// [`MIN_POOL`].
const POOL_FACTOR: usize = 4;
const MIN_POOL: usize = 50;
/// The share of a query's distinctive words (weighted by rarity) one entry must hold for the
/// search to count as answered. Chosen on the relevance suite's on- and off-topic questions.
const ANSWER_COVERAGE: f32 = 0.5;

/// How many tags near queries are chosen from: the most used.
const NEAR_TAGS: usize = 2000;

const TOKENIZER: &str = "wendao";
/// What the analysed titles and bodies kept for snippets may take (16 bytes a token: about
/// 15,000 entries of the generated kind).
const TOKEN_CACHE_BYTES: u64 = 24 << 20;

/// Which steps of the search chain are on: everything for the site, less for measuring gains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    pub mode: Mode,
    pub synonyms: bool,
    pub typos: bool,
}

impl Settings {
    pub const FULL: Settings = Settings {
        mode: Mode::Full,
        synonyms: true,
        typos: true,
    };
    /// Lowercase + jieba, no normalisation, synonyms or typo tolerance.
    pub const BASELINE: Settings = Settings {
        mode: Mode::Plain,
        synonyms: false,
        typos: false,
    };
}

#[derive(Clone, Copy)]
struct Fields {
    id: Field,
    title: Field,
    tags: Field,
    body: Field,
    category: Field,
    category_ord: Field,
    /// Each tag whole, as [`tag_key`] writes it: to see a query that is exactly a tag.
    tag_keys: Field,
}

pub struct SearchIndex {
    index: Index,
    /// The directory it lives in when on disk (see `disk`), `None` in RAM.
    dir: Option<std::path::PathBuf>,
    reader: IndexReader,
    fields: Fields,
    settings: Settings,
    synonyms: plan::Synonyms,
    /// (normalised title, position in the library's entries), for suggestions that match a
    /// half-typed word.
    titles: Vec<(Box<str>, usize)>,
    /// Category slugs by their number in the index.
    categories: Vec<String>,
    category_ords: counts::CategoryOrds,
    /// Each segment's entries' standing (see [`standing`]) by doc id.
    standing: Vec<std::sync::Arc<[f32]>>,
    /// Entries' analysed titles and bodies, for placing snippets.
    tokens: snippet::TokenCache,
    /// The tags that find something, with their characters: what near queries are chosen
    /// from. The same for every query, so made once, at the first search that needs it.
    near_tags: std::sync::OnceLock<Vec<(String, Vec<char>)>>,
    /// The index's Chinese words by their pinyin, made at the first search that needs them.
    readings: std::sync::OnceLock<readings::Readings>,
    /// Whether [`SearchIndex::warm_up`] has finished.
    warm: std::sync::atomic::AtomicBool,
}

#[derive(Debug, Clone, Default)]
pub struct Request {
    pub query: String,
    pub category: Option<String>,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub id: String,
    pub score: f32,
    /// The title with the matched words in `<mark>`, escaped.
    pub title_html: String,
    /// A passage of the body with the matched words in `<mark>`, escaped.
    pub snippet_html: String,
    /// Whether it holds every word of the query (such hits come first).
    pub all_terms: bool,
}

#[derive(Debug, Clone, Default)]
pub struct Results {
    /// The query as searched (trimmed to [`MAX_QUERY_CHARS`]).
    pub query: String,
    /// Entries matching at least one word, in the chosen category.
    pub total: usize,
    /// Whether some entry matched every word (those come first).
    pub all_terms_found: bool,
    /// Whether some entry answers the query: it holds at least half of what the query names
    /// (its words that are not generic, such as 失败 or 小程序, weighted by rarity). False when
    /// nothing matched.
    pub answered: bool,
    pub hits: Vec<Hit>,
    /// (category slug, matches) over all categories, for the filter.
    pub categories: Vec<(String, usize)>,
}

impl SearchIndex {
    /// Indexes every entry of the library in RAM.
    pub fn build(library: &Library, settings: Settings) -> anyhow::Result<SearchIndex> {
        let (schema, fields) = schema();
        let index = Index::create_in_ram(schema);
        fill(&index, fields, library, settings)?;
        SearchIndex::finish(index, None, fields, library, settings)
    }

    /// Opens a ready index (in a directory `disk` wrote) for this library.
    fn finish(
        index: Index,
        dir: Option<std::path::PathBuf>,
        fields: Fields,
        library: &Library,
        settings: Settings,
    ) -> anyhow::Result<SearchIndex> {
        register_tokenizer(&index, settings);
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()
            .context("opening the index reader")?;
        // The reader never reloads, so its segments are these for the life of the index.
        let category_ords =
            counts::category_ords(&reader.searcher()).context("reading entry categories")?;
        let standing = standing(&reader.searcher(), library).context("reading entry ids")?;
        let groups = if settings.synonyms {
            vocabulary(library)
        } else {
            Vec::new()
        };
        let synonyms = plan::Synonyms::new(&groups, &library.generic, settings.mode);
        let titles = library
            .entries
            .iter()
            .enumerate()
            .map(|(i, e)| (analysis::normalize(&e.title).into_boxed_str(), i))
            .collect();
        Ok(SearchIndex {
            index,
            dir,
            reader,
            fields,
            settings,
            synonyms,
            titles,
            categories: library.categories.iter().map(|c| c.slug.clone()).collect(),
            category_ords,
            standing,
            near_tags: std::sync::OnceLock::new(),
            readings: std::sync::OnceLock::new(),
            warm: std::sync::atomic::AtomicBool::new(false),
            tokens: snippet::TokenCache::new(TOKEN_CACHE_BYTES),
        })
    }

    pub fn search(&self, library: &Library, request: &Request) -> Results {
        let plan = Plan::new(&request.query, &self.synonyms, self.settings, false);
        self.run(library, request, &plan)
    }

    /// Titles for search as you type: titles holding the typed text first (so a half-typed
    /// word such as 白名 finds 白名单), then search results with the last word as a prefix.
    pub fn suggest<'a>(&self, library: &'a Library, query: &str, limit: usize) -> Vec<&'a Entry> {
        let typed = analysis::normalize(query.trim());
        let typed: String = typed.chars().take(MAX_QUERY_CHARS).collect();
        if typed.is_empty() {
            return Vec::new();
        }
        let mut found: Vec<&Entry> = self
            .titles
            .iter()
            .filter(|(title, _)| title.contains(&typed))
            .filter_map(|&(_, i)| library.entries.get(i))
            .take(limit)
            .collect();
        if found.len() < limit {
            let plan = Plan::new(query, &self.synonyms, self.settings, true);
            let request = Request {
                query: query.to_string(),
                category: None,
                limit,
                offset: 0,
            };
            for hit in self.run(library, &request, &plan).hits {
                if found.len() == limit {
                    break;
                }
                if let Some(entry) = library.entry(&hit.id)
                    && !found.iter().any(|e| e.id == entry.id)
                {
                    found.push(entry);
                }
            }
        }
        found
    }

    /// Whether a query has any result (used to offer near queries).
    pub fn has_results(&self, query: &str) -> bool {
        let plan = Plan::new(query, &self.synonyms, self.settings, false);
        match plan.any_query(&self.fields) {
            Some(q) => self
                .reader
                .searcher()
                .search(&q, &Count)
                .is_ok_and(|n| n > 0),
            None => false,
        }
    }

    /// Does the one-time work of the first searches now, which no reader should wait for:
    /// choosing the tags near queries come from (a search per tag, at most [`NEAR_TAGS`]), and
    /// analysing entries for snippets, in the library's order, until the kept tokens reach their
    /// bound (all of 10,000 generated entries; a search finding one of them first cost a sixth
    /// more CPU while it was analysed).
    pub fn warm_up(&self, library: &Library) {
        self.near_queries(library, "问", 0);
        self.readings();
        if let Ok(analyzer) = self
            .reader
            .searcher()
            .index()
            .tokenizer_for_field(self.fields.body)
        {
            for entry in &library.entries {
                if self.tokens.is_nearly_full() {
                    break;
                }
                self.tokens.get(&entry.id, || {
                    analyse(&analyzer, &entry.title, &entry.text())
                });
            }
        }
        self.warm.store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether the one-time work of [`SearchIndex::warm_up`] is done.
    pub fn is_warm(&self) -> bool {
        self.warm.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Queries close to one that found nothing and that do find something: the tags sharing
    /// the most characters with it.
    pub fn near_queries(&self, library: &Library, query: &str, n: usize) -> Vec<String> {
        let wanted = char_set(query);
        if wanted.is_empty() {
            return Vec::new();
        }
        let tags = self.near_tags.get_or_init(|| {
            // The most used tags, the earliest first among equals: a tag on one entry (an
            // error code) says little to someone whose words found nothing, and every query
            // that finds nothing is compared with each tag kept.
            let mut uses: HashMap<&str, (usize, usize)> = HashMap::new();
            for (order, tag) in library
                .entries
                .iter()
                .flat_map(|e| e.tags.iter())
                .enumerate()
            {
                uses.entry(tag.as_str()).or_insert((0, order)).0 += 1;
            }
            let mut tags: Vec<(&str, (usize, usize))> = uses.into_iter().collect();
            tags.sort_by(|a, b| b.1.0.cmp(&a.1.0).then(a.1.1.cmp(&b.1.1)));
            tags.into_iter()
                .take(NEAR_TAGS)
                .filter(|(tag, _)| self.has_results(tag))
                .map(|(tag, _)| (tag.to_string(), char_set(tag)))
                .collect()
        });
        let mut candidates: Vec<(usize, &str)> = tags
            .iter()
            .map(|(tag, chars)| (shared(chars, &wanted), tag.as_str()))
            .filter(|(shared, _)| *shared > 0)
            .collect();
        candidates.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.len().cmp(&b.1.len())));
        candidates
            .into_iter()
            .take(n)
            .map(|(_, tag)| tag.to_string())
            .collect()
    }

    fn run(&self, library: &Library, request: &Request, plan: &Plan) -> Results {
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
        let facets = counts::CategoryCounts {
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
        let held = groups_held(&searcher, &plan, &self.fields, &all, &candidates);
        let has_all: Vec<bool> = (0..candidates.len())
            .map(|c| held.iter().all(|group| group[c]))
            .collect();
        results.all_terms_found = has_all.iter().any(|&all| all);
        results.answered = results.total > 0
            && match self.coverage(&searcher, &plan, &held) {
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
        // A query that is exactly an author's tag (error 12, N22106) asks for the entries with
        // that label: they come first, the ones readers are most often sent to first, however
        // the words happen to be spread over titles of different lengths.
        let key = plan.whole_words();
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
        // How many of the query's words that name a topic each candidate holds: that decides
        // first (as Algolia ranks by words matched before anything else), then an author's
        // tag, then the score. (On the tuning queries with the neighbours: entries with every
        // word first, the rule before, 0.762 mean; all words counted alike, 0.729; this, 0.796.)
        let topics = |c: usize| {
            (0..plan.groups.len())
                .filter(|&g| !plan.groups[g].generic && held[g][c])
                .count()
        };
        let mut ordered: Vec<Ranked> = candidates
            .into_iter()
            .zip(has_all)
            .zip(boost)
            .zip(tagged)
            .enumerate()
            .map(|(c, ((((score, address), all_terms), boost), tagged))| {
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
                .cmp(&a.topics)
                .then(b.label.total_cmp(&a.label))
                .then(b.score.total_cmp(&a.score))
        });

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
    fn coverage(&self, searcher: &Searcher, plan: &Plan, held: &[Vec<bool>]) -> Option<f32> {
        let weights: Vec<(usize, f32)> = (0..plan.groups.len())
            .filter(|&i| !plan.groups[i].generic)
            .map(|i| {
                (
                    i,
                    self.group_idf(searcher, plan, i)
                        .unwrap_or_else(|| max_idf(searcher)),
                )
            })
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

    /// The Chinese terms of every field, with how many entries hold each and whether a title
    /// or tag does.
    fn readings(&self) -> &readings::Readings {
        self.readings.get_or_init(|| {
            let searcher = self.reader.searcher();
            let mut terms: HashMap<String, (u64, bool)> = HashMap::new();
            for (field, named) in [
                (self.fields.title, true),
                (self.fields.tags, true),
                (self.fields.body, false),
            ] {
                for segment in searcher.segment_readers() {
                    let Ok(inverted) = segment.inverted_index(field) else {
                        continue;
                    };
                    let Ok(mut stream) = inverted.terms().stream() else {
                        continue;
                    };
                    while let Some((bytes, info)) = stream.next() {
                        let Ok(term) = std::str::from_utf8(bytes) else {
                            continue;
                        };
                        if term.is_ascii() {
                            continue;
                        }
                        let seen = terms.entry(term.to_string()).or_default();
                        seen.0 = seen.0.max(u64::from(info.doc_freq));
                        seen.1 |= named;
                    }
                }
            }
            readings::Readings::new(terms.iter().map(|(t, &(n, named))| (t.as_str(), n, named)))
        })
    }

    fn standing_of(&self, address: DocAddress) -> f32 {
        self.standing
            .get(address.segment_ord as usize)
            .and_then(|docs| docs.get(address.doc_id as usize))
            .copied()
            .unwrap_or(1.0)
    }

    /// The rarity of group `i` (BM25's idf over the entries holding it); `None` when no entry
    /// does.
    fn group_idf(&self, searcher: &Searcher, plan: &Plan, i: usize) -> Option<f32> {
        let n = plan.doc_freq(i, |token| self.doc_freq(searcher, token));
        (n > 0).then(|| idf(searcher.num_docs(), n))
    }

    /// Entries holding a token, about: the most of any one field.
    fn doc_freq(&self, searcher: &Searcher, token: &str) -> u64 {
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

    fn filtered(&self, query: Box<dyn Query>, slug: &str) -> Box<dyn Query> {
        let category = TermQuery::new(
            Term::from_facet(self.fields.category, &Facet::from_path([slug])),
            IndexRecordOption::Basic,
        );
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, query),
            (Occur::Must, Box::new(category)),
        ]))
    }

    fn term_exists(&self, searcher: &Searcher, token: &str) -> bool {
        [self.fields.title, self.fields.tags, self.fields.body]
            .into_iter()
            .any(|field| {
                searcher
                    .doc_freq(&Term::from_field_text(field, token))
                    .is_ok_and(|n| n > 0)
            })
    }

    fn stored_id(&self, searcher: &Searcher, address: DocAddress) -> Option<String> {
        let doc: TantivyDocument = searcher.doc(address).ok()?;
        doc.get_first(self.fields.id)
            .and_then(|v| v.as_str())
            .map(str::to_string)
    }

    /// Bytes the index takes (postings, positions, stored fields, term dictionaries).
    pub fn space_usage(&self) -> u64 {
        self.reader
            .searcher()
            .space_usage()
            .map_or(0, |usage| usage.total().get_bytes())
    }

    /// Number of indexed entries.
    pub fn len(&self) -> u64 {
        self.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The letters and digits of a text, normalised, sorted, each once: compared with a merge, as
/// every tag is compared with each query that finds nothing.
fn char_set(text: &str) -> Vec<char> {
    let mut chars: Vec<char> = analysis::normalize(text)
        .chars()
        .filter(|c| c.is_alphanumeric())
        .collect();
    chars.sort_unstable();
    chars.dedup();
    chars
}

/// How many characters two sorted sets share.
fn shared(a: &[char], b: &[char]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

/// BM25's idf of a word `n` of `entries` entries hold.
fn idf(entries: u64, n: u64) -> f32 {
    let (entries, n) = (entries as f32, n as f32);
    (1.0 + (entries - n + 0.5) / (n + 0.5)).ln()
}

/// The idf of a word no entry holds: the most a word can weigh.
fn max_idf(searcher: &Searcher) -> f32 {
    idf(searcher.num_docs(), 0)
}

/// A tag as its whole words, analysed and joined by spaces: `Error 12`, `error  12`
/// and `"error":12` are all `error 12` (a query is compared by [`Plan::whole_words`]).
fn tag_key(text: &str, mode: Mode) -> String {
    analysis::analyze(text, mode)
        .into_iter()
        .filter(|t| t.primary)
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join(" ")
}

/// How much an entry's score is raised for the places that send readers to it (other entries'
/// links, wizard outcomes): `1 + STANDING × ln(1 + references)`, ×1.21 for one reference, ×1.48
/// for four. It decides between entries that match a query about equally (the my.request
/// entry on error 19 and other APIs' entries on the same code), as links decide between pages
/// in larger engines. Chosen on the relevance suite with the 210 neighbouring entries mixed in
/// (0.1–0.2 left `错误码 19` and `error2` behind; the suite without neighbours is unchanged).
const STANDING: f32 = 0.3;
/// References counted at most: a hub every entry links to should not outrank the entry that
/// answers.
const MAX_REFERENCES: usize = 4;

/// Each segment's entries' standing by doc id, from the library's references. Only the few
/// referenced ids are looked up in the id column's dictionary; every other doc is 1.
fn standing(searcher: &Searcher, library: &Library) -> tantivy::Result<Vec<std::sync::Arc<[f32]>>> {
    let references = library.references();
    searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            let ids = segment.fast_fields().str("id")?.ok_or_else(|| {
                tantivy::TantivyError::SchemaError("no id fast field".to_string())
            })?;
            let mut by_ord: HashMap<u64, f32> = HashMap::new();
            for (id, n) in &references {
                if let Some(ord) = ids.dictionary().term_ord(id)? {
                    let n = (*n).min(MAX_REFERENCES) as f32;
                    by_ord.insert(ord, 1.0 + STANDING * (1.0 + n).ln());
                }
            }
            Ok((0..segment.max_doc())
                .map(|doc| {
                    ids.term_ords(doc)
                        .next()
                        .and_then(|ord| by_ord.get(&ord))
                        .copied()
                        .unwrap_or(1.0)
                })
                .collect())
        })
        .collect()
}

/// The synonym groups with the glossary's English words joined in: to the group that holds the
/// Chinese word, or as a group of their own.
fn vocabulary(library: &Library) -> Vec<Vec<String>> {
    let mut groups = library.synonyms.clone();
    for term in &library.glossary {
        let home = groups
            .iter()
            .position(|g| g.iter().any(|w| w.eq_ignore_ascii_case(&term.zh)));
        match home {
            Some(i) => groups[i].extend(term.en.iter().cloned()),
            None => groups.push(std::iter::once(&term.zh).chain(&term.en).cloned().collect()),
        }
    }
    groups
}

fn schema() -> (Schema, Fields) {
    let text = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let mut schema = Schema::builder();
    let fields = Fields {
        id: schema.add_text_field("id", STRING | STORED | FAST),
        title: schema.add_text_field("title", text()),
        tags: schema.add_text_field("tags", text()),
        body: schema.add_text_field("body", text()),
        category: schema.add_facet_field("category", FacetOptions::default()),
        category_ord: schema.add_u64_field(counts::FIELD, FAST),
        tag_keys: schema.add_text_field("tag_keys", STRING),
    };
    (schema.build(), fields)
}

fn register_tokenizer(index: &Index, settings: Settings) {
    analysis::warm_up();
    index
        .tokenizers()
        .register(TOKENIZER, WendaoTokenizer::new(settings.mode));
}

/// Adds every entry and commits.
fn fill(
    index: &Index,
    fields: Fields,
    library: &Library,
    settings: Settings,
) -> anyhow::Result<()> {
    register_tokenizer(index, settings);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get().min(4));
    let category_ord = category_ords(library);
    // 100 MB a thread holds 50,000 entries without flushing: no small segments to merge,
    // which cost 7% of the build at 100,000 entries and left four segments to search.
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(threads, threads * 100_000_000)
        .context("creating the index writer")?;
    for entry in &library.entries {
        writer
            .add_document(document(fields, entry, &category_ord, settings))
            .context("indexing an entry")?;
    }
    writer.commit().context("committing the index")?;
    let segments = index.searchable_segment_ids().context("listing segments")?;
    if segments.len() > 1 {
        writer.merge(&segments).wait().context("merging segments")?;
    }
    writer
        .wait_merging_threads()
        .context("waiting for merges")?;
    Ok(())
}

/// A candidate as the results order it.
struct Ranked {
    score: f32,
    address: DocAddress,
    all_terms: bool,
    /// The entry's standing when the query is exactly one of its tags, else 0.
    label: f32,
    /// How many of the query's topic words (not generic ones) it holds.
    topics: usize,
}

/// Each category's number in the index: its position in the library's list.
fn category_ords(library: &Library) -> HashMap<&str, u64> {
    library
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.as_str(), i as u64))
        .collect()
}

/// What the index holds of one entry.
fn document(
    fields: Fields,
    entry: &Entry,
    category_ord: &HashMap<&str, u64>,
    settings: Settings,
) -> TantivyDocument {
    let mut doc = TantivyDocument::default();
    doc.add_text(fields.id, &entry.id);
    doc.add_text(fields.title, &entry.title);
    for tag in &entry.tags {
        doc.add_text(fields.tags, tag);
        let key = tag_key(tag, settings.mode);
        if !key.is_empty() {
            doc.add_text(fields.tag_keys, key);
        }
    }
    doc.add_text(fields.body, entry.text());
    doc.add_facet(fields.category, Facet::from_path([entry.category.as_str()]));
    doc.add_u64(
        fields.category_ord,
        category_ord
            .get(entry.category.as_str())
            .copied()
            .unwrap_or(u64::MAX),
    );
    doc
}

/// For each of `groups` (indices into the plan), whether each candidate holds it. A group of
/// exact words is looked up word by word in the postings: a union scorer per group reads a
/// block of every posting list it holds just to be set up (12% of the server's CPU under
/// distinct searches).
fn groups_held(
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
fn tokens_held(
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
fn by_segment(candidates: &[(f32, DocAddress)]) -> BTreeMap<u32, Vec<(DocId, usize)>> {
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
fn scores_of(
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

/// What one query needs to place snippets: its words in the title and the body, and the
/// analyser and kept tokens of the entries it finds.
struct Snippets<'a> {
    title: snippet::Terms,
    body: snippet::Terms,
    analyzer: Option<tantivy::tokenizer::TextAnalyzer>,
    tokens: &'a snippet::TokenCache,
}

impl<'a> Snippets<'a> {
    fn new(
        searcher: &Searcher,
        query: &dyn Query,
        fields: Fields,
        tokens: &'a snippet::TokenCache,
    ) -> Snippets<'a> {
        Snippets {
            title: snippet::Terms::new(searcher, query, fields.title),
            body: snippet::Terms::new(searcher, query, fields.body),
            analyzer: searcher.index().tokenizer_for_field(fields.body).ok(),
            tokens,
        }
    }

    /// The entry's highlighted title and passage.
    fn of(&self, entry: &Entry) -> (String, String) {
        let text = entry.text();
        if self.title.is_empty() && self.body.is_empty() {
            return (snippet::escape(&entry.title), snippet::passage(&text, None));
        }
        let Some(analyzer) = &self.analyzer else {
            return (snippet::escape(&entry.title), snippet::passage(&text, None));
        };
        let tokens = self
            .tokens
            .get(&entry.id, || analyse(analyzer, &entry.title, &text));
        let title = snippet::best_fragment(&tokens.0, &self.title, TITLE_BYTES);
        let body = snippet::best_fragment(&tokens.1, &self.body, snippet::BODY_BYTES);
        (
            snippet::highlight_whole(&entry.title, title.as_ref()),
            snippet::passage(&text, body.as_ref()),
        )
    }
}

/// An entry's title and text as the index analysed them, for placing snippets.
fn analyse(
    analyzer: &tantivy::tokenizer::TextAnalyzer,
    title: &str,
    text: &str,
) -> (snippet::Analysed, snippet::Analysed) {
    let mut analyzer = analyzer.clone();
    (
        snippet::Analysed::new(&mut analyzer, title),
        snippet::Analysed::new(&mut analyzer, text),
    )
}

/// Titles are shown whole: one fragment of up to this many bytes.
const TITLE_BYTES: usize = 2000;

/// Counts of hits per category slug, as a map.
pub fn category_counts(results: &Results) -> HashMap<&str, usize> {
    results
        .categories
        .iter()
        .map(|(slug, n)| (slug.as_str(), *n))
        .collect()
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::snippet::SnippetGenerator;

    use super::*;

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

    /// Near queries are chosen from the most used tags, so each query that finds nothing is
    /// compared with a bounded number of them however many entries carry a tag of their own.
    #[test]
    fn near_queries_come_from_the_most_used_tags() {
        let mut library =
            crate::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
                .expect("the real content");
        let template = library.entries[0].clone();
        let singles = NEAR_TAGS + 100;
        for i in 0..singles {
            let mut entry = template.clone();
            entry.id = format!("code-{i}");
            entry.tags = vec![format!("量子纠{i:05}")];
            library.entries.push(entry);
        }
        let index = SearchIndex::build(&library, Settings::FULL).expect("index");
        let near = index.near_queries(&library, "量子纠缠白名", 4);
        assert_eq!(near.len(), 4, "{near:?}");
        assert!(near.iter().all(|q| q.starts_with("量子纠")), "{near:?}");
        let kept: Vec<&str> = index
            .near_tags
            .get()
            .expect("made by the first call")
            .iter()
            .map(|(tag, _)| tag.as_str())
            .collect();
        assert!(kept.len() <= NEAR_TAGS, "{}", kept.len());
        let last = format!("量子纠{:05}", singles - 1);
        assert!(
            !kept.contains(&last.as_str()),
            "the least used tags are left out"
        );
        let mut uses: HashMap<&str, usize> = HashMap::new();
        for tag in library.entries.iter().flat_map(|e| e.tags.iter()) {
            *uses.entry(tag.as_str()).or_default() += 1;
        }
        for (tag, n) in uses {
            if n > 1 && index.has_results(tag) {
                assert!(kept.contains(&tag), "{tag} (on {n} entries) is kept");
            }
        }
        assert_eq!(shared(&char_set("白名单 ab"), &char_set("名单不生效 b")), 3);
    }

    /// The passages placed from kept tokens are the ones tantivy's `SnippetGenerator` places
    /// by analysing the text again: for every entry of the real content and a range of
    /// queries (Chinese, codes, English, traditional, full-width, typos).
    #[test]
    fn kept_tokens_place_the_same_passages_as_tantivy() {
        let library = crate::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
            .expect("the real content");
        let index = SearchIndex::build(&library, Settings::FULL).expect("index");
        let searcher = index.reader.searcher();
        let queries = [
            "白名单不生效",
            "白名單不生效",
            "error 19",
            "ｅｒｒｏｒ １９",
            "N22106",
            "my.request 超时",
            "JSON parse data error",
            "请求失败排查",
            "跨域报错 cookie",
            "httprequst 区别",
            "上传文件 域名 https 证书",
        ];
        let mut compared = 0;
        for q in queries {
            let plan = Plan::new(q, &index.synonyms, index.settings, false);
            let any = plan.any_query(&index.fields).expect("a query");
            let ours = Snippets::new(&searcher, &*any, index.fields, &index.tokens);
            let make = |field, bytes| {
                let mut g = SnippetGenerator::create(&searcher, &*any, field).expect("generator");
                g.set_max_num_chars(bytes);
                g
            };
            let (title_gen, body_gen) = (
                make(index.fields.title, TITLE_BYTES),
                make(index.fields.body, snippet::BODY_BYTES),
            );
            let fragment = |s: tantivy::snippet::Snippet| {
                let start = s.fragment_range().start;
                (!s.highlighted().is_empty()).then(|| snippet::Fragment {
                    range: s.fragment_range(),
                    highlighted: s
                        .highlighted()
                        .iter()
                        .map(|r| r.start + start..r.end + start)
                        .collect(),
                })
            };
            for entry in &library.entries {
                let text = entry.text();
                let expected = (
                    snippet::highlight_whole(
                        &entry.title,
                        fragment(title_gen.snippet(&entry.title)).as_ref(),
                    ),
                    snippet::passage(&text, fragment(body_gen.snippet(&text)).as_ref()),
                );
                assert_eq!(ours.of(entry), expected, "query {q}, entry {}", entry.id);
                compared += 1;
            }
        }
        assert!(compared > 200, "{compared}");
    }
}
