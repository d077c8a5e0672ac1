//! Search over articles: an embedded tantivy index (`crates/search`) that every server keeps
//! for itself and fills from a change log in the database, so that several servers on one
//! database find the same articles.
//!
//! The log is `search_changes` (migration 0019): one row per article ever changed, with the
//! position (`seq`) of its last change. Every change to an article, its byline, its film, its
//! tags or an author's name calls [`note`] inside its transaction; `note` takes the next
//! content version as the position, by updating the one publication row. That row stays
//! locked until the transaction ends, so positions are handed out in the order transactions
//! commit, and a server that has read up to a position has seen everything before it.
//!
//! A server reads the log from where its index stands (kept in the index's commit, with the
//! log's `epoch`, which is new for every database; an index of another epoch, or ahead of
//! the log, starts over) and re-reads those articles: a draft or a deleted article leaves the
//! index, any other is written anew. It does this every second (a background loop), and
//! before every search when only a little is new, so a search sees every change committed
//! before it. A larger backlog (a big import, a new server's first
//! start) is read in the background while searches use what is indexed so far. Writers no
//! longer build search entries at all; an import only notes its articles' ids.

use crate::cards::{ArticleCard, CARD_COLS, LIVE};
use crate::db::{insert_many, placeholders, Arg};
use crate::db::{Result, Store};
use crate::search_state::{Position, BATCH};
use marquee_domain::search::{plain_text, SearchQuery};
use marquee_search::{Doc, SearchIndex};
use sqlx::{Any, Transaction};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;

/// Narrows a search; every filter given must hold.
pub use marquee_search::Filter as SearchFilter;

/// One result: the article, its headline and a passage of its body, in which
/// [`marquee_domain::search::MARK_START`] and `MARK_END` surround the matches (plain text,
/// not HTML).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchHit {
    pub card: ArticleCard,
    pub headline: String,
    pub snippet: String,
}

/// The most log entries a search waits for the index to take in; with more, it searches what
/// is indexed while the rest is read in the background.
const INLINE: i64 = 2_000;

impl Store {
    /// A number that moves whenever this server's index takes in changes, for caches of
    /// search results to key on: a page rendered while a large backlog was being read is not
    /// served once the index has moved on.
    pub fn search_generation(&self) -> u64 {
        self.search.generation.load(Ordering::SeqCst)
    }

    /// Reads the log `n` entries to a commit rather than [`BATCH`], so that tests can read a
    /// backlog of a few articles in several batches.
    #[doc(hidden)]
    pub fn set_search_batch(&self, n: i64) {
        self.search.batch.store(n.max(1), Ordering::SeqCst);
    }

    /// Keeps the search index in `dir` (None: in memory) instead of the default: beside the
    /// database file on SQLite, in memory on PostgreSQL. Takes effect only before the index is
    /// first used.
    pub fn set_search_dir(&self, dir: Option<PathBuf>) {
        *self.search.dir.lock().unwrap_or_else(|e| e.into_inner()) = (dir, true);
    }

    /// The index, opened on first use. A default directory that another process holds (a
    /// second command on the same SQLite file) gives way to an index in memory.
    async fn search_index(&self) -> Result<Arc<SearchIndex>> {
        let state = self.search.clone();
        let index = self
            .search
            .index
            .get_or_try_init(|| async move {
                let (dir, asked) = state.dir.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let opened = tokio::task::spawn_blocking(move || match SearchIndex::open(dir.as_deref()) {
                    Err(e) if dir.is_some() && !asked => {
                        tracing::warn!("{e}: searching from an index in memory instead");
                        SearchIndex::open(None)
                    }
                    other => other,
                })
                .await
                .map_err(|e| crate::db::StoreError::Task(e.to_string()))??;
                Ok::<_, crate::db::StoreError>(Arc::new(opened))
            })
            .await?;
        Ok(index.clone())
    }

    /// Where the index stands, read from it on first use; an index of another database (an
    /// old directory, a copy restored into a new database) or ahead of this one's log starts
    /// over.
    async fn search_position(&self, index: &SearchIndex) -> Result<(Position, bool)> {
        if let Some(p) = self.search.at.lock().unwrap_or_else(|e| e.into_inner()).clone() {
            return Ok((p, false));
        }
        let (epoch, version): (String, i64) =
            sqlx::query_as("SELECT l.epoch, p.content_version FROM search_log l CROSS JOIN publication p WHERE l.id = 1 AND p.id = 1").fetch_one(&mut *self.conn().await?).await?;
        match index.position()?.as_deref().and_then(Position::parse) {
            // An index ahead of the log was made from a later state of this database (an
            // older backup restored under it): what it holds cannot be trusted either.
            Some(p) if p.epoch == epoch && p.seq <= version => Ok((p, false)),
            _ => Ok((Position { epoch, seq: 0, article: 0 }, true)),
        }
    }

