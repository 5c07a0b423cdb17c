//! Insights for authors: what votes, searches and wizard runs said, on `/admin/insights`
//! (closed unless the token is right) and from `wendao insights`.

use std::path::Path;

use crate::common::{TempContent, encoded, escape, get, repo_content, request};
use actix_web::test::TestRequest;
use actix_web::web::Data;
use base64::Engine;
use wendao::search::analysis::normalize_query;
use wendao::store::{OpenedResult, OutcomeAnswers, Store, UnansweredSearch};
use wendao::web::{AppState, Site};

const TOKEN: &str = "s3cret-令牌";

async fn state(data: &Path, token: Option<&str>) -> Data<AppState> {
    state_of(&repo_content(), data, token).await
}

async fn state_of(content: &Path, data: &Path, token: Option<&str>) -> Data<AppState> {
    let library = wendao::content::load(content).expect("content");
    let store = Store::open(data).await.expect("store");
    Data::new(
        AppState::new(Site::build(library).expect("site"), None)
            .with_store(store)
            .with_admin_token(token.map(str::to_string)),
    )
}

fn basic(password: &str) -> String {
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("admin:{password}"))
    )
}

async fn admin(state: &Data<AppState>, authorization: Option<String>) -> crate::common::Response {
    admin_at(state, "/admin/insights", authorization).await
}

/// The page at `uri`: `/admin/insights` or `/en/admin/insights`.
async fn admin_at(
    state: &Data<AppState>,
    uri: &str,
    authorization: Option<String>,
) -> crate::common::Response {
    let mut req = TestRequest::get().uri(uri);
    if let Some(value) = authorization {
        req = req.insert_header(("authorization", value));
    }
    request(state, req).await
}

#[actix_web::test]
async fn the_page_does_not_exist_without_a_configured_token() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), None).await;
    assert_eq!(admin(&state, None).await.status, 404);
    assert_eq!(admin(&state, Some(basic(""))).await.status, 404);
    let state_empty = {
        let library = wendao::content::load(&repo_content()).expect("content");
        Data::new(
            AppState::new(Site::build(library).expect("site"), None)
                .with_admin_token(Some(String::new())),
        )
    };
    assert_eq!(
        admin(&state_empty, Some(basic(""))).await.status,
        404,
        "an empty token is no token"
    );
}

#[actix_web::test]
async fn the_page_is_closed_without_the_right_token() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), Some(TOKEN)).await;
    for authorization in [
        None,
        Some(basic("wrong")),
        Some(basic("s3cret-令")),
        Some(format!("Bearer {TOKEN}x")),
        Some("Basic !!!not-base64".to_string()),
        Some(TOKEN.to_string()),
    ] {
        let res = admin(&state, authorization.clone()).await;
        assert_eq!(res.status, 401, "{authorization:?}");
        assert!(
            res.header("www-authenticate")
                .is_some_and(|v| v.starts_with("Basic"))
        );
        assert!(!res.body.contains("统计与反馈"));
    }
    for authorization in [basic(TOKEN), format!("Bearer {TOKEN}")] {
        let res = admin(&state, Some(authorization)).await;
        assert_eq!(res.status, 200);
        assert_eq!(res.header("cache-control"), Some("no-store"));
        assert!(res.body.contains("统计与反馈"));
    }
}

