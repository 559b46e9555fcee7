//! Event timestamps: UTC milliseconds since the Unix epoch.
//!
//! CloudTrail writes `eventTime` as RFC 3339 in UTC with second precision
//! (`2024-08-18T09:53:52Z`); CloudTrail Lake, Athena and SIEM exports add
//! fractions, use a space instead of `T`, or give a numeric offset. All of them
//! parse to the same [`EventTime`]. Display in other zones happens only at
//! output time.

use std::fmt;

use crate::calendar::{civil_from_days, days_from_civil};

/// A point in time, in whole milliseconds since 1970-01-01T00:00:00Z.
///
/// Ordering and equality are those of the instant, so sorting by `EventTime`
/// sorts chronologically regardless of the zone the source wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventTime(i64);

/// Why a timestamp string could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("expected an RFC 3339 timestamp such as 2024-08-18T09:53:52Z, found {found:?}")]
pub struct TimeError {
    /// The offending text, truncated to 64 characters.
    pub found: String,
}

impl TimeError {
    fn new(text: &str) -> Self {
        TimeError {
            found: text.chars().take(64).collect(),
        }
    }
}

impl EventTime {
    /// The instant `millis` milliseconds after the Unix epoch.
    pub const fn from_millis(millis: i64) -> Self {
        EventTime(millis)
    }

    /// Milliseconds since the Unix epoch.
    pub const fn millis(self) -> i64 {
        self.0
    }

    /// Parses CloudTrail's timestamp forms: `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)`,
    /// with `T` or a space between date and time; a missing zone means UTC
    /// (the form Athena and Lake exports use).
    pub fn parse(text: &str) -> Result<Self, TimeError> {
        parse_fixed(text.as_bytes()).ok_or_else(|| TimeError::new(text))
    }

