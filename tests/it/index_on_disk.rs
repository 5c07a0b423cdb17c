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
        wendao::reload::rebuild(content.path(), Some(data.path()), &state),
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
