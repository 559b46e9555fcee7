//! One compiled value of a detection item, and how it matches one value
//! found in an event.
//!
//! Comparison rules (those of Sigma implementations that match JSON):
//! * strings compare case-insensitively unless `|cased`; numbers and booleans
//!   in the event compare as their JSON text (`true`, `42`), objects as their
//!   compact JSON text;
//! * a number in the rule equals the same number in the event, or a string
//!   holding it (`42` matches `"42"`);
//! * a boolean in the rule equals the same boolean, or the string `true`/`false`;
//! * `null` matches a `null` value (and, at item level, an absent field).

use cloudcase_event::calendar::{civil_from_days, days_from_civil};
use cloudcase_event::EventTime;
use serde_json::Value as Json;

use crate::memo_regex::MemoRegex;
use crate::record::{FieldPath, FieldValue};
use crate::wildcard::StrMatcher;
use cloudcase_util::net::Cidr;

/// A numeric comparison (`|gt`, `|gte`, `|lt`, `|lte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum CmpOp {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl CmpOp {
    pub(crate) fn holds(self, left: f64, right: f64) -> bool {
        match self {
            CmpOp::Gt => left > right,
            CmpOp::Gte => left >= right,
            CmpOp::Lt => left < right,
            CmpOp::Lte => left <= right,
        }
    }
}

/// How a `|fieldref` compares the two fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RefMode {
    Equal,
    StartsWith,
    EndsWith,
    Contains,
}

/// The timestamp parts of `|minute` … `|year`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TimePart {
    Minute,
    Hour,
    Day,
    Week,
    Month,
    Year,
}

/// A compiled value.
#[derive(Debug, Clone)]
pub(crate) enum ValueMatcher {
    Str(StrMatcher),
    Num {
        value: f64,
        text: Box<str>,
    },
    Bool(bool),
    Null,
    Re(MemoRegex),
    Cidr(Cidr),
    Cmp(CmpOp, f64),
    FieldRef {
        path: FieldPath,
        mode: RefMode,
        cased: bool,
    },
    TimePart(TimePart, i64),
}

/// A value found in the event, prepared for matching: its text (absent for
/// `null`) and, when needed, the text lowercased.
pub(crate) struct Leaf<'a> {
    pub(crate) raw: FieldValue<'a>,
    pub(crate) text: Option<&'a str>,
    pub(crate) lowered: Option<&'a str>,
}

/// The text of a found value: strings as they are, numbers and booleans as
/// JSON text, objects as compact JSON; `None` for `null`.
pub(crate) fn leaf_text<'a>(v: FieldValue<'a>, buf: &'a mut String) -> Option<&'a str> {
    match v {
        FieldValue::Str(s) => Some(s),
        FieldValue::Json(j) => match j {
            Json::String(s) => Some(s),
            Json::Null => None,
            Json::Bool(true) => Some("true"),
            Json::Bool(false) => Some("false"),
            other => {
                buf.clear();
                use std::fmt::Write;
                let _ = write!(buf, "{other}");
                Some(buf)
            }
        },
    }
}

fn leaf_number(v: FieldValue<'_>) -> Option<f64> {
    let text = match v {
        FieldValue::Json(Json::Number(n)) => return n.as_f64(),
        FieldValue::Json(Json::String(s)) => s.as_str(),
        FieldValue::Str(s) => s,
        _ => return None,
    };
    parse_number(text)
}

/// A finite number written as JSON would (optional sign, digits, fraction, exponent).
pub(crate) fn parse_number(text: &str) -> Option<f64> {
    let t = text.trim();
    let ok = !t.is_empty()
        && t.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b'-' | b'+' | b'.' | b'e' | b'E'))
        && t.bytes().any(|b| b.is_ascii_digit());
    ok.then(|| t.parse::<f64>().ok())
        .flatten()
        .filter(|f| f.is_finite())
}

