//! Deterministic generator of CloudTrail log corpora, in AWS's real S3
//! delivery layout, for tests, the `cloudcase demo` command and benchmarks.
//!
//! [`generate`] writes, from a `u64` seed, files exactly where a trail would
//! deliver them:
//!
//! ```text
//! <out>/AWSLogs/<account>/CloudTrail/<region>/YYYY/MM/DD/
//!     <account>_CloudTrail_<region>_<YYYYMMDD>T<HHMM>Z_<16 alnum>.json.gz
//! ```
//!
//! (or `AWSLogs/<o-org>/<account>/…` for an organization trail), each a gzip
//! of one line `{"Records":[…]}` with about five minutes of one region's
//! events. Records have CloudTrail's shape and key order, a realistic mix of
//! 89 APIs over 17 services called by IAM users, assumed roles, service
//! principals and occasionally root, concentrated in 1–3 home regions with
//! sparse service noise elsewhere. Optionally an incident is embedded
//! ([`Scenario`]: a leaked CI access key abused from foreign IPs then
//! contained, the same attack at the very start of the logs, a stolen EC2,
//! Lambda or ECS role session, a root console takeover), employees may roam
//! over dynamic home, mobile and CI addresses ([`Config::roaming`]), and the
//! returned [`Summary`] is the ground truth tests compare readers against
//! ([`IncidentTruth`], [`CredentialTruth`], [`RootTruth`],
//! [`RoamingOwnerTruth`]; each names the attacker's first record by eventID).
//!
//! With [`Config::sources`], S3 server access logs, VPC Flow Logs, Route 53
//! Resolver query logs, GuardDuty findings and a Cost and Usage Report are
//! written beside the trail, each in its AWS delivery layout and consistent
//! with it (the attacker's instances, interfaces, reads and keys are read
//! back from the scenario's CloudTrail records), and [`SourcesTruth`] says
//! what each shows.
//!
//! [`Config::shape`] picks how the corpus is cut: the standard shape (about
//! 30 KB per file over every window of `days`, one account) or
//! [`Shape::Busy`]: busy accounts' files of 0.2–5 MB, one per account
//! ([`Config::accounts`]), region and 5-minute window, records of about
//! 1.3 KB with long `responseElements` (DescribeInstances over many
//! reservations, DescribeSecurityGroups, ListObjects, DescribeVolumes) among
//! S3 data events and KMS calls by services, over as many consecutive
//! windows as the size buys.
//!
//! Generation streams file by file (memory is bounded by one file per
//! thread), runs on `threads` scoped threads, and the output is
//! byte-identical for the same seed and configuration whatever the thread
//! count.

#![deny(missing_docs)]

mod busy;
mod catalog;
mod incident;
mod output;
mod plan;
mod record;
mod rng;
mod scenario;
mod scripted;
mod sources;
mod template;
mod time;
mod world;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub use busy::Shape;
pub use scenario::{CredentialTruth, EventRef, RoamingOwnerTruth, RootTruth, Scenario};
pub use sources::{
    BillingTruth, BucketAccessTruth, CostTruth, DnsTruth, FindingTruth, FlowInstanceTruth,
    FlowLogTruth, FlowTruth, GuardDutyTruth, S3AccessTruth, Source, Sources, SourcesTruth,
};
pub use time::Date;

use incident::{Who, STEPS};
use record::{Model, Scripted};
use scenario::Compute;
use world::{Roamer, World};

