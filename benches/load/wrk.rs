//! Running wrk against a server and reading its figures (rate, latency percentiles, errors).

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use super::Options;
use super::generator::Report;

/// What one run measured; latencies in milliseconds.
pub struct Figures {
    pub rate: f64,
    pub p50: f64,
    pub p90: f64,
    pub p99: f64,
    pub max: f64,
    pub requests: u64,
    pub errors: u64,
}

impl Figures {
    /// Loads run at once: rates and counts added, latencies the worst of them.
    pub fn sum(all: &[Figures]) -> Figures {
        let worst = |f: fn(&Figures) -> f64| all.iter().map(f).fold(0.0, f64::max);
        Figures {
            rate: all.iter().map(|f| f.rate).sum(),
            p50: worst(|f| f.p50),
            p90: worst(|f| f.p90),
            p99: worst(|f| f.p99),
            max: worst(|f| f.max),
            requests: all.iter().map(|f| f.requests).sum(),
            errors: all.iter().map(|f| f.errors).sum(),
        }
    }

    pub fn of(r: &Report) -> Figures {
        Figures {
            rate: r.throughput(),
            p50: ms(r.percentile(0.5)),
            p90: ms(r.percentile(0.9)),
            p99: ms(r.percentile(0.99)),
            max: ms(r.percentile(1.0)),
            requests: r.requests,
            errors: r.errors,
        }
    }
}

/// wrk over `paths`, cycled, with `headers`; with `vote_every` > 0, every so many requests is
/// a vote (`POST /kb/timeout/feedback`, a new visitor each time).
pub fn wrk(
    base: &str,
    paths: &[String],
    headers: &[(&str, &str)],
    o: &Options,
    work: &Path,
    split: bool,
    vote_every: u32,
) -> Figures {
    assert!(base.starts_with("http://127."), "loopback only, not {base}");
    let mut script = String::from("local paths = {\n");
    for p in paths {
        let _ = writeln!(script, "  {:?},", p);
    }
    script.push_str("}\nlocal i = 0\nlocal threads = 0\nfirst = 0\n");
    for (k, v) in headers {
        let _ = writeln!(script, "wrk.headers[{k:?}] = {v:?}");
    }
    // Cycling: every thread walks the whole list. Split: the two threads take alternate
    // URLs, so none is asked twice until the list runs out.
    let stride = if split { 2 } else { 1 };
    let _ = write!(
        script,
        "function setup(thread)\n  thread:set(\"first\", {first})\n  threads = threads + 1\nend\n\
         local form = {{[\"Content-Type\"] = \"application/x-www-form-urlencoded\"}}\n\
         request = function()\n  local n = first + i * {stride}\n  i = i + 1\n  \
         if {vote_every} > 0 and i % {vote_every} == 0 then\n    \
         return wrk.format(\"POST\", \"/kb/timeout/feedback\", form, \"helpful=yes\")\n  end\n  \
         return wrk.format(\"GET\", paths[(n % #paths) + 1])\nend\n",
        first = if split { "threads" } else { "0" },
    );
    // One script per target: two wrk may run at once.
    let script_path = work.join(format!("wrk-{}.lua", base.rsplit(':').next().unwrap_or("")));
    std::fs::write(&script_path, script).expect("wrk script");
    let out = Command::new("wrk")
        .args(["-t2", "--latency"])
        .arg(format!("-c{}", o.connections))
        .arg(format!("-d{}s", o.seconds))
        .arg("-s")
        .arg(&script_path)
        .arg(base)
        .output()
        .expect("wrk: apt-get install wrk");
    let text = String::from_utf8_lossy(&out.stdout);
    let number_after = |label: &str| -> Option<f64> {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .and_then(|l| l.trim_start()[label.len()..].split_whitespace().next())
            .and_then(parse_wrk_number)
    };
    for line in text.lines() {
        if line.contains("Socket errors") || line.contains("Non-2xx") {
            println!("  wrk: {}", line.trim());
        }
    }
    let requests_per_s = number_after("Requests/sec:").unwrap_or(0.0);
    let non_2xx = number_after("Non-2xx or 3xx responses:").unwrap_or(0.0) as u64;
    let socket_errors: u64 = text
        .lines()
        .find(|l| l.trim_start().starts_with("Socket errors:"))
        .map(|l| {
            l.split(',')
                .filter_map(|part| part.split_whitespace().last()?.parse::<u64>().ok())
                .sum()
        })
        .unwrap_or(0);
    Figures {
        rate: requests_per_s,
        p50: number_after("50%").unwrap_or(0.0),
        p90: number_after("90%").unwrap_or(0.0),
        p99: number_after("99%").unwrap_or(0.0),
        max: number_after("Latency").map_or(0.0, |_| {
            // "Latency   1.23ms  0.50ms  12.00ms  90%": the third figure is the maximum.
            text.lines()
                .find(|l| l.trim_start().starts_with("Latency"))
                .and_then(|l| l.split_whitespace().nth(3))
                .and_then(parse_wrk_number)
                .unwrap_or(0.0)
        }),
        requests: (requests_per_s * o.seconds as f64) as u64,
        errors: non_2xx + socket_errors,
    }
}

/// wrk's numbers carry units: `1.23ms`, `850.00us`, `2.1s`, `12.3k`.
pub fn parse_wrk_number(v: &str) -> Option<f64> {
    let (number, scale) = if let Some(n) = v.strip_suffix("us") {
        (n, 0.001)
    } else if let Some(n) = v.strip_suffix("ms") {
        (n, 1.0)
    } else if let Some(n) = v.strip_suffix('s') {
        (n, 1000.0)
    } else if let Some(n) = v.strip_suffix('k') {
        (n, 1000.0)
    } else {
        (v, 1.0)
    };
    number.parse::<f64>().ok().map(|n| n * scale)
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
