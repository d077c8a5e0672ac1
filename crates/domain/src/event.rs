//! Event listings: the fixed list of categories, the checks an event passes before it is
//! stored (from the newsroom's form or a feed), its default slug, the price schema.org can
//! read, and the way a listing says when an event happens ("Sat., Nov. 28, 8 p.m.").

use crate::article::FieldErrors;
use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};

/// What kind of event it is. The list is fixed: pages filter by it and feeds must use it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Music,
    Arts,
    Film,
    Food,
    Theater,
    Comedy,
    Dance,
    Kids,
    Community,
    Other,
}

impl Category {
    pub const ALL: [Category; 10] = [
        Category::Music,
        Category::Arts,
        Category::Film,
        Category::Food,
        Category::Theater,
        Category::Comedy,
        Category::Dance,
        Category::Kids,
        Category::Community,
        Category::Other,
    ];

    /// The stored and URL form: "music".
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Music => "music",
            Category::Arts => "arts",
            Category::Film => "film",
            Category::Food => "food",
            Category::Theater => "theater",
            Category::Comedy => "comedy",
            Category::Dance => "dance",
            Category::Kids => "kids",
            Category::Community => "community",
            Category::Other => "other",
        }
    }

    /// What readers see: "Music".
    pub fn label(self) -> &'static str {
        match self {
            Category::Music => "Music",
            Category::Arts => "Arts",
            Category::Film => "Film",
            Category::Food => "Food",
            Category::Theater => "Theater",
            Category::Comedy => "Comedy",
            Category::Dance => "Dance",
            Category::Kids => "Kids",
            Category::Community => "Community",
            Category::Other => "Other",
        }
    }

    /// Reads a category in any letter case; "theatre" is taken as theater.
    pub fn parse(s: &str) -> Option<Category> {
        let s = s.trim().to_ascii_lowercase();
        let s = if s == "theatre" { "theater".to_string() } else { s };
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }

    /// The label of a stored category, or the stored text itself if it is not on the list.
    pub fn label_of(stored: &str) -> String {
        Category::parse(stored).map(|c| c.label().to_string()).unwrap_or_else(|| stored.to_string())
    }

    /// The message for a category that is not on the list.
    pub fn unknown(s: &str) -> String {
        let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
        format!("“{}” is not an event category; use one of {}.", s.trim(), names.join(", "))
    }
}

pub const MAX_TITLE: usize = 200;
pub const MAX_PRICE: usize = 100;
pub const MAX_URL: usize = 2000;
/// Largest description, in bytes of Markdown.
pub const MAX_DESCRIPTION: usize = 50_000;

/// True for an absolute `http://` or `https://` address, the only links feeds and forms may
/// give (no `javascript:` or `data:`).
pub fn is_http_url(s: &str) -> bool {
    let s = s.trim();
    let rest = s.strip_prefix("https://").or_else(|| s.strip_prefix("http://"));
    rest.is_some_and(|r| !r.is_empty() && !r.chars().any(|c| c.is_whitespace() || c.is_control()))
}

/// An event as an editor typed it or a feed line gave it. Times are local to the venue:
/// `YYYY-MM-DDTHH:MM` (a space may stand for the `T`); an all-day event needs only the dates.
#[derive(Debug, Clone, Default)]
pub struct EventInput<'a> {
    pub title: &'a str,
    pub category: &'a str,
    pub start: &'a str,
    pub end: &'a str,
    pub all_day: bool,
    pub price: &'a str,
    pub ticket_url: &'a str,
    pub description: &'a str,
}

/// An event that passed [`EventInput::check`]: trimmed text, instants, and the description
/// rendered to sanitized HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckedEvent {
    pub title: String,
    pub category: Category,
    /// Unix seconds; an all-day event starts at midnight of its first day.
    pub starts_at: i64,
    /// Unix seconds; an all-day event ends at midnight after its last day.
    pub ends_at: Option<i64>,
    pub all_day: bool,
    pub price: String,
    pub ticket_url: String,
    pub description: String,
    pub description_html: String,
}

