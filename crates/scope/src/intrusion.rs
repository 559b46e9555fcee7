//! The first departure from a subject's history, judged by `cloudcase-judge`: every cluster of
//! the subject's activity (per network) is a candidate departure, judged against the subject's
//! baseline before it (and its role's other sessions for compute credentials). The earliest
//! cluster the judge calls at least `medium` is the intrusion; clusters related to it (same
//! /16, or sharing its new client) extend the attacker's sources and may move the first
//! attacker event earlier.

use std::collections::{BTreeSet, HashMap, HashSet};

use cloudcase_judge::judge::{judge, Departure, Judgement, RoleContext};
use cloudcase_judge::kind::IdentityKind;
use cloudcase_judge::network::{wide_network_of, Grains, Lookups};
use cloudcase_judge::signal::Family;
use cloudcase_judge::{Baseline, SignalKind, Tactic};
use cloudcase_model::scope::{Confidence, IntrusionSignal, Method};

use crate::net::network_of;
use crate::record::reference;
use crate::scan::{Cluster, ClusterDay, Profile, Ptr, Use};

/// Clusters first used at most this long before the claimed one can be the attacker's too.
pub const RELATED_BEFORE_MS: i64 = 24 * 3_600_000;

/// Addresses of a cluster given to the judge.
const MAX_SOURCES: usize = 16;

/// The intrusion found in a subject's history.
#[derive(Debug, Clone)]
pub struct Intrusion {
    /// The first attacker event.
    pub first: Ptr,
    /// How it was found.
    pub mode: Method,
    /// The novel network or client family, or what the behaviour or misuse was.
    pub novel: String,
    /// Networks seen before it.
    pub history_networks: Vec<String>,
    /// Attacker source addresses from the subject's own history.
    pub attacker_ips: HashSet<String>,
    /// How sure the claim is.
    pub confidence: Confidence,
    /// The signals behind it, strongest first.
    pub signals: Vec<IntrusionSignal>,
    /// Their total weight.
    pub score: i32,
    /// Whether the subject had too little history before it (judged by behaviour alone).
    pub no_baseline: bool,
}

/// The best departure that was not strong enough to claim.
#[derive(Debug, Clone)]
pub struct Weak {
    /// Its network.
    pub network: String,
    /// Its first event.
    pub first: Ptr,
    /// Its confidence (`low`), if any.
    pub confidence: Option<Confidence>,
    /// Its score.
    pub score: i32,
    /// Its signals.
    pub signals: Vec<IntrusionSignal>,
    /// Why it is not claimed.
    pub why: String,
}

/// Why a rated-medium cluster without a baseline is not claimed.
const OWNER_HABIT: &str = "judged without a baseline, and its addresses, /16 or client are still the subject's later (or the subject is used from nowhere else): the owner's habit";

/// What the subject's history shows.
#[derive(Debug, Clone)]
pub enum Finding {
    /// An intrusion is claimed.
    Claimed(Intrusion),
    /// Nothing reaches `medium`; the strongest candidate, if any scored.
    Unclaimed(Option<Weak>),
}

/// A cluster judged.
struct Judged<'a> {
    network: &'a str,
    cluster: &'a Cluster,
    /// The subject's addresses in the cluster's network, with their use, by address.
    ips: Vec<(&'a str, &'a Use)>,
    activity: ClusterDay,
    judgement: Judgement,
}

/// The subject's kind (unknown when nothing said).
fn kind_of(profile: &Profile) -> IdentityKind {
    profile.kind.unwrap_or(IdentityKind::Unknown)
}

/// What a subject's history is judged with beyond its own profile.
#[derive(Clone, Copy)]
pub struct Context<'a> {
    /// The baseline of the subject's role across its sessions (compute credentials).
    pub role: Option<&'a Baseline>,
    /// First use of each region in the account.
    pub regions: &'a HashMap<Box<str>, i64>,
    /// Whether an address is the owner's (`--owner-ip`): such clusters are never judged.
    pub owner: &'a dyn Fn(&str) -> bool,
    /// The kind of the session when a compute service opened it.
    pub issued: Option<IdentityKind>,
}

