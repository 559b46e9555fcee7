//! The streaming pass: per principal and key, what was used, from where, with what.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use cloudcase_event::network::network_of;
use cloudcase_event::{Event, LogSource};
use cloudcase_model::scope::RecordRef;
use cloudcase_read::EventSink;
use serde_json::Value;

use crate::arn::{ArnBuilder, EventFields};
use crate::exclude::Exclusion;
use crate::mapping::{ActionMapper, Mapped};
use crate::table::ActionTable;
use crate::HardenError;

/// Most resource ARNs kept per action (more become `*`, said in the output).
pub const MAX_RESOURCES: usize = 100;
/// Most distinct values kept per set (networks, agents, hosts).
const MAX_SET: usize = 64;
/// Most record references kept per list (the earliest).
const MAX_REFS: usize = 20;

/// Actions whose reads are secrets (for the Secrets Manager list).
const SECRET_ACTIONS: &[&str] = &[
    "secretsmanager:GetSecretValue",
    "ssm:GetParameter",
    "ssm:GetParameters",
    "ssm:GetParametersByPath",
];

/// A referenced record with its time, so lists keep the earliest.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct TimedRef {
    /// Milliseconds since the epoch.
    pub ms: i64,
    /// File path.
    pub file: String,
    /// Record index.
    pub record: u64,
    /// `eventID`.
    pub event_id: Option<String>,
}

impl TimedRef {
    fn of(e: &Event) -> TimedRef {
        TimedRef {
            ms: e.time.millis(),
            file: e.provenance.file.path.display().to_string(),
            record: e.provenance.record,
            event_id: e.event_id.clone(),
        }
    }

    /// As the scope model's reference.
    pub fn to_ref(&self) -> RecordRef {
        RecordRef {
            file: self.file.clone(),
            record: self.record,
            event_id: self.event_id.clone(),
        }
    }
}

/// Keeps the `MAX_REFS` earliest references.
fn add_ref(refs: &mut Vec<TimedRef>, r: TimedRef) {
    refs.push(r);
    if refs.len() > 2 * MAX_REFS {
        trim_refs(refs);
    }
}

fn trim_refs(refs: &mut Vec<TimedRef>) {
    refs.sort();
    refs.dedup();
    refs.truncate(MAX_REFS);
}

fn add_capped(set: &mut BTreeSet<String>, v: &str) {
    if set.len() < MAX_SET || set.contains(v) {
        set.insert(v.to_owned());
    }
}

/// Use of one action.
#[derive(Debug, Clone, Default)]
pub struct ActionUse {
    /// Successful calls.
    pub calls: u64,
    /// The ARNs the events named (at most [`MAX_RESOURCES`]).
    pub resources: BTreeSet<String>,
    /// Calls whose event named no resource.
    pub unnamed: u64,
    /// Whether more ARNs were seen than kept.
    pub overflow: bool,
}

/// Where, when and how something was used: shared by principals and keys.
#[derive(Debug, Clone, Default)]
pub struct Usage {
    /// Calls counted.
    pub calls: u64,
    /// First and last call, ms.
    pub first_ms: i64,
    /// Last call, ms.
    pub last_ms: i64,
    /// Calls per /24 (or /64) source network.
    pub networks: BTreeMap<String, u64>,
    /// Calls from an IP address (not an AWS service name).
    pub calls_from_ip: u64,
    /// Distinct source addresses (capped).
    pub hosts: BTreeSet<String>,
    /// Distinct user agents (capped).
    pub agents: BTreeSet<String>,
    /// UTC days with calls (days since the epoch).
    pub days: BTreeSet<i64>,
    /// Calls per UTC hour of the day.
    pub hours: [u64; 24],
    /// The earliest records.
    pub refs: Vec<TimedRef>,
}

impl Usage {
    fn add(&mut self, e: &Event) {
        let ms = e.time.millis();
        if self.calls == 0 || ms < self.first_ms {
            self.first_ms = ms;
        }
        self.last_ms = self.last_ms.max(ms);
        self.calls += 1;
        if let Some(ip) = e.source_ip.as_deref() {
            if let Some(net) = network_of(ip) {
                self.calls_from_ip += 1;
                if self.networks.len() < MAX_SET || self.networks.contains_key(&net) {
                    *self.networks.entry(net).or_default() += 1;
                }
                add_capped(&mut self.hosts, ip);
            }
        }
        if let Some(ua) = e.user_agent.as_deref() {
            add_capped(&mut self.agents, ua);
        }
        self.days.insert(ms.div_euclid(86_400_000));
        let hour = ms.rem_euclid(86_400_000) / 3_600_000;
        if let Some(h) = usize::try_from(hour)
            .ok()
            .and_then(|h| self.hours.get_mut(h))
        {
            *h += 1;
        }
        add_ref(&mut self.refs, TimedRef::of(e));
    }

