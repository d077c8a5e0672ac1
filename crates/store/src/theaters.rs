use crate::db::placeholders;
use crate::db::{Arg, Result, Store};
use crate::films::Upsert;
use crate::places::{insert_place, place_fields, update_place};
use sqlx::FromRow;

#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Theater {
    pub id: i64,
    pub slug: String,
    pub external_id: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
    pub url: String,
}

/// A theater as a feed or the newsroom describes it, already checked.
#[derive(Debug, Clone, Default)]
pub struct TheaterRecord {
    pub external_id: String,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub latitude: f64,
    pub longitude: f64,
    pub time_zone: String,
    pub url: String,
}

/// One screening, with what the pages show about its film and theater.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Showtime {
    pub id: i64,
    pub theater_id: i64,
    pub film_id: i64,
    pub starts_at: i64,
    pub attributes: String,
    pub auditorium: String,
    pub ticket_url: String,
    pub film_title: String,
    pub film_slug: String,
    pub film_runtime: Option<i64>,
    pub theater_name: String,
    pub theater_slug: String,
    pub time_zone: String,
}

/// A screening with the rest of its theater, for pages that find theaters by place: the
/// showtime's own columns, then the theater's that the showtime does not carry.
#[derive(Debug, Clone, FromRow)]
pub struct PlacedShowtime {
    #[sqlx(flatten)]
    pub showtime: Showtime,
    pub theater_external_id: String,
    pub theater_address: String,
    pub theater_city: String,
    pub theater_state: String,
    pub theater_postal_code: String,
    pub theater_latitude: f64,
    pub theater_longitude: f64,
    pub theater_url: String,
}

impl PlacedShowtime {
    /// The screening's theater, whole.
    pub fn theater(&self) -> Theater {
        let s = &self.showtime;
        Theater {
            id: s.theater_id,
            slug: s.theater_slug.clone(),
            external_id: self.theater_external_id.clone(),
            name: s.theater_name.clone(),
            address: self.theater_address.clone(),
            city: self.theater_city.clone(),
            state: self.theater_state.clone(),
            postal_code: self.theater_postal_code.clone(),
            latitude: self.theater_latitude,
            longitude: self.theater_longitude,
            time_zone: s.time_zone.clone(),
            url: self.theater_url.clone(),
        }
    }
}

impl crate::lite::LiteRow for PlacedShowtime {
    fn columns(stmt: &rusqlite::Statement<'_>) -> rusqlite::Result<Vec<usize>> {
        let mut at = <Showtime as crate::lite::LiteRow>::columns(stmt)?;
        for name in ["theater_external_id", "theater_address", "theater_city", "theater_state", "theater_postal_code", "theater_latitude", "theater_longitude", "theater_url"] {
            at.push(stmt.column_index(name)?);
        }
        Ok(at)
    }
    fn from_lite(row: &rusqlite::Row<'_>, at: &mut dyn Iterator<Item = usize>) -> rusqlite::Result<Self> {
        use crate::lite::next;
        Ok(PlacedShowtime {
            showtime: <Showtime as crate::lite::LiteRow>::from_lite(row, at)?,
            theater_external_id: row.get(next(at)?)?,
            theater_address: row.get(next(at)?)?,
            theater_city: row.get(next(at)?)?,
            theater_state: row.get(next(at)?)?,
            theater_postal_code: row.get(next(at)?)?,
            theater_latitude: row.get(next(at)?)?,
            theater_longitude: row.get(next(at)?)?,
            theater_url: row.get(next(at)?)?,
        })
    }
}

/// A screening to store.
#[derive(Debug, Clone)]
pub struct NewShowtime {
    pub theater_id: i64,
    pub film_id: i64,
    pub starts_at: i64,
    pub attributes: String,
    pub auditorium: String,
    pub ticket_url: String,
}

crate::lite::lite_row!(Theater { id, slug, external_id, name, address, city, state, postal_code, latitude, longitude, time_zone, url });
crate::lite::lite_row!(Showtime { id, theater_id, film_id, starts_at, attributes, auditorium, ticket_url, film_title, film_slug, film_runtime, theater_name, theater_slug, time_zone });

const THEATER_COLS: &str = "id, slug, external_id, name, address, city, state, postal_code, latitude, longitude, time_zone, url";
/// A [`Showtime`]'s columns, from `showtimes s`, `films f` and `theaters t`.
macro_rules! showtime_cols {
    () => {
        "s.id, s.theater_id, s.film_id, s.starts_at, s.attributes, s.auditorium, s.ticket_url, f.title AS film_title, f.slug AS film_slug, f.runtime_minutes AS film_runtime, t.name AS theater_name, t.slug AS theater_slug, t.time_zone"
    };
}
const SHOWTIME_SELECT: &str = concat!("SELECT ", showtime_cols!(), " FROM showtimes s JOIN films f ON f.id = s.film_id JOIN theaters t ON t.id = s.theater_id");

