//! Turning `acquire` arguments into evidence sources: local paths, S3
//! prefixes, LookupEvents and inventory snapshots.

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context, Result};
use clap::Args as ClapArgs;
use cloudcase_aws::ebs::EbsSpec;
use cloudcase_aws::{
    inventory, regions, Aws, AwsOptions, KeyFilter, LookupSource, S3Source, S3Url,
};
use cloudcase_evidence::{LocalSource, Source};
use cloudcase_inventory::Kind;

/// Options of AWS sources.
#[derive(ClapArgs, Debug, Default)]
pub struct AwsArgs {
    /// s3:// and aws:lookup-events: only what is dated at or after this
    /// (RFC 3339 or YYYY-MM-DD, UTC). For S3, the time in the key's name.
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// s3:// and aws:lookup-events: only what is dated before this.
    #[arg(long, value_name = "TIME")]
    pub until: Option<String>,
    /// s3://: only keys under these accounts (AWSLogs/<ACCOUNT>/…); repeat or comma-separate.
    #[arg(long, value_name = "ID", value_delimiter = ',')]
    pub account: Vec<String>,
    /// s3://: only keys of these regions (…/CloudTrail/<REGION>/…); repeat or comma-separate.
    #[arg(long, value_name = "REGION", value_delimiter = ',')]
    pub region: Vec<String>,
    /// aws:lookup-events and aws:ec2: `all` (every enabled region, the default) or a list.
    #[arg(long, value_name = "all|LIST")]
    pub regions: Option<String>,
    /// Region the AWS clients use (S3 bucket, IAM, STS, DescribeRegions);
    /// default: the profile's or AWS_REGION, else us-east-1.
    #[arg(long, value_name = "REGION")]
    pub aws_region: Option<String>,
    /// Named AWS profile (SSO and credential_process profiles included).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Endpoint for every AWS service (S3-compatible stores, emulators).
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// After acquiring, copy the case's evidence, manifest, custody log and a
    /// SHA256SUMS hash manifest to this bucket (another account's).
    #[arg(long, value_name = "s3://BUCKET/PREFIX")]
    pub to: Option<String>,
    /// Profile for the --to bucket (default: the same credentials).
    #[arg(long, value_name = "NAME", requires = "to")]
    pub to_profile: Option<String>,
    /// LookupEvents calls per second and region (the API allows 2).
    #[arg(long, value_name = "N", default_value_t = 2.0)]
    pub lookup_rate: f64,
}

/// The sources of a run and what the summary reports about them.
pub struct Plan {
    /// Every source, in command-line order.
    pub sources: Vec<Box<dyn Source>>,
    /// GetObject request counters, one per S3 source.
    pub s3_gets: Vec<Arc<AtomicU64>>,
    /// Where to replicate the evidence afterwards, with its connection.
    pub replicate_to: Option<(Aws, S3Url)>,
    /// EBS snapshots and volumes to read (staged before the acquisition), with
    /// the connection.
    pub ebs: Option<(Aws, Vec<EbsSpec>)>,
}

/// Builds the sources named on the command line; AWS is connected only when
/// an AWS source or `--to` is given.
pub fn build(specs: &[String], args: &AwsArgs) -> Result<Plan> {
    let since = crate::cmd::time::parse_flag("since", args.since.as_deref())?;
    let until = crate::cmd::time::parse_flag("until", args.until.as_deref())?;
    let options = AwsOptions {
        profile: args.profile.clone(),
        region: args.aws_region.clone(),
        endpoint_url: args.endpoint_url.clone(),
    };
    let mut aws: Option<Aws> = None;
    let mut connect = || -> Result<Aws> {
        if aws.is_none() {
            aws = Some(Aws::connect(&options).context("configuring AWS access")?);
        }
        aws.clone().context("AWS access was not configured")
    };
    let mut sources: Vec<Box<dyn Source>> = Vec::new();
    let mut gets: Vec<Arc<AtomicU64>> = Vec::new();
    let mut ebs: Vec<EbsSpec> = Vec::new();
    for spec in specs {
        if spec.starts_with("s3://") {
            let filter = KeyFilter {
                since,
                until,
                accounts: args.account.clone(),
                regions: args.region.clone(),
            };
            let source = S3Source::new(&connect()?, S3Url::parse(spec)?, filter);
            gets.push(source.get_requests());
            sources.push(Box::new(source));
        } else if spec == "aws:lookup-events" {
            let aws = connect()?;
            let regions = regions::resolve(&aws, args.regions.as_deref())?;
            if !(args.lookup_rate > 0.0 && args.lookup_rate.is_finite()) {
                bail!(
                    "--lookup-rate: expected a positive number of calls per second, found {}",
                    args.lookup_rate
                );
            }
            let interval = Duration::from_secs_f64(1.0 / args.lookup_rate);
            let until = until.unwrap_or_else(jiff::Timestamp::now);
            sources.push(Box::new(LookupSource::new(
                &aws, regions, since, until, interval,
            )));
        } else if spec == "aws:iam" || spec == "aws:ec2" {
            let aws = connect()?;
            let (kind, regions) = if spec == "aws:iam" {
                (Kind::Iam, Vec::new())
            } else {
                (Kind::Ec2, regions::resolve(&aws, args.regions.as_deref())?)
            };
            let snapshot = inventory::take(&aws, kind, &regions);
            for e in &snapshot.errors {
                eprintln!(
                    "warning: {spec}: {} failed{}: {}",
                    e.call,
                    e.region
                        .as_deref()
                        .map(|r| format!(" in {r}"))
                        .unwrap_or_default(),
                    e.error
                );
            }
            sources.push(Box::new(inventory::source(&snapshot)));
        } else if EbsSpec::is_ebs(spec) {
            ebs.push(EbsSpec::parse(spec)?);
        } else if spec.starts_with("aws:") {
            bail!("{spec}: expected aws:lookup-events, aws:iam, aws:ec2, aws:ebs-snapshot/snap-ID or aws:ebs-volume/vol-ID");
        } else {
            sources.push(Box::new(LocalSource::new(PathBuf::from(spec))));
        }
    }
    let ebs = if ebs.is_empty() {
        None
    } else {
        Some((connect()?, ebs))
    };
    let replicate_to = match &args.to {
        Some(to) => {
            let dest = S3Url::parse(to)?;
            let aws = match &args.to_profile {
                Some(p) => Aws::connect(&AwsOptions {
                    profile: Some(p.clone()),
                    ..options.clone()
                })
                .context("configuring AWS access for --to")?,
                None => connect()?,
            };
            Some((aws, dest))
        }
        None => None,
    };
    Ok(Plan {
        sources,
        s3_gets: gets,
        replicate_to,
        ebs,
    })
}
