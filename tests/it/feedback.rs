//! "这篇文章有帮助吗？" votes in SQLite: counted, changeable, durable, refused when malformed.

use std::path::Path;
use std::time::SystemTime;

use crate::common::{get, repo_content, request};
use actix_web::http::header::HttpDate;
use actix_web::test::TestRequest;
use actix_web::web::Data;
use wendao::store::Store;
use wendao::web::{AppState, Site};

async fn state_with_store(data: &Path) -> Data<AppState> {
    Data::new(app_state(data, None).await)
}

/// The repository's content with votes under `data`, and `base_url`.
async fn app_state(data: &Path, base_url: Option<&str>) -> AppState {
    let library = wendao::content::load(&repo_content()).expect("content");
    let site = Site::build(library).expect("site");
    let store = Store::open(data).await.expect("store");
    AppState::new(site, base_url.map(str::to_string)).with_store(store)
}

fn vote(body: &str) -> TestRequest {
    TestRequest::post()
        .uri("/kb/error-19/feedback")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(body.to_string())
}

async fn counts(state: &Data<AppState>, id: &str) -> (u64, u64) {
    let body = get(state, &format!("/api/entries/{id}")).await.json();
    let f = &body["feedback"];
    (
        f["helpful"].as_u64().expect("helpful"),
        f["not_helpful"].as_u64().expect("not_helpful"),
    )
}

/// The `name=value` of the visitor cookie a response sets.
fn visitor_cookie(res: &crate::common::Response) -> String {
    let set = res.header("set-cookie").expect("a visitor cookie");
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().expect("name=value").to_string()
}

#[actix_web::test]
async fn a_vote_counts_and_a_visitor_can_change_theirs() {
    let data = tempfile::tempdir().expect("data");
    let state = state_with_store(data.path()).await;
    assert_eq!(counts(&state, "error-19").await, (0, 0));

    let res = request(
        &state,
        vote("helpful=yes&comment=%E5%BE%88%E6%B8%85%E6%A5%9A"),
    )
    .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some("/kb/error-19?feedback=thanks#feedback")
    );
    let cookie = visitor_cookie(&res);
    assert_eq!(counts(&state, "error-19").await, (1, 0));

    // The same visitor changes their mind: still one vote.
    let res = request(
        &state,
        vote("helpful=no").insert_header(("cookie", cookie.clone())),
    )
    .await;
    assert_eq!(res.status, 303);
    assert!(res.header("set-cookie").is_none(), "the cookie is kept");
    assert_eq!(counts(&state, "error-19").await, (0, 1));

    // Someone else (no cookie) adds a vote and gets a cookie of their own.
    let res = request(&state, vote("helpful=yes")).await;
    assert_ne!(visitor_cookie(&res), cookie);
    assert_eq!(counts(&state, "error-19").await, (1, 1));
    assert_eq!(
        counts(&state, "error-2").await,
        (0, 0),
        "votes belong to their entry"
    );

    // Back on the page, a thank-you instead of the question.
    let page = get(&state, "/kb/error-19?feedback=thanks").await;
    assert!(page.body.contains("谢谢你的反馈"));
    assert!(
        get(&state, "/kb/error-19")
            .await
            .body
            .contains("这篇文章有帮助吗？")
    );

    // Asked for JSON (what app.js does), the answer is the counts.
    let res = request(
        &state,
        vote("helpful=yes").insert_header(("accept", "application/json")),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["feedback"]["helpful"], 2);
}

/// A client holding the entry from before a vote gets the new counts, not a 304.
#[actix_web::test]
async fn a_vote_changes_the_validators_of_the_entry() {
    let data = tempfile::tempdir().expect("data");
    let state = state_with_store(data.path()).await;
    let before = get(&state, "/api/entries/error-19").await;
    let etag = before.header("etag").expect("etag").to_string();
    let modified = before.header("last-modified").expect("last-modified");
    let date = |v: &str| SystemTime::from(v.parse::<HttpDate>().expect("an HTTP date"));

    assert_eq!(request(&state, vote("helpful=yes")).await.status, 303);
    // Most likely within the same second as the first answer.
    let since = request(
        &state,
        TestRequest::get()
            .uri("/api/entries/error-19")
            .insert_header(("if-modified-since", modified)),
    )
    .await;
    assert_eq!(since.status, 200);
    assert_eq!(since.json()["feedback"]["helpful"], 1);
    let after = request(
        &state,
        TestRequest::get()
            .uri("/api/entries/error-19")
            .insert_header(("if-none-match", etag.clone())),
    )
    .await;
    assert_eq!(after.status, 200);
    assert_eq!(after.json()["feedback"]["helpful"], 1);
    assert_ne!(after.header("etag"), Some(etag.as_str()));
    let later = after.header("last-modified").expect("last-modified");
    assert!(date(later) >= date(modified));
}

