//! One analysis chain for documents and queries alike:
//! NFKC (full-width → half-width) → lowercase → traditional → simplified → tokens, where Chinese
//! runs are segmented by jieba in search mode (words and their parts) and Latin runs are kept whole
//! and split at punctuation and letter/digit boundaries, with English stems.
//!
//! Offsets always point into the original text, at character boundaries, so snippets can
//! highlight the original words and never cut a character in half.

use std::sync::LazyLock;

use jieba_rs::Jieba;
use rust_stemmers::{Algorithm, Stemmer};

mod normalize;
mod tokenizer;

use normalize::Normalized;
pub use normalize::{mainland, normalize, normalize_query};
pub use tokenizer::WendaoTokenizer;

/// A token of analysed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    pub text: String,
    /// Character index in the normalised text: the same for a word and its parts that start
    /// with it, so phrases line up between documents and queries.
    pub position: usize,
    /// Byte range in the original text.
    pub from: usize,
    pub to: usize,
    /// A whole word (as opposed to a part of one: `域名` in `域名白名单`, `request` in `my.request`).
    pub primary: bool,
}

/// Which analysis to apply. `Plain` is the baseline a first attempt would use (lowercase +
/// jieba), kept to measure what the full chain gains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Full,
    Plain,
}

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let mut jieba = Jieba::new();
    // Words of this domain that the general dictionary splits or lacks.
    for word in DOMAIN_WORDS {
        jieba.add_word(word, Some(20_000), None);
    }
    jieba
});

const DOMAIN_WORDS: &[&str] = &[
    "白名单",
    "域名白名单",
    "服务器域名",
    "安全域名",
    "体验版",
    "真机",
    "小程序",
    "跨域",
    "入参",
    "乱码",
    "基础库",
    "管理中心",
    "请求头",
    "响应头",
    "状态码",
    "错误码",
    "报错",
    "断网",
    "局域网",
    "内网",
    "外网",
    "证书",
    "请求超时",
    "超时时间",
    "同步执行",
    "异步执行",
    "预览模式",
    "真机调试",
    "钉钉",
    "支付宝",
    "传参",
    "后台",
    "后端",
    "前端",
    "打包上传",
    "本地网络",
    "调试器",
];

/// Names whose parts mean something else: 支付 (paying) is not what 支付宝 is about, so a
/// search for 支付失败 must not find every entry that names the platform.
const KEPT_WHOLE: &[&str] = &["支付宝", "淘宝", "钉钉"];

static STEMMER: LazyLock<Stemmer> = LazyLock::new(|| Stemmer::create(Algorithm::English));

/// Words that carry no meaning for search, dropped everywhere (question words included, so
/// "error 19 怎么办" still finds the entry that only says "如何处理"). Asked for every token
/// indexed, so a `match` (compared by length, then bytes) rather than a hashed set.
#[rustfmt::skip]
pub fn is_stop_word(word: &str) -> bool {
    matches!(
        word,
        "的" | "了" | "吗" | "呢" | "啊" | "吧" | "呀" | "么" | "是" | "在" | "和" | "与" | "或"
        | "及" | "也" | "就" | "都" | "而" | "之" | "把" | "被" | "对" | "这" | "那" | "个"
        | "如何" | "怎么" | "怎么办" | "怎样" | "为什么" | "为何" | "什么" | "请问" | "一下"
        | "哪些" | "哪里" | "如何处理" | "是否" | "点解" | "点样" | "乜嘢"
        | "the" | "a" | "an" | "is" | "are" | "to" | "of" | "in" | "on" | "and" | "or" | "how" | "what"
        | "why" | "do" | "does" | "i" | "am" | "be" | "was" | "were" | "been" | "for" | "with"
        | "from" | "by" | "at" | "as" | "can" | "could" | "should" | "would" | "will" | "did"
        | "it" | "its" | "this" | "that" | "there" | "me" | "we" | "our" | "you" | "your" | "any"
        | "but" | "if" | "then" | "so" | "too" | "very" | "when" | "where" | "which" | "has"
        | "have" | "had" | "my" | "mine" | "he" | "him" | "his" | "she" | "her" | "they" | "them"
        | "their" | "us" | "these" | "those" | "who" | "whose" | "into" | "than" | "about" | "just"
        | "also" | "own" | "some" | "such" | "here" | "being" | "each"
        // What an apostrophe leaves of a contraction or a possessive: can't, it's, we'll.
        | "s" | "t" | "d" | "m" | "ll" | "re" | "ve"
    )
}

