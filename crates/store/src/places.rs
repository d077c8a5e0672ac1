//! What theaters and venues share about a place: its fields, a free slug, and the statements
//! that write them, for either table.

use crate::db::Result;
use marquee_domain::slugify;
use sqlx::{Any, Transaction};
/// What theaters and venues store about a place besides its identity. A theater always has a
/// position; a venue may not.
#[derive(Debug, PartialEq)]
pub(crate) struct PlaceFields<'a> {
    pub(crate) name: &'a str,
    pub(crate) address: &'a str,
    pub(crate) city: &'a str,
    pub(crate) state: &'a str,
    pub(crate) postal_code: &'a str,
    pub(crate) latitude: Option<f64>,
    pub(crate) longitude: Option<f64>,
    pub(crate) time_zone: &'a str,
    pub(crate) url: &'a str,
}

macro_rules! place_fields {
    ($($t:ty),*) => {$(
        impl $t {
            pub(crate) fn place(&self) -> $crate::places::PlaceFields<'_> {
                $crate::places::PlaceFields {
                    name: &self.name,
                    address: &self.address,
                    city: &self.city,
                    state: &self.state,
                    postal_code: &self.postal_code,
                    latitude: Option::from(self.latitude),
                    longitude: Option::from(self.longitude),
                    time_zone: &self.time_zone,
                    url: &self.url,
                }
            }
        }
    )*};
}
pub(crate) use place_fields;

/// Adds a theater or venue (`table`) with a free slug made from its name (else `fallback`),
/// and returns its id.
pub(crate) async fn insert_place(tx: &mut Transaction<'_, Any>, table: &str, external_id: Option<&str>, p: &PlaceFields<'_>, fallback: &str) -> Result<i64> {
    let slug = place_slug(tx, table, p.name, p.city, fallback).await?;
    // The row is created with its identity (and the columns that may not be empty), then
    // filled by the statement that updates places, so the list of fields lives in one place.
    let sql = format!("INSERT INTO {table} (slug, external_id, name, latitude, longitude, time_zone) VALUES ($1, $2, $3, CAST($4 AS DOUBLE PRECISION), CAST($5 AS DOUBLE PRECISION), $6) RETURNING id");
    let (id,): (i64,) = sqlx::query_as(&sql).bind(slug).bind(external_id).bind(p.name).bind(float_text(p.latitude)).bind(float_text(p.longitude)).bind(p.time_zone).fetch_one(&mut **tx).await?;
    update_place(tx, table, id, p).await?;
    Ok(id)
}

/// A position that may be unknown, as text the statement casts back. sqlx's `Any` driver sends
/// an unknown `f64` to PostgreSQL as a `real` and a known one as a `double precision`, and a
/// statement PostgreSQL prepared with one then refuses the other; text is text either way.
/// Rust writes the shortest text that reads back as the same `f64`.
fn float_text(v: Option<f64>) -> Option<String> {
    v.map(|x| x.to_string())
}

/// Sets what a theater or venue (`table`) stores about its place.
pub(crate) async fn update_place(tx: &mut Transaction<'_, Any>, table: &str, id: i64, p: &PlaceFields<'_>) -> Result<()> {
    sqlx::query(&format!("UPDATE {table} SET name = $1, address = $2, city = $3, state = $4, postal_code = $5, latitude = CAST($6 AS DOUBLE PRECISION), longitude = CAST($7 AS DOUBLE PRECISION), time_zone = $8, url = $9 WHERE id = $10"))
        .bind(p.name)
        .bind(p.address)
        .bind(p.city)
        .bind(p.state)
        .bind(p.postal_code)
        .bind(float_text(p.latitude))
        .bind(float_text(p.longitude))
        .bind(p.time_zone)
        .bind(p.url)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A free slug for a place in `table`: its name, with its city when another place has the
/// name, and a number when that is taken too.
async fn place_slug(tx: &mut Transaction<'_, Any>, table: &str, name: &str, city: &str, fallback: &str) -> Result<String> {
    let mut base = slugify(name);
    if base.is_empty() {
        base = fallback.into();
    }
    crate::db::lock_slugs(tx, table).await?;
    let taken: Option<(i64,)> = sqlx::query_as(&format!("SELECT id FROM {table} WHERE slug = $1")).bind(&base).fetch_optional(&mut **tx).await?;
    if taken.is_some() && !slugify(city).is_empty() {
        base = format!("{base}-{}", slugify(city));
    }
    crate::db::free_slug(tx, table, &base).await
}
