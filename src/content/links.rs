//! What one file cannot check alone: categories named, ids and aliases unique, links between
//! entries (and from other Markdown files) and their anchors.

use std::collections::HashMap;
use std::path::Path;

use crate::source::markdown::InternalLink;
use crate::source::report::Report;

use super::Category;
use super::entries::Draft;

/// Checks what one file cannot check alone: categories, duplicate ids and aliases, links (in
/// the entries and in `others`, Markdown files that are not entries).
pub(super) fn check_references(
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
