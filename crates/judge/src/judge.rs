//! A candidate departure (a cluster of activity from one network or client) judged against the
//! identity's baseline before it: weighted signals and the confidence they give.

use std::collections::BTreeSet;

use crate::baseline::Baseline;
use crate::behaviour::{Behaviour, Tactic, DISCOVERY_BURST};
use crate::client::Client;
use crate::kind::IdentityKind;
use crate::network::{is_private, Grains};
use crate::signal::{self, Confidence, Signal, SignalKind};

/// An identity needs this much history before its first departure for novelty to mean
/// anything; with less, it is judged by behaviour alone.
pub const MIN_HISTORY_MS: i64 = 24 * 3_600_000;

/// With this many networks already used, the identity's owner roams.
pub const ROAMING_NETWORKS: usize = 4;

/// An unusual hour counts only with at least this many events (on whole days) before it.
pub const ROUTINE_EVENTS: u64 = 50;

/// Console sign-in failures count when they precede the success by at most this much.
pub const SIGN_IN_WINDOW_MS: i64 = 6 * 3_600_000;

/// The most a departure from the owner's own grain (a /16 and a client it uses) can be rated
/// without credential misuse: behaviour there is the owner's to explain, not an intrusion.
pub const OWNER_GRAIN_CEILING: Confidence = Confidence::Low;

/// Whether the departure stays at grains the identity already uses: every source in a wide
/// network (/16, /48) it used before, and every client (family and OS) one it used before.
fn owner_grain(b: &Baseline, d: &Departure) -> bool {
    let t = d.first_ms;
    let wide_known = d
        .sources
        .iter()
        .filter_map(|g| g.wide.as_deref())
        .all(|w| b.wide.known_before(w, t));
    let clients_known = !d.user_agents.is_empty()
        && d.user_agents
            .iter()
            .all(|u| b.clients.known_before(&Client::parse(u).label(), t));
    wide_known && clients_known
}

/// A cluster of an identity's activity to judge.
#[derive(Debug, Clone, Default)]
pub struct Departure {
    /// Its first event, ms.
    pub first_ms: i64,
    /// Its source addresses at every grain.
    pub sources: Vec<Grains>,
    /// Its user agents.
    pub user_agents: Vec<String>,
    /// Its regions.
    pub regions: Vec<String>,
    /// Its hours of day (UTC).
    pub hours: Vec<u8>,
    /// Whether its sessions had MFA (`Some(false)`: none did).
    pub mfa: Option<bool>,
    /// A successful console sign-in in it, ms.
    pub sign_in_ms: Option<i64>,
    /// Networks the cluster's session key was used from over the whole input (temporary keys).
    pub session_key_networks: Vec<String>,
    /// What it did.
    pub behaviour: Behaviour,
}

/// The other sessions of the same role (for compute credentials).
#[derive(Debug, Clone, Copy)]
pub struct RoleContext<'a> {
    /// The role's baseline across its other sessions.
    pub baseline: &'a Baseline,
}

/// The verdict on a departure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// The signals, strongest first.
    pub signals: Vec<Signal>,
    /// Their total weight.
    pub score: i32,
    /// The confidence they give; `None` when too weak to claim anything.
    pub confidence: Option<Confidence>,
    /// Whether the identity had too little history before it.
    pub no_baseline: bool,
}

impl Judgement {
    /// Whether behaviour or credential misuse, not novelty alone, carries it.
    pub fn has_evidence(&self) -> bool {
        signal::evidence(&self.signals) > 0
    }
}

