//! `wendao serve` started for a benchmark as the README starts it: watching its content
//! directory and logging at `info`, on a free loopback port, the address read from the line it
//! prints, stopped when dropped. Shared by `benches/search.rs` and `benches/load`.

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
    /// The benchmarked binary with the README's defaults, its logs in `<data>/wendao.log`: a
    /// file never blocks the server, as an unread pipe would. (Not in the content directory:
    /// the server watches that.)
    #[allow(dead_code)]
    pub fn start(content: &Path, data: &Path) -> Server {
        std::fs::create_dir_all(data).expect("data dir");
        let logs = std::fs::File::create(data.join("wendao.log")).expect("log file");
        Server::start_with(
            Path::new(env!("CARGO_BIN_EXE_wendao")),
            content,
            data,
            "info",
            logs,
            &[],
        )
    }

    /// `bin` (another build, to compare) with the log filter `log`, its log lines going to
    /// `logs`, and `extra` flags. The content directory is watched, as by default.
    pub fn start_with(
        bin: &Path,
        content: &Path,
        data: &Path,
        log: &str,
        logs: impl Into<Stdio>,
        extra: &[&str],
    ) -> Server {
        let mut child = Command::new(bin)
            .args(["serve", "--addr", "127.0.0.1:0", "--content"])
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
    #[allow(dead_code)]
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
        let started = Instant::now();
        loop {
            if let Ok(answer) = self.get("/healthz")
                && answer.starts_with("HTTP/1.1 200")
                && (not_yet.is_empty() || !answer.contains(not_yet))
            {
                return started.elapsed();
            }
            assert!(started.elapsed() < limit, "wendao did not answer /healthz");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The whole answer (status line, headers, body) to a plain `GET path` on a connection
    /// of its own.
    pub fn get(&self, path: &str) -> std::io::Result<String> {
        let mut stream = std::net::TcpStream::connect(self.base.trim_start_matches("http://"))?;
        stream.write_all(
            format!("GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").as_bytes(),
        )?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer)?;
        Ok(String::from_utf8_lossy(&answer).into_owned())
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
