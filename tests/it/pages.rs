//! The HTML pages over the fixture content: links, redirects, errors, sitemap, assets.

use crate::common::{TempContent, fixture, get, repo_content, request, state};
use actix_web::test::TestRequest;

#[actix_web::test]
async fn home_lists_categories_with_counts_and_recent_entries() {
    let state = state(&fixture("basic"), None);
    let res = get(&state, "/").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<html lang=\"zh-CN\">"));
    assert!(res.body.contains("action=\"/search\""), "search form");
    assert!(res.body.contains("href=\"/c/alpha\""));
    assert!(res.body.contains("甲类"));
    // alpha holds two entries, beta one, empty none.
    let alpha = res.body.find("/c/alpha").unwrap();
    assert!(res.body[alpha..].find("2 篇").unwrap() < res.body[alpha..].find("/c/beta").unwrap());
    assert!(res.body.contains("0 篇"));
    // Without any use recorded, the popular entries are the first ones.
    let popular = &res.body[res.body.find("常见问题</h2>").unwrap()..];
    let popular = &popular[..popular.find("</ul>").unwrap()];
    assert!(popular.contains("/kb/"));
    // Recently updated lists what 常见问题 does not already show: here, nothing.
    assert!(
        !res.body.contains("最近更新</h2>"),
        "every entry is already listed"
    );
    // The library's order of recent entries: newest first, undated entries left out.
    let library = wendao::content::load(&fixture("basic")).expect("content");
    let recent: Vec<&str> = library
        .recently_updated(10)
        .iter()
        .map(|e| e.id.as_str())
        .collect();
    let tls = recent.iter().position(|id| *id == "tls-errors").unwrap();
    let proxy = recent.iter().position(|id| *id == "proxy-config").unwrap();
    assert!(tls < proxy, "newest first");
    assert!(!recent.contains(&"no-date"));
}

