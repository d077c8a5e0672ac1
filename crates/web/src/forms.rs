//! The newsroom's forms for films, theaters and venues, and events: their fields as typed,
//! the checks a save passes (the messages the forms show next to each field), and the records
//! they become. Marquee's API sends its JSON through the same checks, so both say the same.

use crate::respond::AppError;
use crate::state::AppState;
use marquee_domain::event::{default_slug, EventInput};
use marquee_domain::time::{datetime_local, parse_zone};
use marquee_domain::{validate_slug, FieldErrors};
use marquee_store::{EventDetail, EventRecord};
use serde::{Deserialize, Serialize};

#[derive(Deserialize, Serialize, Default)]
pub struct FilmForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub original_title: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub release_date: String,
    #[serde(default)]
    pub runtime_minutes: String,
    #[serde(default)]
    pub certification: String,
    #[serde(default)]
    pub genres: String,
    #[serde(default)]
    pub imdb: String,
    #[serde(default)]
    pub tmdb: String,
    #[serde(default)]
    pub wikidata: String,
    #[serde(default)]
    pub credits: String,
}

impl FilmForm {
    pub fn from_film(f: &marquee_store::Film, credits: &[marquee_store::Credit]) -> FilmForm {
        let lines: Vec<(String, String, String)> = credits.iter().map(|c| (c.role.clone(), c.person_name.clone(), c.character.clone())).collect();
        FilmForm {
            title: f.title.clone(),
            original_title: f.original_title.clone(),
            year: f.year.map(|y| y.to_string()).unwrap_or_default(),
            release_date: f.release_date.clone().unwrap_or_default(),
            runtime_minutes: f.runtime_minutes.map(|m| m.to_string()).unwrap_or_default(),
            certification: f.certification.clone().unwrap_or_default(),
            genres: f.genres.lines().collect::<Vec<_>>().join(", "),
            imdb: f.imdb_id.clone().unwrap_or_default(),
            tmdb: f.tmdb_id.clone().unwrap_or_default(),
            wikidata: f.wikidata_id.clone().unwrap_or_default(),
            credits: marquee_domain::film::credit_lines(&lines),
        }
    }

    /// Checks the form through the same rules as an import in Marquee's format.
    pub fn record(&self) -> Result<marquee_domain::film::FilmRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let num = |s: &str| -> Option<serde_json::Value> { (!s.trim().is_empty()).then(|| s.trim().parse::<i64>().map(serde_json::Value::from).unwrap_or_else(|_| serde_json::Value::from(s.trim()))) };
        let mut ids = serde_json::Map::new();
        for (k, v) in [("imdb", &self.imdb), ("tmdb", &self.tmdb), ("wikidata", &self.wikidata)] {
            if !v.trim().is_empty() {
                ids.insert(k.into(), v.trim().into());
            }
        }
        let v = serde_json::json!({
            "title": self.title.trim(),
            "original_title": self.original_title.trim(),
            "year": num(&self.year),
            "release_date": self.release_date.trim(),
            "runtime_minutes": num(&self.runtime_minutes),
            "certification": self.certification.trim(),
            "genres": self.genres.split(',').map(str::trim).filter(|g| !g.is_empty()).collect::<Vec<_>>(),
            "ids": ids,
        });
        let parsed = marquee_domain::film::parse_record(&v);
        let mut record = match parsed {
            Ok(p) => {
                for note in p.notes {
                    let field = if note.starts_with("year") { "year" } else if note.starts_with("running") { "runtime_minutes" } else if note.starts_with("release") { "release_date" } else { "certification" };
                    errors.insert(field, format!("Not saved: {note}."));
                }
                Some(p.film)
            }
            Err(e) => {
                let field = if e.contains("IMDb") { "imdb" } else if e.contains("Wikidata") { "wikidata" } else { "title" };
                errors.insert(field, format!("{}.", capitalize_first(&e)));
                None
            }
        };
        match marquee_domain::film::parse_credit_lines(&self.credits) {
            Ok(c) => {
                if let Some(r) = record.as_mut() {
                    r.credits = c;
                }
            }
            Err(e) => {
                errors.insert("credits", e);
            }
        }
        match record {
            Some(r) if errors.is_empty() => Ok(r),
            _ => Err(errors),
        }
    }
}

fn capitalize_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().chain(c).collect()).unwrap_or_default()
}

/// A place, theater or venue, as the newsroom's form sends it.
#[derive(Deserialize, Serialize, Default, Clone)]
pub struct PlaceForm {
    #[serde(default)]
    pub external_id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub state: String,
    #[serde(default)]
    pub postal_code: String,
    /// "latitude, longitude"; blank to place it by its ZIP code.
    #[serde(default)]
    pub position: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub url: String,
}

