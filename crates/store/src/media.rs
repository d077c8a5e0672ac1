//! The media library: one row per uploaded image (found by its content key), the durable
//! queue of rendition jobs, and the articles that show an image.

use crate::db::{Arg, Result, Store};
use crate::outbox::Queue;
use sqlx::FromRow;

#[derive(Debug, Clone, Default, FromRow, serde::Serialize)]
pub struct MediaRow {
    pub id: i64,
    pub content_key: String,
    pub kind: String,
    pub width: i64,
    pub height: i64,
    pub animated: i64,
    pub bytes: i64,
    pub file_name: String,
    pub alt: String,
    pub caption: String,
    pub credit: String,
    pub ready: i64,
    pub uploaded_by: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

crate::lite::lite_row!(MediaRow { id, content_key, kind, width, height, animated, bytes, file_name, alt, caption, credit, ready, uploaded_by, created_at, updated_at });

const MEDIA_COLS: &str = "id, content_key, kind, width, height, animated, bytes, file_name, alt, caption, credit, ready, uploaded_by, created_at, updated_at";

/// An upload that passed its checks, its file already in storage.
#[derive(Debug, Clone)]
pub struct NewMedia<'a> {
    pub content_key: &'a str,
    pub kind: &'a str,
    pub width: i64,
    pub height: i64,
    pub animated: bool,
    pub bytes: i64,
    pub file_name: &'a str,
    pub alt: &'a str,
    pub caption: &'a str,
    pub credit: &'a str,
    pub uploaded_by: Option<i64>,
    pub now: i64,
}

/// A claimed rendition job.
#[derive(Debug, Clone, FromRow)]
pub struct MediaJob {
    pub id: i64,
    pub media_id: i64,
    pub attempts: i64,
    pub lease_until: i64,
}

#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct MediaQueueStats {
    pub pending: i64,
    pub failed: i64,
    pub last_error: String,
}

impl Store {
    /// Adds an upload to the library and queues its renditions, in one transaction. The same
    /// file uploaded again is the item already there: answers `(id, false)` and changes
    /// nothing, except that empty alt text, caption or credit are filled from this upload.
    pub async fn add_media(&self, m: &NewMedia<'_>) -> Result<(i64, bool)> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        crate::db::lock_slugs(&mut tx, "media").await?;
        let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM media WHERE content_key = $1").bind(m.content_key).fetch_optional(&mut *tx).await?;
        if let Some((id,)) = found {
            sqlx::query(
                "UPDATE media SET alt = CASE WHEN alt = '' THEN $1 ELSE alt END, caption = CASE WHEN caption = '' THEN $2 ELSE caption END, \
                 credit = CASE WHEN credit = '' THEN $3 ELSE credit END WHERE id = $4",
            )
            .bind(m.alt)
            .bind(m.caption)
            .bind(m.credit)
            .bind(id)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok((id, false));
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO media (content_key, kind, width, height, animated, bytes, file_name, alt, caption, credit, uploaded_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12) RETURNING id",
        )
        .bind(m.content_key)
        .bind(m.kind)
        .bind(m.width)
        .bind(m.height)
        .bind(i64::from(m.animated))
        .bind(m.bytes)
        .bind(m.file_name)
        .bind(m.alt)
        .bind(m.caption)
        .bind(m.credit)
        .bind(m.uploaded_by)
        .bind(m.now)
        .fetch_one(&mut *tx)
        .await?;
        sqlx::query("INSERT INTO media_jobs (media_id, next_attempt_at, created_at) VALUES ($1, $2, $2)").bind(id).bind(m.now).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok((id, true))
    }

    pub async fn media(&self, id: i64) -> Result<Option<MediaRow>> {
        self.row(&format!("SELECT {MEDIA_COLS} FROM media WHERE id = $1"), &[Arg::Int(id)]).await
    }

