//! `cloudcase scope`: from one indicator (an access key, a principal, an address range, or
//! nothing: `--auto`) to the first attacker event, the attacker's sources, identities, sessions,
//! permission changes and resources, data-access verdicts with the coverage behind them, cost, a
//! containment plan, and what the logs cannot answer.
//!
//! Two streaming passes over the inputs (parallel, events unordered). Only compact aggregates and
//! pointers (time, file, record, event id) are kept; see `README.md` for the JSON schema.
#![deny(missing_docs)]

mod activity;
mod build;
mod choose;
mod geo;
mod intrusion;
mod launch;
mod logs;
mod net;
mod now;
mod policy;
mod record;
mod render;
mod scan;
mod stores;
#[cfg(test)]
mod test_doc;
#[cfg(test)]
mod test_trail;
mod verdict;

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;

use cloudcase_model::scope::ScopeResult;
use cloudcase_read::{
    read_files_tracked, Accounting, Files, Limits, Progress, Rejection, Selection,
};

pub use geo::{annotate_countries, CountryOf};
pub use launch::{find_launch, Launch};
pub use net::Cidr;
pub use render::{render_markdown, render_table};
pub use scan::{Subject, DEFAULT_CANDIDATE_MEMORY};

/// What to scope and how.
#[derive(Debug, Clone)]
pub struct Options {
    /// The starting indicator.
    pub subject: Subject,
    /// The owner's known address ranges (`--owner-ip`): never attacker sources.
    pub owner: Vec<Cidr>,
    /// Worker threads.
    pub threads: usize,
    /// Reader limits.
    pub limits: Limits,
    /// Case id used in the containment plan.
    pub case_id: String,
    /// Inventory snapshots (`aws:iam`, `aws:ec2`): what exists now.
    pub inventory: Vec<cloudcase_inventory::Snapshot>,
    /// Memory for the attacker window's candidate events, store accesses and key uses before
    /// they are spilled to temporary files, in bytes, all workers together (see
    /// [`DEFAULT_CANDIDATE_MEMORY`]).
    pub candidate_memory: usize,
    /// Directory for the spilled candidates and accesses (the system's temporary directory if
    /// `None`).
    pub temp_dir: Option<PathBuf>,
}

/// The result of a run.
#[derive(Debug)]
pub struct Outcome {
    /// The scope document (see README.md).
    pub result: ScopeResult,
    /// Accounting of the first pass (the second reads the same files).
    pub accounting: Accounting,
}

