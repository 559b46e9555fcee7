//! Evaluating a compiled detection against a [`Record`].
//!
//! Per-event scratch buffers hold lowercased and formatted text, so matching
//! allocates nothing once they have grown, except for `|fieldref` items.

use crate::detection::{Cond, Detection, Item, Search, Target, Test};
use crate::record::{FieldPath, FieldValue, Record};
use crate::value::{leaf_text, ref_matches, Leaf, RefMode, ValueMatcher};
use crate::wildcard::lower_into;

/// Buffers for one record's evaluation (reused across its rules).
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    text: String,
    low: String,
    /// The record text lowercased, computed once per record when a keyword
    /// detection needs it (`keyword_ready`).
    keyword_low: String,
    keyword_ready: bool,
}

impl Detection {
    /// Whether the record satisfies the condition.
    pub(crate) fn matches(&self, rec: &dyn Record, s: &mut Scratch) -> bool {
        self.cond_matches(&self.cond, rec, s)
    }

    fn cond_matches(&self, c: &Cond, rec: &dyn Record, s: &mut Scratch) -> bool {
        match c {
            Cond::Search(i) => self
                .searches
                .get(*i)
                .is_some_and(|x| search_matches(x, rec, s)),
            Cond::And(v) => v.iter().all(|c| self.cond_matches(c, rec, s)),
            Cond::Or(v) => v.iter().any(|c| self.cond_matches(c, rec, s)),
            Cond::Not(c) => !self.cond_matches(c, rec, s),
        }
    }
}

fn search_matches(x: &Search, rec: &dyn Record, s: &mut Scratch) -> bool {
    match x {
        Search::All(items) => items.iter().all(|i| item_matches(i, rec, s)),
        Search::Any(alts) => alts.iter().any(|a| search_matches(a, rec, s)),
    }
}

fn item_matches(item: &Item, rec: &dyn Record, s: &mut Scratch) -> bool {
    let hit = match (&item.target, &item.test) {
        (Target::Field(p), Test::Exists(b)) => rec.exists(p) == *b,
        (Target::Field(p), Test::Any(values)) => field_matches(item, p, values, rec, s),
        (Target::Field(p), Test::All(values)) => values
            .iter()
            .all(|v| field_matches(item, p, std::slice::from_ref(v), rec, s)),
        (Target::Keyword, Test::Any(values)) => {
            values.iter().any(|v| keyword_matches(item, v, rec, s))
        }
        (Target::Keyword, Test::All(values)) => {
            values.iter().all(|v| keyword_matches(item, v, rec, s))
        }
        (Target::Keyword, Test::Exists(_)) => false,
    };
    hit != item.negate
}

fn field_matches(
    item: &Item,
    path: &FieldPath,
    values: &[ValueMatcher],
    rec: &dyn Record,
    s: &mut Scratch,
) -> bool {
    let mut seen = false;
    let Scratch { text, low, .. } = s;
    let hit = rec.visit(path, &mut |v: FieldValue<'_>| {
        seen = true;
        let t = leaf_text(v, text);
        let lowered = match t {
            Some(t) if item.needs_lowered || !t.is_ascii() => Some(lower_into(t, low)),
            _ => None,
        };
        let leaf = Leaf {
            raw: v,
            text: t,
            lowered,
        };
        values.iter().any(|m| match m {
            ValueMatcher::FieldRef { path, mode, cased } => leaf
                .text
                .is_some_and(|l| fieldref(rec, path, l, *mode, *cased)),
            m => m.matches(&leaf),
        })
    });
    // `null` also matches an absent field.
    hit || (!seen && values.iter().any(ValueMatcher::is_null))
}

fn fieldref(rec: &dyn Record, path: &FieldPath, left: &str, mode: RefMode, cased: bool) -> bool {
    let mut buf = String::new();
    rec.visit(path, &mut |v| {
        leaf_text(v, &mut buf).is_some_and(|right| ref_matches(left, right, mode, cased))
    })
}