/// Judges `d` against the identity's baseline (`kind` its kind), and against its role's other
/// sessions for compute credentials.
pub fn judge(
    kind: IdentityKind,
    baseline: &Baseline,
    d: &Departure,
    role: Option<RoleContext<'_>>,
) -> Judgement {
    let t = d.first_ms;
    let no_baseline = baseline.history_ms(t) < MIN_HISTORY_MS;
    let mut signals = Vec::new();
    if no_baseline {
        signals.extend(Signal::new(
            SignalKind::NoBaseline,
            1,
            &format!(
                "{} h of history before the activity (at least {} h needed).",
                baseline.history_ms(t) / 3_600_000,
                MIN_HISTORY_MS / 3_600_000
            ),
        ));
    } else {
        novelty(baseline, d, &mut signals);
    }
    behaviour(&d.behaviour, baseline, t, no_baseline, &mut signals);
    misuse(kind, baseline, d, role, &mut signals);
    signals.sort_by(|a, b| b.weight.cmp(&a.weight).then(a.signal.cmp(&b.signal)));
    let mut confidence = signal::confidence(&signals);
    let misuse = signals
        .iter()
        .any(|s| s.signal.family() == crate::signal::Family::CredentialMisuse);
    if !no_baseline && !misuse && owner_grain(baseline, d) {
        confidence = confidence.min(Some(OWNER_GRAIN_CEILING));
    }
    Judgement {
        score: signal::total(&signals),
        signals,
        confidence,
        no_baseline,
    }
}

fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    items
        .into_iter()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .take(5)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Network, client and routine novelty against the baseline before the departure.
fn novelty(b: &Baseline, d: &Departure, out: &mut Vec<Signal>) {
    let t = d.first_ms;
    let new_nets: Vec<&Grains> = d
        .sources
        .iter()
        .filter(|g| {
            g.network
                .as_ref()
                .is_some_and(|n| !b.networks.known_before(n, t))
        })
        .collect();
    let (wide_new, wide_known): (Vec<&Grains>, Vec<&Grains>) = new_nets
        .iter()
        .partition(|g| g.wide.as_ref().is_some_and(|w| !b.wide.known_before(w, t)));
    fn net<'a>(g: &&'a Grains) -> &'a str {
        g.network.as_deref().unwrap_or("")
    }
    if !wide_new.is_empty() {
        out.extend(Signal::new(
            SignalKind::NewWideNetwork,
            1,
            &format!("New: {}.", list(wide_new.iter().map(net))),
        ));
    } else if !wide_known.is_empty() {
        out.extend(Signal::new(
            SignalKind::NewNetwork,
            1,
            &format!("New: {}.", list(wide_known.iter().map(net))),
        ));
    }
    let used = b.networks.count_before(t);
    if !new_nets.is_empty() && used >= ROAMING_NETWORKS {
        out.extend(Signal::new(
            SignalKind::OwnerRoams,
            1,
            &format!("{used} networks used before."),
        ));
    }
    let countries: Vec<&str> = d
        .sources
        .iter()
        .filter_map(|g| g.country.as_deref())
        .filter(|c| !b.countries.is_empty() && !b.countries.known_before(*c, t))
        .collect();
    if !countries.is_empty() {
        out.extend(Signal::new(
            SignalKind::NewCountry,
            1,
            &format!("New: {}.", list(countries)),
        ));
    }
    let asns: Vec<String> = d
        .sources
        .iter()
        .filter_map(|g| g.asn)
        .filter(|a| !b.asns.is_empty() && !b.asns.known_before(a, t))
        .map(|a| format!("AS{a}"))
        .collect();
    if !asns.is_empty() {
        out.extend(Signal::new(
            SignalKind::NewAsn,
            1,
            &format!("New: {}.", list(asns.iter().map(String::as_str))),
        ));
    }
    client_novelty(b, d, out);
    routine(b, d, out);
}