/// Why scoping could not produce a result.
#[derive(Debug, thiserror::Error)]
pub enum ScopeError {
    /// No event matches the subject.
    #[error("no event in the inputs matches {0}")]
    NoSubjectEvents(String),
    /// The attacker window's candidate events, store accesses or key uses could not be kept in
    /// or read back from temporary storage.
    #[error("scope's temporary storage of the attacker window (candidate events, store accesses, key uses) failed (see --temp-dir): {0}")]
    Spill(#[from] std::io::Error),
}

/// Runs both passes over `files` and builds the scope document.
pub fn scope(
    files: &dyn Files,
    opts: &Options,
    on_reject: &(dyn Fn(Rejection) + Sync),
    progress: &Progress,
) -> Result<Outcome, ScopeError> {
    let threads = opts.threads.max(1);
    let sinks: Vec<_> = (0..threads)
        .map(|_| scan::Pass1Sink {
            subject: &opts.subject,
            state: scan::Pass1::default(),
        })
        .collect();
    let (sinks, accounting) = read_files_tracked(files, opts.limits, sinks, on_reject, progress);
    let mut history = scan::Pass1::merge_all(sinks.into_iter().map(|s| s.state).collect());
    let coverage = std::mem::take(&mut history.coverage);
    let file_last = std::mem::take(&mut history.file_last_ms);
    let counted = Counted {
        coverage,
        file_last,
    };
    let owner = |ip: &str| opts.owner.iter().any(|c| c.contains(ip));
    let (subject_key, intrusion, ranking, claim_unknowns) =
        match choose::choose_subject(&opts.subject, &history, &owner)? {
            choose::Choice::Found {
                key,
                intrusion,
                ranking,
                unknowns,
            } => (key, intrusion, ranking, unknowns),
            choose::Choice::NoDeparture {
                key,
                explanation,
                ranking,
            } => {
                let named = key
                    .as_deref()
                    .and_then(|k| history.profiles.get_key_value(k));
                let Some((key, profile)) = named else {
                    let mut result = build::no_departure(&opts.subject, &history, &explanation);
                    result.subject.auto_ranking = ranking;
                    return Ok(Outcome { result, accounting });
                };
                let subject = (key, profile);
                let result = named_activity(files, opts, &history, counted, subject, &explanation)?;
                return Ok(Outcome { result, accounting });
            }
        };
    let trail = cloudtrail_files(files, &history);
    let window = read_window(
        &trail,
        opts,
        Window {
            subject_key: &subject_key,
            profile: &history.profiles[&subject_key],
            t0: intrusion.first.ms,
            addresses: &intrusion.attacker_ips,
            span: history
                .span
                .unwrap_or((intrusion.first.ms, intrusion.first.ms)),
        },
        counted,
    )?;
    let launches = logs::launch_networks(window.candidates.iter(files));
    let mut result = build::build(build::Inputs {
        subject: &opts.subject,
        subject_key: &subject_key,
        profile: &history.profiles[&subject_key],
        history: &history,
        claim: build::Claim::Intrusion(&intrusion),
        ranking,
        window,
        files,
        owner: &owner,
        owner_ranges: &opts.owner,
        case_id: &opts.case_id,
    })?;
    result.unknowns.extend(claim_unknowns);
    let profile = &history.profiles[&subject_key];
    other_logs(
        &mut result,
        files,
        opts,
        &history,
        profile,
        intrusion.first.ms,
        &launches,
    );
    now::annotate(&mut result, &opts.inventory);
    Ok(Outcome { result, accounting })
}

/// The input files that hold CloudTrail records (pass 2 reads no others).
fn cloudtrail_files<'a>(files: &'a dyn Files, history: &scan::Pass1) -> Selection<'a> {
    Selection::of(files, |f| history.cloudtrail_files.contains(f.ordinal))
}

/// What pass 1 counted for pass 2: the coverage it hands over, and when each file ends.
struct Counted {
    coverage: scan::Coverage,
    file_last: scan::LastTimes,
}

/// The window pass 2 reads: the subject's profile, the first attacker event, and the addresses
/// whose every event is kept as a candidate.
struct Window<'a> {
    subject_key: &'a str,
    profile: &'a scan::Profile,
    t0: i64,
    addresses: &'a HashSet<String>,
    /// What the logs span (pass 1), which sets the activity charts' buckets.
    span: (i64, i64),
}

