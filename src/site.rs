//! The site being served: one consistent generation (the content and the search index built
//! from it), and [`Live`], which holds the current one and swaps a new one in whole. Used by
//! `reload` (which builds generations) and `web` (which serves them); knows nothing of either.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::SystemTime;

use arc_swap::ArcSwap;

use crate::content::Library;
use crate::memory::release_free_memory;
use crate::search::{self, SearchIndex, Settings};

/// One consistent generation: the content and the search index built from it.
pub struct Site {
    pub library: Library,
    /// The library in each other language, as [`crate::locale::translated`] lists them.
    localized: Vec<Library>,
    pub index: SearchIndex,
    /// Set when the site is served (1 at start, +1 per reload): cached pages name it.
    pub generation: u64,
}

impl Site {
    pub fn new(library: Library, index: SearchIndex) -> Site {
        let localized = crate::locale::translated()
            .into_iter()
            .map(|lang| library.localized(lang))
            .collect();
        Site {
            library,
            localized,
            index,
            generation: 0,
        }
    }

    /// With the index in RAM (tests, and content given without a data directory).
    pub fn build(library: Library) -> anyhow::Result<Site> {
        let index = SearchIndex::build(&library, Settings::FULL)?;
        release_free_memory();
        Ok(Site::new(library, index))
    }

    /// With the index under `data`, reused when the content has not changed since it was built.
    pub fn open_or_build(library: Library, data: &std::path::Path) -> anyhow::Result<Site> {
        let (index, origin) = SearchIndex::open_or_build(&library, Settings::FULL, data)?;
        tracing::info!(?origin, version = %library.fingerprint, "search index ready");
        release_free_memory();
        Ok(Site::new(library, index))
    }

    /// The library as read in `lang`: the default one for the default or an unknown code.
    pub fn library_in(&self, lang: &str) -> &Library {
        crate::locale::languages()[1..]
            .iter()
            .position(|l| l.code == lang)
            .map_or(&self.library, |i| &self.localized[i])
    }

    pub fn search(&self, request: &search::Request) -> search::Results {
        self.index.search(&self.library, request)
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
    std::thread::spawn(move || warming.index.warm_up(&warming.library));
    site
}