/// Errors of [`generate`] and [`Summary::write_json`].
#[derive(Debug, thiserror::Error)]
pub enum GenError {
    /// The configuration is unusable (bad account id, zero days, …).
    #[error("invalid configuration: {0}")]
    Config(String),
    /// Reading or writing a file or directory failed.
    #[error("I/O error on {path}: {source}")]
    Io {
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// A catalogue or scenario template is malformed (a bug in this crate).
    #[error("internal template error: {0}")]
    Template(String),
    /// A worker thread panicked (a bug in this crate).
    #[error("a generator worker thread panicked")]
    WorkerPanicked,
}

/// What to generate. Same `Config` (including `seed`) ⇒ byte-identical
/// output, whatever `threads` is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// Seed of every random choice (company, identities, events, file names).
    pub seed: u64,
    /// Directory that receives `AWSLogs/…` (created if missing; existing
    /// files with the same names are replaced).
    pub out_dir: PathBuf,
    /// Approximate total size of the uncompressed JSON to produce, in bytes.
    /// The incident (about 70 KB) comes on top of tiny targets.
    pub target_bytes: u64,
    /// First day (UTC) of the corpus.
    pub start: Date,
    /// Number of days covered (at least 1).
    pub days: u32,
    /// 12-digit AWS account id of the trail.
    pub account_id: String,
    /// Organization id (`o-…`) for the organization-trail layout
    /// `AWSLogs/<org>/<account>/CloudTrail/…`; `None` for an account trail.
    pub organization_id: Option<String>,
    /// Also log S3 object-level data events (GetObject/PutObject, category
    /// `Data`); they then make up a large share of the volume, as in real trails.
    pub data_events: bool,
    /// Embed the leaked-key incident scenario (see [`IncidentTruth`]); the
    /// same as `scenario: Scenario::LeakedKey`, kept for compatibility.
    pub incident: bool,
    /// The incident to embed (see [`Scenario`]); [`Scenario::None`] defers
    /// to `incident`. `InstanceCredential` turns S3 data events on.
    pub scenario: Scenario,
    /// Log sources to write beside CloudTrail (S3 access logs, VPC Flow
    /// Logs, Route 53 Resolver query logs, GuardDuty findings, a Cost and
    /// Usage Report), consistent with it; CloudTrail only by default.
    pub sources: Sources,
    /// Make two or three employees roam between the office, home ISPs with
    /// dynamic addresses, mobile carriers and a CI runner pool (benign; see
    /// [`RoamingOwnerTruth`]), whatever the scenario.
    pub roaming: bool,
    /// Worker threads; 0 means one per available core.
    pub threads: usize,
    /// gzip level 0–9 (CloudTrail's files look like level 6).
    pub compression_level: u32,
    /// How the corpus is cut into files and what its records look like
    /// ([`Shape::Standard`] by default; [`Shape::Busy`] for busy accounts).
    pub shape: Shape,
    /// Number of accounts writing to the trail (the busy shape only; the
    /// first is `account_id`, which holds the scenario). At least 1.
    pub accounts: u32,
}

impl Default for Config {
    /// A small corpus: 2 MB of JSON over 14 days from 2024-05-06, account
    /// 123456789012, no data events, no incident, all cores, gzip level 6,
    /// written under `./cloudcase-corpus`.
    fn default() -> Config {
        Config {
            seed: 1,
            out_dir: PathBuf::from("cloudcase-corpus"),
            target_bytes: 2_000_000,
            start: Date {
                year: 2024,
                month: 5,
                day: 6,
            },
            days: 14,
            account_id: "123456789012".to_string(),
            organization_id: None,
            data_events: false,
            incident: false,
            scenario: Scenario::None,
            roaming: false,
            sources: Sources::default(),
            threads: 0,
            compression_level: 6,
            shape: Shape::Standard,
            accounts: 1,
        }
    }
}

impl Config {
    fn validate(&self) -> Result<(), GenError> {
        let bad = |m: String| Err(GenError::Config(m));
        if self.account_id.len() != 12 || !self.account_id.bytes().all(|b| b.is_ascii_digit()) {
            return bad(format!(
                "account id must be 12 digits, got {:?}",
                self.account_id
            ));
        }
        if let Some(org) = &self.organization_id {
            let rest = org.strip_prefix("o-").unwrap_or("");
            if !(10..=32).contains(&rest.len())
                || !rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            {
                return bad(format!(
                    "organization id must look like o-[a-z0-9]{{10,32}}, got {org:?}"
                ));
            }
        }
        if self.days == 0 || self.days > 3660 {
            return bad(format!("days must be 1..=3660, got {}", self.days));
        }
        if self.compression_level > 9 {
            return bad(format!(
                "compression level must be 0..=9, got {}",
                self.compression_level
            ));
        }
        Date::new(self.start.year, self.start.month, self.start.day)?;
        if self.accounts == 0 || self.accounts > busy::MAX_ACCOUNTS {
            return bad(format!(
                "accounts must be 1..={}, got {}",
                busy::MAX_ACCOUNTS,
                self.accounts
            ));
        }
        if self.accounts > 1 && self.shape != Shape::Busy {
            return bad(format!(
                "{} accounts need the busy shape (the standard shape writes one account)",
                self.accounts
            ));
        }
        if self.incident && !matches!(self.scenario, Scenario::None | Scenario::LeakedKey) {
            return bad(format!(
                "incident (the leaked key) cannot be combined with scenario {}",
                self.scenario
            ));
        }
        Ok(())
    }

