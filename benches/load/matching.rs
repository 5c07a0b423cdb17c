//! The `match` and `match-thread` routes: `POST /api/match` with whole tickets of 2,000
//! characters, or threads of 20,000 (the most read whole), one after another on one
//! keep-alive connection, as a ticket tool calls it.

use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::generator::Report;

/// Characters in each message of `match`.
pub const MESSAGE_CHARS: usize = 2_000;
/// Characters in each thread of `match-thread`.
pub const THREAD_CHARS: usize = 20_000;

/// What customers write, in pieces: greetings, the story, pasted errors, the ask.
const PIECES: &[&str] = &[
    "客服你好，打扰了，我们是做电商的，最近上线了一个新版本。",
    "用户反馈下单页一直转圈，过一会儿提示网络错误，重启支付宝后有时候能好。",
    "我们抓了日志，my.request 的 fail 回调里是 {\"error\":19,\"errorMessage\":\"http status error\",\"status\":502}。",
    "服务器那边同事说接口没有问题，浏览器里直接打开接口地址是正常返回的。",
    "开发者工具里预览的时候点按钮没有任何反应，切到真机调试又提示请配置安全域名。",
    "服务器域名白名单我们昨天已经在开放平台加过了，体验版里还是不行。",
    "另外安卓手机上 timeout 设置成 60000 好像不生效，30 秒左右就超时了。",
    "后端用 Java 接收参数，中文名字传过去是乱码，英文名字没有问题。",
    "还有一个接口返回 {\"error\":14,\"errorMessage\":\"JSON parse data error\"}，后台返回的是 text/html。",
    "iPhone 上连公司内网的测试服务器报 error 12，提示似乎已断开与互联网的连接。",
    "我们想在请求头里拿到小程序的 APPID 来区分不同的小程序，抓包没有看到。",
    "首页一进来同时发了十几个请求，测试说页面有点卡，不知道有没有并发限制。",
    "调用网关返回 code: N22106，提示权限不足，小程序已经上线了。",
    "麻烦帮忙看一下是什么原因，应该怎么处理，急，今天要给客户答复，谢谢！",
];

/// Message `i`: the pieces from a different start each time, with its own order number, cut to
/// `chars` characters.
pub fn message(i: usize, chars: usize) -> String {
    let mut text = format!("订单号 {:08}。", 10_000_000 + i);
    let mut k = i;
    while text.chars().count() < chars {
        text.push_str(PIECES[k % PIECES.len()]);
        k += 1;
    }
    text.chars().take(chars).collect()
}

/// `n` different messages, one request after another on one connection. Anything but a 200
/// with a full body is an error.
pub async fn run(base: &str, headers: &[(&str, &str)], n: usize, chars: usize) -> Report {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    let client = Client::builder(TokioExecutor::new())
        .pool_max_idle_per_host(1)
        .build::<_, Full<Bytes>>(connector);
    let url = format!("{base}/api/match");
    let bodies: Vec<Bytes> = (0..n)
        .map(|i| Bytes::from(serde_json::json!({ "text": message(i, chars) }).to_string()))
        .collect();
    let started = Instant::now();
    let (mut errors, mut latencies) = (0, Vec::with_capacity(n));
    for body in bodies {
        let mut request =
            hyper::Request::post(url.as_str()).header("content-type", "application/json");
        for (k, v) in headers {
            request = request.header(*k, *v);
        }
        let request = request.body(Full::new(body)).expect("a valid request");
        let sent = Instant::now();
        let ok = match client.request(request).await {
            Ok(res) => {
                let status = res.status().as_u16();
                status == 200 && res.into_body().collect().await.is_ok()
            }
            Err(_) => false,
        };
        latencies.push(sent.elapsed());
        if !ok {
            errors += 1;
        }
    }
    let elapsed = started.elapsed();
    latencies.sort();
    Report {
        requests: n as u64,
        errors,
        elapsed,
        latencies,
    }
}
