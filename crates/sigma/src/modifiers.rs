//! Value modifiers (`field|contains|all: …`): applied in the order written to
//! each value, then compiled into [`ValueMatcher`]s.
//!
//! Supported: `contains`, `startswith`, `endswith`, `all`, `neq`, `cased`,
//! `exists`, `re` with `i`/`m`/`s` (also `ignorecase`, `multiline`,
//! `dotall`), `cidr`, `base64`, `base64offset`, `wide`/`utf16le`, `utf16be`,
//! `utf16` (before a base64 modifier), `windash`, `gt`/`gte`/`lt`/`lte`,
//! `fieldref` (alone or with `contains`/`startswith`/`endswith`/`cased`),
//! `expand` (with configured placeholder values), and `minute`, `hour`,
//! `day`, `week`, `month`, `year`.

use std::collections::HashMap;

use regex::RegexBuilder;

use crate::detection::{Item, Target, Test};
use crate::encode::{self, Utf16};
use crate::error::RuleError;
use crate::memo_regex::MemoRegex;
use crate::parse::{RawItem, RawValue};
use crate::record::FieldPath;
use crate::value::{parse_number, CmpOp, RefMode, TimePart, ValueMatcher};
use crate::wildcard::{Piece, SigmaStr, StrMatcher};
use cloudcase_util::net::Cidr;

/// Placeholder values for `|expand` (`%name%` → values).
pub(crate) type Placeholders = HashMap<String, Vec<String>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mod {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Neq,
    Cased,
    Exists,
    Re,
    ReFlag(char),
    Cidr,
    Base64,
    Base64Offset,
    Utf16(Utf16),
    Windash,
    Cmp(CmpOp),
    FieldRef,
    Expand,
    Time(TimePart),
}

fn modifier(name: &str) -> Option<Mod> {
    Some(match name {
        "contains" => Mod::Contains,
        "startswith" => Mod::StartsWith,
        "endswith" => Mod::EndsWith,
        "all" => Mod::All,
        "neq" => Mod::Neq,
        "cased" => Mod::Cased,
        "exists" => Mod::Exists,
        "re" => Mod::Re,
        "i" | "ignorecase" => Mod::ReFlag('i'),
        "m" | "multiline" => Mod::ReFlag('m'),
        "s" | "dotall" => Mod::ReFlag('s'),
        "cidr" => Mod::Cidr,
        "base64" => Mod::Base64,
        "base64offset" => Mod::Base64Offset,
        "wide" | "utf16le" => Mod::Utf16(Utf16::Le),
        "utf16be" => Mod::Utf16(Utf16::Be),
        "utf16" => Mod::Utf16(Utf16::WithBom),
        "windash" => Mod::Windash,
        "gt" => Mod::Cmp(CmpOp::Gt),
        "gte" => Mod::Cmp(CmpOp::Gte),
        "lt" => Mod::Cmp(CmpOp::Lt),
        "lte" => Mod::Cmp(CmpOp::Lte),
        "fieldref" => Mod::FieldRef,
        "expand" => Mod::Expand,
        "minute" => Mod::Time(TimePart::Minute),
        "hour" => Mod::Time(TimePart::Hour),
        "day" => Mod::Time(TimePart::Day),
        "week" => Mod::Time(TimePart::Week),
        "month" => Mod::Time(TimePart::Month),
        "year" => Mod::Time(TimePart::Year),
        _ => return None,
    })
}

/// A value while modifiers are applied.
#[derive(Debug, Clone)]
enum W {
    /// A string; `original` is the YAML text while no modifier has changed it.
    Str {
        s: SigmaStr,
        original: Option<String>,
    },
    Bytes(Vec<u8>),
    Num {
        value: f64,
        text: String,
    },
    Bool(bool),
    Null,
    Re {
        pattern: String,
        flags: [bool; 3],
    },
    Cidr(Cidr),
    Cmp(CmpOp, f64),
    FieldRef {
        path: String,
        mode: RefMode,
    },
    Exists(bool),
    Time(TimePart, i64),
}

impl W {
    fn kind(&self) -> &'static str {
        match self {
            W::Str { .. } => "a string",
            W::Bytes(_) => "UTF-16 bytes",
            W::Num { .. } => "a number",
            W::Bool(_) => "a boolean",
            W::Null => "null",
            W::Re { .. } => "a regular expression",
            W::Cidr(_) => "a CIDR network",
            W::Cmp(..) => "a comparison",
            W::FieldRef { .. } => "a field reference",
            W::Exists(_) => "an exists test",
            W::Time(..) => "a timestamp part",
        }
    }
}

