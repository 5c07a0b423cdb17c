//! Search over HTTP: the results page, the JSON calls, highlighting, filters, paging and bad input.

use crate::common::{encoded, get, repo_content, request, state};
use actix_web::test::TestRequest;

/// The texts inside `<mark>…</mark>` of a page.
/// The `id` of each item of a JSON list (`hits`, `suggestions`), in order.
fn ids(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .expect("a JSON list")
        .iter()
        .map(|item| item["id"].as_str().expect("an id").to_string())
        .collect()
}

fn marked(html: &str) -> Vec<String> {
    html.split("<mark>")
        .skip(1)
        .filter_map(|rest| rest.split_once("</mark>").map(|(m, _)| m.to_string()))
        .collect()
}

#[actix_web::test]
async fn a_chinese_query_highlights_whole_words_in_titles_and_snippets() {
    let state = state(&repo_content(), None);
    let res = get(&state, &format!("/search?q={}", encoded("白名单不生效"))).await;
    assert_eq!(res.status, 200);
    let first = res.body.find("class=\"hit-title\"").expect("a hit");
    assert!(
        res.body[first..].starts_with(
            "class=\"hit-title\" href=\"/kb/whitelist-not-effective?from=search&#38;q="
        )
    );
    let marks = marked(&res.body);
    assert!(marks.contains(&"白名单".to_string()), "{marks:?}");
    assert!(marks.contains(&"生效".to_string()), "{marks:?}");
    // Highlights are words, not lone characters such as 不.
    for m in &marks {
        assert!(
            m.chars().count() >= 2,
            "lone character highlighted: {marks:?}"
        );
    }
    assert!(
        res.body.contains("value=\"白名单不生效\""),
        "the query stays in the box"
    );
    // Readers see the entry's clean link; the tracking stays in the href.
    assert!(
        res.body
            .contains("<span class=\"hit-url\">/kb/whitelist-not-effective</span>"),
        "{}",
        res.body
    );
}

#[actix_web::test]
async fn traditional_and_full_width_queries_highlight_the_simplified_text() {
    let state = state(&repo_content(), None);
    let res = get(&state, &format!("/search?q={}", encoded("白名單"))).await;
    assert!(marked(&res.body).contains(&"白名单".to_string()));
    let res = get(&state, &format!("/search?q={}", encoded("ＨＴＴＰＳ"))).await;
    assert!(
        marked(&res.body).iter().any(|m| m == "HTTPS"),
        "{:?}",
        marked(&res.body)
    );
}

#[actix_web::test]
async fn category_filter_counts_and_pagination() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/search?q=my.request").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("按分类筛选"));
    assert!(
        res.body
            .contains("/search?q=my.request&#38;category=request-errors"),
        "filter link"
    );
    let total: usize = res
        .body
        .split("找到 ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(total > 10, "my.request is in most entries: {total}");
    assert!(res.body.contains("rel=\"next\""));
    assert_eq!(res.body.matches("class=\"hit\"").count(), 10);

    let page2 = get(&state, "/search?q=my.request&page=2").await;
    assert_eq!(page2.status, 200);
    assert!(page2.body.contains("rel=\"prev\""));
    assert_eq!(page2.body.matches("class=\"hit\"").count(), total - 10);

    let filtered = get(&state, "/search?q=my.request&category=features").await;
    for id in ["error-19", "error-2", "timeout"] {
        assert!(
            !filtered
                .body
                .contains(&format!("href=\"/kb/{id}?from=search")),
            "{id} is not a feature entry"
        );
    }
    assert!(
        filtered
            .body
            .contains("href=\"/kb/request-sync?from=search")
    );
    assert!(filtered.body.contains("aria-current=\"true\""));
}

#[actix_web::test]
async fn no_results_says_so_and_offers_ways_forward() {
    let state = state(&repo_content(), None);
    let res = get(&state, &format!("/search?q={}", encoded("量子纠缠白名"))).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("没有找到与“量子纠缠白名”相关的条目"),
        "{}",
        res.body
    );
    assert!(res.body.contains("试试这些搜索"), "near queries");
    assert!(
        res.body.contains("/kb/request-troubleshooting"),
        "the troubleshooting guide"
    );
    assert!(res.body.contains("常见问题"), "popular entries");
    assert!(
        res.body.contains("已经看过的条目"),
        "whom to contact (contact.md)"
    );
}