/// A contraction typed without its apostrophe (cant, dont, doesnt), as the apostrophe would
/// have split it: `doesnt work` reads as `doesn't work`, and `cant` as the stop word `can`.
#[rustfmt::skip]
fn unapostrophed(word: &str) -> &str {
    match word {
        "cant" => "can", "dont" => "don", "doesnt" => "doesn", "didnt" => "didn", "isnt" => "isn",
        "arent" => "aren", "wasnt" => "wasn", "werent" => "weren", "wont" => "won",
        "wouldnt" => "wouldn", "couldnt" => "couldn", "shouldnt" => "shouldn", "hasnt" => "hasn",
        "havent" => "haven", "hadnt" => "hadn", "im" => "i", "ive" => "i", "youre" => "you",
        "thats" => "that", "whats" => "what", "theres" => "there",
        _ => word,
    }
}

/// Whether a Chinese word is, by jieba's dictionary, of a class that names no topic: numerals
/// and measures (一个), adverbs (必须, 直接), conjunctions (还是, 同时), prepositions, particles,
/// locatives (以后) and time words. Nouns, verbs and pronouns (本地) may name one.
pub fn names_no_topic(word: &str) -> bool {
    if word.is_ascii() {
        return false;
    }
    match JIEBA.tag(word, false).as_slice() {
        [tag] if tag.word == word => {
            matches!(
                tag.tag,
                "m" | "mq"
                    | "q"
                    | "d"
                    | "ad"
                    | "f"
                    | "c"
                    | "p"
                    | "u"
                    | "uj"
                    | "ul"
                    | "uz"
                    | "ug"
                    | "uv"
                    | "ud"
                    | "y"
                    | "e"
                    | "o"
                    | "t"
                    | "tg"
                    | "dg"
            )
        }
        _ => false,
    }
}

/// The question words among the stop words, which a reader may also type in pinyin (`zenme`).
pub const QUESTION_WORDS: &[&str] = &[
    "如何",
    "怎么",
    "怎么办",
    "怎样",
    "为什么",
    "为何",
    "什么",
    "请问",
    "一下",
    "哪些",
    "哪里",
    "如何处理",
    "是否",
    "点解",
    "点样",
];

/// Loads the dictionary now rather than in the first request (~120 ms).
pub fn warm_up() {
    LazyLock::force(&JIEBA);
    LazyLock::force(&STEMMER);
    normalize::warm_up();
}

fn is_han(c: char) -> bool {
    matches!(c,
        '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' |
        '\u{20000}'..='\u{2A6DF}' | '\u{2A700}'..='\u{2EBEF}' | '\u{3007}')
}

fn is_connector(c: char) -> bool {
    matches!(c, '.' | '_' | '-')
}

#[derive(PartialEq, Clone, Copy)]
enum Class {
    Han,
    Word,
    Other,
}

fn class(c: char) -> Class {
    if is_han(c) {
        Class::Han
    } else if c.is_alphanumeric() || is_connector(c) {
        Class::Word
    } else {
        Class::Other
    }
}

/// Analyses text into tokens (stop words removed).
pub fn analyze(text: &str, mode: Mode) -> Vec<Token> {
    let mut tokens = Tokens::default();
    tokens.analyze(text, mode);
    tokens
        .spans
        .iter()
        .map(|s| Token {
            text: tokens.word(s).to_string(),
            position: s.position,
            from: s.from,
            to: s.to,
            primary: s.primary,
        })
        .collect()
}

/// The tokens of one text, their words side by side in one buffer: indexing reuses it from
/// document to document instead of allocating a string per token.
#[derive(Default, Clone)]
struct Tokens {
    words: String,
    spans: Vec<Span>,
}

/// A [`Token`] whose text is `words[start..end]`.
#[derive(Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    position: usize,
    from: usize,
    to: usize,
    primary: bool,
}

impl Tokens {
    fn analyze(&mut self, text: &str, mode: Mode) {
        self.words.clear();
        self.spans.clear();
        match mode {
            Mode::Full => self.analyze_full(text),
            Mode::Plain => self.analyze_plain(text),
        }
    }

    fn word(&self, span: &Span) -> &str {
        &self.words[span.start..span.end]
    }