impl ValueMatcher {
    /// Whether this value matches one found value. `FieldRef` is handled by
    /// the item evaluator, which has the record at hand.
    pub(crate) fn matches(&self, leaf: &Leaf<'_>) -> bool {
        match self {
            ValueMatcher::Str(m) => leaf.text.is_some_and(|t| m.matches(t, leaf.lowered)),
            ValueMatcher::Num { value, text } => match leaf.raw {
                FieldValue::Json(Json::Number(n)) => n.as_f64() == Some(*value),
                FieldValue::Json(Json::String(s)) => {
                    s.as_str() == &**text || parse_number(s) == Some(*value)
                }
                FieldValue::Str(s) => s == &**text || parse_number(s) == Some(*value),
                _ => false,
            },
            ValueMatcher::Bool(b) => match leaf.raw {
                FieldValue::Json(Json::Bool(x)) => x == b,
                FieldValue::Json(Json::String(s)) => bool_text(s, *b),
                FieldValue::Str(s) => bool_text(s, *b),
                _ => false,
            },
            ValueMatcher::Null => matches!(leaf.raw, FieldValue::Json(Json::Null)),
            ValueMatcher::Re(re) => leaf.text.is_some_and(|t| re.is_match(t)),
            ValueMatcher::Cidr(c) => match leaf.raw {
                FieldValue::Str(s) => c.contains(s),
                FieldValue::Json(Json::String(s)) => c.contains(s),
                _ => false,
            },
            ValueMatcher::Cmp(op, n) => leaf_number(leaf.raw).is_some_and(|v| op.holds(v, *n)),
            ValueMatcher::TimePart(part, n) => leaf
                .text
                .and_then(|t| time_part(t, *part))
                .is_some_and(|v| v == *n),
            ValueMatcher::FieldRef { .. } => false,
        }
    }

    /// Whether this value is `null`.
    pub(crate) fn is_null(&self) -> bool {
        matches!(self, ValueMatcher::Null)
    }
}

fn bool_text(s: &str, b: bool) -> bool {
    s.eq_ignore_ascii_case(if b { "true" } else { "false" })
}

/// Compares two field texts for `|fieldref`.
pub(crate) fn ref_matches(left: &str, right: &str, mode: RefMode, cased: bool) -> bool {
    let (l, r);
    let (a, b) = if cased {
        (left, right)
    } else {
        l = crate::wildcard::lower(left);
        r = crate::wildcard::lower(right);
        (l.as_str(), r.as_str())
    };
    match mode {
        RefMode::Equal => a == b,
        RefMode::StartsWith => a.starts_with(b),
        RefMode::EndsWith => a.ends_with(b),
        RefMode::Contains => a.contains(b),
    }
}

/// The part of an RFC 3339 timestamp (UTC). Weeks are ISO 8601 weeks (1–53).
pub(crate) fn time_part(text: &str, part: TimePart) -> Option<i64> {
    let ms = EventTime::parse(text.trim()).ok()?.millis();
    let days = ms.div_euclid(86_400_000);
    let secs = ms.rem_euclid(86_400_000) / 1000;
    let (y, m, d) = civil_from_days(days);
    Some(match part {
        TimePart::Minute => secs / 60 % 60,
        TimePart::Hour => secs / 3600,
        TimePart::Day => d,
        TimePart::Month => m,
        TimePart::Year => y,
        TimePart::Week => iso_week(days, y),
    })
}