#[actix_web::test]
async fn without_contact_md_a_search_that_finds_nothing_shows_no_contact() {
    let state = state(&crate::common::fixture("basic"), None);
    let res = get(&state, &format!("/search?q={}", encoded("量子纠缠"))).await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("没有找到"), "{}", res.body);
    // The header's 联系我们 link stays; the contact section is not made up.
    assert!(!res.body.contains("<h2>联系我们</h2>"));
    assert!(!res.body.contains("class=\"contact\""));
}

#[actix_web::test]
async fn a_question_no_entry_answers_says_so_and_shows_weak_matches_at_most() {
    let state = state(&repo_content(), None);
    // 失败 matches every error entry through its synonyms, but 登录 (login) is in none of them.
    let res = get(&state, &format!("/search?q={}", encoded("登录失败"))).await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("没有条目回答“登录失败”"), "{}", res.body);
    assert!(!res.body.contains("条结果"), "not presented as results");
    assert!(res.body.contains(">可能相关</h2>"));
    let hits = res.body.matches("class=\"hit-title\"").count();
    assert!((1..=5).contains(&hits), "{hits} weak matches");
    assert!(!res.body.contains("class=\"pagination\""));
    assert!(
        res.body.contains("href=\"/wizard/request-errors\""),
        "the wizard"
    );
    // contact.md's text, not the wizard's (which speaks of the answers given in the wizard).
    assert!(res.body.contains("支付宝开放平台"), "the contact text");
    assert!(res.body.contains("已经看过的条目"), "contact.md");
    assert!(!res.body.contains("向导里的每一个回答"), "not the wizard's");

    // A question an entry does answer is shown as results, with no such notice.
    let res = get(&state, &format!("/search?q={}", encoded("白名单不生效"))).await;
    assert!(res.body.contains("条结果"));
    assert!(!res.body.contains("没有条目回答"));
    assert!(!res.body.contains("可能相关"));
}

#[actix_web::test]
async fn a_query_that_is_a_tag_brings_the_tagged_entries_first_the_most_referenced_first() {
    let content = crate::common::TempContent::copy_of(&crate::common::fixture("basic"));
    // Three entries on one code: a short title that says it twice (the highest BM25), one
    // that another entry links to, and one that only mentions it in passing, untagged.
    content.write(
        "kb/short-one.md",
        "+++
title = \"error 7 error 7\"\ncategory = \"alpha\"\ntags = [\"error 7\"]\n+++\n出现 error 7。\n",
    );
    content.write(
        "kb/linked-one.md",
        "+++\ntitle = \"上传接口在弱网下返回 error 7 时的处理办法和注意事项\"\ncategory = \"alpha\"\ntags = [\"Error 7\"]\n+++\n重试即可。\n",
    );
    content.write(
        "kb/hub.md",
        "+++\ntitle = \"常见错误码\"\ncategory = \"beta\"\n+++\n见[这一篇](/kb/linked-one)。\n",
    );
    content.write(
        "kb/passing.md",
        "+++\ntitle = \"error 7 error 7 error 7\"\ncategory = \"beta\"\n+++\nerror 7 error 7。\n",
    );
    let state = state(content.path(), None);
    for q in ["error 7", "ERROR  7", "\"error\":7"] {
        let body = get(&state, &format!("/api/search?q={}", encoded(q)))
            .await
            .json();
        let ids = ids(&body["hits"]);
        assert_eq!(
            ids[..3],
            ["linked-one", "short-one", "passing"],
            "{q}: tagged first, the linked one first among them"
        );
    }
    // Not exactly a tag: BM25 (with the small standing prior) decides, as before.
    let body = get(
        &state,
        &format!("/api/search?q={}", encoded("error 7 重试")),
    )
    .await
    .json();
    assert_eq!(
        ids(&body["hits"])[0],
        "linked-one",
        "the only entry with every word"
    );
    let body = get(&state, &format!("/api/search?q={}", encoded("7 error")))
        .await
        .json();
    assert_ne!(ids(&body["hits"])[0], "linked-one", "{body}");
}

