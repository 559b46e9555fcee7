//! `aws:ebs-snapshot/snap-…` and `aws:ebs-volume/vol-… --create-snapshot`:
//! each snapshot is read into a stage of the case (resumable), then acquired
//! as the image, its block manifest and its metadata.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use cloudcase_aws::ebs::{self, create, EbsKind, EbsSpec, FetchOptions, StagedSnapshot};
use cloudcase_aws::{regions, Aws};
use cloudcase_evidence::{AcquireProgress, Action, Case};
use serde_json::json;

use super::progress::AcquireLine;

/// Options of EBS sources.
#[derive(ClapArgs, Debug, Default)]
pub struct EbsArgs {
    /// aws:ebs-snapshot: GetSnapshotBlock requests in flight at most.
    #[arg(long, value_name = "N", default_value_t = 16)]
    pub ebs_concurrency: usize,
    /// aws:ebs-snapshot: read at most this many MB (10^6 bytes) per second.
    #[arg(long, value_name = "MB/s")]
    pub max_rate: Option<f64>,
    /// aws:ebs-volume: create a snapshot of the volume first (EC2
    /// CreateSnapshot, the only call that changes the account; recorded in
    /// custody), wait for it to complete, then read it.
    #[arg(long)]
    pub create_snapshot: bool,
    /// aws:ebs-volume --create-snapshot: give up waiting after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 3600)]
    pub snapshot_wait: u64,
}

/// Stages every EBS spec (creating snapshots of volumes first); the caller
/// acquires the staged sources and then removes the stages.
pub fn stage_all(
    case: &Case,
    aws: &Aws,
    specs: &[EbsSpec],
    regions_flag: Option<&str>,
    args: &EbsArgs,
) -> Result<Vec<StagedSnapshot>> {
    if args.ebs_concurrency == 0 {
        bail!("--ebs-concurrency: expected at least 1, found 0");
    }
    if let Some(r) = args.max_rate {
        if !(r > 0.0 && r.is_finite()) {
            bail!("--max-rate: expected a positive number of MB per second, found {r}");
        }
    }
    let mut candidates: Option<Vec<String>> = None;
    let mut staged = Vec::new();
    for spec in specs {
        let (id, region) = match spec.kind {
            EbsKind::Snapshot => (spec.id.clone(), spec.region.clone()),
            EbsKind::Volume => {
                let region = spec.region.clone().unwrap_or_else(|| aws.region());
                (
                    snapshot_volume(case, aws, &spec.id, &region, args)?,
                    Some(region),
                )
            }
        };
        let search = match (&region, &candidates) {
            (Some(_), _) => Vec::new(),
            (None, Some(c)) => c.clone(),
            (None, None) => {
                let mut c = vec![aws.region()];
                let all = regions::resolve(aws, regions_flag)
                    .context("listing the regions to look for snapshots in")?;
                c.extend(all.into_iter().filter(|r| *r != aws.region()));
                candidates = Some(c.clone());
                c
            }
        };
        let progress = Arc::new(AcquireProgress::default());
        let options = FetchOptions {
            concurrency: args.ebs_concurrency,
            max_rate: args.max_rate.map(|r| r * 1e6),
            progress: Some(Arc::clone(&progress)),
        };
        let line = AcquireLine::start(progress, "blocks");
        let s = ebs::stage_snapshot(
            aws,
            case.layout(),
            &id,
            region.as_deref(),
            &search,
            &options,
        )
        .with_context(|| format!("reading EBS snapshot {id}"))?;
        drop(line);
        eprintln!(
            "{id}: region {} ({}); {} blocks read, {} already read by an interrupted run",
            s.info.region, s.region_found, s.fetched, s.resumed
        );
        staged.push(s);
    }
    Ok(staged)
}

/// Creates a snapshot of `volume`, recording the call in custody, and waits
/// for it to complete. Returns the snapshot id.
fn snapshot_volume(
    case: &Case,
    aws: &Aws,
    volume: &str,
    region: &str,
    args: &EbsArgs,
) -> Result<String> {
    if !args.create_snapshot {
        bail!(
            "aws:ebs-volume/{volume}: expected --create-snapshot (reading a volume needs a snapshot of it; creating one is the only call that changes the account)"
        );
    }
    let description = format!(
        "cloudcase acquisition of {volume} for case {}",
        case.info().case_id
    );
    let created = create::create_snapshot(aws, region, volume, &description);
    let details = match &created {
        Ok(c) => json!({
            "call": "ec2:CreateSnapshot",
            "volume_id": c.volume_id,
            "region": c.region,
            "snapshot_id": c.snapshot_id,
            "description": c.description,
            "start_time": c.start_time,
            "outcome": "created",
        }),
        Err(e) => json!({
            "call": "ec2:CreateSnapshot",
            "volume_id": volume,
            "region": region,
            "outcome": "failed",
            "error": e.to_string(),
        }),
    };
    case.custody()
        .append(Action::Other("snapshot_created".into()), details)
        .context("recording the CreateSnapshot call in custody")?;
    let created = created.with_context(|| format!("creating a snapshot of {volume}"))?;
    eprintln!(
        "created {} of {volume} in {region} (recorded in custody); waiting for it to complete",
        created.snapshot_id
    );
    create::wait_completed(
        aws,
        region,
        &created.snapshot_id,
        Duration::from_secs(2),
        Duration::from_secs(args.snapshot_wait),
    )
    .with_context(|| format!("waiting for {}", created.snapshot_id))?;
    Ok(created.snapshot_id)
}