    fn set_search_position(&self, p: Option<Position>) {
        *self.search.at.lock().unwrap_or_else(|e| e.into_inner()) = p;
    }

    /// How many log entries (at most `limit`) come after `p`. Asked before every
    /// search, so the usual answer (none) comes from the ends of the log's index alone: its
    /// largest position, and whether the position `p` stopped in has more.
    async fn search_backlog(&self, p: &Position, limit: i64) -> Result<i64> {
        let ends: Option<(Option<i64>, i64)> = self
            .row("SELECT (SELECT MAX(seq) FROM search_changes), CASE WHEN EXISTS (SELECT 1 FROM search_changes WHERE seq = $1 AND article_id > $2) THEN 1 ELSE 0 END", &[Arg::Int(p.seq), Arg::Int(p.article)])
            .await?;
        let (last, more) = ends.ok_or(crate::db::StoreError::Db(sqlx::Error::RowNotFound))?;
        if last.unwrap_or(0) <= p.seq && more == 0 {
            return Ok(0);
        }
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM search_changes WHERE (seq, article_id) > ($1, $2) ORDER BY seq, article_id LIMIT $3) x")
            .bind(p.seq)
            .bind(p.article)
            .bind(limit)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(n)
    }

    /// Brings this server's search index up to date with the database's log; returns how many
    /// articles it read. The servers' background loop calls it every second.
    pub async fn sync_search(&self) -> Result<u64> {
        let index = self.search_index().await?;
        let _reading = self.search.reading.lock().await;
        let (mut p, mut clear) = self.search_position(&index).await?;
        let mut read = 0u64;
        // The next batch is read from the database while the index takes in this one.
        let mut next = self.search_batch(&p).await?;
        loop {
            let Some(batch) = next.take() else {
                if clear {
                    // An empty log and an index of another database: empty the index.
                    let index = index.clone();
                    let written = p.written();
                    spawn(move || index.apply(true, &[], &[], &written)).await?;
                }
                break;
            };
            let kept: HashSet<i64> = batch.docs.iter().map(|d| d.id).collect();
            let gone: Vec<i64> = batch.ids.iter().filter(|id| !kept.contains(id)).copied().collect();
            (p.seq, p.article) = batch.last;
            let (index, written, wipe, docs) = (index.clone(), p.written(), clear, batch.docs);
            let (applied, fetched) = tokio::join!(spawn(move || index.apply(wipe, &gone, &docs, &written)), self.search_batch(&p));
            applied?;
            clear = false;
            read += batch.ids.len() as u64;
            self.set_search_position(Some(p.clone()));
            self.search.generation.fetch_add(1, Ordering::SeqCst);
            next = fetched?;
        }
        self.set_search_position(Some(p));
        Ok(read)
    }

    /// The log's next [`BATCH`] entries after `after`, with the documents of those articles
    /// the index should hold (drafts and deleted articles have none); `None` at the log's end.
    async fn search_batch(&self, after: &Position) -> Result<Option<LogBatch>> {
        let rows: Vec<(i64, i64)> = sqlx::query_as("SELECT article_id, seq FROM search_changes WHERE (seq, article_id) > ($1, $2) ORDER BY seq, article_id LIMIT $3")
            .bind(after.seq)
            .bind(after.article)
            .bind(self.search.batch.load(Ordering::SeqCst))
            .fetch_all(&mut *self.conn().await?)
            .await?;
        let Some(&(last_id, last_seq)) = rows.last() else {
            return Ok(None);
        };
        let ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
        let docs = self.search_docs(&ids).await?;
        Ok(Some(LogBatch { ids, last: (last_seq, last_id), docs }))
    }

    /// The index, with every change committed before now in it when there are few; with many,
    /// a background read of them is started and the index is used as it is.
    async fn index_in_step(&self) -> Result<Arc<SearchIndex>> {
        let index = self.search_index().await?;
        let (p, _) = self.search_position(&index).await?;
        let backlog = self.search_backlog(&p, INLINE + 1).await?;
        if backlog == 0 {
            return Ok(index);
        }
        if backlog <= INLINE {
            // In a task of its own, so that a request given up midway cannot stop a write to
            // the index between reading the log and recording where it got to.
            // Through the pool: a handle with a connection of its own must not wait on one
            // (see `Store::pinned`), and its reads through rusqlite could not write.
            let store = self.unpinned();
            tokio::spawn(async move { store.sync_search().await }).await.map_err(|e| crate::db::StoreError::Task(e.to_string()))??;
        } else if !self.search.catching_up.swap(true, Ordering::SeqCst) {
            let store = self.unpinned();
            tokio::spawn(async move {
                if let Err(e) = store.sync_search().await {
                    tracing::warn!("reading the search log failed: {e}");
                }
                store.search.catching_up.store(false, Ordering::SeqCst);
            });
        }
        Ok(index)
    }

    /// Live articles matching `q`, best first, one page of them, with the number of all
    /// matches.
    pub async fn search(&self, q: &SearchQuery, filter: &SearchFilter, now: i64, limit: i64, offset: i64) -> Result<(Vec<SearchHit>, i64)> {
        let index = self.index_in_step().await?;
        let (ids, total) = {
            let (index, q, filter) = (index.clone(), q.clone(), filter.clone());
            spawn(move || index.search(&q, &filter, now, limit.max(0) as usize, offset.max(0) as usize)).await?
        };
        if ids.is_empty() {
            return Ok((Vec::new(), total as i64));
        }
        let sql = format!("SELECT {CARD_COLS}, a.body_html FROM articles a JOIN sections s ON s.id = a.section_id WHERE {LIVE} AND a.id IN ({})", placeholders(2, ids.len()));
        let mut args = vec![Arg::Int(now)];
        args.extend(ids.iter().map(|&id| Arg::Int(id)));
        let rows: Vec<WithBody> = self.rows(&sql, &args).await?;
        let mut found: HashMap<i64, WithBody> = rows.into_iter().map(|r| (r.card.id, r)).collect();
        let mut cards = Vec::with_capacity(ids.len());
        let mut bodies = Vec::with_capacity(ids.len());
        for id in &ids {
            if let Some(r) = found.remove(id) {
                cards.push(r.card);
                bodies.push(r.body_html);
            }
        }
        self.attach_authors(&mut cards).await?;
        let hits = cards
            .into_iter()
            .zip(bodies)
            .map(|(card, body)| SearchHit { headline: index.mark_all(q, &card.headline), snippet: index.snippet(q, &plain_text(&body)), card })
            .collect();
        Ok((hits, total as i64))
    }

    /// The index's documents for these articles: those that are not drafts, as stored now.
    async fn search_docs(&self, ids: &[i64]) -> Result<Vec<Doc>> {
        let mut docs = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let list = placeholders(1, chunk.len());
            let sql = format!(
                "SELECT a.id, a.headline, a.deck, a.body_html, COALESCE(f.title, ''), COALESCE(f.original_title, ''), a.section_id, COALESCE(a.publish_at, 9223372036854775807) FROM articles a LEFT JOIN films f ON f.id = a.film_id WHERE a.id IN ({list}) AND a.status <> 'draft' ORDER BY a.id"
            );
            let mut q = sqlx::query_as::<_, (i64, String, String, String, String, String, i64, i64)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            let mut part: Vec<Doc> = q
                .fetch_all(&mut *self.conn().await?)
                .await?
                .into_iter()
                .map(|(id, headline, deck, html, title, original, section_id, publish_at)| {
                    let film = if original.is_empty() || original == title { title } else { format!("{title} / {original}") };
                    Doc { id, headline, deck, film, body: plain_text(&html), section_id, publish_at, ..Default::default() }
                })
                .collect();
            let at: HashMap<i64, usize> = part.iter().enumerate().map(|(i, d)| (d.id, i)).collect();
            let sql = format!("SELECT aa.article_id, aa.author_id, au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN ({list}) ORDER BY aa.article_id, aa.position");
            let mut q = sqlx::query_as::<_, (i64, i64, String)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            let rows = q.fetch_all(&mut *self.conn().await?).await?;
            for (article, author, name) in rows {
                if let Some(d) = at.get(&article).map(|i| &mut part[*i]) {
                    d.author_ids.push(author);
                    if !d.people.is_empty() {
                        d.people.push_str(", ");
                    }
                    d.people.push_str(&name);
                }
            }
            let sql = format!("SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN ({list}) ORDER BY at.article_id, at.position");
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            let rows = q.fetch_all(&mut *self.conn().await?).await?;
            for (article, name) in rows {
                if let Some(d) = at.get(&article).map(|i| &mut part[*i]) {
                    if !d.tags.is_empty() {
                        d.tags.push_str(", ");
                    }
                    d.tags.push_str(&name);
                }
            }
            docs.extend(part);
        }
        Ok(docs)
    }

    /// Notes every article in the log and reads them all into this server's index; returns
    /// how many articles the index then holds.
    pub async fn rebuild_search_index(&self) -> Result<u64> {
        self.note_all_for_search().await?;
        self.sync_search().await?;
        Ok(self.search_index().await?.len())
    }

    /// Notes every article in the search log, for every server to read into its index (after
    /// a restore, which writes the tables directly).
    pub async fn note_all_for_search(&self) -> Result<()> {
        let mut after = 0i64;
        loop {
            let ids: Vec<i64> = sqlx::query_as::<_, (i64,)>("SELECT id FROM articles WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(BATCH)
                .fetch_all(&mut *self.conn().await?)
                .await?
                .into_iter()
                .map(|(id,)| id)
                .collect();
            let Some(last) = ids.last() else { break };
            after = *last;
            let _write = self.write_guard().await;
            let mut tx = self.begin_write().await?;
            note(&mut tx, &ids).await?;
            tx.commit().await?;
        }
        Ok(())
    }
}

