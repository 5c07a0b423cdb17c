//! The site in English beside Chinese: `/en/…` pages from the translations, the links
//! between the two (`hreflang`, the switch), and what an entry not translated does.

use crate::common::{TempContent, encoded, escape, get, repo_content, request, state, unescape};
use actix_web::test::TestRequest;
use wendao::content::Library;

/// Text of the Chinese interface that must not show on an English page.
const CHINESE_CHROME: [&str; 7] = [
    "跳到正文",
    "联系我们",
    "首页",
    "全部条目",
    "搜索问题",
    "页脚",
    // The label of a heading's `#` link, which the Markdown renderer writes.
    "本节链接",
];

pub(crate) fn assert_english(body: &str, uri: &str) {
    assert!(body.contains("<html lang=\"en\">"), "{uri}");
    assert!(body.contains("· Wendao Help Center</title>"), "{uri}");
    assert!(
        body.contains("<meta property=\"og:locale\" content=\"en_US\">"),
        "{uri}"
    );
    for chinese in CHINESE_CHROME {
        assert!(!body.contains(chinese), "{uri}: {chinese}");
    }
}

/// The `hreflang` links a page names: (language, URL).
fn alternates(body: &str) -> Vec<(String, String)> {
    body.match_indices("<link rel=\"alternate\" hreflang=\"")
        .map(|(i, m)| {
            let rest = &body[i + m.len()..];
            let (lang, rest) = rest.split_once('"').expect("hreflang");
            let href = rest.split_once("href=\"").expect("href").1;
            (
                lang.to_string(),
                href.split_once('"').expect("end").0.to_string(),
            )
        })
        .collect()
}

#[actix_web::test]
async fn every_page_of_the_bundled_content_is_read_in_english_too() {
    let library = wendao::content::load(&repo_content()).expect("content");
    let state = state(&repo_content(), Some("https://help.example.com"));
    let mut pages = vec!["/".to_string(), "/kb".into(), "/contact".into()];
    pages.extend(library.categories.iter().map(|c| format!("/c/{}", c.slug)));
    pages.extend(library.translations.iter().map(|t| format!("/kb/{}", t.id)));
    for path in &pages {
        let uri = format!("/en{path}");
        let res = get(&state, &uri).await;
        assert_eq!(res.status, 200, "{uri}");
        assert_english(&res.body, &uri);
        // Each names the other, and the Chinese one is the default.
        let zh = format!("https://help.example.com{path}");
        let en = format!("https://help.example.com{uri}");
        assert_eq!(
            alternates(&res.body),
            [
                ("zh-CN".to_string(), zh.clone()),
                ("en".to_string(), en.clone()),
                ("x-default".to_string(), zh.clone())
            ],
            "{uri}"
        );
        assert!(
            res.body
                .contains(&format!("<link rel=\"canonical\" href=\"{en}\">")),
            "{uri}"
        );
        assert!(
            res.body.contains(&format!(
                "<a class=\"header-language\" href=\"{path}\" hreflang=\"zh-CN\" lang=\"zh-CN\">中文</a>"
            )),
            "{uri}: the switch to Chinese"
        );
        let chinese = get(&state, path).await;
        assert_eq!(chinese.status, 200, "{path}");
        assert!(chinese.body.contains("<html lang=\"zh-CN\">"), "{path}");
        assert_eq!(alternates(&chinese.body), alternates(&res.body), "{path}");
        assert!(
            chinese.body.contains(&format!(
                "<a class=\"header-language\" href=\"{uri}\" hreflang=\"en\" lang=\"en\">English</a>"
            )),
            "{path}: the switch to English"
        );
    }
    let english = library.localized("en");
    let linking = english
        .entries
        .iter()
        .filter(|e| e.html().contains("href=\"/en/kb/"))
        .count();
    assert!(linking >= 3, "translations link to one another: {linking}");
    // An entry in English: its translated title, body, category and the feedback form that
    // brings the reader back to it.
    for t in &library.translations {
        let res = get(&state, &format!("/en/kb/{}", t.id)).await;
        let b = &res.body;
        assert!(
            b.contains(&format!("<h1 id=\"entry-title\">{}</h1>", escape(&t.title))),
            "{}",
            t.id
        );
        // Its links lead to English pages: every entry is translated here.
        let html = english.entry(&t.id).expect("entry").html();
        assert!(b.contains(&html), "{}: body", t.id);
        assert!(!html.contains("href=\"/kb/"), "{}: {html}", t.id);
        assert!(b.contains("\"inLanguage\":\"en\""), "{}", t.id);
        assert!(
            b.contains(&format!("action=\"/en/kb/{}/feedback\"", t.id)),
            "{}",
            t.id
        );
        assert!(b.contains("Was this article helpful?"), "{}", t.id);
        assert!(!b.contains("translation-notice"), "{}: up to date", t.id);
    }
    let category = &english.categories[0];
    let res = get(&state, "/en/").await;
    assert!(
        res.body.contains(&escape(&category.name)),
        "category names in English"
    );
    assert!(
        res.body
            .contains(&format!("href=\"/en/c/{}\"", category.slug))
    );
    assert!(
        res.body
            .contains(&format!("{} entries", english.entries.len()))
    );
}

/// What the Markdown renderer adds to a body (the label of a heading's `#` link, the alt text
/// of an image written without one) is in the body's language. No bundled entry has a heading,
/// so one is added here, in both languages.
#[actix_web::test]
async fn headings_and_images_are_labelled_in_the_entry_s_language() {
    let content = TempContent::copy_of(&repo_content());
    let added = "\n## Why {#why}\n\nBecause.\n\n![](https://example.com/cookie.png)\n";
    for file in ["kb/cookie.en.md", "kb/timeout.md"] {
        let text = std::fs::read_to_string(content.path().join(file)).expect("entry");
        content.write(file, &format!("{text}{added}"));
    }
    let state = state(content.path(), None);
    for (uri, label, alt) in [
        ("/en/kb/cookie", "Link to this section", "Screenshot"),
        ("/kb/timeout", "本节链接", "截图"),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 200, "{uri}");
        let link = format!("<a class=\"anchor\" href=\"#why\" aria-label=\"{label}\">#</a></h2>");
        assert!(res.body.contains(&link), "{uri}: {}", res.body);
        assert!(res.body.contains(&format!("alt=\"{alt}\"")), "{uri}");
    }
    assert_english(&get(&state, "/en/kb/cookie").await.body, "/en/kb/cookie");
}

