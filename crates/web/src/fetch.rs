//! Fetching documents from other servers (actors, keys, collections) without letting a remote
//! address point the server at itself or at the private network behind it: every address a
//! name resolves to is checked before connecting, and so is every redirect. Each fetch has a
//! time limit and a size limit.

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

/// The largest document read from another server.
pub const MAX_DOCUMENT_BYTES: usize = 1024 * 1024;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum FetchError {
    #[error("refused: {0}")]
    Refused(String),
    #[error("the server took too long to answer")]
    Timeout,
    #[error("the document is larger than {MAX_DOCUMENT_BYTES} bytes")]
    TooLarge,
    #[error("the server answered {0}")]
    Status(u16),
    #[error("the answer is not JSON")]
    NotJson,
    #[error("network error: {0}")]
    Network(String),
}

/// Whether an address is on the public internet: not loopback, private, link-local, shared
/// (carrier-grade NAT), documentation, multicast, broadcast or unspecified.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 198 && (b == 18 || b == 19))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback() || v6.is_unspecified() || v6.is_multicast() || (first & 0xfe00) == 0xfc00 || (first & 0xffc0) == 0xfe80 || first == 0x2001 && v6.segments()[1] == 0xdb8)
        }
    }
}

/// Resolves names with the system resolver, keeping only the addresses allowed.
struct GuardedResolver {
    allow_private: bool,
}

impl Resolve for GuardedResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let allow_private = self.allow_private;
        Box::pin(async move {
            let host = name.as_str().to_string();
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let allowed: Vec<SocketAddr> = found.into_iter().filter(|a| allow_private || is_public(a.ip())).collect();
            if allowed.is_empty() {
                return Err(format!("{host} has no public address").into());
            }
            Ok(Box::new(allowed.into_iter()) as Addrs)
        })
    }
}

/// An HTTP client for other servers' documents.
#[derive(Clone)]
pub struct Fetcher {
    client: reqwest::Client,
    allow_private: bool,
}

impl Fetcher {
    /// `allow_private` lets fetches reach loopback and private addresses (for tests and for
    /// papers on one private network); `timeout` bounds each whole request.
    pub fn new(allow_private: bool, timeout: Duration) -> Fetcher {
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= 3 {
                attempt.error("too many redirects")
            } else if !matches!(attempt.url().scheme(), "http" | "https") {
                attempt.error("a redirect to something other than http(s)")
            } else if literal_refused(attempt.url(), allow_private) {
                attempt.error("a redirect to a private address")
            } else {
                attempt.follow()
            }
        });
        let client = reqwest::Client::builder()
            .dns_resolver(Arc::new(GuardedResolver { allow_private }))
            .redirect(redirects)
            .connect_timeout(timeout.min(Duration::from_secs(5)))
            .timeout(timeout)
            .user_agent(concat!("Marquee/", env!("CARGO_PKG_VERSION"), " (ActivityPub)"))
            .build()
            .expect("an HTTP client with these settings");
        Fetcher { client, allow_private }
    }

    /// GETs `url` as ActivityPub JSON, with `headers` added (a signature, for instance).
    pub async fn get_json(&self, url: &str, headers: &[(&str, String)]) -> Result<serde_json::Value, FetchError> {
        let parsed = reqwest::Url::parse(url).map_err(|_| FetchError::Refused(format!("“{url}” is not an address")))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err(FetchError::Refused("only http and https addresses are fetched".into()));
        }
        if literal_refused(&parsed, self.allow_private) {
            return Err(FetchError::Refused(format!("{} is a private address", parsed.host_str().unwrap_or(""))));
        }
        let mut request = self.client.get(parsed).header("accept", "application/activity+json, application/ld+json");
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        let mut response = request.send().await.map_err(classify)?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()));
        }
        if response.content_length().is_some_and(|n| n as usize > MAX_DOCUMENT_BYTES) {
            return Err(FetchError::TooLarge);
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(classify)? {
            if body.len() + chunk.len() > MAX_DOCUMENT_BYTES {
                return Err(FetchError::TooLarge);
            }
            body.extend_from_slice(&chunk);
        }
        serde_json::from_slice(&body).map_err(|_| FetchError::NotJson)
    }
}