impl PlaceForm {
    /// Checks the form, trimmed, as a venue. A theater (`strict`) must have a feed id and a
    /// position; a venue may have neither, but a position typed wrong is still refused.
    pub(crate) fn check(&self, strict: bool) -> Result<marquee_store::VenueRecord, FieldErrors> {
        let mut errors = FieldErrors::new();
        let external_id = self.external_id.trim();
        if (strict && external_id.is_empty()) || external_id.len() > 100 {
            errors.insert("external_id", "Give the theater an id (the one showtimes feeds use), up to 100 characters.".into());
        }
        if self.name.trim().is_empty() || self.name.chars().count() > 200 {
            errors.insert("name", "A name of up to 200 characters is required.".into());
        }
        if let Err(e) = marquee_domain::time::parse_zone(&self.time_zone) {
            errors.insert("time_zone", e);
        }
        let point = if self.position.trim().is_empty() { marquee_domain::geo::zip(&self.postal_code).map(|p| (p.latitude, p.longitude)) } else { parse_location(&self.position) };
        if point.is_none() && (strict || !self.position.trim().is_empty()) {
            errors.insert("position", "Give a latitude and longitude such as 37.81, -122.27, or a US ZIP code in the postal code field.".into());
        }
        if !self.url.trim().is_empty() && !marquee_domain::event::is_http_url(&self.url) {
            errors.insert("url", "A website address starts with https:// or http://.".into());
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(marquee_store::VenueRecord {
            external_id: Some(external_id.to_string()).filter(|e| !e.is_empty()),
            name: self.name.trim().into(),
            address: self.address.trim().into(),
            city: self.city.trim().into(),
            state: self.state.trim().into(),
            postal_code: self.postal_code.trim().into(),
            latitude: point.map(|p| p.0),
            longitude: point.map(|p| p.1),
            time_zone: self.time_zone.trim().into(),
            url: self.url.trim().into(),
        })
    }

    /// Checks the form as a theater: with a feed id and a position, as showtimes need.
    pub(crate) fn check_theater(&self) -> Result<marquee_store::TheaterRecord, FieldErrors> {
        let place = self.check(true)?;
        // The strict check made sure of the id and the position.
        Ok(marquee_store::TheaterRecord {
            external_id: place.external_id.unwrap_or_default(),
            name: place.name,
            address: place.address,
            city: place.city,
            state: place.state,
            postal_code: place.postal_code,
            latitude: place.latitude.unwrap_or_default(),
            longitude: place.longitude.unwrap_or_default(),
            time_zone: place.time_zone,
            url: place.url,
        })
    }
}

/// "94612" or "37.81, -122.27" to coordinates.
pub fn parse_location(s: &str) -> Option<(f64, f64)> {
    let s = s.trim();
    if let Some(place) = marquee_domain::geo::zip(s) {
        return Some((place.latitude, place.longitude));
    }
    let (a, b) = s.split_once(',')?;
    let (lat, lon) = (a.trim().parse::<f64>().ok()?, b.trim().parse::<f64>().ok()?);
    marquee_domain::geo::valid_point(lat, lon).then_some((lat, lon))
}

/// The event form as sent. Times are local to the chosen venue.
#[derive(Deserialize, Serialize, Default)]
pub struct EventForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub slug: String,
    #[serde(default)]
    pub venue_id: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub start: String,
    #[serde(default)]
    pub end: String,
    /// Present (any value) when the box is ticked.
    #[serde(default)]
    pub all_day: Option<String>,
    #[serde(default)]
    pub price: String,
    #[serde(default)]
    pub ticket_url: String,
    #[serde(default)]
    pub description: String,
}

impl EventForm {
    pub fn from_event(d: &EventDetail) -> EventForm {
        let (e, c) = (&d.event, &d.event.card);
        let tz = parse_zone(&d.venue.time_zone).unwrap_or(jiff::tz::TimeZone::UTC);
        // An all-day event's stored end is the midnight after its last day; the form shows
        // the last day.
        let end = c.ends_at.map(|t| if c.all_day { format!("{}T00:00", &datetime_local(t - 1, &tz)[..10]) } else { datetime_local(t, &tz) });
        EventForm {
            title: c.title.clone(),
            slug: c.slug.clone(),
            venue_id: e.venue_id.to_string(),
            category: c.category.clone(),
            start: datetime_local(c.starts_at, &tz),
            end: end.unwrap_or_default(),
            all_day: c.all_day.then(|| "1".into()),
            price: c.price.clone(),
            ticket_url: e.ticket_url.clone(),
            description: e.description.clone(),
        }
    }
}

/// Checks the form against the chosen venue's zone and makes the record to store.
pub async fn event_record(state: &AppState, f: &EventForm) -> Result<Result<EventRecord, FieldErrors>, AppError> {
    let mut errors = FieldErrors::new();
    let venue = match f.venue_id.trim().parse::<i64>() {
        Ok(id) => state.store().venue(id).await?,
        Err(_) => None,
    };
    let tz = venue.as_ref().and_then(|v| parse_zone(&v.time_zone).ok());
    if tz.is_none() {
        errors.insert("venue_id", "Choose a venue.".into());
    }
    let slug = f.slug.trim();
    if !slug.is_empty() {
        if let Err(e) = validate_slug(slug) {
            errors.insert("slug", e);
        }
    }
    let input = EventInput {
        title: &f.title,
        category: &f.category,
        start: &f.start,
        end: &f.end,
        all_day: f.all_day.is_some(),
        price: &f.price,
        ticket_url: &f.ticket_url,
        description: &f.description,
    };
    // Without a venue the times cannot be read yet; the other fields are still checked.
    let checked = input.check(tz.as_ref().unwrap_or(&jiff::tz::TimeZone::UTC));
    let (Some(venue), Some(tz)) = (venue, tz) else {
        errors.extend(checked.err().unwrap_or_default());
        return Ok(Err(errors));
    };
    match checked {
        Ok(fields) if errors.is_empty() => Ok(Ok(EventRecord {
            external_id: None,
            slug: if slug.is_empty() { default_slug(&fields.title, fields.starts_at, &tz) } else { slug.to_string() },
            slug_is_base: slug.is_empty(),
            venue_id: venue.id,
            fields,
        })),
        Ok(_) => Ok(Err(errors)),
        Err(more) => {
            errors.extend(more);
            Ok(Err(errors))
        }
    }
}
