//! Countries of the attacker's sources (and of the subject's history) from an offline geo-IP
//! lookup the caller provides (`--geoip FILE`); without one, the document says they are unknown.

use std::collections::BTreeMap;

use cloudcase_model::scope::{ScopeResult, SectionsAttribution, SourceUse, Unknown};

/// A lookup from address to ISO country code.
pub type CountryOf<'a> = &'a dyn Fn(&str) -> Option<String>;

/// Sets `country` on every source; returns events per country.
fn tag(sources: &mut [SourceUse], country: CountryOf<'_>) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    for s in sources {
        let c = country(&s.ip);
        if let Some(c) = &c {
            *counts.entry(c.clone()).or_default() += s.events;
        }
        s.country = Some(c);
    }
    counts
}

/// Adds `country` to every source and `intrusion.attacker_countries` (events per country), or
/// an unknown when no lookup is given.
pub fn annotate_countries(doc: &mut ScopeResult, country: Option<CountryOf<'_>>) {
    let Some(country) = country else {
        doc.unknowns.push(Unknown {
            about: None,
            question: match doc.attribution {
                SectionsAttribution::Attacker => "countries of attacker sources",
                SectionsAttribution::Unattributed => "countries of the named credential's sources",
            }
            .to_owned(),
            why: "no geo-IP database was given (--geoip)".to_owned(),
            would_resolve:
                "scope again with --geoip FILE (an offline MaxMind-format country database)"
                    .to_owned(),
            refs: None,
        });
        return;
    };
    let counts = tag(&mut doc.attacker_sources, country);
    if let Some(history) = doc.subject.history.as_mut() {
        tag(&mut history.sources, country);
    }
    *doc.intrusion.attacker_countries_mut() = Some(counts);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_doc::{source, window_doc};
    use cloudcase_model::scope::Intrusion;
    use serde_json::json;

    #[test]
    fn sources_get_countries_and_counts() {
        let mut doc = window_doc(|d| {
            d["attacker_sources"] = json!([source("203.0.113.9", 4), source("10.0.0.1", 2)]);
            d["subject"]["history"]["sources"] = json!([source("198.51.100.7", 9)]);
        });
        let lookup = |ip: &str| ip.starts_with("203.").then(|| "RU".to_owned());
        annotate_countries(&mut doc, Some(&lookup));
        let countries: Vec<_> = doc
            .attacker_sources
            .iter()
            .map(|s| s.country.clone())
            .collect();
        assert_eq!(countries, [Some(Some("RU".to_owned())), Some(None)]);
        let Intrusion::Found(found) = &doc.intrusion else {
            panic!("a departure")
        };
        assert_eq!(found.attacker_countries.as_ref().map(|c| c["RU"]), Some(4));
        let history = doc
            .subject
            .history
            .as_ref()
            .map(|h| h.sources[0].country.clone());
        assert_eq!(history, Some(Some(None)));
        annotate_countries(&mut doc, None);
        assert_eq!(doc.unknowns.len(), 1);
    }
}