#[actix_web::test]
async fn votes_searches_and_wizard_runs_show_on_the_page_and_in_the_cli() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), Some(TOKEN)).await;

    // A vote with a comment, twice the same search with no results, a result opened.
    let vote = TestRequest::post()
        .uri("/kb/timeout/feedback")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(
            "helpful=no&comment=%E5%AE%89%E5%8D%93%E4%B8%8A%E8%BF%98%E6%98%AF%E4%B8%8D%E8%A1%8C",
        );
    assert_eq!(request(&state, vote).await.status, 303);
    // The same from the English site: the language goes with the comment and the search.
    let vote = TestRequest::post()
        .uri("/en/kb/cookie/feedback")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload("helpful=no&comment=still%20no%20cookie%20on%20iOS");
    assert_eq!(request(&state, vote).await.status, 303);
    get(&state, "/en/search?q=quantum%20entanglement").await;
    for q in [
        "%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0",
        "%20%E9%87%8F%E5%AD%90%E7%B3%BE%E7%BA%8F%20",
    ] {
        get(&state, &format!("/search?q={q}")).await;
    }
    // A search that finds only weak matches (登录 is in no entry), three times: the page is
    // never served from the cache, so each counts (these requests carry no visitor cookie).
    for _ in 0..3 {
        let weak = get(&state, "/search?q=%E7%99%BB%E5%BD%95%E5%A4%B1%E8%B4%A5").await;
        assert!(weak.body.contains("没有条目回答“登录失败”"));
    }
    let results = get(&state, "/search?q=N22106").await;
    assert!(results.body.contains("/kb/n22106?from=search&#38;q=N22106"));
    get(&state, "/kb/n22106?from=search&q=N22106").await;

    // A wizard run: start, the symptom question, an outcome, "not solved".
    for url in [
        "/wizard/request-errors",
        "/wizard/request-errors?a=",
        "/wizard/request-errors?a=&a=wrong-data",
        "/wizard/request-errors?a=&a=wrong-data&a=garbled",
        "/wizard/request-errors?a=&a=wrong-data&a=garbled&solved=no",
        "/wizard/request-errors?a=%E5%A5%87%E6%80%AA",
        "/wizard/request-errors?a=&a=message&a=%E5%A5%87%E6%80%AA",
        // Started once more in English, and left at once.
        "/en/wizard/request-errors",
    ] {
        assert_eq!(get(&state, url).await.status, 200, "{url}");
    }

    let page = admin(&state, Some(basic(TOKEN))).await.body;
    assert!(
        page.contains("my.request 接口设置超时时间后依旧超时？"),
        "the voted entry"
    );
    assert!(page.contains("安卓上还是不行"), "its comment");
    assert!(page.contains("量子纠缠"), "the zero-result query");
    let zero = page
        .split("<h2 id=\"zero-title\">")
        .nth(1)
        .expect("section");
    assert!(
        zero.contains("量子纠缠</a></td><td>zh-CN</td><td>没有结果</td><td class=\"num\"><svg")
            && zero.contains("</svg> 2</td>"),
        "counted twice, traditional folded into simplified: {zero:.600}"
    );
    assert!(
        zero.contains("登录失败</a></td><td>zh-CN</td><td>只有弱相关</td><td class=\"num\"><svg")
            && zero.contains("</svg> 3</td>"),
        "the weakly matched search, each time: {zero:.1200}"
    );
    assert!(
        zero.contains("<a href=\"/en/search?q=quantum%20entanglement\" lang=\"en\">quantum entanglement</a></td><td>en</td><td>没有结果</td>"),
        "the English search, linking the English results: {zero:.2000}"
    );
    assert!(
        page.contains("<span class=\"tag\">en</span><blockquote lang=\"en\">still no cookie on iOS</blockquote>"),
        "the English comment, marked"
    );
    assert!(
        page.contains("<a href=\"/en/kb/cookie\">"),
        "linking the page it was left on"
    );
    assert!(
        page.contains("请求接口报错 “N22106”？"),
        "the opened result"
    );
    assert!(
        page.contains("开始 2 次（zh-CN 1 次、en 1 次），得出结论 1 次，转为搜索 1 次"),
        "the funnel summary"
    );
    let best = page
        .split("<h2 id=\"best-title\">")
        .nth(1)
        .expect("most helpful section");
    assert!(
        best.contains("/kb/timeout"),
        "voted entries are listed among the most helpful too"
    );
    assert!(page.contains("中途离开 0 次"), "{page}");
    assert!(page.contains("“没有解决” 1 次"));
    assert!(page.contains("<rect class=\"bar"), "drawn as SVG");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wendao"))
        .args(["insights", "--data"])
        .arg(data.path())
        .env_remove("WENDAO_DATA")
        .output()
        .expect("run wendao insights");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    // Its headings are English, as every other command's output.
    for line in text.lines().filter(|l| !l.starts_with("  ")) {
        assert!(
            !line.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{line}"
        );
    }
    assert!(
        text.contains("Entries by votes (most in need of work first): entry, helpful, not helpful")
    );
    for want in [
        "timeout\t0\t1",
        "安卓上还是不行",
        "量子纠缠\t2\tnone\tzh-CN",
        "quantum entanglement\t1\tnone\ten",
        "still no cookie on iOS\ten",
        "登录失败\t3\tweak",
        "n22106\tn22106\t1",
        "request-errors\tout-garbled\tno\t1",
        "request-errors\t(search)\t1",
    ] {
        assert!(text.contains(want), "want {want:?} in:\n{text}");
    }
}

