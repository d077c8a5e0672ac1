//! The events calendar (`/events/`), one event's page (`/events/{slug}/`) with its
//! iCalendar file and schema.org `Event`, and [`EventView`], the line any listing of events
//! shows. Times are shown in each venue's zone; "today" is the publication's.

use crate::event_view::{is_over, last_day, local_date, midnight, zone, EventView};
use crate::ical;
use crate::respond::{cached_for, error_page, moved, not_found, render_page, AppError, Rendered, Reply};
use crate::site::SiteInfo;
use crate::state::AppState;
use crate::views::{address_line, url_encode, Layout};
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::{Timestamp, ToSpan};
use marquee_domain::event::{day_heading, Category};
use marquee_domain::time::now_unix;
use marquee_store::{EventCard, EventDetail};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub const DEFAULT_DAYS: i64 = 14;
pub const MAX_DAYS: i64 = 62;
/// Most events one calendar page lists (of those running on from before, and of those
/// starting in it); a page that reaches it says so.
const MAX_LISTED: i64 = 1000;

/// Seconds until the publication's next midnight, when "today" (and with it what the
/// calendar shows by default, and the years it leaves out) moves on.
fn until_tomorrow(site: &SiteInfo) -> i64 {
    let today = Timestamp::now().to_zoned(site.tz.clone()).date();
    let next = today.tomorrow().map(|d| midnight(d, &site.tz)).unwrap_or(0);
    (next - now_unix()).clamp(60, 86_400)
}

#[derive(Deserialize, Default)]
pub struct CalendarQuery {
    from: Option<String>,
    days: Option<String>,
    category: Option<String>,
}

/// The days a calendar page covers, checked.
#[derive(Debug)]
struct Window {
    from: Date,
    days: i64,
    category: Option<Category>,
}

impl CalendarQuery {
    /// The window asked for (from `today` for 14 days unless told), or a message saying what
    /// is wrong with the query.
    fn window(&self, today: Date) -> Result<Window, String> {
        let given = |v: &Option<String>| v.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_string);
        let from = match given(&self.from) {
            None => today,
            Some(s) => s.parse::<Date>().ok().filter(|d| (1900..=2200).contains(&d.year())).ok_or_else(|| format!("“{s}” is not a date like 2026-11-28."))?,
        };
        let days = match given(&self.days) {
            None => DEFAULT_DAYS,
            Some(s) => s.parse::<i64>().ok().filter(|n| (1..=MAX_DAYS).contains(n)).ok_or_else(|| format!("The number of days must be a whole number from 1 to {MAX_DAYS}."))?,
        };
        let category = match given(&self.category) {
            None => None,
            Some(s) => Some(Category::parse(&s).ok_or_else(|| Category::unknown(&s))?),
        };
        Ok(Window { from, days, category })
    }
}

impl Window {
    fn until(&self) -> Date {
        self.from.checked_add(self.days.days()).unwrap_or(self.from)
    }

    /// The calendar's address for these settings starting at `from`: only what differs from
    /// the defaults, except the date.
    fn url(&self, from: Option<Date>, category: Option<Category>) -> String {
        let mut parts = Vec::new();
        if let Some(d) = from {
            parts.push(format!("from={d}"));
        }
        if self.days != DEFAULT_DAYS {
            parts.push(format!("days={}", self.days));
        }
        if let Some(c) = category {
            parts.push(format!("category={}", c.as_str()));
        }
        if parts.is_empty() {
            "/events/".into()
        } else {
            format!("/events/?{}", parts.join("&"))
        }
    }

    /// The page-cache key: the normalized window, so that equal queries share one page.
    fn cache_key(&self) -> String {
        format!("/events/?from={}&days={}&category={}", self.from, self.days, self.category.map(|c| c.as_str()).unwrap_or(""))
    }
}

#[derive(Serialize)]
struct DayView {
    id: String,
    label: String,
    events: Vec<EventView>,
}

#[derive(Serialize)]
struct CategoryLink {
    label: &'static str,
    url: String,
    current: bool,
}