fn from_raw(v: &RawValue) -> W {
    match v {
        RawValue::Str(s) => W::Str {
            s: SigmaStr::parse(s),
            original: Some(s.clone()),
        },
        RawValue::Int(i) => W::Num {
            value: *i as f64,
            text: i.to_string(),
        },
        RawValue::Float(t) => match parse_number(t) {
            Some(value) => W::Num {
                value,
                text: t.clone(),
            },
            None => W::Str {
                s: SigmaStr::literal(t),
                original: Some(t.clone()),
            },
        },
        RawValue::Bool(b) => W::Bool(*b),
        RawValue::Null => W::Null,
    }
}

struct Ctx<'a> {
    key: &'a str,
    placeholders: &'a Placeholders,
}

impl Ctx<'_> {
    fn unsupported(&self, feature: impl Into<String>, reason: impl Into<String>) -> RuleError {
        RuleError::Unsupported {
            key: self.key.to_owned(),
            feature: feature.into(),
            reason: reason.into(),
        }
    }

    fn invalid(&self, found: impl Into<String>, reason: impl Into<String>) -> RuleError {
        RuleError::Invalid {
            key: self.key.to_owned(),
            found: found.into(),
            reason: reason.into(),
        }
    }

    fn incompatible(&self, name: &str, w: &W) -> RuleError {
        self.invalid(
            format!("|{name}"),
            format!("the modifier cannot apply to {}", w.kind()),
        )
    }
}

/// Numbers become strings when a string modifier applies to them.
fn as_str(w: W) -> W {
    match w {
        W::Num { text, .. } => W::Str {
            s: SigmaStr::literal(&text),
            original: Some(text),
        },
        other => other,
    }
}

fn apply(cx: &Ctx<'_>, name: &str, m: Mod, w: W) -> Result<Vec<W>, RuleError> {
    let w = match m {
        Mod::Contains | Mod::StartsWith | Mod::EndsWith | Mod::Windash | Mod::Base64 => as_str(w),
        Mod::Base64Offset | Mod::Utf16(_) | Mod::Cidr | Mod::FieldRef | Mod::Expand => as_str(w),
        _ => w,
    };
    let one = |w: W| Ok(vec![w]);
    match (m, w) {
        (Mod::Contains | Mod::StartsWith | Mod::EndsWith, W::Str { mut s, .. }) => {
            if m != Mod::StartsWith {
                s.prepend_many();
            }
            if m != Mod::EndsWith {
                s.append_many();
            }
            one(W::Str { s, original: None })
        }
        // Regular expressions search anywhere already.
        (Mod::Contains | Mod::StartsWith | Mod::EndsWith, re @ W::Re { .. }) => one(re),
        (Mod::Contains | Mod::StartsWith | Mod::EndsWith, W::FieldRef { path, mode }) => {
            let mode = match (m, mode) {
                (Mod::Contains, _) => RefMode::Contains,
                (Mod::StartsWith, RefMode::EndsWith) | (Mod::EndsWith, RefMode::StartsWith) => {
                    RefMode::Contains
                }
                (Mod::StartsWith, RefMode::Equal) => RefMode::StartsWith,
                (Mod::EndsWith, RefMode::Equal) => RefMode::EndsWith,
                (_, mode) => mode,
            };
            one(W::FieldRef { path, mode })
        }
        (
            Mod::Re,
            W::Str {
                original: Some(p), ..
            },
        ) => one(W::Re {
            pattern: p,
            flags: [false; 3],
        }),
        (Mod::Re | Mod::Expand, W::Str { original: None, .. }) => Err(cx.invalid(
            format!("|{name}"),
            format!("|{name} must come before modifiers that change the value"),
        )),
        (Mod::ReFlag(f), W::Re { pattern, mut flags }) => {
            flags[match f {
                'i' => 0,
                'm' => 1,
                _ => 2,
            }] = true;
            one(W::Re { pattern, flags })
        }
        (Mod::Cidr, W::Str { s, .. }) => {
            let text = s
                .as_plain()
                .ok_or_else(|| cx.invalid(s.to_sigma(), "a CIDR network cannot have wildcards"))?;
            one(W::Cidr(
                Cidr::parse(&text).map_err(|e| cx.invalid(text, e))?,
            ))
        }
        (Mod::Base64 | Mod::Base64Offset, w @ (W::Str { .. } | W::Bytes(_))) => {
            let bytes = match w {
                W::Bytes(b) => b,
                W::Str { s, .. } => s
                    .as_plain()
                    .ok_or_else(|| {
                        cx.invalid(s.to_sigma(), "base64 encoding of wildcards is undefined")
                    })?
                    .into_bytes(),
                _ => Vec::new(),
            };
            if m == Mod::Base64 {
                one(W::Str {
                    s: SigmaStr::literal(&encode::base64(&bytes)),
                    original: None,
                })
            } else {
                Ok(encode::base64_offsets(&bytes)
                    .into_iter()
                    .map(|e| W::Str {
                        s: SigmaStr::literal(&e),
                        original: None,
                    })
                    .collect())
            }
        }
        (Mod::Utf16(form), W::Str { s, .. }) => {
            let text = s.as_plain().ok_or_else(|| {
                cx.invalid(s.to_sigma(), "UTF-16 encoding of wildcards is undefined")
            })?;
            one(W::Bytes(encode::utf16(&text, form)))
        }
        (Mod::Windash, W::Str { s, .. }) => windash(cx, &s),
        (Mod::Cmp(op), W::Num { value, .. }) => one(W::Cmp(op, value)),
        (Mod::Time(part), W::Num { value, .. }) if value.fract() == 0.0 => {
            one(W::Time(part, value as i64))
        }
        (Mod::FieldRef, W::Str { s, .. }) => {
            let path = s.as_plain().ok_or_else(|| {
                cx.invalid(s.to_sigma(), "a field reference cannot have wildcards")
            })?;
            one(W::FieldRef {
                path,
                mode: RefMode::Equal,
            })
        }
        (
            Mod::Expand,
            W::Str {
                original: Some(o), ..
            },
        ) => expand(cx, &o),
        (Mod::Exists, W::Bool(b)) => one(W::Exists(b)),
        (Mod::Cased, w @ (W::Str { .. } | W::FieldRef { .. })) => one(w),
        (Mod::All | Mod::Neq, w) => one(w),
        (_, w) => Err(cx.incompatible(name, &w)),
    }
}

