//! Special reports: curated collections of articles and events, in chapters, in the order
//! editors give them.

use crate::cards::{ArticleCard, CARD_COLS, LIVE};
use crate::db::placeholders;
use crate::db::{Result, Store};
use sqlx::{Any, FromRow, Transaction};

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Report {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub intro: String,
    pub intro_html: String,
    pub cover_image: String,
    pub cover_alt: String,
    pub status: String,
    pub current: i64,
    pub position: i64,
    pub updated_at: i64,
}

/// A report's fields as an editor saves them, already checked.
pub struct ReportWrite<'a> {
    pub slug: &'a str,
    pub title: &'a str,
    pub intro: &'a str,
    /// Sanitized HTML rendered from `intro`.
    pub intro_html: &'a str,
    pub cover_image: &'a str,
    pub cover_alt: &'a str,
    pub published: bool,
    pub current: bool,
    pub position: i64,
    pub now: i64,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ReportChapter {
    pub id: i64,
    pub position: i64,
    pub title: String,
    pub intro: String,
}

/// One entry of a report: an article or an event, with the editor's blurb.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct ReportItem {
    pub id: i64,
    pub chapter_id: Option<i64>,
    pub position: i64,
    pub article_id: Option<i64>,
    pub event_id: Option<i64>,
    pub blurb: String,
    /// The article's headline or the event's title.
    pub label: String,
    /// Where readers find the article or event.
    pub path: String,
    /// 0 while the article is a draft or not yet due; events are always 1.
    pub live: i64,
}

/// What a report item points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemTarget {
    Article(i64),
    Event(i64),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Move {
    Up,
    Down,
}

const REPORT_COLS: &str = "id, slug, title, intro, intro_html, cover_image, cover_alt, status, current, position, updated_at";

impl Store {
    /// Published reports marked current, for the Special Reports box, in the editors' order.
    pub async fn current_reports(&self) -> Result<Vec<Report>> {
        let sql = format!("SELECT {REPORT_COLS} FROM reports WHERE status = 'published' AND current = 1 ORDER BY position, updated_at DESC, id DESC");
        Ok(sqlx::query_as(&sql).fetch_all(&mut *self.conn().await?).await?)
    }

