//! Entries: `kb/<id>.md`, TOML front matter between `+++` lines, then Markdown; and
//! `contact.md`, whom to contact when nothing here helped.

use std::path::PathBuf;

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::locale::Language;
use crate::source::files::{Root, sources_and_translations};
use crate::source::report::{Lines, Report, is_valid_id};
use crate::source::versions::{checked_version, warn_outdated};

use crate::source::markdown::{self, InternalLink, Rendered};

use super::{Body, Entry};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: Spanned<String>,
    category: Spanned<String>,
    #[serde(default)]
    tags: Vec<String>,
    #[serde(default)]
    aliases: Vec<Spanned<String>>,
    updated: Option<Spanned<toml::value::Datetime>>,
    /// Position within its category (lower first); entries without one come last, by title.
    #[serde(default = "default_order")]
    order: i64,
}

fn default_order() -> i64 {
    1000
}

/// An entry read from disk, before cross-entry checks.
pub(super) struct Draft {
    pub(super) entry: Entry,
    /// Only needed for messages while loading, so not kept on the entry.
    pub(super) source: PathBuf,
    pub(super) internal_links: Vec<InternalLink>,
    pub(super) body_line: usize,
    pub(super) category_line: usize,
    pub(super) alias_lines: Vec<usize>,
}

