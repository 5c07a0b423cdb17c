//! The site being served: one consistent generation (the content and the search index built
//! from it), and [`Live`], which holds the current one and swaps a new one in whole. Used by
//! `reload` (which builds generations) and `web` (which serves them); knows nothing of either.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use anyhow::Context;
use arc_swap::ArcSwap;

use crate::content::Library;
use crate::memory::release_free_memory;
use crate::search::{self, SearchIndex, Settings};
use crate::source::markdown::escape_html;

/// One consistent generation: the content and the search index built from it.
pub struct Site {
    pub library: Library,
    /// The site in each other language, as [`crate::locale::translated`] lists them.
    localized: Vec<Localized>,
    pub index: SearchIndex,
    /// The entry most others and the wizards send readers to: offered when a search finds no
    /// answer.
    pub guide: Option<String>,
    /// Set when the site is served (1 at start, +1 per reload): cached pages name it.
    pub generation: u64,
}

/// The site read in another language: the library in it, and an index of the entries
/// translated into it (in RAM: translations are few beside the entries, and built in
/// milliseconds). Entries not translated are searched in the default language's index.
struct Localized {
    lang: &'static str,
    library: Library,
    translated: Library,
    index: SearchIndex,
}

impl Site {
    pub fn new(library: Library, index: SearchIndex) -> anyhow::Result<Site> {
        let mut localized = Vec::new();
        for lang in crate::locale::translated() {
            let read = library.localized(lang);
            let translated = read.only_in(lang);
            let index = SearchIndex::build(&translated, Settings::FULL)
                .with_context(|| format!("indexing the entries in {lang}"))?;
            localized.push(Localized {
                lang,
                library: read,
                translated,
                index,
            });
        }
        let guide = library
            .references()
            .into_iter()
            .max_by_key(|&(id, n)| (n, std::cmp::Reverse(id)))
            .map(|(id, _)| id.to_string());
        Ok(Site {
            library,
            localized,
            index,
            guide,
            generation: 0,
        })
    }

    /// With the index in RAM (tests, and content given without a data directory).
    pub fn build(library: Library) -> anyhow::Result<Site> {
        let index = SearchIndex::build(&library, Settings::FULL)?;
        let site = Site::new(library, index)?;
        release_free_memory();
        Ok(site)
    }

    /// With the index under `data`, reused when the content has not changed since it was built.
    pub fn open_or_build(library: Library, data: &std::path::Path) -> anyhow::Result<Site> {
        let (index, origin) = SearchIndex::open_or_build(&library, Settings::FULL, data)?;
        tracing::info!(?origin, version = %library.fingerprint, "search index ready");
        let site = Site::new(library, index)?;
        release_free_memory();
        Ok(site)
    }

    fn localized(&self, lang: &str) -> Option<&Localized> {
        self.localized.iter().find(|l| l.lang == lang)
    }

    /// The library as read in `lang`: the default one for the default or an unknown code.
    pub fn library_in(&self, lang: &str) -> &Library {
        self.localized(lang).map_or(&self.library, |l| &l.library)
    }

    /// The index that searches what is written in `lang`, with the library it was built from.
    pub fn index_in(&self, lang: &str) -> (&SearchIndex, &Library) {
        self.localized(lang)
            .map_or((&self.index, &self.library), |l| (&l.index, &l.translated))
    }

    pub fn search(&self, request: &search::Request) -> search::Results {
        self.index.search(&self.library, request)
    }

