//! Translations of entries: `kb/<id>.<lang>.md` beside `kb/<id>.md`, with a title, the version
//! of the source they were made from and the translated Markdown. The source gives everything
//! else (category, order, dates, aliases).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::source::files::{Root, sources_and_translations};
use crate::source::markdown::{self, InternalLink, Rendered};
use crate::source::report::{Lines, Report, is_valid_id};

use crate::locale::translated as languages;
use crate::source::versions::{checked_version, version, warn_outdated};

use super::entries::{Draft, front_matter};
use super::{Body, Heading};

/// One entry in another language than the site's default.
#[derive(Debug, Clone)]
pub struct Translation {
    /// The source entry's id.
    pub id: String,
    /// One of [`languages`].
    pub lang: String,
    pub title: String,
    pub tags: Vec<String>,
    pub body: Body,
    pub headings: Vec<Heading>,
    /// The source's version it was made from (`source` in its front matter).
    pub source_version: String,
    /// Whether the source has changed since: the page says so.
    pub outdated: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Spanned<String>,
    /// The first 12 hex digits of the SHA-256 of the source file it was translated from.
    source: Spanned<String>,
    #[serde(default)]
    tags: Vec<String>,
}

/// A translation read from disk, before it is checked against its source.
pub(super) struct TranslationDraft {
    pub(super) translation: Translation,
    pub(super) path: PathBuf,
    pub(super) internal_links: Vec<InternalLink>,
    pub(super) body_line: usize,
    pub(super) source_line: usize,
}

/// `error-19.en` → `("error-19", "en")`; `None` for a name without a language.
pub(super) fn split_name(stem: &str) -> Option<(&str, &str)> {
    stem.rsplit_once('.')
}

/// Every `kb/<id>.<lang>.md`, in file-name order.
pub(super) fn load_translations(
    root: &Root,
    dir: &Path,
    report: &mut Report,
) -> Vec<TranslationDraft> {
    // No readable directory: load_entries reports it.
    let Ok((_, paths)) = sources_and_translations(dir, "md") else {
        return Vec::new();
    };
    paths
        .iter()
        .filter_map(|path| load_translation(root, path, report))
        .collect()
}

fn load_translation(root: &Root, path: &Path, report: &mut Report) -> Option<TranslationDraft> {
    let stem = path.file_stem()?.to_string_lossy().to_string();
    let (id, lang) = split_name(&stem)?;
    if !is_valid_id(id) {
        report.error(
            path,
            1,
            format!(
                "entry id \"{id}\" (the file name) must be lowercase ASCII letters, digits and '-'"
            ),
        );
        return None;
    }
    let Some(language) = crate::locale::get(lang).filter(|l| !l.is_default()) else {
        report.error(
            path,
            1,
            format!(
                "unknown language \"{lang}\" in the file name: a translation is kb/<id>.<lang>.md, with <lang> one of {}",
                languages().join(", ")
            ),
        );
        return None;
    };
    let text = root.read(path, "translation", report)?;
    let (front, body, body_line) = front_matter(&text, path, report)?;
    // An unknown key (category, order, …) is reported with the keys allowed: the rest comes
    // from the source.
    let fm: FrontMatter = report.toml(path, front, 2)?;
    let lines = Lines::new(front, 2);
    let title_line = lines.at(fm.title.span().start);
    let source_line = lines.at(fm.source.span().start);
    let title = fm.title.into_inner().trim().to_string();
    if title.is_empty() {
        report.error(path, title_line, "title is empty");
    }
    let source_version = checked_version(path, &fm.source, &lines, &format!("kb/{id}.md"), report)
        .unwrap_or_default();
    let Rendered {
        html,
        text,
        headings,
        internal_links,
    } = markdown::render(body, language);
    if text.is_empty() {
        report.error(path, body_line, "translation has no text");
    }
    Some(TranslationDraft {
        translation: Translation {
            id: id.to_string(),
            lang: lang.to_string(),
            title,
            tags: fm.tags,
            body: Body::new(&html, &text),
            headings,
            source_version,
            outdated: false,
        },
        path: path.to_path_buf(),
        internal_links,
        body_line,
        source_line,
    })
}

/// Checks each translation against the entries: its source exists, its links lead somewhere
/// (an anchor may be the source's or the same language's translation's), and its source has not
/// changed since (a warning: the page still serves, saying so).
pub(super) fn check_translations(
    drafts: &[Draft],
    translations: &mut [TranslationDraft],
    digests: &[(PathBuf, [u8; 32])],
    report: &mut Report,
) {
    let by_id: HashMap<&str, &Draft> = drafts.iter().map(|d| (d.entry.id.as_str(), d)).collect();
    let aliases: HashMap<&str, &str> = drafts
        .iter()
        .flat_map(|d| {
            d.entry
                .aliases
                .iter()
                .map(|a| (a.as_str(), d.entry.id.as_str()))
        })
        .collect();
    let versions: HashMap<&Path, String> = digests
        .iter()
        .map(|(path, digest)| (path.as_path(), version(digest)))
        .collect();
    let anchors: HashMap<(String, String), Vec<String>> = translations
        .iter()
        .map(|t| {
            let t = &t.translation;
            let anchors = t.headings.iter().map(|h| h.anchor.clone()).collect();
            ((t.id.clone(), t.lang.clone()), anchors)
        })
        .collect();

    for draft in translations.iter_mut() {
        let t = &mut draft.translation;
        let Some(source) = by_id.get(t.id.as_str()) else {
            report.error(
                &draft.path,
                1,
                format!(
                    "translation of an unknown entry: there is no kb/{}.md",
                    t.id
                ),
            );
            continue;
        };
        if let Some(now) = versions.get(source.source.as_path())
            && *now != t.source_version
        {
            t.outdated = true;
            let of = source.source.display().to_string();
            warn_outdated(
                report,
                &draft.path,
                draft.source_line,
                &t.source_version,
                &of,
                now,
            );
        }
        for link in &draft.internal_links {
            let target = link.target.split('?').next().unwrap_or_default();
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target, None),
            };
            let Some(id) = path.strip_prefix("/kb/") else {
                continue;
            };
            let id = aliases.get(id).copied().unwrap_or(id);
            let problem = match by_id.get(id) {
                None => Some(format!("broken link {}: no entry \"{id}\"", link.target)),
                Some(target) => anchor.and_then(|anchor| {
                    let in_source = target.entry.headings.iter().any(|h| h.anchor == anchor);
                    let in_translation = anchors
                        .get(&(id.to_string(), t.lang.clone()))
                        .is_some_and(|a| a.iter().any(|a| a == anchor));
                    (!in_source && !in_translation).then(|| {
                        format!(
                            "broken link {}: entry \"{id}\" has no heading #{anchor}, in either language",
                            link.target
                        )
                    })
                }),
            };
            if let Some(message) = problem {
                report.error(&draft.path, draft.body_line + link.line - 1, message);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_at_the_last_dot() {
        assert_eq!(split_name("error-19.en"), Some(("error-19", "en")));
        assert_eq!(split_name("error-19"), None);
    }
}
