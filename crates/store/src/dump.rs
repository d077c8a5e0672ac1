//! The whole database as plain rows, for `marquee export` and `marquee restore`: which tables
//! a paper owns and in what order they load, each table's columns as both backends describe
//! them, its rows in an order both backends agree on, and loading rows back in batches.
//! Values are integers, reals, text or null, so an export made from SQLite and one made from
//! PostgreSQL holding the same paper are the same bytes.

use crate::db::{insert_rows, Arg, Backend, Result, Store};
use sqlx::Row;

/// The tables an export holds, parents before the tables that point at them, so that loading
/// them in this order satisfies every foreign key.
pub const EXPORTED_TABLES: &[&str] = &[
    "publication", "sections", "authors", "users", "media", "films", "people", "credits", "tags", "articles",
    "article_authors", "article_tags", "revisions", "redirects", "theaters", "showtimes", "comment_settings",
    "readers", "comments", "comment_reports", "moderation_log", "subscriptions", "digest_items", "outbox",
    "article_views", "venues", "events", "event_redirects", "reports", "report_chapters", "report_items",
    "federation_keys", "remote_actors", "followers", "deliveries", "peers", "peer_trending", "network_articles",
    "blocked_domains", "federated_articles", "api_keys", "webhooks", "webhook_deliveries", "webhook_articles",
    "import_map", "article_fields", "comment_fields", "path_redirects",
];

/// Tables an export leaves out, because they are made again or only matter for a moment:
/// sign-in sessions and one-time tokens (everyone signs in again), rate-limit and failed
/// sign-in counters, the search log (noted again from the articles) and the rendition queue
/// (every image is queued again).
pub const LEFT_OUT_TABLES: &[&str] = &["sessions", "login_failures", "reader_sessions", "reader_tokens", "rate_events", "search_changes", "search_log", "media_jobs"];

/// A column's kind, as both backends store it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ColumnKind {
    Integer,
    Real,
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Column {
    pub name: String,
    pub kind: ColumnKind,
}

/// One value of a row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Integer(i64),
    Real(f64),
    Text(String),
}

fn kind_of(declared: &str) -> Option<ColumnKind> {
    let t = declared.to_ascii_lowercase();
    if t.contains("int") {
        Some(ColumnKind::Integer)
    } else if t.contains("real") || t.contains("double") || t.contains("float") || t.contains("numeric") {
        Some(ColumnKind::Real)
    } else if t.contains("text") || t.contains("char") {
        Some(ColumnKind::Text)
    } else {
        None
    }
}