/// Pass 2 over the `files` that reach the hour of `t0`, with every event from `addresses`
/// kept as a candidate. Earlier files hold nothing pass 1 did not count.
fn read_window(
    files: &dyn Files,
    opts: &Options,
    window: Window<'_>,
    counted: Counted,
) -> Result<scan::Pass2, ScopeError> {
    let from = scan::hour_start(window.t0);
    let files = Selection::of(files, |f| {
        counted.file_last.get(f.ordinal).is_some_and(|l| l >= from)
    });
    // Half the budget for the candidates, a sixth each for the store accesses, the key uses and
    // the window's activity counts, split over the workers; the few ListBuckets calls are held
    // at the smallest budget.
    let threads = opts.threads.max(1);
    let budget = opts.candidate_memory / 2 / threads;
    let temp = || opts.temp_dir.clone();
    let first = scan::CandidateSpool::new(budget, temp());
    let spools: Vec<_> = (1..threads).map(|_| first.share(budget)).collect();
    let sinks: Vec<_> = std::iter::once(first)
        .chain(spools)
        .map(|spool| {
            let mut state = scan::Pass2 {
                store_access: scan::StoreAccesses::new(budget / 3, false, temp()),
                key_use: scan::KeyUses::new(budget / 3, true, temp()),
                list_buckets: scan::KeyUses::new(0, true, temp()),
                ..Default::default()
            };
            state.coverage.activity =
                activity::Activity::for_window(window.span, budget / 3, temp());
            scan::Pass2Sink {
                subject: &opts.subject,
                subject_key: window.subject_key,
                t0: window.t0,
                attacker_ips: window.addresses,
                state,
                spool,
            }
        })
        .collect();
    let (sinks, _) = read_files_tracked(&files, opts.limits, sinks, &|_| {}, &Progress::default());
    let (parts, spools) = sinks.into_iter().map(|s| (s.state, s.spool)).unzip();
    let baseline = window.profile.hourly.before_hour_of(window.t0);
    Ok(scan::Pass2::merge_all(
        parts,
        spools,
        counted.coverage,
        baseline,
        window.t0,
    )?)
}

/// The document for a named subject whose history shows no departure: everything it did from
/// its first event (every event from its addresses is read, so that its read-only calls and
/// keys are known), and what it created, unattributed, beside the explanation.
fn named_activity(
    files: &dyn Files,
    opts: &Options,
    history: &scan::Pass1,
    counted: Counted,
    (key, profile): (&String, &scan::Profile),
    explanation: &str,
) -> Result<ScopeResult, ScopeError> {
    let Some(first) = profile.first.as_ref() else {
        return Ok(build::no_departure(&opts.subject, history, explanation));
    };
    let addresses: HashSet<String> = profile
        .ips
        .keys()
        .filter(|ip| net::network_of(ip).is_some())
        .map(|ip| ip.to_string())
        .collect();
    let trail = cloudtrail_files(files, history);
    let window = Window {
        subject_key: key,
        profile,
        t0: first.ms,
        addresses: &addresses,
        span: history.span.unwrap_or((first.ms, first.ms)),
    };
    let window = read_window(&trail, opts, window, counted)?;
    let launches = logs::launch_networks(window.candidates.iter(files));
    let owner = |ip: &str| opts.owner.iter().any(|c| c.contains(ip));
    let mut result = build::build(build::Inputs {
        subject: &opts.subject,
        subject_key: key,
        profile,
        history,
        claim: build::Claim::Unattributed { first, explanation },
        ranking: Vec::new(),
        window,
        files,
        owner: &owner,
        owner_ranges: &opts.owner,
        case_id: &opts.case_id,
    })?;
    other_logs(
        &mut result,
        files,
        opts,
        history,
        profile,
        first.ms,
        &launches,
    );
    now::annotate(&mut result, &opts.inventory);
    Ok(result)
}

/// Reads the logs beyond CloudTrail (S3 access, VPC flow, GuardDuty, Route 53 Resolver) the
/// first pass saw, and matches them against the attacker the document names from `t0` on.
fn other_logs(
    doc: &mut ScopeResult,
    files: &dyn Files,
    opts: &Options,
    history: &scan::Pass1,
    profile: &scan::Profile,
    t0: i64,
    launches: &HashMap<String, logs::InstanceNet>,
) {
    let usual = profile
        .ips
        .iter()
        .filter(|(_, u)| u.first.ms < t0)
        .map(|(ip, _)| ip.to_string())
        .collect();
    let known = logs::Known {
        t0,
        end: history.span.map_or(t0, |s| s.1),
        launches,
        usual,
        owner: &opts.owner,
    };
    let facts = logs::Facts::of(doc, known);
    let pass = logs::read(
        files,
        &history.other_files,
        &facts,
        opts.limits,
        opts.threads,
    );
    logs::apply(doc, &facts, pass);
}
