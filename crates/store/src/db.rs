//! The database handle: connecting to SQLite or PostgreSQL, write transactions, and the
//! small SQL helpers every table's module uses. The bottom of the store: imports no module.

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::pool::PoolConnection;
use sqlx::{AnyPool, Executor};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("unsupported database URL “{0}”: use sqlite://PATH or postgres://USER@HOST/DB")]
    BadUrl(String),
    #[error("could not create the data directory {0}: {1}")]
    Io(String, std::io::Error),
    #[error("{0}: {1}")]
    Write(String, std::io::Error),
    #[error(transparent)]
    Search(#[from] marquee_search::SearchError),
    #[error("database error: {0}")]
    Lite(#[from] rusqlite::Error),
    #[error("a background task failed: {0}")]
    Task(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A handle on the database; cheap to clone.
#[derive(Clone)]
pub struct Store {
    pub(crate) pool: AnyPool,
    pub(crate) backend: Backend,
    /// SQLite allows one writer: a transaction that reads first and writes later fails at once
    /// with "database is locked" when another writer got in between, whatever the busy
    /// timeout. Write transactions therefore take turns here; PostgreSQL needs no such lock.
    pub(crate) write_lock: std::sync::Arc<tokio::sync::Mutex<()>>,
    /// Where it connected, for connections outside the pool (`changes.rs`).
    pub(crate) url: std::sync::Arc<str>,
    /// Signed-in readers kept in memory (`reader_memo.rs`).
    pub(crate) readers: std::sync::Arc<crate::reader_memo::ReaderMemo>,
    /// This server's search index (`search.rs`).
    pub(crate) search: std::sync::Arc<crate::search_state::SearchState>,
    /// The one connection every statement of this handle runs on, when it was made by
    /// [`Store::pinned`]; otherwise each statement takes one from the pool.
    pub(crate) pinned: Option<std::sync::Arc<tokio::sync::Mutex<PoolConnection<sqlx::Any>>>>,
    /// On SQLite in a file, where pinned handles get their own connections (`lite.rs`).
    pub(crate) shelf: Option<std::sync::Arc<crate::lite::LiteShelf>>,
    /// A pinned handle's connection there.
    pub(crate) lite: Option<std::sync::Arc<std::sync::Mutex<crate::lite::LiteConn>>>,
}

/// The connection a statement runs on: the pinned handle's own, or one from the pool that goes
/// back when the statement is done, as running it on the pool would.
pub(crate) enum Conn<'a> {
    Pooled(PoolConnection<sqlx::Any>),
    Pinned(tokio::sync::MutexGuard<'a, PoolConnection<sqlx::Any>>),
}

impl std::ops::Deref for Conn<'_> {
    type Target = sqlx::AnyConnection;
    fn deref(&self) -> &sqlx::AnyConnection {
        match self {
            Conn::Pooled(c) => c,
            Conn::Pinned(c) => c,
        }
    }
}

impl std::ops::DerefMut for Conn<'_> {
    fn deref_mut(&mut self) -> &mut sqlx::AnyConnection {
        match self {
            Conn::Pooled(c) => c,
            Conn::Pinned(c) => c,
        }
    }
}

impl Store {
    /// Connects without migrating.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(path) = url.strip_prefix("sqlite://") {
            let file = crate::lite::file_of(url).unwrap_or_default();
            if let Some(dir) = file.parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| StoreError::Io(dir.display().to_string(), e))?;
                }
            }
            let url = if path.contains('?') { url.to_string() } else { format!("{url}?mode=rwc") };
            (Backend::Sqlite, url)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::BadUrl(url.to_string()));
        };
        let max = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = AnyPoolOptions::new()
            .max_connections(max)
            .min_connections(1)
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        conn.execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;").await?;
                    }
                    Ok(())
                })
            })
            .connect(&url)
            .await?;
        let search = std::sync::Arc::new(crate::search_state::SearchState::new(backend == Backend::Sqlite, &url));
        let shelf = crate::lite::LiteShelf::for_url(&url);
        Ok(Store { pool, backend, write_lock: Default::default(), url: url.into(), readers: std::sync::Arc::new(crate::reader_memo::ReaderMemo::new(backend == Backend::Sqlite)), search, pinned: None, shelf, lite: None })
    }

    /// Starts a transaction that will write. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`): a deferred transaction that reads first cannot later write if its
    /// read snapshot went stale, and fails with SQLITE_BUSY_SNAPSHOT instead of waiting.
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        Ok(match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        })
    }

    /// Held for the length of a write transaction on SQLite.
    pub(crate) async fn write_guard(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.backend {
            Backend::Sqlite => Some(self.write_lock.lock().await),
            Backend::Postgres => None,
        }
    }

    /// A handle for one page's reads, on a connection of its own until the handle and its
    /// clones are dropped. On SQLite in a file that is a rusqlite connection, which the reads
    /// written with [`Store::rows`] use (`lite.rs`), all in one snapshot taken at the first of
    /// them; the handle's other statements take pooled connections as usual. Elsewhere it is
    /// one connection from the pool for every statement, so the page pays once for taking it
    /// (and sqlx's checks that it is alive, on the way out and back) instead of once a
    /// statement. A page's statements run one after another, so
    /// they never wait on each other. While a handle lives, its task must not wait on another
    /// handle's statement: were every pooled connection pinned so, each would wait for ever.
    pub async fn pinned(&self) -> Result<Store> {
        let own = self.own_reads();
        if own.lite.is_some() {
            return Ok(own);
        }
        let conn = self.pool.acquire().await?;
        Ok(Store { pinned: Some(std::sync::Arc::new(tokio::sync::Mutex::new(conn))), ..self.clone() })
    }

    /// A handle whose [`Store::rows`] reads run on a SQLite connection of their own, as
    /// [`Store::pinned`] gives, but which holds none of the pool's connections: on PostgreSQL
    /// (or when no SQLite connection can be opened) it is this handle as it is. For a page
    /// whose reads may wait on the pool or on work that uses it, as a search does when it
    /// brings the index up to date first.
    pub fn own_reads(&self) -> Store {
        if let Some(shelf) = &self.shelf {
            match shelf.take() {
                Ok(conn) => return Store { lite: Some(std::sync::Arc::new(std::sync::Mutex::new(conn))), ..self.clone() },
                // The page can still be read through sqlx. A file that cannot be opened fails
                // every page alike, so the log hears of it once a minute, not once a page.
                Err(e) => {
                    if once_a_minute(&OPEN_FAILURE_TOLD, marquee_domain::time::now_unix()) {
                        tracing::warn!(error = %e, "could not open a SQLite connection for a page's reads; reading through the pool (told at most once a minute)");
                    }
                }
            }
        }
        self.clone()
    }

    /// This handle without a connection of its own: for work that outlives the page that
    /// holds one (a task spawned from it), or that writes.
    pub(crate) fn unpinned(&self) -> Store {
        Store { pinned: None, lite: None, ..self.clone() }
    }

    /// The connection for the next statement (see [`Conn`]).
    pub(crate) async fn conn(&self) -> Result<Conn<'_>> {
        Ok(match &self.pinned {
            Some(c) => Conn::Pinned(c.lock().await),
            None => Conn::Pooled(self.pool.acquire().await?),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

impl Store {
    /// The rows of a page's read: on this handle's own SQLite connection when it has one
    /// (`lite.rs`), otherwise through sqlx on [`Store::conn`], with the same SQL and arguments.
    pub(crate) async fn rows<T>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Vec<T>>
    where
        T: crate::lite::LiteRow + 'static + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        if let Some(lite) = &self.lite {
            let values: Vec<&dyn rusqlite::ToSql> = args
                .iter()
                .map(|a| -> &dyn rusqlite::ToSql {
                    match a {
                        Arg::Int(v) => v,
                        Arg::OptInt(v) => v,
                        Arg::Text(v) => v,
                        Arg::OptText(v) => v,
                        Arg::Float(v) => v,
                    }
                })
                .collect();
            return Ok(lite.lock().unwrap_or_else(|e| e.into_inner()).rows(sql, &values)?);
        }
        Ok(sqlx::query_as_with::<_, T, _>(sql, any_arguments(args)?).fetch_all(&mut *self.conn().await?).await?)
    }

    /// The first row of a page's read, if any (see [`Store::rows`]).
    pub(crate) async fn row<T>(&self, sql: &str, args: &[Arg<'_>]) -> Result<Option<T>>
    where
        T: crate::lite::LiteRow + 'static + for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
    {
        Ok(self.rows(sql, args).await?.into_iter().next())
    }
}

/// `$from, $from+1, ...` for an IN list of `n` values.
pub(crate) fn placeholders(from: usize, n: usize) -> String {
    (from..from + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// A value for [`insert_many`].
#[derive(Debug, Clone, Copy)]
pub(crate) enum Arg<'a> {
    Int(i64),
    OptInt(Option<i64>),
    Text(&'a str),
    OptText(Option<&'a str>),
    Float(f64),
}

/// `args` as sqlx binds them, in order.
fn any_arguments<'q>(args: &[Arg<'q>]) -> Result<sqlx::any::AnyArguments<'q>> {
    use sqlx::Arguments;
    let mut out = sqlx::any::AnyArguments::default();
    out.reserve(args.len(), 0);
    for arg in args {
        match *arg {
            Arg::Int(v) => out.add(v),
            Arg::OptInt(v) => out.add(v),
            Arg::Text(v) => out.add(v),
            Arg::OptText(v) => out.add(v),
            Arg::Float(v) => out.add(v),
        }
        .map_err(sqlx::Error::Encode)?;
    }
    Ok(out)
}

/// `INSERT INTO {head} VALUES (...), (...) {tail}`: `values` holds rows of `width` values, sent
/// in statements of as many values as the database takes well (see [`insert_rows`]), so a
/// thousand rows cost one or a handful of round trips instead of a thousand.
pub(crate) async fn insert_many(tx: &mut sqlx::Transaction<'_, sqlx::Any>, head: &str, tail: &str, width: usize, values: &[Arg<'_>]) -> Result<()> {
    let row = format!("({})", vec!["?"; width].join(", "));
    insert_rows(tx, head, tail, &row, values).await
}

/// [`insert_many`] with each row written as `row`, whose `?`s stand for its values in order
/// (`(?, ?, lower(?))`).
pub(crate) async fn insert_rows(tx: &mut sqlx::Transaction<'_, sqlx::Any>, head: &str, tail: &str, row: &str, values: &[Arg<'_>]) -> Result<()> {
    let width = row.matches('?').count();
    debug_assert!(width > 0 && values.len() % width == 0);
    // SQLite looks a numbered parameter's name up by walking a list of all of them, so a
    // statement with hundreds of `$n` costs quadratic time to bind; plain `?` does not.
    let numbered = tx.backend_name() == "PostgreSQL";
    // SQLite takes up to 32,766 parameters, and each statement costs a parse and a plan: so
    // as few statements as it allows. On PostgreSQL, a few hundred values a statement.
    let per = (if numbered { 960 } else { 32_766 } / width).max(1) * width;
    for chunk in values.chunks(per) {
        let mut sql = String::with_capacity(head.len() + tail.len() + chunk.len() / width * (row.len() + 16));
        sql.push_str("INSERT INTO ");
        sql.push_str(head);
        sql.push_str(" VALUES ");
        let mut n = 0;
        for r in 0..chunk.len() / width {
            if r > 0 {
                sql.push_str(", ");
            }
            for c in row.chars() {
                if c == '?' && numbered {
                    n += 1;
                    sql.push('$');
                    sql.push_str(&n.to_string());
                } else {
                    sql.push(c);
                }
            }
        }
        sql.push(' ');
        sql.push_str(tail);
        // Kept prepared only when the same statement will come again (a full chunk on
        // PostgreSQL): a statement of a thousand rows is a large program to keep.
        sqlx::query_with(&sql, any_arguments(chunk)?).persistent(numbered && chunk.len() == per).execute(&mut **tx).await?;
    }
    Ok(())
}