fn windash(cx: &Ctx<'_>, s: &SigmaStr) -> Result<Vec<W>, RuleError> {
    // Expand each flag dash of each literal piece into every dash character.
    let mut variants: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut count = 0;
    for piece in s.pieces() {
        let Piece::Lit(text) = piece else {
            variants.iter_mut().for_each(|v| v.push(piece.clone()));
            continue;
        };
        let chars: Vec<char> = text.chars().collect();
        let dashes = encode::flag_dashes(&chars);
        count += dashes.len();
        if count > 3 {
            return Err(cx.invalid(
                s.to_sigma(),
                "windash expands at most three dashes in one value; split the value",
            ));
        }
        let mut texts = vec![String::new()];
        for (i, c) in chars.iter().enumerate() {
            if dashes.contains(&i) {
                texts = texts
                    .into_iter()
                    .flat_map(|t| {
                        encode::DASHES.iter().map(move |d| {
                            let mut t = t.clone();
                            t.push(*d);
                            t
                        })
                    })
                    .collect();
            } else {
                texts.iter_mut().for_each(|t| t.push(*c));
            }
        }
        variants = variants
            .into_iter()
            .flat_map(|v| {
                texts.iter().map(move |t| {
                    let mut v = v.clone();
                    v.push(Piece::Lit(t.clone()));
                    v
                })
            })
            .collect();
    }
    Ok(variants
        .into_iter()
        .map(|p| W::Str {
            s: SigmaStr::from_pieces(p),
            original: None,
        })
        .collect())
}

fn expand(cx: &Ctx<'_>, original: &str) -> Result<Vec<W>, RuleError> {
    // Split into literal text and %name% placeholders.
    let mut texts = vec![String::new()];
    let mut rest = original;
    while let Some(start) = rest.find('%') {
        let after = &rest[start + 1..];
        let Some(end) = after.find('%') else { break };
        let name = &after[..end];
        let values = cx.placeholders.get(name).ok_or_else(|| {
            cx.unsupported(
                "modifier |expand",
                format!(
                    "placeholder %{name}% has no configured values (set them with RuleSet::set_placeholder)"
                ),
            )
        })?;
        let prefix = &rest[..start];
        texts = texts
            .into_iter()
            .flat_map(|t| values.iter().map(move |v| format!("{t}{prefix}{v}")))
            .collect();
        rest = &after[end + 1..];
    }
    texts.iter_mut().for_each(|t| t.push_str(rest));
    if texts.is_empty() {
        return Err(cx.unsupported(
            "modifier |expand",
            format!("{original:?} expands to no values"),
        ));
    }
    Ok(texts
        .into_iter()
        .map(|t| W::Str {
            s: SigmaStr::parse(&t),
            original: Some(t),
        })
        .collect())
}

