//! Which language a page is read in: its URL says (`/en/kb/…` English, `/kb/…` the default).

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::http::header::{AcceptLanguage, Preference, Quality};
use actix_web::{FromRequest, HttpMessage, HttpRequest, dev::Payload};

use crate::locale::{self, Language};

/// The language of the page asked for.
pub struct Lang(pub &'static Language);

impl Lang {
    /// The language whose prefix `path` starts with, else the default.
    pub fn of_path(path: &str) -> &'static Language {
        locale::languages()
            .iter()
            .filter(|l| !l.is_default())
            .find(|l| {
                path.strip_prefix(l.prefix.as_str())
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
            })
            .unwrap_or_else(locale::default)
    }
}

/// The site's language the reader's browser ranks first (`Accept-Language`), matched on the
/// primary subtag (`en-GB` is `en`, `zh-TW` is `zh-CN`); none when it names none of them.
pub fn preferred(req: &HttpRequest) -> Option<&'static Language> {
    let header = req.get_header::<AcceptLanguage>()?;
    // `q=0` says "not this one".
    let mut ranked: Vec<_> = header
        .0
        .iter()
        .filter(|p| p.quality > Quality::ZERO)
        .collect();
    ranked.sort_by_key(|p| std::cmp::Reverse(p.quality));
    ranked
        .into_iter()
        .find_map(|preference| match &preference.item {
            Preference::Specific(tag) => locale::by_tag(tag.primary_language()),
            Preference::Any => None,
        })
}

/// `?lang=` of the API calls.
#[derive(serde::Deserialize)]
pub struct LangParam {
    pub lang: Option<String>,
}

/// The language a query string's `lang` names, else the default (a `lang` naming none of the
/// site's is the handler's to refuse).
pub fn of_query(query: &str) -> &'static Language {
    actix_web::web::Query::<LangParam>::from_query(query)
        .ok()
        .and_then(|q| q.0.lang)
        .and_then(|code| locale::by_tag(code.trim()))
        .unwrap_or_else(locale::default)
}

/// The language an API call asks for with `?lang=`: the default when absent, a 400 (in the
/// default language) when it names none of the site's.
pub fn asked(value: Option<&str>) -> Result<&'static Language, super::Error> {
    Ok(named(value, locale::default())?.unwrap_or_else(locale::default))
}

/// The language a `lang` parameter names: none when absent or empty, a 400 told in `told_in`
/// when it names no language of the site.
pub fn named(
    value: Option<&str>,
    told_in: &Language,
) -> Result<Option<&'static Language>, super::Error> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(code) => match locale::by_tag(code) {
            Some(lang) => Ok(Some(lang)),
            None => {
                let codes: Vec<&str> = locale::languages()
                    .iter()
                    .map(|l| l.code.as_str())
                    .collect();
                let t = &told_in.t.error;
                Err(super::Error::BadRequest(
                    t.unknown_lang
                        .fill(&[("known", &codes.join(", ")), ("value", &code)]),
                ))
            }
        },
    }
}

impl FromRequest for Lang {
    type Error = Infallible;
    type Future = Ready<Result<Lang, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang(Lang::of_path(req.path()))))
    }
}

#[cfg(test)]
mod tests {
    use super::{Lang, preferred};
    use actix_web::test::TestRequest;

    fn preferred_by(header: &str) -> Option<&'static str> {
        let req = TestRequest::default()
            .insert_header(("accept-language", header))
            .to_http_request();
        preferred(&req).map(|l| l.code.as_str())
    }

    #[test]
    fn the_browser_s_first_language_we_have_is_preferred() {
        assert_eq!(preferred_by("en-US,en;q=0.9,zh-CN;q=0.8"), Some("en"));
        assert_eq!(preferred_by("zh-CN,zh;q=0.9,en;q=0.8"), Some("zh-CN"));
        assert_eq!(preferred_by("zh-TW,en;q=0.5"), Some("zh-CN"));
        assert_eq!(preferred_by("fr-FR,en-GB;q=0.7"), Some("en"));
        assert_eq!(preferred_by("fr-FR"), None);
        assert_eq!(preferred_by("*"), None);
        assert_eq!(preferred_by("fr, en;q=0, zh;q=0.1"), Some("zh-CN"));
    }

    #[test]
    fn the_prefix_names_the_language() {
        assert_eq!(Lang::of_path("/en/kb/x").code, "en");
        assert_eq!(Lang::of_path("/en/").code, "en");
        assert_eq!(Lang::of_path("/en").code, "en");
        assert_eq!(Lang::of_path("/kb/en").code, "zh-CN");
        assert_eq!(Lang::of_path("/english").code, "zh-CN");
        assert_eq!(Lang::of_path("/").code, "zh-CN");
    }
}
