//! What each server keeps in memory for the APIs: the Content API keys it has checked (so a
//! cached answer costs no query), and how many requests each key has made from each address in
//! the current minute; and how a new key is made. Foundation: imports only `cookies.rs`'s
//! random tokens from this crate.
//!
//! The key cache is emptied whenever content changes (a revoked key bumps the content version,
//! so every server forgets it within a second); the counters are per server.

use crate::cookies::{random_token, token_hash};
use marquee_store::{NewApiKey, Store};
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// Counters kept at most; past this the oldest minute's are dropped.
const MAX_COUNTERS: usize = 100_000;

#[derive(Default)]
pub struct ApiGuard {
    /// Content key digest -> key row, for keys checked since the last change.
    keys: Mutex<HashMap<String, i64>>,
    /// Key row -> Unix second it was last noted in the database as used.
    touched: Mutex<HashMap<i64, i64>>,
    /// (key row, address) -> (minute, requests in it).
    counts: Mutex<HashMap<(i64, IpAddr), (i64, u32)>>,
}

impl ApiGuard {
    /// The key row of a Content API key digest checked since the last change.
    pub fn known_key(&self, digest: &str) -> Option<i64> {
        self.keys.lock().unwrap().get(digest).copied()
    }

    pub fn remember_key(&self, digest: &str, id: i64) {
        self.keys.lock().unwrap().insert(digest.to_string(), id);
    }

    /// True at most once a minute per key (either kind): time to note in the database that it
    /// was used, so that a busy key costs no write per request.
    pub fn due_for_touch(&self, id: i64, now: i64) -> bool {
        let mut touched = self.touched.lock().unwrap();
        match touched.get(&id) {
            Some(last) if now - *last < 60 => false,
            _ => {
                touched.insert(id, now);
                true
            }
        }
    }

    pub fn forget_keys(&self) {
        self.keys.lock().unwrap().clear();
    }

    /// Counts one request of `key` from `ip` at `now`; false when that makes more than `limit`
    /// in this minute (a `limit` of 0 is no limit).
    pub fn allow(&self, key: i64, ip: IpAddr, now: i64, limit: u32) -> bool {
        if limit == 0 {
            return true;
        }
        let minute = now / 60;
        let mut counts = self.counts.lock().unwrap();
        if counts.len() >= MAX_COUNTERS {
            counts.retain(|_, (m, _)| *m == minute);
            // Still full within one minute (many addresses): start the minute's counts again
            // rather than scan the whole map on every new address.
            if counts.len() >= MAX_COUNTERS {
                counts.clear();
            }
        }
        let entry = counts.entry((key, ip)).or_insert((minute, 0));
        if entry.0 != minute {
            *entry = (minute, 0);
        }
        entry.1 += 1;
        entry.1 <= limit
    }

    /// Seconds until the current minute ends, for `Retry-After`.
    pub fn retry_after(now: i64) -> i64 {
        60 - now.rem_euclid(60)
    }
}

/// Which API a key opens.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyKind {
    /// Read-only, public content: 26 hex digits, kept only as its SHA-256.
    Content,
    /// Acts as `user_id` with that staff member's role: `id:secret`, the secret signing tokens.
    Admin { user_id: i64 },
}

/// Makes a key and returns it as the caller must be shown it, once: the store keeps a Content
/// key's digest only, and an Admin key's secret (it must check the tokens it signs).
pub async fn issue_key(store: &Store, kind: KeyKind, name: &str, created_by: Option<i64>, now: i64) -> marquee_store::Result<String> {
    match kind {
        KeyKind::Content => {
            // 26 hex digits, as Ghost's clients expect of a Content API key.
            let key = random_token()[..26].to_string();
            let new = NewApiKey { kind: "content", name, lookup: &token_hash(&key), secret: "", hint: &key[..6], user_id: None, created_by, now };
            store.create_api_key(&new).await?;
            Ok(key)
        }
        KeyKind::Admin { user_id } => {
            let id = random_token()[..24].to_string();
            let secret = random_token();
            let new = NewApiKey { kind: "admin", name, lookup: &id, secret: &secret, hint: &id[..6], user_id: Some(user_id), created_by, now };
            store.create_api_key(&new).await?;
            Ok(format!("{id}:{secret}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_key_and_address_gets_its_own_minute() {
        let g = ApiGuard::default();
        let a: IpAddr = "192.0.2.1".parse().unwrap();
        let b: IpAddr = "192.0.2.2".parse().unwrap();
        let t = 6_000;
        assert!(g.allow(1, a, t, 2) && g.allow(1, a, t + 1, 2));
        assert!(!g.allow(1, a, t + 2, 2), "the third in a minute is refused");
        assert!(g.allow(1, b, t + 2, 2) && g.allow(2, a, t + 2, 2), "another address or key is counted apart");
        assert!(g.allow(1, a, t + 60, 2), "a new minute starts again");
        assert!((0..10).all(|_| g.allow(3, a, t, 0)), "0 is no limit");
        assert_eq!(ApiGuard::retry_after(t + 15), 45);
    }

    #[test]
    fn keys_are_forgotten_and_touched_once_a_minute() {
        let g = ApiGuard::default();
        g.remember_key("d", 7);
        assert_eq!(g.known_key("d"), Some(7));
        assert!(g.due_for_touch(7, 100), "the first use is noted");
        assert!(!g.due_for_touch(7, 130));
        assert!(g.due_for_touch(7, 160));
        assert!(!g.due_for_touch(7, 161));
        assert!(g.due_for_touch(8, 161), "each key apart");
        g.forget_keys();
        assert_eq!(g.known_key("d"), None);
    }

    #[test]
    fn a_flood_of_addresses_does_not_grow_the_counters_without_end() {
        let g = ApiGuard::default();
        for i in 0..(MAX_COUNTERS as u32 + 10) {
            g.allow(1, IpAddr::from(i.to_be_bytes()), 6_000, 5);
        }
        assert!(g.counts.lock().unwrap().len() < MAX_COUNTERS);
    }
}
