//! First use of a network, address, country or client by an identity, and of
//! a region by an account — relative to their own history in the logs.
//!
//! State is order-independent: for every (subject, value) pair only the
//! earliest event is kept, so workers can read files in any order and merge.

use crate::FastMap;

use cloudcase_event::{Event, EventTime};
use cloudcase_sigma::Level;

use super::grain::{grade, NetworkUse, SharedNetworks};
use super::identity::{source_address, subjects, Subject};
use super::{Candidate, Geo, Spec};
use crate::pointer::Pointer;
use crate::routine::lower;

/// A history shorter than this gives no baseline: novelty is not reported.
pub const BASELINE_MS: i64 = 24 * 3600 * 1000;

/// An identity whose baseline already spans more values than this is
/// itinerant: its new values are reported one level lower.
const SETTLED_MAX: usize = 3;

type Extract = fn(&Event, Option<&dyn Geo>) -> Option<String>;

/// Novelty dimensions: what is new, and how it is read from an event.
const DIMENSIONS: &[(Spec, Extract)] = &[
    (
        Spec {
            id: "cloudcase.analytics.new-network",
            title: "Identity used from a network (/24) never seen in its history",
            level: Level::Medium,
            tactics: &["initial-access"],
            techniques: &["T1078.004"],
        },
        |e, _| {
            e.source_ip
                .as_deref()
                .and_then(cloudcase_event::network::network_of)
        },
    ),
    (
        Spec {
            id: "cloudcase.analytics.new-source-ip",
            title: "Identity used from an IP address never seen in its history",
            level: Level::Low,
            tactics: &["initial-access"],
            techniques: &["T1078.004"],
        },
        |e, _| source_address(e).map(|ip| ip.to_string()),
    ),
    (
        Spec {
            id: "cloudcase.analytics.new-country",
            title: "Identity used from a country never seen in its history",
            level: Level::High,
            tactics: &["initial-access"],
            techniques: &["T1078.004"],
        },
        |e, geo| geo.and_then(|g| g.country(source_address(e)?)),
    ),
    (
        Spec {
            id: "cloudcase.analytics.new-client",
            title:
                "Identity used with a client (user-agent family and OS) never seen in its history",
            level: Level::Low,
            tactics: &["defense-evasion"],
            techniques: &["T1078.004"],
        },
        // The judge's client grain, as `scope` reads it: the same tool on the same kind of
        // machine (`aws-cli/linux`); versions do not count.
        |e, _| {
            source_address(e).map(|_| {
                cloudcase_judge::client::Client::parse(e.user_agent.as_deref().unwrap_or(""))
                    .label()
            })
        },
    ),
];

const RAPID_COUNTRY_CHANGE: Spec = Spec {
    id: "cloudcase.analytics.rapid-country-change",
    title: "Identity used from two countries within an hour (impossible travel)",
    level: Level::Medium,
    tactics: &["initial-access"],
    techniques: &["T1078.004"],
};

/// Index of the network dimension in [`DIMENSIONS`].
const NETWORK: usize = 0;
/// Index of the address dimension in [`DIMENSIONS`].
const ADDRESS: usize = 1;
/// Index of the country dimension in [`DIMENSIONS`].
const COUNTRY: usize = 2;

const NEW_REGION: Spec = Spec {
    id: "cloudcase.analytics.new-region",
    title: "Region used for the first time in the account",
    level: Level::Medium,
    tactics: &["defense-evasion"],
    techniques: &["T1535"],
};

/// Earliest event per value.
type FirstSeen = FastMap<String, Pointer>;

#[derive(Debug)]
struct History {
    first: Pointer,
    dims: Vec<FirstSeen>,
    /// Earliest event per (country, hour since the epoch), when countries are known.
    travel: FastMap<(String, i64), Pointer>,
    /// Wide networks used and agreeing calls per network, to grade new networks.
    networks: NetworkUse,
}

/// Novelty state of one worker (mergeable).
#[derive(Debug, Default)]
pub struct Novelty {
    subjects: FastMap<Subject, History>,
    /// Per account: earliest event per region (calls made from IP addresses only).
    regions: FastMap<String, FirstSeen>,
    /// Networks many of the account's identities use.
    shared: SharedNetworks,
}

fn note(map: &mut FirstSeen, value: &str, event: &Event) {
    match map.get_mut(value) {
        Some(p) => p.keep_earliest_of(event),
        None => {
            map.insert(value.to_owned(), Pointer::of(event));
        }
    }
}

