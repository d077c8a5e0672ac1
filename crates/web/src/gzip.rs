//! gzip for what the server keeps: pages in the page cache and the theme's files. Each is
//! compressed once, the first time a client that accepts gzip asks for it, and kept beside
//! its plain copy until the page leaves the cache, so a cached page costs no more to send
//! compressed than plain. Pages made for one request (a signed-in reader's, or any page with
//! the page cache off) are sent plain.

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::Response;
use std::io::Write;
use std::sync::{Arc, OnceLock};

/// Set on a response whose body may be sent compressed: the body, and where its compressed
/// copy is kept once made.
#[derive(Clone)]
pub struct Compressible {
    pub body: Bytes,
    pub gzip: Arc<OnceLock<Bytes>>,
}

/// Bodies smaller than this are sent plain: gzip's header and trailer would eat the saving.
/// Text of this size or more always comes out smaller.
const MIN_LEN: usize = 512;

/// Whether a marked body of `len` bytes goes compressed to a request with these headers.
/// The page cache asks it too, to know which copy's tag a conditional request must name.
pub fn sends_gzip(len: usize, request: &HeaderMap) -> bool {
    len >= MIN_LEN && accepts_gzip(request)
}

/// The layer: sends a `Compressible` 200 compressed when the request accepts gzip, and gives
/// a 304 for one the headers the 200 would have had (its tag, its `Vary`).
pub async fn gzip_kept(request: Request, next: Next) -> Response {
    let accepts = accepts_gzip(request.headers());
    let mut response = next.run(request).await;
    let Some(c) = response.extensions_mut().remove::<Compressible>() else { return response };
    let status = response.status();
    if !(status == StatusCode::OK || status == StatusCode::NOT_MODIFIED) || c.body.len() < MIN_LEN {
        return response;
    }
    // Shared caches must keep the plain and the compressed copy apart.
    response.headers_mut().append(header::VARY, HeaderValue::from_static("accept-encoding"));
    if !accepts {
        return response;
    }
    let headers = response.headers_mut();
    let tag = headers.get(header::ETAG).and_then(|t| t.to_str().ok()).map(gzip_etag);
    if let Some(tag) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        headers.insert(header::ETAG, tag);
    }
    if status == StatusCode::NOT_MODIFIED {
        return response;
    }
    headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    headers.remove(header::CONTENT_LENGTH);
    // The body is the marked one: nothing after `CachedPage::respond` or `static_file`
    // replaces a marked response's body.
    let gz = c.gzip.get_or_init(|| compress(&c.body));
    *response.body_mut() = Body::from(gz.clone());
    response
}

/// The entity tag of the compressed copy of a body tagged `tag`: another representation,
/// so another tag (`"abc"` becomes `"abc-gzip"`, `W/"abc"` becomes `W/"abc-gzip"`).
pub fn gzip_etag(tag: &str) -> String {
    match tag.strip_suffix('"') {
        Some(open) => format!("{open}-gzip\""),
        None => tag.to_string(),
    }
}

/// Whether a request's `Accept-Encoding` allows gzip (RFC 9110 §12.5.3): named with a
/// quality above zero, or not named and `*` allowed. No header means plain.
pub fn accepts_gzip(headers: &HeaderMap) -> bool {
    let mut star = false;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| {
                    let (name, q) = p.split_once('=')?;
                    name.trim().eq_ignore_ascii_case("q").then(|| q.trim().parse::<f32>().unwrap_or(0.0))
                })
                .next()
                .unwrap_or(1.0);
            match coding.as_str() {
                "gzip" | "x-gzip" => return quality > 0.0,
                "*" => star = quality > 0.0,
                _ => {}
            }
        }
    }
    star
}

fn compress(body: &[u8]) -> Bytes {
    let mut out = flate2::write::GzEncoder::new(Vec::with_capacity(body.len() / 4), flate2::Compression::default());
    // Writing to a Vec cannot fail.
    out.write_all(body).expect("gzip into memory");
    Bytes::from(out.finish().expect("gzip into memory"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asking(value: &str) -> bool {
        let mut h = HeaderMap::new();
        h.insert(header::ACCEPT_ENCODING, HeaderValue::from_str(value).unwrap());
        accepts_gzip(&h)
    }

    #[test]
    fn gzip_is_sent_only_where_the_request_allows_it() {
        assert!(asking("gzip, deflate, br, zstd"));
        assert!(asking("br;q=1.0, GZIP;q=0.5"));
        assert!(asking("x-gzip"));
        assert!(asking("*"));
        assert!(asking("br, *;q=0.1"));
        assert!(!asking("identity"));
        assert!(!asking("br, deflate"));
        assert!(!asking("gzip;q=0"));
        assert!(!asking("gzip; q=0.0, *"));
        assert!(!asking("*;q=0"));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn a_compressed_copy_has_its_own_tag() {
        assert_eq!(gzip_etag("\"abc\""), "\"abc-gzip\"");
        assert_eq!(gzip_etag("W/\"abc\""), "W/\"abc-gzip\"");
    }
}
