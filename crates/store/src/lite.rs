//! Reads for a page on SQLite without going through sqlx's connection thread.
//!
//! sqlx runs each SQLite connection on a thread of its own: every statement is a message to
//! that thread, and every row comes back as another, with each value copied out of SQLite
//! first and converted again for the `Any` driver. For a page of fifty comments that came to
//! more time than SQLite took to find the rows (the profile is in ARCHITECTURE.md). A page's
//! reads that go through `Store::rows` and `Store::row` (`db.rs`) on a handle from
//! `Store::pinned` instead run here, on a connection of this module's own to the same file,
//! in the task that asked, with statements kept prepared. They are short indexed reads of
//! committed data (WAL readers do not wait for the writer), so they do not hold the task up
//! for long. A page's reads are one read transaction, from its first read until the
//! connection goes back to the shelf: they see one snapshot (every box of the page as of one
//! moment), and the WAL's read lock is taken once a page instead of once a statement, which
//! was a tenth of an uncached article page's time. PostgreSQL, and SQLite everywhere else, go
//! through sqlx as before, a statement at a time.

use rusqlite::{Connection, OpenFlags, Row, Statement, ToSql};
use std::any::TypeId;
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

/// Connections kept open for later pages once their page is done; more are opened when more
/// pages read at once, and closed when they come back to a full shelf.
const KEPT: usize = 8;

/// Statements whose column positions a connection keeps at most (see [`Kept`]).
const KEPT_COLUMNS: usize = 512;

/// Where a SQLite site's page reads get their connections.
pub(crate) struct LiteShelf {
    path: PathBuf,
    idle: Mutex<Vec<Kept>>,
}

/// An open connection and, for each statement it has run, where each row type's values are
/// among the statement's columns. Finding a column by name compares it with every name
/// before it; for a page's statements that came to a few percent of the page.
struct Kept {
    conn: Connection,
    columns: HashMap<String, Vec<(TypeId, Vec<usize>)>>,
}

impl LiteShelf {
    /// For a SQLite database in a file; none for one in memory, which another connection
    /// would not see.
    pub(crate) fn for_url(url: &str) -> Option<Arc<LiteShelf>> {
        let path = file_of(url)?;
        let query = url.split_once('?').map_or("", |(_, q)| q);
        if path.as_os_str() == ":memory:" || query.split('&').any(|kv| kv == "mode=memory") {
            return None;
        }
        Some(Arc::new(LiteShelf { path, idle: Mutex::new(Vec::new()) }))
    }

    pub(crate) fn take(self: &Arc<Self>) -> rusqlite::Result<LiteConn> {
        let kept = self.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let kept = match kept {
            Some(k) => k,
            None => {
                // Read and write so that it can use the WAL index the other connections made;
                // `query_only` keeps it from writing all the same.
                let c = Connection::open_with_flags(&self.path, OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
                c.busy_timeout(std::time::Duration::from_secs(5))?;
                c.execute_batch("PRAGMA query_only = ON")?;
                c.set_prepared_statement_cache_capacity(64);
                Kept { conn: c, columns: HashMap::new() }
            }
        };
        // One read transaction for the page: its reads share one snapshot, and the WAL's
        // read lock is taken once instead of once a statement.
        kept.conn.execute_batch("BEGIN")?;
        Ok(LiteConn { conn: Some(kept), shelf: self.clone() })
    }
}

/// The file a `sqlite://` URL names, read as sqlx reads it: up to the `?`, with `%` escapes
/// decoded (so a name may hold a space, `?` or `#`). None for another kind of URL or a name
/// that is not UTF-8 once decoded.
pub(crate) fn file_of(url: &str) -> Option<PathBuf> {
    let rest = url.strip_prefix("sqlite://")?;
    let name = rest.split('?').next().unwrap_or(rest);
    let name = percent_encoding::percent_decode_str(name).decode_utf8().ok()?;
    (!name.is_empty()).then(|| PathBuf::from(&*name))
}

/// A connection for one page; back on its shelf when dropped.
pub(crate) struct LiteConn {
    conn: Option<Kept>,
    shelf: Arc<LiteShelf>,
}

impl Drop for LiteConn {
    fn drop(&mut self) {
        if let Some(c) = self.conn.take() {
            if c.conn.execute_batch("ROLLBACK").is_err() {
                return;
            }
            let mut idle = self.shelf.idle.lock().unwrap_or_else(|e| e.into_inner());
            if idle.len() < KEPT {
                idle.push(c);
            }
        }
    }
}

impl LiteConn {
    /// Every row `sql` gives with `args` bound to its `$1`, `$2`, ... (each may appear more
    /// than once, in any order, as with sqlx).
    pub(crate) fn rows<T: LiteRow + 'static>(&mut self, sql: &str, args: &[&dyn ToSql]) -> rusqlite::Result<Vec<T>> {
        let Kept { conn, columns } = self.conn.as_mut().expect("a connection until dropped");
        let mut stmt = conn.prepare_cached(sql)?;
        for i in 1..=stmt.parameter_count() {
            let n: usize = stmt.parameter_name(i).and_then(|name| name.strip_prefix('$')).and_then(|n| n.parse().ok()).unwrap_or(i);
            let arg = n.checked_sub(1).and_then(|k| args.get(k)).ok_or(rusqlite::Error::InvalidParameterCount(n, args.len()))?;
            stmt.raw_bind_parameter(i, arg)?;
        }
        // Columns are found by name once a statement and row type on this connection.
        let known = columns.get(sql).and_then(|k| k.iter().find(|(t, _)| *t == TypeId::of::<T>()));
        let at = match known {
            Some((_, at)) => at,
            None => {
                let found = T::columns(&stmt)?;
                // Statements with lists of ids differ in text by the list's length; past a
                // few hundred texts the map starts over rather than grow without end.
                if columns.len() >= KEPT_COLUMNS && !columns.contains_key(sql) {
                    columns.clear();
                }
                let kinds = columns.entry(sql.to_string()).or_default();
                kinds.push((TypeId::of::<T>(), found));
                &kinds.last().expect("just pushed").1
            }
        };
        let mut rows = stmt.raw_query();
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            out.push(T::from_lite(row, &mut at.iter().copied())?);
        }
        Ok(out)
    }
}

