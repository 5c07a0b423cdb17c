//! Load test: `cargo bench --bench load` starts the release server on the bundled content and
//! runs 32 keep-alive connections for 10 s over mixed routes, printing throughput, latency
//! percentiles and errors (it exits 1 on any error).
//!
//! Options: `-- --seconds 20 --connections 64`, `-- --base http://127.0.0.1:8088` to load a
//! server already running (e.g. nginx serving a mirror), `-- --mirror DIR` to save each page of
//! the mix as DIR/p<N>.html for such a mirror, and `--static` to request /p<N>.html instead.

mod generator;
#[path = "../common/server.rs"]
mod server;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use server::Server;

struct Options {
    seconds: u64,
    connections: usize,
    base: Option<String>,
    mirror: Option<String>,
    static_paths: bool,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 10,
        connections: 32,
        base: None,
        mirror: None,
        static_paths: false,
    };
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--seconds" => {
                o.seconds = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--seconds N")
            }
            "--connections" => {
                o.connections = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--connections N")
            }
            "--base" => o.base = args.next(),
            "--mirror" => o.mirror = args.next(),
            "--static" => o.static_paths = true,
            _ => {} // cargo bench passes --bench
        }
    }
    o
}

fn start_server() -> Server {
    let data = std::env::temp_dir().join("wendao-load-data");
    Server::start(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &data,
    )
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let o = options();
    let (_server, base) = match &o.base {
        Some(base) => (None, base.clone()),
        None => {
            let server = start_server();
            let base = server.base.clone();
            (Some(server), base)
        }
    };
    let paths = generator::mixed_paths();
    if let Some(dir) = &o.mirror {
        std::fs::create_dir_all(dir).expect("mirror dir");
        for (i, path) in paths.iter().enumerate() {
            let out = Command::new("curl")
                .args(["-s", &format!("{base}{path}")])
                .output()
                .expect("curl");
            std::fs::write(Path::new(dir).join(format!("p{i}.html")), out.stdout)
                .expect("write page");
        }
        println!("saved {} pages to {dir}", paths.len());
        return;
    }
    let paths: Vec<String> = if o.static_paths {
        (0..paths.len()).map(|i| format!("/p{i}.html")).collect()
    } else {
        paths
    };
    let report = generator::run(&base, &paths, o.connections, Duration::from_secs(o.seconds)).await;
    println!(
        "{} connections, {} URLs, target {base}",
        o.connections,
        paths.len()
    );
    println!(
        "{}",
        report.line(if o.static_paths { "static" } else { "wendao" })
    );
    if report.errors > 0 {
        std::process::exit(1);
    }
}
