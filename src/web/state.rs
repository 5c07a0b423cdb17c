//! What a request may read: the site being served, the store, the page cache, the limits and
//! the settings the server started with. Built once at start; handlers borrow it.

use std::sync::Arc;
use std::time::SystemTime;

use actix_web::web::Bytes;
use actix_web::{HttpRequest, HttpResponse, web};

use super::{Error, limits, middleware, once, prepared};
use crate::content::{Entry, Library, Lookup};
use crate::metrics::Metrics;
use crate::site::{ContentStatus, Live, Site};
use crate::store::Store;

/// Everything a request may read. The site is swapped whole on reload, never mutated.
pub struct AppState {
    live: Arc<Live>,
    /// Absolute base for canonical links and the sitemap; taken from the request when unset.
    base_url: Option<String>,
    pub metrics: Arc<Metrics>,
    /// Where votes go; without one, votes answer 503 and pages serve as usual.
    store: Option<Store>,
    /// Opens `/admin/insights`; without it the page does not exist.
    admin_token: Option<String>,
    /// Pages built once with their compressed variants, and popular searches.
    pages: Arc<prepared::PageCache>,
    /// Votes per client; none: unlimited.
    vote_limit: Option<limits::ClientLimit>,
    match_limit: Option<limits::ClientLimit>,
    /// The help widget's events per client, at the votes' rate; none: unlimited.
    deflection_limit: Option<limits::ClientLimit>,
    /// Proxies whose `X-Forwarded-For` names the client, and whose `Forwarded` /
    /// `X-Forwarded-Host` / `X-Forwarded-Proto` name the site.
    trusted_proxies: Vec<std::net::IpAddr>,
    /// Without `--base-url`: the site's address as the first request named it, for every
    /// absolute link and cached page after it (a client cycling `Host` values would otherwise
    /// fill the page cache and put its host in canonical links).
    first_base_url: std::sync::OnceLock<String>,
    /// What each visitor viewed lately, so plain links count once a session.
    seen: once::SeenRecently,
    /// Wrong admin tokens per address.
    wrong_tokens: limits::WrongTokens,
    /// `Strict-Transport-Security` on every answer (`--hsts`, with an `https` base URL).
    hsts: bool,
    /// `/metrics` is served on a listener of its own (`--metrics-addr`), not with the site.
    metrics_elsewhere: bool,
    /// How long a request's body may take to arrive (`--body-timeout`).
    body_timeout: std::time::Duration,
}

/// What the page cache may hold by default.
pub const PAGE_CACHE_BYTES: u64 = 32 << 20;

impl AppState {
    pub fn new(site: Site, base_url: Option<String>) -> AppState {
        let live = Arc::new(Live::new(site));
        let pages = pages_of(&live, PAGE_CACHE_BYTES);
        AppState {
            live,
            base_url: base_url.map(|url| url.trim_end_matches('/').to_string()),
            metrics: Arc::new(Metrics::new()),
            store: None,
            admin_token: None,
            pages,
            vote_limit: limits::ClientLimit::new(limits::VOTES_PER_MINUTE, Vec::new()),
            match_limit: limits::ClientLimit::new(limits::MATCHES_PER_MINUTE, Vec::new()),
            deflection_limit: limits::ClientLimit::new(limits::VOTES_PER_MINUTE, Vec::new()),
            trusted_proxies: Vec::new(),
            first_base_url: std::sync::OnceLock::new(),
            seen: once::SeenRecently::default(),
            wrong_tokens: limits::WrongTokens::default(),
            hsts: false,
            metrics_elsewhere: false,
            body_timeout: middleware::BODY_TIMEOUT,
        }
    }

    /// `per_minute` votes, and as many help-widget events, per client address (0: no limit);
    /// `X-Forwarded-For` is believed only from `trusted_proxies`.
    pub fn with_vote_limit(
        mut self,
        per_minute: u32,
        trusted_proxies: Vec<std::net::IpAddr>,
    ) -> AppState {
        self.vote_limit = limits::ClientLimit::new(per_minute, trusted_proxies.clone());
        self.deflection_limit = limits::ClientLimit::new(per_minute, trusted_proxies.clone());
        self.trusted_proxies = trusted_proxies.iter().map(|p| p.to_canonical()).collect();
        self
    }

    /// `per_minute` messages matched per client address (0: no limit); `X-Forwarded-For` is
    /// believed only from `trusted_proxies`.
    pub fn with_match_limit(
        mut self,
        per_minute: u32,
        trusted_proxies: Vec<std::net::IpAddr>,
    ) -> AppState {
        self.match_limit = limits::ClientLimit::new(per_minute, trusted_proxies);
        self
    }

    pub fn match_limit(&self) -> Option<&limits::ClientLimit> {
        self.match_limit.as_ref()
    }

