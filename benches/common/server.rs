//! `wendao serve` started for a benchmark: on a free loopback port, the address read from the
//! line it prints, stopped when dropped. Shared by `benches/search.rs` and `benches/load`.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Server {
    pub child: Child,
    /// `http://127.0.0.1:<port>`
    pub base: String,
}

impl Server {
    /// The benchmarked binary, logging warnings only.
    #[allow(dead_code)]
    pub fn start(content: &Path, data: &Path) -> Server {
        Server::start_with(
            Path::new(env!("CARGO_BIN_EXE_wendao")),
            content,
            data,
            "warn",
            Stdio::inherit(),
            &[],
        )
    }

    /// `bin` (another build, to compare) with the log filter `log`, its log lines going to
    /// `logs`, and `extra` flags.
    pub fn start_with(
        bin: &Path,
        content: &Path,
        data: &Path,
        log: &str,
        logs: impl Into<Stdio>,
        extra: &[&str],
    ) -> Server {
        let mut child = Command::new(bin)
            .args(["serve", "--addr", "127.0.0.1:0", "--no-watch", "--content"])
            .arg(content)
            .arg("--data")
            .arg(data)
            .args(extra)
            .env("RUST_LOG", log)
            .stdout(Stdio::piped())
            .stderr(logs)
            .spawn()
            .expect("start wendao");
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("stdout"))
            .read_line(&mut line)
            .expect("its URL");
        let base = line
            .trim()
            .trim_start_matches("wendao: serving on ")
            .trim_end_matches('/')
            .to_string();
        Server { child, base }
    }
}

impl Server {
    /// Waits until `/healthz` answers 200 (panics after `limit`); returns how long it took.
    pub fn wait_ready(&self, limit: Duration) -> Duration {
        self.wait_for_health(limit, "")
    }

    /// Waits until `/healthz` also says the index's one-time work is done (`"warmed":true`;
    /// a build from before it said so counts as warm): a load measured while it runs measures
    /// the warm-up too. Returns how long it took.
    #[allow(dead_code)]
    pub fn wait_warm(&self, limit: Duration) -> Duration {
        self.wait_for_health(limit, "\"warmed\":false")
    }

    /// Waits for a 200 from `/healthz` without `not_yet` in it.
    fn wait_for_health(&self, limit: Duration, not_yet: &str) -> Duration {
        let addr = self.base.trim_start_matches("http://");
        let started = Instant::now();
        loop {
            if let Ok(mut stream) = std::net::TcpStream::connect(addr) {
                let _ = stream
                    .write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                let mut answer = String::new();
                let _ = stream.read_to_string(&mut answer);
                if answer.starts_with("HTTP/1.1 200")
                    && (not_yet.is_empty() || !answer.contains(not_yet))
                {
                    return started.elapsed();
                }
            }
            assert!(started.elapsed() < limit, "wendao did not answer /healthz");
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
