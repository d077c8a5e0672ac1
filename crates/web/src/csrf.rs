//! Cross-site request forgery protection for every state-changing request. The browser keeps
//! a random nonce in an HttpOnly, SameSite=Lax cookie; each form carries a token in a hidden
//! `_csrf` field (or the `X-CSRF-Token` header) that is an HMAC, under the site's secret, of
//! that nonce and of the session cookies the browser holds. Any POST/PUT/PATCH/DELETE whose
//! token does not match is refused with 403 before a handler runs. A cookie planted from
//! another origin (a sibling subdomain, a plain-http page) cannot help a forger: without the
//! secret no one can make the token for a signed-in reader's or editor's session. On an https
//! site the cookies carry the `__Host-` prefix as well. The cookie is only set when a page
//! actually rendered a form, so readers' pages set no cookies.
//!
//! Form bodies are checked as bytes first: one that is not UTF-8, raw or percent-decoded, is
//! refused with 400 "could not be read", so no handler ever saves U+FFFD in its place.

use crate::cookies::{cookie, cookie_name, random_token, reader_token, set_cookie, staff_token, CSRF_COOKIE};
use crate::respond::error_page;
use crate::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

const MAX_FORM: usize = 2 * 1024 * 1024;
/// Feed and image uploads in the newsroom may be larger.
pub const MAX_UPLOAD: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct CsrfToken(Arc<TokenInner>);

struct TokenInner {
    state: AppState,
    /// The browser's nonce, or one made on first use when it has none yet.
    nonce: OnceLock<String>,
    /// The session cookies the token is bound to, as the browser sent them.
    staff: Option<String>,
    reader: Option<String>,
    token: OnceLock<String>,
    used: AtomicBool,
}

impl CsrfToken {
    /// The token to put in a form; using it makes sure the browser gets the nonce cookie.
    pub fn value(&self) -> &str {
        let inner = &self.0;
        inner.used.store(true, Ordering::Relaxed);
        inner.token.get_or_init(|| {
            let nonce = inner.nonce.get_or_init(random_token);
            bound_token(&inner.state.0.csrf_key, nonce, inner.staff.as_deref(), inner.reader.as_deref())
        })
    }
}

/// The token for a nonce and the session cookies beside it: HMAC-SHA256 under the site's
/// secret (shared by every server of the site; `key` is `cookies::token_key` of it), as 64 hex
/// characters. The purpose comes first so that no other signature made with the same secret
/// can pass for a token.
fn bound_token(key: &Hmac<Sha256>, nonce: &str, staff: Option<&str>, reader: Option<&str>) -> String {
    let mut mac = key.clone();
    for part in ["marquee-csrf-v1", nonce, staff.unwrap_or(""), reader.unwrap_or("")] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part.as_bytes());
    }
    crate::cookies::hex(&mac.finalize().into_bytes())
}

fn is_nonce(v: &str) -> bool {
    v.len() == 64 && v.bytes().all(|b| b.is_ascii_hexdigit())
}

pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // No text we store or look up may hold a NUL character (PostgreSQL refuses it outright).
    let query = req.uri().query().unwrap_or("");
    if has_nul(req.uri().path().as_bytes()) || has_nul(query.as_bytes()) {
        return error_page(StatusCode::BAD_REQUEST, "That address could not be read", "It holds a NUL character (%00), which no page of this site uses.").into_response();
    }
    let secure = state.site().secure_cookies;
    let existing = cookie(req.headers(), cookie_name(CSRF_COOKIE, secure)).filter(|v| is_nonce(v)).map(str::to_string);
    let fresh = existing.is_none();
    let nonce = OnceLock::new();
    if let Some(v) = &existing {
        let _ = nonce.set(v.clone());
    }
    let staff = staff_token(req.headers(), secure).map(str::to_string);
    let reader = reader_token(req.headers(), secure).map(str::to_string);
    let token = CsrfToken(Arc::new(TokenInner { state: state.clone(), nonce, staff, reader, token: OnceLock::new(), used: AtomicBool::new(false) }));

    // One-click unsubscribe (RFC 8058) is posted by mail programs without cookies; the signed
    // token in its address is what authorises it.
    // Other servers' inbox deliveries carry an HTTP Signature instead, checked by the inbox.
    // API calls that carry their own credentials (a token or key in Authorization, which a
    // browser never adds by itself) are not forgeable from another site; the API reads only
    // that header then, never the cookies.
    let api_token = req.headers().contains_key(header::AUTHORIZATION) && (req.uri().path().starts_with("/ghost/api/") || req.uri().path().starts_with("/api/"));
    let safe = matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || matches!(req.uri().path(), "/unsubscribe" | "/actor/inbox") || api_token;
    let mut req = req;
    if !safe {
        let header_token = req.headers().get("x-csrf-token").and_then(|v| v.to_str().ok()).map(str::to_string);
        let (parts, body) = req.into_parts();
        let upload = parts.uri.path().starts_with("/admin/feeds/") || parts.uri.path().starts_with("/admin/media") || parts.uri.path() == "/ghost/api/admin/images/upload/";
        let limit = if upload { MAX_UPLOAD } else { MAX_FORM };
        let bytes = match to_bytes(body, limit).await {
            Ok(b) => b,
            Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, format!("The form is larger than {} MB.", limit / (1024 * 1024))).into_response(),
        };
        let content_type = parts.headers.get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        let multipart = content_type.starts_with("multipart/form-data");
        if content_type.starts_with("application/x-www-form-urlencoded") && !form_is_utf8(&bytes) {
            return error_page(
                StatusCode::BAD_REQUEST,
                "This form could not be read",
                "Some of its text is not valid UTF-8, the only encoding this site reads. Nothing was saved; send it again from the site's own page.",
            )
            .into_response();
        }
        let sent = header_token.or_else(|| if multipart { multipart_field(&bytes, "_csrf") } else { form_field(&bytes, "_csrf") });
        let expected = existing.as_deref().map(|n| bound_token(&state.0.csrf_key, n, token.0.staff.as_deref(), token.0.reader.as_deref()));
        let matches = match (&sent, &expected) {
            (Some(s), Some(e)) => constant_time_eq(s.as_bytes(), e.as_bytes()),
            _ => false,
        };
        // A reader whose session ended (the browser dropped the cookie) may still post an
        // article's comment form: with no session at all, those forms change nothing and only
        // send the reader to sign in and back, which beats an "expired form" page.
        let no_session = token.0.staff.is_none() && token.0.reader.is_none();
        let signed_out_comment = no_session && crate::views::article_of_comment_form(parts.uri.path()).is_some();
        if (fresh || !matches) && !signed_out_comment {
            return error_page(
                StatusCode::FORBIDDEN,
                "This form could not be accepted",
                "It has expired or did not come from this site. Go back, reload the page and send it again; nothing was saved.",
            )
            .into_response();
        }
        if !multipart && has_nul(&bytes) {
            return error_page(StatusCode::BAD_REQUEST, "This form could not be read", "It holds a NUL character (%00), which no field accepts; nothing was saved.").into_response();
        }
        req = Request::from_parts(parts, Body::from(bytes));
    }
    req.extensions_mut().insert(token.clone());
    let mut resp = next.run(req).await;
    if fresh && token.0.used.load(Ordering::Relaxed) {
        let nonce = token.0.nonce.get_or_init(random_token);
        if let Ok(v) = HeaderValue::from_str(&set_cookie(CSRF_COOKIE, nonce, None, secure)) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}

