//! Hostile and odd input: malformed URLs and encodings, traversal attempts, other methods,
//! huge bodies, tampered wizard links; and the headers a production service sends.

use crate::common::{fixture, get, repo_content, request, state};
use actix_web::test::TestRequest;

#[actix_web::test]
async fn pages_carry_a_strict_content_security_policy_and_security_headers() {
    let state = state(&repo_content(), None);
    for uri in [
        "/",
        "/kb/error-19",
        "/search?q=x",
        "/wizard/request-errors",
        "/api/entries",
        "/nope",
    ] {
        let res = get(&state, uri).await;
        let csp = res
            .header("content-security-policy")
            .unwrap_or_else(|| panic!("{uri}: no CSP"));
        assert!(
            csp.contains("script-src 'self'") && !csp.contains("unsafe-inline"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"));
        assert_eq!(
            res.header("x-content-type-options"),
            Some("nosniff"),
            "{uri}"
        );
        assert_eq!(
            res.header("referrer-policy"),
            Some("strict-origin-when-cross-origin"),
            "{uri}"
        );
        assert!(
            res.header("x-request-id").is_some_and(|id| id.len() >= 8),
            "{uri}: request id"
        );
        // Nothing inline for the CSP to refuse.
        assert!(
            !res.body.contains("<script>")
                && !res.body.contains(" style=\"")
                && !res.body.contains(" onclick="),
            "{uri}"
        );
    }
}

#[actix_web::test]
async fn head_answers_like_get_without_a_body() {
    let state = state(&repo_content(), None);
    for uri in [
        "/",
        "/kb/error-19",
        "/api/entries",
        "/static/app.css",
        "/wizard",
    ] {
        let got = get(&state, uri).await;
        let head = request(
            &state,
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri(uri),
        )
        .await;
        assert_eq!(head.status, 200, "{uri}");
        assert_eq!(
            head.header("content-type"),
            got.header("content-type"),
            "{uri}"
        );
        assert_eq!(head.header("etag"), got.header("etag"), "{uri}");
    }
    // On the wire, nothing follows the headers.
    let (base, server) = crate::common::start_server(&repo_content());
    for uri in ["/", "/kb/error-19"] {
        let answer = crate::common::raw_http(
            &base,
            &format!("HEAD {uri} HTTP/1.1\r\nHost: kb.test\r\nConnection: close\r\n\r\n"),
        );
        assert!(answer.starts_with("HTTP/1.1 200 OK"), "{answer}");
        let (head, body) = answer.split_once("\r\n\r\n").expect("end of headers");
        assert!(
            head.to_lowercase().contains("content-type: text/html"),
            "{head}"
        );
        assert!(
            body.is_empty(),
            "{uri}: HEAD sent a body of {} bytes",
            body.len()
        );
    }
    server.stop(true).await;
}

#[actix_web::test]
async fn pages_and_json_revalidate_with_their_etag() {
    let state = state(&repo_content(), None);
    for uri in [
        "/kb/error-19",
        "/",
        "/api/entries/n22106",
        "/search?q=cookie",
    ] {
        let first = get(&state, uri).await;
        let etag = first
            .header("etag")
            .unwrap_or_else(|| panic!("{uri}: no etag"))
            .to_string();
        assert!(etag.starts_with("W/\""));
        let modified = first
            .header("last-modified")
            .expect("last-modified")
            .to_string();
        assert_eq!(first.header("cache-control"), Some("no-cache"));

        let again = request(
            &state,
            TestRequest::get()
                .uri(uri)
                .insert_header(("if-none-match", etag.clone())),
        )
        .await;
        assert_eq!(again.status, 304, "{uri}");
        assert!(again.body.is_empty());
        // Compared weakly (RFC 9110), as a list: the same tag without `W/`, among others.
        let strong = etag.trim_start_matches("W/");
        let listed = request(
            &state,
            TestRequest::get()
                .uri(uri)
                .insert_header(("if-none-match", format!("\"other\", {strong}"))),
        )
        .await;
        assert_eq!(listed.status, 304, "{uri}: {strong}");
        // A date holds whole seconds, too coarse to tell a page from one changed by a vote in
        // the same second: only the ETag answers 304.
        let since = request(
            &state,
            TestRequest::get()
                .uri(uri)
                .insert_header(("if-modified-since", modified)),
        )
        .await;
        assert_eq!(since.status, 200, "{uri}");
        let stale = request(
            &state,
            TestRequest::get()
                .uri(uri)
                .insert_header(("if-none-match", "W/\"0000\"")),
        )
        .await;
        assert_eq!(stale.status, 200, "{uri}");
        let old = request(
            &state,
            TestRequest::get()
                .uri(uri)
                .insert_header(("if-modified-since", "Mon, 01 Jan 2001 00:00:00 GMT")),
        )
        .await;
        assert_eq!(old.status, 200, "{uri}");
    }
    // Errors are not cached as if they were pages.
    let missing = get(&state, "/kb/nope").await;
    assert!(missing.header("etag").is_none());
}

#[actix_web::test]
async fn other_methods_and_bodies_are_refused_clearly() {
    let state = state(&fixture("basic"), None);
    let big = vec![b'x'; 2 * 1024 * 1024];
    for (method, uri) in [
        ("POST", "/"),
        ("PUT", "/kb/tls-errors"),
        ("DELETE", "/api/entries"),
        ("PATCH", "/search"),
        ("POST", "/no/such"),
    ] {
        let req = TestRequest::default()
            .method(method.parse().expect("method"))
            .uri(uri)
            .set_payload(big.clone());
        let res = request(&state, req).await;
        assert_eq!(res.status, 405, "{method} {uri}");
        assert_eq!(res.header("allow"), Some("GET, HEAD"));
        assert!(
            res.body.contains(&format!("不支持 {method} 方法")),
            "{method} {uri}"
        );
    }
    let res = request(&state, TestRequest::post().uri("/api/entries")).await;
    assert_eq!(res.json()["error"]["code"], "method_not_allowed");
    // Each route's Allow names its own methods.
    for (uri, allow) in [("/kb/tls-errors/feedback", "POST"), ("/api/match", "POST")] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 405, "{uri}");
        assert_eq!(res.header("allow"), Some(allow), "{uri}");
    }
    let res = request(&state, TestRequest::delete().uri("/match")).await;
    assert_eq!(res.header("allow"), Some("GET, HEAD, POST"));
}