impl Fetcher {
    /// GETs `url` as bytes of at most `max` (an image for an import), through the same guard
    /// against private addresses as every other fetch.
    pub async fn get_bytes(&self, url: &str, max: usize) -> Result<Vec<u8>, String> {
        let parsed = reqwest::Url::parse(url).map_err(|_| format!("“{url}” is not an address"))?;
        if !matches!(parsed.scheme(), "http" | "https") {
            return Err("only http and https addresses are fetched".into());
        }
        if literal_refused(&parsed, self.allow_private) {
            return Err(format!("{} is a private address", parsed.host_str().unwrap_or("")));
        }
        let mut response = self.client.get(parsed).send().await.map_err(|e| classify(e).to_string())?;
        if !response.status().is_success() {
            return Err(FetchError::Status(response.status().as_u16()).to_string());
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(|e| classify(e).to_string())? {
            if body.len() + chunk.len() > max {
                return Err(format!("it is larger than the {:.1} MB an image may be", max as f64 / (1024.0 * 1024.0)));
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}

/// How a delivery went, as far as retrying is concerned.
#[derive(Debug, PartialEq, Eq)]
pub enum PostOutcome {
    Delivered,
    /// Worth trying again later (timeouts, 5xx, 429, network trouble).
    Retry(String),
    /// Will not work however often it is tried (refused address, other 4xx).
    GiveUp(String),
}

impl Fetcher {
    /// POSTs an activity (`body`) to `url` with `headers` (its signature).
    pub async fn post_activity(&self, url: &str, body: Vec<u8>, headers: &[(&str, String)]) -> PostOutcome {
        self.post(url, marquee_federation::ACTIVITY_JSON, body, headers).await
    }

    /// POSTs `body` of `content_type` to `url` with `headers`, with the same address checks as
    /// every fetch (webhooks go out this way too).
    pub async fn post(&self, url: &str, content_type: &str, body: Vec<u8>, headers: &[(&str, String)]) -> PostOutcome {
        let Ok(parsed) = reqwest::Url::parse(url) else { return PostOutcome::GiveUp(format!("“{url}” is not an address")) };
        if !matches!(parsed.scheme(), "http" | "https") || literal_refused(&parsed, self.allow_private) {
            return PostOutcome::GiveUp(format!("{url} may not be reached from here"));
        }
        let mut request = self.client.post(parsed).header("content-type", content_type).body(body);
        for (name, value) in headers {
            request = request.header(*name, value);
        }
        match request.send().await {
            Ok(r) if r.status().is_success() => PostOutcome::Delivered,
            Ok(r) if r.status().as_u16() == 429 || r.status().is_server_error() => PostOutcome::Retry(format!("the server answered {}", r.status())),
            Ok(r) => PostOutcome::GiveUp(format!("the server answered {}", r.status())),
            Err(e) => match classify(e) {
                FetchError::Refused(m) => PostOutcome::GiveUp(m),
                other => PostOutcome::Retry(other.to_string()),
            },
        }
    }
}

/// An address written as an IP (which no resolver sees) that is not allowed.
fn literal_refused(url: &reqwest::Url, allow_private: bool) -> bool {
    let ip = match url.host() {
        Some(url::Host::Ipv4(v4)) => IpAddr::V4(v4),
        Some(url::Host::Ipv6(v6)) => IpAddr::V6(v6),
        _ => return false,
    };
    !allow_private && !is_public(ip)
}

fn classify(e: reqwest::Error) -> FetchError {
    if e.is_timeout() {
        FetchError::Timeout
    } else if e.is_redirect() || format!("{e:?}").contains("has no public address") {
        FetchError::Refused(format!("{e}"))
    } else {
        FetchError::Network(format!("{e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[test]
    fn only_public_addresses_are_public() {
        for private in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "::1", "fc00::1", "fe80::1", "::ffff:127.0.0.1", "255.255.255.255", "240.0.0.1", "192.0.0.8"] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    /// A one-shot HTTP server on loopback answering `body` (after `delay`).
    async fn serve_once(body: Vec<u8>, delay: Duration) -> String {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let body = body.clone();
                tokio::spawn(async move {
                    let mut buf = [0u8; 2048];
                    let _ = socket.read(&mut buf).await;
                    tokio::time::sleep(delay).await;
                    let head = format!("HTTP/1.1 200 OK\r\ncontent-type: application/activity+json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n", body.len());
                    let _ = socket.write_all(head.as_bytes()).await;
                    let _ = socket.write_all(&body).await;
                });
            }
        });
        format!("http://{addr}/actor")
    }

    #[tokio::test]
    async fn loopback_is_refused_unless_allowed() {
        let url = serve_once(br#"{"type":"Organization"}"#.to_vec(), Duration::ZERO).await;
        let guarded = Fetcher::new(false, Duration::from_secs(5));
        assert!(matches!(guarded.get_json(&url, &[]).await, Err(FetchError::Refused(_))), "an IP literal");
        let by_name = url.replace("127.0.0.1", "localhost");
        assert!(matches!(guarded.get_json(&by_name, &[]).await, Err(FetchError::Refused(_))), "a name for loopback");
        let open = Fetcher::new(true, Duration::from_secs(5));
        assert_eq!(open.get_json(&url, &[]).await.unwrap()["type"], "Organization");
        assert!(matches!(open.get_json("file:///etc/passwd", &[]).await, Err(FetchError::Refused(_))));
    }

    #[tokio::test]
    async fn big_and_slow_answers_are_cut_off() {
        let open = Fetcher::new(true, Duration::from_millis(500));
        let big = serve_once(vec![b' '; MAX_DOCUMENT_BYTES + 10], Duration::ZERO).await;
        assert_eq!(open.get_json(&big, &[]).await, Err(FetchError::TooLarge));
        let slow = serve_once(b"{}".to_vec(), Duration::from_secs(3)).await;
        assert_eq!(open.get_json(&slow, &[]).await, Err(FetchError::Timeout));
    }
}
