//! Incident scenarios beside the leaked key: which one to embed
//! ([`Scenario`]), their ground truth, and the records they add.
//!
//! Each scenario is a table of steps (in `compute` and `root`) resolved for
//! the seed: addresses, names, times, instance types, regions and client
//! versions vary by seed, so a judgement tuned on one seed is checked on the
//! others. Records are rendered ahead of time ([`crate::record::Scripted`])
//! and mixed into the background traffic of their delivery file.

use std::fmt;
use std::str::FromStr;

use crate::rng::{derive, Rng};
use crate::world::{World, REGIONS};
use crate::{GenError, InstanceTruth};

mod compute;
mod reads;
mod rec;
mod root;
#[cfg(test)]
mod tests;

pub(crate) use compute::{build_compute, Compute};
pub(crate) use reads::data_events;
pub(crate) use rec::uuid as rec_uuid;
pub(crate) use root::build_root;

/// Which incident (if any) a corpus embeds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Scenario {
    /// No incident (unless [`crate::Config::incident`] is set).
    #[default]
    None,
    /// A CI user's long-term key leaks and is abused (the original scenario,
    /// also what `Config::incident = true` means).
    LeakedKey,
    /// No incident: employees roam between the office, home ISPs with dynamic
    /// addresses, mobile carriers and a CI runner pool (see
    /// [`crate::Config::roaming`], which adds the same to any scenario).
    RoamingOwners,
    /// The leaked-key attack in the first 90 minutes of the logs: the trail
    /// starts mid-attack.
    LogStart,
    /// An EC2 instance-role session credential used from a laptop to list and
    /// read a bucket (S3 data events are logged).
    InstanceCredential,
    /// A Lambda function's role session used from the internet, which then
    /// assumes a second role.
    LambdaCredential,
    /// An ECS (Fargate) task role session used from the internet, which then
    /// assumes a second role.
    EcsCredential,
    /// Root console takeover: failed then successful sign-in, a root access
    /// key, an admin user and a GPU instance in an unused region.
    RootConsole,
}

impl Scenario {
    /// Every scenario, in the order of their names in `--help`.
    pub const ALL: &'static [Scenario] = &[
        Scenario::None,
        Scenario::LeakedKey,
        Scenario::RoamingOwners,
        Scenario::LogStart,
        Scenario::InstanceCredential,
        Scenario::LambdaCredential,
        Scenario::EcsCredential,
        Scenario::RootConsole,
    ];

    /// The scenario's kebab-case name (`leaked-key`, `root-console`, …).
    pub fn name(self) -> &'static str {
        match self {
            Scenario::None => "none",
            Scenario::LeakedKey => "leaked-key",
            Scenario::RoamingOwners => "roaming-owners",
            Scenario::LogStart => "log-start",
            Scenario::InstanceCredential => "instance-credential",
            Scenario::LambdaCredential => "lambda-credential",
            Scenario::EcsCredential => "ecs-credential",
            Scenario::RootConsole => "root-console",
        }
    }
}

impl fmt::Display for Scenario {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Scenario {
    type Err = GenError;

    fn from_str(s: &str) -> Result<Scenario, GenError> {
        Scenario::ALL
            .iter()
            .copied()
            .find(|x| x.name() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = Scenario::ALL.iter().map(|x| x.name()).collect();
                GenError::Config(format!(
                    "unknown scenario {s:?}; expected one of {}",
                    names.join(", ")
                ))
            })
    }
}

/// One record of the corpus, named by time, eventID and eventName.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EventRef {
    /// `eventTime` (Unix seconds).
    pub time: i64,
    /// The record's `eventID`.
    pub event_id: String,
    /// The record's `eventName`.
    pub event_name: String,
}

/// Ground truth of a stolen compute credential (instance-credential,
/// lambda-credential, ecs-credential).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CredentialTruth {
    /// `ec2`, `lambda` or `ecs`.
    pub compute: String,
    /// The compute's role.
    pub role_name: String,
    /// ARN of that role.
    pub role_arn: String,
    /// Role session name: the instance id, function name or 32-hex task id.
    pub session_name: String,
    /// The instance whose credential was stolen (ec2).
    pub instance_id: Option<String>,
    /// The function whose credential was stolen (lambda).
    pub function_name: Option<String>,
    /// The task whose credential was stolen (ecs).
    pub task_id: Option<String>,
    /// The stolen `ASIA…` session key.
    pub access_key_id: String,
    /// Addresses the compute itself calls from.
    pub owner_ips: Vec<String>,
    /// The compute's own user agent.
    pub owner_user_agent: String,
    /// The attacker's address.
    pub attacker_ip: String,
    /// The attacker's client.
    pub attacker_user_agent: String,
    /// The attacker's first call.
    pub first_attacker_event: EventRef,
    /// `eventTime` (Unix seconds) of the attacker's last call.
    pub last_attacker_event_time: i64,
    /// Records made by the attacker (with either key).
    pub attacker_events: u64,
    /// Buckets whose objects the attacker read (GetObject).
    pub buckets_read: Vec<String>,
    /// Object keys the attacker read.
    pub objects_read: Vec<String>,
    /// The role the attacker assumed with the stolen credential (lambda, ecs).
    pub assumed_role_name: Option<String>,
    /// ARN of [`CredentialTruth::assumed_role_name`].
    pub assumed_role_arn: Option<String>,
    /// Session name the attacker gave the assumed role.
    pub assumed_role_session_name: Option<String>,
    /// The assumed role's `ASIA…` session key, used by the attacker.
    pub assumed_access_key_id: Option<String>,
    /// Region of the compute.
    pub region: String,
}