#[actix_web::test]
async fn malformed_urls_answer_400_never_500() {
    let state = state(&repo_content(), None);
    for uri in [
        "/kb/%E7%99",
        "/kb/%ZZ",
        "/search?q=%",
        "/search?q=%E7%99%BD%E5",
        "/wizard/request-errors?a=%FF",
        "/api/search?q=%C0%AF",
        "/static/app.css?v=%",
        "/c/%ED%A0%80",
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 400, "{uri}");
        assert!(!res.body.is_empty(), "{uri}: a message");
    }
    // JSON under /api.
    assert_eq!(
        get(&state, "/api/search?q=%FF").await.json()["error"]["code"],
        "bad_request"
    );
}

#[actix_web::test]
async fn nothing_outside_the_built_in_assets_is_ever_served() {
    let state = state(&repo_content(), None);
    for uri in [
        "/static/../Cargo.toml",
        "/static/..%2FCargo.toml",
        "/static/%2e%2e%2fCargo.toml",
        "/static/%252e%252e%252fCargo.toml",
        "/static/..%5c..%5cCargo.toml",
        "/static/....//....//Cargo.toml",
        "/static/%2e%2e/%2e%2e/etc/passwd",
        "/static/app.css%00.txt",
        "/static/.git/config",
        "/static/app.css/..%2f..%2fsrc/main.rs",
        "/static/",
        "/../../etc/passwd",
        "/kb/..%2f..%2fCargo.toml",
    ] {
        let res = get(&state, uri).await;
        assert!(
            res.status == 404 || res.status == 400,
            "{uri}: {}",
            res.status
        );
        for secret in ["[package]", "root:x:", "fn main", "[core]"] {
            assert!(!res.body.contains(secret), "{uri} leaked {secret}");
        }
    }
}

