//! Pass 1: what the subject is, and a profile of its usual behaviour (networks, agents, regions)
//! from which pass 2 finds the first departure.

use std::collections::HashMap;

use cloudcase_event::{Event, LogSource};
use cloudcase_judge::kind::{self, IdentityKind};
use cloudcase_judge::Baseline;
use cloudcase_read::EventSink;

use super::cluster::Cluster;
use super::coverage::Coverage;
use super::hourly::Hourly;
use super::{merge_map, Earliest, FastMap, LastTimes, Ordinals, Ptr, Use};
use crate::net::{network_of, ua_family, Cidr};

/// What `scope` starts from.
#[derive(Debug, Clone)]
pub enum Subject {
    /// An access key id (`AKIA…` or `ASIA…`).
    AccessKey(String),
    /// A principal: ARN, user name, role name or session name (see `Identity::is_named`).
    Principal(String),
    /// Source addresses.
    Ip(Cidr),
    /// Every identity (long-term keys, root, user and role sessions, compute sessions, SSO and
    /// federated users), ranked.
    Auto,
}

/// Identity kinds `--auto` never ranks: AWS services acting themselves, and unknown callers.
const NOT_RANKED: &[IdentityKind] = &[IdentityKind::AwsService, IdentityKind::Unknown];

impl Subject {
    /// Whether the event belongs to the profile `key` (`profile_key(ev) == Some(key)`). Under
    /// `--auto` a profile key is one of the caller's access key, ARN, principal id or invoking
    /// service, or `root:<account>`: events naming none of them are told apart unparsed.
    pub(crate) fn is_profile(&self, ev: &Event, key: &str) -> bool {
        if let Subject::Auto = self {
            let id = &ev.identity;
            let named = [&id.access_key_id, &id.arn, &id.principal_id, &id.invoked_by]
                .iter()
                .any(|f| f.as_deref() == Some(key));
            if !named && !key.starts_with("root:") {
                return false;
            }
        }
        self.profile_key(ev).as_deref() == Some(key)
    }

    /// The profile an event belongs to, if any.
    pub(crate) fn profile_key(&self, ev: &Event) -> Option<String> {
        match self {
            Subject::AccessKey(k) => {
                (ev.identity.access_key_id.as_deref() == Some(k.as_str())).then(|| k.clone())
            }
            Subject::Principal(p) => {
                let root =
                    p.eq_ignore_ascii_case("root") && ev.identity.kind.as_deref() == Some("Root");
                (root || ev.identity.is_named(p)).then(|| p.clone())
            }
            Subject::Ip(c) => ev
                .source_ip
                .as_deref()
                .filter(|ip| c.contains(ip))
                .map(|_| c.to_string()),
            Subject::Auto => {
                let k = kind::of_event(&ev.identity, ev.user_agent.as_deref());
                if NOT_RANKED.contains(&k) {
                    return None;
                }
                kind::identity_name(&ev.identity, k)
            }
        }
    }
}

/// Principal ARNs and accounts kept per profile.
const MAX_PRINCIPALS: usize = 4;

/// The history of one subject (a key, a principal or an address range).
#[derive(Debug, Default)]
pub struct Profile {
    /// Events.
    pub count: u64,
    /// First event.
    pub first: Option<Ptr>,
    /// Last event time.
    pub last_ms: i64,
    /// Per source address (or service name).
    pub ips: FastMap<Box<str>, Use>,
    /// First use of each user-agent family.
    pub families: FastMap<String, Ptr>,
    /// The user names and ARNs seen (first few).
    pub arns: Earliest,
    /// Accounts the calls were made against.
    pub accounts: Earliest,
    /// First use of each region, ms.
    pub regions: FastMap<Box<str>, i64>,
    /// The identity's kind, merged over its calls.
    pub kind: Option<IdentityKind>,
    /// The role its sessions belong to (session issuer ARN), for role sessions.
    pub role: Option<Box<str>>,
    /// Its baseline for the judge: first uses of networks, clients, regions, hours.
    pub baseline: Baseline,
    /// Its activity per network (/24 or /64): the candidate departures.
    pub clusters: FastMap<String, Cluster>,
    /// Networks each of its temporary (`ASIA…`) keys was used from: the four first used,
    /// whatever the order events arrive in or how workers split the inputs.
    pub session_keys: FastMap<Box<str>, Earliest>,
    /// Its events per hour, region and client family: its baseline before any first
    /// attacker event.
    pub hourly: Hourly,
}

/// Networks kept per session key.
const MAX_KEY_NETWORKS: usize = 4;