    /// Whether a counter that `req` would move by viewing `what` should move: a page view,
    /// the first of this visitor in a session of use (see [`once::SeenRecently`]).
    pub fn first_view(&self, req: &HttpRequest, what: std::fmt::Arguments<'_>) -> bool {
        let client = limits::client_address(req, &self.trusted_proxies);
        self.seen.first(req, client, &what.to_string())
    }

    pub fn trusted_proxies(&self) -> &[std::net::IpAddr] {
        &self.trusted_proxies
    }

    pub fn wrong_tokens(&self) -> &limits::WrongTokens {
        &self.wrong_tokens
    }

    /// Sends `Strict-Transport-Security`; only with an `https` base URL (else an error).
    pub fn with_hsts(mut self, hsts: bool) -> anyhow::Result<AppState> {
        if hsts && !self.is_https() {
            anyhow::bail!("--hsts needs an https --base-url: browsers ignore it over plain HTTP");
        }
        self.hsts = hsts;
        Ok(self)
    }

    pub fn hsts(&self) -> bool {
        self.hsts
    }

    /// Whether `--base-url` says the site is served over HTTPS (cookies are then `Secure`).
    pub fn is_https(&self) -> bool {
        self.base_url
            .as_deref()
            .and_then(|url| url.get(..8))
            .is_some_and(|scheme| scheme.eq_ignore_ascii_case("https://"))
    }

    /// `/metrics` moves to a listener of its own: the site's answers 404 there.
    pub fn with_metrics_elsewhere(mut self, elsewhere: bool) -> AppState {
        self.metrics_elsewhere = elsewhere;
        self
    }

    pub fn with_body_timeout(mut self, timeout: std::time::Duration) -> AppState {
        self.body_timeout = timeout;
        self
    }

    pub fn body_timeout(&self) -> std::time::Duration {
        self.body_timeout
    }

    pub fn metrics_elsewhere(&self) -> bool {
        self.metrics_elsewhere
    }

    pub fn vote_limit(&self) -> Option<&limits::ClientLimit> {
        self.vote_limit.as_ref()
    }

    pub fn deflection_limit(&self) -> Option<&limits::ClientLimit> {
        self.deflection_limit.as_ref()
    }

    /// Bounds the page cache to `bytes`.
    pub fn with_page_cache(mut self, bytes: u64) -> AppState {
        self.pages = pages_of(&self.live, bytes);
        self
    }

    pub fn pages(&self) -> &prepared::PageCache {
        &self.pages
    }

    /// A key of the page cache: `key` within the site's generation.
    pub fn cache_key(site: &Site, key: std::fmt::Arguments<'_>) -> String {
        format!("{}\0{key}", site.generation)
    }

