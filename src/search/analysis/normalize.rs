//! Normalising text before it is tokenised (NFKC, lowercase, traditional → simplified), with a
//! map from each character back to the original, so offsets stay in the text as written.

use std::borrow::Cow;
use std::sync::LazyLock;

use ferrous_opencc::OpenCC;
use ferrous_opencc::config::BuiltinConfig;
use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// OpenCC's Taiwan-to-mainland conversion with its phrases (伺服器 → 服务器, 網路 → 网络,
/// 預設 → 缺省, a synonym of 默认). `None` if its embedded tables fail to load, which would be
/// a build defect: queries are then read character by character only, as before.
static MAINLAND: LazyLock<Option<OpenCC>> =
    LazyLock::new(|| OpenCC::from_config(BuiltinConfig::Tw2sp).ok());

/// A query in mainland wording: written in Traditional characters, it is converted with the
/// regional phrases too (the entries say 服务器 where a reader in Taipei types 伺服器); other
/// text is returned as it is. Entries are not converted: they are written in Simplified.
pub fn mainland(text: &str) -> Cow<'_, str> {
    let traditional = !text.is_ascii() && fast2s::convert(text) != text;
    match &*MAINLAND {
        Some(opencc) if traditional => Cow::Owned(opencc.convert(text)),
        _ => Cow::Borrowed(text),
    }
}

/// Loads the conversion tables now rather than in the first Traditional query.
pub(super) fn warm_up() {
    LazyLock::force(&MAINLAND);
}

/// A query as insights count it: normalised, spaces collapsed, at most 100 characters.
pub fn normalize_query(query: &str) -> String {
    normalize(query)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect()
}

/// The text a query or document reads as, before tokenising: NFKC, lowercase, simplified.
pub fn normalize(text: &str) -> String {
    Normalized::new(text).text
}

/// Text after normalisation, with a map from each of its characters back to the original.
pub(super) struct Normalized {
    pub(super) text: String,
    pub(super) chars: Vec<NormChar>,
}

#[derive(Clone, Copy)]
pub(super) struct NormChar {
    pub(super) ch: char,
    /// Byte offset in the normalised text.
    pub(super) at: usize,
    /// Byte range of the original character it came from.
    pub(super) from: usize,
    pub(super) to: usize,
}

impl Normalized {
    pub(super) fn new(text: &str) -> Normalized {
        let mut folded = String::with_capacity(text.len());
        let mut chars = Vec::with_capacity(text.len());
        let mut push = |ch: char, from: usize, to: usize| {
            chars.push(NormChar {
                ch,
                at: folded.len(),
                from,
                to,
            });
            folded.push(ch);
        };
        for (from, c) in text.char_indices() {
            let to = from + c.len_utf8();
            if c.is_ascii() {
                push(c.to_ascii_lowercase(), from, to);
            } else if ('\u{4E00}'..='\u{9FFF}').contains(&c) {
                // The common CJK block: its own NFKC form, no case. Most of what we read.
                push(c, from, to);
            } else if is_nfkc_quick(std::iter::once(c)) == IsNormalized::Yes {
                // Most other characters are their own NFKC form too: only the case needs
                // folding. Chinese text still has full-width punctuation, so ask per character.
                c.to_lowercase().for_each(|ch| push(ch, from, to));
            } else {
                for n in std::iter::once(c).nfkc() {
                    n.to_lowercase().for_each(|ch| push(ch, from, to));
                }
            }
        }
        // fast2s converts one character for one character, so the mapping survives.
        let simplified = fast2s::convert(&folded);
        if simplified.chars().count() != chars.len() {
            return Normalized {
                text: folded,
                chars,
            };
        }
        for (c, (at, s)) in chars.iter_mut().zip(simplified.char_indices()) {
            c.ch = s;
            c.at = at;
        }
        Normalized {
            text: simplified,
            chars,
        }
    }

    /// The normalised text of characters `start..end`.
    pub(super) fn slice(&self, start: usize, end: usize) -> &str {
        let to = self.chars.get(end).map_or(self.text.len(), |c| c.at);
        &self.text[self.chars[start].at..to]
    }
}
