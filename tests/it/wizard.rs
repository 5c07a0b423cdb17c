//! The troubleshooting wizard: an exhaustive walk of the real one, its pages, bad URLs, and
//! every kind of wizard definition error.

use std::collections::{HashSet, VecDeque};

use crate::common::{TempContent, fixture, get, repo_content, state, unescape};
use wendao::wizard::{Position, StepKind, Wizard};

/// Inputs tried at every input step: each kind of answer the seed talks about, and noise.
const SAMPLE_INPUTS: &[&str] = &[
    "",
    "19",
    "error 19",
    "\"error\":19",
    "error 2",
    "14",
    "error 14",
    "JSON parse data error",
    "error 12",
    "似乎已断开与互联网的连接",
    "N22106",
    "[API 调用] 请配置安全域名",
    "无权跨域调用",
    "入参有误",
    "请求超时",
    "timeout",
    "502",
    "404",
    "301",
    "200",
    "13",
    "完全不认识的报错",
    "error 99",
];

fn real_wizard() -> Wizard {
    let library = wendao::content::load(&repo_content()).expect("content");
    library
        .wizard("request-errors")
        .expect("the seed's wizard")
        .clone()
}

fn end(w: &Wizard, answers: &[&str]) -> String {
    let answers: Vec<String> = answers.iter().map(|s| s.to_string()).collect();
    match w
        .replay(&answers)
        .unwrap_or_else(|e| panic!("{answers:?}: {e}"))
        .at
    {
        Position::Step(s) => s.id.clone(),
        Position::Search(q) => format!("search:{q}"),
    }
}

fn outcome_entries(w: &Wizard, step: &str) -> Vec<String> {
    match &w
        .step(step)
        .unwrap_or_else(|| panic!("no step {step}"))
        .kind
    {
        StepKind::Outcome(o) => o.links.iter().map(|l| l.entry.clone()).collect(),
        _ => panic!("{step} is not an outcome"),
    }
}

#[test]
fn every_step_is_reached_and_every_path_ends_at_an_outcome_or_a_search() {
    let library = wendao::content::load(&repo_content()).expect("content");
    let w = library.wizard("request-errors").expect("wizard");
    let mut seen: HashSet<String> = HashSet::new();
    let mut queue: VecDeque<Vec<String>> = VecDeque::from([Vec::new()]);
    let mut paths = 0;
    while let Some(answers) = queue.pop_front() {
        assert!(answers.len() <= 12, "path too deep: {answers:?}");
        let walk = w
            .replay(&answers)
            .unwrap_or_else(|e| panic!("{answers:?}: {e}"));
        let step = match walk.at {
            Position::Search(_) => {
                paths += 1;
                continue;
            }
            Position::Step(step) => step,
        };
        seen.insert(step.id.clone());
        let next: Vec<String> = match &step.kind {
            StepKind::Choices(choices) => choices.iter().map(|c| c.value.clone()).collect(),
            StepKind::Input(_) => SAMPLE_INPUTS.iter().map(|s| s.to_string()).collect(),
            StepKind::Outcome(o) => {
                paths += 1;
                assert!(!o.links.is_empty(), "{} points nowhere", step.id);
                for link in &o.links {
                    let entry = library
                        .entry(&link.entry)
                        .unwrap_or_else(|| panic!("{}: {}", step.id, link.entry));
                    if let Some(anchor) = &link.anchor {
                        assert!(
                            entry.headings.iter().any(|h| &h.anchor == anchor),
                            "{}#{anchor}",
                            link.entry
                        );
                    }
                }
                continue;
            }
        };
        for answer in next {
            let mut longer = answers.clone();
            longer.push(answer);
            queue.push_back(longer);
        }
    }
    let all: HashSet<String> = w.steps.iter().map(|s| s.id.clone()).collect();
    let missed: Vec<_> = all.difference(&seen).collect();
    assert!(missed.is_empty(), "never reached: {missed:?}");
    assert!(paths > 50, "{paths} paths");
}