#[actix_web::test]
async fn chinese_pages_stay_chinese() {
    let state = state(&repo_content(), None);
    for uri in [
        "/",
        "/kb",
        "/kb/cookie",
        "/contact",
        "/wizard",
        "/search?q=cookie",
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 200, "{uri}");
        assert!(res.body.contains("<html lang=\"zh-CN\">"), "{uri}");
        assert!(res.body.contains("跳到正文"), "{uri}");
        assert!(!res.body.contains("Wendao Help Center"), "{uri}");
    }
}

/// `/en/feed.xml` follows the English entries and `/en/opensearch.xml` searches the English
/// site; English pages point to both, and an entry not translated is not in the English feed.
#[actix_web::test]
async fn the_english_site_has_its_own_feed_and_search_engine() {
    let content = without_a_translation();
    let state = state(content.path(), Some("https://help.example.com"));
    let res = get(&state, "/en/feed.xml").await;
    assert_eq!(res.status, 200);
    let feed: atom_syndication::Feed = res.body.parse().expect("a valid Atom feed");
    assert_eq!(feed.lang.as_deref(), Some("en"));
    assert_eq!(feed.title.as_str(), "Wendao Help Center: updated entries");
    let library = wendao::content::load(content.path()).expect("content");
    let english = library.localized("en");
    let dated = english
        .entries
        .iter()
        .filter(|e| e.lang == "en" && e.updated.is_some())
        .count();
    assert!(dated > 1);
    assert_eq!(feed.entries.len(), dated.min(50));
    for entry in &feed.entries {
        let href = &entry.links[0].href;
        assert!(
            href.starts_with("https://help.example.com/en/kb/"),
            "{href}"
        );
        let id = href.rsplit('/').next().unwrap();
        assert_eq!(
            entry.title.as_str(),
            english.entry(id).unwrap().title,
            "{id}"
        );
    }
    assert!(
        feed.entries
            .iter()
            .all(|e| !e.links[0].href.ends_with("/cookie"))
    );
    let chinese: atom_syndication::Feed = get(&state, "/feed.xml").await.body.parse().unwrap();
    assert_eq!(chinese.lang.as_deref(), Some("zh-CN"));
    assert!(
        chinese
            .entries
            .iter()
            .any(|e| e.links[0].href.ends_with("/kb/cookie"))
    );

    let res = get(&state, "/en/opensearch.xml").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<Language>en</Language>"));
    assert!(
        res.body
            .contains(r#"template="https://help.example.com/en/search?q={searchTerms}""#)
    );
    let home = get(&state, "/en/").await.body;
    assert!(home.contains("type=\"application/atom+xml\" title=\"Wendao Help Center: updated entries\" href=\"/en/feed.xml\""), "{home}");
    assert!(home.contains("href=\"/en/opensearch.xml\""));
}

/// The bundled content with `cookie` left untranslated.
fn without_a_translation() -> TempContent {
    let content = TempContent::copy_of(&repo_content());
    content.remove("kb/cookie.en.md");
    content
}

#[actix_web::test]
async fn an_entry_not_translated_is_read_in_chinese_and_marked_so() {
    let content = without_a_translation();
    let state = state(content.path(), None);
    let res = get(&state, "/en/kb/cookie?from=x").await;
    assert_eq!(res.status, 302);
    assert_eq!(res.header("location"), Some("/kb/cookie?from=x"));
    // The Chinese page names no English one.
    let chinese = get(&state, "/kb/cookie").await;
    assert!(
        alternates(&chinese.body).is_empty(),
        "{:?}",
        alternates(&chinese.body)
    );
    assert!(!chinese.body.contains("header-language"));
    // The English lists link to it in Chinese, saying so.
    let library: Library = wendao::content::load(content.path()).expect("content");
    let title = escape(&library.entry("cookie").unwrap().title);
    let list = get(&state, "/en/kb").await.body;
    assert!(
        list.contains(&format!(
            "<a href=\"/kb/cookie\" hreflang=\"zh-CN\" lang=\"zh-CN\">{title}</a> <span class=\"untranslated\">Chinese only</span>"
        )),
        "{list}"
    );
    let sitemap = get(&state, "/sitemap.xml").await.body;
    assert!(sitemap.contains("/kb/cookie</loc>"));
    assert!(!sitemap.contains("/en/kb/cookie"));
    assert!(sitemap.contains("/en/kb/error-19</loc>"));
    assert!(sitemap.contains("hreflang=\"en\""));
    assert!(sitemap.contains("hreflang=\"x-default\""));
    assert!(!sitemap.contains("/wizard/"), "steps are noindex");
    for page in ["/contact", "/wizard"] {
        assert!(sitemap.contains(&format!("{page}</loc>")), "{page}");
        assert!(sitemap.contains(&format!("/en{page}</loc>")), "/en{page}");
    }
}

#[actix_web::test]
async fn an_old_id_leads_straight_to_the_page_the_entry_is_read_on() {
    let content = without_a_translation();
    let cookie = std::fs::read_to_string(content.path().join("kb/cookie.md")).unwrap();
    content.write(
        "kb/cookie.md",
        &cookie.replacen("+++\n", "+++\naliases = [\"cookies\"]\n", 1),
    );
    let timeout = std::fs::read_to_string(content.path().join("kb/timeout.md")).unwrap();
    content.write(
        "kb/timeout.md",
        &timeout.replacen("+++\n", "+++\naliases = [\"time-out\"]\n", 1),
    );
    let state = state(content.path(), None);
    for (uri, location) in [
        ("/en/kb/time-out?q=1", "/en/kb/timeout?q=1"),
        ("/en/kb/cookies", "/kb/cookie"),
        ("/kb/time-out", "/kb/timeout"),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 301, "{uri}");
        assert_eq!(res.header("location"), Some(location), "{uri}");
    }
}

