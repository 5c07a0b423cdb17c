//! What the help widget costs the site that embeds it, measured in Debian's Chromium.
//!
//! `cargo bench --bench widget` starts the release server on the bundled content as the README
//! does (watching, logs at `info`), serves the demo ticket form (`docs/widget-demo/`) from a
//! second origin twice over, with the widget's script tag and without, and in a fresh browser per
//! round (`--rounds N`, default 5):
//! - loads the form without the widget, then with it (`widget.js` not cached yet), then with it
//!   again (cached): the page's load event, bytes of `widget.js` over the wire, and the time from
//!   its last byte until the widget's element is in the page (its parse and run);
//! - types a ticket into it as a person would (a few characters per keystroke, as an input
//!   method commits them, 200 ms apart, a longer pause at punctuation): the `/api/match` and
//!   `/api/deflection` calls it made, their bytes and time, how far into the ticket the first
//!   suggestions showed, and the server's CPU for the whole form.
//!
//! Needs `chromium` and `chromium-driver` (`apt-get install chromium chromium-driver`).

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};

#[path = "common/server.rs"]
mod server;
use server::Server;

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const WAIT: Duration = Duration::from_secs(20);
const KEYSTROKE: Duration = Duration::from_millis(200);
const PAUSE: Duration = Duration::from_millis(1200);

const SUBJECT: &str = "真机上网络请求失败";
const TICKET: &str = "您好，我们的小程序在真机上调用 my.request 请求接口时一直失败，\
                      fail 回调里是 {\"error\":19}。在开发者工具里是好的，\
                      服务器域名也已经加到白名单了。请问还要检查哪些地方？";

/// Records, in the host page, when the widget's element appears (`window.probe.widgetAt`).
const PROBE: &str = "window.probe = { widgetAt: null };\n\
    new MutationObserver(function (_, observer) {\n\
      if (document.querySelector('.wendao-widget')) {\n\
        window.probe.widgetAt = performance.now(); observer.disconnect();\n\
      }\n\
    }).observe(document.documentElement, { childList: true, subtree: true });\n";

#[tokio::main]
async fn main() {
    let rounds: usize = std::env::args()
        .skip_while(|a| a != "--rounds")
        .nth(1)
        .map_or(5, |n| n.parse().expect("--rounds N"));
    for path in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(path).exists(),
            "needs {path}: apt-get install chromium chromium-driver"
        );
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let work = tempfile::tempdir().expect("temp dir");
    let content = work.path().join("content");
    copy_dir(&root.join("content"), &content);
    let server = Server::start(&content, &work.path().join("data"));
    server.wait_warm(Duration::from_secs(60));
    let host = serve_host(&root.join("docs/widget-demo"), &server.base);
    println!(
        "wendao {} on the bundled content, watching, logs at info; the demo form served from {host}",
        server.base
    );

    let mut loads: Vec<Load> = Vec::new();
    let mut forms: Vec<Form> = Vec::new();
    for _ in 0..rounds {
        let browser = Browser::start().await;
        // The host's own files cached first, so only the widget differs.
        load(&browser.client, &format!("{host}/plain")).await;
        let plain = load(&browser.client, &format!("{host}/plain")).await;
        let cold = load(&browser.client, &format!("{host}/")).await;
        let warm = load(&browser.client, &format!("{host}/")).await;
        loads.push(Load::of(plain, cold, warm));
        let cpu = cpu_ticks(server.child.id());
        let mut form = type_ticket(&browser.client, &format!("{host}/")).await;
        form.server_cpu_ms = (cpu_ticks(server.child.id()) - cpu) as f64 * 1000.0 / ticks_per_s();
        forms.push(form);
        browser.client.close().await.expect("close");
    }
    report(&loads, &forms);
}

/// One page load's figures, from the Navigation and Resource Timing APIs.
#[derive(Clone, Copy)]
struct PageLoad {
    load_ms: f64,
    widget_bytes: f64,
    widget_ready_ms: f64,
}

struct Load {
    plain: PageLoad,
    cold: PageLoad,
    warm: PageLoad,
}

impl Load {
    fn of(plain: PageLoad, cold: PageLoad, warm: PageLoad) -> Load {
        Load { plain, cold, warm }
    }
}

struct Form {
    matches: usize,
    deflections: usize,
    bytes: f64,
    /// Characters typed when the first suggestions showed, and how long into the typing.
    first_at_chars: usize,
    first_after_s: f64,
    /// The median `/api/match` call, as the page timed it.
    match_ms: f64,
    server_cpu_ms: f64,
}

