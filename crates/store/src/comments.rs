//! Comments, reports, moderation, the moderators' log, thread subscriptions and the
//! notifications an approved comment sends (queued in the transaction that approves it).

use crate::outbox::{enqueue, NewMail};
use crate::db::{Arg, Result, Store, StoreError};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct CommentSettings {
    /// "pre", "post" or "first_n".
    pub moderation: String,
    pub first_n: i64,
    pub banned_words: String,
    pub suspect_words: String,
    /// "keep" or "remove": what happens to a deleted account's comments.
    pub deleted_account: String,
    pub edit_minutes: i64,
}

/// A comment as stored, with its author's current name (None once the account is deleted).
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Comment {
    pub id: i64,
    pub article_id: i64,
    pub reader_id: Option<i64>,
    pub author_name: Option<String>,
    pub parent_id: Option<i64>,
    pub depth: i64,
    pub body: String,
    pub body_html: String,
    pub status: String,
    pub hold_reason: String,
    pub reject_reason: String,
    pub featured: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

crate::lite::lite_row!(CommentSettings { moderation, first_n, banned_words, suspect_words, deleted_account, edit_minutes });
crate::lite::lite_row!(Comment { id, article_id, reader_id, author_name, parent_id, depth, body, body_html, status, hold_reason, reject_reason, featured, created_at, edited_at });

const COMMENT_COLS: &str = "c.id, c.article_id, c.reader_id, COALESCE(r.name, NULLIF(c.imported_name, '')) AS author_name, c.parent_id, c.depth, c.body, c.body_html, c.status, c.hold_reason, c.reject_reason, c.featured, c.created_at, c.edited_at";

pub struct NewComment<'a> {
    pub article_id: i64,
    pub reader_id: i64,
    pub parent_id: Option<i64>,
    pub body: &'a str,
    pub body_html: &'a str,
    /// "pending" or "approved".
    pub status: &'static str,
    pub hold_reason: &'a str,
    pub ip: &'a str,
    pub now: i64,
}

/// Replies nest at most this deep (0 is a top-level comment); a reply to a comment at the
/// deepest level joins that comment's own parent.
pub const MAX_DEPTH: i64 = 3;

/// Someone subscribed to a thread who gets mail about a newly approved comment.
#[derive(Debug, Clone, FromRow)]
pub struct Subscriber {
    pub subscription_id: i64,
    pub reader_id: i64,
    pub email: String,
    pub name: String,
    pub digest: String,
}

/// Builds the notification for one immediate subscriber about the comment with the given id.
pub type Compose<'a> = &'a (dyn Fn(&Subscriber, i64) -> NewMail + Send + Sync);

/// One row of the moderators' queue.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct QueueItem {
    pub id: i64,
    pub article_id: i64,
    pub headline: String,
    pub section_slug: String,
    pub article_slug: String,
    pub comments_open: i64,
    pub reader_id: Option<i64>,
    pub author_name: Option<String>,
    pub author_email: Option<String>,
    pub author_suspended_until: Option<i64>,
    pub author_banned: Option<i64>,
    pub body_html: String,
    pub status: String,
    pub hold_reason: String,
    pub featured: i64,
    pub created_at: i64,
    pub reports: i64,
    pub report_reasons: Option<String>,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct LogEntry {
    pub id: i64,
    pub moderator_name: String,
    pub action: String,
    pub comment_id: Option<i64>,
    pub reader_id: Option<i64>,
    pub article_id: Option<i64>,
    pub detail: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct SubscriptionRow {
    pub id: i64,
    pub article_id: i64,
    pub headline: String,
    pub section_slug: String,
    pub article_slug: String,
    pub created_at: i64,
}

/// A comment as its own author gets it back in their data download.
#[derive(Debug, Clone, FromRow)]
pub struct OwnComment {
    pub id: i64,
    pub article_id: i64,
    pub headline: String,
    pub section_slug: String,
    pub article_slug: String,
    pub parent_id: Option<i64>,
    pub body: String,
    pub status: String,
    pub hold_reason: String,
    pub reject_reason: String,
    /// The address the comment was sent from.
    pub ip: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// What a moderator does to a comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    Approve,
    Reject(String),
    Feature(bool),
    /// Reports looked at and found groundless; the comment stays.
    Dismiss,
}

pub struct Moderator<'a> {
    pub id: i64,
    pub name: &'a str,
}

