//! The two streaming passes. Each worker keeps compact aggregates and pointers (time, file,
//! record, event id), never whole events; workers' states are merged at the end.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use cloudcase_event::{Category, Event, SourceFile};
use cloudcase_read::EventSink;
use serde_json::Value;

use crate::activity::Activity;
use crate::net::{network_of, ua_family, Cidr};
use crate::stores::{Access, StoreSpec};

/// Where a record is, and when it happened.
#[derive(Debug, Clone)]
pub struct Ptr {
    /// Event time, ms since the epoch (UTC).
    pub ms: i64,
    /// Input file.
    pub file: Arc<SourceFile>,
    /// Record index in the file.
    pub record: u64,
    /// `eventID`.
    pub event_id: Option<Box<str>>,
}

impl Ptr {
    pub(crate) fn of(ev: &Event) -> Ptr {
        Ptr {
            ms: ev.time.millis(),
            file: Arc::clone(&ev.provenance.file),
            record: ev.provenance.record,
            event_id: ev.event_id.as_deref().map(Into::into),
        }
    }

    /// Total order: time, then input order, then record.
    pub fn key(&self) -> (i64, u64, u64) {
        (self.ms, self.file.ordinal, self.record)
    }

    /// The earlier of two pointers.
    pub(crate) fn min(a: Ptr, b: Ptr) -> Ptr {
        if b.key() < a.key() {
            b
        } else {
            a
        }
    }
}

const MAX_UAS: usize = 5;

/// Repeated use of something (a key from an address, a bucket by a key…).
#[derive(Debug, Clone)]
pub struct Use {
    /// The first record.
    pub first: Ptr,
    /// The last time, ms.
    pub last_ms: i64,
    /// Number of events.
    pub count: u64,
    /// Up to five distinct user agents.
    pub uas: Vec<Box<str>>,
    /// Event names seen (for reads), up to eight.
    pub names: Vec<Box<str>>,
}

impl Use {
    fn new(ev: &Event) -> Use {
        let mut u = Use {
            first: Ptr::of(ev),
            last_ms: ev.time.millis(),
            count: 0,
            uas: Vec::new(),
            names: Vec::new(),
        };
        u.add(ev);
        u
    }

    fn add(&mut self, ev: &Event) {
        let ms = ev.time.millis();
        if ms < self.first.ms {
            self.first = Ptr::of(ev);
        }
        self.last_ms = self.last_ms.max(ms);
        self.count += 1;
        if let Some(ua) = ev.user_agent.as_deref() {
            if self.uas.len() < MAX_UAS && !self.uas.iter().any(|u| &**u == ua) {
                self.uas.push(ua.into());
            }
        }
        if self.names.len() < 8 && !self.names.iter().any(|n| **n == *ev.event_name) {
            self.names.push(ev.event_name.as_str().into());
        }
    }

    fn merge(&mut self, o: Use) {
        self.first = Ptr::min(self.first.clone(), o.first);
        self.last_ms = self.last_ms.max(o.last_ms);
        self.count += o.count;
        for ua in o.uas {
            if self.uas.len() < MAX_UAS && !self.uas.contains(&ua) {
                self.uas.push(ua);
            }
        }
        for n in o.names {
            if self.names.len() < 8 && !self.names.contains(&n) {
                self.names.push(n);
            }
        }
    }
}

fn bump<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Use>, k: K, ev: &Event) {
    match map.get_mut(&k) {
        Some(u) => u.add(ev),
        None => {
            map.insert(k, Use::new(ev));
        }
    }
}

