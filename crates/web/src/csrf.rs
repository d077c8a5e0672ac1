//! Cross-site request forgery protection for every state-changing request (double-submit
//! token): a random token lives in an HttpOnly, SameSite=Lax cookie, each form carries it in
//! a hidden `_csrf` field, and any POST/PUT/PATCH/DELETE whose field (or `X-CSRF-Token` header)
//! does not match the cookie is refused with 403 before a handler runs. The cookie is only set
//! when a page actually rendered a form, so readers' pages set no cookies.

use crate::cookies::{cookie, random_token};
use crate::respond::error_page;
use crate::state::AppState;
use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

pub const COOKIE: &str = "mq_csrf";
const MAX_FORM: usize = 2 * 1024 * 1024;
/// Feed and image uploads in the newsroom may be larger.
pub const MAX_UPLOAD: usize = 32 * 1024 * 1024;

#[derive(Clone)]
pub struct CsrfToken(Arc<TokenInner>);

struct TokenInner {
    /// The browser's token, or one made on first use when it has none yet.
    value: OnceLock<String>,
    used: AtomicBool,
}

impl CsrfToken {
    /// The token to put in a form; using it makes sure the browser gets the cookie.
    pub fn value(&self) -> &str {
        self.0.used.store(true, Ordering::Relaxed);
        self.0.value.get_or_init(random_token)
    }
}

pub async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    // No text we store or look up may hold a NUL character (PostgreSQL refuses it outright).
    let query = req.uri().query().unwrap_or("");
    if has_nul(req.uri().path().as_bytes()) || has_nul(query.as_bytes()) {
        return error_page(StatusCode::BAD_REQUEST, "That address could not be read", "It holds a NUL character (%00), which no page of this site uses.").into_response();
    }
    let existing = cookie(req.headers(), COOKIE).filter(|v| v.len() == 64).map(str::to_string);
    let fresh = existing.is_none();
    let value = OnceLock::new();
    if let Some(v) = &existing {
        let _ = value.set(v.clone());
    }
    let token = CsrfToken(Arc::new(TokenInner { value, used: AtomicBool::new(false) }));

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
        let multipart = parts.headers.get(axum::http::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.starts_with("multipart/form-data"));
        let sent = header_token.or_else(|| if multipart { multipart_field(&bytes, "_csrf") } else { form_field(&bytes, "_csrf") });
        let expected = existing.as_deref().unwrap_or("");
        if fresh || sent.as_deref().map(|s| !constant_time_eq(s.as_bytes(), expected.as_bytes())).unwrap_or(true) {
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
        let secure = if state.site().secure_cookies { "; Secure" } else { "" };
        let c = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Lax{secure}", token.value());
        if let Ok(v) = HeaderValue::from_str(&c) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
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