/// Why a new comment or reply was not stored.
#[derive(Debug, PartialEq, Eq)]
pub enum CommentError {
    ParentNotFound,
    Closed,
}

impl Store {
    pub async fn comment_settings(&self) -> Result<CommentSettings> {
        let row = self.row("SELECT moderation, first_n, banned_words, suspect_words, deleted_account, edit_minutes FROM comment_settings WHERE id = 1", &[]).await?;
        row.ok_or(StoreError::Db(sqlx::Error::RowNotFound))
    }

    pub async fn update_comment_settings(&self, s: &CommentSettings) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query("UPDATE comment_settings SET moderation = $1, first_n = $2, banned_words = $3, suspect_words = $4, deleted_account = $5, edit_minutes = $6 WHERE id = 1")
            .bind(&s.moderation)
            .bind(s.first_n)
            .bind(&s.banned_words)
            .bind(&s.suspect_words)
            .bind(&s.deleted_account)
            .bind(s.edit_minutes)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    /// The key that signs links in mail, made from `fresh` the first time it is asked for.
    /// Kept in the database so that every server of a site signs alike.
    pub async fn mail_secret(&self, fresh: &str) -> Result<String> {
        {
            let _write = self.write_guard().await;
            sqlx::query("UPDATE comment_settings SET secret = $1 WHERE id = 1 AND secret = ''").bind(fresh).execute(&mut *self.conn().await?).await?;
        }
        let (s,): (String,) = sqlx::query_as("SELECT secret FROM comment_settings WHERE id = 1").fetch_one(&mut *self.conn().await?).await?;
        Ok(s)
    }

