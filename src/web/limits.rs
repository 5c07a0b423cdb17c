//! Per-client limits: votes per address per minute, and messages matched per address per
//! minute (governor's GCRA), with the address taken from `X-Forwarded-For` only behind a proxy
//! we were told to trust.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::time::Duration;

use actix_web::HttpRequest;
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Votes one address may send in a minute by default: enough for an office behind one address.
pub const VOTES_PER_MINUTE: u32 = 30;
/// Messages one address may have matched in a minute by default (`/match`, `/api/match`): each
/// costs a few milliseconds of CPU, so a tool looping on it cannot take the server's time.
pub const MATCHES_PER_MINUTE: u32 = 120;

/// So many requests of one kind per client address per minute.
pub struct ClientLimit {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    /// Proxies whose `X-Forwarded-For` is believed.
    trusted_proxies: Vec<IpAddr>,
}

impl ClientLimit {
    /// `per_minute` requests an address, refilled evenly over the minute; 0 means no limit.
    pub fn new(per_minute: u32, trusted_proxies: Vec<IpAddr>) -> Option<ClientLimit> {
        let per_minute = NonZeroU32::new(per_minute)?;
        Some(ClientLimit {
            limiter: RateLimiter::keyed(Quota::per_minute(per_minute)),
            trusted_proxies,
        })
    }

    /// `Err(wait)` when this request's client has used up its requests for now.
    pub fn check(&self, req: &HttpRequest) -> Result<(), Duration> {
        let Some(client) = self.client(req) else {
            // No peer address (an in-process request): nothing to count against.
            return Ok(());
        };
        self.limiter
            .check_key(&client)
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// The client's address (see [`client_address`]).
    pub fn client(&self, req: &HttpRequest) -> Option<IpAddr> {
        client_address(req, &self.trusted_proxies)
    }

    /// Forgets addresses whose requests are all refilled: the table stays as small as the
    /// clients of the last minute.
    pub fn forget_idle(&self) {
        self.limiter.retain_recent();
    }
}

/// The client's address: the peer, or behind a trusted proxy the last address in
/// `X-Forwarded-For` that is not itself a trusted proxy (earlier ones the client can forge).
/// `None` without a peer (an in-process request).
pub fn client_address(req: &HttpRequest, trusted_proxies: &[IpAddr]) -> Option<IpAddr> {
    let peer = req.peer_addr()?.ip();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok())
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted_proxies.contains(a))
            .unwrap_or(peer),
    )
}
