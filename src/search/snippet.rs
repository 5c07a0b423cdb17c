//! Highlighted HTML for titles and body passages. Ranges come from token offsets into the
//! original text, so every `<mark>` opens and closes on a character boundary.
//!
//! The passage is chosen as tantivy's `SnippetGenerator` chooses it (the same fragments, scores
//! and ties), but from each entry's tokens analysed once and kept, not from the whole text
//! analysed again for every query that finds it: analysis was most of a search's cost.

use std::hash::{Hash, Hasher};
use std::ops::Range;
use std::sync::Arc;

use tantivy::query::Query;
use tantivy::schema::Field;
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{Score, Searcher};

use crate::source::markdown::escape_html;

use super::schema::{Fields, TITLE_BYTES};
use crate::content::Entry;

/// Body passage length in bytes (tantivy counts bytes): about 80 Chinese characters.
pub const BODY_BYTES: usize = 240;
/// Characters shown when no word of the query is in the body.
const FALLBACK_CHARS: usize = 80;

/// Text as HTML on one line: a passage's newlines read as spaces.
pub fn escape(text: &str) -> String {
    escape_html(&text.replace('\n', " "))
}

/// One token of a text: its byte range and a hash of its (lowercased) text.
#[derive(Clone, Copy)]
pub struct Token {
    from: u32,
    to: u32,
    text: u64,
}

/// A text's tokens, in order, as the field's analyser makes them.
pub struct Analysed(Box<[Token]>);

impl Analysed {
    pub fn new(analyzer: &mut TextAnalyzer, text: &str) -> Analysed {
        let mut tokens = Vec::new();
        let mut stream = analyzer.token_stream(text);
        while let Some(token) = stream.next() {
            tokens.push(Token {
                from: token.offset_from as u32,
                to: token.offset_to as u32,
                // As tantivy compares them.
                text: hash(&token.text.to_lowercase()),
            });
        }
        Analysed(tokens.into_boxed_slice())
    }

    /// Bytes held, for the cache's bound.
    pub fn weight(&self) -> u64 {
        (self.0.len() * std::mem::size_of::<Token>()) as u64 + 64
    }
}

