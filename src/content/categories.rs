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
