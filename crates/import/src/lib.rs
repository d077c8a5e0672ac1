//! Imports shared by `marquee import ...` and the newsroom's feed uploads.
//!
//! Films: reads a JSON array of films, in the shape of the public
//! `movies.json` data set or in Marquee's own format (docs/import-films.md), keeps every
//! valid record and reports each one it skipped. Running it twice changes nothing.

pub mod backup;
pub mod library;
pub mod wordpress;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use marquee_domain::film::parse_record;
use marquee_store::{Store, Upsert};
use std::collections::HashMap;
use std::io::IsTerminal;

#[derive(Debug, Default)]
pub struct FilmImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// (record number from 1, why)
    pub skipped: Vec<(usize, String)>,
    /// (record number from 1, a value that was dropped and why)
    pub notes: Vec<(usize, String)>,
}

impl FilmImport {
    pub fn summary(&self) -> String {
        format!(
            "{} added, {} updated, {} unchanged, {} skipped; {} values dropped",
            self.added,
            self.updated,
            self.unchanged,
            self.skipped.len(),
            self.notes.len()
        )
    }
}

/// Imports films from JSON text. A file that is not a JSON array is refused whole, with the
/// line and column of the problem; single bad records are skipped and reported.
pub async fn import_films(store: &Store, name: &str, text: &str, progress: bool) -> anyhow::Result<FilmImport> {
    let value: serde_json::Value = serde_json::from_str(text).map_err(|e| anyhow::anyhow!("{name}:{}:{}: not valid JSON: {e}", e.line(), e.column()))?;
    let records = value.as_array().with_context(|| format!("{name}: expected a JSON array of films, [ {{...}}, ... ]"))?;
    let bar = if progress && std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(records.len() as u64);
        bar.set_style(ProgressStyle::with_template("Importing films {bar:30} {pos}/{len} {msg}").expect("valid template"));
        bar
    } else {
        ProgressBar::hidden()
    };
    let plain = progress && !std::io::stderr().is_terminal();
    let mut report = FilmImport::default();
    let mut seen: HashMap<String, usize> = HashMap::new();
    let now = marquee_domain::time::now_unix();
    for (i, v) in records.iter().enumerate() {
        let n = i + 1;
        bar.inc(1);
        if plain && n % 1000 == 0 {
            eprintln!("{n} of {} records read", records.len());
        }
        let parsed = match parse_record(v) {
            Ok(p) => p,
            Err(why) => {
                report.skipped.push((n, why));
                continue;
            }
        };
        let key = parsed.film.import_key();
        if let Some(first) = seen.get(&key) {
            let year = parsed.film.year.map(|y| format!(" ({y})")).unwrap_or_default();
            report.skipped.push((n, format!("“{}”{year} is the same film as record {first}", parsed.film.title)));
            continue;
        }
        seen.insert(key, n);
        report.notes.extend(parsed.notes.into_iter().map(|note| (n, format!("“{}”: {note}", parsed.film.title))));
        match store.upsert_film(&parsed.film, now).await.with_context(|| format!("{name}: record {n} could not be stored"))? {
            (_, Upsert::Added) => report.added += 1,
            (_, Upsert::Updated) => report.updated += 1,
            (_, Upsert::Unchanged) => report.unchanged += 1,
        }
    }
    bar.finish_and_clear();
    Ok(report)
}

/// A line of a feed that cannot be used; the whole file is refused.
fn line_error(name: &str, line: u64, msg: impl std::fmt::Display) -> String {
    format!("{name}:{line}: {msg}")
}

fn refuse(errors: Vec<String>) -> anyhow::Error {
    let shown: Vec<&String> = errors.iter().take(20).collect();
    let more = if errors.len() > 20 { format!("\n...and {} more", errors.len() - 20) } else { String::new() };
    anyhow::anyhow!(
        "nothing was imported; fix these lines and run it again:\n{}{more}",
        shown.iter().map(|s| format!("  {s}")).collect::<Vec<_>>().join("\n")
    )
}

/// A CSV feed read whole: its header, its well-formed lines with their line numbers, and an
/// error for each line that is not valid CSV.
struct Feed {
    headers: csv::StringRecord,
    rows: Vec<(u64, csv::StringRecord)>,
    errors: Vec<String>,
}

fn read_feed(name: &str, text: &str) -> anyhow::Result<Feed> {
    let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let headers = rdr.headers().map_err(|e| anyhow::anyhow!("{name}:1: cannot read the header: {e}"))?.clone();
    let mut feed = Feed { headers, rows: Vec::new(), errors: Vec::new() };
    for row in rdr.records() {
        match row {
            Ok(r) => feed.rows.push((r.position().map(|p| p.line()).unwrap_or(0), r)),
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                feed.errors.push(line_error(name, line, format!("not a valid CSV line: {e}")));
            }
        }
    }
    Ok(feed)
}