/// `n` ids for new rows of `table`, taken now so that rows written together can name each
/// other: from the identity sequence on PostgreSQL; on SQLite, past the largest id the table
/// has had (the caller holds the one write transaction, so nobody else takes them).
pub(crate) async fn take_ids(tx: &mut sqlx::Transaction<'_, sqlx::Any>, table: &str, n: usize) -> Result<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    if tx.backend_name() == "PostgreSQL" {
        // The sequence is looked up once, not for every id (in psql, 200,000 ids took
        // 1,383 ms with the lookup in each `nextval` and 176 ms like this).
        let sql = format!("WITH s AS MATERIALIZED (SELECT pg_get_serial_sequence('{table}', 'id')::regclass AS seq) SELECT nextval(s.seq) FROM s, generate_series(1, $1)");
        let rows: Vec<(i64,)> = sqlx::query_as(&sql).bind(n as i64).fetch_all(&mut **tx).await?;
        return Ok(rows.into_iter().map(|(id,)| id).collect());
    }
    let sql = format!("SELECT MAX(COALESCE((SELECT MAX(id) FROM {table}), 0), COALESCE((SELECT seq FROM sqlite_sequence WHERE name = '{table}'), 0))");
    let sequence: std::result::Result<(i64,), sqlx::Error> = sqlx::query_as(&sql).fetch_one(&mut **tx).await;
    let last = match sequence {
        Ok((last,)) => last,
        // No table has AUTOINCREMENT, so there is no sqlite_sequence.
        Err(_) => sqlx::query_as::<_, (i64,)>(&format!("SELECT COALESCE(MAX(id), 0) FROM {table}")).fetch_one(&mut **tx).await?.0,
    };
    Ok((last + 1..=last + n as i64).collect())
}