    fn merge(&mut self, o: Usage) {
        if o.calls == 0 {
            return;
        }
        if self.calls == 0 || o.first_ms < self.first_ms {
            self.first_ms = o.first_ms;
        }
        self.last_ms = self.last_ms.max(o.last_ms);
        self.calls += o.calls;
        self.calls_from_ip += o.calls_from_ip;
        for (n, c) in o.networks {
            if self.networks.len() < MAX_SET || self.networks.contains_key(&n) {
                *self.networks.entry(n).or_default() += c;
            }
        }
        for h in &o.hosts {
            add_capped(&mut self.hosts, h);
        }
        for a in &o.agents {
            add_capped(&mut self.agents, a);
        }
        self.days.extend(o.days);
        for (mine, theirs) in self.hours.iter_mut().zip(o.hours) {
            *mine += theirs;
        }
        self.refs.extend(o.refs);
        trim_refs(&mut self.refs);
    }
}

/// Everything observed of one principal.
#[derive(Debug, Clone, Default)]
pub struct PrincipalUse {
    /// `user`, `role` or `root`.
    pub kind: &'static str,
    /// Successful calls by action.
    pub actions: BTreeMap<String, ActionUse>,
    /// Event names that map to no action of the table, with their counts.
    pub unknown_actions: BTreeMap<String, u64>,
    /// Where, when and how.
    pub usage: Usage,
    /// Long-term access keys (`AKIA…`) by id.
    pub keys: BTreeMap<String, Usage>,
    /// Console sign-ins.
    pub console_logins: u64,
    /// Calls made with MFA.
    pub mfa_calls: u64,
    /// Failed calls (an `errorCode`), left out of the policy.
    pub denied_calls: u64,
    /// Events scope attributes to the attacker, dropped.
    pub excluded_attacker_events: u64,
    /// Secret reads (Secrets Manager, Parameter Store): the earliest records.
    pub secret_reads: Vec<TimedRef>,
    /// The secrets read (ARNs).
    pub secrets: BTreeSet<String>,
}

impl PrincipalUse {
    fn merge(&mut self, o: PrincipalUse) {
        if self.kind.is_empty() {
            self.kind = o.kind;
        }
        for (a, u) in o.actions {
            let mine = self.actions.entry(a).or_default();
            mine.calls += u.calls;
            mine.unnamed += u.unnamed;
            mine.overflow |= u.overflow;
            for r in u.resources {
                if mine.resources.len() < MAX_RESOURCES {
                    mine.resources.insert(r);
                } else if !mine.resources.contains(&r) {
                    mine.overflow = true;
                }
            }
        }
        for (a, c) in o.unknown_actions {
            *self.unknown_actions.entry(a).or_default() += c;
        }
        self.usage.merge(o.usage);
        for (k, u) in o.keys {
            self.keys.entry(k).or_default().merge(u);
        }
        self.console_logins += o.console_logins;
        self.mfa_calls += o.mfa_calls;
        self.denied_calls += o.denied_calls;
        self.excluded_attacker_events += o.excluded_attacker_events;
        self.secret_reads.extend(o.secret_reads);
        trim_refs(&mut self.secret_reads);
        for s in o.secrets {
            add_capped(&mut self.secrets, &s);
        }
    }
}

/// The tables and filters every worker shares.
#[derive(Debug)]
pub struct Context {
    mapper: ActionMapper,
    arns: ArnBuilder,
    table: ActionTable,
    exclusion: Exclusion,
    principals: Vec<String>,
    since_ms: Option<i64>,
}

impl Context {
    /// The shipped tables, the exclusion, `--principal` names and `--since`.
    pub fn new(
        exclusion: Exclusion,
        principals: Vec<String>,
        since_ms: Option<i64>,
    ) -> Result<Context, HardenError> {
        Ok(Context {
            mapper: ActionMapper::builtin()?,
            arns: ArnBuilder::builtin()?,
            table: ActionTable::builtin()?,
            exclusion,
            principals,
            since_ms,
        })
    }