fn hash(text: &str) -> u64 {
    // SipHash with fixed keys: the same value in every process, no collision to speak of.
    let mut h = std::hash::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

/// The words of a query in one field, each with its weight in choosing a passage
/// (`1 / (1 + document frequency)`, as tantivy gives them), sorted by their hash. Every token
/// of a hit's body is looked up here: a binary search over a query's few words is cheaper than
/// hashing each token's hash again for a `HashMap`.
pub struct Terms(Vec<(u64, Score)>);

impl Terms {
    pub fn new(searcher: &Searcher, query: &dyn Query, field: Field) -> Terms {
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| {
            if term.field() == field {
                terms.push(term.clone());
            }
        });
        let mut weights = Vec::new();
        for term in terms {
            let value = term.value();
            let Some(text) = value.as_str() else {
                continue;
            };
            let doc_freq = searcher.doc_freq(&term).unwrap_or(0);
            if doc_freq > 0 {
                weights.push((hash(text), 1.0 / (1.0 + doc_freq as Score)));
            }
        }
        // A word in several clauses (each part of a word, each synonym) counts once.
        weights.sort_by_key(|&(hash, _)| hash);
        weights.dedup_by_key(|&mut (hash, _)| hash);
        Terms(weights)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    fn weight(&self, token: u64) -> Option<Score> {
        self.0
            .binary_search_by_key(&token, |&(hash, _)| hash)
            .ok()
            .map(|i| self.0[i].1)
    }
}

/// The chosen fragment of a text: its byte range, and the matched words' ranges in the text.
#[derive(Debug, Default, PartialEq)]
pub struct Fragment {
    pub range: Range<usize>,
    pub highlighted: Vec<Range<usize>>,
}

/// tantivy's choice: fragments end where the next token would pass `max_bytes` from the
/// fragment's start; the fragment with the highest score wins, the earliest on a tie.
pub fn best_fragment(tokens: &Analysed, terms: &Terms, max_bytes: usize) -> Option<Fragment> {
    struct Candidate {
        score: Score,
        start: usize,
        stop: usize,
        highlighted: Vec<Range<usize>>,
    }
    let new = |start| Candidate {
        score: 0.0,
        start,
        stop: start,
        highlighted: Vec::new(),
    };
    let mut candidates = Vec::new();
    let mut current = new(0);
    for token in tokens.0.iter() {
        let (from, to) = (token.from as usize, token.to as usize);
        if to.saturating_sub(current.start) > max_bytes {
            let done = std::mem::replace(&mut current, new(from));
            if done.score > 0.0 {
                candidates.push(done);
            }
        }
        // A word's parts come after it and may end before it (域名白名单, then 域名); a part
        // may begin before the token that opened the fragment: the fragment holds them all.
        current.stop = current.stop.max(to);
        if let Some(score) = terms.weight(token.text) {
            current.score += score;
            current.start = current.start.min(from);
            current.highlighted.push(from..to);
        }
    }
    if current.score > 0.0 {
        candidates.push(current);
    }
    let best = candidates.into_iter().max_by(|left, right| {
        match left.score.partial_cmp(&right.score) {
            Some(std::cmp::Ordering::Equal) | None => {
                (right.start, right.stop).cmp(&(left.start, left.stop))
            }
            Some(order) => order,
        }
    })?;
    Some(Fragment {
        range: best.start..best.stop,
        highlighted: best.highlighted,
    })
}

/// The whole title with the matched words marked.
pub fn highlight_whole(title: &str, fragment: Option<&Fragment>) -> String {
    match fragment {
        Some(f) => mark(title, &f.highlighted),
        None => escape(title),
    }
}

/// The best passage of the body with the matched words marked, or its beginning when none matched.
pub fn passage(text: &str, fragment: Option<&Fragment>) -> String {
    let Some(fragment) = fragment.filter(|f| !f.highlighted.is_empty()) else {
        let start: String = text.chars().take(FALLBACK_CHARS).collect();
        let cut = start.len() < text.len();
        return format!("{}{}", escape(&start), if cut { "…" } else { "" });
    };
    let range = fragment.range.clone();
    let Some(piece) = text.get(range.clone()) else {
        return escape(text);
    };
    let local: Vec<Range<usize>> = fragment
        .highlighted
        .iter()
        .map(|r| r.start - range.start..r.end - range.start)
        .collect();
    format!(
        "{}{}{}",
        if range.start > 0 { "…" } else { "" },
        mark(piece, &local),
        if range.end < text.len() { "…" } else { "" }
    )
}

/// Each entry's analysed title and body, by id, bounded in bytes.
pub struct TokenCache(quick_cache::sync::Cache<String, Arc<(Analysed, Analysed)>, ByWeight>);

#[derive(Clone)]
pub struct ByWeight;

impl quick_cache::Weighter<String, Arc<(Analysed, Analysed)>> for ByWeight {
    fn weight(&self, id: &String, tokens: &Arc<(Analysed, Analysed)>) -> u64 {
        id.len() as u64 + tokens.0.weight() + tokens.1.weight()
    }
}

impl TokenCache {
    pub fn new(max_bytes: u64) -> TokenCache {
        TokenCache(quick_cache::sync::Cache::with_weighter(
            (max_bytes / 2_000).max(16) as usize,
            max_bytes.max(1),
            ByWeight,
        ))
    }

    /// Whether it holds nine tenths of what it may: filling it further would evict.
    pub fn is_nearly_full(&self) -> bool {
        self.0.weight() >= self.0.capacity() / 10 * 9
    }

    /// The entry's tokens (title, body), analysed now if they are not kept.
    pub fn get(
        &self,
        id: &str,
        analyse: impl FnOnce() -> (Analysed, Analysed),
    ) -> Arc<(Analysed, Analysed)> {
        if let Some(tokens) = self.0.get(id) {
            return tokens;
        }
        let tokens = Arc::new(analyse());
        self.0.insert(id.to_string(), tokens.clone());
        tokens
    }
}

/// Escapes `text` and wraps each range in `<mark>`, merging ranges that touch or overlap.
/// A lone Chinese character (不, 用 from a synonym) is not marked: it reads as noise.
pub fn mark(text: &str, ranges: &[Range<usize>]) -> String {
    let mut sorted: Vec<Range<usize>> = ranges
        .iter()
        .filter(|r| r.start < r.end && r.end <= text.len())
        .filter(|r| text.is_char_boundary(r.start) && text.is_char_boundary(r.end))
        .filter(|r| {
            let piece = &text[r.start..r.end];
            piece.is_ascii() || piece.chars().count() > 1
        })
        .cloned()
        .collect();
    sorted.sort_by_key(|r| r.start);
    let mut merged: Vec<Range<usize>> = Vec::new();
    for r in sorted {
        match merged.last_mut() {
            Some(last) if r.start <= last.end => last.end = last.end.max(r.end),
            _ => merged.push(r),
        }
    }
    let mut out = String::with_capacity(text.len() + merged.len() * 13);
    let mut at = 0;
    for r in merged {
        out.push_str(&escape(&text[at..r.start]));
        out.push_str("<mark>");
        out.push_str(&escape(&text[r.start..r.end]));
        out.push_str("</mark>");
        at = r.end;
    }
    out.push_str(&escape(&text[at..]));
    out
}

/// What one query needs to place snippets: its words in the title and the body, and the
/// analyser and kept tokens of the entries it finds.
pub(super) struct Snippets<'a> {
    title: Terms,
    body: Terms,
    analyzer: Option<tantivy::tokenizer::TextAnalyzer>,
    tokens: &'a TokenCache,
}