#[actix_web::test]
async fn a_translation_older_than_its_source_says_so_and_links_to_it() {
    let content = TempContent::copy_of(&repo_content());
    let source = std::fs::read_to_string(content.path().join("kb/cookie.md")).unwrap();
    content.write("kb/cookie.md", &format!("{source}\n又补充了一段。\n"));
    let state = state(content.path(), None);
    let res = get(&state, "/en/kb/cookie").await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains(
            "<p class=\"notice translation-notice\">This translation may be out of date — <a href=\"/kb/cookie\" hreflang=\"zh-CN\" lang=\"zh-CN\">"
        ),
        "{}",
        res.body
    );
    assert!(res.body.contains("Do mini programs support cookies?"));
}

#[actix_web::test]
async fn english_errors_and_redirects_stay_in_english() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/en").await;
    assert_eq!(res.status, 301);
    assert_eq!(res.header("location"), Some("/en/"));
    let res = get(&state, "/en?utm_source=ticket").await;
    assert_eq!(res.header("location"), Some("/en/?utm_source=ticket"));
    for (uri, message) in [
        (
            "/en/kb/no-such-entry",
            "There is no entry with the ID “no-such-entry”.",
        ),
        ("/en/c/nope", "There is no category “nope”."),
        ("/en/c/guides?page=9", "has 1 page(s), not page 9."),
        ("/en/search?q=timeout&page=50", "page(s), not page 50."),
        ("/en/no/such/page", "There is no page at /en/no/such/page."),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 404, "{uri}");
        assert!(res.body.contains("<html lang=\"en\">"), "{uri}");
        assert!(res.body.contains("Page not found"), "{uri}");
        assert!(res.body.contains(&escape(message)), "{uri}: {}", res.body);
    }
}

#[actix_web::test]
async fn a_vote_from_an_english_page_comes_back_to_it() {
    let data = tempfile::tempdir().unwrap();
    let library = wendao::content::load(&repo_content()).expect("content");
    let site = wendao::web::Site::build(library).expect("site");
    let store = wendao::store::Store::open(data.path())
        .await
        .expect("store");
    let state = actix_web::web::Data::new(wendao::web::AppState::new(site, None).with_store(store));
    let res = request(
        &state,
        TestRequest::post()
            .uri("/en/kb/error-19/feedback")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .set_payload("helpful=no"),
    )
    .await;
    assert_eq!(res.status, 303, "{}", res.body);
    assert_eq!(
        res.header("location"),
        Some("/en/kb/error-19?feedback=missing#feedback")
    );
    let asking = get(&state, "/en/kb/error-19?feedback=missing").await.body;
    assert!(asking.contains("What was missing?"), "{asking}");
    assert!(asking.contains("It is out of date or wrong"));
}

#[actix_web::test]
async fn the_home_page_offers_english_to_a_browser_that_prefers_it_and_nothing_moves() {
    let state = state(&repo_content(), None);
    let home = |accept: &'static str| {
        let state = state.clone();
        async move {
            request(
                &state,
                TestRequest::get()
                    .uri("/")
                    .insert_header(("accept-language", accept)),
            )
            .await
        }
    };
    let offer = "<p class=\"language-offer\"><a href=\"/en/\" hreflang=\"en\" lang=\"en\">Read this help center in English</a></p>";
    let english = home("en-US,en;q=0.9").await;
    assert_eq!(english.status, 200);
    assert!(english.body.contains(offer), "{}", english.body);
    assert!(
        english.body.contains("<html lang=\"zh-CN\">"),
        "still the Chinese page"
    );
    let vary: Vec<&str> = english
        .headers
        .get_all("vary")
        .filter_map(|v| v.to_str().ok())
        .collect();
    assert!(
        vary.iter().any(|v| v.contains("Accept-Language")),
        "{vary:?}"
    );
    for accept in ["zh-CN,zh;q=0.9,en;q=0.8", "fr-FR", ""] {
        let res = home(accept).await;
        assert!(!res.body.contains("language-offer"), "{accept}");
    }
    assert!(!get(&state, "/").await.body.contains("language-offer"));
    // An entry stays where its link says, whatever the browser prefers.
    let res = request(
        &state,
        TestRequest::get()
            .uri("/kb/cookie")
            .insert_header(("accept-language", "en-US")),
    )
    .await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("<html lang=\"zh-CN\">"));
    assert!(!res.body.contains("language-offer"));
    // The English home page offers nothing: its reader is there.
    let res = request(
        &state,
        TestRequest::get()
            .uri("/en/")
            .insert_header(("accept-language", "zh-CN")),
    )
    .await;
    assert!(!res.body.contains("language-offer"));
}

