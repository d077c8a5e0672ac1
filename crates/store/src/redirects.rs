//! Old addresses of moved articles: written when a live article's slug or section changes
//! (by articles and by sections) or by an import, read by the 404 fallback; and old addresses
//! of other pages (an imported site's categories, tags and attachments).

use crate::cards::LIVE;
use crate::db::{Result, Store};
use marquee_domain::slug::canonical_path;
use sqlx::{Any, Transaction};

impl Store {
    /// Where a moved article lives now, if `old_path` once was its address and it is live.
    /// `old_path` is compared in its canonical spelling (`slug::canonical_path`).
    pub async fn redirect_target(&self, old_path: &str, now: i64) -> Result<Option<String>> {
        let old_path = canonical_path(old_path);
        let old_path = old_path.as_str();
        let sql = format!(
            "SELECT s.slug, a.slug FROM redirects r JOIN articles a ON a.id = r.article_id JOIN sections s ON s.id = a.section_id WHERE r.old_path = $2 AND {LIVE}"
        );
        let row: Option<(String, String)> = sqlx::query_as(&sql).bind(now).bind(old_path).fetch_optional(&mut *self.conn().await?).await?;
        if let Some((s, a)) = row {
            return Ok(Some(format!("/{s}/{a}/")));
        }
        // Sections, tags and pages an import brought with their old addresses.
        let row: Option<(String,)> = sqlx::query_as("SELECT target FROM path_redirects WHERE old_path = $1").bind(old_path).fetch_optional(&mut *self.conn().await?).await?;
        Ok(row.map(|(t,)| t).filter(|t| t != old_path))
    }
}

/// `old_path` answers with the article from now on (written only when that is news).
pub(crate) async fn add_redirect(tx: &mut Transaction<'_, Any>, old_path: &str, article_id: i64) -> Result<()> {
    sqlx::query("INSERT INTO redirects (old_path, article_id) VALUES ($1, $2) ON CONFLICT (old_path) DO UPDATE SET article_id = excluded.article_id WHERE redirects.article_id <> excluded.article_id")
        .bind(canonical_path(old_path))
        .bind(article_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `old_path` answers with `target`, a path on this site (written only when that is news).
pub(crate) async fn add_path_redirect(tx: &mut Transaction<'_, Any>, old_path: &str, target: &str) -> Result<()> {
    sqlx::query("INSERT INTO path_redirects (old_path, target) VALUES ($1, $2) ON CONFLICT (old_path) DO UPDATE SET target = excluded.target WHERE path_redirects.target <> excluded.target")
        .bind(canonical_path(old_path))
        .bind(target)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
