//! From the two passes' aggregates to the scope document. The attacker is followed first
//! (`follow`), every candidate event of the window is attributed, and each section of the
//! document is then built by its own module.

mod attribution;
mod common;
mod containment;
mod coverage;
mod follow;
mod identities;
mod narrative;
mod quiet;
mod resources;
mod stores;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use cloudcase_model::scope::{
    AutoRank, Compromised, Cost, Coverage, Identities as IdentitiesSection, RecordRef, ScopeResult,
    SectionsAttribution, Unknown,
};
use cloudcase_pricing::{estimate, PriceTable};
use cloudcase_read::Files;

pub use quiet::no_departure;

use crate::intrusion::Intrusion;
use crate::net::{network_of, Cidr};
use crate::record::reference;
use crate::scan::{
    AccessId, Candidate, FastMap, KeySource, Pass1, Pass2, Profile, Ptr, Subject, Use,
};
use attribution::Attributor;
use follow::Attacker;
use identities::Identities;
use resources::Resources;

/// What the document claims about the activity in its sections.
#[derive(Clone, Copy)]
pub enum Claim<'a> {
    /// An intrusion: from its first event on, the activity followed is the attacker's.
    Intrusion(&'a Intrusion),
    /// No departure from the named subject's history: everything the subject did from its
    /// first event, and what it created, reported unattributed beside the explanation.
    Unattributed {
        /// The subject's first event.
        first: &'a Ptr,
        /// What was looked for.
        explanation: &'a str,
    },
}

impl Claim<'_> {
    /// The first event of the activity followed, ms.
    fn t0(&self) -> i64 {
        match self {
            Claim::Intrusion(intrusion) => intrusion.first.ms,
            Claim::Unattributed { first, .. } => first.ms,
        }
    }
}

/// How the document's sentences name the activity followed.
#[derive(Clone, Copy)]
pub(crate) struct Wording {
    /// Who acted (`the attacker`).
    pub actor: &'static str,
    /// Whose identities and sources (`attacker identities or sources`).
    pub identities: &'static str,
    /// Where the window starts (`the first attacker event`).
    pub first_event: &'static str,
    /// The window (`the attacker window`).
    pub window: &'static str,
    /// Its addresses (`attacker addresses`).
    pub sources: &'static str,
}

impl Wording {
    /// How a document with `attribution` names the activity it follows.
    pub(crate) fn of(attribution: SectionsAttribution) -> Wording {
        match attribution {
            SectionsAttribution::Attacker => ATTACKER_WORDS,
            SectionsAttribution::Unattributed => NAMED_WORDS,
        }
    }
}

/// The attacker's activity.
const ATTACKER_WORDS: Wording = Wording {
    actor: "the attacker",
    identities: "attacker identities or sources",
    first_event: "the first attacker event",
    window: "the attacker window",
    sources: "attacker addresses",
};

/// A named credential's activity, with no departure.
const NAMED_WORDS: Wording = Wording {
    actor: "the named credential",
    identities: "the named credential or the identities it created",
    first_event: "the named credential's first event",
    window: "the window of its activity",
    sources: "the named credential's addresses",
};

/// Everything [`build`] needs.
pub struct Inputs<'a> {
    /// The subject as given.
    pub subject: &'a Subject,
    /// The chosen profile's key.
    pub subject_key: &'a str,
    /// Its profile.
    pub profile: &'a Profile,
    /// Pass 1: the subject's history.
    pub history: &'a Pass1,
    /// The first attacker event, or the subject's first event with no departure.
    pub claim: Claim<'a>,
    /// `--auto` ranking.
    pub ranking: Vec<AutoRank>,
    /// Pass 2: the attacker window.
    pub window: Pass2,
    /// The run's input files, in which the window's entries find their files again.
    pub files: &'a dyn Files,
    /// Whether an address is the owner's.
    pub owner: &'a dyn Fn(&str) -> bool,
    /// `--owner-ip` ranges.
    pub owner_ranges: &'a [Cidr],
    /// Case id for the plan.
    pub case_id: &'a str,
}

/// A candidate event of the window, with whether it is the attacker's.
pub(crate) struct Attributed {
    /// The event.
    candidate: Candidate,
    /// Whether it is the attacker's.
    attacker: bool,
}

/// What every section reads: the passes, the attacker as followed, each candidate's attribution.
pub(crate) struct Ctx<'a> {
    subject: &'a Subject,
    subject_key: &'a str,
    profile: &'a Profile,
    history: &'a Pass1,
    window: &'a Pass2,
    /// The run's input files (see [`Inputs::files`]).
    files: &'a dyn Files,
    claim: Claim<'a>,
    owner: &'a dyn Fn(&str) -> bool,
    attacker: Attacker,
    /// Whether each candidate event, in order, is the attacker's: decided once, after the
    /// follow, so that every later reading of the candidates agrees.
    attacker_flags: Vec<bool>,
    /// The attacker's accesses to data stores in the window.
    store_access: FastMap<AccessId, Use>,
    /// The (key, source) uses of the window the document reports (see
    /// [`follow::Attacker::reported_use`]).
    key_use: FastMap<KeySource, Use>,
    /// The `ListBuckets` calls among them.
    list_buckets: FastMap<KeySource, Use>,
    /// The first attacker event, ms.
    t0: i64,
    /// The last event of the inputs, ms.
    end_ms: i64,
}