#[actix_web::test]
async fn the_wizard_is_walked_in_english_with_the_same_answers() {
    let library = wendao::content::load(&repo_content()).expect("content");
    let english = library.localized("en");
    let wizard = &english.wizards[0];
    assert_eq!(wizard.lang, "en", "the bundled wizard is translated");
    let state = state(&repo_content(), Some("https://help.example.com"));
    // The error messages as the English entries quote them lead where the Chinese ones do.
    for (typed, outcome) in [
        (
            "[API call] Please configure a secure domain",
            "out-secure-domain",
        ),
        ("No permission for cross-domain calls", "out-cross-domain"),
        (
            "The Internet connection appears to be offline",
            "out-error-12",
        ),
        ("请配置安全域名", "out-secure-domain"),
    ] {
        let walk = wizard.replay(&[typed.to_string()]).expect("a path");
        let wendao::wizard::Position::Step(step) = walk.at else {
            panic!("{typed}: a step");
        };
        assert_eq!(step.id, outcome, "{typed}");
    }
    let list = get(&state, "/en/wizard").await;
    assert_english(&list.body, "/en/wizard");
    assert!(
        list.body
            .contains(&format!("href=\"/en/wizard/{}\"", wizard.id))
    );
    assert!(list.body.contains(&escape(&wizard.title)));

    // Every choice of the step an empty first answer leads to, in both languages: the same
    // step, each naming the other.
    let walk = wizard
        .replay(&[String::new()])
        .expect("an empty first answer");
    let wendao::wizard::Position::Step(first) = walk.at else {
        panic!("an empty first answer leads to a step");
    };
    let wendao::wizard::StepKind::Choices(choices) = &first.kind else {
        panic!("the bundled wizard asks for a choice there");
    };
    for choice in choices {
        let query = format!("a=&a={}&at={}", choice.value, choice.next);
        let path = format!("/wizard/{}?{query}", wizard.id);
        let uri = format!("/en{path}");
        let res = get(&state, &uri).await;
        assert_eq!(res.status, 200, "{uri}");
        assert_english(&res.body, &uri);
        let next = wizard.step(&choice.next).expect("next step");
        assert!(
            res.body.contains(&escape(&next.title)),
            "{uri}: {}",
            next.title
        );
        let zh = format!("https://help.example.com{}", path.replace('&', "&#38;"));
        assert!(
            alternates(&res.body).contains(&("zh-CN".to_string(), zh)),
            "{uri}: {:?}",
            alternates(&res.body)
        );
        let chinese = get(&state, &path).await;
        let source_step = library.wizards[0].step(&choice.next).expect("same step");
        assert!(chinese.body.contains(&escape(&source_step.title)), "{path}");
        // Outcomes link to the English entries.
        if let wendao::wizard::StepKind::Outcome(outcome) = &next.kind {
            for link in &outcome.links {
                assert!(
                    res.body.contains(&format!("href=\"/en/kb/{}", link.entry)),
                    "{uri}"
                );
            }
        }
    }
    let res = get(
        &state,
        &format!("/en/wizard/{}?a=&a=no-such-answer", wizard.id),
    )
    .await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("<html lang=\"en\">"));
    assert!(
        res.body.contains("is not an option of its step"),
        "{}",
        res.body
    );
    let res = get(&state, "/en/wizard/no-such-wizard").await;
    assert_eq!(res.status, 404);
    assert!(
        res.body.contains("There is no troubleshooting wizard"),
        "{}",
        res.body
    );
}

/// The entries a results page links to, in order: (href, lang of the hit when not the page's).
fn hits(body: &str) -> Vec<(String, Option<String>)> {
    body.match_indices("<li class=\"hit\"")
        .map(|(i, m)| {
            let rest = &body[i + m.len()..];
            let lang = rest
                .strip_prefix(" lang=\"")
                .and_then(|r| r.split_once('"'))
                .map(|(l, _)| l.to_string());
            let href = rest
                .split_once("class=\"hit-title\" href=\"")
                .expect("a hit link")
                .1;
            let href = href.split_once('"').expect("end").0;
            (href.split('?').next().unwrap_or_default().to_string(), lang)
        })
        .collect()
}

#[actix_web::test]
async fn english_searches_find_english_entries_and_the_switch_keeps_the_search() {
    let state = state(&repo_content(), Some("https://help.example.com"));
    let res = get(&state, "/en/search?q=garbled%20parameters").await;
    assert_eq!(res.status, 200);
    assert_english(&res.body, "/en/search");
    let found = hits(&res.body);
    assert_eq!(
        found[0],
        ("/en/kb/garbled-params".to_string(), None),
        "{found:?}"
    );
    assert!(
        found.iter().all(|(href, _)| href.starts_with("/en/kb/")),
        "{found:?}"
    );
    assert!(
        res.body.contains("<mark>parameters</mark>"),
        "highlighted in English"
    );
    // Switching language keeps the search; the Chinese page names the English one.
    assert_eq!(
        alternates(&res.body),
        [
            (
                "zh-CN".into(),
                "https://help.example.com/search?q=garbled%20parameters".into()
            ),
            (
                "en".into(),
                "https://help.example.com/en/search?q=garbled%20parameters".into()
            ),
            (
                "x-default".into(),
                "https://help.example.com/search?q=garbled%20parameters".into()
            ),
        ]
    );
    assert!(
        res.body
            .contains("href=\"/search?q=garbled%20parameters\" hreflang=\"zh-CN\"")
    );
    let chinese = get(&state, "/search?q=garbled%20parameters").await.body;
    assert!(chinese.contains("href=\"/en/search?q=garbled%20parameters\" hreflang=\"en\""));
    // A later page switches to the first: the other index may find fewer pages.
    let second = get(&state, "/en/search?q=request&page=2").await;
    assert_eq!(second.status, 200);
    assert!(
        second
            .body
            .contains("href=\"/search?q=request\" hreflang=\"zh-CN\""),
        "{}",
        second.body
    );
    // The search box of an English page searches the English site.
    assert!(res.body.contains("action=\"/en/search\""));
    let home = get(&state, "/en/").await.body;
    assert!(home.contains("action=\"/en/search\""));
    // A Chinese query on the English site finds the entry, read in English.
    let res = get(&state, "/en/search?q=%E4%B9%B1%E7%A0%81").await;
    let found = hits(&res.body);
    assert!(
        found
            .iter()
            .take(3)
            .any(|(href, _)| href == "/en/kb/garbled-params"),
        "{found:?}"
    );
    // Nothing found: said in English, with English ways out.
    let res = get(&state, "/en/search?q=quantum%20entanglement").await;
    assert!(
        res.body.contains("Nothing matches “quantum entanglement”"),
        "{}",
        res.body
    );
    assert!(res.body.contains("href=\"/en/wizard/request-errors\""));
    // The entry most others link to, in English.
    let guide = res.body.split("<li>Read ").nth(1).expect("a guide");
    assert!(
        guide.trim_start().starts_with("<a href=\"/en/kb/"),
        "{guide:.200}"
    );
    for chinese in ["换个方式", "联系我们", "找到", "条结果"] {
        assert!(!res.body.contains(chinese), "{chinese}");
    }
    // Links in translated text lead to the English wizard; tags search the English site.
    let contact = get(&state, "/en/contact").await.body;
    assert!(
        contact.contains("href=\"/en/wizard/request-errors\""),
        "{contact}"
    );
    assert!(!contact.contains("href=\"/wizard/"), "{contact}");
    let entry = get(&state, "/en/kb/error-19").await.body;
    assert!(
        entry.contains("href=\"/en/search?q=error%2019\""),
        "{entry}"
    );
    assert!(!entry.contains("href=\"/search"), "{entry}");
    // An empty search shows English examples that search the English site.
    let res = get(&state, "/en/search").await;
    assert!(res.body.contains("<h1 class=\"search-title\">Search</h1>"));
    assert!(
        res.body
            .contains("href=\"/en/search?q=whitelist%20not%20working\"")
    );
}

