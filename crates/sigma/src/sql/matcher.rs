//! One compiled value ([`ValueMatcher`]) as a SQL predicate over one found
//! value's text (NULL for a JSON `null`), with the engine's comparison rules
//! (see `value.rs`): strings ignore case (Unicode lowercase) unless cased;
//! numbers match numbers or their text; booleans their text; `null` a JSON
//! null; `cidr` IPv4 networks by integer range on validated dotted quads.

use super::field::{Fields, Leaves};
use super::regex::translate;
use crate::value::{CmpOp, RefMode, ValueMatcher};
use crate::wildcard::{Piece, StrMatcher};

/// What the text belongs to: a pivot column or the raw text (scalars only),
/// or a JSON value that may be an object (matched as JSON text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Found {
    /// A string column or the raw record text.
    Text,
    /// A JSON value found at a path.
    Json,
}

/// `m` as a predicate over `text`.
pub(crate) fn predicate(
    m: &ValueMatcher,
    text: &str,
    found: Found,
    f: &mut Fields,
) -> Result<String, String> {
    let d = f.dialect;
    Ok(match m {
        ValueMatcher::Str(s) => string(s, text, found, f)?,
        ValueMatcher::Num { value, text: t } => format!(
            "({text} = {} OR {} = {})",
            d.string(t),
            number(text, f),
            float(*value)
        ),
        ValueMatcher::Bool(b) => format!("(lower({text}) = '{b}')"),
        ValueMatcher::Null => match found {
            Found::Json => format!("({text} IS NULL)"),
            Found::Text => "FALSE".into(),
        },
        ValueMatcher::Re(re) => d.regex(text, &translate(re.as_str(), d)?),
        ValueMatcher::Cidr(c) => cidr(&c.to_string(), text, f)?,
        ValueMatcher::Cmp(op, n) => {
            let sym = match op {
                CmpOp::Gt => ">",
                CmpOp::Gte => ">=",
                CmpOp::Lt => "<",
                CmpOp::Lte => "<=",
            };
            format!("({} {sym} {})", number(text, f), float(*n))
        }
        ValueMatcher::FieldRef { path, mode, cased } => {
            let leaves = f.leaves(path)?;
            let (mode, cased) = (*mode, *cased);
            let left = if cased {
                text.to_owned()
            } else {
                format!("lower({text})")
            };
            let dialect = d;
            f.any_leaf(&leaves, &|right| {
                let r = if cased {
                    right.to_owned()
                } else {
                    format!("lower({right})")
                };
                let cmp = match mode {
                    RefMode::Equal => format!("({left} = {r})"),
                    RefMode::StartsWith => dialect.starts_with(&left, &r),
                    RefMode::EndsWith => dialect.ends_with(&left, &r),
                    RefMode::Contains => dialect.contains(&left, &r),
                };
                format!("({right} IS NOT NULL AND {text} IS NOT NULL AND {cmp})")
            })
        }
        ValueMatcher::TimePart(..) => {
            return Err("timestamp-part modifiers (|minute … |year) are not compiled to SQL".into())
        }
    })
}

/// A float literal the dialects read as a double.
fn float(v: f64) -> String {
    format!("CAST({v:?} AS DOUBLE)")
}

/// The engine's `parse_number`: optional whitespace around a JSON-like number.
fn number(text: &str, f: &Fields) -> String {
    let d = f.dialect;
    let ws = ws();
    let core = d.regex_group(
        text,
        &format!(r"\A{ws}([-+.eE0-9]*[0-9][-+.eE0-9]*){ws}\z"),
        1,
    );
    d.try_double(&format!("nullif({core}, '')"))
}