/// The calendar's days: each event under its local day (in its venue's zone) within the
/// window; one that began before and is still on goes first under the first day.
fn group_by_day(w: &Window, cards: &[EventCard], this_year: i16) -> Vec<DayView> {
    let until = w.until();
    let mut days: BTreeMap<Date, Vec<EventView>> = BTreeMap::new();
    let mut continuing = Vec::new();
    for card in cards {
        let tz = zone(&card.venue_time_zone);
        let day = local_date(card.starts_at, &tz);
        if day < w.from {
            // An all-day event's end is the midnight after its last day, so one rule serves both.
            if card.ends_at.is_some_and(|end| end > midnight(w.from, &tz)) {
                continuing.push(EventView { continuing: true, ..EventView::new(card) });
            }
        } else if day < until {
            days.entry(day).or_default().push(EventView::new(card));
        }
    }
    if !continuing.is_empty() {
        let first = days.entry(w.from).or_default();
        continuing.append(first);
        *first = continuing;
    }
    days.into_iter().map(|(d, events)| DayView { id: format!("day-{d}"), label: day_heading(d, this_year), events }).collect()
}

/// `/events/`: a calendar by day. `?from=YYYY-MM-DD`, `?days=N` (1 to 62) and
/// `?category=music` choose what it shows; a bad value is a 400 with a message.
pub async fn calendar(State(state): State<AppState>, Query(q): Query<CalendarQuery>) -> Reply {
    let site = state.site();
    let today = Timestamp::now().to_zoned(site.tz.clone()).date();
    let w = match q.window(today) {
        Ok(w) => w,
        Err(msg) => return Err(error_page(StatusCode::BAD_REQUEST, "That calendar cannot be shown", msg)),
    };
    Ok(cached_for(&state, Some(w.cache_key()), Some(until_tomorrow(&site)), || async { render_calendar(&state, &site, &w, today).await }).await)
}

async fn render_calendar(state: &AppState, site: &SiteInfo, w: &Window, today: Date) -> Rendered {
    // The window is in local days, and venues may be anywhere from UTC-12 to UTC+14: ask for
    // every instant that could fall on one of those days somewhere, then sort by local day.
    let utc = |d: Date| midnight(d, &TimeZone::UTC);
    let (from, to) = (utc(w.from) - 14 * 3600, utc(w.until()) + 12 * 3600);
    let cards = state.store().events_between(from, to, w.category.map(|c| c.as_str()), MAX_LISTED).await?;
    let truncated = cards.iter().filter(|c| c.starts_at >= from).count() as i64 >= MAX_LISTED;
    let days = group_by_day(w, &cards, today.year());
    let last = w.until().yesterday().unwrap_or(w.from);
    let range = if w.days == 1 { day_heading(w.from, today.year()) } else { format!("{} to {}", day_heading(w.from, today.year()), day_heading(last, today.year())) };
    let in_category = w.category.map(|c| format!(" in {}", c.label())).unwrap_or_default();
    let step = w.days.days();
    #[derive(Serialize)]
    struct Ctx {
        layout: Layout,
        heading: String,
        range: String,
        categories: Vec<CategoryLink>,
        from: String,
        days_param: Option<i64>,
        category: Option<&'static str>,
        days: Vec<DayView>,
        empty: String,
        truncated: bool,
        prev_url: String,
        next_url: String,
        canonical: String,
    }
    let categories = std::iter::once(CategoryLink { label: "All", url: w.url(Some(w.from).filter(|d| *d != today), None), current: w.category.is_none() })
        .chain(Category::ALL.into_iter().map(|c| CategoryLink { label: c.label(), url: w.url(Some(w.from).filter(|d| *d != today), Some(c)), current: w.category == Some(c) }))
        .collect();
    let ctx = Ctx {
        layout: Layout::new(site, Some("events")),
        heading: match w.category {
            Some(c) => format!("Events: {}", c.label()),
            None => "Events".into(),
        },
        range: range.clone(),
        categories,
        from: w.from.to_string(),
        days_param: (w.days != DEFAULT_DAYS).then_some(w.days),
        category: w.category.map(|c| c.as_str()),
        days,
        empty: format!("No events{in_category} are listed for {range}."),
        truncated,
        prev_url: w.url(w.from.checked_sub(step).ok(), w.category),
        next_url: w.url(w.from.checked_add(step).ok(), w.category),
        canonical: w.url(None, w.category),
    };
    render_page(state, "events.html", ctx)
}

