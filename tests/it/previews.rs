//! What other tools see of a page or an entry: link previews (Open Graph, Twitter), `FAQPage`
//! structured data, CORS on the read-only API, absolute URLs and ticket text in the API.

use crate::common::{TempContent, get, repo_content, request, state, unescape};
use actix_web::test::TestRequest;

const BASE: &str = "https://help.example.com";

/// The `content` of `<meta property|name="{name}" content="…">`, unescaped.
fn meta(page: &str, name: &str) -> Option<String> {
    let at = page
        .find(&format!("property=\"{name}\" content=\""))
        .or_else(|| page.find(&format!("name=\"{name}\" content=\"")))?;
    let rest = &page[at..];
    let start = rest.find("content=\"")? + "content=\"".len();
    rest[start..].split('"').next().map(unescape)
}

#[actix_web::test]
async fn every_page_gives_a_link_preview() {
    let state = state(&repo_content(), Some(BASE));
    let entry = get(&state, "/api/entries/timeout").await.json();
    let title = entry["title"].as_str().expect("title");
    let lead = entry["summary"].as_str().expect("summary");

    let page = get(&state, "/kb/timeout").await.body;
    assert_eq!(meta(&page, "og:type"), Some("article".into()));
    assert_eq!(meta(&page, "og:title").as_deref(), Some(title));
    assert_eq!(meta(&page, "og:description").as_deref(), Some(lead));
    assert_eq!(
        meta(&page, "og:url").as_deref(),
        Some("https://help.example.com/kb/timeout")
    );
    assert_eq!(meta(&page, "twitter:card"), Some("summary".into()));
    assert_eq!(meta(&page, "twitter:title").as_deref(), Some(title));
    assert_eq!(meta(&page, "og:locale"), Some("zh_CN".into()));

    for (path, want_title) in [
        ("/", "问道 支持中心"),
        ("/c/request-errors", "请求异常类"),
        ("/wizard", "排查向导"),
        ("/search?q=%E8%B6%85%E6%97%B6", "搜索：超时"),
    ] {
        let page = get(&state, path).await.body;
        assert_eq!(meta(&page, "og:type"), Some("website".into()), "{path}");
        let got = meta(&page, "og:title").unwrap_or_else(|| panic!("{path}: no og:title"));
        assert!(got.starts_with(want_title), "{path}: {got}");
        assert!(
            meta(&page, "og:description").is_some_and(|d| !d.is_empty()),
            "{path}"
        );
        assert!(
            meta(&page, "og:url").is_some_and(|u| u.starts_with(BASE)),
            "{path}"
        );
    }
    let step = get(&state, "/wizard/request-errors").await.body;
    assert!(
        meta(&step, "og:title").is_some_and(|t| !t.is_empty() && t != "问道 支持中心"),
        "a wizard step is titled by its wizard"
    );
}

#[actix_web::test]
async fn entry_pages_carry_faq_structured_data_that_cannot_break_out() {
    let content = TempContent::copy_of(&repo_content());
    content.write(
        "kb/script-tag.md",
        "+++\ntitle = \"页面里出现 </script> 怎么办？\"\ncategory = \"request-errors\"\n+++\n正文提到 `</script><script>alert(1)</script>` 也没关系。\n",
    );
    let state = state(content.path(), Some(BASE));
    for id in ["timeout", "script-tag"] {
        let page = get(&state, &format!("/kb/{id}")).await.body;
        let start = page
            .find("<script type=\"application/ld+json\">")
            .expect("structured data")
            + "<script type=\"application/ld+json\">".len();
        let json = &page[start..start + page[start..].find("</script>").expect("its end")];
        let data: serde_json::Value = serde_json::from_str(json)
            .unwrap_or_else(|e| panic!("{id}: {e}: the JSON was cut short: {json}"));
        let entry = get(&state, &format!("/api/entries/{id}")).await.json();
        assert_eq!(data["@type"], "FAQPage");
        assert_eq!(data["mainEntity"][0]["@type"], "Question");
        assert_eq!(data["mainEntity"][0]["name"], entry["title"]);
        assert_eq!(
            data["mainEntity"][0]["acceptedAnswer"]["text"], entry["text"],
            "{id}: the whole answer"
        );
        assert_eq!(data["url"], format!("{BASE}/kb/{id}"));
    }
}