/// A wildcard pattern: equality, or `LIKE` with `%`/`_` and `\` escaped.
fn string(s: &StrMatcher, text: &str, found: Found, f: &Fields) -> Result<String, String> {
    let (pieces, cased) = s.shape();
    if found == Found::Json && !object_safe(&pieces) {
        return Err(format!(
            "the pattern {:?} could match inside a JSON object's text, whose key order differs (the engine sorts keys)",
            sigma_text(&pieces)
        ));
    }
    let t = if cased {
        text.to_owned()
    } else {
        format!("lower({text})")
    };
    let d = f.dialect;
    Ok(match pieces.as_slice() {
        [] => format!("({t} = '')"),
        [Piece::Lit(l)] => format!("({t} = {})", d.string(l)),
        p if p.iter().all(|x| *x == Piece::Many) => format!("({text} IS NOT NULL)"),
        p => {
            let mut like = String::new();
            for piece in p {
                match piece {
                    Piece::Many => like.push('%'),
                    Piece::One => like.push('_'),
                    Piece::Lit(l) => {
                        for c in l.chars() {
                            if matches!(c, '%' | '_' | '\\') {
                                like.push('\\');
                            }
                            like.push(c);
                        }
                    }
                }
            }
            format!("({})", d.like(&t, &like))
        }
    })
}

/// Whether a pattern matches an object's JSON text the same whatever the
/// key order: it cannot match one (a literal first or last that is not the
/// brace), or it is `*`, or a substring that cannot span two members.
fn object_safe(p: &[Piece]) -> bool {
    let first_blocks = matches!(p.first(), Some(Piece::Lit(l)) if !l.starts_with('{'));
    let last_blocks = matches!(p.last(), Some(Piece::Lit(l)) if !l.ends_with('}'));
    // Members move whole when keys are reordered: a substring without
    // member separators, brackets or escapes stays inside one member.
    let structural = |l: &str| {
        l.chars()
            .any(|c| matches!(c, '{' | '}' | '[' | ']' | ',' | '\\'))
    };
    first_blocks
        || last_blocks
        || p.iter().all(|x| *x == Piece::Many)
        || matches!(p, [Piece::Many, Piece::Lit(l), Piece::Many] if !structural(l))
}

fn sigma_text(p: &[Piece]) -> String {
    p.iter()
        .map(|x| match x {
            Piece::Lit(l) => l.as_str(),
            Piece::Many => "*",
            Piece::One => "?",
        })
        .collect()
}

/// Optional whitespace around a value: what `str::trim` removes.
fn ws() -> String {
    format!("[{}]*", super::regex::WHITE_SPACE)
}
/// One IPv4 octet as Rust parses it (no leading zeros).
const OCTET: &str = r"(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";

/// A network as an integer range (IPv4 over validated dotted quads, IPv6
/// shorter than /16 over the first group of a validated address), or as the
/// text forms of its addresses (IPv6 prefixes that are whole groups).
fn cidr(net: &str, text: &str, f: &Fields) -> Result<String, String> {
    let (addr, prefix) = net.split_once('/').unwrap_or((net, "128"));
    let prefix: u32 = prefix.parse().map_err(|_| format!("the network {net}"))?;
    match addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(ip)) => Ok(cidr_v4(u32::from(ip), prefix.min(32), text, f)),
        Ok(std::net::IpAddr::V6(ip)) if prefix < 16 => {
            Ok(cidr_v6(ip.segments()[0], prefix, text, f))
        }
        Ok(std::net::IpAddr::V6(ip)) if prefix % 16 == 0 && prefix <= 128 => {
            let ws = ws();
            let forms = ipv6_forms(&ip.segments(), (prefix / 16) as usize);
            Ok(f.dialect.regex(text, &format!(r"\A{ws}({forms}){ws}\z")))
        }
        _ => Err(format!(
            "the IPv6 network {net}: only prefixes shorter than /16 or of whole groups (/16, /32 … /128) are compiled"
        )),
    }
}

fn range(value: &str, first: u64, bits: u32, prefix: u32) -> String {
    let size = 1u64 << (bits - prefix);
    let low = first / size * size;
    format!("(({value}) BETWEEN {low} AND {})", low + size - 1)
}

