//! Imports shared by `marquee import ...` and the newsroom's feed uploads.
//!
//! Films: reads a JSON array of films, in the shape of the public
//! `movies.json` data set or in Marquee's own format (docs/import-films.md), keeps every
//! valid record and reports each one it skipped. Running it twice changes nothing.

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
    let (Some(id_col), Some(name_col), Some(tz_col)) = (col("id"), col("name"), col("time_zone")) else {
        anyhow::bail!("{name}:1: the header must name at least the columns id, name and time_zone");
    };
    let mut records = Vec::new();
    for (line, row) in &lines {
        let line = *line;
        let get = |c: Option<usize>| c.and_then(|i| row.get(i)).unwrap_or("").to_string();
        let mut t = marquee_store::TheaterRecord {
            external_id: get(Some(id_col)),
            name: get(Some(name_col)),
            address: get(col("address")),
            city: get(col("city")),
            state: get(col("state")),
            postal_code: get(col("postal_code")),
            time_zone: get(Some(tz_col)),
            url: get(col("url")),
            ..Default::default()
        };
        if t.external_id.is_empty() || t.name.is_empty() || t.external_id.len() > 100 || t.name.chars().count() > 200 {
            errors.push(line_error(name, line, "a theater needs an id (up to 100 characters) and a name (up to 200)"));
            continue;
        }
        if !t.url.is_empty() && !(t.url.starts_with("https://") || t.url.starts_with("http://")) {
            errors.push(line_error(name, line, "a theater's url must start with https:// or http://"));
            continue;
        }
        if marquee_domain::time::parse_zone(&t.time_zone).is_err() {
            errors.push(line_error(name, line, format!("“{}” is not an IANA time zone such as America/Los_Angeles", t.time_zone)));
            continue;
        }
        let (lat, lon) = (get(col("latitude")), get(col("longitude")));
        let point = if lat.is_empty() && lon.is_empty() {
            marquee_domain::geo::zip(&t.postal_code).map(|p| (p.latitude, p.longitude))
        } else {
            match (lat.parse::<f64>(), lon.parse::<f64>()) {
                (Ok(a), Ok(b)) if marquee_domain::geo::valid_point(a, b) => Some((a, b)),
                _ => None,
            }
        };
        match point {
            Some((a, b)) => (t.latitude, t.longitude) = (a, b),
            None => {
                errors.push(line_error(name, line, "give a latitude and longitude, or a US postal code we can place"));
                continue;
            }
        }
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
