//! Now Playing: the reader's area (a ZIP code, a latitude/longitude, or the publication's
//! home), nearby theaters nearest first, and their screenings for the next seven days grouped
//! by day in each theater's own time zone. Shared by article and film pages and the
//! showtimes pages.

use crate::site::SiteInfo;
use crate::state::AppState;
use crate::views::address_line;
use jiff::tz::TimeZone;
use marquee_domain::time::Wall;
use marquee_domain::geo;
use marquee_store::{Showtime, Theater};
use serde::{Deserialize, Serialize};

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

pub(crate) fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Groups screenings (in time order) by day in the theater's zone.
pub(crate) fn by_day(rows: &[&Showtime]) -> Vec<DayView> {
    let mut days: Vec<DayView> = Vec::new();
    // Rows come theater by theater, so the zone is looked up again only when it changes.
    let mut tz: Option<(&str, TimeZone)> = None;
    for s in rows {
        let zone_here = match &tz {
            Some((name, z)) if *name == s.time_zone => z,
            _ => &tz.insert((s.time_zone.as_str(), zone(&s.time_zone))).1,
        };
        let Some(local) = Wall::new(s.starts_at, zone_here) else { continue };
        let label = local.day_label();
        let time = TimeView {
            id: s.id,
            time: local.clock(),
            iso: local.rfc3339(),
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

/// Theaters in the area (nearest first) and their screenings over the next week, of one film
/// or of all: only theaters with a screening in that week. One statement finds both.
pub(crate) async fn screenings_near(store: &marquee_store::Store, area: &Area, film_id: Option<i64>) -> anyhow::Result<(Vec<(Theater, f64)>, Vec<Showtime>)> {
    let (a, b, c, d) = geo::bounding_box(area.center, area.radius);
    let now = marquee_domain::time::now_unix();
    let placed = store.screenings_in_box(a, b, c, d, film_id, now, now + WINDOW_DAYS * 86400).await?;
    let mut theaters: Vec<(Theater, f64)> = Vec::new();
    let mut rows = Vec::with_capacity(placed.len());
    for p in placed {
        let id = p.showtime.theater_id;
        let near = match theaters.iter().find(|(t, _)| t.id == id) {
            Some((_, dist)) => *dist <= area.radius,
            None => {
                let dist = geo::distance_miles(area.center, (p.theater_latitude, p.theater_longitude));
                theaters.push((p.theater(), dist));
                dist <= area.radius
            }
        };
        if near {
            rows.push(p.showtime);
        }
    }
    theaters.retain(|(_, dist)| *dist <= area.radius);
    theaters.sort_by(|x, y| x.1.total_cmp(&y.1).then_with(|| x.0.name.cmp(&y.0.name)));
    Ok((theaters, rows))
}

/// Screenings in the area over the next week, of one film or of all.
pub async fn now_playing(store: &marquee_store::Store, area: Area, film_id: Option<i64>) -> anyhow::Result<NowPlaying> {
    let (theaters, rows) = screenings_near(store, &area, film_id).await?;
    Ok(group_by_theater(area, &theaters, &rows))
}

/// Groups screenings by theater (nearest first), then film, then local day.
pub(crate) fn group_by_theater(area: Area, theaters: &[(Theater, f64)], rows: &[Showtime]) -> NowPlaying {
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
pub async fn now_playing_box(state: &AppState, store: &marquee_store::Store, q: &LocationQuery, film_id: i64) -> anyhow::Result<NowPlaying> {
    let site = state.site();
    match q.area(&site) {
        Ok(area) => now_playing(store, area, Some(film_id)).await,
        Err(msg) => {
            let area = LocationQuery::default().area(&site).map_err(anyhow::Error::msg)?;
            let mut np = now_playing(store, area, Some(film_id)).await?;
            np.error = Some(msg);
            Ok(np)
        }
    }
}

pub(crate) fn address(t: &Theater) -> String {
    address_line(&t.address, &t.city, &t.state, &t.postal_code)
}