/// The judge's departure for one cluster. Launches count as unusual (beside accelerated
/// instance types) in regions nobody in the account used before.
fn departure(
    profile: &Profile,
    ips: &[(&str, &Use)],
    cluster: &Cluster,
    act: &ClusterDay,
    regions: &HashMap<Box<str>, i64>,
) -> Departure {
    let t = cluster.first.ms;
    let sources: Vec<&str> = ips.iter().map(|(ip, _)| *ip).take(MAX_SOURCES).collect();
    let mut behaviour = act.behaviour.clone();
    let new_region_launches: u32 = act
        .launch_regions
        .iter()
        .filter(|(r, _)| regions.get(&**r).is_none_or(|first| *first >= t))
        .map(|(_, n)| *n)
        .sum();
    behaviour.unusual_hijacking = behaviour
        .unusual_hijacking
        .saturating_add(new_region_launches)
        .min(behaviour.hijacking);
    let kind = kind_of(profile);
    let session_key_networks = if kind.is_human() {
        Vec::new()
    } else {
        act.keys
            .iter()
            .filter_map(|k| profile.session_keys.get(k))
            .max_by_key(|nets| nets.iter().count())
            .map(|nets| {
                let mut sorted = nets.to_strings();
                sorted.sort();
                sorted
            })
            .unwrap_or_default()
    };
    Departure {
        first_ms: t,
        sources: sources
            .into_iter()
            .map(|ip| Grains::of(ip, Lookups::default()))
            .collect(),
        user_agents: act.uas.to_strings(),
        regions: act.regions.iter().map(|r| r.to_string()).collect(),
        hours: (0..24u8).filter(|h| act.hours & (1 << h) != 0).collect(),
        mfa: match (act.mfa_seen, act.no_mfa_seen) {
            (false, true) => Some(false),
            (true, _) => Some(true),
            (false, false) => None,
        },
        sign_in_ms: act.sign_in.as_ref().map(|p| p.ms),
        session_key_networks,
        behaviour,
    }
}

/// The tactic whose first record a behaviour signal rests on.
fn tactic_of_signal(kind: SignalKind) -> Option<Tactic> {
    match kind {
        SignalKind::Persistence => Some(Tactic::Persistence),
        SignalKind::PrivilegeEscalation => Some(Tactic::PrivilegeEscalation),
        SignalKind::DefenceEvasion => Some(Tactic::DefenceEvasion),
        SignalKind::ResourceHijacking | SignalKind::UnusualResourceHijacking => {
            Some(Tactic::ResourceHijacking)
        }
        SignalKind::DataReads => Some(Tactic::DataRead),
        _ => None,
    }
}

/// The judge's signals as the document writes them, each with the record it rests on.
fn signals_of(j: &Judged<'_>) -> Vec<IntrusionSignal> {
    j.judgement
        .signals
        .iter()
        .map(|s| {
            let at = match s.signal {
                SignalKind::ConsoleFailuresThenSuccess => j.activity.sign_in.as_ref(),
                k => tactic_of_signal(k).and_then(|t| j.activity.tactic_first.get(&t)),
            };
            IntrusionSignal {
                signal: s.signal.as_str().to_owned(),
                weight: s.weight,
                detail: s.detail.clone(),
                refs: vec![reference(at.unwrap_or(&j.cluster.first))],
            }
        })
        .collect()
}

/// How the claim was made, and what was new.
fn method_of(j: &Judged<'_>) -> (Method, String) {
    let has = |k: SignalKind| j.judgement.signals.iter().any(|s| s.signal == k);
    let misuse: Vec<&str> = j
        .judgement
        .signals
        .iter()
        .filter(|s| s.signal.family() == Family::CredentialMisuse)
        .map(|s| s.signal.as_str())
        .collect();
    if !misuse.is_empty() {
        return (Method::CredentialMisuse, misuse.join(", "));
    }
    if j.judgement.no_baseline {
        let behaviour: Vec<&str> = j
            .judgement
            .signals
            .iter()
            .filter(|s| s.signal.family() == Family::Behaviour)
            .map(|s| s.signal.as_str())
            .collect();
        return (Method::Behaviour, behaviour.join(", "));
    }
    if !has(SignalKind::NewNetwork)
        && !has(SignalKind::NewWideNetwork)
        && has(SignalKind::NewClient)
    {
        let label = j
            .activity
            .uas
            .first()
            .map(|u| cloudcase_judge::Client::parse(u).family)
            .unwrap_or_default();
        return (Method::ClientFamily, label);
    }
    (Method::Network, j.network.to_owned())
}