    pub async fn media_by_key(&self, key: &str) -> Result<Option<MediaRow>> {
        Ok(sqlx::query_as(&format!("SELECT {MEDIA_COLS} FROM media WHERE content_key = $1")).bind(key).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// The library items among `keys` (unknown keys are left out).
    pub async fn media_by_keys(&self, keys: &[String]) -> Result<Vec<MediaRow>> {
        let mut out = Vec::new();
        for chunk in keys.chunks(100) {
            let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
            let sql = format!("SELECT {MEDIA_COLS} FROM media WHERE content_key IN ({})", marks.join(", "));
            let mut q = sqlx::query_as(&sql);
            for k in chunk {
                q = q.bind(k);
            }
            out.extend(q.fetch_all(&mut *self.conn().await?).await?);
        }
        Ok(out)
    }

    /// The library, newest first: `per` items after the item `before` (keyset), and the count.
    pub async fn media_page(&self, before: Option<i64>, per: i64) -> Result<(Vec<MediaRow>, i64)> {
        let rows = sqlx::query_as(&format!("SELECT {MEDIA_COLS} FROM media WHERE id < $1 ORDER BY id DESC LIMIT $2"))
            .bind(before.unwrap_or(i64::MAX))
            .bind(per)
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media").fetch_one(&mut *self.conn().await?).await?;
        Ok((rows, n))
    }

    /// Sets an item's alt text, caption and credit, and stores the re-rendered bodies of the
    /// articles that show it (`bodies`: article id and its new HTML) in the same transaction.
    pub async fn update_media_text(&self, id: i64, alt: &str, caption: &str, credit: &str, bodies: &[(i64, String)], now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE media SET alt = $1, caption = $2, credit = $3, updated_at = $4 WHERE id = $5")
            .bind(alt)
            .bind(caption)
            .bind(credit)
            .bind(now)
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        for (article, html) in bodies {
            sqlx::query("UPDATE articles SET body_html = $1 WHERE id = $2").bind(html).bind(article).execute(&mut *tx).await?;
        }
        if !bodies.is_empty() {
            crate::search::note(&mut tx, &bodies.iter().map(|b| b.0).collect::<Vec<_>>()).await?;
        }
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// The articles (id, Markdown body) that show the item as their lead image or in their
    /// body.
    pub async fn articles_showing_media(&self, id: i64, key: &str) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as("SELECT id, body FROM articles WHERE lead_media_id = $1 OR body LIKE $2 ORDER BY id")
            .bind(id)
            .bind(format!("%media:{key}%"))
            .fetch_all(&mut *self.conn().await?)
            .await?)
    }

    /// Sets (or with `None` removes) an article's lead image outside the editor's form (an
    /// upload from the editor); the article counts as changed.
    pub async fn set_lead_media(&self, article: i64, media: Option<i64>, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE articles SET lead_media_id = $1, updated_at = CASE WHEN updated_at >= $2 THEN updated_at + 1 ELSE $2 END WHERE id = $3")
            .bind(media)
            .bind(now)
            .bind(article)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// Removes an item no article shows; answers false when one does.
    pub async fn delete_media(&self, id: i64, key: &str) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let used: Option<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE lead_media_id = $1 OR body LIKE $2 LIMIT 1")
            .bind(id)
            .bind(format!("%media:{key}%"))
            .fetch_optional(&mut *tx)
            .await?;
        if used.is_some() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM media WHERE id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("UPDATE import_map SET target_id = 0 WHERE kind = 'attachment' AND target_id = $1").bind(id).execute(&mut *tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Claims up to `limit` due rendition jobs for `lease` seconds.
    pub async fn claim_media_jobs(&self, now: i64, lease: i64, limit: i64) -> Result<Vec<MediaJob>> {
        let mut out = Vec::new();
        for id in self.claim_queue(Queue::Media, now, lease, limit).await? {
            out.push(sqlx::query_as("SELECT id, media_id, attempts, lease_until FROM media_jobs WHERE id = $1").bind(id).fetch_one(&mut *self.conn().await?).await?);
        }
        Ok(out)
    }

    /// Records a job's outcome: done (the item is marked ready), or failed, to be retried.
    pub async fn finish_media_job(&self, job: &MediaJob, now: i64, failure: Option<(&str, bool)>) -> Result<()> {
        if failure.is_none() {
            let _write = self.write_guard().await;
            sqlx::query("UPDATE media SET ready = 1 WHERE id = $1").bind(job.media_id).execute(&mut *self.conn().await?).await?;
        }
        self.finish_queue_row(Queue::Media, job.id, job.lease_until, job.attempts, now, failure).await
    }

    /// Queues an item's renditions again (after storage was lost or moved).
    pub async fn requeue_media(&self, id: i64, now: i64) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query("INSERT INTO media_jobs (media_id, next_attempt_at, created_at) VALUES ($1, $2, $2)").bind(id).bind(now).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    pub async fn media_queue_stats(&self) -> Result<MediaQueueStats> {
        let (pending,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media_jobs WHERE status IN ('pending', 'sending')").fetch_one(&mut *self.conn().await?).await?;
        let (failed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM media_jobs WHERE status = 'failed'").fetch_one(&mut *self.conn().await?).await?;
        let err: Option<(String,)> = sqlx::query_as("SELECT last_error FROM media_jobs WHERE last_error <> '' ORDER BY id DESC LIMIT 1").fetch_optional(&mut *self.conn().await?).await?;
        Ok(MediaQueueStats { pending, failed, last_error: err.map(|e| e.0).unwrap_or_default() })
    }
}
