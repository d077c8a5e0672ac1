//! Readers' accounts: registration, verification and reset links, sessions, preferences,
//! suspension and deletion. Mail a change causes is queued in the same transaction.

use crate::outbox::{enqueue, NewMail};
use crate::db::{Result, Store};
use crate::reader_memo::Known;
use std::collections::HashSet;
use std::sync::Arc;
use std::time::Instant;

pub use crate::reader_row::{Reader, ReaderOnArticle};


const READER_COLS: &str = "id, email, name, password_hash, verified, digest, suspended_until, banned, created_at";
/// A statement reading the reader of a session that is still valid ($1 its token's hash, $2
/// now), unless banned, with `$more` columns after the reader's. A literal, so that each
/// request's lookup builds no string.
macro_rules! session_reader_sql {
    ($more:literal) => {
        concat!(
            "SELECT r.id, r.email, r.name, r.password_hash, r.verified, r.digest, r.suspended_until, r.banned, r.created_at",
            $more,
            " FROM reader_sessions s JOIN readers r ON r.id = s.reader_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND r.banned = 0"
        )
    };
}

/// A single-use link token, stored as a hash, sent by mail.
pub struct MailToken<'a> {
    pub token_hash: &'a str,
    pub purpose: &'static str,
    /// The address the link proves (for a change of address, the new one).
    pub email: &'a str,
    pub expires_at: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum ReaderError {
    EmailTaken,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeletedComments {
    /// Comments stay, shown as by a deleted account.
    Keep,
    /// Comments are taken down with the account.
    Remove,
}

impl Store {
    /// Creates an unverified reader and queues the verification mail with its link.
    pub async fn create_reader(&self, email: &str, name: &str, password_hash: &str, now: i64, token: MailToken<'_>, mail: impl FnOnce(i64) -> NewMail) -> Result<Result<Reader, ReaderError>> {
        let email = email.trim().to_lowercase();
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let r: std::result::Result<(i64,), _> = sqlx::query_as("INSERT INTO readers (email, name, password_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(&email)
            .bind(name)
            .bind(password_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await;
        let id = match r {
            Ok((id,)) => id,
            Err(e) if crate::db::is_unique_violation(&e) => return Ok(Err(ReaderError::EmailTaken)),
            Err(e) => return Err(e.into()),
        };
        insert_token(&mut tx, id, &token).await?;
        enqueue(&mut tx, &mail(id), now).await?;
        tx.commit().await?;
        Ok(Ok(Reader { id, email, name: name.to_string(), password_hash: password_hash.to_string(), verified: 0, digest: "immediate".into(), suspended_until: 0, banned: 0, created_at: now }))
    }

    /// A reader whose address needs no confirmation (demo content, imports). Returns the id.
    pub async fn create_verified_reader(&self, email: &str, name: &str, password_hash: &str, now: i64) -> Result<i64> {
        let _write = self.write_guard().await;
        let (id,): (i64,) = sqlx::query_as("INSERT INTO readers (email, name, password_hash, verified, created_at) VALUES ($1, $2, $3, 1, $4) RETURNING id")
            .bind(email.trim().to_lowercase())
            .bind(name)
            .bind(password_hash)
            .bind(now)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(id)
    }

    pub async fn reader_by_email(&self, email: &str) -> Result<Option<Reader>> {
        Ok(sqlx::query_as(&format!("SELECT {READER_COLS} FROM readers WHERE email = $1"))
            .bind(email.trim().to_lowercase())
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    pub async fn reader_by_id(&self, id: i64) -> Result<Option<Reader>> {
        Ok(sqlx::query_as(&format!("SELECT {READER_COLS} FROM readers WHERE id = $1")).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Stores a new link token (earlier ones for the same purpose stop working) and queues its mail.
    pub async fn send_reader_token(&self, reader_id: i64, token: MailToken<'_>, mail: &NewMail, now: i64) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("DELETE FROM reader_tokens WHERE reader_id = $1 AND purpose = $2").bind(reader_id).bind(token.purpose).execute(&mut *tx).await?;
        insert_token(&mut tx, reader_id, &token).await?;
        enqueue(&mut tx, mail, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Uses a verification link: the reader's address becomes the one the link was sent to,
    /// and is verified. `Ok(None)` for an unknown, used or expired link; `Err(EmailTaken)`
    /// when another account took that address meanwhile.
    /// When the address changes, the old one gets the mail `tell_old` makes (old reader, new
    /// address), in the same transaction.
    pub async fn verify_reader(&self, token_hash: &str, now: i64, tell_old: impl FnOnce(&Reader, &str) -> NewMail) -> Result<Option<Result<Reader, ReaderError>>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, String)> = sqlx::query_as("SELECT reader_id, email FROM reader_tokens WHERE token_hash = $1 AND purpose = 'verify' AND expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((reader_id, email)) = row else { return Ok(None) };
        let _forget = self.forget_when_done(Some(reader_id));
        let before: Reader = sqlx::query_as(&format!("SELECT {READER_COLS} FROM readers WHERE id = $1")).bind(reader_id).fetch_one(&mut *tx).await?;
        // One address at a time: other verification links (an older change) stop working.
        sqlx::query("DELETE FROM reader_tokens WHERE reader_id = $1 AND purpose = 'verify'").bind(reader_id).execute(&mut *tx).await?;
        let r = sqlx::query("UPDATE readers SET email = $1, verified = 1 WHERE id = $2").bind(&email).bind(reader_id).execute(&mut *tx).await;
        match r {
            Ok(_) => {}
            Err(e) if crate::db::is_unique_violation(&e) => return Ok(Some(Err(ReaderError::EmailTaken))),
            Err(e) => return Err(e.into()),
        }
        if before.email != email {
            enqueue(&mut tx, &tell_old(&before, &email), now).await?;
        }
        let reader: Reader = sqlx::query_as(&format!("SELECT {READER_COLS} FROM readers WHERE id = $1")).bind(reader_id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(Ok(reader)))
    }

    /// Uses a reset link: sets the password, verifies the address the link went to (it was
    /// just proven) and signs the reader out everywhere. `None` for a bad or expired link.
    pub async fn reset_reader_password(&self, token_hash: &str, password_hash: &str, now: i64) -> Result<Option<Reader>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, String)> = sqlx::query_as("SELECT reader_id, email FROM reader_tokens WHERE token_hash = $1 AND purpose = 'reset' AND expires_at > $2")
            .bind(token_hash)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
        let Some((reader_id, email)) = row else { return Ok(None) };
        let _forget = self.forget_when_done(Some(reader_id));
        // Every outstanding link dies with the old password, a pending change of address too.
        sqlx::query("DELETE FROM reader_tokens WHERE reader_id = $1").bind(reader_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE readers SET password_hash = $1, verified = CASE WHEN email = $2 THEN 1 ELSE verified END WHERE id = $3")
            .bind(password_hash)
            .bind(&email)
            .bind(reader_id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM reader_sessions WHERE reader_id = $1").bind(reader_id).execute(&mut *tx).await?;
        let reader: Reader = sqlx::query_as(&format!("SELECT {READER_COLS} FROM readers WHERE id = $1")).bind(reader_id).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(Some(reader))
    }

    /// Whether a link token exists and is still valid (for showing its form).
    pub async fn reader_token_valid(&self, token_hash: &str, purpose: &str, now: i64) -> Result<bool> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT reader_id FROM reader_tokens WHERE token_hash = $1 AND purpose = $2 AND expires_at > $3")
            .bind(token_hash)
            .bind(purpose)
            .bind(now)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.is_some())
    }

    /// A new display name; shown on the reader's comments from now on.
    pub async fn rename_reader(&self, id: i64, name: &str) -> Result<()> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(id));
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE readers SET name = $1 WHERE id = $2").bind(name).bind(id).execute(&mut *tx).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_reader_digest(&self, id: i64, digest: &str) -> Result<()> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(id));
        sqlx::query("UPDATE readers SET digest = $1 WHERE id = $2").bind(digest).bind(id).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    /// Deletes a reader's account with everything personal: sessions, links, subscriptions,
    /// unsent mail. Their comments stay under "deleted account" or are taken down.
    pub async fn delete_reader(&self, id: i64, comments: DeletedComments) -> Result<()> {
        let _write = self.write_guard().await;
        let _forget = self.forget_when_done(Some(id));
        let mut tx = self.begin_write().await?;
        if comments == DeletedComments::Remove {
            sqlx::query("UPDATE comments SET status = 'deleted', body = '', body_html = '', featured = 0 WHERE reader_id = $1").bind(id).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE comments SET reader_id = NULL, ip = '' WHERE reader_id = $1").bind(id).execute(&mut *tx).await?;
        // Messages to them, sent or not, hold the address: they go too.
        sqlx::query("DELETE FROM outbox WHERE reader_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("UPDATE comment_reports SET reader_id = NULL WHERE reader_id = $1").bind(id).execute(&mut *tx).await?;
        for table in ["reader_sessions", "reader_tokens", "subscriptions", "digest_items"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE reader_id = $1")).bind(id).execute(&mut *tx).await?;
        }
        sqlx::query("DELETE FROM readers WHERE id = $1").bind(id).execute(&mut *tx).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn create_reader_session(&self, token_hash: &str, reader_id: i64, now: i64, expires_at: i64) -> Result<()> {
        let _write = self.write_guard().await;
        sqlx::query("INSERT INTO reader_sessions (token_hash, reader_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(reader_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    /// The reader a session belongs to, unless it expired or the reader is banned.
    pub async fn session_reader(&self, token_hash: &str, now: i64) -> Result<Option<Reader>> {
        Ok(sqlx::query_as(session_reader_sql!("")).bind(token_hash).bind(now).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// The session's reader and their standing on one article (see [`ReaderOnArticle`]),
    /// from memory when `reader_memo.rs` holds them, else from the database (and then kept).
    pub async fn session_reader_on(&self, token_hash: &str, now: i64, article_id: i64) -> Result<Option<ReaderOnArticle>> {
        let memo = &self.readers;
        if !memo.usable() {
            return self.read_reader_on(token_hash, now, article_id).await;
        }
        let known = match memo.get(token_hash) {
            Some(k) => k,
            None => {
                let generation = memo.generation();
                let Some(k) = self.read_known(token_hash, now).await? else { return Ok(None) };
                let k = Arc::new(k);
                memo.keep(token_hash, k.clone(), generation);
                k
            }
        };
        if known.session_expires <= now || known.reader.banned == 1 {
            return Ok(None);
        }
        Ok(Some(ReaderOnArticle {
            reader: known.reader.clone(),
            commented: known.commented.contains(&article_id) as i64,
            subscribed: known.subscribed.contains(&article_id) as i64,
        }))
    }

    /// The same as [`Store::session_reader_on`], always from the database, in one statement.
    async fn read_reader_on(&self, token_hash: &str, now: i64, article_id: i64) -> Result<Option<ReaderOnArticle>> {
        Ok(sqlx::query_as(session_reader_sql!(
            ", CASE WHEN EXISTS (SELECT 1 FROM comments c WHERE c.reader_id = r.id AND c.article_id = $3 AND c.status <> 'deleted') THEN 1 ELSE 0 END AS commented, \
             CASE WHEN EXISTS (SELECT 1 FROM subscriptions u WHERE u.reader_id = r.id AND u.article_id = $3) THEN 1 ELSE 0 END AS subscribed"
        ))
        .bind(token_hash)
        .bind(now)
        .bind(article_id)
        .fetch_optional(&mut *self.conn().await?)
        .await?)
    }

    /// A session with everything the memo keeps of it.
    async fn read_known(&self, token_hash: &str, now: i64) -> Result<Option<Known>> {
        #[derive(sqlx::FromRow)]
        struct Row {
            #[sqlx(flatten)]
            reader: Reader,
            expires_at: i64,
        }
        let row: Option<Row> = sqlx::query_as(session_reader_sql!(", s.expires_at")).bind(token_hash).bind(now).fetch_optional(&mut *self.conn().await?).await?;
        let Some(row) = row else { return Ok(None) };
        let mut sets = [HashSet::new(), HashSet::new()];
        for (set, sql) in sets.iter_mut().zip([
            "SELECT DISTINCT article_id FROM comments WHERE reader_id = $1 AND status <> 'deleted'",
            "SELECT article_id FROM subscriptions WHERE reader_id = $1",
        ]) {
            let rows: Vec<(i64,)> = sqlx::query_as(sql).bind(row.reader.id).fetch_all(&mut *self.conn().await?).await?;
            set.extend(rows.into_iter().map(|(id,)| id));
        }
        let [commented, subscribed] = sets;
        Ok(Some(Known { session_expires: row.expires_at, reader: row.reader, commented, subscribed, read_at: Instant::now() }))
    }

    /// Forgets what is kept in memory of a reader, after a change to them, their sessions,
    /// comments or subscriptions (`reader_memo.rs`).
    pub fn forget_reader(&self, reader_id: i64) {
        self.readers.forget(|_, k| k.reader.id == reader_id);
    }

    /// A guard that forgets `reader` (every reader, for `None`) in the memo when it is
    /// dropped: when the method that took it returns after its commit, and also when the
    /// request is cancelled while the commit is under way.
    pub(crate) fn forget_when_done(&self, reader: Option<i64>) -> Forget<'_> {
        Forget { store: self, who: reader.map_or(Who::Everyone, Who::Reader) }
    }

    /// Lets lookups of signed-in readers come from memory, or not (PostgreSQL: while this
    /// server hears other servers' notices).
    pub(crate) fn set_reader_memo_usable(&self, usable: bool) {
        self.readers.set_usable(usable);
    }

    /// The change listener heard a notice: on PostgreSQL the memo may be used (from empty,
    /// if it was off).
    pub(crate) fn reader_memo_heard(&self) {
        if !self.readers.usable() {
            self.readers.set_usable(true);
        }
    }

    pub async fn delete_reader_session(&self, token_hash: &str) -> Result<()> {
        let _write = self.write_guard().await;
        let _forget = Forget { store: self, who: Who::Session(token_hash) };
        sqlx::query("DELETE FROM reader_sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    /// Removes expired reader sessions and link tokens.
    pub async fn delete_expired_reader_sessions(&self, now: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        let a = sqlx::query("DELETE FROM reader_sessions WHERE expires_at <= $1").bind(now).execute(&mut *self.conn().await?).await?.rows_affected();
        let b = sqlx::query("DELETE FROM reader_tokens WHERE expires_at <= $1").bind(now).execute(&mut *self.conn().await?).await?.rows_affected();
        Ok(a + b)
    }

}

async fn insert_token(tx: &mut sqlx::Transaction<'_, sqlx::Any>, reader_id: i64, t: &MailToken<'_>) -> Result<()> {
    sqlx::query("INSERT INTO reader_tokens (token_hash, reader_id, purpose, email, expires_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(t.token_hash)
        .bind(reader_id)
        .bind(t.purpose)
        .bind(t.email.trim().to_lowercase())
        .bind(t.expires_at)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Whom a [`Forget`] forgets.
pub(crate) enum Who<'a> {
    Reader(i64),
    Session(&'a str),
    Everyone,
}

/// Forgets readers in the memo when dropped (see [`Store::forget_when_done`]).
pub(crate) struct Forget<'a> {
    store: &'a Store,
    who: Who<'a>,
}

impl Drop for Forget<'_> {
    fn drop(&mut self) {
        match self.who {
            Who::Reader(id) => self.store.forget_reader(id),
            Who::Session(hash) => self.store.readers.forget(|h, _| h == hash),
            Who::Everyone => self.store.readers.forget(|_, _| true),
        }
    }
}
