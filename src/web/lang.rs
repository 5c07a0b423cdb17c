//! Which language a page is read in: its URL says (`/en/kb/…` English, `/kb/…` the default).

use std::convert::Infallible;
use std::future::{Ready, ready};

use actix_web::{FromRequest, HttpRequest, dev::Payload};

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

impl FromRequest for Lang {
    type Error = Infallible;
    type Future = Ready<Result<Lang, Infallible>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(Ok(Lang(Lang::of_path(req.path()))))
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

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
