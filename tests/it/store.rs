//! The store's behaviour, proven the same on both databases: the SQLite file and PostgreSQL
//! (a throwaway cluster of the test's own). Each run uses two stores on one database, as two
//! replicas would. The PostgreSQL tests are `#[ignore]`d: `cargo test -- --include-ignored`
//! runs them, and fails them where PostgreSQL is not installed.

use wendao::store::{
    Comment, Deflection, Deflections, EntryDeflections, Feedback, OpenedResult, OutcomeAnswers,
    StepVisits, Store, UnansweredSearch,
};

fn unanswered(query: &str, count: i64, weak: bool, lang: &str) -> UnansweredSearch {
    UnansweredSearch {
        query: query.into(),
        count,
        weak,
        lang: lang.into(),
    }
}

async fn suite(a: &Store, b: &Store) {
    // A vote is committed when `vote` returns: the other store reads it at once.
    a.vote("timeout", "v1", true, Some("有用"), "en")
        .await
        .expect("vote");
    b.vote("timeout", "v2", false, None, "zh-CN")
        .await
        .expect("vote");
    let both = Feedback {
        helpful: 1,
        not_helpful: 1,
    };
    assert_eq!(b.feedback("timeout").await.expect("read"), both);
    assert_eq!(a.feedback("timeout").await.expect("read"), both);
    // One vote per visitor and entry, changeable; a vote without a comment keeps the last one,
    // and says which language's page it was cast on last.
    a.vote("timeout", "v1", false, None, "zh-CN")
        .await
        .expect("vote");
    assert_eq!(
        b.feedback("timeout").await.expect("read"),
        Feedback {
            helpful: 0,
            not_helpful: 2
        }
    );
    let insights = a.insights(100).await.expect("insights");
    assert_eq!(
        insights.comments,
        vec![Comment {
            entry: "timeout".into(),
            helpful: false,
            text: "有用".into(),
            lang: "zh-CN".into(),
        }]
    );
    assert_eq!(insights.entries.len(), 1);
    assert_eq!(insights.entries[0].not_helpful, 2);

    // Counters from both stores, gathered and written at the same time, add up exactly.
    for round in 0..5 {
        for _ in 0..10 {
            a.wizard_step("request-errors", "start", "zh-CN");
            b.wizard_step("request-errors", "start", "en");
            a.unanswered("量子纠缠", false, "zh-CN");
            b.unanswered("量子纠缠", false, "zh-CN");
            b.result_opened("n22106", "n22106");
            a.wizard_outcome("request-errors", "out-garbled", round % 2 == 0, "zh-CN");
        }
        let (written_a, written_b) = tokio::join!(a.flush(), b.flush());
        written_a.expect("flush a");
        written_b.expect("flush b");
    }
    let insights = b.insights(100).await.expect("insights");
    // One row per language the step was read in.
    let start = |lang: &str| StepVisits {
        wizard: "request-errors".into(),
        step: "start".into(),
        lang: lang.into(),
        visits: 50,
    };
    assert_eq!(insights.steps, vec![start("en"), start("zh-CN")]);
    assert_eq!(
        insights.zero_results,
        vec![unanswered("量子纠缠", 100, false, "zh-CN")]
    );
    // A search with only weak matches is logged beside them, marked; the latest kind and
    // language win.
    a.unanswered("登录失败", false, "zh-CN");
    a.flush().await.expect("flush");
    b.unanswered("登录失败", true, "en");
    b.unanswered("登录失败", true, "en");
    b.flush().await.expect("flush");
    let insights = a.insights(100).await.expect("insights");
    assert_eq!(
        insights.zero_results,
        vec![
            unanswered("量子纠缠", 100, false, "zh-CN"),
            unanswered("登录失败", 3, true, "en")
        ]
    );
    assert_eq!(
        insights.opened,
        vec![OpenedResult {
            query: "n22106".into(),
            entry: "n22106".into(),
            count: 50
        }]
    );
    assert_eq!(
        insights.outcomes,
        vec![
            OutcomeAnswers {
                wizard: "request-errors".into(),
                outcome: "out-garbled".into(),
                solved: false,
                lang: "zh-CN".into(),
                count: 20
            },
            OutcomeAnswers {
                wizard: "request-errors".into(),
                outcome: "out-garbled".into(),
                solved: true,
                lang: "zh-CN".into(),
                count: 30
            },
        ]
    );

    // What the help widget reports: each entry named, and the form unless it said so before;
    // two replicas' counts add up.
    for _ in 0..3 {
        a.deflection(Deflection::Suggested, &["error-19", "timeout"], false);
        b.deflection(Deflection::Suggested, &["cookie"], true);
        b.deflection(Deflection::Opened, &["error-19"], false);
    }
    a.deflection(Deflection::Resolved, &["error-19"], false);
    b.deflection(Deflection::SubmittedAnyway, &["timeout", "error-19"], false);
    let (written_a, written_b) = tokio::join!(a.flush(), b.flush());
    written_a.expect("flush a");
    written_b.expect("flush b");
    let insights = b.insights(2).await.expect("insights");
    let counts = |suggested, opened, resolved, submitted_anyway| Deflections {
        suggested,
        opened,
        resolved,
        submitted_anyway,
    };
    assert_eq!(insights.forms, counts(3, 3, 1, 1));
    assert_eq!(
        insights.deflections,
        vec![
            EntryDeflections {
                entry: "error-19".into(),
                counts: counts(3, 3, 1, 1)
            },
            EntryDeflections {
                entry: "cookie".into(),
                counts: counts(3, 0, 0, 0)
            },
        ],
        "most suggested first, then most opened, at most the limit"
    );

    // Popular entries: opened from search plus helpful votes.
    assert_eq!(a.popular(5).await.expect("popular"), vec!["n22106"]);
    for i in 0..60 {
        b.vote("error-19", &format!("fan-{i}"), true, None, "zh-CN")
            .await
            .expect("vote");
    }
    // Another replica's writes reach this one's kept answer at its next refresh (the server
    // refreshes every second). One SQLite file serves one process: there the writer reads.
    let reader = if a.health().backend == "postgres" {
        let before = a.written_at();
        b.refresh().await.expect("the writer tells the others");
        a.refresh().await.expect("refresh");
        assert!(
            a.written_at() > before,
            "Last-Modified follows the other replica"
        );
        a
    } else {
        b
    };
    assert_eq!(
        reader.popular(5).await.expect("popular"),
        vec!["error-19", "n22106"]
    );

    // The query tables keep their bound: the frequent query and the newest stay.
    let small = a.clone().keeping(10);
    for i in 0..40 {
        small.unanswered(&format!("junk {i}"), false, "zh-CN");
    }
    small.flush().await.expect("flush");
    let insights = b.insights(1_000).await.expect("insights");
    assert!(
        (5..=10).contains(&insights.zero_results.len()),
        "{:?}",
        insights.zero_results
    );
    assert_eq!(
        insights.zero_results[0],
        unanswered("量子纠缠", 100, false, "zh-CN")
    );

    assert!(a.health().reachable && b.health().reachable);
}

