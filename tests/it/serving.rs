//! Serving as a browser sees it: every answer, precompressed or compressed per request, decodes
//! to the bytes a client without `Accept-Encoding` gets, comes whole with a `Content-Length`
//! and `Vary: Accept-Encoding`, and stays exact after a vote.

use std::io::Read as _;

use actix_web::test::TestRequest;

use crate::common::{Connection, get, repo_content, request, serve, state};

/// Decodes a body by its `Content-Encoding`.
pub fn decode(encoding: Option<&str>, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    match encoding {
        None => out.extend_from_slice(body),
        Some("br") => {
            brotli::Decompressor::new(body, 4096)
                .read_to_end(&mut out)
                .expect("valid brotli");
        }
        Some("gzip") => {
            flate2::read::GzDecoder::new(body)
                .read_to_end(&mut out)
                .expect("valid gzip");
        }
        Some(other) => panic!("unexpected encoding {other}"),
    }
    out
}

const ROUTES: &[&str] = &[
    "/",
    "/kb/error-19",
    "/kb/domain-whitelist",
    "/kb/request-troubleshooting",
    "/c/request-errors",
    "/search?q=%E7%99%BD%E5%90%8D%E5%8D%95%E4%B8%8D%E7%94%9F%E6%95%88",
    "/search?q=error+19",
    "/search?q=zzzqqq",
    "/api/search?q=N22106",
    "/api/search?q=%E8%B6%85%E6%97%B6&limit=20",
    "/api/entries",
    "/api/entries/error-19",
    "/api/suggest?q=%E7%99%BD%E5%90%8D",
    "/wizard",
    "/wizard/request-errors",
    "/wizard/request-errors?a=&a=wrong-data&at=data",
    "/wizard/request-errors?a=error+14",
    "/wizard/request-errors?a=%E4%B8%8D%E7%9F%A5%E9%81%93%E7%9A%84%E9%94%99%E8%AF%AF",
    "/sitemap.xml",
    "/opensearch.xml",
    "/static/app.css",
    "/static/app.js",
    "/no-such-page",
];

#[test]
fn every_answer_decodes_to_the_same_bytes_in_every_encoding() {
    let (base, server) = serve(state(&repo_content(), None));
    let mut connection = Connection::open(&base);
    for route in ROUTES {
        // Twice: the first answer may build and keep the page, the second comes from the cache.
        for round in 0..2 {
            let plain = connection.get(route, &[]);
            assert_eq!(plain.header("content-encoding"), None, "{route}");
            for accept in [
                "gzip",
                "br",
                "gzip, deflate, br",
                "br;q=0, gzip",
                "identity",
            ] {
                let answer = connection.get(route, &[("accept-encoding", accept)]);
                assert_eq!(answer.status, plain.status, "{route} {accept}");
                let encoding = answer.header("content-encoding");
                assert_eq!(
                    decode(encoding, &answer.body),
                    plain.body,
                    "{route} with {accept} (round {round})"
                );
                if plain.body.len() >= 1024 && accept != "identity" {
                    assert!(
                        encoding.is_some(),
                        "{route} with {accept} was not compressed"
                    );
                    assert!(
                        answer.body.len() < plain.body.len(),
                        "{route} with {accept}"
                    );
                }
                if accept == "br;q=0, gzip" {
                    assert_ne!(encoding, Some("br"), "{route}: br was refused");
                }
                if plain.body.len() >= 1024 {
                    assert_eq!(
                        answer.header("vary"),
                        Some("Accept-Encoding"),
                        "{route} with {accept}"
                    );
                }
            }
        }
    }
    // What the cache holds shows in the metrics, within its bound.
    let metrics = String::from_utf8(connection.get("/metrics", &[]).body).expect("text");
    let gauge = |name: &str| -> u64 {
        metrics
            .lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("{name} in {metrics}"))
    };
    assert!(gauge("wendao_page_cache_pages") >= 10);
    let bytes = gauge("wendao_page_cache_bytes");
    assert!(
        bytes > 10_000 && bytes <= wendao::web::PAGE_CACHE_BYTES,
        "{bytes}"
    );
    actix_web::rt::System::new().block_on(server.stop(true));
}