    /// A search as read in `lang`: its translated entries' index and the default language's
    /// (Chinese queries, topics not translated, English words the glossary knows), fused by
    /// rank ([`search::fuse`]). A translated entry found in the default language's index is
    /// shown by its translated title and lead, unmarked (the marks were placed on the other
    /// language's text). Why fused, and what it scored: docs/search.md.
    pub fn search_in(&self, lang: &str, request: &search::Request) -> search::Results {
        let Some(local) = self.localized(lang) else {
            return self.search(request);
        };
        // Both lists from their first hit, to one depth for the first pages, so those pages of
        // one search (and a page of one hit) come in the same order; a later page reads deeper,
        // and may see an entry a place higher or lower. Never past the window: each hit read
        // is marked, and a deep page must not cost a thousand of them.
        let depth = (request.offset + request.limit).clamp(FUSED_DEPTH, FUSION_WINDOW);
        let depth = search::Request {
            offset: 0,
            limit: depth,
            ..request.clone()
        };
        let mut own = local.index.search(&local.translated, &depth);
        let mut default = self.search(&depth);
        // A question on a subject no translation covers (a word no English entry holds, that
        // a Chinese entry is tagged with): the English index has only near misses about other
        // subjects, which fused would rank above the entries about it (search.md).
        if !own.answered
            && own
                .unknown_words
                .iter()
                .any(|w| default.tagged_words.contains(w))
        {
            own = search::Results {
                query: own.query,
                ..search::Results::default()
            };
        }
        for hit in &mut default.hits {
            if let Some(entry) = local.library.entry(&hit.id)
                && entry.lang == local.lang
            {
                hit.title_html = escape_html(&entry.title);
                hit.snippet_html = escape_html(&entry.lead());
            }
        }
        // Of an entry in both lists, the own hit is kept: its marks are on the reader's text.
        let category_of = |id: &str| local.library.entry(id).map(|e| e.category.clone());
        let counted = match request.category.as_deref() {
            None | Some("") => Some(&category_of as &search::CategoryOf<'_>),
            Some(_) => None,
        };
        // A Chinese query on the English site: of two entries the lists rank alike, the
        // Chinese index's decides (请配置安全域名 is that error's entry, not the whitelist's).
        let chinese = crate::locale::written_in(&request.query).is_default();
        let mut fused = search::fuse(
            own,
            default,
            request.offset,
            request.limit,
            counted,
            chinese,
        );
        // As in Elasticsearch's rank window: the pages end where the fusion does.
        fused.total = fused.total.min(FUSION_WINDOW);
        fused
    }

    /// The entries that answer a message, read in `lang`: its translations first and the
    /// default language's index when none of them answers ([`own_or_default`]). A
    /// section found in the other language is kept only when the translation has its anchor.
    pub fn match_in(&self, lang: &str, message: &str, limit: usize) -> Vec<search::Match> {
        let Some(local) = self.localized(lang) else {
            return self.index.match_message(&self.library, message, limit);
        };
        let own = local.index.match_message(&local.translated, message, limit);
        let default = || self.index.match_message(&self.library, message, limit);
        let mut fallback = match own_or_default(own, default) {
            Found::Own(own) => return own,
            Found::Confirmed(mut own) => {
                if let Some(best) = own.first_mut() {
                    best.answers = true;
                }
                return own;
            }
            Found::Default(fallback) => fallback,
        };
        for m in &mut fallback {
            let Some(entry) = local.library.entry(&m.id) else {
                continue;
            };
            let shared = |anchor: &String| entry.headings.iter().any(|h| &h.anchor == anchor);
            if entry.lang == local.lang && !m.anchor.as_ref().is_some_and(shared) {
                m.anchor = None;
            }
        }
        fallback
    }
}

/// Whose results a search or match read in another language gives.
#[derive(Debug, PartialEq)]
enum Found<T> {
    Own(T),
    /// The own, though they do not answer: the default language's answer ranks their best
    /// near its top, so it is taken to answer.
    Confirmed(T),
    Default(T),
}

/// How deep the two lists of a search read in another language are fused, at least: the
/// first two pages of ten come from one fusion.
const FUSED_DEPTH: usize = 20;

/// How deep they are fused at most: the results shown end there (ten pages of ten).
const FUSION_WINDOW: usize = 100;

/// How near the top of the default language's answer the own best must be to be confirmed.
/// (English site, tuning questions with the neighbours: MRR 0.93 with 1, 0.95 with 3 or 5.)
const CONFIRMING: usize = 3;

/// What [`own_or_default`] needs to know of what a search or a match found.
trait Findings {
    fn answers(&self) -> bool;
    fn is_empty(&self) -> bool;
    /// The ids found, best first.
    fn ids(&self) -> impl Iterator<Item = &str>;
}

impl Findings for search::Results {
    fn answers(&self) -> bool {
        self.answered
    }
    fn is_empty(&self) -> bool {
        self.total == 0
    }
    fn ids(&self) -> impl Iterator<Item = &str> {
        self.hits.iter().map(|h| h.id.as_str())
    }
}

impl Findings for Vec<search::Match> {
    fn answers(&self) -> bool {
        self.iter().any(|m| m.answers)
    }
    fn is_empty(&self) -> bool {
        self.as_slice().is_empty()
    }
    fn ids(&self) -> impl Iterator<Item = &str> {
        self.iter().map(|m| m.id.as_str())
    }
}

/// The rule of [`Site::match_in`]: the language's own results when
/// they answer. Else the default language's are run, and the own are given when that answer
/// ranks the own best near its top (the same entry, in the reader's language, among others
/// they can read); the default's when they answer or the own found nothing; else the own
/// (near misses the reader can read beat near misses they cannot).
fn own_or_default<T: Findings>(own: T, default: impl FnOnce() -> T) -> Found<T> {
    if own.answers() {
        return Found::Own(own);
    }
    let fallback = default();
    let agree = own
        .ids()
        .next()
        .is_some_and(|best| fallback.ids().take(CONFIRMING).any(|id| id == best));
    match fallback.answers() {
        true if agree => Found::Confirmed(own),
        false if !own.is_empty() => Found::Own(own),
        _ => Found::Default(fallback),
    }
}

/// Which content is being served, and how the last reload went (shown by `/healthz`).
#[derive(Debug, Clone)]
pub struct ContentStatus {
    /// The content's fingerprint.
    pub version: String,
    /// 1 at start, +1 for every reload swapped in.
    pub generation: u64,
    pub loaded_at: SystemTime,
    pub last_reload: Option<ReloadRecord>,
}

#[derive(Debug, Clone)]
pub struct ReloadRecord {
    pub at: SystemTime,
    pub ok: bool,
    pub errors: Vec<String>,
}

/// Called after a generation is swapped in (the web layer drops the pages of the last one).
type OnInstall = Box<dyn Fn() + Send + Sync>;

/// The generation being served. A request holds the one it started with to its end; a new
/// one is swapped in whole, never mutated.
pub struct Live {
    site: ArcSwap<Site>,
    status: Mutex<ContentStatus>,
    on_install: Mutex<Option<OnInstall>>,
}

impl Live {
    /// Serves `site` as generation 1.
    pub fn new(mut site: Site) -> Live {
        site.generation = 1;
        let status = ContentStatus {
            version: site.library.fingerprint.clone(),
            generation: 1,
            loaded_at: SystemTime::now(),
            last_reload: None,
        };
        Live {
            site: ArcSwap::new(warmed(site)),
            status: Mutex::new(status),
            on_install: Mutex::new(None),
        }
    }