impl<'a> Snippets<'a> {
    pub(super) fn new(
        searcher: &Searcher,
        query: &dyn Query,
        fields: Fields,
        tokens: &'a TokenCache,
    ) -> Snippets<'a> {
        Snippets {
            title: Terms::new(searcher, query, fields.title),
            body: Terms::new(searcher, query, fields.body),
            analyzer: searcher.index().tokenizer_for_field(fields.body).ok(),
            tokens,
        }
    }

    /// The entry's highlighted title and passage.
    pub(super) fn of(&self, entry: &Entry) -> (String, String) {
        let text = entry.text();
        if self.title.is_empty() && self.body.is_empty() {
            return (escape(&entry.title), passage(&text, None));
        }
        let Some(analyzer) = &self.analyzer else {
            return (escape(&entry.title), passage(&text, None));
        };
        let tokens = self
            .tokens
            .get(&entry.id, || analyse(analyzer, &entry.title, &text));
        let title = best_fragment(&tokens.0, &self.title, TITLE_BYTES);
        let body = best_fragment(&tokens.1, &self.body, BODY_BYTES);
        (
            highlight_whole(&entry.title, title.as_ref()),
            passage(&text, body.as_ref()),
        )
    }
}

/// An entry's title and text as the index analysed them, for placing snippets.
pub(super) fn analyse(
    analyzer: &tantivy::tokenizer::TextAnalyzer,
    title: &str,
    text: &str,
) -> (Analysed, Analysed) {
    let mut analyzer = analyzer.clone();
    (
        Analysed::new(&mut analyzer, title),
        Analysed::new(&mut analyzer, text),
    )
}

/// The title, escaped, with the typed text in `<mark>`: found by normalising the title a
/// character at a time (full-width, case, traditional forms), so the mark falls on the title's
/// own characters; unmarked when the typed text only matches across characters.
pub fn mark_typed(title: &str, typed: &str) -> String {
    let mut normalized = String::new();
    let mut origin = Vec::new();
    for (at, c) in title.char_indices() {
        let start = normalized.len();
        normalized.push_str(&super::analysis::normalize(c.encode_utf8(&mut [0; 4])));
        origin.push((start, at..at + c.len_utf8()));
    }
    let found = normalized.find(typed).and_then(|from| {
        let to = from + typed.len();
        let first = origin.iter().rev().find(|(s, _)| *s <= from)?.1.start;
        let last = origin.iter().rev().find(|(s, _)| *s < to)?.1.end;
        Some(first..last)
    });
    match found {
        Some(range) => mark(title, &[range]),
        None => escape(title),
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use tantivy::snippet::SnippetGenerator;

    use super::*;
    use crate::search::plan::Plan;
    use crate::search::{SearchIndex, Settings};

    /// Tokens out of order (a word's parts after it) never leave a highlight outside its
    /// fragment, so the passage's marks are computed without underflow.
    #[test]
    fn highlights_stay_inside_their_fragment() {
        let text = "a".repeat(320);
        let token = |from: u32, to: u32, word: &str| Token {
            from,
            to,
            text: hash(word),
        };
        let tokens = Analysed(
            vec![
                token(0, 3, "x"),
                token(300, 306, "y"),
                token(294, 306, "z"),
                token(300, 303, "w"),
            ]
            .into_boxed_slice(),
        );
        let terms = Terms(vec![(hash("z"), 1.0)]);
        let fragment = best_fragment(&tokens, &terms, BODY_BYTES).expect("a fragment");
        assert!(
            fragment
                .highlighted
                .iter()
                .all(|r| r.start >= fragment.range.start && r.end <= fragment.range.end),
            "{fragment:?}"
        );
        assert!(passage(&text, Some(&fragment)).contains("<mark>"));
    }

    #[test]
    fn adjacent_ranges_merge_and_text_is_escaped() {
        let text = "服务器配置<b>";
        assert_eq!(
            mark(text, &[0..9, 9..15]),
            "<mark>服务器配置</mark>&lt;b&gt;"
        );
        assert_eq!(
            mark(text, &[3..6, 0..6]),
            "<mark>服务</mark>器配置&lt;b&gt;"
        );
    }

    #[test]
    fn ranges_off_character_boundaries_are_ignored() {
        assert_eq!(mark("网络", &[1..3, 0..100]), "网络");
    }

    #[test]
    fn lone_chinese_characters_are_not_marked() {
        assert_eq!(mark("不生效", &[0..3, 3..9]), "不<mark>生效</mark>");
        assert_eq!(mark("a1", &[0..1, 5..6]), "<mark>a</mark>1");
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
                make(index.fields.body, BODY_BYTES),
            );
            let fragment = |s: tantivy::snippet::Snippet| {
                let start = s.fragment_range().start;
                (!s.highlighted().is_empty()).then(|| Fragment {
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
                    highlight_whole(
                        &entry.title,
                        fragment(title_gen.snippet(&entry.title)).as_ref(),
                    ),
                    passage(&text, fragment(body_gen.snippet(&text)).as_ref()),
                );
                assert_eq!(ours.of(entry), expected, "query {q}, entry {}", entry.id);
                compared += 1;
            }
        }
        assert!(compared > 200, "{compared}");
    }
}
