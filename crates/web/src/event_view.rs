//! [`EventView`], the line any listing of events shows (the calendar, the newsroom, a special
//! report), and the local-time arithmetic of events: each is shown in its venue's zone.
//! Foundation: imports nothing from this crate.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use marquee_domain::event::{when_text, Category};
use marquee_domain::time::{now_unix, rfc3339};
use marquee_store::EventCard;
use serde::Serialize;

pub(crate) fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// One event as a line of a listing: the calendar, the newsroom, a special report.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    pub id: i64,
    pub url: String,
    pub title: String,
    /// "Sat., Nov. 28, 8 p.m.", in the venue's zone, with the end when there is one.
    pub when: String,
    /// The start for `<time datetime>`: a date for an all-day event, else RFC 3339 with the
    /// venue's offset.
    pub iso: String,
    pub venue: String,
    /// "Music"
    pub category: String,
    /// The calendar filtered to this category.
    pub category_url: String,
    pub price: String,
    /// On a calendar page: the event began before the page's first day and is still on.
    pub continuing: bool,
}

impl EventView {
    pub fn new(card: &EventCard) -> EventView {
        let tz = zone(&card.venue_time_zone);
        let category = Category::parse(&card.category);
        EventView {
            id: card.id,
            url: format!("/events/{}/", card.slug),
            title: card.title.clone(),
            when: when_text(card.starts_at, card.ends_at, card.all_day, &tz, now_unix()),
            iso: start_iso(card.starts_at, card.all_day, &tz),
            venue: card.venue_name.clone(),
            category: Category::label_of(&card.category),
            category_url: category.map(|c| format!("/events/?category={}", c.as_str())).unwrap_or_else(|| "/events/".into()),
            price: card.price.clone(),
            continuing: false,
        }
    }

    pub fn list(cards: &[EventCard]) -> Vec<EventView> {
        cards.iter().map(EventView::new).collect()
    }
}

/// A start for machines: the date of an all-day event, else the instant with its offset.
pub(crate) fn start_iso(at: i64, all_day: bool, tz: &TimeZone) -> String {
    if all_day {
        local_date(at, tz).to_string()
    } else {
        rfc3339(at, tz)
    }
}

pub(crate) fn local_date(at: i64, tz: &TimeZone) -> Date {
    Timestamp::from_second(at).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(tz.clone()).date()
}

/// The last day of an all-day event (its stored end is the midnight after it).
pub(crate) fn last_day(card: &EventCard, tz: &TimeZone) -> Date {
    card.ends_at.map(|e| local_date(e - 1, tz)).unwrap_or_else(|| local_date(card.starts_at, tz))
}

/// Whether an event is over at `now`: at its end, or, without one, when its day at the venue
/// is over.
pub(crate) fn is_over(card: &EventCard, tz: &TimeZone, now: i64) -> bool {
    let end = card.ends_at.unwrap_or_else(|| local_date(card.starts_at, tz).tomorrow().map(|d| midnight(d, tz)).unwrap_or(card.starts_at));
    end <= now
}

/// Midnight at the start of `d` in `tz`, as Unix seconds.
pub(crate) fn midnight(d: Date, tz: &TimeZone) -> i64 {
    d.to_zoned(tz.clone()).map(|z| z.timestamp().as_second()).unwrap_or(0)
}
