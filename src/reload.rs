//! Live content: watch `content/`, rebuild the whole library and index off to the side, and
//! swap it in. A build that fails validation leaves the previous generation serving.
//!
//! Only events that change files wake the watcher (created, written, removed, renamed; never
//! opened, read or closed, which the rebuild's own reads cause). After a quiet [`DEBOUNCE`], a
//! pass compares the tree's `.md` and `.toml` files (list, sizes, times, inodes) with the last
//! pass's, and loads the content only when they differ: an editor's swap file costs nothing,
//! a save of the same bytes one load that finds the version served.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError, Weak};
use std::time::{Duration, Instant, SystemTime};

use anyhow::Context;
use notify::event::ModifyKind;
use notify::{Event, EventKind, RecommendedWatcher, RecursiveMode, Watcher as _};

use crate::content;
use crate::memory::release_free_memory;
use crate::metrics::Metrics;
use crate::site::{Live, Site};

/// Quiet time after the last change before a pass: an editor's save is several events, and a
/// `git checkout` of 500 files is a stream of them, all one rebuild.
const DEBOUNCE: Duration = Duration::from_millis(50);
/// The longest a stream of changes delays a pass.
const MAX_DELAY: Duration = Duration::from_secs(2);

/// How a failure to build the index (not the content's) begins its message.
const INDEX_FAILURE: &str = "building the search index";

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebuild {
    Swapped,
    /// The files read the same as the version being served.
    Unchanged,
    /// The content is invalid (or the index could not be built): these are the messages.
    Failed(Vec<String>),
}

impl Rebuild {
    /// The `result` label of `wendao_content_reloads_total`.
    fn label(&self) -> &'static str {
        match self {
            Rebuild::Swapped => "swapped",
            Rebuild::Unchanged => "unchanged",
            Rebuild::Failed(_) => "failed",
        }
    }
}

/// Loads `content` and, if it is valid and different, swaps it in. The index goes under `data`
/// when given, else in RAM. A failure is recorded for `/healthz`; logging it and counting it
/// (`wendao_content_reloads_total`) are the caller's.
pub fn rebuild(content: &Path, data: Option<&Path>, live: &Live) -> Rebuild {
    let started = Instant::now();
    let library = match content::load(content) {
        Ok(library) => library,
        Err(errors) => return failed(live, errors.0.iter().map(ToString::to_string).collect()),
    };
    if library.fingerprint == live.status().version {
        tracing::debug!(version = %library.fingerprint, "content unchanged");
        live.reload_unchanged();
        return Rebuild::Unchanged;
    }
    // Once per content version: an unchanged pass returned above.
    for warning in &library.warnings {
        tracing::warn!("{warning}");
    }
    let loaded = started.elapsed();
    let previous = live.site();
    let built = match previous.index.updated(&previous.library, &library) {
        Ok(Some(index)) => Site::new(library, index),
        Ok(None) => build(library, data),
        Err(e) => {
            tracing::warn!("updating the search index failed, building it again: {e:#}");
            build(library, data)
        }
    };
    let site = match built {
        Ok(site) => site,
        Err(e) => return failed(live, vec![format!("{INDEX_FAILURE}: {e:#}")]),
    };
    let (entries, version) = (site.library.entries.len(), site.library.fingerprint.clone());
    let indexed = started.elapsed();
    live.install(site);
    drop(previous);
    release_free_memory();
    tracing::info!(
        entries,
        %version,
        load_ms = loaded.as_millis() as u64,
        index_ms = (indexed - loaded).as_millis() as u64,
        ms = started.elapsed().as_millis() as u64,
        "content reloaded"
    );
    Rebuild::Swapped
}

fn build(library: content::Library, data: Option<&Path>) -> anyhow::Result<Site> {
    match data {
        Some(data) => Site::open_or_build(library, data),
        None => Site::build(library),
    }
}

fn failed(live: &Live, errors: Vec<String>) -> Rebuild {
    live.reload_failed(errors.clone());
    Rebuild::Failed(errors)
}

