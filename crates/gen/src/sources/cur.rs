//! A legacy Cost and Usage Report: gzip CSV with `identity/…`, `bill/…`,
//! `lineItem/…` and `product/…` columns, hourly line items by resource,
//! under `<cur-bucket>/cur/<report>/<yyyymmdd-yyyymmdd>/<assemblyId>/<report>-1.csv.gz`
//! (one per month covered). Each of the company's instances and each of the
//! attacker's bills its on-demand rate for every hour it runs.

use std::io::Write;

use flate2::write::GzEncoder;
use flate2::Compression;

use super::{BillingTruth, CostTruth, Ctx};
use crate::rng::{derive, Rng};
use crate::scenario::rec_uuid;
use crate::time::{civil, days_from_civil, iso};
use crate::world::{World, REGIONS};
use crate::GenError;

/// The report's columns, in order.
pub(crate) const COLUMNS: &[&str] = &[
    "identity/LineItemId",
    "identity/TimeInterval",
    "bill/PayerAccountId",
    "bill/BillingPeriodStartDate",
    "bill/BillingPeriodEndDate",
    "lineItem/UsageAccountId",
    "lineItem/LineItemType",
    "lineItem/UsageStartDate",
    "lineItem/UsageEndDate",
    "lineItem/ProductCode",
    "lineItem/UsageType",
    "lineItem/Operation",
    "lineItem/AvailabilityZone",
    "lineItem/ResourceId",
    "lineItem/UsageAmount",
    "lineItem/UnblendedRate",
    "lineItem/UnblendedCost",
    "lineItem/LineItemDescription",
    "product/instanceType",
    "product/region",
];

/// On-demand hourly prices (micro-dollars), Linux, by instance type.
const PRICES: &[(&str, u64)] = &[
    ("t3.micro", 10_400),
    ("t3.medium", 41_600),
    ("m6i.large", 96_000),
    ("c6i.xlarge", 170_000),
    ("r6g.large", 100_800),
    ("p3.2xlarge", 3_060_000),
    ("p3.8xlarge", 12_240_000),
    ("p3.16xlarge", 24_480_000),
    ("g4dn.xlarge", 526_000),
    ("g4dn.12xlarge", 3_912_000),
    ("g5.xlarge", 1_006_000),
    ("g5.2xlarge", 1_212_000),
    ("g5.12xlarge", 5_672_000),
];

/// Usage-type prefixes of the regions (as in `APN1-BoxUsage:…`).
const PREFIXES: &[(&str, &str)] = &[
    ("us-east-1", ""),
    ("us-east-2", "USE2-"),
    ("us-west-1", "USW1-"),
    ("us-west-2", "USW2-"),
    ("ca-central-1", "CAN1-"),
    ("eu-west-1", "EU-"),
    ("eu-west-2", "EUW2-"),
    ("eu-west-3", "EUW3-"),
    ("eu-central-1", "EUC1-"),
    ("eu-north-1", "EUN1-"),
    ("ap-south-1", "APS3-"),
    ("ap-northeast-1", "APN1-"),
    ("ap-northeast-2", "APN2-"),
    ("ap-northeast-3", "APN3-"),
    ("ap-southeast-1", "APS1-"),
    ("ap-southeast-2", "APS2-"),
    ("sa-east-1", "SAE1-"),
];

/// A running resource to bill.
struct Billed {
    id: String,
    region: usize,
    itype: String,
    from: i64,
    to: i64,
    attack: bool,
}

fn usage_type(region: usize, itype: &str) -> String {
    let name = REGIONS[region].0;
    let prefix = PREFIXES.iter().find(|p| p.0 == name).map_or("", |p| p.1);
    format!("{prefix}BoxUsage:{itype}")
}

fn price(itype: &str) -> u64 {
    PRICES
        .iter()
        .find(|p| p.0 == itype)
        .map_or(100_000, |p| p.1)
}

fn resources(ctx: &Ctx) -> Vec<Billed> {
    let w = ctx.w;
    let mut out = Vec::new();
    for &r in &w.home {
        for (k, iid) in w.res[r].iids.iter().enumerate() {
            out.push(Billed {
                id: iid.clone(),
                region: r,
                itype: w.bg_types[k % w.bg_types.len()].to_string(),
                from: ctx.span.0,
                to: ctx.span.1,
                attack: false,
            });
        }
    }
    for i in &ctx.facts.instances {
        out.push(Billed {
            id: i.id.clone(),
            region: i.region,
            itype: i.itype.clone(),
            from: i.launched,
            to: i.terminated.unwrap_or(ctx.span.1).min(ctx.span.1),
            attack: true,
        });
    }
    out
}

