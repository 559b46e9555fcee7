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

/// An on-demand Linux hourly price.
struct Price {
    itype: &'static str,
    micro_usd: u64,
}

/// On-demand hourly prices in us-east-1, by instance type.
#[rustfmt::skip]
const PRICES: &[Price] = &[
    Price { itype: "t3.micro", micro_usd: 10_400 },
    Price { itype: "t3.medium", micro_usd: 41_600 },
    Price { itype: "m6i.large", micro_usd: 96_000 },
    Price { itype: "c6i.xlarge", micro_usd: 170_000 },
    Price { itype: "r6g.large", micro_usd: 100_800 },
    Price { itype: "p3.2xlarge", micro_usd: 3_060_000 },
    Price { itype: "p3.8xlarge", micro_usd: 12_240_000 },
    Price { itype: "p3.16xlarge", micro_usd: 24_480_000 },
    Price { itype: "g4dn.xlarge", micro_usd: 526_000 },
    Price { itype: "g4dn.12xlarge", micro_usd: 3_912_000 },
    Price { itype: "g5.xlarge", micro_usd: 1_006_000 },
    Price { itype: "g5.2xlarge", micro_usd: 1_212_000 },
    Price { itype: "g5.12xlarge", micro_usd: 5_672_000 },
];

/// How a region names and prices usage.
struct RegionBilling {
    region: &'static str,
    /// Usage-type prefix, as in `APN1-BoxUsage:…`.
    prefix: &'static str,
    /// Approximate price level, percent of us-east-1's.
    percent: u64,
}

/// Every region of [`REGIONS`], us-east-1 first.
#[rustfmt::skip]
const REGION_BILLING: &[RegionBilling] = &[
    RegionBilling { region: "us-east-1", prefix: "", percent: 100 },
    RegionBilling { region: "us-east-2", prefix: "USE2-", percent: 100 },
    RegionBilling { region: "us-west-1", prefix: "USW1-", percent: 117 },
    RegionBilling { region: "us-west-2", prefix: "USW2-", percent: 100 },
    RegionBilling { region: "ca-central-1", prefix: "CAN1-", percent: 110 },
    RegionBilling { region: "eu-west-1", prefix: "EU-", percent: 111 },
    RegionBilling { region: "eu-west-2", prefix: "EUW2-", percent: 116 },
    RegionBilling { region: "eu-west-3", prefix: "EUW3-", percent: 117 },
    RegionBilling { region: "eu-central-1", prefix: "EUC1-", percent: 119 },
    RegionBilling { region: "eu-north-1", prefix: "EUN1-", percent: 106 },
    RegionBilling { region: "ap-south-1", prefix: "APS3-", percent: 105 },
    RegionBilling { region: "ap-northeast-1", prefix: "APN1-", percent: 126 },
    RegionBilling { region: "ap-northeast-2", prefix: "APN2-", percent: 122 },
    RegionBilling { region: "ap-northeast-3", prefix: "APN3-", percent: 126 },
    RegionBilling { region: "ap-southeast-1", prefix: "APS1-", percent: 121 },
    RegionBilling { region: "ap-southeast-2", prefix: "APS2-", percent: 125 },
    RegionBilling { region: "sa-east-1", prefix: "SAE1-", percent: 159 },
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

/// The region's billing row (us-east-1's when unknown).
fn billing(region: usize) -> &'static RegionBilling {
    let name = REGIONS[region].0;
    REGION_BILLING
        .iter()
        .find(|r| r.region == name)
        .unwrap_or(&REGION_BILLING[0])
}

/// `lineItem/UsageType` of an instance hour.
fn usage_type(region: usize, itype: &str) -> String {
    format!("{}BoxUsage:{itype}", billing(region).prefix)
}

/// Hourly on-demand price (micro-dollars) of `itype` in `region`.
fn price(itype: &str, region: usize) -> u64 {
    let base = PRICES
        .iter()
        .find(|p| p.itype == itype)
        .map_or(100_000, |p| p.micro_usd);
    base * billing(region).percent / 100
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
            let cost = price(&bl.itype, bl.region) * used / 1_000_000;
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
                money(price(&bl.itype, bl.region)),
                money(cost),
                money(price(&bl.itype, bl.region)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_region_bills_with_its_own_usage_type_and_price() {
        for (i, r) in REGIONS.iter().enumerate() {
            assert_eq!(billing(i).region, r.0, "{} has no billing row", r.0);
        }
        let tokyo = REGIONS
            .iter()
            .position(|r| r.0 == "ap-northeast-1")
            .unwrap();
        assert_eq!(usage_type(tokyo, "p3.2xlarge"), "APN1-BoxUsage:p3.2xlarge");
        assert_eq!(usage_type(0, "p3.2xlarge"), "BoxUsage:p3.2xlarge");
        assert!(price("p3.2xlarge", tokyo) > price("p3.2xlarge", 0));
        assert_eq!(money(3_060_000), "3.060000");
        let may = month_bounds(1_714_953_600);
        assert_eq!(
            (iso(may.0), iso(may.1)),
            ("2024-05-01T00:00:00Z".into(), "2024-06-01T00:00:00Z".into())
        );
    }
}
