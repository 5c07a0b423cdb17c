//! An edit re-indexes the entries it changed, not the whole library: at 10,000 entries a full
//! build analyses every entry again (0.6 s on 2 cores), an edit of one entry a few
//! milliseconds. The index served is the one written to: a tantivy reader keeps the commit it
//! opened, so requests in flight see the old entries until the new generation is installed.

use std::collections::{HashMap, HashSet};

use anyhow::Context;
use tantivy::indexer::NoMergePolicy;
use tantivy::{Index, TantivyDocument, Term};

use super::schema::{Fields, category_ords, document};
use super::{SearchIndex, Settings, disk};
use crate::content::{Entry, Library};

/// When more than a quarter of the entries changed (a checkout, a bulk edit), a full build:
/// it costs about as much, and leaves no deleted documents behind.
const MAX_CHANGED_SHARE: usize = 4;
/// Small segments (each update writes one) kept beside the largest before they are merged.
const MAX_SMALL_SEGMENTS: usize = 4;
/// The share of the largest segment that may be deleted documents before it is rewritten.
const MAX_DELETED_SHARE: u32 = 5;
/// tantivy's smallest indexing budget (15 MB); an update holds a few entries.
const WRITER_BYTES: usize = 15_000_000;

/// What changed between two libraries, as the index sees entries.
struct Changes<'a> {
    /// Ids whose documents go: removed entries and changed ones.
    stale: Vec<&'a str>,
    /// Entries to add: new and changed ones.
    fresh: Vec<&'a Entry>,
}

impl SearchIndex {
    /// This index (built for `old`) brought to `library` by re-indexing only the entries that
    /// differ; `None` when a full build is needed (the categories changed, or many entries).
    pub fn updated(&self, old: &Library, library: &Library) -> anyhow::Result<Option<SearchIndex>> {
        let Some(changes) = changes(old, library) else {
            return Ok(None);
        };
        let index = match &self.dir {
            Some(dir) => disk::update(self, dir, library, || {
                apply(&self.index, self.fields, self.settings, library, &changes)
            })?,
            None => {
                apply(&self.index, self.fields, self.settings, library, &changes)?;
                SearchIndex::finish(
                    self.index.clone(),
                    None,
                    self.fields,
                    library,
                    self.settings,
                )?
            }
        };
        tracing::debug!(
            removed = changes.stale.len(),
            added = changes.fresh.len(),
            "search index updated in place"
        );
        Ok(Some(index))
    }
}

/// The entries to re-index, or `None` when the whole index must be built again.
fn changes<'a>(old: &'a Library, new: &'a Library) -> Option<Changes<'a>> {
    // Documents hold their category's position in the list.
    let slugs = |library: &'a Library| library.categories.iter().map(|c| c.slug.as_str());
    if !slugs(old).eq(slugs(new)) {
        return None;
    }
    let before: HashMap<&str, &Entry> = old.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let now: HashSet<&str> = new.entries.iter().map(|e| e.id.as_str()).collect();
    let mut stale: Vec<&str> = old
        .entries
        .iter()
        .map(|e| e.id.as_str())
        .filter(|id| !now.contains(id))
        .collect();
    let mut fresh = Vec::new();
    for entry in &new.entries {
        match before.get(entry.id.as_str()) {
            Some(was) if indexed_alike(was, entry) => {}
            Some(_) => {
                stale.push(&entry.id);
                fresh.push(entry);
            }
            None => fresh.push(entry),
        }
    }
    let changed = stale.len().max(fresh.len());
    (changed * MAX_CHANGED_SHARE <= new.entries.len()).then_some(Changes { stale, fresh })
}

/// Whether two versions of an entry make the same document (see `document`).
fn indexed_alike(a: &Entry, b: &Entry) -> bool {
    a.title == b.title && a.tags == b.tags && a.category == b.category && a.body == b.body
}

/// Deletes the stale documents, adds the fresh ones and commits; merges the small segments
/// updates leave once there are several.
fn apply(
    index: &Index,
    fields: Fields,
    settings: Settings,
    library: &Library,
    changes: &Changes,
) -> anyhow::Result<()> {
    if changes.stale.is_empty() && changes.fresh.is_empty() {
        return Ok(());
    }
    let mut writer = index
        .writer_with_num_threads::<TantivyDocument>(1, WRITER_BYTES)
        .context("creating the index writer")?;
    writer.set_merge_policy(Box::new(NoMergePolicy));
    for id in &changes.stale {
        writer.delete_term(Term::from_field_text(fields.id, id));
    }
    let ords = category_ords(library);
    for entry in &changes.fresh {
        writer
            .add_document(document(fields, entry, &ords, settings))
            .context("indexing an entry")?;
    }
    writer.commit().context("committing the index")?;
    let metas = index
        .searchable_segment_metas()
        .context("listing segments")?;
    if let Some(largest) = metas.iter().max_by_key(|m| m.max_doc()) {
        let worn = largest.num_deleted_docs() * MAX_DELETED_SHARE > largest.max_doc();
        let merge: Vec<_> = metas
            .iter()
            .filter(|m| worn || m.id() != largest.id())
            .map(|m| m.id())
            .collect();
        if worn || merge.len() > MAX_SMALL_SEGMENTS {
            writer.merge(&merge).wait().context("merging segments")?;
        }
    }
    writer
        .wait_merging_threads()
        .context("waiting for merges")?;
    Ok(())
}
