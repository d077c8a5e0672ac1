//! Instants are stored as Unix seconds (UTC) and shown in the publication's IANA time zone.

use jiff::{tz::TimeZone, Timestamp};

pub fn now_unix() -> i64 {
    Timestamp::now().as_second()
}

pub fn parse_zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name.trim()).map_err(|_| format!("“{}” is not an IANA time zone such as America/Los_Angeles.", name.trim()))
}

const MONTHS: [&str; 12] = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
const WEEKDAYS: [&str; 7] = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];

/// A moment as the wall clock shows it in a zone, with the zone's offset from UTC then. The
/// dates and times pages show (a comment's, a screening's) are written from it directly:
/// `strftime` reads its pattern again for every value, which showed in profiles of pages with
/// many of them. A test checks that each writes what `strftime` would.
#[derive(Clone, Copy, Debug)]
pub struct Wall {
    pub at: jiff::civil::DateTime,
    pub offset: jiff::tz::Offset,
}

impl Wall {
    pub fn new(unix: i64, tz: &TimeZone) -> Option<Wall> {
        let ts = Timestamp::from_second(unix).ok()?;
        let offset = tz.to_offset(ts);
        Some(Wall { at: offset.to_datetime(ts), offset })
    }

    fn month(&self) -> &'static str {
        MONTHS[(self.at.month() - 1) as usize]
    }

    /// "November 24, 2026"
    pub fn long_date(&self) -> String {
        let mut out = String::with_capacity(20);
        self.push_long_date(&mut out);
        out
    }

    fn push_long_date(&self, out: &mut String) {
        out.push_str(self.month());
        out.push(' ');
        push_number(out, self.at.day().into(), 1);
        out.push_str(", ");
        push_number(out, self.at.year().into(), 1);
    }

    /// "Tuesday, November 24"
    pub fn day_label(&self) -> String {
        let mut out = String::with_capacity(24);
        out.push_str(WEEKDAYS[self.at.weekday().to_monday_zero_offset() as usize]);
        out.push_str(", ");
        out.push_str(self.month());
        out.push(' ');
        push_number(&mut out, self.at.day().into(), 1);
        out
    }

    /// "7:05 PM"
    pub fn clock(&self) -> String {
        let mut out = String::with_capacity(8);
        self.push_clock(&mut out);
        out
    }

    fn push_clock(&self, out: &mut String) {
        let h = self.at.hour();
        push_number(out, if h % 12 == 0 { 12 } else { (h % 12).into() }, 1);
        out.push(':');
        push_number(out, self.at.minute().into(), 2);
        out.push_str(if h < 12 { " AM" } else { " PM" });
    }

    /// "November 24, 2026 at 7:05 PM"
    pub fn long_datetime(&self) -> String {
        let mut out = String::with_capacity(32);
        self.push_long_date(&mut out);
        out.push_str(" at ");
        self.push_clock(&mut out);
        out
    }

    /// "2026-11-24T19:05:00-08:00"
    pub fn rfc3339(&self) -> String {
        let a = &self.at;
        let mut out = String::with_capacity(25);
        push_number(&mut out, a.year().into(), 4);
        for (sep, n) in [('-', a.month()), ('-', a.day()), ('T', a.hour()), (':', a.minute()), (':', a.second())] {
            out.push(sep);
            push_number(&mut out, n.into(), 2);
        }
        let secs = self.offset.seconds();
        out.push(if secs < 0 { '-' } else { '+' });
        let off = i64::from(secs).abs();
        push_number(&mut out, off / 3600, 2);
        out.push(':');
        push_number(&mut out, off / 60 % 60, 2);
        out
    }
}

/// Writes `n` in decimal with at least `width` digits, zeros in front.
fn push_number(out: &mut String, n: i64, width: usize) {
    if n < 0 {
        out.push('-');
    }
    let mut digits = [b'0'; 20];
    let mut at = digits.len();
    let mut n = n.unsigned_abs();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    at = at.min(digits.len() - width);
    for &d in &digits[at..] {
        out.push(d as char);
    }
}

/// "November 24, 2026"
pub fn long_date(unix: i64, tz: &TimeZone) -> String {
    Wall::new(unix, tz).map(|w| w.long_date()).unwrap_or_default()
}

/// "November 24, 2026 at 7:05 PM"
pub fn long_datetime(unix: i64, tz: &TimeZone) -> String {
    Wall::new(unix, tz).map(|w| w.long_datetime()).unwrap_or_default()
}

/// RFC 3339 with the zone's offset, for `<time datetime>` and structured data.
pub fn rfc3339(unix: i64, tz: &TimeZone) -> String {
    Wall::new(unix, tz).map(|w| w.rfc3339()).unwrap_or_default()
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
    fn dates_are_written_as_strftime_writes_them() {
        // Every hour of the day, both halves of the year, leap days, zones east and west of
        // UTC and with half-hour offsets, daylight saving's edges, years before 1000 and
        // after 9999 are out of range for both.
        let zones = ["America/Los_Angeles", "UTC", "Asia/Kolkata", "Australia/Lord_Howe", "America/St_Johns", "Pacific/Chatham", "Europe/Dublin"];
        for name in zones {
            let tz = parse_zone(name).unwrap();
            let mut t: i64 = 315_532_800; // 1980-01-01
            while t < 2_871_763_200 {
                // 2061; about 37 hours apart, so every hour of the day comes round.
                let z = Timestamp::from_second(t).unwrap().to_zoned(tz.clone());
                let w = Wall::new(t, &tz).unwrap();
                assert_eq!(w.long_date(), z.strftime("%B %-d, %Y").to_string(), "{name} {t}");
                assert_eq!(w.long_datetime(), z.strftime("%B %-d, %Y at %-I:%M %p").to_string(), "{name} {t}");
                assert_eq!(w.rfc3339(), z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(), "{name} {t}");
                assert_eq!(w.day_label(), z.strftime("%A, %B %-d").to_string(), "{name} {t}");
                assert_eq!(w.clock(), z.strftime("%-I:%M %p").to_string(), "{name} {t}");
                t += 133_337;
            }
        }
        let la = parse_zone("America/Los_Angeles").unwrap();
        assert_eq!(long_datetime(1_795_575_900, &la), "November 24, 2026 at 7:05 PM");
        assert_eq!(rfc3339(1_795_575_900, &la), "2026-11-24T19:05:00-08:00");
        assert_eq!(Wall::new(1_795_532_400, &la).unwrap().clock(), "7:00 AM");
        assert_eq!(long_date(i64::MAX, &la), "", "out of range");
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