#[actix_web::test]
async fn tampered_wizard_urls_get_messages_not_errors() {
    let state = state(&repo_content(), None);
    for uri in [
        "/wizard/request-errors?a=%00",
        "/wizard/request-errors?at=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "/wizard/request-errors?a=&a=%3Cscript%3E",
        "/wizard/request-errors?a=&a=&a=&a=",
        "/wizard/request-errors?a[]=1&a=19",
        "/wizard/request-errors?solved=maybe&a=19",
        "/wizard/..%2Frequest-errors",
        "/wizard/REQUEST-ERRORS",
    ] {
        let res = get(&state, uri).await;
        assert!(
            [200, 400, 404].contains(&res.status.as_u16()),
            "{uri}: {}",
            res.status
        );
        assert!(!res.body.contains("<script>alert"), "{uri} reflects markup");
    }
}

#[actix_web::test]
async fn metrics_count_requests_by_route_searches_and_zero_results() {
    let state = state(&repo_content(), None);
    for uri in [
        "/kb/error-19",
        "/kb/error-2",
        "/kb/nope",
        "/search?q=cookie",
        "/search?q=zzzzqqqq",
    ] {
        get(&state, uri).await;
    }
    let res = get(&state, "/metrics").await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("text/plain")
    );
    let m = &res.body;
    assert!(
        m.contains(r#"wendao_http_requests_total{method="GET",route="/kb/{id}",status="200"} 2"#),
        "{m}"
    );
    assert!(
        m.contains(r#"wendao_http_requests_total{method="GET",route="/kb/{id}",status="404"} 1"#),
        "{m}"
    );
    assert!(m.contains("wendao_searches_total 2"), "{m}");
    assert!(m.contains("wendao_zero_result_searches_total 1"), "{m}");
    assert!(
        m.contains("wendao_http_request_duration_seconds_bucket"),
        "{m}"
    );
}

fn from(peer: &str, uri: &str) -> TestRequest {
    TestRequest::get()
        .uri(uri)
        .peer_addr(peer.parse().expect("peer address"))
}

fn canonical(page: &str) -> String {
    let start = page
        .find("rel=\"canonical\" href=\"")
        .expect("a canonical link")
        + 22;
    page[start..]
        .split('"')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// Without `--base-url`, every absolute link names the address the first request gave: a
/// client cycling `Host` values neither grows the page cache nor gets its host into links,
/// and forwarded headers count only from a trusted proxy.
#[actix_web::test]
async fn host_headers_cannot_grow_the_page_cache_or_name_another_site() {
    let state = state(&repo_content(), None);
    let first = request(
        &state,
        from("203.0.113.1:1000", "/kb/error-19").insert_header(("Host", "help.example.com")),
    )
    .await;
    assert_eq!(
        canonical(&first.body),
        "http://help.example.com/kb/error-19"
    );
    let cached = state.pages().len();
    for i in 0..300 {
        let page = request(
            &state,
            from("203.0.113.2:1000", "/kb/error-19")
                .insert_header(("Host", format!("junk{i}.attacker.example").as_str()))
                .insert_header(("X-Forwarded-Host", "evil.example"))
                .insert_header(("Forwarded", "host=evil.example;proto=https")),
        )
        .await;
        assert_eq!(page.status, 200);
        assert_eq!(canonical(&page.body), "http://help.example.com/kb/error-19");
    }
    assert_eq!(state.pages().len(), cached, "no page cached per Host");
    let sitemap = request(
        &state,
        from("203.0.113.2:1000", "/sitemap.xml").insert_header(("Host", "attacker.example")),
    )
    .await;
    assert!(!sitemap.body.contains("attacker"), "{}", sitemap.body);
    assert!(sitemap.body.contains("http://help.example.com/kb/"));
}

/// Behind a trusted proxy the site's address is what the proxy forwarded; from anyone else
/// the forwarded headers are ignored.
#[actix_web::test]
async fn forwarded_hosts_count_only_from_a_trusted_proxy() {
    let untrusted = state(&repo_content(), None);
    let page = request(
        &untrusted,
        from("203.0.113.9:1000", "/kb/error-19")
            .insert_header(("Host", "127.0.0.1:8080"))
            .insert_header(("X-Forwarded-Host", "evil.example"))
            .insert_header(("X-Forwarded-Proto", "https")),
    )
    .await;
    assert_eq!(canonical(&page.body), "http://127.0.0.1:8080/kb/error-19");

    let behind_proxy = actix_web::web::Data::new(
        crate::common::app_state(&repo_content(), None)
            .with_vote_limit(30, vec!["10.0.0.2".parse().expect("ip")]),
    );
    let page = request(
        &behind_proxy,
        from("10.0.0.2:1000", "/kb/error-19")
            .insert_header(("Host", "10.0.0.5:8080"))
            .insert_header(("X-Forwarded-Host", "help.example.com"))
            .insert_header(("X-Forwarded-Proto", "https")),
    )
    .await;
    assert_eq!(
        canonical(&page.body),
        "https://help.example.com/kb/error-19"
    );
}

/// With an `https` base URL the visitor cookie is `Secure`, and `--hsts` sends
/// Strict-Transport-Security; over plain HTTP neither (and `--hsts` is refused).
#[actix_web::test]
async fn https_sites_get_secure_cookies_and_hsts_when_asked() {
    let vote = || {
        TestRequest::post()
            .uri("/kb/timeout/feedback")
            .insert_header(("Content-Type", "application/x-www-form-urlencoded"))
            .set_payload("helpful=yes")
    };
    let build = |base: &str| crate::common::app_state(&repo_content(), Some(base));
    let data = tempfile::tempdir().expect("data");
    let store = wendao::store::Store::open(data.path())
        .await
        .expect("store");
    let https = actix_web::web::Data::new(
        build("https://help.example.com")
            .with_store(store.clone())
            .with_hsts(true)
            .expect("hsts over https"),
    );
    let voted = request(&https, vote()).await;
    assert_eq!(voted.status, 303);
    let cookie = voted.header("set-cookie").expect("a visitor cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert_eq!(
        get(&https, "/").await.header("strict-transport-security"),
        Some("max-age=31536000")
    );

    let http = actix_web::web::Data::new(build("http://help.example.com").with_store(store));
    let voted = request(&http, vote()).await;
    let cookie = voted.header("set-cookie").expect("a visitor cookie");
    assert!(!cookie.contains("Secure"), "{cookie}");
    assert_eq!(
        get(&http, "/").await.header("strict-transport-security"),
        None
    );
    let refused = build("http://help.example.com").with_hsts(true);
    assert!(refused.is_err(), "--hsts over plain HTTP");
}

/// Wrong admin tokens are answered slowly, and after a handful the address is refused every
/// token, the right one too, for a while; other addresses are not affected.
#[actix_web::test]
async fn wrong_admin_tokens_are_slowed_down_and_then_refused() {
    let data = tempfile::tempdir().expect("data");
    let store = wendao::store::Store::open(data.path())
        .await
        .expect("store");
    let state = actix_web::web::Data::new(
        crate::common::app_state(&repo_content(), None)
            .with_store(store)
            .with_admin_token(Some("right-token".into())),
    );
    let admin = |peer: &str, token: &str| {
        from(peer, "/admin/insights").insert_header(("Authorization", format!("Bearer {token}")))
    };
    let started = std::time::Instant::now();
    for _ in 0..wendao::web::limits::WRONG_TOKENS {
        let res = request(&state, admin("198.51.100.7:1", "guess")).await;
        assert_eq!(res.status, 401);
    }
    let slow = started.elapsed();
    assert!(
        slow >= std::time::Duration::from_secs(u64::from(wendao::web::limits::WRONG_TOKENS)),
        "{slow:?} for {} wrong tokens",
        wendao::web::limits::WRONG_TOKENS
    );
    let locked = request(&state, admin("198.51.100.7:1", "right-token")).await;
    assert_eq!(locked.status, 429, "the right token too, while locked out");
    assert!(locked.header("retry-after").is_some());
    // /healthz answers a locked-out address too, as to anyone: status, no details.
    let healthz = request(
        &state,
        from("198.51.100.7:1", "/healthz").insert_header(("Authorization", "Bearer right-token")),
    )
    .await;
    assert_eq!(healthz.status, 200, "a monitor is never refused");
    assert!(!healthz.body.contains("\"errors\":["), "{}", healthz.body);
    let other = request(&state, admin("198.51.100.8:1", "right-token")).await;
    assert_eq!(other.status, 200, "another address");
    // Without credentials /healthz answers anyone, locked out or not.
    assert_eq!(
        request(&state, from("198.51.100.7:1", "/healthz"))
            .await
            .status,
        200
    );
}
