//! The mail outbox: every message is a row written in the same transaction as the change that
//! caused it, and a worker claims due rows with a lease, sends them and records the outcome.

use crate::db::{Result, Store};
use sqlx::FromRow;

/// A message to queue. The body is already rendered (text and HTML, user content escaped).
#[derive(Debug, Clone)]
pub struct NewMail {
    pub reader_id: Option<i64>,
    /// What caused it: "verify", "reset", "notify", "digest", ...
    pub kind: &'static str,
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub list_unsubscribe: Option<String>,
}

/// The durable work queues that share one claiming scheme.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Queue {
    Mail,
    Deliveries,
    Webhooks,
    Media,
}

impl Queue {
    fn table(self) -> &'static str {
        match self {
            Queue::Mail => "outbox",
            Queue::Deliveries => "deliveries",
            Queue::Webhooks => "webhook_deliveries",
            Queue::Media => "media_jobs",
        }
    }
}

#[derive(Debug, Clone, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub to_email: String,
    pub to_name: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    pub list_unsubscribe: Option<String>,
    pub attempts: i64,
    pub created_at: i64,
    /// The lease this claim holds; marking the outcome requires it still to be ours.
    pub lease_until: i64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct OutboxStats {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
    pub last_error: String,
}

/// After this many failed attempts a message is marked failed and kept for an administrator.
pub const MAX_ATTEMPTS: i64 = 8;

/// Seconds to wait before attempt `attempts + 1`: 30 s, 1 min, 2 min, ... at most 6 hours.
pub fn backoff_secs(attempts: i64) -> i64 {
    let shift = attempts.clamp(1, 20) - 1;
    (30i64 << shift).min(6 * 3600)
}

/// Queues `mail`, due at once.
pub(crate) async fn enqueue(tx: &mut sqlx::Transaction<'_, sqlx::Any>, mail: &NewMail, now: i64) -> Result<i64> {
    enqueue_at(tx, mail, now, 0).await
}

async fn enqueue_at(tx: &mut sqlx::Transaction<'_, sqlx::Any>, mail: &NewMail, now: i64, due_at: i64) -> Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO outbox (reader_id, kind, to_email, to_name, subject, text_body, html_body, list_unsubscribe, next_attempt_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
    )
    .bind(mail.reader_id)
    .bind(mail.kind)
    .bind(&mail.to_email)
    .bind(&mail.to_name)
    .bind(&mail.subject)
    .bind(&mail.text)
    .bind(&mail.html)
    .bind(&mail.list_unsubscribe)
    .bind(due_at)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    Ok(id)
}