#[test]
fn every_error_of_the_seed_routes_to_its_entry() {
    let w = real_wizard();
    // Typed at the first step, straight to the answer.
    for (typed, entry) in [
        ("19", "error-19"),
        ("error 19", "error-19"),
        ("\"error\":19", "error-19"),
        ("error 2", "error-2"),
        ("\"error\":2 入参有误", "error-2"),
        ("error 14", "error-14"),
        ("JSON parse data error", "error-14"),
        (
            "{\"data\":\"请求超时异常\", \"error\":14, \"headers\": \"{…}\", \"status\":13, \"errorMessage\": \"JSON parse data error\"}",
            "error-14",
        ),
        ("error 12", "error-12"),
        ("似乎已断开与互联网的连接", "error-12"),
        ("N22106", "n22106"),
        ("code: N22106", "n22106"),
        ("[API 调用] 请配置安全域名", "secure-domain-required"),
        ("无权跨域调用", "cross-domain-denied"),
        ("请求超时", "timeout"),
    ] {
        let at = end(&w, &[typed]);
        assert!(
            outcome_entries(&w, &at).contains(&entry.to_string()),
            "{typed} → {at}"
        );
    }
    // Through the questions.
    for (answers, entry) in [
        (&["", "error-code", "19"][..], "error-19"),
        (&["", "error-code", "14"], "error-14"),
        (&["", "message", "JSON parse data error"], "error-14"),
        (&["", "status", "13"], "error-14"),
        (&["", "status", "404"], "error-19"),
        (&["", "status", "502"], "request-troubleshooting"),
        (
            &["", "no-response", "ide-preview"],
            "ide-preview-no-response",
        ),
        (&["", "no-response", "local"], "local-testing"),
        (&["", "unsure", "no", "no"], "domain-whitelist"),
        (
            &["", "unsure", "no", "not-effective"],
            "whitelist-not-effective",
        ),
        (&["", "unsure", "unknown", "yes", "http"], "https-only"),
        (
            &["", "wrong-data", "missing-params"],
            "backend-missing-params",
        ),
        (&["", "wrong-data", "garbled"], "garbled-params"),
        (&["", "wrong-data", "timeout"], "timeout"),
        (&["", "wrong-data", "json"], "error-14"),
    ] {
        let at = end(&w, answers);
        assert!(
            outcome_entries(&w, &at).contains(&entry.to_string()),
            "{answers:?} → {at}"
        );
    }
    assert_eq!(end(&w, &["", "error-code", "error 99"]), "search:error 99");
}

fn href_after<'a>(html: &'a str, marker: &str) -> &'a str {
    let at = html.find(marker).unwrap_or_else(|| panic!("no {marker}"));
    let start = html[..at].rfind("href=\"").expect("href") + 6;
    let end = html[start..].find('"').expect("quote") + start;
    &html[start..end]
}

#[actix_web::test]
async fn error_14_is_three_pages_from_the_wizard_list_without_javascript() {
    let state = state(&repo_content(), None);
    // 1. The list of wizards.
    let list = get(&state, "/wizard").await;
    assert_eq!(list.status, 200);
    let start = href_after(&list.body, "网络请求报错排查向导");
    // 2. The first step: a plain GET form.
    let first = get(&state, start).await;
    assert!(first.body.contains(
        "<form class=\"wizard-input\" action=\"/wizard/request-errors\" method=\"get\">"
    ));
    assert!(first.body.contains("name=\"a\""));
    // 3. Submitting "error 14" (what the form does) gives the outcome with the entry.
    let outcome = get(&state, "/wizard/request-errors?a=error+14").await;
    assert_eq!(outcome.status, 200);
    assert!(outcome.body.contains("排查结果"));
    assert!(outcome.body.contains("<a href=\"/kb/error-14\">"));
    assert!(outcome.body.contains("问题解决了吗？"));
}

#[actix_web::test]
async fn steps_show_progress_a_trail_to_change_answers_back_and_restart() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/wizard/request-errors?a=&a=wrong-data&at=data").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("第 3 步"));
    assert!(res.body.contains("请求到了，哪里不对？"));
    assert!(res.body.contains("（跳过）"), "the skipped first answer");
    assert!(
        res.body.contains("请求成功了，但数据不对"),
        "the choice's label in the trail"
    );
    // Change the second answer: back to the step that asked it.
    let change = unescape(href_after(
        &res.body,
        "aria-label=\"修改这个回答：请求失败时，你看到的是什么？\"",
    ));
    assert_eq!(change, "/wizard/request-errors?a=&at=symptom");
    let back = unescape(href_after(&res.body, "rel=\"prev\""));
    assert_eq!(back, "/wizard/request-errors?a=&at=symptom");
    assert!(
        res.body
            .contains("href=\"/wizard/request-errors?at=paste\">重新开始")
    );
    // Each choice is a link holding the whole path.
    assert!(
        res.body.contains(
            "/wizard/request-errors?a=&#38;a=wrong-data&#38;a=garbled&#38;at=out-garbled"
        )
    );
    // The page's own link, to paste into a ticket.
    assert!(res.body.contains(
        "data-copy=\"http://localhost:8080/wizard/request-errors?a=&#38;a=wrong-data&#38;at=data\""
    ));
}

