//! Where a film is playing: the reader's area (a ZIP code, a latitude/longitude, or the
//! publication's home), nearby theaters nearest first, and their screenings for the next seven
//! days grouped by day in each theater's own time zone; theater pages, `/showtimes/`, and
//! iCalendar downloads.

use crate::public::{cached_for, internal_error, not_found, render_page};
use crate::ical;
use crate::state::{AppState, SiteInfo};
use crate::views::Layout;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use marquee_domain::geo;
use marquee_store::{Showtime, Theater};
use serde::{Deserialize, Serialize};
use serde_json::json;

pub const WINDOW_DAYS: i64 = 7;
/// Pages that list screenings are re-rendered at least this often, so past ones drop off.
pub const SHOWTIME_PAGE_TTL: i64 = 60;

#[derive(Deserialize, Default, Clone)]
pub struct LocationQuery {
    pub zip: Option<String>,
    pub lat: Option<String>,
    pub lon: Option<String>,
}

/// The area a reader asked about.
#[derive(Clone, Serialize)]
pub struct Area {
    #[serde(skip)]
    pub center: (f64, f64),
    #[serde(skip)]
    pub radius: f64,
    /// "near 94612", or "near Marquee Weekly" for the home location.
    pub label: String,
    /// The query string that selects this area ("zip=94612"), empty for home.
    pub query: String,
    pub zip: String,
}

impl LocationQuery {
    /// The area, or a message about what the reader typed.
    pub fn area(&self, site: &SiteInfo) -> Result<Area, String> {
        let p = &site.publication;
        let radius = p.radius_miles;
        if let Some(zip) = self.zip.as_deref().map(str::trim).filter(|z| !z.is_empty()) {
            let place = geo::zip(zip).ok_or_else(|| format!("“{zip}” is not a US ZIP code we know. Try a five-digit code such as 94612."))?;
            return Ok(Area { center: (place.latitude, place.longitude), radius, label: format!("near {zip} ({}, {})", place.city, place.state), query: format!("zip={zip}"), zip: zip.to_string() });
        }
        match (self.lat.as_deref().map(str::trim).filter(|s| !s.is_empty()), self.lon.as_deref().map(str::trim).filter(|s| !s.is_empty())) {
            (Some(lat), Some(lon)) => {
                let (lat, lon) = match (lat.parse::<f64>(), lon.parse::<f64>()) {
                    (Ok(a), Ok(b)) if geo::valid_point(a, b) => (a, b),
                    _ => return Err("Latitude must be a number from -90 to 90 and longitude from -180 to 180.".into()),
                };
                // Rounded to about a kilometre: close enough to find theaters, and it bounds how
                // many distinct pages the cache can be asked to hold.
                let (lat, lon) = ((lat * 100.0).round() / 100.0, (lon * 100.0).round() / 100.0);
                Ok(Area { center: (lat, lon), radius, label: format!("near {lat:.2}, {lon:.2}"), query: format!("lat={lat:.2}&lon={lon:.2}"), zip: String::new() })
            }
            (None, None) => Ok(Area { center: (p.home_latitude, p.home_longitude), radius, label: format!("in the {} area", p.name), query: String::new(), zip: String::new() }),
            _ => Err("Give both a latitude and a longitude, or a ZIP code.".into()),
        }
    }

    /// The part of a page-cache key that selects the area: the normalised area, or `None`
    /// when the location is invalid (that page, with its message, is not cached).
    pub fn cache_key(&self, site: &SiteInfo) -> Option<String> {
        self.area(site).ok().map(|a| a.query)
    }
}

#[derive(Serialize)]
pub struct TimeView {
    pub id: i64,
    pub time: String,
    pub iso: String,
    pub attributes: Vec<String>,
    pub auditorium: String,
    pub ticket_url: String,
}

#[derive(Serialize)]
pub struct DayView {
    pub label: String,
    pub times: Vec<TimeView>,
}

#[derive(Serialize)]
pub struct FilmTimes {
    pub title: String,
    pub url: String,
    pub days: Vec<DayView>,
}

#[derive(Serialize)]
pub struct TheaterTimes {
    pub name: String,
    pub url: String,
    pub address: String,
    pub distance: String,
    pub films: Vec<FilmTimes>,
}

/// What the Now Playing box and the showtimes page show.
#[derive(Serialize)]
pub struct NowPlaying {
    pub area: Area,
    pub theaters: Vec<TheaterTimes>,
    pub error: Option<String>,
}

