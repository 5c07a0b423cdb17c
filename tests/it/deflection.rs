//! The help widget's side of the server: `/static/widget.js`, and `POST /api/deflection`
//! counting what it saw on other sites' ticket forms into `/admin/insights` and
//! `wendao insights`. (The widget itself, in a browser on another origin: browser.rs.)

use std::io::Read;
use std::path::Path;

use crate::common::{get, repo_content, request};
use actix_web::test::TestRequest;
use actix_web::web::Data;
use base64::Engine;
use wendao::store::{Deflections, Store};
use wendao::web::{AppState, Site};

const TOKEN: &str = "t0ken";

async fn state(data: &Path, votes_per_minute: u32) -> Data<AppState> {
    let library = wendao::content::load(&repo_content()).expect("content");
    let store = Store::open(data).await.expect("store");
    Data::new(
        AppState::new(Site::build(library).expect("site"), None)
            .with_store(store)
            .with_admin_token(Some(TOKEN.to_string()))
            .with_vote_limit(votes_per_minute, Vec::new()),
    )
}

/// An event as the widget sends it: `text/plain` from a page of another site.
fn event(body: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/deflection")
        .insert_header(("content-type", "text/plain;charset=UTF-8"))
        .insert_header(("origin", "https://shop.example.com"))
        .insert_header(("sec-fetch-site", "cross-site"))
        .set_payload(body.to_string())
}

async fn admin_page(state: &Data<AppState>) -> String {
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("admin:{TOKEN}"));
    let req = TestRequest::get()
        .uri("/admin/insights")
        .insert_header(("authorization", format!("Basic {basic}")));
    let res = request(state, req).await;
    assert_eq!(res.status, 200);
    res.body
}

#[actix_web::test]
async fn events_from_another_site_are_counted_per_entry_and_per_form() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), 0).await;
    // Two forms: the first shown two entries, then one more, opened one, resolved; the
    // second shown one and sent anyway.
    for body in [
        r#"{"event":"suggested","entries":["error-19","request-troubleshooting"]}"#,
        r#"{"event":"suggested","entries":["timeout"],"more":true}"#,
        r#"{"event":"opened","entries":["error-19"]}"#,
        r#"{"event":"resolved","entries":["error-19"]}"#,
        r#"{"event":"suggested","entries":["timeout"]}"#,
        r#"{"event":"submitted_anyway","entries":["timeout","timeout"]}"#,
    ] {
        let res = request(&state, event(body)).await;
        assert_eq!(res.status, 204, "{body}: {}", res.body);
        assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    }
    let store = state.store().expect("store");
    let insights = store.insights(10).await.expect("insights");
    assert_eq!(
        insights.forms,
        Deflections {
            suggested: 2,
            opened: 1,
            resolved: 1,
            submitted_anyway: 1
        }
    );
    let timeout = insights
        .deflections
        .iter()
        .find(|d| d.entry == "timeout")
        .expect("timeout counted");
    assert_eq!(
        timeout.counts,
        Deflections {
            suggested: 2,
            opened: 0,
            resolved: 0,
            submitted_anyway: 1
        },
        "an entry named twice in one event counts once"
    );

    let page = admin_page(&state).await;
    assert!(
        page.contains("看到推荐的表单 2 个，其中打开了条目 1 个，说“解决了”没有提交工单 1 个，仍然提交了工单 1 个"),
        "{page}"
    );
    assert!(page.contains(r#"<a href="/kb/error-19">"#), "{page}");

    // The command line reads the same database.
    store.flush().await.expect("flush");
    store.close().await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wendao"))
        .arg("insights")
        .arg("--data")
        .arg(data.path())
        .output()
        .expect("run wendao insights");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains(
            "shown suggestions 2, opened an entry 1, resolved without a ticket 1, sent anyway 1"
        ),
        "{stdout}"
    );
    assert!(stdout.contains("  error-19\t1\t1\t1\t0"), "{stdout}");
    assert!(stdout.contains("  timeout\t2\t0\t0\t1"), "{stdout}");
}

