//! The JSON API shapes of docs/api.md.

use crate::common::{fixture, get, state};
use serde_json::json;

#[actix_web::test]
async fn entries_list_has_the_documented_shape() {
    let state = state(&fixture("basic"), None);
    let res = get(&state, "/api/entries").await;
    assert_eq!(res.status, 200);
    assert!(
        res.header("content-type")
            .unwrap()
            .starts_with("application/json")
    );
    let body = res.json();
    let entries = body["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 3);
    let proxy = entries.iter().find(|e| e["id"] == "proxy-config").unwrap();
    assert_eq!(
        proxy,
        &json!({
            "id": "proxy-config",
            "title": "代理服务器的配置方法",
            "url": "/kb/proxy-config",
            "category": "alpha",
            "tags": ["代理", "proxy"],
            "updated": "2026-01-02",
            "lang": "zh-CN"
        })
    );
    let undated = entries.iter().find(|e| e["id"] == "no-date").unwrap();
    assert_eq!(undated["updated"], json!(null));
    assert_eq!(undated["tags"], json!([]));
}

#[actix_web::test]
async fn one_entry_has_html_text_headings_and_feedback() {
    let state = state(&fixture("basic"), None);
    let res = get(&state, "/api/entries/proxy-config").await;
    assert_eq!(res.status, 200);
    let e = res.json();
    let keys: Vec<&str> = e.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "id", "title", "url", "category", "tags", "updated", "html", "text", "headings", "feedback",
    ] {
        assert!(keys.contains(&key), "missing {key}");
    }
    assert!(e["html"].as_str().unwrap().contains("<h2 id=\"配置步骤\">"));
    assert!(
        e["text"]
            .as_str()
            .unwrap()
            .starts_with("先读另一篇。外部文档见 手册。\n配置步骤\n打开设置。")
    );
    assert_eq!(
        e["headings"],
        json!([
            {"anchor": "配置步骤", "text": "配置步骤", "level": 2},
            {"anchor": "faq", "text": "常见问题", "level": 2}
        ])
    );
    assert_eq!(e["feedback"], json!({"helpful": 0, "not_helpful": 0}));
    // Old ids still answer, with the current id.
    let res = get(&state, "/api/entries/old-proxy").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.json()["id"], "proxy-config");
}

#[actix_web::test]
async fn api_errors_are_json() {
    let state = state(&fixture("basic"), None);
    for uri in ["/api/entries/nope", "/api/nothing-here"] {
        let res = get(&state, uri).await;
        assert_eq!(res.status, 404, "{uri}");
        let body = res.json();
        assert_eq!(body["error"]["code"], "not_found", "{uri}");
        assert!(!body["error"]["message"].as_str().unwrap().is_empty());
    }
}