#[actix_web::test]
async fn a_pasted_message_the_wizard_does_not_know_is_said_so_on_the_step_it_asks_next() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/wizard/request-errors?a=ERR_FOO_7&at=symptom").await;
    assert_eq!(res.status, 200);
    assert!(
        res.body.contains("没有认出“ERR_FOO_7”，回答下面几个问题"),
        "{}",
        res.body
    );
    let res = get(&state, "/en/wizard/request-errors?a=ERR_FOO_7&at=symptom").await;
    assert!(
        res.body
            .contains("“ERR_FOO_7” was not recognized: a few questions")
    );
    // Skipped (blank) and recognised answers get no such notice.
    for url in [
        "/wizard/request-errors?a=&at=symptom",
        "/wizard/request-errors?a=error+14&at=out-error-14",
    ] {
        let res = get(&state, url).await;
        assert_eq!(res.status, 200, "{url}");
        assert!(!res.body.contains("没有认出"), "{url}");
    }
}

#[actix_web::test]
async fn a_pasted_step_url_reproduces_its_step() {
    let state = state(&repo_content(), None);
    let url = "/wizard/request-errors?a=&a=unsure&a=no&at=whitelist";
    let first = get(&state, url).await;
    let again = get(&state, url).await;
    assert_eq!(first.status, 200);
    assert!(
        first
            .body
            .contains("请求的域名已经加进服务器域名白名单了吗？")
    );
    assert_eq!(
        first.body, again.body,
        "no cookies, no session: the URL is the whole state"
    );
}

#[actix_web::test]
async fn outcomes_ask_whether_it_helped() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/wizard/request-errors?a=N22106&at=out-n22106").await;
    let yes = unescape(href_after(&res.body, ">解决了</a>"));
    let no = unescape(href_after(&res.body, ">没有解决</a>"));
    assert_eq!(
        yes,
        "/wizard/request-errors?a=N22106&at=out-n22106&solved=yes"
    );
    let solved = get(&state, &yes).await;
    assert!(solved.body.contains("太好了，问题解决了"));
    let unsolved = get(&state, &no).await;
    assert!(unsolved.body.contains("还没解决？"));
    // Two search forms on this page: each landmark has its own name.
    let labels: Vec<&str> = unsolved
        .body
        .split("role=\"search\" aria-label=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .collect();
    assert_eq!(labels.len(), 2, "{labels:?}");
    assert_ne!(labels[0], labels[1]);
    assert!(unsolved.body.contains("action=\"/search\""));
    assert!(
        unsolved.body.contains("提交工单"),
        "the wizard's contact text"
    );
}

#[actix_web::test]
async fn unknown_input_searches_the_knowledge_base() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/wizard/request-errors?a=&a=message&a=%E7%99%BD%E5%90%8D%E5%8D%95%E4%B8%8D%E7%94%9F%E6%95%88").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("没有认出“白名单不生效”"));
    assert!(res.body.contains("href=\"/kb/whitelist-not-effective\""));
    assert!(res.body.contains("<mark>"));
}