#[actix_web::test]
async fn an_english_search_falls_back_to_chinese_entries_and_marks_them() {
    let content = without_a_translation();
    let state = state(content.path(), None);
    // Only the Chinese cookie entry holds the word: the English site shows it, marked.
    let res = get(&state, "/en/search?q=cookie").await;
    assert_eq!(res.status, 200);
    let found = hits(&res.body);
    assert_eq!(
        found.first(),
        Some(&("/kb/cookie".to_string(), Some("zh-CN".to_string()))),
        "{found:?}"
    );
    assert!(res.body.contains("hreflang=\"zh-CN\">"));
    assert!(
        res.body
            .contains("<span class=\"untranslated\" lang=\"en\">Chinese only</span>")
    );
    // The same through the API, with the URL the entry is read at.
    let res = get(&state, "/api/search?lang=en&q=cookie").await;
    let json: serde_json::Value = serde_json::from_str(&res.body).expect("json");
    assert_eq!(json["lang"], "en");
    assert_eq!(json["hits"][0]["id"], "cookie");
    assert_eq!(json["hits"][0]["url"], "/kb/cookie");
}

/// A malformed query string is told in the page's language, as what is wrong with it, not as
/// the parser's own words.
#[actix_web::test]
async fn malformed_parameters_are_told_in_the_language_of_the_page() {
    let state = state(&repo_content(), None);
    for (uri, told) in [
        (
            "/en/search?q=a&q=b",
            "The URL's parameters are malformed: duplicate field `q`",
        ),
        ("/search?q=a&q=b", "网址参数有误：duplicate field `q`"),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 400, "{uri}");
        assert!(unescape(&res.body).contains(told), "{uri}: {}", res.body);
        assert!(!res.body.contains("deserialize"), "{uri}: {}", res.body);
    }
}

/// A Chinese query on the English site: where the two indexes rank two entries alike, the
/// Chinese index's order decides, so a pasted Chinese error finds its own entry first.
#[actix_web::test]
async fn a_chinese_query_on_the_english_site_keeps_the_chinese_order_on_ties() {
    let state = state(&repo_content(), None);
    for (site, url) in [
        ("", "/kb/secure-domain-required"),
        ("lang=en&", "/en/kb/secure-domain-required"),
    ] {
        let uri = format!("/api/search?{site}q={}", encoded("请配置安全域名"));
        let body = get(&state, &uri).await.json();
        assert_eq!(body["hits"][0]["url"], url, "{uri}: {body}");
    }
}

#[actix_web::test]
async fn the_search_api_answers_in_the_language_asked_for() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/api/search?lang=en&q=timeout&limit=3").await;
    assert_eq!(res.status, 200);
    let json: serde_json::Value = serde_json::from_str(&res.body).expect("json");
    assert_eq!(json["lang"], "en");
    assert_eq!(json["hits"][0]["id"], "timeout");
    assert_eq!(json["hits"][0]["url"], "/en/kb/timeout");
    let title = json["hits"][0]["title"].as_str().unwrap();
    assert!(title.is_ascii(), "{title}");
    // A tag as people write one names its language: any case, or with a region.
    for tag in ["EN", "en-US", "en_GB"] {
        let json = get(&state, &format!("/api/search?lang={tag}&q=timeout&limit=3"))
            .await
            .json();
        assert_eq!(json["lang"], "en", "{tag}");
    }
    let json = get(&state, "/api/search?lang=zh-TW&q=timeout&limit=3")
        .await
        .json();
    assert_eq!(json["lang"], "zh-CN");
    let res = get(&state, "/api/search?q=timeout&limit=3").await;
    let json: serde_json::Value = serde_json::from_str(&res.body).expect("json");
    assert_eq!(json["lang"], "zh-CN");
    assert_eq!(json["hits"][0]["url"], "/kb/timeout");
    // The entries too, with the language each is read in.
    let json = get(&state, "/api/entries?lang=en").await.json();
    assert_eq!(json["entries"][0]["lang"], "en", "{json}");
    assert!(
        json["entries"][0]["url"]
            .as_str()
            .unwrap()
            .starts_with("/en/kb/")
    );
    let json = get(&state, "/api/entries/error-19?lang=en").await.json();
    assert_eq!(json["url"], "/en/kb/error-19");
    assert!(json["title"].as_str().unwrap().is_ascii(), "{json}");
    let json = get(&state, "/api/entries/error-19").await.json();
    assert_eq!(
        (json["url"].as_str(), json["lang"].as_str()),
        (Some("/kb/error-19"), Some("zh-CN"))
    );
    // Suggestions too.
    let res = get(&state, "/api/suggest?lang=en&q=garbl").await;
    let json: serde_json::Value = serde_json::from_str(&res.body).expect("json");
    assert_eq!(
        json["suggestions"][0]["url"], "/en/kb/garbled-params",
        "{json}"
    );
    // Errors in the language asked for; an unknown language is named.
    for (uri, message) in [
        ("/api/search?lang=fr&q=x", "lang 只能是 zh-CN, en，收到“fr”"),
        (
            "/en/match/reply?e=error-19&lang=fr",
            "lang must be one of zh-CN, en, not “fr”",
        ),
        (
            "/api/search?lang=en&q=x&limit=abc",
            "limit must be a whole number from 0 to 50, not “abc”",
        ),
        ("/api/search?lang=en", "The parameter q is missing"),
        (
            "/api/search?q=x&limit=abc",
            "limit 必须是 0 到 50 之间的整数，收到“abc”",
        ),
        (
            "/en/search?q=x&page=abc",
            "page must be a whole number from 0 to 100, not “abc”",
        ),
        (
            "/en/c/guides?page=abc",
            "page must be a whole number from 0 to 1000000, not “abc”",
        ),
        (
            "/en/search?q=x&category=nope",
            "There is no category “nope”",
        ),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 400, "{uri}");
        let body = crate::common::unescape(&res.body);
        assert!(body.contains(message), "{uri}: {body}");
    }
    for (uri, message) in [
        (
            "/api/entries/nope?lang=en",
            "There is no entry with the ID “nope”.",
        ),
        ("/api/entries/nope", "没有编号为“nope”的条目。"),
        ("/api/nope?lang=en", "There is no page at /api/nope."),
    ] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 404, "{uri}");
        assert_eq!(
            res.json()["error"]["message"].as_str(),
            Some(message),
            "{uri}"
        );
    }
}

