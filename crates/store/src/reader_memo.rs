//! Signed-in readers kept in memory, so that an article page for a reader costs no query.
//!
//! What a reader's article page needs from the database is who the session belongs to, and
//! on which articles they have a comment of their own or a subscription. That is kept here
//! per session for up to [`TTL`], and forgotten as soon as it may have changed:
//! - by this server: every method of the store that writes a reader, their sessions, their
//!   comments or their subscriptions calls `Store::forget_reader` (or
//!   `Store::forget_session`, in `readers.rs`) after its commit;
//! - by another server on the same PostgreSQL database: migration 0018's triggers send a
//!   notice `reader:<id>` on the change channel for every such row, at commit, whoever wrote
//!   it, and the `ChangeListener` (`changes.rs`) forgets that reader.
//!
//! On PostgreSQL the memo is used only while a listener hears notices: from the first notice
//! it hears (it pings itself on connecting) until it is lost or 30 s pass without one; before,
//! after, and behind a pooler that drops notices, every lookup asks the database. SQLite has
//! a single server per file, so the store's own calls are enough there.
//!
//! A lookup that started before a change must not keep what it read: each forget moves a
//! generation, and a lookup keeps its answer only if the generation did not move meanwhile.

use crate::reader_row::Reader;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

/// How long a reader is kept without being asked for again, in case a change slipped by.
pub const TTL: Duration = Duration::from_secs(60);
/// Sessions kept at most; when full the memo starts again empty.
const MAX_SESSIONS: usize = 100_000;

pub(crate) struct ReaderMemo {
    /// Whether lookups may be answered from memory (always on SQLite; on PostgreSQL while a
    /// listener hears notices).
    usable: AtomicBool,
    generation: AtomicU64,
    sessions: RwLock<HashMap<String, Arc<Known>>>,
}

/// One session as last read.
pub(crate) struct Known {
    pub(crate) reader: Reader,
    pub(crate) session_expires: i64,
    pub(crate) commented: HashSet<i64>,
    pub(crate) subscribed: HashSet<i64>,
    pub(crate) read_at: Instant,
}

impl ReaderMemo {
    pub(crate) fn new(usable: bool) -> ReaderMemo {
        ReaderMemo { usable: AtomicBool::new(usable), generation: AtomicU64::new(0), sessions: RwLock::new(HashMap::new()) }
    }

    pub(crate) fn usable(&self) -> bool {
        self.usable.load(Ordering::Acquire)
    }

    /// Turns the memo on or off (PostgreSQL: on while notices are heard). Either way it
    /// starts empty, since changes may have gone unheard.
    pub(crate) fn set_usable(&self, usable: bool) {
        self.forget(|_, _| true);
        self.usable.store(usable, Ordering::Release);
    }

    /// What is kept of a session, unless it is older than [`TTL`].
    pub(crate) fn get(&self, token_hash: &str) -> Option<Arc<Known>> {
        self.sessions.read().unwrap().get(token_hash).filter(|k| k.read_at.elapsed() < TTL).cloned()
    }

    /// The generation to pass to [`ReaderMemo::keep`], read before the database is asked.
    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }

    /// Keeps a session read from the database, unless something was forgotten since
    /// `generation` was read (what was read may predate that change) or the memo is off.
    pub(crate) fn keep(&self, token_hash: &str, known: Arc<Known>, generation: u64) {
        let mut sessions = self.sessions.write().unwrap();
        if self.generation.load(Ordering::Acquire) != generation || !self.usable() {
            return;
        }
        if sessions.len() >= MAX_SESSIONS {
            sessions.clear();
        }
        sessions.insert(token_hash.to_string(), known);
    }

    /// Drops the sessions for which `gone(token hash, session)` holds.
    pub(crate) fn forget(&self, gone: impl Fn(&str, &Known) -> bool) {
        let mut sessions = self.sessions.write().unwrap();
        self.generation.fetch_add(1, Ordering::AcqRel);
        sessions.retain(|hash, known| !gone(hash, known));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: i64) -> Arc<Known> {
        let reader = Reader { id, email: String::new(), name: "Ana Ruiz".into(), password_hash: String::new(), verified: 1, digest: String::new(), suspended_until: 0, banned: 0, created_at: 0 };
        Arc::new(Known { reader, session_expires: i64::MAX, commented: HashSet::new(), subscribed: HashSet::new(), read_at: Instant::now() })
    }

    #[test]
    fn a_reading_older_than_a_forget_is_not_kept() {
        let memo = ReaderMemo::new(true);
        let generation = memo.generation();
        memo.forget(|_, k| k.reader.id == 7); // a change committed while the lookup ran
        memo.keep("a", known(7), generation);
        assert!(memo.get("a").is_none());
        memo.keep("a", known(7), memo.generation());
        assert!(memo.get("a").is_some());
        memo.forget(|_, k| k.reader.id == 8);
        assert!(memo.get("a").is_some(), "forgetting another reader keeps this one");
        memo.forget(|_, k| k.reader.id == 7);
        assert!(memo.get("a").is_none());
    }

    #[test]
    fn nothing_is_kept_while_the_memo_is_off() {
        let memo = ReaderMemo::new(true);
        memo.keep("a", known(1), memo.generation());
        memo.set_usable(false);
        assert!(memo.get("a").is_none(), "turning it off empties it");
        memo.keep("b", known(2), memo.generation());
        assert!(memo.get("b").is_none());
    }
}
