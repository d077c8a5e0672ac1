//! HTTP Signatures as the fediverse uses them (draft-cavage-http-signatures, rsa-sha256, over
//! `(request-target) host date` and, with a body, `digest`). Every request Marquee sends is
//! signed with the paper's key; every request it receives must carry a valid signature by the
//! key of the actor it claims to come from.

use crate::{FederationError, KeyPair};
use base64::Engine;
use http_signature_normalization::Config;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

/// How far a request's Date may be from our clock, either way.
pub const MAX_CLOCK_SKEW: Duration = Duration::from_secs(300);

fn config(with_body: bool) -> Config {
    let config = Config::new().mastodon_compat().set_expiration(MAX_CLOCK_SKEW);
    if with_body {
        config.require_digest()
    } else {
        config
    }
}

/// The `Digest` header value for a body: `SHA-256=` and its base64 hash.
pub fn digest(body: &[u8]) -> String {
    format!("SHA-256={}", base64::engine::general_purpose::STANDARD.encode(Sha256::digest(body)))
}

/// The headers to add to a request so that it is signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedHeaders {
    pub date: String,
    pub digest: Option<String>,
    pub signature: String,
}

/// Signs a request to `host` for `path_and_query` with `keys`, naming `key_id` (the actor's
/// key URL) so the receiver can fetch the public key.
pub fn sign_request(keys: &KeyPair, key_id: &str, method: &str, host: &str, path_and_query: &str, body: Option<&[u8]>, now: SystemTime) -> Result<SignedHeaders, FederationError> {
    let date = httpdate::fmt_http_date(now);
    let digest = body.map(digest);
    let mut headers = BTreeMap::new();
    headers.insert("host".to_string(), host.to_string());
    headers.insert("date".to_string(), date.clone());
    if let Some(d) = &digest {
        headers.insert("digest".to_string(), d.clone());
    }
    let signed = config(body.is_some())
        .begin_sign(method, path_and_query, headers)
        .map_err(|e| FederationError::Signature(e.to_string()))?
        .sign(key_id.to_string(), |signing_string| Ok::<_, FederationError>(keys.sign(signing_string.as_bytes())))?;
    Ok(SignedHeaders { date, digest, signature: signed.signature_header() })
}

/// A received request whose signature has been read but not yet checked: look up the key
/// named by [`Incoming::key_id`], then call [`Incoming::verify`].
pub struct Incoming {
    unverified: http_signature_normalization::verify::Unverified,
    digest_ok: bool,
}

impl Incoming {
    /// Reads the Signature header of a request. `headers` holds the request's headers with
    /// lowercase names. Fails when the header is missing or malformed, when a required header
    /// (host, date, and digest with a body) is not signed, or when the date is too old or too
    /// far ahead; a body whose digest does not match fails [`Incoming::verify`].
    pub fn read(method: &str, path_and_query: &str, headers: &BTreeMap<String, String>, body: Option<&[u8]>) -> Result<Incoming, FederationError> {
        let date = headers.get("date").ok_or_else(|| FederationError::Signature("the request has no Date header".into()))?;
        let sent = httpdate::parse_http_date(date).map_err(|_| FederationError::Signature(format!("“{date}” is not an HTTP date")))?;
        let now = SystemTime::now();
        let skew = now.duration_since(sent).or_else(|_| sent.duration_since(now)).unwrap_or_default();
        if skew > MAX_CLOCK_SKEW {
            return Err(FederationError::Signature("the request's Date is too far from now".into()));
        }
        let unverified = config(body.is_some()).begin_verify(method, path_and_query, headers.clone()).map_err(|e| FederationError::Signature(e.to_string()))?;
        let digest_ok = match body {
            Some(b) => headers.get("digest").is_some_and(|d| d.split(',').any(|part| part.trim() == digest(b))),
            None => true,
        };
        Ok(Incoming { unverified, digest_ok })
    }

    /// The URL of the key the sender claims to have signed with.
    pub fn key_id(&self) -> &str {
        self.unverified.key_id()
    }

    /// Whether the signature is valid for `public_pem` and the body matches its digest.
    pub fn verify(&self, public_pem: &str) -> bool {
        self.digest_ok && self.unverified.verify(|signature, signing_string| crate::keys::verify(public_pem, signing_string.as_bytes(), signature))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn received(signed: &SignedHeaders, host: &str) -> BTreeMap<String, String> {
        let mut h = BTreeMap::new();
        h.insert("host".to_string(), host.to_string());
        h.insert("date".to_string(), signed.date.clone());
        if let Some(d) = &signed.digest {
            h.insert("digest".to_string(), d.clone());
        }
        h.insert("signature".to_string(), signed.signature.clone());
        h.insert("content-type".to_string(), "application/activity+json".to_string());
        h
    }

    #[test]
    fn a_signed_post_verifies_and_tampering_does_not() {
        let (keys, other) = crate::keys::test_keys();
        let body = br#"{"type":"Follow"}"#;
        let key_id = "https://a.example/actor#main-key";
        let signed = sign_request(&keys, key_id, "POST", "b.example", "/actor/inbox", Some(body), SystemTime::now()).unwrap();
        let headers = received(&signed, "b.example");
        let incoming = Incoming::read("POST", "/actor/inbox", &headers, Some(body)).unwrap();
        assert_eq!(incoming.key_id(), key_id);
        assert!(incoming.verify(&keys.public_pem));
        assert!(!incoming.verify(&other.public_pem), "signed by another key");
        // Another body under the same headers: the digest no longer matches.
        let swapped = Incoming::read("POST", "/actor/inbox", &headers, Some(br#"{"type":"Delete"}"#)).unwrap();
        assert!(!swapped.verify(&keys.public_pem));
        // Another path or host than the one signed.
        assert!(!Incoming::read("POST", "/elsewhere", &headers, Some(body)).unwrap().verify(&keys.public_pem));
        let mut moved = headers.clone();
        moved.insert("host".into(), "c.example".into());
        assert!(!Incoming::read("POST", "/actor/inbox", &moved, Some(body)).unwrap().verify(&keys.public_pem));
    }

    #[test]
    fn unsigned_stale_and_bodiless_requests_are_refused() {
        let (keys, _) = crate::keys::test_keys();
        let body = b"{}";
        let signed = sign_request(&keys, "k", "POST", "b.example", "/inbox", Some(body), SystemTime::now()).unwrap();
        let mut unsigned = received(&signed, "b.example");
        unsigned.remove("signature");
        assert!(Incoming::read("POST", "/inbox", &unsigned, Some(body)).is_err(), "no signature");
        let old = sign_request(&keys, "k", "POST", "b.example", "/inbox", Some(body), SystemTime::now() - Duration::from_secs(3600)).unwrap();
        assert!(Incoming::read("POST", "/inbox", &received(&old, "b.example"), Some(body)).is_err(), "an hour old");
        // A GET signature does not cover a body, so it cannot carry one.
        let get = sign_request(&keys, "k", "GET", "b.example", "/actor", None, SystemTime::now()).unwrap();
        assert!(Incoming::read("GET", "/actor", &received(&get, "b.example"), None).unwrap().verify(&keys.public_pem));
        let with_body = Incoming::read("POST", "/actor", &received(&get, "b.example"), Some(body));
        assert!(!matches!(with_body, Ok(i) if i.verify(&keys.public_pem)), "a body the signature never covered");
    }
}