#[actix_web::test]
async fn one_word_that_is_an_entrys_subject_finds_that_entry_first_with_scores_in_order() {
    let content = crate::common::TempContent::copy_of(&crate::common::fixture("basic"));
    // A guide tagged with the word that mentions it once, which three entries link to, and
    // the entry about the word, tagged only with a longer phrase that holds it.
    content.write(
        "kb/guide.md",
        "+++\ntitle = \"请求报错排查方案\"\ncategory = \"alpha\"\ntags = [\"白名单\"]\n+++\n先看状态码，再看日志，最后看白名单。\n",
    );
    for n in 1..=3 {
        content.write(
            &format!("kb/linker-{n}.md"),
            &format!("+++\ntitle = \"第 {n} 种报错\"\ncategory = \"beta\"\n+++\n见[排查方案](/kb/guide)。\n"),
        );
    }
    content.write(
        "kb/subject.md",
        "+++\ntitle = \"配置白名单\"\ncategory = \"alpha\"\ntags = [\"服务器白名单\"]\n+++\n在管理中心添加白名单后，白名单立即生效。\n",
    );
    let written = state(content.path(), None);
    let body = get(&written, &format!("/api/search?q={}", encoded("白名单")))
        .await
        .json();
    assert_eq!(ids(&body["hits"])[..2], ["subject", "guide"], "{body}");
    let scores: Vec<f64> = body["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["score"].as_f64().expect("score"))
        .collect();
    assert!(scores[0] > scores[1], "{scores:?}");
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");

    // The same on the bundled content: the entry on configuring the whitelist, not the
    // troubleshooting guide that many entries link to.
    let bundled = state(&repo_content(), None);
    let body = get(&bundled, &format!("/api/search?q={}", encoded("白名单")))
        .await
        .json();
    assert_eq!(ids(&body["hits"])[0], "domain-whitelist", "{body}");
}

#[actix_web::test]
async fn english_words_find_the_chinese_entries_through_the_glossary() {
    let state = state(&repo_content(), None);
    for (q, want) in [
        ("domain whitelist not working", "whitelist-not-effective"),
        ("garbled chinese params", "garbled-params"),
        ("max concurrent requests", "concurrent-requests"),
    ] {
        let body = get(&state, &format!("/api/search?q={}", encoded(q)))
            .await
            .json();
        assert_eq!(
            ids(&body["hits"]).first().map(String::as_str),
            Some(want),
            "{q}: {body}"
        );
        assert_eq!(body["answered"], true, "{q}");
    }
    // Without the glossary, the same words find nothing of the kind.
    let content = crate::common::TempContent::copy_of(&repo_content());
    std::fs::remove_file(content.path().join("glossary.toml")).expect("remove glossary");
    let bare = crate::common::state(content.path(), None);
    let body = get(
        &bare,
        &format!("/api/search?q={}", encoded("domain whitelist not working")),
    )
    .await
    .json();
    assert_ne!(
        ids(&body["hits"]).first().map(String::as_str),
        Some("whitelist-not-effective"),
        "{body}"
    );
}

#[actix_web::test]
async fn the_api_says_whether_a_search_is_answered() {
    let state = state(&repo_content(), None);
    for (q, answered) in [
        ("error 19", true),
        ("白名单不生效", true),
        ("请求失败", true),
        ("登录失败", false),
        ("支付失败", false),
        ("退款多久到账", false),
        ("量子纠缠", false),
    ] {
        let body = get(&state, &format!("/api/search?q={}", encoded(q)))
            .await
            .json();
        assert_eq!(body["answered"], answered, "{q}: {body}");
        if q == "登录失败" {
            assert!(
                body["total"].as_u64().unwrap() > 0,
                "weak matches are listed"
            );
        }
    }
    // Within a category: answered when an entry of that category answers.
    let body = get(
        &state,
        &format!(
            "/api/search?q={}&category=request-errors",
            encoded("error 19")
        ),
    )
    .await
    .json();
    assert_eq!(body["answered"], true);
    let body = get(
        &state,
        &format!("/api/search?q={}&category=guides", encoded("error 19")),
    )
    .await
    .json();
    assert_eq!(body["answered"], false, "{body}");
}

#[actix_web::test]
async fn entries_with_every_word_come_before_entries_with_some() {
    let state = state(&repo_content(), None);
    let body = get(
        &state,
        &format!("/api/search?q={}&limit=50", encoded("超时 android")),
    )
    .await
    .json();
    let hits = body["hits"].as_array().unwrap();
    assert_eq!(hits[0]["id"], "timeout");
    // Only `timeout` mentions both Android and 超时; the others match one word.
    assert!(hits.len() > 1);
}

#[actix_web::test]
async fn any_input_answers_200() {
    let state = state(&repo_content(), None);
    // 20 KB of Chinese text (60 KB once percent-encoded).
    let long = "超时".repeat(3_400);
    let inputs = [
        "\"未闭合",
        "title:",
        "a AND",
        "AND OR NOT",
        "(N22106",
        "https:",
        "*",
        "?",
        "\\\\",
        "\\",
        "C++",
        "<script>alert(1)</script>",
        "'; DROP TABLE",
        "%",
        "+++",
        "~1",
        "[API 调用]",
        "\u{1}\u{7f}\u{200b}",
        "🙂🙂",
        "ｅｒｒｏｒ",
        long.as_str(),
        " ",
        "",
    ];
    for q in inputs {
        for path in ["/search", "/api/search", "/api/suggest"] {
            let res = get(&state, &format!("{path}?q={}", encoded(q))).await;
            assert_eq!(res.status, 200, "{path} {q:.40}");
            if path == "/search" {
                assert!(
                    !res.body.contains("<script>alert"),
                    "{path} escapes {q:.40}"
                );
            }
        }
    }
    // A long query is trimmed, not refused.
    let body = get(&state, &format!("/api/search?q={}", encoded(&long)))
        .await
        .json();
    assert_eq!(
        body["query"].as_str().unwrap().chars().count(),
        wendao::search::MAX_QUERY_CHARS
    );
}

#[actix_web::test]
async fn malformed_parameters_are_clear_400s() {
    let state = state(&repo_content(), None);
    for (uri, needle) in [
        ("/search?q=a&page=abc", "page"),
        ("/search?q=a&page=-1", "page"),
        ("/search?q=a&page=999999", "page"),
        ("/search?q=a&category=nope", "nope"),
        ("/search?q=%FF%FE", ""),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 400, "{uri}");
        assert!(res.body.contains("请求有误"), "{uri}");
        assert!(res.body.contains(needle), "{uri}");
    }
    for uri in [
        "/api/search",
        "/api/search?q=a&limit=1000",
        "/api/search?q=a&limit=x",
        "/api/search?q=a&offset=-3",
        "/api/search?q=a&category=nope",
        "/api/suggest?q=%FF",
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 400, "{uri}");
        assert_eq!(res.json()["error"]["code"], "bad_request", "{uri}");
    }
}

