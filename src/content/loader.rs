//! Walks `content/`, splits front matter from Markdown, validates everything and builds a
//! [`Library`]. Every problem is collected (not just the first) as `path:line: message`.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use sha2::{Digest, Sha256};
use toml::Spanned;

use super::files::Root;
use super::markdown::{self, InternalLink, Rendered};
use super::wizards;
use super::{Body, Category, ContentError, ContentErrors, Entry, GlossaryTerm, Library};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoriesFile {
    #[serde(default)]
    category: Vec<CategoryDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CategoryDef {
    slug: Spanned<String>,
    name: String,
    #[serde(default)]
    description: String,
    #[serde(default)]
    order: i64,
}

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

fn default_order() -> i64 {
    1000
}

/// What a load observed: errors with their file, so each check reads as one line, and a
/// digest of every file read, for the content's fingerprint.
#[derive(Default)]
pub(super) struct Report(pub(super) Vec<ContentError>, Vec<(PathBuf, [u8; 32])>);

impl Report {
    pub(super) fn error(&mut self, path: &Path, line: usize, message: impl Into<String>) {
        self.0.push(ContentError {
            path: path.to_path_buf(),
            line,
            message: message.into(),
        });
    }

    /// Records a file read, for the fingerprint.
    pub(super) fn digest(&mut self, path: &Path, bytes: &[u8]) {
        self.1
            .push((path.to_path_buf(), Sha256::digest(bytes).into()));
    }
}

/// An entry read from disk, before cross-entry checks.
struct Draft {
    entry: Entry,
    /// Only needed for messages while loading, so not kept on the entry.
    source: PathBuf,
    internal_links: Vec<InternalLink>,
    body_line: usize,
    category_line: usize,
    alias_lines: Vec<usize>,
}

/// Loads and validates a content directory.
pub fn load(dir: &Path) -> Result<Library, ContentErrors> {
    let mut report = Report::default();
    // Resolved first, so that a content directory that is itself a symlink (a release
    // directory) holds what its links point to.
    let root = match Root::new(dir) {
        Ok(root) if dir.is_dir() => root,
        _ => {
            report.error(dir, 0, "content directory not found");
            return Err(ContentErrors(report.0));
        }
    };
    let categories = load_categories(&root, &dir.join("categories.toml"), &mut report);
    let drafts = load_entries(&root, &dir.join("kb"), &mut report);
    let contact_path = dir.join("contact.md");
    let contact = if contact_path.exists() {
        load_contact(&root, &contact_path, &mut report)
    } else {
        None
    };
    let others: Vec<(&Path, &[InternalLink])> = contact
        .iter()
        .map(|c| (contact_path.as_path(), c.internal_links.as_slice()))
        .collect();
    check_references(&categories, &drafts, &others, &mut report);
    let anchors: wizards::Anchors = drafts
        .iter()
        .map(|d| {
            let headings = d.entry.headings.iter().map(|h| h.anchor.as_str()).collect();
            (d.entry.id.as_str(), headings)
        })
        .collect();
    let wizards = wizards::load_all(&root, &dir.join("wizards"), &anchors, &mut report);
    let synonyms_path = dir.join("synonyms.toml");
    let (synonyms, generic) = if synonyms_path.exists() {
        load_synonyms(&root, &synonyms_path, &mut report)
    } else {
        Default::default()
    };
    let glossary_path = dir.join("glossary.toml");
    let glossary = if glossary_path.exists() {
        load_glossary(&root, &glossary_path, &mut report)
    } else {
        Vec::new()
    };

    if !report.0.is_empty() {
        return Err(ContentErrors(report.0));
    }
    let entries = drafts.into_iter().map(|d| d.entry).collect();
    let mut library = Library::new(categories, entries, synonyms, wizards);
    library.generic = generic;
    library.glossary = glossary;
    library.contact_html = contact.map(|c| c.html);
    library.fingerprint = fingerprint(dir, report.1);
    Ok(library)
}

fn load_categories(root: &Root, path: &Path, report: &mut Report) -> Vec<Category> {
    let Some(text) = root.read(path, "category list", report) else {
        return Vec::new();
    };
    let file: CategoriesFile = match toml::from_str(&text) {
        Ok(file) => file,
        Err(e) => {
            report.error(path, toml_error_line(&text, &e, 1), toml_message(&e));
            return Vec::new();
        }
    };
    let lines = Lines::new(&text, 1);
    let mut seen = HashMap::new();
    let mut categories = Vec::new();
    for def in file.category {
        let line = lines.at(def.slug.span().start);
        let slug = def.slug.into_inner();
        if !is_valid_id(&slug) {
            report.error(
                path,
                line,
                format!("category slug \"{slug}\" must be lowercase ASCII letters, digits and '-'"),
            );
        }
        if def.name.trim().is_empty() {
            report.error(path, line, format!("category \"{slug}\" has an empty name"));
        }
        if let Some(first) = seen.insert(slug.clone(), line) {
            report.error(
                path,
                line,
                format!("duplicate category slug \"{slug}\" (first at line {first})"),
            );
            continue;
        }
        categories.push(Category {
            slug,
            name: def.name,
            description: def.description,
            order: def.order,
        });
    }
    if categories.is_empty() && report.0.is_empty() {
        report.error(path, 1, "no [[category]] defined");
    }
    categories
}

/// `[[group]] words = [...]`: each word at most once in the whole file, two or more words a
/// group; and `generic = [...]`, the words that name no topic. Returns (groups, generic words).
fn load_synonyms(root: &Root, path: &Path, report: &mut Report) -> (Vec<Vec<String>>, Vec<String>) {
    let Some(text) = root.read(path, "synonym list", report) else {
        return Default::default();
    };
    let file: SynonymsFile = match toml::from_str(&text) {
        Ok(file) => file,
        Err(e) => {
            report.error(path, toml_error_line(&text, &e, 1), toml_message(&e));
            return Default::default();
        }
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
            if let Some(first) = seen.insert(key, line) {
                report.error(
                    path,
                    line,
                    format!("synonym \"{word}\" is listed twice (first at line {first}): merge the groups"),
                );
                continue;
            }
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
fn load_glossary(root: &Root, path: &Path, report: &mut Report) -> Vec<GlossaryTerm> {
    let Some(text) = root.read(path, "glossary", report) else {
        return Vec::new();
    };
    let file: GlossaryFile = match toml::from_str(&text) {
        Ok(file) => file,
        Err(e) => {
            report.error(path, toml_error_line(&text, &e, 1), toml_message(&e));
            return Vec::new();
        }
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
            if let Some(first) = seen.insert(word.to_lowercase(), line) {
                report.error(
                    path,
                    line,
                    format!("glossary word \"{word}\" is listed twice (first at line {first})"),
                );
                continue;
            }
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

fn load_entries(root: &Root, dir: &Path, report: &mut Report) -> Vec<Draft> {
    if !root.admits(dir, report) {
        return Vec::new();
    }
    let listing = match fs::read_dir(dir) {
        Ok(listing) => listing,
        Err(e) => {
            report.error(dir, 0, format!("cannot read entry directory: {e}"));
            return Vec::new();
        }
    };
    let mut paths: Vec<PathBuf> = listing
        .filter_map(|item| item.ok().map(|item| item.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    // Byte order: comparing paths component by component is slow at 100,000 files.
    paths.sort_by(|a, b| a.as_os_str().cmp(b.as_os_str()));
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
        report.0.extend(part_report.0);
        report.1.extend(part_report.1);
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
    let (front, body, body_line) = match split_front_matter(&text) {
        Ok(parts) => parts,
        Err((line, message)) => {
            report.error(path, line, message);
            return None;
        }
    };
    let fm: FrontMatter = match toml::from_str(front) {
        Ok(fm) => fm,
        Err(e) => {
            report.error(path, toml_error_line(front, &e, 2), toml_message(&e));
            return None;
        }
    };

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
    } = markdown::render(body);
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
fn load_contact(root: &Root, path: &Path, report: &mut Report) -> Option<Rendered> {
    let text = root.read(path, "contact page", report)?;
    let rendered = markdown::render(&text);
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

/// Checks what one file cannot check alone: categories, duplicate ids and aliases, links (in
/// the entries and in `others`, Markdown files that are not entries).
fn check_references(
    categories: &[Category],
    drafts: &[Draft],
    others: &[(&Path, &[InternalLink])],
    report: &mut Report,
) {
    let known_category = |slug: &str| categories.iter().any(|c| c.slug == slug);
    let mut names: HashMap<&str, &Path> = drafts
        .iter()
        .map(|d| (d.entry.id.as_str(), d.source.as_path()))
        .collect();
    let by_id: HashMap<&str, &Draft> = drafts.iter().map(|d| (d.entry.id.as_str(), d)).collect();

    for draft in drafts {
        let entry = &draft.entry;
        if !known_category(&entry.category) && !categories.is_empty() {
            report.error(
                &draft.source,
                draft.category_line,
                format!(
                    "unknown category \"{}\" (known: {})",
                    entry.category,
                    categories
                        .iter()
                        .map(|c| c.slug.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            );
        }
        for (alias, &line) in entry.aliases.iter().zip(&draft.alias_lines) {
            if let Some(other) = names.insert(alias.as_str(), &draft.source) {
                report.error(
                    &draft.source,
                    line,
                    format!("alias \"{alias}\" is already taken by {}", other.display()),
                );
            }
        }
    }

    let documents = drafts
        .iter()
        .map(|d| (d.source.as_path(), d.body_line, d.internal_links.as_slice()))
        .chain(others.iter().map(|&(source, links)| (source, 1, links)));
    for (source, body_line, links) in documents {
        for link in links {
            let line = body_line + link.line - 1;
            let target = link.target.split(['?']).next().unwrap_or_default();
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target, None),
            };
            let problem = if let Some(id) = path.strip_prefix("/kb/") {
                match by_id.get(id) {
                    Some(target) => anchor.and_then(|anchor| {
                        (!target.entry.headings.iter().any(|h| h.anchor == anchor)).then(|| {
                            format!(
                                "broken link {}: entry \"{id}\" has no heading #{anchor}",
                                link.target
                            )
                        })
                    }),
                    None if names.contains_key(id) => None,
                    None => Some(format!("broken link {}: no entry \"{id}\"", link.target)),
                }
            } else if let Some(slug) = path.strip_prefix("/c/") {
                (!known_category(slug))
                    .then(|| format!("broken link {}: no category \"{slug}\"", link.target))
            } else {
                None
            };
            if let Some(message) = problem {
                report.error(source, line, message);
            }
        }
    }
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

/// The first 16 hex digits of a SHA-256 over every file read (path and digest, in path order):
/// the same content gives the same version on any machine.
fn fingerprint(dir: &Path, mut digests: Vec<(PathBuf, [u8; 32])>) -> String {
    digests.sort_by(|a, b| a.0.as_os_str().cmp(b.0.as_os_str()));
    let mut hasher = Sha256::new();
    for (path, digest) in &digests {
        let relative = path.strip_prefix(dir).unwrap_or(path);
        hasher.update(relative.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(digest);
    }
    hasher
        .finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Lowercase ASCII letters, digits and '-': what ids, aliases and slugs may hold.
pub(crate) fn is_valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 100
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Line numbers of byte offsets in one text: its newlines are found once, then each number is
/// a binary search. Counting from the top for every key made a file's check quadratic (a
/// wizard of 10,000 steps took minutes).
pub(super) struct Lines {
    /// The byte offset of every '\n', in order.
    newlines: Vec<usize>,
    first_line: usize,
}

impl Lines {
    /// `text` starts at line `first_line` of its file.
    pub(super) fn new(text: &str, first_line: usize) -> Lines {
        Lines {
            newlines: text.match_indices('\n').map(|(i, _)| i).collect(),
            first_line,
        }
    }

    /// The 1-based line of a byte offset.
    pub(super) fn at(&self, offset: usize) -> usize {
        self.first_line + self.newlines.partition_point(|&i| i < offset)
    }
}

pub(super) fn toml_error_line(text: &str, error: &toml::de::Error, first_line: usize) -> usize {
    match error.span() {
        Some(span) => Lines::new(text, first_line).at(span.start),
        None => first_line,
    }
}

pub(super) fn toml_message(error: &toml::de::Error) -> String {
    error.message().trim().to_string()
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

    #[test]
    fn lines_number_offsets_as_counting_newlines_from_the_top_does() {
        let text = "a\nbb\n\nccc\nd";
        let lines = Lines::new(text, 2);
        for offset in 0..text.len() + 3 {
            let newlines = text.as_bytes()[..offset.min(text.len())]
                .iter()
                .filter(|&&b| b == b'\n')
                .count();
            assert_eq!(lines.at(offset), 2 + newlines, "offset {offset}");
        }
    }

    #[test]
    fn ids() {
        assert!(is_valid_id("error-19"));
        assert!(is_valid_id("n22106"));
        assert!(!is_valid_id("Error19"));
        assert!(!is_valid_id("错误"));
        assert!(!is_valid_id(""));
    }
}
