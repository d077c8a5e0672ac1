use crate::cards::{ArticleCard, AuthorRef, TagRef, CARD_COLS, LIVE, LIVE_FROM_A_PLACE};
use crate::db::{placeholders, Arg, Backend, Result, Store, StoreError};
use crate::redirects::add_redirect;
use sqlx::{Any, FromRow, Transaction};
use std::collections::HashMap;




/// Everything the article page shows.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ArticlePage {
    #[sqlx(flatten)]
    pub card: ArticleCard,
    pub section_id: i64,
    pub body_html: String,
    pub status: String,
    pub revised_at: Option<i64>,
    pub film_id: Option<i64>,
    pub rating: Option<i64>,
    pub comments_open: i64,
    pub lead_media_id: Option<i64>,
    #[sqlx(skip)]
    pub tags: Vec<TagRef>,
}

/// An article as the newsroom edits it, in any state.
impl crate::lite::LiteRow for ArticlePage {
    fn columns(stmt: &rusqlite::Statement<'_>) -> rusqlite::Result<Vec<usize>> {
        let mut at = ArticleCard::columns(stmt)?;
        for name in ["section_id", "body_html", "status", "revised_at", "film_id", "rating", "comments_open", "lead_media_id"] {
            at.push(stmt.column_index(name)?);
        }
        Ok(at)
    }
    fn from_lite(row: &rusqlite::Row<'_>, at: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
        use crate::lite::next;
        Ok(ArticlePage {
            card: ArticleCard::from_lite(row, at)?,
            section_id: row.get(next(at)?)?,
            body_html: row.get(next(at)?)?,
            status: row.get(next(at)?)?,
            revised_at: row.get(next(at)?)?,
            film_id: row.get(next(at)?)?,
            rating: row.get(next(at)?)?,
            comments_open: row.get(next(at)?)?,
            lead_media_id: row.get(next(at)?)?,
            tags: Vec::new(),
        })
    }
}

/// The columns of an [`ArticlePage`] after its card's ([`CARD_COLS`]).
const PAGE_COLS: &str = "a.section_id, a.body_html, a.status, a.revised_at, a.film_id, a.rating, a.comments_open, a.lead_media_id";

/// An [`ArticlePage`] with its byline and tags as the JSON of `Store::refs_cols`.
#[derive(FromRow)]
struct PageRow {
    #[sqlx(flatten)]
    page: ArticlePage,
    byline: String,
    tag_refs: String,
}

impl crate::lite::LiteRow for PageRow {
    fn columns(stmt: &rusqlite::Statement<'_>) -> rusqlite::Result<Vec<usize>> {
        let mut at = ArticlePage::columns(stmt)?;
        at.push(stmt.column_index("byline")?);
        at.push(stmt.column_index("tag_refs")?);
        Ok(at)
    }
    fn from_lite(row: &rusqlite::Row<'_>, at: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
        use crate::lite::next;
        Ok(PageRow { page: ArticlePage::from_lite(row, at)?, byline: row.get(next(at)?)?, tag_refs: row.get(next(at)?)? })
    }
}