fn money(micro: u64) -> String {
    format!("{}.{:06}", micro / 1_000_000, micro % 1_000_000)
}

/// First day (Unix seconds) of the month holding `t`, and of the next.
fn month_bounds(t: i64) -> (i64, i64) {
    let c = civil(t);
    let first = days_from_civil(c.y, c.mo, 1) * 86_400;
    let (ny, nm) = if c.mo == 12 {
        (c.y + 1, 1)
    } else {
        (c.y, c.mo + 1)
    };
    (first, days_from_civil(ny, nm, 1) * 86_400)
}

/// Writes one report per month of the corpus and returns the truth.
pub(crate) fn write(ctx: &Ctx) -> Result<BillingTruth, GenError> {
    let w = ctx.w;
    let billed = resources(ctx);
    let mut costs: Vec<CostTruth> = billed
        .iter()
        .filter(|b| b.attack)
        .map(|b| CostTruth {
            resource_id: b.id.clone(),
            usage_type: usage_type(b.region, &b.itype),
            region: REGIONS[b.region].0.to_string(),
            hours: 0,
            cost_micro_usd: 0,
        })
        .collect();
    let (mut files, mut items) = (0u64, 0u64);
    let mut month = month_bounds(ctx.span.0);
    while month.0 < ctx.span.1 {
        items += write_month(ctx, w, &billed, month, &mut costs)?;
        files += 1;
        month = month_bounds(month.1);
    }
    let total = costs.iter().map(|c| c.cost_micro_usd).sum();
    Ok(BillingTruth {
        files,
        line_items: items,
        attacker_costs: costs,
        attacker_cost_micro_usd: total,
    })
}

fn write_month(
    ctx: &Ctx,
    w: &World,
    billed: &[Billed],
    month: (i64, i64),
    costs: &mut [CostTruth],
) -> Result<u64, GenError> {
    let (a, b) = (civil(month.0), civil(month.1));
    let period = format!("{:04}{:02}01-{:04}{:02}01", a.y, a.mo, b.y, b.mo);
    let mut rng = Rng::new(derive(w.seed, &[0xc0c7, month.0 as u64]));
    let assembly = rec_uuid(&mut rng);
    let report = format!("{}-cur", w.company);
    let dir = ctx
        .out
        .join(format!("{}-billing-{}", w.company, w.acct))
        .join("cur")
        .join(&report)
        .join(&period)
        .join(&assembly);
    std::fs::create_dir_all(&dir).map_err(|e| GenError::Io {
        path: dir.clone(),
        source: e,
    })?;
    let path = dir.join(format!("{report}-1.csv.gz"));
    let tmp = dir.join(format!(".{report}-1.csv.gz.tmp"));
    let io = |e| GenError::Io {
        path: tmp.clone(),
        source: e,
    };
    let file = std::fs::File::create(&tmp).map_err(io)?;
    let mut gz = GzEncoder::new(std::io::BufWriter::new(file), Compression::new(ctx.level));
    writeln!(gz, "{}", COLUMNS.join(",")).map_err(io)?;
    let mut n = 0u64;
    let from = month.0.max(ctx.span.0);
    let to = month.1.min(ctx.span.1);
    let mut h = from;
    while h < to {
        for bl in billed.iter().filter(|x| x.from < h + 3600 && x.to > h) {
            let used = ((bl.to.min(h + 3600) - bl.from.max(h)) as u64 * 1_000_000) / 3600;
            let cost = price(&bl.itype) * used / 1_000_000;
            if bl.attack {
                if let Some(c) = costs.iter_mut().find(|c| c.resource_id == bl.id) {
                    c.hours += 1;
                    c.cost_micro_usd += cost;
                }
            }
            let region = REGIONS[bl.region].0;
            writeln!(
                gz,
                "{},{}/{},{acct},{},{},{acct},Usage,{},{},AmazonEC2,{},RunInstances,{region}a,{},{},{},{},\"{} per On Demand Linux {} Instance Hour\",{},{region}",
                rec_uuid(&mut rng),
                iso(h), iso(h + 3600),
                iso(month.0), iso(month.1),
                iso(h), iso(h + 3600),
                usage_type(bl.region, &bl.itype),
                bl.id,
                money(used),
                money(price(&bl.itype)),
                money(cost),
                money(price(&bl.itype)),
                bl.itype,
                bl.itype,
                acct = w.acct,
            )
            .map_err(io)?;
            n += 1;
        }
        h += 3600;
    }
    gz.finish().and_then(|mut f| f.flush()).map_err(io)?;
    std::fs::rename(&tmp, &path).map_err(|e| GenError::Io {
        path: path.clone(),
        source: e,
    })?;
    Ok(n)
}
