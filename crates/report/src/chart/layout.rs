//! Chart geometry that does not depend on SVG: which series are drawn, the
//! y-axis scale, which x labels fit, and how wide text will be.

use super::{Chart, Series};

/// At most this many series are drawn; the rest fold into "other" groups.
pub(super) const MAX_SERIES: usize = 8;

/// A series as drawn: values padded or cut to the bucket count.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Drawn {
    /// Legend text.
    pub name: String,
    /// Attacker activity.
    pub attacker: bool,
    /// One value per bucket.
    pub values: Vec<u64>,
    /// How many input series this one stands for (more than 1 for "other").
    pub folded: usize,
}

impl Drawn {
    fn new(s: &Series, buckets: usize) -> Drawn {
        let mut values: Vec<u64> = s.values.iter().copied().take(buckets).collect();
        values.resize(buckets, 0);
        Drawn {
            name: s.name.clone(),
            attacker: s.attacker,
            values,
            folded: 1,
        }
    }

    pub fn total(&self) -> u64 {
        self.values.iter().fold(0u64, |a, v| a.saturating_add(*v))
    }
}

/// Keeps the first `budget - 1` of `group` (largest first) and folds the
/// rest into one series, when the group does not fit its budget.
fn fit(mut group: Vec<Drawn>, budget: usize) -> Vec<Drawn> {
    if group.len() <= budget {
        return group;
    }
    let rest = group.split_off(budget.saturating_sub(1));
    let buckets = rest.first().map_or(0, |d| d.values.len());
    let mut values = vec![0u64; buckets];
    for d in &rest {
        for (sum, v) in values.iter_mut().zip(&d.values) {
            *sum = sum.saturating_add(*v);
        }
    }
    group.push(Drawn {
        name: format!("… (+{})", rest.len()),
        attacker: rest[0].attacker,
        values,
        folded: rest.len(),
    });
    group
}

/// The series to draw, attackers first (bottom of each stack), each group
/// largest first, capped at [`MAX_SERIES`]. Each group gets a share of the
/// budget, so attacker activity is never folded into owner activity.
pub(super) fn series(chart: &Chart) -> Vec<Drawn> {
    let buckets = chart.x_labels.len();
    let (mut attackers, mut owners): (Vec<Drawn>, Vec<Drawn>) = chart
        .series
        .iter()
        .map(|s| Drawn::new(s, buckets))
        .partition(|d| d.attacker);
    attackers.sort_by_key(|d| std::cmp::Reverse(d.total()));
    owners.sort_by_key(|d| std::cmp::Reverse(d.total()));
    let attacker_budget = attackers
        .len()
        .min(MAX_SERIES - owners.len().min(MAX_SERIES / 2));
    let owner_budget = MAX_SERIES - attacker_budget;
    let mut out = fit(attackers, attacker_budget);
    out.extend(fit(owners, owner_budget));
    out
}

/// The y axis: its top value and the step between grid lines, both "nice"
/// (1, 2 or 5 times a power of ten), about four steps for the tallest stack.
pub(super) fn scale(max: u64) -> (u64, u64) {
    let raw = max.div_ceil(4).max(1);
    let mut power = 1u64;
    while power.saturating_mul(10) <= raw {
        power *= 10;
    }
    let step = [1u64, 2, 5, 10]
        .iter()
        .map(|m| m.saturating_mul(power))
        .find(|s| *s >= raw)
        .unwrap_or(raw);
    let top = max.div_ceil(step).max(1).saturating_mul(step);
    (top, step)
}

/// A tick value kept short for the axis: `9999`, `12k`, `1.5M`.
pub(super) fn compact(v: u64) -> String {
    const UNITS: [(u64, &str); 4] = [
        (1_000_000_000_000, "T"),
        (1_000_000_000, "G"),
        (1_000_000, "M"),
        (1_000, "k"),
    ];
    for (unit, suffix) in UNITS {
        if v >= unit.max(10_000) {
            let whole = v / unit;
            let tenth = (v % unit) * 10 / unit;
            return if whole < 10 && tenth > 0 {
                format!("{whole}.{tenth}{suffix}")
            } else {
                format!("{whole}{suffix}")
            };
        }
    }
    v.to_string()
}

/// Whether `c` takes a full em (CJK and other East Asian wide characters).
fn wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x20000..=0x3FFFD)
}

/// Estimated width of `text` at `size` px in a sans-serif font: wide
/// characters take one em, others about 0.6 em (generous, so labels fit).
pub(super) fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| if wide(c) { size } else { 0.6 * size })
        .sum()
}

