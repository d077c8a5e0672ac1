//! Notices of changes between servers on one PostgreSQL database: a transaction that moves
//! the content version sends a notice on commit (migration 0016's trigger), and each server
//! listens with a connection of its own, so it drops its cached pages within moments instead
//! of asking the database every second. SQLite has no such notices.

use crate::db::{Backend, Result, Store};

const CHANNEL: &str = "marquee_content";

/// A server's connection listening for changes.
pub struct ChangeListener(sqlx::postgres::PgListener);

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
        Ok(Some(ChangeListener(listener)))
    }

    /// Sends a notice that changes nothing, so a listener that has heard nothing for a while
    /// can tell a quiet paper from a connection that no longer hears (one cut without a word,
    /// or a pooler that does not pass notices on).
    pub async fn ping_listeners(&self) -> Result<()> {
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_notify($1, 'ping')").bind(CHANNEL).execute(&self.pool).await?;
        }
        Ok(())
    }
}

impl ChangeListener {
    /// Waits for the next notice: `true` for a change; `false` when the connection was lost.
    /// Notices sent while it is down are gone, so a caller should then listen anew (which
    /// connects again) and look for itself.
    pub async fn next(&mut self) -> Result<bool> {
        Ok(self.0.try_recv().await?.is_some())
    }
}