/// Whether cluster `c` is the attacker's too, given the claimed cluster: first used at most a
/// day before it, and in the same /16 (/48) or sharing a user agent the subject first used no
/// earlier than a day before the claimed cluster, or itself judged at least `medium`. Without a
/// baseline everything looks new, so a cluster the subject keeps using long after (its owner's
/// habit, see [`foreign`]) is never the attacker's then.
fn related(c: &Judged<'_>, claimed: &Judged<'_>, baseline: &Baseline, all: &[Judged<'_>]) -> bool {
    let t = claimed.cluster.first.ms;
    if c.cluster.first.ms < t - RELATED_BEFORE_MS {
        return false;
    }
    if (claimed.judgement.no_baseline || c.judgement.no_baseline) && !foreign(c, all) {
        return false;
    }
    if c.judgement.confidence >= Some(Confidence::Medium) {
        return true;
    }
    let wide = |j: &Judged<'_>| wide_network_of(&j.cluster.first_ip);
    if wide(c).is_some() && wide(c) == wide(claimed) {
        return true;
    }
    let new_uas: BTreeSet<&str> = claimed
        .activity
        .uas
        .iter()
        .filter(|u| {
            baseline
                .user_agents
                .first(*u)
                .is_none_or(|f| f >= t - RELATED_BEFORE_MS)
        })
        .collect();
    c.activity.uas.iter().any(|u| new_uas.contains(u))
}

/// Without a baseline, what the subject does later is its owner's habit: a cluster whose
/// addresses, /16 or user agents the subject still uses this long after it began is the owner's.
pub const LATER_MS: i64 = 48 * 3_600_000;

/// Whether a cluster judged without a baseline is foreign to the subject's later habits: its
/// addresses are not used more than [`LATER_MS`] after it began as much as on its first days,
/// and no cluster in its /16 (/48) or sharing one of its user agents starts that late.
fn foreign(j: &Judged<'_>, all: &[Judged<'_>]) -> bool {
    let later = j.cluster.first.ms + LATER_MS;
    // The owner keeps using its addresses at least as much as on its first days; an attacker
    // coming back for another burst does not.
    let total: u64 = j.ips.iter().map(|(_, u)| u.count).sum();
    let first_days = j.activity.events;
    let addresses_reused = j.ips.iter().any(|(_, u)| u.last_ms > later)
        && total.saturating_sub(first_days) >= first_days;
    let wide = wide_network_of(&j.cluster.first_ip);
    let uas: BTreeSet<&str> = j.activity.uas.iter().collect();
    let habit = all.iter().any(|o| {
        o.cluster.first.ms > later
            && (wide_network_of(&o.cluster.first_ip) == wide
                || o.activity.uas.iter().any(|u| uas.contains(u)))
    });
    !addresses_reused && !habit
}

/// Whether credential misuse (not behaviour alone) speaks in a judgement.
fn has_misuse(j: &Judged<'_>) -> bool {
    j.judgement
        .signals
        .iter()
        .any(|s| s.signal.family() == Family::CredentialMisuse && s.weight > 0)
}

/// Whether a cluster judged without a baseline stands apart from the subject's other activity:
/// another cluster in a different /16 (/48), sharing none of its user agents and at least as
/// steady (active in as many hours of the day), is the owner's habit. A burst elsewhere is not:
/// it is the departure from this cluster's habit, not the habit this cluster departs from. A
/// subject used from one place only cannot be told from its owner without history.
fn owned_elsewhere(j: &Judged<'_>, all: &[Judged<'_>]) -> bool {
    let wide = wide_network_of(&j.cluster.first_ip);
    let uas: BTreeSet<&str> = j.activity.uas.iter().collect();
    let steadiness = |c: &Judged<'_>| c.activity.hours.count_ones();
    all.iter().any(|o| {
        !std::ptr::eq(o, j)
            && wide_network_of(&o.cluster.first_ip) != wide
            && !o.activity.uas.iter().any(|u| uas.contains(u))
            && steadiness(o) >= steadiness(j)
    })
}

