//! Rendered public pages, kept until content changes. A page is cached with the content
//! version it was rendered from; a newer version, or the arrival of a scheduled article's
//! publication time, empties the cache.

use std::collections::HashMap;
use std::sync::atomic::{AtomicI64, Ordering};
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
}

impl PageCache {
    pub fn new(enabled: bool) -> Self {
        PageCache { enabled, pages: RwLock::new(HashMap::new()), next_change: AtomicI64::new(i64::MAX) }
    }

    pub fn get(&self, key: &str, now: i64) -> Option<CachedPage> {
        if !self.enabled || now >= self.next_change.load(Ordering::Relaxed) {
            return None;
        }
        self.pages.read().unwrap().get(key).filter(|p| now < p.expires).cloned()
    }

    pub fn put(&self, key: String, page: CachedPage, now: i64) {
        if !self.enabled || now >= self.next_change.load(Ordering::Relaxed) {
            return;
        }
        let mut pages = self.pages.write().unwrap();
        if pages.len() >= MAX_ENTRIES {
            pages.clear();
        }
        pages.insert(key, page);
    }

    pub fn clear(&self) {
        self.pages.write().unwrap().clear();
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