/// ISO 8601 week number of the day `days` (since 1970-01-01) in year `y`.
fn iso_week(days: i64, y: i64) -> i64 {
    // 1970-01-01 was a Thursday; Monday = 1 … Sunday = 7.
    let weekday = |d: i64| (d + 3).rem_euclid(7) + 1;
    let ordinal = days - days_from_civil(y, 1, 1) + 1;
    let weeks_in = |year: i64| {
        let jan1 = weekday(days_from_civil(year, 1, 1));
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if jan1 == 4 || (leap && jan1 == 3) {
            53
        } else {
            52
        }
    };
    let w = (ordinal - weekday(days) + 10) / 7;
    if w < 1 {
        weeks_in(y - 1)
    } else if w > weeks_in(y) {
        1
    } else {
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaf_of<'a>(j: &'a Json, buf: &'a mut String) -> Leaf<'a> {
        let raw = FieldValue::Json(j);
        Leaf {
            raw,
            text: leaf_text(raw, buf),
            lowered: None,
        }
    }

    #[test]
    fn numbers_match_numbers_and_their_text() {
        let m = ValueMatcher::Num {
            value: 42.0,
            text: "42".into(),
        };
        for (j, want) in [
            (json!(42), true),
            (json!(42.0), true),
            (json!("42"), true),
            (json!("42.0"), true),
            (json!(43), false),
            (json!("x42"), false),
            (json!(true), false),
            (json!(null), false),
        ] {
            let mut b = String::new();
            assert_eq!(m.matches(&leaf_of(&j, &mut b)), want, "{j}");
        }
    }

    #[test]
    fn comparisons_read_numbers_and_numeric_strings() {
        let gt = ValueMatcher::Cmp(CmpOp::Gt, 10.0);
        let lte = ValueMatcher::Cmp(CmpOp::Lte, 10.0);
        for (j, g, l) in [
            (json!(11), true, false),
            (json!(10), false, true),
            (json!("10.5"), true, false),
            (json!("-3"), false, true),
            (json!("ten"), false, false),
            (json!("inf"), false, false),
            (json!(null), false, false),
        ] {
            let mut b = String::new();
            assert_eq!(gt.matches(&leaf_of(&j, &mut b)), g, "gt {j}");
            let mut b = String::new();
            assert_eq!(lte.matches(&leaf_of(&j, &mut b)), l, "lte {j}");
        }
        let gte = ValueMatcher::Cmp(CmpOp::Gte, 10.0);
        let lt = ValueMatcher::Cmp(CmpOp::Lt, 10.0);
        let mut b = String::new();
        assert!(gte.matches(&leaf_of(&json!(10), &mut b)));
        let mut b = String::new();
        assert!(!lt.matches(&leaf_of(&json!(10), &mut b)));
    }

    #[test]
    fn booleans_match_booleans_and_their_text() {
        let t = ValueMatcher::Bool(false);
        for (j, want) in [
            (json!(false), true),
            (json!("False"), true),
            (json!(true), false),
            (json!(0), false),
        ] {
            let mut b = String::new();
            assert_eq!(t.matches(&leaf_of(&j, &mut b)), want, "{j}");
        }
    }

    #[test]
    fn leaf_text_of_scalars_and_objects() {
        let mut b = String::new();
        assert_eq!(
            leaf_text(FieldValue::Json(&json!(true)), &mut b),
            Some("true")
        );
        let mut b = String::new();
        assert_eq!(
            leaf_text(FieldValue::Json(&json!(1.5)), &mut b),
            Some("1.5")
        );
        let mut b = String::new();
        assert_eq!(
            leaf_text(FieldValue::Json(&json!({"b": 1, "a": "x"})), &mut b),
            Some(r#"{"a":"x","b":1}"#)
        );
        let mut b = String::new();
        assert_eq!(leaf_text(FieldValue::Json(&Json::Null), &mut b), None);
    }

    #[test]
    fn fieldref_modes() {
        assert!(ref_matches("Bob", "bob", RefMode::Equal, false));
        assert!(!ref_matches("Bob", "bob", RefMode::Equal, true));
        assert!(ref_matches(
            "arn:aws:iam::1:user/bob",
            "BOB",
            RefMode::EndsWith,
            false
        ));
        assert!(ref_matches("abc", "b", RefMode::Contains, false));
        assert!(ref_matches("abc", "a", RefMode::StartsWith, false));
    }

    #[test]
    fn timestamp_parts() {
        let t = "2024-08-18T09:53:52Z";
        assert_eq!(time_part(t, TimePart::Year), Some(2024));
        assert_eq!(time_part(t, TimePart::Month), Some(8));
        assert_eq!(time_part(t, TimePart::Day), Some(18));
        assert_eq!(time_part(t, TimePart::Hour), Some(9));
        assert_eq!(time_part(t, TimePart::Minute), Some(53));
        assert_eq!(time_part(t, TimePart::Week), Some(33));
        assert_eq!(time_part("2021-01-03T00:00:00Z", TimePart::Week), Some(53));
        assert_eq!(time_part("2024-12-30T00:00:00Z", TimePart::Week), Some(1));
        assert_eq!(time_part("2026-01-01T00:00:00Z", TimePart::Week), Some(1));
        assert_eq!(time_part("soon", TimePart::Year), None);
    }
}
