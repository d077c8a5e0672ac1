//! API keys (Content and Admin), webhooks, their durable delivery queue, and what webhooks
//! were last told of each article.

use crate::cards::LIVE;
use crate::db::{Result, Store};
use crate::outbox::Queue;
use sqlx::{Any, FromRow, Transaction};

/// A key for the Content API (read-only, public) or the Admin API (acts as a staff member).
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ApiKey {
    pub id: i64,
    pub kind: String,
    pub name: String,
    #[serde(skip)]
    pub lookup: String,
    #[serde(skip)]
    pub secret: String,
    pub hint: String,
    pub user_id: Option<i64>,
    pub user_name: Option<String>,
    pub user_role: Option<String>,
    pub user_active: Option<i64>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A new key as the newsroom makes it.
pub struct NewApiKey<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub lookup: &'a str,
    pub secret: &'a str,
    pub hint: &'a str,
    pub user_id: Option<i64>,
    pub created_by: Option<i64>,
    pub now: i64,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Webhook {
    pub id: i64,
    pub name: String,
    pub event: String,
    pub target_url: String,
    #[serde(skip)]
    pub secret: String,
    pub created_at: i64,
    pub last_triggered_at: Option<i64>,
    pub last_status: String,
}

/// One event on its way to one webhook, as a worker claimed it.
#[derive(Debug, Clone, FromRow)]
pub struct WebhookDeliveryRow {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub body: String,
    pub target_url: String,
    pub secret: String,
    pub attempts: i64,
    pub created_at: i64,
    pub lease_until: i64,
}

/// A recent delivery, for the newsroom.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct WebhookDelivery {
    pub id: i64,
    pub webhook_id: i64,
    pub event: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: i64,
    pub sent_at: Option<i64>,
}

/// What webhooks were last told of an article, and whether it is live now.
#[derive(Debug, Clone, PartialEq)]
pub struct WebhookSeen {
    pub article_id: i64,
    /// `None`: never recorded. Else (live, synced_at).
    pub recorded: Option<(bool, i64)>,
    pub live: bool,
    pub publish_at: i64,
    /// The article's last change; the record keeps it, and a later change is an edit.
    pub updated_at: i64,
}

const KEY_COLS: &str = "k.id, k.kind, k.name, k.lookup, k.secret, k.hint, k.user_id, u.name AS user_name, u.role AS user_role, u.active AS user_active, k.created_at, k.last_used_at, k.revoked_at";
const WEBHOOK_COLS: &str = "id, name, event, target_url, secret, created_at, last_triggered_at, last_status";

