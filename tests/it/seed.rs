//! The real content: every section of the seed FAQ is served whole, word for word. The seed is
//! kept in `tests/fixtures/seed/` (so the tests need nothing beside the checkout), and checked
//! against `../shared/seed/` by a test `#[ignore]`d for it, which fails where that is missing.

use std::path::Path;

use crate::common::{get, repo_content, state};
use wendao::source::markdown;

struct Section {
    title: String,
    body: String,
}

/// The seed split at its `#` and `##` headings; headings with no text of their own (section
/// titles such as "功能支持类 FAQ") are left out.
fn seed_sections() -> Vec<Section> {
    let mut files = seed_files(&crate::common::fixture("seed"));
    files.sort();
    let mut sections: Vec<Section> = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("seed is UTF-8");
        for line in text.lines() {
            if let Some(title) = line.strip_prefix("## ").or_else(|| line.strip_prefix("# ")) {
                sections.push(Section {
                    title: title.trim().to_string(),
                    body: String::new(),
                });
            } else if let Some(section) = sections.last_mut() {
                section.body.push_str(line);
                section.body.push('\n');
            }
        }
    }
    sections.retain(|s| !s.body.trim().is_empty());
    sections
}

fn seed_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading the seed at {}: {e}", dir.display()))
        .map(|f| f.expect("dir entry").path())
        .collect();
    files.sort();
    files
}

/// The copy in the repository is the seed itself, byte for byte.
#[test]
#[ignore = "needs ../shared/seed beside the repository"]
fn the_fixture_is_the_shared_seed() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/seed");
    assert!(
        shared.is_dir(),
        "this test compares tests/fixtures/seed with the seed it was copied from and found no \
         {}: put the shared seed beside the repository, \
         or run plain `cargo test`, which leaves it out as ignored",
        shared.display()
    );
    let ours = seed_files(&crate::common::fixture("seed"));
    let theirs = seed_files(&shared);
    let names = |files: &[std::path::PathBuf]| -> Vec<_> {
        files
            .iter()
            .map(|f| f.file_name().map(|n| n.to_owned()))
            .collect()
    };
    assert_eq!(names(&ours), names(&theirs), "the same files");
    for (a, b) in ours.iter().zip(&theirs) {
        assert!(
            std::fs::read(a).expect("fixture") == std::fs::read(b).expect("seed"),
            "{} differs from {}: copy the seed again",
            a.display(),
            b.display()
        );
    }
}

#[test]
fn the_seed_has_24_entries_and_the_content_has_them_all_word_for_word() {
    let sections = seed_sections();
    assert_eq!(sections.len(), 24, "22 questions and 2 guides");
    let library = wendao::content::load(&repo_content()).unwrap_or_else(|e| panic!("{e}"));
    for section in &sections {
        let entry = library
            .entries
            .iter()
            .find(|e| e.title == section.title)
            .unwrap_or_else(|| panic!("no entry titled {:?}", section.title));
        let seed_text = markdown::render(&section.body, wendao::locale::default()).text;
        assert_eq!(entry.text(), seed_text, "text of {}", entry.id);
        // Images keep their original URLs and their display size.
        for (url, size) in image_urls(&section.body) {
            let escaped = url.replace('&', "&amp;");
            assert!(entry.html().contains(&escaped), "{}: image {url}", entry.id);
            let (w, h) = size.split_once('x').expect("WxH");
            assert!(
                entry
                    .html()
                    .contains(&format!("width=\"{w}\" height=\"{h}\"")),
                "{}",
                entry.id
            );
        }
        // Links of the seed keep their targets.
        for url in [
            "https://opendocs.alipay.com/mini/api/owycmh",
            "https://open.alipay.com/mini/dev/list",
        ] {
            if section.body.contains(url) {
                assert!(entry.html().contains(url), "{}: link {url}", entry.id);
            }
        }
    }
}

/// `![|723x75](url)` → (url, "723x75")
fn image_urls(body: &str) -> Vec<(String, String)> {
    body.match_indices("![")
        .filter_map(|(i, _)| {
            let rest = &body[i + 2..];
            let (alt, rest) = rest.split_once("](")?;
            let url = rest.split_once(')')?.0;
            let size = alt.rsplit_once('|')?.1;
            Some((url.to_string(), size.to_string()))
        })
        .collect()
}

#[actix_web::test]
async fn every_entry_page_serves_its_title_and_whole_text() {
    let state = state(&repo_content(), None);
    let library = wendao::content::load(&repo_content()).expect("content");
    assert_eq!(library.entries.len(), 24);
    for entry in &library.entries {
        let res = get(&state, &entry.url()).await;
        assert_eq!(res.status, 200, "{}", entry.id);
        let title = crate::common::escape(&entry.title);
        assert!(
            res.body
                .contains(&format!("<h1 id=\"entry-title\">{title}</h1>")),
            "{}",
            entry.id
        );
        assert!(res.body.contains(&entry.html()), "{}: body", entry.id);
        let api = get(&state, &format!("/api/entries/{}", entry.id))
            .await
            .json();
        assert_eq!(api["text"], entry.text().as_str());
    }
    let sitemap = get(&state, "/sitemap.xml").await.body;
    // Each page once per language it is read in: the lists and contact in every one, an entry in
    // Chinese and in each language it is translated into.
    let languages = wendao::locale::languages().len();
    assert_eq!(
        sitemap.matches("<loc>").count(),
        (4 + library.categories.len()) * languages + 24 + library.translations.len(),
        "/, /kb, /contact, /wizard, every category and entry"
    );
}

#[test]
fn ids_are_short_meaningful_ascii_and_each_category_is_used() {
    let library = wendao::content::load(&repo_content()).expect("content");
    for id in [
        "error-19",
        "error-2",
        "error-14",
        "error-12",
        "n22106",
        "request-vs-httprequest",
        "domain-whitelist",
        "request-troubleshooting",
    ] {
        assert!(library.entry(id).is_some(), "{id}");
    }
    for category in &library.categories {
        assert!(
            library.entries_in(&category.slug).count() > 0,
            "{}",
            category.slug
        );
    }
    for entry in &library.entries {
        assert!(!entry.tags.is_empty(), "{} has tags", entry.id);
    }
}