impl EventInput<'_> {
    /// Checks every field; the errors are keyed by field name (`title`, `category`, `start`,
    /// `end`, `price`, `ticket_url`, `description`) with a sentence for each.
    pub fn check(&self, tz: &TimeZone) -> Result<CheckedEvent, FieldErrors> {
        let mut errors = FieldErrors::new();
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            errors.insert("title", format!("A title of up to {MAX_TITLE} characters is required."));
        }
        let category = Category::parse(self.category);
        if category.is_none() {
            errors.insert("category", if self.category.trim().is_empty() { "Choose a category.".to_string() } else { Category::unknown(self.category) });
        }
        let start = match self.start.trim() {
            "" => {
                errors.insert("start", "A start date and time are required.".into());
                None
            }
            s => local_instant(s, self.all_day, tz, false).map_err(|e| errors.insert("start", e)).ok(),
        };
        let end = match self.end.trim() {
            "" => None,
            s => local_instant(s, self.all_day, tz, true).map_err(|e| errors.insert("end", e)).ok(),
        };
        if let (Some(s), Some(e)) = (start, end) {
            if e <= s {
                errors.insert("end", "The end must be after the start.".into());
            }
        }
        let price = self.price.trim();
        if price.chars().count() > MAX_PRICE {
            errors.insert("price", format!("A price can be at most {MAX_PRICE} characters, such as “$15” or “Free”."));
        }
        let ticket_url = self.ticket_url.trim();
        if !ticket_url.is_empty() && (!is_http_url(ticket_url) || ticket_url.len() > MAX_URL) {
            errors.insert("ticket_url", "A ticket link starts with https:// or http://.".into());
        }
        let description_html = crate::markdown::render_checked(self.description, MAX_DESCRIPTION).map_err(|e| errors.insert("description", e)).ok();
        match (category, start, description_html) {
            (Some(category), Some(starts_at), Some(description_html)) if errors.is_empty() => Ok(CheckedEvent {
                title: title.to_string(),
                category,
                starts_at,
                ends_at: end,
                all_day: self.all_day,
                price: price.to_string(),
                ticket_url: ticket_url.to_string(),
                description: self.description.trim().to_string(),
                description_html,
            }),
            _ => Err(errors),
        }
    }
}

/// A local date or date-time in `tz` as Unix seconds. For all-day events only the date counts:
/// the start is that day's midnight, the end (`is_end`) the midnight after it.
fn local_instant(s: &str, all_day: bool, tz: &TimeZone, is_end: bool) -> Result<i64, String> {
    if !all_day {
        // "2026-11-28 20:00" is read like "2026-11-28T20:00".
        let s = if s.len() >= 16 && s.as_bytes()[10] == b' ' { s.replacen(' ', "T", 1) } else { s.to_string() };
        return crate::time::parse_datetime_local(&s, tz);
    }
    let date = parse_date(s).ok_or_else(|| format!("“{s}” is not a date like 2026-11-28."))?;
    let day = if is_end { date.tomorrow().map_err(|_| format!("“{s}” is out of range."))? } else { date };
    day.to_zoned(tz.clone()).map(|z| z.timestamp().as_second()).map_err(|_| format!("“{s}” is out of range."))
}

/// "2026-11-28", or the date of "2026-11-28T20:00".
pub fn parse_date(s: &str) -> Option<Date> {
    let s = s.trim();
    s.parse::<Date>().ok().or_else(|| s.replace(' ', "T").parse::<DateTime>().ok().map(|dt| dt.date()))
}

/// The slug an event gets when none is given: its title and local start date,
/// "jazz-at-the-lake-2026-11-28".
pub fn default_slug(title: &str, starts_at: i64, tz: &TimeZone) -> String {
    let mut base = crate::slugify(title);
    base.truncate(60);
    let base = base.trim_end_matches('-');
    let base = if base.is_empty() { "event" } else { base };
    match Timestamp::from_second(starts_at) {
        Ok(ts) => format!("{base}-{}", ts.to_zoned(tz.clone()).date()),
        Err(_) => base.to_string(),
    }
}