/// An event's page, found by its slug; an old slug answers 301 to the new address.
async fn find(state: &AppState, slug: &str, suffix: &str) -> Result<EventDetail, AppError> {
    let store = state.store();
    if let Some(d) = store.event_by_slug(slug).await? {
        return Ok(d);
    }
    match store.event_redirect(slug).await? {
        Some(to) => Err(AppError::Response(moved(&format!("/events/{}/{suffix}", url_encode(&to))))),
        None => Err(not_found()),
    }
}

/// `/events/{slug}/`: the event, past or to come.
pub async fn event(State(state): State<AppState>, Path(slug): Path<String>) -> Reply {
    let site = state.site();
    Ok(cached_for(&state, Some(format!("/events/{slug}/")), Some(until_tomorrow(&site)), || async {
        let d = find(&state, &slug, "").await?;
        let (e, v) = (&d.event, &d.venue);
        #[derive(Serialize)]
        struct VenueView {
            name: String,
            address: String,
            url: String,
        }
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            event: EventView,
            venue: VenueView,
            ticket_url: String,
            description_html: String,
            summary: String,
            ics_url: String,
            over: bool,
            jsonld: String,
            /// Published special reports that list this event.
            reports: Vec<crate::boxes::ReportLink>,
        }
        let base = site.publication.base_url.trim_end_matches('/').to_string();
        let mut summary = marquee_domain::markdown::plain_excerpt(&e.description, 160);
        if summary.is_empty() {
            summary = format!("{} at {}.", e.card.title, v.name);
        }
        let ctx = Ctx {
            layout: Layout::new(&site, Some("events")),
            event: EventView::new(&e.card),
            venue: VenueView { name: v.name.clone(), address: address_line(&v.address, &v.city, &v.state, &v.postal_code), url: v.url.clone() },
            ticket_url: e.ticket_url.clone(),
            description_html: e.description_html.clone(),
            summary,
            ics_url: format!("/events/{}/event.ics", e.card.slug),
            over: is_over(&e.card, &zone(&v.time_zone), now_unix()),
            jsonld: crate::structured::event(&base, &d),
            reports: state
                .store()
                .reports_with_event(e.card.id)
                .await?
                .into_iter()
                .map(crate::boxes::ReportLink::from)
                .collect(),
        };
        render_page(&state, "event.html", ctx)
    })
    .await)
}

/// `/events/{slug}/event.ics`: the event as an iCalendar file.
pub async fn ics(State(state): State<AppState>, Path(slug): Path<String>) -> Reply {
    let d = find(&state, &slug, "event.ics").await?;
    let base = state.site().publication.base_url.trim_end_matches('/').to_string();
    let body = calendar_file(&d, &base, &ical::host(&base), Timestamp::now());
    Ok(ical::download(&format!("{}.ics", d.event.card.slug), body))
}