fn cidr_v4(net: u32, prefix: u32, text: &str, f: &Fields) -> String {
    let d = f.dialect;
    let ws = ws();
    let quad = format!(r"\A{ws}{OCTET}\.{OCTET}\.{OCTET}\.{OCTET}{ws}\z");
    let value = (1..=4u8)
        .map(|g| {
            let weight = 1u64 << (8 * (4 - u32::from(g)));
            let part = d.regex_group(text, &quad, g);
            format!(
                "{} * {weight}",
                d.try_bigint(&format!("nullif({part}, '')"))
            )
        })
        .collect::<Vec<_>>()
        .join(" + ");
    range(&value, u64::from(net), 32, prefix)
}

fn cidr_v6(first_group: u16, prefix: u32, text: &str, f: &Fields) -> String {
    let d = f.dialect;
    let ws = ws();
    let valid = d.regex(text, &format!(r"\A{ws}({}){ws}\z", ipv6_syntax()));
    // The first group is 0 when the address starts with `::`.
    let head = d.regex_group(text, &format!(r"\A{ws}([0-9a-fA-F]{{1,4}}):"), 1);
    let starts_compressed = d.regex(text, &format!(r"\A{ws}::"));
    let value = format!(
        "CASE WHEN {starts_compressed} THEN 0 ELSE {} END",
        d.hex(&format!("nullif({head}, '')"))
    );
    format!(
        "({valid} AND {})",
        range(&value, u64::from(first_group), 16, prefix)
    )
}

/// Every text form of an IPv6 address Rust's parser accepts: eight groups,
/// or fewer around one `::`, optionally ending in a dotted quad.
pub(crate) fn ipv6_syntax() -> String {
    ipv6_forms(&[0; 8], 0)
}

/// The text forms of the IPv6 addresses whose first `fixed` groups are those
/// of `net`: each form of [`ipv6_syntax`] with those groups spelled exactly
/// (leading zeros, either case), and forms compressing a fixed nonzero group left out.
fn ipv6_forms(net: &[u16; 8], fixed: usize) -> String {
    let group = |i: usize| -> String {
        if i >= fixed {
            return "[0-9a-fA-F]{1,4}".into();
        }
        let digits = format!("{:x}", net[i]);
        let spelled: String = digits
            .chars()
            .map(|c| {
                if c.is_ascii_digit() {
                    c.to_string()
                } else {
                    format!("[{c}{}]", c.to_ascii_uppercase())
                }
            })
            .collect();
        format!("0{{0,{}}}{spelled}", 4 - digits.len())
    };
    let octets = |i: usize| -> [String; 2] {
        if i >= fixed {
            return [OCTET.to_owned(), OCTET.to_owned()];
        }
        [(net[i] >> 8).to_string(), (net[i] & 0xff).to_string()]
    };
    let v4 = || {
        let [a, b] = octets(6);
        let [c, d] = octets(7);
        format!(r"{a}\.{b}\.{c}\.{d}")
    };
    let join = |range: std::ops::Range<usize>| range.map(group).collect::<Vec<_>>().join(":");
    let mut forms = vec![join(0..8), format!("{}:{}", join(0..6), v4())];
    for (end, tail) in [(8usize, false), (6, true)] {
        for left in 0..end {
            for right in 0..(end - left) {
                // Positions left..end-right are compressed: zero.
                if (left..end - right).any(|i| i < fixed && net[i] != 0) {
                    continue;
                }
                let mut r = join(end - right..end);
                if tail {
                    if right > 0 {
                        r.push(':');
                    }
                    r.push_str(&v4());
                }
                forms.push(format!("{}::{r}", join(0..left)));
            }
        }
    }
    forms.join("|")
}