fn client_novelty(b: &Baseline, d: &Departure, out: &mut Vec<Signal>) {
    let t = d.first_ms;
    let uas: Vec<&str> = d
        .user_agents
        .iter()
        .map(String::as_str)
        .filter(|u| !u.is_empty())
        .collect();
    if uas.is_empty() || b.user_agents.count_before(t) == 0 {
        return;
    }
    let labels: Vec<String> = uas.iter().map(|u| Client::parse(u).label()).collect();
    let new_labels: Vec<&str> = labels
        .iter()
        .filter(|l| !b.clients.known_before(l.as_str(), t))
        .map(String::as_str)
        .collect();
    let new_uas: Vec<&str> = uas
        .iter()
        .copied()
        .filter(|u| !b.user_agents.known_before(*u, t))
        .collect();
    if !new_labels.is_empty() {
        let known = list(b.clients.before(t).map(String::as_str));
        out.extend(Signal::new(
            SignalKind::NewClient,
            1,
            &format!("New: {}; used before: {known}.", list(new_labels)),
        ));
    } else if !new_uas.is_empty() {
        out.extend(Signal::new(
            SignalKind::NewUserAgent,
            1,
            &format!("New: {}.", list(new_uas)),
        ));
    } else {
        out.extend(Signal::new(SignalKind::KnownUserAgent, 1, ""));
    }
}

fn routine(b: &Baseline, d: &Departure, out: &mut Vec<Signal>) {
    let t = d.first_ms;
    let new_regions: Vec<&str> = d
        .regions
        .iter()
        .map(String::as_str)
        .filter(|r| b.regions.count_before(t) > 0 && !b.regions.known_before(*r, t))
        .collect();
    if !new_regions.is_empty() {
        out.extend(Signal::new(
            SignalKind::NewRegion,
            1,
            &format!("New: {}.", list(new_regions)),
        ));
    }
    if b.events_before(t) >= ROUTINE_EVENTS {
        let odd: Vec<String> = d
            .hours
            .iter()
            .filter(|h| {
                b.hours
                    .get(usize::from(**h))
                    .is_some_and(|f| !f.is_some_and(|f| f < t))
            })
            .map(|h| format!("{h:02}:00"))
            .collect();
        if !odd.is_empty() {
            out.extend(Signal::new(
                SignalKind::UnusualHour,
                1,
                &format!("UTC hour(s): {}.", list(odd.iter().map(String::as_str))),
            ));
        }
    }
}

/// Behaviour signals from the cluster's counts. With a baseline, a tactic counts only when the
/// cluster makes calls of it the identity never made before (an owner who routinely creates users
/// does not read as persistence); its detail names the new calls.
fn behaviour(b: &Behaviour, base: &Baseline, t: i64, no_baseline: bool, out: &mut Vec<Signal>) {
    let new_names = |tactic: Tactic| -> Vec<&str> {
        b.names
            .get(&tactic)
            .into_iter()
            .flatten()
            .map(String::as_str)
            .filter(|n| no_baseline || !base.calls.known_before(*n, t))
            .collect()
    };
    let discovery_new = new_names(Tactic::Discovery).len();
    let rows = [
        (
            SignalKind::Persistence,
            b.persistence,
            Some(Tactic::Persistence),
        ),
        (
            SignalKind::PrivilegeEscalation,
            b.privilege_escalation,
            Some(Tactic::PrivilegeEscalation),
        ),
        (
            SignalKind::DefenceEvasion,
            b.defence_evasion,
            Some(Tactic::DefenceEvasion),
        ),
        (
            SignalKind::DiscoveryBurst,
            u32::from(discovery_new >= DISCOVERY_BURST),
            None,
        ),
        (SignalKind::AccessDeniedProbing, b.denied, None),
        (
            SignalKind::ResourceHijacking,
            b.hijacking,
            Some(Tactic::ResourceHijacking),
        ),
        (
            SignalKind::UnusualResourceHijacking,
            b.unusual_hijacking,
            None,
        ),
        (SignalKind::DataReads, b.data_reads, Some(Tactic::DataRead)),
    ];
    for (kind, n, tactic) in rows {
        let specifics = match (kind, tactic) {
            (SignalKind::DiscoveryBurst, _) => {
                format!("{discovery_new} distinct calls new to the identity.")
            }
            (_, Some(t)) => {
                let fresh = new_names(t);
                if fresh.is_empty() {
                    continue;
                }
                format!("{n} call(s); new to the identity: {}.", list(fresh))
            }
            (_, None) => format!("{n}."),
        };
        out.extend(Signal::new(kind, n, &specifics));
    }
}

