//! Old addresses of moved articles: written when a live article's slug or section changes
//! (by articles and by sections), read by the 404 fallback.

use crate::cards::LIVE;
use crate::db::{Result, Store};
use sqlx::{Any, Transaction};

impl Store {
    /// Where a moved article lives now, if `old_path` once was its address and it is live.
    pub async fn redirect_target(&self, old_path: &str, now: i64) -> Result<Option<String>> {
        let sql = format!(
            "SELECT s.slug, a.slug FROM redirects r JOIN articles a ON a.id = r.article_id JOIN sections s ON s.id = a.section_id WHERE r.old_path = $2 AND {LIVE}"
        );
        let row: Option<(String, String)> = sqlx::query_as(&sql).bind(now).bind(old_path).fetch_optional(&self.pool).await?;
        Ok(row.map(|(s, a)| format!("/{s}/{a}/")))
    }
}

pub(crate) async fn add_redirect(tx: &mut Transaction<'_, Any>, old_path: &str, article_id: i64) -> Result<()> {
    sqlx::query("DELETE FROM redirects WHERE old_path = $1").bind(old_path).execute(&mut **tx).await?;
    sqlx::query("INSERT INTO redirects (old_path, article_id) VALUES ($1, $2)").bind(old_path).bind(article_id).execute(&mut **tx).await?;
    Ok(())
}
