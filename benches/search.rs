//! Search benchmark on synthetic corpora made from the seed's vocabulary.
//!
//! `cargo bench --bench search` runs 10,000 and 100,000 entries, each in a fresh process so
//! memory figures are not mixed, and prints: build rate (content load + index), index size,
//! resident memory, and query latency p50/p99 for a mixed query set (search + snippets, as the
//! results page does). `cargo bench --bench search -- 20000` runs one size.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use wendao::content::Library;
use wendao::search::{Request, SearchIndex, Settings};

#[path = "common/corpus.rs"]
mod corpus;
#[path = "common/server.rs"]
mod server;
use server::Server;

const QUERIES: &[&str] = &[
    "域名配置了还是报错",
    "error 19",
    "error 2",
    "status 13",
    "my.getAppIdSync",
    "白名单不生效",
    "白名單不生效",
    "ｅｒｒｏｒ １９",
    "N22106",
    "22106",
    "手机上请求没反应",
    "接口超时",
    "参数乱码",
    "JSON parse data error",
    "my.reqeust 同步",
    "httprequst 区别",
    "跨域报错",
    "请配置安全域名",
    "本地网络权限",
    "cookie",
    "https 证书",
    "IPv6",
    "后台获取不到参数",
    "请求失败排查",
    "钉钉 my.httpRequest",
    "timeout android",
    "上传文件 域名",
];

fn main() {
    let sizes: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    if let [size] = sizes.as_slice() {
        run_one(*size);
        return;
    }
    // One child process per size: memory is measured alone.
    println!(
        "size     build/s  load   index  index size  RSS      peak RSS  p50      p99      queries  startup (to /healthz), `wendao serve` memory"
    );
    let mut p50s = Vec::new();
    for size in [10_000, 100_000] {
        let out = Command::new(std::env::current_exe().expect("own path"))
            .arg(size.to_string())
            .output()
            .expect("run one size");
        let text = String::from_utf8_lossy(&out.stdout);
        print!("{text}");
        if !out.status.success() {
            eprintln!("{}", String::from_utf8_lossy(&out.stderr));
            std::process::exit(1);
        }
        let p50: f64 = text
            .split_whitespace()
            .find_map(|w| w.strip_prefix("p50="))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0.0);
        p50s.push(p50);
    }
    if let [small, large] = p50s.as_slice() {
        println!("p50 ratio 100k/10k: {:.2}", large / small);
    }
}

fn run_one(size: usize) {
    let dir = tempfile::tempdir().expect("tempdir");
    corpus::generate(dir.path(), size);
    // Written back now, so the kernel's flushing of the corpus does not run during the build.
    let _ = Command::new("sync").status();

    let start = Instant::now();
    // As `wendao serve` loads it.
    let library = wendao::load_content(dir.path()).unwrap_or_else(|e| panic!("{e}"));
    let loaded = start.elapsed();
    let index = SearchIndex::build(&library, Settings::FULL).expect("index");
    let built = start.elapsed();
    // As the server does after building a site.
    wendao::memory::release_free_memory();
    assert_eq!(library.entries.len(), size);

    let index_bytes = index.space_usage();
    // Cold: the index is built under a fresh --data. Warm: a restart opens it.
    let data = tempfile::tempdir().expect("data dir");
    let (cold, cold_rss) = startup_time(dir.path(), data.path());
    let (warm, warm_rss) = startup_time(dir.path(), data.path());
    let latencies = measure_queries(&library, &index);
    let (p50, p99) = (percentile(&latencies, 0.50), percentile(&latencies, 0.99));
    let (rss, peak) = memory();
    let mut line = String::new();
    let _ = write!(
        line,
        "{size:<8} {:<8.0} {:<6} {:<6} {:<11} {:<8} {:<9} {:<8} {:<8} {}",
        size as f64 / built.as_secs_f64(),
        format!("{:.2}s", loaded.as_secs_f64()),
        format!("{:.2}s", (built - loaded).as_secs_f64()),
        format!("{:.1} MB", index_bytes as f64 / 1e6),
        format!("{} MB", rss / 1024),
        format!("{} MB", peak / 1024),
        format!("{:.2}ms", ms(p50)),
        format!("{:.2}ms", ms(p99)),
        latencies.len(),
    );
    println!(
        "{line}  startup cold {:.2}s warm {:.2}s  server RSS cold {} MB warm {} MB  p50={:.4}",
        cold.as_secs_f64(),
        warm.as_secs_f64(),
        cold_rss / 1024,
        warm_rss / 1024,
        ms(p50)
    );
}

/// How long `wendao serve` takes, from its start, to answer `/healthz` on this content, and
/// its resident memory (KiB) once it answers.
fn startup_time(content: &Path, data: &Path) -> (Duration, u64) {
    let started = Instant::now();
    let server = Server::start(content, data);
    server.wait_ready(Duration::from_secs(120));
    let took = started.elapsed();
    let rss = memory_of(&format!("/proc/{}/status", server.child.id())).0;
    (took, rss)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn measure_queries(library: &Library, index: &SearchIndex) -> Vec<Duration> {
    let search = |q: &str| {
        index.search(
            library,
            &Request {
                query: q.to_string(),
                limit: 10,
                ..Request::default()
            },
        )
    };
    for q in QUERIES {
        search(q);
    }
    let mut latencies = Vec::new();
    for _ in 0..20 {
        for q in QUERIES {
            let start = Instant::now();
            let results = search(q);
            latencies.push(start.elapsed());
            std::hint::black_box(results);
        }
    }
    latencies.sort();
    latencies
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i]
}

/// (current, peak) resident memory of this process in KiB.
fn memory() -> (u64, u64) {
    memory_of("/proc/self/status")
}

fn memory_of(status: &str) -> (u64, u64) {
    let status = std::fs::read_to_string(status).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