    /// The cached page under `key`, or the one `build` renders (content type and body),
    /// compressed at the best levels and kept for the next reader. `key` must name everything
    /// the page shows; the site's generation is added here. The compression (brotli 11: some
    /// ms a page, once) runs on the blocking pool so it never stalls the other connections.
    pub async fn page(
        &self,
        req: &HttpRequest,
        site: &Site,
        key: std::fmt::Arguments<'_>,
        build: impl FnOnce() -> Result<(&'static str, String), Error>,
    ) -> Result<HttpResponse, Error> {
        let key = Self::cache_key(site, key);
        let page = self
            .pages
            .get_or_build(&key, async {
                let (content_type, body) = build()?;
                web::block(move || {
                    let page = prepared::Prepared::new(content_type, body, prepared::Effort::Best);
                    // Brotli's buffers are megabytes: kept by mimalloc for the thread's next
                    // page, they left a server that had compressed 10,000 new pages at 100,000
                    // entries at 383 MB instead of 336 (for 10% of the rate of such pages).
                    crate::memory::release_free_memory();
                    page
                })
                .await
                .map_err(|e| Error::internal("compressing a page", e))
            })
            .await?;
        Ok(page.respond(req))
    }

    /// The answer kept under `key` by [`AppState::keep`], for `req`.
    pub fn cached(&self, req: &HttpRequest, key: &str) -> Option<HttpResponse> {
        self.pages.get(key).map(|answer| answer.respond(req))
    }

    /// Keeps an answer made for one request (a search) beside the pages, so the next reader
    /// who asks the same gets it ready, and answers `req` with it. Compressed at a fast level
    /// and inline, since its reader is waiting; pages built once go through
    /// [`AppState::page`]. `key` must come from [`AppState::cache_key`].
    pub fn keep(
        &self,
        req: &HttpRequest,
        key: String,
        content_type: &'static str,
        body: impl Into<Bytes>,
    ) -> HttpResponse {
        let answer = prepared::Prepared::new(content_type, body, prepared::Effort::Fast);
        self.pages.insert(key, answer).respond(req)
    }

    /// An empty token counts as none.
    pub fn with_admin_token(mut self, token: Option<String>) -> AppState {
        self.admin_token = token.filter(|t| !t.is_empty());
        self
    }

    pub fn admin_token(&self) -> Option<&str> {
        self.admin_token.as_deref()
    }

    pub fn with_store(mut self, store: Store) -> AppState {
        self.store = Some(store);
        self
    }

    pub fn store(&self) -> Option<&Store> {
        self.store.as_ref()
    }

    /// The `n` entries people use most (see [`Store::popular`]), topped up in the library's
    /// order while there is little data, so a new site still shows some. Ids no longer in the
    /// content are skipped; old ids count for the entry that took them over.
    pub async fn popular<'a>(&self, library: &'a Library, n: usize) -> Vec<&'a Entry> {
        let used = match self.store() {
            Some(store) => store.popular(n * 2).await.unwrap_or_else(|e| {
                tracing::error!("reading popular entries: {e}");
                Vec::new()
            }),
            None => Vec::new(),
        };
        let mut popular: Vec<&Entry> = Vec::with_capacity(n);
        let resolved = used.iter().filter_map(|id| match library.lookup(id) {
            Lookup::Entry(entry) => Some(entry),
            Lookup::Alias(target) => library.entry(target),
            Lookup::Missing => None,
        });
        for entry in resolved.chain(&library.entries) {
            if popular.len() == n {
                break;
            }
            if !popular.iter().any(|e| e.id == entry.id) {
                popular.push(entry);
            }
        }
        popular
    }

    /// When anything a page may show last changed: the content, or the votes and counters
    /// behind popular entries and feedback counts.
    pub fn modified_at(&self) -> SystemTime {
        let loaded = self.status().loaded_at;
        match self.store() {
            Some(store) => loaded.max(store.written_at()),
            None => loaded,
        }
    }

    pub fn status(&self) -> ContentStatus {
        self.live.status()
    }

    /// The current generation; a request holds it from start to end.
    pub fn site(&self) -> Arc<Site> {
        self.live.site()
    }

    /// The site being served, for the reloader to swap generations into.
    pub fn live(&self) -> &Arc<Live> {
        &self.live
    }

    /// `--base-url`, when given.
    pub(crate) fn fixed_base_url(&self) -> Option<&str> {
        self.base_url.as_deref()
    }

    /// The site's address for absolute links: `--base-url`, or else the first valid one a
    /// request named (see [`AppState::request_origin`]), kept for good.
    pub(crate) fn base_url(&self, req: &HttpRequest) -> String {
        if let Some(url) = &self.base_url {
            return url.clone();
        }
        if let Some(url) = self.first_base_url.get() {
            return url.clone();
        }
        match self.request_origin(req) {
            Some(origin) => self
                .first_base_url
                .get_or_init(|| {
                    tracing::info!(base_url = %origin, "absolute links name the first request's address");
                    origin
                })
                .clone(),
            None => format!("http://{}", req.app_config().host()),
        }
    }

    /// `scheme://host` as the request names the site: its `Host` (over plain HTTP), or from a
    /// trusted proxy what it forwarded (`X-Forwarded-Host`, `X-Forwarded-Proto`). Forwarded
    /// headers from anyone else are ignored. `None` for a host that is no host name.
    pub(crate) fn request_origin(&self, req: &HttpRequest) -> Option<String> {
        let from_proxy = req
            .peer_addr()
            .is_some_and(|peer| self.trusted_proxies.contains(&peer.ip().to_canonical()));
        // What the proxy itself set is the last value (nginx appends; `Forwarded` it passes
        // through from the client as it came, so it is not read).
        let forwarded = |name: &str| {
            let value = req
                .headers()
                .get_all(name)
                .filter_map(|v| v.to_str().ok())
                .last()?;
            Some(value.rsplit(',').next()?.trim().to_string())
        };
        let (scheme, host) = if from_proxy && let Some(host) = forwarded("x-forwarded-host") {
            let scheme = match forwarded("x-forwarded-proto").as_deref() {
                Some("https") => "https",
                _ => "http",
            };
            (scheme.to_string(), host)
        } else {
            let host = match req.headers().get(actix_web::http::header::HOST) {
                Some(host) => host.to_str().ok()?.to_string(),
                None => req.app_config().host().to_string(),
            };
            ("http".to_string(), host)
        };
        let plausible = (1..=260).contains(&host.len())
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"-.:[]_".contains(&b));
        plausible.then(|| format!("{scheme}://{}", host.to_ascii_lowercase()))
    }
}

/// A page cache of `bytes`, emptied whenever `live` swaps in a generation: its pages are the
/// last one's (their keys name it, so none would be served; this frees them at once).
fn pages_of(live: &Live, bytes: u64) -> Arc<prepared::PageCache> {
    let pages = Arc::new(prepared::PageCache::new(bytes));
    let held = Arc::downgrade(&pages);
    live.on_install(move || {
        if let Some(pages) = held.upgrade() {
            pages.clear();
        }
    });
    pages
}
