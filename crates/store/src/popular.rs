//! Page views for Most Popular: counts summed per article and hour, and the ranking over a
//! window of hours.

use crate::cards::{ArticleCard, CARD_COLS, LIVE};
use crate::db::{Result, Store};
use sqlx::FromRow;

/// A live article with its views in the ranking window.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct PopularCard {
    #[sqlx(flatten)]
    pub card: ArticleCard,
    pub views: i64,
}

/// Views of the article at `/{section}/{slug}/` counted by one server.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ViewCount {
    pub section: String,
    pub slug: String,
    pub views: i64,
}

/// The start of the UTC hour holding `at`.
pub fn hour_of(at: i64) -> i64 {
    at - at.rem_euclid(3600)
}

impl Store {
    /// Adds one server's counts to the hour holding `at`, in one transaction. Counts are added
    /// to what other servers wrote, so several servers may flush into the same hour. Counts
    /// for an address that is no longer an article are dropped.
    pub async fn add_views(&self, at: i64, counts: &[ViewCount]) -> Result<()> {
        if counts.is_empty() {
            return Ok(());
        }
        let hour = hour_of(at);
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        for c in counts {
            sqlx::query(
                "INSERT INTO article_views (article_id, hour, views) \
                 SELECT a.id, $1, $2 FROM articles a JOIN sections s ON s.id = a.section_id WHERE s.slug = $3 AND a.slug = $4 \
                 ON CONFLICT (article_id, hour) DO UPDATE SET views = article_views.views + excluded.views",
            )
            .bind(hour)
            .bind(c.views)
            .bind(&c.section)
            .bind(&c.slug)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The most-viewed live articles since `since` (an instant; the hour holding it counts),
    /// most views first, newer first on a tie. `section` narrows the ranking to one section.
    pub async fn most_popular(&self, now: i64, since: i64, section: Option<i64>, limit: i64) -> Result<Vec<PopularCard>> {
        let filter = if section.is_some() { " AND a.section_id = $4" } else { "" };
        let sql = format!(
            "SELECT {CARD_COLS}, CAST(SUM(v.views) AS BIGINT) AS views FROM article_views v JOIN articles a ON a.id = v.article_id JOIN sections s ON s.id = a.section_id \
             WHERE {LIVE} AND v.hour >= $2{filter} GROUP BY a.id, s.id ORDER BY views DESC, a.publish_at DESC, a.id DESC LIMIT $3"
        );
        let mut q = sqlx::query_as::<_, PopularCard>(&sql).bind(now).bind(hour_of(since)).bind(limit);
        if let Some(id) = section {
            q = q.bind(id);
        }
        let mut rows = q.fetch_all(&mut *self.conn().await?).await?;
        let mut cards: Vec<ArticleCard> = rows.iter().map(|r| r.card.clone()).collect();
        self.attach_authors(&mut cards).await?;
        for (row, card) in rows.iter_mut().zip(cards) {
            row.card = card;
        }
        Ok(rows)
    }

    /// Forgets counts older than `before`; no ranking window reaches that far.
    pub async fn prune_views(&self, before: i64) -> Result<u64> {
        let _write = self.write_guard().await;
        let r = sqlx::query("DELETE FROM article_views WHERE hour < $1").bind(hour_of(before)).execute(&mut *self.conn().await?).await?;
        Ok(r.rows_affected())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn hours_start_on_the_hour() {
        assert_eq!(super::hour_of(7200), 7200);
        assert_eq!(super::hour_of(7199), 3600);
        assert_eq!(super::hour_of(10_799), 7200);
    }
}