    /// The scenario generated: `scenario`, or the leaked key when only
    /// `incident` is set.
    pub fn effective_scenario(&self) -> Scenario {
        match self.scenario {
            Scenario::None if self.incident => Scenario::LeakedKey,
            s => s,
        }
    }

    /// True when employees roam (`roaming`, or the roaming-owners scenario).
    pub fn roams(&self) -> bool {
        self.roaming || self.scenario == Scenario::RoamingOwners
    }
}

/// Ground truth of a generated corpus: what was written, for tests and
/// benchmarks to compare a reader's results against.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// Seed the corpus was generated from.
    pub seed: u64,
    /// Account id of every record's `recipientAccountId`.
    pub account_id: String,
    /// Regions with the company's own activity (primary first); all other
    /// regions only carry sparse service noise (and the attacker's launches).
    pub home_regions: Vec<String>,
    /// Number of `.json.gz` files written.
    pub files: u64,
    /// Number of records across all files.
    pub records: u64,
    /// Total size of the JSON before compression.
    pub uncompressed_bytes: u64,
    /// Total size of the files on disk.
    pub compressed_bytes: u64,
    /// Records per `eventName`.
    pub event_counts: BTreeMap<String, u64>,
    /// Earliest `eventTime` (Unix seconds), `None` for an empty corpus.
    pub first_event_time: Option<i64>,
    /// Latest `eventTime` (Unix seconds), `None` for an empty corpus.
    pub last_event_time: Option<i64>,
    /// The scenario generated ([`Config::effective_scenario`]).
    pub scenario: Scenario,
    /// The leaked-key incident (scenarios `leaked-key` and `log-start`).
    pub incident: Option<IncidentTruth>,
    /// The stolen compute credential (`instance-credential`,
    /// `lambda-credential`, `ecs-credential`).
    pub credential: Option<CredentialTruth>,
    /// The root console takeover (`root-console`).
    pub root: Option<RootTruth>,
    /// Benign roaming employees (`roaming-owners` or [`Config::roaming`]);
    /// none of them is compromised.
    pub roaming_owners: Vec<RoamingOwnerTruth>,
    /// What the sources beside CloudTrail show ([`Config::sources`]);
    /// `None` when only CloudTrail was written.
    pub sources: Option<SourcesTruth>,
    /// The corpus shape ([`Config::shape`]).
    pub shape: Shape,
    /// Every account written, `account_id` first (one for the standard shape).
    pub accounts: Vec<String>,
}

/// Ground truth of the embedded incident: the facts an investigation of the
/// corpus should recover.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IncidentTruth {
    /// IAM user whose long-term key leaked (`deploy-bot`).
    pub user_name: String,
    /// The leaked `AKIA…` access key id.
    pub access_key_id: String,
    /// Source IPs the attacker used (with the leaked and the created key).
    pub attacker_ips: Vec<String>,
    /// User agent of every attacker call.
    pub attacker_user_agent: String,
    /// IAM users the attacker created.
    pub created_users: Vec<String>,
    /// Access keys the attacker created (for `created_users`).
    pub created_access_keys: Vec<String>,
    /// Backdoor roles the attacker created.
    pub created_roles: Vec<String>,
    /// External account trusted by the backdoor role.
    pub external_account_id: String,
    /// Regions the company never uses where the attacker launched instances.
    pub attacker_regions: Vec<String>,
    /// Instances the attacker successfully launched.
    pub instances: Vec<InstanceTruth>,
    /// `eventTime` (Unix seconds) of the attacker's first call.
    pub first_attacker_event_time: i64,
    /// The attacker's first call (time, eventID, eventName).
    pub first_attacker_event: EventRef,
    /// True when the logs start mid-attack (`log-start`): the attacker's
    /// earlier calls are not in the corpus.
    pub logs_start_mid_attack: bool,
    /// `eventTime` (Unix seconds) of the attacker's last call.
    pub last_attacker_event_time: i64,
    /// Number of records made by the attacker.
    pub attacker_events: u64,
    /// IAM user who contained the incident.
    pub responder_user_name: String,
    /// The responder's usual source IP, used for containment.
    pub responder_ip: String,
    /// `eventTime` (Unix seconds) of the first containment action.
    pub containment_time: i64,
}

