//! The languages the site is read in, and each one's interface text: one catalogue per
//! language, `templates/messages/<code>.toml`, built into the binary. The file name is the
//! language's code (`zh-CN`, `en`); every catalogue must have every key of [`Messages`] and no
//! other, so a missing string is an error at start-up (and in `cargo test`), never a blank.
//! Adding a language is adding a catalogue and its content translations.

use std::sync::LazyLock;

use include_dir::{Dir, include_dir};
use unicode_script::{Script, UnicodeScript};

mod messages;
mod text;

pub use messages::*;
pub use text::{Count, Fill, Holes};

static CATALOGUES: Dir = include_dir!("$CARGO_MANIFEST_DIR/templates/messages");

/// The site's own language: what content is written in and what `/kb/<id>` serves.
pub const DEFAULT: &str = "zh-CN";

/// A language of the site.
pub struct Language {
    /// Its BCP 47 code: the `lang` attribute, `hreflang`, the `<lang>` of translated files.
    pub code: String,
    /// What its URLs start with: empty for [`DEFAULT`], `/<code>` for the others.
    pub prefix: String,
    /// The script it is written in (its catalogue's `language.script`).
    pub script: Script,
    pub t: Messages,
}

impl Language {
    pub fn is_default(&self) -> bool {
        self.code == DEFAULT
    }
}

static LANGUAGES: LazyLock<Result<Vec<Language>, String>> = LazyLock::new(load);

/// Every language, the default first, then by code. Call [`check`] at start-up first: a bad
/// catalogue panics here.
pub fn languages() -> &'static [Language] {
    match &*LANGUAGES {
        Ok(languages) => languages,
        Err(e) => panic!("{e}"),
    }
}

/// Whether every catalogue reads; the message names the file and the key.
pub fn check() -> Result<(), String> {
    LANGUAGES.as_ref().map(|_| ()).map_err(Clone::clone)
}

pub fn default() -> &'static Language {
    &languages()[0]
}

/// The language with this code.
pub fn get(code: &str) -> Option<&'static Language> {
    languages().iter().find(|l| l.code == code)
}

/// The language a BCP 47 tag names, as people write one: its code in any case (`EN`), else
/// its primary subtag (`en-US` is `en`, `zh-TW` is `zh-CN`).
pub fn by_tag(tag: &str) -> Option<&'static Language> {
    languages()
        .iter()
        .find(|l| l.code.eq_ignore_ascii_case(tag))
        .or_else(|| {
            languages()
                .iter()
                .find(|l| primary_subtag(&l.code).eq_ignore_ascii_case(primary_subtag(tag)))
        })
}

/// `en` of `en-US` (or `en_US`).
fn primary_subtag(tag: &str) -> &str {
    tag.split(['-', '_']).next().unwrap_or_default()
}

/// The codes of the languages content may be translated into (all but the default).
pub fn translated() -> Vec<&'static str> {
    languages()[1..].iter().map(|l| l.code.as_str()).collect()
}

/// Letters of the default language's script that make a message that language's, however
/// many of another's it has: a Chinese ticket pastes English logs.
const DEFAULT_LETTERS_ENOUGH: usize = 10;

/// The language a message is written in, for answering it in kind, told by the scripts of its
/// letters: the default (Chinese) when it has ten letters of its script or no fewer than of
/// any other's, else the language whose script has the most (the first by code of those
/// sharing one). A ticket in English that quotes a Chinese error message stays English.
/// Identifiers and codes (`my.request`, `getAuthCode`, `N22106`) are in no language, and a
/// Chinese character says about as much as two letters of a word: `my.request 传参乱码` is
/// Chinese.
pub fn written_in(text: &str) -> &'static Language {
    let languages = languages();
    let mut letters = vec![0usize; languages.len()];
    let mut default_letters = 0;
    let words = text.split(|c: char| !(c.is_alphanumeric() || c == '.' || c == '_'));
    for word in words.map(|w| w.trim_matches(['.', '_'])) {
        if is_code(word) {
            continue;
        }
        for c in word.chars() {
            let script = c.script();
            if let Some(i) = languages.iter().position(|l| l.script == script) {
                letters[i] += if script == Script::Han { 2 } else { 1 };
                default_letters += usize::from(i == 0);
            }
        }
    }
    let (most, _) = letters.iter().enumerate().fold(
        (0, 0),
        |best, (i, &n)| if n > best.1 { (i, n) } else { best },
    );
    if default_letters >= DEFAULT_LETTERS_ENOUGH || letters[0] >= letters[most] {
        default()
    } else {
        &languages[most]
    }
}

