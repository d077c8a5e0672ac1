//! Rendered public pages, kept until content changes. A page is cached with the content
//! version it was rendered from; a newer version, or the arrival of a scheduled article's
//! publication time, empties the cache.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use axum::body::Bytes;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use tokio::sync::watch;
use crate::gzip::{gzip_etag, sends_gzip, Compressible};
use crate::personal::PersonalPage;

const MAX_ENTRIES: usize = 10_000;

pub const HTML: &str = "text/html; charset=utf-8";

/// A rendered response: HTML pages, and also feeds and robots.txt.
#[derive(Clone)]
pub struct CachedPage {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Bytes,
    /// What a conditional GET is answered from. HTML pages have none and are always sent whole.
    pub validators: Option<Validators>,
    /// Unix second after which the page is rendered again (pages listing screenings).
    pub expires: i64,
    /// An article's page for signed-in readers, with their parts left out (`personal.rs`).
    pub personal: Option<Arc<PersonalPage>>,
    /// Where the body's gzip copy is kept once a client asks for it (`gzip.rs`): set on pages
    /// the cache keeps, so that a page made for one request is not compressed.
    pub gzip: Option<Arc<OnceLock<Bytes>>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Validators {
    /// A strong entity tag made from the body, quotes included.
    pub etag: String,
    /// Unix seconds.
    pub last_modified: i64,
}

impl CachedPage {
    pub fn new(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> CachedPage {
        CachedPage { status: status.as_u16(), content_type, body: body.into(), validators: None, expires: i64::MAX, personal: None, gzip: None }
    }

    pub fn html(status: StatusCode, body: String) -> CachedPage {
        CachedPage::new(status, HTML, body)
    }

    /// A 200 response that answers conditional requests: its ETag is a digest of `body`.
    pub fn validated(content_type: &'static str, body: String, last_modified: i64) -> CachedPage {
        let digest = Sha256::digest(body.as_bytes());
        let etag = format!("\"{}\"", hex::encode(&digest[..16]));
        CachedPage { validators: Some(Validators { etag, last_modified }), ..CachedPage::new(StatusCode::OK, content_type, body) }
    }

    /// The response to a request with these headers: 304 without a body when the client's
    /// copy is current, else the whole page. A kept page is marked for the gzip layer, which
    /// compresses it (and gives a 304 the compressed copy's tag) when the request accepts gzip.
    pub fn respond(&self, request: &HeaderMap) -> Response {
        let mut response = self.whole_or_not_modified(request);
        if let Some(gzip) = &self.gzip {
            response.extensions_mut().insert(Compressible { body: self.body.clone(), gzip: gzip.clone() });
        }
        response
    }

    fn whole_or_not_modified(&self, request: &HeaderMap) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::OK);
        let Some(v) = &self.validators else {
            return (status, [(header::CONTENT_TYPE, self.content_type)], self.body.clone()).into_response();
        };
        let mut headers = HeaderMap::new();
        if let Ok(etag) = HeaderValue::from_str(&v.etag) {
            headers.insert(header::ETAG, etag);
        }
        if let Ok(date) = HeaderValue::from_str(&marquee_domain::time::http_date(v.last_modified)) {
            headers.insert(header::LAST_MODIFIED, date);
        }
        // Caches may keep it, but must ask again (cheaply, with the validators) before reuse.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        // The tag a conditional request must name is that of the copy it would get.
        let zipped = self.gzip.is_some() && sends_gzip(self.body.len(), request);
        if v.not_modified(request, zipped) {
            return (StatusCode::NOT_MODIFIED, headers).into_response();
        }
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(self.content_type));
        (status, headers, self.body.clone()).into_response()
    }
}

/// What a request's `If-None-Match` says of a body tagged `etag` (None when it has none):
/// whether it names, by weak comparison, the tag of the copy the request would get (the
/// gzip one when `zipped`), or is `*`.
pub fn if_none_match(request: &HeaderMap, etag: &str, zipped: bool) -> Option<bool> {
    let tags = request.get(header::IF_NONE_MATCH)?;
    let ours = if zipped { gzip_etag(etag) } else { etag.to_string() };
    let ours = ours.trim_start_matches("W/");
    Some(tags.to_str().is_ok_and(|tags| tags.split(',').map(str::trim).any(|t| t == "*" || t.trim_start_matches("W/") == ours)))
}

impl Validators {
    /// True when the client's copy is current (RFC 9110 §13.1): `If-None-Match` decides when
    /// sent, by weak comparison with the tag of the copy this request would get (the gzip
    /// one when `zipped`); otherwise `If-Modified-Since` no older than Last-Modified.
    pub fn not_modified(&self, request: &HeaderMap, zipped: bool) -> bool {
        if let Some(named) = if_none_match(request, &self.etag, zipped) {
            return named;
        }
        request
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(marquee_domain::time::parse_http_date)
            .is_some_and(|since| self.last_modified <= since)
    }
}