    /// How many of a reader's comments have been approved (for "pre-moderate the first N").
    pub async fn approved_comment_count(&self, reader_id: i64) -> Result<i64> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM comments WHERE reader_id = $1 AND status = 'approved'").bind(reader_id).fetch_one(&mut *self.conn().await?).await?;
        Ok(n)
    }

    /// Stores a comment. An approved one goes on the page at once and notifies the thread's
    /// subscribers in the same transaction.
    pub async fn add_comment(&self, c: NewComment<'_>, compose: Compose<'_>) -> Result<Result<i64, CommentError>> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(c.reader_id));
        let mut tx = self.begin_write().await?;
        let open: Option<(i64,)> = sqlx::query_as("SELECT comments_open FROM articles WHERE id = $1").bind(c.article_id).fetch_optional(&mut *tx).await?;
        if open.map(|o| o.0) != Some(1) {
            return Ok(Err(CommentError::Closed));
        }
        let (parent_id, depth) = match c.parent_id {
            None => (None, 0),
            Some(pid) => {
                let parent: Option<(i64, i64, Option<i64>, String)> =
                    sqlx::query_as("SELECT article_id, depth, parent_id, status FROM comments WHERE id = $1").bind(pid).fetch_optional(&mut *tx).await?;
                match parent {
                    Some((aid, depth, grand, status)) if aid == c.article_id && status == "approved" => {
                        if depth + 1 > MAX_DEPTH {
                            (grand, depth)
                        } else {
                            (Some(pid), depth + 1)
                        }
                    }
                    _ => return Ok(Err(CommentError::ParentNotFound)),
                }
            }
        };
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO comments (article_id, reader_id, parent_id, depth, body, body_html, status, hold_reason, ip, created_at, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id",
        )
        .bind(c.article_id)
        .bind(c.reader_id)
        .bind(parent_id)
        .bind(depth)
        .bind(c.body)
        .bind(c.body_html)
        .bind(c.status)
        .bind(c.hold_reason)
        .bind(c.ip)
        .bind(c.now)
        .bind((c.status == "approved").then_some(c.now))
        .fetch_one(&mut *tx)
        .await?;
        if c.status == "approved" {
            notify_subscribers(&mut tx, id, c.article_id, Some(c.reader_id), c.now, compose).await?;
            crate::site::bump_version(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(Ok(id))
    }

    pub async fn comment(&self, id: i64) -> Result<Option<Comment>> {
        Ok(sqlx::query_as(&format!("SELECT {COMMENT_COLS} FROM comments c LEFT JOIN readers r ON r.id = c.reader_id WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    /// Every comment on an article, in any state, oldest first. The web layer decides what a
    /// given reader sees (a hidden comment with visible replies becomes a placeholder).
    pub async fn article_comments(&self, article_id: i64) -> Result<Vec<Comment>> {
        self.rows(&format!("SELECT {COMMENT_COLS} FROM comments c LEFT JOIN readers r ON r.id = c.reader_id WHERE c.article_id = $1 ORDER BY c.created_at, c.id"), &[Arg::Int(article_id)]).await
    }

    /// The author's edit of their comment within the edit window: re-screened (`status`,
    /// `hold_reason`). An approved comment that now needs review leaves the page until approved.
    #[allow(clippy::too_many_arguments)]
    pub async fn edit_comment(&self, id: i64, reader_id: i64, body: &str, body_html: &str, status: &'static str, hold_reason: &str, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(reader_id));
        let mut tx = self.begin_write().await?;
        let n = sqlx::query(
            "UPDATE comments SET body = $1, body_html = $2, status = $3, hold_reason = $4, edited_at = $5 \
             WHERE id = $6 AND reader_id = $7 AND status IN ('pending', 'approved')",
        )
        .bind(body)
        .bind(body_html)
        .bind(status)
        .bind(hold_reason)
        .bind(now)
        .bind(id)
        .bind(reader_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// The author takes their comment down; replies to it stay under a placeholder.
    pub async fn delete_own_comment(&self, id: i64, reader_id: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(reader_id));
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE comments SET status = 'deleted', body = '', body_html = '', featured = 0 WHERE id = $1 AND reader_id = $2 AND status <> 'deleted'")
            .bind(id)
            .bind(reader_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(n == 1)
    }

    /// A reader reports a comment; `false` when their earlier report of it is still open. A
    /// report that was dealt with can be made again (the comment may have changed since).
    pub async fn report_comment(&self, comment_id: i64, reader_id: i64, reason: &str, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let reopened = sqlx::query("UPDATE comment_reports SET reason = $1, created_at = $2, resolved_at = NULL WHERE comment_id = $3 AND reader_id = $4 AND resolved_at IS NOT NULL")
            .bind(reason)
            .bind(now)
            .bind(comment_id)
            .bind(reader_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        let stored = if reopened == 1 {
            true
        } else {
            let (open,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM comment_reports WHERE comment_id = $1 AND reader_id = $2").bind(comment_id).bind(reader_id).fetch_one(&mut *tx).await?;
            if open == 0 {
                sqlx::query("INSERT INTO comment_reports (comment_id, reader_id, reason, created_at) VALUES ($1, $2, $3, $4)").bind(comment_id).bind(reader_id).bind(reason).bind(now).execute(&mut *tx).await?;
            }
            open == 0
        };
        tx.commit().await?;
        Ok(stored)
    }

    /// The moderators' queue: comments awaiting a decision (`reported` = false) or comments
    /// with open reports (`reported` = true), oldest first.
    pub async fn comment_queue(&self, reported: bool, limit: i64) -> Result<Vec<QueueItem>> {
        let filter = if reported { "EXISTS (SELECT 1 FROM comment_reports p WHERE p.comment_id = c.id AND p.resolved_at IS NULL) AND c.status IN ('approved', 'pending')" } else { "c.status = 'pending'" };
        let sql = format!(
            "SELECT c.id, c.article_id, a.headline, s.slug AS section_slug, a.slug AS article_slug, a.comments_open, c.reader_id, COALESCE(r.name, NULLIF(c.imported_name, '')) AS author_name, r.email AS author_email, \
             r.suspended_until AS author_suspended_until, r.banned AS author_banned, c.body_html, c.status, c.hold_reason, c.featured, c.created_at, \
             (SELECT COUNT(*) FROM comment_reports p WHERE p.comment_id = c.id AND p.resolved_at IS NULL) AS reports, \
             (SELECT MIN(p.reason) FROM comment_reports p WHERE p.comment_id = c.id AND p.resolved_at IS NULL) AS report_reasons \
             FROM comments c JOIN articles a ON a.id = c.article_id JOIN sections s ON s.id = a.section_id LEFT JOIN readers r ON r.id = c.reader_id \
             WHERE {filter} ORDER BY c.created_at, c.id LIMIT $1"
        );
        Ok(sqlx::query_as(&sql).bind(limit).fetch_all(&mut *self.conn().await?).await?)
    }

    /// The reasons given in open reports of a comment.
    pub async fn report_reasons(&self, comment_id: i64) -> Result<Vec<String>> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT reason FROM comment_reports WHERE comment_id = $1 AND resolved_at IS NULL ORDER BY id").bind(comment_id).fetch_all(&mut *self.conn().await?).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Applies a moderator's decision, logs it, resolves the comment's reports, and when a
    /// comment is newly approved, notifies the thread's subscribers and queues
    /// `approved_hook` (a `comment.approved` body) for webhooks, all in one transaction.
    /// `false` when there is no such comment.
    pub async fn moderate(&self, id: i64, decision: &Decision, who: Moderator<'_>, now: i64, compose: Compose<'_>, approved_hook: Option<&str>) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, Option<i64>, String)> = sqlx::query_as("SELECT article_id, reader_id, status FROM comments WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some((article_id, reader_id, status)) = row else { return Ok(false) };
        let _forget = self.forget_when_done(reader_id);
        let (action, detail) = match decision {
            Decision::Approve => {
                let changed = sqlx::query("UPDATE comments SET status = 'approved', reject_reason = '', decided_at = $1 WHERE id = $2 AND status IN ('pending', 'rejected')")
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if changed == 0 {
                    // Deleted by its author meanwhile, or approved already (a double click).
                    return Ok(status != "deleted");
                }
                notify_subscribers(&mut tx, id, article_id, reader_id, now, compose).await?;
                if let Some(body) = approved_hook {
                    crate::api::enqueue_webhooks(&mut tx, "comment.approved", body, now).await?;
                }
                ("approve", String::new())
            }
            Decision::Reject(reason) => {
                sqlx::query("UPDATE comments SET status = 'rejected', reject_reason = $1, featured = 0, decided_at = $2 WHERE id = $3 AND status <> 'deleted'")
                    .bind(reason)
                    .bind(now)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                ("reject", reason.clone())
            }
            Decision::Feature(on) => {
                sqlx::query("UPDATE comments SET featured = $1 WHERE id = $2 AND status = 'approved'").bind(*on as i64).bind(id).execute(&mut *tx).await?;
                (if *on { "feature" } else { "unfeature" }, String::new())
            }
            Decision::Dismiss => ("dismiss reports", String::new()),
        };
        sqlx::query("UPDATE comment_reports SET resolved_at = $1 WHERE comment_id = $2 AND resolved_at IS NULL").bind(now).bind(id).execute(&mut *tx).await?;
        log(&mut tx, &who, action, Some(id), reader_id, Some(article_id), &detail, now).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Suspends a reader until `until` (0 lifts a suspension), or bans them for good; a ban
    /// also signs them out and takes their waiting comments out of the queue.
    pub async fn restrict_reader(&self, reader_id: i64, until: i64, ban: bool, who: Moderator<'_>, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(reader_id));
        let mut tx = self.begin_write().await?;
        // Suspending changes only the date; a ban stays until it is lifted.
        let sql = if ban {
            "UPDATE readers SET suspended_until = $1, banned = 1 WHERE id = $2"
        } else if until > now {
            "UPDATE readers SET suspended_until = $1 WHERE id = $2"
        } else {
            "UPDATE readers SET suspended_until = $1, banned = 0 WHERE id = $2"
        };
        let n = sqlx::query(sql).bind(until).bind(reader_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Ok(false);
        }
        let (action, detail) = if ban {
            sqlx::query("DELETE FROM reader_sessions WHERE reader_id = $1").bind(reader_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE comments SET status = 'rejected', reject_reason = 'account banned', decided_at = $1 WHERE reader_id = $2 AND status = 'pending'")
                .bind(now)
                .bind(reader_id)
                .execute(&mut *tx)
                .await?;
            ("ban", String::new())
        } else if until > now {
            ("suspend", format!("until {until}"))
        } else {
            ("lift suspension", String::new())
        };
        log(&mut tx, &who, action, None, Some(reader_id), None, &detail, now).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Opens or closes an article's comments.
    pub async fn set_comments_open(&self, article_id: i64, open: bool, who: Moderator<'_>, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let n = sqlx::query("UPDATE articles SET comments_open = $1 WHERE id = $2").bind(open as i64).bind(article_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Ok(false);
        }
        log(&mut tx, &who, if open { "open comments" } else { "close comments" }, None, None, Some(article_id), "", now).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn moderation_log(&self, limit: i64) -> Result<Vec<LogEntry>> {
        Ok(sqlx::query_as("SELECT id, moderator_name, action, comment_id, reader_id, article_id, detail, created_at FROM moderation_log ORDER BY id DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&mut *self.conn().await?)
            .await?)
    }

    /// Subscribes a reader to an article's thread; `false` if they already were.
    pub async fn subscribe(&self, reader_id: i64, article_id: i64, now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(reader_id));
        let r = sqlx::query("INSERT INTO subscriptions (reader_id, article_id, created_at) VALUES ($1, $2, $3)").bind(reader_id).bind(article_id).bind(now).execute(&mut *self.conn().await?).await;
        match r {
            Ok(_) => Ok(true),
            Err(e) if crate::db::is_unique_violation(&e) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn is_subscribed(&self, reader_id: i64, article_id: i64) -> Result<bool> {
        let row: Option<(i64,)> = self.row("SELECT id FROM subscriptions WHERE reader_id = $1 AND article_id = $2", &[Arg::Int(reader_id), Arg::Int(article_id)]).await?;
        Ok(row.is_some())
    }

    /// Ends one subscription of a reader (by article); `false` when there was none.
    pub async fn unsubscribe(&self, reader_id: i64, article_id: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(reader_id));
        let n = sqlx::query("DELETE FROM subscriptions WHERE reader_id = $1 AND article_id = $2").bind(reader_id).bind(article_id).execute(&mut *self.conn().await?).await?.rows_affected();
        Ok(n > 0)
    }

    /// Ends every subscription of a reader; returns how many.
    pub async fn unsubscribe_all(&self, reader_id: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(reader_id));
        Ok(sqlx::query("DELETE FROM subscriptions WHERE reader_id = $1").bind(reader_id).execute(&mut *self.conn().await?).await?.rows_affected())
    }

    /// The subscription with this id, as (reader id, article id, reader's address).
    pub async fn subscription(&self, id: i64) -> Result<Option<(i64, i64, String)>> {
        Ok(sqlx::query_as("SELECT s.reader_id, s.article_id, r.email FROM subscriptions s JOIN readers r ON r.id = s.reader_id WHERE s.id = $1")
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    pub async fn reader_subscriptions(&self, reader_id: i64) -> Result<Vec<SubscriptionRow>> {
        Ok(sqlx::query_as(
            "SELECT s.id, s.article_id, a.headline, sec.slug AS section_slug, a.slug AS article_slug, s.created_at \
             FROM subscriptions s JOIN articles a ON a.id = s.article_id JOIN sections sec ON sec.id = a.section_id WHERE s.reader_id = $1 ORDER BY s.created_at DESC, s.id DESC",
        )
        .bind(reader_id)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    /// Every comment `reader_id` wrote, whatever became of it, oldest first (for the reader's
    /// own data download).
    pub async fn reader_comments(&self, reader_id: i64) -> Result<Vec<OwnComment>> {
        Ok(sqlx::query_as(
            "SELECT c.id, c.article_id, a.headline, sec.slug AS section_slug, a.slug AS article_slug, c.parent_id, c.body, c.status, c.hold_reason, c.reject_reason, c.ip, c.created_at, c.edited_at \
             FROM comments c JOIN articles a ON a.id = c.article_id JOIN sections sec ON sec.id = a.section_id WHERE c.reader_id = $1 ORDER BY c.created_at, c.id",
        )
        .bind(reader_id)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    /// The newsroom's decisions about `reader_id` and their comments, oldest first: (action,
    /// comment, detail, when).
    pub async fn reader_decisions(&self, reader_id: i64) -> Result<Vec<(String, Option<i64>, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT action, comment_id, detail, created_at FROM moderation_log WHERE reader_id = $1 OR comment_id IN (SELECT id FROM comments WHERE reader_id = $1) ORDER BY created_at, id",
        )
        .bind(reader_id)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    /// The reports `reader_id` made about others' comments, oldest first.
    pub async fn reader_reports(&self, reader_id: i64) -> Result<Vec<(i64, String, i64)>> {
        Ok(sqlx::query_as("SELECT comment_id, reason, created_at FROM comment_reports WHERE reader_id = $1 ORDER BY created_at, id").bind(reader_id).fetch_all(&mut *self.conn().await?).await?)
    }

    /// Readers with comments waiting for a digest and no digest since `boundary`. (Someone
    /// who switched to immediate mail since gets what was waiting in one last digest.)
    pub async fn digest_due(&self, boundary: i64) -> Result<Vec<i64>> {
        let rows: Vec<(i64,)> = sqlx::query_as(
            "SELECT r.id FROM readers r WHERE r.last_digest_at < $1 AND r.verified = 1 AND r.banned = 0 AND EXISTS (SELECT 1 FROM digest_items d WHERE d.reader_id = r.id) ORDER BY r.id",
        )
        .bind(boundary)
        .fetch_all(&mut *self.conn().await?)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Sends one reader's digest: claims it (a conditional update, so two servers cannot both
    /// send it), gathers the waiting comments, queues the one message `compose` makes from
    /// them and clears them. Returns whether a digest was queued.
    pub async fn send_digest(
        &self,
        reader_id: i64,
        boundary: i64,
        now: i64,
        compose: &(dyn Fn(&Subscriber, &[DigestItem]) -> NewMail + Send + Sync),
    ) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let won = sqlx::query("UPDATE readers SET last_digest_at = $1 WHERE id = $2 AND last_digest_at < $3 AND verified = 1 AND banned = 0").bind(now).bind(reader_id).bind(boundary).execute(&mut *tx).await?.rows_affected();
        if won == 0 {
            return Ok(false);
        }
        let items: Vec<DigestItem> = sqlx::query_as(
            "SELECT d.id AS item_id, c.id AS comment_id, c.status, c.body, COALESCE(r.name, NULLIF(c.imported_name, '')) AS author_name, a.id AS article_id, a.headline, sec.slug AS section_slug, a.slug AS article_slug, c.created_at, \
             (SELECT s.id FROM subscriptions s WHERE s.reader_id = d.reader_id AND s.article_id = a.id) AS subscription_id \
             FROM digest_items d JOIN comments c ON c.id = d.comment_id JOIN articles a ON a.id = c.article_id JOIN sections sec ON sec.id = a.section_id \
             LEFT JOIN readers r ON r.id = c.reader_id WHERE d.reader_id = $1 ORDER BY a.id, c.created_at",
        )
        .bind(reader_id)
        .fetch_all(&mut *tx)
        .await?;
        // Only the items read here: one approved meanwhile waits for the next digest.
        for item in &items {
            sqlx::query("DELETE FROM digest_items WHERE id = $1").bind(item.item_id).execute(&mut *tx).await?;
        }
        // Comments taken down since, and threads unsubscribed from since, are left out.
        let items: Vec<DigestItem> = items.into_iter().filter(|i| i.subscription_id.is_some() && i.status == "approved").collect();
        if !items.is_empty() {
            let who: Subscriber = sqlx::query_as("SELECT 0 AS subscription_id, id AS reader_id, email, name, digest FROM readers WHERE id = $1").bind(reader_id).fetch_one(&mut *tx).await?;
            enqueue(&mut tx, &compose(&who, &items), now).await?;
        }
        tx.commit().await?;
        Ok(!items.is_empty())
    }
}

/// A comment waiting in a reader's daily digest.
#[derive(Debug, Clone, FromRow)]
pub struct DigestItem {
    pub item_id: i64,
    pub comment_id: i64,
    pub status: String,
    pub body: String,
    pub author_name: Option<String>,
    pub article_id: i64,
    pub headline: String,
    pub section_slug: String,
    pub article_slug: String,
    pub created_at: i64,
    pub subscription_id: Option<i64>,
}

/// Queues mail for everyone subscribed to the thread except the comment's author: at once
/// for immediate subscribers, into the digest for daily ones. Only verified, unbanned readers,
/// and only once per comment (an edited comment approved again is not news).
async fn notify_subscribers(tx: &mut sqlx::Transaction<'_, sqlx::Any>, comment_id: i64, article_id: i64, author: Option<i64>, now: i64, compose: Compose<'_>) -> Result<()> {
    let first = sqlx::query("UPDATE comments SET notified = 1 WHERE id = $1 AND notified = 0").bind(comment_id).execute(&mut **tx).await?.rows_affected();
    if first == 0 {
        return Ok(());
    }
    let subs: Vec<Subscriber> = sqlx::query_as(
        "SELECT s.id AS subscription_id, r.id AS reader_id, r.email, r.name, r.digest FROM subscriptions s JOIN readers r ON r.id = s.reader_id \
         WHERE s.article_id = $1 AND r.id <> $2 AND r.verified = 1 AND r.banned = 0 ORDER BY s.id",
    )
    .bind(article_id)
    .bind(author.unwrap_or(-1))
    .fetch_all(&mut **tx)
    .await?;
    for s in subs {
        if s.digest == "daily" {
            sqlx::query("INSERT INTO digest_items (reader_id, comment_id, created_at) VALUES ($1, $2, $3)").bind(s.reader_id).bind(comment_id).bind(now).execute(&mut **tx).await?;
        } else {
            enqueue(tx, &compose(&s, comment_id), now).await?;
        }
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn log(tx: &mut sqlx::Transaction<'_, sqlx::Any>, who: &Moderator<'_>, action: &str, comment_id: Option<i64>, reader_id: Option<i64>, article_id: Option<i64>, detail: &str, now: i64) -> Result<()> {
    sqlx::query("INSERT INTO moderation_log (moderator_id, moderator_name, action, comment_id, reader_id, article_id, detail, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(who.id)
        .bind(who.name)
        .bind(action)
        .bind(comment_id)
        .bind(reader_id)
        .bind(article_id)
        .bind(detail)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