pub fn attribute_label(a: &str) -> String {
    match a.trim().to_ascii_lowercase().as_str() {
        "3d" => "3D".into(),
        "imax" => "IMAX".into(),
        "subtitled" | "subtitles" => "Subtitled".into(),
        "dolby" | "dolby-atmos" => "Dolby Atmos".into(),
        "accessible" => "Accessible".into(),
        other => match other.strip_prefix("language:") {
            Some(lang) => format!("In {}", lang.trim()),
            None => a.trim().to_string(),
        },
    }
}

fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Groups screenings (in time order) by day in the theater's zone.
fn by_day(rows: &[&Showtime]) -> Vec<DayView> {
    let mut days: Vec<DayView> = Vec::new();
    for s in rows {
        let Ok(ts) = Timestamp::from_second(s.starts_at) else { continue };
        let local = ts.to_zoned(zone(&s.time_zone));
        let label = local.strftime("%A, %B %-d").to_string();
        let time = TimeView {
            id: s.id,
            time: local.strftime("%-I:%M %p").to_string(),
            iso: local.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
            attributes: s.attributes.split(',').filter(|a| !a.trim().is_empty()).map(attribute_label).collect(),
            auditorium: s.auditorium.clone(),
            ticket_url: s.ticket_url.clone(),
        };
        match days.last_mut() {
            Some(d) if d.label == label => d.times.push(time),
            _ => days.push(DayView { label, times: vec![time] }),
        }
    }
    days
}

/// Theaters within the area, nearest first, with their distance in miles.
pub async fn nearby(state: &AppState, area: &Area) -> anyhow::Result<Vec<(Theater, f64)>> {
    let (a, b, c, d) = geo::bounding_box(area.center, area.radius);
    let mut found: Vec<(Theater, f64)> = state
        .store()
        .theaters_in_box(a, b, c, d)
        .await?
        .into_iter()
        .map(|t| {
            let dist = geo::distance_miles(area.center, (t.latitude, t.longitude));
            (t, dist)
        })
        .filter(|(_, dist)| *dist <= area.radius)
        .collect();
    found.sort_by(|x, y| x.1.total_cmp(&y.1).then_with(|| x.0.name.cmp(&y.0.name)));
    Ok(found)
}

/// Theaters in the area (nearest first) and their screenings over the next week, of one film
/// or of all.
async fn screenings_near(state: &AppState, area: &Area, film_id: Option<i64>) -> anyhow::Result<(Vec<(Theater, f64)>, Vec<Showtime>)> {
    let theaters = nearby(state, area).await?;
    let ids: Vec<i64> = theaters.iter().map(|(t, _)| t.id).collect();
    let now = marquee_domain::time::now_unix();
    let rows = state.store().showtimes(&ids, film_id, now, now + WINDOW_DAYS * 86400).await?;
    Ok((theaters, rows))
}

/// Screenings in the area over the next week, of one film or of all.
pub async fn now_playing(state: &AppState, area: Area, film_id: Option<i64>) -> anyhow::Result<NowPlaying> {
    let (theaters, rows) = screenings_near(state, &area, film_id).await?;
    Ok(group_by_theater(area, &theaters, &rows))
}

/// Groups screenings by theater (nearest first), then film, then local day.
fn group_by_theater(area: Area, theaters: &[(Theater, f64)], rows: &[Showtime]) -> NowPlaying {
    let mut out = Vec::new();
    for (t, dist) in theaters {
        let here: Vec<&Showtime> = rows.iter().filter(|s| s.theater_id == t.id).collect();
        if here.is_empty() {
            continue;
        }
        let mut film_ids: Vec<i64> = Vec::new();
        for s in &here {
            if !film_ids.contains(&s.film_id) {
                film_ids.push(s.film_id);
            }
        }
        let films = film_ids
            .iter()
            .map(|fid| {
                let of_film: Vec<&Showtime> = here.iter().copied().filter(|s| s.film_id == *fid).collect();
                FilmTimes { title: of_film[0].film_title.clone(), url: format!("/films/{}/", of_film[0].film_slug), days: by_day(&of_film) }
            })
            .collect();
        out.push(TheaterTimes { name: t.name.clone(), url: format!("/theaters/{}/", t.slug), address: address(t), distance: format!("{dist:.1} mi"), films });
    }
    NowPlaying { area, theaters: out, error: None }
}