/// `/en/admin/insights`: the same page in English, entries and wizards by their English titles
/// linking their English pages, its 401 and 404 in English; an entry not translated keeps its
/// Chinese title, marked so. The Chinese page links to it.
#[actix_web::test]
async fn the_page_is_read_in_english_under_en() {
    let content = TempContent::copy_of(&repo_content());
    content.remove("kb/cookie.en.md");
    let data = tempfile::tempdir().expect("data");
    let state = state_of(content.path(), data.path(), Some(TOKEN)).await;
    let en = "/en/admin/insights";

    let closed = admin_at(&state, en, None).await;
    assert_eq!(closed.status, 401);
    assert_eq!(closed.body, "The admin token is needed.");
    assert_eq!(admin(&state, None).await.body, "需要管理口令。");

    for (uri, payload) in [
        ("/en/kb/timeout/feedback", "helpful=no&comment=still%20slow"),
        ("/kb/cookie/feedback", "helpful=yes"),
    ] {
        let vote = TestRequest::post()
            .uri(uri)
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(payload);
        assert_eq!(request(&state, vote).await.status, 303, "{uri}");
    }
    for uri in [
        "/en/search?q=quantum%20entanglement",
        "/en/kb/n22106?from=search&q=N22106",
        "/wizard/request-errors",
        "/en/wizard/request-errors",
    ] {
        assert_eq!(get(&state, uri).await.status, 200, "{uri}");
    }
    // The help widget on another site's ticket form.
    let suggested = TestRequest::post()
        .uri("/api/deflection")
        .insert_header(("content-type", "text/plain;charset=UTF-8"))
        .insert_header(("origin", "https://shop.example.com"))
        .insert_header(("sec-fetch-site", "cross-site"))
        .set_payload(r#"{"event":"suggested","entries":["timeout"]}"#);
    assert_eq!(request(&state, suggested).await.status, 204);
    state.store().expect("store").flush().await.expect("flush");

    let res = admin_at(&state, en, Some(basic(TOKEN))).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    assert_eq!(res.header("x-robots-tag"), Some("noindex"));
    let page = &res.body;
    crate::languages::assert_english(page, en);
    for heading in [
        "<title>Statistics and feedback · Wendao Help Center</title>",
        "<h1>Statistics and feedback</h1>",
        ">Entries by votes (most in need of work first)</h2>",
        ">Most helpful entries</h2>",
        ">Comments (newest first)</h2>",
        ">Searches without an answer</h2>",
        ">Entries opened from search results</h2>",
        ">The help widget on ticket forms</h2>",
        ">Wizard: Network request error troubleshooting wizard</h2>",
    ] {
        assert!(page.contains(heading), "{heading}");
    }
    let library = wendao::content::load(content.path()).expect("content");
    let english = library.localized("en");
    let title = |id: &str| escape(&english.entry(id).expect("entry").title);
    assert!(
        page.contains(&format!(
            "<a href=\"/en/kb/timeout\">{}</a>",
            title("timeout")
        )),
        "the voted entry by its English title"
    );
    assert!(
        page.contains(&format!(
            "<a href=\"/en/kb/n22106\">{}</a>",
            title("n22106")
        )),
        "the opened result"
    );
    let chinese_title = format!(
        "<a href=\"/kb/cookie\" lang=\"zh-CN\">{}</a>",
        title("cookie")
    );
    assert!(page.contains(&chinese_title), "not translated: {page}");
    assert!(page.contains("still slow"));
    assert!(
        page.contains("<p id=\"widget-forms\">Forms shown suggestions: 1. Of these,"),
        "{page}"
    );
    assert!(page.contains(">quantum entanglement</a></td><td>en</td><td>No results</td>"));
    assert!(
        page.contains(
            "Started 2 times (zh-CN 1 time, en 1 time), reached a result 0 times, turned to a search 0 times, left midway 2 times"
        ),
        "the funnel, its counts in words: {page}"
    );
    // Nothing Chinese but the brand mark, the switch to the Chinese page and content: the
    // title of the entry not translated, and the English wizard's steps that quote Chinese
    // error messages.
    let switch = "<a class=\"header-language\" href=\"/admin/insights\" hreflang=\"zh-CN\" lang=\"zh-CN\">中文</a>";
    assert!(page.contains(switch));
    let mut rest = page
        .replace("aria-hidden=\"true\">问</span>", "")
        .replace(switch, "")
        .replace(&chinese_title, "");
    for step in english.wizards.iter().flat_map(|w| &w.steps) {
        rest = rest.replace(&escape(&step.title), "");
    }
    let han: String = rest
        .chars()
        .filter(|c| ('\u{4e00}'..='\u{9fff}').contains(c))
        .collect();
    assert!(han.is_empty(), "{han}");

    let chinese = admin(&state, Some(basic(TOKEN))).await.body;
    assert!(chinese.contains("<html lang=\"zh-CN\">"));
    assert!(chinese.contains("<h1>统计与反馈</h1>"));
    assert!(chinese.contains("href=\"/en/admin/insights\" hreflang=\"en\""));

    let closed_site = state_of(content.path(), data.path(), None).await;
    let missing = admin_at(&closed_site, en, Some(basic(TOKEN))).await;
    assert_eq!(missing.status, 404);
    assert!(missing.body.contains("<html lang=\"en\">"));
}

/// The titles listed under 常见问题 on a page, in order.
fn popular_titles(body: &str) -> Vec<String> {
    let Some(start) = body.find("常见问题</h2>") else {
        return Vec::new();
    };
    let list = &body[start..];
    let list = &list[..list.find("</ul>").expect("the list ends")];
    list.split("\">")
        .skip(1)
        .filter_map(|part| part.split_once("</a>").map(|(title, _)| title.to_string()))
        .collect()
}

#[actix_web::test]
async fn popular_entries_are_those_people_open_and_find_helpful() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), None).await;
    let library = wendao::content::load(&repo_content()).expect("content");
    let title = |id: &str| library.entry(id).expect("entry").title.clone();
    let first_six: Vec<String> = library
        .entries
        .iter()
        .take(6)
        .map(|e| e.title.clone())
        .collect();

    // A new site: no data yet, so the first entries stand in.
    assert_eq!(popular_titles(&get(&state, "/").await.body), first_six);

    // Opened from search twice; voted helpful once; an entry voted unhelpful gains nothing.
    for _ in 0..2 {
        get(&state, "/kb/n22106?from=search&q=N22106").await;
    }
    // Page views are counted in memory; the server writes them each second, this test now.
    state.store().expect("store").flush().await.expect("flush");
    for (entry, helpful) in [("timeout", "yes"), ("error-19", "no")] {
        let vote = TestRequest::post()
            .uri(&format!("/kb/{entry}/feedback"))
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload(format!("helpful={helpful}"));
        assert_eq!(request(&state, vote).await.status, 303);
    }
    let home = popular_titles(&get(&state, "/").await.body);
    assert_eq!(home.len(), 6, "{home:?}");
    assert_eq!(home[..2], [title("n22106"), title("timeout")], "{home:?}");
    assert!(!home[..2].contains(&title("error-19")));

    // The page for a search with no results offers the same.
    let empty = get(&state, "/search?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0").await;
    assert!(empty.body.contains("没有找到"));
    let offered = popular_titles(&empty.body);
    assert_eq!(
        offered[..2],
        [title("n22106"), title("timeout")],
        "{offered:?}"
    );
}

