use crate::places::{insert_place, place_fields, update_place};
use crate::db::placeholders;
use crate::db::{Result, Store};
use marquee_domain::event::CheckedEvent;
use sqlx::any::AnyRow;
use sqlx::{Any, FromRow, Row, Transaction};

/// Where events happen. Times of its events are shown in its IANA zone.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Venue {
    pub id: i64,
    pub slug: String,
    /// A feed's own id for the venue; venues added in the newsroom may have none.
    pub external_id: Option<String>,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: String,
    pub url: String,
}

/// A venue as a feed or the newsroom describes it, already checked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VenueRecord {
    pub external_id: Option<String>,
    pub name: String,
    pub address: String,
    pub city: String,
    pub state: String,
    pub postal_code: String,
    pub latitude: Option<f64>,
    pub longitude: Option<f64>,
    pub time_zone: String,
    pub url: String,
}

/// What a listing shows about an event: enough for a calendar line or a report item.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventCard {
    pub id: i64,
    pub slug: String,
    pub title: String,
    /// One of `marquee_domain::event::Category`, stored as "music".
    pub category: String,
    /// Unix seconds; an all-day event starts at midnight of its first day, venue time.
    pub starts_at: i64,
    /// Unix seconds; an all-day event ends at midnight after its last day.
    pub ends_at: Option<i64>,
    pub all_day: bool,
    pub price: String,
    pub venue_name: String,
    pub venue_time_zone: String,
}

impl<'r> FromRow<'r, AnyRow> for EventCard {
    fn from_row(row: &'r AnyRow) -> sqlx::Result<Self> {
        Ok(EventCard {
            id: row.try_get("id")?,
            slug: row.try_get("slug")?,
            title: row.try_get("title")?,
            category: row.try_get("category")?,
            starts_at: row.try_get("starts_at")?,
            ends_at: row.try_get("ends_at")?,
            // Flags are 0/1 integers so that both databases read them alike.
            all_day: row.try_get::<i64, _>("all_day")? != 0,
            price: row.try_get("price")?,
            venue_name: row.try_get("venue_name")?,
            venue_time_zone: row.try_get("venue_time_zone")?,
        })
    }
}

/// Everything stored about an event.
#[derive(Debug, Clone, FromRow, serde::Serialize)]
pub struct Event {
    #[sqlx(flatten)]
    #[serde(flatten)]
    pub card: EventCard,
    pub external_id: Option<String>,
    pub venue_id: i64,
    pub ticket_url: String,
    /// Markdown as written.
    pub description: String,
    /// `marquee_domain::markdown` output: sanitized, safe to print.
    pub description_html: String,
    pub updated_at: i64,
}

/// An event with its venue, for the event's page and the newsroom's form.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EventDetail {
    pub event: Event,
    pub venue: Venue,
}

/// An event to store: its checked fields, where it happens, and how it is addressed.
#[derive(Debug, Clone)]
pub struct EventRecord {
    /// A feed's id for the event; set only when the event is first added.
    pub external_id: Option<String>,
    /// The slug wanted. When `slug_is_base`, a number is added if another event has it, and an
    /// event that already exists keeps its slug; otherwise it must be free.
    pub slug: String,
    pub slug_is_base: bool,
    pub venue_id: i64,
    pub fields: CheckedEvent,
}

/// What one event feed did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EventImportCounts {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    pub venues_added: usize,
    pub venues_updated: usize,
}

impl EventImportCounts {
    /// "3 added, 1 updated, 0 unchanged; venues: 1 added, 0 updated"
    pub fn summary(&self) -> String {
        format!("{} added, {} updated, {} unchanged; venues: {} added, {} updated", self.added, self.updated, self.unchanged, self.venues_added, self.venues_updated)
    }
}

const VENUE_COLS: &str = "id, slug, external_id, name, address, city, state, postal_code, latitude, longitude, time_zone, url";
const CARD_COLS: &str = "e.id, e.slug, e.title, e.category, e.starts_at, e.ends_at, e.all_day, e.price, v.name AS venue_name, v.time_zone AS venue_time_zone";
const EVENT_COLS: &str = "e.external_id, e.venue_id, e.ticket_url, e.description, e.description_html, e.updated_at";
const FROM_EVENTS: &str = "FROM events e JOIN venues v ON v.id = e.venue_id";

/// Keeps a cursor past every event: before any start, before any id.
pub const EVENT_CURSOR_START: (i64, i64) = (i64::MIN, i64::MIN);

fn unchanged(old: &Event, r: &EventRecord) -> bool {
    let (c, f) = (&old.card, &r.fields);
    c.title == f.title
        && old.venue_id == r.venue_id
        && c.category == f.category.as_str()
        && c.starts_at == f.starts_at
        && c.ends_at == f.ends_at
        && c.all_day == f.all_day
        && c.price == f.price
        && old.ticket_url == f.ticket_url
        && old.description == f.description
}