    /// Adds a token unless it is a stop word.
    fn push(&mut self, word: &str, position: usize, from: usize, to: usize, primary: bool) {
        if is_stop_word(word) {
            return;
        }
        let start = self.words.len();
        self.words.push_str(word);
        self.spans.push(Span {
            start,
            end: self.words.len(),
            position,
            from,
            to,
            primary,
        });
    }

    fn analyze_full(&mut self, text: &str) {
        let norm = Normalized::new(text);
        let chars = &norm.chars;
        let mut start = 0;
        while start < chars.len() {
            let kind = class(chars[start].ch);
            let mut end = start + 1;
            while end < chars.len() && class(chars[end].ch) == kind {
                end += 1;
            }
            match kind {
                Class::Han => self.han_tokens(&norm, start, end),
                Class::Word => self.word_tokens(&norm, start, end),
                Class::Other => {}
            }
            start = end;
        }
    }

    /// Chinese: jieba's search mode gives each word and the dictionary words inside it.
    fn han_tokens(&mut self, norm: &Normalized, start: usize, end: usize) {
        let chars = &norm.chars;
        let first = self.spans.len();
        for t in JIEBA.cut_for_search(norm.slice(start, end), false) {
            let (a, b) = (start + t.start, start + t.end);
            // Search mode lists a word's parts right before the word: mark those parts, or
            // drop them for a name kept whole.
            let whole = KEPT_WHOLE.contains(&t.word);
            for i in (first..self.spans.len()).rev() {
                let earlier = self.spans[i];
                if earlier.position >= a
                    && earlier.position < b
                    && (earlier.position, self.word(&earlier).chars().count()) != (a, b - a)
                {
                    if whole {
                        self.spans.remove(i);
                    } else {
                        self.spans[i].primary = false;
                    }
                } else if earlier.position < a {
                    break;
                }
            }
            // After marking its parts, which are not words of their own either.
            self.push(t.word, a, chars[a].from, chars[b - 1].to, true);
        }
    }

    /// Latin words, codes and identifiers: `my.request` → `my.request`, `my`, `request`;
    /// `n22106` → `n22106`, `22106`; `requests` → `request`.
    fn word_tokens(&mut self, norm: &Normalized, mut start: usize, mut end: usize) {
        let chars = &norm.chars;
        while start < end && is_connector(chars[start].ch) {
            start += 1;
        }
        while end > start && is_connector(chars[end - 1].ch) {
            end -= 1;
        }
        if start == end {
            return;
        }
        let mut parts = Vec::new();
        let mut part_start = start;
        for i in start..=end {
            let boundary = i == end
                || is_connector(chars[i].ch)
                || (i > part_start
                    && chars[i].ch.is_ascii_digit() != chars[i - 1].ch.is_ascii_digit());
            if boundary {
                if i > part_start {
                    parts.push((part_start, i));
                }
                part_start = if i < end && is_connector(chars[i].ch) {
                    i + 1
                } else {
                    i
                };
            }
        }
        let mut push = |a: usize, b: usize, text: &str, primary: bool| {
            self.push(text, a, chars[a].from, chars[b - 1].to, primary);
        };
        let split = parts.len() > 1;
        if split {
            push(start, end, norm.slice(start, end), true);
        }
        for (a, b) in parts {
            let part = unapostrophed(norm.slice(a, b));
            let is_letters = part.chars().all(|c| c.is_alphabetic());
            if is_letters && b - a < 2 && split {
                continue;
            }
            // The only part of a plain word is the word itself.
            let primary = (a, b) == (start, end);
            // A stop word is known by how it is written: its stem (`doe`, `thi`) is not one.
            if is_stop_word(part) {
                continue;
            }
            if is_letters && part.len() > 3 {
                push(a, b, &STEMMER.stem(part), primary);
            } else {
                push(a, b, part, primary);
            }
        }
    }

    /// The baseline: lowercase and jieba's search mode over the raw text, nothing else.
    fn analyze_plain(&mut self, text: &str) {
        let lower = text.to_lowercase();
        // Lowercasing may change byte lengths; keep it simple and analyse the lowered text.
        for t in JIEBA.cut_for_search(&lower, true) {
            if !t.word.chars().any(char::is_alphanumeric) {
                continue;
            }
            let (from, to) = (t.byte_start.min(text.len()), t.byte_end.min(text.len()));
            self.push(t.word, t.start, from, to, true);
        }
    }
}