async fn load(client: &Client, url: &str) -> PageLoad {
    client.goto(url).await.expect("the host page");
    let script = "const nav = performance.getEntriesByType('navigation')[0]; \
        if (!nav || nav.loadEventEnd === 0) return null; \
        const w = performance.getEntriesByType('resource').find(e => e.name.includes('/static/widget.js')); \
        if (w && window.probe.widgetAt === null) return null; \
        return { load: nav.loadEventEnd, bytes: w ? w.transferSize : 0, \
                 ready: w ? window.probe.widgetAt - w.responseEnd : 0 };";
    let value = until(client, script, "the page loaded").await;
    PageLoad {
        load_ms: number(&value["load"]),
        widget_bytes: number(&value["bytes"]),
        widget_ready_ms: number(&value["ready"]),
    }
}

/// Types the subject and the ticket in chunks, then waits for the suggestions.
async fn type_ticket(client: &Client, url: &str) -> Form {
    client.goto(url).await.expect("a new form");
    until(
        client,
        "return window.probe.widgetAt !== null;",
        "the widget",
    )
    .await;
    let started = Instant::now();
    let mut typed = 0;
    let mut first_shown = None;
    for (field, text) in [("#ticket-subject", SUBJECT), ("#ticket-body", TICKET)] {
        let element = client.find(Locator::Css(field)).await.expect(field);
        let chars: Vec<char> = text.chars().collect();
        for chunk in chars.chunks(3) {
            let chunk: String = chunk.iter().collect();
            element.send_keys(&chunk).await.expect("type");
            typed += chunk.chars().count();
            if first_shown.is_none() && shown(client).await {
                first_shown = Some((typed, started.elapsed()));
            }
            let pause = if chunk.contains(['，', '。', '？', ' ']) {
                PAUSE
            } else {
                KEYSTROKE
            };
            tokio::time::sleep(pause).await;
        }
    }
    let (first_at_chars, first_after) =
        first_shown.expect("suggestions shown while the ticket was typed");
    // The last suggestions' `suggested` event, sent after they show.
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let calls = client
        .execute(
            "return performance.getEntriesByType('resource') \
               .filter(e => e.name.includes('/api/')) \
               .map(e => ({ name: e.name, bytes: e.transferSize, ms: e.responseEnd - e.startTime }));",
            vec![],
        )
        .await
        .expect("resources");
    let calls = calls.as_array().expect("calls");
    let named = |path: &str| {
        calls
            .iter()
            .filter(|c| c["name"].as_str().is_some_and(|n| n.contains(path)))
            .count()
    };
    Form {
        matches: named("/api/match"),
        deflections: named("/api/deflection"),
        bytes: calls.iter().map(|c| number(&c["bytes"])).sum(),
        first_at_chars,
        first_after_s: first_after.as_secs_f64(),
        match_ms: summary(
            calls
                .iter()
                .filter(|c| c["name"].as_str().is_some_and(|n| n.contains("/api/match")))
                .map(|c| number(&c["ms"]))
                .collect(),
        )
        .median,
        server_cpu_ms: 0.0,
    }
}

fn report(loads: &[Load], forms: &[Form]) {
    let column = |f: &dyn Fn(&Load) -> f64| summary(loads.iter().map(f).collect());
    println!(
        "{} rounds, each in a fresh browser; min / median / max",
        loads.len()
    );
    println!(
        "page load event, no widget       {}",
        column(&|l| l.plain.load_ms)
    );
    println!(
        "page load event, widget not cached {}",
        column(&|l| l.cold.load_ms)
    );
    println!(
        "page load event, widget cached   {}",
        column(&|l| l.warm.load_ms)
    );
    println!(
        "widget.js over the wire, first   {} bytes",
        summary(loads.iter().map(|l| l.cold.widget_bytes).collect())
    );
    println!(
        "widget.js over the wire, cached  {} bytes",
        summary(loads.iter().map(|l| l.warm.widget_bytes).collect())
    );
    println!(
        "widget.js last byte → in the page {}",
        column(&|l| l.cold.widget_ready_ms)
    );
    let chars = SUBJECT.chars().count() + TICKET.chars().count();
    println!(
        "a ticket of {chars} characters typed ({} ms per keystroke of 3, {} ms at punctuation):",
        KEYSTROKE.as_millis(),
        PAUSE.as_millis()
    );
    let of = |f: &dyn Fn(&Form) -> f64| summary(forms.iter().map(f).collect());
    println!(
        "  /api/match calls               {}",
        of(&|f| f.matches as f64)
    );
    println!(
        "  /api/deflection calls          {}",
        of(&|f| f.deflections as f64)
    );
    println!("  bytes of those calls           {}", of(&|f| f.bytes));
    println!(
        "  first suggestions, characters  {}",
        of(&|f| f.first_at_chars as f64)
    );
    println!(
        "  first suggestions, s of typing {}",
        of(&|f| f.first_after_s)
    );
    println!("  one /api/match call, ms        {}", of(&|f| f.match_ms));
    println!(
        "  server CPU for the form        {}",
        of(&|f| f.server_cpu_ms)
    );
}

