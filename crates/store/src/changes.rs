//! Notices of changes between servers on one PostgreSQL database: a transaction that moves
//! the content version sends a notice on commit (migration 0016's trigger), and each server
//! listens with a connection of its own, so it drops its cached pages within moments instead
//! of asking the database every second. SQLite has no such notices.
//!
//! The same channel carries `reader:<id>` when a reader, their sessions, comments or
//! subscriptions change (migration 0018's triggers): the listener forgets that reader from
//! the store's memo (`reader_memo.rs`), which it lets the store use only from the first notice
//! it hears until it is lost or has heard nothing for a while (`quiet`).

use crate::db::{Backend, Result, Store};

const CHANNEL: &str = "marquee_content";

/// A server's connection listening for changes.
pub struct ChangeListener {
    listener: sqlx::postgres::PgListener,
    store: Store,
}

impl Drop for ChangeListener {
    fn drop(&mut self) {
        // Nobody hears other servers' changes to readers now.
        self.store.set_reader_memo_usable(false);
    }
}

impl Store {
    /// Listens for other servers' (and this one's) changes; `None` on SQLite.
    pub async fn listen_for_changes(&self) -> Result<Option<ChangeListener>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let mut listener = sqlx::postgres::PgListener::connect(&self.url).await?;
        // A lost connection is reported, not silently made again: the caller listens anew.
        listener.eager_reconnect(false);
        listener.listen(CHANNEL).await?;
        // Readers come from memory only once this connection is heard to hear: a notice
        // sent through the pool must come back first (a pooler that drops notices never
        // passes this).
        self.ping_listeners().await?;
        Ok(Some(ChangeListener { listener, store: self.clone() }))
    }

    /// Sends a notice that changes nothing, so a listener that has heard nothing for a while
    /// can tell a quiet paper from a connection that no longer hears (one cut without a word,
    /// or a pooler that does not pass notices on).
    pub async fn ping_listeners(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, 'ping')").bind(CHANNEL).execute(&mut *self.conn().await?).await?;
        }
        Ok(())
    }
}

impl ChangeListener {
    /// Tells the listener that nothing came for a while: until a notice arrives again it may
    /// be deaf (a connection cut without a word), so readers are read from the database.
    pub fn quiet(&self) {
        self.store.set_reader_memo_usable(false);
    }

    /// Waits for the next notice of a change to content (or a ping): `true`; `false` when the
    /// connection was lost. Notices about readers are dealt with on the way. Notices sent
    /// while it is down are gone, so a caller should then listen anew (which connects again)
    /// and look for itself.
    pub async fn next(&mut self) -> Result<bool> {
        loop {
            let Some(notice) = self.listener.try_recv().await? else {
                self.store.set_reader_memo_usable(false);
                return Ok(false);
            };
            self.store.reader_memo_heard();
            match notice.payload().strip_prefix("reader:").map(str::parse::<i64>) {
                Some(Ok(id)) => self.store.forget_reader(id),
                _ => return Ok(true),
            }
        }
    }
}
