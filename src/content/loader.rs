//! Walks `content/`, splits front matter from Markdown, validates everything and builds a
//! [`Library`]. Every problem is collected (not just the first) as `path:line: message`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use crate::source::files::Root;
use crate::source::markdown::InternalLink;
use crate::source::report::Report;
use crate::source::versions::version_of;
use crate::wizard::load as wizards;

use super::categories::{self, load_categories};
use super::entries::{load_contact, load_contact_translation, load_entries};
use super::links::check_references;
use super::translations::{check_translations, load_translations};
use super::vocabulary::{load_glossary, load_synonyms};
use super::{ContentErrors, Library};

/// Loads and validates a content directory.
pub fn load(dir: &Path) -> Result<Library, ContentErrors> {
    let mut report = Report::default();
    // Resolved first, so that a content directory that is itself a symlink (a release
    // directory) holds what its links point to.
    let root = match Root::new(dir) {
        Ok(root) if dir.is_dir() => root,
        _ => {
            report.error(dir, 0, "content directory not found");
            return Err(ContentErrors(report.errors));
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
    let mut category_translations = Vec::new();
    let mut contact_translations = Vec::new();
    for language in crate::locale::languages()
        .iter()
        .filter(|l| !l.is_default())
    {
        let lang = language.code.as_str();
        let path = dir.join(format!("categories.{lang}.toml"));
        if path.exists() {
            let version = version_of(&report.digests, &dir.join("categories.toml"));
            category_translations.extend(categories::load_translation(
                &root,
                &path,
                lang,
                &categories,
                &version,
                &mut report,
            ));
        }
        let path = dir.join(format!("contact.{lang}.md"));
        if path.exists() {
            let version = version_of(&report.digests, &contact_path);
            if let Some((translation, links)) =
                load_contact_translation(&root, &path, language, &version, &mut report)
            {
                contact_translations.push((path, translation, links));
            }
        }
    }
    let others: Vec<(&Path, &[InternalLink])> = contact
        .iter()
        .map(|c| (contact_path.as_path(), c.internal_links.as_slice()))
        .chain(
            contact_translations
                .iter()
                .map(|(path, _, links)| (path.as_path(), links.as_slice())),
        )
        .collect();
    check_references(&categories, &drafts, &others, &mut report);
    let mut translations = load_translations(&root, &dir.join("kb"), &mut report);
    let digests = std::mem::take(&mut report.digests);
    check_translations(&drafts, &mut translations, &digests, &mut report);
    report.digests = digests;
    let anchors: wizards::Anchors = drafts
        .iter()
        .map(|d| {
            let headings = d.entry.headings.iter().map(|h| h.anchor.as_str()).collect();
            (d.entry.id.as_str(), headings)
        })
        .collect();
    let wizards = wizards::load_all(&root, &dir.join("wizards"), &anchors, &mut report);
    let wizard_sources: Vec<(String, PathBuf, String)> = wizards
        .iter()
        .map(|w| {
            let path = dir.join("wizards").join(format!("{}.toml", w.id));
            let version = version_of(&report.digests, &path);
            (w.id.clone(), path, version)
        })
        .collect();
    let wizard_translations = crate::wizard::translations::load_all(
        &root,
        &dir.join("wizards"),
        &wizard_sources,
        &anchors,
        &mut report,
    );
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

    if !report.errors.is_empty() {
        return Err(ContentErrors(report.errors));
    }
    let entries = drafts.into_iter().map(|d| d.entry).collect();
    let mut library = Library::new(categories, entries, synonyms, wizards);
    library.generic = generic;
    library.glossary = glossary;
    library.contact_html = contact.map(|c| c.html);
    library.translations = translations.into_iter().map(|t| t.translation).collect();
    library.wizard_translations = wizard_translations;
    library.category_translations = category_translations;
    library.contact_translations = contact_translations
        .into_iter()
        .map(|(_, t, _)| t)
        .collect();
    library.warnings = report.warnings;
    library.fingerprint = fingerprint(dir, report.digests);
    Ok(library)
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
    hex::encode(&hasher.finalize()[..8])
}