/// Whether an `application/x-www-form-urlencoded` body is UTF-8 both as sent and with every
/// name and value percent-decoded (a `%FF` is as unreadable as a raw 0xFF byte).
fn form_is_utf8(body: &[u8]) -> bool {
    if std::str::from_utf8(body).is_err() {
        return false;
    }
    let mut decoded = Vec::new();
    body.split(|b| *b == b'&').flat_map(|pair| pair.split(|b| *b == b'=')).all(|part| {
        decoded.clear();
        let mut i = 0;
        while i < part.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            match (part[i], part.get(i + 1).copied().and_then(hex), part.get(i + 2).copied().and_then(hex)) {
                (b'%', Some(h), Some(l)) => {
                    decoded.push((h * 16 + l) as u8);
                    i += 3;
                }
                (b, _, _) => {
                    decoded.push(b);
                    i += 1;
                }
            }
        }
        std::str::from_utf8(&decoded).is_ok()
    })
}

/// Finds `name` in an `application/x-www-form-urlencoded` body. The token is hex, so the
/// value needs no percent-decoding to compare.
fn form_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&').find_map(|pair| {
        let (k, v) = pair.split_once('=')?;
        (k == name).then(|| v.to_string())
    })
}

/// Finds a small text field in a `multipart/form-data` body (the hidden token comes first).
fn multipart_field(body: &[u8], name: &str) -> Option<String> {
    let marker = format!("name=\"{name}\"");
    let at = body.windows(marker.len()).position(|w| w == marker.as_bytes())? + marker.len();
    let rest = &body[at..];
    let start = rest.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
    let value = &rest[start..];
    let end = value.windows(2).position(|w| w == b"\r\n")?;
    String::from_utf8(value[..end].to_vec()).ok()
}

/// Equal bytes, compared in time that does not depend on where they differ.
pub(crate) fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// A NUL byte, raw or percent-encoded.
fn has_nul(bytes: &[u8]) -> bool {
    bytes.contains(&0) || bytes.windows(3).any(|w| w[0] == b'%' && w[1] == b'0' && w[2] == b'0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_bound_to_the_nonce_and_the_sessions() {
        let nonce = "a".repeat(64);
        let key = crate::cookies::token_key(b"secret");
        let t = bound_token(&key, &nonce, Some("s1"), None);
        assert_eq!(t.len(), 64);
        assert_eq!(t, bound_token(&key, &nonce, Some("s1"), None));
        assert_ne!(t, bound_token(&key, &nonce, Some("s2"), None), "another staff session");
        assert_ne!(t, bound_token(&key, &nonce, None, Some("s1")), "the same value as a reader session");
        assert_ne!(t, bound_token(&key, &"b".repeat(64), Some("s1"), None), "another nonce");
        assert_ne!(t, bound_token(&crate::cookies::token_key(b"other secret"), &nonce, Some("s1"), None), "another site");
        assert_ne!(t, nonce);
        // The key made once gives what a key made for each token gives: HMAC-SHA256 of the
        // length-prefixed parts, in lowercase hex.
        let mut fresh = Hmac::<Sha256>::new_from_slice(b"secret").unwrap();
        for part in ["marquee-csrf-v1", &nonce, "s1", ""] {
            fresh.update(&(part.len() as u64).to_be_bytes());
            fresh.update(part.as_bytes());
        }
        assert_eq!(t, hex::encode(fresh.finalize().into_bytes()));
    }

    #[test]
    fn form_bodies_must_be_utf8_after_decoding() {
        assert!(form_is_utf8(b"a=1&body=caf%C3%A9+ol%C3%A9&x="));
        assert!(form_is_utf8("name=Zoë".as_bytes()));
        assert!(form_is_utf8(b"a=100%&b=%zz"), "a stray percent sign stays itself");
        assert!(!form_is_utf8(b"body=%FF"));
        assert!(!form_is_utf8(b"body=caf%C3"), "a cut multi-byte sequence");
        assert!(!form_is_utf8(b"%FF=1"), "names too");
        assert!(!form_is_utf8(&[b'b', b'=', 0xFF]), "a raw byte that is not UTF-8");
    }
}