fn column(headers: &csv::StringRecord, want: &str) -> Option<usize> {
    headers.iter().position(|h| h.eq_ignore_ascii_case(want))
}

/// The columns that describe a place (a theater, a venue), checked.
#[derive(Debug)]
struct PlaceColumns {
    name: String,
    address: String,
    city: String,
    state: String,
    postal_code: String,
    /// From `latitude` and `longitude`, or else from a US `postal_code`; none when both
    /// are empty and the postal code is not one we can place.
    point: Option<(f64, f64)>,
    time_zone: String,
    url: String,
}

/// Reads a place from a line whose name and web address are in `name_col` and `url_col`.
fn read_place(headers: &csv::StringRecord, row: &csv::StringRecord, name_col: &str, url_col: &str) -> Result<PlaceColumns, String> {
    let get = |c: &str| column(headers, c).and_then(|i| row.get(i)).unwrap_or("").to_string();
    let p = PlaceColumns {
        name: get(name_col),
        address: get("address"),
        city: get("city"),
        state: get("state"),
        postal_code: get("postal_code"),
        point: None,
        time_zone: get("time_zone"),
        url: get(url_col),
    };
    if p.name.is_empty() || p.name.chars().count() > 200 {
        return Err(format!("a {name_col} of up to 200 characters is required"));
    }
    if !p.url.is_empty() && !marquee_domain::event::is_http_url(&p.url) {
        return Err(format!("its {url_col} must start with https:// or http://"));
    }
    if marquee_domain::time::parse_zone(&p.time_zone).is_err() {
        return Err(format!("“{}” is not an IANA time zone such as America/Los_Angeles", p.time_zone));
    }
    let (lat, lon) = (get("latitude"), get("longitude"));
    let point = if lat.is_empty() && lon.is_empty() {
        marquee_domain::geo::zip(&p.postal_code).map(|z| (z.latitude, z.longitude))
    } else {
        match (lat.parse::<f64>(), lon.parse::<f64>()) {
            (Ok(a), Ok(b)) if marquee_domain::geo::valid_point(a, b) => Some((a, b)),
            _ => return Err("give both a latitude (-90 to 90) and a longitude (-180 to 180), or neither".into()),
        }
    };
    Ok(PlaceColumns { point, ..p })
}

#[derive(Debug, Default)]
pub struct TheaterImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// `marquee import theaters FILE`: CSV with the header
/// `id,name,address,city,state,postal_code,latitude,longitude,time_zone,url` (see
/// docs/import-showtimes.md). Every line is checked before anything is written.
pub async fn import_theaters(store: &Store, name: &str, text: &str) -> anyhow::Result<TheaterImport> {
    let Feed { headers, rows: lines, mut errors } = read_feed(name, text)?;
    let col = |c: &str| column(&headers, c);
    let (Some(id_col), Some(_), Some(_)) = (col("id"), col("name"), col("time_zone")) else {
        anyhow::bail!("{name}:1: the header must name at least the columns id, name and time_zone");
    };
    let mut records = Vec::new();
    for (line, row) in &lines {
        let line = *line;
        let get = |c: Option<usize>| c.and_then(|i| row.get(i)).unwrap_or("").to_string();
        let external_id = get(Some(id_col));
        if external_id.is_empty() || external_id.len() > 100 {
            errors.push(line_error(name, line, "a theater needs an id of up to 100 characters"));
            continue;
        }
        let place = match read_place(&headers, row, "name", "url") {
            Ok(p) => p,
            Err(e) => {
                errors.push(line_error(name, line, format!("theater: {e}")));
                continue;
            }
        };
        let Some((latitude, longitude)) = place.point else {
            errors.push(line_error(name, line, "give a latitude and longitude, or a US postal code we can place"));
            continue;
        };
        let t = marquee_store::TheaterRecord {
            external_id,
            name: place.name,
            address: place.address,
            city: place.city,
            state: place.state,
            postal_code: place.postal_code,
            latitude,
            longitude,
            time_zone: place.time_zone,
            url: place.url,
        };
        if records.iter().any(|(_, r): &(u64, marquee_store::TheaterRecord)| r.external_id == t.external_id) {
            errors.push(line_error(name, line, format!("theater id “{}” appears twice", t.external_id)));
            continue;
        }
        records.push((line, t));
    }
    if !errors.is_empty() {
        return Err(refuse(errors));
    }
    let mut report = TheaterImport::default();
    for (_, t) in &records {
        match store.upsert_theater(t).await?.1 {
            Upsert::Added => report.added += 1,
            Upsert::Updated => report.updated += 1,
            Upsert::Unchanged => report.unchanged += 1,
        }
    }
    Ok(report)
}

