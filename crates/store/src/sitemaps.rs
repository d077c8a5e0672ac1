//! What the sitemaps list. Each kind of public page is one entry of [`SITEMAP_KINDS`]: the rows
//! it comes from, which of them readers can see, and the path and last change of each. A
//! sitemap file covers a range of ids, so finding one needs no count and no OFFSET; the web
//! layer pages through it in id order, a batch at a time, so no sitemap is held in memory.

use crate::cards::live;
use crate::db::{Result, Store};
use sqlx::FromRow;

/// One kind of public page listed in the sitemaps. `$1` is now (Unix seconds) in every
/// fragment.
pub struct SitemapKind {
    /// The file name stem: `/sitemaps/{name}-{n}.xml`.
    pub name: &'static str,
    /// The table whose ids the sitemap goes by.
    table: &'static str,
    /// What follows `FROM`.
    from: &'static str,
    /// The row's id, which orders the sitemap and pages it.
    id: &'static str,
    /// Which rows have a public page.
    visible: &'static str,
    /// The page's path, as an SQL expression (`||` joins strings on both backends).
    path: &'static str,
    /// The page's last change in Unix seconds, or NULL when unknown.
    lastmod: &'static str,
}

/// Every row has a page (the condition names `$1` so that both backends take the bound value).
const EVERY_ROW: &str = "$1 = $1";
const UNKNOWN: &str = "CAST(NULL AS BIGINT)";

/// An author or a tag has a page once one of their articles is live. Their byline and tag
/// rows carry the article's publication time while it is not a draft (`listed_at`, kept by
/// migration 0020's triggers), so "live" is `listed_at <= now`, and the first such row is the
/// start of a walk of the archive's own index: no article is read, and an author of ten
/// thousand articles costs what one of ten does. (Joining the articles instead, PostgreSQL
/// gathered every row of the author before looking at the first.)
const LISTED_AUTHOR: &str = "EXISTS (SELECT 1 FROM article_authors x WHERE x.author_id = au.id AND x.listed_at <= $1)";
const LISTED_TAG: &str = "EXISTS (SELECT 1 FROM article_tags x WHERE x.tag_id = tg.id AND x.listed_at <= $1)";

/// Every kind of page the sitemap index points at, in the order it lists them. A new kind of
/// public page (special reports, events, ...) is one more entry here.
pub const SITEMAP_KINDS: &[SitemapKind] = &[
    SitemapKind {
        name: "articles",
        table: "articles",
        from: "articles a JOIN sections s ON s.id = a.section_id",
        id: "a.id",
        visible: live!(),
        path: "'/' || s.slug || '/' || a.slug || '/'",
        lastmod: "CASE WHEN a.revised_at > a.publish_at THEN a.revised_at ELSE a.publish_at END",
    },
    SitemapKind { name: "sections", table: "sections", from: "sections s", id: "s.id", visible: EVERY_ROW, path: "'/' || s.slug || '/'", lastmod: UNKNOWN },
    SitemapKind {
        name: "authors",
        table: "authors",
        from: "authors au",
        id: "au.id",
        visible: LISTED_AUTHOR,
        path: "'/authors/' || au.slug || '/'",
        lastmod: UNKNOWN,
    },
    SitemapKind {
        name: "tags",
        table: "tags",
        from: "tags tg",
        id: "tg.id",
        visible: LISTED_TAG,
        path: "'/tags/' || tg.slug || '/'",
        lastmod: UNKNOWN,
    },
    SitemapKind { name: "films", table: "films", from: "films f", id: "f.id", visible: EVERY_ROW, path: "'/films/' || f.slug || '/'", lastmod: "f.updated_at" },
    SitemapKind { name: "theaters", table: "theaters", from: "theaters th", id: "th.id", visible: EVERY_ROW, path: "'/theaters/' || th.slug || '/'", lastmod: UNKNOWN },
    SitemapKind { name: "reports", table: "reports", from: "reports r", id: "r.id", visible: "r.status = 'published' AND $1 = $1", path: "'/reports/' || r.slug || '/'", lastmod: "r.updated_at" },
    SitemapKind { name: "events", table: "events", from: "events e", id: "e.id", visible: EVERY_ROW, path: "'/events/' || e.slug || '/'", lastmod: "e.updated_at" },
];

impl SitemapKind {
    pub fn by_name(name: &str) -> Option<&'static SitemapKind> {
        SITEMAP_KINDS.iter().find(|k| k.name == name)
    }
}

/// One URL of a sitemap.
#[derive(Debug, Clone, FromRow)]
pub struct SitemapRow {
    pub id: i64,
    /// Site-relative, e.g. `/films/rust-and-bone-2012/`.
    pub path: String,
    pub lastmod: Option<i64>,
}

/// A live article for the news sitemap.
#[derive(Debug, Clone, FromRow)]
pub struct NewsRow {
    pub path: String,
    pub headline: String,
    pub publish_at: i64,
}

impl Store {
    /// The highest id this kind's table has given, visible or not (the primary key's end, so
    /// no rows are counted). Sitemap file n holds the visible rows with ids in
    /// ((n - 1) * size, n * size].
    pub async fn sitemap_last_id(&self, kind: &SitemapKind) -> Result<Option<i64>> {
        let sql = format!("SELECT MAX(id) FROM {}", kind.table);
        let (last,): (Option<i64>,) = sqlx::query_as(&sql).fetch_one(&mut *self.conn().await?).await?;
        Ok(last)
    }

    /// Whether readers can see any row with an id in (`after`, `upto`] at `now`.
    pub async fn sitemap_has_rows(&self, kind: &SitemapKind, now: i64, after: i64, upto: i64) -> Result<bool> {
        let sql = format!("SELECT {id} FROM {} WHERE {} AND {id} > $2 AND {id} <= $3 LIMIT 1", kind.from, kind.visible, id = kind.id);
        let row: Option<(i64,)> = sqlx::query_as(&sql).bind(now).bind(after).bind(upto).fetch_optional(&mut *self.conn().await?).await?;
        Ok(row.is_some())
    }

    /// Up to `limit` visible rows with an id in (`after`, `upto`], in id order (keyset paging).
    pub async fn sitemap_rows(&self, kind: &SitemapKind, now: i64, after: i64, upto: i64, limit: i64) -> Result<Vec<SitemapRow>> {
        let sql = format!(
            "SELECT {id} AS id, {} AS path, {} AS lastmod FROM {} WHERE {} AND {id} > $2 AND {id} <= $3 ORDER BY {id} LIMIT $4",
            kind.path,
            kind.lastmod,
            kind.from,
            kind.visible,
            id = kind.id
        );
        Ok(sqlx::query_as(&sql).bind(now).bind(after).bind(upto).bind(limit).fetch_all(&mut *self.conn().await?).await?)
    }

    /// Live articles published since `since`, newest first, at most `limit`.
    pub async fn news_rows(&self, now: i64, since: i64, limit: i64) -> Result<Vec<NewsRow>> {
        let sql = concat!(
            "SELECT '/' || s.slug || '/' || a.slug || '/' AS path, a.headline, a.publish_at FROM articles a JOIN sections s ON s.id = a.section_id WHERE ",
            live!(),
            " AND a.publish_at >= $2 ORDER BY a.publish_at DESC, a.id DESC LIMIT $3"
        );
        Ok(sqlx::query_as(sql).bind(now).bind(since).bind(limit).fetch_all(&mut *self.conn().await?).await?)
    }
}