impl Profile {
    fn add(&mut self, ev: &Event) {
        let at = Ptr::key_of(ev);
        let ms = at.0;
        self.count += 1;
        if self.first.as_ref().is_none_or(|f| at < f.key()) {
            self.first = Some(Ptr::of(ev));
        }
        self.last_ms = self.last_ms.max(ms);
        let ip = ev.source_ip.as_deref().unwrap_or("(none)");
        match self.ips.get_mut(ip) {
            Some(u) => u.add(ev),
            None => {
                self.ips.insert(ip.into(), Use::new(ev));
            }
        }
        let fam = ua_family(ev.user_agent.as_deref().unwrap_or(""));
        self.hourly
            .add(ms, ev.region.as_deref().unwrap_or(""), &fam);
        match self.families.get_mut(&fam) {
            Some(f) => {
                if at < f.key() {
                    *f = Ptr::of(ev);
                }
            }
            None => {
                self.families.insert(fam, Ptr::of(ev));
            }
        }
        if let Some(r) = ev.region.as_deref() {
            match self.regions.get_mut(r) {
                Some(t) => *t = (*t).min(ms),
                None => {
                    self.regions.insert(r.into(), ms);
                }
            }
        }
        if let Some(arn) = ev.identity.arn.as_deref() {
            self.arns.add(arn, at, MAX_PRINCIPALS);
        }
        if let Some(a) = ev.recipient_account.as_deref() {
            self.accounts.add(a, at, MAX_PRINCIPALS);
        }
        self.judge_add(ev, ip);
    }

    /// The judge's view of the event: kind, baseline, cluster, session key networks.
    fn judge_add(&mut self, ev: &Event, ip: &str) {
        self.baseline.observe_event(ev);
        self.kind = self.baseline.kind;
        if self.role.is_none() && ev.identity.kind.as_deref() == Some("AssumedRole") {
            self.role = ev.identity.session_issuer_arn.as_deref().map(Into::into);
        }
        let Some(net) = network_of(ip) else {
            return;
        };
        if let Some(k) = ev
            .identity
            .access_key_id
            .as_deref()
            .filter(|k| k.starts_with("ASIA"))
        {
            let at = Ptr::key_of(ev);
            match self.session_keys.get_mut(k) {
                Some(nets) => nets.add(&net, at, MAX_KEY_NETWORKS),
                None => {
                    let mut nets = Earliest::default();
                    nets.add(&net, at, MAX_KEY_NETWORKS);
                    self.session_keys.insert(k.into(), nets);
                }
            }
        }
        match self.clusters.get_mut(&net) {
            Some(c) => c.add(ev, ip),
            None => {
                self.clusters.insert(net, Cluster::new(ev, ip));
            }
        }
    }

    fn merge(&mut self, o: Profile) {
        self.baseline.merge(&o.baseline);
        self.kind = self.baseline.kind;
        self.role = self.role.take().or(o.role);
        for (net, c) in o.clusters {
            match self.clusters.get_mut(&net) {
                Some(mine) => mine.merge(c),
                None => {
                    self.clusters.insert(net, c);
                }
            }
        }
        for (k, nets) in o.session_keys {
            self.session_keys
                .entry(k)
                .or_default()
                .merge(&nets, MAX_KEY_NETWORKS);
        }
        self.count += o.count;
        self.first = match (self.first.take(), o.first) {
            (Some(a), Some(b)) => Some(Ptr::min(a, b)),
            (a, b) => a.or(b),
        };
        self.last_ms = self.last_ms.max(o.last_ms);
        merge_map(&mut self.ips, o.ips);
        for (fam, p) in o.families {
            match self.families.get_mut(&fam) {
                Some(f) => {
                    if p.key() < f.key() {
                        *f = p;
                    }
                }
                None => {
                    self.families.insert(fam, p);
                }
            }
        }
        for (r, t) in o.regions {
            let e = self.regions.entry(r).or_insert(t);
            *e = (*e).min(t);
        }
        self.arns.merge(&o.arns, MAX_PRINCIPALS);
        self.accounts.merge(&o.accounts, MAX_PRINCIPALS);
        self.hourly.merge(o.hourly);
    }
}

