//! Countries of the attacker's sources (and of the subject's history) from an offline geo-IP
//! lookup the caller provides (`--geoip FILE`); without one, the document says they are unknown.

use std::collections::BTreeMap;

use serde_json::{json, Value};

/// A lookup from address to ISO country code.
pub type CountryOf<'a> = &'a dyn Fn(&str) -> Option<String>;

fn tag(list: Option<&mut Vec<Value>>, country: CountryOf<'_>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for s in list.into_iter().flatten() {
        let c = s["ip"].as_str().and_then(country);
        if let Some(c) = &c {
            *counts.entry(c.clone()).or_default() += s["events"].as_u64().unwrap_or(0);
        }
        s["country"] = json!(c);
    }
    counts
}

/// Adds `country` to every source and `intrusion.attacker_countries` (events per country), or
/// an unknown when no lookup is given.
pub fn annotate(doc: &mut Value, country: Option<CountryOf<'_>>) {
    let Some(country) = country else {
        if let Some(u) = doc["unknowns"].as_array_mut() {
            u.push(json!({"question": "countries of attacker sources", "why": "no geo-IP database was given (--geoip)", "would_resolve": "scope again with --geoip FILE (an offline MaxMind-format country database)"}));
        }
        return;
    };
    let counts = tag(doc["attacker_sources"].as_array_mut(), country);
    tag(
        doc.pointer_mut("/subject/history/sources")
            .and_then(Value::as_array_mut),
        country,
    );
    if let Some(i) = doc["intrusion"].as_object_mut() {
        i.insert("attacker_countries".into(), json!(counts));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_get_countries_and_counts() {
        let mut doc = json!({"attacker_sources": [{"ip": "203.0.113.9", "events": 4}, {"ip": "10.0.0.1", "events": 2}],
            "subject": {"history": {"sources": [{"ip": "198.51.100.7", "events": 9}]}}, "intrusion": {}, "unknowns": []});
        let lookup = |ip: &str| ip.starts_with("203.").then(|| "RU".to_owned());
        annotate(&mut doc, Some(&lookup));
        assert_eq!(doc["attacker_sources"][0]["country"], "RU");
        assert!(doc["attacker_sources"][1]["country"].is_null());
        assert_eq!(doc["intrusion"]["attacker_countries"]["RU"], 4);
        assert!(doc["subject"]["history"]["sources"][0]["country"].is_null());
        annotate(&mut doc, None);
        assert_eq!(doc["unknowns"].as_array().map(Vec::len), Some(1));
    }
}