fn merge_map<K: std::hash::Hash + Eq>(into: &mut HashMap<K, Use>, from: HashMap<K, Use>) {
    for (k, u) in from {
        match into.get_mut(&k) {
            Some(v) => v.merge(u),
            None => {
                into.insert(k, u);
            }
        }
    }
}

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
    pub arns: Vec<Box<str>>,
    /// Accounts the calls were made against.
    pub accounts: Vec<Box<str>>,
    /// First use of each region, ms.
    pub regions: HashMap<Box<str>, i64>,
    /// Successful grant/create IAM calls: pointer, event name, source IP.
    pub admin_changes: Vec<(Ptr, Box<str>, Option<Box<str>>)>,
    /// Successful RunInstances: pointer, region, source IP.
    pub launches: Vec<(Ptr, Box<str>, Option<Box<str>>)>,
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
            if self.arns.len() < 4 && !self.arns.iter().any(|a| &**a == arn) {
                self.arns.push(arn.into());
            }
        }
        if let Some(a) = ev.recipient_account.as_deref() {
            if self.accounts.len() < 4 && !self.accounts.iter().any(|x| &**x == a) {
                self.accounts.push(a.into());
            }
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
                self.admin_changes
                    .push((p.clone(), ev.event_name.as_str().into(), ip));
            } else if ev.event_name == "RunInstances" {
                self.launches
                    .push((p, ev.region.as_deref().unwrap_or("").into(), ip));
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
        for a in o.arns {
            if self.arns.len() < 4 && !self.arns.contains(&a) {
                self.arns.push(a);
            }
        }
        for a in o.accounts {
            if self.accounts.len() < 4 && !self.accounts.contains(&a) {
                self.accounts.push(a);
            }
        }
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

/// A compact record of a candidate event of pass 2 (mutating calls, session creations, and every
/// call from a known attacker address, in the attacker window).
#[derive(Debug, Clone)]
pub struct Cand {
    /// Where.
    pub ptr: Ptr,
    /// `eventName`.
    pub name: Box<str>,
    /// Service (`iam`, `ec2`, …).
    pub service: Box<str>,
    /// `awsRegion`.
    pub region: Box<str>,
    /// `userIdentity.accessKeyId`.
    pub key: Option<Box<str>>,
    /// `userIdentity.arn`.
    pub arn: Option<Box<str>>,
    /// `userIdentity.type`.
    pub kind: Option<Box<str>>,
    /// `userIdentity.userName` (IAM users).
    pub user: Option<Box<str>>,
    /// Session issuer name (assumed roles).
    pub issuer: Option<Box<str>>,
    /// Account that owns the credential.
    pub caller_account: Option<Box<str>>,
    /// `sourceIPAddress`.
    pub ip: Option<Box<str>>,
    /// `userAgent`.
    pub ua: Option<Box<str>>,
    /// `errorCode`.
    pub error: Option<Box<str>>,
    /// `readOnly`.
    pub read_only: Option<bool>,
    /// Whether the event is the subject's.
    pub subject: bool,
    /// `requestParameters` (compact JSON, possibly reduced for STS).
    pub req: Box<str>,
    /// `responseElements` (compact JSON, reduced for STS).
    pub resp: Box<str>,
}

const MUTATING_EC2: &[&str] = &[
    "RunInstances",
    "StartInstances",
    "StopInstances",
    "TerminateInstances",
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "ImportKeyPair",
    "CreateKeyPair",
    "DeleteKeyPair",
    "ModifySnapshotAttribute",
    "ModifyImageAttribute",
    "RequestSpotInstances",
];

/// Resource-policy changes outside IAM (part of the permission timeline).
pub(crate) fn is_resource_policy_change(service: &str, name: &str) -> bool {
    match service {
        "s3" => matches!(
            name,
            "PutBucketPolicy"
                | "DeleteBucketPolicy"
                | "PutBucketAcl"
                | "PutBucketPublicAccessBlock"
                | "DeleteBucketPublicAccessBlock"
                | "PutObjectAcl"
        ),
        "kms" => matches!(name, "PutKeyPolicy" | "CreateGrant"),
        "secretsmanager" => matches!(name, "PutResourcePolicy" | "DeleteResourcePolicy"),
        "lambda" => name.starts_with("AddPermission") || name.starts_with("RemovePermission"),
        "sns" | "sqs" => matches!(
            name,
            "SetTopicAttributes" | "AddPermission" | "SetQueueAttributes"
        ),
        "ecr" => name == "SetRepositoryPolicy",
        _ => false,
    }
}

fn is_mutating(ev: &Event) -> bool {
    match ev.read_only {
        Some(ro) => !ro,
        None => {
            let n = ev.event_name.as_str();
            !(n.starts_with("Get")
                || n.starts_with("List")
                || n.starts_with("Describe")
                || n.starts_with("Generate")
                || n.starts_with("Simulate"))
        }
    }
}

pub(crate) const SESSION_CALLS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetSessionToken",
    "GetFederationToken",
];