/// Judges every cluster of `profile` (in order of first use) and claims the earliest one the
/// judge calls at least `medium`.
pub fn find(profile: &Profile, cx: Context<'_>) -> Finding {
    let owner = cx.owner;
    let kind = cx
        .issued
        .map_or(kind_of(profile), |k| kind_of(profile).merge(k));
    let mut clusters: Vec<(&String, &Cluster)> = profile
        .clusters
        .iter()
        .filter(|(_, c)| !owner(&c.first_ip))
        .collect();
    clusters.sort_by_key(|(n, c)| (c.first.key(), (*n).clone()));
    let mut by_network: HashMap<String, Vec<(&str, &Use)>> = HashMap::new();
    for (ip, u) in &profile.ips {
        if let Some(n) = network_of(ip) {
            by_network.entry(n).or_default().push((&**ip, u));
        }
    }
    let judged: Vec<Judged<'_>> = clusters
        .into_iter()
        .map(|(network, cluster)| {
            let mut ips = by_network.remove(network.as_str()).unwrap_or_default();
            ips.sort_unstable_by_key(|(ip, _)| *ip);
            let activity = cluster.activity();
            let d = departure(profile, &ips, cluster, &activity, cx.regions);
            let role = cx.role.map(|baseline| RoleContext { baseline });
            let judgement = judge(kind, &profile.baseline, &d, role);
            Judged {
                network,
                cluster,
                ips,
                activity,
                judgement,
            }
        })
        .collect();
    let Some(claimed) = judged.iter().find(|j| {
        j.judgement.confidence >= Some(Confidence::Medium)
            && (!j.judgement.no_baseline
                || (foreign(j, &judged) && (has_misuse(j) || owned_elsewhere(j, &judged))))
    }) else {
        let weak = judged
            .iter()
            .filter(|j| j.judgement.score > 0)
            .max_by_key(|j| (j.judgement.confidence, j.judgement.score))
            .map(|j| Weak {
                network: j.network.to_owned(),
                first: j.cluster.first.clone(),
                confidence: j.judgement.confidence,
                score: j.judgement.score,
                signals: signals_of(j),
                why: match j.judgement.confidence {
                    Some(c) if c >= Confidence::Medium => OWNER_HABIT.to_owned(),
                    c => format!(
                        "confidence {} (a claim needs at least medium)",
                        c.map_or("below low", |c| c.as_str())
                    ),
                },
            });
        return Finding::Unclaimed(weak);
    };
    let attacker: Vec<&Judged<'_>> = judged
        .iter()
        .filter(|c| std::ptr::eq(*c, claimed) || related(c, claimed, &profile.baseline, &judged))
        .collect();
    let first = attacker
        .iter()
        .map(|c| &c.cluster.first)
        .min_by_key(|p| p.key())
        .unwrap_or(&claimed.cluster.first)
        .clone();
    let attacker_ips = attacker
        .iter()
        .flat_map(|c| c.ips.iter().map(|(ip, _)| *ip))
        .filter(|ip| !owner(ip))
        .map(str::to_owned)
        .collect();
    let (mode, novel) = method_of(claimed);
    Finding::Claimed(Intrusion {
        history_networks: profile
            .baseline
            .networks
            .before(first.ms)
            .cloned()
            .collect(),
        first,
        mode,
        novel,
        attacker_ips,
        confidence: claimed.judgement.confidence.unwrap_or(Confidence::Medium),
        signals: signals_of(claimed),
        score: claimed.judgement.score,
        no_baseline: claimed.judgement.no_baseline,
    })
}

/// The intrusion of an address-range subject (`--ip`): its first event, every address in it
/// outside the owner's ranges; confidence from the behaviour of its activity.
pub fn indicator(profile: &Profile, owner: &dyn Fn(&str) -> bool) -> Option<Intrusion> {
    let first = profile
        .ips
        .iter()
        .filter(|(ip, _)| !owner(ip))
        .map(|(_, u)| u.first.clone())
        .min_by_key(Ptr::key)?;
    let mut activity = ClusterDay::default();
    for c in profile.clusters.values() {
        activity.merge(&c.activity());
    }
    let cluster = profile.clusters.values().min_by_key(|c| c.first.key())?;
    let d = Departure {
        first_ms: first.ms,
        behaviour: activity.behaviour.clone(),
        ..Departure::default()
    };
    let mut judgement = judge(kind_of(profile), &Baseline::default(), &d, None);
    judgement
        .signals
        .retain(|s| s.signal != SignalKind::NoBaseline);
    let j = Judged {
        network: "",
        cluster,
        ips: Vec::new(),
        activity,
        judgement,
    };
    Some(Intrusion {
        first,
        mode: Method::Indicator,
        novel: String::new(),
        history_networks: Vec::new(),
        attacker_ips: profile
            .ips
            .keys()
            .filter(|ip| !owner(ip))
            .map(|s| s.to_string())
            .collect(),
        confidence: cloudcase_judge::signal::confidence(&j.judgement.signals)
            .unwrap_or(Confidence::Low),
        signals: signals_of(&j),
        score: j.judgement.score,
        no_baseline: false,
    })
}
