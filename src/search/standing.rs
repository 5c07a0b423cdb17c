//! An entry's standing: a small prior from how many other entries link to it, so a hub that
//! many entries point to ranks a little higher among equals.

use std::collections::HashMap;

use tantivy::{DocAddress, Searcher};

use super::SearchIndex;
use crate::content::Library;

/// How much an entry's score is raised for the places that send readers to it (other entries'
/// links, wizard outcomes): `1 + STANDING × ln(1 + references)`, ×1.21 for one reference, ×1.48
/// for four. It decides between entries that match a query about equally (the my.request
/// entry on error 19 and other APIs' entries on the same code), as links decide between pages
/// in larger engines. Chosen on the relevance suite with the 210 neighbouring entries mixed in
/// (0.1–0.2 left `错误码 19` and `error2` behind; the suite without neighbours is unchanged).
pub(super) const STANDING: f32 = 0.3;

/// References counted at most: a hub every entry links to should not outrank the entry that
/// answers.
pub(super) const MAX_REFERENCES: usize = 4;

/// Each segment's entries' standing by doc id, from the library's references. Only the few
/// referenced ids are looked up in the id column's dictionary; every other doc is 1.
pub(super) fn compute(
    searcher: &Searcher,
    library: &Library,
) -> tantivy::Result<Vec<std::sync::Arc<[f32]>>> {
    let references = library.references();
    searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            let ids = segment
                .fast_fields()
                .str(super::schema::ID)?
                .ok_or_else(|| {
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

impl SearchIndex {
    pub(super) fn standing_of(&self, address: DocAddress) -> f32 {
        self.standing
            .get(address.segment_ord as usize)
            .and_then(|docs| docs.get(address.doc_id as usize))
            .copied()
            .unwrap_or(1.0)
    }
}