fn interesting(ev: &Event) -> bool {
    let svc = ev.service();
    let name = ev.event_name.as_str();
    if svc == "sts" && SESSION_CALLS.contains(&name) {
        return ev.identity.kind.as_deref() != Some("AWSService");
    }
    if !is_mutating(ev) {
        return false;
    }
    match svc {
        "iam" | "organizations" => true,
        "ec2" => MUTATING_EC2.contains(&name),
        "lambda" => {
            name.starts_with("CreateFunction")
                || name.starts_with("DeleteFunction")
                || name.starts_with("UpdateFunctionCode")
        }
        _ => is_resource_policy_change(svc, name),
    }
}

fn s(v: Option<&str>) -> Option<Box<str>> {
    v.map(Into::into)
}

fn sts_reduced(ev: &Event) -> (Box<str>, Box<str>) {
    let req: Value = ev
        .request_parameters
        .as_deref()
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null);
    let resp: Value = ev
        .response_elements
        .as_deref()
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null);
    let pick = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let r = serde_json::json!({
        "roleArn": pick(&req, "roleArn"),
        "roleSessionName": pick(&req, "roleSessionName"),
        "sourceIdentity": pick(&req, "sourceIdentity"),
        "name": pick(&req, "name"),
    });
    let o = serde_json::json!({
        "accessKeyId": resp.pointer("/credentials/accessKeyId").cloned().unwrap_or(Value::Null),
        "assumedRoleArn": resp.pointer("/assumedRoleUser/arn").cloned().unwrap_or(Value::Null),
        "federatedUserArn": resp.pointer("/federatedUser/arn").cloned().unwrap_or(Value::Null),
        "sourceIdentity": pick(&resp, "sourceIdentity"),
    });
    (r.to_string().into(), o.to_string().into())
}

impl Cand {
    fn of(ev: &Event, subject: bool) -> Cand {
        let (req, resp) = if ev.service() == "sts" {
            sts_reduced(ev)
        } else {
            (
                ev.request_parameters
                    .as_deref()
                    .map_or("null".into(), |r| r.get().into()),
                ev.response_elements
                    .as_deref()
                    .map_or("null".into(), |r| r.get().into()),
            )
        };
        let id = &ev.identity;
        Cand {
            ptr: Ptr::of(ev),
            name: ev.event_name.as_str().into(),
            service: ev.service().into(),
            region: ev.region.as_deref().unwrap_or("").into(),
            key: s(id.access_key_id.as_deref()),
            arn: s(id.arn.as_deref()),
            kind: s(id.kind.as_deref()),
            user: s(id.user_name.as_deref()),
            issuer: s(id.session_issuer_name.as_deref()),
            caller_account: s(id.account_id.as_deref()),
            ip: s(ev.source_ip.as_deref()),
            ua: s(ev.user_agent.as_deref()),
            error: s(ev.error_code.as_deref()),
            read_only: ev.read_only,
            subject,
            req,
            resp,
        }
    }

    /// `requestParameters` parsed.
    pub fn req_json(&self) -> Value {
        serde_json::from_str(&self.req).unwrap_or(Value::Null)
    }

    /// `responseElements` parsed.
    pub fn resp_json(&self) -> Value {
        serde_json::from_str(&self.resp).unwrap_or(Value::Null)
    }
}

/// What the inputs say about one data store, whoever accessed it.
#[derive(Debug, Default, Clone)]
pub struct StoreCov {
    /// Events naming the store (any category).
    pub mentions: u64,
    /// First event naming it.
    pub first_mention: Option<Ptr>,
    /// Region of the first event naming it.
    pub region: Option<Box<str>>,
    /// Data events on it.
    pub data_events: u64,
    /// Data events on it at or after the first attacker event.
    pub data_in_window: u64,
    /// First and last data event time.
    pub data_span: Option<(i64, i64)>,
}

impl StoreCov {
    fn merge(&mut self, c: StoreCov) {
        self.mentions += c.mentions;
        let (a, b) = (self.first_mention.take(), c.first_mention);
        let (ra, rb) = (self.region.take(), c.region);
        (self.first_mention, self.region) = match (a, b) {
            (Some(a), Some(b)) if b.key() < a.key() => (Some(b), rb),
            (Some(a), _) => (Some(a), ra),
            (None, b) => (b, rb),
        };
        self.data_events += c.data_events;
        self.data_in_window += c.data_in_window;
        widen_span(&mut self.data_span, c.data_span);
    }
}

