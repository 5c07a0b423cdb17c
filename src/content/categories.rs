//! `categories.toml`: the categories entries are filed under, in the order they are shown.

use std::collections::HashMap;
use std::path::Path;

use serde::Deserialize;
use toml::Spanned;

use crate::source::files::Root;
use crate::source::report::{Lines, Report, is_valid_id};

use super::Category;

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

/// `categories.<lang>.toml`: the categories' names and descriptions in another language.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TranslatedFile {
    source: Spanned<String>,
    #[serde(default)]
    category: Vec<TranslatedDef>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TranslatedDef {
    slug: Spanned<String>,
    name: String,
    #[serde(default)]
    description: String,
}

/// The categories in one other language: names and descriptions by slug.
#[derive(Debug, Clone)]
pub struct CategoryTranslation {
    pub lang: String,
    /// (slug, name, description), in the file's order.
    pub categories: Vec<(String, String, String)>,
    /// Whether `categories.toml` changed since.
    pub outdated: bool,
}

/// Reads `path` (`categories.<lang>.toml`) against the categories loaded and the version of
/// `categories.toml` now: every slug known, each once, names not empty.
pub(super) fn load_translation(
    root: &Root,
    path: &Path,
    lang: &str,
    categories: &[Category],
    version: &str,
    report: &mut Report,
) -> Option<CategoryTranslation> {
    let text = root.read(path, "category translation", report)?;
    let file = report.toml::<TranslatedFile>(path, &text, 1)?;
    let lines = Lines::new(&text, 1);
    let source_line = lines.at(file.source.span().start);
    let named = crate::source::versions::checked_version(
        path,
        &file.source,
        &lines,
        "categories.toml",
        report,
    )?;
    let mut seen: Vec<String> = Vec::new();
    let mut translated = Vec::new();
    for def in file.category {
        let line = lines.at(def.slug.span().start);
        let slug = def.slug.into_inner();
        if !categories.iter().any(|c| c.slug == slug) {
            report.error(
                path,
                line,
                format!("no category \"{slug}\" in categories.toml"),
            );
        } else if seen.contains(&slug) {
            report.error(path, line, format!("category \"{slug}\" translated twice"));
        } else if def.name.trim().is_empty() {
            report.error(path, line, format!("category \"{slug}\" has an empty name"));
        }
        seen.push(slug.clone());
        translated.push((slug, def.name, def.description));
    }
    let outdated = named != version;
    if outdated {
        crate::source::versions::warn_outdated(
            report,
            path,
            source_line,
            &named,
            "categories.toml",
            version,
        );
    }
    Some(CategoryTranslation {
        lang: lang.to_string(),
        categories: translated,
        outdated,
    })
}

pub(super) fn load_categories(root: &Root, path: &Path, report: &mut Report) -> Vec<Category> {
    let Some(text) = root.read(path, "category list", report) else {
        return Vec::new();
    };
    let Some(file) = report.toml::<CategoriesFile>(path, &text, 1) else {
        return Vec::new();
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
        // Only the first is recorded, so a third names the first too.
        if let Some(&first) = seen.get(&slug) {
            report.error(
                path,
                line,
                format!("duplicate category slug \"{slug}\" (first at line {first})"),
            );
            continue;
        }
        seen.insert(slug.clone(), line);
        categories.push(Category {
            slug,
            name: def.name,
            description: def.description,
            order: def.order,
        });
    }
    if categories.is_empty() && report.errors.is_empty() {
        report.error(path, 1, "no [[category]] defined");
    }
    categories
}