    /// Parses a time bound given on the command line: anything [`EventTime::parse`]
    /// accepts, or a bare date `YYYY-MM-DD` meaning its first millisecond in UTC.
    pub fn parse_bound(text: &str) -> Result<Self, TimeError> {
        let b = text.trim().as_bytes();
        if b.len() == 10 {
            let (y, m, d) = parse_date(b).ok_or_else(|| TimeError::new(text))?;
            return Ok(EventTime(days_from_civil(y, m, d) * 86_400_000));
        }
        Self::parse(text.trim())
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2024-08-18T09:53:52.000Z`.
    pub fn to_utc_string(self) -> String {
        let mut s = String::with_capacity(24);
        self.write_utc(&mut s);
        s
    }

    /// Appends the RFC 3339 UTC form (see [`EventTime::to_utc_string`]) to `out`.
    pub fn write_utc(self, out: &mut String) {
        let days = self.0.div_euclid(86_400_000);
        let ms_of_day = self.0.rem_euclid(86_400_000);
        let (y, m, d) = civil_from_days(days);
        let (h, mi, s, ms) = (
            ms_of_day / 3_600_000,
            ms_of_day / 60_000 % 60,
            ms_of_day / 1000 % 60,
            ms_of_day % 1000,
        );
        use std::fmt::Write;
        let _ = write!(out, "{y:04}-{m:02}-{d:02}T{h:02}:{mi:02}:{s:02}.{ms:03}Z");
    }

    /// RFC 3339 in `zone` with its offset always shown, e.g.
    /// `2024-08-18T18:53:52.000+09:00` for Asia/Tokyo. UTC renders with `Z`.
    pub fn to_zoned_string(self, zone: &jiff::tz::TimeZone) -> String {
        let Ok(ts) = jiff::Timestamp::from_millisecond(self.0) else {
            return self.to_utc_string();
        };
        let offset = zone.to_offset(ts);
        if offset.seconds() == 0 {
            return self.to_utc_string();
        }
        let local = self.0 + i64::from(offset.seconds()) * 1000;
        let mut s = EventTime(local).to_utc_string();
        s.pop();
        let secs = offset.seconds();
        let sign = if secs < 0 { '-' } else { '+' };
        let abs = secs.unsigned_abs();
        use std::fmt::Write;
        let _ = write!(s, "{sign}{:02}:{:02}", abs / 3600, abs / 60 % 60);
        s
    }
}

impl fmt::Display for EventTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_utc_string())
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    b.iter().try_fold(0i64, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + i64::from(c - b'0'))
    })
}

fn parse_date(b: &[u8]) -> Option<(i64, i64, i64)> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, m, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > month_days[(m - 1) as usize] {
        return None;
    }
    Some((y, m, d))
}

fn parse_fixed(b: &[u8]) -> Option<EventTime> {
    let (y, m, d) = parse_date(b)?;
    if b.len() < 19 || !(b[10] == b'T' || b[10] == b't' || b[10] == b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (h, mi, s) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut ms = 0i64;
    if let Some((b'.', frac)) = rest.split_first() {
        let n = frac.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        let mut scaled = digits(&frac[..n.min(3)])?;
        for _ in n..3 {
            scaled *= 10;
        }
        ms = scaled;
        rest = &frac[n..];
    }
    let offset_s = match rest {
        [] | [b'Z'] | [b'z'] => 0,
        [sign @ (b'+' | b'-'), hh1, hh2, b':', mm1, mm2] => {
            let oh = digits(&[*hh1, *hh2])?;
            let om = digits(&[*mm1, *mm2])?;
            if oh > 23 || om > 59 {
                return None;
            }
            let v = oh * 3600 + om * 60;
            if *sign == b'-' {
                -v
            } else {
                v
            }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, m, d) * 86_400 + h * 3600 + mi * 60 + s - offset_s;
    Some(EventTime(secs * 1000 + ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_cloudtrail_forms_to_the_same_instant() {
        let a = EventTime::parse("2024-08-18T09:53:52Z").unwrap();
        assert_eq!(a.millis(), 1_723_974_832_000);
        assert_eq!(EventTime::parse("2024-08-18 09:53:52.000").unwrap(), a);
        assert_eq!(EventTime::parse("2024-08-18T18:53:52+09:00").unwrap(), a);
        assert_eq!(
            EventTime::parse("2024-08-18T09:53:52.123456Z")
                .unwrap()
                .millis(),
            a.millis() + 123
        );
        assert_eq!(
            EventTime::parse("2024-08-18T09:53:52.5Z").unwrap().millis(),
            a.millis() + 500
        );
    }

    #[test]
    fn rejects_malformed_times_with_the_text() {
        for bad in [
            "",
            "yesterday",
            "2024-13-01T00:00:00Z",
            "2024-02-30T00:00:00Z",
            "2024-08-18T25:00:00Z",
            "2024-08-18T09:53:52Zjunk",
            "2024-08-18T09:53:52.",
        ] {
            let err = EventTime::parse(bad).unwrap_err();
            assert_eq!(err.found, bad);
        }
    }

    #[test]
    fn round_trips_utc_formatting() {
        for text in [
            "1970-01-01T00:00:00.000Z",
            "2000-02-29T23:59:59.999Z",
            "1969-12-31T23:59:59.001Z",
            "2038-01-19T03:14:08.000Z",
        ] {
            assert_eq!(EventTime::parse(text).unwrap().to_utc_string(), text);
        }
    }

    #[test]
    fn zoned_display_always_shows_the_offset() {
        let t = EventTime::parse("2024-08-18T09:53:52Z").unwrap();
        let tokyo = jiff::tz::TimeZone::get("Asia/Tokyo").unwrap();
        assert_eq!(t.to_zoned_string(&tokyo), "2024-08-18T18:53:52.000+09:00");
        let ny = jiff::tz::TimeZone::get("America/New_York").unwrap();
        assert_eq!(t.to_zoned_string(&ny), "2024-08-18T05:53:52.000-04:00");
        assert_eq!(
            t.to_zoned_string(&jiff::tz::TimeZone::UTC),
            "2024-08-18T09:53:52.000Z"
        );
    }

    #[test]
    fn bare_dates_are_bounds_at_midnight_utc() {
        assert_eq!(
            EventTime::parse_bound("2024-08-18").unwrap(),
            EventTime::parse("2024-08-18T00:00:00Z").unwrap()
        );
        assert!(EventTime::parse_bound("2024-8-18").is_err());
    }
}