fn keyword_matches(item: &Item, v: &ValueMatcher, rec: &dyn Record, s: &mut Scratch) -> bool {
    let text = rec.text();
    let lowered = if item.needs_lowered || !text.is_ascii() {
        if !s.keyword_ready {
            lower_into(text, &mut s.keyword_low);
            s.keyword_ready = true;
        }
        Some(s.keyword_low.as_str())
    } else {
        None
    };
    v.matches(&Leaf {
        raw: FieldValue::Str(text),
        text: Some(text),
        lowered,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::compile::compile;
    use crate::modifiers::Placeholders;
    use crate::parse::{document, documents, Document};
    use crate::record::JsonRecord;
    use serde_json::{json, Value};

    fn det(detection: &str) -> Detection {
        let docs = documents(&format!("title: T\ndetection:\n{detection}")).unwrap();
        let Document::Rule { detection, .. } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        let mut ph = Placeholders::new();
        ph.insert("admins".into(), vec!["root".into(), "adm*".into()]);
        compile(&detection, &ph).unwrap().0
    }

    fn hit(detection: &str, event: &Value) -> bool {
        det(detection).matches(&JsonRecord::new(event), &mut Scratch::default())
    }

    fn err(detection: &str) -> String {
        let docs = documents(&format!("title: T\ndetection:\n{detection}")).unwrap();
        let Document::Rule { detection, .. } = document(&docs[0].1).unwrap() else {
            panic!()
        };
        compile(&detection, &Placeholders::new())
            .err()
            .map(|e| e.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn maps_are_and_lists_are_or() {
        let d = "  s:\n    a: 1\n    b: x\n  condition: s\n";
        assert!(hit(d, &json!({"a": 1, "b": "X"})));
        assert!(!hit(d, &json!({"a": 1, "b": "y"})));
        let d = "  s:\n    - a: 1\n    - b: x\n  condition: s\n";
        assert!(hit(d, &json!({"a": 2, "b": "x"})));
        assert!(!hit(d, &json!({"a": 2, "b": "y"})));
        let d = "  s:\n    a: [1, 2]\n  condition: s\n";
        assert!(hit(d, &json!({"a": 2})));
        assert!(!hit(d, &json!({"a": 3})));
    }

    #[test]
    fn string_modifiers() {
        let e = json!({"ua": "aws-cli/2.0 TruffleHog/3"});
        assert!(hit("  s:\n    ua|contains: truffle\n  condition: s\n", &e));
        assert!(hit(
            "  s:\n    ua|startswith: AWS-CLI\n  condition: s\n",
            &e
        ));
        assert!(hit("  s:\n    ua|endswith: hog/3\n  condition: s\n", &e));
        assert!(!hit("  s:\n    ua|endswith: hog\n  condition: s\n", &e));
        assert!(hit(
            "  s:\n    ua|contains|all: [cli, hog]\n  condition: s\n",
            &e
        ));
        assert!(!hit(
            "  s:\n    ua|contains|all: [cli, nope]\n  condition: s\n",
            &e
        ));
        assert!(hit(
            "  s:\n    ua|contains: [nope, cli]\n  condition: s\n",
            &e
        ));
        assert!(!hit(
            "  s:\n    ua|contains|cased: truffle\n  condition: s\n",
            &e
        ));
        assert!(hit(
            "  s:\n    ua|contains|cased: Truffle\n  condition: s\n",
            &e
        ));
        assert!(hit(
            "  s:\n    ua|cased: aws-cli/2.0 TruffleHog/3\n  condition: s\n",
            &e
        ));
        assert!(!hit(
            "  s:\n    ua|cased: AWS-cli/2.0 TruffleHog/3\n  condition: s\n",
            &e
        ));
    }

    #[test]
    fn wildcards_in_plain_values() {
        let e = json!({"n": "ListBuckets", "p": "a*b"});
        assert!(hit("  s:\n    n: list*\n  condition: s\n", &e));
        assert!(hit("  s:\n    n: L?stBuckets\n  condition: s\n", &e));
        assert!(!hit("  s:\n    n: list\n  condition: s\n", &e));
        assert!(hit("  s:\n    p: 'a\\*b'\n  condition: s\n", &e));
        assert!(!hit("  s:\n    n: 'List\\*'\n  condition: s\n", &e));
    }

    #[test]
    fn null_and_exists() {
        let d = "  s:\n    errorCode: null\n  condition: s\n";
        assert!(hit(d, &json!({"x": 1})));
        assert!(hit(d, &json!({"errorCode": null})));
        assert!(!hit(d, &json!({"errorCode": "AccessDenied"})));
        let d = "  s:\n    errorCode: [null, Success]\n  condition: s\n";
        assert!(hit(d, &json!({})));
        assert!(hit(d, &json!({"errorCode": "success"})));
        assert!(!hit(d, &json!({"errorCode": "AccessDenied"})));
        let d = "  s:\n    errorCode|exists: true\n  condition: s\n";
        assert!(hit(d, &json!({"errorCode": null})));
        assert!(!hit(d, &json!({})));
        let d = "  s:\n    a.b|exists: false\n  condition: s\n";
        assert!(hit(d, &json!({"a": {}})));
        assert!(!hit(d, &json!({"a": {"b": 0}})));
        assert!(err("  s:\n    a|exists|contains: true\n  condition: s\n").contains("exists"));
    }

    #[test]
    fn regular_expressions_with_flags() {
        let e = json!({"arn": "arn:aws:sts::1:assumed-role/aws:ec2-instance/i-1\nline2"});
        assert!(hit(
            "  s:\n    arn|re: '.+:assumed-role/aws:.+'\n  condition: s\n",
            &e
        ));
        assert!(!hit("  s:\n    arn|re: 'ASSUMED'\n  condition: s\n", &e));
        assert!(hit("  s:\n    arn|re|i: 'ASSUMED'\n  condition: s\n", &e));
        assert!(!hit("  s:\n    arn|re: '^line2'\n  condition: s\n", &e));
        assert!(hit("  s:\n    arn|re|m: '^line2'\n  condition: s\n", &e));
        assert!(!hit("  s:\n    arn|re: 'i-1.line2'\n  condition: s\n", &e));
        assert!(hit("  s:\n    arn|re|s: 'i-1.line2'\n  condition: s\n", &e));
        assert!(err("  s:\n    arn|re: '(?<=x)y'\n  condition: s\n").contains("not supported"));
        assert!(err("  s:\n    arn|i: x\n  condition: s\n").contains("|re"));
    }

    #[test]
    fn cidr_v4_and_v6() {
        let d = "  s:\n    ip|cidr: [10.0.0.0/8, '2001:db8::/32']\n  condition: s\n";
        assert!(hit(d, &json!({"ip": "10.2.3.4"})));
        assert!(hit(d, &json!({"ip": "2001:db8::1"})));
        assert!(!hit(d, &json!({"ip": "192.168.0.1"})));
        assert!(!hit(d, &json!({"ip": "ec2.amazonaws.com"})));
        assert!(err("  s:\n    ip|cidr: 10.0.0.0/99\n  condition: s\n").contains("exceeds"));
    }

    #[test]
    fn base64_and_base64offset() {
        // "http://evil" inside base64 at offsets 0, 1 and 2.
        let d = "  s:\n    data|base64offset|contains: 'http://'\n  condition: s\n";
        for prefix in ["", "a", "ab"] {
            let enc = crate::encode::base64(format!("{prefix}http://evil").as_bytes());
            assert!(hit(d, &json!({ "data": enc })), "offset {}", prefix.len());
        }
        assert!(!hit(
            d,
            &json!({"data": crate::encode::base64(b"https://x")})
        ));
        let d = "  s:\n    data|base64: 'abc'\n  condition: s\n";
        assert!(hit(d, &json!({"data": "YWJj"})));
        let d = "  s:\n    data|wide|base64offset|contains: 'cmd'\n  condition: s\n";
        let enc = crate::encode::base64(&crate::encode::utf16("x cmd y", crate::encode::Utf16::Le));
        assert!(hit(d, &json!({ "data": enc })));
        assert!(err("  s:\n    data|wide: 'cmd'\n  condition: s\n").contains("UTF-16"));
        assert!(err("  s:\n    data|base64: 'a*'\n  condition: s\n").contains("wildcards"));
    }

    #[test]
    fn windash_expands_flag_dashes() {
        let d = "  s:\n    cmd|windash|contains: ' -enc '\n  condition: s\n";
        assert!(hit(d, &json!({"cmd": "x /enc y"})));
        assert!(hit(d, &json!({"cmd": "x \u{2013}enc y"})));
        assert!(!hit(d, &json!({"cmd": "x enc y"})));
    }

    #[test]
    fn numeric_comparisons_and_numbers_as_text() {
        let e = json!({"n": 15, "s": "15", "f": 1.5});
        assert!(hit("  s:\n    n|gt: 10\n  condition: s\n", &e));
        assert!(hit("  s:\n    s|gte: 15\n  condition: s\n", &e));
        assert!(!hit("  s:\n    n|lt: 15\n  condition: s\n", &e));
        assert!(hit("  s:\n    f|lte: 1.5\n  condition: s\n", &e));
        assert!(hit("  s:\n    n: 15\n  condition: s\n", &e));
        assert!(hit("  s:\n    s: 15\n  condition: s\n", &e));
        assert!(hit("  s:\n    n: '15'\n  condition: s\n", &e));
        assert!(hit("  s:\n    n|contains: '5'\n  condition: s\n", &e));
        assert!(err("  s:\n    n|gt: abc\n  condition: s\n").contains("cannot apply"));
    }

    #[test]
    fn booleans_compare_with_their_text() {
        let e = json!({"enable": false, "pub": true});
        assert!(hit("  s:\n    enable: 'false'\n  condition: s\n", &e));
        assert!(hit("  s:\n    enable: false\n  condition: s\n", &e));
        assert!(hit("  s:\n    pub: 'TRUE'\n  condition: s\n", &e));
        assert!(!hit("  s:\n    pub: 'false'\n  condition: s\n", &e));
    }

    #[test]
    fn nested_paths_and_arrays() {
        let e = json!({
            "userIdentity": {"sessionContext": {"sessionIssuer": {"type": "Role"}}},
            "requestParameters": {
                "containerDefinitions": [
                    {"command": ["sh", "-c", "curl 169.254.170.2$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"]},
                    {"command": ["true"]}
                ],
                "layers": ["arn:aws:lambda:x:layer:a:1"],
                "VersioningConfiguration": {"Status": "Suspended"}
            }
        });
        assert!(hit(
            "  s:\n    userIdentity.sessionContext.sessionIssuer.type: role\n  condition: s\n",
            &e
        ));
        assert!(hit("  s:\n    requestParameters.containerDefinitions.command|contains: '$AWS_CONTAINER_CREDENTIALS_RELATIVE_URI'\n  condition: s\n", &e));
        assert!(hit(
            "  s:\n    requestParameters.layers|contains: '*'\n  condition: s\n",
            &e
        ));
        assert!(hit(
            "  s:\n    requestParameters|contains: 'Suspended'\n  condition: s\n",
            &e
        ));
        assert!(hit(
            "  s:\n    requestParameters.containerDefinitions.command: 'TRUE'\n  condition: s\n",
            &e
        ));
        assert!(!hit(
            "  s:\n    requestParameters.containerDefinitions.command: 'false'\n  condition: s\n",
            &e
        ));
        assert!(!hit(
            "  s:\n    requestParameters.missing|contains: '*'\n  condition: s\n",
            &e
        ));
    }

    #[test]
    fn conditions() {
        let e = json!({"a": 1, "b": 2});
        let base =
            "  sel_a:\n    a: 1\n  sel_b:\n    b: 3\n  filter_x:\n    a: 9\n  _hidden:\n    b: 3\n";
        let c = |cond: &str| hit(&format!("{base}  condition: {cond}\n"), &e);
        assert!(c("sel_a"));
        assert!(!c("sel_b"));
        assert!(c("sel_a or sel_b"));
        assert!(!c("sel_a and sel_b"));
        assert!(c("sel_a and not sel_b"));
        assert!(c("not sel_b and sel_a"));
        assert!(c("1 of sel_*"));
        assert!(!c("all of sel_*"));
        assert!(c("1 of them"));
        assert!(!c("all of them"));
        assert!(c("sel_a and not 1 of filter_*"));
        assert!(!c("not (sel_a or sel_b)"));
        assert!(c("sel_b or sel_a and not filter_x"));
        assert!(!c("(sel_b or sel_a) and filter_x"));
        // Patterns skip identifiers starting with `_`, unless they start with `_`.
        assert!(err(&format!("{base}  condition: 1 of *hidden\n")).contains("matches no search"));
        assert!(hit(
            &format!("{base}  condition: 1 of _h*\n"),
            &json!({"b": 3})
        ));
        let e2 = json!({"a": 1, "b": 3});
        assert!(hit(
            "  sel_a:\n    a: 1\n  _x:\n    b: 4\n  condition: all of them\n",
            &e2
        ));
        // A list of conditions is their disjunction.
        assert!(hit(
            &format!("{base}  condition:\n    - sel_b\n    - sel_a\n"),
            &e
        ));
    }

    #[test]
    fn keywords_search_the_record_text() {
        let e = json!({"userAgent": "Boto3/1.0 Pacu", "n": 4242});
        assert!(hit("  k:\n    - pacu\n    - nothing\n  condition: k\n", &e));
        assert!(!hit("  k:\n    - nothing\n  condition: k\n", &e));
        assert!(hit(
            "  k:\n    '|all':\n      - boto3\n      - pacu\n  condition: k\n",
            &e
        ));
        assert!(hit("  k: 4242\n  condition: k\n", &e));
        assert!(hit("  k:\n    '|re': 'Boto3/\\d'\n  condition: k\n", &e));
    }

    #[test]
    fn fieldref_compares_fields() {
        let e = json!({"arn": "arn:aws:iam::1:user/bob", "target": "BOB", "same": "arn:aws:iam::1:user/bob"});
        assert!(hit("  s:\n    arn|fieldref: same\n  condition: s\n", &e));
        assert!(!hit("  s:\n    arn|fieldref: target\n  condition: s\n", &e));
        assert!(hit(
            "  s:\n    arn|fieldref|endswith: target\n  condition: s\n",
            &e
        ));
        assert!(hit(
            "  s:\n    arn|fieldref|contains: target\n  condition: s\n",
            &e
        ));
        assert!(!hit(
            "  s:\n    arn|fieldref|contains|cased: target\n  condition: s\n",
            &e
        ));
        assert!(!hit(
            "  s:\n    arn|fieldref: missing\n  condition: s\n",
            &e
        ));
    }

    #[test]
    fn neq_negates_the_item() {
        let d = "  s:\n    a|neq: [x, y]\n  condition: s\n";
        assert!(hit(d, &json!({"a": "z"})));
        assert!(!hit(d, &json!({"a": "y"})));
        assert!(hit(d, &json!({})));
    }

    #[test]
    fn expand_uses_configured_placeholders() {
        let d = "  s:\n    user|expand: '%admins%'\n  condition: s\n";
        assert!(hit(d, &json!({"user": "root"})));
        assert!(hit(d, &json!({"user": "admin1"})));
        assert!(!hit(d, &json!({"user": "bob"})));
        assert!(err("  s:\n    user|expand: '%nobody%'\n  condition: s\n").contains("%nobody%"));
    }

    #[test]
    fn time_parts() {
        let e = json!({"eventTime": "2024-08-18T09:53:52Z"});
        assert!(hit("  s:\n    eventTime|hour: 9\n  condition: s\n", &e));
        assert!(!hit("  s:\n    eventTime|hour: 10\n  condition: s\n", &e));
        assert!(hit("  s:\n    eventTime|month: 8\n  condition: s\n", &e));
    }

    #[test]
    fn unknown_modifiers_are_refused_by_name() {
        assert!(err("  s:\n    a|sounds_like: x\n  condition: s\n").contains("|sounds_like"));
    }
}