/// The leaves of a path and whether they are JSON values.
pub(crate) fn found_of(leaves: &Leaves) -> Found {
    match leaves {
        Leaves::Column(_) => Found::Text,
        Leaves::Json(_) => Found::Json,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wildcard::SigmaStr;

    #[test]
    fn object_safety() {
        let p = |s: &str| SigmaStr::parse(s).pieces().to_vec();
        assert!(object_safe(&p("*Suspended*")));
        assert!(object_safe(&p("abc*")));
        assert!(object_safe(&p("*")));
        assert!(object_safe(&p("*\"a\":1*")));
        assert!(!object_safe(&p("*1,\"b\"*")));
        assert!(!object_safe(&p("*a*b*")));
    }

    #[test]
    fn cidr_ranges() {
        let f = Fields::new(
            super::super::SqlDialect::DuckDb,
            super::super::SqlSchema::CloudTrail,
        );
        let s = cidr("10.1.2.3/8", "t", &f).unwrap();
        assert!(s.contains("BETWEEN 167772160 AND 184549375"), "{s}");
        assert!(cidr("10.0.0.0/0", "t", &f)
            .unwrap()
            .contains("BETWEEN 0 AND 4294967295"));
        assert!(cidr("2001:db8::/33", "t", &f).unwrap_err().contains("IPv6"));
        assert!(cidr("fc00::/7", "t", &f)
            .unwrap()
            .contains("BETWEEN 64512 AND 65023"));
    }

    #[test]
    fn the_ipv6_syntax_is_what_rust_parses() {
        let re = regex::Regex::new(&format!("^({})$", ipv6_syntax())).unwrap();
        for t in [
            "::",
            "::1",
            "1::",
            "fe80::1",
            "2001:db8::7:1",
            "1:2:3:4:5:6:7:8",
            "1:2:3:4:5:6:7::",
            "::2:3:4:5:6:7:8",
            "::ffff:10.0.0.1",
            "1:2:3:4:5:6:1.2.3.4",
            "1::1.2.3.4",
            "1:2:3:4:5::1.2.3.4",
            "FC00::A",
            "1:2:3:4:5:6:7:8:9",
            "1::2::3",
            ":1::",
            "1:2:3:4:5:6:7",
            "12345::",
            "::1.2.3",
            "::01.2.3.4",
            "1:2:3:4:5:6::1.2.3.4",
            "1:2:3:4:5:6:7::1.2.3.4",
            "g::1",
            "1.2.3.4",
            "::1:2:3:4:5:6:7",
            "1:2:3:4:5:6:7:8::",
            "",
        ] {
            assert_eq!(
                re.is_match(t),
                t.parse::<std::net::Ipv6Addr>().is_ok(),
                "{t:?}"
            );
        }
    }

    #[test]
    fn ipv6_networks_of_whole_groups_match_what_cidr_contains() {
        for net in [
            "::1/128",
            "2001:db8::/32",
            "fe80::/64",
            "::ffff:0:0/96",
            "::/128",
        ] {
            let c = cloudcase_util::net::Cidr::parse(net).unwrap();
            let (addr, p) = net.split_once('/').unwrap();
            let ip: std::net::Ipv6Addr = addr.parse().unwrap();
            let p: usize = p.parse().unwrap();
            let re =
                regex::Regex::new(&format!("^({})$", ipv6_forms(&ip.segments(), p / 16))).unwrap();
            for t in [
                "::1",
                "0::1",
                "0:0:0:0:0:0:0:1",
                "0000::0001",
                "::0.0.0.1",
                "::2",
                "1::1",
                "::",
                "2001:db8::1",
                "2001:DB8:0:1::",
                "2001:0db8::1.2.3.4",
                "2001:db9::1",
                "fe80::1",
                "FE80:0:0:0:1:2:3:4",
                "fe80:0:0:1::",
                "::ffff:10.0.0.1",
                "::ffff:0:1",
                "::fffe:0:1",
            ] {
                assert_eq!(re.is_match(t), c.contains(t), "{net} {t}");
            }
        }
    }

    #[test]
    fn rust_rejects_leading_zero_octets_like_the_sql_does() {
        assert!("010.0.0.1".parse::<std::net::IpAddr>().is_err());
        assert!("10.0.0.1".parse::<std::net::IpAddr>().is_ok());
    }
}
