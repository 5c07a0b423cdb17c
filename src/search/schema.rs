//! The index's shape: its fields (one [`Fields`], read from the schema), the analyser
//! registered for them, and an entry as a document.

use std::collections::HashMap;

use anyhow::Context;
use tantivy::Index;
use tantivy::schema::{
    FAST, Facet, FacetOptions, Field, IndexRecordOption, STORED, STRING, Schema, TantivyDocument,
    TextFieldIndexing, TextOptions,
};

use super::Settings;
use super::analysis::WendaoTokenizer;
use super::analysis::tag_key;
use crate::content::{Entry, Library};

#[derive(Clone, Copy)]
pub(super) struct Fields {
    pub(super) id: Field,
    pub(super) title: Field,
    pub(super) tags: Field,
    pub(super) body: Field,
    pub(super) category: Field,
    pub(super) category_ord: Field,
    /// Each tag whole, as [`tag_key`] writes it: to see a query that is exactly a tag.
    pub(super) tag_keys: Field,
}

impl Fields {
    /// The fields of `schema`, found by name: the one reading of them, for an index just built
    /// and for one opened from disk.
    pub(super) fn of(schema: &Schema) -> anyhow::Result<Fields> {
        let field = |name: &str| {
            schema
                .get_field(name)
                .with_context(|| format!("no field {name}"))
        };
        Ok(Fields {
            id: field(ID)?,
            title: field(TITLE)?,
            tags: field(TAGS)?,
            body: field(BODY)?,
            category: field(CATEGORY)?,
            category_ord: field(CATEGORY_ORD)?,
            tag_keys: field(TAG_KEYS)?,
        })
    }
}

pub(super) const ID: &str = "id";
const TITLE: &str = "title";
const TAGS: &str = "tags";
const BODY: &str = "body";
const CATEGORY: &str = "category";
const CATEGORY_ORD: &str = super::counts::FIELD;
const TAG_KEYS: &str = "tag_keys";

pub(super) const TOKENIZER: &str = "wendao";

/// Titles are shown whole: one fragment of up to this many bytes.
pub(super) const TITLE_BYTES: usize = 2000;

/// The synonym groups with the glossary's English words joined in: to the group that holds the
/// Chinese word, or as a group of their own.
pub(super) fn vocabulary(library: &Library) -> Vec<Vec<String>> {
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

pub(super) fn build() -> (Schema, Fields) {
    let text = || {
        TextOptions::default().set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
    };
    let mut builder = Schema::builder();
    builder.add_text_field(ID, STRING | STORED | FAST);
    builder.add_text_field(TITLE, text());
    builder.add_text_field(TAGS, text());
    builder.add_text_field(BODY, text());
    builder.add_facet_field(CATEGORY, FacetOptions::default());
    builder.add_u64_field(CATEGORY_ORD, FAST);
    builder.add_text_field(TAG_KEYS, STRING);
    let schema = builder.build();
    let fields = Fields::of(&schema).expect("every field was just added");
    (schema, fields)
}

pub(super) fn register_tokenizer(index: &Index, settings: Settings) {
    super::analysis::warm_up();
    index
        .tokenizers()
        .register(TOKENIZER, WendaoTokenizer::new(settings.mode));
}

/// Adds every entry and commits.
pub(super) fn fill(
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

/// Each category's number in the index: its position in the library's list.
pub(super) fn category_ords(library: &Library) -> HashMap<&str, u64> {
    library
        .categories
        .iter()
        .enumerate()
        .map(|(i, c)| (c.slug.as_str(), i as u64))
        .collect()
}

/// What the index holds of one entry.
pub(super) fn document(
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