/// One VEVENT: times in UTC (an all-day event by its dates), the venue as its location, the
/// description as plain text with the price and ticket link.
pub fn calendar_file(d: &EventDetail, base: &str, host: &str, now: Timestamp) -> String {
    let (e, v) = (&d.event, &d.venue);
    let c = &e.card;
    let tz = zone(&v.time_zone);
    let mut lines = vec!["BEGIN:VEVENT".to_string(), format!("UID:event-{}@{host}", c.id), ical::stamp(now)];
    let at = |t: i64| Timestamp::from_second(t).unwrap_or(now);
    if c.all_day {
        let first = local_date(c.starts_at, &tz);
        let after = last_day(c, &tz).tomorrow().unwrap_or(first);
        lines.push(format!("DTSTART;VALUE=DATE:{}", first.strftime("%Y%m%d")));
        lines.push(format!("DTEND;VALUE=DATE:{}", after.strftime("%Y%m%d")));
    } else {
        lines.push(format!("DTSTART:{}", ical::utc(at(c.starts_at))));
        if let Some(end) = c.ends_at {
            lines.push(format!("DTEND:{}", ical::utc(at(end))));
        }
    }
    let place = address_line(&v.address, &v.city, &v.state, &v.postal_code);
    let location = if place.is_empty() { v.name.clone() } else { format!("{}, {place}", v.name) };
    let mut description = marquee_domain::markdown::plain_text(&e.description);
    for (label, value) in [("Price", &c.price), ("Tickets", &e.ticket_url)] {
        if !value.is_empty() {
            description.push_str(&format!("{}{label}: {value}", if description.is_empty() { "" } else { "\n\n" }));
        }
    }
    lines.extend([
        format!("SUMMARY:{}", ical::text(&c.title)),
        format!("LOCATION:{}", ical::text(&location)),
        format!("DESCRIPTION:{}", ical::text(&description)),
        format!("CATEGORIES:{}", ical::text(&Category::label_of(&c.category))),
        format!("URL:{base}/events/{}/", c.slug),
    ]);
    if let (Some(lat), Some(lon)) = (v.latitude, v.longitude) {
        lines.push(ical::geo(lat, lon));
    }
    lines.push("END:VEVENT".into());
    ical::calendar("Events", lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn card(title: &str, start: &str, end: Option<&str>, zone_name: &str, all_day: bool) -> EventCard {
        let tz = zone(zone_name);
        let at = |s: &str| marquee_domain::time::parse_datetime_local(s, &tz).unwrap();
        EventCard {
            id: 1,
            slug: marquee_domain::slugify(title),
            title: title.into(),
            category: "music".into(),
            starts_at: at(start),
            ends_at: end.map(at),
            all_day,
            price: String::new(),
            venue_name: "Hall".into(),
            venue_time_zone: zone_name.into(),
        }
    }

    #[test]
    fn events_fall_on_their_local_day_and_running_ones_lead_the_first() {
        let w = Window { from: "2026-11-28".parse().unwrap(), days: 2, category: None };
        let cards = vec![
            card("Exhibit", "2026-11-01T10:00", Some("2026-12-31T18:00"), "America/Los_Angeles", false),
            card("Over", "2026-11-27T20:00", Some("2026-11-27T23:00"), "America/Los_Angeles", false),
            card("Late", "2026-11-28T23:30", None, "America/Los_Angeles", false),
            card("Tokyo", "2026-11-29T08:00", None, "Asia/Tokyo", false),
            card("Fair", "2026-11-26T00:00", Some("2026-11-29T00:00"), "America/Chicago", true),
            card("Next", "2026-11-30T09:00", None, "America/New_York", false),
        ];
        let days = group_by_day(&w, &cards, 2026);
        let titles: Vec<(String, Vec<(String, bool)>)> = days.iter().map(|d| (d.label.clone(), d.events.iter().map(|e| (e.title.clone(), e.continuing)).collect())).collect();
        assert_eq!(
            titles,
            vec![
                ("Saturday, November 28".to_string(), vec![("Exhibit".to_string(), true), ("Fair".to_string(), true), ("Late".to_string(), false)]),
                ("Sunday, November 29".to_string(), vec![("Tokyo".to_string(), false)]),
            ]
        );
    }

    #[test]
    fn an_event_without_an_end_is_over_when_its_day_is() {
        let tz = zone("America/Los_Angeles");
        let at = |s: &str| marquee_domain::time::parse_datetime_local(s, &tz).unwrap();
        let show = card("Show", "2026-11-28T20:00", None, "America/Los_Angeles", false);
        assert!(!is_over(&show, &tz, at("2026-11-28T22:00")));
        assert!(is_over(&show, &tz, at("2026-11-29T00:00")));
        let fair = card("Fair", "2026-11-28T00:00", Some("2026-11-30T00:00"), "America/Los_Angeles", true);
        assert!(!is_over(&fair, &tz, at("2026-11-29T23:00")) && is_over(&fair, &tz, at("2026-11-30T00:00")));
    }

    #[test]
    fn calendar_queries_are_checked_and_normalized() {
        let today: Date = "2026-11-28".parse().unwrap();
        let q = |from: &str, days: &str, category: &str| CalendarQuery { from: Some(from.into()), days: Some(days.into()), category: Some(category.into()) };
        let w = q("", "", "").window(today).unwrap();
        assert_eq!((w.from, w.days, w.category), (today, DEFAULT_DAYS, None));
        assert_eq!(w.cache_key(), "/events/?from=2026-11-28&days=14&category=");
        let w = q("2026-12-01", "7", "Music").window(today).unwrap();
        assert_eq!(w.url(Some(w.from), w.category), "/events/?from=2026-12-01&days=7&category=music");
        assert!(q("yesterday", "", "").window(today).unwrap_err().contains("not a date"));
        assert!(q("", "63", "").window(today).unwrap_err().contains("from 1 to 62"));
        assert!(q("", "0", "").window(today).is_err());
        assert!(q("", "", "opera").window(today).unwrap_err().contains("not an event category"));
    }
}