/// The files a content tree may be made of (`.md` and `.toml`, symlinks followed), each with
/// what changes when it is written, replaced or renamed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snapshot {
    /// The tree's real place: a content directory that is a symlink may be pointed elsewhere.
    root: Option<PathBuf>,
    files: Vec<Stamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Stamp {
    path: PathBuf,
    len: u64,
    modified: Option<SystemTime>,
    inode: u64,
}

impl Snapshot {
    /// Walks `content` (missing or unreadable parts are simply absent: the load reports them).
    pub fn of(content: &Path) -> Snapshot {
        let root = std::fs::canonicalize(content).ok();
        // Links that leave the tree are not followed (the loader refuses them anyway): one
        // to `/` would walk the whole file system on every pass.
        let inside = |item: &walkdir::DirEntry| {
            !item.path_is_symlink()
                || std::fs::canonicalize(item.path())
                    .is_ok_and(|target| root.as_ref().is_some_and(|root| target.starts_with(root)))
        };
        let mut files: Vec<Stamp> = walkdir::WalkDir::new(content)
            .follow_links(true)
            .into_iter()
            .filter_entry(|item| item.depth() == 0 || inside(item))
            .filter_map(Result::ok)
            .filter(|item| item.file_type().is_file() && could_be_content(item.path()))
            .filter_map(|item| {
                let meta = item.metadata().ok()?;
                Some(Stamp {
                    // Relative: the same tree named as `./content` or by its full path.
                    path: item.path().strip_prefix(content).ok()?.to_path_buf(),
                    len: meta.len(),
                    modified: meta.modified().ok(),
                    inode: std::os::unix::fs::MetadataExt::ino(&meta),
                })
            })
            .collect();
        files.sort_by(|a, b| a.path.as_os_str().cmp(b.path.as_os_str()));
        Snapshot { root, files }
    }
}

/// Whether a path may hold content, or be a folder of it: editors' swap and backup files
/// (`.x.md.swp`, `x.md~`, vim's `4913`) are not.
fn could_be_content(path: &Path) -> bool {
    match path.extension().and_then(|ext| ext.to_str()) {
        Some(ext) => ext == "md" || ext == "toml",
        None => !path
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.bytes().all(|b| b.is_ascii_digit())),
    }
}

/// Whether an event may have changed content: not an open, a read or a close (the watcher's
/// own walk opens the content directory, seen in its parent), nor a change of times or
/// permissions alone; and about a file that may be content, or the content directory itself.
fn changes_content(event: &Event, content: &Path) -> bool {
    // The content directory's parent is watched for the directory alone: its other entries
    // (a data directory beside it, other sites) are none of ours.
    let parent = content.parent();
    let kind = match event.kind {
        // A write shows as a modification; closing after it says nothing more.
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Create(_) | EventKind::Modify(_) | EventKind::Remove(_) => true,
        EventKind::Any | EventKind::Other => true,
    };
    kind && (event.need_rescan()
        || event.paths.is_empty()
        || event
            .paths
            .iter()
            .any(|path| path == content || (path.parent() != parent && could_be_content(path))))
}

/// Runs the passes: compares the tree with the last pass, rebuilds when it differs, and logs
/// a failing content version once, not on every pass.
struct Reloader {
    content: PathBuf,
    data: Option<PathBuf>,
    live: Arc<Live>,
    metrics: Arc<Metrics>,
    seen: Snapshot,
    logged: Option<Vec<String>>,
}

/// How a pass went, for the reload thread.
enum Pass {
    Done,
    /// The index could not be built (`--data` full, say): not the content's fault, so the same
    /// files are tried again after [`RETRY`], without waiting for them to change.
    Retry,
}

/// How long after an index that could not be built the same files are tried again.
const RETRY: Duration = Duration::from_secs(5);

