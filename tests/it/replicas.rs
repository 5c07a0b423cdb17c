//! Several servers on one PostgreSQL, as run in production: real `wendao serve` processes
//! sharing a throwaway cluster. Those are `#[ignore]`d: `cargo test -- --include-ignored` runs
//! them, and fails them where PostgreSQL is not installed. A replica whose database does not
//! answer needs no PostgreSQL: that test runs in plain `cargo test`.

use std::time::{Duration, Instant};

use crate::common::postgres;
use crate::common::raw_http;
use crate::process::{Server, logs, spawn_on, stop};

/// A replica on `url`, with its own data directory (its own search index).
fn replica(data: &tempfile::TempDir, url: &str) -> Server {
    spawn_on(
        data.path(),
        &[
            "--database-url",
            url,
            "--votes-per-minute",
            "0",
            "--log-json",
        ],
    )
}

/// Sends a vote as a plain client without a cookie (a new visitor); returns the status line.
fn vote(base: &str, entry: &str, helpful: bool) -> String {
    let body = if helpful { "helpful=yes" } else { "helpful=no" };
    let answer = raw_http(
        base,
        &format!(
            "POST /kb/{entry}/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    answer.lines().next().unwrap_or("").to_string()
}

fn get(base: &str, path: &str) -> String {
    raw_http(
        base,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
}

/// The `feedback` object of an entry's JSON, as text.
fn feedback(base: &str, entry: &str) -> String {
    let answer = get(base, &format!("/api/entries/{entry}"));
    let at = answer
        .find("\"feedback\":")
        .expect("feedback in the entry's JSON");
    answer[at..].split('}').next().unwrap_or("").to_string() + "}"
}

fn healthz(base: &str) -> serde_json::Value {
    let answer = get(base, "/healthz");
    let body = answer.split("\r\n\r\n").nth(1).unwrap_or("");
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {answer}"))
}

/// Waits until `/healthz` says the database does (or does not) answer.
fn wait_reachable(base: &str, reachable: bool) {
    let started = Instant::now();
    while healthz(base)["database"]["reachable"] != reachable {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "database still {}reachable: {}",
            if reachable { "not " } else { "" },
            healthz(base)
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Two replicas on `url`, each with its own data directory (kept with them).
fn two_replicas(url: &str) -> [(Server, tempfile::TempDir); 2] {
    [(), ()].map(|()| {
        let data = tempfile::tempdir().expect("data");
        (replica(&data, url), data)
    })
}

#[actix_web::test]
#[ignore = "needs PostgreSQL (initdb)"]
async fn two_replicas_count_concurrent_votes_exactly() {
    let cluster = postgres::required();
    let url = cluster.database("two").await;
    let [(mut a, _data_a), (mut b, _data_b)] = two_replicas(&url);
    assert_eq!(healthz(&a.base)["database"]["backend"], "postgres");

    // 4 clients, 2 on each replica, 50 votes each: 120 helpful, 80 not.
    let threads: Vec<_> = (0..4)
        .map(|client| {
            let base = if client % 2 == 0 { &a.base } else { &b.base }.clone();
            std::thread::spawn(move || {
                for i in 0..50 {
                    let status = vote(&base, "timeout", (client * 50 + i) % 5 < 3);
                    assert!(status.starts_with("HTTP/1.1 303"), "{status}");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("client");
    }
    let want = r#""feedback":{"helpful":120,"not_helpful":80}"#;
    assert_eq!(feedback(&a.base, "timeout"), want);
    assert_eq!(feedback(&b.base, "timeout"), want);

    // Page-view counters from both replicas add up, and the home page of each follows the
    // votes made through the other within a few seconds.
    // Three readers on each (a reader's repeats count once a session).
    for server in [&a, &b] {
        for reader in 0..3 {
            raw_http(
                &server.base,
                &format!(
                    "GET /search?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0 HTTP/1.1\r\nHost: x\r\nUser-Agent: reader-{reader}\r\nConnection: close\r\n\r\n"
                ),
            );
        }
    }
    let started = Instant::now();
    loop {
        let home = get(&a.base, "/");
        let popular = home.split("常见问题</h2>").nth(1).unwrap_or("");
        if popular.find("/kb/timeout").is_some_and(|at| at < 200) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the home page does not show the voted entry first: {popular:.400}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
    // A clean stop writes what each gathered.
    assert_eq!(stop(&mut a, libc::SIGTERM), Some(0));
    assert_eq!(stop(&mut b, libc::SIGTERM), Some(0));
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wendao"))
        .args(["insights", "--database-url", &url])
        .output()
        .expect("wendao insights");
    let text = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<String> = [logs(&a), logs(&b)]
        .iter()
        .flat_map(|l| {
            l.lines()
                .filter(|l| !l.contains("\"INFO\""))
                .map(str::to_string)
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(text.contains("量子纠缠\t6"), "{text}\n{warnings:#?}");
}

#[actix_web::test]
#[ignore = "needs PostgreSQL (initdb)"]
async fn a_replica_killed_right_after_a_vote_loses_nothing() {
    let cluster = postgres::required();
    let url = cluster.database("killed").await;
    let [(mut a, _data_a), (b, _data_b)] = two_replicas(&url);
    assert!(vote(&a.base, "n22106", false).starts_with("HTTP/1.1 303"));
    assert_eq!(stop(&mut a, libc::SIGKILL), None, "killed");
    assert_eq!(
        feedback(&b.base, "n22106"),
        r#""feedback":{"helpful":0,"not_helpful":1}"#
    );
}

#[actix_web::test]
#[ignore = "needs PostgreSQL (initdb)"]
async fn a_replica_rides_out_the_database_going_away() {
    let cluster = postgres::required();
    let url = cluster.database("restarted").await;
    let data = tempfile::tempdir().expect("data");
    let server = replica(&data, &url);
    assert!(vote(&server.base, "timeout", true).starts_with("HTTP/1.1 303"));
    // Read once while up: the home page keeps what it knew.
    assert!(get(&server.base, "/").starts_with("HTTP/1.1 200"));

    cluster.stop();
    wait_reachable(&server.base, false);
    for path in [
        "/",
        "/kb/timeout",
        "/api/entries/timeout",
        "/search?q=%E8%B6%85%E6%97%B6",
        "/wizard/request-errors?a=",
    ] {
        let started = Instant::now();
        let answer = get(&server.base, path);
        assert!(answer.starts_with("HTTP/1.1 200"), "{path}: {answer:.300}");
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{path} waited {:?} for the database",
            started.elapsed()
        );
    }
    // A search nobody answers, counted while the database is away.
    get(
        &server.base,
        "/search?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0",
    );
    let refused = raw_http(
        &server.base,
        "POST /kb/timeout/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 10\r\nConnection: close\r\n\r\nhelpful=no",
    );
    assert!(refused.starts_with("HTTP/1.1 503"), "{refused:.300}");
    assert!(refused.contains("反馈暂时无法保存"), "{refused}");
    let health = healthz(&server.base);
    assert_eq!(health["status"], "ok");
    assert_eq!(health["database"]["backend"], "postgres");

    cluster.start();
    wait_reachable(&server.base, true);
    assert!(vote(&server.base, "timeout", false).starts_with("HTTP/1.1 303"));
    assert_eq!(
        feedback(&server.base, "timeout"),
        r#""feedback":{"helpful":1,"not_helpful":1}"#
    );
    // The counter gathered while it was away has been written since.
    let started = Instant::now();
    loop {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_wendao"))
            .args(["insights", "--database-url", &url])
            .output()
            .expect("wendao insights");
        if String::from_utf8_lossy(&out.stdout).contains("量子纠缠\t1") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        std::thread::sleep(Duration::from_millis(300));
    }
}

/// A replica whose database does not answer when it starts serves its pages, says so on
/// `/healthz` and refuses votes with 503. Nothing listens on the URL's port, so this part needs
/// no PostgreSQL and runs in plain `cargo test`; the next test has the database come.
#[actix_web::test]
async fn a_replica_serves_while_its_database_does_not_answer() {
    let url = format!(
        "postgres://postgres@127.0.0.1:{}/later",
        crate::common::free_port()
    );
    let data = tempfile::tempdir().expect("data");
    let server = replica(&data, &url);
    assert!(get(&server.base, "/").starts_with("HTTP/1.1 200"));
    let health = healthz(&server.base);
    assert_eq!(health["database"]["backend"], "postgres", "{health}");
    assert_eq!(health["database"]["reachable"], false, "{health}");
    assert!(vote(&server.base, "timeout", true).starts_with("HTTP/1.1 503"));
}

/// A replica started while the database is down serves, and starts using it when it comes.
#[actix_web::test]
#[ignore = "needs PostgreSQL (initdb)"]
async fn a_replica_starts_before_its_database() {
    let cluster = postgres::required();
    let url = cluster.database("later").await;
    cluster.stop();
    let data = tempfile::tempdir().expect("data");
    let server = replica(&data, &url);
    assert!(get(&server.base, "/").starts_with("HTTP/1.1 200"));
    assert_eq!(healthz(&server.base)["database"]["reachable"], false);
    assert!(vote(&server.base, "timeout", true).starts_with("HTTP/1.1 503"));
    cluster.start();
    wait_reachable(&server.base, true);
    assert!(vote(&server.base, "timeout", true).starts_with("HTTP/1.1 303"));
}