pub struct PageCache {
    enabled: bool,
    pages: RwLock<HashMap<String, CachedPage>>,
    /// Unix second at which cached pages go stale because something scheduled goes live.
    next_change: AtomicI64,
    /// Grows at every clear; a page rendered under an older generation is not stored.
    generation: AtomicU64,
    /// Pages being rendered now, by key: a request for one waits for that render instead of
    /// rendering the same page at the same moment (the home page just after a breaking story
    /// emptied the cache, asked for by every reader at once).
    flights: Mutex<HashMap<String, Flight>>,
    /// Tells flights apart, so a finished one removes only itself.
    flight_ids: AtomicU64,
    /// How many articles each listing has (for its page count), with the generation it was
    /// counted under: good until content changes or a scheduled article goes live, like a
    /// page, but kept with the page cache off as well (see [`PageCache::count`]).
    counts: Mutex<HashMap<String, (u64, i64)>>,
    /// Marks in listings for typed page numbers, with the generation they were taken under:
    /// kept like `counts`.
    marks: Mutex<HashMap<String, (u64, Arc<Marks>)>>,
}

/// The most listings whose marks are kept (each up to 16 bytes a hundred articles).
const MAX_MARKED: usize = 1_000;

/// A listing's marks ([`marquee_store::Store::listing_marks`]) as far as pages have been
/// asked for: the place of every `MARK_EVERY`-th article (`public.rs`).
#[derive(Clone, Debug, Default)]
pub struct Marks {
    pub at: Vec<(i64, i64)>,
    /// The listing ends before the next mark.
    pub ended: bool,
}

/// One render in progress.
struct Flight {
    id: u64,
    /// The cache generation it was started under: only requests that arrived under the same
    /// one may take its page.
    generation: u64,
    done: watch::Receiver<Option<CachedPage>>,
}

/// Who renders a missing page: this request ([`Turn::Lead`]), or another one already doing so,
/// whose page this request waits for ([`Turn::Follow`]).
pub enum Turn<'a> {
    Lead(Leader<'a>),
    Follow(watch::Receiver<Option<CachedPage>>),
}

/// The request rendering a page for others too. Dropped without [`Leader::finish`] (the page
/// could not be kept: an error, a redirect, a 404), it lets those waiting render for
/// themselves.
pub struct Leader<'a> {
    cache: &'a PageCache,
    key: String,
    id: u64,
    done: watch::Sender<Option<CachedPage>>,
}

impl Leader<'_> {
    /// Hands the rendered page to every request waiting for it.
    pub fn finish(self, page: &CachedPage) {
        self.done.send_replace(Some(page.clone()));
    }
}

impl Drop for Leader<'_> {
    fn drop(&mut self) {
        let mut flights = self.cache.flights.lock().unwrap();
        if flights.get(&self.key).is_some_and(|f| f.id == self.id) {
            flights.remove(&self.key);
        }
    }
}

impl PageCache {
    pub fn new(enabled: bool) -> Self {
        PageCache {
            enabled,
            pages: RwLock::new(HashMap::new()),
            next_change: AtomicI64::new(i64::MAX),
            generation: AtomicU64::new(0),
            flights: Mutex::new(HashMap::new()),
            flight_ids: AtomicU64::new(0),
            counts: Mutex::new(HashMap::new()),
            marks: Mutex::new(HashMap::new()),
        }
    }

    pub fn enabled(&self) -> bool {
        self.enabled
    }

    pub fn get(&self, key: &str, now: i64) -> Option<CachedPage> {
        if !self.enabled || now >= self.next_change.load(Ordering::Relaxed) {
            return None;
        }
        self.pages.read().unwrap().get(key).filter(|p| now < p.expires).cloned()
    }