/// Ground truth of the root console takeover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RootTruth {
    /// `arn:aws:iam::<account>:root`.
    pub principal_arn: String,
    /// The attacker's address (sign-in, console and CLI).
    pub attacker_ip: String,
    /// The attacker's browser, then CLI, user agents.
    pub attacker_user_agents: Vec<String>,
    /// The first failed `ConsoleLogin`.
    pub first_attacker_event: EventRef,
    /// The successful `ConsoleLogin`.
    pub successful_login: EventRef,
    /// `ASIA…` keys of the attacker's root console session.
    pub console_access_keys: Vec<String>,
    /// The `AKIA…` access key the attacker created for root.
    pub root_access_keys: Vec<String>,
    /// IAM users the attacker created.
    pub created_users: Vec<String>,
    /// Access keys the attacker created for those users.
    pub created_access_keys: Vec<String>,
    /// Regions the company never uses where the attacker launched instances.
    pub attacker_regions: Vec<String>,
    /// Instances the attacker launched.
    pub instances: Vec<InstanceTruth>,
    /// `eventTime` (Unix seconds) of the attacker's last call.
    pub last_attacker_event_time: i64,
    /// Records made by the attacker.
    pub attacker_events: u64,
}

/// One benign roaming employee (must not be judged compromised).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoamingOwnerTruth {
    /// IAM user name.
    pub user_name: String,
    /// The user's long-term `AKIA…` key.
    pub access_key_id: String,
    /// User agents of the person's key, console and SSO sessions (unchanged
    /// wherever they call from).
    pub user_agents: Vec<String>,
    /// Office addresses.
    pub office_ips: Vec<String>,
    /// The home ISP's ranges (a new address every `home_lease_days`).
    pub home_ranges: Vec<String>,
    /// Days between two home address changes.
    pub home_lease_days: u32,
    /// The mobile carrier's ranges.
    pub mobile_ranges: Vec<String>,
    /// The CI runner pool the key is also used from (empty when not).
    pub ci_ranges: Vec<String>,
}

/// What a scenario adds: its records and its truth.
pub(crate) struct Built<T> {
    pub records: Vec<crate::record::Scripted>,
    pub truth: T,
}

/// The attacker's clock: a time on a day 40–80 % into the corpus (after at
/// least a day of history when there are two days or more), at a local hour
/// drawn from `hours` (company time).
pub(crate) fn attack_time(
    w: &World,
    start: i64,
    days: u32,
    rng: &mut Rng,
    hours: (u64, u64),
) -> i64 {
    let days = days as u64;
    let lo = (days * 2 / 5).max(1).min(days.saturating_sub(1));
    let hi = (days * 4 / 5).max(lo).min(days.saturating_sub(1));
    let day = rng.range(lo, hi) as i64;
    let local = rng.range(hours.0 * 3600, hours.1 * 3600) as i64;
    start + day * 86_400 + (local - w.tz as i64 * 3600).rem_euclid(86_400)
}

/// First octets of hosting and VPN providers attackers call from (distinct
/// from the company's office, ISP and cloud ranges).
const HOSTING: &[u8] = &[
    5, 23, 31, 37, 45, 46, 91, 102, 103, 146, 149, 185, 193, 195, 212,
];

/// An attacker address for this scenario.
pub(crate) fn attacker_ip(rng: &mut Rng) -> String {
    crate::world::public_ip(rng, HOSTING)
}