impl Store {
    /// Queues one message on its own (for mail that is not caused by another write), to be
    /// sent from `due_at` on.
    pub async fn enqueue_mail(&self, mail: &NewMail, now: i64, due_at: i64) -> Result<i64> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let id = enqueue_at(&mut tx, mail, now, due_at).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Claims up to `limit` messages that are due, or whose previous sender's lease ran out
    /// (it stopped mid-send), for `lease` seconds (see [`Store::claim_queue`]).
    pub async fn claim_mail(&self, now: i64, lease: i64, limit: i64) -> Result<Vec<OutboxRow>> {
        let mut claimed = Vec::new();
        for id in self.claim_queue(Queue::Mail, now, lease, limit).await? {
            claimed.push(
                sqlx::query_as("SELECT id, kind, to_email, to_name, subject, text_body, html_body, list_unsubscribe, attempts, created_at, lease_until FROM outbox WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *self.conn().await?)
                    .await?,
            );
        }
        Ok(claimed)
    }

    /// Records that the message claimed as `row` went out. Ignored when the lease was lost
    /// meanwhile (another worker took the row over and records its own outcome).
    pub async fn mark_mail_sent(&self, row: &OutboxRow, now: i64) -> Result<()> {
        self.finish_queue_row(Queue::Mail, row.id, row.lease_until, row.attempts, now, None).await
    }

    /// Records a failed attempt: retried later with backoff, or failed for good when the error
    /// is permanent or the attempts are used up.
    pub async fn mark_mail_failed(&self, row: &OutboxRow, now: i64, error: &str, permanent: bool) -> Result<()> {
        self.finish_queue_row(Queue::Mail, row.id, row.lease_until, row.attempts, now, Some((error, permanent))).await
    }

    /// Claims up to `limit` due rows of a queue (or rows whose worker's lease ran out) for
    /// `lease` seconds, and answers their ids. Each claim is a conditional update of one row, so
    /// two workers, on one server or several, never both win the same row.
    pub(crate) async fn claim_queue(&self, queue: Queue, now: i64, lease: i64, limit: i64) -> Result<Vec<i64>> {
        let table = queue.table();
        let due = "(status = 'pending' AND next_attempt_at <= $1) OR (status = 'sending' AND lease_until < $1)";
        let candidates: Vec<(i64,)> =
            sqlx::query_as(&format!("SELECT id FROM {table} WHERE {due} ORDER BY id LIMIT $2")).bind(now).bind(limit).fetch_all(&mut *self.conn().await?).await?;
        let claim = format!(
            "UPDATE {table} SET status = 'sending', lease_until = $2, attempts = attempts + 1 WHERE id = $3 AND ({})",
            due
        );
        let mut won = Vec::new();
        for (id,) in candidates {
            let _write = self.write_guard().await;
            if sqlx::query(&claim).bind(now).bind(now + lease).bind(id).execute(&mut *self.conn().await?).await?.rows_affected() == 1 {
                won.push(id);
            }
        }
        Ok(won)
    }

    /// Records the outcome of one claimed row while its lease (`lease_until`) is still ours:
    /// sent (`failure` none), or failed, to be retried with backoff unless permanent or out of
    /// attempts.
    pub(crate) async fn finish_queue_row(&self, queue: Queue, id: i64, lease_until: i64, attempts: i64, now: i64, failure: Option<(&str, bool)>) -> Result<()> {
        let table = queue.table();
        let _write = self.write_guard().await;
        match failure {
            None => {
                let sql = format!("UPDATE {table} SET status = 'sent', sent_at = $1, last_error = '' WHERE id = $2 AND status = 'sending' AND lease_until = $3");
                sqlx::query(&sql).bind(now).bind(id).bind(lease_until).execute(&mut *self.conn().await?).await?;
            }
            Some((error, permanent)) => {
                let (status, next) = if permanent || attempts >= MAX_ATTEMPTS { ("failed", now) } else { ("pending", now + backoff_secs(attempts)) };
                let sql = format!("UPDATE {table} SET status = $1, next_attempt_at = $2, lease_until = 0, last_error = $3 WHERE id = $4 AND status = 'sending' AND lease_until = $5");
                sqlx::query(&sql).bind(status).bind(next).bind(error).bind(id).bind(lease_until).execute(&mut *self.conn().await?).await?;
            }
        }
        Ok(())
    }

    /// Puts failed messages back in the queue (an administrator's "retry").
    pub async fn retry_failed_mail(&self, now: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        Ok(sqlx::query("UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = $1 WHERE status = 'failed'")
            .bind(now)
            .execute(&mut *self.conn().await?)
            .await?
            .rows_affected())
    }

    pub async fn outbox_stats(&self) -> Result<OutboxStats> {
        let rows: Vec<(String, i64)> = sqlx::query_as("SELECT status, COUNT(*) FROM outbox GROUP BY status").fetch_all(&mut *self.conn().await?).await?;
        let mut s = OutboxStats::default();
        for (status, n) in rows {
            match status.as_str() {
                "pending" | "sending" => s.pending += n,
                "sent" => s.sent = n,
                _ => s.failed = n,
            }
        }
        let err: Option<(String,)> = sqlx::query_as("SELECT last_error FROM outbox WHERE last_error <> '' ORDER BY id DESC LIMIT 1").fetch_optional(&mut *self.conn().await?).await?;
        s.last_error = err.map(|e| e.0).unwrap_or_default();
        Ok(s)
    }

    /// Counts an action under every key and says which limit, if any, it would break: each
    /// key is (key, max actions allowed since `since`). A refused action is not counted.
    pub async fn rate_limit(&self, keys: &[(&str, i64)], now: i64, since: i64) -> Result<Option<String>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        if self.backend == crate::Backend::Postgres {
            // Parallel requests would all count below the limit; take turns per key.
            for (key, _) in keys {
                sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS locked").bind(*key).fetch_all(&mut *tx).await?;
            }
        }
        for (key, max) in keys {
            let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM rate_events WHERE key = $1 AND at >= $2").bind(*key).bind(since).fetch_one(&mut *tx).await?;
            if n >= *max {
                return Ok(Some(key.to_string()));
            }
        }
        for (key, _) in keys {
            sqlx::query("INSERT INTO rate_events (key, at) VALUES ($1, $2)").bind(*key).bind(now).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(None)
    }

    /// Forgets counted actions older than `before`.
    pub async fn prune_rate_events(&self, before: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        Ok(sqlx::query("DELETE FROM rate_events WHERE at < $1").bind(before).execute(&mut *self.conn().await?).await?.rows_affected())
    }
}
