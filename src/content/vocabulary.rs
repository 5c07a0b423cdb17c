//! The words of the content's domain: `synonyms.toml` (groups of words that mean the same, and
//! the generic words that name no topic) and `glossary.toml` (English words for Chinese ones).

use std::collections::{HashMap, HashSet};

use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::source::files::Root;
use crate::source::report::{Lines, Report};

use super::GlossaryTerm;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymsFile {
    #[serde(default)]
    generic: Vec<Spanned<String>>,
    #[serde(default)]
    group: Vec<SynonymGroup>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryFile {
    #[serde(default)]
    term: Vec<GlossaryEntry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct GlossaryEntry {
    zh: Spanned<String>,
    en: Spanned<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SynonymGroup {
    words: Spanned<Vec<Spanned<String>>>,
}

/// `[[group]] words = [...]`: each word at most once in the whole file, two or more words a
/// group; and `generic = [...]`, the words that name no topic. Returns (groups, generic words).
pub(super) fn load_synonyms(
    root: &Root,
    path: &Path,
    report: &mut Report,
) -> (Vec<Vec<String>>, Vec<String>) {
    let Some(text) = root.read(path, "synonym list", report) else {
        return Default::default();
    };
    let Some(file) = report.toml::<SynonymsFile>(path, &text, 1) else {
        return Default::default();
    };
    let lines = Lines::new(&text, 1);
    let mut generic: Vec<String> = Vec::new();
    // Lowercased, to find a repeat without comparing each word with every earlier one.
    let mut generic_seen: HashSet<String> = HashSet::new();
    for word in file.generic {
        let line = lines.at(word.span().start);
        let word = word.into_inner().trim().to_string();
        if !word.chars().any(char::is_alphanumeric) {
            report.error(
                path,
                line,
                format!("generic word \"{word}\" has no letters or digits"),
            );
        } else if !generic_seen.insert(word.to_lowercase()) {
            report.error(
                path,
                line,
                format!("generic word \"{word}\" is listed twice"),
            );
        } else {
            generic.push(word);
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut groups = Vec::new();
    for group in file.group {
        let group_line = lines.at(group.words.span().start);
        let mut words = Vec::new();
        for word in group.words.into_inner() {
            let line = lines.at(word.span().start);
            let word = word.into_inner();
            let key = word.trim().to_lowercase();
            if !key.chars().any(char::is_alphanumeric) {
                report.error(
                    path,
                    line,
                    format!("synonym \"{word}\" has no letters or digits"),
                );
                continue;
            }
            if let Some(&first) = seen.get(&key) {
                report.error(
                    path,
                    line,
                    format!("synonym \"{word}\" is listed twice (first at line {first}): merge the groups"),
                );
                continue;
            }
            seen.insert(key, line);
            words.push(word.trim().to_string());
        }
        if words.len() < 2 {
            report.error(path, group_line, "a synonym group needs two or more words");
            continue;
        }
        groups.push(words);
    }
    (groups, generic)
}

/// `[[term]] zh = "白名单", en = ["whitelist", "allowlist"]`: English words that mean the
/// Chinese one; each English word at most once in the file, Latin letters, digits, spaces and
/// `-./'` only.
pub(super) fn load_glossary(root: &Root, path: &Path, report: &mut Report) -> Vec<GlossaryTerm> {
    let Some(text) = root.read(path, "glossary", report) else {
        return Vec::new();
    };
    let Some(file) = report.toml::<GlossaryFile>(path, &text, 1) else {
        return Vec::new();
    };
    let lines = Lines::new(&text, 1);
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut terms = Vec::new();
    for term in file.term {
        let zh_line = lines.at(term.zh.span().start);
        let zh = term.zh.into_inner().trim().to_string();
        if !zh.chars().any(char::is_alphanumeric) {
            report.error(
                path,
                zh_line,
                format!("glossary term \"{zh}\" has no letters or digits"),
            );
            continue;
        }
        let en_line = lines.at(term.en.span().start);
        let mut en = Vec::new();
        for word in term.en.into_inner() {
            let line = lines.at(word.span().start);
            let word = word.into_inner().trim().to_string();
            let latin = word
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || " -./'".contains(c));
            if !latin || !word.chars().any(|c| c.is_ascii_alphabetic()) {
                report.error(
                    path,
                    line,
                    format!("glossary word \"{word}\" for \"{zh}\" is not English (Latin letters, digits, spaces, - . / ')"),
                );
                continue;
            }
            if let Some(&first) = seen.get(&word.to_lowercase()) {
                report.error(
                    path,
                    line,
                    format!("glossary word \"{word}\" is listed twice (first at line {first})"),
                );
                continue;
            }
            seen.insert(word.to_lowercase(), line);
            en.push(word);
        }
        if en.is_empty() {
            report.error(
                path,
                en_line,
                format!("glossary term \"{zh}\" needs at least one English word"),
            );
            continue;
        }
        terms.push(GlossaryTerm { zh, en });
    }
    terms
}
