//! Counters moved by plain links (a result opened from a search, a wizard step, "问题解决了吗？"
//! answered by a link, a search with no results) count once per visitor and session of use,
//! and only for what looks like a page view: a reload, a shared link clicked three times or a
//! browser's prefetch must not move what authors read.

use std::hash::{BuildHasher, Hash, Hasher};
use std::time::{Duration, Instant};

use actix_web::HttpRequest;
use actix_web::http::{Method, header};

use super::feedback::VISITOR_COOKIE;

/// How long a visitor's view of one thing counts as the same one: a session of use.
pub const SESSION: Duration = Duration::from_secs(30 * 60);
/// Views remembered at once (a few MB); the oldest are forgotten first.
const REMEMBERED: usize = 200_000;

pub struct SeenRecently {
    seen: quick_cache::sync::Cache<u64, Instant>,
    hasher: std::collections::hash_map::RandomState,
}

impl Default for SeenRecently {
    fn default() -> Self {
        SeenRecently {
            seen: quick_cache::sync::Cache::new(REMEMBERED),
            hasher: Default::default(),
        }
    }
}

impl SeenRecently {
    /// Whether `what`, asked for by this request's visitor, should be counted: a page view,
    /// and the first of that visitor in [`SESSION`]. `client` is the client's address (see
    /// `limits::client_address`). A request that names no visitor at all (no cookie, no
    /// address: an in-process test) is counted.
    pub fn first(&self, req: &HttpRequest, client: Option<std::net::IpAddr>, what: &str) -> bool {
        if !is_page_view(req) {
            return false;
        }
        let mut hasher = self.hasher.build_hasher();
        match req.cookie(VISITOR_COOKIE) {
            Some(cookie) => cookie.value().hash(&mut hasher),
            None => {
                let Some(client) = client else {
                    return true;
                };
                client.hash(&mut hasher);
                req.headers()
                    .get(header::USER_AGENT)
                    .map(|v| v.as_bytes())
                    .hash(&mut hasher);
            }
        }
        what.hash(&mut hasher);
        let key = hasher.finish();
        let now = Instant::now();
        if self
            .seen
            .get(&key)
            .is_some_and(|at| now.duration_since(at) < SESSION)
        {
            return false;
        }
        self.seen.insert(key, now);
        true
    }
}

/// A GET a reader asked for: not a HEAD, not a prefetch or prerender, not a link preview bot's
/// speculative fetch.
fn is_page_view(req: &HttpRequest) -> bool {
    if req.method() != Method::GET {
        return false;
    }
    let says = |name: &str, word: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.to_ascii_lowercase().contains(word))
    };
    !(says("sec-purpose", "prefetch")
        || says("purpose", "prefetch")
        || says("x-purpose", "preview")
        || says("x-moz", "prefetch"))
}
