//! Calendar arithmetic and the time formats CloudTrail writes.
//!
//! Only UTC is involved, so a few lines of proleptic-Gregorian arithmetic
//! (Howard Hinnant's `days_from_civil`) are all we need; no time crate.

use std::fmt;
use std::str::FromStr;

use crate::GenError;

/// A calendar day (UTC), used as the first day of a generated corpus.
///
/// Parsed from and displayed as `YYYY-MM-DD`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    /// Year, e.g. 2024.
    pub year: i32,
    /// Month, 1–12.
    pub month: u8,
    /// Day of month, 1–31 (validated against the month).
    pub day: u8,
}

impl Date {
    /// Builds a validated date.
    pub fn new(year: i32, month: u8, day: u8) -> Result<Date, GenError> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return Err(GenError::Config(format!(
                "invalid date {year:04}-{month:02}-{day:02}"
            )));
        }
        if !(1970..=9999).contains(&year) {
            return Err(GenError::Config(format!(
                "year {year} out of range 1970-9999"
            )));
        }
        Ok(Date { year, month, day })
    }

    /// Seconds since the Unix epoch of this day's midnight UTC.
    pub fn unix_seconds(self) -> i64 {
        days_from_civil(self.year, self.month as u32, self.day as u32) * 86_400
    }
}

impl FromStr for Date {
    type Err = GenError;

    fn from_str(s: &str) -> Result<Date, GenError> {
        let bad = || GenError::Config(format!("expected a date as YYYY-MM-DD, got {s:?}"));
        let mut it = s.trim().splitn(3, '-');
        let y = it.next().ok_or_else(bad)?;
        let m = it.next().ok_or_else(bad)?;
        let d = it.next().ok_or_else(bad)?;
        if y.len() != 4 || m.len() != 2 || d.len() != 2 {
            return Err(bad());
        }
        let y: i32 = y.parse().map_err(|_| bad())?;
        let m: u8 = m.parse().map_err(|_| bad())?;
        let d: u8 = d.parse().map_err(|_| bad())?;
        Date::new(y, m, d)
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u8) -> u8 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(y) => 29,
        2 => 28,
        _ => 0,
    }
}

/// Days since 1970-01-01 of a civil date.
pub(crate) fn days_from_civil(y: i32, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y } as i64;
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Civil date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

/// Broken-down UTC time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Civil {
    pub y: i32,
    pub mo: u32,
    pub d: u32,
    pub h: u32,
    pub mi: u32,
    pub s: u32,
}

pub(crate) fn civil(t: i64) -> Civil {
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400) as u32;
    let (y, mo, d) = civil_from_days(days);
    Civil {
        y,
        mo,
        d,
        h: secs / 3600,
        mi: secs / 60 % 60,
        s: secs % 60,
    }
}

#[inline]
fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

#[inline]
fn push4(out: &mut Vec<u8>, v: i32) {
    let v = v.clamp(0, 9999) as u32;
    push2(out, v / 100);
    push2(out, v % 100);
}

/// `YYYY-MM-DDTHH:MM:SSZ`, CloudTrail's `eventTime` format.
pub(crate) fn push_iso(out: &mut Vec<u8>, t: i64) {
    let c = civil(t);
    push4(out, c.y);
    out.push(b'-');
    push2(out, c.mo);
    out.push(b'-');
    push2(out, c.d);
    out.push(b'T');
    push2(out, c.h);
    out.push(b':');
    push2(out, c.mi);
    out.push(b':');
    push2(out, c.s);
    out.push(b'Z');
}

/// `iso` as an owned string.
pub(crate) fn iso(t: i64) -> String {
    let mut v = Vec::with_capacity(20);
    push_iso(&mut v, t);
    String::from_utf8(v).unwrap_or_default()
}

/// `YYYY/MM/DD`, used in log stream names.
pub(crate) fn push_slash_date(out: &mut Vec<u8>, t: i64) {
    let c = civil(t);
    push4(out, c.y);
    out.push(b'/');
    push2(out, c.mo);
    out.push(b'/');
    push2(out, c.d);
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Mar 24, 2014 9:11:59 PM`, the Java-style date IAM and STS put in
/// response elements (`createDate`, `expiration`).
pub(crate) fn push_java_date(out: &mut Vec<u8>, t: i64) {
    let c = civil(t);
    out.extend_from_slice(MONTHS[(c.mo - 1) as usize].as_bytes());
    out.push(b' ');
    push_num(out, c.d as u64);
    out.extend_from_slice(b", ");
    push4(out, c.y);
    out.push(b' ');
    let h12 = match c.h % 12 {
        0 => 12,
        h => h,
    };
    push_num(out, h12 as u64);
    out.push(b':');
    push2(out, c.mi);
    out.push(b':');
    push2(out, c.s);
    out.extend_from_slice(if c.h < 12 { b" AM" } else { b" PM" });
}

/// Decimal digits of an unsigned integer.
#[inline]
pub(crate) fn push_num(out: &mut Vec<u8>, mut v: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (v % 10) as u8;
        v /= 10;
        if v == 0 {
            break;
        }
    }
    out.extend_from_slice(&buf[i..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_and_known_values() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for z in [-1, 0, 59, 10_957, 19_782, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
        // 2024-02-29T23:59:59Z
        assert_eq!(iso(1_709_251_199), "2024-02-29T23:59:59Z");
        let mut v = Vec::new();
        push_java_date(&mut v, 1_395_695_519); // 2014-03-24T21:11:59Z
        assert_eq!(String::from_utf8(v).unwrap(), "Mar 24, 2014 9:11:59 PM");
        let mut v = Vec::new();
        push_java_date(&mut v, 1_395_621_119); // 2014-03-24T00:31:59Z
        assert_eq!(String::from_utf8(v).unwrap(), "Mar 24, 2014 12:31:59 AM");
    }

    #[test]
    fn date_parse_validates() {
        let d: Date = "2024-05-06".parse().unwrap();
        assert_eq!(d.to_string(), "2024-05-06");
        assert_eq!(d.unix_seconds(), 1_714_953_600);
        assert!("2023-02-29".parse::<Date>().is_err());
        assert!("2024-13-01".parse::<Date>().is_err());
        assert!("2024-5-6".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
    }
}