fn merge_first_seen(into: &mut FirstSeen, from: FirstSeen) {
    for (k, w) in from {
        match into.get_mut(&k) {
            Some(mine) => mine.keep_earliest(w),
            None => {
                into.insert(k, w);
            }
        }
    }
}

impl Novelty {
    /// Adds one event's history.
    pub fn observe(&mut self, event: &Event, geo: Option<&dyn Geo>) {
        if source_address(event).is_none() || event.identity.invoked_by.is_some() {
            return;
        }
        let network = event
            .source_ip
            .as_deref()
            .and_then(|ip| Some((ip, cloudcase_judge::network::network_of(ip)?)));
        if let Some((_, net)) = &network {
            self.shared.observe(event, net);
        }
        let subjects = subjects(event);
        let values: Vec<Option<String>> = if subjects.is_empty() {
            Vec::new()
        } else {
            DIMENSIONS.iter().map(|(_, get)| get(event, geo)).collect()
        };
        for subject in subjects {
            let history = self.subjects.entry(subject).or_insert_with(|| History {
                first: Pointer::of(event),
                dims: vec![FirstSeen::default(); DIMENSIONS.len()],
                travel: FastMap::default(),
                networks: NetworkUse::default(),
            });
            history.first.keep_earliest_of(event);
            if let Some((ip, net)) = &network {
                history.networks.observe(event, ip, net);
            }
            for (dim, value) in history.dims.iter_mut().zip(&values) {
                if let Some(v) = value {
                    note(dim, v, event);
                }
            }
            if let Some(country) = &values[COUNTRY] {
                let hour = event.time.millis().div_euclid(3_600_000);
                match history.travel.get_mut(&(country.clone(), hour)) {
                    Some(p) => p.keep_earliest_of(event),
                    None => {
                        history
                            .travel
                            .insert((country.clone(), hour), Pointer::of(event));
                    }
                }
            }
        }
        if let (Some(account), Some(region)) =
            (event.recipient_account.as_deref(), event.region.as_deref())
        {
            let map = self.regions.entry(account.to_owned()).or_default();
            note(map, region, event);
        }
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: Novelty) {
        for (subject, theirs) in other.subjects {
            match self.subjects.get_mut(&subject) {
                Some(mine) => {
                    mine.first.keep_earliest(theirs.first);
                    mine.networks.merge(theirs.networks);
                    for (m, t) in mine.dims.iter_mut().zip(theirs.dims) {
                        merge_first_seen(m, t);
                    }
                    for (k, p) in theirs.travel {
                        match mine.travel.get_mut(&k) {
                            Some(m) => m.keep_earliest(p),
                            None => {
                                mine.travel.insert(k, p);
                            }
                        }
                    }
                }
                None => {
                    self.subjects.insert(subject, theirs);
                }
            }
        }
        for (account, theirs) in other.regions {
            merge_first_seen(self.regions.entry(account).or_default(), theirs);
        }
        self.shared.merge(other.shared);
    }

    /// The findings to be: values first seen after a day of history.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut out = Vec::new();
        let mut subjects: Vec<_> = self.subjects.iter().collect();
        subjects.sort_by(|a, b| a.0.cmp(b.0));
        for (subject, history) in subjects {
            for (i, ((spec, _), seen)) in DIMENSIONS.iter().zip(&history.dims).enumerate() {
                let mut found = new_values(spec, &subject.label(), history.first.time, seen);
                if i == NETWORK || i == ADDRESS {
                    self.grade_networks(history, i, &mut found);
                }
                out.extend(found.into_iter().map(|n| n.candidate));
            }
            out.extend(country_changes(&subject.label(), &history.travel));
        }
        let mut accounts: Vec<_> = self.regions.iter().collect();
        accounts.sort_by(|a, b| a.0.cmp(b.0));
        for (account, seen) in accounts {
            let first = seen.values().map(|p| p.time).min();
            if let Some(first) = first {
                out.extend(
                    new_values(&NEW_REGION, &format!("account {account}"), first, seen)
                        .into_iter()
                        .map(|n| n.candidate),
                );
            }
        }
        dedupe(out)
    }
}

impl Novelty {
    /// Grades new networks (or addresses) by the grains the identity and the account already
    /// use, and raises new networks that behaviour from them confirms (module `grain`).
    fn grade_networks(&self, history: &History, dim: usize, found: &mut [NewValue]) {
        for NewValue {
            value,
            candidate: c,
        } in found
        {
            let network = match dim {
                NETWORK => Some(value.clone()),
                _ => cloudcase_judge::network::network_of(value),
            };
            let Some(network) = network else { continue };
            let graded = grade(
                &history.networks,
                &self.shared,
                &network,
                c.pointer.order_key(),
                c.spec.level,
                dim == NETWORK,
            );
            c.spec.level = graded.level;
            c.detail.push_str(&graded.note);
        }
    }
}

