//! `cloudcase acquire`: copy files, directories, S3 prefixes and AWS API
//! exports into a case's evidence.

mod ebs;
mod progress;
mod sources;

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use anyhow::{Context, Result};
use clap::Args as ClapArgs;
use cloudcase_evidence::{
    AcquireOptions, AcquireProgress, AcquireSummary, Case, ItemStatus, Outcome,
};
use cloudcase_util::sanitize::terminal_safe;

/// Copy evidence into a case's evidence store, hashing while copying (one read
/// of each source). Each distinct content is stored once, read-only, under its
/// SHA-256; every (object, source) pair is recorded in the manifest and the
/// custody log. Re-running is safe: content already held is reported as such,
/// and an interrupted run is completed.
///
/// SRC is any mix of:
///
///   PATH                 a file or directory (recursively)
///
///   s3://BUCKET[/PREFIX] every object under the prefix: CloudTrail logs and
///                        digests, VPC Flow Logs, S3 access logs. Records ETag,
///                        version id, last-modified and x-amz-meta-* (the digest
///                        signature). Objects already held with the same ETag
///                        and size are not downloaded again.
///
///   aws:lookup-events    CloudTrail LookupEvents history (90 days of management
///                        events), one object per region of --regions
///
///   aws:iam              snapshot of IAM users, keys, passwords, MFA, groups,
///                        roles, policies and the credential report
///
///   aws:ec2              snapshot of instances, security groups, key pairs,
///                        volumes, snapshots, AMIs and spot requests in --regions
///
///   aws:ebs-snapshot/snap-ID[?region=R]
///                        an EBS snapshot read through the EBS direct APIs
///                        (ListSnapshotBlocks, GetSnapshotBlock; checksums
///                        verified) into a sparse raw image, stored with a block
///                        manifest (SHA-256 of every block) and its
///                        DescribeSnapshots metadata. Resumes after an
///                        interruption. Without ?region= it is looked for in the
///                        configured region, then in --regions.
///
///   aws:ebs-volume/vol-ID[?region=R]
///                        with --create-snapshot: snapshot the volume (recorded
///                        in custody), wait for it, then read it as above
///
/// AWS credentials come from the standard chain (environment, --profile or the
/// default profile including SSO, container or instance role) and are never
/// printed or recorded. The read-only IAM policy the tool needs is
/// policy/cloudcase-readonly-policy.json in the source repository.
///
/// Exit status: 0 all acquired, 1 some sources failed (the rest is recorded),
/// 2 error.
#[derive(ClapArgs, Debug)]
#[command(verbatim_doc_comment)]
pub struct Args {
    /// Case folder (created with `cloudcase case init`).
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Paths, s3://BUCKET[/PREFIX], aws:lookup-events, aws:iam, aws:ec2,
    /// aws:ebs-snapshot/snap-ID, aws:ebs-volume/vol-ID.
    #[arg(required = true, value_name = "SRC")]
    pub sources: Vec<String>,
    /// Examiner doing this acquisition (default: the case's examiner).
    #[arg(long)]
    pub examiner: Option<String>,
    /// Worker threads (default: one per core, plus one).
    #[arg(long, default_value_t = 0, value_name = "N")]
    pub threads: usize,
    /// Print one line per item: status, SHA-256, source.
    #[arg(long, short)]
    pub verbose: bool,
    /// Print only failures and the summary.
    #[arg(long, short, conflicts_with = "verbose")]
    pub quiet: bool,
    #[command(flatten)]
    pub aws: sources::AwsArgs,
    #[command(flatten)]
    pub ebs: ebs::EbsArgs,
}