/// Min, median and max.
struct Summary {
    min: f64,
    median: f64,
    max: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        write!(
            f,
            "{:>8.1} / {:>8.1} / {:>8.1}",
            self.min, self.median, self.max
        )
    }
}

fn summary(mut values: Vec<f64>) -> Summary {
    values.sort_by(f64::total_cmp);
    Summary {
        min: values[0],
        median: values[values.len() / 2],
        max: values[values.len() - 1],
    }
}

/// Whether the widget shows suggestions.
async fn shown(client: &Client) -> bool {
    let script = "const host = document.querySelector('.wendao-widget'); \
        return !!(host && host.shadowRoot.querySelector('li'));";
    client.execute(script, vec![]).await.expect("script") == json!(true)
}

fn number(value: &Value) -> f64 {
    value
        .as_f64()
        .unwrap_or_else(|| panic!("not a number: {value}"))
}

/// Runs `script` until it returns something other than null, and gives that.
async fn until(client: &Client, script: &str, what: &str) -> Value {
    let started = Instant::now();
    loop {
        let value = client.execute(script, vec![]).await.expect("script");
        if !value.is_null() && value != json!(false) {
            return value;
        }
        assert!(started.elapsed() < WAIT, "waited too long for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// utime + stime of a process, in clock ticks.
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).expect("/proc stat");
    let after = &stat[stat.rfind(')').expect("comm") + 2..];
    let fields: Vec<&str> = after.split(' ').collect();
    fields[11].parse::<u64>().expect("utime") + fields[12].parse::<u64>().expect("stime")
}

fn ticks_per_s() -> f64 {
    let out = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .expect("getconf");
    String::from_utf8_lossy(&out.stdout)
        .trim()
        .parse()
        .unwrap_or(100.0)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// The demo form on 127.0.0.2 (wendao is on 127.0.0.1): `/` with the widget, `/plain`
/// without its script tag, both with the probe script first.
fn serve_host(dir: &Path, wendao: &str) -> String {
    use actix_web::{App, HttpResponse, HttpServer, web};
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).expect("demo file");
    let page = read("index.html")
        .replace("http://127.0.0.1:8080", wendao)
        .replace(
            "<link rel=\"stylesheet\"",
            "<script src=\"probe.js\"></script>\n<link rel=\"stylesheet\"",
        );
    let tag_start = page.find("<script src=\"http").expect("the widget's tag");
    let tag_end = tag_start + page[tag_start..].find("</script>").expect("its end") + 9;
    let plain = format!("{}{}", &page[..tag_start], &page[tag_end..]);
    let files = [
        ("/", "text/html; charset=utf-8", page),
        ("/plain", "text/html; charset=utf-8", plain),
        ("/probe.js", "text/javascript", PROBE.to_string()),
        ("/host.css", "text/css", read("host.css")),
        ("/host.js", "text/javascript", read("host.js")),
    ];
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let server = HttpServer::new(move || {
                let mut app = App::new();
                for (path, content_type, body) in files.clone() {
                    app = app.route(
                        path,
                        web::get().to(move || {
                            let body = body.clone();
                            async move { HttpResponse::Ok().content_type(content_type).body(body) }
                        }),
                    );
                }
                app
            })
            .workers(1)
            .bind(("127.0.0.2", 0))
            .expect("bind 127.0.0.2");
            let addr = server.addrs()[0];
            tx.send(format!("http://{addr}")).expect("send");
            server.run().await.expect("host");
        });
    });
    rx.recv_timeout(Duration::from_secs(30))
        .expect("host started")
}

struct Browser {
    _driver: Driver,
    client: Client,
    _profile: tempfile::TempDir,
}

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Browser {
    /// A fresh headless Chromium with an empty profile: nothing cached.
    async fn start() -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("free port")
            .port();
        let driver = Driver(
            Command::new(CHROMEDRIVER)
                .arg(format!("--port={port}"))
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .expect("start chromedriver"),
        );
        let profile = tempfile::tempdir().expect("profile");
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": CHROMIUM,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--disable-dev-shm-usage", "--window-size=1200,900",
                    format!("--user-data-dir={}", profile.path().display()),
                ]
            }),
        );
        let started = Instant::now();
        let client = loop {
            match ClientBuilder::new(HttpConnector::new())
                .capabilities(caps.clone())
                .connect(&format!("http://127.0.0.1:{port}"))
                .await
            {
                Ok(client) => break client,
                Err(e) => {
                    assert!(started.elapsed() < WAIT, "chromedriver: {e}");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        };
        Browser {
            _driver: driver,
            client,
            _profile: profile,
        }
    }
}