    /// Every report (`published_only` for readers), current ones first, then newest.
    pub async fn reports(&self, published_only: bool) -> Result<Vec<Report>> {
        let filter = if published_only { "WHERE status = 'published'" } else { "" };
        let sql = format!("SELECT {REPORT_COLS} FROM reports {filter} ORDER BY current DESC, position, updated_at DESC, id DESC");
        Ok(sqlx::query_as(&sql).fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn report_by_slug(&self, slug: &str) -> Result<Option<Report>> {
        let sql = format!("SELECT {REPORT_COLS} FROM reports WHERE slug = $1");
        Ok(sqlx::query_as(&sql).bind(slug).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub async fn report_by_id(&self, id: i64) -> Result<Option<Report>> {
        let sql = format!("SELECT {REPORT_COLS} FROM reports WHERE id = $1");
        Ok(sqlx::query_as(&sql).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub async fn report_chapters(&self, report_id: i64) -> Result<Vec<ReportChapter>> {
        Ok(sqlx::query_as("SELECT id, position, title, intro FROM report_chapters WHERE report_id = $1 ORDER BY position, id")
            .bind(report_id)
            .fetch_all(&mut *self.conn().await?)
            .await?)
    }

    /// A report's items in order, with what each points at; `now` decides which articles are
    /// live.
    pub async fn report_items(&self, report_id: i64, now: i64) -> Result<Vec<ReportItem>> {
        Ok(sqlx::query_as(
            "SELECT i.id, i.chapter_id, i.position, i.article_id, i.event_id, i.blurb, \
             COALESCE(a.headline, e.title, '') AS label, \
             CASE WHEN a.id IS NOT NULL THEN '/' || s.slug || '/' || a.slug || '/' ELSE '/events/' || e.slug || '/' END AS path, \
             CASE WHEN a.id IS NULL OR (a.status <> 'draft' AND a.publish_at <= $2) THEN 1 ELSE 0 END AS live \
             FROM report_items i LEFT JOIN articles a ON a.id = i.article_id LEFT JOIN sections s ON s.id = a.section_id \
             LEFT JOIN events e ON e.id = i.event_id WHERE i.report_id = $1 ORDER BY i.position, i.id",
        )
        .bind(report_id)
        .bind(now)
        .fetch_all(&mut *self.conn().await?)
        .await?)
    }

    /// Live articles by id, as cards with their authors, in no particular order.
    pub async fn live_cards_by_ids(&self, ids: &[i64], now: i64) -> Result<Vec<ArticleCard>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {CARD_COLS} FROM articles a JOIN sections s ON s.id = a.section_id WHERE {LIVE} AND a.id IN ({})",
            placeholders(2, ids.len())
        );
        let mut q = sqlx::query_as::<_, ArticleCard>(&sql).bind(now);
        for id in ids {
            q = q.bind(id);
        }
        let mut cards = q.fetch_all(&mut *self.conn().await?).await?;
        self.attach_authors(&mut cards).await?;
        Ok(cards)
    }

    /// Published reports holding an event, for its page.
    pub async fn reports_with_event(&self, event_id: i64) -> Result<Vec<Report>> {
        let cols = REPORT_COLS.split(", ").map(|c| format!("r.{c}")).collect::<Vec<_>>().join(", ");
        let sql = format!(
            "SELECT DISTINCT {cols} FROM reports r JOIN report_items i ON i.report_id = r.id WHERE i.event_id = $1 AND r.status = 'published' ORDER BY r.position, r.id"
        );
        Ok(sqlx::query_as(&sql).bind(event_id).fetch_all(&mut *self.conn().await?).await?)
    }

    /// Creates a report; `None` when the slug is taken.
    pub async fn create_report(&self, w: &ReportWrite<'_>) -> Result<Option<i64>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        if slug_taken(&mut tx, w.slug, -1).await? {
            return Ok(None);
        }
        let (id,): (i64,) = sqlx::query_as(
            "INSERT INTO reports (slug, title, intro, intro_html, cover_image, cover_alt, status, current, position, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(w.slug)
        .bind(w.title)
        .bind(w.intro)
        .bind(w.intro_html)
        .bind(w.cover_image)
        .bind(w.cover_alt)
        .bind(if w.published { "published" } else { "draft" })
        .bind(w.current as i64)
        .bind(w.position)
        .bind(w.now)
        .fetch_one(&mut *tx)
        .await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Saves a report's fields; `Ok(false)` when the slug belongs to another report.
    pub async fn update_report(&self, id: i64, w: &ReportWrite<'_>) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        if slug_taken(&mut tx, w.slug, id).await? {
            return Ok(false);
        }
        sqlx::query(
            "UPDATE reports SET slug = $1, title = $2, intro = $3, intro_html = $4, cover_image = $5, cover_alt = $6, status = $7, current = $8, position = $9, updated_at = $10 WHERE id = $11",
        )
        .bind(w.slug)
        .bind(w.title)
        .bind(w.intro)
        .bind(w.intro_html)
        .bind(w.cover_image)
        .bind(w.cover_alt)
        .bind(if w.published { "published" } else { "draft" })
        .bind(w.current as i64)
        .bind(w.position)
        .bind(w.now)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    pub async fn delete_report(&self, id: i64) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            sqlx::query("DELETE FROM report_items WHERE report_id = $1").bind(id).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM report_chapters WHERE report_id = $1").bind(id).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM reports WHERE id = $1").bind(id).execute(&mut **tx).await?;
            Ok(())
        }))
        .await
    }