pub(super) fn load_entries(root: &Root, dir: &Path, report: &mut Report) -> Vec<Draft> {
    if !root.admits(dir, report) {
        return Vec::new();
    }
    let paths = match sources_and_translations(dir, "md") {
        Ok((sources, _)) => sources,
        Err(e) => {
            report.error(dir, 0, format!("cannot read entry directory: {e}"));
            return Vec::new();
        }
    };
    // Reading and rendering are independent per file: spread them over the cores.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    let chunk = paths.len().div_ceil(threads).max(1);
    let loaded: Vec<(Vec<Draft>, Report)> = std::thread::scope(|scope| {
        let workers: Vec<_> = paths
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    let mut report = Report::default();
                    let drafts = part
                        .iter()
                        .filter_map(|path| load_entry(root, path, &mut report))
                        .collect();
                    (drafts, report)
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    let mut drafts = Vec::with_capacity(paths.len());
    for (part, part_report) in loaded {
        drafts.extend(part);
        report.errors.extend(part_report.errors);
        report.digests.extend(part_report.digests);
    }
    drafts
}

fn load_entry(root: &Root, path: &Path, report: &mut Report) -> Option<Draft> {
    let id = path.file_stem()?.to_string_lossy().to_string();
    if !is_valid_id(&id) {
        report.error(
            path,
            1,
            format!(
                "entry id \"{id}\" (the file name) must be lowercase ASCII letters, digits and '-'"
            ),
        );
        return None;
    }
    let text = root.read(path, "entry", report)?;
    let (front, body, body_line) = front_matter(&text, path, report)?;
    let fm: FrontMatter = report.toml(path, front, 2)?;

    let lines = Lines::new(front, 2);
    let title_line = lines.at(fm.title.span().start);
    let title = fm.title.into_inner().trim().to_string();
    if title.is_empty() {
        report.error(path, title_line, "title is empty");
    }
    let updated = match fm.updated {
        Some(date) => {
            let line = lines.at(date.span().start);
            let date = date.into_inner();
            if date.date.is_none() || date.time.is_some() {
                report.error(path, line, "updated must be a date such as 2026-11-24");
                None
            } else {
                Some(date.to_string())
            }
        }
        None => None,
    };
    let mut aliases = Vec::new();
    let mut alias_lines = Vec::new();
    for alias in fm.aliases {
        let line = lines.at(alias.span().start);
        let alias = alias.into_inner();
        if !is_valid_id(&alias) {
            report.error(
                path,
                line,
                format!("alias \"{alias}\" must be lowercase ASCII letters, digits and '-'"),
            );
        }
        aliases.push(alias);
        alias_lines.push(line);
    }

    let Rendered {
        html,
        text,
        headings,
        internal_links,
    } = markdown::render(body, crate::locale::default());
    if text.is_empty() {
        report.error(path, body_line, "entry has no text");
    }
    let entry = Entry {
        id,
        title,
        category: fm.category.get_ref().clone(),
        tags: fm.tags,
        aliases,
        updated,
        order: fm.order,
        body: Body::new(&html, &text),
        headings,
        links_to: internal_links
            .iter()
            .filter_map(|l| l.target.strip_prefix("/kb/"))
            .filter_map(|rest| rest.split(['#', '?']).next())
            .map(|id| id.trim_end_matches('/').to_string())
            .filter(|id| !id.is_empty())
            .collect(),
        lang: crate::locale::DEFAULT,
        outdated: false,
    };
    Some(Draft {
        entry,
        source: path.to_path_buf(),
        internal_links,
        body_line,
        category_line: lines.at(fm.category.span().start),
        alias_lines,
    })
}

/// `contact.md`: Markdown saying whom to contact when nothing here helped.
pub(super) fn load_contact(root: &Root, path: &Path, report: &mut Report) -> Option<Rendered> {
    let text = root.read(path, "contact page", report)?;
    let rendered = markdown::render(&text, crate::locale::default());
    if rendered.text.is_empty() {
        report.error(
            path,
            1,
            "contact.md has no text: say whom to contact and what to send, or remove the file",
        );
        return None;
    }
    Some(rendered)
}

/// `contact.<lang>.md`: the contact text in another language, with the version of
/// `contact.md` it was translated from.
#[derive(Debug, Clone)]
pub struct ContactTranslation {
    pub lang: String,
    pub html: String,
    /// Whether `contact.md` changed since.
    pub outdated: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ContactFrontMatter {
    source: Spanned<String>,
}

/// Reads a contact translation into `lang` against the version of `contact.md` now; its links
/// are checked with the others' (the second value).
pub(super) fn load_contact_translation(
    root: &Root,
    path: &Path,
    lang: &Language,
    version: &str,
    report: &mut Report,
) -> Option<(ContactTranslation, Vec<InternalLink>)> {
    let text = root.read(path, "contact translation", report)?;
    let (front, body, body_line) = front_matter(&text, path, report)?;
    let fm: ContactFrontMatter = report.toml(path, front, 2)?;
    let lines = Lines::new(front, 2);
    let named = checked_version(path, &fm.source, &lines, "contact.md", report)?;
    let rendered = markdown::render(body, lang);
    if rendered.text.is_empty() {
        report.error(path, body_line, "the contact translation has no text");
        return None;
    }
    let outdated = named != version;
    if outdated {
        let line = lines.at(fm.source.span().start);
        warn_outdated(report, path, line, &named, "contact.md", version);
    }
    // Link lines count from the file's top, as contact.md's do.
    let links = rendered
        .internal_links
        .into_iter()
        .map(|mut link| {
            link.line += body_line - 1;
            link
        })
        .collect();
    Some((
        ContactTranslation {
            lang: lang.code.clone(),
            html: rendered.html,
            outdated,
        },
        links,
    ))
}

/// [`split_front_matter`], its problem reported.
pub(super) fn front_matter<'a>(
    text: &'a str,
    path: &Path,
    report: &mut Report,
) -> Option<(&'a str, &'a str, usize)> {
    split_front_matter(text)
        .map_err(|(line, message)| report.error(path, line, message))
        .ok()
}

/// Splits `+++\n<toml>\n+++\n<markdown>`; returns the TOML, the Markdown and the Markdown's first line.
fn split_front_matter(text: &str) -> Result<(&str, &str, usize), (usize, String)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut lines = text.split_inclusive('\n');
    let first = lines.next().unwrap_or_default();
    if first.trim_end() != "+++" {
        return Err((
            1,
            "entry must start with a +++ line opening its front matter".into(),
        ));
    }
    let front_start = first.len();
    let mut offset = front_start;
    for (i, line) in lines.enumerate() {
        if line.trim_end() == "+++" {
            let front = &text[front_start..offset];
            let body = &text[offset + line.len()..];
            return Ok((front, body, i + 3));
        }
        offset += line.len();
    }
    Err((1, "front matter is not closed: no second +++ line".into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split_reports_lines() {
        let (front, body, line) = split_front_matter("+++\ntitle = \"t\"\n+++\nbody\n").unwrap();
        assert_eq!(front, "title = \"t\"\n");
        assert_eq!(body, "body\n");
        assert_eq!(line, 4);
        assert_eq!(split_front_matter("title").unwrap_err().0, 1);
        assert!(
            split_front_matter("+++\ntitle = 1\n")
                .unwrap_err()
                .1
                .contains("not closed")
        );
    }
}
