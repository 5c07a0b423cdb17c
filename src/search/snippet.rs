//! Highlighted HTML for titles and body passages. Ranges come from token offsets into the
//! original text, so every `<mark>` opens and closes on a character boundary.

use std::ops::Range;

use tantivy::snippet::Snippet;

/// Body passage length in bytes (tantivy counts bytes): about 80 Chinese characters.
pub const BODY_BYTES: usize = 240;
/// Characters shown when no word of the query is in the body.
const FALLBACK_CHARS: usize = 80;

pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\n' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The whole title with the matched words marked.
pub fn highlight_whole(title: &str, snippet: &Snippet) -> String {
    let shift = snippet.fragment_range().start;
    let ranges: Vec<Range<usize>> = snippet
        .highlighted()
        .iter()
        .map(|r| r.start + shift..r.end + shift)
        .collect();
    mark(title, &ranges)
}

/// The best passage of the body with the matched words marked, or its beginning when none matched.
pub fn passage(text: &str, snippet: &Snippet) -> String {
    if snippet.highlighted().is_empty() {
        let start: String = text.chars().take(FALLBACK_CHARS).collect();
        let cut = start.len() < text.len();
        return format!("{}{}", escape(&start), if cut { "…" } else { "" });
    }
    let range = snippet.fragment_range();
    format!(
        "{}{}{}",
        if range.start > 0 { "…" } else { "" },
        mark(snippet.fragment(), snippet.highlighted()),
        if range.end < text.len() { "…" } else { "" }
    )
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