/// Pass 1: profiles of the subject (or of every identity for `--auto`), every role's baseline
/// across its sessions, and the input's time span.
#[derive(Debug, Default)]
pub struct Pass1 {
    /// Profiles by subject key.
    pub profiles: FastMap<String, Profile>,
    /// Baselines of roles (by ARN) across all their sessions: where a compute role's
    /// credentials are normally used from.
    pub roles: FastMap<Box<str>, Baseline>,
    /// First use of each region by anyone in the account(s): launches in a region nobody used
    /// before are resource hijacking's strongest tell.
    pub regions: HashMap<Box<str>, i64>,
    /// Role sessions an AWS compute service opened (`AssumeRole` by `ec2.amazonaws.com`,
    /// `lambda.amazonaws.com`, `ecs-tasks.amazonaws.com`), by assumed-role ARN, with their kind:
    /// what a session is even when its own calls do not say.
    pub issued: HashMap<String, IdentityKind>,
    /// First and last event time of the whole input.
    pub span: Option<(i64, i64)>,
    /// Input files holding logs other than CloudTrail (S3 access, VPC flow, GuardDuty,
    /// Route 53 Resolver, billing): read again once the attacker is known.
    pub other_files: Ordinals,
    /// Input files holding CloudTrail records: the only ones pass 2 reads.
    pub cloudtrail_files: Ordinals,
    /// The last event time of each CloudTrail file (by ordinal): pass 2 reads only the files
    /// that reach the hour of the first attacker event.
    pub file_last_ms: LastTimes,
    /// What the inputs cover, whoever the attacker is.
    pub coverage: Coverage,
}

/// The pass-1 sink of one worker.
pub struct Pass1Sink<'a> {
    /// What to profile.
    pub subject: &'a Subject,
    /// The state.
    pub state: Pass1,
}

impl EventSink for Pass1Sink<'_> {
    fn accept(&mut self, ev: Event) {
        // The judge, the intrusion and the attacker's identities rest on CloudTrail alone; the
        // other logs are read once the attacker is known (`crate::logs`).
        if ev.source != LogSource::CloudTrail {
            self.state.other_files.insert(ev.provenance.file.ordinal);
            return;
        }
        let ordinal = ev.provenance.file.ordinal;
        self.state.cloudtrail_files.insert(ordinal);
        let ms = ev.time.millis();
        self.state.file_last_ms.add(ordinal, ms);
        let by_source = matches!(self.subject, Subject::Ip(_));
        self.state.coverage.add(&ev, by_source);
        self.state.span = Some(match self.state.span {
            Some((a, b)) => (a.min(ms), b.max(ms)),
            None => (ms, ms),
        });
        if let Some(r) = ev.region.as_deref() {
            match self.state.regions.get_mut(r) {
                Some(t) => *t = (*t).min(ms),
                None => {
                    self.state.regions.insert(r.into(), ms);
                }
            }
        }
        if let Some(role) = ev.identity.session_issuer_arn.as_deref() {
            if ev.identity.kind.as_deref() == Some("AssumedRole") {
                match self.state.roles.get_mut(role) {
                    Some(b) => b.observe_event(&ev),
                    None => {
                        let mut b = Baseline::default();
                        b.observe_event(&ev);
                        self.state.roles.insert(role.into(), b);
                    }
                }
            }
        }
        if let Some((arn, kind)) = issued_session(&ev) {
            self.state.issued.insert(arn, kind);
        }
        if let Some(k) = self.subject.profile_key(&ev) {
            self.state.profiles.entry(k).or_default().add(&ev);
        }
    }
}

/// The assumed-role ARN and kind of a session a compute service opened, from its `AssumeRole`.
fn issued_session(ev: &Event) -> Option<(String, IdentityKind)> {
    if ev.event_name != "AssumeRole" || ev.identity.kind.as_deref() != Some("AWSService") {
        return None;
    }
    let service = ev
        .identity
        .invoked_by
        .as_deref()
        .or(ev.source_ip.as_deref())?;
    let kind = kind::of_issuing_service(service)?;
    let req: serde_json::Value =
        serde_json::from_str(ev.request_parameters.as_deref()?.get()).ok()?;
    let role_arn = req.get("roleArn")?.as_str()?;
    let session = req.get("roleSessionName")?.as_str()?;
    let (prefix, role_path) = role_arn.split_once(":role/")?;
    let account = prefix.rsplit(':').next()?;
    let partition = prefix.split(':').nth(1).unwrap_or("aws");
    let role = role_path.rsplit('/').next()?;
    Some((
        format!("arn:{partition}:sts::{account}:assumed-role/{role}/{session}"),
        kind,
    ))
}

impl Pass1 {
    /// Merges the workers' states.
    pub fn merge_all(parts: Vec<Pass1>) -> Pass1 {
        let mut out = Pass1::default();
        for p in parts {
            for (k, prof) in p.profiles {
                out.profiles.entry(k).or_default().merge(prof);
            }
            for (r, b) in p.roles {
                out.roles.entry(r).or_default().merge(&b);
            }
            out.issued.extend(p.issued);
            out.other_files.extend(&p.other_files);
            out.cloudtrail_files.extend(&p.cloudtrail_files);
            out.file_last_ms.merge(&p.file_last_ms);
            out.coverage.merge(p.coverage);
            for (r, t) in p.regions {
                let e = out.regions.entry(r).or_insert(t);
                *e = (*e).min(t);
            }
            out.span = match (out.span, p.span) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (a, b) => a.or(b),
            };
        }
        out
    }
}