/// Makes writers that choose a slug in `table` take turns until their transactions end, so two
/// saves at once cannot both find a slug free (on SQLite writers take turns anyway).
pub(crate) async fn lock_slugs(tx: &mut sqlx::Transaction<'_, sqlx::Any>, table: &str) -> Result<()> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS locked").bind(format!("slugs:{table}")).fetch_all(&mut **tx).await?;
    }
    Ok(())
}

/// [`lock_slugs`] as a bulk import's writers take it: they share it, so two batches of one
/// import are written at once (each keeps clear of the other's slugs through
/// [`crate::SlugClaims`], as neither sees the other's rows before commit), while every other
/// writer that chooses a slug waits for both.
pub(crate) async fn share_slugs(tx: &mut sqlx::Transaction<'_, sqlx::Any>, table: &str) -> Result<()> {
    if tx.backend_name() == "PostgreSQL" {
        sqlx::query("SELECT 1 FROM (SELECT pg_advisory_xact_lock_shared(hashtext($1))) AS locked").bind(format!("slugs:{table}")).fetch_all(&mut **tx).await?;
    }
    Ok(())
}

/// `base`, or `base-2`, `base-3`... whichever is free in `table`.
pub(crate) async fn free_slug(tx: &mut sqlx::Transaction<'_, sqlx::Any>, table: &str, base: &str) -> Result<String> {
    lock_slugs(tx, table).await?;
    let mut slug = base.to_string();
    let mut n = 2;
    loop {
        let taken: Option<(i64,)> = sqlx::query_as(&format!("SELECT id FROM {table} WHERE slug = $1")).bind(&slug).fetch_optional(&mut **tx).await?;
        if taken.is_none() {
            return Ok(slug);
        }
        slug = format!("{base}-{n}");
        n += 1;
    }
}