#[derive(Debug, Default)]
pub struct ShowtimeImport {
    pub added: usize,
    pub replaced: u64,
    pub theaters: usize,
}

/// `marquee import showtimes FILE`: CSV with the header
/// `theater_id,film_id,title,year,start,attributes,auditorium,ticket_url`. Start times are
/// local to the theater. For each theater in the file, the days the file covers are replaced
/// as a whole, in one transaction; a file with any bad line changes nothing.
pub async fn import_showtimes(store: &Store, name: &str, text: &str) -> anyhow::Result<ShowtimeImport> {
    let Feed { headers, rows: lines, mut errors } = read_feed(name, text)?;
    let col = |c: &str| column(&headers, c);
    let (Some(theater_col), Some(start_col)) = (col("theater_id"), col("start")) else {
        anyhow::bail!("{name}:1: the header must name at least the columns theater_id and start, and film_id or title");
    };
    let mut rows: Vec<marquee_store::NewShowtime> = Vec::new();
    let mut theaters: HashMap<String, (i64, jiff::tz::TimeZone)> = HashMap::new();
    // theater id -> (first local date, last local date)
    let mut spans: HashMap<i64, (jiff::civil::Date, jiff::civil::Date, jiff::tz::TimeZone)> = HashMap::new();
    let mut films: HashMap<(String, String, String), Result<i64, String>> = HashMap::new();
    for (line, row) in &lines {
        let line = *line;
        let get = |c: Option<usize>| c.and_then(|i| row.get(i)).unwrap_or("").to_string();
        let theater_ext = get(Some(theater_col));
        let theater = match theaters.get(&theater_ext) {
            Some(t) => t.clone(),
            None => match store.theater_by_external_id(&theater_ext).await? {
                Some(t) => {
                    let entry = (t.id, jiff::tz::TimeZone::get(&t.time_zone).unwrap_or(jiff::tz::TimeZone::UTC));
                    theaters.insert(theater_ext.clone(), entry.clone());
                    entry
                }
                None => {
                    errors.push(line_error(name, line, format!("no theater has the id “{theater_ext}”; import theaters first")));
                    continue;
                }
            },
        };
        let key = (get(col("film_id")), get(col("title")), get(col("year")));
        let film = match films.get(&key) {
            Some(f) => f.clone(),
            None => {
                let f = resolve_feed_film(store, &key.0, &key.1, &key.2).await?;
                films.insert(key.clone(), f.clone());
                f
            }
        };
        let film_id = match film {
            Ok(id) => id,
            Err(msg) => {
                errors.push(line_error(name, line, msg));
                continue;
            }
        };
        let start_raw = get(Some(start_col)).replace(' ', "T");
        let starts_at = match marquee_domain::time::parse_datetime_local(&start_raw, &theater.1) {
            Ok(t) => t,
            Err(e) => {
                errors.push(line_error(name, line, e));
                continue;
            }
        };
        let ticket_url = get(col("ticket_url"));
        if !ticket_url.is_empty() && !(ticket_url.starts_with("https://") || ticket_url.starts_with("http://")) {
            errors.push(line_error(name, line, "a ticket URL must start with https:// or http://"));
            continue;
        }
        let attributes: Vec<String> = get(col("attributes")).split([';', '|']).map(|a| a.trim().to_ascii_lowercase()).filter(|a| !a.is_empty()).collect();
        let date = jiff::Timestamp::from_second(starts_at).map(|t| t.to_zoned(theater.1.clone()).date()).map_err(|e| anyhow::anyhow!("{e}"))?;
        let span = spans.entry(theater.0).or_insert((date, date, theater.1.clone()));
        span.0 = span.0.min(date);
        span.1 = span.1.max(date);
        rows.push(marquee_store::NewShowtime { theater_id: theater.0, film_id, starts_at, attributes: attributes.join(","), auditorium: get(col("auditorium")), ticket_url });
    }
    if !errors.is_empty() {
        return Err(refuse(errors));
    }
    let mut windows = Vec::new();
    for (theater, (first, last, tz)) in &spans {
        let from = first.to_zoned(tz.clone())?.timestamp().as_second();
        let to = last.tomorrow()?.to_zoned(tz.clone())?.timestamp().as_second();
        windows.push((*theater, from, to));
    }
    let replaced = store.replace_showtimes(&windows, &rows).await?;
    Ok(ShowtimeImport { added: rows.len(), replaced, theaters: windows.len() })
}

