//! Faults made for real: `--data` on a small tmpfs that fills up and is freed again. Mounting
//! needs root (CI runs as root), so the test is `#[ignore]`d: `cargo test -- --include-ignored`
//! runs it, and fails it where a tmpfs cannot be mounted.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use crate::common::raw_http;
use crate::process::{spawn_on, stop};

/// A tmpfs mounted on a new temporary folder, unmounted when dropped.
struct Tmpfs {
    dir: tempfile::TempDir,
}

impl Tmpfs {
    /// Fails, saying why, where mounting is not allowed: a test that was asked to run does not
    /// pass without running.
    fn mount(bytes: u64) -> Tmpfs {
        let dir = tempfile::tempdir().expect("mount point");
        let mounted = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={bytes}"), "tmpfs"])
            .arg(dir.path())
            .output();
        match mounted {
            Ok(out) if out.status.success() => Tmpfs { dir },
            other => {
                let why = match other {
                    Ok(out) => String::from_utf8_lossy(&out.stderr).into_owned(),
                    Err(e) => e.to_string(),
                };
                panic!(
                    "this test needs root to mount a tmpfs and could not mount one ({}): \
                     run it as root, or run plain `cargo test`, which leaves it out as ignored",
                    why.trim()
                );
            }
        }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }
}

impl Drop for Tmpfs {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(self.dir.path()).status();
    }
}

/// Fills the file system under `dir` with one file, up to `leave` bytes short of full.
fn fill(dir: &Path, leave: u64) -> PathBuf {
    let ballast = dir.join("ballast");
    let mut file = std::fs::File::create(&ballast).expect("ballast");
    let block = vec![0u8; 4096];
    while file.write_all(&block).is_ok() {}
    drop(file);
    let written = std::fs::metadata(&ballast).expect("ballast size").len();
    let file = std::fs::OpenOptions::new()
        .write(true)
        .open(&ballast)
        .expect("ballast");
    file.set_len(written.saturating_sub(leave))
        .expect("cut the ballast");
    ballast
}

/// A vote by a new visitor: (status, the visitor's cookie when one was set).
fn vote(base: &str, n: usize) -> (u16, Option<String>) {
    let comment = format!("{n:06} {}", "x".repeat(900));
    let body = format!("helpful=no&comment={comment}");
    let answer = raw_http(
        base,
        &format!(
            "POST /kb/timeout/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    let status = answer
        .get(9..12)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status line: {answer:?}"));
    let visitor = answer
        .split("wendao_visitor=")
        .nth(1)
        .map(|rest| rest.chars().take_while(char::is_ascii_hexdigit).collect());
    (status, visitor)
}

fn get(base: &str, path: &str) -> String {
    raw_http(
        base,
        &format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"),
    )
}

/// The visitors whose votes are in the SQLite file under `data` (read after the server stopped).
fn stored_visitors(data: &Path) -> Vec<String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let path = data.join(wendao::store::FILE);
        let options = sqlx::sqlite::SqliteConnectOptions::new().filename(&path);
        let mut db = sqlx::ConnectOptions::connect(&options)
            .await
            .expect("open the database");
        sqlx::query_scalar("SELECT visitor FROM votes")
            .fetch_all(&mut db)
            .await
            .expect("read the votes")
    })
}

/// The disk fills under votes and searches, then is freed: every vote answered 303 is in the
/// database, `/healthz` says writes fail while they do, and votes succeed again within a few
/// seconds, without a restart.
#[test]
#[ignore = "needs root to mount a tmpfs"]
fn a_full_disk_loses_no_acknowledged_vote_and_the_server_recovers_when_space_returns() {
    let disk = Tmpfs::mount(8 << 20);
    let mut server = spawn_on(disk.path(), &["--votes-per-minute", "0"]);
    let ballast = fill(disk.path(), 1 << 20);

    let mut acknowledged = Vec::new();
    let mut refused_in_a_row = 0;
    let mut n = 0;
    while refused_in_a_row < 20 {
        n += 1;
        assert!(n < 5_000, "the disk never filled");
        match vote(&server.base, n) {
            (303, Some(visitor)) => {
                acknowledged.push(visitor);
                refused_in_a_row = 0;
            }
            (503, _) => refused_in_a_row += 1,
            other => panic!("vote {n}: {other:?}"),
        }
        // Searches no entry answers: counters the server tries to write every second.
        if n % 4 == 0 {
            let answer = get(&server.base, &format!("/search?q=disk{n}zzqx"));
            assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
        }
    }
    assert!(
        acknowledged.len() > 20,
        "{} votes fitted",
        acknowledged.len()
    );
    // Searches while the disk is full: each second the counter writer tries to write what
    // they counted, and fails, in the middle of its transaction or at its COMMIT.
    let full_since = Instant::now();
    let mut searches = 0;
    while searches < 2_000 && full_since.elapsed() < Duration::from_secs(6) {
        searches += 1;
        let answer = get(&server.base, &format!("/search?q=full{searches}qzx"));
        assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    }
    // At least two rounds of the counter writer saw the full disk.
    std::thread::sleep(Duration::from_millis(
        2_500u64.saturating_sub(full_since.elapsed().as_millis() as u64),
    ));
    let health = get(&server.base, "/healthz");
    assert!(
        health.contains(r#""reachable":false"#),
        "writes fail: /healthz says so: {health}"
    );

    std::fs::remove_file(&ballast).expect("free the disk");
    let freed = Instant::now();
    // The server finds out by itself, with no vote to tell it.
    while !get(&server.base, "/healthz").contains(r#""reachable":true"#) {
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "/healthz still says writes fail 10 s after the disk was freed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    println!("/healthz saw the space back after {:?}", freed.elapsed());
    let mut n_after = 0;
    loop {
        n_after += 1;
        match vote(&server.base, 100_000 + n_after) {
            (303, Some(visitor)) => {
                acknowledged.push(visitor);
                break;
            }
            (503, _) => {}
            other => panic!("vote after freeing: {other:?}"),
        }
        assert!(
            freed.elapsed() < Duration::from_secs(10),
            "votes still refused 10 s after the disk was freed"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    println!(
        "votes accepted again {:?} after the disk was freed",
        freed.elapsed()
    );
    // And they keep succeeding: no connection kept a lock or a transaction.
    for i in 0..50 {
        match vote(&server.base, 200_000 + i) {
            (303, Some(visitor)) => acknowledged.push(visitor),
            other => panic!("vote {i} after recovery: {other:?}"),
        }
    }
    let health = get(&server.base, "/healthz");
    assert!(health.contains(r#""reachable":true"#), "{health}");
    assert!(
        get(&server.base, "/kb/timeout").starts_with("HTTP/1.1 200"),
        "pages serve"
    );

    assert_eq!(stop(&mut server, libc::SIGTERM), Some(0));
    let mut stored = stored_visitors(disk.path());
    stored.sort();
    let missing: Vec<&String> = acknowledged
        .iter()
        .filter(|v| stored.binary_search(v).is_err())
        .collect();
    assert!(
        missing.is_empty(),
        "{} of {} acknowledged votes are not in the database",
        missing.len(),
        acknowledged.len()
    );
}