#[actix_web::test]
async fn the_read_only_api_answers_any_origin_and_nothing_else_does() {
    let state = state(&repo_content(), None);
    for path in [
        "/api/entries",
        "/api/entries/timeout",
        "/api/search?q=%E8%B6%85%E6%97%B6",
        "/api/suggest?q=%E7%99%BD",
        "/api/search",
    ] {
        let res = request(
            &state,
            TestRequest::get()
                .uri(path)
                .insert_header(("origin", "https://tickets.example.org")),
        )
        .await;
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
    // Asked without an Origin too (a cache may keep that answer for another site's page),
    // and on a revalidation.
    for path in ["/api/suggest?q=%E7%99%BD", "/api/entries"] {
        let res = get(&state, path).await;
        assert_eq!(
            res.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
        let etag = res.header("etag").expect("etag").to_string();
        let again = request(
            &state,
            TestRequest::get()
                .uri(path)
                .insert_header(("origin", "https://tickets.example.org"))
                .insert_header(("if-none-match", etag)),
        )
        .await;
        assert_eq!(again.status, 304, "{path}");
        assert_eq!(
            again.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
    for path in ["/kb/timeout", "/", "/healthz"] {
        let res = get(&state, path).await;
        assert_eq!(res.header("access-control-allow-origin"), None, "{path}");
    }
    let vote = request(
        &state,
        TestRequest::post()
            .uri("/kb/timeout/feedback")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("helpful=yes"),
    )
    .await;
    assert_eq!(vote.header("access-control-allow-origin"), None);
}

#[actix_web::test]
async fn the_api_gives_absolute_urls_only_when_the_base_url_is_known() {
    let known = state(&repo_content(), Some(BASE));
    let unknown = state(&repo_content(), None);
    let list = get(&known, "/api/entries").await.json();
    let first = &list["entries"][0];
    assert_eq!(
        first["absolute_url"],
        format!("{BASE}{}", first["url"].as_str().expect("url"))
    );
    let hits = get(&known, "/api/search?q=%E8%B6%85%E6%97%B6").await.json();
    assert_eq!(
        hits["hits"][0]["absolute_url"],
        format!("{BASE}{}", hits["hits"][0]["url"].as_str().expect("url"))
    );
    let suggestions = get(&known, "/api/suggest?q=%E7%99%BD").await.json();
    assert!(
        suggestions["suggestions"][0]["absolute_url"]
            .as_str()
            .is_some_and(|u| u.starts_with(BASE))
    );
    for path in [
        "/api/entries",
        "/api/search?q=%E8%B6%85%E6%97%B6",
        "/api/suggest?q=%E7%99%BD",
    ] {
        let body = get(&unknown, path).await.body;
        assert!(
            !body.contains("absolute_url"),
            "{path}: a Host is not trusted to say it"
        );
    }
}

#[actix_web::test]
async fn an_entry_in_the_api_has_its_summary_and_ticket_reply() {
    let state = state(&repo_content(), Some(BASE));
    for id in ["timeout", "n22106", "domain-whitelist"] {
        let entry = get(&state, &format!("/api/entries/{id}")).await.json();
        let summary = entry["summary"].as_str().expect("summary");
        assert!(!summary.is_empty());
        assert!(
            summary.ends_with(['。', '！', '？', '；', '…']),
            "{id}: whole sentences: {summary}"
        );
        let text = entry["text"].as_str().expect("text").replace('\n', " ");
        assert!(
            text.starts_with(summary.trim_end_matches('…')),
            "{id}: the opening of the text"
        );
        let reply = entry["ticket_reply"].as_str().expect("ticket_reply");
        assert_eq!(
            reply,
            format!(
                "{}\n{summary}\n{BASE}/kb/{id}",
                entry["title"].as_str().expect("title")
            )
        );
        // The entry page offers the same text.
        let page = get(&state, &format!("/kb/{id}")).await.body;
        let shown = page
            .split("id=\"ticket-reply-text\" readonly rows=\"4\">")
            .nth(1)
            .and_then(|rest| rest.split("</textarea>").next())
            .expect("the ticket reply on the page");
        assert_eq!(unescape(shown), reply);
    }
}
