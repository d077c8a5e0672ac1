//! The reader row as the store hands it out, kept apart so that the memo of signed-in
//! readers (`reader_memo.rs`), which the store's handle holds, can name it.

use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Reader {
    pub id: i64,
    pub email: String,
    pub name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub verified: i64,
    pub digest: String,
    pub suspended_until: i64,
    pub banned: i64,
    pub created_at: i64,
}

/// A signed-in reader and their part in one article's thread (`Store::session_reader_on`).
#[derive(Debug, Clone, FromRow)]
pub struct ReaderOnArticle {
    #[sqlx(flatten)]
    pub reader: Reader,
    /// 1 when a comment of theirs on the article is shown to them (not deleted).
    pub commented: i64,
    /// 1 when they are subscribed to the article's thread.
    pub subscribed: i64,
}

impl Reader {
    pub fn is_verified(&self) -> bool {
        self.verified == 1
    }

    /// Whether the reader may comment, report or subscribe at `now`.
    pub fn is_blocked(&self, now: i64) -> bool {
        self.banned == 1 || self.suspended_until > now
    }
}