/// What people type is shown as text on the admin page, never as markup: a comment and a
/// search holding HTML come out escaped.
#[actix_web::test]
async fn comments_and_queries_with_markup_are_escaped_on_the_page() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), Some(TOKEN)).await;
    let vote = TestRequest::post()
        .uri("/kb/timeout/feedback")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload("helpful=no&comment=%3Cscript%3Ealert(1)%3C%2Fscript%3E%3Cimg%20src%3Dx%20onerror%3Dalert(2)%3E");
    assert_eq!(request(&state, vote).await.status, 303);
    get(&state, "/search?q=%3Cb%3Ezzqq%3C%2Fb%3E").await;
    if let Some(store) = state.store() {
        store.flush().await.expect("counters written");
    }
    let page = admin(&state, Some(basic(TOKEN))).await.body;
    assert!(!page.contains("<script>alert(1)"), "a comment must not run");
    assert!(
        !page.contains("<img src=x"),
        "a comment must not become an element"
    );
    assert!(page.contains("&#60;script&#62;alert(1)") || page.contains("&lt;script&gt;alert(1)"));
    assert!(
        !page.contains("<b>zzqq</b>"),
        "a query must not become markup"
    );
    assert!(page.contains("zzqq"), "the zero-result query is listed");
}

/// Junk query `i`: 200 characters that match nothing, distinct for every `i`.
fn junk(i: u32) -> String {
    const RARE: [char; 12] = [
        '龘', '靐', '齉', '爨', '鬱', '纛', '饕', '餮', '魑', '魅', '魍', '魉',
    ];
    let mut x = i.wrapping_mul(2_654_435_761) ^ 0x5bd1_e995;
    let mut text = String::new();
    while text.chars().count() < 200 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        text.push(RARE[(x % 12) as usize]);
    }
    text
}

