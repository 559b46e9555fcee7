//! Quantities as the reports write them: byte counts with a readable size beside the exact
//! number, and money with its currency.

use crate::i18n::{tf, Lang};

/// Units of a readable byte size, each a thousand times the one before.
const UNITS: &[&str] = &["kB", "MB", "GB", "TB", "PB"];

/// `n` with a comma between each group of three digits.
pub(crate) fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `n` bytes in a unit of at most three digits before the point (`52.5 MB`); `None` below a
/// thousand, where the exact number says it all.
fn readable(n: u64) -> Option<String> {
    let mut value = n as f64;
    let mut unit = None;
    for u in UNITS {
        if value < 1000.0 {
            break;
        }
        value /= 1000.0;
        unit = Some(*u);
    }
    unit.map(|u| format!("{value:.1} {u}"))
}

/// `n` bytes: the exact count, and a readable size beside it when it is a thousand or more.
pub(crate) fn bytes(lang: Lang, n: u64) -> String {
    let exact = grouped(n);
    match readable(n) {
        Some(size) => tf(lang, "amount.bytes", &[&exact, &size]),
        None => tf(lang, "amount.bytes.small", &[&exact]),
    }
}

/// An amount of money after its currency code: to the cent (`USD 21.08`), or to four places
/// when it is under a cent and not nothing (`USD 0.0044`), so that a charge never reads as 0.
pub(crate) fn money(amount: f64, currency: &str) -> String {
    if amount != 0.0 && amount.abs() < 0.01 {
        format!("{currency} {amount:.4}")
    } else {
        format!("{currency} {amount:.2}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_keep_the_exact_count() {
        assert_eq!(grouped(0), "0");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(1000), "1,000");
        assert_eq!(grouped(124_604_531), "124,604,531");
        assert_eq!(bytes(Lang::En, 40), "40 bytes");
        assert_eq!(bytes(Lang::En, 52_450_900), "52,450,900 bytes (52.5 MB)");
        assert_eq!(bytes(Lang::Ja, 1_500), "1,500 バイト (1.5 kB)");
        assert_eq!(money(21.084_400_999, "USD"), "USD 21.08");
        assert_eq!(money(0.004_401, "USD"), "USD 0.0044");
        assert_eq!(money(0.0, "JPY"), "JPY 0.00");
    }
}
