// Placeholder until the events branch lands; replaced by it.
use crate::{placeholders, Result, Store};

#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize)]
pub struct EventCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
}

impl Store {
    pub async fn event_cards_by_ids(&self, ids: &[i64]) -> Result<Vec<EventCard>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT id, slug, title FROM events WHERE id IN ({})", placeholders(1, ids.len()));
        let mut q = sqlx::query_as::<_, EventCard>(&sql);
        for id in ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(&self.pool).await?)
    }

    pub async fn event_by_slug(&self, slug: &str) -> Result<Option<EventCard>> {
        Ok(sqlx::query_as("SELECT id, slug, title FROM events WHERE slug = $1").bind(slug).fetch_optional(&self.pool).await?)
    }
}
