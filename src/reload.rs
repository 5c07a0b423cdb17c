//! Live content: watch `content/`, rebuild the whole library and index off to the side, and
//! swap it in. A build that fails validation leaves the previous generation serving.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use actix_web::web::Data;
use anyhow::Context;
use notify_debouncer_mini::notify::{RecommendedWatcher, RecursiveMode};
use notify_debouncer_mini::{DebounceEventResult, Debouncer, new_debouncer};

use crate::content;
use crate::web::{AppState, Site};

/// Quiet time after the last change before a rebuild: an editor's save is several events.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// What a rebuild did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rebuild {
    Swapped,
    /// The files read the same as the version being served.
    Unchanged,
    /// The content is invalid (or the index could not be built): these are the messages.
    Failed(Vec<String>),
}

/// Loads `content` and, if it is valid and different, swaps it in. The index goes under `data`
/// when given, else in RAM.
pub fn rebuild(content: &Path, data: Option<&Path>, state: &AppState) -> Rebuild {
    let started = Instant::now();
    let library = match content::load(content) {
        Ok(library) => library,
        Err(errors) => return failed(state, errors.0.iter().map(ToString::to_string).collect()),
    };
    if library.fingerprint == state.status().version {
        tracing::debug!(version = %library.fingerprint, "content unchanged");
        state
            .metrics
            .reloads
            .with_label_values(&["unchanged"])
            .inc();
        return Rebuild::Unchanged;
    }
    let built = match data {
        Some(data) => Site::open_or_build(library, data),
        None => Site::build(library),
    };
    let site = match built {
        Ok(site) => site,
        Err(e) => return failed(state, vec![format!("building the search index: {e:#}")]),
    };
    let (entries, version) = (site.library.entries.len(), site.library.fingerprint.clone());
    state.install(site);
    state.metrics.reloads.with_label_values(&["swapped"]).inc();
    tracing::info!(entries, %version, ms = started.elapsed().as_millis() as u64, "content reloaded");
    Rebuild::Swapped
}

fn failed(state: &AppState, errors: Vec<String>) -> Rebuild {
    for e in &errors {
        tracing::error!("{e}");
    }
    tracing::warn!(version = %state.status().version, "content reload failed; still serving the previous version");
    state.reload_failed(errors.clone());
    state.metrics.reloads.with_label_values(&["failed"]).inc();
    Rebuild::Failed(errors)
}

/// Watches a content directory for as long as it is kept.
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher>,
}

pub fn watch(
    content: PathBuf,
    data: Option<PathBuf>,
    state: Data<AppState>,
) -> anyhow::Result<Watcher> {
    let dir = content.clone();
    let mut debouncer = new_debouncer(DEBOUNCE, move |events: DebounceEventResult| match events {
        Ok(events) if !events.is_empty() => {
            rebuild(&dir, data.as_deref(), &state);
        }
        Ok(_) => {}
        Err(e) => tracing::warn!("watching content: {e}"),
    })
    .context("starting the file watcher")?;
    debouncer
        .watcher()
        .watch(&content, RecursiveMode::Recursive)
        .with_context(|| format!("watching {}", content.display()))?;
    tracing::info!(content = %content.display(), "watching content for changes");
    Ok(Watcher {
        _debouncer: debouncer,
    })
}
