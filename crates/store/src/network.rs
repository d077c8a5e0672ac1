//! The network: actors of other servers, the paper's followers, and the durable queue of
//! activities to deliver to other servers' inboxes.

use crate::outbox::Queue;
use crate::db::{Result, Store};
use sqlx::FromRow;

/// An actor on another server, as last fetched.
#[derive(Debug, Clone, FromRow, PartialEq)]
pub struct RemoteActor {
    pub id: i64,
    pub url: String,
    pub inbox: String,
    pub shared_inbox: String,
    pub key_id: String,
    pub public_key_pem: String,
    pub username: String,
    pub name: String,
    pub fetched_at: i64,
}

/// What a fetch of an actor document gave.
#[derive(Debug, Clone)]
pub struct ActorRecord<'a> {
    pub url: &'a str,
    pub inbox: &'a str,
    pub shared_inbox: &'a str,
    pub key_id: &'a str,
    pub public_key_pem: &'a str,
    pub username: &'a str,
    pub name: &'a str,
}

/// One activity on its way to one inbox, as a worker claimed it.
#[derive(Debug, Clone, FromRow)]
pub struct DeliveryRow {
    pub id: i64,
    pub inbox: String,
    pub activity: String,
    pub attempts: i64,
    /// The lease this claim holds; the outcome is recorded only while it is still ours.
    pub lease_until: i64,
}

const ACTOR_COLS: &str = "id, url, inbox, shared_inbox, key_id, public_key_pem, username, name, fetched_at";

impl Store {
    pub async fn remote_actor(&self, url: &str) -> Result<Option<RemoteActor>> {
        let sql = format!("SELECT {ACTOR_COLS} FROM remote_actors WHERE url = $1");
        Ok(sqlx::query_as(&sql).bind(url).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Stores (or refreshes) a fetched actor.
    pub async fn save_remote_actor(&self, a: &ActorRecord<'_>, now: i64) -> Result<RemoteActor> {
        {
            let _write = self.write_guard().await;
            sqlx::query(
                "INSERT INTO remote_actors (url, inbox, shared_inbox, key_id, public_key_pem, username, name, fetched_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (url) DO UPDATE SET inbox = excluded.inbox, shared_inbox = excluded.shared_inbox, key_id = excluded.key_id, \
                 public_key_pem = excluded.public_key_pem, username = excluded.username, name = excluded.name, fetched_at = excluded.fetched_at",
            )
            .bind(a.url)
            .bind(a.inbox)
            .bind(a.shared_inbox)
            .bind(a.key_id)
            .bind(a.public_key_pem)
            .bind(a.username)
            .bind(a.name)
            .bind(now)
            .execute(&mut *self.conn().await?)
            .await?;
        }
        Ok(self.remote_actor(a.url).await?.expect("just stored"))
    }

    /// Records a follower and queues `accept` (the Accept activity, as JSON) to its inbox, in
    /// one transaction. Following twice keeps one follower and accepts again.
    pub async fn add_follower(&self, actor: &RemoteActor, follow_id: &str, accept: &str, now: i64) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("INSERT INTO followers (actor_id, follow_id, created_at) VALUES ($1, $2, $3) ON CONFLICT (actor_id) DO UPDATE SET follow_id = excluded.follow_id")
            .bind(actor.id)
            .bind(follow_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        enqueue(&mut tx, &actor.inbox, accept, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Ends a follow; true if there was one.
    pub async fn remove_follower(&self, actor_id: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        Ok(sqlx::query("DELETE FROM followers WHERE actor_id = $1").bind(actor_id).execute(&mut *self.conn().await?).await?.rows_affected() > 0)
    }

    pub async fn follower_count(&self) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM followers").fetch_one(&mut *self.conn().await?).await?;
        Ok(n)
    }

    /// Claims up to `limit` due deliveries for `lease` seconds (see [`Store::claim_queue`]).
    pub async fn claim_deliveries(&self, now: i64, lease: i64, limit: i64) -> Result<Vec<DeliveryRow>> {
        let mut claimed = Vec::new();
        for id in self.claim_queue(Queue::Deliveries, now, lease, limit).await? {
            claimed.push(sqlx::query_as("SELECT id, inbox, activity, attempts, lease_until FROM deliveries WHERE id = $1").bind(id).fetch_one(&mut *self.conn().await?).await?);
        }
        Ok(claimed)
    }

    pub async fn mark_delivered(&self, row: &DeliveryRow, now: i64) -> Result<()> {
        self.finish_queue_row(Queue::Deliveries, row.id, row.lease_until, row.attempts, now, None).await
    }

    /// Puts a delivery back for a later attempt with backoff, or gives up on it when the
    /// failure is permanent or attempts are spent.
    pub async fn mark_delivery_failed(&self, row: &DeliveryRow, now: i64, error: &str, permanent: bool) -> Result<()> {
        self.finish_queue_row(Queue::Deliveries, row.id, row.lease_until, row.attempts, now, Some((error, permanent))).await
    }
}

/// Queues one activity for one inbox inside the caller's transaction.
pub(crate) async fn enqueue(tx: &mut sqlx::Transaction<'static, sqlx::Any>, inbox: &str, activity: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO deliveries (inbox, activity, next_attempt_at, created_at) VALUES ($1, $2, $3, $3)")
        .bind(inbox)
        .bind(activity)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