/// A tag as its whole words, analysed and joined by spaces: `Error 12`, `error  12`
/// and `"error":12` are all `error 12` (a query is compared by `Plan::whole_words`).
pub fn tag_key(text: &str, mode: Mode) -> String {
    analyze(text, mode)
        .into_iter()
        .filter(|t| t.primary)
        .map(|t| t.text)
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(text: &str) -> Vec<String> {
        analyze(text, Mode::Full)
            .into_iter()
            .map(|t| t.text)
            .collect()
    }

    fn has(text: &str, token: &str) -> bool {
        texts(text).iter().any(|t| t == token)
    }

    #[test]
    fn taiwan_wording_reads_as_mainland_words_and_simplified_text_is_left_alone() {
        assert_eq!(mainland("伺服器網路預設"), "服务器网络缺省");
        assert!(matches!(
            mainland("服务器配置"),
            std::borrow::Cow::Borrowed(_)
        ));
        assert!(matches!(
            mainland("my.request"),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn english_stop_words_are_dropped_before_stemming() {
        // Stemmed first, `does` and `this` were `doe` and `thi`, words that name something.
        assert_eq!(texts("does this work"), ["work"]);
        assert_eq!(texts("QUESTION WORDS"), ["question", "word"]);
    }

    #[test]
    fn function_words_name_no_topic_but_nouns_verbs_and_pronouns_may() {
        for word in ["一个", "必须", "以后", "还是", "直接"] {
            assert!(names_no_topic(word), "{word}");
        }
        for word in ["中止", "配置", "本地", "乱码", "https"] {
            assert!(!names_no_topic(word), "{word}");
        }
    }

    #[test]
    fn question_words_are_stop_words() {
        for word in QUESTION_WORDS {
            assert!(is_stop_word(word), "{word}");
        }
    }

    #[test]
    fn chinese_words_and_their_parts() {
        let t = texts("配置域名白名单");
        for want in ["配置", "域名", "白名单", "域名白名单"] {
            assert!(t.contains(&want.to_string()), "{want} in {t:?}");
        }
    }

    #[test]
    fn identifiers_whole_and_split() {
        // `my` is a stop word (my server, my.request alike).
        assert_eq!(texts("my.request"), ["my.request", "request"]);
        assert_eq!(texts("error:2"), ["error", "2"]);
        assert_eq!(texts("error2"), ["error2", "error", "2"]);
        assert_eq!(texts("N22106"), ["n22106", "22106"]);
        assert_eq!(
            texts("my.getAppIdSync"),
            ["my.getappidsync", "getappidsync"]
        );
    }

    #[test]
    fn full_width_traditional_and_plurals_fold() {
        assert_eq!(texts("ｍｙ．ｒｅｑｕｅｓｔ"), texts("my.request"));
        assert_eq!(texts("ＥＲＲＯＲ １９"), texts("error 19"));
        assert!(has("網絡請求", "网络"), "{:?}", texts("網絡請求"));
        assert!(has("域名白名單", "白名单"));
        assert!(has("requests", "request"));
        assert!(has("Cookies", "cooki") && has("cookie", "cooki"));
    }

    #[test]
    fn contractions_read_alike_with_or_without_the_apostrophe() {
        assert_eq!(texts("doesnt work"), texts("doesn't work"));
        assert_eq!(texts("Cant connect"), ["connect"]);
        assert_eq!(texts("im stuck"), texts("I'm stuck"));
    }

    #[test]
    fn stop_words_and_punctuation_are_dropped() {
        assert_eq!(texts("error 19 怎么办？"), ["error", "19"]);
        assert!(texts("！？。，、 ...").is_empty());
    }

    #[test]
    fn offsets_point_at_whole_original_characters() {
        let text = "請求 ＥＲＲＯＲ １９ 失败";
        for t in analyze(text, Mode::Full) {
            assert!(
                text.is_char_boundary(t.from) && text.is_char_boundary(t.to),
                "{t:?}"
            );
            assert!(t.from < t.to);
        }
        let t = analyze("网络：my.request", Mode::Full);
        let req = t.iter().find(|t| t.text == "my.request").unwrap();
        assert_eq!(&"网络：my.request"[req.from..req.to], "my.request");
    }

    #[test]
    fn parts_are_not_primary() {
        let t = analyze("域名白名单 my.request", Mode::Full);
        let primary: Vec<_> = t
            .iter()
            .filter(|t| t.primary)
            .map(|t| t.text.as_str())
            .collect();
        assert_eq!(primary, ["域名白名单", "my.request"]);
    }
}
