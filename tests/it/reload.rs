//! Live reload: edits saved while serving appear in pages and search; broken saves leave the
//! last good version serving and show in /healthz.

use std::time::{Duration, Instant};

use crate::common::{TempContent, fixture, get, state};
use wendao::reload::{self, Rebuild};

const PATIENCE: Duration = Duration::from_secs(10);

/// Polls `check` until it holds; returns how long that took.
async fn eventually<F, Fut>(what: &str, mut check: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while !check().await {
        assert!(
            started.elapsed() < PATIENCE,
            "{what}: not within {PATIENCE:?}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    started.elapsed()
}

const NEW_ENTRY: &str = "+++\ntitle = \"新加的条目：量子隧穿\"\ncategory = \"alpha\"\n+++\n保存之后马上能搜到量子隧穿。\n";

#[actix_web::test]
async fn a_saved_entry_is_served_and_searchable_and_a_broken_save_keeps_the_old_version() {
    let content = TempContent::copy_of(&fixture("basic"));
    let state = actix_web::web::Data::new(
        crate::common::app_state(content.path(), None)
            .with_admin_token(Some("reload-token".into())),
    );
    let _watcher = reload::watch(
        content.path().to_path_buf(),
        None,
        state.live().clone(),
        state.metrics.clone(),
        reload::Snapshot::of(content.path()),
    )
    .expect("watch");
    let before = get(&state, "/healthz").await.json();
    assert_eq!(get(&state, "/kb/new-entry").await.status, 404);

    // Save a new entry: page and search follow.
    content.write("kb/new-entry.md", NEW_ENTRY);
    let took = eventually("new entry served", || async {
        get(&state, "/kb/new-entry").await.status == 200
    })
    .await;
    let hits = get(&state, "/api/search?q=%E9%87%8F%E5%AD%90%E9%9A%A7%E7%A9%BF")
        .await
        .json();
    assert_eq!(hits["hits"][0]["id"], "new-entry");
    println!("saved entry visible after {took:?}");
    let health = get(&state, "/healthz").await.json();
    assert_eq!(health["generation"], 2);
    assert_eq!(health["entries"], 4);
    assert_eq!(health["last_reload"]["ok"], true);
    assert_ne!(health["content_version"], before["content_version"]);

    // A half-written save: the previous version keeps serving, /healthz says why, still 200.
    content.write(
        "kb/new-entry.md",
        "+++\ntitle = \"写了一半\"\ncategory = \"nope\"\n+++\n正文\n",
    );
    eventually("failed reload recorded", || async {
        get(&state, "/healthz").await.json()["last_reload"]["ok"] == false
    })
    .await;
    let health = get(&state, "/healthz").await;
    assert_eq!(health.status, 200);
    let public = health.json()["last_reload"]["errors"].to_string();
    assert!(
        !public.contains("new-entry.md") && !public.contains(&*content.path().to_string_lossy()),
        "paths and messages only with the admin token: {public}"
    );
    let health = crate::common::request(
        &state,
        actix_web::test::TestRequest::get()
            .uri("/healthz")
            .insert_header(("Authorization", "Bearer reload-token")),
    )
    .await;
    let errors = health.json()["last_reload"]["errors"].to_string();
    assert!(
        errors.contains("new-entry.md:3: unknown category"),
        "{errors}"
    );
    assert_eq!(health.json()["generation"], 2, "nothing swapped");
    let page = get(&state, "/kb/new-entry").await;
    assert!(
        page.body.contains("新加的条目：量子隧穿"),
        "the last good version"
    );
    assert_eq!(get(&state, "/kb/proxy-config").await.status, 200);

    // Fixing it swaps the fix in.
    content.write("kb/new-entry.md", &NEW_ENTRY.replace("量子隧穿", "修好了"));
    eventually("fixed entry served", || async {
        get(&state, "/kb/new-entry").await.body.contains("修好了")
    })
    .await;
    assert_eq!(
        get(&state, "/healthz").await.json()["last_reload"]["ok"],
        true
    );

    // Deleting an entry removes it.
    content.remove("kb/new-entry.md");
    eventually("deleted entry gone", || async {
        get(&state, "/kb/new-entry").await.status == 404
    })
    .await;
}

#[actix_web::test]
async fn rebuild_swaps_only_what_changed() {
    let content = TempContent::copy_of(&fixture("basic"));
    let state = state(content.path(), None);
    assert_eq!(
        reload::rebuild(content.path(), None, state.live()),
        Rebuild::Unchanged
    );
    content.write("kb/new-entry.md", NEW_ENTRY);
    assert_eq!(
        reload::rebuild(content.path(), None, state.live()),
        Rebuild::Swapped
    );
    content.write("categories.toml", "not toml [");
    match reload::rebuild(content.path(), None, state.live()) {
        Rebuild::Failed(errors) => assert!(errors[0].contains("categories.toml:1:"), "{errors:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(get(&state, "/kb/new-entry").await.status, 200);
}

/// Looks at the content files so far.
fn checks(state: &actix_web::web::Data<wendao::web::AppState>) -> u64 {
    state.metrics.content_checks.get()
}

/// Reloads counted so far: (unchanged, swapped, failed).
fn reloads(state: &actix_web::web::Data<wendao::web::AppState>) -> (u64, u64, u64) {
    let count = |result: &str| state.metrics.reloads.with_label_values(&[result]).get();
    (count("unchanged"), count("swapped"), count("failed"))
}

fn watching(
    content: &TempContent,
    state: &actix_web::web::Data<wendao::web::AppState>,
) -> reload::Watcher {
    reload::watch(
        content.path().to_path_buf(),
        None,
        state.live().clone(),
        state.metrics.clone(),
        reload::Snapshot::of(content.path()),
    )
    .expect("watch")
}

/// Every file of the tree read, as a rebuild (or a backup, or an indexer) reads them.
fn read_every_file(dir: &std::path::Path) {
    for item in walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
    {
        if item.file_type().is_file() {
            std::fs::read(item.path()).expect("read");
        }
    }
}

/// Nothing changed, nothing reloaded: opening and reading the files (as each reload did itself,
/// so that reloads started one another) wakes no rebuild. Touching a file costs one load that
/// finds the same content, and no new generation.
#[actix_web::test]
async fn a_watched_tree_that_is_only_read_is_never_reloaded() {
    let content = TempContent::copy_of(&crate::common::repo_content());
    let state = state(content.path(), None);
    let _watcher = watching(&content, &state);
    // The look at start (for changes made while the content loaded).
    eventually("the first look", || async { checks(&state) == 1 }).await;
    for _ in 0..3 {
        read_every_file(content.path());
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert_eq!(reloads(&state), (0, 0, 0), "(unchanged, swapped, failed)");
    assert_eq!(
        checks(&state),
        1,
        "reads wake nothing, nor does the watcher's own look"
    );

    let path = content.path().join("kb/timeout.md");
    let file = std::fs::File::options()
        .append(true)
        .open(&path)
        .expect("open");
    file.set_modified(std::time::SystemTime::now())
        .expect("touch");
    drop(file);
    eventually("the touched file looked at", || async {
        reloads(&state) == (1, 0, 0)
    })
    .await;
    for _ in 0..2 {
        read_every_file(content.path());
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    assert_eq!(reloads(&state), (1, 0, 0), "(unchanged, swapped, failed)");
    assert_eq!(get(&state, "/healthz").await.json()["generation"], 1);
}

/// Saves as editors make them, swap and backup files beside them, and a checkout that writes
/// 500 files at once: each is one rebuild, and the swap files none.
#[actix_web::test]
async fn editor_saves_and_a_checkout_of_500_files_are_one_rebuild_each() {
    let content = TempContent::copy_of(&fixture("basic"));
    let state = state(content.path(), None);
    let _watcher = watching(&content, &state);

    // vim: a swap file while editing, its `4913` probe, a backup, then the file written.
    content.write("kb/.new-entry.md.swp", "swap");
    tokio::time::sleep(Duration::from_millis(300)).await;
    content.write("kb/4913", "");
    content.remove("kb/4913");
    content.write("kb/new-entry.md~", "backup");
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        reloads(&state),
        (0, 0, 0),
        "swap and backup files reload nothing"
    );
    content.write("kb/new-entry.md", NEW_ENTRY);
    content.remove("kb/.new-entry.md.swp");
    eventually("vim's save served", || async {
        get(&state, "/kb/new-entry").await.status == 200
    })
    .await;
    assert_eq!(reloads(&state).1, 1, "one rebuild");

    // An atomic save: a temporary file renamed over the entry.
    let entry = content.path().join("kb/new-entry.md");
    let temporary = content.path().join("kb/.new-entry.md.tmp");
    std::fs::write(&temporary, NEW_ENTRY.replace("量子隧穿", "原子保存")).expect("write");
    std::fs::rename(&temporary, &entry).expect("rename");
    eventually("the renamed save served", || async {
        get(&state, "/kb/new-entry").await.body.contains("原子保存")
    })
    .await;
    assert_eq!(reloads(&state).1, 2, "one rebuild");

    // A checkout: 500 new entries written one after another.
    for i in 0..500 {
        content.write(
            &format!("kb/checked-out-{i}.md"),
            &format!("+++\ntitle = \"检出的条目 {i}\"\ncategory = \"alpha\"\n+++\n第 {i} 条。\n"),
        );
    }
    eventually("the checkout served", || async {
        get(&state, "/healthz").await.json()["entries"] == 504
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let (_, swapped, failed) = reloads(&state);
    assert_eq!(failed, 0);
    // One rebuild, or a few should the machine stall mid-checkout longer than the quiet time
    // (50 ms): far from one a file.
    assert!(
        swapped - 2 <= 10,
        "{} rebuilds for one checkout",
        swapped - 2
    );
    assert_eq!(get(&state, "/kb/checked-out-499").await.status, 200);
}

/// A failing version is read once (so logged once), and `/healthz` clears the failure once the
/// files are put back as they were, without a new generation.
#[actix_web::test]
async fn a_broken_save_fails_once_and_putting_the_file_back_clears_it() {
    let content = TempContent::copy_of(&fixture("basic"));
    let state = state(content.path(), None);
    let _watcher = watching(&content, &state);
    let original = std::fs::read_to_string(content.path().join("categories.toml")).expect("read");
    content.write("categories.toml", "not toml [");
    eventually("failure recorded", || async {
        get(&state, "/healthz").await.json()["last_reload"]["ok"] == false
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    // (A pass may have caught the file empty, between its truncation and its text: two.)
    let failed = reloads(&state).2;
    for _ in 0..3 {
        read_every_file(content.path());
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(reloads(&state), (0, 0, failed), "not read again");

    content.write("categories.toml", &original);
    eventually("failure cleared", || async {
        get(&state, "/healthz").await.json()["last_reload"]["ok"] == true
    })
    .await;
    let health = get(&state, "/healthz").await.json();
    assert_eq!(health["generation"], 1, "the version served all along");
    assert_eq!(reloads(&state), (1, 0, failed));
}

/// A content directory that is a symlink (a release folder switched by `ln -sfn`): edits
/// through it are seen, and so is pointing it at another release.
#[actix_web::test]
async fn a_symlinked_content_directory_is_watched_and_may_be_pointed_elsewhere() {
    let releases = tempfile::tempdir().expect("releases");
    let first = TempContent::copy_of(&fixture("basic"));
    let second = TempContent::copy_of(&fixture("basic"));
    second.write(
        "kb/second-release.md",
        &NEW_ENTRY.replace("量子隧穿", "第二版"),
    );
    // A name with a dot in it, as a site's name is: not taken for a file that is no content.
    let link = releases.path().join("help.example.com");
    std::os::unix::fs::symlink(first.path(), &link).expect("symlink");
    let state = state(&link, None);
    let _watcher = reload::watch(
        link.clone(),
        None,
        state.live().clone(),
        state.metrics.clone(),
        reload::Snapshot::of(&link),
    )
    .expect("watch");

    first.write("kb/new-entry.md", NEW_ENTRY);
    eventually("an edit through the link", || async {
        get(&state, "/kb/new-entry").await.status == 200
    })
    .await;

    let staged = releases.path().join("help.example.com.new");
    std::os::unix::fs::symlink(second.path(), &staged).expect("symlink");
    std::fs::rename(&staged, &link).expect("switch the link");
    eventually("the other release served", || async {
        get(&state, "/kb/second-release").await.status == 200
    })
    .await;
    assert_eq!(get(&state, "/kb/new-entry").await.status, 404);
    // And the new release is the one watched.
    second.write(
        "kb/new-entry.md",
        &NEW_ENTRY.replace("量子隧穿", "第二版的新条目"),
    );
    eventually("an edit in the new release", || async {
        get(&state, "/kb/new-entry")
            .await
            .body
            .contains("第二版的新条目")
    })
    .await;
}

/// Files deleted while a rebuild reads them: whatever the pass in between saw, the version
/// served in the end is the tree as it is, and `/healthz` says the last reload went well.
#[actix_web::test]
async fn files_deleted_during_a_rebuild_end_in_the_tree_as_it_is() {
    let content = TempContent::copy_of(&fixture("basic"));
    let state = state(content.path(), None);
    let _watcher = watching(&content, &state);
    for round in 0..3 {
        for i in 0..1_000 {
            content.write(
                &format!("kb/passing-{i}.md"),
                &format!(
                    "+++\ntitle = \"转瞬即逝 {i}\"\ncategory = \"alpha\"\n+++\n第 {round} 轮。\n"
                ),
            );
        }
        tokio::time::sleep(Duration::from_millis(120 + 40 * round)).await;
        for i in 0..1_000 {
            content.remove(&format!("kb/passing-{i}.md"));
        }
    }
    eventually("the tree as it is", || async {
        let health = get(&state, "/healthz").await.json();
        health["entries"] == 3 && health["last_reload"]["ok"] == true
    })
    .await;
    assert_eq!(get(&state, "/kb/passing-0").await.status, 404);
}

/// A content directory replaced in place (`mv content.new content`, or a fresh clone where
/// the old one was): the new tree is served, and edits in it are seen.
#[actix_web::test]
async fn a_content_directory_replaced_in_place_is_watched_anew() {
    let site = tempfile::tempdir().expect("site");
    let content = site.path().join("content");
    let first = TempContent::copy_of(&fixture("basic"));
    std::fs::rename(first.path(), &content).expect("move in");
    let state = state(&content, None);
    let _watcher = reload::watch(
        content.clone(),
        None,
        state.live().clone(),
        state.metrics.clone(),
        reload::Snapshot::of(&content),
    )
    .expect("watch");

    let next = site.path().join("content.new");
    std::fs::rename(TempContent::copy_of(&fixture("basic")).path(), &next).expect("stage");
    std::fs::write(next.join("kb/new-entry.md"), NEW_ENTRY).expect("write");
    std::fs::rename(&content, site.path().join("content.old")).expect("move out");
    std::fs::rename(&next, &content).expect("move the new one in");
    eventually("the new tree served", || async {
        get(&state, "/kb/new-entry").await.status == 200
    })
    .await;
    std::fs::write(
        content.join("kb/new-entry.md"),
        NEW_ENTRY.replace("量子隧穿", "换了目录之后"),
    )
    .expect("edit");
    eventually("an edit in the new tree", || async {
        get(&state, "/kb/new-entry")
            .await
            .body
            .contains("换了目录之后")
    })
    .await;
}