#[actix_web::test]
async fn wrong_urls_get_a_clear_message_and_a_restart_link_never_a_500() {
    let state = state(&repo_content(), None);
    let res = get(&state, "/wizard/no-such-wizard").await;
    assert_eq!(res.status, 404);
    assert!(res.body.contains("没有找到这个页面"));

    for (url, message) in [
        (
            "/wizard/request-errors?a=&a=no-such-choice",
            "第 2 个回答“no-such-choice”不是这一步的选项",
        ),
        (
            "/wizard/request-errors?a=N22106&a=more",
            "第 2 个回答是多余的",
        ),
        (
            "/wizard/request-errors?a=&a=error-code&a=zzz&a=extra",
            "第 4 个回答是多余的",
        ),
    ] {
        let res = get(&state, url).await;
        assert_eq!(res.status, 400, "{url}");
        assert!(res.body.contains(message), "{url}: {}", res.body);
        assert!(
            res.body
                .contains("href=\"/wizard/request-errors?at=paste\""),
            "restart link"
        );
    }
    let res = get(&state, "/wizard/request-errors?a=&a=no-such-choice").await;
    assert!(res.body.contains("回到链接里还有效的那一步"));
    assert!(res.body.contains("href=\"/wizard/request-errors?a=\""));

    let long = format!("/wizard/request-errors?a={}", "x".repeat(400));
    let res = get(&state, &long).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("回答太长"));

    let many = format!(
        "/wizard/request-errors?{}",
        "a=&".repeat(wendao::wizard::MAX_ANSWERS + 1)
    );
    let res = get(&state, &many).await;
    assert_eq!(res.status, 400);
    assert!(res.body.contains("回答太多"));

    // A link made for a step the answers no longer lead to: shown, with a notice.
    let res = get(&state, "/wizard/request-errors?a=&at=removed-step").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("排查向导有过更新"));
    assert!(res.body.contains("请求失败时，你看到的是什么？"));

    // Unknown parameters (tracking and the like) are ignored.
    let res = get(&state, "/wizard/request-errors?utm_source=ticket&a=19").await;
    assert_eq!(res.status, 200);
    assert!(res.body.contains("href=\"/kb/error-19\""));
}

#[actix_web::test]
async fn the_wizard_is_offered_on_home_entries_and_empty_searches() {
    let state = state(&repo_content(), None);
    assert!(
        get(&state, "/")
            .await
            .body
            .contains("href=\"/wizard/request-errors\"")
    );
    let entry = get(&state, "/kb/error-14").await;
    assert!(entry.body.contains("用排查向导定位问题"));
    let not_led_to = get(&state, "/kb/request-sync").await;
    assert!(!not_led_to.body.contains("用排查向导定位问题"));
    let empty = get(&state, "/search?q=%E9%87%8F%E5%AD%90%E7%BA%A0%E7%BC%A0").await;
    assert!(empty.body.contains("href=\"/wizard/request-errors\""));
}

// ── definition errors ──────────────────────────────────────────────

fn check_wizard(toml: &str) -> String {
    let content = TempContent::copy_of(&fixture("basic"));
    content.write("wizards/w.toml", toml);
    match wendao::content::load(content.path()) {
        Ok(_) => String::new(),
        Err(e) => e
            .to_string()
            .replace(&content.path().display().to_string(), ""),
    }
}

const HEAD: &str = "title = \"W\"\nstart = \"a\"\n";

fn expect(toml: &str, want: &str) {
    let got = check_wizard(toml);
    assert!(got.contains(want), "want {want:?}, got:\n{got}");
}

#[test]
fn a_valid_wizard_loads() {
    let got = check_wizard(&format!(
        "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[[step.choice]]\nvalue = \"x\"\nlabel = \"X\"\nnext = \"b\"\n\
         [[step]]\nid = \"b\"\ntitle = \"B\"\n[step.outcome]\nentries = [\"tls-errors#证书过期\"]\n"
    ));
    assert_eq!(got, "");
}