/// An EC2 instance launched by the attacker.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InstanceTruth {
    /// `i-…` id, as in RunInstances' responseElements.
    pub instance_id: String,
    /// Region it runs in.
    pub region: String,
    /// Instance type, e.g. `p3.2xlarge`.
    pub instance_type: String,
    /// Its primary network interface (`eni-…`), as in RunInstances'
    /// `networkInterfaceSet` and in VPC Flow Logs.
    pub network_interface_id: String,
    /// Its private IPv4 address.
    pub private_ip: String,
}

fn iso_opt(t: Option<i64>) -> serde_json::Value {
    t.map_or(serde_json::Value::Null, |t| time::iso(t).into())
}

impl Summary {
    /// The summary as pretty JSON (times as CloudTrail-style
    /// `YYYY-MM-DDTHH:MM:SSZ` strings), the format of `truth.json`.
    pub fn to_json(&self) -> String {
        let incident = self.incident.as_ref().map(|i| {
            serde_json::json!({
                "user_name": i.user_name,
                "access_key_id": i.access_key_id,
                "attacker_ips": i.attacker_ips,
                "attacker_user_agent": i.attacker_user_agent,
                "created_users": i.created_users,
                "created_access_keys": i.created_access_keys,
                "created_roles": i.created_roles,
                "external_account_id": i.external_account_id,
                "attacker_regions": i.attacker_regions,
                "instances": i.instances.iter().map(|x| serde_json::json!({
                    "instance_id": x.instance_id,
                    "region": x.region,
                    "instance_type": x.instance_type,
                    "network_interface_id": x.network_interface_id,
                    "private_ip": x.private_ip,
                })).collect::<Vec<_>>(),
                "first_attacker_event_time": time::iso(i.first_attacker_event_time),
                "first_attacker_event": i.first_attacker_event.json(),
                "logs_start_mid_attack": i.logs_start_mid_attack,
                "last_attacker_event_time": time::iso(i.last_attacker_event_time),
                "attacker_events": i.attacker_events,
                "responder_user_name": i.responder_user_name,
                "responder_ip": i.responder_ip,
                "containment_time": time::iso(i.containment_time),
            })
        });
        let v = serde_json::json!({
            "generator": concat!("cloudcase-gen ", env!("CARGO_PKG_VERSION")),
            "seed": self.seed,
            "account_id": self.account_id,
            "home_regions": self.home_regions,
            "files": self.files,
            "records": self.records,
            "uncompressed_bytes": self.uncompressed_bytes,
            "compressed_bytes": self.compressed_bytes,
            "first_event_time": iso_opt(self.first_event_time),
            "last_event_time": iso_opt(self.last_event_time),
            "event_counts": self.event_counts,
            "scenario": self.scenario.name(),
            "incident": incident,
            "credential": self.credential.as_ref().map(CredentialTruth::json),
            "root": self.root.as_ref().map(RootTruth::json),
            "roaming_owners": self.roaming_owners.iter().map(RoamingOwnerTruth::json).collect::<Vec<_>>(),
            "sources": self.sources.as_ref().map(SourcesTruth::json),
        });
        // The standard shape's truth keeps its keys (benchmarks compare it).
        let v = match (self.shape, v) {
            (Shape::Busy, serde_json::Value::Object(mut m)) => {
                m.insert("shape".into(), self.shape.name().into());
                m.insert("accounts".into(), self.accounts.clone().into());
                serde_json::Value::Object(m)
            }
            (_, v) => v,
        };
        serde_json::to_string_pretty(&v).unwrap_or_default()
    }

    /// Writes [`Summary::to_json`] to `path` atomically (conventionally
    /// `<out>/truth.json`, beside `AWSLogs`).
    pub fn write_json(&self, path: &Path) -> Result<(), GenError> {
        let err = |source| GenError::Io {
            path: path.to_path_buf(),
            source,
        };
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(err)?;
        }
        let file_name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "truth.json".to_string());
        let tmp = path.with_file_name(format!(".{file_name}.tmp"));
        std::fs::write(&tmp, self.to_json() + "\n").map_err(|e| GenError::Io {
            path: tmp.clone(),
            source: e,
        })?;
        std::fs::rename(&tmp, path).map_err(err)
    }
}