impl Reloader {
    fn pass(&mut self) -> Pass {
        self.metrics.content_checks.inc();
        let snapshot = Snapshot::of(&self.content);
        if snapshot == self.seen {
            // Not a reload: nothing was read.
            tracing::debug!("content files unchanged");
            return Pass::Done;
        }
        // Taken before the load: a file changed while it runs differs from it next pass.
        self.seen = snapshot;
        let rebuilt = rebuild(&self.content, self.data.as_deref(), &self.live);
        self.metrics
            .reloads
            .with_label_values(&[rebuilt.label()])
            .inc();
        let errors = match rebuilt {
            Rebuild::Failed(errors) => errors,
            Rebuild::Swapped | Rebuild::Unchanged => {
                self.logged = None;
                return Pass::Done;
            }
        };
        if self.logged.as_ref() != Some(&errors) {
            for e in &errors {
                tracing::error!("{e}");
            }
            tracing::warn!(version = %self.live.status().version, "content reload failed; still serving the previous version");
        }
        let retry = errors.iter().any(|e| e.starts_with(INDEX_FAILURE));
        self.logged = Some(errors);
        if retry {
            self.seen = Snapshot::default();
            return Pass::Retry;
        }
        Pass::Done
    }
}

/// Watches a content directory for as long as it is kept.
pub struct Watcher {
    _inner: Arc<Mutex<RecommendedWatcher>>,
}

/// Watches `content` and rebuilds on changes. `seen` is the tree as it was before the served
/// version was loaded (see [`Snapshot::of`]): a change made since is picked up at once.
pub fn watch(
    content: PathBuf,
    data: Option<PathBuf>,
    live: Arc<Live>,
    metrics: Arc<Metrics>,
    seen: Snapshot,
) -> anyhow::Result<Watcher> {
    let content = std::path::absolute(&content).unwrap_or(content);
    let (events, woken) = std::sync::mpsc::channel();
    // Links inside the tree lead inside it, which is watched anyway; links out of it are
    // refused by the loader, and following them could watch the whole file system.
    let config = notify::Config::default().with_follow_symlinks(false);
    let inner = Arc::new(Mutex::new(
        RecommendedWatcher::new(forward(events, content.clone()), config)
            .context("starting the file watcher")?,
    ));
    let root = Place::of(&content);
    follow(&inner, &content, None, &root)?;
    tracing::info!(content = %content.display(), "watching content for changes");
    let reloader = Reloader {
        content,
        data,
        live,
        metrics,
        seen,
        logged: None,
    };
    let weak = Arc::downgrade(&inner);
    std::thread::Builder::new()
        .name("content-watch".into())
        .spawn(move || run(reloader, woken, weak, root))
        .context("starting the reload thread")?;
    Ok(Watcher { _inner: inner })
}

/// Where the content directory really is: its resolved path and its inode, so a directory
/// replaced in place (`mv content.new content`) counts as moved as well as a re-pointed link.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Place {
    path: PathBuf,
    inode: Option<(u64, u64)>,
}

impl Place {
    fn of(content: &Path) -> Place {
        use std::os::unix::fs::MetadataExt;
        Place {
            path: std::fs::canonicalize(content).unwrap_or_else(|_| content.to_path_buf()),
            inode: std::fs::metadata(content).ok().map(|m| (m.dev(), m.ino())),
        }
    }
}

/// The watcher's callback: wakes the reload thread on events that change content, and on any
/// event about the content directory itself (in its parent: it was replaced or re-pointed).
fn forward(
    events: Sender<()>,
    content: PathBuf,
) -> impl FnMut(notify::Result<Event>) + Send + 'static {
    move |event| match event {
        Ok(event) if changes_content(&event, &content) => {
            let _ = events.send(());
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("watching content: {e}"),
    }
}