#[actix_web::test]
async fn the_store_suite_on_sqlite() {
    let data = tempfile::tempdir().expect("data");
    let a = Store::open(data.path()).await.expect("open");
    let b = Store::open(data.path()).await.expect("open");
    assert_eq!(a.health().backend, "sqlite");
    suite(&a, &b).await;
}

#[actix_web::test]
#[ignore = "needs PostgreSQL (initdb)"]
async fn the_store_suite_on_postgres() {
    let cluster = crate::common::postgres::required();
    let url = cluster.database("suite").await;
    let data = tempfile::tempdir().expect("data");
    // Two replicas starting at once both bring the schema up to date, one after the other.
    let (a, b) = tokio::join!(
        Store::connect(Some(&url), data.path()),
        Store::connect(Some(&url), data.path())
    );
    let (a, b) = (a.expect("connect"), b.expect("connect"));
    assert_eq!(a.health().backend, "postgres");
    suite(&a, &b).await;
}

#[actix_web::test]
async fn a_database_url_that_is_not_postgres_is_refused() {
    let data = tempfile::tempdir().expect("data");
    for url in ["mysql://x@y/z", "sqlite://x.db", "nonsense"] {
        let error = Store::connect(Some(url), data.path())
            .await
            .err()
            .unwrap_or_else(|| panic!("{url} accepted"));
        assert!(error.to_string().contains("postgres://"), "{error}");
    }
}

/// `wendao migrate-store` copies the SQLite file's votes and counters into PostgreSQL, keeps
/// the votes' times, and refuses to copy into a database that already holds some.
#[actix_web::test]
#[ignore = "needs PostgreSQL (initdb)"]
async fn migrate_store_moves_sqlite_into_postgres() {
    let cluster = crate::common::postgres::required();
    let url = cluster.database("moved").await;
    let data = tempfile::tempdir().expect("data");
    let sqlite = Store::open(data.path()).await.expect("open");
    sqlite
        .vote("timeout", "v1", false, Some("安卓上还是不行"), "zh-CN")
        .await
        .expect("vote");
    sqlite
        .vote("n22106", "v2", true, None, "zh-CN")
        .await
        .expect("vote");
    for visitor in ["v3", "v4", "v5"] {
        sqlite
            .vote("cookie", visitor, true, None, "zh-CN")
            .await
            .expect("vote");
    }
    sqlite.wizard_step("request-errors", "start", "en");
    sqlite.unanswered("量子纠缠", false, "zh-CN");
    sqlite.result_opened("n22106", "n22106");
    sqlite.wizard_outcome("request-errors", "out-garbled", true, "en");
    sqlite.deflection(Deflection::Resolved, &["n22106"], false);
    sqlite.flush().await.expect("flush");
    let before = sqlite.insights(100).await.expect("insights");
    let popular = sqlite.popular(5).await.expect("popular");
    assert_eq!(popular, ["cookie", "n22106"]);
    sqlite.close().await;

    let migrate = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_wendao"))
            .args(["migrate-store", "--from"])
            .arg(data.path())
            .args(["--to", &url])
            .output()
            .expect("run wendao migrate-store")
    };
    let out = migrate();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("copied 5 votes and 6 counters"),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let postgres = Store::connect(Some(&url), data.path())
        .await
        .expect("connect");
    let after = postgres.insights(100).await.expect("insights");
    assert_eq!(after.entries, before.entries);
    assert_eq!(after.comments, before.comments);
    assert_eq!(after.steps, before.steps);
    assert_eq!(
        before.steps[0].lang, "en",
        "the language goes with the counts"
    );
    assert_eq!(after.outcomes, before.outcomes);
    assert_eq!(after.zero_results, before.zero_results);
    assert_eq!(after.opened, before.opened);
    assert_eq!(after.forms, before.forms);
    assert_eq!(after.deflections, before.deflections);
    assert_eq!(after.forms.resolved, 1);
    // The helpful votes per entry are counted as the copied votes arrive.
    assert_eq!(postgres.popular(5).await.expect("popular"), popular);

    let again = migrate();
    assert!(!again.status.success(), "a second copy would count twice");
    assert!(
        String::from_utf8_lossy(&again.stderr).contains("already holds"),
        "{}",
        String::from_utf8_lossy(&again.stderr)
    );
}