/// A feed's film: a Marquee film slug or an IMDb id in `film_id`, else a title and year.
async fn resolve_feed_film(store: &Store, film_id: &str, title: &str, year: &str) -> anyhow::Result<Result<i64, String>> {
    if !film_id.is_empty() {
        let found = if film_id.starts_with("tt") { store.film_by_imdb(film_id).await? } else { store.film_by_slug(film_id).await? };
        return Ok(found.map(|f| f.id).ok_or_else(|| format!("no film has the id “{film_id}”")));
    }
    if title.is_empty() {
        return Ok(Err("each line needs a film_id, or a title and year".into()));
    }
    let year_n = if year.is_empty() { None } else { year.parse::<i64>().ok() };
    if !year.is_empty() && year_n.is_none() {
        return Ok(Err(format!("the year “{year}” is not a number")));
    }
    let found = store.find_films(title, year_n).await?;
    Ok(match found.as_slice() {
        [one] => Ok(one.id),
        [] => Err(format!("no film called “{title}”{} is in the film database", year_n.map(|y| format!(" ({y})")).unwrap_or_default())),
        _ => Err(format!("several films are called “{title}”: give the year or a film_id")),
    })
}

/// `marquee import events FILE`: CSV with the header
/// `id,title,category,start,end,all_day,price,ticket_url,venue_id,venue_name,address,city,state,postal_code,latitude,longitude,time_zone,description`
/// (see docs/import-events.md). A line that names its venue creates or updates the venue by
/// `venue_id`; a line with only `venue_id` uses a venue described elsewhere in the file or
/// stored before. Times are local to the venue. Every line is checked first, and the whole
/// file is then written in one transaction: a file with any bad line changes nothing.
pub async fn import_events(store: &Store, name: &str, text: &str) -> anyhow::Result<marquee_store::EventImportCounts> {
    let Feed { headers, rows: lines, mut errors } = read_feed(name, text)?;
    let col = |c: &str| column(&headers, c);
    let (Some(_), Some(_), Some(_), Some(_), Some(_)) = (col("id"), col("title"), col("category"), col("start"), col("venue_id")) else {
        anyhow::bail!("{name}:1: the header must name at least the columns id, title, category, start and venue_id");
    };
    let cell = |row: &csv::StringRecord, c: &str| col(c).and_then(|i| row.get(i)).unwrap_or("").to_string();

    // First the venues the file describes, so that any line may use them.
    let mut venues: Vec<(u64, marquee_store::VenueRecord)> = Vec::new();
    for (line, row) in &lines {
        let venue_id = cell(row, "venue_id");
        if cell(row, "venue_name").is_empty() || venue_id.is_empty() || venue_id.len() > 100 {
            continue;
        }
        let v = match read_place(&headers, row, "venue_name", "venue_url") {
            Ok(p) => marquee_store::VenueRecord {
                external_id: Some(venue_id.clone()),
                name: p.name,
                address: p.address,
                city: p.city,
                state: p.state,
                postal_code: p.postal_code,
                latitude: p.point.map(|p| p.0),
                longitude: p.point.map(|p| p.1),
                time_zone: p.time_zone,
                url: p.url,
            },
            Err(e) => {
                errors.push(line_error(name, *line, format!("venue “{venue_id}”: {e}")));
                continue;
            }
        };
        match venues.iter().find(|(_, known)| known.external_id == v.external_id) {
            Some((first, known)) if *known != v => errors.push(line_error(name, *line, format!("venue “{venue_id}” is described differently on line {first}"))),
            Some(_) => {}
            None => venues.push((*line, v)),
        }
    }

    let mut zones: HashMap<String, Option<jiff::tz::TimeZone>> = HashMap::new();
    let mut events: Vec<(String, marquee_store::EventRecord)> = Vec::new();
    let mut seen: HashMap<String, u64> = HashMap::new();
    for (line, row) in &lines {
        let line = *line;
        let (id, venue_id) = (cell(row, "id"), cell(row, "venue_id"));
        if id.is_empty() || id.len() > 100 || venue_id.is_empty() || venue_id.len() > 100 {
            errors.push(line_error(name, line, "each event needs an id and a venue_id, each up to 100 characters"));
            continue;
        }
        if let Some(first) = seen.insert(id.clone(), line) {
            errors.push(line_error(name, line, format!("event id “{id}” is also on line {first}")));
            continue;
        }
        let zone = match zones.get(&venue_id) {
            Some(z) => z.clone(),
            None => {
                let stored_zone = match venues.iter().find(|(_, v)| v.external_id.as_deref() == Some(venue_id.as_str())) {
                    Some((_, v)) => Some(v.time_zone.clone()),
                    None => store.venue_by_external_id(&venue_id).await?.map(|v| v.time_zone),
                };
                let z = stored_zone.and_then(|name| jiff::tz::TimeZone::get(&name).ok());
                zones.insert(venue_id.clone(), z.clone());
                z
            }
        };
        let Some(tz) = zone else {
            // A bad description of the venue was reported above.
            if cell(row, "venue_name").is_empty() {
                errors.push(line_error(name, line, format!("no venue has the id “{venue_id}”; give its venue_name and time_zone on a line of the file")));
            }
            continue;
        };
        let all_day = match cell(row, "all_day").to_ascii_lowercase().as_str() {
            "" | "0" | "false" | "no" => false,
            "1" | "true" | "yes" => true,
            other => {
                errors.push(line_error(name, line, format!("all_day is “{other}”; use true or false")));
                continue;
            }
        };
        let (title, category, start, end, price, ticket_url, description) =
            (cell(row, "title"), cell(row, "category"), cell(row, "start"), cell(row, "end"), cell(row, "price"), cell(row, "ticket_url"), cell(row, "description"));
        let input = marquee_domain::event::EventInput { title: &title, category: &category, start: &start, end: &end, all_day, price: &price, ticket_url: &ticket_url, description: &description };
        let e = match input.check(&tz) {
            Ok(e) => e,
            Err(problems) => {
                let text: Vec<String> = problems.iter().map(|(field, msg)| format!("{field}: {}", lower_first(msg.trim_end_matches('.')))).collect();
                errors.push(line_error(name, line, text.join("; ")));
                continue;
            }
        };
        let record = marquee_store::EventRecord {
            external_id: Some(id),
            slug: marquee_domain::event::default_slug(&e.title, e.starts_at, &tz),
            slug_is_base: true,
            venue_id: 0,
            fields: e,
        };
        events.push((venue_id, record));
    }
    if !errors.is_empty() {
        // Venue problems were found in a first pass: list everything in line order.
        errors.sort_by_key(|e| e.strip_prefix(name).and_then(|rest| rest.split(':').nth(1)).and_then(|n| n.parse::<u64>().ok()).unwrap_or(0));
        return Err(refuse(errors));
    }
    let venues: Vec<marquee_store::VenueRecord> = venues.into_iter().map(|(_, v)| v).collect();
    Ok(store.import_events(&venues, &events, marquee_domain::time::now_unix()).await?)
}