#[actix_web::test]
async fn entry_page_has_everything_a_reader_and_an_agent_need() {
    let state = state(&fixture("basic"), Some("https://help.example.com/"));
    let res = get(&state, "/kb/proxy-config").await;
    assert_eq!(res.status, 200);
    let b = &res.body;
    assert!(b.contains("<h1 id=\"entry-title\">代理服务器的配置方法</h1>"));
    assert!(
        b.contains(r#"<link rel="canonical" href="https://help.example.com/kb/proxy-config">"#)
    );
    assert!(b.contains(r#"href="/c/alpha">甲类</a>"#), "breadcrumb");
    assert!(b.contains("2026-01-02"));
    // Table of contents with readable anchors (two headings).
    assert!(b.contains(r##"<a href="#配置步骤">配置步骤</a>"##), "{b}");
    assert!(b.contains(r#"<h2 id="配置步骤">"#));
    assert!(b.contains(r#"<h2 id="faq">"#), "explicit anchor");
    // Links: external with rel, internal kept.
    assert!(
        b.contains(r#"<a href="https://example.com/manual" rel="noopener noreferrer">手册</a>"#)
    );
    assert!(
        b.contains(r##"<a href="/kb/tls-errors#%E8%AF%81%E4%B9%A6%E8%BF%87%E6%9C%9F">另一篇</a>"##)
    );
    assert!(!b.contains("alert(\"x\")"), "raw script sanitised");
    // Copy buttons (hidden until JS enables them) and a ticket reply that works without JS.
    assert!(b.contains(r#"data-copy="https://help.example.com/kb/proxy-config""#));
    assert!(b.contains("复制为工单回复"));
    assert!(
        b.contains("代理服务器的配置方法\n先读另一篇。"),
        "ticket reply starts with title and summary"
    );
    assert!(b.contains("https://help.example.com/kb/proxy-config</textarea>"));
    // Other entries of the same category, not itself.
    assert!(b.contains("/kb/no-date"));
    assert!(!b.contains(r#"<li><a href="/kb/proxy-config">"#));
}

#[actix_web::test]
async fn single_heading_entries_have_no_table_of_contents_and_images_are_sized() {
    let state = state(&fixture("basic"), None);
    let res = get(&state, "/kb/tls-errors").await;
    assert!(!res.body.contains("class=\"toc\""));
    assert!(
        res.body.contains(
            r#"alt="证书详情页" loading="lazy" decoding="async" width="400" height="300""#
        )
    );
}

#[actix_web::test]
async fn aliases_redirect_permanently_to_the_canonical_url() {
    let state = state(&fixture("basic"), None);
    for old in ["old-proxy", "proxy-setup"] {
        let res = get(&state, &format!("/kb/{old}")).await;
        assert_eq!(res.status, 301, "{old}");
        assert_eq!(res.header("location"), Some("/kb/proxy-config"));
    }
    let res = get(&state, "/kb/old-proxy?ref=ticket").await;
    assert_eq!(res.header("location"), Some("/kb/proxy-config?ref=ticket"));
}

#[actix_web::test]
async fn links_mangled_by_ticket_tools_still_land_on_their_entry() {
    let state = state(&repo_content(), None);
    // A guessed id is not permanent (302); a slash taken off is (301).
    for (link, status, location) in [
        ("/kb/TIMEOUT", 302, "/kb/timeout"),
        // The full stop or bracket of the sentence the link was pasted into.
        ("/kb/timeout%E3%80%82", 302, "/kb/timeout"),
        ("/kb/Error_14)", 302, "/kb/error-14"),
        ("/en/kb/TIMEOUT", 302, "/en/kb/timeout"),
        ("/kb/timeout/", 301, "/kb/timeout"),
        (
            "/en/kb/timeout/?ref=ticket",
            301,
            "/en/kb/timeout?ref=ticket",
        ),
        ("/search/?q=timeout", 301, "/search?q=timeout"),
    ] {
        let res = get(&state, link).await;
        assert_eq!(res.status, status, "{link}");
        assert_eq!(res.header("location"), Some(location), "{link}");
        let landed = get(&state, location).await;
        assert_eq!(landed.status, 200, "{location}");
    }
    // `/en/` is a page of its own, not `/en` with a slash to take off.
    assert_eq!(get(&state, "/en/").await.status, 200);
    // An id nothing resembles, or a cut that would leave letters behind, is still a 404.
    let res = get(&state, "/kb/TIMEOUTS").await;
    assert_eq!(res.status, 404);
    let res = get(&state, "/kb/timeout%20x").await;
    assert_eq!(res.status, 404);
    // A slash is taken off only where that leads to a page.
    let res = get(&state, "/no/such/page/").await;
    assert_eq!(res.status, 404);
}

/// Only a GET or a HEAD comes off a trailing slash: a browser sends a 301 to a POST again as a
/// GET, which the route (`POST /api/match`) would refuse. A POST there is answered as at any
/// path no route takes.
#[actix_web::test]
async fn only_reads_are_redirected_off_a_trailing_slash() {
    let state = state(&repo_content(), None);
    for method in ["GET", "HEAD"] {
        let req = TestRequest::default()
            .method(method.parse().expect("method"))
            .uri("/kb/x/");
        let res = request(&state, req).await;
        assert_eq!(res.status, 301, "{method}");
        assert_eq!(res.header("location"), Some("/kb/x"), "{method}");
    }
    for (slashed, unrouted) in [
        ("/api/match/", "/api/nowhere"),
        ("/match/", "/nowhere"),
        ("/kb/timeout/feedback/", "/nowhere"),
    ] {
        let post = |uri: &str| {
            TestRequest::post()
                .uri(uri)
                .insert_header(("content-type", "application/json"))
                .set_payload(r#"{"text":"error 19"}"#)
        };
        let res = request(&state, post(slashed)).await;
        let other = request(&state, post(unrouted)).await;
        assert_ne!(res.status, 301, "{slashed}");
        assert_eq!(res.header("location"), None, "{slashed}");
        assert_eq!(res.status, other.status, "{slashed} as {unrouted}");
        assert_eq!(res.header("allow"), other.header("allow"), "{slashed}");
    }
}

#[actix_web::test]
async fn unknown_pages_answer_an_html_404_with_a_search_box() {
    let state = state(&fixture("basic"), None);
    for uri in [
        "/kb/nope",
        "/c/nope",
        "/no/such/page",
        "/kb/%E4%B8%AD",
        "/static/nope.css",
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 404, "{uri}");
        assert!(
            res.header("content-type").unwrap().starts_with("text/html"),
            "{uri}"
        );
        assert!(res.body.contains("没有找到这个页面"), "{uri}");
        assert!(res.body.contains("action=\"/search\""), "{uri}");
    }
    // Escaped, not reflected as markup.
    let res = get(&state, "/kb/%3Cscript%3E").await;
    assert_eq!(res.status, 404);
    assert!(!res.body.contains("<script>"));
}

#[actix_web::test]
async fn category_page_lists_its_entries_in_order() {
    let state = state(&fixture("basic"), None);
    let res = get(&state, "/c/alpha").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<h1>甲类</h1>"));
    assert!(res.body.contains("/kb/proxy-config"));
    assert!(res.body.contains("/kb/no-date"));
    assert!(!res.body.contains("/kb/tls-errors"));
    let res = get(&state, "/c/empty").await;
    assert!(res.body.contains("这个分类还没有条目"));
}

#[actix_web::test]
async fn sitemap_lists_every_page_with_absolute_urls() {
    let state = state(&fixture("basic"), Some("https://help.example.com"));
    let res = get(&state, "/sitemap.xml").await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/xml")
    );
    for loc in [
        "https://help.example.com/",
        "https://help.example.com/c/alpha",
        "https://help.example.com/kb/proxy-config",
        "https://help.example.com/kb/tls-errors",
        "https://help.example.com/kb/no-date",
    ] {
        assert!(res.body.contains(&format!("<loc>{loc}</loc>")), "{loc}");
    }
    assert!(res.body.contains("<lastmod>2026-03-04</lastmod>"));
    assert!(!res.body.contains("old-proxy"), "aliases are not pages");
}

#[actix_web::test]
async fn canonical_link_on_every_page_and_base_url_from_host_by_default() {
    let state = state(&fixture("basic"), None);
    for (uri, canonical) in [
        ("/", "http://kb.test/"),
        ("/c/beta", "http://kb.test/c/beta"),
        ("/kb/no-date", "http://kb.test/kb/no-date"),
    ] {
        let res = request(
            &state,
            TestRequest::get()
                .uri(uri)
                .insert_header(("host", "kb.test")),
        )
        .await;
        assert!(
            res.body
                .contains(&format!("<link rel=\"canonical\" href=\"{canonical}\">")),
            "{uri}"
        );
    }
}

#[actix_web::test]
async fn static_assets_are_hashed_cached_and_revalidated() {
    let state = state(&fixture("basic"), None);
    let home = get(&state, "/").await;
    let start = home.body.find("/static/app.css?v=").unwrap();
    let url = &home.body[start..home.body[start..].find('"').unwrap() + start];
    let res = get(&state, url).await;
    assert_eq!(res.status, 200);
    assert!(res.header("content-type").unwrap().starts_with("text/css"));
    assert_eq!(
        res.header("cache-control"),
        Some("public, max-age=31536000, immutable")
    );
    let etag = res.header("etag").unwrap().to_string();
    let again = request(
        &state,
        TestRequest::get()
            .uri(url)
            .insert_header(("if-none-match", etag)),
    )
    .await;
    assert_eq!(again.status, 304);
    assert!(again.body.is_empty());
    // An unversioned URL is served but cached briefly.
    let res = get(&state, "/static/app.js").await;
    assert_eq!(res.header("cache-control"), Some("public, max-age=300"));
    // Nothing outside the built-in assets is reachable.
    for uri in [
        "/static/..%2FCargo.toml",
        "/static/%2e%2e/Cargo.toml",
        "/static/../Cargo.toml",
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 404, "{uri}");
        assert!(!res.body.contains("[package]"));
    }
}

#[actix_web::test]
async fn responses_are_compressed_when_asked() {
    let state = state(&fixture("basic"), None);
    let res = request(
        &state,
        TestRequest::get()
            .uri("/kb/proxy-config")
            .insert_header(("accept-encoding", "gzip")),
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.header("content-encoding"), Some("gzip"));
}

#[actix_web::test]
async fn healthz_and_robots() {
    let state = state(&fixture("basic"), Some("https://h.example"));
    let res = get(&state, "/healthz").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["status"], "ok");
    assert_eq!(res.json()["entries"], 3);
    // The index's one-time work runs beside the server and says when it is done.
    let mut waited = 0;
    while get(&state, "/healthz").await.json()["warmed"] != true {
        assert!(waited < 500, "warm-up never finished: {}", res.body);
        actix_web::rt::time::sleep(std::time::Duration::from_millis(20)).await;
        waited += 1;
    }
    let res = get(&state, "/robots.txt").await;
    assert!(res.body.contains("Sitemap: https://h.example/sitemap.xml"));
}

#[actix_web::test]
async fn no_page_repeats_an_id_and_every_page_has_one_h1_and_a_main_landmark() {
    let state = state(&crate::common::repo_content(), None);
    let library = wendao::content::load(&crate::common::repo_content()).expect("content");
    let mut uris: Vec<String> = vec![
        "/".into(),
        "/kb".into(),
        "/search?q=%E7%99%BD%E5%90%8D%E5%8D%95".into(),
        "/search?q=zzzz-nothing".into(),
        "/search".into(),
        "/wizard".into(),
        "/wizard/request-errors".into(),
        "/wizard/request-errors?a=&a=wrong-data".into(),
        "/wizard/request-errors?a=N22106&solved=no".into(),
        "/wizard/request-errors?a=&a=message&a=zzzz".into(),
        "/wizard/request-errors?a=&a=bad-choice".into(),
        "/no-such-page".into(),
    ];
    uris.extend(library.categories.iter().map(|c| format!("/c/{}", c.slug)));
    uris.extend(library.entries.iter().map(|e| e.url()));
    for uri in &uris {
        let res = get(&state, uri).await;
        let mut seen = std::collections::HashSet::new();
        for id in res
            .body
            .split(" id=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
        {
            assert!(seen.insert(id.to_string()), "{uri}: id {id:?} twice");
        }
        assert_eq!(res.body.matches("<h1").count(), 1, "{uri}: one h1");
        assert!(res.body.contains("<main id=\"main\""), "{uri}");
        assert!(res.body.contains("<html lang=\"zh-CN\">"), "{uri}");
    }
}

/// On the real content the two lists of the home page never repeat each other.
#[actix_web::test]
async fn the_home_page_lists_each_entry_once() {
    let state = state(&crate::common::repo_content(), None);
    let body = get(&state, "/").await.body;
    let list = |title: &str| -> Vec<String> {
        let Some(start) = body.find(&format!("{title}</h2>")) else {
            return Vec::new();
        };
        let rest = &body[start..];
        rest[..rest.find("</ul>").expect("the list ends")]
            .split("href=\"/kb/")
            .skip(1)
            .filter_map(|s| s.split('"').next().map(str::to_string))
            .collect()
    };
    let popular = list("常见问题");
    let recent = list("最近更新");
    assert_eq!(popular.len(), 6, "{popular:?}");
    assert!(
        !recent.is_empty(),
        "the real content has more than 6 dated entries"
    );
    assert!(
        recent.iter().all(|id| !popular.contains(id)),
        "{popular:?} / {recent:?}"
    );
}

/// The table of contents numbers top headings on their own, with deeper ones nested.
#[actix_web::test]
async fn the_table_of_contents_nests_deeper_headings() {
    let content = crate::common::TempContent::copy_of(&crate::common::repo_content());
    content.write(
        "kb/nested-toc.md",
        "+++\ntitle = \"目录嵌套\"\ncategory = \"request-errors\"\n+++\n## 第一节\n\n正文。\n\n### 小节甲\n\n正文。\n\n### 小节乙\n\n正文。\n\n## 第二节\n\n正文。\n",
    );
    let state = state(content.path(), None);
    let body = get(&state, "/kb/nested-toc").await.body;
    let toc = &body[body.find("<nav class=\"toc\"").expect("a toc")..];
    let toc = &toc[..toc.find("</nav>").expect("its end")];
    let first = toc.find(">第一节<").expect("first");
    let nested = toc
        .find("<ol>")
        .map(|at| toc[at + 4..].find("<ol>").map(|n| n + at + 4));
    let inner = nested.flatten().expect("a nested list");
    let a = toc.find(">小节甲<").expect("a");
    let second = toc.find(">第二节<").expect("second");
    assert!(first < inner && inner < a && a < second, "{toc}");
    // The second top heading closes the nested list first: it is numbered 2, not 4.
    assert!(toc[a..second].contains("</ol>"), "{toc}");
}

#[actix_web::test]
async fn category_pages_hold_thirty_entries_each_and_link_to_one_another() {
    let content = crate::common::TempContent::copy_of(&fixture("basic"));
    // 63 more in alpha, which holds two: 65 entries, three pages.
    for i in 0..63 {
        content.write(
            &format!("kb/many-{i:02}.md"),
            &format!("+++\ntitle = \"第 {i:02} 条\"\ncategory = \"alpha\"\n+++\n正文。\n"),
        );
    }
    let state = state(content.path(), None);
    let mut seen = Vec::new();
    for (uri, page, count) in [
        ("/c/alpha", 1, 30),
        ("/c/alpha?page=2", 2, 30),
        ("/c/alpha?page=3", 3, 5),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 200, "{uri}");
        let items = &res.body[res.body.find("entry-list detailed").unwrap()..];
        let items = &items[..items.find("</ul>").unwrap()];
        let links: Vec<&str> = items
            .split("<a href=\"/kb/")
            .skip(1)
            .map(|s| &s[..s.find('"').unwrap()])
            .collect();
        assert_eq!(links.len(), count, "{uri}");
        seen.extend(links.iter().map(|s| s.to_string()));
        assert!(
            res.body.contains(&format!("共 65 篇，第 {page} / 3 页")),
            "{uri}"
        );
        assert!(
            res.body
                .contains(&format!("<span aria-current=\"page\">{page}</span>")),
            "{uri}"
        );
        let canonical = &res.body[res.body.find("<link rel=\"canonical\" href=\"").unwrap()..];
        let canonical = &canonical[..canonical.find('>').unwrap()];
        let wanted = match page {
            1 => "/c/alpha\"".to_string(),
            p => format!("/c/alpha?page={p}\""),
        };
        assert!(canonical.ends_with(&wanted), "{uri}: {canonical}");
    }
    let page1 = get(&state, "/c/alpha").await.body;
    assert!(page1.contains("href=\"/c/alpha?page=2\" rel=\"next\""));
    assert!(!page1.contains("rel=\"prev\""));
    let page3 = get(&state, "/c/alpha?page=3").await.body;
    assert!(page3.contains("href=\"/c/alpha?page=2\" rel=\"prev\""));
    assert!(
        page3.contains("<a href=\"/c/alpha\">1</a>"),
        "page 1 has no parameter"
    );
    assert!(!page3.contains("rel=\"next\""));
    // Every entry once, on one page.
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 65);

    // Past the last page: a 404 that says how many there are; not a number: a 400.
    let res = get(&state, "/c/alpha?page=4").await;
    assert_eq!(res.status, 404);
    assert!(res.body.contains("只有 3 页"), "{}", res.body);
    for bad in [
        "/c/alpha?page=abc",
        "/c/alpha?page=-1",
        "/c/alpha?page=99999999999",
    ] {
        let res = get(&state, bad).await;
        assert_eq!(res.status, 400, "{bad}");
        assert!(res.body.contains("page 必须是"), "{bad}");
    }
    // A small category is one page, without page links.
    let res = get(&state, "/c/beta").await;
    assert!(!res.body.contains("class=\"pagination\""));
    assert!(!res.body.contains("共 1 篇"));
}

/// A link to an entry that is not there (a typo, an old id) offers the entries whose words
/// are closest to the id's, and a way to contact us.
#[actix_web::test]
async fn a_missing_entry_suggests_the_closest_ones() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/kb/domain-whitelst").await;
    assert_eq!(res.status, 404);
    assert!(res.body.contains("没有编号为“domain-whitelst”的条目"));
    assert!(res.body.contains("你要找的也许是"), "{}", res.body);
    assert!(
        res.body.contains("href=\"/kb/domain-whitelist\""),
        "{}",
        res.body
    );
    assert!(res.body.contains("href=\"/contact\""));
    // An id with no word of any entry: the 404 alone.
    let res = get(&state, "/kb/zzzz-qqqq").await;
    assert_eq!(res.status, 404);
    assert!(!res.body.contains("你要找的也许是"));
}

/// 联系我们 is one click from every page, and its page is `contact.md` with the wizard first.
#[actix_web::test]
async fn every_page_links_to_the_contact_page() {
    let state = state(&repo_content(), None);
    for uri in [
        "/",
        "/kb/error-19",
        "/c/guides",
        "/search?q=error",
        "/wizard/request-errors",
        "/match",
        "/nope",
    ] {
        let res = get(&state, uri).await;
        assert!(res.body.contains("href=\"/contact\""), "{uri}");
    }
    let res = get(&state, "/contact").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<h1>联系我们</h1>"));
    assert!(res.body.contains("提交工单"), "the text of contact.md");
    assert!(res.body.contains("href=\"/wizard/request-errors\""));

    let content = TempContent::copy_of(&repo_content());
    content.remove("contact.md");
    let without = crate::common::state(content.path(), None);
    let res = get(&without, "/contact").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("没有写联系方式"));
}

/// `/feed.xml` is an Atom feed a reader can parse: the dated entries, newest first, with
/// absolute links and their text; entries without `updated` are left out.
#[actix_web::test]
async fn the_feed_lists_updated_entries_newest_first() {
    let content = TempContent::copy_of(&repo_content());
    content.write(
        "kb/fresh.md",
        "+++\ntitle = \"刚更新的条目\"\ncategory = \"guides\"\nupdated = 2030-01-02\n+++\n新的内容。\n",
    );
    content.write(
        "kb/undated.md",
        "+++\ntitle = \"没有日期的条目\"\ncategory = \"guides\"\n+++\n没有日期。\n",
    );
    let state = crate::common::state(content.path(), Some("https://help.example.com"));
    let res = get(&state, "/feed.xml").await;
    assert_eq!(res.status, 200);
    assert_eq!(
        res.header("content-type"),
        Some("application/atom+xml; charset=utf-8")
    );
    let feed: atom_syndication::Feed = res.body.parse().expect("a valid Atom feed");
    assert_eq!(feed.lang.as_deref(), Some("zh-CN"));
    let first = &feed.entries[0];
    assert_eq!(first.title.as_str(), "刚更新的条目");
    assert_eq!(first.links[0].href, "https://help.example.com/kb/fresh");
    assert_eq!(
        feed.updated, first.updated,
        "the feed is as new as its newest entry"
    );
    assert!(
        first
            .content
            .as_ref()
            .and_then(|c| c.value.as_deref())
            .is_some_and(|v| v.contains("新的内容")),
        "the entry's text"
    );
    let dates: Vec<_> = feed.entries.iter().map(|e| e.updated).collect();
    assert!(dates.windows(2).all(|w| w[0] >= w[1]), "newest first");
    assert!(
        feed.entries
            .iter()
            .all(|e| e.title.as_str() != "没有日期的条目")
    );
    assert!(feed.entries.len() > 1);
    // Every page points feed readers at it.
    assert!(
        get(&state, "/")
            .await
            .body
            .contains("type=\"application/atom+xml\"")
    );
}

/// `/kb` is the site map a reader can use: every category in its order, every entry once
/// under its own category, the wizards, and a link to it from every page's footer.
#[actix_web::test]
async fn the_all_entries_page_lists_every_entry_once_under_its_category() {
    let state = state(&fixture("basic"), Some("https://help.example.com"));
    let res = get(&state, "/kb").await;
    assert_eq!(res.status, 200);
    let body = &res.body;
    assert!(body.contains("<h1>全部条目</h1>"));
    assert!(body.contains("<link rel=\"canonical\" href=\"https://help.example.com/kb\">"));
    assert!(body.contains("共 3 篇"));
    let section = |slug: &str| -> &str {
        let start = body.find(&format!("<h2 id=\"c-{slug}\">")).expect(slug);
        let rest = &body[start..];
        &rest[..rest.find("</section>").unwrap()]
    };
    let (alpha, beta, empty) = (section("alpha"), section("beta"), section("empty"));
    let order = |slug: &str| body.find(&format!("<h2 id=\"c-{slug}\">")).unwrap();
    assert!(order("alpha") < order("beta") && order("beta") < order("empty"));
    assert!(alpha.contains("href=\"/c/alpha\""));
    assert!(alpha.contains("href=\"/kb/proxy-config\"") && alpha.contains("href=\"/kb/no-date\""));
    assert!(beta.contains("href=\"/kb/tls-errors\""));
    assert!(empty.contains("这个分类还没有条目"));
    let library = wendao::content::load(&fixture("basic")).expect("content");
    for entry in &library.entries {
        let link = format!("href=\"{}\"", entry.url());
        assert_eq!(body.matches(&link).count(), 1, "{} once", entry.id);
    }
    assert!(body.contains("href=\"#c-beta\""), "a jump list");

    for uri in ["/", "/kb/proxy-config", "/c/alpha", "/search?q=x", "/nope"] {
        let res = get(&state, uri).await;
        assert!(res.body.contains("href=\"/kb\""), "{uri}: footer link");
    }
    let sitemap = get(&state, "/sitemap.xml").await.body;
    assert!(sitemap.contains("<loc>https://help.example.com/kb</loc>"));
    let head = request(
        &state,
        TestRequest::default()
            .method(actix_web::http::Method::HEAD)
            .uri("/kb"),
    )
    .await;
    assert_eq!(head.status, 200);
}