/// Uses from a different country than the previous use less than an hour
/// (the same or the adjacent clock hour) before: one per pair of countries and hour.
fn country_changes(who: &str, travel: &FastMap<(String, i64), Pointer>) -> Vec<Candidate> {
    let mut uses: Vec<(&str, &Pointer)> =
        travel.iter().map(|((c, _), p)| (c.as_str(), p)).collect();
    uses.sort_by_key(|(_, p)| p.order_key());
    uses.windows(2)
        .filter(|w| w[0].0 != w[1].0 && w[1].1.time.millis() - w[0].1.time.millis() < 3_600_000)
        .map(|w| Candidate {
            spec: RAPID_COUNTRY_CHANGE,
            pointer: w[1].1.clone(),
            detail: format!(
                "{who} used from {} at {} and from {} at {}",
                w[0].0, w[0].1.time, w[1].0, w[1].1.time
            ),
        })
        .collect()
}

fn days(ms: i64) -> f64 {
    ms as f64 / 86_400_000.0
}

/// A value first used after the baseline, and the finding it makes.
struct NewValue {
    value: String,
    candidate: Candidate,
}

/// Values of `seen` first used at least a baseline after `first`, when some
/// value was already known before that.
fn new_values(spec: &Spec, who: &str, first: EventTime, seen: &FirstSeen) -> Vec<NewValue> {
    let baseline_end = first.millis() + BASELINE_MS;
    let mut known: Vec<&str> = seen
        .iter()
        .filter(|(_, w)| w.time.millis() < baseline_end)
        .map(|(k, _)| k.as_str())
        .collect();
    if known.is_empty() {
        return Vec::new();
    }
    known.sort_unstable();
    let shown: Vec<&str> = known.iter().take(3).copied().collect();
    let more = if known.len() > 3 {
        format!(" and {} more", known.len() - 3)
    } else {
        String::new()
    };
    let mut new: Vec<(&String, &Pointer)> = seen
        .iter()
        .filter(|(_, w)| w.time.millis() >= baseline_end)
        .collect();
    new.sort_by_key(|(_, w)| w.order_key());
    let itinerant = known.len() > SETTLED_MAX;
    new.into_iter()
        .map(|(value, w)| {
            let mut spec = *spec;
            if itinerant {
                spec.level = lower(spec.level);
            }
            NewValue {
                value: value.clone(),
                candidate: Candidate {
                    spec,
                    pointer: w.clone(),
                    detail: format!(
                        "first use of {value} by {who}, after {:.1} days of history from {}{more}",
                        days(w.time.millis() - first.millis()),
                        shown.join(", ")
                    ),
                },
            }
        })
        .collect()
}