/// "The end must be after the start" as it reads after a field name.
fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_lowercase().chain(c).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(header: &str, values: &str) -> (csv::StringRecord, csv::StringRecord) {
        let text = format!("{header}\n{values}\n");
        let mut rdr = csv::ReaderBuilder::new().trim(csv::Trim::All).from_reader(text.as_bytes());
        let headers = rdr.headers().unwrap().clone();
        let row = rdr.records().next().unwrap().unwrap();
        (headers, row)
    }

    #[test]
    fn places_are_read_from_their_columns() {
        let (h, r) = line("venue_name,postal_code,time_zone,venue_url", "Lakeside Hall,94612,America/Los_Angeles,https://hall.example");
        let p = read_place(&h, &r, "venue_name", "venue_url").unwrap();
        assert_eq!((p.name.as_str(), p.url.as_str()), ("Lakeside Hall", "https://hall.example"));
        assert!(p.point.is_some(), "placed by its ZIP code");
        let (h, r) = line("Name,Time_Zone,Latitude,Longitude", "Moon,UTC,10,");
        assert!(read_place(&h, &r, "name", "url").unwrap_err().contains("both a latitude"), "header names in any case; one coordinate alone is refused");
        let (h, r) = line("name,time_zone,url", "Evil,UTC,javascript:alert(1)");
        assert!(read_place(&h, &r, "name", "url").unwrap_err().contains("url must start with https://"));
        let (h, r) = line("name,time_zone", ",UTC");
        assert!(read_place(&h, &r, "name", "url").unwrap_err().contains("name of up to 200"));
        let (h, r) = line("name,time_zone,postal_code", "Nowhere,Mars/Base,");
        assert!(read_place(&h, &r, "name", "url").unwrap_err().contains("not an IANA time zone"));
        assert_eq!(lower_first("The end"), "the end");
    }
}
