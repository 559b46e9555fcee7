//! Pass 1: what the subject is, and a profile of its usual behaviour (networks, agents, regions)
//! from which pass 2 finds the first departure.

use std::collections::{BTreeMap, HashMap};

use cloudcase_event::Event;
use cloudcase_read::EventSink;

use super::{bump, merge_map, Earliest, Ptr, Use};
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
    /// Every long-term (`AKIA…`) key, ranked.
    Auto,
}

impl Subject {
    /// The profile an event belongs to, if any.
    pub(crate) fn profile_key(&self, ev: &Event) -> Option<String> {
        match self {
            Subject::AccessKey(k) => {
                (ev.identity.access_key_id.as_deref() == Some(k.as_str())).then(|| k.clone())
            }
            Subject::Principal(p) => ev.identity.is_named(p).then(|| p.clone()),
            Subject::Ip(c) => ev
                .source_ip
                .as_deref()
                .filter(|ip| c.contains(ip))
                .map(|_| c.to_string()),
            Subject::Auto => ev
                .identity
                .access_key_id
                .as_deref()
                .filter(|k| k.starts_with("AKIA"))
                .map(str::to_owned),
        }
    }
}

/// IAM calls that grant or create access (the `--auto` signal and the identity pass).
pub(crate) const ADMIN_IAM: &[&str] = &[
    "CreateUser",
    "CreateLoginProfile",
    "UpdateLoginProfile",
    "CreateAccessKey",
    "AttachUserPolicy",
    "AttachRolePolicy",
    "AttachGroupPolicy",
    "PutUserPolicy",
    "PutRolePolicy",
    "PutGroupPolicy",
    "CreateRole",
    "UpdateAssumeRolePolicy",
    "AddUserToGroup",
    "CreatePolicyVersion",
];

/// One successful call that counts for `--auto`: an IAM grant or create, or a launch.
#[derive(Debug, Clone)]
pub struct Signal {
    /// Its record.
    pub at: Ptr,
    /// The event name (IAM calls) or the region (launches).
    pub what: Box<str>,
    /// Its source address.
    pub source: Option<Box<str>>,
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
    pub ips: HashMap<Box<str>, Use>,
    /// First use of each user-agent family.
    pub families: HashMap<String, Ptr>,
    /// The user names and ARNs seen (first few).
    pub arns: Earliest,
    /// Accounts the calls were made against.
    pub accounts: Earliest,
    /// First use of each region, ms.
    pub regions: HashMap<Box<str>, i64>,
    /// Successful grant/create IAM calls (`what`: the event name).
    pub admin_changes: Vec<Signal>,
    /// Successful RunInstances (`what`: the region).
    pub launches: Vec<Signal>,
    /// Calls refused for lack of permission (`AccessDenied…`, `…UnauthorizedOperation`), per
    /// source address: a leaked key's new holder probing what it may do.
    pub denied: HashMap<Box<str>, u64>,
}

/// Whether an error code says the caller lacked permission.
fn is_denied(code: &str) -> bool {
    code.starts_with("AccessDenied") || code.ends_with("UnauthorizedOperation")
}

impl Profile {
    fn add(&mut self, ev: &Event) {
        let p = Ptr::of(ev);
        self.count += 1;
        self.first = Some(match self.first.take() {
            Some(f) => Ptr::min(f, p.clone()),
            None => p.clone(),
        });
        self.last_ms = self.last_ms.max(p.ms);
        let ip = ev.source_ip.as_deref().unwrap_or("(none)");
        bump(&mut self.ips, ip.into(), ev);
        let fam = ua_family(ev.user_agent.as_deref().unwrap_or(""));
        match self.families.get_mut(&fam) {
            Some(f) => {
                if p.key() < f.key() {
                    *f = p.clone();
                }
            }
            None => {
                self.families.insert(fam, p.clone());
            }
        }
        if let Some(r) = ev.region.as_deref() {
            let e = self.regions.entry(r.into()).or_insert(p.ms);
            *e = (*e).min(p.ms);
        }
        if let Some(arn) = ev.identity.arn.as_deref() {
            self.arns.add(arn, p.key(), MAX_PRINCIPALS);
        }
        if let Some(a) = ev.recipient_account.as_deref() {
            self.accounts.add(a, p.key(), MAX_PRINCIPALS);
        }
        if ev.error_code.as_deref().is_some_and(is_denied) {
            match self.denied.get_mut(ip) {
                Some(n) => *n += 1,
                None => {
                    self.denied.insert(ip.into(), 1);
                }
            }
        }
        if ev.error_code.is_none() {
            let ip = ev.source_ip.as_deref().map(Into::into);
            if ev.service() == "iam" && ADMIN_IAM.contains(&ev.event_name.as_str()) {
                self.admin_changes.push(Signal {
                    at: p.clone(),
                    what: ev.event_name.as_str().into(),
                    source: ip,
                });
            } else if ev.event_name == "RunInstances" {
                self.launches.push(Signal {
                    at: p,
                    what: ev.region.as_deref().unwrap_or("").into(),
                    source: ip,
                });
            }
        }
    }

    fn merge(&mut self, o: Profile) {
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
        self.admin_changes.extend(o.admin_changes);
        self.launches.extend(o.launches);
        for (ip, n) in o.denied {
            *self.denied.entry(ip).or_default() += n;
        }
    }

    /// First use of each network (IP addresses only), with the addresses in it.
    pub fn networks(&self, exclude: &dyn Fn(&str) -> bool) -> BTreeMap<String, Ptr> {
        let mut nets: BTreeMap<String, Ptr> = BTreeMap::new();
        for (ip, u) in &self.ips {
            if exclude(ip) {
                continue;
            }
            let Some(net) = network_of(ip) else {
                continue;
            };
            match nets.get_mut(&net) {
                Some(p) => {
                    if u.first.key() < p.key() {
                        *p = u.first.clone();
                    }
                }
                None => {
                    nets.insert(net, u.first.clone());
                }
            }
        }
        nets
    }
}

/// Pass 1: profiles of the subject (or of every AKIA key for `--auto`), and the input's time span.
#[derive(Debug, Default)]
pub struct Pass1 {
    /// Profiles by subject key.
    pub profiles: HashMap<String, Profile>,
    /// First and last event time of the whole input.
    pub span: Option<(i64, i64)>,
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
        let ms = ev.time.millis();
        self.state.span = Some(match self.state.span {
            Some((a, b)) => (a.min(ms), b.max(ms)),
            None => (ms, ms),
        });
        if let Some(k) = self.subject.profile_key(&ev) {
            self.state.profiles.entry(k).or_default().add(&ev);
        }
    }
}

impl Pass1 {
    /// Merges the workers' states.
    pub fn merge_all(parts: Vec<Pass1>) -> Pass1 {
        let mut out = Pass1::default();
        for p in parts {
            for (k, prof) in p.profiles {
                out.profiles.entry(k).or_default().merge(prof);
            }
            out.span = match (out.span, p.span) {
                (Some((a, b)), Some((c, d))) => Some((a.min(c), b.max(d))),
                (a, b) => a.or(b),
            };
        }
        out
    }
}