/// Per-region counts.
#[derive(Debug, Default, Clone)]
pub struct RegionCov {
    /// Events.
    pub events: u64,
    /// First and last time.
    pub span: Option<(i64, i64)>,
}

fn widen(span: &mut Option<(i64, i64)>, ms: i64) {
    *span = Some(match *span {
        Some((a, b)) => (a.min(ms), b.max(ms)),
        None => (ms, ms),
    });
}

fn widen_span(span: &mut Option<(i64, i64)>, o: Option<(i64, i64)>) {
    if let Some((a, b)) = o {
        widen(span, a);
        widen(span, b);
    }
}

/// A data store: (kind, name).
pub type StoreId = (&'static str, Box<str>);

/// One way a store was accessed in the window: (store, access key, source, succeeded, access).
pub type AccessId = (StoreId, Box<str>, Box<str>, bool, Access);

/// Pass 2 state.
#[derive(Debug, Default)]
pub struct Pass2 {
    /// Candidate events in the window.
    pub cands: Vec<Cand>,
    /// (access key, source) → use, in the window.
    pub key_use: HashMap<(Box<str>, Box<str>), Use>,
    /// Accesses to data stores (reads, exposures, openings), in the window.
    pub store_access: HashMap<AccessId, Use>,
    /// (access key, source) → ListBuckets calls, in the window.
    pub list_buckets: HashMap<(Box<str>, Box<str>), Use>,
    /// (long-term key, source) pairs seen before the first attacker event; kept only when the
    /// subject is an address range (keys used from it are then followed by source novelty).
    pub key_ip_before: HashSet<(Box<str>, Box<str>)>,
    /// Data stores named in any event.
    pub stores: HashMap<StoreId, StoreCov>,
    /// Events per category.
    pub categories: BTreeMap<String, u64>,
    /// Management events that were read-only / mutating.
    pub mgmt_read: u64,
    /// Mutating management events.
    pub mgmt_write: u64,
    /// Read-only management events in the window, per region.
    pub mgmt_read_in_window: HashMap<Box<str>, u64>,
    /// Regions.
    pub regions: HashMap<Box<str>, RegionCov>,
    /// Events per hour by region and identity (the charts).
    pub activity: Activity,
    /// Hours (ms / 3 600 000) in which any event happened.
    pub hours: HashSet<i64>,
    /// Subject events before the first attacker event: hour-of-day histogram (UTC).
    pub baseline_hours: [u64; 24],
    /// … regions.
    pub baseline_regions: BTreeMap<String, u64>,
    /// … user-agent families.
    pub baseline_families: BTreeMap<String, u64>,
    /// … events.
    pub baseline_events: u64,
}

/// The pass-2 sink of one worker.
pub struct Pass2Sink<'a> {
    /// The subject.
    pub subject: &'a Subject,
    /// Which profile is the subject's.
    pub subject_key: &'a str,
    /// First attacker event, ms.
    pub t0: i64,
    /// Attacker sources known from pass 1.
    pub attacker_ips: &'a HashSet<String>,
    /// The state.
    pub state: Pass2,
}

/// Records the data stores an event names: coverage always, accesses in the window.
fn record_stores(st: &mut Pass2, ev: &Event, in_window: bool, key: &str, ip: &str) {
    let mut specs = StoreSpec::of_service(ev.service()).peekable();
    if specs.peek().is_none() {
        return;
    }
    let Some(req) = ev
        .request_parameters
        .as_deref()
        .and_then(|r| serde_json::from_str::<Value>(r.get()).ok())
    else {
        return;
    };
    let data = ev.category == Category::Data;
    let data_read = data && ev.read_only != Some(false);
    let ms = ev.time.millis();
    for spec in specs {
        for name in spec.names(&req) {
            let id: StoreId = (spec.kind, name.into());
            let cov = st.stores.entry(id.clone()).or_default();
            cov.merge(StoreCov {
                mentions: 1,
                first_mention: Some(Ptr::of(ev)),
                region: ev.region.as_deref().map(Into::into),
                ..StoreCov::default()
            });
            if data {
                cov.data_events += 1;
                widen(&mut cov.data_span, ms);
                cov.data_in_window += u64::from(in_window);
            }
            let access = spec.access(ev.event_name.as_str(), data_read, &req);
            // Stores listed only when the attacker named them need every access; the others
            // need only reads, exposures and openings.
            if in_window && (access != Access::Other || !spec.list_all) {
                let ok = ev.error_code.is_none();
                bump(
                    &mut st.store_access,
                    (id, key.into(), ip.into(), ok, access),
                    ev,
                );
            }
        }
    }
}

