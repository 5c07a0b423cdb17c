//! Matching a pasted message: `POST /api/match` and the `/match` page, their limits and bad input.

use actix_web::test::TestRequest;

use crate::common::{TempContent, fixture, get, repo_content, request, state};

fn post_json(body: impl Into<Vec<u8>>) -> TestRequest {
    TestRequest::post()
        .uri("/api/match")
        .insert_header(("content-type", "application/json"))
        .set_payload(body.into())
}

fn message(text: &str) -> String {
    serde_json::json!({ "text": text }).to_string()
}

#[actix_web::test]
async fn a_pasted_ticket_finds_its_entry_with_the_codes_that_matched() {
    let state = state(&repo_content(), Some("https://help.example.com"));
    let ticket = "客服你好，打扰了。我们是做电商的，最近用户反馈下单页一直转圈，日志里 my.request 的 fail \
                  回调是 {\"error\":19,\"errorMessage\":\"http status error\",\"status\":404}，浏览器里打开接口是正常的，\
                  请问要怎么处理？谢谢！";
    let res = request(&state, post_json(message(ticket))).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let body = res.json();
    let matches = body["matches"].as_array().expect("matches");
    assert!((1..=5).contains(&matches.len()), "{body}");
    let first = &matches[0];
    assert_eq!(first["id"], "error-19", "{body}");
    assert_eq!(first["url"], "/kb/error-19");
    assert_eq!(
        first["absolute_url"],
        "https://help.example.com/kb/error-19"
    );
    assert!(first["title"].as_str().unwrap().contains("error\":19"));
    assert!(!first["summary"].as_str().unwrap().is_empty());
    let why: Vec<&str> = first["why"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect();
    assert_eq!(why.first(), Some(&"19"), "the code weighs most: {why:?}");
    for greeting in ["你好", "谢谢", "打扰", "客服"] {
        assert!(
            !why.contains(&greeting),
            "{greeting} weighs nothing: {why:?}"
        );
    }
    let scores: Vec<f64> = matches
        .iter()
        .map(|m| m["score"].as_f64().unwrap())
        .collect();
    assert!(
        scores.windows(2).all(|w| w[0] >= w[1]),
        "best first: {scores:?}"
    );
}

/// A message about something else that shares one plain word with an entry is near it, not
/// answered by it: `answers` says which matches a suggestion nobody asked for may show.
#[actix_web::test]
async fn a_match_says_whether_it_answers_or_only_shares_a_word() {
    let state = state(&repo_content(), None);
    let answer = |text: &'static str| {
        let state = state.clone();
        async move {
            let res = request(&state, post_json(message(text))).await;
            assert_eq!(res.status, 200, "{}", res.body);
            res.json()
        }
    };
    let body = answer("真机上 my.request 返回 {\"error\":19}，开发者工具里正常").await;
    assert_eq!(body["answered"], true, "{body}");
    assert_eq!(body["matches"][0]["id"], "error-19");
    assert_eq!(body["matches"][0]["answers"], true);

    // 订单, 发货: no entry is about them; only the colloquial 尽快 is in one.
    for text in [
        "我的订单三天了还没发货，请尽快处理",
        "hello, a question about my account and its billing",
    ] {
        let body = answer(text).await;
        assert_eq!(body["answered"], false, "{text}: {body}");
        let matches = body["matches"].as_array().expect("matches");
        assert!(
            matches.iter().all(|m| m["answers"] == false),
            "{text}: {body}"
        );
    }
    // A one-word message is answered by the entry about that word.
    let body = answer("乱码").await;
    assert_eq!(body["answered"], true, "{body}");
    assert_eq!(body["matches"][0]["id"], "garbled-params");
}

#[actix_web::test]
async fn a_section_that_answers_is_linked_to() {
    let content = TempContent::copy_of(&fixture("basic"));
    content.write(
        "kb/upload-errors.md",
        "+++\ntitle = \"上传文件的常见报错\"\ncategory = \"alpha\"\n+++\n几种上传报错的处理办法。\n\n\
         ## 上传超时\n\n网络慢时上传会超时，可以调大 timeout。\n\n\
         ## 文件太大\n\n单个文件不能超过 10MB，超过时报错 error 13，请先压缩图片。\n",
    );
    let state = state(content.path(), None);
    let body = request(
        &state,
        post_json(message(
            "您好，用户上传照片的时候报错 error 13，照片是手机直接拍的，有十几兆，是不是大小有限制？",
        )),
    )
    .await
    .json();
    let first = &body["matches"][0];
    assert_eq!(first["id"], "upload-errors", "{body}");
    assert_eq!(first["url"], "/kb/upload-errors");
    assert_eq!(first["section_url"], "/kb/upload-errors#文件太大", "{body}");
}