    /// Adds a chapter at the end of a report.
    pub async fn add_chapter(&self, report_id: i64, title: String, intro: String) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            sqlx::query(
                "INSERT INTO report_chapters (report_id, position, title, intro) SELECT $1, COALESCE(MAX(position), -1) + 1, $2, $3 FROM report_chapters WHERE report_id = $1",
            )
            .bind(report_id)
            .bind(title)
            .bind(intro)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }))
        .await
    }

    pub async fn update_chapter(&self, report_id: i64, chapter_id: i64, title: String, intro: String) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            sqlx::query("UPDATE report_chapters SET title = $1, intro = $2 WHERE id = $3 AND report_id = $4")
                .bind(title)
                .bind(intro)
                .bind(chapter_id)
                .bind(report_id)
                .execute(&mut **tx)
                .await?;
            Ok(())
        }))
        .await
    }

    /// Removes a chapter; its items stay in the report, outside any chapter.
    pub async fn delete_chapter(&self, report_id: i64, chapter_id: i64) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            sqlx::query("UPDATE report_items SET chapter_id = NULL WHERE chapter_id = $1 AND report_id = $2").bind(chapter_id).bind(report_id).execute(&mut **tx).await?;
            sqlx::query("DELETE FROM report_chapters WHERE id = $1 AND report_id = $2").bind(chapter_id).bind(report_id).execute(&mut **tx).await?;
            Ok(())
        }))
        .await
    }

    /// Swaps a chapter with the one before or after it.
    pub async fn move_chapter(&self, report_id: i64, chapter_id: i64, dir: Move) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            let rows: Vec<(i64, Option<i64>)> = sqlx::query_as("SELECT id, NULL FROM report_chapters WHERE report_id = $1 ORDER BY position, id")
                .bind(report_id)
                .fetch_all(&mut **tx)
                .await?;
            let order = reordered(&rows, chapter_id, dir, |_| true);
            renumber(tx, "report_chapters", &order).await
        }))
        .await
    }

    /// Adds an item at the end of a report (and of its chapter).
    pub async fn add_item(&self, report_id: i64, chapter_id: Option<i64>, target: ItemTarget, blurb: String) -> Result<()> {
        let (article_id, event_id) = match target {
            ItemTarget::Article(id) => (Some(id), None),
            ItemTarget::Event(id) => (None, Some(id)),
        };
        self.report_write(|tx| Box::pin(async move {
            let chapter = checked_chapter(tx, report_id, chapter_id).await?;
            sqlx::query(
                "INSERT INTO report_items (report_id, chapter_id, position, article_id, event_id, blurb) SELECT $1, $2, COALESCE(MAX(position), -1) + 1, $3, $4, $5 FROM report_items WHERE report_id = $1",
            )
            .bind(report_id)
            .bind(chapter)
            .bind(article_id)
            .bind(event_id)
            .bind(blurb)
            .execute(&mut **tx)
            .await?;
            Ok(())
        }))
        .await
    }

    /// Changes an item's chapter and blurb; an item moved to another chapter goes to its end.
    pub async fn update_item(&self, report_id: i64, item_id: i64, chapter_id: Option<i64>, blurb: String) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            let chapter = checked_chapter(tx, report_id, chapter_id).await?;
            let old: Option<(Option<i64>,)> = sqlx::query_as("SELECT chapter_id FROM report_items WHERE id = $1 AND report_id = $2")
                .bind(item_id)
                .bind(report_id)
                .fetch_optional(&mut **tx)
                .await?;
            let Some((old_chapter,)) = old else { return Ok(()) };
            sqlx::query("UPDATE report_items SET chapter_id = $1, blurb = $2 WHERE id = $3").bind(chapter).bind(blurb).bind(item_id).execute(&mut **tx).await?;
            if old_chapter != chapter {
                sqlx::query("UPDATE report_items SET position = (SELECT MAX(position) + 1 FROM report_items WHERE report_id = $1) WHERE id = $2")
                    .bind(report_id)
                    .bind(item_id)
                    .execute(&mut **tx)
                    .await?;
            }
            Ok(())
        }))
        .await
    }

    pub async fn delete_item(&self, report_id: i64, item_id: i64) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            sqlx::query("DELETE FROM report_items WHERE id = $1 AND report_id = $2").bind(item_id).bind(report_id).execute(&mut **tx).await?;
            Ok(())
        }))
        .await
    }

    /// Swaps an item with the one before or after it in the same chapter.
    pub async fn move_item(&self, report_id: i64, item_id: i64, dir: Move) -> Result<()> {
        self.report_write(|tx| Box::pin(async move {
            let rows: Vec<(i64, Option<i64>)> = sqlx::query_as("SELECT id, chapter_id FROM report_items WHERE report_id = $1 ORDER BY position, id")
                .bind(report_id)
                .fetch_all(&mut **tx)
                .await?;
            let Some(chapter) = rows.iter().find(|r| r.0 == item_id).map(|r| r.1) else { return Ok(()) };
            let order = reordered(&rows, item_id, dir, |c| c == chapter);
            renumber(tx, "report_items", &order).await
        }))
        .await
    }

    /// The id of the article at `/{section}/{slug}/`, in any state.
    pub async fn article_id_at(&self, section: &str, slug: &str) -> Result<Option<i64>> {
        let row: Option<(i64,)> = sqlx::query_as("SELECT a.id FROM articles a JOIN sections s ON s.id = a.section_id WHERE s.slug = $1 AND a.slug = $2")
            .bind(section)
            .bind(slug)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|r| r.0))
    }

    /// Runs one change to a report's contents in a write transaction that also tells caches.
    async fn report_write<F>(&self, change: F) -> Result<()>
    where
        F: for<'t> FnOnce(&'t mut Transaction<'static, Any>) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<()>> + Send + 't>>,
    {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        change(&mut tx).await?;
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }
}