impl Store {
    /// Adds or updates a theater, keyed by the feed's theater id.
    pub async fn upsert_theater(&self, t: &TheaterRecord) -> Result<(i64, Upsert)> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        // Before the lookup by feed id, so two imports of one feed at once make one theater.
        crate::db::lock_slugs(&mut tx, "theaters").await?;
        let existing: Option<Theater> = sqlx::query_as(&format!("SELECT {THEATER_COLS} FROM theaters WHERE external_id = $1"))
            .bind(&t.external_id)
            .fetch_optional(&mut *tx)
            .await?;
        let outcome = match existing {
            Some(old) if old.place() == t.place() => return Ok((old.id, Upsert::Unchanged)),
            Some(old) => {
                update_place(&mut tx, "theaters", old.id, &t.place()).await?;
                (old.id, Upsert::Updated)
            }
            None => (insert_place(&mut tx, "theaters", Some(&t.external_id), &t.place(), "theater").await?, Upsert::Added),
        };
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(outcome)
    }

    pub async fn theaters(&self) -> Result<Vec<Theater>> {
        Ok(sqlx::query_as(&format!("SELECT {THEATER_COLS} FROM theaters ORDER BY name")).fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn theater_by_slug(&self, slug: &str) -> Result<Option<Theater>> {
        Ok(sqlx::query_as(&format!("SELECT {THEATER_COLS} FROM theaters WHERE slug = $1")).bind(slug).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub async fn theater_by_external_id(&self, id: &str) -> Result<Option<Theater>> {
        Ok(sqlx::query_as(&format!("SELECT {THEATER_COLS} FROM theaters WHERE external_id = $1")).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Theaters inside a latitude/longitude box (an indexed range on latitude).
    pub async fn theaters_in_box(&self, min_lat: f64, max_lat: f64, min_lon: f64, max_lon: f64) -> Result<Vec<Theater>> {
        let sql = format!("SELECT {THEATER_COLS} FROM theaters WHERE latitude BETWEEN $1 AND $2 AND longitude BETWEEN $3 AND $4");
        self.rows(&sql, &[Arg::Float(min_lat), Arg::Float(max_lat), Arg::Float(min_lon), Arg::Float(max_lon)]).await
    }

    /// Screenings from `from` (inclusive) to `to` (exclusive), of one film or of all, at the
    /// theaters inside a latitude/longitude box, with those theaters: one statement where
    /// Now Playing took two (theaters, then their screenings), so on PostgreSQL one round
    /// trip. In time order, then by theater name. The theaters come first in the join (an
    /// indexed range on latitude), then each one's screenings from the index on (theater,
    /// film, start): SQLite keeps that order for a `CROSS JOIN`.
    #[allow(clippy::too_many_arguments)]
    pub async fn screenings_in_box(&self, min_lat: f64, max_lat: f64, min_lon: f64, max_lon: f64, film_id: Option<i64>, from: i64, to: i64) -> Result<Vec<PlacedShowtime>> {
        let film_filter = if film_id.is_some() { " AND s.film_id = $7" } else { "" };
        let sql = format!(
            "SELECT {}, t.external_id AS theater_external_id, t.address AS theater_address, t.city AS theater_city, \
             t.state AS theater_state, t.postal_code AS theater_postal_code, t.latitude AS theater_latitude, t.longitude AS theater_longitude, t.url AS theater_url \
             FROM theaters t CROSS JOIN showtimes s JOIN films f ON f.id = s.film_id \
             WHERE t.latitude BETWEEN $1 AND $2 AND t.longitude BETWEEN $3 AND $4 AND s.theater_id = t.id AND s.starts_at >= $5 AND s.starts_at < $6{film_filter} \
             ORDER BY s.starts_at, t.name, s.id",
            showtime_cols!()
        );
        let mut args = vec![Arg::Float(min_lat), Arg::Float(max_lat), Arg::Float(min_lon), Arg::Float(max_lon), Arg::Int(from), Arg::Int(to)];
        args.extend(film_id.map(Arg::Int));
        self.rows(&sql, &args).await
    }

    /// Screenings at these theaters from `from` (inclusive) to `to` (exclusive), of one film
    /// or of all, in time order. The index on (theater, film, start) keeps the cost to the
    /// screenings asked for, however many past ones or far-away theaters there are.
    pub async fn showtimes(&self, theater_ids: &[i64], film_id: Option<i64>, from: i64, to: i64) -> Result<Vec<Showtime>> {
        if theater_ids.is_empty() {
            return Ok(Vec::new());
        }
        let film_filter = if film_id.is_some() { " AND s.film_id = $3" } else { "" };
        let first = if film_id.is_some() { 4 } else { 3 };
        let sql = format!(
            "{SHOWTIME_SELECT} WHERE s.starts_at >= $1 AND s.starts_at < $2{film_filter} AND s.theater_id IN ({}) ORDER BY s.starts_at, t.name",
            placeholders(first, theater_ids.len())
        );
        let mut args = vec![Arg::Int(from), Arg::Int(to)];
        args.extend(film_id.map(Arg::Int));
        args.extend(theater_ids.iter().map(|&id| Arg::Int(id)));
        self.rows(&sql, &args).await
    }

    pub async fn showtime(&self, id: i64) -> Result<Option<Showtime>> {
        Ok(sqlx::query_as(&format!("{SHOWTIME_SELECT} WHERE s.id = $1")).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Replaces, in one transaction, each listed theater's screenings between `from` and `to`
    /// with `rows`. Either all of it happens or none of it.
    pub async fn replace_showtimes(&self, windows: &[(i64, i64, i64)], rows: &[NewShowtime]) -> Result<u64> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let mut removed = 0;
        for (theater, from, to) in windows {
            removed += sqlx::query("DELETE FROM showtimes WHERE theater_id = $1 AND starts_at >= $2 AND starts_at < $3")
                .bind(theater)
                .bind(from)
                .bind(to)
                .execute(&mut *tx)
                .await?
                .rows_affected();
        }
        for r in rows {
            sqlx::query("INSERT INTO showtimes (theater_id, film_id, starts_at, attributes, auditorium, ticket_url) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(r.theater_id)
                .bind(r.film_id)
                .bind(r.starts_at)
                .bind(&r.attributes)
                .bind(&r.auditorium)
                .bind(&r.ticket_url)
                .execute(&mut *tx)
                .await?;
        }
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(removed)
    }
}

place_fields!(Theater, TheaterRecord);
