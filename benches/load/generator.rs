#![allow(dead_code)] // shared by benches/load and tests/it/load.rs, which use different parts
//! A load generator: many keep-alive connections for a fixed time over a mixed set of URLs,
//! on loopback only. Shared by `benches/load` and `tests/it/load.rs`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Empty};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

pub struct Report {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    /// Sorted.
    pub latencies: Vec<Duration>,
}

impl Report {
    pub fn percentile(&self, p: f64) -> Duration {
        if self.latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies.len() - 1) as f64 * p).round() as usize;
        self.latencies[i]
    }

    pub fn throughput(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    pub fn line(&self, label: &str) -> String {
        format!(
            "{label:<10} {:>8} requests in {:.1}s  {:>8.0} req/s  p50 {:.2}ms  p99 {:.2}ms  max {:.2}ms  errors {}",
            self.requests,
            self.elapsed.as_secs_f64(),
            self.throughput(),
            ms(self.percentile(0.50)),
            ms(self.percentile(0.99)),
            ms(self.latencies.last().copied().unwrap_or_default()),
            self.errors
        )
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// A mix like real traffic: entry pages most, then searches, suggestions, wizard steps.
pub fn mixed_paths() -> Vec<String> {
    let mut paths: Vec<String> = [
        "error-19",
        "error-2",
        "error-14",
        "n22106",
        "domain-whitelist",
        "request-troubleshooting",
        "cookie",
        "timeout",
        "garbled-params",
        "request-vs-httprequest",
    ]
    .iter()
    .map(|id| format!("/kb/{id}"))
    .collect();
    paths.extend(
        [
            "/",
            "/c/request-errors",
            "/search?q=%E7%99%BD%E5%90%8D%E5%8D%95%E4%B8%8D%E7%94%9F%E6%95%88",
            "/search?q=error+19",
            "/search?q=my.request&page=2",
            "/api/search?q=N22106",
            "/api/search?q=%E8%B6%85%E6%97%B6",
            "/api/suggest?q=%E7%99%BD%E5%90%8D",
            "/api/suggest?q=my.req",
            "/wizard/request-errors",
            "/wizard/request-errors?a=&a=wrong-data&at=data",
            "/wizard/request-errors?a=error+14",
            "/api/entries/error-19",
            "/healthz",
        ]
        .iter()
        .map(|p| p.to_string()),
    );
    paths
}

/// What Chromium sends with a page request.
pub const BROWSER_HEADERS: &[(&str, &str)] = &[
    (
        "accept",
        "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8",
    ),
    ("accept-encoding", "gzip, deflate, br"),
    ("accept-language", "zh-CN,zh;q=0.9,en;q=0.8"),
    (
        "user-agent",
        "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
    ),
];

/// How long the clients keep sending.
#[derive(Clone, Copy)]
pub enum Until {
    /// Cycling over the URLs until the time is up.
    Elapsed(Duration),
    /// Each URL once, shared out among the connections.
    EachOnce,
}

/// `connections` clients, each sending one request after another, with `headers`.
/// Anything but a 200 with a full body is an error.
pub async fn run(
    base: &str,
    paths: &[String],
    headers: &[(&str, &str)],
    connections: usize,
    until: Until,
) -> Report {
    assert!(
        base.starts_with("http://127.")
            || base.starts_with("http://localhost")
            || base.starts_with("http://[::1]"),
        "load tests only target loopback, not {base}"
    );
    // As a browser does: TCP_NODELAY on, so no request waits for an ACK.
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(connections)
        .build::<_, Empty<Bytes>>(connector);
    let headers: Vec<(String, String)> = headers
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let started = Instant::now();
    let mut tasks = Vec::new();
    for c in 0..connections {
        let client = client.clone();
        let headers = headers.clone();
        let urls: Vec<String> = match until {
            Until::Elapsed(_) => paths.iter().map(|p| format!("{base}{p}")).collect(),
            Until::EachOnce => paths
                .iter()
                .skip(c)
                .step_by(connections)
                .map(|p| format!("{base}{p}"))
                .collect(),
        };
        tasks.push(tokio::spawn(async move {
            let (mut requests, mut errors, mut latencies) = (0u64, 0u64, Vec::new());
            let mut i = c;
            loop {
                let url = match until {
                    Until::Elapsed(duration) if started.elapsed() < duration => {
                        &urls[i % urls.len()]
                    }
                    Until::EachOnce if i - c < urls.len() => &urls[i - c],
                    _ => break,
                };
                i += 1;
                let mut request = hyper::Request::get(url.as_str());
                for (k, v) in &headers {
                    request = request.header(k, v);
                }
                let request = request.body(Empty::new()).expect("a valid request");
                let sent = Instant::now();
                let ok = match client.request(request).await {
                    Ok(res) => {
                        let status = res.status().as_u16();
                        let body = res.into_body().collect().await;
                        status == 200 && body.is_ok()
                    }
                    Err(_) => false,
                };
                latencies.push(sent.elapsed());
                requests += 1;
                if !ok {
                    errors += 1;
                }
            }
            (requests, errors, latencies)
        }));
    }
    let mut report = Report {
        requests: 0,
        errors: 0,
        elapsed: Duration::ZERO,
        latencies: Vec::new(),
    };
    for task in tasks {
        let (requests, errors, latencies) = task.await.expect("a client task");
        report.requests += requests;
        report.errors += errors;
        report.latencies.extend(latencies);
    }
    report.elapsed = started.elapsed();
    report.latencies.sort();
    report
}