/// The amount in a price for schema.org offers, in US dollars: "$15" and "15.00" are "15.00",
/// "Free" is "0". Ranges and anything else give none.
pub fn price_amount(price: &str) -> Option<String> {
    let p = price.trim();
    if p.eq_ignore_ascii_case("free") {
        return Some("0".into());
    }
    let p = p.strip_prefix('$').unwrap_or(p).trim();
    let p = p.strip_suffix("USD").unwrap_or(p).trim();
    let (whole, cents) = p.split_once('.').unwrap_or((p, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || whole.len() > 7 || !digits(whole) || cents.len() > 2 || !digits(cents) {
        return None;
    }
    let whole = whole.trim_start_matches('0');
    Some(format!("{}.{cents:0<2}", if whole.is_empty() { "0" } else { whole }))
}

/// "Sat., Nov. 28" (with ", 2027" when not in `this_year`).
fn ap_day(d: Date, this_year: i16) -> String {
    const DAYS: [&str; 7] = ["Mon.", "Tue.", "Wed.", "Thu.", "Fri.", "Sat.", "Sun."];
    const MONTHS: [&str; 12] = ["Jan.", "Feb.", "March", "April", "May", "June", "July", "Aug.", "Sept.", "Oct.", "Nov.", "Dec."];
    let day = DAYS[d.weekday().to_monday_zero_offset() as usize];
    let month = MONTHS[(d.month() - 1) as usize];
    if d.year() == this_year {
        format!("{day}, {month} {}", d.day())
    } else {
        format!("{day}, {month} {}, {}", d.day(), d.year())
    }
}

/// "8 p.m.", "8:30 a.m.", "noon", "midnight".
fn ap_time(z: &Zoned) -> String {
    let (h, m) = (z.hour(), z.minute());
    match (h, m) {
        (0, 0) => return "midnight".into(),
        (12, 0) => return "noon".into(),
        _ => {}
    }
    let hour12 = if h % 12 == 0 { 12 } else { h % 12 };
    let mer = if h < 12 { "a.m." } else { "p.m." };
    if m == 0 {
        format!("{hour12} {mer}")
    } else {
        format!("{hour12}:{m:02} {mer}")
    }
}

/// When an event happens, in its venue's zone, for listings: "Sat., Nov. 28, 8 p.m.",
/// "Sat., Nov. 28, 8 p.m. to 11 p.m.", "Sat., Nov. 28, 10 p.m. to Sun., Nov. 29, 2 a.m.",
/// "Sat., Nov. 28, all day", "Sat., Nov. 28 to Mon., Nov. 30". The year is added to a date
/// outside the year of `now`.
pub fn when_text(starts_at: i64, ends_at: Option<i64>, all_day: bool, tz: &TimeZone, now: i64) -> String {
    let at = |t: i64| Timestamp::from_second(t).unwrap_or(Timestamp::UNIX_EPOCH).to_zoned(tz.clone());
    let this_year = at(now).year();
    let start = at(starts_at);
    let first = ap_day(start.date(), this_year);
    if all_day {
        // The stored end is the midnight after the last day.
        let last = ends_at.map(|e| at(e - 1).date()).filter(|d| *d > start.date());
        return match last {
            Some(d) => format!("{first} to {}", ap_day(d, this_year)),
            None => format!("{first}, all day"),
        };
    }
    match ends_at.map(at) {
        None => format!("{first}, {}", ap_time(&start)),
        Some(end) if end.date() == start.date() => format!("{first}, {} to {}", ap_time(&start), ap_time(&end)),
        Some(end) => format!("{first}, {} to {}, {}", ap_time(&start), ap_day(end.date(), this_year), ap_time(&end)),
    }
}

/// A calendar's day heading: "Saturday, November 28" (with the year outside `this_year`).
pub fn day_heading(d: Date, this_year: i16) -> String {
    let text = d.strftime("%A, %B %-d").to_string();
    if d.year() == this_year {
        text
    } else {
        format!("{text}, {}", d.year())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn la() -> TimeZone {
        TimeZone::get("America/Los_Angeles").unwrap()
    }

    #[test]
    fn categories_parse_from_the_fixed_list() {
        assert_eq!(Category::parse("music"), Some(Category::Music));
        assert_eq!(Category::parse(" Comedy "), Some(Category::Comedy));
        assert_eq!(Category::parse("KIDS"), Some(Category::Kids));
        assert_eq!(Category::parse("theatre"), Some(Category::Theater));
        assert_eq!(Category::parse("opera"), None);
        assert_eq!(Category::parse(""), None);
        for c in Category::ALL {
            assert_eq!(Category::parse(c.as_str()), Some(c));
            assert_eq!(Category::parse(c.label()), Some(c));
        }
        assert!(Category::unknown("opera").contains("music, arts, film"));
        assert_eq!(Category::label_of("food"), "Food");
        assert_eq!(serde_json::to_string(&Category::Community).unwrap(), "\"community\"");
    }

    #[test]
    fn an_event_is_checked_whole() {
        let tz = la();
        let ok = EventInput { title: " Jazz ", category: "music", start: "2026-11-28 23:30", end: "2026-11-29T01:00", price: "$15", ticket_url: "https://t.example/1", description: "**Loud**", ..Default::default() };
        let e = ok.check(&tz).unwrap();
        assert_eq!(e.title, "Jazz");
        assert_eq!(e.ends_at.unwrap() - e.starts_at, 90 * 60);
        assert_eq!(e.description_html, "<p><strong>Loud</strong></p>\n");
        let bad = EventInput { title: "", category: "opera", start: "2026-11-28T20:00", end: "2026-11-28T19:00", ticket_url: "javascript:alert(1)", ..Default::default() };
        let errors = bad.check(&tz).unwrap_err();
        assert_eq!(errors.keys().copied().collect::<Vec<_>>(), ["category", "end", "ticket_url", "title"]);
        assert!(errors["end"].contains("after the start"));
        let gap = EventInput { title: "x", category: "arts", start: "2026-03-08T02:30", ..Default::default() };
        assert!(gap.check(&tz).unwrap_err()["start"].contains("does not exist"));
        let day = EventInput { title: "Fair", category: "community", start: "2026-11-28", end: "2026-11-29", all_day: true, ..Default::default() };
        let e = day.check(&tz).unwrap();
        assert_eq!(e.ends_at.unwrap() - e.starts_at, 2 * 86400);
        assert_eq!(when_text(e.starts_at, e.ends_at, true, &tz, e.starts_at), "Sat., Nov. 28 to Sun., Nov. 29");
    }

    #[test]
    fn when_reads_like_a_listing() {
        let tz = la();
        let t = |s: &str| crate::time::parse_datetime_local(s, &tz).unwrap();
        let now = t("2026-06-01T12:00");
        assert_eq!(when_text(t("2026-11-28T20:00"), None, false, &tz, now), "Sat., Nov. 28, 8 p.m.");
        assert_eq!(when_text(t("2026-11-28T20:00"), Some(t("2026-11-28T23:30")), false, &tz, now), "Sat., Nov. 28, 8 p.m. to 11:30 p.m.");
        assert_eq!(when_text(t("2026-11-28T22:00"), Some(t("2026-11-29T02:00")), false, &tz, now), "Sat., Nov. 28, 10 p.m. to Sun., Nov. 29, 2 a.m.");
        assert_eq!(when_text(t("2026-09-01T12:00"), None, false, &tz, now), "Tue., Sept. 1, noon");
        assert_eq!(when_text(t("2027-03-05T00:00"), None, false, &tz, now), "Fri., March 5, 2027, midnight");
        assert_eq!(when_text(t("2026-11-28T00:00"), Some(t("2026-11-29T00:00")), true, &tz, now), "Sat., Nov. 28, all day");
        assert_eq!(day_heading("2026-11-28".parse().unwrap(), 2026), "Saturday, November 28");
        assert_eq!(day_heading("2027-01-02".parse().unwrap(), 2026), "Saturday, January 2, 2027");
    }

    #[test]
    fn slugs_prices_and_links() {
        let tz = la();
        let at = crate::time::parse_datetime_local("2026-11-28T23:30", &tz).unwrap();
        assert_eq!(default_slug("Jazz & Blues!", at, &tz), "jazz-and-blues-2026-11-28", "the local date, not the UTC one");
        assert_eq!(default_slug("¿?", at, &tz), "event-2026-11-28");
        assert_eq!(price_amount("$15"), Some("15.00".into()));
        assert_eq!(price_amount("12.5"), Some("12.50".into()));
        assert_eq!(price_amount("Free"), Some("0".into()));
        assert_eq!(price_amount("$0"), Some("0.00".into()));
        assert_eq!(price_amount("$10-$20"), None);
        assert_eq!(price_amount(""), None);
        assert!(is_http_url("https://tickets.example/x") && is_http_url("http://a.b"));
        assert!(!is_http_url("javascript:alert(1)") && !is_http_url("https://") && !is_http_url("//evil.example"));
        assert_eq!(parse_date("2026-11-28T20:00"), Some("2026-11-28".parse().unwrap()));
    }
}
