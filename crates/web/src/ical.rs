//! iCalendar files (RFC 5545) for "add to calendar" links: escaping, line folding, time
//! zones and the download response, shared by screenings and events.

use axum::http::header;
use axum::response::{IntoResponse, Response};
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// Escapes a TEXT value (RFC 5545 section 3.3.11): backslashes, semicolons, commas and line
/// breaks.
pub fn text(s: &str) -> String {
    s.replace('\\', "\\\\").replace(';', "\\;").replace(',', "\\,").replace("\r\n", "\n").replace('\r', "\n").replace('\n', "\\n")
}

/// Folds a content line longer than 75 octets (RFC 5545 section 3.1), never inside a
/// character, and ends it with CRLF.
fn fold(line: &str) -> String {
    let mut out = String::new();
    let mut len = 0;
    for ch in line.chars() {
        if len + ch.len_utf8() > 75 {
            out.push_str("\r\n ");
            len = 1;
        }
        out.push(ch);
        len += ch.len_utf8();
    }
    out.push_str("\r\n");
    out
}

/// A whole calendar around `body` (VTIMEZONE and VEVENT lines), folded.
pub fn calendar(product: &str, body: Vec<String>) -> String {
    let mut lines = vec!["BEGIN:VCALENDAR".to_string(), "VERSION:2.0".into(), format!("PRODID:-//Marquee//{product}//EN"), "CALSCALE:GREGORIAN".into(), "METHOD:PUBLISH".into()];
    lines.extend(body);
    lines.push("END:VCALENDAR".into());
    lines.iter().map(|l| fold(l)).collect()
}

/// The host part of the site's address, for UIDs that stay the same across downloads.
pub fn host(base: &str) -> String {
    base.split("://").nth(1).unwrap_or("marquee").split('/').next().filter(|h| !h.is_empty()).unwrap_or("marquee").to_string()
}

/// `DTSTAMP`, when the file was made.
pub fn stamp(now: Timestamp) -> String {
    format!("DTSTAMP:{}", utc(now))
}

/// A UTC date-time value: 20261129T043000Z.
pub fn utc(at: Timestamp) -> String {
    at.strftime("%Y%m%dT%H%M%SZ").to_string()
}

pub fn geo(latitude: f64, longitude: f64) -> String {
    format!("GEO:{latitude:.6};{longitude:.6}")
}

/// A calendar file as a download.
pub fn download(file_name: &str, body: String) -> Response {
    let headers = [
        (header::CONTENT_TYPE, "text/calendar; charset=utf-8".to_string()),
        (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{file_name}\"")),
    ];
    (headers, body).into_response()
}

fn offset_text(seconds: i32) -> String {
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    format!("{sign}{:02}{:02}", s / 3600, (s % 3600) / 60)
}

/// A VTIMEZONE with the transitions around `at`, so that calendars place a local time
/// correctly even across a daylight-saving change.
pub fn vtimezone(name: &str, tz: &TimeZone, at: Timestamp) -> Vec<String> {
    let mut lines = vec!["BEGIN:VTIMEZONE".to_string(), format!("TZID:{name}")];
    let mut transitions: Vec<_> = tz.preceding(at).take(2).collect();
    transitions.reverse();
    transitions.extend(tz.following(at).take(2));
    if transitions.is_empty() {
        let off = tz.to_offset(at).seconds();
        lines.extend(["BEGIN:STANDARD".into(), "DTSTART:19700101T000000".into(), format!("TZOFFSETFROM:{}", offset_text(off)), format!("TZOFFSETTO:{}", offset_text(off)), "END:STANDARD".into()]);
    }
    for t in transitions {
        let before = tz.to_offset(t.timestamp() - jiff::SignedDuration::from_secs(1)).seconds();
        let kind = if t.dst().is_dst() { "DAYLIGHT" } else { "STANDARD" };
        let local = t.timestamp().to_zoned(TimeZone::fixed(jiff::tz::Offset::from_seconds(before).unwrap_or(jiff::tz::Offset::UTC)));
        lines.push(format!("BEGIN:{kind}"));
        lines.push(format!("DTSTART:{}", local.strftime("%Y%m%dT%H%M%S")));
        lines.push(format!("TZOFFSETFROM:{}", offset_text(before)));
        lines.push(format!("TZOFFSETTO:{}", offset_text(t.offset().seconds())));
        lines.push(format!("TZNAME:{}", t.abbreviation()));
        lines.push(format!("END:{kind}"));
    }
    lines.push("END:VTIMEZONE".into());
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_fold_between_characters() {
        assert_eq!(text("a, b; c\\d\r\ne"), "a\\, b\\; c\\\\d\\ne");
        let long = format!("SUMMARY:{}", "é".repeat(60));
        let folded = fold(&long);
        assert!(folded.split("\r\n").all(|l| l.len() <= 75), "{folded}");
        assert_eq!(folded.replace("\r\n ", "").trim_end(), long);
        let cal = calendar("Test", vec!["X:1".into()]);
        assert!(cal.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Marquee//Test//EN\r\n") && cal.ends_with("X:1\r\nEND:VCALENDAR\r\n"));
        assert_eq!(host("https://paper.example/sub"), "paper.example");
        assert_eq!(host("nonsense"), "marquee");
    }
}