/// What the database takes on disk, with its write-ahead log.
fn database_bytes(data: &Path) -> u64 {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            std::fs::metadata(data.join(format!("{}{suffix}", wendao::store::FILE))).ok()
        })
        .map(|m| m.len())
        .sum()
}

#[actix_web::test]
async fn a_flood_of_junk_searches_leaves_the_query_tables_bounded() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), Some(TOKEN)).await;
    let store = state.store().expect("a store").clone();

    // What people really ask, before the flood: one unanswered question, one opened result.
    for _ in 0..5 {
        get(&state, "/search?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0").await;
        get(&state, "/kb/n22106?from=search&q=N22106").await;
    }
    store.flush().await.expect("flush");

    // 20,000 distinct junk searches, and as many junk "opened from a search" links, written
    // as the server's flusher writes them (once a second; here every 1,000). One in ten goes
    // through HTTP; the rest straight to the calls the handlers make (a debug build searches
    // 200 characters of junk slowly).
    for i in 0..20_000 {
        let q = junk(i);
        if i % 10 == 0 {
            let found = get(&state, &format!("/search?q={}", encoded(&q))).await;
            assert!(found.body.contains("没有找到"), "junk {i} finds nothing");
            let opened = get(
                &state,
                &format!("/kb/timeout?from=search&q={}", encoded(&q)),
            )
            .await;
            assert_eq!(opened.status, 200);
        } else {
            store.unanswered(&normalize_query(&q), false, "zh-CN");
            store.result_opened(&normalize_query(&q), "timeout");
        }
        if i % 1_000 == 999 {
            store.flush().await.expect("flush");
        }
    }

    let rows = wendao::store::INSIGHT_ROWS as usize;
    let insights = store.insights(i64::MAX).await.expect("insights");
    assert!(
        (rows / 2..=rows).contains(&insights.zero_results.len()),
        "zero-result rows: {}",
        insights.zero_results.len()
    );
    assert!(
        (rows / 2..=rows).contains(&insights.opened.len()),
        "opened rows: {}",
        insights.opened.len()
    );
    assert_eq!(
        insights.zero_results.first(),
        Some(&UnansweredSearch {
            query: "量子纠缠".into(),
            count: 5,
            weak: false,
            lang: "zh-CN".into(),
        }),
        "the question people ask most survives"
    );
    assert!(
        insights.opened.contains(&OpenedResult {
            query: "n22106".into(),
            entry: "n22106".into(),
            count: 5
        }),
        "the result people open survives"
    );
    // A new question after the flood still shows up (times are kept in seconds).
    std::thread::sleep(std::time::Duration::from_millis(1_100));
    let new = junk(20_000);
    get(&state, &format!("/search?q={}", encoded(&new))).await;
    store.flush().await.expect("flush");
    let insights = store.insights(i64::MAX).await.expect("insights");
    let stored: String = normalize_query(&new)
        .chars()
        .take(wendao::store::QUERY_CHARS)
        .collect();
    assert!(
        insights.zero_results.iter().any(|z| z.query == stored),
        "the newest query is kept, cut to {} characters",
        wendao::store::QUERY_CHARS
    );
    assert!(insights.zero_results.len() <= rows);
    let bytes = database_bytes(data.path());
    eprintln!("database after the flood: {bytes} bytes");
    assert!(bytes < 5 << 20, "{bytes} bytes");

    let page = admin(&state, Some(basic(TOKEN))).await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("量子纠缠"));

    // `wendao insights --prune` cuts to a smaller bound and gives the space back.
    store.close().await;
    drop(state);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_wendao"))
        .args(["insights", "--prune", "--insights-rows", "10", "--data"])
        .arg(data.path())
        .env_remove("WENDAO_DATA")
        .env_remove("WENDAO_INSIGHTS_ROWS")
        .output()
        .expect("run wendao insights --prune");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let pruned = database_bytes(data.path());
    assert!(
        pruned < bytes / 4,
        "{pruned} bytes after pruning, {bytes} before"
    );
    let store = Store::open(data.path()).await.expect("reopen");
    let insights = store.insights(i64::MAX).await.expect("insights");
    assert!(insights.zero_results.len() <= 10);
    assert!(insights.opened.len() <= 10);
    assert_eq!(insights.zero_results.first().map(|z| z.count), Some(5));
    store.close().await;

    let refused = std::process::Command::new(env!("CARGO_BIN_EXE_wendao"))
        .args(["insights", "--prune", "--insights-rows", "0", "--data"])
        .arg(data.path())
        .output()
        .expect("run wendao insights");
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("--insights-rows"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
}

