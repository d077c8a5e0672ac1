use crate::db::{Result, Store};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Publication {
    pub name: String,
    pub base_url: String,
    pub time_zone: String,
    pub copyright: String,
    /// Where "in the area" is measured from when a reader gives no location.
    pub home_latitude: f64,
    pub home_longitude: f64,
    pub radius_miles: f64,
    /// How many days of views Most Popular ranks by.
    pub popular_days: i64,
}

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Section {
    pub id: i64,
    pub slug: String,
    pub name: String,
    pub description: String,
    pub position: i64,
}

impl Store {
    pub async fn publication(&self) -> Result<Publication> {
        Ok(sqlx::query_as("SELECT name, base_url, time_zone, copyright, home_latitude, home_longitude, radius_miles, popular_days FROM publication WHERE id = 1")
            .fetch_one(&mut *self.conn().await?)
            .await?)
    }

    pub async fn update_publication(&self, p: &Publication) -> Result<()> {
        sqlx::query("UPDATE publication SET name = $1, base_url = $2, time_zone = $3, copyright = $4, home_latitude = $5, home_longitude = $6, radius_miles = $7, popular_days = $8, content_version = content_version + 1 WHERE id = 1")
            .bind(&p.name)
            .bind(&p.base_url)
            .bind(&p.time_zone)
            .bind(&p.copyright)
            .bind(p.home_latitude)
            .bind(p.home_longitude)
            .bind(p.radius_miles)
            .bind(p.popular_days)
            .execute(&mut *self.conn().await?)
            .await?;
        Ok(())
    }

    /// A number that grows whenever anything a reader sees changes; caches compare it.
    pub async fn content_version(&self) -> Result<i64> {
        let (v,): (i64,) = sqlx::query_as("SELECT content_version FROM publication WHERE id = 1").fetch_one(&mut *self.conn().await?).await?;
        Ok(v)
    }

    pub async fn sections(&self) -> Result<Vec<Section>> {
        Ok(sqlx::query_as("SELECT id, slug, name, description, position FROM sections ORDER BY position, name")
            .fetch_all(&mut *self.conn().await?)
            .await?)
    }

    pub async fn section_by_slug(&self, slug: &str) -> Result<Option<Section>> {
        Ok(sqlx::query_as("SELECT id, slug, name, description, position FROM sections WHERE slug = $1")
            .bind(slug)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    pub async fn section_by_id(&self, id: i64) -> Result<Option<Section>> {
        Ok(sqlx::query_as("SELECT id, slug, name, description, position FROM sections WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *self.conn().await?)
            .await?)
    }

    /// Creates a section; `Ok(None)` when the slug is taken.
    pub async fn create_section(&self, slug: &str, name: &str, description: &str, position: i64) -> Result<Option<i64>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let r: std::result::Result<(i64,), _> =
            sqlx::query_as("INSERT INTO sections (slug, name, description, position) VALUES ($1, $2, $3, $4) RETURNING id")
                .bind(slug)
                .bind(name)
                .bind(description)
                .bind(position)
                .fetch_one(&mut *tx)
                .await;
        match r {
            Ok((id,)) => {
                bump_version(&mut tx).await?;
                tx.commit().await?;
                Ok(Some(id))
            }
            Err(e) if crate::db::is_unique_violation(&e) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Renames or moves a section. Returns false when the slug belongs to another section.
    /// Published articles in a section whose slug changes keep their old URLs as redirects.
    pub async fn update_section(&self, id: i64, slug: &str, name: &str, description: &str, position: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let old: Option<(String,)> = sqlx::query_as("SELECT slug FROM sections WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
        let Some((old_slug,)) = old else { return Ok(false) };
        let r = sqlx::query("UPDATE sections SET slug = $1, name = $2, description = $3, position = $4 WHERE id = $5")
            .bind(slug)
            .bind(name)
            .bind(description)
            .bind(position)
            .bind(id)
            .execute(&mut *tx)
            .await;
        match r {
            Ok(_) => {}
            Err(e) if crate::db::is_unique_violation(&e) => return Ok(false),
            Err(e) => return Err(e.into()),
        }
        if old_slug != slug {
            let rows: Vec<(i64, String)> =
                sqlx::query_as("SELECT id, slug FROM articles WHERE section_id = $1 AND status <> 'draft'")
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
            for (article_id, article_slug) in rows {
                crate::redirects::add_redirect(&mut tx, &format!("/{old_slug}/{article_slug}/"), article_id).await?;
            }
        }
        bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}

pub(crate) async fn bump_version(tx: &mut sqlx::Transaction<'_, sqlx::Any>) -> Result<()> {
    sqlx::query("UPDATE publication SET content_version = content_version + 1 WHERE id = 1").execute(&mut **tx).await?;
    Ok(())
}