impl PageRow {
    fn into_page(self) -> Result<ArticlePage> {
        let refs = |json: &str| -> Result<Vec<(i64, String, String)>> {
            serde_json::from_str(json).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
        };
        let mut page = self.page;
        page.card.authors = refs(&self.byline)?.into_iter().map(|(id, slug, name)| AuthorRef { id, slug, name }).collect();
        page.tags = refs(&self.tag_refs)?.into_iter().map(|(id, slug, name)| TagRef { id, slug, name }).collect();
        Ok(page)
    }
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ArticleRecord {
    pub id: i64,
    pub section_id: i64,
    pub section_slug: String,
    pub slug: String,
    pub headline: String,
    pub deck: String,
    pub body: String,
    pub status: String,
    pub publish_at: Option<i64>,
    pub revised_at: Option<i64>,
    pub created_by: Option<i64>,
    pub updated_at: i64,
    pub film_id: Option<i64>,
    pub rating: Option<i64>,
    pub film_title: Option<String>,
    pub film_year: Option<i64>,
    pub featured: i64,
    pub lead_media_id: Option<i64>,
    /// The lead image's content key.
    pub lead_media_key: Option<String>,
    #[sqlx(skip)]
    pub author_ids: Vec<i64>,
    #[sqlx(skip)]
    pub tags: Vec<String>,
}

/// A row of the newsroom's article list.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ArticleSummary {
    pub id: i64,
    pub section_slug: String,
    pub section_name: String,
    pub slug: String,
    pub headline: String,
    pub status: String,
    pub publish_at: Option<i64>,
    pub updated_at: i64,
    pub created_by: Option<i64>,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct RevisionSummary {
    pub number: i64,
    pub headline: String,
    pub status: String,
    pub created_at: i64,
    pub created_by_name: Option<String>,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Revision {
    pub article_id: i64,
    pub number: i64,
    pub headline: String,
    pub deck: String,
    pub slug: String,
    pub section_id: i64,
    pub body: String,
    /// Tag names, one per line.
    pub tags: String,
    /// Author ids in byline order, comma separated.
    pub author_ids: String,
    pub status: String,
    pub created_at: i64,
}

/// Which live articles a listing shows.
#[derive(Debug, Clone, Copy)]
pub enum Listing {
    All,
    Section(i64),
    Author(i64),
    Tag(i64),
    /// Reviews of a film.
    Film(i64),
}

impl Listing {
    /// What the listing's ids are read from, newest first: a `FROM ... WHERE ...` whose rows
    /// are the live articles (`$1` is now) of this listing (`$2`, bound to the returned id),
    /// and the columns its order goes by (`time`, then `id`), which an index of the listing
    /// holds in that order. Author and tag archives walk the byline and tag rows, which carry
    /// their article's publication time (`listed_at`, migration 0020).
    /// `from_a_place` when the walk starts at a place in the listing (a [`Seek`] cursor).
    fn sql(self, from_a_place: bool) -> (String, &'static str, &'static str, Option<i64>) {
        // (Only the rows the listing is read from are filtered: a second `LIVE` on the page's
        // articles leads SQLite to scan every live article for the home page.)
        let live = if from_a_place { LIVE_FROM_A_PLACE } else { LIVE };
        let up_to_now = if from_a_place { "+f.listed_at <= $1" } else { "f.listed_at <= $1" };
        let articles = |filter: &str| format!("FROM articles a WHERE {live}{filter}");
        let by = |table: &str, column: &str| format!("FROM {table} f WHERE f.{column} = $2 AND {up_to_now}");
        match self {
            Listing::All => (articles(""), "a.publish_at", "a.id", None),
            Listing::Section(id) => (articles(" AND a.section_id = $2"), "a.publish_at", "a.id", Some(id)),
            Listing::Author(id) => (by("article_authors", "author_id"), "f.listed_at", "f.article_id", Some(id)),
            Listing::Tag(id) => (by("article_tags", "tag_id"), "f.listed_at", "f.article_id", Some(id)),
            Listing::Film(id) => (articles(" AND a.film_id = $2"), "a.publish_at", "a.id", Some(id)),
        }
    }
}

/// Where a page of a listing begins. A listing's order is its articles' publication times,
/// newest first, then their ids, so an article's (time, id) marks one place in it for good.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seek {
    /// After the first this many articles: a page number typed into the address.
    Skip(i64),
    /// The articles that come after this (time, id) in the listing: older ones.
    Older(i64, i64),
    /// The articles just before this (time, id): the nearest newer ones.
    Newer(i64, i64),
    /// The articles after this (time, id), less the first this many of them: a page number
    /// typed in, walked from a mark near it ([`Store::listing_marks`]) instead of the top.
    OlderSkip(i64, i64, i64),
}

impl Seek {
    /// The top of a listing.
    pub const FIRST: Seek = Seek::Skip(0);
}

/// A card and the listing of [`Store::live_fronts`] it was read for.
#[derive(FromRow)]
struct FrontRow {
    k: i64,
    #[sqlx(flatten)]
    card: ArticleCard,
}

/// An article as a feed carries it: the card, the whole body and what changes it.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct FeedArticle {
    #[sqlx(flatten)]
    pub card: ArticleCard,
    pub body_html: String,
    pub revised_at: Option<i64>,
    /// When the row was made; never changes, so feed ids can be built on it.
    pub created_at: i64,
    #[sqlx(skip)]
    pub tags: Vec<TagRef>,
}

impl FeedArticle {
    /// The article's last change readers could see: its publication or a later revision.
    pub fn updated_at(&self) -> i64 {
        self.revised_at.map_or(self.card.publish_at, |r| r.max(self.card.publish_at))
    }
}

/// A complete, already-validated article to store.
pub struct ArticleWrite<'a> {
    pub id: Option<i64>,
    pub section_id: i64,
    pub slug: &'a str,
    pub headline: &'a str,
    pub deck: &'a str,
    pub body: &'a str,
    /// Sanitized HTML rendered from `body`.
    pub body_html: &'a str,
    pub status: &'a str,
    pub publish_at: Option<i64>,
    pub author_ids: &'a [i64],
    /// (slug, name) pairs in order.
    pub tags: &'a [(String, String)],
    /// The film a review is about.
    pub film_id: Option<i64>,
    /// 1 to 5 stars, for a review the paper rates.
    pub rating: Option<i64>,
    pub user_id: Option<i64>,
    /// Featured on the home page and in the API's `featured` filter; `None` keeps it as is.
    pub featured: Option<bool>,
    /// Save only if the article's last change is still this one (Unix seconds), so that two
    /// editors working on one article do not overwrite each other (the API's `updated_at`).
    pub unchanged_since: Option<i64>,
    /// The slug was proposed from the headline, not chosen: a new article whose slug is taken
    /// in its section gets `slug-2`, `slug-3`... instead of [`SaveError::DuplicateSlug`].
    pub slug_proposed: bool,
    /// The lead image (a media library item): `None` keeps the article's as it is,
    /// `Some(None)` removes it.
    pub lead_media_id: Option<Option<i64>>,
    pub now: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaveError {
    DuplicateSlug,
    UnknownSection,
    UnknownAuthor,
    UnknownFilm,
    UnknownMedia,
    NotFound,
    /// Someone saved the article after `unchanged_since`.
    Changed,
}


