//! What `cloudcase monitor` generates, decided once for every output format: the event rules,
//! the regions GuardDuty is enabled in, and the CloudTrail settings with the gap each closes.

use cloudcase_model::scope::{Coverage, StoreKind, Verdict};
use cloudcase_model::ScopeResult;
use serde::Serialize;

use crate::builtin::{builtin_rules, CompiledRules};
use crate::MonitorError;

/// The regions enabled by default in every commercial account (opt-in regions are not),
/// used when neither a case nor `--region` names any.
pub const DEFAULT_REGIONS: &[&str] = &[
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "eu-central-1",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "eu-north-1",
    "ap-south-1",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-southeast-1",
    "ap-southeast-2",
    "sa-east-1",
];

/// Days CloudWatch Logs keeps the trail's events by default (a valid retention value).
pub const DEFAULT_RETENTION_DAYS: u32 = 400;

/// A data store that scope left UNKNOWN and that data events can cover.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DataEventTarget {
    /// `s3_bucket` or `dynamodb_table`.
    pub store: &'static str,
    /// The bucket or table name.
    pub name: String,
    /// The table's region (tables only; their ARN needs it).
    pub region: Option<String>,
    /// The verdict's basis, quoted from the scope result.
    pub basis: String,
}

/// One CloudTrail setting and the gap it closes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrailSetting {
    /// The setting, as the trail names it.
    pub setting: &'static str,
    /// The gap it closes.
    pub closes: String,
}

/// What the case contributes.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseFacts {
    /// Regions the case's logs saw events in.
    pub regions: Vec<String>,
    /// Stores left UNKNOWN that data events can cover.
    pub unknown_stores: Vec<DataEventTarget>,
    /// Stores left UNKNOWN of kinds data events do not cover (`kind name`).
    pub other_unknown: Vec<String>,
}

impl CaseFacts {
    /// The facts of a recorded scope result.
    pub fn from_scope(s: &ScopeResult) -> CaseFacts {
        let mut f = CaseFacts::default();
        if let Coverage::Window(w) = &s.coverage {
            f.regions = w.regions.iter().map(|r| r.region.clone()).collect();
        }
        for d in s
            .data_access
            .iter()
            .filter(|d| d.verdict == Verdict::Unknown)
        {
            let store = match d.store {
                StoreKind::S3Bucket => "s3_bucket",
                StoreKind::DynamodbTable => "dynamodb_table",
                other => {
                    f.other_unknown
                        .push(format!("{} {}", other.as_str(), d.name));
                    continue;
                }
            };
            f.unknown_stores.push(DataEventTarget {
                store,
                name: d.name.clone(),
                region: d.region.clone(),
                basis: d.basis.clone(),
            });
        }
        f.regions.sort();
        f.regions.dedup();
        f
    }
}

/// Everything the outputs render.
#[derive(Debug, Clone)]
pub struct Plan {
    /// Built-in rules as event rules, and those refused.
    pub rules: CompiledRules,
    /// Regions GuardDuty is enabled in.
    pub regions: Vec<String>,
    /// Where the regions come from.
    pub regions_basis: String,
    /// Trail settings with the gap each closes.
    pub trail: Vec<TrailSetting>,
    /// Data events on exactly these stores.
    pub data_events: Vec<DataEventTarget>,
    /// CloudWatch Logs retention of the trail's log group, in days.
    pub retention_days: u32,
    /// UNKNOWN stores data events cannot cover, named so the reader knows.
    pub not_covered: Vec<String>,
}

fn trail_settings(case: Option<&CaseFacts>, retention: u32) -> Vec<TrailSetting> {
    let seen = match case {
        Some(c) if !c.regions.is_empty() => {
            format!(" (this case's logs saw {})", c.regions.join(", "))
        }
        _ => String::new(),
    };
    let who = if case.is_some() {
        "this case"
    } else {
        "an investigation"
    };
    let mut out = vec![
        TrailSetting { setting: "IsMultiRegionTrail", closes: format!("{who} must see calls in every region, including regions an attacker enables or uses because nobody watches them{seen}.") },
        TrailSetting { setting: "EnableLogFileValidation", closes: format!("{who} must prove the logs were not altered or deleted after delivery (`cloudcase trail` checks the digest chain offline)." ) },
        TrailSetting { setting: "CloudWatchLogsLogGroupArn", closes: "the CIS metric filters and alarms read the trail in CloudWatch Logs: without delivery, nothing alerts while the attack runs.".into() },
        TrailSetting { setting: "RetentionInDays", closes: format!("the log group keeps {retention} days, so an intrusion found months later still has its attacker window in the logs the alarms read.") },
    ];
    match case {
        Some(c) if !c.unknown_stores.is_empty() => {
            let names: Vec<String> = c.unknown_stores.iter().map(|s| format!("{} {}", s.store, s.name)).collect();
            out.push(TrailSetting { setting: "AdvancedEventSelectors", closes: format!("scope left these stores UNKNOWN because no data events covered them in the attacker window: {}. Data events on exactly these make the next verdict ACCESSED or NOT_OBSERVED.", names.join(", ")) });
        }
        Some(_) => out.push(TrailSetting { setting: "AdvancedEventSelectors", closes: "scope left no bucket or table UNKNOWN: management events only (read and write).".into() }),
        None => out.push(TrailSetting { setting: "AdvancedEventSelectors", closes: "no case: management events (read and write) only; name the buckets and tables that hold sensitive data with --case after a scope, data events on every bucket are a cost decision.".into() }),
    }
    out
}

/// The plan for a case (`Some`) or the generic baseline (`None`); `regions` overrides the
/// regions when not empty.
pub fn plan(
    case: Option<&CaseFacts>,
    regions: &[String],
    retention_days: u32,
) -> Result<Plan, MonitorError> {
    let (regions, regions_basis) = if !regions.is_empty() {
        (
            regions.to_vec(),
            "the regions given with --region".to_owned(),
        )
    } else if let Some(c) = case.filter(|c| !c.regions.is_empty()) {
        (
            c.regions.clone(),
            "the regions the case's logs saw events in".to_owned(),
        )
    } else {
        (
            DEFAULT_REGIONS.iter().map(|r| (*r).to_owned()).collect(),
            "the regions every commercial account has enabled by default".to_owned(),
        )
    };
    Ok(Plan {
        rules: builtin_rules()?,
        trail: trail_settings(case, retention_days),
        regions,
        regions_basis,
        data_events: case.map(|c| c.unknown_stores.clone()).unwrap_or_default(),
        retention_days,
        not_covered: case.map(|c| c.other_unknown.clone()).unwrap_or_default(),
    })
}
