//! Admin API keys and the short-lived tokens made from them, the way Ghost's Admin API takes
//! them: a key is `{id}:{secret}` (the secret as hex); a client signs a JSON Web Token with
//! HS256, the key id in the header's `kid`, `iat`/`exp` at most five minutes apart and `aud`
//! `/admin/`, and sends `Authorization: Ghost {token}`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The longest a token may live, as Ghost allows.
pub const MAX_LIFETIME_SECS: i64 = 5 * 60;
/// Clocks may differ this much between client and server.
pub const CLOCK_SKEW_SECS: i64 = 60;
/// The audience every token must name.
pub const AUDIENCE: &str = "/admin/";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("the token is not a JSON Web Token (three base64url parts separated by dots)")]
    Malformed,
    #[error("the token's header must name alg HS256")]
    WrongAlgorithm,
    #[error("the token's header must name the key id as kid")]
    BadHeader,
    #[error("the token's payload must hold iat, exp and aud")]
    BadPayload,
    #[error("the token's signature does not match the key")]
    BadSignature,
    #[error("the token has expired")]
    Expired,
    #[error("the token is issued in the future")]
    NotYetValid,
    #[error("the token lives longer than five minutes")]
    TooLong,
    #[error("the token's audience must be /admin/")]
    WrongAudience,
}

/// What a checked token says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claims {
    pub key_id: String,
    pub issued_at: i64,
    pub expires_at: i64,
}

/// Splits an Admin API key `{id}:{secret}` into its id and the secret's bytes.
pub fn split_key(key: &str) -> Option<(&str, Vec<u8>)> {
    let (id, secret) = key.trim().split_once(':')?;
    let bytes = hex::decode(secret).ok()?;
    (!id.is_empty() && bytes.len() >= 16).then_some((id, bytes))
}

fn part(s: &str) -> Result<serde_json::Value, TokenError> {
    let bytes = URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).map_err(|_| TokenError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| TokenError::Malformed)
}

fn parts(token: &str) -> Result<(&str, &str, &str), TokenError> {
    let mut it = token.trim().split('.');
    match (it.next(), it.next(), it.next(), it.next()) {
        (Some(h), Some(p), Some(s), None) if !h.is_empty() && !p.is_empty() && !s.is_empty() => Ok((h, p, s)),
        _ => Err(TokenError::Malformed),
    }
}

/// The key id a token names, read before its key is known (to find the key). Nothing is
/// trusted until [`verify`] passes.
pub fn key_id(token: &str) -> Result<String, TokenError> {
    let (header, _, _) = parts(token)?;
    let header = part(header)?;
    if header["alg"] != "HS256" {
        return Err(TokenError::WrongAlgorithm);
    }
    header["kid"].as_str().filter(|k| !k.is_empty() && k.len() <= 100).map(str::to_string).ok_or(TokenError::BadHeader)
}

fn mac(secret: &[u8], signed: &str) -> Hmac<Sha256> {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).expect("HMAC takes a key of any length");
    mac.update(signed.as_bytes());
    mac
}

/// Checks a token against its key's secret at `now` (Unix seconds).
pub fn verify(token: &str, secret: &[u8], now: i64) -> Result<Claims, TokenError> {
    let key_id = key_id(token)?;
    let (header, payload, signature) = parts(token)?;
    let signature = URL_SAFE_NO_PAD.decode(signature).map_err(|_| TokenError::Malformed)?;
    mac(secret, &format!("{header}.{payload}")).verify_slice(&signature).map_err(|_| TokenError::BadSignature)?;
    let claims = part(payload)?;
    let (Some(iat), Some(exp)) = (claims["iat"].as_i64(), claims["exp"].as_i64()) else {
        return Err(TokenError::BadPayload);
    };
    let audience_ok = match &claims["aud"] {
        serde_json::Value::String(a) => a == AUDIENCE,
        serde_json::Value::Array(list) => list.iter().any(|a| a == AUDIENCE),
        _ => return Err(TokenError::BadPayload),
    };
    if !audience_ok {
        return Err(TokenError::WrongAudience);
    }
    // In i128, so that no pair of i64s a client signs can wrap around the checks.
    let (iat_wide, exp_wide, now_wide) = (i128::from(iat), i128::from(exp), i128::from(now));
    if exp_wide - iat_wide > i128::from(MAX_LIFETIME_SECS) || exp < iat {
        return Err(TokenError::TooLong);
    }
    if iat_wide > now_wide + i128::from(CLOCK_SKEW_SECS) {
        return Err(TokenError::NotYetValid);
    }
    if exp_wide + i128::from(CLOCK_SKEW_SECS) < now_wide {
        return Err(TokenError::Expired);
    }
    Ok(Claims { key_id, issued_at: iat, expires_at: exp })
}

