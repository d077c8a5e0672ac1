//! Full-text search over articles with the database's own engine: SQLite FTS5 or PostgreSQL
//! tsvector with a GIN index (migration 0006). `search_docs` holds one row for every article
//! that is not a draft, rewritten by [`reindex`] inside the transaction of every change to an
//! article, its byline, its film or an author's name. Searches add the LIVE condition, so a
//! scheduled article is found once its time comes and a draft never is.
//!
//! Ranking: score = relevance × (1 + 0.3 / (1 + age in days / 365)). Relevance is FTS5's
//! bm25() with column weights headline 10, deck, film and authors 4, tags 2, body 1, or
//! PostgreSQL's ts_rank() with weights A 1.0, B 0.4, C 0.2, D 0.1 (the same proportions)
//! and length normalization 1. The recency factor is 1.3 for an article published today,
//! 1.15 at a year old and falls towards 1: at equal relevance the newer article comes first,
//! while a headline match still outranks a body-only one.

use crate::cards::{ArticleCard, CARD_COLS, LIVE};
use crate::db::{insert_many, insert_rows, placeholders, Arg};
use crate::db::{Backend, Result, Store};
use marquee_domain::search::{plain_text, SearchQuery, LT_STAND_IN, MARK_END, MARK_START};
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// Narrows a search; every filter given must hold.
#[derive(Debug, Clone, Default)]
pub struct SearchFilter {
    pub section_id: Option<i64>,
    pub author_id: Option<i64>,
    /// Published at or after this instant.
    pub from: Option<i64>,
    /// Published before this instant.
    pub to: Option<i64>,
}

/// One result: the article, its headline and a passage of its body, in which
/// [`MARK_START`] and [`MARK_END`] surround the matches (plain text, not HTML).
#[derive(Debug, Clone, serde::Serialize)]
pub struct SearchHit {
    pub card: ArticleCard,
    pub headline: String,
    pub snippet: String,
}

/// The recency factor of the ranking ($1 is now; 31,536,000 seconds are 365 days).
const RECENCY: &str = "(1.0 + 0.3 / (1.0 + CAST($1 - a.publish_at AS DOUBLE PRECISION) / 31536000.0))";
/// Articles per statement when the index is rewritten.
const BATCH: usize = 200;

/// The parts of a search statement that differ between the engines.
struct Engine {
    /// The matching articles' ids with their relevance, for the query bound as $2.
    ranked: &'static str,
    /// How the articles join them. SQLite's CROSS JOIN keeps the full-text index in the
    /// lead, rather than a filter on articles whose every row would run the MATCH again.
    join: &'static str,
    /// The column of `search_docs` that holds the article's id.
    id: &'static str,
}

const FTS5: Engine = Engine {
    ranked: "SELECT rowid AS id, -bm25(search_docs, 10.0, 4.0, 4.0, 4.0, 2.0, 1.0) AS score FROM search_docs WHERE search_docs MATCH $2",
    join: "CROSS JOIN",
    id: "rowid",
};

const TSVECTOR: Engine = Engine {
    ranked: "SELECT d.article_id AS id, ts_rank(d.doc, query, 1) AS score FROM search_docs d CROSS JOIN to_tsquery('english', $2) query WHERE d.doc @@ query",
    join: "JOIN",
    id: "article_id",
};

fn engine(backend: Backend) -> &'static Engine {
    match backend {
        Backend::Sqlite => &FTS5,
        Backend::Postgres => &TSVECTOR,
    }
}

impl Store {

    fn engine_query(&self, q: &SearchQuery) -> String {
        match self.backend {
            Backend::Sqlite => q.to_fts5(),
            Backend::Postgres => q.to_tsquery(),
        }
    }

