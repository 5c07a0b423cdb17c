//! The `replicas` route: what running two servers on one PostgreSQL costs readers and voters,
//! against the single server on its SQLite file. The same load on each: the mixed pages with
//! a vote in every 20 requests (wrk, browser headers), and beside it one reader opening entry
//! pages one after another, whose p99 is the entry-page figure.

use std::io::{Read, Write};
use std::path::Path;
use std::time::Duration;

use super::generator::{self, Until};
use super::server::Server;
use super::{Figures, Nginx, Options, postgres, wrk};

/// Every server's `--base-url`.
pub const BASE_URL: &str = "https://help.example.com";

/// One request in this many is a vote.
const VOTE_EVERY: u32 = 20;

pub struct Run<'a> {
    pub options: &'a Options,
    pub work: &'a Path,
    pub content: &'a Path,
    pub headers: &'a [(&'a str, &'a str)],
    pub runtime: &'a tokio::runtime::Runtime,
    pub entry_paths: &'a [String],
}

/// What one target did under the load.
struct Outcome {
    load: Figures,
    entry: Figures,
    votes_per_s: f64,
}

impl Run<'_> {
    /// Runs the comparison against `single` (the SQLite server); returns the error answers.
    pub fn compare(&mut self, single: &str) -> u64 {
        let Some(cluster) = postgres::cluster() else {
            println!("replicas         SKIPPED: no PostgreSQL (apt-get install postgresql)");
            return 0;
        };
        let url = self.runtime.block_on(cluster.database("bench"));
        let replicas: Vec<Server> = (0..2)
            .map(|i| {
                let log = std::fs::File::create(self.work.join(format!("replica-{i}.log")))
                    .expect("log file");
                let server = Server::start_with(
                    &self.options.bin,
                    self.content,
                    &self.work.join(format!("replica-{i}")),
                    "info",
                    log,
                    &[
                        "--database-url",
                        &url,
                        "--votes-per-minute",
                        "0",
                        "--trusted-proxy",
                        "127.0.0.1",
                        "--base-url",
                        BASE_URL,
                    ],
                );
                server.wait_ready(Duration::from_secs(300));
                server
            })
            .collect();
        let one = Nginx::proxy(self.work, "nginx-one", &[single]);
        let two = Nginx::proxy(
            self.work,
            "nginx-two",
            &[&replicas[0].base, &replicas[1].base],
        );
        println!(
            "replicas: mixed pages, a vote in every {VOTE_EVERY} requests (wrk -c{}), and one reader of entry pages beside it",
            self.options.connections
        );
        let both = [replicas[0].base.as_str(), replicas[1].base.as_str()];
        // (label, where the load goes, the servers that answer it)
        let targets = [
            ("sqlite, 1 server", &[single][..], &[single][..]),
            (
                "sqlite, 1 behind nginx",
                &[one.base.as_str()][..],
                &[single][..],
            ),
            (
                "postgres, 2 behind nginx",
                &[two.base.as_str()][..],
                &both[..],
            ),
            ("postgres, 2 direct", &both[..], &both[..]),
        ];
        let mut errors = 0;
        let mut outcomes = Vec::new();
        for (label, bases, servers) in targets {
            let outcome = self.measure(bases, servers);
            println!(
                "{label:<26} {:>7.0} req/s  p99 {:>6.2}ms  {:>5.0} votes/s  entry page p99 {:>6.2}ms (p50 {:.2}ms)  {} errors",
                outcome.load.rate,
                outcome.load.p99,
                outcome.votes_per_s,
                outcome.entry.p99,
                outcome.entry.p50,
                outcome.load.errors + outcome.entry.errors
            );
            errors += outcome.load.errors + outcome.entry.errors;
            outcomes.push(outcome);
        }
        for name in ["replica-0.log", "replica-1.log", "nginx-two/error.log"] {
            let log = std::fs::read_to_string(self.work.join(name)).unwrap_or_default();
            let trouble: Vec<&str> = log
                .lines()
                .filter(|l| {
                    ["WARN", "ERROR", "status=5", "[error]", "[warn]"]
                        .iter()
                        .any(|t| l.contains(t))
                })
                .take(5)
                .collect();
            if !trouble.is_empty() {
                println!("{name}:\n  {}", trouble.join("\n  "));
            }
        }
        for (replicas, single, how) in [
            (
                &outcomes[2],
                &outcomes[1],
                "2 behind nginx against 1 behind the same nginx",
            ),
            (&outcomes[3], &outcomes[0], "2 direct against 1 direct"),
            (
                &outcomes[2],
                &outcomes[0],
                "2 behind nginx against 1 direct",
            ),
        ] {
            println!(
                "replicas ratio, {how}: entry page p99 {:.2}×, p99 {:.2}×, votes/s {:.2}×, req/s {:.2}×",
                replicas.entry.p99 / single.entry.p99,
                replicas.load.p99 / single.load.p99,
                replicas.votes_per_s / single.votes_per_s,
                replicas.load.rate / single.load.rate,
            );
        }
        errors
    }

    /// The load on `bases` (the connections shared among them, one wrk each), which `servers`
    /// answer (each warmed first; the votes are counted by the first; the entry reader asks
    /// the first base).
    fn measure(&self, bases: &[&str], servers: &[&str]) -> Outcome {
        let mixed = generator::mixed_paths();
        // Warm: every page built once on each server, as after the first readers.
        for server in servers {
            self.runtime.block_on(generator::run(
                server,
                &[mixed.clone(), self.entry_paths.to_vec()].concat(),
                self.headers,
                1,
                Until::EachOnce,
            ));
        }
        let counted_by = servers[0];
        let before = helpful_votes(counted_by);
        let seconds = self.options.seconds;
        let mut options = self.options.clone();
        options.connections /= bases.len();
        let (load, entry) = std::thread::scope(|scope| {
            let loads: Vec<_> = bases
                .iter()
                .map(|base| {
                    let (mixed, options) = (&mixed, &options);
                    scope.spawn(move || {
                        wrk(
                            base,
                            mixed,
                            self.headers,
                            options,
                            self.work,
                            false,
                            VOTE_EVERY,
                        )
                    })
                })
                .collect();
            let entry = self.runtime.block_on(generator::run(
                bases[0],
                self.entry_paths,
                self.headers,
                1,
                Until::Elapsed(Duration::from_secs(seconds)),
            ));
            let loads: Vec<Figures> = loads.into_iter().map(|l| l.join().expect("wrk")).collect();
            (Figures::sum(&loads), Figures::of(&entry))
        });
        let votes = helpful_votes(counted_by) - before;
        Outcome {
            load,
            entry,
            votes_per_s: votes as f64 / seconds as f64,
        }
    }
}

/// The helpful votes on `timeout`, read from `base`'s JSON API.
fn helpful_votes(base: &str) -> u64 {
    let mut stream =
        std::net::TcpStream::connect(base.trim_start_matches("http://")).expect("connect");
    stream
        .write_all(b"GET /api/entries/timeout HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        .expect("send");
    let mut answer = String::new();
    stream.read_to_string(&mut answer).expect("read");
    answer
        .split("\"helpful\":")
        .nth(1)
        .and_then(|rest| rest.split(|c: char| !c.is_ascii_digit()).next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no vote count in {answer:.300}"))
}
