//! Films as importers deliver them, checked and normalised before they reach the store.
//! Two shapes are read: the messy public data set `movies.json` (keys such as "Title",
//! "Release Date", "MPAA Rating") and Marquee's own film format (documented in
//! docs/import-films.md), which also carries credits and external ids.

use serde_json::Value;

/// The MPAA ratings; anything else ("Not Rated", "Open") is dropped with a note.
pub const MPAA: &[&str] = &["G", "PG", "PG-13", "R", "NC-17"];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CreditRole {
    Director,
    Producer,
    Writer,
    Cast,
}

impl CreditRole {
    pub fn as_str(self) -> &'static str {
        match self {
            CreditRole::Director => "director",
            CreditRole::Producer => "producer",
            CreditRole::Writer => "writer",
            CreditRole::Cast => "cast",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "director" => Self::Director,
            "producer" => Self::Producer,
            "writer" => Self::Writer,
            "cast" => Self::Cast,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreditRecord {
    pub role: CreditRole,
    pub name: String,
    /// The part played, for cast.
    pub character: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct FilmRecord {
    pub title: String,
    pub original_title: String,
    pub year: Option<i64>,
    /// ISO date, YYYY-MM-DD.
    pub release_date: Option<String>,
    pub runtime_minutes: Option<i64>,
    pub certification: Option<String>,
    pub certification_body: Option<String>,
    pub genres: Vec<String>,
    pub imdb_id: Option<String>,
    pub tmdb_id: Option<String>,
    pub wikidata_id: Option<String>,
    /// In billing order within each role.
    pub credits: Vec<CreditRecord>,
}

impl FilmRecord {
    /// What makes a film the same film on a second import: an external id when there is one,
    /// else its title and year.
    pub fn import_key(&self) -> String {
        if let Some(id) = &self.imdb_id {
            return format!("imdb:{id}");
        }
        if let Some(id) = &self.wikidata_id {
            return format!("wikidata:{id}");
        }
        if let Some(id) = &self.tmdb_id {
            return format!("tmdb:{id}");
        }
        let title = self.title.to_lowercase().split_whitespace().collect::<Vec<_>>().join(" ");
        match self.year {
            Some(y) => format!("title:{title}:{y}"),
            None => format!("title:{title}"),
        }
    }
}

/// A record that was read, with notes on values it had to drop.
#[derive(Debug)]
pub struct Parsed {
    pub film: FilmRecord,
    pub notes: Vec<String>,
}

/// Reads one record of either shape. `Err` says why the record cannot be used at all.
pub fn parse_record(v: &Value) -> Result<Parsed, String> {
    let obj = v.as_object().ok_or("not a JSON object")?;
    if obj.contains_key("Title") {
        parse_public(obj)
    } else if obj.contains_key("title") {
        parse_marquee(obj)
    } else {
        Err("no title (expected a \"title\" or \"Title\" key)".into())
    }
}

/// Titles arrive as strings, or as numbers when the title is one (`1776`, `2012`).
fn title_of(v: Option<&Value>) -> Result<String, String> {
    let t = match v {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Null) | None => return Err("no title".into()),
        Some(other) => return Err(format!("the title is not text: {other}")),
    };
    if t.is_empty() {
        return Err("the title is empty".into());
    }
    if t.chars().count() > 300 {
        return Err("the title is longer than 300 characters".into());
    }
    Ok(t)
}

fn text(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

fn whole_number(v: Option<&Value>, what: &str, range: std::ops::RangeInclusive<i64>, notes: &mut Vec<String>) -> Option<i64> {
    let n = match v {
        None | Some(Value::Null) => return None,
        Some(Value::Number(n)) => n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64),
        Some(Value::String(s)) => s.trim().parse::<i64>().ok(),
        _ => None,
    };
    match n {
        Some(n) if range.contains(&n) => Some(n),
        _ => {
            notes.push(format!("{what} {} dropped (not a whole number from {} to {})", v.unwrap(), range.start(), range.end()));
            None
        }
    }
}

fn certification(raw: Option<String>, notes: &mut Vec<String>) -> Option<String> {
    let r = raw?;
    let upper = r.to_uppercase();
    if let Some(m) = MPAA.iter().find(|m| **m == upper) {
        Some(m.to_string())
    } else {
        notes.push(format!("rating “{r}” dropped (not an MPAA rating)"));
        None
    }
}

const MONTHS: [&str; 12] = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

/// "Jun 12 1998" or "1998-06-12" to "1998-06-12".
pub fn parse_release_date(s: &str) -> Option<String> {
    let s = s.trim();
    if let Ok(d) = s.parse::<jiff::civil::Date>() {
        return (1870..=2100).contains(&d.year()).then(|| d.to_string());
    }
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 3 {
        return None;
    }
    let month = MONTHS.iter().position(|m| parts[0].to_lowercase().starts_with(m))? as i8 + 1;
    let day: i8 = parts[1].trim_end_matches(',').parse().ok()?;
    let year: i16 = parts[2].parse().ok()?;
    jiff::civil::Date::new(year, month, day).ok().filter(|d| (1870..=2100).contains(&d.year())).map(|d| d.to_string())
}

fn parse_public(obj: &serde_json::Map<String, Value>) -> Result<Parsed, String> {
    let mut notes = Vec::new();
    let title = title_of(obj.get("Title"))?;
    let mut film = FilmRecord { title, ..Default::default() };
    if let Some(raw) = text(obj.get("Release Date")) {
        match parse_release_date(&raw) {
            Some(d) => {
                film.year = d[..4].parse().ok();
                film.release_date = Some(d);
            }
            None => notes.push(format!("release date “{raw}” dropped (not a date)")),
        }
    }
    film.runtime_minutes = whole_number(obj.get("Running Time min"), "running time", 1..=1000, &mut notes);
    film.certification = certification(text(obj.get("MPAA Rating")), &mut notes);
    if film.certification.is_some() {
        film.certification_body = Some("MPAA".into());
    }
    if let Some(g) = text(obj.get("Major Genre")) {
        film.genres.push(g);
    }
    if let Some(d) = text(obj.get("Director")) {
        film.credits.push(CreditRecord { role: CreditRole::Director, name: d, character: String::new() });
    }
    Ok(Parsed { film, notes })
}

fn names(v: Option<&Value>, role: CreditRole, out: &mut Vec<CreditRecord>) -> Result<(), String> {
    let Some(v) = v else { return Ok(()) };
    let list = v.as_array().ok_or_else(|| format!("“{}s” must be a list", role.as_str()))?;
    for item in list {
        let (name, character) = match item {
            Value::String(s) => (s.trim().to_string(), String::new()),
            Value::Object(o) => (text(o.get("name")).unwrap_or_default(), text(o.get("character")).unwrap_or_default()),
            _ => return Err(format!("a {} entry is neither a name nor an object with a name", role.as_str())),
        };
        if name.is_empty() || name.chars().count() > 200 {
            return Err(format!("a {} entry has no usable name", role.as_str()));
        }
        out.push(CreditRecord { role, name, character });
    }
    Ok(())
}

fn parse_marquee(obj: &serde_json::Map<String, Value>) -> Result<Parsed, String> {
    let mut notes = Vec::new();
    let title = title_of(obj.get("title"))?;
    let mut film = FilmRecord { title, ..Default::default() };
    film.original_title = text(obj.get("original_title")).unwrap_or_default();
    film.year = whole_number(obj.get("year"), "year", 1870..=2100, &mut notes);
    if let Some(raw) = text(obj.get("release_date")) {
        match parse_release_date(&raw) {
            Some(d) => {
                film.year = film.year.or(d[..4].parse().ok());
                film.release_date = Some(d);
            }
            None => notes.push(format!("release date “{raw}” dropped (not a date)")),
        }
    }
    film.runtime_minutes = whole_number(obj.get("runtime_minutes"), "running time", 1..=1000, &mut notes);
    film.certification = certification(text(obj.get("certification")), &mut notes);
    if film.certification.is_some() {
        film.certification_body = Some("MPAA".into());
    }
    if let Some(g) = obj.get("genres") {
        let list = g.as_array().ok_or("“genres” must be a list of names")?;
        film.genres = list.iter().filter_map(|g| text(Some(g))).collect();
    }
    if let Some(ids) = obj.get("ids") {
        let ids = ids.as_object().ok_or("“ids” must be an object")?;
        film.imdb_id = text(ids.get("imdb"));
        film.tmdb_id = text(ids.get("tmdb"));
        film.wikidata_id = text(ids.get("wikidata"));
        if let Some(id) = &film.imdb_id {
            if !(id.starts_with("tt") && id.len() >= 9 && id[2..].bytes().all(|b| b.is_ascii_digit())) {
                return Err(format!("IMDb id “{id}” is not of the form tt0000000"));
            }
        }
        if let Some(id) = &film.wikidata_id {
            if !(id.starts_with('Q') && id.len() >= 2 && id[1..].bytes().all(|b| b.is_ascii_digit())) {
                return Err(format!("Wikidata id “{id}” is not of the form Q123"));
            }
        }
    }
    names(obj.get("directors"), CreditRole::Director, &mut film.credits)?;
    names(obj.get("producers"), CreditRole::Producer, &mut film.credits)?;
    names(obj.get("writers"), CreditRole::Writer, &mut film.credits)?;
    names(obj.get("cast"), CreditRole::Cast, &mut film.credits)?;
    Ok(Parsed { film, notes })
}

/// Credits as the newsroom types them, one per line: `director: Jacques Audiard`,
/// `cast: Marion Cotillard (Stéphanie)`. Order is billing order within each role.
pub fn parse_credit_lines(text: &str) -> Result<Vec<CreditRecord>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let n = i + 1;
        let (role, rest) = line.split_once(':').ok_or_else(|| format!("Credit line {n}: write it as “role: Name”, e.g. “cast: Marion Cotillard (Stéphanie)”."))?;
        let role = CreditRole::parse(&role.trim().to_ascii_lowercase()).ok_or_else(|| format!("Credit line {n}: the role must be director, producer, writer or cast."))?;
        let rest = rest.trim();
        let (name, character) = match rest.strip_suffix(')').and_then(|r| r.rsplit_once(" (")) {
            Some((name, character)) if role == CreditRole::Cast => (name.trim(), character.trim()),
            _ => (rest, ""),
        };
        if name.is_empty() || name.chars().count() > 200 {
            return Err(format!("Credit line {n}: a name is needed (at most 200 characters)."));
        }
        out.push(CreditRecord { role, name: name.to_string(), character: character.to_string() });
    }
    Ok(out)
}

