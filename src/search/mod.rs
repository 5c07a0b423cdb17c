//! Full-text search over a [`Library`]: a tantivy index built from the loaded content, and
//! queries that treat the search box as text, never as syntax.
//!
//! A query is analysed ([`analysis`]: normalising, segmenting, synonyms) into a [`plan`] of
//! word groups; [`rank`] runs it over the index ([`schema`]: fields and documents; [`disk`] and
//! [`update`]: kept on disk, changed in place) with what each entry holds read by [`held`] and
//! a small prior by links ([`standing`]), and [`snippet`] places the passages shown.
//! [`suggest`] answers search as you type and near queries, [`matching`] a whole ticket, and
//! [`warm`] the one-time work of a new generation (including pinyin [`readings`]).

mod aloud;
pub mod analysis;
mod counts;
mod disk;
mod fuse;
mod held;
mod matching;
mod plan;
mod queries;
mod rank;
mod readings;
mod schema;
mod snippet;
mod standing;
mod suggest;
mod update;
mod warm;

use std::collections::HashMap;

use anyhow::Context;
use tantivy::collector::Count;
use tantivy::{Index, IndexReader, ReloadPolicy};

use crate::content::Library;
use analysis::Mode;
pub use disk::{FORMAT as INDEX_FORMAT, Origin};
pub use fuse::{CategoryOf, fuse};
pub use matching::{MAX_MESSAGE_CHARS, Match, Message};
use plan::Plan;
use schema::{Fields, fill, register_tokenizer, vocabulary};
pub use suggest::Suggestion;

/// Longest query we read, in characters; the rest is dropped.
pub const MAX_QUERY_CHARS: usize = 200;
/// How deep results go (offset + limit).
pub const MAX_RESULTS: usize = 1000;

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

#[derive(Debug, Clone, Default, PartialEq)]
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
    /// The query's words that name a topic and that no entry holds (by [`plan::Group::label`]).
    pub unknown_words: Vec<String>,
    /// The query's words that name a topic and that an author tagged some entry with, a
    /// number aside (websocket, 蓝牙): subjects this index has entries about.
    pub tagged_words: Vec<String>,
    pub hits: Vec<Hit>,
    /// (category slug, matches) over all categories, for the filter.
    pub categories: Vec<(String, usize)>,
}

impl SearchIndex {
    /// Indexes every entry of the library in RAM.
    pub fn build(library: &Library, settings: Settings) -> anyhow::Result<SearchIndex> {
        let (schema, fields) = schema::build();
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
        let standing =
            standing::compute(&reader.searcher(), library).context("reading entry ids")?;
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

/// Counts of hits per category slug, as a map.
pub fn category_counts(results: &Results) -> HashMap<&str, usize> {
    results
        .categories
        .iter()
        .map(|(slug, n)| (slug.as_str(), *n))
        .collect()
}