#[actix_web::test]
async fn api_search_has_the_documented_shape() {
    let state = state(&repo_content(), None);
    let body = get(&state, "/api/search?q=N22106&limit=5").await.json();
    assert_eq!(body["query"], "N22106");
    assert_eq!(body["total"], 1);
    let hit = &body["hits"][0];
    let mut keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        ["category", "id", "score", "snippet_html", "title", "url"]
    );
    assert_eq!(hit["id"], "n22106");
    assert_eq!(hit["url"], "/kb/n22106");
    assert_eq!(hit["category"], "request-errors");
    assert!(
        hit["snippet_html"]
            .as_str()
            .unwrap()
            .contains("<mark>N22106</mark>")
    );
    assert!(hit["score"].as_f64().unwrap() > 0.0);

    let paged = get(&state, "/api/search?q=my.request&limit=3&offset=3")
        .await
        .json();
    let first = get(&state, "/api/search?q=my.request&limit=6").await.json();
    assert_eq!(
        paged["hits"].as_array().unwrap().as_slice(),
        &first["hits"].as_array().unwrap()[3..6]
    );
}

#[actix_web::test]
async fn suggestions_complete_half_typed_words() {
    let state = state(&repo_content(), None);
    let res = get(&state, &format!("/api/suggest?q={}", encoded("白名"))).await;
    let got = ids(&res.json()["suggestions"]);
    assert!(
        got.contains(&"whitelist-not-effective".to_string()),
        "{got:?}"
    );
    let got = ids(&get(&state, "/api/suggest?q=my.httpReq").await.json()["suggestions"]);
    assert_eq!(
        got.first().map(String::as_str),
        Some("request-vs-httprequest"),
        "{got:?}"
    );
    let body = get(&state, "/api/suggest?q=N22106").await.json();
    let first = &body["suggestions"][0];
    assert_eq!(first["id"], "n22106");
    assert_eq!(first["title"], "请求接口报错 “N22106”？");
    assert_eq!(first["url"], "/kb/n22106");
    assert_eq!(first["category"], "request-errors");
    assert_eq!(first["category_name"], "请求异常类");
    assert_eq!(
        first["title_html"], "请求接口报错 “<mark>N22106</mark>”？",
        "what matched is marked, as on the results page"
    );
    assert!(
        first["snippet_html"]
            .as_str()
            .is_some_and(|p| !p.is_empty()),
        "{first}"
    );
    // The half-typed word is marked in the title too.
    let body = get(&state, &format!("/api/suggest?q={}", encoded("白名")))
        .await
        .json();
    let titles: Vec<&str> = body["suggestions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["title_html"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.contains("<mark>白名")),
        "{titles:?}"
    );

    // Suggestions follow the search's own order.
    let searched = get(
        &state,
        &format!("/api/search?q={}&limit=6", encoded("超时")),
    )
    .await
    .json();
    let suggested = get(&state, &format!("/api/suggest?q={}", encoded("超时")))
        .await
        .json();
    assert_eq!(
        ids(&suggested["suggestions"]).first(),
        ids(&searched["hits"]).first(),
        "{suggested}"
    );
    assert_eq!(
        get(&state, "/api/suggest?q=").await.json()["suggestions"],
        serde_json::json!([])
    );
}