/// A row type read by [`LiteConn::rows`]: the same columns by the same names as its sqlx
/// `FromRow`.
pub(crate) trait LiteRow: Sized {
    /// Where each of its values is in the statement's columns, in the order `from_lite` reads
    /// them.
    fn columns(stmt: &Statement<'_>) -> rusqlite::Result<Vec<usize>>;
    /// One row, its values taken from the columns `at` gives, in turn.
    fn from_lite(row: &Row<'_>, at: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self>;
}

/// The next column [`LiteRow::columns`] found.
pub(crate) fn next(at: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<usize> {
    at.next().ok_or(rusqlite::Error::InvalidColumnIndex(usize::MAX))
}

/// `LiteRow` for a struct whose fields are named as its columns; the fields after `;` are not
/// columns (sqlx's `skip`) and start empty.
macro_rules! lite_row {
    ($t:ty { $($f:ident),* $(,)? } $(; $($skip:ident),*)?) => {
        impl $crate::lite::LiteRow for $t {
            fn columns(stmt: &rusqlite::Statement<'_>) -> rusqlite::Result<Vec<usize>> {
                Ok(vec![$(stmt.column_index(stringify!($f))?),*])
            }
            fn from_lite(row: &rusqlite::Row<'_>, at: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
                Ok(Self { $($f: row.get($crate::lite::next(at)?)?,)* $($($skip: Default::default(),)*)? })
            }
        }
    };
}
pub(crate) use lite_row;

impl LiteRow for (i64,) {
    fn columns(_: &Statement<'_>) -> rusqlite::Result<Vec<usize>> {
        Ok(Vec::new())
    }
    fn from_lite(row: &Row<'_>, _: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?,))
    }
}

impl LiteRow for (Option<i64>, i64) {
    fn columns(_: &Statement<'_>) -> rusqlite::Result<Vec<usize>> {
        Ok(Vec::new())
    }
    fn from_lite(row: &Row<'_>, _: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?))
    }
}

impl LiteRow for (i64, i64, String, String) {
    fn columns(_: &Statement<'_>) -> rusqlite::Result<Vec<usize>> {
        Ok(Vec::new())
    }
    fn from_lite(row: &Row<'_>, _: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
        Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?))
    }
}

#[cfg(test)]
mod tests {
    use crate::db::Store;

    #[test]
    fn a_url_names_the_file_sqlx_opens() {
        assert_eq!(super::file_of("sqlite:///srv/my%20paper/marquee.db?mode=rwc").unwrap(), std::path::Path::new("/srv/my paper/marquee.db"));
        assert_eq!(super::file_of("sqlite://data/marquee.db").unwrap(), std::path::Path::new("data/marquee.db"));
        assert!(super::file_of("postgres://postgres@127.0.0.1/test").is_none());
        assert!(super::LiteShelf::for_url("sqlite://:memory:").is_none());
        assert!(super::LiteShelf::for_url("sqlite://x.db?mode=memory").is_none());
    }

    // A data directory whose name is written with an escape in the URL: the page's own
    // connection must open the database sqlx opened, not a file named with the escape.
    #[tokio::test]
    async fn a_pages_connection_opens_the_database_the_pool_opened() {
        let dir = std::env::temp_dir().join(format!("marquee lite {}", std::process::id()));
        let url = format!("sqlite://{}/marquee.db?mode=rwc", dir.display().to_string().replace(' ', "%20"));
        let store = Store::open(&url).await.unwrap();
        assert!(dir.join("marquee.db").exists(), "the directory is made under its decoded name");
        let own = store.pinned().await.unwrap();
        assert!(own.lite.is_some(), "a SQLite file gets a connection outside sqlx");
        let mut settings = store.comment_settings().await.unwrap();
        settings.edit_minutes += 3;
        store.update_comment_settings(&settings).await.unwrap();
        assert_eq!(own.comment_settings().await.unwrap().edit_minutes, settings.edit_minutes);
        drop(own);
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