/// The inverse of [`parse_credit_lines`].
pub fn credit_lines(credits: &[(String, String, String)]) -> String {
    credits
        .iter()
        .map(|(role, name, character)| if character.is_empty() { format!("{role}: {name}") } else { format!("{role}: {name} ({character})") })
        .collect::<Vec<_>>()
        .join("\n")
}

/// "122 minutes"
pub fn runtime_text(minutes: i64) -> String {
    if minutes == 1 {
        "1 minute".into()
    } else {
        format!("{minutes} minutes")
    }
}

/// ISO 8601 duration for structured data: 122 -> "PT2H2M".
pub fn iso_duration(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("PT{m}M"),
        (h, 0) => format!("PT{h}H"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn messy_public_records() {
        let p = parse_record(&json!({"Title": 1776, "Release Date": "Nov 08 1972", "MPAA Rating": "Not Rated", "Running Time min": null, "Director": "Peter H. Hunt", "Major Genre": "Musical"})).unwrap();
        assert_eq!(p.film.title, "1776");
        assert_eq!(p.film.year, Some(1972));
        assert_eq!(p.film.release_date.as_deref(), Some("1972-11-08"));
        assert_eq!(p.film.certification, None);
        assert!(p.notes[0].contains("Not Rated"));
        assert_eq!(p.film.credits[0].name, "Peter H. Hunt");
        assert!(parse_record(&json!({"Title": null})).is_err());
        assert!(parse_record(&json!({"Title": "  "})).is_err());
        assert!(parse_record(&json!(["not", "an", "object"])).is_err());
        let odd = parse_record(&json!({"Title": "X", "Release Date": "someday", "Running Time min": -5})).unwrap();
        assert_eq!((odd.film.release_date, odd.film.runtime_minutes, odd.notes.len()), (None, None, 2));
    }

    #[test]
    fn marquee_records_with_credits_and_ids() {
        let p = parse_record(&json!({
            "title": "Rust and Bone", "original_title": "De rouille et d'os", "year": 2012, "runtime_minutes": 122,
            "certification": "r", "genres": ["Drama"], "ids": {"imdb": "tt2053425"},
            "directors": ["Jacques Audiard"], "cast": [{"name": "Marion Cotillard", "character": "Stéphanie"}, "Matthias Schoenaerts"]
        }))
        .unwrap();
        assert_eq!(p.film.certification.as_deref(), Some("R"));
        assert_eq!(p.film.import_key(), "imdb:tt2053425");
        assert_eq!(p.film.credits.len(), 3);
        assert_eq!(p.film.credits[1].character, "Stéphanie");
        assert!(parse_record(&json!({"title": "X", "ids": {"imdb": "12345"}})).unwrap_err().contains("IMDb id"));
        assert!(parse_record(&json!({"title": "X", "cast": "everyone"})).unwrap_err().contains("must be a list"));
    }

    #[test]
    fn credit_lines_round_trip() {
        let c = parse_credit_lines("director: Jacques Audiard\n\ncast: Marion Cotillard (Stéphanie)\ncast: Bouli Lanners").unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!((c[1].name.as_str(), c[1].character.as_str()), ("Marion Cotillard", "Stéphanie"));
        assert!(parse_credit_lines("ok: x").unwrap_err().contains("line 1"));
        assert!(parse_credit_lines("cast: A\nJust a name").unwrap_err().contains("line 2"));
        let back: Vec<(String, String, String)> = c.iter().map(|c| (c.role.as_str().to_string(), c.name.clone(), c.character.clone())).collect();
        assert_eq!(parse_credit_lines(&credit_lines(&back)).unwrap(), c);
    }

    #[test]
    fn remakes_differ_by_year() {
        let a = FilmRecord { title: "Psycho".into(), year: Some(1960), ..Default::default() };
        let b = FilmRecord { title: "PSYCHO ".into(), year: Some(1998), ..Default::default() };
        assert_ne!(a.import_key(), b.import_key());
        assert_eq!(iso_duration(122), "PT2H2M");
        assert_eq!(iso_duration(60), "PT1H");
        assert_eq!(iso_duration(45), "PT45M");
    }
}
