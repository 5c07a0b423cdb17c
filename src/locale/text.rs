//! Catalogue texts with holes: a count ([`Count`]), one `{x}` ([`Fill`]), named holes
//! ([`Holes`], checked when the catalogues load).

use serde::Deserialize;

/// A count as a language writes it: `{n}` stands for the number; `one` is used for 1 where
/// the language has it (English), `other` for every other number.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Count {
    #[serde(default)]
    one: Option<String>,
    other: String,
}

impl Count {
    pub fn of(&self, n: usize) -> String {
        let form = match &self.one {
            Some(one) if n == 1 => one,
            _ => &self.other,
        };
        form.replace("{n}", &n.to_string())
    }
}

/// Text with one `{x}` hole, filled by [`Fill::with`].
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Fill(String);

impl Fill {
    pub fn with(&self, value: impl std::fmt::Display) -> String {
        self.0.replace("{x}", &value.to_string())
    }
}

/// Text with named holes (`{total}`, `{page}`), filled by [`Holes::fill`]. Which names each
/// one must have is checked when the catalogues load ([`Messages::check_holes`]), so a
/// misspelt hole is a start-up error, not a `{pgae}` on the page.
#[derive(Deserialize)]
#[serde(transparent)]
pub struct Holes(String);

impl Holes {
    /// The text with each hole named in `values` replaced, in one pass: a value is never
    /// read for holes itself.
    pub fn fill(&self, values: &[(&str, &dyn std::fmt::Display)]) -> String {
        let mut text = String::with_capacity(self.0.len());
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                let (_, value) = values.iter().find(|(n, _)| *n == name)?;
                Some((close, value))
            });
            text.push_str(&rest[..open]);
            match value {
                Some((close, value)) => {
                    text.push_str(&value.to_string());
                    rest = &after[close + 1..];
                }
                None => {
                    text.push('{');
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        text
    }

    /// The text with its holes unfilled (for a script to fill).
    pub fn raw(&self) -> &str {
        &self.0
    }

    /// The names of its holes, in order.
    fn names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        let mut rest = self.0.as_str();
        while let Some(open) = rest.find('{') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('}') else { break };
            names.push(&after[..close]);
            rest = &after[close + 1..];
        }
        names
    }

    /// An error unless its holes are exactly the names of `expected` (in any order; a
    /// language may use one twice).
    pub(super) fn expect(&self, key: &str, expected: &[&str]) -> Result<(), String> {
        let mut names = self.names();
        names.sort_unstable();
        names.dedup();
        let mut want = expected.to_vec();
        want.sort_unstable();
        want.dedup();
        if names == want {
            return Ok(());
        }
        Err(format!(
            "{key} = \"{}\" must have the holes {{{}}}",
            self.0,
            expected.join("}, {")
        ))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn counts_take_the_form_of_their_number() {
        let en = crate::locale::get("en").unwrap();
        assert_eq!(en.t.site.entries.of(1), "1 entry");
        assert_eq!(en.t.site.entries.of(24), "24 entries");
        assert_eq!(crate::locale::default().t.site.entries.of(1), "1 篇");
    }

    #[test]
    fn a_misspelt_or_missing_hole_is_an_error() {
        let holes = |text: &str| super::Holes(text.to_string());
        let good = holes("Category “{name}” has {pages} page(s), not page {page}.");
        good.expect("k", &["name", "pages", "page"]).unwrap();
        assert_eq!(
            good.fill(&[("name", &"Cookie"), ("pages", &2), ("page", &9)]),
            "Category “Cookie” has 2 page(s), not page 9."
        );
        let misspelt = holes("{name} has {pgaes} pages, not page {page}");
        let e = misspelt.expect("category.no_page", &["name", "pages", "page"]);
        assert!(e.unwrap_err().contains("category.no_page"));
        let missing = holes("{name}: not page {page}");
        assert!(missing.expect("k", &["name", "pages", "page"]).is_err());
        // One pass: a value that looks like a hole stays as it is.
        let section = holes("“{id}” has no section “{anchor}”.");
        assert_eq!(
            section.fill(&[("id", &"{anchor}"), ("anchor", &"x")]),
            "“{anchor}” has no section “x”."
        );
    }
}