/// Pages made once are made again when what they show changes: a helpful vote puts an entry
/// among the popular ones on the home page, and the old ETag then gets the new page, not a 304.
#[actix_web::test]
async fn cached_pages_follow_votes_and_stay_exact_for_revalidation() {
    let data = tempfile::tempdir().expect("data");
    let library = wendao::content::load(&repo_content()).expect("content");
    let last = library.entries.last().expect("entries").clone();
    let site = wendao::web::Site::build(library).expect("site");
    let store = wendao::store::Store::open(data.path())
        .await
        .expect("store");
    let state = actix_web::web::Data::new(wendao::web::AppState::new(site, None).with_store(store));
    let home = |etag: Option<String>| {
        let mut req = TestRequest::get()
            .uri("/")
            .insert_header(("accept-encoding", "gzip, deflate, br"));
        if let Some(etag) = etag {
            req = req.insert_header(("if-none-match", etag));
        }
        req
    };
    let popular_part = |body: &str| -> String {
        let start = body
            .find("id=\"popular-title\"")
            .expect("常见问题 on the home page");
        body[start..]
            .split("</section>")
            .next()
            .unwrap_or("")
            .to_string()
    };

    let before = request(&state, home(None)).await;
    let etag = before.header("etag").expect("etag").to_string();
    assert_eq!(before.header("content-encoding"), Some("br"));
    let again = request(&state, home(Some(etag.clone()))).await;
    assert_eq!(again.status, 304, "unchanged: 304");
    assert!(again.header("last-modified").is_some());

    let plain = get(&state, "/").await;
    assert!(!popular_part(&plain.body).contains(&last.url()));
    let vote = request(
        &state,
        TestRequest::post()
            .uri(&format!("/kb/{}/feedback", last.id))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("helpful=yes"),
    )
    .await;
    assert_eq!(vote.status, 303);

    let after = request(&state, home(Some(etag.clone()))).await;
    assert_eq!(
        after.status, 200,
        "the old ETag must not get a 304 after the vote"
    );
    let new_etag = after.header("etag").expect("etag").to_string();
    assert_ne!(new_etag, etag);
    let plain = get(&state, "/").await;
    assert!(
        popular_part(&plain.body).contains(&last.url()),
        "the voted entry is popular now"
    );
    assert_eq!(plain.header("etag"), Some(new_etag.as_str()));
    assert_eq!(request(&state, home(Some(new_etag))).await.status, 304);

    // The entry's JSON, kept compressed, shows the vote too.
    let json = request(
        &state,
        TestRequest::get()
            .uri(&format!("/api/entries/{}", last.id))
            .insert_header(("accept-encoding", "br")),
    )
    .await;
    let decoded: serde_json::Value =
        serde_json::from_slice(&decode(json.header("content-encoding"), &json.bytes))
            .expect("JSON");
    assert_eq!(decoded["feedback"]["helpful"], 1);
}

/// Two requests on one keep-alive connection, each answered compressed: a page kept
/// precompressed and a wizard answer compressed as it is made. Together they take a few
/// milliseconds; with the Nagle / delayed-ACK stall each took 40 ms or more. The best of
/// five tries is taken, so a busy machine does not fail the test; a stall would.
#[test]
fn compressed_answers_on_one_connection_never_wait_for_an_ack() {
    let server = crate::process::spawn(&[]);
    let mut connection = Connection::open(&server.base);
    let browser = [("accept-encoding", "gzip, deflate, br")];
    let pair = [
        "/kb/request-troubleshooting",
        "/wizard/request-errors?a=error+14",
    ];
    for path in pair {
        let answer = connection.get(path, &browser);
        assert_eq!(answer.status, 200, "{path}");
        assert!(answer.header("content-encoding").is_some(), "{path}");
    }
    let best = (0..5)
        .map(|_| {
            let started = std::time::Instant::now();
            for path in pair {
                assert_eq!(connection.get(path, &browser).status, 200);
            }
            started.elapsed()
        })
        .min()
        .expect("five tries");
    assert!(
        best < std::time::Duration::from_millis(40),
        "two compressed answers took {best:?} at best: a stall"
    );
}