#[test]
fn definition_errors_name_file_and_line() {
    let outcome =
        "[[step]]\nid = \"end\"\ntitle = \"E\"\n[step.outcome]\nentries = [\"no-date\"]\n";
    // Unknown step (line 7: the `next` of the choice).
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[[step.choice]]\nvalue = \"x\"\nlabel = \"X\"\nnext = \"nowhere\"\n{outcome}"
        ),
        "/wizards/w.toml:9: unknown step \"nowhere\"",
    );
    // Unknown start.
    expect(
        &format!("title = \"W\"\nstart = \"zzz\"\n{outcome}"),
        "w.toml:2: unknown step \"zzz\"",
    );
    // Unknown entry and unknown anchor.
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[step.outcome]\nentries = [\"missing\"]\n"
        ),
        "w.toml:7: outcome points to unknown entry \"missing\"",
    );
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[step.outcome]\nentries = [\n  \"tls-errors#nope\"]\n"
        ),
        "w.toml:8: entry \"tls-errors\" has no heading #nope",
    );
    // Duplicate step ids.
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[step.outcome]\nentries = [\"no-date\"]\n[[step]]\nid = \"a\"\ntitle = \"A2\"\n[step.outcome]\nentries = [\"no-date\"]\n"
        ),
        "w.toml:9: duplicate step id \"a\" (first at line 4)",
    );
    // A step no path reaches.
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[step.outcome]\nentries = [\"no-date\"]\n[[step]]\nid = \"orphan\"\ntitle = \"O\"\n[step.outcome]\nentries = [\"no-date\"]\n"
        ),
        "w.toml:9: step \"orphan\" is never reached from the start step",
    );
    // A loop with no way out.
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[[step.choice]]\nvalue = \"x\"\nlabel = \"X\"\nnext = \"b\"\n\
                  [[step]]\nid = \"b\"\ntitle = \"B\"\n[[step.choice]]\nvalue = \"y\"\nlabel = \"Y\"\nnext = \"a\"\n"
        ),
        "w.toml:4: step \"a\" never leads to an outcome",
    );
    // A step with no way forward, and one with two kinds.
    expect(
        &format!("{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n"),
        "w.toml:4: step \"a\" must have exactly one of",
    );
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[[step.choice]]\nvalue = \"x\"\nlabel = \"X\"\nnext = \"a\"\n[step.outcome]\nentries = [\"no-date\"]\n"
        ),
        "w.toml:4: step \"a\" must have exactly one of",
    );
    // Inputs: bad pattern, empty range, two matchers, unknown fallback.
    let input = |route: &str, fallback: &str| {
        format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[step.input]\nlabel = \"L\"\nfallback = \"{fallback}\"\n[[step.input.route]]\n{route}\nnext = \"end\"\n{outcome}"
        )
    };
    expect(
        &input("pattern = \"(unclosed\"", "search"),
        "w.toml:11: invalid pattern",
    );
    expect(
        &input("range = [599, 500]", "search"),
        "w.toml:11: range [599, 500] is empty",
    );
    expect(
        &input("equals = [\"1\"]\ncontains = [\"2\"]", "search"),
        "w.toml:12: a route needs exactly one of",
    );
    expect(
        &input("equals = [\"1\"]", "nowhere"),
        "w.toml:8: unknown step \"nowhere\"",
    );
    // Choices: duplicate value, bad value.
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[[step.choice]]\nvalue = \"x\"\nlabel = \"X\"\nnext = \"end\"\n[[step.choice]]\nvalue = \"x\"\nlabel = \"X2\"\nnext = \"end\"\n{outcome}"
        ),
        "w.toml:11: duplicate choice value \"x\"",
    );
    expect(
        &format!(
            "{HEAD}[[step]]\nid = \"a\"\ntitle = \"A\"\n[[step.choice]]\nvalue = \"Not Slug\"\nlabel = \"X\"\nnext = \"end\"\n{outcome}"
        ),
        "w.toml:7: choice value \"Not Slug\" must be",
    );
    // Unknown keys.
    expect(
        &format!("{HEAD}colour = 1\n{outcome}"),
        "w.toml:3: unknown field `colour`",
    );
}

/// An answer the wizard does not know falls back to search: only entries holding every word,
/// then "问题解决了吗？", and the contact text when nothing fits or it did not help.
#[actix_web::test]
async fn the_search_fallback_lists_only_what_fits_and_offers_a_way_on() {
    let state = state(&repo_content(), None);
    let unknown = get(&state, "/wizard/request-errors?a=&a=message&a=error%2099").await;
    assert_eq!(unknown.status, 200);
    assert!(unknown.body.contains("没有认出"));
    assert!(
        !unknown.body.contains("class=\"hit-title\""),
        "no entry of another code offered for error 99"
    );
    assert!(unknown.body.contains("提交工单"), "the contact text");

    let known = get(
        &state,
        "/wizard/request-errors?a=&a=message&a=%E7%99%BD%E5%90%8D%E5%8D%95%20%E4%B8%8D%E7%94%9F%E6%95%88",
    )
    .await;
    assert!(
        known.body.contains("class=\"hit-title\""),
        "entries that fit"
    );
    assert!(known.body.contains("问题解决了吗？"));
    let no = unescape(href_after(&known.body, ">没有解决</a>"));
    let unsolved = get(&state, &no).await;
    assert!(
        unsolved.body.contains("还没解决？"),
        "{no}: {}",
        unsolved.status
    );
    assert!(unsolved.body.contains("提交工单"), "the contact text");
}
