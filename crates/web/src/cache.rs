//! Rendered public pages, kept until content changes. A page is cached with the content
//! version it was rendered from; a newer version, or the arrival of a scheduled article's
//! publication time, empties the cache.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use axum::body::Bytes;
use std::sync::RwLock;

const MAX_ENTRIES: usize = 10_000;

#[derive(Clone)]
pub struct CachedPage {
    pub status: u16,
    pub body: Bytes,
    /// Unix second after which the page is rendered again (pages listing screenings).
    pub expires: i64,
}

pub struct PageCache {
    enabled: bool,
    pages: RwLock<HashMap<String, CachedPage>>,
    /// Unix second at which cached pages go stale because something scheduled goes live.
    next_change: AtomicI64,
    /// Grows at every clear; a page rendered under an older generation is not stored.
    generation: AtomicU64,
}

impl PageCache {
    pub fn new(enabled: bool) -> Self {
        PageCache { enabled, pages: RwLock::new(HashMap::new()), next_change: AtomicI64::new(i64::MAX), generation: AtomicU64::new(0) }
    }

    pub fn get(&self, key: &str, now: i64) -> Option<CachedPage> {
        if !self.enabled || now >= self.next_change.load(Ordering::Relaxed) {
            return None;
        }
        self.pages.read().unwrap().get(key).filter(|p| now < p.expires).cloned()
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
        let page = || CachedPage { status: 200, body: Bytes::from_static(b"old"), expires: i64::MAX };
        let before = cache.generation();
        cache.clear(); // content changed while the page was rendering
        cache.put("/".into(), page(), 0, before);
        assert!(cache.get("/", 0).is_none());
        cache.put("/".into(), page(), 0, cache.generation());
        assert!(cache.get("/", 0).is_some());
        cache.set_next_change(Some(10));
        assert!(cache.get("/", 10).is_none(), "stale once a scheduled article is due");
    }
}