/// One finding per (analytic, event): the access-key and principal views of
/// the same first use say the same thing.
fn dedupe(mut found: Vec<Candidate>) -> Vec<Candidate> {
    found.sort_by(|a, b| {
        (a.pointer.order_key(), a.spec.id).cmp(&(b.pointer.order_key(), b.spec.id))
    });
    found.dedup_by(|b, a| a.spec.id == b.spec.id && a.pointer.order_key() == b.pointer.order_key());
    found
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use cloudcase_event::Event;
    use cloudcase_sigma::Level;

    use super::Novelty;
    use crate::analytics::fixtures::{
        at, in_region, read_trail, role_call, user_call, via_service, with_agent,
    };
    use crate::analytics::{Candidate, Geo};

    const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
    const T0: &str = "2024-03-01T10:00:00Z";
    const DAY: i64 = 24 * 3600;

    /// Countries by first octet: 198 → DE, 203 → FR, 192 → US.
    struct FakeGeo;

    impl Geo for FakeGeo {
        fn country(&self, ip: IpAddr) -> Option<String> {
            let IpAddr::V4(v4) = ip else { return None };
            match v4.octets()[0] {
                198 => Some("DE".to_owned()),
                203 => Some("FR".to_owned()),
                192 => Some("US".to_owned()),
                _ => None,
            }
        }
    }

    fn alice(seconds: i64, ip: &str) -> serde_json::Value {
        user_call("alice", KEY, &at(T0, seconds), "DescribeInstances", ip)
    }

    fn candidates_of(events: &[Event], geo: Option<&dyn Geo>) -> Vec<Candidate> {
        let mut novelty = Novelty::default();
        for e in events {
            novelty.observe(e, geo);
        }
        novelty.candidates()
    }

    fn ids(found: &[Candidate]) -> Vec<&'static str> {
        found.iter().map(|c| c.spec.id).collect()
    }

    #[test]
    fn nothing_is_found_in_no_events() {
        assert!(Novelty::default().candidates().is_empty());
    }

    #[test]
    fn a_new_network_a_day_after_the_first_use_is_found_at_its_first_record() {
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(DAY + 60, "203.0.113.9"),
            alice(DAY + 120, "203.0.113.9"),
        ]);
        let found = candidates_of(&trail.events, None);
        assert_eq!(
            ids(&found),
            [
                "cloudcase.analytics.new-network",
                "cloudcase.analytics.new-source-ip"
            ]
        );
        assert!(found.iter().all(|c| c.pointer.record == 1), "{found:#?}");
        assert_eq!(
            found[0].detail,
            format!(
                "first use of 203.0.113.0/24 by access key {KEY}, after 1.0 days of history from 198.51.100.0/24"
            )
        );
        assert_eq!(found[0].spec.level, Level::Medium);
    }

    #[test]
    fn a_value_first_seen_one_second_before_the_day_ends_is_baseline() {
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(DAY - 1, "203.0.113.9"),
            alice(3 * DAY, "203.0.113.9"),
        ]);
        assert!(candidates_of(&trail.events, None).is_empty());
    }

    #[test]
    fn a_value_first_seen_exactly_a_day_after_the_first_use_is_new() {
        let trail = read_trail(vec![alice(0, "198.51.100.7"), alice(DAY, "203.0.113.9")]);
        let found = candidates_of(&trail.events, None);
        let network = found
            .iter()
            .find(|c| c.spec.id == "cloudcase.analytics.new-network")
            .expect("new network");
        // The new value is not part of the history it is compared with.
        assert!(
            network
                .detail
                .ends_with("after 1.0 days of history from 198.51.100.0/24"),
            "{}",
            network.detail
        );
    }

    #[test]
    fn an_identity_with_no_baseline_reports_nothing() {
        // One use only, and history that begins with the value itself.
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(5 * DAY, "198.51.100.7"),
        ]);
        assert!(candidates_of(&trail.events, None).is_empty());
    }

    #[test]
    fn a_new_address_in_a_known_network_is_not_a_new_network() {
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(2 * DAY, "198.51.100.200"),
        ]);
        let found = candidates_of(&trail.events, None);
        assert_eq!(ids(&found), ["cloudcase.analytics.new-source-ip"]);
        // Its /16 was used before: the owner's own network, informational.
        assert_eq!(found[0].spec.level, Level::Informational);
        assert!(found[0]
            .detail
            .ends_with("; inside 198.51.0.0/16, which it used before"));
    }

    #[test]
    fn a_new_client_family_is_found_but_a_new_version_is_not() {
        let newer = with_agent(
            alice(2 * DAY, "198.51.100.7"),
            "aws-cli/2.17.1 md/awscrt#0.20.11 ua/2.0 os/linux#6.8.0",
        );
        let tool = with_agent(
            alice(3 * DAY, "198.51.100.7"),
            "Boto3/1.34.1 md/Botocore#1.34.1",
        );
        let trail = read_trail(vec![alice(0, "198.51.100.7"), newer, tool]);
        let found = candidates_of(&trail.events, None);
        assert_eq!(ids(&found), ["cloudcase.analytics.new-client"]);
        assert_eq!(found[0].pointer.record, 2);
        assert!(
            found[0].detail.starts_with("first use of boto3/- by"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn the_first_use_is_the_earliest_even_when_read_last() {
        let trail = read_trail(vec![
            alice(3 * DAY, "203.0.113.9"),
            alice(2 * DAY, "203.0.113.9"),
            alice(0, "198.51.100.7"),
        ]);
        let found = candidates_of(&trail.events, None);
        assert_eq!(found.len(), 2, "{found:#?}");
        assert!(found.iter().all(|c| c.pointer.record == 1), "{found:#?}");
        assert!(
            found[0].detail.contains("after 2.0 days"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn records_at_the_same_time_tie_on_their_place_in_the_file() {
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(2 * DAY, "203.0.113.9"),
            alice(2 * DAY, "203.0.113.9"),
        ]);
        let mut reversed = trail.events.clone();
        reversed.reverse();
        let found = candidates_of(&reversed, None);
        assert!(!found.is_empty());
        assert!(found.iter().all(|c| c.pointer.record == 1), "{found:#?}");
    }

    #[test]
    fn merged_workers_find_what_one_worker_finds() {
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(DAY + 5, "203.0.113.9"),
            alice(DAY + 1, "203.0.113.9"),
            in_region(alice(2 * DAY, "198.51.100.7"), "ap-southeast-3"),
        ]);
        let whole = candidates_of(&trail.events, None);
        let mut first = Novelty::default();
        let mut second = Novelty::default();
        for (i, e) in trail.events.iter().enumerate() {
            if i % 2 == 0 {
                second.observe(e, None);
            } else {
                first.observe(e, None);
            }
        }
        first.merge(second);
        let merged = first.candidates();
        let key = |c: &Candidate| (c.spec.id, c.pointer.record, c.detail.clone());
        assert_eq!(
            merged.iter().map(key).collect::<Vec<_>>(),
            whole.iter().map(key).collect::<Vec<_>>()
        );
        assert!(whole.iter().any(|c| c.pointer.record == 2));
    }

    #[test]
    fn the_key_and_the_user_views_of_one_first_use_are_one_finding() {
        // An IAM user's call with a long-term key adds history to two
        // subjects (the key and the user), which both see the new network.
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(2 * DAY, "203.0.113.9"),
        ]);
        let found = candidates_of(&trail.events, None);
        let networks = found
            .iter()
            .filter(|c| c.spec.id == "cloudcase.analytics.new-network")
            .count();
        assert_eq!(networks, 1, "{found:#?}");
    }

    #[test]
    fn more_than_three_known_values_lower_the_level_and_three_do_not() {
        let settled = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(60, "198.51.101.7"),
            alice(120, "198.51.102.7"),
            alice(2 * DAY, "203.0.113.9"),
        ]);
        let found = candidates_of(&settled.events, None);
        let network = found
            .iter()
            .find(|c| c.spec.id == "cloudcase.analytics.new-network")
            .expect("new network");
        assert_eq!(network.spec.level, Level::Medium);
        assert!(
            network.detail.ends_with("198.51.102.0/24"),
            "{}",
            network.detail
        );

        let itinerant = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(60, "198.51.101.7"),
            alice(120, "198.51.102.7"),
            alice(180, "198.51.103.7"),
            alice(2 * DAY, "203.0.113.9"),
        ]);
        let found = candidates_of(&itinerant.events, None);
        let network = found
            .iter()
            .find(|c| c.spec.id == "cloudcase.analytics.new-network")
            .expect("new network");
        assert_eq!(network.spec.level, Level::Low);
        assert!(
            network.detail.ends_with("198.51.102.0/24 and 1 more"),
            "{}",
            network.detail
        );
    }

    #[test]
    fn role_sessions_and_service_calls_have_no_identity_history() {
        let role =
            |s: i64, ip: &str| role_call("ci-deploy", "run-1", &at(T0, s), "DescribeInstances", ip);
        let trail = read_trail(vec![
            role(0, "198.51.100.7"),
            role(2 * DAY, "203.0.113.9"),
            alice(0, "198.51.100.7"),
            via_service(
                alice(2 * DAY, "198.51.100.7"),
                "cloudformation.amazonaws.com",
            ),
        ]);
        assert!(candidates_of(&trail.events, None).is_empty());
    }

    #[test]
    fn a_region_new_to_the_account_after_a_day_is_found() {
        let role = |s: i64| {
            role_call(
                "ci-deploy",
                "run-1",
                &at(T0, s),
                "DescribeInstances",
                "198.51.100.7",
            )
        };
        let trail = read_trail(vec![
            role(0),
            in_region(role(DAY - 1), "eu-west-1"),
            in_region(role(DAY + 30), "ap-southeast-3"),
            via_service(in_region(role(DAY + 60), "sa-east-1"), "ec2.amazonaws.com"),
        ]);
        let found = candidates_of(&trail.events, None);
        assert_eq!(ids(&found), ["cloudcase.analytics.new-region"]);
        assert_eq!(found[0].pointer.record, 2);
        assert!(
            found[0]
                .detail
                .starts_with("first use of ap-southeast-3 by account 111122223333"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn countries_need_a_database() {
        let trail = read_trail(vec![alice(0, "198.51.100.7"), alice(2 * DAY, "192.0.2.10")]);
        let without = candidates_of(&trail.events, None);
        assert!(!ids(&without).contains(&"cloudcase.analytics.new-country"));
        let with = candidates_of(&trail.events, Some(&FakeGeo));
        let country = with
            .iter()
            .find(|c| c.spec.id == "cloudcase.analytics.new-country")
            .expect("new country");
        assert_eq!(country.spec.level, Level::High);
        assert!(
            country.detail.starts_with("first use of US by"),
            "{}",
            country.detail
        );
    }

    #[test]
    fn two_countries_less_than_an_hour_apart_are_impossible_travel() {
        let trail = read_trail(vec![
            alice(1800, "198.51.100.7"),
            alice(1800 + 3599, "203.0.113.9"),
        ]);
        let found = candidates_of(&trail.events, Some(&FakeGeo));
        assert_eq!(ids(&found), ["cloudcase.analytics.rapid-country-change"]);
        assert_eq!(found[0].pointer.record, 1);
        assert!(
            found[0].detail.contains("used from DE at"),
            "{}",
            found[0].detail
        );
    }

    #[test]
    fn two_countries_an_hour_apart_are_not_impossible_travel() {
        let apart = read_trail(vec![alice(0, "198.51.100.7"), alice(3600, "203.0.113.9")]);
        assert!(candidates_of(&apart.events, Some(&FakeGeo)).is_empty());
        let same = read_trail(vec![alice(0, "198.51.100.7"), alice(60, "198.51.100.8")]);
        assert!(candidates_of(&same.events, Some(&FakeGeo)).is_empty());
    }

    fn network_of(found: &[Candidate]) -> &Candidate {
        found
            .iter()
            .find(|c| c.spec.id == "cloudcase.analytics.new-network")
            .expect("new network")
    }

    #[test]
    fn a_network_three_identities_use_is_informational() {
        let other = |user: &str, key: &str| {
            user_call(user, key, &at(T0, 60), "DescribeInstances", "203.0.113.20")
        };
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            other("bob", "AKIABOBEXAMPLE000001"),
            other("carol", "AKIACAROLEXAMPLE0001"),
            alice(2 * DAY, "203.0.113.9"),
        ]);
        let found = candidates_of(&trail.events, None);
        let network = network_of(&found);
        assert_eq!(network.spec.level, Level::Informational);
        assert!(
            network
                .detail
                .ends_with("; a network at least 3 identities of the account use"),
            "{}",
            network.detail
        );
    }

    #[test]
    fn behaviour_from_the_new_network_within_the_hour_raises_it() {
        let launch = |s: i64, ip: &str| user_call("alice", KEY, &at(T0, s), "RunInstances", ip);
        // A new /16, then a launch from it 10 minutes later: medium becomes high.
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(2 * DAY, "203.0.113.9"),
            launch(2 * DAY + 600, "203.0.113.9"),
        ]);
        let found = candidates_of(&trail.events, None);
        let network = network_of(&found);
        assert_eq!(
            (network.spec.level, network.pointer.record),
            (Level::High, 1)
        );
        assert!(
            network.detail.ends_with(
                "; followed 10 min later by RunInstances (resource hijacking) from that network"
            ),
            "{}",
            network.detail
        );
        // Inside a known /16: informational, raised to medium by the launch; not after 2 hours.
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(2 * DAY, "198.51.7.9"),
            launch(2 * DAY + 600, "198.51.7.9"),
        ]);
        assert_eq!(
            network_of(&candidates_of(&trail.events, None)).spec.level,
            Level::Medium
        );
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(2 * DAY, "198.51.7.9"),
            launch(2 * DAY + 7200, "198.51.7.9"),
        ]);
        assert_eq!(
            network_of(&candidates_of(&trail.events, None)).spec.level,
            Level::Informational
        );
    }

    #[test]
    fn an_identity_that_used_three_wide_networks_roams() {
        let trail = read_trail(vec![
            alice(0, "198.51.100.7"),
            alice(3 * DAY, "192.0.2.7"),
            alice(4 * DAY, "100.64.2.7"),
            alice(5 * DAY, "203.0.113.9"),
        ]);
        let found = candidates_of(&trail.events, None);
        let last = found
            .iter()
            .filter(|c| c.spec.id == "cloudcase.analytics.new-network")
            .max_by_key(|c| c.pointer.record)
            .expect("new networks");
        assert_eq!((last.pointer.record, last.spec.level), (3, Level::Low));
        assert!(
            last.detail
                .ends_with("; it already used 3 /16 (/48) networks"),
            "{}",
            last.detail
        );
    }
}
