//! Cookies and the random tokens they carry: reading a cookie from a request, the staff
//! session cookie, and the tokens whose SHA-256 alone the database keeps. Foundation: imports
//! nothing from this crate.

use axum::http::HeaderMap;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// Staff sessions.
pub const SESSION_COOKIE: &str = "mq_session";
/// Readers' sessions.
pub const READER_COOKIE: &str = "mq_reader";
/// The browser's CSRF nonce (see `csrf`).
pub const CSRF_COOKIE: &str = "mq_csrf";

pub const SESSION_DAYS: i64 = 14;

/// The name a cookie goes by. A site served over https (`secure`) uses the `__Host-` prefix:
/// browsers keep such a cookie only when it is Secure, for Path=/ and without a Domain, so no
/// sibling subdomain and no plain-http page can set or shadow it. Only that name is read then.
pub fn cookie_name(plain: &'static str, secure: bool) -> &'static str {
    match (plain, secure) {
        (_, false) => plain,
        (SESSION_COOKIE, true) => "__Host-mq_session",
        (READER_COOKIE, true) => "__Host-mq_reader",
        (CSRF_COOKIE, true) => "__Host-mq_csrf",
        _ => unreachable!("cookie_name is given one of this module's cookie names"),
    }
}

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex(&b)
}

pub fn token_hash(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

/// The site's secret made into the HMAC-SHA256 key of forms' tokens (`csrf`) once: each token
/// then starts from a copy of it instead of hashing the key's two blocks again.
pub fn token_key(secret: &[u8]) -> hmac::Hmac<Sha256> {
    <hmac::Hmac<Sha256> as hmac::Mac>::new_from_slice(secret).expect("HMAC takes a key of any length")
}

/// Bytes as lowercase hex, written by the `hex` crate's table into a buffer of the right
/// length (`hex::encode` goes a `char` at a time; a signed-in page writes three of these).
pub fn hex(bytes: &[u8]) -> String {
    let mut out = vec![0; bytes.len() * 2];
    hex::encode_to_slice(bytes, &mut out).expect("the buffer is twice the input's length");
    String::from_utf8(out).expect("hex digits are ASCII")
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// The staff session token the browser sent, under the name this site uses.
pub fn staff_token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, cookie_name(SESSION_COOKIE, secure))
}

/// The reader session token the browser sent, under the name this site uses.
pub fn reader_token(headers: &HeaderMap, secure: bool) -> Option<&str> {
    cookie(headers, cookie_name(READER_COOKIE, secure))
}

/// `Set-Cookie` for a staff session (`plain` is `SESSION_COOKIE`) that lasts `SESSION_DAYS`.
pub fn session_cookie(plain: &'static str, token: &str, secure: bool) -> String {
    set_cookie(plain, token, Some(SESSION_DAYS * 86400), secure)
}

/// `Set-Cookie` that makes the browser forget a session.
pub fn clear_session_cookie(plain: &'static str, secure: bool) -> String {
    set_cookie(plain, "", Some(0), secure)
}

/// `Set-Cookie` for one of this module's cookies: HttpOnly, SameSite=Lax, for the whole site;
/// without `max_age` it lasts as long as the browser session.
pub fn set_cookie(plain: &'static str, value: &str, max_age: Option<i64>, secure: bool) -> String {
    let name = cookie_name(plain, secure);
    let age = max_age.map(|a| format!("; Max-Age={a}")).unwrap_or_default();
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax{age}{secure}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_is_written_as_the_hex_crate_writes_it() {
        assert_eq!(hex(&[]), "");
        assert_eq!(hex(&[0x00, 0x0f, 0xa0, 0xff, 0x5c]), "000fa0ff5c");
        let all: Vec<u8> = (0..=255).collect();
        assert_eq!(hex(&all), hex::encode(&all));
        assert_eq!(token_hash("tok"), hex::encode(Sha256::digest(b"tok")));
        let t = random_token();
        assert!(t.len() == 64 && t.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)), "{t}");
    }

    #[test]
    fn https_sites_use_host_prefixed_cookies() {
        assert_eq!(session_cookie(SESSION_COOKIE, "t", true), format!("__Host-mq_session=t; Path=/; HttpOnly; SameSite=Lax; Max-Age={}; Secure", SESSION_DAYS * 86400));
        assert_eq!(clear_session_cookie(READER_COOKIE, false), "mq_reader=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
        let mut h = HeaderMap::new();
        h.insert(axum::http::header::COOKIE, "mq_session=plain; __Host-mq_reader=prefixed".parse().unwrap());
        assert_eq!(staff_token(&h, false), Some("plain"));
        assert_eq!(staff_token(&h, true), None, "an https site ignores a cookie without the prefix");
        assert_eq!(reader_token(&h, true), Some("prefixed"));
        assert_eq!(reader_token(&h, false), None);
    }
}
