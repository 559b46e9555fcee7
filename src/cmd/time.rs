//! One grammar for every time and time-zone flag (`--since`, `--until`,
//! `--from`, `--to`, `--as-of`, `--tz`), so that a value one command accepts
//! every command accepts.

use anyhow::{Context, Result};
use cloudcase_event::EventTime;

/// Parses a time flag: RFC 3339 (`2024-05-18T09:00:00Z`, fractions, a space
/// for `T`, numeric offsets; no zone means UTC) or a bare date (`2024-05-18`,
/// its first millisecond in UTC). Millisecond precision, as events have.
pub fn parse_event_time(text: &str) -> Result<EventTime, String> {
    EventTime::parse_bound(text).map_err(|e| {
        format!("{e}: expected an RFC 3339 time such as 2024-05-18T09:00:00Z or a date such as 2024-05-18")
    })
}

/// [`parse_event_time`] as a `jiff` timestamp.
pub fn parse_instant(text: &str) -> Result<jiff::Timestamp, String> {
    let t = parse_event_time(text)?;
    jiff::Timestamp::from_millisecond(t.millis())
        .map_err(|e| format!("{text:?} is out of range: {e}"))
}

/// An optional time flag's value (`--since`, `--from`…), its error naming the
/// flag.
pub fn parse_flag(flag: &str, text: Option<&str>) -> Result<Option<jiff::Timestamp>> {
    text.map(|t| parse_instant(t).map_err(|e| anyhow::anyhow!("--{flag}: {e}")))
        .transpose()
}

/// Resolves a `--tz` value: an IANA name (`Asia/Tokyo`, `UTC`) or `local`
/// (this machine's zone).
pub fn parse_tz(name: &str) -> Result<jiff::tz::TimeZone> {
    if name.eq_ignore_ascii_case("local") {
        return Ok(jiff::tz::TimeZone::system());
    }
    jiff::tz::TimeZone::get(name).with_context(|| {
        format!("--tz: expected an IANA time zone name such as Asia/Tokyo or UTC, or local, found {name:?}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_flag_accepts_dates_times_and_offsets() {
        let day = parse_instant("2024-05-18").expect("date");
        assert_eq!(day.to_string(), "2024-05-18T00:00:00Z");
        let t = parse_instant("2024-05-18T18:00:00+09:00").expect("offset");
        assert_eq!(t.to_string(), "2024-05-18T09:00:00Z");
        assert!(parse_instant("2024-05-18 09:00:00.250Z").is_ok());
        let err = parse_instant("yesterday").expect_err("not a time");
        assert!(err.contains("expected an RFC 3339 time"), "{err}");
        assert!(parse_tz("local").is_ok() && parse_tz("Asia/Tokyo").is_ok());
        assert!(parse_tz("Mars/Olympus").is_err());
    }
}