/// Watches the tree at `root` (unwatching `old`), and the content directory's parent, so that
/// replacing it or pointing it elsewhere is seen.
fn follow(
    watcher: &Mutex<RecommendedWatcher>,
    content: &Path,
    old: Option<&Place>,
    root: &Place,
) -> anyhow::Result<()> {
    let mut watcher = watcher.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some(old) = old {
        let _ = watcher.unwatch(&old.path);
    }
    watcher
        .watch(&root.path, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", content.display()))?;
    if old.is_none()
        && let Some(parent) = content.parent()
    {
        watcher
            .watch(parent, RecursiveMode::NonRecursive)
            .with_context(|| format!("watching {}", parent.display()))?;
    }
    Ok(())
}

/// The reload thread: one pass at start (for changes made while the server loaded), then one
/// per burst of events, until the [`Watcher`] is dropped. Before each pass, a content
/// directory found elsewhere is watched there first, so no change made in it is missed.
fn run(
    mut reloader: Reloader,
    woken: Receiver<()>,
    watcher: Weak<Mutex<RecommendedWatcher>>,
    mut root: Place,
) {
    loop {
        let now = Place::of(&reloader.content);
        if now != root {
            let Some(watcher) = watcher.upgrade() else {
                return;
            };
            tracing::info!(content = %now.path.display(), "content directory moved; watching it there");
            if let Err(e) = follow(&watcher, &reloader.content, Some(&root), &now) {
                tracing::warn!("{e:#}");
            }
            root = now;
        }
        let waited = match reloader.pass() {
            // Each wait ends when the watcher is dropped: its callback holds the only sender.
            Pass::Done => woken.recv().map_err(|_| RecvTimeoutError::Disconnected),
            Pass::Retry => woken.recv_timeout(RETRY),
        };
        match waited {
            Ok(()) | Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let burst = Instant::now();
        loop {
            match woken.recv_timeout(DEBOUNCE) {
                Ok(()) if burst.elapsed() < MAX_DELAY => {}
                Ok(()) | Err(RecvTimeoutError::Timeout) => break,
                Err(RecvTimeoutError::Disconnected) => return,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{
        AccessKind, AccessMode, CreateKind, DataChange, MetadataKind, RemoveKind, RenameMode,
    };

    fn changes_content_at(event: &Event) -> bool {
        changes_content(event, Path::new("/c"))
    }

    fn event(kind: EventKind, path: &str) -> Event {
        Event::new(kind).add_path(PathBuf::from(path))
    }

    #[test]
    fn only_writes_of_content_files_count() {
        let changes = [
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Remove(RemoveKind::File),
        ];
        for kind in changes {
            assert!(changes_content_at(&event(kind, "/c/kb/a.md")), "{kind:?}");
            assert!(
                changes_content_at(&event(kind, "/c/wizards/w.toml")),
                "{kind:?}"
            );
            assert!(
                changes_content_at(&event(kind, "/c/kb")),
                "a folder: {kind:?}"
            );
            assert!(
                !changes_content_at(&event(kind, "/c/kb/.a.md.swp")),
                "{kind:?}"
            );
            assert!(!changes_content_at(&event(kind, "/c/kb/a.md~")), "{kind:?}");
            assert!(!changes_content_at(&event(kind, "/c/kb/4913")), "{kind:?}");
        }
        let reads = [
            EventKind::Access(AccessKind::Open(AccessMode::Any)),
            EventKind::Access(AccessKind::Close(AccessMode::Read)),
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Access(AccessKind::Read),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any)),
        ];
        for kind in reads {
            assert!(!changes_content_at(&event(kind, "/c/kb/a.md")), "{kind:?}");
            // The content directory opened by the watcher's own walk, seen in its parent.
            assert!(!changes_content_at(&event(kind, "/c")), "{kind:?}");
        }
        // The content directory itself replaced or re-pointed, whatever its name.
        let renamed = EventKind::Modify(ModifyKind::Name(RenameMode::To));
        assert!(changes_content(
            &event(renamed, "/srv/help.example.com"),
            Path::new("/srv/help.example.com")
        ));
        assert!(!changes_content(
            &event(renamed, "/srv/data.v2"),
            Path::new("/srv/help.example.com")
        ));
        assert!(!changes_content(
            &event(renamed, "/srv/data"),
            Path::new("/srv/help.example.com")
        ));
        assert!(changes_content(
            &event(renamed, "/srv/help.example.com/kb"),
            Path::new("/srv/help.example.com")
        ));
    }
}