#[actix_web::test]
async fn long_threads_are_read_at_both_ends_and_say_so_and_any_other_text_is_200() {
    let state = state(&repo_content(), None);
    // Up to 20,000 characters is read whole.
    let res = request(&state, post_json(message(&"超时".repeat(10_000)))).await;
    assert_eq!(res.status, 200);
    let body = res.json();
    assert_eq!(body["received_chars"], 20_000);
    assert_eq!(body["kept_chars"], 20_000);

    // A long thread whose code is pasted at its very end: the start and the end are read,
    // the middle is not, and the answer says how much was kept.
    let thread = format!(
        "你好，小程序里请求失败了。{}最后贴一下日志：my.request fail {{\"error\":19,\"status\":404}}",
        "我们又试了一遍，还是一样，麻烦再看看。".repeat(1_500)
    );
    let received = thread.chars().count();
    assert!(received > 25_000);
    let res = request(&state, post_json(message(&thread))).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let body = res.json();
    assert_eq!(body["received_chars"], received);
    assert_eq!(body["kept_chars"], 20_000);
    assert_eq!(body["matches"][0]["id"], "error-19", "{body}");

    // A body over 512 KB is refused before it is read whole.
    let res = request(&state, post_json(message(&"\u{1}".repeat(100_000)))).await;
    assert_eq!(res.status, 413, "{}", res.body);
    assert_eq!(res.json()["error"]["code"], "payload_too_large");

    for text in [
        "",
        "   ",
        "你好，谢谢",
        "🙂🙂🙂",
        "<script>alert(1)</script>",
        "\u{0}\u{7}控制字符",
        "\"未闭合的引号",
        "a AND b OR (c",
        "1234567890",
    ] {
        let res = request(&state, post_json(message(text))).await;
        assert_eq!(res.status, 200, "{text:?}: {}", res.body);
        assert!(res.json()["matches"].is_array());
    }
    let nothing = request(&state, post_json(message("你好，谢谢")))
        .await
        .json();
    assert_eq!(
        nothing["matches"],
        serde_json::json!([]),
        "pleasantries match nothing"
    );
}

#[actix_web::test]
async fn malformed_match_requests_are_clear_400s() {
    let state = state(&repo_content(), None);
    for body in [
        "",
        "not json",
        "{}",
        "{\"text\": 19}",
        "{\"text\": null}",
        "[\"超时\"]",
        "{\"text\": \"超时\"",
    ] {
        let res = request(&state, post_json(body)).await;
        assert_eq!(res.status, 400, "{body:?}: {}", res.body);
        let error = &res.json()["error"];
        assert_eq!(error["code"], "bad_request");
        assert!(error["message"].as_str().unwrap().contains("\"text\""));
    }
    let res = get(&state, "/api/match").await;
    assert_eq!(res.status, 405);
    assert_eq!(res.header("allow"), Some("POST"));
    assert_eq!(res.json()["error"]["code"], "method_not_allowed");
}

#[actix_web::test]
async fn ticket_tools_on_other_sites_may_call_the_match_api() {
    let state = state(&repo_content(), None);
    let res = request(
        &state,
        post_json(message("error 19 怎么办")).insert_header(("origin", "https://tickets.example")),
    )
    .await;
    assert_eq!(res.status, 200, "it only reads: not refused as cross-site");
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    assert_eq!(
        res.header("timing-allow-origin"),
        Some("*"),
        "the calling page may time it"
    );
    let res = request(
        &state,
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/api/match")
            .insert_header(("origin", "https://tickets.example"))
            .insert_header(("access-control-request-method", "POST"))
            .insert_header(("access-control-request-headers", "content-type")),
    )
    .await;
    assert_eq!(res.status, 200, "the preflight is answered (by actix-cors)");
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    let methods = res.header("access-control-allow-methods").unwrap_or("");
    assert!(methods.split(", ").any(|m| m == "POST"), "{methods}");
    assert!(
        !methods.contains("PUT") && !methods.contains("DELETE"),
        "{methods}"
    );
    let headers = res.header("access-control-allow-headers").unwrap_or("");
    assert!(headers.eq_ignore_ascii_case("content-type"), "{headers}");
    assert_eq!(res.header("access-control-max-age"), Some("86400"));
    // A site's own pages are not offered to other sites.
    let page = request(
        &state,
        TestRequest::default()
            .method(actix_web::http::Method::OPTIONS)
            .uri("/match")
            .insert_header(("origin", "https://tickets.example"))
            .insert_header(("access-control-request-method", "POST")),
    )
    .await;
    assert_eq!(page.header("access-control-allow-origin"), None);
}

