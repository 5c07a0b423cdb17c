//! An entry's rendered HTML and plain text, kept LZ4-compressed together. The text repeats the
//! HTML's words, so one compressed block holds both in under half the bytes (measured at
//! 100,000 entries: 162 MB → 75 MB), and unpacking one entry takes about half a microsecond.

/// The HTML and text of one entry. Cloning shares the compressed bytes (the library of each
/// language holds the entries it has no translation of); equal bodies have equal bytes (the
/// compression is deterministic).
#[derive(Clone, PartialEq, Eq)]
pub struct Body {
    /// LZ4 block of `text` followed by `html`, with its length in front. The text comes first:
    /// each search hit's passage reads it, and it is then cut off the end, not moved.
    packed: std::sync::Arc<[u8]>,
    /// Where the text ends and the HTML begins.
    text_len: usize,
}

impl Body {
    pub fn new(html: &str, text: &str) -> Body {
        let mut both = Vec::with_capacity(html.len() + text.len());
        both.extend_from_slice(text.as_bytes());
        both.extend_from_slice(html.as_bytes());
        Body {
            packed: lz4_flex::compress_prepend_size(&both).into(),
            text_len: text.len(),
        }
    }

    /// The sanitised HTML, ready to embed in a page.
    pub fn html(&self) -> String {
        let mut both = self.unpack();
        both.drain(..self.text_len);
        utf8(both)
    }

    /// The words a reader sees, one block a line. Only the text is checked as UTF-8, not the
    /// HTML after it, twice as long.
    pub fn text(&self) -> String {
        let mut both = self.unpack();
        both.truncate(self.text_len);
        utf8(both)
    }

    /// Bytes held in memory.
    pub fn packed_len(&self) -> usize {
        self.packed.len()
    }

    fn unpack(&self) -> Vec<u8> {
        // Only bytes compressed by `new` are here: a failure would be a bug, not bad input.
        lz4_flex::decompress_size_prepended(&self.packed)
            .expect("an entry body compressed by Body::new decompresses")
    }
}

/// Either part of a body: `new` joined two strings, so each part is the UTF-8 it was.
fn utf8(bytes: Vec<u8>) -> String {
    String::from_utf8(bytes).expect("an entry body is the UTF-8 it was made from")
}

impl std::fmt::Debug for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Body")
            .field("packed_len", &self.packed.len())
            .field("text_len", &self.text_len)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::Body;

    #[test]
    fn html_and_text_come_back_whole() {
        let html = "<p>请在<a href=\"/kb/domain-whitelist\">白名单</a>中配置 &amp; 重试。</p>\n";
        let text = "请在白名单中配置 & 重试。";
        let body = Body::new(html, text);
        assert_eq!(body.html(), html);
        assert_eq!(body.text(), text);
        let empty = Body::new("", "");
        assert_eq!((empty.html(), empty.text()), (String::new(), String::new()));
    }

    #[test]
    fn text_repeating_the_html_is_stored_once() {
        let html = format!(
            "<p>{}</p>",
            "支付宝小程序网络请求报错，请检查服务器域名白名单。".repeat(20)
        );
        let text = "支付宝小程序网络请求报错，请检查服务器域名白名单。".repeat(20);
        let body = Body::new(&html, &text);
        assert!(
            body.packed_len() * 4 < html.len() + text.len(),
            "{}",
            body.packed_len()
        );
    }
}