    /// Live articles matching `q`, best first, one page of them, with the number of all
    /// matches.
    pub async fn search(&self, q: &SearchQuery, filter: &SearchFilter, now: i64, limit: i64, offset: i64) -> Result<(Vec<SearchHit>, i64)> {
        let engine = engine(self.backend);
        let query = self.engine_query(q);
        let mut conditions = String::new();
        let mut args: Vec<i64> = Vec::new();
        let mut add = |sql: &str, value: Option<i64>| {
            if let Some(v) = value {
                args.push(v);
                conditions.push_str(&sql.replace("$n", &format!("${}", args.len() + 2)));
            }
        };
        add(" AND a.section_id = $n", filter.section_id);
        add(" AND EXISTS (SELECT 1 FROM article_authors f WHERE f.article_id = a.id AND f.author_id = $n)", filter.author_id);
        add(" AND a.publish_at >= $n", filter.from);
        add(" AND a.publish_at < $n", filter.to);
        let from = format!("({}) m {} articles a ON a.id = m.id", engine.ranked, engine.join);
        let n = args.len() + 3;
        // The total comes with the page (a window over all matches) rather than from a
        // second pass over them; only a page past the end needs the count on its own.
        let sql = format!(
            "SELECT {CARD_COLS}, COUNT(*) OVER () AS total FROM {from} JOIN sections s ON s.id = a.section_id WHERE {LIVE}{conditions} ORDER BY m.score * {RECENCY} DESC, a.publish_at DESC, a.id DESC LIMIT ${n} OFFSET ${}",
            n + 1
        );
        let mut rows = sqlx::query_as::<_, Ranked>(&sql).bind(now).bind(&query);
        for a in &args {
            rows = rows.bind(a);
        }
        let rows = rows.bind(limit).bind(offset).fetch_all(&self.pool).await?;
        let total = match rows.first() {
            Some(r) => r.total,
            None if offset == 0 => 0,
            None => {
                let count_sql = format!("SELECT COUNT(*) FROM {from} WHERE {LIVE}{conditions}");
                let mut count = sqlx::query_as::<_, (i64,)>(&count_sql).bind(now).bind(&query);
                for a in &args {
                    count = count.bind(a);
                }
                count.fetch_one(&self.pool).await?.0
            }
        };
        let mut cards: Vec<ArticleCard> = rows.into_iter().map(|r| r.card).collect();
        self.attach_authors(&mut cards).await?;
        let mut marked = self.highlights(&query, &cards).await?;
        let hits = cards
            .into_iter()
            .map(|card| {
                let (headline, snippet) = marked.remove(&card.id).unwrap_or_else(|| (card.headline.clone(), String::new()));
                SearchHit { card, headline, snippet }
            })
            .collect();
        Ok((hits, total))
    }

    /// The headline with its matches marked and the passage of the body that matches best,
    /// for the articles on one page of results only.
    async fn highlights(&self, query: &str, cards: &[ArticleCard]) -> Result<HashMap<i64, (String, String)>> {
        if cards.is_empty() {
            return Ok(HashMap::new());
        }
        let ids = placeholders(4, cards.len());
        let (sql, start, stop) = match self.backend {
            Backend::Sqlite => (
                format!("SELECT rowid, highlight(search_docs, 0, $2, $3), snippet(search_docs, 5, $2, $3, '…', 40) FROM search_docs WHERE search_docs MATCH $1 AND rowid IN ({ids})"),
                MARK_START.to_string(),
                MARK_END.to_string(),
            ),
            // ts_headline reads `<` as the start of a tag, so it sees a stand-in (mapped back
            // below); its options are bound as $2 (headline) and $3 (body).
            Backend::Postgres => (
                format!(
                    "SELECT d.article_id, ts_headline('english', replace(d.headline, '<', '{LT_STAND_IN}'), query, $2), ts_headline('english', replace(d.body, '<', '{LT_STAND_IN}'), query, $3) FROM search_docs d CROSS JOIN to_tsquery('english', $1) query WHERE d.article_id IN ({ids})"
                ),
                format!("StartSel={MARK_START}, StopSel={MARK_END}, HighlightAll=true"),
                format!("StartSel={MARK_START}, StopSel={MARK_END}, MaxFragments=2, MaxWords=24, MinWords=12, FragmentDelimiter=\" … \""),
            ),
        };
        let mut q = sqlx::query_as::<_, (i64, String, String)>(&sql).bind(query).bind(start).bind(stop);
        for c in cards {
            q = q.bind(c.id);
        }
        let back = |s: String| s.replace(LT_STAND_IN, "<");
        Ok(q.fetch_all(&self.pool).await?.into_iter().map(|(id, h, s)| (id, (back(h), back(s)))).collect())
    }