/// Runs `cloudcase acquire`.
pub fn run(args: Args) -> Result<ExitCode> {
    let case = Case::open(&args.case)?;
    let mut plan = sources::build(&args.sources, &args.aws)?;
    let staged = match &plan.ebs {
        Some((aws, specs)) => {
            ebs::stage_all(&case, aws, specs, args.aws.regions.as_deref(), &args.ebs)?
        }
        None => Vec::new(),
    };
    let (ebs_sources, stages): (Vec<_>, Vec<_>) =
        staged.into_iter().map(|s| (s.source, s.stage)).unzip();
    plan.sources.extend(
        ebs_sources
            .into_iter()
            .map(|s| Box::new(s) as Box<dyn cloudcase_evidence::Source>),
    );
    let progress = Arc::new(AcquireProgress::default());
    let options = AcquireOptions {
        examiner: args.examiner.clone(),
        threads: args.threads,
        progress: Some(Arc::clone(&progress)),
        ..AcquireOptions::default()
    };
    let line = progress::AcquireLine::start(progress, "objects");
    let s = case.acquire(&plan.sources, &options)?;
    drop(line);
    if !s.has_failures() {
        // The images, block manifests and metadata are held: the stages
        // (work/, disposable) go.
        for stage in stages {
            let dir = stage.dir().to_path_buf();
            stage
                .remove()
                .with_context(|| format!("removing the image stage {}", dir.display()))?;
        }
    }

    if !args.quiet {
        for r in &s.repairs {
            eprintln!("repaired: {}", terminal_safe(r));
        }
        for t in &s.cleaned_temp_files {
            eprintln!(
                "removed leftover of an interrupted run: evidence/tmp/{}",
                terminal_safe(t)
            );
        }
        if s.recovered_entries > 0 {
            eprintln!(
                "recorded {} manifest entries an interrupted run left unrecorded",
                s.recovered_entries
            );
        }
        for (src, why) in s.skipped() {
            eprintln!("skipped: {}: {}", terminal_safe(src), terminal_safe(why));
        }
    }
    for src in s.empty() {
        eprintln!(
            "empty: {}: 0 bytes, stored as found (log services never deliver an empty file: a truncated delivery or copy)",
            terminal_safe(src)
        );
    }
    print_failures(&s, args.verbose);
    if args.verbose {
        for item in &s.items {
            if let Outcome::Acquired(a) = &item.outcome {
                println!(
                    "{:<12} {} {:>12} {}",
                    a.status.as_str(),
                    a.sha256,
                    a.size,
                    terminal_safe(&item.source)
                );
            }
        }
    }
    let failed = s.failures().count();
    println!(
        "{} items: {} new, {} already held, {} new sources of held content, {} skipped, {} failed, {} empty",
        s.items.len(),
        s.count(ItemStatus::New),
        s.count(ItemStatus::AlreadyHeld),
        s.count(ItemStatus::NewSource),
        s.skipped().count(),
        failed,
        s.empty().count()
    );
    println!(
        "read {:.1} MB in {:.2} s ({:.1} MB/s), stored {:.1} MB new",
        s.bytes_read as f64 / 1e6,
        s.elapsed.as_secs_f64(),
        s.mb_per_s(),
        s.bytes_stored as f64 / 1e6
    );
    if !plan.s3_gets.is_empty() {
        let gets: u64 = plan.s3_gets.iter().map(|g| g.load(Ordering::Relaxed)).sum();
        println!("s3: {gets} GetObject requests");
    }
    if let Some((aws, dest)) = &plan.replicate_to {
        let r = cloudcase_aws::replicate(aws, &case, dest)
            .with_context(|| format!("replicating the evidence to {dest}"))?;
        println!(
            "replicated to {dest}: {} objects uploaded ({:.1} MB), {} already there; hash manifest s3://{}/{}",
            r.uploaded,
            r.bytes as f64 / 1e6,
            r.present,
            dest.bucket,
            r.sums_key
        );
    }
    Ok(if failed > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints every failure, the error that stopped a run first; items a stopped
/// run did not attempt are counted in one line (listed with `--verbose`).
fn print_failures(s: &AcquireSummary, verbose: bool) {
    let not_attempted =
        |e: &cloudcase_evidence::Error| matches!(e, cloudcase_evidence::Error::NotAttempted { .. });
    for (_, err) in s.failures().filter(|(_, e)| !not_attempted(e)) {
        eprintln!("failed: {}", terminal_safe(&err.to_string()));
    }
    let mut skipped = 0usize;
    for (src, _) in s.failures().filter(|(_, e)| not_attempted(e)) {
        skipped += 1;
        if verbose {
            eprintln!("not attempted: {}", terminal_safe(src));
        }
    }
    if skipped > 0 {
        eprintln!(
            "failed: {skipped} items not attempted: the run stopped at the limit above; completed items are recorded, run the same command again to finish"
        );
    }
}
