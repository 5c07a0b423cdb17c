//! The search index under --data: reused while the content is unchanged, rebuilt (never
//! served) when it is stale, unfinished or corrupt.

use crate::common::{TempContent, fixture, get};
use wendao::search::{INDEX_FORMAT, Origin, Request, SearchIndex, Settings};

fn index_dirs(data: &std::path::Path) -> Vec<String> {
    let mut dirs: Vec<String> = std::fs::read_dir(data.join("index"))
        .map(|l| {
            l.flatten()
                .map(|i| i.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn top_hit(index: &SearchIndex, library: &wendao::content::Library, q: &str) -> Option<String> {
    let request = Request {
        query: q.into(),
        limit: 1,
        ..Request::default()
    };
    index
        .search(library, &request)
        .hits
        .first()
        .map(|h| h.id.clone())
}

#[test]
fn reused_when_unchanged_rebuilt_when_the_content_changes() {
    let content = TempContent::copy_of(&fixture("basic"));
    let data = tempfile::tempdir().expect("data");
    let library = wendao::content::load(content.path()).expect("content");

    let (first, origin) =
        SearchIndex::open_or_build(&library, Settings::FULL, data.path()).expect("build");
    assert_eq!(origin, Origin::Built);
    let (second, origin) =
        SearchIndex::open_or_build(&library, Settings::FULL, data.path()).expect("open");
    assert_eq!(origin, Origin::Opened);
    assert_eq!(
        top_hit(&second, &library, "代理"),
        Some("proxy-config".into())
    );
    assert_eq!(
        top_hit(&first, &library, "证书"),
        top_hit(&second, &library, "证书")
    );
    let before = index_dirs(data.path());
    assert_eq!(before, [format!("{}-v{INDEX_FORMAT}", library.fingerprint)]);

    content.write(
        "kb/new.md",
        "+++\ntitle = \"新条目\"\ncategory = \"alpha\"\n+++\n量子纠缠。\n",
    );
    let changed = wendao::content::load(content.path()).expect("content");
    let (index, origin) =
        SearchIndex::open_or_build(&changed, Settings::FULL, data.path()).expect("rebuild");
    assert_eq!(origin, Origin::Built);
    assert_eq!(top_hit(&index, &changed, "量子纠缠"), Some("new".into()));
    assert_eq!(
        index_dirs(data.path()),
        [format!("{}-v{INDEX_FORMAT}", changed.fingerprint)],
        "the old one is removed"
    );
}

#[test]
fn corrupt_or_unfinished_indexes_are_rebuilt_not_served() {
    let content = TempContent::copy_of(&fixture("basic"));
    let data = tempfile::tempdir().expect("data");
    let library = wendao::content::load(content.path()).expect("content");
    SearchIndex::open_or_build(&library, Settings::FULL, data.path()).expect("build");
    let dir = data
        .path()
        .join("index")
        .join(format!("{}-v{INDEX_FORMAT}", library.fingerprint));

    std::fs::write(dir.join("meta.json"), "{ not json").expect("corrupt it");
    let (index, origin) =
        SearchIndex::open_or_build(&library, Settings::FULL, data.path()).expect("rebuild");
    assert_eq!(origin, Origin::Built);
    assert_eq!(
        top_hit(&index, &library, "代理"),
        Some("proxy-config".into())
    );

    std::fs::remove_file(dir.join("wendao-complete")).expect("unfinish it");
    let (_, origin) =
        SearchIndex::open_or_build(&library, Settings::FULL, data.path()).expect("rebuild");
    assert_eq!(origin, Origin::Built);

    // A build a crash left behind is cleared away.
    std::fs::create_dir_all(data.path().join("index/building-dead-1")).expect("leftover");
    SearchIndex::open_or_build(&library, Settings::FULL, data.path()).expect("open");
    assert_eq!(index_dirs(data.path()).len(), 1);
}

#[actix_web::test]
async fn reload_with_a_data_directory_builds_the_new_index_there() {
    let content = TempContent::copy_of(&fixture("basic"));
    let data = tempfile::tempdir().expect("data");
    let library = wendao::content::load(content.path()).expect("content");
    let site = wendao::web::Site::open_or_build(library, data.path()).expect("site");
    let state = actix_web::web::Data::new(wendao::web::AppState::new(site, None));
    content.write(
        "kb/new.md",
        "+++\ntitle = \"新条目\"\ncategory = \"alpha\"\n+++\n量子纠缠。\n",
    );
    assert_eq!(
        wendao::reload::rebuild(content.path(), Some(data.path()), state.live()),
        wendao::reload::Rebuild::Swapped
    );
    let version = get(&state, "/healthz").await.json()["content_version"]
        .as_str()
        .expect("version")
        .to_string();
    assert_eq!(
        index_dirs(data.path()),
        [format!("{version}-v{INDEX_FORMAT}")]
    );
    assert_eq!(
        get(&state, "/api/search?q=%E9%87%8F%E5%AD%90").await.json()["hits"][0]["id"],
        "new"
    );
}

/// Each entry's title as a query, and the entry it finds first.
fn firsts(
    index: &SearchIndex,
    library: &wendao::content::Library,
) -> Vec<(String, Option<String>)> {
    library
        .entries
        .iter()
        .map(|e| (e.title.clone(), top_hit(index, library, &e.title)))
        .collect()
}

/// An edit re-indexes the entries it changed in the index being served (on disk, moved to the
/// new content's directory) and finds what a fresh build finds; the old generation keeps
/// answering with the old entries until it is dropped.
#[test]
fn an_edit_is_indexed_in_place_as_a_fresh_build_would_index_it() {
    let content = TempContent::copy_of(&crate::common::repo_content());
    let data = tempfile::tempdir().expect("data");
    let old = wendao::content::load(content.path()).expect("content");
    let (served, _) = SearchIndex::open_or_build(&old, Settings::FULL, data.path()).expect("build");

    let timeout = std::fs::read_to_string(content.path().join("kb/timeout.md")).expect("entry");
    content.write(
        "kb/timeout.md",
        &timeout.replacen("title = \"", "title = \"量子纠缠 ", 1),
    );
    content.remove("kb/cookie.md");
    content.remove("kb/cookie.en.md");
    content.write(
        "kb/new-entry.md",
        "+++\ntitle = \"新条目：光合作用\"\ncategory = \"features\"\n+++\n叶绿素。\n",
    );
    let new = wendao::content::load(content.path()).expect("content");
    let updated = served
        .updated(&old, &new)
        .expect("update")
        .expect("three changed entries of 24 are updated in place");

    assert_eq!(updated.len(), new.entries.len() as u64);
    assert_eq!(top_hit(&updated, &new, "量子纠缠"), Some("timeout".into()));
    assert_eq!(
        top_hit(&updated, &new, "光合作用"),
        Some("new-entry".into())
    );
    assert_eq!(
        top_hit(&updated, &new, "cookie"),
        top_hit(
            &SearchIndex::build(&new, Settings::FULL).unwrap(),
            &new,
            "cookie"
        )
    );
    assert_ne!(top_hit(&updated, &new, "cookie"), Some("cookie".into()));
    let fresh = SearchIndex::build(&new, Settings::FULL).expect("fresh");
    assert_eq!(firsts(&updated, &new), firsts(&fresh, &new));
    // The generation being served still has its own entries.
    assert_eq!(served.len(), old.entries.len() as u64);
    assert_eq!(top_hit(&served, &old, "cookie"), Some("cookie".into()));
    assert_eq!(top_hit(&served, &old, "光合作用"), None);

    assert_eq!(
        index_dirs(data.path()),
        [format!("{}-v{INDEX_FORMAT}", new.fingerprint)]
    );
    drop((served, updated));
    let (reopened, origin) =
        SearchIndex::open_or_build(&new, Settings::FULL, data.path()).expect("open");
    assert_eq!(origin, Origin::Opened, "the updated directory is complete");
    assert_eq!(firsts(&reopened, &new), firsts(&fresh, &new));
}

/// Documents hold their category's number, so a change of categories builds afresh, and so
/// does a change of many entries (as costly, and it leaves no deleted documents).
#[test]
fn new_categories_or_many_changed_entries_build_afresh() {
    let content = TempContent::copy_of(&crate::common::repo_content());
    let old = wendao::content::load(content.path()).expect("content");
    let index = SearchIndex::build(&old, Settings::FULL).expect("build");

    let categories = std::fs::read_to_string(content.path().join("categories.toml")).unwrap();
    content.write(
        "categories.toml",
        &format!("{categories}\n[[category]]\nslug = \"more\"\nname = \"更多\"\ndescription = \"其他。\"\norder = 9\n"),
    );
    let recategorised = wendao::content::load(content.path()).expect("content");
    assert!(
        index
            .updated(&old, &recategorised)
            .expect("update")
            .is_none()
    );
    content.write("categories.toml", &categories);

    for entry in old.entries.iter().take(7) {
        let path = content.path().join(format!("kb/{}.md", entry.id));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n又一段。\n")).unwrap();
    }
    let rewritten = wendao::content::load(content.path()).expect("content");
    assert!(index.updated(&old, &rewritten).expect("update").is_none());
}

/// Each update writes a small segment; they are merged as they add up, so a day of edits
/// neither slows searches down nor fills the data directory with files.
#[test]
fn many_edits_in_a_row_stay_correct_and_keep_the_directory_small() {
    let content = TempContent::copy_of(&crate::common::repo_content());
    let data = tempfile::tempdir().expect("data");
    let mut library = wendao::content::load(content.path()).expect("content");
    let (mut index, _) =
        SearchIndex::open_or_build(&library, Settings::FULL, data.path()).expect("build");
    let files = |data: &std::path::Path| {
        let dirs = index_dirs(data);
        assert_eq!(dirs.len(), 1, "{dirs:?}");
        std::fs::read_dir(data.join("index").join(&dirs[0]))
            .unwrap()
            .count()
    };
    let at_start = files(data.path());
    // Words far apart, so typo tolerance does not take one for another.
    let words = [
        "aardvark", "bassoon", "cobalt", "dolphin", "emerald", "falcon", "glacier", "harpoon",
        "iguana", "jasmine", "kayak", "lantern", "mango", "nebula", "oyster", "pelican", "quartz",
        "raccoon", "saffron", "tundra",
    ];
    // A different entry each time: a segment whose every document was replaced is dropped
    // by tantivy itself, so editing one entry again and again would prove nothing.
    let ids: Vec<String> = library.entries.iter().map(|e| e.id.clone()).collect();
    for (edit, word) in words.iter().enumerate() {
        let path = content.path().join(format!("kb/{}.md", ids[edit]));
        let text = std::fs::read_to_string(&path).unwrap();
        std::fs::write(&path, format!("{text}\n{word}\n")).unwrap();
        let next = wendao::content::load(content.path()).expect("content");
        index = index
            .updated(&library, &next)
            .expect("update")
            .expect("in place");
        library = next;
        assert_eq!(
            top_hit(&index, &library, word),
            Some(ids[edit].clone()),
            "edit {edit}"
        );
        assert_eq!(index.len(), library.entries.len() as u64);
    }
    let at_end = files(data.path());
    assert!(
        at_end <= at_start + 6 * 8,
        "{at_start} files after the build, {at_end} after 20 edits"
    );
}