#[actix_web::test]
async fn opensearch_description_points_at_the_search_page() {
    let state = state(&repo_content(), Some("https://help.example.com"));
    let res = get(&state, "/opensearch.xml").await;
    assert_eq!(res.status, 200);
    assert!(
        res.body
            .contains(r#"template="https://help.example.com/search?q={searchTerms}""#)
    );
    let home = request(&state, TestRequest::get().uri("/")).await;
    assert!(home.body.contains("application/opensearchdescription+xml"));
}

#[actix_web::test]
async fn an_entry_with_every_word_beats_one_that_scores_higher_on_one_word() {
    let content = crate::common::TempContent::copy_of(&crate::common::fixture("basic"));
    // One word in a title and one in passing, against one word said many times in a body, or
    // once in a title (tls-errors, proxy-config): a word only a body holds counts less, see
    // `words_in_a_title_or_tags_count_more_than_words_mentioned_in_passing`.
    content.write(
        "kb/strong-one-word.md",
        "+++\ntitle = \"其他说明\"\ncategory = \"alpha\"\n+++\n代理，代理，代理，代理。\n",
    );
    content.write(
        "kb/weak-both-words.md",
        "+++\ntitle = \"代理的其他问题\"\ncategory = \"beta\"\n+++\n这里顺便也提到证书。\n",
    );
    let state = state(content.path(), None);
    let body = get(&state, &format!("/api/search?q={}", encoded("代理 证书")))
        .await
        .json();
    let ids = ids(&body["hits"]);
    assert_eq!(ids[0], "weak-both-words", "{ids:?}");
    let strong = ids.iter().position(|id| *id == "strong-one-word").unwrap();
    let tls = ids.iter().position(|id| *id == "tls-errors").unwrap();
    assert!(strong > 0 && tls > 0);
    // Scores are BM25 only: the ordering tier is not shown.
    assert!(body["hits"][0]["score"].as_f64().unwrap() < 1000.0);
    let page = get(&state, &format!("/search?q={}", encoded("代理 证书"))).await;
    assert!(!page.body.contains("没有同时包含所有搜索词"));
    // Both words are in entries, never together: partial matches, said to be partial.
    let page = get(&state, &format!("/search?q={}", encoded("代理 日期"))).await;
    assert!(
        page.body.contains("没有同时包含所有搜索词"),
        "partial matches are said to be partial"
    );
    // 量子 is in no entry: no entry answers this, whatever matches 代理.
    let page = get(&state, &format!("/search?q={}", encoded("代理 量子"))).await;
    assert!(page.body.contains("没有条目回答"));
    assert!(!page.body.contains("没有同时包含所有搜索词"));
}

#[actix_web::test]
async fn words_in_the_order_typed_beat_the_same_words_apart() {
    let content = crate::common::TempContent::copy_of(&crate::common::fixture("basic"));
    content.write(
        "kb/in-order.md",
        "+++\ntitle = \"上传问题\"\ncategory = \"alpha\"\n+++\n证书过期后请重新上传。\n",
    );
    // More of each word (BM25 alone would put it first), never next to each other.
    content.write(
        "kb/apart.md",
        "+++\ntitle = \"上传说明\"\ncategory = \"beta\"\n+++\n过期缓存会清理，证书在后台上传；过期提醒发管理员，证书不用重复配；过期了，证书。\n",
    );
    let state = state(content.path(), None);
    let body = get(&state, &format!("/api/search?q={}", encoded("证书过期")))
        .await
        .json();
    let ids = ids(&body["hits"]);
    let at = |id: &str| ids.iter().position(|i| i == id).unwrap();
    assert!(at("in-order") < at("apart"), "{ids:?}");
}

/// The phrase check visits candidates one after another; a miss between two hits must not
/// lose the later hit's boost. (Same titles: the entries are indexed in path order, alternating.)
#[actix_web::test]
async fn every_entry_with_the_phrase_gets_its_boost() {
    let content = crate::common::TempContent::copy_of(&crate::common::fixture("basic"));
    for n in 1..=4 {
        content.write(
            &format!("kb/p{n}a-in-order.md"),
            "+++\ntitle = \"上传\"\ncategory = \"alpha\"\n+++\n证书过期后请重新上传。\n",
        );
        content.write(
            &format!("kb/p{n}b-apart.md"),
            "+++\ntitle = \"上传\"\ncategory = \"alpha\"\n+++\n过期缓存会清理，证书在后台上传；过期提醒发管理员，证书不用重复配；过期了，证书。\n",
        );
    }
    let state = state(content.path(), None);
    let body = get(&state, &format!("/api/search?q={}", encoded("证书过期")))
        .await
        .json();
    let ids = ids(&body["hits"]);
    let ours: Vec<&str> = ids
        .iter()
        .map(String::as_str)
        .filter(|id| id.starts_with('p'))
        .collect();
    assert_eq!(ours.len(), 8, "{ids:?}");
    assert!(
        ours[..4].iter().all(|id| id.ends_with("in-order")),
        "{ids:?}"
    );
}

/// A category with nothing in it says so, and points to the results in the others: it is not
/// "nothing found", and not an unanswered question for insights.
#[actix_web::test]
async fn an_empty_category_points_to_the_results_elsewhere() {
    let state = crate::common::state(&crate::common::repo_content(), None);
    let all = crate::common::get(&state, "/search?q=N22106").await.body;
    assert!(all.contains("找到 "));
    let library = wendao::content::load(&crate::common::repo_content()).expect("content");
    let holder = &library.entry("n22106").expect("the entry").category;
    let other = library
        .categories
        .iter()
        .find(|c| &c.slug != holder)
        .expect("another category");
    let body = crate::common::get(&state, &format!("/search?q=N22106&category={}", other.slug))
        .await
        .body;
    assert!(
        body.contains(&format!("“{}”里没有与“N22106”相关的条目", other.name)),
        "{body}"
    );
    assert!(body.contains("在全部分类中有 "), "a link to the results");
    assert!(!body.contains("没有找到与"), "not 'nothing found'");
    assert!(
        !body.contains("换个方式"),
        "no advice for a search that found something"
    );
    // A category where nothing answers, when others hold more: the link to them too.
    let body = crate::common::get(&state, &format!("/search?q=N22106&category={holder}"))
        .await
        .body;
    assert!(!body.contains("在全部分类中有 "), "all of them are here");
    let body = crate::common::get(&state, "/en/search?q=request%20timeout&category=features")
        .await
        .body;
    assert!(body.contains("No entry answers"), "{body}");
    assert!(body.contains("results in all categories"), "{body}");
}

/// The ids of the JSON search's hits, the first hit's score, and the words the results page
/// highlights.
async fn api_hits(
    state: &actix_web::web::Data<wendao::web::AppState>,
    q: &str,
) -> (Vec<String>, f64, Vec<String>) {
    let json = get(state, &format!("/api/search?q={}", encoded(q)))
        .await
        .json();
    let page = get(state, &format!("/search?q={}", encoded(q))).await;
    (
        ids(&json["hits"]),
        json["hits"][0]["score"].as_f64().unwrap_or(0.0),
        marked(&page.body),
    )
}

/// With the input method off, a reader types pinyin: whole syllables, spaced or not, or the
/// initials of a title's words. It finds what the Chinese finds.
#[actix_web::test]
async fn pinyin_finds_what_the_chinese_words_find() {
    let state = state(&repo_content(), None);
    let (chinese, _, _) = api_hits(&state, "跨域").await;
    assert_eq!(chinese[0], "cross-domain-denied");
    for typed in ["kuayu", "kua yu", "KuaYu"] {
        let (hits, _, marks) = api_hits(&state, typed).await;
        assert_eq!(hits[0], "cross-domain-denied", "{typed}: {hits:?}");
        assert!(marks.iter().any(|m| m == "跨域"), "{typed}: {marks:?}");
    }
    let (chinese, _, _) = api_hits(&state, "同步执行").await;
    let (initials, _, _) = api_hits(&state, "tbzx").await;
    assert_eq!(initials[0], chinese[0], "{initials:?} {chinese:?}");
    assert_eq!(initials[0], "request-sync");
}

/// An input method's wrong characters (a homophone the index lacks) find the word meant,
/// highlighted as the real word, and rank below the real word typed.
#[actix_web::test]
async fn homophones_find_the_word_meant_below_the_word_itself() {
    let state = state(&repo_content(), None);
    let (exact, exact_score, _) = api_hits(&state, "参数乱码").await;
    let (typed, typed_score, marks) = api_hits(&state, "参数乱马").await;
    assert_eq!(exact[0], "garbled-params");
    assert_eq!(typed[0], "garbled-params", "{typed:?}");
    assert!(marks.iter().any(|m| m == "乱码"), "{marks:?}");
    assert!(typed_score < exact_score, "{typed_score} ≥ {exact_score}");
    // A real word the index lacks (超市) read as the one it sounds like (超时).
    let (meant, _, _) = api_hits(&state, "超时").await;
    let (hits, _, marks) = api_hits(&state, "超市").await;
    assert_eq!(hits[0], meant[0], "{hits:?} {meant:?}");
    assert!(marks.iter().any(|m| m == "超时"), "{marks:?}");
}

/// A word an entry is titled or tagged with says more than one its body mentions in passing:
/// the short entry titled with two of the query's three words comes before a long one whose
/// body happens to hold all three (counted alike, three words beat two).
#[actix_web::test]
async fn words_in_a_title_or_tags_count_more_than_words_mentioned_in_passing() {
    let content = crate::common::TempContent::copy_of(&crate::common::fixture("basic"));
    content.write(
        "kb/titled.md",
        "+++\ntitle = \"白名单和证书\"\ncategory = \"alpha\"\ntags = [\"白名单\"]\n+++\n在管理后台填写。\n",
    );
    content.write(
        "kb/passing.md",
        "+++\ntitle = \"上传大文件的注意事项\"\ncategory = \"beta\"\n+++\n\
         大文件上传前先压缩，分片上传，每片单独重试；接口超时要放宽，域名要在白名单里，\
         证书要有效。上传进度可以显示给用户，失败后提示用户重新选择文件。\n",
    );
    let state = state(content.path(), None);
    let body = get(
        &state,
        &format!("/api/search?q={}", encoded("白名单 证书 超时")),
    )
    .await
    .json();
    assert_eq!(ids(&body["hits"])[..2], ["titled", "passing"], "{body}");
}

/// English words the index holds are never read as pinyin, and an English query keeps its
/// answer even when its words happen to spell syllables (bin, long, dan, ban).
#[actix_web::test]
async fn english_words_are_not_read_as_pinyin() {
    let state = state(&repo_content(), None);
    let (hits, _, marks) = api_hits(&state, "cookie").await;
    assert_eq!(hits[0], "cookie");
    assert!(
        marks.iter().all(|m| m.eq_ignore_ascii_case("cookie")),
        "{marks:?}"
    );
    let (plain, _, _) = api_hits(&state, "request timeout").await;
    let (padded, _, _) = api_hits(&state, "long request timeout").await;
    assert_eq!(plain[0], padded[0], "{plain:?} {padded:?}");
    let (hits, _, _) = api_hits(&state, "ban dan bin").await;
    assert!(
        hits.len() <= 1,
        "syllables that spell no word of the content: {hits:?}"
    );
}

/// A ticket system that reads `score` sees it fall as the list goes down, even where the
/// ranking put an entry holding more of the query's topics, or tagged with it, above one BM25
/// scored higher; and page 2 goes on from page 1.
#[actix_web::test]
async fn scores_follow_the_order_shown() {
    let state = state(&repo_content(), None);
    let library = wendao::content::load(&repo_content()).expect("content");
    let mut queries: Vec<String> = library
        .entries
        .iter()
        .flat_map(|e| e.tags.iter().cloned())
        .collect();
    queries.extend(["域名 报错", "请求 超时 重试", "error 19 白名单"].map(String::from));
    for q in &queries {
        let first = get(&state, &format!("/api/search?q={}&limit=5", encoded(q)))
            .await
            .json();
        let second = get(
            &state,
            &format!("/api/search?q={}&limit=5&offset=5", encoded(q)),
        )
        .await
        .json();
        let scores: Vec<f64> = [&first, &second]
            .iter()
            .flat_map(|body| body["hits"].as_array().expect("hits").clone())
            .map(|hit| hit["score"].as_f64().expect("a score"))
            .collect();
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{q}: scores {scores:?}"
        );
    }
}