impl Store {
    /// The tables this database has besides sqlx's own bookkeeping, to check that every one is
    /// exported or left out on purpose.
    pub async fn table_names(&self) -> Result<Vec<String>> {
        let sql = match self.backend {
            Backend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_sqlx%' ORDER BY name",
            Backend::Postgres => "SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE '_sqlx%' ORDER BY table_name",
        };
        let rows: Vec<(String,)> = sqlx::query_as(sql).fetch_all(&mut *self.conn().await?).await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// A table's columns, sorted by name (so that both backends list them alike); columns of a
    /// kind other than integer, real or text are reported as an error.
    pub async fn table_columns(&self, table: &str) -> Result<Vec<Column>> {
        let rows: Vec<(String, String)> = match self.backend {
            Backend::Sqlite => sqlx::query_as("SELECT name, type FROM pragma_table_info($1)").bind(table).fetch_all(&mut *self.conn().await?).await?,
            Backend::Postgres => {
                sqlx::query_as("SELECT column_name::text, data_type::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1")
                    .bind(table)
                    .fetch_all(&mut *self.conn().await?)
                    .await?
            }
        };
        let mut cols = Vec::new();
        for (name, declared) in rows {
            let Some(kind) = kind_of(&declared) else {
                return Err(sqlx::Error::Protocol(format!("{table}.{name} has the type {declared}, which an export cannot hold")).into());
            };
            cols.push(Column { name, kind });
        }
        cols.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(cols)
    }

    /// Hands `each` a table's rows, values in `cols` order, ordered by `id` when the table has
    /// one, else by every column, with text compared by bytes on both backends. Rows stream
    /// from the database; the table is never held whole. Answers how many rows there were.
    pub async fn each_row(&self, table: &str, cols: &[Column], mut each: impl FnMut(Vec<Value>) -> std::io::Result<()>) -> Result<u64> {
        use futures_util::TryStreamExt;
        let text_order = |c: &Column| match (c.kind, self.backend) {
            (ColumnKind::Text, Backend::Postgres) => format!("{} COLLATE \"C\"", c.name),
            _ => c.name.clone(),
        };
        let order: Vec<String> = if cols.iter().any(|c| c.name == "id") { vec!["id".into()] } else { cols.iter().map(text_order).collect() };
        let select: Vec<String> = cols
            .iter()
            .map(|c| match c.kind {
                ColumnKind::Integer => format!("CAST({0} AS BIGINT) AS {0}", c.name),
                ColumnKind::Real => format!("CAST({0} AS DOUBLE PRECISION) AS {0}", c.name),
                ColumnKind::Text => c.name.clone(),
            })
            .collect();
        let sql = format!("SELECT {} FROM {table} ORDER BY {}", select.join(", "), order.join(", "));
        let mut rows = sqlx::query(&sql).fetch(&self.pool);
        let mut n = 0u64;
        while let Some(row) = rows.try_next().await? {
            let mut out = Vec::with_capacity(cols.len());
            for (i, c) in cols.iter().enumerate() {
                out.push(match c.kind {
                    ColumnKind::Integer => row.try_get::<Option<i64>, _>(i)?.map_or(Value::Null, Value::Integer),
                    ColumnKind::Real => row.try_get::<Option<f64>, _>(i)?.map_or(Value::Null, Value::Real),
                    ColumnKind::Text => row.try_get::<Option<String>, _>(i)?.map_or(Value::Null, Value::Text),
                });
            }
            each(out).map_err(|e| crate::db::StoreError::Write(format!("writing {table}"), e))?;
            n += 1;
        }
        Ok(n)
    }

    /// Loads `rows` (values in `cols` order) into `table` inside `tx`, many to a statement.
    pub async fn load_rows(&self, tx: &mut sqlx::Transaction<'_, sqlx::Any>, table: &str, cols: &[Column], rows: &[Vec<Value>]) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // Reals travel as text and are cast in SQL: sqlx's Any driver sends a null f64 with a
        // type PostgreSQL will not put in a double precision column.
        let marks: Vec<&str> = cols.iter().map(|c| if c.kind == ColumnKind::Real { "CAST(? AS DOUBLE PRECISION)" } else { "?" }).collect();
        let row = format!("({})", marks.join(", "));
        let reals: Vec<Vec<Option<String>>> = rows
            .iter()
            .map(|r| {
                cols.iter()
                    .zip(r)
                    .map(|(c, v)| match (c.kind, v) {
                        (ColumnKind::Real, Value::Real(f)) => Some(f.to_string()),
                        (ColumnKind::Real, Value::Integer(i)) => Some(i.to_string()),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        let mut values = Vec::with_capacity(rows.len() * cols.len());
        for (r, real) in rows.iter().zip(&reals) {
            for ((c, v), text) in cols.iter().zip(r).zip(real) {
                values.push(match (c.kind, v) {
                    (ColumnKind::Integer, Value::Integer(i)) => Arg::Int(*i),
                    (ColumnKind::Integer, _) => Arg::OptInt(None),
                    (ColumnKind::Real, _) => Arg::OptText(text.as_deref()),
                    (ColumnKind::Text, Value::Text(s)) => Arg::Text(s),
                    (ColumnKind::Text, _) => Arg::OptText(None),
                });
            }
        }
        let names: Vec<&str> = cols.iter().map(|c| c.name.as_str()).collect();
        insert_rows(tx, &format!("{table} ({})", names.join(", ")), "", &row, &values).await
    }

    /// Starts a restore: one transaction that empties every exported table (the rows a new
    /// database's migrations put in, such as the default settings), children first.
    pub async fn begin_restore(&self) -> Result<sqlx::Transaction<'static, sqlx::Any>> {
        let mut tx = self.begin_write().await?;
        for table in EXPORTED_TABLES.iter().rev() {
            sqlx::query(&format!("DELETE FROM {table}")).execute(&mut *tx).await?;
        }
        Ok(tx)
    }

    /// Ends a restore: on PostgreSQL, moves each identity column past the largest id loaded,
    /// so new rows do not collide with restored ones. SQLite does this by itself.
    pub async fn finish_restore(&self, mut tx: sqlx::Transaction<'static, sqlx::Any>) -> Result<()> {
        if self.backend == Backend::Postgres {
            for table in EXPORTED_TABLES {
                let has_identity: Option<(String,)> = sqlx::query_as(
                    "SELECT column_name::text FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'id' AND is_identity = 'YES'",
                )
                .bind(*table)
                .fetch_optional(&mut *tx)
                .await?;
                if has_identity.is_some() {
                    let sql = format!("SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 0) + 1, false)");
                    sqlx::query(&sql).fetch_all(&mut *tx).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether the database holds a paper already (staff, articles or readers), which a
    /// restore must not overwrite.
    pub async fn holds_a_paper(&self) -> Result<bool> {
        let (n,): (i64,) = sqlx::query_as("SELECT (SELECT COUNT(*) FROM users) + (SELECT COUNT(*) FROM articles) + (SELECT COUNT(*) FROM readers)").fetch_one(&mut *self.conn().await?).await?;
        Ok(n > 0)
    }

    /// The newest migration applied, which an export records so that it is restored into the
    /// same schema.
    pub async fn schema_version(&self) -> Result<i64> {
        let (v,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(version), 0) FROM _sqlx_migrations WHERE success").fetch_one(&mut *self.conn().await?).await?;
        Ok(v)
    }

    /// Queues renditions for every library image (after a restore).
    pub async fn requeue_all_media(&self, now: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        Ok(sqlx::query("INSERT INTO media_jobs (media_id, next_attempt_at, created_at) SELECT id, $1, $1 FROM media").bind(now).execute(&mut *self.conn().await?).await?.rows_affected())
    }

    /// A consistent copy of a live SQLite database in one file, taken without stopping the
    /// site (`VACUUM INTO`); writers wait only while it runs.
    pub async fn snapshot_sqlite(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(sqlx::Error::Protocol("an online snapshot file is for SQLite; on PostgreSQL use marquee export (or pg_dump)".into()).into());
        }
        sqlx::query("VACUUM INTO $1").bind(path.display().to_string()).execute(&mut *self.conn().await?).await?;
        Ok(())
    }
}
