//! Translations of wizards: `wizards/<id>.<lang>.toml`, the whole wizard again with its text in
//! another language and a `source` version. Steps, answer values, routes and outcomes must be
//! the source's, so a step URL keeps its path of answers when the reader switches language.

use std::path::{Path, PathBuf};

use super::load::Anchors;
use crate::locale::translated as languages;
use crate::source::files::{Root, sources_and_translations};
use crate::source::report::Report;
use crate::source::versions::{VERSION_DIGITS, is_version};

/// The keys whose values a reader sees: a translation changes only these.
const PROSE: &[&str] = &[
    "title",
    "description",
    "contact",
    "body",
    "label",
    "placeholder",
    "text",
];

/// A wizard translation, checked against its source.
#[derive(Debug, Clone)]
pub struct WizardTranslation {
    pub id: String,
    pub lang: String,
    /// The wizard as read in `lang`: the source's steps with the translated text.
    pub wizard: super::Wizard,
    /// Whether the source has changed since it was translated.
    pub outdated: bool,
}

/// Every `wizards/<id>.<lang>.toml`: each must name a wizard of `sources` (id → its path and
/// version), keep its structure and say which version of it was translated.
pub(crate) fn load_all(
    root: &Root,
    dir: &Path,
    sources: &[(String, PathBuf, String)],
    anchors: &Anchors,
    report: &mut Report,
) -> Vec<WizardTranslation> {
    // No readable directory: the wizards' loading reports it.
    let Ok((_, paths)) = sources_and_translations(dir, "toml") else {
        return Vec::new();
    };
    paths
        .iter()
        .filter_map(|path| load_one(root, path, sources, anchors, report))
        .collect()
}

fn load_one(
    root: &Root,
    path: &Path,
    sources: &[(String, PathBuf, String)],
    anchors: &Anchors,
    report: &mut Report,
) -> Option<WizardTranslation> {
    let stem = path.file_stem()?.to_string_lossy().to_string();
    let (id, lang) = stem.rsplit_once('.')?;
    let Some(language) = crate::locale::get(lang).filter(|l| !l.is_default()) else {
        report.error(
            path,
            1,
            format!(
                "unknown language \"{lang}\" in the file name: a translation is wizards/<id>.<lang>.toml, with <lang> one of {}",
                languages().join(", ")
            ),
        );
        return None;
    };
    let Some((_, source_path, version)) = sources.iter().find(|(s, _, _)| s == id) else {
        report.error(
            path,
            1,
            format!("translation of an unknown wizard: there is no wizards/{id}.toml"),
        );
        return None;
    };
    let text = root.read(path, "wizard translation", report)?;
    let mut translated: toml::Table = report.toml(path, &text, 1)?;
    let source_text = std::fs::read_to_string(source_path).ok()?;
    let original: toml::Table = toml::from_str(&source_text).ok()?;
    let line_of = |key: &str| {
        text.lines()
            .position(|l| l.trim_start().starts_with(key))
            .map_or(1, |i| i + 1)
    };
    let named = match translated.remove("source") {
        Some(toml::Value::String(v)) if is_version(&v) => v.to_ascii_lowercase(),
        _ => {
            report.error(
                path,
                line_of("source"),
                format!(
                    "source must be the first {VERSION_DIGITS} hex digits of the SHA-256 of wizards/{id}.toml as translated"
                ),
            );
            return None;
        }
    };
    if let Some(difference) = first_difference(
        &toml::Value::Table(original),
        &toml::Value::Table(translated.clone()),
        "",
    ) {
        report.error(
            path,
            1,
            format!(
                "differs from wizards/{id}.toml at {difference}: a translation changes only {}",
                PROSE.join(", ")
            ),
        );
        return None;
    }
    if let Some(empty) = empty_prose(&toml::Value::Table(translated.clone()), "") {
        report.error(path, 1, format!("{empty} is empty"));
    }
    // Its structure is the source's, checked already: read as a wizard for its text alone.
    let mut scratch = Report::default();
    let wizard = toml::to_string(&translated)
        .ok()
        .and_then(|text| super::load::parse(id, path, &text, language, anchors, &mut scratch));
    for e in scratch.errors {
        report.error(path, 1, e.message);
    }
    let wizard = wizard?;
    let outdated = named != *version;
    if outdated {
        report.warn(
            path,
            line_of("source"),
            format!(
                "translated from version {named} of {}, which is now {version}: bring the translation up to date, then set source = \"{version}\"",
                source_path.display()
            ),
        );
    }
    Some(WizardTranslation {
        id: id.to_string(),
        lang: lang.to_string(),
        wizard,
        outdated,
    })
}

/// Where two wizards differ other than in their prose: a key path, or `None`.
fn first_difference(a: &toml::Value, b: &toml::Value, at: &str) -> Option<String> {
    use toml::Value;
    match (a, b) {
        (Value::Table(a), Value::Table(b)) => {
            let keys = |t: &toml::Table| -> Vec<String> {
                t.keys()
                    .filter(|k| !PROSE.contains(&k.as_str()))
                    .cloned()
                    .collect()
            };
            if keys(a) != keys(b) {
                return Some(format!("{}{{{}}}", label(at), keys(b).join(", ")));
            }
            keys(a)
                .iter()
                .find_map(|k| first_difference(&a[k], &b[k], &format!("{at}.{k}")))
        }
        (Value::Array(a), Value::Array(b)) => {
            if a.len() != b.len() {
                return Some(format!(
                    "{} ({} items, not {})",
                    label(at),
                    b.len(),
                    a.len()
                ));
            }
            a.iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (a, b))| first_difference(a, b, &format!("{at}[{}]", i + 1)))
        }
        (a, b) => (a != b).then(|| label(at)),
    }
}

/// The first prose value that is an empty string.
fn empty_prose(value: &toml::Value, at: &str) -> Option<String> {
    match value {
        toml::Value::Table(t) => t.iter().find_map(|(k, v)| {
            let here = format!("{at}.{k}");
            match v {
                toml::Value::String(s) if PROSE.contains(&k.as_str()) && s.trim().is_empty() => {
                    Some(label(&here))
                }
                _ => empty_prose(v, &here),
            }
        }),
        toml::Value::Array(a) => a
            .iter()
            .enumerate()
            .find_map(|(i, v)| empty_prose(v, &format!("{at}[{}]", i + 1))),
        _ => None,
    }
}

fn label(at: &str) -> String {
    match at.strip_prefix('.') {
        Some(path) => path.to_string(),
        None if at.is_empty() => "the top level".to_string(),
        None => at.to_string(),
    }
}
