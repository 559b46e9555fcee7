//! Log sources beside CloudTrail: S3 server access logs, VPC Flow Logs,
//! Route 53 Resolver query logs, GuardDuty findings and a Cost and Usage
//! Report, each in its AWS delivery layout and consistent with the
//! CloudTrail corpus (same account, regions, instances, principals,
//! addresses and times).
//!
//! What the attacker did is read back from the scenario's rendered
//! CloudTrail records ([`facts`]): its RunInstances (instance, interface,
//! private address), its S3 data events, its addresses. Every writer is a
//! pure function of the seed, the configuration and those facts; each file
//! is rendered into one buffer and published atomically, so memory does not
//! grow with the corpus.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use flate2::{Compress, Compression};

use crate::rng::Rng;
use crate::time::civil;
use crate::world::hex;
use crate::world::World;
use crate::GenError;

mod cur;
mod dns;
pub(crate) mod facts;
mod flow;
mod guardduty;
mod s3access;
#[cfg(test)]
mod tests;
mod truth;

pub use truth::{
    BillingTruth, BucketAccessTruth, CostTruth, DnsTruth, FindingTruth, FlowInstanceTruth,
    FlowLogTruth, FlowTruth, GuardDutyTruth, S3AccessTruth, SourcesTruth,
};

/// One log source the generator can write.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// CloudTrail (always written).
    CloudTrail,
    /// S3 server access logs of the account's buckets.
    S3Access,
    /// VPC Flow Logs (S3 delivery, gzip).
    VpcFlow,
    /// Route 53 Resolver query logs (S3 delivery, gzip JSON Lines).
    Route53Resolver,
    /// GuardDuty findings exported to S3 (gzip JSON Lines).
    GuardDuty,
    /// Legacy Cost and Usage Report (CSV, gzip).
    Billing,
}

impl Source {
    /// Every source, in the order of their names in `--help`.
    pub const ALL: &'static [Source] = &[
        Source::CloudTrail,
        Source::S3Access,
        Source::VpcFlow,
        Source::Route53Resolver,
        Source::GuardDuty,
        Source::Billing,
    ];

    /// The source's name in `--sources` and in the truth file.
    pub fn name(self) -> &'static str {
        match self {
            Source::CloudTrail => "cloudtrail",
            Source::S3Access => "s3_access",
            Source::VpcFlow => "vpc_flow",
            Source::Route53Resolver => "route53_resolver",
            Source::GuardDuty => "guardduty",
            Source::Billing => "billing",
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The set of sources to write; CloudTrail is always part of it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Sources(Vec<Source>);

impl Default for Sources {
    /// CloudTrail only.
    fn default() -> Sources {
        Sources(vec![Source::CloudTrail])
    }
}

impl Sources {
    /// Every source.
    pub fn all() -> Sources {
        Sources(Source::ALL.to_vec())
    }

    /// True when `s` is written.
    pub fn has(&self, s: Source) -> bool {
        self.0.contains(&s)
    }

    /// True when anything beside CloudTrail is written.
    pub fn any_extra(&self) -> bool {
        self.0.iter().any(|&s| s != Source::CloudTrail)
    }

    /// The sources written, in [`Source::ALL`] order.
    pub fn list(&self) -> &[Source] {
        &self.0
    }
}

impl FromStr for Sources {
    type Err = GenError;

    /// `all`, or a comma-separated list of [`Source::name`]s (CloudTrail is
    /// added when missing).
    fn from_str(s: &str) -> Result<Sources, GenError> {
        if s.trim() == "all" {
            return Ok(Sources::all());
        }
        let mut out = vec![Source::CloudTrail];
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let src = Source::ALL
                .iter()
                .copied()
                .find(|x| x.name() == part)
                .ok_or_else(|| {
                    let names: Vec<&str> = Source::ALL.iter().map(|x| x.name()).collect();
                    GenError::Config(format!(
                        "unknown source {part:?}; expected all or a list of {}",
                        names.join(", ")
                    ))
                })?;
            if !out.contains(&src) {
                out.push(src);
            }
        }
        out.sort();
        Ok(Sources(out))
    }
}

impl fmt::Display for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = self.0.iter().map(|s| s.name()).collect();
        f.write_str(&names.join(","))
    }
}

/// What every writer needs: the company, the corpus span, the attack.
pub(crate) struct Ctx<'a> {
    pub w: &'a World,
    pub out: &'a Path,
    /// `[start, end)` of the corpus (Unix seconds).
    pub span: (i64, i64),
    pub facts: &'a facts::Facts,
    pub level: u32,
}

impl Ctx<'_> {
    /// The folder S3 delivery writes `service`'s logs of the account under:
    /// `AWSLogs/<account>/<service>`.
    pub(crate) fn aws_logs(&self, service: &str) -> PathBuf {
        self.out.join("AWSLogs").join(&self.w.acct).join(service)
    }
}