/// The Now Playing box for a film page or a review; a bad location shows a message in the
/// box instead of failing the page.
pub async fn now_playing_box(state: &AppState, q: &LocationQuery, film_id: i64) -> anyhow::Result<NowPlaying> {
    let site = state.site();
    match q.area(&site) {
        Ok(area) => now_playing(state, area, Some(film_id)).await,
        Err(msg) => {
            let area = LocationQuery::default().area(&site).map_err(anyhow::Error::msg)?;
            let mut np = now_playing(state, area, Some(film_id)).await?;
            np.error = Some(msg);
            Ok(np)
        }
    }
}

fn address(t: &Theater) -> String {
    crate::views::address_line(&t.address, &t.city, &t.state, &t.postal_code)
}

/// schema.org ScreeningEvents at a MovieTheater.
fn screening_events(base: &str, t: &Theater, rows: &[&Showtime]) -> Vec<serde_json::Value> {
    let mut place = crate::structured::place("MovieTheater", &t.name, &t.address, &t.city, &t.state, &t.postal_code, Some((t.latitude, t.longitude)));
    place["url"] = json!(format!("{base}/theaters/{}/", t.slug));
    rows.iter()
        .filter_map(|s| {
            let start = Timestamp::from_second(s.starts_at).ok()?.to_zoned(zone(&s.time_zone));
            let mut ev = json!({
                "@type": "ScreeningEvent",
                "name": s.film_title,
                "startDate": start.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
                "location": place,
                "workPresented": {"@type": "Movie", "name": s.film_title, "url": format!("{base}/films/{}/", s.film_slug)},
            });
            if let Some(m) = s.film_runtime {
                ev["duration"] = json!(marquee_domain::film::iso_duration(m));
            }
            if !s.attributes.is_empty() {
                ev["videoFormat"] = json!(s.attributes.split(',').map(attribute_label).collect::<Vec<_>>().join(", "));
            }
            if !s.ticket_url.is_empty() {
                ev["offers"] = json!({"@type": "Offer", "url": s.ticket_url});
            }
            Some(ev)
        })
        .collect()
}

fn jsonld_graph(events: Vec<serde_json::Value>) -> String {
    crate::structured::script_safe(&json!({"@context": "https://schema.org", "@graph": events}))
}

pub async fn theaters(State(state): State<AppState>) -> Response {
    cached_for(&state, Some("/theaters/".into()), None, || async {
        let site = state.site();
        let list = state.store().theaters().await.map_err(|e| internal_error(&state, e))?;
        #[derive(Serialize)]
        struct Row {
            name: String,
            url: String,
            address: String,
        }
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            theaters: Vec<Row>,
        }
        let theaters = list.iter().map(|t| Row { name: t.name.clone(), url: format!("/theaters/{}/", t.slug), address: address(t) }).collect();
        render_page(&state, "theaters.html", Ctx { layout: Layout::new(&site, None), theaters })
    })
    .await
}

pub async fn theater(State(state): State<AppState>, Path(slug): Path<String>) -> Response {
    cached_for(&state, Some(format!("/theaters/{slug}/")), Some(SHOWTIME_PAGE_TTL), || async {
        let site = state.site();
        let Some(t) = state.store().theater_by_slug(&slug).await.map_err(|e| internal_error(&state, e))? else {
            return Err(not_found(&state));
        };
        let now = marquee_domain::time::now_unix();
        let rows = state.store().showtimes(&[t.id], None, now, now + WINDOW_DAYS * 86400).await.map_err(|e| internal_error(&state, e))?;
        let refs: Vec<&Showtime> = rows.iter().collect();
        // By day, then by film within the day.
        let mut days: Vec<(String, Vec<FilmTimes>)> = Vec::new();
        for d in by_day(&refs) {
            let mut films: Vec<FilmTimes> = Vec::new();
            for time in d.times {
                let s = rows.iter().find(|s| s.id == time.id).expect("same rows");
                match films.iter_mut().find(|f| f.url == format!("/films/{}/", s.film_slug)) {
                    Some(f) => f.days[0].times.push(time),
                    None => films.push(FilmTimes { title: s.film_title.clone(), url: format!("/films/{}/", s.film_slug), days: vec![DayView { label: d.label.clone(), times: vec![time] }] }),
                }
            }
            days.push((d.label, films));
        }
        #[derive(Serialize)]
        struct Day {
            label: String,
            films: Vec<FilmTimes>,
        }
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            name: String,
            address: String,
            url: String,
            time_zone: String,
            days: Vec<Day>,
            jsonld: String,
        }
        let base = site.publication.base_url.trim_end_matches('/').to_string();
        let jsonld = jsonld_graph(screening_events(&base, &t, &refs));
        let ctx = Ctx {
            layout: Layout::new(&site, None),
            name: t.name.clone(),
            address: address(&t),
            url: t.url.clone(),
            time_zone: t.time_zone.clone(),
            days: days.into_iter().map(|(label, films)| Day { label, films }).collect(),
            jsonld,
        };
        render_page(&state, "theater.html", ctx)
    })
    .await
}