/// Makes a token for `key_id` valid from `iat` for `lifetime` seconds, as a client would.
pub fn sign(key_id: &str, secret: &[u8], iat: i64, lifetime: i64) -> String {
    let header = URL_SAFE_NO_PAD.encode(serde_json::json!({ "alg": "HS256", "typ": "JWT", "kid": key_id }).to_string());
    let payload = URL_SAFE_NO_PAD.encode(serde_json::json!({ "iat": iat, "exp": iat + lifetime, "aud": AUDIENCE }).to_string());
    let signed = format!("{header}.{payload}");
    let signature = URL_SAFE_NO_PAD.encode(mac(secret, &signed).finalize().into_bytes());
    format!("{signed}.{signature}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "8f1b0e6e4c2d9a7b5e3f1a0c8d6b4e2f9a7c5e3b1d0f8e6c4a2b0d9e7f5c3a1b";

    #[test]
    fn a_token_made_by_a_client_passes_and_every_change_fails() {
        let key = format!("6a1f00c3e2b7d9a41c5e8f20:{SECRET}");
        let (id, secret) = split_key(&key).unwrap();
        let now = 1_800_000_000;
        let token = sign(id, &secret, now, 300);
        assert_eq!(key_id(&token).unwrap(), id);
        assert_eq!(verify(&token, &secret, now + 10).unwrap(), Claims { key_id: id.into(), issued_at: now, expires_at: now + 300 });
        assert_eq!(verify(&token, &secret, now + 300 + CLOCK_SKEW_SECS + 1), Err(TokenError::Expired));
        assert_eq!(verify(&token, &secret, now - CLOCK_SKEW_SECS - 1), Err(TokenError::NotYetValid));
        assert_eq!(verify(&sign(id, &secret, now, 301), &secret, now), Err(TokenError::TooLong), "longer than five minutes");
        let other = hex::decode(SECRET.replace('8', "9")).unwrap();
        assert_eq!(verify(&token, &other, now), Err(TokenError::BadSignature), "another key's secret");
        // A payload changed after signing no longer matches the signature.
        let (h, _, s) = parts(&token).unwrap();
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::json!({ "iat": now, "exp": now + 86_400, "aud": AUDIENCE }).to_string());
        assert_eq!(verify(&format!("{h}.{forged_payload}.{s}"), &secret, now), Err(TokenError::BadSignature));
    }

    #[test]
    fn the_header_and_audience_are_checked() {
        let key = format!("abc:{SECRET}");
        let (_, secret) = split_key(&key).unwrap();
        let enc = |v: serde_json::Value| URL_SAFE_NO_PAD.encode(v.to_string());
        let signed = |h: serde_json::Value, p: serde_json::Value| {
            let body = format!("{}.{}", enc(h), enc(p));
            let sig = URL_SAFE_NO_PAD.encode(mac(&secret, &body).finalize().into_bytes());
            format!("{body}.{sig}")
        };
        let now = 1_800_000_000;
        let none = signed(serde_json::json!({ "alg": "none", "kid": "abc" }), serde_json::json!({ "iat": now, "exp": now + 60, "aud": AUDIENCE }));
        assert_eq!(verify(&none, &secret, now), Err(TokenError::WrongAlgorithm), "alg none is refused");
        let no_kid = signed(serde_json::json!({ "alg": "HS256" }), serde_json::json!({ "iat": now, "exp": now + 60, "aud": AUDIENCE }));
        assert_eq!(verify(&no_kid, &secret, now), Err(TokenError::BadHeader));
        // Times chosen to wrap i64 arithmetic around still make a token that lives too long.
        for (iat, exp) in [(-100, i64::MAX - 60), (i64::MIN, i64::MAX), (now, i64::MAX)] {
            let wrapped = signed(serde_json::json!({ "alg": "HS256", "kid": "abc" }), serde_json::json!({ "iat": iat, "exp": exp, "aud": AUDIENCE }));
            assert_eq!(verify(&wrapped, &secret, now), Err(TokenError::TooLong), "{iat}..{exp}");
        }
        let old = signed(serde_json::json!({ "alg": "HS256", "kid": "abc" }), serde_json::json!({ "iat": i64::MIN, "exp": i64::MIN + 60, "aud": AUDIENCE }));
        assert_eq!(verify(&old, &secret, now), Err(TokenError::Expired));
        let aud = signed(serde_json::json!({ "alg": "HS256", "kid": "abc" }), serde_json::json!({ "iat": now, "exp": now + 60, "aud": "/v2/admin/" }));
        assert_eq!(verify(&aud, &secret, now), Err(TokenError::WrongAudience));
        let list = signed(serde_json::json!({ "alg": "HS256", "kid": "abc" }), serde_json::json!({ "iat": now, "exp": now + 60, "aud": ["/admin/"] }));
        assert!(verify(&list, &secret, now).is_ok());
        for bad in ["", "a.b", "a.b.c.d", "!!.??.**", "...."] {
            assert!(verify(bad, &secret, now).is_err(), "{bad:?}");
        }
        assert!(split_key("no-colon").is_none() && split_key("id:nothex").is_none() && split_key(":00ff").is_none());
    }
}