impl EventSink for Pass2Sink<'_> {
    fn accept(&mut self, ev: Event) {
        let st = &mut self.state;
        let ms = ev.time.millis();
        let in_window = ms >= self.t0;
        *st.categories
            .entry(ev.category.as_str().to_owned())
            .or_default() += 1;
        if ev.category == Category::Management {
            if ev.read_only == Some(true) {
                st.mgmt_read += 1;
            } else {
                st.mgmt_write += 1;
            }
        }
        if let Some(r) = ev.region.as_deref() {
            let rc = st.regions.entry(r.into()).or_default();
            rc.events += 1;
            widen(&mut rc.span, ms);
        }
        st.hours.insert(ms.div_euclid(3_600_000));
        let subject = self.subject.profile_key(&ev).as_deref() == Some(self.subject_key);
        if subject && !in_window {
            st.baseline_events += 1;
            st.baseline_hours[(ms.div_euclid(3_600_000).rem_euclid(24)) as usize] += 1;
            *st.baseline_regions
                .entry(ev.region.clone().unwrap_or_default())
                .or_default() += 1;
            *st.baseline_families
                .entry(ua_family(ev.user_agent.as_deref().unwrap_or("")))
                .or_default() += 1;
        }
        let key: Box<str> = ev.identity.access_key_id.as_deref().unwrap_or("").into();
        let ip: Box<str> = ev.source_ip.as_deref().unwrap_or("").into();
        let svc = ev.service();
        if in_window && ev.category == Category::Management && ev.read_only == Some(true) {
            *st.mgmt_read_in_window
                .entry(ev.region.as_deref().unwrap_or("").into())
                .or_default() += 1;
        }
        record_stores(st, &ev, in_window, &key, &ip);
        st.activity.add(&ev, in_window, &key, &ip);
        if !in_window {
            if matches!(self.subject, Subject::Ip(_)) && key.starts_with("AKIA") {
                st.key_ip_before.insert((key, ip));
            }
            return;
        }
        bump(&mut st.key_use, (key.clone(), ip.clone()), &ev);
        if svc == "s3" && ev.event_name == "ListBuckets" {
            bump(&mut st.list_buckets, (key.clone(), ip.clone()), &ev);
        }
        let from_attacker = ev
            .source_ip
            .as_deref()
            .is_some_and(|ip| self.attacker_ips.contains(ip));
        if from_attacker || interesting(&ev) {
            st.cands.push(Cand::of(&ev, subject));
        }
    }
}

impl Pass2 {
    /// Merges the workers' states.
    pub fn merge_all(parts: Vec<Pass2>) -> Pass2 {
        let mut out = Pass2::default();
        for p in parts {
            out.cands.extend(p.cands);
            merge_map(&mut out.key_use, p.key_use);
            merge_map(&mut out.store_access, p.store_access);
            merge_map(&mut out.list_buckets, p.list_buckets);
            out.key_ip_before.extend(p.key_ip_before);
            for (id, c) in p.stores {
                out.stores.entry(id).or_default().merge(c);
            }
            for (r, n) in p.mgmt_read_in_window {
                *out.mgmt_read_in_window.entry(r).or_default() += n;
            }
            for (k, n) in p.categories {
                *out.categories.entry(k).or_default() += n;
            }
            out.mgmt_read += p.mgmt_read;
            out.mgmt_write += p.mgmt_write;
            for (r, c) in p.regions {
                let o = out.regions.entry(r).or_default();
                o.events += c.events;
                widen_span(&mut o.span, c.span);
            }
            out.hours.extend(p.hours);
            out.activity.merge(p.activity);
            for i in 0..24 {
                out.baseline_hours[i] += p.baseline_hours[i];
            }
            for (k, n) in p.baseline_regions {
                *out.baseline_regions.entry(k).or_default() += n;
            }
            for (k, n) in p.baseline_families {
                *out.baseline_families.entry(k).or_default() += n;
            }
            out.baseline_events += p.baseline_events;
        }
        out.cands.sort_by_key(|c| c.ptr.key());
        out
    }
}