impl StoreError {
    /// Whether the database could not be reached or dropped the connection (PostgreSQL
    /// restarting or shutting down, the network to it gone, no connection free in time):
    /// nothing the request asked for was wrong, and the same request may succeed in a moment.
    pub fn database_away(&self) -> bool {
        match self {
            StoreError::Db(e) => sqlx_error_away(e),
            _ => false,
        }
    }
}

/// [`StoreError::database_away`] for any error in a chain: a `StoreError` or a bare
/// `sqlx::Error`.
pub fn database_away(e: &(dyn std::error::Error + 'static)) -> bool {
    if let Some(s) = e.downcast_ref::<StoreError>() {
        return s.database_away();
    }
    e.downcast_ref::<sqlx::Error>().is_some_and(sqlx_error_away)
}

fn sqlx_error_away(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => true,
        // The connection ended mid-conversation (the server went away).
        sqlx::Error::Protocol(m) => m.contains("closed") || m.contains("unexpected"),
        // SQLSTATE class 08 (connection exception) and 57P01-57P03 (administrator or crash
        // shutdown, cannot connect now).
        sqlx::Error::Database(d) => d.code().is_some_and(|c| c.starts_with("08") || matches!(c.as_ref(), "57P01" | "57P02" | "57P03")),
        _ => false,
    }
}

pub(crate) fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if d.is_unique_violation())
}

#[allow(dead_code)]
type Row = AnyRow;

/// When a failure to open a page's own SQLite connection was last logged (Unix seconds).
static OPEN_FAILURE_TOLD: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(i64::MIN);

/// True, and `last` set to `now`, when a minute or more has passed since `last`.
fn once_a_minute(last: &std::sync::atomic::AtomicI64, now: i64) -> bool {
    use std::sync::atomic::Ordering;
    let before = last.load(Ordering::Relaxed);
    now.saturating_sub(before) >= 60 && last.compare_exchange(before, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_repeated_failure_is_told_once_a_minute() {
        let last = std::sync::atomic::AtomicI64::new(i64::MIN);
        assert!(once_a_minute(&last, 1_000));
        assert!(!once_a_minute(&last, 1_000));
        assert!(!once_a_minute(&last, 1_059));
        assert!(once_a_minute(&last, 1_060));
        assert!(!once_a_minute(&last, 1_061));
    }

    #[test]
    fn a_database_out_of_reach_is_told_from_a_failed_statement() {
        let io = || sqlx::Error::Io(std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer"));
        assert!(StoreError::Db(io()).database_away());
        assert!(StoreError::Db(sqlx::Error::PoolTimedOut).database_away());
        assert!(database_away(&io()), "a bare sqlx error in a chain");
        assert!(!StoreError::Db(sqlx::Error::RowNotFound).database_away());
        assert!(!StoreError::Db(sqlx::Error::ColumnNotFound("x".into())).database_away());
        assert!(!StoreError::BadUrl("mysql://".into()).database_away());
        let unrelated = std::io::Error::other("disk full");
        assert!(!database_away(&unrelated), "an error that is not the database's");
    }
}
