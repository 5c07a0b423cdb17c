//! A short load run against the real server on loopback: mixed routes from many connections,
//! and not one error. `cargo bench --bench load` is the longer run with figures.

#[path = "../../benches/load/generator.rs"]
mod generator;

use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mixed_load_answers_every_request() {
    let (base, server) = crate::common::start_server(&crate::common::repo_content());
    let report = generator::run(
        &base,
        &generator::mixed_paths(),
        generator::BROWSER_HEADERS,
        16,
        generator::Until::Elapsed(Duration::from_secs(3)),
    )
    .await;
    println!("{}", report.line("test"));
    assert_eq!(report.errors, 0, "{}", report.line("test"));
    assert!(report.requests > 100, "{}", report.line("test"));
    server.stop(true).await;
}