impl Store {
    /// Live articles, newest first: up to `limit` of them from where `seek` says. Counts
    /// nothing: a listing that shows how many pages it has asks [`Store::live_article_count`].
    pub async fn live_articles(&self, listing: Listing, now: i64, limit: i64, seek: Seek) -> Result<Vec<ArticleCard>> {
        let (from, time, id, arg) = listing.sql(!matches!(seek, Seek::Skip(_)));
        let n = if arg.is_some() { 3 } else { 2 };
        // The page's ids first, walking an index in the listing's order (migrations 0017 and
        // 0020) without reading the articles skipped over; then those articles. A cursor
        // starts the walk at its article, so a page deep in an archive costs what the first
        // does; only a page number typed in skips entries of the index one by one.
        let limit = limit.max(0);
        let (bound, order, extra) = match seek {
            Seek::Skip(offset) => (String::new(), "DESC", format!(" OFFSET {}", offset.max(0))),
            Seek::Older(..) => (format!(" AND ({time}, {id}) < (${n}, ${})", n + 1), "DESC", String::new()),
            Seek::OlderSkip(_, _, skip) => (format!(" AND ({time}, {id}) < (${n}, ${})", n + 1), "DESC", format!(" OFFSET {}", skip.max(0))),
            Seek::Newer(..) => (format!(" AND ({time}, {id}) > (${n}, ${})", n + 1), "ASC", String::new()),
        };
        // The limit and offset are written into the statement rather than bound: with a bound
        // LIMIT, PostgreSQL cannot tell that its generic plan is cheap and plans the prepared
        // statement again on every run (0.23 ms, four times the walk itself at 100,000
        // articles); written in, each connection plans it once per number.
        let sql = format!(
            "SELECT {CARD_COLS} FROM (SELECT {id} AS id {from}{bound} ORDER BY {time} {order}, {id} {order} LIMIT {limit}{extra}) p \
             JOIN articles a ON a.id = p.id JOIN sections s ON s.id = a.section_id ORDER BY a.publish_at DESC, a.id DESC"
        );
        let mut q = sqlx::query_as::<_, ArticleCard>(&sql).bind(now);
        if let Some(id) = arg {
            q = q.bind(id);
        }
        if let Seek::Older(t, i) | Seek::Newer(t, i) | Seek::OlderSkip(t, i, _) = seek {
            q = q.bind(t).bind(i);
        }
        let mut cards = q.fetch_all(&mut *self.conn().await?).await?;
        self.attach_authors(&mut cards).await?;
        Ok(cards)
    }

    /// The newest live articles of several listings at once (the home page's lead stories
    /// and each section's): `limit` of each, in the order asked, each newest first. One
    /// statement for all of them and one for their bylines, instead of two per listing.
    pub async fn live_fronts(&self, listings: &[(Listing, i64)], now: i64) -> Result<Vec<Vec<ArticleCard>>> {
        if listings.is_empty() {
            return Ok(Vec::new());
        }
        // Each listing's ids walk its own index as `live_articles` does; `k` says whose they
        // are. Only the listings' arguments are bound ($1 is now); limits are written in.
        let mut parts = Vec::with_capacity(listings.len());
        let mut binds: Vec<i64> = Vec::new();
        let mut n = 2;
        for (k, (listing, limit)) in listings.iter().enumerate() {
            let (from, time, id, arg) = listing.sql(false);
            // The listing's argument is its `$2`, numbered here in turn.
            let from = match arg {
                Some(a) => {
                    binds.push(a);
                    n += 1;
                    from.replace("$2", &format!("${}", n - 1))
                }
                None => from,
            };
            let limit = (*limit).max(0);
            parts.push(format!("SELECT CAST({k} AS BIGINT) AS k, id FROM (SELECT {id} AS id {from} ORDER BY {time} DESC, {id} DESC LIMIT {limit}) l{k}"));
        }
        let sql = format!(
            "SELECT p.k, {CARD_COLS} FROM ({}) p JOIN articles a ON a.id = p.id JOIN sections s ON s.id = a.section_id ORDER BY p.k, a.publish_at DESC, a.id DESC",
            parts.join(" UNION ALL ")
        );
        let mut q = sqlx::query_as::<_, FrontRow>(&sql).bind(now);
        for b in binds {
            q = q.bind(b);
        }
        let rows = q.fetch_all(&mut *self.conn().await?).await?;
        let mut cards: Vec<ArticleCard> = rows.iter().map(|r| r.card.clone()).collect();
        self.attach_authors(&mut cards).await?;
        let mut fronts = vec![Vec::new(); listings.len()];
        for (row, card) in rows.iter().zip(cards) {
            if let Some(front) = usize::try_from(row.k).ok().and_then(|k| fronts.get_mut(k)) {
                front.push(card);
            }
        }
        Ok(fronts)
    }