    /// For a page missing from the cache: render it (and say when it is done), or wait for
    /// the request rendering it already, if that one started under the same `generation`.
    /// None when the cache is off (every request renders).
    pub fn join(&self, key: &str, generation: u64) -> Option<Turn<'_>> {
        if !self.enabled {
            return None;
        }
        let mut flights = self.flights.lock().unwrap();
        if let Some(f) = flights.get(key).filter(|f| f.generation == generation) {
            return Some(Turn::Follow(f.done.clone()));
        }
        let id = self.flight_ids.fetch_add(1, Ordering::Relaxed);
        let (done, waiting) = watch::channel(None);
        flights.insert(key.to_string(), Flight { id, generation, done: waiting });
        Some(Turn::Lead(Leader { cache: self, key: key.to_string(), id, done }))
    }

    /// A listing's size counted since the last change, if any. Unlike pages, counts are kept
    /// when the page cache is off: a miss still renders the page, but counting a listing of
    /// 20,000 articles again for each of its pages is not part of that cost.
    pub fn count(&self, key: &str, now: i64) -> Option<i64> {
        self.recall(&self.counts, key, now)
    }

    /// Keeps a listing's size, counted under `generation`.
    pub fn keep_count(&self, key: String, count: i64, generation: u64) {
        self.remember(&self.counts, MAX_ENTRIES, key, count, generation);
    }

    /// A listing's marks taken since the last change, if any (kept like counts).
    pub fn marks(&self, key: &str, now: i64) -> Option<Arc<Marks>> {
        self.recall(&self.marks, key, now)
    }

    /// Keeps a listing's marks, taken under `generation`.
    pub fn keep_marks(&self, key: String, marks: Arc<Marks>, generation: u64) {
        self.remember(&self.marks, MAX_MARKED, key, marks, generation);
    }

    /// What `memo` holds for `key` from the current generation, unless something scheduled
    /// has gone live since.
    fn recall<T: Clone>(&self, memo: &Mutex<HashMap<String, (u64, T)>>, key: &str, now: i64) -> Option<T> {
        if now >= self.next_change.load(Ordering::Relaxed) {
            return None;
        }
        let generation = self.generation();
        memo.lock().unwrap().get(key).filter(|(g, _)| *g == generation).map(|(_, v)| v.clone())
    }

    /// Keeps `value` in `memo` (of at most `limit` keys) if the cache was not emptied since
    /// `generation` was read.
    fn remember<T>(&self, memo: &Mutex<HashMap<String, (u64, T)>>, limit: usize, key: String, value: T, generation: u64) {
        let mut kept = memo.lock().unwrap();
        if self.generation() != generation {
            return;
        }
        if kept.len() >= limit {
            kept.clear();
        }
        kept.insert(key, (generation, value));
    }

    /// The generation to pass to [`PageCache::put`], read before rendering starts.
    pub fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps a page, unless the cache was emptied since `generation` was read: the page may
    /// then show content from before the change.
    pub fn put(&self, key: String, page: CachedPage, now: i64, generation: u64) {
        if !self.enabled || now >= self.next_change.load(Ordering::Relaxed) {
            return;
        }
        let mut pages = self.pages.write().unwrap();
        if self.generation.load(Ordering::Acquire) != generation {
            return;
        }
        if pages.len() >= MAX_ENTRIES {
            pages.clear();
        }
        pages.insert(key, page);
    }

    pub fn clear(&self) {
        let mut pages = self.pages.write().unwrap();
        self.generation.fetch_add(1, Ordering::AcqRel);
        pages.clear();
        self.counts.lock().unwrap().clear();
        self.marks.lock().unwrap().clear();
    }

    /// Drops the pages whose key starts with `prefix` (and, like [`PageCache::clear`], any page
    /// being rendered now).
    pub fn remove_prefix(&self, prefix: &str) {
        let mut pages = self.pages.write().unwrap();
        self.generation.fetch_add(1, Ordering::AcqRel);
        pages.retain(|k, _| !k.starts_with(prefix));
    }

    pub fn set_next_change(&self, at: Option<i64>) {
        self.next_change.store(at.unwrap_or(i64::MAX), Ordering::Relaxed);
    }

    /// Empties the cache if a scheduled change is due; true if it did.
    pub fn expire_if_due(&self, now: i64) -> bool {
        if now >= self.next_change.load(Ordering::Relaxed) {
            self.clear();
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_page_rendered_before_a_change_is_not_kept() {
        let cache = PageCache::new(true);
        let page = || CachedPage::html(StatusCode::OK, "old".into());
        let before = cache.generation();
        cache.clear(); // content changed while the page was rendering
        cache.put("/".into(), page(), 0, before);
        assert!(cache.get("/", 0).is_none());
        cache.put("/".into(), page(), 0, cache.generation());
        assert!(cache.get("/", 0).is_some());
        cache.set_next_change(Some(10));
        assert!(cache.get("/", 10).is_none(), "stale once a scheduled article is due");
    }

    #[test]
    fn a_listing_count_lasts_until_content_changes_or_a_scheduled_article_is_due() {
        let cache = PageCache::new(false);
        let g = cache.generation();
        cache.keep_count("Section(1)".into(), 41, g);
        assert_eq!(cache.count("Section(1)", 5), Some(41), "kept with the page cache off too");
        cache.set_next_change(Some(10));
        assert_eq!(cache.count("Section(1)", 10), None, "an article went live");
        cache.set_next_change(None);
        cache.clear();
        assert_eq!(cache.count("Section(1)", 5), None, "content changed");
        cache.keep_count("Section(1)".into(), 41, g);
        assert_eq!(cache.count("Section(1)", 5), None, "counted before the change: not kept");
    }

    #[tokio::test]
    async fn requests_for_a_page_being_rendered_wait_for_it() {
        let cache = PageCache::new(true);
        let g = cache.generation();
        let Some(Turn::Lead(leader)) = cache.join("/", g) else { panic!("the first request renders") };
        let Some(Turn::Follow(mut waiting)) = cache.join("/", g) else { panic!("the second waits") };
        let Some(Turn::Follow(mut late)) = cache.join("/", g) else { panic!("so does the third") };
        leader.finish(&CachedPage::html(StatusCode::OK, "rendered once".into()));
        for w in [&mut waiting, &mut late] {
            let page = w.wait_for(Option::is_some).await.expect("the page").clone().unwrap();
            assert_eq!(&page.body[..], b"rendered once");
        }
        assert!(matches!(cache.join("/", g), Some(Turn::Lead(_))), "a finished render is forgotten; the next miss renders again");
    }

    #[tokio::test]
    async fn a_render_that_keeps_nothing_lets_the_waiting_render_for_themselves() {
        let cache = PageCache::new(true);
        let g = cache.generation();
        let leader = cache.join("/missing/", g);
        let Some(Turn::Follow(mut waiting)) = cache.join("/missing/", g) else { panic!("waits") };
        drop(leader); // a 404 or an error: nothing to share
        assert!(waiting.wait_for(Option::is_some).await.is_err());
    }

    #[test]
    fn a_request_after_a_change_does_not_wait_for_a_render_from_before_it() {
        let cache = PageCache::new(true);
        let _before = cache.join("/", cache.generation());
        cache.clear();
        assert!(matches!(cache.join("/", cache.generation()), Some(Turn::Lead(_))));
        assert!(PageCache::new(false).join("/", 0).is_none(), "with the cache off every request renders");
    }

    fn request(pairs: &[(header::HeaderName, &str)]) -> HeaderMap {
        pairs.iter().map(|(k, v)| (k.clone(), HeaderValue::from_str(v).unwrap())).collect()
    }

    #[test]
    fn conditional_requests() {
        let page = CachedPage::validated("application/atom+xml; charset=utf-8", "<feed/>".into(), 1_795_575_900);
        let v = page.validators.clone().unwrap();
        assert!(v.etag.starts_with('"') && v.etag.ends_with('"') && v.etag.len() == 34);
        assert_eq!(v, CachedPage::validated("x", "<feed/>".into(), 1_795_575_900).validators.unwrap(), "the same body, the same tag");
        let same_day = "Wed, 25 Nov 2026 03:05:00 GMT";
        let earlier = "Wed, 25 Nov 2026 03:04:59 GMT";
        let etag = v.etag.as_str();
        let weak = format!("W/{etag}");
        let list = format!("\"other\", {etag}");
        for (headers, expected) in [
            (request(&[]), false),
            (request(&[(header::IF_NONE_MATCH, etag)]), true),
            (request(&[(header::IF_NONE_MATCH, &weak)]), true),
            (request(&[(header::IF_NONE_MATCH, &list)]), true),
            (request(&[(header::IF_NONE_MATCH, "*")]), true),
            (request(&[(header::IF_NONE_MATCH, "\"other\"")]), false),
            (request(&[(header::IF_MODIFIED_SINCE, same_day)]), true),
            (request(&[(header::IF_MODIFIED_SINCE, earlier)]), false),
            (request(&[(header::IF_MODIFIED_SINCE, "not a date")]), false),
            // An entity tag that does not match wins over a date that would.
            (request(&[(header::IF_NONE_MATCH, "\"other\""), (header::IF_MODIFIED_SINCE, same_day)]), false),
        ] {
            assert_eq!(v.not_modified(&headers, false), expected, "{headers:?}");
            let resp = page.respond(&headers);
            assert_eq!(resp.status(), if expected { StatusCode::NOT_MODIFIED } else { StatusCode::OK });
            assert_eq!(resp.headers()[header::ETAG], etag);
            assert_eq!(resp.headers()[header::LAST_MODIFIED], same_day);
        }
        let html = CachedPage::html(StatusCode::OK, "<p>hi</p>".into()).respond(&request(&[(header::IF_NONE_MATCH, "*")]));
        assert_eq!(html.status(), StatusCode::OK, "HTML pages are always sent whole");
        assert_eq!(html.headers()[header::CONTENT_TYPE], HTML);
        assert!(html.headers().get(header::ETAG).is_none());
    }
}
