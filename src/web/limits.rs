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
            trusted_proxies: trusted_proxies.iter().map(|p| p.to_canonical()).collect(),
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
    // On a dual-stack listener an IPv4 peer is `::ffff:a.b.c.d`.
    let peer = req.peer_addr()?.ip().to_canonical();
    if !trusted_proxies.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get_all("x-forwarded-for")
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|a| a.trim().parse::<IpAddr>().ok().map(|a| a.to_canonical()))
        .collect::<Vec<_>>();
    Some(
        forwarded
            .into_iter()
            .rev()
            .find(|a| !trusted_proxies.contains(a))
            .unwrap_or(peer),
    )
}

/// What counts as one client for the limits on wrong tokens and open connections: an IPv4
/// address, or an IPv6 /64 (one host is usually given a whole /64).
pub fn client_key(address: IpAddr) -> IpAddr {
    match address.to_canonical() {
        IpAddr::V6(v6) => IpAddr::V6(std::net::Ipv6Addr::from(
            u128::from(v6) & !(u64::MAX as u128),
        )),
        v4 => v4,
    }
}

/// Wrong admin tokens one address may send before it must wait.
pub const WRONG_TOKENS: u32 = 5;
/// How long an address that sent [`WRONG_TOKENS`] waits, from its last wrong one.
pub const WRONG_TOKEN_LOCKOUT: Duration = Duration::from_secs(60);
/// Addresses remembered at most; past it the oldest are forgotten.
const WRONG_TOKEN_ADDRESSES: usize = 10_000;

/// Wrong admin tokens per address: each is answered after a delay, and an address that sent
/// [`WRONG_TOKENS`] is refused every token, right or wrong, until [`WRONG_TOKEN_LOCKOUT`] has
/// passed since its last one, so guessing costs minutes a handful, not microseconds.
#[derive(Default)]
pub struct WrongTokens {
    seen: std::sync::Mutex<std::collections::HashMap<IpAddr, (u32, std::time::Instant)>>,
}

impl WrongTokens {
    /// `Err(wait)` while `client` is locked out.
    pub fn check(&self, client: IpAddr) -> Result<(), Duration> {
        let client = client_key(client);
        let seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match seen.get(&client) {
            Some(&(tries, last)) if tries >= WRONG_TOKENS => {
                match WRONG_TOKEN_LOCKOUT.checked_sub(last.elapsed()) {
                    Some(wait) if !wait.is_zero() => Err(wait),
                    _ => Ok(()),
                }
            }
            _ => Ok(()),
        }
    }

    /// Counts a wrong token from `client` (a count older than the lockout starts over).
    pub fn failed(&self, client: IpAddr) {
        let client = client_key(client);
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if seen.len() >= WRONG_TOKEN_ADDRESSES && !seen.contains_key(&client) {
            seen.retain(|_, (_, last)| last.elapsed() < WRONG_TOKEN_LOCKOUT);
            // Still full of recent ones: the older half goes, never all of them (clearing
            // would free every address locked out).
            if seen.len() >= WRONG_TOKEN_ADDRESSES {
                let mut times: Vec<std::time::Instant> = seen.values().map(|(_, t)| *t).collect();
                times.sort_unstable();
                let cut = times[times.len() / 2];
                seen.retain(|_, (_, last)| *last >= cut);
            }
        }
        let now = std::time::Instant::now();
        let entry = seen.entry(client).or_insert((0, now));
        if entry.1.elapsed() >= WRONG_TOKEN_LOCKOUT {
            entry.0 = 0;
        }
        *entry = (entry.0 + 1, now);
    }

    /// A right token: the address starts over.
    pub fn passed(&self, client: IpAddr) {
        self.seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .remove(&client_key(client));
    }
}

/// Connections one address may hold open by default (`--connections-per-client`): far above
/// a browser's six, or an office behind one address, and far below the file descriptors a
/// server has (systemd's default is 1,024).
pub const CONNECTIONS_PER_CLIENT: usize = 64;

/// Open connections per client address. A connection over the limit is shut down as it is
/// accepted; trusted proxies (every reader's connection comes through them) are not limited.
#[derive(Clone)]
pub struct ConnectionLimit {
    per_client: usize,
    trusted_proxies: Vec<IpAddr>,
    open: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<IpAddr, usize>>>,
}

/// Kept in a connection's data: its count goes when the connection does.
struct Counted {
    client: IpAddr,
    open: std::sync::Arc<std::sync::Mutex<std::collections::HashMap<IpAddr, usize>>>,
}

impl Drop for Counted {
    fn drop(&mut self) {
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(n) = open.get_mut(&self.client) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.client);
            }
        }
    }
}

impl ConnectionLimit {
    /// `None` for no limit (0).
    pub fn new(per_client: usize, trusted_proxies: Vec<IpAddr>) -> Option<ConnectionLimit> {
        (per_client > 0).then(|| ConnectionLimit {
            per_client,
            trusted_proxies: trusted_proxies.iter().map(|p| p.to_canonical()).collect(),
            open: Default::default(),
        })
    }

    /// For `HttpServer::on_connect`: counts the new connection, or shuts it down when its
    /// address already holds its share.
    pub fn on_connect(&self, io: &dyn std::any::Any, data: &mut actix_web::dev::Extensions) {
        let Some(stream) = io.downcast_ref::<actix_web::rt::net::TcpStream>() else {
            return;
        };
        let Ok(peer) = stream.peer_addr() else {
            return;
        };
        let address = peer.ip().to_canonical();
        if self.trusted_proxies.contains(&address) {
            return;
        }
        let client = client_key(address);
        let mut open = self
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let n = open.entry(client).or_insert(0);
        if *n >= self.per_client {
            drop(open);
            tracing::debug!(%client, "too many connections from one address; closed");
            let _ = socket2::SockRef::from(stream).shutdown(std::net::Shutdown::Both);
            return;
        }
        *n += 1;
        data.insert(Counted {
            client,
            open: self.open.clone(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_client_is_an_ipv4_address_or_an_ipv6_64() {
        let key = |a: &str| client_key(a.parse().expect("address")).to_string();
        assert_eq!(key("203.0.113.7"), "203.0.113.7");
        assert_eq!(
            key("::ffff:203.0.113.7"),
            "203.0.113.7",
            "IPv4 on a dual-stack listener"
        );
        assert_eq!(key("2001:db8:1:2:aaaa:bbbb:cccc:dddd"), "2001:db8:1:2::");
        assert_eq!(key("2001:db8:1:2::1"), key("2001:db8:1:2:ffff::9"));
        assert_ne!(key("2001:db8:1:2::1"), key("2001:db8:1:3::1"));
    }
}