/// Credential-misuse signals.
fn misuse(
    kind: IdentityKind,
    b: &Baseline,
    d: &Departure,
    role: Option<RoleContext<'_>>,
    out: &mut Vec<Signal>,
) {
    let t = d.first_ms;
    let on_compute = kind.is_compute() && on_its_compute(b, d);
    if kind.is_compute() && !on_compute {
        compute_misuse(b, d, role, out);
    }
    let nets: BTreeSet<&str> = d.session_key_networks.iter().map(String::as_str).collect();
    if nets.len() >= 2 && !on_compute && !client_known(b, d) {
        out.extend(Signal::new(
            SignalKind::SessionKeyTwoNetworks,
            1,
            &format!("Networks: {}.", list(nets.iter().copied())),
        ));
    }
    if let Some(ms) = d.sign_in_ms {
        let failures = b.failures_before(ms, SIGN_IN_WINDOW_MS);
        if failures > 0 {
            out.extend(Signal::new(
                SignalKind::ConsoleFailuresThenSuccess,
                1,
                &format!(
                    "{failures} failure(s) in the {} h before.",
                    SIGN_IN_WINDOW_MS / 3_600_000
                ),
            ));
        }
    }
    if d.mfa == Some(false) && b.mfa_first.is_some_and(|m| m < t) {
        out.extend(Signal::new(SignalKind::MfaAbsent, 1, ""));
    }
}

/// Whether one of the departure's clients (family and OS) was used by the identity before it: a
/// session key moving between networks with the identity's usual client is a runner pool or a
/// roaming person, not a copied credential.
fn client_known(b: &Baseline, d: &Departure) -> bool {
    d.user_agents.iter().any(|u| {
        b.clients
            .known_before(&Client::parse(u).label(), d.first_ms)
    })
}

/// Whether every client of the departure is the compute's own: it names a compute environment
/// the identity's calls name, or runs on Amazon Linux without a desktop. Such calls roam across
/// the provider's addresses (Lambda and Fargate egress changes) and are not misuse.
pub fn on_its_compute(b: &Baseline, d: &Departure) -> bool {
    !d.user_agents.is_empty()
        && d.user_agents.iter().all(|u| {
            let c = Client::parse(u);
            match c.exec_env {
                Some(env) => b.exec_envs.first(&env).is_some(),
                None => c.os == Some(crate::client::Os::AmazonLinux) && !c.desktop,
            }
        })
}

fn compute_misuse(
    b: &Baseline,
    d: &Departure,
    role: Option<RoleContext<'_>>,
    out: &mut Vec<Signal>,
) {
    let clients: Vec<Client> = d.user_agents.iter().map(|u| Client::parse(u)).collect();
    let desktop: Vec<String> = clients
        .iter()
        .filter(|c| c.desktop)
        .map(Client::label)
        .collect();
    if !desktop.is_empty() {
        out.extend(Signal::new(
            SignalKind::ComputeCredentialOffCompute,
            1,
            &format!("Client: {}.", list(desktop.iter().map(String::as_str))),
        ));
    } else if !b.exec_envs.is_empty() && clients.iter().any(|c| c.exec_env.is_none()) {
        let envs = list(b.exec_envs.iter().map(|(e, _)| e.as_str()));
        out.extend(Signal::new(
            SignalKind::ComputeCredentialNoExecEnv,
            1,
            &format!("Its other calls name: {envs}."),
        ));
    }
    let Some(role) = role else {
        return;
    };
    let t = d.first_ms;
    if role.baseline.networks.count_before(t) == 0 {
        return;
    }
    let outside: Vec<&str> = d
        .sources
        .iter()
        .filter(|g| !is_private(&g.address))
        .filter_map(|g| g.network.as_deref())
        .filter(|n| !role.baseline.networks.known_before(*n, t))
        .collect();
    if !outside.is_empty() {
        out.extend(Signal::new(
            SignalKind::ComputeCredentialOutsideRole,
            1,
            &format!("Network: {}.", list(outside)),
        ));
    }
}

#[cfg(test)]
mod tests;