/// Compiles one detection item: `key` is `field|mod|…` (empty field for keywords).
pub(crate) fn item(
    raw: &RawItem,
    path: &str,
    placeholders: &Placeholders,
) -> Result<Item, RuleError> {
    let key = format!("{path}.{}", raw.key);
    let cx = Ctx {
        key: &key,
        placeholders,
    };
    let mut parts = raw.key.split('|');
    let field = parts.next().unwrap_or_default().trim();
    let names: Vec<&str> = parts.collect();
    let mut mods = Vec::new();
    for n in &names {
        let m = modifier(n).ok_or_else(|| {
            cx.unsupported(
                format!("modifier |{n}"),
                "it is not a Sigma modifier this engine knows",
            )
        })?;
        mods.push((*n, m));
    }
    if raw.values.is_empty() {
        return Err(cx.invalid("[]", "an empty list of values matches nothing"));
    }
    let all = mods.iter().any(|(_, m)| *m == Mod::All);
    let negate = mods.iter().any(|(_, m)| *m == Mod::Neq);
    let cased = mods.iter().any(|(_, m)| *m == Mod::Cased);
    let has_re = mods.iter().any(|(_, m)| *m == Mod::Re);
    if mods.iter().any(|(_, m)| matches!(m, Mod::ReFlag(_))) && !has_re {
        return Err(cx.invalid(
            raw.key.clone(),
            "regular expression flags need the |re modifier",
        ));
    }
    if mods.iter().any(|(_, m)| *m == Mod::Exists)
        && (mods.len() != 1 || field.is_empty() || raw.values.len() != 1)
    {
        return Err(cx.invalid(
            raw.key.clone(),
            "|exists takes one boolean, on a field, with no other modifier",
        ));
    }

    let mut values = Vec::new();
    for v in &raw.values {
        let mut ws = vec![from_raw(v)];
        for (name, m) in &mods {
            let mut next = Vec::new();
            for w in ws {
                next.extend(apply(&cx, name, *m, w)?);
            }
            ws = next;
        }
        values.extend(ws);
    }

    let target = if field.is_empty() {
        Target::Keyword
    } else {
        Target::Field(FieldPath::new(field))
    };
    if let [W::Exists(b)] = values.as_slice() {
        return Ok(Item::new(target, Test::Exists(*b), false));
    }
    let mut matchers = Vec::new();
    for w in values {
        matchers.push(matcher(&cx, w, cased, target == Target::Keyword)?);
    }
    let test = if all {
        Test::All(matchers)
    } else {
        Test::Any(matchers)
    };
    Ok(Item::new(target, test, negate))
}

fn matcher(cx: &Ctx<'_>, w: W, cased: bool, keyword: bool) -> Result<ValueMatcher, RuleError> {
    if keyword {
        // Keywords search the whole record text.
        return Ok(match as_str(w) {
            W::Str { mut s, .. } => {
                s.prepend_many();
                s.append_many();
                ValueMatcher::Str(StrMatcher::new(&s, cased))
            }
            W::Re { pattern, flags } => ValueMatcher::Re(MemoRegex::new(regex(cx, &pattern, flags)?)),
            other => {
                return Err(cx.invalid(
                    other.kind(),
                    "keyword (field-less) detections can search for strings, numbers and regular expressions only",
                ))
            }
        });
    }
    Ok(match w {
        W::Str { s, .. } => ValueMatcher::Str(StrMatcher::new(&s, cased)),
        W::Num { value, text } => ValueMatcher::Num {
            value,
            text: text.into(),
        },
        W::Bool(b) => ValueMatcher::Bool(b),
        W::Null => ValueMatcher::Null,
        W::Re { pattern, flags } => ValueMatcher::Re(MemoRegex::new(regex(cx, &pattern, flags)?)),
        W::Cidr(c) => ValueMatcher::Cidr(c),
        W::Cmp(op, n) => ValueMatcher::Cmp(op, n),
        W::FieldRef { path, mode } => ValueMatcher::FieldRef {
            path: FieldPath::new(&path),
            mode,
            cased,
        },
        W::Time(part, n) => ValueMatcher::TimePart(part, n),
        W::Bytes(_) => {
            return Err(cx.unsupported(
                "UTF-16 without base64",
                "UTF-16 bytes can only be matched once base64-encoded (|wide|base64offset)",
            ))
        }
        W::Exists(_) => return Err(cx.invalid("exists", "|exists must be the only value")),
    })
}

/// Compiles `pattern` with the `|i`/`|m`/`|s` flags written inline at its
/// start (`(?is)…`), so that [`regex::Regex::as_str`] carries them (the SQL
/// backend reads the flags from there).
fn regex(cx: &Ctx<'_>, pattern: &str, flags: [bool; 3]) -> Result<regex::Regex, RuleError> {
    let inline: String = ['i', 'm', 's']
        .into_iter()
        .zip(flags)
        .filter_map(|(c, on)| on.then_some(c))
        .collect();
    let full = if inline.is_empty() {
        pattern.to_owned()
    } else {
        format!("(?{inline}){pattern}")
    };
    RegexBuilder::new(&full)
        .build()
        .map_err(|e| {
            cx.unsupported(
                "regular expression",
                format!(
                    "{pattern:?} does not compile (lookaround and backreferences are not supported): {}",
                    e.to_string().lines().last().unwrap_or_default().trim()
                ),
            )
        })
}