fn match_json(uri: &str, text: &str) -> TestRequest {
    TestRequest::post()
        .uri(uri)
        .insert_header(("content-type", "application/json"))
        .set_payload(serde_json::json!({ "text": text }).to_string())
}

fn match_form(uri: &str, text: &str) -> TestRequest {
    TestRequest::post()
        .uri(uri)
        .insert_header(("content-type", "application/x-www-form-urlencoded"))
        .set_payload(serde_urlencoded::to_string([("text", text)]).expect("form"))
}

const ENGLISH_TICKET: &str = "Hi, on a real device my.request fails with {\"error\":19,\"status\":404} \
    but the same URL opens fine in the browser. What should I check?";
const CHINESE_TICKET: &str = "你好，真机上 my.request 报错 {\"error\":19,\"status\":404}，浏览器里打开接口是正常的，请问怎么处理？";

#[actix_web::test]
async fn a_ticket_is_answered_in_the_language_it_is_written_in_with_both_urls() {
    let state = state(&repo_content(), None);
    let res = request(&state, match_json("/api/match", ENGLISH_TICKET)).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let json = res.json();
    assert_eq!(json["lang"], "en", "{json}");
    let first = &json["matches"][0];
    assert_eq!(first["id"], "error-19", "{json}");
    assert_eq!(first["url"], "/en/kb/error-19");
    assert_eq!(first["lang"], "en");
    assert!(first["title"].as_str().unwrap().is_ascii(), "{first}");
    assert_eq!(
        first["languages"],
        serde_json::json!([
            { "lang": "en", "url": "/en/kb/error-19" },
            { "lang": "zh-CN", "url": "/kb/error-19" },
        ])
    );
    let json = request(&state, match_json("/api/match", CHINESE_TICKET))
        .await
        .json();
    assert_eq!(json["lang"], "zh-CN");
    assert_eq!(json["matches"][0]["url"], "/kb/error-19", "{json}");
    assert_eq!(json["matches"][0]["languages"][1]["url"], "/en/kb/error-19");
    // A short Chinese message is Chinese whatever identifiers and codes it names.
    for text in ["my.request 传参 参数乱码", "请求报错 error 19"] {
        let json = request(&state, match_json("/api/match", text)).await.json();
        assert_eq!(json["lang"], "zh-CN", "{text}: {json}");
    }
    // An English reply says as much as the Chinese one: both of the two fixes.
    let json = request(
        &state,
        match_json(
            "/api/match",
            "Chinese params are garbled when they reach the backend",
        ),
    )
    .await
    .json();
    let garbled = json["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["id"] == "garbled-params")
        .unwrap_or_else(|| panic!("{json}"));
    let summary = garbled["summary"].as_str().unwrap();
    assert!(
        summary.contains("POST") && summary.contains("encodeURIComponent"),
        "{summary}"
    );
    // `?lang=` decides over the message; an unknown one is a clear 400.
    let json = request(&state, match_json("/api/match?lang=en", CHINESE_TICKET))
        .await
        .json();
    assert_eq!(json["lang"], "en");
    assert_eq!(json["matches"][0]["url"], "/en/kb/error-19", "{json}");
    let res = request(&state, match_json("/api/match?lang=fr", CHINESE_TICKET)).await;
    assert_eq!(res.status, 400);
    assert_eq!(
        res.json()["error"]["message"],
        "lang 只能是 zh-CN, en，收到“fr”"
    );
    let res = request(
        &state,
        TestRequest::post()
            .uri("/api/match?lang=en")
            .insert_header(("content-type", "application/json"))
            .set_payload("{}"),
    )
    .await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("text is missing"), "{}", res.body);
}

#[actix_web::test]
async fn the_match_page_and_its_reply_are_read_in_english() {
    let state = state(&repo_content(), Some("https://help.example.com"));
    let page = get(&state, "/en/match").await;
    assert_eq!(page.status, 200);
    assert_english(&page.body, "/en/match");
    assert!(page.body.contains("action=\"/en/match\""));
    assert!(page.body.contains("<h1>Answer a ticket</h1>"));
    let empty = request(&state, match_form("/en/match", "  ")).await;
    assert_eq!(empty.status, 400);
    assert_english(&empty.body, "/en/match");
    assert!(empty.body.contains("role=\"alert\">The message is empty"));
    // An English ticket: English entries, a reply in English.
    let res = request(&state, match_form("/en/match", ENGLISH_TICKET)).await;
    assert_eq!(res.status, 200);
    assert_english(&res.body, "/en/match");
    assert!(
        res.body.contains("<a href=\"/en/kb/error-19\">"),
        "{}",
        res.body
    );
    assert!(
        res.body
            .contains("<input type=\"hidden\" name=\"lang\" value=\"en\">")
    );
    assert!(
        res.body
            .contains("href=\"/kb/error-19\" hreflang=\"zh-CN\" lang=\"zh-CN\">中文</a>")
    );
    let reply = get(&state, "/en/match/reply?e=error-19&lang=en").await;
    assert_eq!(reply.status, 200);
    assert_english(&reply.body, "/en/match/reply");
    let text = crate::common::unescape(&reply.body);
    assert!(
        text.contains("https://help.example.com/en/kb/error-19"),
        "{text}"
    );
    assert!(
        !text.contains("https://help.example.com/kb/error-19"),
        "{text}"
    );
    // Its language switch keeps the picks and the reply's language.
    assert!(
        reply.body.contains(
            "class=\"header-language\" href=\"/match/reply?e=error-19&#38;lang=en\" hreflang=\"zh-CN\""
        ),
        "{}",
        reply.body
    );
    // A Chinese ticket on the English page: English interface, Chinese answers, said so.
    let res = request(&state, match_form("/en/match", CHINESE_TICKET)).await;
    assert_english(&res.body, "/en/match");
    assert!(res.body.contains("Replying in 中文:"), "{}", res.body);
    assert!(res.body.contains("<a href=\"/kb/error-19\">"));
    // Its errors are English pages.
    let res = get(&state, "/en/match/reply?lang=en").await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("<html lang=\"en\">"));
    assert!(res.body.contains("No entry ticked"), "{}", res.body);
    let res = get(&state, "/en/match/reply?e=error-19%23nope").await;
    assert!(crate::common::unescape(&res.body).contains("has no section “nope”"));
}