impl Ctx<'_> {
    /// The window's candidate events in order, each with whether it is the attacker's (read
    /// back from the window's candidates each time: see [`crate::scan::Candidates`]).
    fn attributed(&self) -> impl Iterator<Item = Attributed> + '_ {
        let flags = self.attacker_flags.iter().copied();
        self.window
            .candidates
            .iter(self.files)
            .zip(flags)
            .map(|(candidate, attacker)| Attributed {
                candidate,
                attacker,
            })
    }

    /// The attacker's successful events, in order.
    fn attacker_events(&self) -> impl Iterator<Item = Candidate> + '_ {
        self.attributed()
            .filter(|a| a.attacker && a.candidate.error.is_none())
            .map(|a| a.candidate)
    }

    /// The subject's temporary keys used from the attacker's networks, when the subject is not
    /// itself a key and an intrusion is claimed (empty otherwise).
    fn compromised_session_keys(&self) -> Vec<String> {
        if self.subject_is_key() || !matches!(self.claim, Claim::Intrusion(_)) {
            return Vec::new();
        }
        let networks: BTreeSet<String> = self
            .attacker
            .ips
            .iter()
            .filter_map(|ip| network_of(ip))
            .collect();
        let mut keys: Vec<String> = self
            .profile
            .session_keys
            .iter()
            .filter(|(_, nets)| nets.iter().any(|n| networks.contains(n)))
            .map(|(k, _)| k.to_string())
            .collect();
        keys.sort();
        keys
    }

    /// How sentences name the activity followed.
    fn wording(&self) -> Wording {
        match self.claim {
            Claim::Intrusion(_) => ATTACKER_WORDS,
            Claim::Unattributed { .. } => NAMED_WORDS,
        }
    }

    /// Whether the subject is one access key (given, or a long-term key chosen by `--auto`,
    /// which may also choose a principal).
    fn subject_is_key(&self) -> bool {
        match self.subject {
            Subject::AccessKey(_) => true,
            Subject::Auto => self.subject_key.starts_with("AKIA"),
            _ => false,
        }
    }

    /// User names of the compromised principal.
    fn compromised_users(&self) -> BTreeSet<String> {
        self.profile
            .arns
            .iter()
            .filter_map(|a| a.split_once(":user/"))
            .map(|(_, n)| n.rsplit('/').next().unwrap_or(n).to_owned())
            .collect()
    }

    /// The account the subject belongs to.
    fn account(&self) -> String {
        self.profile
            .accounts
            .first()
            .map(str::to_owned)
            .or_else(|| {
                let first = self.window.candidates.iter(self.files).next()?;
                first.who.account.as_deref().map(str::to_owned)
            })
            .unwrap_or_default()
    }

    /// Every address attributed to the attacker, with its use in the window (uses of several
    /// keys from one address merged in order of first use).
    fn attacker_sources(&self) -> BTreeMap<String, Use> {
        let mut uses: Vec<_> = self
            .key_use
            .iter()
            .filter(|(k, _)| self.attacker.source_use(&k.key, &k.ip))
            .collect();
        uses.sort_by_key(|(k, u)| (u.first.key(), (*k).clone()));
        let mut by_ip: BTreeMap<String, Use> = BTreeMap::new();
        for (k, u) in uses {
            match by_ip.get_mut(&*k.ip) {
                Some(x) => x.merge(u),
                None => {
                    by_ip.insert(k.ip.to_string(), u.clone());
                }
            }
        }
        by_ip
    }
}

