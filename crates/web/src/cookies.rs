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

pub const SESSION_DAYS: i64 = 14;

/// 32 random bytes as 64 hex characters.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut b);
    hex::encode(b)
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get_all(axum::http::header::COOKIE).iter().filter_map(|v| v.to_str().ok()).flat_map(|v| v.split(';')).find_map(|kv| {
        let (k, v) = kv.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

pub fn session_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={}{secure}", SESSION_DAYS * 86400)
}

pub fn clear_session_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}")
}