#[actix_web::test]
async fn a_bad_vote_or_method_under_en_is_told_in_english() {
    let state = state(&repo_content(), None);
    let vote = |body: &'static str| {
        TestRequest::post()
            .uri("/en/kb/error-19/feedback")
            .insert_header(("content-type", "application/x-www-form-urlencoded"))
            .insert_header(("origin", "http://localhost:8080"))
            .set_payload(body)
    };
    for (body, message) in [
        ("helpful=maybe", "helpful must be yes or no, not “maybe”"),
        (
            "helpful=yes&reason=unclear",
            "reason goes with helpful=no only",
        ),
        (
            "helpful=no&reason=bored",
            "reason must be one of not-my-problem, unclear",
        ),
    ] {
        let res = request(&state, vote(body)).await;
        assert_eq!(res.status, 400, "{body}: {}", res.body);
        assert!(res.body.contains("<html lang=\"en\">"), "{body}");
        let text = crate::common::unescape(&res.body);
        assert!(text.contains(message), "{body}: {text}");
    }
    let res = request(&state, TestRequest::delete().uri("/en/kb/error-19")).await;
    assert_eq!(res.status, 405);
    assert!(res.body.contains("<html lang=\"en\">"));
    assert!(
        res.body.contains("The method DELETE is not supported here"),
        "{}",
        res.body
    );
    let res = request(&state, TestRequest::delete().uri("/en/nowhere")).await;
    assert_eq!(res.status, 405);
    assert!(res.body.contains("The method DELETE is not supported here"));
    let res = request(&state, TestRequest::delete().uri("/kb/error-19")).await;
    assert!(res.body.contains("不支持 DELETE 方法"));
    let res = request(&state, TestRequest::delete().uri("/api/search?lang=en&q=x")).await;
    assert_eq!(res.status, 405);
    let told = res.json()["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        told.starts_with("The method DELETE is not supported"),
        "{told}"
    );
    // A broken address and a vote from another site, refused before any handler, in English.
    let res = get(&state, "/en/search?q=%zz").await;
    assert_eq!(res.status, 400);
    assert!(
        res.body.contains("The address has broken percent-encoding"),
        "{}",
        res.body
    );
    let res = request(
        &state,
        vote("helpful=yes").insert_header(("origin", "https://elsewhere.example")),
    )
    .await;
    assert_eq!(res.status, 403);
    assert!(
        res.body.contains("This request came from another site"),
        "{}",
        res.body
    );
    let res = request(&state, vote("helpful=yes&helpful=no")).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("<html lang=\"en\">"), "{}", res.body);
    assert!(res.body.contains("The form is malformed"), "{}", res.body);
}

/// A Han character, or CJK or full-width punctuation (、。【】（）).
fn is_chinese(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
        || ('\u{3000}'..='\u{303f}').contains(&c)
        || ('\u{ff00}'..='\u{ffef}').contains(&c)
}