/// Builds the scope document; fails only if the window's candidates cannot be read back from
/// their temporary storage.
pub fn build(inp: Inputs<'_>) -> std::io::Result<ScopeResult> {
    let window = inp.window;
    let files = inp.files;
    let attacker = follow::follow(&window, files, inp.claim, inp.subject, inp.owner)?;
    let attacker_flags = window
        .candidates
        .iter(files)
        .map(|candidate| attacker.is_attacker(&candidate, inp.owner))
        .collect();
    let store_access = window
        .store_access
        .collect(files, |id| attacker.uses(&id.key, &id.ip, inp.owner))?;
    let reported = |k: &KeySource| attacker.reported_use(&k.key, &k.ip);
    let key_use = window.key_use.collect(files, reported)?;
    let list_buckets = window.list_buckets.collect(files, reported)?;
    let t0 = inp.claim.t0();
    let ctx = Ctx {
        subject: inp.subject,
        subject_key: inp.subject_key,
        profile: inp.profile,
        history: inp.history,
        window: &window,
        files,
        claim: inp.claim,
        owner: inp.owner,
        attacker,
        attacker_flags,
        store_access,
        key_use,
        list_buckets,
        t0,
        end_ms: inp.history.span.map_or(t0, |s| s.1),
    };
    let mut ids = Identities::collect(&ctx);
    let mut res = Resources::collect(&ctx);
    let who = Attributor::new(&ctx, res.names());
    let mut responder_actions = Vec::new();
    for a in ctx.attributed() {
        let c = &a.candidate;
        let (attribution, why) = who.classify(c, a.attacker);
        if c.error.is_none() {
            ids.apply_lifecycle(c, attribution);
            res.apply_lifecycle(c, attribution);
        }
        responder_actions.extend(attribution::responder_action(c, attribution, why));
    }
    let permission_changes = attribution::permission_changes(&ctx, &who);
    let (runs, resources) = res.finish();
    let cost = estimate(&runs, ctx.end_ms, &PriceTable::builtin());
    let (attribution, mut unknowns) = match inp.claim {
        Claim::Intrusion(_) => (SectionsAttribution::Attacker, Vec::new()),
        Claim::Unattributed { explanation, .. } => (
            SectionsAttribution::Unattributed,
            quiet::unknowns(explanation, true),
        ),
    };
    let data_access = stores::verdicts(&ctx, &res.shares, &mut unknowns);
    let listed = listed_buckets(&ctx);
    if !listed.is_empty() {
        unknowns.push(Unknown {
            about: None,
            question: format!("which buckets {} saw", ctx.wording().actor),
            why: format!("{} called ListBuckets; CloudTrail does not log the names it returned, so buckets never named in an event are not listed under data_access", ctx.wording().actor),
            would_resolve: "an inventory of the account's buckets, each checked against S3 data events or server access logs".to_owned(),
            refs: Some(listed),
        });
    }
    unknowns.extend(cost_unknowns(&cost, &runs));
    let containment = containment::build(&ctx, inp.case_id, &ids, &res, &mut unknowns);
    let by_ip = ctx.attacker_sources();
    let span = inp.history.span.unwrap_or((t0, t0));
    let activity = window
        .coverage
        .activity
        .build(span, &|k, ip| ctx.attacker.uses(k, ip, ctx.owner))?;
    let result = ScopeResult {
        subject: narrative::subject(&ctx, inp.ranking, inp.owner_ranges),
        intrusion: narrative::intrusion(&ctx, &by_ip),
        attribution,
        attacker_sources: by_ip
            .iter()
            .map(|(ip, u)| common::source_use(ip, u))
            .collect(),
        identities: IdentitiesSection {
            compromised: Some(Compromised {
                subject: ctx.subject_key.to_owned(),
                principals: ctx.profile.arns.to_strings(),
                access_keys: ctx.compromised_session_keys(),
                now: None,
            }),
            users: ids.users.into_values().collect(),
            access_keys: ids.keys.into_values().collect(),
            roles: ids.roles.into_values().collect(),
            attacker_access_keys: ctx
                .attacker
                .keys
                .iter()
                .cloned()
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
        },
        sessions: ids.sessions,
        permission_changes,
        resources,
        responder_actions,
        data_access,
        network: None,
        guardduty: None,
        dns: None,
        coverage: Coverage::Window(Box::new(coverage::build(&ctx))),
        cost: Some(cost),
        containment: Some(containment),
        activity: Some(activity),
        unknowns,
    };
    match window.candidates.take_failure() {
        Some(e) => Err(e),
        None => Ok(result),
    }
}

/// References of the attacker's `ListBuckets` calls, in time order.
fn listed_buckets(ctx: &Ctx<'_>) -> Vec<RecordRef> {
    let mut firsts: Vec<_> = ctx
        .list_buckets
        .iter()
        .filter(|(k, _)| ctx.attacker.uses(&k.key, &k.ip, ctx.owner))
        .map(|(_, u)| &u.first)
        .collect();
    firsts.sort_by_key(|p| p.key());
    firsts.into_iter().map(reference).collect()
}

/// Unknowns about the cost: unpriced runs, instances still running at the end of the logs.
fn cost_unknowns(cost: &Cost, runs: &[cloudcase_pricing::InstanceRun]) -> Vec<Unknown> {
    let mut out = Vec::new();
    if cost.unpriced_runs > 0 {
        let missing: BTreeSet<String> = cost
            .instances
            .iter()
            .filter(|i| i.cost_usd.is_none())
            .map(|i| format!("{} in {}", i.instance_type, i.region))
            .collect();
        out.push(Unknown {
            about: None,
            question: "cost of instance runs without a list price".to_owned(),
            why: format!(
                "{} run(s) not priced (no price in the table for {}): the total is a lower bound",
                cost.unpriced_runs,
                missing.into_iter().collect::<Vec<_>>().join(", ")
            ),
            would_resolve: "refresh the price table with cloudcase-pricing-update from AWS's offer files, or the billing console".to_owned(),
            refs: None,
        });
    }
    if runs.iter().any(|r| r.end.is_none()) {
        out.push(Unknown {
            about: None,
            question: "total cost of instances still running".to_owned(),
            why: "the logs end while some attacker instances run: cost is counted to the end of the logs".to_owned(),
            would_resolve: "the billing console or Cost Explorer".to_owned(),
            refs: None,
        });
    }
    out
}