    /// The action table.
    pub fn table(&self) -> &ActionTable {
        &self.table
    }

    /// The exclusion applied.
    pub fn exclusion(&self) -> &Exclusion {
        &self.exclusion
    }

    /// Whether `--principal` names this principal (ARN or last name part) or the key used.
    fn wanted(&self, principal: &str, key: Option<&str>) -> bool {
        self.principals.is_empty()
            || self.principals.iter().any(|p| {
                p == principal
                    || principal.rsplit(['/', ':']).next() == Some(p.as_str())
                    || key == Some(p.as_str())
            })
    }
}

/// The principal an event's caller is: user ARN, role ARN (sessions folded in), or root.
fn principal_of(e: &Event) -> Option<(&'static str, String)> {
    let id = &e.identity;
    match id.kind.as_deref()? {
        "IAMUser" => Some(("user", id.arn.clone()?)),
        "AssumedRole" => Some(("role", id.session_issuer_arn.clone()?)),
        "Root" => Some(("root", id.arn.clone()?)),
        _ => None,
    }
}

/// One worker's tallies; merge them with [`Collector::merge`].
#[derive(Debug)]
pub struct Collector {
    ctx: Arc<Context>,
    /// By principal ARN.
    pub principals: HashMap<String, PrincipalUse>,
    /// Latest event time seen, ms (the "now" of unused-for-N-days).
    pub last_event_ms: i64,
}

impl Collector {
    /// An empty worker.
    pub fn new(ctx: Arc<Context>) -> Collector {
        Collector {
            ctx,
            principals: HashMap::new(),
            last_event_ms: i64::MIN,
        }
    }

    /// The shared context.
    pub fn context(&self) -> &Arc<Context> {
        &self.ctx
    }

    /// Adds another worker's tallies.
    pub fn merge(&mut self, o: Collector) {
        self.last_event_ms = self.last_event_ms.max(o.last_event_ms);
        for (p, u) in o.principals {
            self.principals.entry(p).or_default().merge(u);
        }
    }

    /// Takes one event.
    pub fn add(&mut self, e: &Event) {
        if e.source != LogSource::CloudTrail {
            return;
        }
        self.last_event_ms = self.last_event_ms.max(e.time.millis());
        if self.ctx.since_ms.is_some_and(|s| e.time.millis() < s) {
            return;
        }
        let Some((kind, principal)) = principal_of(e) else {
            return;
        };
        if !self
            .ctx
            .wanted(&principal, e.identity.access_key_id.as_deref())
        {
            return;
        }
        let ctx = Arc::clone(&self.ctx);
        let p = self.principals.entry(principal).or_default();
        p.kind = kind;
        if ctx.exclusion.is_attacker(e) {
            p.excluded_attacker_events += 1;
            return;
        }
        if e.event_name == "ConsoleLogin" {
            p.console_logins += 1;
        }
        if e.is_error() {
            p.denied_calls += 1;
            return;
        }
        if e.identity.mfa_authenticated == Some(true) {
            p.mfa_calls += 1;
        }
        p.usage.add(e);
        if let Some(k) = e.identity.access_key_id.as_deref() {
            if k.starts_with("AKIA") {
                p.keys.entry(k.to_owned()).or_default().add(e);
            }
        }
        let Mapped::Action(action) = ctx.mapper.map(&e.event_source, &e.event_name) else {
            return;
        };
        if !ctx.table.contains(&action) {
            *p.unknown_actions.entry(action).or_default() += 1;
            return;
        }
        record_action(p, &ctx, &action, e);
    }
}

/// Counts a call of `action` with the ARNs its event names.
fn record_action(p: &mut PrincipalUse, ctx: &Context, action: &str, e: &Event) {
    let parse = |raw: &Option<Box<serde_json::value::RawValue>>| -> Value {
        raw.as_ref()
            .and_then(|r| serde_json::from_str(r.get()).ok())
            .unwrap_or(Value::Null)
    };
    let request = parse(&e.request_parameters);
    let resources = parse(&e.resources);
    let fields = EventFields {
        request: &request,
        resources: &resources,
        account: e.recipient_account.as_deref().unwrap_or("*"),
        region: e.region.as_deref().unwrap_or("*"),
    };
    let arns = ctx.arns.arns(action, &fields);
    if SECRET_ACTIONS.contains(&action) {
        add_ref(&mut p.secret_reads, TimedRef::of(e));
        for a in &arns {
            add_capped(&mut p.secrets, a);
        }
    }
    let u = p.actions.entry(action.to_owned()).or_default();
    u.calls += 1;
    if arns.is_empty() {
        u.unnamed += 1;
    }
    for a in arns {
        if u.resources.len() < MAX_RESOURCES {
            u.resources.insert(a);
        } else if !u.resources.contains(&a) {
            u.overflow = true;
        }
    }
}