/// Publishes files atomically (temporary name, then rename), gzipped or
/// not, and counts them.
pub(crate) struct Publisher {
    deflate: Compress,
    gz: Vec<u8>,
    /// Files written.
    pub files: u64,
}

impl Publisher {
    pub(crate) fn new(level: u32) -> Publisher {
        Publisher {
            deflate: Compress::new(Compression::new(level), false),
            gz: Vec::new(),
            files: 0,
        }
    }

    /// Writes `data` to `path` (gzipped when `gzip`), creating directories.
    pub(crate) fn write(&mut self, path: &Path, data: &[u8], gzip: bool) -> Result<(), GenError> {
        let err = |p: &Path, e| GenError::Io {
            path: p.to_path_buf(),
            source: e,
        };
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| err(dir, e))?;
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let tmp = path.with_file_name(format!(".{name}.tmp"));
        let body = if gzip {
            crate::output::gzip(&mut self.deflate, data, &mut self.gz).map_err(|e| err(&tmp, e))?;
            &self.gz[..]
        } else {
            data
        };
        fs::write(&tmp, body).map_err(|e| err(&tmp, e))?;
        fs::rename(&tmp, path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            err(path, e)
        })?;
        self.files += 1;
        Ok(())
    }
}

/// A mining pool the attacker's instances connect to: a name under a real
/// pool operator's suffix with an invented label, its address and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pool {
    pub domain: &'static str,
    pub ip: String,
    pub port: u16,
}

/// Pool names: invented labels under the suffixes hunt rules know.
const POOL_DOMAINS: &[&str] = &[
    "xmr-fictional-eu.supportxmr.com",
    "example-rig-relay.nanopool.org",
    "demo-stratum-asia.2miners.com",
    "sample-xmr-node.f2pool.com",
    "fictional-gulf.nanopool.org",
];
const POOL_PORTS: &[u16] = &[3333, 4444, 14444];

/// The folder `dir/YYYY/MM/DD` of the UTC day of `t`, as S3 delivery names it.
pub(crate) fn day_folder(dir: &Path, t: i64) -> PathBuf {
    let c = civil(t);
    dir.join(format!("{:04}", c.y))
        .join(format!("{:02}", c.mo))
        .join(format!("{:02}", c.d))
}

/// Where S3 delivery puts a log file of the hour starting at `t`:
/// `dir/YYYY/MM/DD/<name>_YYYYMMDDTHHMMZ_<8 hex digits>.log.gz`, the hex
/// digits drawn from `rng`.
pub(crate) fn hourly_log_path(dir: &Path, t: i64, name: &str, rng: &mut Rng) -> PathBuf {
    let c = civil(t);
    let file = format!(
        "{name}_{:04}{:02}{:02}T{:02}{:02}Z_{}.log.gz",
        c.y,
        c.mo,
        c.d,
        c.h,
        c.mi,
        hex(rng.next_u64(), 8)
    );
    day_folder(dir, t).join(file)
}

/// The pool of the `k`-th attacker instance (same in flows, DNS and GuardDuty).
pub(crate) fn pool(w: &World, k: usize) -> Pool {
    let mut rng = Rng::new(crate::rng::derive(w.seed, &[0x9001, k as u64]));
    let domain =
        POOL_DOMAINS[(rng.below(POOL_DOMAINS.len() as u64) as usize + k) % POOL_DOMAINS.len()];
    Pool {
        domain,
        ip: crate::world::public_ip(&mut rng, &[51, 78, 94, 141, 178]),
        port: *rng.pick(POOL_PORTS),
    }
}

/// Writes every requested source beside the CloudTrail corpus and returns
/// their truth.
pub(crate) fn write(
    cfg: &crate::Config,
    w: &World,
    facts: &facts::Facts,
) -> Result<SourcesTruth, GenError> {
    let start = cfg.start.unix_seconds();
    let ctx = Ctx {
        w,
        out: &cfg.out_dir,
        span: (start, start + cfg.days as i64 * 86_400),
        facts,
        level: cfg.compression_level,
    };
    let s = &cfg.sources;
    Ok(SourcesTruth {
        written: s.list().iter().map(|x| x.name().to_string()).collect(),
        s3_access: s
            .has(Source::S3Access)
            .then(|| s3access::write(&ctx))
            .transpose()?,
        vpc_flow: s
            .has(Source::VpcFlow)
            .then(|| flow::write(&ctx))
            .transpose()?,
        route53_resolver: s
            .has(Source::Route53Resolver)
            .then(|| dns::write(&ctx))
            .transpose()?,
        guardduty: s
            .has(Source::GuardDuty)
            .then(|| guardduty::write(&ctx))
            .transpose()?,
        billing: s
            .has(Source::Billing)
            .then(|| cur::write(&ctx))
            .transpose()?,
    })
}