/// An identifier or a code written in ASCII: with a digit, a `.` or `_` inside, or a capital
/// after its first letter.
fn is_code(word: &str) -> bool {
    word.is_ascii()
        && (word.contains(['.', '_'])
            || word.chars().any(|c| c.is_ascii_digit())
            || word.chars().skip(1).any(|c| c.is_ascii_uppercase()))
}

/// What the URLs of the language `code` start with (`""` for the default or an unknown code).
pub fn prefix(code: &str) -> &'static str {
    get(code).map_or("", |l| l.prefix.as_str())
}

fn load() -> Result<Vec<Language>, String> {
    let mut languages = Vec::new();
    for file in CATALOGUES.files() {
        let path = file.path();
        let Some(code) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let text = file
            .contents_utf8()
            .ok_or_else(|| format!("templates/messages/{}: not UTF-8", path.display()))?;
        let t: Messages = toml::from_str(text)
            .map_err(|e| format!("templates/messages/{}: {e}", path.display()))?;
        t.check_holes()
            .map_err(|e| format!("templates/messages/{}: {e}", path.display()))?;
        let script = Script::from_full_name(&t.language.script).ok_or_else(|| {
            format!(
                "templates/messages/{}: language.script “{}” is not a Unicode script name (Han, Latin, …)",
                path.display(),
                t.language.script
            )
        })?;
        let prefix = if code == DEFAULT {
            String::new()
        } else {
            format!("/{code}")
        };
        languages.push(Language {
            code: code.to_string(),
            prefix,
            script,
            t,
        });
    }
    languages.sort_by_key(|l| (!l.is_default(), l.code.clone()));
    if languages.first().is_none_or(|l| !l.is_default()) {
        return Err(format!("templates/messages/{DEFAULT}.toml is missing"));
    }
    Ok(languages)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_catalogue_reads_and_the_default_comes_first() {
        super::check().unwrap();
        let codes: Vec<&str> = super::languages().iter().map(|l| l.code.as_str()).collect();
        assert_eq!(codes, ["zh-CN", "en"]);
        assert_eq!(super::prefix("en"), "/en");
        assert_eq!(super::prefix("zh-CN"), "");
    }

    #[test]
    fn a_message_is_answered_in_the_language_it_is_written_in() {
        let code = |text: &str| super::written_in(text).code.as_str();
        assert_eq!(code("真机上请求报错 error 19，浏览器里打开正常"), "zh-CN");
        assert_eq!(code("my.request fails on the device with error 19"), "en");
        assert_eq!(
            code("I keep getting {\"error\":14,\"data\":\"请求超时异常\"} from my.request"),
            "en"
        );
        let log = "at com.alipay.Request.send(Request.java:42)\n".repeat(20);
        assert_eq!(
            code(&format!("请求一直失败，后台日志如下：\n{log}")),
            "zh-CN"
        );
        assert_eq!(code("12 404 500"), "zh-CN");
        // Identifiers and codes are in no language; a Chinese character says about as much as
        // two letters of a word.
        assert_eq!(code("my.request 传参 参数乱码"), "zh-CN");
        assert_eq!(code("请求报错 error 19"), "zh-CN");
        assert_eq!(code("getAuthCode N22106 my.request 报错"), "zh-CN");
        assert_eq!(
            code("getting 无权跨域调用 on my.request, what does it mean?"),
            "en"
        );
        assert_eq!(code("It fails."), "en");
    }
}