    /// Rewrites the whole search index from the articles, a batch per transaction, and
    /// returns how many articles it holds.
    pub async fn rebuild_search_index(&self) -> Result<u64> {
        let mut after = 0i64;
        let mut indexed = 0u64;
        loop {
            let ids: Vec<i64> = sqlx::query_as::<_, (i64,)>("SELECT id FROM articles WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(BATCH as i64 * 5)
                .fetch_all(&self.pool)
                .await?
                .into_iter()
                .map(|(id,)| id)
                .collect();
            let Some(last) = ids.last() else { break };
            after = *last;
            let _write = self.write_guard().await;
            let mut tx = self.begin_write().await?;
            indexed += reindex(&mut tx, self.backend, &ids).await?;
            tx.commit().await?;
        }
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(indexed)
    }

    /// Builds the index of a database that has articles but no index yet (one made before
    /// search existed).
    pub(crate) async fn build_search_index_if_missing(&self) -> Result<()> {
        let (docs,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM search_docs LIMIT 1) x").fetch_one(&self.pool).await?;
        let (articles,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM (SELECT 1 FROM articles WHERE status <> 'draft' LIMIT 1) x").fetch_one(&self.pool).await?;
        if docs == 0 && articles > 0 {
            let n = self.rebuild_search_index().await?;
            tracing::info!("built the search index: {n} articles");
        }
        Ok(())
    }
}

#[derive(sqlx::FromRow)]
struct Ranked {
    #[sqlx(flatten)]
    card: ArticleCard,
    total: i64,
}

/// One article as the index holds it.
/// What the index holds of one article: its headline, deck, film titles, author names and tag
/// names in byline and tag order, and its body as plain text (`search::plain_text`).
pub(crate) struct Doc {
    pub(crate) id: i64,
    pub(crate) headline: String,
    pub(crate) deck: String,
    pub(crate) film: String,
    pub(crate) people: Vec<String>,
    pub(crate) tags: Vec<String>,
    pub(crate) body: String,
}

/// Writes the index rows of articles that have none yet (new in this transaction and not
/// drafts), from what the caller has in hand instead of reading them back: the import's way.
pub(crate) async fn index_new(tx: &mut Transaction<'_, Any>, backend: Backend, docs: &[Doc]) -> Result<()> {
    insert_docs(tx, backend, docs).await
}

/// Rewrites the index rows of these articles inside `tx`: a draft's row is removed, every
/// other article's row is written from what is stored now. On PostgreSQL the articles' rows
/// are locked first, so two transactions re-indexing one article take turns. Returns how many
/// rows were written.
pub(crate) async fn reindex(tx: &mut Transaction<'_, Any>, backend: Backend, ids: &[i64]) -> Result<u64> {
    let mut written = 0;
    for chunk in ids.chunks(BATCH) {
        let list = placeholders(1, chunk.len());
        let lock = if backend == Backend::Postgres { " FOR UPDATE OF a" } else { "" };
        let sql = format!(
            "SELECT a.id, a.headline, a.deck, a.body_html, COALESCE(f.title, ''), COALESCE(f.original_title, '') FROM articles a LEFT JOIN films f ON f.id = a.film_id WHERE a.id IN ({list}) AND a.status <> 'draft' ORDER BY a.id{lock}"
        );
        let mut q = sqlx::query_as::<_, (i64, String, String, String, String, String)>(&sql);
        for id in chunk {
            q = q.bind(id);
        }
        let mut docs: Vec<Doc> = q
            .fetch_all(&mut **tx)
            .await?
            .into_iter()
            .map(|(id, headline, deck, html, title, original)| {
                let film = if original.is_empty() || original == title { title } else { format!("{title} / {original}") };
                Doc { id, headline, deck, film, people: Vec::new(), tags: Vec::new(), body: plain_text(&html) }
            })
            .collect();
        for (table, sql) in [
            ("authors", "SELECT aa.article_id, au.name FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id IN ({list}) ORDER BY aa.article_id, aa.position"),
            ("tags", "SELECT at.article_id, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN ({list}) ORDER BY at.article_id, at.position"),
        ] {
            let sql = sql.replace("{list}", &list);
            let mut q = sqlx::query_as::<_, (i64, String)>(&sql);
            for id in chunk {
                q = q.bind(id);
            }
            let mut names: HashMap<i64, Vec<String>> = HashMap::new();
            for (id, name) in q.fetch_all(&mut **tx).await? {
                names.entry(id).or_default().push(name);
            }
            for d in docs.iter_mut() {
                let list = names.remove(&d.id).unwrap_or_default();
                if table == "authors" {
                    d.people = list;
                } else {
                    d.tags = list;
                }
            }
        }
        let del_sql = format!("DELETE FROM search_docs WHERE {} IN ({list})", engine(backend).id);
        let mut del = sqlx::query(&del_sql);
        for id in chunk {
            del = del.bind(id);
        }
        del.execute(&mut **tx).await?;
        insert_docs(tx, backend, &docs).await?;
        written += docs.len() as u64;
    }
    Ok(written)
}

/// Writes index entries, many to a statement.
async fn insert_docs(tx: &mut Transaction<'_, Any>, backend: Backend, docs: &[Doc]) -> Result<()> {
    match backend {
        Backend::Sqlite => {
            let joined: Vec<(String, String)> = docs.iter().map(|d| (d.people.join(", "), d.tags.join(", "))).collect();
            let mut values = Vec::with_capacity(docs.len() * 7);
            for (d, (people, tags)) in docs.iter().zip(&joined) {
                values.extend([Arg::Int(d.id), Arg::Text(&d.headline), Arg::Text(&d.deck), Arg::Text(&d.film), Arg::Text(people), Arg::Text(tags), Arg::Text(&d.body)]);
            }
            insert_many(tx, "search_docs (rowid, headline, deck, film, people, tags, body)", "", 7, &values).await
        }
        Backend::Postgres => {
            use marquee_domain::search::fold;
            // Folded text for the four weights: the headline; deck, film and people; tags; body.
            let folded: Vec<[String; 4]> = docs
                .iter()
                .map(|d| [fold(&d.headline), fold(&format!("{}\n{}\n{}", d.deck, d.film, d.people.join(", "))), fold(&d.tags.join(", ")), fold(&d.body)])
                .collect();
            let mut values = Vec::with_capacity(docs.len() * 7);
            for (d, f) in docs.iter().zip(&folded) {
                values.extend([Arg::Int(d.id), Arg::Text(&d.headline), Arg::Text(&d.body), Arg::Text(&f[0]), Arg::Text(&f[1]), Arg::Text(&f[2]), Arg::Text(&f[3])]);
            }
            let row = "(?, ?, ?, setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('english', ?), 'B') || setweight(to_tsvector('english', ?), 'C') || setweight(to_tsvector('english', ?), 'D'))";
            insert_rows(tx, "search_docs (article_id, headline, body, doc)", "", row, &values).await
        }
    }
}

/// The articles that name this author, review this film or carry this tag, for re-indexing
/// after a change.
pub(crate) async fn articles_where(tx: &mut Transaction<'_, Any>, column: Related, id: i64) -> Result<Vec<i64>> {
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
