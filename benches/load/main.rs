//! Load test as a browser sees it: `cargo bench --bench load` builds a knowledge base of the
//! bundled content plus 10,000 generated entries, starts the release server on it as the
//! README does (watching the content directory, logs at `info`, written to a file), and
//! measures each route with wrk (`-t2 -c32`, keep-alive, Chromium's request headers), then
//! the searches nothing has cached yet with its own client. First, `idle`: the server's CPU
//! and the reloads it counts over 60 s with nobody asking and no file changed; last, `edit`:
//! how soon a saved entry is served.
//!
//! Options:
//! - `--entries N`: generated entries beside the bundled ones (0: the bundled content alone);
//! - `--seconds S`, `--connections C`: each wrk run (default 8 s, 32);
//! - `--idle-seconds S`: how long `idle` watches the server do nothing (default 60 s);
//! - `--encoding identity|gzip|br`: send that `Accept-Encoding` instead of the browser's;
//! - `--nginx`: also serve the same entry and home page bytes with Debian's nginx at its
//!   fastest (`gzip_static`, files compressed at the best level, access log off; wendao's logs
//!   stay on) and print wendao's rate as a ratio;
//! - `--routes idle,entry,home,search-popular,search-distinct,search-fresh,search-seq,search-seq-en,match,match-thread,edit,crawl,mixed`:
//!   which to run (`idle`: CPU as % of one core and reloads counted in `/metrics`;
//!   `search-distinct`: 2,000 queries each once, by our own client; `match`: 500 tickets of
//!   2,000 characters posted to `/api/match` one after another; `match-thread`: 100 threads of
//!   20,000; `search-fresh`: wrk over
//!   queries none of which repeats; `edit`: an entry rewritten 5 times as an editor saves it,
//!   each time until `/kb/<id>` serves it; `crawl`: up to 10,000 entry pages nobody asked for
//!   yet, each once, then the memory);
//! - `--bin PATH`: benchmark another build of wendao (e.g. the one before a change);
//! - route `replicas` (not run by default): the mixed pages with a vote in every 20 requests,
//!   on this SQLite server and on two replicas sharing a throwaway PostgreSQL cluster behind
//!   nginx (`apt-get install postgresql`): votes per second and entry-page p99, as ratios.
//!
//! It needs `wrk` (and `nginx` for `--nginx`): `apt-get install wrk nginx`. It exits 1 on any
//! error answer.

#[path = "../common/corpus.rs"]
mod corpus;
mod generator;
mod matching;
mod nginx;
#[path = "../../tests/it/common/postgres.rs"]
#[allow(dead_code)]
mod postgres;
mod replicas;
#[path = "../common/server.rs"]
mod server;
mod watching;
mod wrk;

use std::collections::HashSet;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use generator::{BROWSER_HEADERS, Until};
use nginx::Nginx;
use server::Server;
use wrk::{Figures, wrk};

#[derive(Clone)]
struct Options {
    entries: usize,
    seconds: u64,
    idle_seconds: u64,
    connections: usize,
    encoding: Option<String>,
    nginx: bool,
    routes: Vec<String>,
    bin: PathBuf,
}

/// `idle` first, before any load has run; `edit` last, since each save reloads the content.
const ALL_ROUTES: &[&str] = &[
    "idle",
    "entry",
    "entry-en",
    "home",
    "search-popular",
    "search-popular-en",
    "search-distinct",
    "search-fresh",
    "search-seq",
    "search-seq-en",
    "match",
    "match-thread",
    "edit",
];