impl Store {
    // ----- venues -----

    pub async fn venues(&self) -> Result<Vec<Venue>> {
        Ok(sqlx::query_as(&format!("SELECT {VENUE_COLS} FROM venues ORDER BY name, id")).fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn venue(&self, id: i64) -> Result<Option<Venue>> {
        Ok(sqlx::query_as(&format!("SELECT {VENUE_COLS} FROM venues WHERE id = $1")).bind(id).fetch_optional(&mut *self.conn().await?).await?)
    }

    pub async fn venue_by_external_id(&self, external_id: &str) -> Result<Option<Venue>> {
        Ok(sqlx::query_as(&format!("SELECT {VENUE_COLS} FROM venues WHERE external_id = $1")).bind(external_id).fetch_optional(&mut *self.conn().await?).await?)
    }

    /// Saves a venue the newsroom edited (`id` given) or added. `Ok(Err(message))` when its
    /// feed id belongs to another venue, or the venue to edit is gone.
    pub async fn save_venue(&self, id: Option<i64>, v: &VenueRecord) -> Result<std::result::Result<i64, String>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        crate::db::lock_slugs(&mut tx, "venues").await?;
        if let Some(ext) = &v.external_id {
            let clash: Option<(i64, String)> = sqlx::query_as("SELECT id, name FROM venues WHERE external_id = $1").bind(ext).fetch_optional(&mut *tx).await?;
            if let Some((other, name)) = clash.filter(|(other, _)| Some(*other) != id) {
                return Ok(Err(format!("The feed id “{ext}” belongs to another venue, {name} (#{other}).")));
            }
        }
        let id = match id {
            Some(id) => {
                let found: Option<(i64,)> = sqlx::query_as("SELECT id FROM venues WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                if found.is_none() {
                    return Ok(Err("That venue no longer exists.".into()));
                }
                update_place(&mut tx, "venues", id, &v.place()).await?;
                sqlx::query("UPDATE venues SET external_id = $1 WHERE id = $2").bind(&v.external_id).bind(id).execute(&mut *tx).await?;
                id
            }
            None => insert_place(&mut tx, "venues", v.external_id.as_deref(), &v.place(), "venue").await?,
        };
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    // ----- events: reading -----

    /// Events that start in `[from, to)`, and before them those that started earlier and
    /// are still running at `from` (their end is after it); each part in start order, of one
    /// category or of all, at most `limit` of each.
    pub async fn events_between(&self, from: i64, to: i64, category: Option<&str>, limit: i64) -> Result<Vec<EventCard>> {
        let filter = if category.is_some() { " AND e.category = $3" } else { "" };
        let (running_filter, running_limit) = if category.is_some() { (" AND e.category = $2", "$3") } else { ("", "$2") };
        let limit_at = if category.is_some() { "$4" } else { "$3" };
        // Running events are found through the index on their end, so the cost follows the
        // events still to come rather than everything in the past.
        let running_sql = format!("SELECT {CARD_COLS} {FROM_EVENTS} WHERE e.ends_at > $1 AND e.starts_at < $1{running_filter} ORDER BY e.starts_at, e.id LIMIT {running_limit}");
        let mut q = sqlx::query_as::<_, EventCard>(&running_sql).bind(from);
        if let Some(c) = category {
            q = q.bind(c);
        }
        let mut out = q.bind(limit).fetch_all(&mut *self.conn().await?).await?;
        let starting_sql = format!("SELECT {CARD_COLS} {FROM_EVENTS} WHERE e.starts_at >= $1 AND e.starts_at < $2{filter} ORDER BY e.starts_at, e.id LIMIT {limit_at}");
        let mut q = sqlx::query_as::<_, EventCard>(&starting_sql).bind(from).bind(to);
        if let Some(c) = category {
            q = q.bind(c);
        }
        out.extend(q.bind(limit).fetch_all(&mut *self.conn().await?).await?);
        Ok(out)
    }

    /// Events not over at `now` (started since, or still running), in start order after the
    /// cursor `(starts_at, id)` ([`EVENT_CURSOR_START`] for the beginning): pages of a long list without
    /// counting past rows.
    pub async fn upcoming_events(&self, now: i64, after: (i64, i64), limit: i64) -> Result<Vec<EventCard>> {
        let sql = format!(
            "SELECT {CARD_COLS} {FROM_EVENTS} WHERE (e.starts_at >= $1 OR e.ends_at > $1) AND (e.starts_at > $2 OR (e.starts_at = $2 AND e.id > $3)) ORDER BY e.starts_at, e.id LIMIT $4"
        );
        Ok(sqlx::query_as(&sql).bind(now).bind(after.0).bind(after.1).bind(limit).fetch_all(&mut *self.conn().await?).await?)
    }

    /// Events over by `now`, the latest first.
    pub async fn past_events(&self, now: i64, limit: i64) -> Result<Vec<EventCard>> {
        let sql = format!("SELECT {CARD_COLS} {FROM_EVENTS} WHERE e.starts_at < $1 AND (e.ends_at IS NULL OR e.ends_at <= $1) ORDER BY e.starts_at DESC, e.id DESC LIMIT $2");
        Ok(sqlx::query_as(&sql).bind(now).bind(limit).fetch_all(&mut *self.conn().await?).await?)
    }

    /// The cards of these events (unknown ids are left out), in start order.
    pub async fn event_cards_by_ids(&self, ids: &[i64]) -> Result<Vec<EventCard>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!("SELECT {CARD_COLS} {FROM_EVENTS} WHERE e.id IN ({}) ORDER BY e.starts_at, e.id", placeholders(1, ids.len()));
        let mut q = sqlx::query_as::<_, EventCard>(&sql);
        for id in ids {
            q = q.bind(id);
        }
        Ok(q.fetch_all(&mut *self.conn().await?).await?)
    }

    pub async fn event(&self, id: i64) -> Result<Option<EventDetail>> {
        let found = sqlx::query_as(&format!("SELECT {CARD_COLS}, {EVENT_COLS} {FROM_EVENTS} WHERE e.id = $1")).bind(id).fetch_optional(&mut *self.conn().await?).await?;
        self.with_venue(found).await
    }

    pub async fn event_by_slug(&self, slug: &str) -> Result<Option<EventDetail>> {
        let found = sqlx::query_as(&format!("SELECT {CARD_COLS}, {EVENT_COLS} {FROM_EVENTS} WHERE e.slug = $1")).bind(slug).fetch_optional(&mut *self.conn().await?).await?;
        self.with_venue(found).await
    }

    async fn with_venue(&self, event: Option<Event>) -> Result<Option<EventDetail>> {
        let Some(event) = event else { return Ok(None) };
        let venue = self.venue(event.venue_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        Ok(Some(EventDetail { event, venue }))
    }

    /// The current slug of the event that used to be at `old_slug`.
    pub async fn event_redirect(&self, old_slug: &str) -> Result<Option<String>> {
        let row: Option<(String,)> = sqlx::query_as("SELECT e.slug FROM event_redirects r JOIN events e ON e.id = r.event_id WHERE r.old_slug = $1")
            .bind(old_slug)
            .fetch_optional(&mut *self.conn().await?)
            .await?;
        Ok(row.map(|(s,)| s))
    }

    // ----- events: writing -----

    /// Saves an event the newsroom edited (`id` given) or added. `Ok(Err(message))` when the
    /// slug belongs to another event, or the venue or the event is gone.
    pub async fn save_event(&self, id: Option<i64>, r: &EventRecord, now: i64) -> Result<std::result::Result<i64, String>> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let venue: Option<(i64,)> = sqlx::query_as("SELECT id FROM venues WHERE id = $1").bind(r.venue_id).fetch_optional(&mut *tx).await?;
        if venue.is_none() {
            return Ok(Err("That venue no longer exists.".into()));
        }
        crate::db::lock_slugs(&mut tx, "events").await?;
        if !r.slug_is_base {
            let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM events WHERE slug = $1").bind(&r.slug).fetch_optional(&mut *tx).await?;
            if taken.is_some_and(|(other,)| Some(other) != id) {
                return Ok(Err(format!("Another event already has the slug “{}”.", r.slug)));
            }
        }
        let id = match id {
            Some(id) => {
                let old: Option<(String,)> = sqlx::query_as("SELECT slug FROM events WHERE id = $1").bind(id).fetch_optional(&mut *tx).await?;
                let Some((old_slug,)) = old else { return Ok(Err("That event no longer exists.".into())) };
                if !r.slug_is_base && r.slug != old_slug {
                    move_event(&mut tx, id, &old_slug, &r.slug).await?;
                }
                write_event_row(&mut tx, id, r, now).await?;
                id
            }
            None => insert_event(&mut tx, r, now).await?,
        };
        crate::site::bump_version(&mut tx).await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Deletes an event (and the report items that list it). False when it was not there.
    pub async fn delete_event(&self, id: i64) -> Result<bool> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        let gone = sqlx::query("DELETE FROM events WHERE id = $1").bind(id).execute(&mut *tx).await?.rows_affected() > 0;
        if gone {
            crate::site::bump_version(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(gone)
    }

    /// Stores a checked event feed in one transaction: the venues it describes (added or
    /// updated by their feed id), then its events (by their feed id), each paired with the
    /// feed id of its venue, which must be among `venues` or already stored. An event that
    /// comes again unchanged is not written; one that changed keeps its slug.
    pub async fn import_events(&self, venues: &[VenueRecord], events: &[(String, EventRecord)], now: i64) -> Result<EventImportCounts> {
        let _write = self.write_guard().await;
        let mut tx = self.begin_write().await?;
        // Venues, then events: the order every transaction that names both takes them in.
        crate::db::lock_slugs(&mut tx, "venues").await?;
        crate::db::lock_slugs(&mut tx, "events").await?;
        let mut counts = EventImportCounts::default();
        for v in venues {
            let ext = v.external_id.as_deref().unwrap_or_default();
            let old: Option<Venue> = sqlx::query_as(&format!("SELECT {VENUE_COLS} FROM venues WHERE external_id = $1")).bind(ext).fetch_optional(&mut *tx).await?;
            match old {
                Some(old) if old.place() == v.place() => {}
                Some(old) => {
                    update_place(&mut tx, "venues", old.id, &v.place()).await?;
                    counts.venues_updated += 1;
                }
                None => {
                    insert_place(&mut tx, "venues", Some(ext), &v.place(), "venue").await?;
                    counts.venues_added += 1;
                }
            }
        }
        for (venue_ext, e) in events {
            let (venue_id,): (i64,) = sqlx::query_as("SELECT id FROM venues WHERE external_id = $1").bind(venue_ext).fetch_one(&mut *tx).await?;
            let r = EventRecord { venue_id, ..e.clone() };
            let sql = format!("SELECT {CARD_COLS}, {EVENT_COLS} {FROM_EVENTS} WHERE e.external_id = $1");
            let old: Option<Event> = sqlx::query_as(&sql).bind(r.external_id.as_deref().unwrap_or_default()).fetch_optional(&mut *tx).await?;
            match old {
                Some(old) if unchanged(&old, &r) => counts.unchanged += 1,
                Some(old) => {
                    write_event_row(&mut tx, old.card.id, &r, now).await?;
                    counts.updated += 1;
                }
                None => {
                    insert_event(&mut tx, &r, now).await?;
                    counts.added += 1;
                }
            }
        }
        if counts.added + counts.updated + counts.venues_added + counts.venues_updated > 0 {
            crate::site::bump_version(&mut tx).await?;
        }
        tx.commit().await?;
        Ok(counts)
    }
}

async fn insert_event(tx: &mut Transaction<'_, Any>, r: &EventRecord, now: i64) -> Result<i64> {
    let slug = if r.slug_is_base { crate::db::free_slug(tx, "events", &r.slug).await? } else { r.slug.clone() };
    // A new event may take an address an older event gave up.
    sqlx::query("DELETE FROM event_redirects WHERE old_slug = $1").bind(&slug).execute(&mut **tx).await?;
    let (id,): (i64,) = sqlx::query_as("INSERT INTO events (slug, external_id, title, venue_id, category, starts_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
        .bind(&slug)
        .bind(&r.external_id)
        .bind(&r.fields.title)
        .bind(r.venue_id)
        .bind(r.fields.category.as_str())
        .bind(r.fields.starts_at)
        .bind(now)
        .fetch_one(&mut **tx)
        .await?;
    write_event_row(tx, id, r, now).await?;
    Ok(id)
}

async fn write_event_row(tx: &mut Transaction<'_, Any>, id: i64, r: &EventRecord, now: i64) -> Result<()> {
    let f = &r.fields;
    sqlx::query("UPDATE events SET title = $1, venue_id = $2, category = $3, starts_at = $4, ends_at = $5, all_day = $6, price = $7, ticket_url = $8, description = $9, description_html = $10, updated_at = $11 WHERE id = $12")
        .bind(&f.title)
        .bind(r.venue_id)
        .bind(f.category.as_str())
        .bind(f.starts_at)
        .bind(f.ends_at)
        .bind(f.all_day as i64)
        .bind(&f.price)
        .bind(&f.ticket_url)
        .bind(&f.description)
        .bind(&f.description_html)
        .bind(now)
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Gives an event a new slug; its old address keeps answering with a redirect.
async fn move_event(tx: &mut Transaction<'_, Any>, id: i64, old_slug: &str, new_slug: &str) -> Result<()> {
    sqlx::query("DELETE FROM event_redirects WHERE old_slug = $1 OR old_slug = $2").bind(old_slug).bind(new_slug).execute(&mut **tx).await?;
    sqlx::query("UPDATE events SET slug = $1 WHERE id = $2").bind(new_slug).bind(id).execute(&mut **tx).await?;
    sqlx::query("INSERT INTO event_redirects (old_slug, event_id) VALUES ($1, $2)").bind(old_slug).bind(id).execute(&mut **tx).await?;
    Ok(())
}

place_fields!(Venue, VenueRecord);
