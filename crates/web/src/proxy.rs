//! The reader's own address behind a reverse proxy. With several app servers behind nginx or
//! HAProxy every connection comes from the proxy, so rate limits per address would count
//! every reader as one. The `trusted_proxies` setting names the proxies' addresses or
//! networks; a request that comes from one of them is taken to be from the address the proxy
//! put in `X-Forwarded-For`. From anyone else the header is ignored, since a client may send
//! whatever it likes.

use axum::extract::{ConnectInfo, Request};
use axum::middleware::Next;
use axum::response::Response;
use std::net::{IpAddr, SocketAddr};

/// A network, `10.0.0.0/8` or `2001:db8::/32`, or one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    addr: IpAddr,
    bits: u8,
}

impl Network {
    fn parse(text: &str) -> Result<Network, String> {
        let bad = || format!("“{text}” is not an address or a network such as 10.0.0.0/8");
        let (addr, bits) = match text.split_once('/') {
            Some((a, b)) => (a, Some(b)),
            None => (text, None),
        };
        let addr: IpAddr = addr.trim().parse().map_err(|_| bad())?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let bits = match bits {
            Some(b) => b.trim().parse::<u8>().ok().filter(|b| *b <= max).ok_or_else(bad)?,
            None => max,
        };
        Ok(Network { addr, bits })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        // An IPv4 peer may arrive as an IPv4-mapped IPv6 address on a dual-stack socket.
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_matches(&net.octets(), &ip.octets(), self.bits),
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_matches(&net.octets(), &ip.octets(), self.bits),
            _ => false,
        }
    }
}

fn prefix_matches(net: &[u8], ip: &[u8], bits: u8) -> bool {
    let (whole, rest) = ((bits / 8) as usize, bits % 8);
    if net[..whole] != ip[..whole] {
        return false;
    }
    rest == 0 || (net[whole] ^ ip[whole]) & (0xffu8 << (8 - rest)) == 0
}

/// The reverse proxies whose `X-Forwarded-For` is believed; none by default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<Network>);

impl TrustedProxies {
    /// Addresses and networks separated by commas or spaces: `127.0.0.1, 10.0.0.0/8`.
    pub fn parse(list: &str) -> Result<TrustedProxies, String> {
        list.split([',', ' ', '\t', '\n']).filter(|s| !s.is_empty()).map(Network::parse).collect::<Result<Vec<_>, _>>().map(TrustedProxies)
    }

    fn trusts(&self, ip: IpAddr) -> bool {
        self.0.iter().any(|n| n.contains(ip))
    }

    /// Who sent a request that reached us from `peer`: `peer` itself unless it is a trusted
    /// proxy; else, reading `X-Forwarded-For` from the right (each proxy appends the address
    /// it was reached from), the first address that is not a trusted proxy. The header's
    /// lines are taken as bytes, so junk a client put in front of a proxy's entry (bytes that
    /// are not text, say) is never read; an entry that is reached and cannot be read leaves
    /// `peer`.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&[u8]]) -> IpAddr {
        if !self.trusts(peer) {
            return peer;
        }
        let hops: Vec<&[u8]> = forwarded_for.iter().flat_map(|h| h.split(|b| *b == b',')).collect();
        let mut client = peer;
        for hop in hops.iter().rev() {
            let Some(ip) = std::str::from_utf8(hop).ok().and_then(|h| parse_hop(h.trim())) else { return peer };
            client = ip;
            if !self.trusts(ip) {
                break;
            }
        }
        client
    }
}

/// One entry of `X-Forwarded-For`: an address, perhaps with a port (`[::1]:443`, `1.2.3.4:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse() {
        return Some(ip);
    }
    hop.parse::<SocketAddr>().ok().map(|s| s.ip())
}

/// Replaces the connection's address with the reader's when a trusted proxy forwarded the
/// request, so that everything after (rate limits, API limits, sign-in failures) counts the
/// reader, not the proxy.
pub async fn real_client(axum::extract::State(proxies): axum::extract::State<std::sync::Arc<TrustedProxies>>, mut req: Request, next: Next) -> Response {
    // Most requests (all of them, with no proxy set) come straight from the reader: nothing
    // to read then.
    if let Some(ConnectInfo(peer)) = req.extensions().get::<ConnectInfo<SocketAddr>>().copied().filter(|c| proxies.trusts(c.0.ip())) {
        let headers: Vec<&[u8]> = req.headers().get_all("x-forwarded-for").iter().map(|v| v.as_bytes()).collect();
        let client = proxies.client(peer.ip(), &headers);
        if client != peer.ip() {
            req.extensions_mut().insert(ConnectInfo(SocketAddr::new(client, peer.port())));
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn networks_and_errors() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8 2001:db8::/32").unwrap();
        assert!(t.trusts(ip("127.0.0.1")));
        assert!(!t.trusts(ip("127.0.0.2")));
        assert!(t.trusts(ip("10.200.3.4")));
        assert!(!t.trusts(ip("11.0.0.1")));
        assert!(t.trusts(ip("2001:db8:ffff::1")));
        assert!(!t.trusts(ip("2001:db9::1")));
        assert!(t.trusts(ip("::ffff:10.1.2.3")), "an IPv4-mapped peer");
        let odd = TrustedProxies::parse("192.168.1.0/23").unwrap();
        assert!(odd.trusts(ip("192.168.0.7")) && odd.trusts(ip("192.168.1.7")) && !odd.trusts(ip("192.168.2.7")));
        assert_eq!(TrustedProxies::parse("").unwrap(), TrustedProxies::default());
        let err = TrustedProxies::parse("10.0.0.0/33").unwrap_err();
        assert!(err.contains("10.0.0.0/33"), "{err}");
        assert!(TrustedProxies::parse("proxy.local").is_err());
    }

    #[test]
    fn forwarded_for_only_from_a_trusted_proxy() {
        let t = TrustedProxies::parse("127.0.0.1, 10.0.0.0/8").unwrap();
        let t = |peer: &str, lines: &[&str]| t.client(ip(peer), &lines.iter().map(|l| l.as_bytes()).collect::<Vec<_>>());
        // From the proxy: the reader it names.
        assert_eq!(t("127.0.0.1", &["203.0.113.9"]), ip("203.0.113.9"));
        // A reader's own made-up entry sits left of what the proxy appended, and is not read.
        assert_eq!(t("127.0.0.1", &["198.51.100.1, 203.0.113.9"]), ip("203.0.113.9"));
        // Through two proxies of ours, over several header lines.
        assert_eq!(t("10.0.0.2", &["203.0.113.9", "10.0.0.1"]), ip("203.0.113.9"));
        assert_eq!(t("127.0.0.1", &["[2001:db8::5]:4711"]), ip("2001:db8::5"));
        // From anyone else, the header is ignored.
        assert_eq!(t("192.0.2.50", &["203.0.113.9"]), ip("192.0.2.50"));
        // Nothing to read, or something unreadable: the proxy itself.
        assert_eq!(t("127.0.0.1", &[]), ip("127.0.0.1"));
        assert_eq!(t("127.0.0.1", &["unknown"]), ip("127.0.0.1"));
        // No proxies trusted (the default): never read.
        assert_eq!(TrustedProxies::default().client(ip("127.0.0.1"), &[b"203.0.113.9"]), ip("127.0.0.1"));
        // Bytes that are not text in front of the proxy's entry, on the same line.
        assert_eq!(TrustedProxies::parse("127.0.0.1").unwrap().client(ip("127.0.0.1"), &[b"\xff\xfe, 203.0.113.9"]), ip("203.0.113.9"));
    }
}