fn options() -> Options {
    let mut o = Options {
        entries: 10_000,
        seconds: 8,
        idle_seconds: 60,
        connections: 32,
        encoding: None,
        nginx: false,
        routes: ALL_ROUTES.iter().map(|r| r.to_string()).collect(),
        bin: PathBuf::from(env!("CARGO_BIN_EXE_wendao")),
    };
    let mut args = std::env::args().skip(1);
    let number = |v: Option<String>, name: &str| -> u64 {
        v.and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name} takes a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--entries" => o.entries = number(args.next(), "--entries") as usize,
            "--seconds" => o.seconds = number(args.next(), "--seconds"),
            "--idle-seconds" => o.idle_seconds = number(args.next(), "--idle-seconds"),
            "--connections" => o.connections = number(args.next(), "--connections") as usize,
            "--encoding" => o.encoding = args.next(),
            "--nginx" => o.nginx = true,
            "--routes" => {
                o.routes = args
                    .next()
                    .expect("--routes a,b")
                    .split(',')
                    .map(str::to_string)
                    .collect()
            }
            "--bin" => o.bin = PathBuf::from(args.next().expect("--bin PATH")),
            _ => {} // cargo bench passes --bench
        }
    }
    o
}

/// The request headers: the browser's, with `Accept-Encoding` replaced when asked.
fn headers(o: &Options) -> Vec<(&'static str, String)> {
    BROWSER_HEADERS
        .iter()
        .map(|&(k, v)| match (k, &o.encoding) {
            ("accept-encoding", Some(e)) => (k, e.clone()),
            _ => (k, v.to_string()),
        })
        .collect()
}

