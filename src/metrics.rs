//! Prometheus metrics: requests by route and status, latency, searches, reloads.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts, Registry,
    TextEncoder,
};

pub struct Metrics {
    registry: Registry,
    pub requests: IntCounterVec,
    pub latency: HistogramVec,
    pub searches: IntCounter,
    pub zero_result_searches: IntCounter,
    pub unanswered_searches: IntCounter,
    pub reloads: IntCounterVec,
    /// Looks at the content files by the watcher (each after a burst of changes), whether or
    /// not they then had to be loaded.
    pub content_checks: IntCounter,
    /// Set when the metrics are read: what the page cache holds, in bytes and pages.
    pub page_cache_bytes: IntGauge,
    pub page_cache_pages: IntGauge,
}

impl Metrics {
    pub fn new() -> Metrics {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "wendao_http_requests_total",
                "HTTP requests by route pattern, method and status",
            ),
            &["route", "method", "status"],
        )
        .expect("valid metric");
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "wendao_http_request_duration_seconds",
                "Time to answer, by route pattern",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ]),
            &["route"],
        )
        .expect("valid metric");
        let searches = IntCounter::new("wendao_searches_total", "Searches run (page and API)")
            .expect("valid metric");
        let zero_result_searches = IntCounter::new(
            "wendao_zero_result_searches_total",
            "Searches that found nothing",
        )
        .expect("valid metric");
        let unanswered_searches = IntCounter::new(
            "wendao_unanswered_searches_total",
            "Searches no entry answers: nothing found, or only weak matches",
        )
        .expect("valid metric");
        let reloads = IntCounterVec::new(
            Opts::new(
                "wendao_content_reloads_total",
                "Content reloads by result (swapped, unchanged, failed)",
            ),
            &["result"],
        )
        .expect("valid metric");
        let content_checks = IntCounter::new(
            "wendao_content_checks_total",
            "Looks at the content files after changes (each may lead to a reload)",
        )
        .expect("valid metric");
        let page_cache_bytes = IntGauge::new(
            "wendao_page_cache_bytes",
            "Bytes of the pages kept with their compressed variants (bounded by --page-cache-mb)",
        )
        .expect("valid metric");
        let page_cache_pages =
            IntGauge::new("wendao_page_cache_pages", "Pages and searches kept ready")
                .expect("valid metric");
        for metric in [
            Box::new(requests.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(latency.clone()),
            Box::new(searches.clone()),
            Box::new(zero_result_searches.clone()),
            Box::new(unanswered_searches.clone()),
            Box::new(reloads.clone()),
            Box::new(content_checks.clone()),
            Box::new(page_cache_bytes.clone()),
            Box::new(page_cache_pages.clone()),
        ] {
            registry.register(metric).expect("metric registered once");
        }
        Metrics {
            registry,
            requests,
            latency,
            searches,
            zero_result_searches,
            unanswered_searches,
            reloads,
            content_checks,
            page_cache_bytes,
            page_cache_pages,
        }
    }

    /// The Prometheus text format.
    pub fn render(&self) -> String {
        let mut out = Vec::new();
        if let Err(e) = TextEncoder::new().encode(&self.registry.gather(), &mut out) {
            tracing::warn!("encoding metrics: {e}");
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