async fn slug_taken(tx: &mut Transaction<'static, Any>, slug: &str, except: i64) -> Result<bool> {
    crate::db::lock_slugs(tx, "reports").await?;
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM reports WHERE slug = $1 AND id <> $2").bind(slug).bind(except).fetch_optional(&mut **tx).await?;
    Ok(row.is_some())
}

/// `chapter_id` if it is a chapter of this report, else none.
async fn checked_chapter(tx: &mut Transaction<'static, Any>, report_id: i64, chapter_id: Option<i64>) -> Result<Option<i64>> {
    let Some(id) = chapter_id else { return Ok(None) };
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM report_chapters WHERE id = $1 AND report_id = $2").bind(id).bind(report_id).fetch_optional(&mut **tx).await?;
    Ok(row.map(|r| r.0))
}

/// The ids of `rows` in their new order after moving `id` past its neighbour among the rows
/// whose group `same` accepts.
fn reordered(rows: &[(i64, Option<i64>)], id: i64, dir: Move, same: impl Fn(Option<i64>) -> bool) -> Vec<i64> {
    let mut ids: Vec<i64> = rows.iter().map(|r| r.0).collect();
    let Some(at) = rows.iter().position(|r| r.0 == id) else { return ids };
    let neighbour = match dir {
        Move::Up => rows[..at].iter().rposition(|r| same(r.1)),
        Move::Down => rows[at + 1..].iter().position(|r| same(r.1)).map(|p| at + 1 + p),
    };
    if let Some(n) = neighbour {
        ids.swap(at, n);
    }
    ids
}

async fn renumber(tx: &mut Transaction<'static, Any>, table: &str, order: &[i64]) -> Result<()> {
    let sql = format!("UPDATE {table} SET position = $1 WHERE id = $2");
    for (position, id) in order.iter().enumerate() {
        sqlx::query(&sql).bind(position as i64).bind(id).execute(&mut **tx).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_skips_other_chapters() {
        let rows = [(1, Some(10)), (2, None), (3, Some(10)), (4, Some(10))];
        assert_eq!(reordered(&rows, 3, Move::Up, |c| c == Some(10)), vec![3, 2, 1, 4]);
        assert_eq!(reordered(&rows, 3, Move::Down, |c| c == Some(10)), vec![1, 2, 4, 3]);
        assert_eq!(reordered(&rows, 1, Move::Up, |c| c == Some(10)), vec![1, 2, 3, 4], "the first stays first");
        assert_eq!(reordered(&rows, 2, Move::Down, |c| c.is_none()), vec![1, 2, 3, 4], "alone in its group");
    }
}
