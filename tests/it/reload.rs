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
    let state = state(content.path(), None);
    let _watcher = reload::watch(content.path().to_path_buf(), None, state.clone()).expect("watch");
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
        reload::rebuild(content.path(), None, &state),
        Rebuild::Unchanged
    );
    content.write("kb/new-entry.md", NEW_ENTRY);
    assert_eq!(
        reload::rebuild(content.path(), None, &state),
        Rebuild::Swapped
    );
    content.write("categories.toml", "not toml [");
    match reload::rebuild(content.path(), None, &state) {
        Rebuild::Failed(errors) => assert!(errors[0].contains("categories.toml:1:"), "{errors:?}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(get(&state, "/kb/new-entry").await.status, 200);
}