impl EventSink for Collector {
    fn accept(&mut self, event: Event) {
        self.add(&event);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_event::SourceFile;
    use cloudcase_read::{read_files, Limits};

    fn record(kind: &str, name: &str, ip: &str, extra: &str) -> String {
        let identity = match kind {
            "user" => {
                r#"{"type":"IAMUser","arn":"arn:aws:iam::1:user/u","accountId":"1","accessKeyId":"AKIAUSER","userName":"u"}"#
            }
            _ => {
                r#"{"type":"AssumedRole","arn":"arn:aws:sts::1:assumed-role/r/s1","accountId":"1","accessKeyId":"ASIAX","sessionContext":{"sessionIssuer":{"type":"Role","arn":"arn:aws:iam::1:role/r","userName":"r"}}}"#
            }
        };
        format!(
            r#"{{"eventVersion":"1.09","userIdentity":{identity},"eventTime":"2024-05-06T10:00:00Z","eventSource":"s3.amazonaws.com","eventName":"{name}","awsRegion":"us-east-1","sourceIPAddress":"{ip}","userAgent":"aws-cli/2","requestParameters":{{"bucketName":"b","key":"k/1"}},"eventID":"{name}-{ip}","recipientAccountId":"1"{extra}}}"#
        )
    }

    fn collect(records: &[String], exclusion: Exclusion) -> Collector {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.json");
        std::fs::write(&path, format!(r#"{{"Records":[{}]}}"#, records.join(","))).unwrap();
        let file = SourceFile::plain(&path);
        let ctx = Arc::new(Context::new(exclusion, Vec::new(), None).unwrap());
        let sinks = vec![
            Collector::new(Arc::clone(&ctx)),
            Collector::new(Arc::clone(&ctx)),
        ];
        let (sinks, _) = read_files(&[Arc::new(file)], Limits::default(), sinks, &|_| {});
        let mut total = Collector::new(ctx);
        for s in sinks {
            total.merge(s);
        }
        total
    }

    #[test]
    fn tallies_fold_sessions_drop_the_attacker_and_skip_failures() {
        let mut x = Exclusion::none();
        x.applied = true;
        x.sources.insert("203.0.113.9".into());
        let c = collect(
            &[
                record("user", "GetObject", "10.0.0.1", ""),
                record("user", "ListObjects", "10.0.0.2", ""),
                record("user", "DeleteObject", "203.0.113.9", ""),
                record(
                    "user",
                    "PutObject",
                    "10.0.0.1",
                    r#","errorCode":"AccessDenied""#,
                ),
                record("role", "GetObject", "10.1.0.1", ""),
            ],
            x,
        );
        let u = &c.principals["arn:aws:iam::1:user/u"];
        assert_eq!(u.excluded_attacker_events, 1);
        assert_eq!(u.denied_calls, 1);
        let actions: Vec<&str> = u.actions.keys().map(String::as_str).collect();
        assert_eq!(actions, ["s3:GetObject", "s3:ListBucket"]);
        assert_eq!(
            u.actions["s3:GetObject"]
                .resources
                .iter()
                .collect::<Vec<_>>(),
            ["arn:aws:s3:::b/*"]
        );
        assert_eq!(
            u.actions["s3:ListBucket"]
                .resources
                .iter()
                .collect::<Vec<_>>(),
            ["arn:aws:s3:::b"]
        );
        assert_eq!(u.keys["AKIAUSER"].calls, 2);
        assert_eq!(u.usage.networks.len(), 1, "{:?}", u.usage.networks);
        let r = &c.principals["arn:aws:iam::1:role/r"];
        assert_eq!(r.kind, "role");
        assert!(r.keys.is_empty(), "session keys are not long-term keys");
    }

    #[test]
    fn without_exclusion_everything_counts() {
        let c = collect(
            &[record("user", "DeleteObject", "203.0.113.9", "")],
            Exclusion::none(),
        );
        let u = &c.principals["arn:aws:iam::1:user/u"];
        assert_eq!(u.excluded_attacker_events, 0);
        assert!(u.actions.contains_key("s3:DeleteObject"));
    }
}