/// A GET from `addr` with `user_agent`, and extra headers.
fn view(uri: &str, addr: &str, extra: &[(&str, &str)]) -> TestRequest {
    let mut req = TestRequest::get()
        .uri(uri)
        .peer_addr(addr.parse().expect("address"))
        .insert_header(("user-agent", "Mozilla/5.0 测试"));
    for (name, value) in extra {
        req = req.insert_header((*name, *value));
    }
    req
}

#[actix_web::test]
async fn plain_links_count_once_per_visitor_and_only_for_page_views() {
    let data = tempfile::tempdir().expect("data");
    let state = state(data.path(), None).await;
    let store = state.store().expect("a store").clone();
    let opened = "/kb/n22106?from=search&q=N22106";
    let solved = "/wizard/request-errors?a=&a=wrong-data&a=garbled&solved=yes";
    let step = "/wizard/request-errors?a=";
    let nothing = "/search?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0";
    // One reader clicks each link three times; then a second reader once.
    for uri in [opened, solved, step, nothing] {
        for _ in 0..3 {
            assert_eq!(
                request(&state, view(uri, "10.0.0.1:5000", &[]))
                    .await
                    .status,
                200
            );
        }
        request(&state, view(uri, "10.0.0.2:5000", &[])).await;
        // Not page views: a HEAD, a browser's prefetch, a prerender.
        request(
            &state,
            TestRequest::default()
                .method(actix_web::http::Method::HEAD)
                .uri(uri)
                .peer_addr("10.0.0.3:5000".parse().expect("address")),
        )
        .await;
        request(
            &state,
            view(uri, "10.0.0.4:5000", &[("sec-purpose", "prefetch")]),
        )
        .await;
        request(
            &state,
            view(
                uri,
                "10.0.0.5:5000",
                &[("sec-purpose", "prefetch;prerender")],
            ),
        )
        .await;
        request(
            &state,
            view(uri, "10.0.0.6:5000", &[("purpose", "prefetch")]),
        )
        .await;
    }
    // The same visitor (by cookie) from two addresses is one reader.
    let cookie = ("cookie", "wendao_visitor=0123456789abcdef0123456789abcdef");
    request(&state, view(opened, "10.0.1.1:5000", &[cookie])).await;
    request(&state, view(opened, "10.0.1.2:5000", &[cookie])).await;
    store.flush().await.expect("flush");

    let insights = store.insights(100).await.expect("insights");
    assert_eq!(
        insights.opened,
        vec![OpenedResult {
            query: "n22106".into(),
            entry: "n22106".into(),
            count: 3
        }],
        "two readers by address and one by cookie"
    );
    assert_eq!(
        insights.outcomes,
        vec![OutcomeAnswers {
            wizard: "request-errors".into(),
            outcome: "out-garbled".into(),
            solved: true,
            lang: "zh-CN".into(),
            count: 2
        }]
    );
    assert_eq!(insights.steps.len(), 1, "{:?}", insights.steps);
    assert_eq!(
        insights.steps[0].visits, 2,
        "the step, once a reader: {:?}",
        insights.steps
    );
    assert_eq!(
        insights.zero_results,
        vec![UnansweredSearch {
            query: "量子纠缠".into(),
            count: 2,
            weak: false,
            lang: "zh-CN".into(),
        }]
    );
}