    /// The current generation.
    pub fn site(&self) -> Arc<Site> {
        self.site.load_full()
    }

    pub fn status(&self) -> ContentStatus {
        self.status
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// `f` runs after every generation swapped in, in place of any given before.
    pub fn on_install(&self, f: impl Fn() + Send + Sync + 'static) {
        *self
            .on_install
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = Some(Box::new(f));
    }

    /// Swaps in a new generation: requests under way keep the one they started with.
    pub fn install(&self, mut site: Site) {
        let now = SystemTime::now();
        {
            let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
            status.version = site.library.fingerprint.clone();
            status.generation += 1;
            site.generation = status.generation;
            status.loaded_at = now;
            status.last_reload = Some(ReloadRecord {
                at: now,
                ok: true,
                errors: Vec::new(),
            });
            self.site.store(warmed(site));
        }
        if let Some(f) = &*self
            .on_install
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
        {
            f();
        }
    }

    /// Records a reload that found the files as the version served: a failure recorded
    /// before is over (the broken files were put back).
    pub fn reload_unchanged(&self) {
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        if status.last_reload.as_ref().is_some_and(|r| !r.ok) {
            status.last_reload = Some(ReloadRecord {
                at: SystemTime::now(),
                ok: true,
                errors: Vec::new(),
            });
        }
    }

    /// Records a reload that failed; the current generation keeps serving.
    pub fn reload_failed(&self, errors: Vec<String>) {
        let mut status = self.status.lock().unwrap_or_else(PoisonError::into_inner);
        status.last_reload = Some(ReloadRecord {
            at: SystemTime::now(),
            ok: false,
            errors,
        });
    }
}

/// The site, with the index's one-time work started beside it (see [`SearchIndex::warm_up`]).
fn warmed(site: Site) -> Arc<Site> {
    let site = Arc::new(site);
    let warming = site.clone();
    std::thread::spawn(move || {
        warming.index.warm_up(&warming.library);
        for local in &warming.localized {
            local.index.warm_up(&local.translated);
        }
    });
    site
}

#[cfg(test)]
mod tests {
    use super::{Findings, Found, own_or_default};

    /// Whether it answers, and the ids found.
    #[derive(Debug, PartialEq)]
    struct Said(bool, Vec<&'static str>);

    impl Findings for Said {
        fn answers(&self) -> bool {
            self.0
        }
        fn is_empty(&self) -> bool {
            self.1.is_empty()
        }
        fn ids(&self) -> impl Iterator<Item = &str> {
            self.1.iter().copied()
        }
    }

    fn choose(own: Said, default: Said) -> Found<Said> {
        own_or_default(own, || default)
    }

    #[test]
    fn the_readers_language_wins_unless_only_the_default_answers_otherwise() {
        let own = || Said(false, vec!["a", "b"]);
        // Answered in the reader's language: the default is not even asked.
        let answered = Said(true, vec!["a"]);
        assert_eq!(
            own_or_default(answered, || panic!("asked")),
            Found::Own(Said(true, vec!["a"]))
        );
        // The default answers and ranks the own best near its top: the own, taken to answer.
        assert_eq!(
            choose(own(), Said(true, vec!["x", "y", "a"])),
            Found::Confirmed(own())
        );
        // ... not when it is further down, or when the default does not answer either.
        assert_eq!(
            choose(own(), Said(true, vec!["x", "y", "z", "a"])),
            Found::Default(Said(true, vec!["x", "y", "z", "a"]))
        );
        assert_eq!(choose(own(), Said(false, vec!["a"])), Found::Own(own()));
        // Nothing of the own: the default's, whatever it says.
        assert_eq!(
            choose(Said(false, vec![]), Said(false, vec!["x"])),
            Found::Default(Said(false, vec!["x"]))
        );
    }
}