fn form(text: &str) -> TestRequest {
    TestRequest::post()
        .uri("/match")
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(serde_urlencoded::to_string([("text", text)]).expect("form encoding"))
}

#[actix_web::test]
async fn the_match_page_is_a_plain_form() {
    let state = state(&repo_content(), Some("https://help.example.com"));
    let page = get(&state, "/match").await;
    assert_eq!(page.status, 200);
    assert!(
        page.body
            .contains("<form class=\"match-form\" action=\"/match\" method=\"post\"")
    );
    assert!(
        page.body
            .contains("<textarea id=\"match-text\" name=\"text\"")
    );
    assert!(
        !page.body.contains("class=\"matches\""),
        "no results before a message"
    );

    let ticket = "你好，我们在 my.request 里设置了 timeout: 60000，但是 30 秒左右还是超时了，\
                  安卓手机上特别明显，请问 timeout 参数不生效吗";
    let res = request(&state, form(ticket)).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let body = &res.body;
    assert!(
        body.contains("timeout: 60000"),
        "the message stays in the box"
    );
    // An empty message is not "nothing answers it": the form says what is missing.
    for empty in ["", " \n\t ", "\u{feff}\u{200b}\u{3000}"] {
        let res = request(&state, form(empty)).await;
        assert_eq!(res.status, 400, "{empty:?}");
        assert!(
            res.body
                .contains("<p id=\"match-error\" class=\"notice\" role=\"alert\">内容是空的"),
            "{}",
            res.body
        );
        assert!(res.body.contains("aria-invalid=\"true\""));
        assert!(!res.body.contains("没有找到能回答这段内容的条目"));
    }
    assert!(!body.contains("match-error"));
    let first = body.find("class=\"match-title\"").expect("a match");
    assert!(
        body[first..].starts_with("class=\"match-title\"><a href=\"/kb/timeout\">"),
        "{}",
        &body[first..first + 200]
    );
    assert!(body.contains("复制为工单回复"));
    assert!(
        body.contains("my.request 接口设置超时时间后依旧超时？\n"),
        "the ticket reply starts with the title"
    );
    assert!(body.contains("https://help.example.com/kb/timeout</textarea>"));
    assert!(body.contains("data-copy=\"https://help.example.com/kb/timeout\""));
    assert!(
        body.contains("<span class=\"tag\">timeout</span>"),
        "why it matched"
    );

    // Markup in the message is text.
    let res = request(&state, form("<script>alert(1)</script> error 19")).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body
            .contains("&#60;script&#62;alert(1)&#60;/script&#62;")
    );
    assert!(!res.body.contains("<script>alert(1)"));

    let res = request(&state, form("你好")).await;
    assert!(res.body.contains("没有找到能回答这段内容的条目"));
    assert!(res.body.contains("href=\"/wizard/request-errors\""));

    // The page says how much it read: all of it, or the start and the end.
    let res = request(&state, form("error 19")).await;
    assert!(res.body.contains("读了全部 8 字"), "{}", res.body);
    let textarea = res
        .body
        .find("<textarea id=\"match-text\"")
        .expect("the box");
    let tag = &res.body[textarea..textarea + res.body[textarea..].find('>').expect("its end")];
    assert!(
        !tag.contains("maxlength"),
        "a paste is never cut by the browser: {tag}"
    );
    let res = request(&state, form(&format!("{}error 19", "超".repeat(25_000)))).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body
            .contains("这段内容有 25008 字，超过 20000 字：只读了开头 10000 字和结尾 10000 字"),
        "{}",
        &res.body[..2000]
    );

    let res = request(
        &state,
        TestRequest::post()
            .uri("/match")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("other=1"),
    )
    .await;
    assert_eq!(res.status, 400);

    // A form posted from another site's page is refused, as every form is.
    let res = request(
        &state,
        form("error 19").insert_header(("origin", "https://evil.example")),
    )
    .await;
    assert_eq!(res.status, 403);
}