#[actix_web::test]
async fn bad_votes_are_refused() {
    let data = tempfile::tempdir().expect("data");
    let state = state_with_store(data.path()).await;
    for (body, status, needle) in [
        ("helpful=maybe", 400, "helpful 只能是 yes 或 no"),
        ("comment=hi", 400, "缺少 helpful"),
        ("", 400, "缺少 helpful"),
        (
            &format!("helpful=no&comment={}", "%E9%95%BF".repeat(1001)),
            400,
            "留言最多 1000 个字",
        ),
        ("helpful=yes&helpful=no&%FF", 400, ""),
    ] {
        let res = request(&state, vote(body)).await;
        assert_eq!(res.status, status, "{body:.40}");
        assert!(res.body.contains(needle), "{body:.40}: {}", res.body);
    }
    let res = request(
        &state,
        TestRequest::post()
            .uri("/kb/no-such-entry/feedback")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("helpful=yes"),
    )
    .await;
    assert_eq!(res.status, 404);
    let huge = format!("helpful=yes&comment={}", "x".repeat(100_000));
    assert_eq!(
        request(&state, vote(&huge)).await.status,
        400,
        "oversized bodies are refused"
    );
    assert_eq!(counts(&state, "error-19").await, (0, 0));
}

/// 50 votes at once, all from this machine: the per-address limit is off here (it has tests
/// of its own), since what is tested is that concurrent writes all count.
#[actix_web::test]
async fn fifty_concurrent_votes_are_all_counted() {
    let data = tempfile::tempdir().expect("data");
    let state = app_state(data.path(), None)
        .await
        .with_vote_limit(0, Vec::new());
    let (base, server) = crate::common::serve(Data::new(state));
    let voters: Vec<_> = (0..50)
        .map(|i| {
            let base = base.clone();
            std::thread::spawn(move || {
                let body = if i % 5 == 0 { "helpful=no" } else { "helpful=yes" };
                let answer = crate::common::raw_http(
                    &base,
                    &format!(
                        "POST /kb/n22106/feedback HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    ),
                );
                assert!(answer.starts_with("HTTP/1.1 303"), "{answer}");
            })
        })
        .collect();
    for v in voters {
        v.join().expect("voter");
    }
    let answer = crate::common::raw_http(
        &base,
        "GET /api/entries/n22106 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(
        answer.contains(r#""feedback":{"helpful":40,"not_helpful":10}"#),
        "{answer}"
    );
    server.stop(true).await;
}

#[actix_web::test]
async fn migrations_run_on_an_empty_and_on_an_existing_database() {
    let data = tempfile::tempdir().expect("data");
    let store = Store::open(data.path()).await.expect("empty database");
    store
        .vote(
            "error-19",
            "a".repeat(32).as_str(),
            true,
            Some("好"),
            "zh-CN",
        )
        .await
        .expect("vote");
    store.close().await;
    let again = Store::open(data.path()).await.expect("existing database");
    assert_eq!(
        again.feedback("error-19").await.expect("read").helpful,
        1,
        "data kept"
    );
    assert!(data.path().join(wendao::store::FILE).exists());
}

#[actix_web::test]
async fn when_votes_cannot_be_written_they_answer_503_and_pages_keep_serving() {
    // No database at all.
    let library = wendao::content::load(&repo_content()).expect("content");
    let state = Data::new(AppState::new(Site::build(library).expect("site"), None));
    let res = request(&state, vote("helpful=yes")).await;
    assert_eq!(res.status, 503);
    assert!(res.body.contains("反馈暂时无法保存"));
    assert_eq!(get(&state, "/kb/error-19").await.status, 200);

    // A database that stopped working.
    let data = tempfile::tempdir().expect("data");
    let state = state_with_store(data.path()).await;
    state.store().expect("store").close().await;
    assert_eq!(request(&state, vote("helpful=yes")).await.status, 503);
    assert_eq!(get(&state, "/kb/error-19").await.status, 200);
    assert_eq!(get(&state, "/search?q=cookie").await.status, 200);
}

/// A page of another site cannot make its visitors vote: its `Origin` (or, without one,
/// `Sec-Fetch-Site`) gives it away, and nothing is counted. Our own pages, with or without
/// JavaScript, and clients that are no browser (no such headers) still vote.
#[actix_web::test]
async fn votes_from_other_sites_are_refused_and_not_counted() {
    let data = tempfile::tempdir().expect("data");
    let state = state_with_store(data.path()).await;
    // A test request's host is localhost:8080.
    for (name, value) in [
        ("origin", "https://evil.example"),
        ("origin", "http://localhost:8080.evil.example"),
        ("origin", "null"),
        ("sec-fetch-site", "cross-site"),
        ("sec-fetch-site", "same-site"),
    ] {
        let res = request(&state, vote("helpful=no").insert_header((name, value))).await;
        assert_eq!(res.status, 403, "{name}: {value}");
        assert!(res.body.contains("其他网站"), "{}", res.body);
        let res = request(
            &state,
            vote("helpful=no")
                .insert_header((name, value))
                .insert_header(("accept", "application/json")),
        )
        .await;
        assert_eq!(res.status, 403, "{name}: {value}");
    }
    assert_eq!(counts(&state, "error-19").await, (0, 0), "nothing counted");

    // The site's own form post (a browser sends both headers), and a plain client.
    let own = vote("helpful=yes")
        .insert_header(("origin", "http://localhost:8080"))
        .insert_header(("sec-fetch-site", "same-origin"));
    assert_eq!(request(&state, own).await.status, 303);
    assert_eq!(request(&state, vote("helpful=yes")).await.status, 303);
    assert_eq!(counts(&state, "error-19").await, (2, 0));
}

/// With `--base-url`, the origin must be that one, scheme included.
#[actix_web::test]
async fn with_a_base_url_only_its_origin_may_vote() {
    let data = tempfile::tempdir().expect("data");
    let state = Data::new(app_state(data.path(), Some("https://help.example.com/")).await);
    let from = |origin: &str| vote("helpful=yes").insert_header(("origin", origin.to_string()));
    assert_eq!(
        request(&state, from("https://help.example.com"))
            .await
            .status,
        303
    );
    assert_eq!(
        request(&state, from("HTTPS://HELP.EXAMPLE.COM"))
            .await
            .status,
        303
    );
    for other in [
        "http://help.example.com",
        "http://localhost:8080",
        "https://help.example.com.evil.example",
    ] {
        assert_eq!(request(&state, from(other)).await.status, 403, "{other}");
    }
    assert_eq!(counts(&state, "error-19").await, (2, 0));
}

fn vote_from(peer: &str, forwarded: Option<&str>) -> TestRequest {
    let mut req = vote("helpful=no").peer_addr(peer.parse().expect("a socket address"));
    if let Some(chain) = forwarded {
        req = req.insert_header(("x-forwarded-for", chain.to_string()));
    }
    req
}

/// A flood from one address: 2,000 votes, at most the per-minute limit counted, the rest 429
/// with `Retry-After` and a readable message.
#[actix_web::test]
async fn a_flood_of_votes_from_one_address_counts_at_most_the_limit() {
    let data = tempfile::tempdir().expect("data");
    let state = state_with_store(data.path()).await;
    let (mut accepted, mut refused) = (0, 0);
    let started = std::time::Instant::now();
    for _ in 0..2_000 {
        let res = request(&state, vote_from("198.51.100.7:40000", None)).await;
        match res.status.as_u16() {
            303 => accepted += 1,
            429 => {
                refused += 1;
                let wait: u64 = res
                    .header("retry-after")
                    .and_then(|v| v.parse().ok())
                    .expect("Retry-After in seconds");
                assert!((1..=60).contains(&wait), "{wait}");
                assert!(res.body.contains("提交太频繁"), "{}", res.body);
            }
            other => panic!("unexpected status {other}"),
        }
    }
    // The limit refills one vote every 2 s: a slow (debug, loaded) run earns a few more.
    let refilled = started.elapsed().as_secs() / 2 + 1;
    assert!(
        accepted <= 30 + refilled,
        "{accepted} votes accepted in {:?}",
        started.elapsed()
    );
    assert!(accepted >= 25, "{accepted} votes accepted");
    assert_eq!(accepted + refused, 2_000);
    let (_, not_helpful) = counts(&state, "error-19").await;
    assert_eq!(not_helpful, accepted, "only accepted votes count");
    // Another address is not held back by the first one's flood.
    let other = request(&state, vote_from("203.0.113.9:40000", None)).await;
    assert_eq!(other.status, 303);
}

/// Behind a trusted proxy each client has its own limit; a forged `X-Forwarded-For` from an
/// untrusted peer changes nothing.
#[actix_web::test]
async fn the_client_address_comes_from_a_trusted_proxy_only() {
    let data = tempfile::tempdir().expect("data");
    let state = Data::new(
        app_state(data.path(), None)
            .await
            .with_vote_limit(5, vec!["10.0.0.2".parse().expect("an address")]),
    );
    let accepted = |results: &[u16]| results.iter().filter(|&&s| s == 303).count();
    let mut through_proxy = Vec::new();
    for client in ["192.0.2.1", "192.0.2.2"] {
        let mut statuses = Vec::new();
        for _ in 0..8 {
            // A client may put anything first; the proxy appends the address it saw.
            let chain = format!("6.6.6.6, {client}");
            let res = request(&state, vote_from("10.0.0.2:5000", Some(&chain))).await;
            statuses.push(res.status.as_u16());
        }
        through_proxy.push(accepted(&statuses));
    }
    assert_eq!(through_proxy, vec![5, 5], "each client limited on its own");

    let mut forged = Vec::new();
    for i in 0..8 {
        let chain = format!("192.0.2.{}", 100 + i);
        let res = request(&state, vote_from("198.51.100.20:5000", Some(&chain))).await;
        forged.push(res.status.as_u16());
    }
    assert_eq!(
        accepted(&forged),
        5,
        "an untrusted peer is one client, whatever it forwards"
    );
}

/// 没帮助 does not end the conversation: the reader is asked what was missing, offered the
/// wizard and the contact text, and what they answer replaces their vote with its reason.
#[actix_web::test]
async fn not_helpful_asks_what_was_missing_and_offers_a_way_out() {
    let data = tempfile::tempdir().expect("data");
    let state = state_with_store(data.path()).await;
    let res = request(&state, vote("helpful=no")).await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some("/kb/error-19?feedback=missing#feedback")
    );
    let cookie = visitor_cookie(&res);
    assert_eq!(counts(&state, "error-19").await, (0, 1));

    let page = get(&state, "/kb/error-19?feedback=missing").await;
    assert_eq!(page.status, 200);
    let labels = &wendao::locale::default().t.entry.reasons;
    for value in wendao::web::feedback::REASONS {
        assert!(page.body.contains(&format!("value=\"{value}\"")), "{value}");
        let label = labels.label(value).expect("a label");
        assert!(page.body.contains(label), "{label}");
    }
    assert!(page.body.contains("照着做了，问题还在"));
    assert!(page.body.contains("href=\"/wizard/request-errors\""));
    assert!(page.body.contains("href=\"/contact\""));
    assert!(
        page.body.contains("提交工单"),
        "the contact text itself is shown"
    );

    let res = request(
        &state,
        vote("helpful=no&reason=did-not-work&comment=%E8%BF%98%E6%98%AF19")
            .insert_header(("cookie", cookie.clone())),
    )
    .await;
    assert_eq!(res.status, 303);
    assert_eq!(
        res.header("location"),
        Some("/kb/error-19?feedback=thanks#feedback")
    );
    assert_eq!(
        counts(&state, "error-19").await,
        (0, 1),
        "one vote, changed"
    );
    let insights = state
        .store()
        .expect("store")
        .insights(10)
        .await
        .expect("insights");
    assert_eq!(
        insights
            .comments
            .iter()
            .map(|c| (c.entry.as_str(), c.helpful, c.text.as_str()))
            .collect::<Vec<_>>(),
        [("error-19", false, "【照着做了，问题还在】还是19")]
    );

    let res = request(&state, vote("helpful=no&reason=bored")).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("reason 只能是"), "{}", res.body);

    // 发送 with nothing chosen ends with thanks, not the question again.
    let res = request(&state, vote("helpful=no&asked=1")).await;
    assert_eq!(
        res.header("location"),
        Some("/kb/error-19?feedback=thanks#feedback")
    );
    assert!(
        page.body.contains("name=\"asked\""),
        "the form says it answers"
    );
    // A reason belongs to 没帮助.
    let res = request(&state, vote("helpful=yes&reason=unclear")).await;
    assert_eq!(res.status, 400);
}