pub async fn showtimes_near(State(state): State<AppState>, Query(q): Query<LocationQuery>) -> Response {
    let site = state.site();
    let area = match q.area(&site) {
        Ok(a) => a,
        Err(msg) => return crate::public::error_page(&state, StatusCode::BAD_REQUEST, "That place could not be found", &msg),
    };
    cached_for(&state, Some(format!("/showtimes/?{}", area.query)), Some(SHOWTIME_PAGE_TTL), || async {
        let (theaters, rows) = screenings_near(&state, &area, None).await.map_err(|e| internal_error(&state, e))?;
        let base = site.publication.base_url.trim_end_matches('/').to_string();
        let mut events = Vec::new();
        for (t, _) in &theaters {
            let here: Vec<&Showtime> = rows.iter().filter(|s| s.theater_id == t.id).collect();
            events.extend(screening_events(&base, t, &here));
        }
        #[derive(Serialize)]
        struct Ctx {
            layout: Layout,
            np: NowPlaying,
            jsonld: String,
        }
        let np = group_by_theater(area, &theaters, &rows);
        render_page(&state, "showtimes.html", Ctx { layout: Layout::new(&site, None), np, jsonld: jsonld_graph(events) })
    })
    .await
}

/// `/showtimes/{id}.ics`: one screening as an iCalendar event in the theater's time zone.
pub async fn ics(State(state): State<AppState>, Path(file): Path<String>) -> Response {
    let Some(id) = file.strip_suffix(".ics").and_then(|i| i.parse::<i64>().ok()) else { return not_found(&state) };
    let s = match state.store().showtime(id).await {
        Ok(Some(s)) => s,
        Ok(None) => return not_found(&state),
        Err(e) => return internal_error(&state, e),
    };
    let site = state.site();
    let base = site.publication.base_url.trim_end_matches('/').to_string();
    let theater = state.store().theater_by_slug(&s.theater_slug).await.ok().flatten();
    let body = calendar(&s, theater.as_ref(), &base, &ical::host(&base), Timestamp::now());
    ical::download(&format!("showtime-{id}.ics"), body)
}

pub fn calendar(s: &Showtime, theater: Option<&Theater>, base: &str, host: &str, now: Timestamp) -> String {
    let tz = zone(&s.time_zone);
    let start = Timestamp::from_second(s.starts_at).unwrap_or(now);
    let minutes = s.film_runtime.unwrap_or(120);
    let end = start + jiff::SignedDuration::from_mins(minutes);
    let local = |ts: Timestamp| ts.to_zoned(tz.clone()).strftime("%Y%m%dT%H%M%S").to_string();
    let mut lines = ical::vtimezone(&s.time_zone, &tz, start);
    let location = theater.map(|t| format!("{}, {}", t.name, address(t))).unwrap_or_else(|| s.theater_name.clone());
    let mut description = format!("{} at {}", s.film_title, s.theater_name);
    if !s.attributes.is_empty() {
        description.push_str(&format!(" ({})", s.attributes.split(',').map(attribute_label).collect::<Vec<_>>().join(", ")));
    }
    if !s.ticket_url.is_empty() {
        description.push_str(&format!("\nTickets: {}", s.ticket_url));
    }
    lines.extend([
        "BEGIN:VEVENT".to_string(),
        format!("UID:showtime-{}@{}", s.id, host),
        ical::stamp(now),
        format!("DTSTART;TZID={}:{}", s.time_zone, local(start)),
        format!("DTEND;TZID={}:{}", s.time_zone, local(end)),
        format!("SUMMARY:{}", ical::text(&format!("{} at {}", s.film_title, s.theater_name))),
        format!("LOCATION:{}", ical::text(&location)),
        format!("DESCRIPTION:{}", ical::text(&description)),
        format!("URL:{base}/films/{}/", s.film_slug),
    ]);
    if let Some(t) = theater {
        lines.push(ical::geo(t.latitude, t.longitude));
    }
    lines.push("END:VEVENT".into());
    ical::calendar("Showtimes", lines)
}