/// Generates the corpus described by `cfg` and returns its ground truth.
///
/// Deterministic: the same `cfg` (whatever `threads`) produces the same
/// files, byte for byte, and the same summary.
pub fn generate(cfg: &Config) -> Result<Summary, GenError> {
    cfg.validate()?;
    if cfg.shape == Shape::Busy {
        return busy::generate(cfg);
    }
    let start = cfg.start.unix_seconds();
    let staged = stage(cfg, cfg.days, false)?;
    let model = &staged.model;
    let avg = plan::estimate_record_bytes(model, cfg.seed, start);
    let scripted_bytes: usize = model.scripted.iter().map(|r| r.json.len() + 1).sum();
    let records = ((cfg.target_bytes as f64 - scripted_bytes as f64).max(0.0) / avg).floor();
    let jobs = plan::plan(model, cfg.seed, start, cfg.days, records);
    let stats = output::run(model, cfg, &jobs)?;
    finish(cfg, staged, stats)
}

/// The primary account's model with its scenario rendered, and the truths
/// known before the background is written.
struct Staged {
    model: Model,
    scenario: Scenario,
    roamers: Vec<Roamer>,
    incident: Option<IncidentTruth>,
    credential: Option<CredentialTruth>,
    root: Option<RootTruth>,
    leaked_reads: Vec<sources::facts::S3Read>,
}

/// Builds the primary account's world and model for a corpus of `days`
/// days and renders the scenario's records into `model.scripted`, sorted by
/// region and time. `busy` builds the busy shape's model.
fn stage(cfg: &Config, days: u32, busy: bool) -> Result<Staged, GenError> {
    let start = cfg.start.unix_seconds();
    let scenario = cfg.effective_scenario();
    let mut world = World::new(cfg.seed, &cfg.account_id);
    let roamers = if cfg.roams() {
        world.enable_roaming()
    } else {
        Vec::new()
    };
    let incident = matches!(scenario, Scenario::LeakedKey | Scenario::LogStart)
        .then(|| incident::Incident::new(&world, start, days, scenario == Scenario::LogStart));
    let data_events = busy || cfg.data_events || scenario == Scenario::InstanceCredential;
    let mut model = if busy {
        Model::new_busy(world, incident)?
    } else {
        Model::new(world, incident, data_events)?
    };

    let inc_records = model.render_incident();
    let mut incident = incident_truth(&model, &inc_records, scenario == Scenario::LogStart);
    if let Some(i) = incident.as_ref().filter(|i| i.logs_start_mid_attack) {
        // The key's owner shows up later, from its usual networks.
        model.victim_quiet_until = i.first_attacker_event_time + 600;
    }
    let (mut credential, mut root) = (None, None);
    let mut records = inc_records;
    let compute = match scenario {
        Scenario::InstanceCredential => Some(Compute::Ec2),
        Scenario::LambdaCredential => Some(Compute::Lambda),
        Scenario::EcsCredential => Some(Compute::Ecs),
        _ => None,
    };
    if let Some(kind) = compute {
        let built = scenario::build_compute(&model, kind, start, days)?;
        records.extend(built.records);
        credential = Some(built.truth);
    } else if scenario == Scenario::RootConsole {
        let built = scenario::build_root(&model, start, days)?;
        records.extend(built.records);
        root = Some(built.truth);
    }
    let span = (start, start + days as i64 * 86_400);
    // The leaked key's reads of the customer-data bucket: in the access logs,
    // and in the trail too when it logs data events.
    let mut leaked_reads = Vec::new();
    if let Some(i) = incident.as_mut().filter(|_| cfg.sources.any_extra()) {
        leaked_reads = sources::facts::leaked_key_reads(&model.world, i, &records, span);
        if data_events {
            let w = &model.world;
            let read_records =
                scenario::data_events(w, &w.idents[w.victim].json_a, w.home[0], &leaked_reads)?;
            i.attacker_events += read_records.len() as u64;
            if let Some(last) = read_records.iter().map(|r| r.t).max() {
                i.last_attacker_event_time = i.last_attacker_event_time.max(last);
            }
            records.extend(read_records);
        }
    }
    records.sort_by_key(|r| (r.region, r.t));
    model.scripted = records;
    Ok(Staged {
        model,
        scenario,
        roamers,
        incident,
        credential,
        root,
        leaked_reads,
    })
}