#[actix_web::test]
async fn malformed_events_are_refused_with_a_message() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), 0).await;
    let six = r#"["error-19","timeout","cookie","error-2","error-12","error-14"]"#;
    for (body, status, says) in [
        ("not json", 400, "请求体应是 JSON"),
        (r#"{"entries":["error-19"]}"#, 400, "event"),
        (
            r#"{"event":"clicked","entries":["error-19"]}"#,
            400,
            "event 只能是 suggested、opened、resolved、submitted_anyway",
        ),
        (
            r#"{"event":"opened","entries":["no-such-entry"]}"#,
            400,
            "没有编号为“no-such-entry”的条目",
        ),
        (
            r#"{"event":"opened","entries":[]}"#,
            400,
            "entries 应列出 1 到 5 个条目 id，收到 0 个",
        ),
        (
            &format!(r#"{{"event":"opened","entries":{six}}}"#),
            400,
            "收到 6 个",
        ),
        (
            r#"{"event":"opened","entries":["error-19"],"visitor":"x"}"#,
            400,
            "unknown field",
        ),
        (
            r#"{"event":"opened","entries":"error-19"}"#,
            400,
            "请求体应是 JSON",
        ),
        (
            &format!(r#"{{"event":"opened","entries":["{}"]}}"#, "x".repeat(5000)),
            413,
            "请求体太大",
        ),
    ] {
        let res = request(&state, event(body)).await;
        assert_eq!(res.status, status, "{body}: {}", res.body);
        let message = res.json()["error"]["message"]
            .as_str()
            .expect("a message")
            .to_string();
        assert!(message.contains(says), "{body}: {message}");
    }
    // `?lang=en` is told in English.
    let mut english = event(r#"{"event":"clicked","entries":["error-19"]}"#);
    english = english.uri("/api/deflection?lang=en");
    let res = request(&state, english).await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json()["error"]["message"],
        "event must be one of suggested, opened, resolved, submitted_anyway, not “clicked”."
    );
    let insights = state
        .store()
        .expect("store")
        .insights(10)
        .await
        .expect("insights");
    assert_eq!(insights.forms, Deflections::default(), "nothing counted");
    assert!(insights.deflections.is_empty());
    assert_eq!(
        get(&state, "/kb/error-19").await.status,
        200,
        "still serving"
    );
}

#[actix_web::test]
async fn each_address_is_limited_as_for_votes() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), 3).await;
    let body = r#"{"event":"suggested","entries":["error-19"]}"#;
    let peer = "203.0.113.7:5000".parse().expect("addr");
    for _ in 0..3 {
        let res = request(&state, event(body).peer_addr(peer)).await;
        assert_eq!(res.status, 204, "{}", res.body);
    }
    let res = request(&state, event(body).peer_addr(peer)).await;
    assert_eq!(res.status, 429, "{}", res.body);
    assert!(res.header("retry-after").is_some());
    let other = "198.51.100.9:5000".parse().expect("addr");
    let res = request(&state, event(body).peer_addr(other)).await;
    assert_eq!(res.status, 204, "another address is not held back");
    // Votes have a budget of their own.
    let vote = TestRequest::post()
        .uri("/kb/error-19/feedback")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .peer_addr(peer)
        .set_payload("helpful=yes");
    assert_eq!(request(&state, vote).await.status, 303);
}

#[actix_web::test]
async fn without_a_store_an_event_is_a_503() {
    let state = crate::common::state(&repo_content(), None);
    let res = request(
        &state,
        event(r#"{"event":"suggested","entries":["error-19"]}"#),
    )
    .await;
    assert_eq!(res.status, 503, "{}", res.body);
    assert!(res.json()["error"]["message"].as_str().is_some());
}

#[actix_web::test]
async fn the_widget_script_is_served_small_and_for_any_site() {
    let state = crate::common::state(&repo_content(), None);
    let res = request(
        &state,
        TestRequest::get()
            .uri("/static/widget.js")
            .insert_header(("accept-encoding", "gzip")),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("text/javascript; charset=utf-8")
    );
    assert_eq!(res.header("content-encoding"), Some("gzip"));
    assert_eq!(
        res.header("timing-allow-origin"),
        Some("*"),
        "a host page may measure what the widget costs it"
    );
    let mut script = String::new();
    flate2::read::GzDecoder::new(res.bytes.as_slice())
        .read_to_string(&mut script)
        .expect("gzip");
    assert!(script.contains("WendaoWidget"));
    assert!(
        !script.contains("eval(")
            && !script.contains("new Function")
            && !script.contains("innerHTML"),
        "nothing a strict CSP or the host's safety would refuse"
    );
    // Small: what a ticket form pays for it (docs/widget.md quotes the figure).
    assert!(
        res.bytes.len() < 6 * 1024,
        "widget.js is {} bytes gzipped",
        res.bytes.len()
    );
}