#[actix_web::test]
async fn a_client_matching_too_often_gets_429_and_others_do_not() {
    let library = wendao::content::load(&repo_content()).expect("content");
    let site = wendao::web::Site::build(library).expect("site");
    let state = actix_web::web::Data::new(
        wendao::web::AppState::new(site, None).with_match_limit(3, Vec::new()),
    );
    let from = |peer: &str| {
        post_json(message("error 19 怎么办")).peer_addr(peer.parse().expect("a socket address"))
    };
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(request(&state, from("10.0.0.7:4000")).await.status.as_u16());
    }
    assert_eq!(statuses, [200, 200, 200, 429, 429, 429]);
    let res = request(&state, from("10.0.0.7:4001")).await;
    assert_eq!(res.status, 429, "the same address on another port");
    assert!(
        res.header("retry-after")
            .is_some_and(|s| s.parse::<u64>().is_ok_and(|n| n >= 1))
    );
    assert_eq!(res.json()["error"]["code"], "too_many_requests");
    assert!(
        res.json()["error"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("秒"))
    );
    // Told in the language asked for, with the same status and headers.
    let res = request(&state, from("10.0.0.7:4003").uri("/api/match?lang=en")).await;
    assert_eq!(res.status, 429);
    assert!(res.header("retry-after").is_some());
    assert_eq!(res.header("access-control-allow-origin"), Some("*"));
    let told = res.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(told.starts_with("Too many submissions"), "{told}");
    // The page is limited with the API (one budget), and another address has its own.
    let page = request(
        &state,
        form("error 19").peer_addr("10.0.0.7:4002".parse().expect("address")),
    )
    .await;
    assert_eq!(page.status, 429);
    assert_eq!(request(&state, from("10.0.0.8:4000")).await.status, 200);
}

/// An agent ticks the entries that answer a ticket and gets one reply that links them all, in
/// the order ticked; a section ticked is linked to as a section.
#[actix_web::test]
async fn ticked_matches_make_one_reply() {
    let content = TempContent::copy_of(&repo_content());
    content.write(
        "kb/upload-errors.md",
        "+++\ntitle = \"上传文件的常见报错\"\ncategory = \"request-errors\"\n+++\n几种上传报错的处理办法。\n\n\
         ## 文件太大\n\n单个文件不能超过 10MB，超过时报错 error 13，请先压缩图片。\n",
    );
    let state = state(content.path(), Some("https://help.example.com"));

    let page = request(
        &state,
        form("上传报错 error 13，文件太大了；另外请求也报 error 19"),
    )
    .await;
    assert_eq!(page.status, 200);
    assert!(page.body.contains("action=\"/match/reply\" method=\"get\""));
    assert!(
        page.body
            .contains("name=\"e\" value=\"upload-errors#文件太大\""),
        "{}",
        page.body
    );
    assert!(page.body.contains("name=\"e\" value=\"error-19\""));

    let res = get(
        &state,
        "/match/reply?e=error-19&e=upload-errors%23%E6%96%87%E4%BB%B6%E5%A4%AA%E5%A4%A7",
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.header("cache-control"), Some("no-store"));
    let reply = crate::common::unescape(&res.body);
    let first = reply
        .find("1. my.request 请求报错 \"error\":19")
        .expect("error-19 first");
    let second = reply
        .find("2. 上传文件的常见报错")
        .expect("upload-errors second");
    assert!(first < second);
    assert!(reply.contains("https://help.example.com/kb/error-19\n\n2. "));
    assert!(reply.contains("https://help.example.com/kb/upload-errors#"));
    assert!(reply.contains("（文件太大）"), "the section is named");

    for (uri, says) in [
        ("/match/reply", "没有勾选条目"),
        ("/match/reply?e=nope", "没有编号为“nope”的条目"),
        ("/match/reply?e=error-19%23nowhere", "没有“nowhere”这一节"),
        (
            "/match/reply?e=error-2&e=error-12&e=error-14&e=error-19&e=timeout&e=cookie",
            "最多链接 5 个条目",
        ),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 400, "{uri}");
        assert!(res.body.contains(says), "{uri}: {}", res.body);
    }
}