/// Counts, writes the other sources (for `cfg.days` days) and assembles the
/// summary of a corpus whose CloudTrail files `stats` describe.
fn finish(cfg: &Config, staged: Staged, stats: output::Stats) -> Result<Summary, GenError> {
    let Staged {
        model,
        scenario,
        roamers,
        incident,
        credential,
        root,
        leaked_reads,
    } = staged;
    let mut event_counts = BTreeMap::new();
    for (ca, &n) in model.apis.iter().zip(&stats.per_api) {
        if n > 0 {
            *event_counts.entry(ca.api.name.to_string()).or_insert(0) += n;
        }
    }
    for r in &model.scripted {
        *event_counts.entry(r.name.to_string()).or_insert(0) += 1;
    }
    let w = &model.world;
    let sources = if cfg.sources.any_extra() {
        let truths = sources::facts::Truths {
            incident: incident.as_ref(),
            credential: credential.as_ref(),
            root: root.as_ref(),
        };
        let facts = sources::facts::gather(w, &model.scripted, &truths, &leaked_reads);
        Some(sources::write(cfg, w, &facts)?)
    } else {
        None
    };
    Ok(Summary {
        seed: cfg.seed,
        account_id: cfg.account_id.clone(),
        home_regions: w
            .home
            .iter()
            .map(|&r| World::region_name(r).to_string())
            .collect(),
        files: stats.files,
        records: stats.records,
        uncompressed_bytes: stats.uncompressed,
        compressed_bytes: stats.compressed,
        event_counts,
        first_event_time: stats.first,
        last_event_time: stats.last,
        scenario,
        incident,
        credential,
        root,
        roaming_owners: roamers.iter().map(|r| roaming_truth(w, r)).collect(),
        sources,
        shape: cfg.shape,
        accounts: vec![cfg.account_id.clone()],
    })
}

/// The leaked-key incident's truth; `records` are its rendered events in
/// `incident.events` order.
fn incident_truth(model: &Model, records: &[Scripted], log_start: bool) -> Option<IncidentTruth> {
    let inc = model.incident.as_ref()?;
    let w = &model.world;
    let mut ips: Vec<String> = Vec::new();
    let (mut first, mut last, mut contain, mut n) = (i64::MAX, i64::MIN, i64::MAX, 0u64);
    let mut first_ref = None;
    for (e, r) in inc.events.iter().zip(records) {
        match STEPS[e.step].who {
            Who::Attacker(k) | Who::NewUser(k) => {
                let ip = &inc.ips[k as usize % inc.ips.len()];
                if !ips.contains(ip) {
                    ips.push(ip.clone());
                }
                if e.t < first {
                    first_ref = Some(scenario::event_ref(r));
                }
                first = first.min(e.t);
                last = last.max(e.t);
                n += 1;
            }
            Who::Responder => contain = contain.min(e.t),
        }
    }
    let victim = &w.idents[w.victim];
    let responder = &w.idents[w.responder];
    Some(IncidentTruth {
        user_name: victim.name.clone(),
        access_key_id: victim.key.clone(),
        attacker_ips: ips,
        attacker_user_agent: inc.ua.to_string(),
        created_users: vec![inc.new_user.clone()],
        created_access_keys: vec![inc.new_key.clone()],
        created_roles: vec![inc.new_role.clone()],
        external_account_id: inc.ext_acct.clone(),
        attacker_regions: inc.foreign_names(),
        instances: inc
            .launches
            .iter()
            .flat_map(|l| {
                l.ids.iter().map(move |id| {
                    let nic = w.nic(l.region, id);
                    InstanceTruth {
                        instance_id: id.clone(),
                        region: World::region_name(l.region).to_string(),
                        instance_type: l.itype.to_string(),
                        network_interface_id: nic.eni,
                        private_ip: nic.private_ip,
                    }
                })
            })
            .collect(),
        first_attacker_event_time: first,
        first_attacker_event: first_ref?,
        logs_start_mid_attack: log_start,
        last_attacker_event_time: last,
        attacker_events: n,
        responder_user_name: responder.name.clone(),
        responder_ip: responder.ips[0].clone(),
        containment_time: contain,
    })
}

/// A roaming employee's truth.
fn roaming_truth(w: &World, r: &Roamer) -> RoamingOwnerTruth {
    let mut user_agents: Vec<String> = Vec::new();
    for &i in &r.idents {
        if !user_agents.contains(&w.idents[i].ua) {
            user_agents.push(w.idents[i].ua.clone());
        }
    }
    let cidrs = |b: &[world::Block]| b.iter().map(|b| b.cidr()).collect();
    RoamingOwnerTruth {
        user_name: r.user_name.clone(),
        access_key_id: r.access_key_id.clone(),
        user_agents,
        office_ips: r.roam.office.clone(),
        home_ranges: cidrs(&r.roam.home),
        home_lease_days: r.roam.period_days as u32,
        mobile_ranges: cidrs(&r.roam.mobile),
        ci_ranges: cidrs(&r.roam.ci),
    }
}

#[cfg(test)]
mod tests;