#[actix_web::test]
async fn a_page_past_the_last_is_a_404_that_says_how_many_there_are() {
    let state = state(&repo_content(), None);
    let first = get(&state, "/search?q=%E8%B6%85%E6%97%B6").await;
    assert_eq!(first.status, 200);
    let res = get(&state, "/search?q=%E8%B6%85%E6%97%B6&page=50").await;
    assert_eq!(res.status, 404);
    let text = crate::common::unescape(&res.body);
    assert!(text.contains("“超时”的结果只有 "), "{text}");
    assert!(text.contains("页，没有第 50 页。"), "{text}");
    // An empty search has no pages to run past.
    assert_eq!(get(&state, "/search?page=3").await.status, 200);
}

#[actix_web::test]
async fn taiwan_wording_finds_the_entries_written_in_mainland_words_and_says_they_answer() {
    let state = state(&repo_content(), None);
    // 逾時 and 憑證 are synonyms of 超时 and 证书; 伺服器 and 預設 are read by OpenCC.
    for (query, want) in [
        ("請求逾時 預設時間", "timeout"),
        ("伺服器的 SSL 憑證過期", "error-19"),
    ] {
        let body = get(&state, &format!("/api/search?q={}", encoded(query)))
            .await
            .json();
        assert_eq!(ids(&body["hits"])[0], want, "{query}: {body}");
        assert_eq!(body["answered"], true, "{query}: {body}");
        assert_eq!(body["query"], query, "the query is shown as typed: {body}");
    }
}