/// `text` cut with `…` so that it is at most `max` px wide at `size` px.
pub(super) fn fit_text(text: &str, size: f64, max: f64) -> String {
    if text_width(text, size) <= max {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut width = text_width("…", size);
    for c in text.chars() {
        width += text_width(c.encode_utf8(&mut [0; 4]), size);
        if width > max {
            break;
        }
        out.push(c);
    }
    out.push('…');
    out
}

/// Every how many buckets an x label is drawn, so that labels `label_width`
/// px wide do not overlap in slots `slot` px wide.
pub(super) fn label_step(label_width: f64, slot: f64) -> usize {
    if slot <= 0.0 {
        return 1;
    }
    // Float-to-int `as` saturates; the ratio is finite and positive here.
    ((label_width + 8.0) / slot).ceil().max(1.0) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str, attacker: bool, values: &[u64]) -> Series {
        Series {
            name: name.into(),
            attacker,
            values: values.to_vec(),
        }
    }

    #[test]
    fn scale_is_nice_and_covers_the_maximum() {
        assert_eq!(scale(0), (1, 1));
        assert_eq!(scale(1), (1, 1));
        assert_eq!(scale(7), (8, 2));
        assert_eq!(scale(100), (100, 50));
        assert_eq!(scale(123), (150, 50));
        assert_eq!(scale(u64::MAX), (u64::MAX, 5_000_000_000_000_000_000));
    }

    #[test]
    fn compact_numbers_stay_short() {
        assert_eq!(compact(0), "0");
        assert_eq!(compact(9_999), "9999");
        assert_eq!(compact(12_000), "12k");
        assert_eq!(compact(1_500_000), "1.5M");
        assert_eq!(compact(u64::MAX), "18446744T");
    }

    #[test]
    fn values_are_padded_and_cut_to_the_buckets() {
        let chart = Chart {
            title: "t".into(),
            x_labels: vec!["a".into(), "b".into(), "c".into()],
            series: vec![s("short", false, &[1]), s("long", true, &[1, 2, 3, 4])],
        };
        let drawn = series(&chart);
        assert_eq!(drawn[0].name, "long");
        assert_eq!(drawn[0].values, vec![1, 2, 3]);
        assert_eq!(drawn[1].values, vec![1, 0, 0]);
    }

    #[test]
    fn many_series_fold_by_group_keeping_the_largest() {
        let mut list: Vec<Series> = (0..20u64)
            .map(|i| s(&format!("owner{i}"), false, &[i]))
            .collect();
        list.push(s("evil", true, &[1]));
        let chart = Chart {
            title: "t".into(),
            x_labels: vec!["d".into()],
            series: list,
        };
        let drawn = series(&chart);
        assert_eq!(drawn.len(), MAX_SERIES);
        assert_eq!(drawn[0].name, "evil");
        assert_eq!(drawn[1].name, "owner19");
        let other = &drawn[MAX_SERIES - 1];
        assert!(!other.attacker);
        assert_eq!(other.folded, 20 - 6);
        assert_eq!(other.name, "… (+14)");
        assert_eq!(other.values, vec![(0..14u64).sum::<u64>()]);
        let total: u64 = drawn.iter().map(Drawn::total).sum();
        assert_eq!(total, (0..20u64).sum::<u64>() + 1);
    }

    #[test]
    fn attackers_are_never_folded_into_owners() {
        let mut list: Vec<Series> = (0..10u64)
            .map(|i| s(&format!("a{i}"), true, &[i]))
            .collect();
        list.push(s("owner", false, &[100]));
        let chart = Chart {
            title: "t".into(),
            x_labels: vec!["d".into()],
            series: list,
        };
        let drawn = series(&chart);
        assert_eq!(drawn.len(), MAX_SERIES);
        assert!(drawn[..MAX_SERIES - 1].iter().all(|d| d.attacker));
        assert!(drawn[MAX_SERIES - 2].folded > 1);
        assert_eq!(drawn[MAX_SERIES - 1].name, "owner");
    }

    #[test]
    fn text_is_measured_and_cut() {
        assert_eq!(text_width("ab", 10.0), 12.0);
        assert_eq!(text_width("日本", 10.0), 20.0);
        assert_eq!(fit_text("short", 10.0, 100.0), "short");
        let cut = fit_text(&"x".repeat(100), 10.0, 60.0);
        assert!(
            cut.ends_with('…') && text_width(&cut, 10.0) <= 60.0,
            "{cut}"
        );
        assert_eq!(label_step(50.0, 100.0), 1);
        assert_eq!(label_step(52.0, 6.0), 10);
    }
}
