//! Instants are stored as Unix seconds (UTC) and shown in the publication's IANA time zone.

use jiff::{tz::TimeZone, Timestamp};

pub fn now_unix() -> i64 {
    Timestamp::now().as_second()
}

pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name.trim()).map_err(|_| format!("“{}” is not an IANA time zone such as America/Los_Angeles.", name.trim()))
}

/// "November 24, 2026"
pub fn long_date(unix: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(unix) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime("%B %-d, %Y").to_string(),
        Err(_) => String::new(),
    }
}

/// "November 24, 2026 at 7:05 PM"
pub fn long_datetime(unix: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(unix) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime("%B %-d, %Y at %-I:%M %p").to_string(),
        Err(_) => String::new(),
    }
}

/// RFC 3339 with the zone's offset, for `<time datetime>` and structured data.
pub fn rfc3339(unix: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(unix) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        Err(_) => String::new(),
    }
}

/// RFC 822 (as updated by RFC 2822) with the zone's offset, for RSS:
/// "Tue, 24 Nov 2026 19:05:00 -0800".
pub fn rfc822(unix: i64, tz: &TimeZone) -> String {
    Timestamp::from_second(unix)
        .ok()
        .and_then(|ts| jiff::fmt::rfc2822::to_string(&ts.to_zoned(tz.clone())).ok())
        .unwrap_or_default()
}

/// An HTTP date (RFC 9110, always GMT) for `Last-Modified`: "Wed, 25 Nov 2026 03:05:00 GMT".
pub fn http_date(unix: i64) -> String {
    Timestamp::from_second(unix)
        .ok()
        .and_then(|ts| jiff::fmt::rfc2822::DateTimePrinter::new().timestamp_to_rfc9110_string(&ts).ok())
        .unwrap_or_default()
}

/// Reads an HTTP date such as an `If-Modified-Since` header; `None` when it is not one.
pub fn parse_http_date(s: &str) -> Option<i64> {
    jiff::fmt::rfc2822::DateTimeParser::new().parse_timestamp(s.trim()).ok().map(|ts| ts.as_second())
}

/// The UTC calendar date, "2026-11-25".
pub fn utc_date(unix: i64) -> String {
    Timestamp::from_second(unix).map(|ts| ts.strftime("%Y-%m-%d").to_string()).unwrap_or_default()
}

/// Value for an `<input type="datetime-local">`, in the given zone.
pub fn datetime_local(unix: i64, tz: &TimeZone) -> String {
    match Timestamp::from_second(unix) {
        Ok(ts) => ts.to_zoned(tz.clone()).strftime("%Y-%m-%dT%H:%M").to_string(),
        Err(_) => String::new(),
    }
}

/// Parses what a `datetime-local` input sends ("2026-11-24T19:05", seconds optional) as a
/// wall-clock time in `tz`. A time that happens twice (when daylight saving ends) is the
/// earlier one; a time that never happens (when it begins) is refused.
pub fn parse_datetime_local(input: &str, tz: &TimeZone) -> Result<i64, String> {
    let s = input.trim();
    let dt: jiff::civil::DateTime = s
        .parse()
        .map_err(|_| format!("“{s}” is not a date and time like 2026-11-24T19:05."))?;
    let ambiguous = tz.to_ambiguous_zoned(dt);
    if matches!(ambiguous.offset(), jiff::tz::AmbiguousOffset::Gap { .. }) {
        return Err(format!("“{s}” does not exist in this time zone: the clocks skip it when daylight saving time begins."));
    }
    let zoned = ambiguous.earlier().map_err(|_| format!("“{s}” is out of range."))?;
    Ok(zoned.timestamp().as_second())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_round_trip_across_dst() {
        let tz = parse_zone("America/Los_Angeles").unwrap();
        // 2026-03-08 is the spring-forward day in the US.
        let before = parse_datetime_local("2026-03-07T19:00", &tz).unwrap();
        let after = parse_datetime_local("2026-03-08T19:00", &tz).unwrap();
        assert_eq!(after - before, 23 * 3600);
        assert_eq!(datetime_local(after, &tz), "2026-03-08T19:00");
        assert_eq!(long_date(after, &tz), "March 8, 2026");
        assert!(parse_datetime_local("yesterday", &tz).is_err());
        assert!(parse_datetime_local("2026-03-08T02:30", &tz).unwrap_err().contains("does not exist"));
        let fold = parse_datetime_local("2026-11-01T01:30", &tz).unwrap();
        assert_eq!(fold, 1_793_521_800, "the earlier 01:30, still on daylight time");
        assert!(parse_zone("Mars/Olympus").is_err());
    }

    #[test]
    fn feed_and_http_dates() {
        let tz = parse_zone("America/Los_Angeles").unwrap();
        let t = 1_795_575_900; // 2026-11-25 03:05 UTC, the evening before in Los Angeles
        assert_eq!(rfc822(t, &tz), "Tue, 24 Nov 2026 19:05:00 -0800");
        assert_eq!(http_date(t), "Wed, 25 Nov 2026 03:05:00 GMT");
        assert_eq!(parse_http_date("Wed, 25 Nov 2026 03:05:00 GMT"), Some(t));
        assert_eq!(parse_http_date("yesterday"), None);
        assert_eq!(utc_date(t), "2026-11-25");
    }
}