fn main() {
    let o = options();
    let work = tempfile::tempdir().expect("tempdir");
    let content = work.path().join("content");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &content,
    );
    if o.entries > 0 {
        corpus::generate(&content, o.entries);
        // Keep the bundled categories: generate() writes the same file.
    }
    let _ = Command::new("sync").status();
    let log = work.path().join("wendao.log");
    let started = Instant::now();
    let server = Server::start_with(
        &o.bin,
        &content,
        &work.path().join("data"),
        "info",
        std::fs::File::create(&log).expect("log file"),
        // The votes of the `replicas` route all come from this one address; pages are named
        // by the base URL, as in production, not by each request's Host (which nginx changes).
        &[
            "--votes-per-minute",
            "0",
            "--matches-per-minute",
            "0",
            "--base-url",
            replicas::BASE_URL,
        ],
    );
    server.wait_ready(Duration::from_secs(300));
    let ready = started.elapsed();
    let warm = server.wait_warm(Duration::from_secs(300));
    let headers = headers(&o);
    let header_refs: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    println!(
        "wendao {} on {} bundled + {} generated entries (ready in {:.1}s, warmed {:.1}s later), watching the content, logs at info to a file",
        o.bin.display(),
        24,
        o.entries,
        ready.as_secs_f64(),
        warm.as_secs_f64()
    );
    println!(
        "Accept-Encoding: {}; wrk -t2 -c{} -d{}s per route, keep-alive; each URL requested once before timing",
        headers
            .iter()
            .find(|(k, _)| *k == "accept-encoding")
            .map(|(_, v)| v.as_str())
            .unwrap_or(""),
        o.connections,
        o.seconds
    );

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let entry_paths = entry_paths(o.entries);
    let english_paths = english_paths();
    let queries = distinct_queries(FRESH_QUERIES);
    let nginx = o.nginx.then(|| {
        Nginx::start(
            &server.base,
            work.path(),
            &[
                entry_paths.clone(),
                english_paths.clone(),
                vec!["/".to_string()],
            ]
            .concat(),
        )
    });
    let search_paths = |qs: &[String]| -> Vec<String> {
        qs.iter()
            .map(|q| format!("/search?q={}", urlencode(q)))
            .collect()
    };
    // Our own client, each URL once over `connections`.
    let each_once = |paths: &[String], connections: usize| {
        Figures::of(&runtime.block_on(generator::run(
            &server.base,
            paths,
            &header_refs,
            connections,
            Until::EachOnce,
        )))
    };
    let mut errors = 0;
    for route in &o.routes {
        let report = |label: &str, r: &Figures| {
            println!(
                "{route:<16} {label:<7} {:>8.0} req/s  p50 {:>6.2}ms  p90 {:>6.2}ms  p99 {:>6.2}ms  max {:>7.2}ms  {} requests, {} errors",
                r.rate, r.p50, r.p90, r.p99, r.max, r.requests, r.errors
            );
        };
        match route.as_str() {
            "entry" | "entry-en" | "home" | "search-popular" | "search-popular-en" | "mixed" => {
                let paths = match route.as_str() {
                    "entry" => entry_paths.clone(),
                    "entry-en" => english_paths.clone(),
                    "home" => vec!["/".to_string()],
                    "search-popular" => POPULAR_QUERIES
                        .iter()
                        .map(|q| format!("/search?q={}", urlencode(q)))
                        .collect(),
                    "search-popular-en" => POPULAR_ENGLISH_QUERIES
                        .iter()
                        .map(|q| format!("/en/search?q={}", urlencode(q)))
                        .collect(),
                    _ => generator::mixed_paths(),
                };
                // Warm: each page is built once, as it would be after the first reader.
                runtime.block_on(generator::run(
                    &server.base,
                    &paths,
                    &header_refs,
                    1,
                    Until::EachOnce,
                ));
                let ours = wrk(
                    &server.base,
                    &paths,
                    &header_refs,
                    &o,
                    work.path(),
                    false,
                    0,
                );
                report("wendao", &ours);
                errors += ours.errors;
                if let Some(nginx) = &nginx {
                    let reference = match route.as_str() {
                        // The target compares searches with nginx serving entry pages.
                        "search-popular" => "entry",
                        "search-popular-en" => "entry-en",
                        route => route,
                    };
                    if matches!(reference, "entry" | "entry-en" | "home") {
                        let nginx_paths = match reference {
                            "entry" => entry_paths.clone(),
                            "entry-en" => english_paths.clone(),
                            _ => vec!["/".to_string()],
                        };
                        let theirs = wrk(
                            &nginx.base,
                            &nginx_paths,
                            &header_refs,
                            &o,
                            work.path(),
                            false,
                            0,
                        );
                        report("nginx", &theirs);
                        println!(
                            "{route:<16} ratio   {:.2} of nginx gzip_static, access log off, serving {reference} pages",
                            ours.rate / theirs.rate
                        );
                    }
                }
            }
            "search-distinct" => {
                let r = each_once(&search_paths(&queries[..2_000]), o.connections);
                report("wendao", &r);
                errors += r.errors;
            }
            "search-fresh" => {
                // wrk as for the other routes, over queries none of which is asked twice
                // while the list lasts: nothing is answered from the cache.
                let paths = search_paths(&queries[2_500..]);
                let r = wrk(&server.base, &paths, &header_refs, &o, work.path(), true, 0);
                report("wendao", &r);
                if r.requests as usize > paths.len() {
                    println!(
                        "{route:<16} note    {} requests over {} queries: some were answered from the cache",
                        r.requests,
                        paths.len()
                    );
                }
                errors += r.errors;
            }
            "crawl" => {
                // Entry pages nobody asked for yet, each once: what a first reader (or a
                // crawler) costs, and the memory the page cache then holds at its bound.
                let paths: Vec<String> = (0..o.entries.min(10_000))
                    .rev()
                    .map(|i| format!("/kb/gen-{i}"))
                    .collect();
                let r = each_once(&paths, o.connections);
                report("wendao", &r);
                println!(
                    "{route:<16} RSS     {} MB after {} distinct pages",
                    rss_kib(server.child.id()) / 1024,
                    paths.len()
                );
                errors += r.errors;
            }
            "idle" => watching::idle(&server, o.idle_seconds),
            "edit" => {
                // A generated entry, or a bundled one when there are none.
                let id = if o.entries > 0 { "gen-0" } else { "timeout" };
                watching::edit(&server, &content, id, &log);
            }
            "search-seq" => {
                let r = each_once(&search_paths(&queries[2_000..2_500]), 1);
                report("wendao", &r);
                errors += r.errors;
            }
            "search-seq-en" => {
                // The same queries on the English site, which searches two indexes and fuses
                // their lists.
                let paths: Vec<String> = search_paths(&queries[2_000..2_500])
                    .into_iter()
                    .map(|p| format!("/en{p}"))
                    .collect();
                let r = each_once(&paths, 1);
                report("wendao", &r);
                errors += r.errors;
            }
            "match" | "match-thread" => {
                // Each ticket once: nothing is cached for a POST.
                let (n, chars) = match route.as_str() {
                    "match" => (500, matching::MESSAGE_CHARS),
                    _ => (100, matching::THREAD_CHARS),
                };
                let r = Figures::of(&runtime.block_on(matching::run(
                    &server.base,
                    &header_refs,
                    n,
                    chars,
                )));
                report("wendao", &r);
                println!(
                    "{route:<16} note    POST /api/match, {chars} characters a message, one connection"
                );
                errors += r.errors;
            }
            "replicas" => {
                let mut run = replicas::Run {
                    options: &o,
                    work: work.path(),
                    content: &content,
                    headers: &header_refs,
                    runtime: &runtime,
                    entry_paths: &entry_paths,
                };
                errors += run.compare(&server.base);
            }
            other => panic!(
                "unknown route {other}; known: {},crawl,mixed,replicas",
                ALL_ROUTES.join(",")
            ),
        }
    }
    println!(
        "wendao RSS at the end: {} MB",
        rss_kib(server.child.id()) / 1024
    );
    drop(nginx);
    // exit() below skips destructors: the server and files must not outlive the benchmark.
    drop(server);
    drop(work);
    if errors > 0 {
        eprintln!("{errors} error answers");
        std::process::exit(1);
    }
}