    /// Marks in a listing for reaching a typed page number without walking every entry
    /// before it: the (time, id) of every `every`-th live article, up to `count` of them,
    /// counting from the one after `after` (or from the top). Fewer than `count` marks means
    /// the listing ends before the last one. Walks the listing's index once, as far as the
    /// last mark; the caller keeps the marks until content changes, so a page deep in the
    /// list is then read from the mark before it ([`Seek::OlderSkip`]).
    pub async fn listing_marks(&self, listing: Listing, now: i64, after: Option<(i64, i64)>, every: i64, count: i64) -> Result<Vec<(i64, i64)>> {
        let every = every.max(1);
        let (from, time, id, arg) = listing.sql(after.is_some());
        let n = if arg.is_some() { 3 } else { 2 };
        let bound = if after.is_some() { format!(" AND ({time}, {id}) < (${n}, ${})", n + 1) } else { String::new() };
        // The row numbers follow the walk's own order, so neither database sorts again.
        let sql = format!(
            "SELECT t, id FROM (SELECT t, id, ROW_NUMBER() OVER (ORDER BY t DESC, id DESC) AS n FROM \
             (SELECT {time} AS t, {id} AS id {from}{bound} ORDER BY {time} DESC, {id} DESC LIMIT {}) w) r WHERE n % {every} = 0 ORDER BY n",
            every * count.max(0)
        );
        let mut q = sqlx::query_as::<_, (i64, i64)>(&sql).bind(now);
        if let Some(a) = arg {
            q = q.bind(a);
        }
        if let Some((t, i)) = after {
            q = q.bind(t).bind(i);
        }
        Ok(q.fetch_all(&mut *self.conn().await?).await?)
    }

    /// How many live articles a listing has (for its page count): a walk of the listing's
    /// index, so its cost grows with the listing.
    pub async fn live_article_count(&self, listing: Listing, now: i64) -> Result<i64> {
        let (from, _, _, arg) = listing.sql(false);
        let count_sql = format!("SELECT COUNT(*) {from}");
        let mut cq = sqlx::query_as::<_, (i64,)>(&count_sql).bind(now);
        if let Some(id) = arg {
            cq = cq.bind(id);
        }
        Ok(cq.fetch_one(&mut *self.conn().await?).await?.0)
    }

    /// The newest `limit` live articles of a listing with their bodies, bylines and tags, for
    /// feeds.
    pub async fn feed_articles(&self, listing: Listing, now: i64, limit: i64) -> Result<Vec<FeedArticle>> {
        let (from, time, id, arg) = listing.sql(false);
        let limit = limit.max(0);
        let sql = format!(
            "SELECT {CARD_COLS}, a.body_html, a.revised_at, a.created_at FROM (SELECT {id} AS id {from} ORDER BY {time} DESC, {id} DESC LIMIT {limit}) p \
             JOIN articles a ON a.id = p.id JOIN sections s ON s.id = a.section_id ORDER BY a.publish_at DESC, a.id DESC"
        );
        let mut q = sqlx::query_as::<_, FeedArticle>(&sql).bind(now);
        if let Some(id) = arg {
            q = q.bind(id);
        }
        let mut rows = q.fetch_all(&mut *self.conn().await?).await?;
        let mut cards: Vec<ArticleCard> = rows.iter().map(|r| r.card.clone()).collect();
        self.attach_authors(&mut cards).await?;
        let mut tags = self.tags_of(&cards.iter().map(|c| c.id).collect::<Vec<_>>()).await?;
        for (row, card) in rows.iter_mut().zip(cards) {
            row.tags = tags.remove(&card.id).unwrap_or_default();
            row.card = card;
        }
        Ok(rows)
    }

    /// The tags of several articles, in each article's order.
    pub(crate) async fn tags_of(&self, article_ids: &[i64]) -> Result<HashMap<i64, Vec<TagRef>>> {
        let mut by_article: HashMap<i64, Vec<TagRef>> = HashMap::new();
        if article_ids.is_empty() {
            return Ok(by_article);
        }
        let sql = format!(
            "SELECT at.article_id, t.id, t.slug, t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id IN ({}) ORDER BY at.article_id, at.position",
            placeholders(1, article_ids.len())
        );
        let ids: Vec<Arg> = article_ids.iter().map(|&id| Arg::Int(id)).collect();
        let rows: Vec<(i64, i64, String, String)> = self.rows(&sql, &ids).await?;
        for (article_id, id, slug, name) in rows {
            by_article.entry(article_id).or_default().push(TagRef { id, slug, name });
        }
        Ok(by_article)
    }

