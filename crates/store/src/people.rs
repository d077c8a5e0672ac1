use crate::db::{Result, Store};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Author {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub bio: String,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct User {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub role: String,
    pub active: i64,
    pub author_id: Option<i64>,
    #[serde(skip)]
    pub password_hash: String,
}

pub struct NewUser<'a> {
    pub email: &'a str,
    pub name: &'a str,
    pub password_hash: &'a str,
    pub role: &'a str,
    pub now: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum NewUserError {
    EmailTaken,
}

const USER_COLS: &str = "id, email, name, role, active, author_id, password_hash";

impl Store {
    pub async fn authors(&self) -> Result<Vec<Author>> {
        Ok(sqlx::query_as("SELECT id, slug, name, bio FROM authors ORDER BY name").fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn author_by_slug(&self, slug: &str) -> Result<Option<Author>> {
        Ok(sqlx::query_as("SELECT id, slug, name, bio FROM authors WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    pub async fn author_by_id(&self, id: i64) -> Result<Option<Author>> {
        Ok(sqlx::query_as("SELECT id, slug, name, bio FROM authors WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    /// Creates an author profile with a slug derived from `slug_base`, made unique by a suffix.
    pub async fn create_author(&self, slug_base: &str, name: &str, bio: &str) -> Result<Author> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let author = insert_author(&mut tx, slug_base, name, bio).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(author)
    }

    pub async fn update_author(&self, id: i64, name: &str, bio: &str) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE authors SET name = $1, bio = $2 WHERE id = $3").bind(name).bind(bio).bind(id).execute(&mut *tx).await?;
        let bylines = crate::search::articles_where(&mut tx, crate::search::Related::Author, id).await?;
        crate::search::note(&mut tx, &bylines).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates a staff account and, with it, the author profile its bylines use.
    pub async fn create_user(&self, u: NewUser<'_>, author_slug_base: &str) -> Result<Result<User, NewUserError>> {
        let email = u.email.trim().to_ascii_lowercase();
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1").bind(&email).fetch_optional(&mut *tx).await?;
        if taken.is_some() {
            return Ok(Err(NewUserError::EmailTaken));
        }
        let author = insert_author(&mut tx, author_slug_base, u.name, "").await?;
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO users (email, name, password_hash, role, active, author_id, created_at) VALUES ($1, $2, $3, $4, 1, $5, $6) RETURNING id",
        )
        .bind(&email)
        .bind(u.name)
        .bind(u.password_hash)
        .bind(u.role)
        .bind(author.id)
        .bind(u.now)
        .fetch_one(&mut *tx)
        .await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Ok(User {
            id,
            email,
            name: u.name.to_string(),
            role: u.role.to_string(),
            active: 1,
            author_id: Some(author.id),
            password_hash: u.password_hash.to_string(),
        }))
    }

    pub async fn user_by_email(&self, email: &str) -> Result<Option<User>> {
        Ok(sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE email = $1"))
            .bind(email.trim().to_ascii_lowercase())
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    pub async fn user_by_id(&self, id: i64) -> Result<Option<User>> {
        Ok(sqlx::query_as(&format!("SELECT {USER_COLS} FROM users WHERE id = $1")).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub async fn users(&self) -> Result<Vec<User>> {
        Ok(sqlx::query_as(&format!("SELECT {USER_COLS} FROM users ORDER BY name")).fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn set_user_access(&self, id: i64, role: &str, active: bool) -> Result<()> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        sqlx::query("UPDATE users SET role = $1, active = $2 WHERE id = $3")
            .bind(role)
            .bind(active as i64)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if !active {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_password_hash(&self, id: i64, hash: &str) -> Result<()> {
        sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2").bind(hash).bind(id).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    pub async fn create_session(&self, token_hash: &str, user_id: i64, now: i64, expires_at: i64) -> Result<()> {
        sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(user_id)
            .bind(now)
            .bind(expires_at)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    /// The active user a session token belongs to, if the session has not expired.
    pub async fn session_user(&self, token_hash: &str, now: i64) -> Result<Option<User>> {
        Ok(sqlx::query_as(
            "SELECT u.id, u.email, u.name, u.role, u.active, u.author_id, u.password_hash FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1 AND s.expires_at > $2 AND u.active = 1",
        )
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&mut *self.conn().await?)
        .await?)
    }

    /// Removes sessions that have expired; returns how many.
    pub async fn delete_expired_sessions(&self, now: i64) -> Result<u64> {
        Ok(sqlx::query("DELETE FROM sessions WHERE expires_at <= $1").bind(now).execute(&mut *self.conn().await?).await?.rows_affected())
    }

    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *self.conn().await?).await?;
        Ok(())
    }

    /// Records a sign-in attempt under both keys before the password is checked, and returns
    /// the rows written with the attempts counted under each key since `since`, this one
    /// included. Counting after writing keeps parallel guesses from all reading a low count.
    pub async fn begin_login_attempt(&self, ip_key: &str, email_key: &str, now: i64, since: i64) -> Result<(Vec<i64>, i64, i64)> {
        sqlx::query("DELETE FROM login_failures WHERE at < $1").bind(since).execute(&mut *self.conn().await?).await?;
        let mut ids = Vec::new();
        for key in [ip_key, email_key] {
            let (id,): (i64,) = sqlx::query_as("INSERT INTO login_failures (key, at) VALUES ($1, $2) RETURNING id").bind(key).bind(now).fetch_one(&mut *self.conn().await?).await?;
            ids.push(id);
        }
        let count = |key: &str| {
            let key = key.to_string();
            async move {
                let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM login_failures WHERE key = $1 AND at >= $2").bind(key).bind(since).fetch_one(&mut *self.conn().await?).await?;
                Ok::<i64, crate::StoreError>(n)
            }
        };
        Ok((ids, count(ip_key).await?, count(email_key).await?))
    }

    /// Forgets a successful attempt.
    pub async fn forget_login_attempt(&self, ids: &[i64]) -> Result<()> {
        for id in ids {
            sqlx::query("DELETE FROM login_failures WHERE id = $1").bind(id).execute(&mut *self.conn().await?).await?;
        }
        Ok(())
    }
}

async fn insert_author(tx: &mut sqlx::Transaction<'_, sqlx::Any>, slug_base: &str, name: &str, bio: &str) -> Result<Author> {
    let base = if slug_base.is_empty() { "author" } else { slug_base };
    let slug = crate::db::free_slug(tx, "authors", base).await?;
    let (id,): (i64,) = sqlx::query_as("INSERT INTO authors (slug, name, bio) VALUES ($1, $2, $3) RETURNING id")
        .bind(&slug)
        .bind(name)
        .bind(bio)
        .fetch_one(&mut **tx)
        .await?;
    Ok(Author { id, slug, name: name.to_string(), bio: bio.to_string() })
}