impl Store {
    pub async fn create_api_key(&self, k: &NewApiKey<'_>) -> Result<i64> {
        let _write = self.write_guard().await;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO api_keys (kind, name, lookup, secret, hint, user_id, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(k.kind)
        .bind(k.name)
        .bind(k.lookup)
        .bind(k.secret)
        .bind(k.hint)
        .bind(k.user_id)
        .bind(k.created_by)
        .bind(k.now)
        .fetch_one(&mut *self.conn().await?)
        .await?;
        Ok(id)
    }

    /// Every key, the newest first, revoked ones too.
    pub async fn api_keys(&self) -> Result<Vec<ApiKey>> {
        let sql = format!("SELECT {KEY_COLS} FROM api_keys k LEFT JOIN users u ON u.id = k.user_id ORDER BY k.id DESC");
        Ok(sqlx::query_as(&sql).fetch_all(&mut *self.conn().await?).await?)
    }

    /// The key of `kind` with this lookup value, unless it was revoked.
    pub async fn api_key(&self, kind: &str, lookup: &str) -> Result<Option<ApiKey>> {
        let sql = format!("SELECT {KEY_COLS} FROM api_keys k LEFT JOIN users u ON u.id = k.user_id WHERE k.kind = $1 AND k.lookup = $2 AND k.revoked_at IS NULL");
        Ok(sqlx::query_as(&sql).bind(kind).bind(lookup).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Revokes a key for good; true if it was in use. The content version moves, so that every
    /// server forgets the key (and the answers it cached) at once.
    pub async fn revoke_api_key(&self, id: i64, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let revoked = sqlx::query("UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL").bind(now).bind(id).execute(&mut *tx).await?.rows_affected() == 1;
        if revoked {
            crate::site::bump_version(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(revoked)
    }

    /// Notes that a key was used, at most once a minute per key.
    pub async fn touch_api_key(&self, id: i64, now: i64) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $3)").bind(now).bind(id).bind(now - 60).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    pub async fn create_webhook(&self, name: &str, event: &str, target_url: &str, secret: &str, created_by: Option<i64>, now: i64) -> Result<i64> {
        let _write = self.write_guard().await;
        let (id,): (i64,) = sqlx::query_as("INSERT INTO webhooks (name, event, target_url, secret, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(name)
            .bind(event)
            .bind(target_url)
            .bind(secret)
            .bind(created_by)
            .bind(now)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(id)
    }

    pub async fn webhooks(&self) -> Result<Vec<Webhook>> {
        Ok(sqlx::query_as(&format!("SELECT {WEBHOOK_COLS} FROM webhooks ORDER BY id")).fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn webhook(&self, id: i64) -> Result<Option<Webhook>> {
        Ok(sqlx::query_as(&format!("SELECT {WEBHOOK_COLS} FROM webhooks WHERE id = $1")).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Deletes a webhook and what was still queued for it; true if it existed.
    pub async fn delete_webhook(&self, id: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE webhook_id = $1").bind(id).execute(&mut *tx).await?;
        let n = sqlx::query("DELETE FROM webhooks WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        Ok(n == 1)
    }

    /// The newest deliveries, for the newsroom.
    pub async fn webhook_deliveries(&self, limit: i64) -> Result<Vec<WebhookDelivery>> {
        Ok(sqlx::query_as("SELECT id, webhook_id, event, status, attempts, last_error, created_at, sent_at FROM webhook_deliveries ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&mut *self.conn().await?)
            .await?)
    }

    /// Queues `body` for every webhook listening to `event` (see [`enqueue_webhooks`]).
    pub async fn queue_webhook_event(&self, event: &str, body: &str, now: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let n = enqueue_webhooks(&mut tx, event, body, now).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Claims up to `limit` due webhook deliveries for `lease` seconds (see
    /// [`Store::claim_queue`]).
    pub async fn claim_webhook_deliveries(&self, now: i64, lease: i64, limit: i64) -> Result<Vec<WebhookDeliveryRow>> {
        let mut claimed = Vec::new();
        for id in self.claim_queue(Queue::Webhooks, now, lease, limit).await? {
            let row: Option<WebhookDeliveryRow> = sqlx::query_as(
                "SELECT d.id, d.webhook_id, d.event, d.body, w.target_url, w.secret, d.attempts, d.created_at, d.lease_until FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id WHERE d.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
            // A webhook deleted between the claim and now takes its deliveries with it.
            claimed.extend(row);
        }
        Ok(claimed)
    }

    /// Records a delivery's outcome (while its lease is ours) and the webhook's last status.
    pub async fn finish_webhook_delivery(&self, row: &WebhookDeliveryRow, now: i64, status: &str, failure: Option<(&str, bool)>) -> Result<()> {
        self.finish_queue_row(Queue::Webhooks, row.id, row.lease_until, row.attempts, now, failure).await?;
        let _write = self.write_guard().await;
        sqlx::query("UPDATE webhooks SET last_triggered_at = $1, last_status = $2 WHERE id = $3").bind(now).bind(status).bind(row.webhook_id).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    /// Puts failed webhook deliveries back in the queue.
    pub async fn retry_failed_webhooks(&self, now: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        Ok(sqlx::query("UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $1 WHERE status = 'failed'").bind(now).execute(&mut *self.conn().await?).await?.rows_affected())
    }

    /// Articles whose state webhooks have not been told yet: live and never recorded, live and
    /// changed since the record, or recorded live and no longer live.
    pub async fn webhook_backlog(&self, now: i64, limit: i64) -> Result<Vec<WebhookSeen>> {
        let sql = format!(
            "SELECT a.id, w.live, w.synced_at, CASE WHEN {LIVE} THEN 1 ELSE 0 END AS is_live, COALESCE(a.publish_at, 0), a.updated_at \
             FROM articles a LEFT JOIN webhook_articles w ON w.article_id = a.id \
             WHERE ({LIVE} AND (w.article_id IS NULL OR w.live = 0 OR w.synced_at < a.updated_at)) OR (NOT ({LIVE}) AND w.live = 1) \
             ORDER BY a.id LIMIT $2"
        );
        let rows: Vec<(i64, Option<i64>, Option<i64>, i64, i64, i64)> = sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(&mut *self.conn().await?).await?;
        Ok(rows
            .into_iter()
            .map(|(article_id, live, synced_at, is_live, publish_at, updated_at)| WebhookSeen {
                article_id,
                recorded: live.zip(synced_at).map(|(l, s)| (l == 1, s)),
                live: is_live == 1,
                publish_at,
                updated_at,
            })
            .collect())
    }

    /// Records what webhooks now know of an article (its state and the change it had reached)
    /// and queues `event` (with its body) for every webhook listening, in one transaction, only
    /// if the record is still as `seen` read it. False when another server recorded it first.
    pub async fn record_webhook_article(&self, seen: &WebhookSeen, now: i64, event: Option<(&str, &str)>) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let written = match seen.recorded {
            None => sqlx::query("INSERT INTO webhook_articles (article_id, live, synced_at) VALUES ($1, $2, $3) ON CONFLICT (article_id) DO NOTHING")
                .bind(seen.article_id)
                .bind(seen.live as i64)
                .bind(seen.updated_at)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
            Some((live, synced_at)) => sqlx::query("UPDATE webhook_articles SET live = $2, synced_at = $3 WHERE article_id = $1 AND live = $4 AND synced_at = $5")
                .bind(seen.article_id)
                .bind(seen.live as i64)
                .bind(seen.updated_at)
                .bind(live as i64)
                .bind(synced_at)
                .execute(&mut *tx)
                .await?
                .rows_affected(),
        };
        if written == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        if let Some((event, body)) = event {
            enqueue_webhooks(&mut tx, event, body, now).await?;
        }
        tx.commit().await?;
        Ok(true)
    }
}

/// Queues `body` once for every webhook listening to `event`, inside the caller's
/// transaction; answers how many were queued.
pub(crate) async fn enqueue_webhooks(tx: &mut Transaction<'static, Any>, event: &str, body: &str, now: i64) -> Result<u64> {
    Ok(sqlx::query("INSERT INTO webhook_deliveries (webhook_id, event, body, next_attempt_at, created_at) SELECT id, event, $2, $3, $3 FROM webhooks WHERE event = $1")
        .bind(event)
        .bind(body)
        .bind(now)
        .execute(&mut **tx)
        .await?
        .rows_affected())
}