    /// The live article at `/{section}/{slug}/`, with its byline and tags, in one statement.
    pub async fn live_article(&self, section_slug: &str, slug: &str, now: i64) -> Result<Option<ArticlePage>> {
        let sql = format!("SELECT {CARD_COLS}, {PAGE_COLS}, {} FROM articles a JOIN sections s ON s.id = a.section_id WHERE {LIVE} AND s.slug = $2 AND a.slug = $3", self.refs_cols());
        let row: Option<PageRow> = self.row(&sql, &[Arg::Int(now), Arg::Text(section_slug), Arg::Text(slug)]).await?;
        row.map(PageRow::into_page).transpose()
    }

    /// Any article by id, whatever its state, as the article page would show it (previews).
    pub async fn article_page_by_id(&self, id: i64) -> Result<Option<ArticlePage>> {
        let sql = format!("SELECT {CARD_COLS}, {PAGE_COLS}, {} FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.id = $1", self.refs_cols());
        let row: Option<PageRow> = self.row(&sql, &[Arg::Int(id)]).await?;
        row.map(PageRow::into_page).transpose()
    }

    /// Columns `byline` and `tag_refs` for the article `a`: its authors and its tags, each a
    /// JSON array of `[id, slug, name]` in their order. The page's article then comes in one
    /// round trip instead of three; on PostgreSQL each is a message to the server and back.
    fn refs_cols(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => {
                "(SELECT json_group_array(json_array(au.id, au.slug, au.name) ORDER BY aa.position) FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id) AS byline, \
                 (SELECT json_group_array(json_array(t.id, t.slug, t.name) ORDER BY at.position) FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id) AS tag_refs"
            }
            Backend::Postgres => {
                "COALESCE((SELECT json_agg(json_build_array(au.id, au.slug, au.name) ORDER BY aa.position) FROM article_authors aa JOIN authors au ON au.id = aa.author_id WHERE aa.article_id = a.id)::text, '[]') AS byline, \
                 COALESCE((SELECT json_agg(json_build_array(t.id, t.slug, t.name) ORDER BY at.position) FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = a.id)::text, '[]') AS tag_refs"
            }
        }
    }

    /// Deletes an article and all that hangs from it (byline, tags, revisions, comments,
    /// views, its search document) in one transaction. In the same transaction go the news of
    /// it: `withdrawal` (an ActivityPub Delete) to every follower, if followers were told of
    /// the article as live, and each webhook `event` with its body. False if there was none.
    pub async fn delete_article(&self, id: i64, withdrawal: &str, events: &[(&str, String)], now: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        // Readers kept in memory name the articles they commented on or follow by id, which
        // SQLite may give the next article: forget them all.
        let _forget = self.forget_when_done(None);
        let mut tx = self.begin_write().await?;
        let told: Option<(i64,)> = sqlx::query_as("SELECT 1 FROM federated_articles WHERE article_id = $1 AND live = 1 AND announced = 1").bind(id).fetch_optional(&mut *tx).await?;
        if told.is_some() {
            let inboxes: Vec<(String,)> = sqlx::query_as(crate::peers::FOLLOWER_INBOXES).fetch_all(&mut *tx).await?;
            for (inbox,) in inboxes {
                crate::network::enqueue(&mut tx, &inbox, withdrawal, now).await?;
            }
        }
        for (event, body) in events {
            crate::api::enqueue_webhooks(&mut tx, event, body, now).await?;
        }
        let gone = sqlx::query("DELETE FROM articles WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() == 1;
        if !gone {
            tx.rollback().await?;
            return Ok(false);
        }
        // An imported post stays deleted when its export is imported again, and its id (which
        // SQLite may give a new article) no longer names it.
        sqlx::query("UPDATE import_map SET target_id = 0 WHERE kind = 'post' AND target_id = $1").bind(id).execute(&mut *tx).await?;
        crate::search::note(&mut tx, &[id]).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// The earliest scheduled publication after `now`, so caches know when to expire.
    pub async fn next_scheduled_after(&self, now: i64) -> Result<Option<i64>> {
        let (t,): (Option<i64>,) = sqlx::query_as("SELECT MIN(publish_at) FROM articles WHERE status <> 'draft' AND publish_at > $1")
            .bind(now)
            .fetch_one(&mut *self.conn().await?)
            .await?;
        Ok(t)
    }

    pub async fn tag_by_id(&self, id: i64) -> Result<Option<TagRef>> {
        Ok(sqlx::query_as("SELECT id, slug, name FROM tags WHERE id = $1").bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Adds a tag no article carries yet; `None` if the slug is taken.
    pub async fn create_tag(&self, slug: &str, name: &str) -> Result<Option<TagRef>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        // An article saved at the same moment may add the tag by name; the one to insert it wins.
        let made: Option<(i64,)> = sqlx::query_as("INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING RETURNING id").bind(slug).bind(name).fetch_optional(&mut *tx).await?;
        let Some((id,)) = made else { return Ok(None) };
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Some(TagRef { id, slug: slug.into(), name: name.into() }))
    }

    /// Renames a tag; the articles carrying it are indexed again. `Ok(false)`: the slug is
    /// another tag's. `None`: no such tag.
    pub async fn update_tag(&self, id: i64, slug: &str, name: &str) -> Result<Option<bool>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        crate::db::lock_slugs(&mut tx, "tags").await?;
        let clash: Option<(i64,)> = sqlx::query_as("SELECT id FROM tags WHERE slug = $1 AND id <> $2").bind(slug).bind(id).fetch_optional(&mut *tx).await?;
        if clash.is_some() {
            return Ok(Some(false));
        }
        match sqlx::query("UPDATE tags SET slug = $1, name = $2 WHERE id = $3").bind(slug).bind(name).bind(id).execute(&mut *tx).await {
            Ok(done) if done.rows_affected() == 0 => return Ok(None),
            Ok(_) => {}
            // An article saved at the same moment added a tag by that name.
            Err(e) if crate::db::is_unique_violation(&e) => return Ok(Some(false)),
            Err(e) => return Err(e.into()),
        }
        let carriers = crate::search::articles_where(&mut tx, crate::search::Related::Tag, id).await?;
        crate::search::note(&mut tx, &carriers).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Some(true))
    }

    /// Deletes a tag and takes it off every article; false if there was none.
    pub async fn delete_tag(&self, id: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let carriers = crate::search::articles_where(&mut tx, crate::search::Related::Tag, id).await?;
        sqlx::query("DELETE FROM article_tags WHERE tag_id = $1").bind(id).execute(&mut *tx).await?;
        let gone = sqlx::query("DELETE FROM tags WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() == 1;
        crate::search::note(&mut tx, &carriers).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(gone)
    }

    pub async fn tag_by_slug(&self, slug: &str) -> Result<Option<TagRef>> {
        Ok(sqlx::query_as("SELECT id, slug, name FROM tags WHERE slug = $1").bind(slug).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub async fn article_record(&self, id: i64) -> Result<Option<ArticleRecord>> {
        let row: Option<ArticleRecord> = sqlx::query_as(
            "SELECT a.id, a.section_id, s.slug AS section_slug, a.slug, a.headline, a.deck, a.body, a.status, a.publish_at, a.revised_at, a.created_by, a.updated_at, a.film_id, a.rating, f.title AS film_title, f.year AS film_year, a.featured, a.lead_media_id, m.content_key AS lead_media_key FROM articles a JOIN sections s ON s.id = a.section_id LEFT JOIN films f ON f.id = a.film_id LEFT JOIN media m ON m.id = a.lead_media_id WHERE a.id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *self.conn().await?)
        .await?;
        let Some(mut rec) = row else { return Ok(None) };
        rec.author_ids = sqlx::query_as::<_, (i64,)>("SELECT author_id FROM article_authors WHERE article_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&mut *self.conn().await?)
            .await?
            .into_iter()
            .map(|(a,)| a)
            .collect();
        rec.tags = sqlx::query_as::<_, (String,)>(
            "SELECT t.name FROM article_tags at JOIN tags t ON t.id = at.tag_id WHERE at.article_id = $1 ORDER BY at.position",
        )
        .bind(id)
        .fetch_all(&mut *self.conn().await?)
        .await?
        .into_iter()
        .map(|(t,)| t)
        .collect();
        Ok(Some(rec))
    }

    /// The newsroom's list, most recently changed first, from where `seek` says (times are
    /// `updated_at`); `status` filters when given. Also how many articles the list has.
    pub async fn article_summaries(&self, status: Option<&str>, limit: i64, seek: Seek) -> Result<(Vec<ArticleSummary>, i64)> {
        // The seek's one or two values are $1 and $2, then the status; the limit and offset
        // are written in, as in `live_articles`.
        let limit = limit.max(0);
        let (bound, order, extra, next) = match seek {
            Seek::Skip(offset) => (String::new(), "DESC", format!(" OFFSET {}", offset.max(0)), 1),
            Seek::Older(..) => (" AND (a.updated_at, a.id) < ($1, $2)".to_string(), "DESC", String::new(), 3),
            Seek::OlderSkip(_, _, skip) => (" AND (a.updated_at, a.id) < ($1, $2)".to_string(), "DESC", format!(" OFFSET {}", skip.max(0)), 3),
            Seek::Newer(..) => (" AND (a.updated_at, a.id) > ($1, $2)".to_string(), "ASC", String::new(), 3),
        };
        let filter = if status.is_some() { format!(" AND a.status = ${next}") } else { String::new() };
        // The page's ids from the index in the list's order (migration 0021), then their rows.
        let sql = format!(
            "SELECT a.id, s.slug AS section_slug, s.name AS section_name, a.slug, a.headline, a.status, a.publish_at, a.updated_at, a.created_by \
             FROM (SELECT a.id FROM articles a WHERE 1 = 1{filter}{bound} ORDER BY a.updated_at {order}, a.id {order} LIMIT {limit}{extra}) p \
             JOIN articles a ON a.id = p.id JOIN sections s ON s.id = a.section_id ORDER BY a.updated_at DESC, a.id DESC"
        );
        let mut q = sqlx::query_as::<_, ArticleSummary>(&sql);
        if let Seek::Older(t, id) | Seek::Newer(t, id) | Seek::OlderSkip(t, id, _) = seek {
            q = q.bind(t).bind(id);
        }
        if let Some(s) = status {
            q = q.bind(s);
        }
        let rows = q.fetch_all(&mut *self.conn().await?).await?;
        let count_sql = format!("SELECT COUNT(*) FROM articles a{}", if status.is_some() { " WHERE a.status = $1" } else { "" });
        let mut cq = sqlx::query_as::<_, (i64,)>(&count_sql);
        if let Some(s) = status {
            cq = cq.bind(s);
        }
        let (total,) = cq.fetch_one(&mut *self.conn().await?).await?;
        Ok((rows, total))
    }

    pub async fn revisions(&self, article_id: i64) -> Result<Vec<RevisionSummary>> {
        Ok(sqlx::query_as(
            "SELECT r.number, r.headline, r.status, r.created_at, u.name AS created_by_name FROM revisions r LEFT JOIN users u ON u.id = r.created_by WHERE r.article_id = $1 ORDER BY r.number DESC",
        )
        .bind(article_id)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    pub async fn revision(&self, article_id: i64, number: i64) -> Result<Option<Revision>> {
        Ok(sqlx::query_as(
            "SELECT article_id, number, headline, deck, slug, section_id, body, tags, author_ids, status, created_at FROM revisions WHERE article_id = $1 AND number = $2",
        )
        .bind(article_id)
        .bind(number)
        .fetch_optional(&mut *self.conn().await?)
        .await?)
    }

    /// Creates or updates an article in one transaction: the row, its byline and tags, a new
    /// revision, and (when a live article's address changes) a redirect from the old one.
    /// Nothing is written when it answers an error.
    pub async fn save_article(&self, w: &ArticleWrite<'_>) -> Result<std::result::Result<i64, SaveError>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let section: Option<(String,)> = sqlx::query_as("SELECT slug FROM sections WHERE id = $1").bind(w.section_id).fetch_optional(&mut *tx).await?;
        if let Some(film) = w.film_id {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM films WHERE id = $1").bind(film).fetch_optional(&mut *tx).await?;
            if found.is_none() {
                return Ok(Err(SaveError::UnknownFilm));
            }
        }
        let Some((section_slug,)) = section else { return Ok(Err(SaveError::UnknownSection)) };
        if let Some(Some(media)) = w.lead_media_id {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM media WHERE id = $1").bind(media).fetch_optional(&mut *tx).await?;
            if found.is_none() {
                return Ok(Err(SaveError::UnknownMedia));
            }
        }
        for author in w.author_ids {
            let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM authors WHERE id = $1").bind(author).fetch_optional(&mut *tx).await?;
            if found.is_none() {
                return Ok(Err(SaveError::UnknownAuthor));
            }
        }
        let id = match write_article(&mut tx, w, &section_slug).await? {
            Ok(id) => id,
            Err(e) => return Ok(Err(e)),
        };
        crate::search::note(&mut tx, &[id]).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }
}

/// The writing half of [`Store::save_article`], inside the caller's transaction: the row, its
/// byline, tags and revision, and the redirect when a live article moves. The section, film,
/// media and authors have been checked by the caller. Every [`SaveError`] it answers is found
/// before anything is written.
pub(crate) async fn write_article(tx: &mut Transaction<'_, Any>, w: &ArticleWrite<'_>, section_slug: &str) -> Result<std::result::Result<i64, SaveError>> {
    crate::db::lock_slugs(tx, "articles").await?;
    let mut slug = w.slug.to_string();
    let mut n = 2;
    loop {
        let clash: Option<(i64,)> = sqlx::query_as("SELECT id FROM articles WHERE section_id = $1 AND slug = $2 AND id <> $3")
            .bind(w.section_id)
            .bind(&slug)
            .bind(w.id.unwrap_or(-1))
            .fetch_optional(&mut **tx)
            .await?;
        match clash {
            None => break,
            Some(_) if w.slug_proposed && w.id.is_none() => {
                slug = format!("{}-{n}", w.slug);
                n += 1;
            }
            Some(_) => return Ok(Err(SaveError::DuplicateSlug)),
        }
    }
    let slug = slug.as_str();

    let id = match w.id {
        Some(id) => {
            let old: Option<(String, String, String, Option<i64>)> = sqlx::query_as(
                "SELECT s.slug, a.slug, a.status, a.publish_at FROM articles a JOIN sections s ON s.id = a.section_id WHERE a.id = $1",
            )
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
            let Some((old_section, old_slug, old_status, old_publish_at)) = old else { return Ok(Err(SaveError::NotFound)) };
            let was_live = old_status != "draft" && old_publish_at.is_some_and(|t| t <= w.now);
            let still_live = w.status != "draft" && w.publish_at.is_some_and(|t| t <= w.now);
            if was_live && (old_section != section_slug || old_slug != slug) {
                add_redirect(tx, &format!("/{old_section}/{old_slug}/"), id).await?;
            }
            let revised = if was_live && still_live { "$9" } else { "revised_at" };
            let sql = format!(
                "UPDATE articles SET section_id = $1, slug = $2, headline = $3, deck = $4, body = $5, body_html = $6, status = $7, publish_at = $8, revised_at = {revised}, updated_at = CASE WHEN updated_at >= $9 THEN updated_at + 1 ELSE $9 END, film_id = $11, rating = $12, featured = COALESCE($13, featured), \
                 lead_media_id = CASE WHEN $15 = 1 THEN $16 ELSE lead_media_id END \
                 WHERE id = $10 AND ($14 IS NULL OR updated_at = $14)"
            );
            let updated = sqlx::query(&sql)
                .bind(w.section_id)
                .bind(slug)
                .bind(w.headline)
                .bind(w.deck)
                .bind(w.body)
                .bind(w.body_html)
                .bind(w.status)
                .bind(w.publish_at)
                .bind(w.now)
                .bind(id)
                .bind(w.film_id)
                .bind(w.rating)
                .bind(w.featured.map(i64::from))
                .bind(w.unchanged_since)
                .bind(i64::from(w.lead_media_id.is_some()))
                .bind(w.lead_media_id.flatten())
                .execute(&mut **tx)
                .await?;
            if updated.rows_affected() == 0 {
                return Ok(Err(SaveError::Changed));
            }
            sqlx::query("DELETE FROM article_authors WHERE article_id = $1").bind(id).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM article_tags WHERE article_id = $1").bind(id).execute(&mut **tx).await?;
            id
        }
        None => {
            let (id,): (i64,) = sqlx::query_as(
                "INSERT INTO articles (section_id, slug, headline, deck, body, body_html, status, publish_at, created_by, created_at, updated_at, film_id, rating, featured, lead_media_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10, $11, $12, COALESCE($13, 0), $14) RETURNING id",
            )
            .bind(w.section_id)
            .bind(slug)
            .bind(w.headline)
            .bind(w.deck)
            .bind(w.body)
            .bind(w.body_html)
            .bind(w.status)
            .bind(w.publish_at)
            .bind(w.user_id)
            .bind(w.now)
            .bind(w.film_id)
            .bind(w.rating)
            .bind(w.featured.map(i64::from))
            .bind(w.lead_media_id.flatten())
            .fetch_one(&mut **tx)
            .await?;
            id
        }
    };
    // The new address must not be shadowed by a redirect left by an earlier move.
    sqlx::query("DELETE FROM redirects WHERE old_path = $1").bind(format!("/{section_slug}/{slug}/")).execute(&mut **tx).await?;

    for (pos, author) in w.author_ids.iter().enumerate() {
        sqlx::query("INSERT INTO article_authors (article_id, author_id, position) VALUES ($1, $2, $3)")
            .bind(id)
            .bind(author)
            .bind(pos as i64)
            .execute(&mut **tx)
            .await?;
    }
    for (pos, (slug, name)) in w.tags.iter().enumerate() {
        sqlx::query("INSERT INTO tags (slug, name) VALUES ($1, $2) ON CONFLICT (slug) DO NOTHING").bind(slug).bind(name).execute(&mut **tx).await?;
        sqlx::query("INSERT INTO article_tags (article_id, tag_id, position) SELECT $1, id, $2 FROM tags WHERE slug = $3")
            .bind(id)
            .bind(pos as i64)
            .bind(slug)
            .execute(&mut **tx)
            .await?;
    }
    let (next,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(number), 0) + 1 FROM revisions WHERE article_id = $1").bind(id).fetch_one(&mut **tx).await?;
    let tag_names: Vec<&str> = w.tags.iter().map(|(_, n)| n.as_str()).collect();
    let author_ids: Vec<String> = w.author_ids.iter().map(|a| a.to_string()).collect();
    sqlx::query(
        "INSERT INTO revisions (article_id, number, headline, deck, slug, section_id, body, tags, author_ids, status, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
    )
    .bind(id)
    .bind(next)
    .bind(w.headline)
    .bind(w.deck)
    .bind(slug)
    .bind(w.section_id)
    .bind(w.body)
    .bind(tag_names.join("\n"))
    .bind(author_ids.join(","))
    .bind(w.status)
    .bind(w.user_id)
    .bind(w.now)
    .execute(&mut **tx)
    .await?;
    Ok(Ok(id))
}