/// 2,000 for `search-distinct`, 500 for `search-seq`, the rest for `search-fresh`.
const FRESH_QUERIES: usize = 40_000;

const POPULAR_QUERIES: &[&str] = &["白名单不生效", "error 19", "接口超时", "参数乱码", "N22106"];
const POPULAR_ENGLISH_QUERIES: &[&str] = &[
    "whitelist not working",
    "error 19",
    "request timeout",
    "garbled parameters",
    "cookie",
];

/// The English pages of the bundled entries (every one is translated).
fn english_paths() -> Vec<String> {
    let real = wendao::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .expect("bundled content");
    real.translations
        .iter()
        .map(|t| format!("/en/kb/{}", t.id))
        .collect()
}

/// The bundled entries and the first generated ones.
fn entry_paths(generated: usize) -> Vec<String> {
    let real = wendao::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .expect("bundled content");
    let mut paths: Vec<String> = real.entries.iter().map(|e| e.url()).collect();
    paths.extend((0..generated.min(176)).map(|i| format!("/kb/gen-{i}")));
    paths
}

/// Distinct queries made of the real content's words and codes, as people type them.
fn distinct_queries(n: usize) -> Vec<String> {
    let real = wendao::content::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("content"))
        .expect("bundled content");
    let mut words: Vec<String> = Vec::new();
    for e in &real.entries {
        words.extend(e.tags.iter().cloned());
        for piece in e.title.split(|c: char| !c.is_alphanumeric() && c != '.') {
            let chars: Vec<char> = piece.chars().collect();
            for w in chars.chunks(4) {
                if w.len() >= 2 {
                    words.push(w.iter().collect());
                }
            }
        }
    }
    words.sort();
    words.dedup();
    let mut rng = corpus::Rng(0x2545_F491_4F6C_DD1D);
    let mut seen = HashSet::new();
    let mut queries = Vec::with_capacity(n);
    while queries.len() < n {
        let q = match rng.next() % 3 {
            0 => format!("{} {}", rng.pick(&words), rng.pick(&words)),
            1 => format!("{} error {}", rng.pick(&words), rng.next() % 60),
            _ => format!("N{:05} {}", rng.next() % 100_000, rng.pick(&words)),
        };
        if seen.insert(q.clone()) {
            queries.push(q);
        }
    }
    queries
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create dir");
    for item in std::fs::read_dir(from).expect("read dir") {
        let item = item.expect("dir entry");
        let target = to.join(item.file_name());
        if item.file_type().expect("file type").is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            std::fs::copy(item.path(), target).expect("copy");
        }
    }
}

fn urlencode(text: &str) -> String {
    let mut out = String::new();
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => {
                let _ = write!(out, "%{b:02X}");
            }
        }
    }
    out
}

fn rss_kib(pid: u32) -> u64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}