/// aws-cli v2 on a desktop OS (macOS or Windows), a version varied by seed;
/// calls append `md/command#…`.
pub(crate) fn desktop_cli(rng: &mut Rng) -> String {
    let os = if rng.chance(6500) {
        format!(
            "os/macos#{}.{}.0 md/arch#arm64",
            rng.range(22, 25),
            rng.below(6)
        )
    } else {
        "os/windows#10 md/arch#amd64".to_string()
    };
    format!(
        "aws-cli/2.{}.{} md/awscrt#0.{}.{} ua/2.0 {os} lang/python#3.11.{} md/pyimpl#CPython cfg/retry-mode#standard md/installer#{} md/prompt#off md/command#",
        rng.range(13, 23),
        rng.range(0, 40),
        rng.range(16, 23),
        rng.range(0, 5),
        rng.range(6, 10),
        if rng.chance(5000) { "source" } else { "exe" }
    )
}

/// A region neither home nor `avoid`, varied by seed.
pub(crate) fn foreign_region(w: &World, rng: &mut Rng) -> usize {
    let cands: Vec<usize> = (0..REGIONS.len()).filter(|r| !w.home.contains(r)).collect();
    *rng.pick(&cands)
}

/// The scenario's own random stream.
pub(crate) fn stream(w: &World, tag: u64) -> Rng {
    Rng::new(derive(w.seed, &[0x5ce7, tag]))
}

/// Reference to the record `r`.
pub(crate) fn event_ref(r: &crate::record::Scripted) -> EventRef {
    EventRef {
        time: r.t,
        event_id: r.event_id.clone(),
        event_name: r.name.to_string(),
    }
}

/// aws-cli's `md/command#<service>.<operation>` suffix for `api`.
pub(crate) fn cli_command(api: &str) -> String {
    let Some(m) = rec::meta(api) else {
        return String::new();
    };
    let service = match m.source.split('.').next().unwrap_or("") {
        "s3" => "s3api",
        other => other,
    };
    let mut op = String::new();
    for (i, c) in api.chars().enumerate() {
        if c.is_ascii_uppercase() && i > 0 {
            op.push('-');
        }
        op.push(c.to_ascii_lowercase());
    }
    if api == "ListObjects" {
        op.push_str("-v2");
    }
    format!("{service}.{op}")
}

impl EventRef {
    /// `{time, event_id, event_name}` with a CloudTrail-style time.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "time": crate::time::iso(self.time),
            "event_id": self.event_id,
            "event_name": self.event_name,
        })
    }
}

fn instances_json(items: &[InstanceTruth]) -> serde_json::Value {
    items
        .iter()
        .map(|x| {
            serde_json::json!({
                "instance_id": x.instance_id,
                "region": x.region,
                "instance_type": x.instance_type,
                "network_interface_id": x.network_interface_id,
                "private_ip": x.private_ip,
            })
        })
        .collect()
}

impl CredentialTruth {
    /// The truth as it appears in `truth.json`.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "compute": self.compute,
            "role_name": self.role_name,
            "role_arn": self.role_arn,
            "session_name": self.session_name,
            "instance_id": self.instance_id,
            "function_name": self.function_name,
            "task_id": self.task_id,
            "access_key_id": self.access_key_id,
            "owner_ips": self.owner_ips,
            "owner_user_agent": self.owner_user_agent,
            "attacker_ip": self.attacker_ip,
            "attacker_user_agent": self.attacker_user_agent,
            "first_attacker_event": self.first_attacker_event.json(),
            "last_attacker_event_time": crate::time::iso(self.last_attacker_event_time),
            "attacker_events": self.attacker_events,
            "buckets_read": self.buckets_read,
            "objects_read": self.objects_read,
            "assumed_role_name": self.assumed_role_name,
            "assumed_role_arn": self.assumed_role_arn,
            "assumed_role_session_name": self.assumed_role_session_name,
            "assumed_access_key_id": self.assumed_access_key_id,
            "region": self.region,
        })
    }
}

impl RootTruth {
    /// The truth as it appears in `truth.json`.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "principal_arn": self.principal_arn,
            "attacker_ip": self.attacker_ip,
            "attacker_user_agents": self.attacker_user_agents,
            "first_attacker_event": self.first_attacker_event.json(),
            "successful_login": self.successful_login.json(),
            "console_access_keys": self.console_access_keys,
            "root_access_keys": self.root_access_keys,
            "created_users": self.created_users,
            "created_access_keys": self.created_access_keys,
            "attacker_regions": self.attacker_regions,
            "instances": instances_json(&self.instances),
            "last_attacker_event_time": crate::time::iso(self.last_attacker_event_time),
            "attacker_events": self.attacker_events,
        })
    }
}

impl RoamingOwnerTruth {
    /// The truth as it appears in `truth.json`.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::json!({
            "user_name": self.user_name,
            "access_key_id": self.access_key_id,
            "user_agents": self.user_agents,
            "office_ips": self.office_ips,
            "home_ranges": self.home_ranges,
            "home_lease_days": self.home_lease_days,
            "mobile_ranges": self.mobile_ranges,
            "ci_ranges": self.ci_ranges,
        })
    }
}