/// Reader-facing text lives in the catalogues: no string in the web layer, the wizard or what
/// reads and renders content has a Chinese word in it (comments and tests may), so a third
/// language needs no code.
#[test]
fn no_interface_text_is_left_in_the_code() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found = Vec::new();
    for dir in ["web", "wizard", "locale", "source", "content"] {
        for file in std::fs::read_dir(root.join(dir)).expect("src dir") {
            let path = file.expect("entry").path();
            let text = std::fs::read_to_string(&path).expect("source");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            for (n, line) in code.lines().enumerate() {
                let line = line.split("//").next().unwrap_or_default();
                let quoted = line.split('"').skip(1).step_by(2);
                if quoted.flat_map(str::chars).any(is_chinese) {
                    found.push(format!("{}:{}: {line}", path.display(), n + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// Every page's text comes from the catalogues: no template has a Chinese character in it but
/// the brand mark, so a third language needs no template edit.
#[test]
fn no_template_holds_chinese_text() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut found = Vec::new();
    for file in std::fs::read_dir(&dir).expect("templates") {
        let path = file.expect("entry").path();
        if path.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("template");
        let name = path.file_name().expect("a name").to_string_lossy();
        for (n, line) in text.lines().enumerate() {
            let line = if name == "base.html" {
                line.replace("aria-hidden=\"true\">问</span>", "")
            } else {
                line.to_string()
            };
            if line.chars().any(is_chinese) {
                found.push(format!("{name}:{}: {}", n + 1, line.trim()));
            }
        }
    }
    assert!(found.is_empty(), "{found:#?}");
}

/// The first pages of an English search, and a page of one hit, come from one fusion of the
/// two indexes' lists, so they agree.
#[actix_web::test]
async fn the_first_pages_of_an_english_search_agree() {
    let content = with_neighbours();
    let state = state(content.path(), None);
    let ask = |query: &str| {
        let state = state.clone();
        let uri = format!(
            "/api/search?lang=en&q=FPS%20drop%20when%20sending%20many%20https%20requests%20at%20once&{query}"
        );
        async move { get(&state, &uri).await.json() }
    };
    let whole = ask("limit=10").await;
    let ids = |json: &serde_json::Value| -> Vec<String> {
        json["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["id"].as_str().unwrap_or_default().to_string())
            .collect()
    };
    let all = ids(&whole);
    assert!(all.len() >= 6, "{whole}");
    for (query, from) in [("limit=1", 0), ("limit=2", 0), ("offset=3&limit=3", 3)] {
        let part = ask(query).await;
        assert_eq!(part["total"], whole["total"], "{query}");
        assert_eq!(part["answered"], whole["answered"], "{query}");
        let got = ids(&part);
        assert_eq!(got, all[from..from + got.len()], "{query}");
    }
}

/// The English site's two lists, fused: a search in one category shows the same counts per
/// category as the search in all of them, and a page past the fusion's end has no hits.
#[actix_web::test]
async fn english_search_keeps_its_counts_in_a_category_and_ends_at_its_window() {
    let state = state(&repo_content(), None);
    let counts = |body: &str| -> Vec<String> {
        let nav = body
            .split("<nav class=\"filters\"")
            .nth(1)
            .and_then(|rest| rest.split("</nav>").next())
            .unwrap_or_default()
            .to_string();
        nav.split("<span class=\"count\">")
            .skip(1)
            .map(|c| c.split('<').next().unwrap_or_default().to_string())
            .collect()
    };
    let all = get(&state, "/en/search?q=request").await;
    assert_eq!(all.status, 200);
    let in_all = counts(&all.body);
    assert!(in_all.len() >= 3, "All and two categories: {in_all:?}");
    let one = get(&state, "/en/search?q=request&category=features").await;
    assert_eq!(one.status, 200);
    assert_eq!(counts(&one.body), in_all);

    // Among the neighbours more than 100 entries hold one of these words: the results end at
    // the 100th.
    let content = with_neighbours();
    let state = crate::common::state(content.path(), None);
    let chinese = get(
        &state,
        "/api/search?q=%E5%B0%8F%E7%A8%8B%E5%BA%8F%20%E6%8E%A5%E5%8F%A3%20request&limit=1",
    )
    .await
    .json();
    assert!(
        chinese["total"].as_u64().is_some_and(|n| n > 100),
        "{chinese}"
    );
    let english = get(
        &state,
        "/api/search?lang=en&q=%E5%B0%8F%E7%A8%8B%E5%BA%8F%20%E6%8E%A5%E5%8F%A3%20request&limit=1",
    )
    .await
    .json();
    assert_eq!(english["total"], 100, "{english}");
    let last = get(&state, "/api/search?lang=en&q=%E5%B0%8F%E7%A8%8B%E5%BA%8F%20%E6%8E%A5%E5%8F%A3%20request&offset=95&limit=10")
        .await
        .json();
    assert_eq!(last["hits"].as_array().map(Vec::len), Some(5), "{last}");
}

/// The bundled content with the hand-written neighbours copied in.
fn with_neighbours() -> TempContent {
    let content = TempContent::copy_of(&repo_content());
    let neighbours =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/handwritten/kb");
    for file in std::fs::read_dir(&neighbours).expect("neighbours") {
        let path = file.expect("a file").path();
        let name = path
            .file_name()
            .expect("a name")
            .to_string_lossy()
            .to_string();
        content.write(
            &format!("kb/{name}"),
            &std::fs::read_to_string(&path).expect("read"),
        );
    }
    content
}

/// An English question about a subject only Chinese entries cover: the English index knows
/// none of the subject's words and has only near misses about my.request, which fused in
/// would rank above the entry about the subject.
#[actix_web::test]
async fn an_english_question_on_a_subject_no_translation_covers_finds_its_chinese_entry() {
    let content = TempContent::copy_of(&repo_content());
    content.write(
        "kb/socket-offline.md",
        "+++\ntitle = \"my.connectSocket 在手机断网后怎样重新连接\"\ncategory = \"request-errors\"\n\
         tags = [\"WebSocket\", \"my.connectSocket\", \"断网\"]\n+++\n\
         WebSocket 连接在手机断网时会关闭：在 my.onSocketClose 里等网络恢复（my.onNetworkStatusChange）后再调用 my.connectSocket。\n",
    );
    let state = state(content.path(), None);
    let query = "how should websocket come back after the phone loses its network";
    let res = get(
        &state,
        &format!("/api/search?lang=en&q={}", query.replace(' ', "+")),
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    let json = res.json();
    assert_eq!(json["hits"][0]["id"], "socket-offline", "{json}");
    assert_eq!(json["query"], query, "{json}");
    // A question the translations answer keeps the English list: its hit is marked on the
    // English text (a hit from the Chinese list only is shown unmarked).
    let res = get(
        &state,
        "/api/search?lang=en&q=phone+offline+during+local+debugging",
    )
    .await;
    let json = res.json();
    assert_eq!(json["answered"], true, "{json}");
    assert_eq!(json["hits"][0]["id"], "error-12", "{json}");
    assert_eq!(json["hits"][0]["url"], "/en/kb/error-12", "{json}");
    let snippet = json["hits"][0]["snippet_html"].as_str().unwrap_or_default();
    assert!(snippet.contains("<mark>"), "{json}");
}

/// A search nothing answers on the Chinese site, written in English, offers the same search
/// on the English site (a link, never a redirect), which answers it.
#[actix_web::test]
async fn an_unanswered_english_search_on_the_chinese_site_offers_the_english_one() {
    let state = state(&repo_content(), None);
    let english = "why is the http referer header different on my phone";
    let res = get(&state, &format!("/search?q={}", english.replace(' ', "+"))).await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("class=\"maybe-title\""),
        "not answered here"
    );
    let offer =
        format!("hreflang=\"en\" lang=\"en\">Search the English help center for “{english}”</a>");
    assert!(res.body.contains(&offer), "{}", res.body);
    let href = res.body[..res.body.find(&offer).expect("offer")]
        .rsplit_once("href=\"")
        .expect("href")
        .1
        .trim_end_matches("\" ")
        .to_string();
    let there = get(&state, &unescape(&href)).await;
    assert_eq!(there.status, 200, "{href}");
    assert!(there.body.contains("<html lang=\"en\">"), "{href}");
    assert!(
        !there.body.contains("class=\"maybe-title\""),
        "answered there: {href}"
    );
    // Not in a category (the link would leave it), nor for a Chinese question, answered or
    // not, nor on the English site (which searches the Chinese entries already).
    let unanswered = [
        format!(
            "/search?q={}&category=request-errors",
            english.replace(' ', "+")
        ),
        format!("/search?q={}", encoded("白名单")),
        format!("/search?q={}", encoded("小程序登录态怎么保持")),
        format!("/en/search?q={}", encoded("小程序登录态怎么保持")),
        "/en/search?q=600001".to_string(),
    ];
    for uri in &unanswered {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 200, "{uri}");
        assert!(!res.body.contains("language-offer"), "{uri}");
    }
}
