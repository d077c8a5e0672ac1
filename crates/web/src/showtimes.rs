//! Where a film is playing: the reader's area (a ZIP code, a latitude/longitude, or the
//! publication's home), nearby theaters nearest first, and their screenings for the next seven
//! days grouped by day in each theater's own time zone; theater pages, `/showtimes/`, and
//! iCalendar downloads.

use crate::ical;
use crate::parts::now_playing::{address, attribute_label, by_day, group_by_theater, screenings_near, zone, DayView, FilmTimes, LocationQuery, NowPlaying, SHOWTIME_PAGE_TTL, WINDOW_DAYS};
use crate::respond::{cached_for, error_page, not_found, render_page, Reply};
use crate::state::AppState;
use crate::views::Layout;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use jiff::Timestamp;
use marquee_store::{Showtime, Theater};
use serde::Serialize;
use serde_json::json;

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

pub async fn theaters(State(state): State<AppState>) -> Reply {
    Ok(cached_for(&state, Some("/theaters/".into()), None, || async {
        let site = state.site();
        let list = state.store().theaters().await?;
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
    .await)
}

pub async fn theater(State(state): State<AppState>, Path(slug): Path<String>) -> Reply {
    Ok(cached_for(&state, Some(format!("/theaters/{slug}/")), Some(SHOWTIME_PAGE_TTL), || async {
        let site = state.site();
        let Some(t) = state.store().theater_by_slug(&slug).await? else {
            return Err(not_found());
        };
        let now = marquee_domain::time::now_unix();
        let rows = state.store().showtimes(&[t.id], None, now, now + WINDOW_DAYS * 86400).await?;
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
        let base = site.base().to_string();
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
    .await)
}

pub async fn showtimes_near(State(state): State<AppState>, Query(q): Query<LocationQuery>) -> Reply {
    let site = state.site();
    let area = q.area(&site).map_err(|msg| error_page(StatusCode::BAD_REQUEST, "That place could not be found", msg))?;
    Ok(cached_for(&state, Some(format!("/showtimes/?{}", area.query)), Some(SHOWTIME_PAGE_TTL), || async {
        let (theaters, rows) = screenings_near(state.store(), &area, None).await?;
        let base = site.base().to_string();
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
    .await)
}

/// `/showtimes/{id}.ics`: one screening as an iCalendar event in the theater's time zone.
pub async fn ics(State(state): State<AppState>, Path(file): Path<String>) -> Reply {
    let Some(id) = file.strip_suffix(".ics").and_then(|i| i.parse::<i64>().ok()) else { return Err(not_found()) };
    let s = state.store().showtime(id).await?.ok_or_else(not_found)?;
    let site = state.site();
    let base = site.base().to_string();
    let theater = state.store().theater_by_slug(&s.theater_slug).await.ok().flatten();
    let body = calendar(&s, theater.as_ref(), &base, &ical::host(&base), Timestamp::now());
    Ok(ical::download(&format!("showtime-{id}.ics"), body))
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
