//! Counts matching entries per category in the same pass as the top hits. The pass visits
//! every match (counts must be exact), so the per-match work is one array read: each entry's
//! category number, read once from the fast field when the index is opened.

use std::sync::Arc;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::{DocId, Score, Searcher, SegmentOrdinal, SegmentReader};

/// The fast field holding each entry's category as its position in the library's list.
pub(super) const FIELD: &str = "category_ord";

/// Each segment's category numbers by doc id.
pub(super) type CategoryOrds = Vec<Arc<[u32]>>;

/// Reads the category numbers of every segment of this searcher.
pub(super) fn category_ords(searcher: &Searcher) -> tantivy::Result<CategoryOrds> {
    searcher
        .segment_readers()
        .iter()
        .map(|segment| {
            let column = segment.fast_fields().u64(FIELD)?;
            Ok((0..segment.max_doc())
                .map(|doc| column.first(doc).map_or(u32::MAX, |ord| ord as u32))
                .collect())
        })
        .collect()
}

pub(super) struct CategoryCounts<'a> {
    pub categories: usize,
    pub ords: &'a CategoryOrds,
}

pub(super) struct SegmentCounts {
    ords: Arc<[u32]>,
    counts: Vec<u64>,
}

impl Collector for CategoryCounts<'_> {
    type Fruit = Vec<u64>;
    type Child = SegmentCounts;

    fn for_segment(
        &self,
        segment_ord: SegmentOrdinal,
        _: &SegmentReader,
    ) -> tantivy::Result<SegmentCounts> {
        let ords = self
            .ords
            .get(segment_ord as usize)
            .cloned()
            .ok_or_else(|| {
                tantivy::TantivyError::InternalError(format!(
                    "no categories for segment {segment_ord}"
                ))
            })?;
        Ok(SegmentCounts {
            ords,
            counts: vec![0; self.categories],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, segments: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut total = vec![0; self.categories];
        for counts in segments {
            for (t, n) in total.iter_mut().zip(counts) {
                *t += n;
            }
        }
        Ok(total)
    }
}

impl SegmentCollector for SegmentCounts {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(n) = self
            .ords
            .get(doc as usize)
            .and_then(|&ord| self.counts.get_mut(ord as usize))
        {
            *n += 1;
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use tantivy::query::{AllQuery, Query, TermQuery};
    use tantivy::schema::{FAST, IndexRecordOption, STRING, Schema};
    use tantivy::{Index, TantivyDocument, Term};

    use super::*;

    /// Two commits make two segments: each segment's doc ids start at 0 again, so counts must
    /// read the array of the segment they are given.
    #[test]
    fn counts_are_per_category_across_segments() -> tantivy::Result<()> {
        let mut schema = Schema::builder();
        let name = schema.add_text_field("name", STRING);
        let ord = schema.add_u64_field(FIELD, FAST);
        let index = Index::create_in_ram(schema.build());
        let mut writer = index.writer_with_num_threads::<TantivyDocument>(1, 15_000_000)?;
        // Segment 1: categories 0, 0, 1. Segment 2: categories 2, 1.
        for batch in [
            &[("a", 0u64), ("b", 0), ("c", 1)][..],
            &[("a", 2), ("b", 1)],
        ] {
            for &(n, o) in batch {
                let mut doc = TantivyDocument::default();
                doc.add_text(name, n);
                doc.add_u64(ord, o);
                writer.add_document(doc)?;
            }
            writer.commit()?;
        }
        let searcher = index.reader()?.searcher();
        assert_eq!(searcher.segment_readers().len(), 2);
        let ords = category_ords(&searcher)?;
        let counts = |query: &dyn Query| {
            let collector = CategoryCounts {
                categories: 3,
                ords: &ords,
            };
            searcher.search(query, &collector)
        };
        assert_eq!(counts(&AllQuery)?, [2, 2, 1]);
        let a = TermQuery::new(Term::from_field_text(name, "a"), IndexRecordOption::Basic);
        assert_eq!(counts(&a)?, [1, 0, 1]);
        Ok(())
    }
}