/// Runs index work off the async threads.
async fn spawn<T: Send + 'static>(f: impl FnOnce() -> marquee_search::Result<T> + Send + 'static) -> Result<T> {
    Ok(tokio::task::spawn_blocking(f).await.map_err(|e| crate::db::StoreError::Task(e.to_string()))??)
}

/// One read of the search log: the articles named, the position of the last, their documents.
struct LogBatch {
    ids: Vec<i64>,
    last: (i64, i64),
    docs: Vec<Doc>,
}

#[derive(sqlx::FromRow)]
struct WithBody {
    #[sqlx(flatten)]
    card: ArticleCard,
    body_html: String,
}

impl crate::lite::LiteRow for WithBody {
    fn columns(stmt: &rusqlite::Statement<'_>) -> rusqlite::Result<Vec<usize>> {
        let mut at = ArticleCard::columns(stmt)?;
        at.push(stmt.column_index("body_html")?);
        Ok(at)
    }
    fn from_lite(row: &rusqlite::Row<'_>, at: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
        Ok(WithBody { card: ArticleCard::from_lite(row, at)?, body_html: row.get(crate::lite::next(at)?)? })
    }
}

/// Notes in the search log, inside `tx`, that these articles changed (or were deleted). The
/// position is the next content version, so the content version moves too.
pub(crate) async fn note(tx: &mut Transaction<'_, Any>, ids: &[i64]) -> Result<()> {
    if ids.is_empty() {
        return Ok(());
    }
    let (seq,): (i64,) = sqlx::query_as("UPDATE publication SET content_version = content_version + 1 WHERE id = 1 RETURNING content_version").fetch_one(&mut **tx).await?;
    let mut ids = ids.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let mut values = Vec::with_capacity(ids.len() * 2);
    for id in &ids {
        values.extend([Arg::Int(*id), Arg::Int(seq)]);
    }
    insert_many(tx, "search_changes (article_id, seq)", "ON CONFLICT (article_id) DO UPDATE SET seq = excluded.seq", 2, &values).await
}

/// The articles that name this author, review this film or carry this tag, for re-indexing
/// after a change. It first takes the publication row that [`note`] updates, so a save that
/// adds this author, film or tag to another article meanwhile commits after this transaction
/// and notes that article itself, to be read with the new name.
pub(crate) async fn articles_where(tx: &mut Transaction<'_, Any>, column: Related, id: i64) -> Result<Vec<i64>> {
    sqlx::query("UPDATE publication SET content_version = content_version WHERE id = 1").execute(&mut **tx).await?;
    let sql = match column {
        Related::Author => "SELECT article_id FROM article_authors WHERE author_id = $1",
        Related::Film => "SELECT id FROM articles WHERE film_id = $1",
        Related::Tag => "SELECT article_id FROM article_tags WHERE tag_id = $1",
    };
    Ok(sqlx::query_as::<_, (i64,)>(sql).bind(id).fetch_all(&mut **tx).await?.into_iter().map(|(a,)| a).collect())
}

#[derive(Clone, Copy)]
pub(crate) enum Related {
    Author,
    Film,
    Tag,
}
