//! Route 53 Resolver query logs delivered to S3: gzip JSON Lines under
//! `AWSLogs/<acct>/vpcdnsquerylogs/<vpc-id>/YYYY/MM/DD/`, one file per
//! hour and VPC, fields in the documented order. The company's instances
//! resolve AWS endpoints and their usual services; the attacker's
//! instances resolve their mining pool (an invented label under a real
//! pool operator's suffix) every half hour.

use super::{hourly_log_path, pool, Ctx, DnsTruth, Publisher};
use crate::rng::{derive, Rng};
use crate::time::iso;
use crate::world::{public_ip, World, REGIONS};
use crate::GenError;

/// Names the company's instances resolve (`{r}` region, `{c}` company).
const BENIGN: &[&str] = &[
    "s3.{r}.amazonaws.com.",
    "sts.{r}.amazonaws.com.",
    "ssm.{r}.amazonaws.com.",
    "ec2messages.{r}.amazonaws.com.",
    "logs.{r}.amazonaws.com.",
    "api.stripe.com.",
    "db.{c}.internal.",
    "cache.{c}.internal.",
    "repo.{c}.internal.",
    "time.aws.com.",
];

/// A GitHub content address the miner is fetched from.
const FETCH: &str = "raw.githubusercontent.com.";
const FETCH_IP: &str = "185.199.108.133";

/// One query.
#[derive(Clone, Debug)]
struct Query {
    region: usize,
    t: i64,
    name: String,
    srcaddr: String,
    instance: String,
    answer: String,
}

fn render(out: &mut String, w: &World, vpc: &str, q: &Query, rng: &mut Rng) {
    let v = serde_json::json!({
        "version": "1.100000",
        "account_id": w.acct,
        "region": REGIONS[q.region].0,
        "vpc_id": vpc,
        "query_timestamp": iso(q.t),
        "query_name": q.name,
        "query_type": "A",
        "query_class": "IN",
        "rcode": "NOERROR",
        "answers": [{"Rdata": q.answer, "Type": "A", "Class": "IN"}],
        "srcaddr": q.srcaddr,
        "srcport": rng.range(1024, 65_535).to_string(),
        "transport": "UDP",
        "srcids": {"instance": q.instance},
    });
    out.push_str(&v.to_string());
    out.push('\n');
}

/// The attacker instances' queries and what they show.
struct AttackDns {
    /// Sorted by time.
    queries: Vec<Query>,
    domains: Vec<String>,
    instances: Vec<String>,
}

/// Each attacker instance fetches its miner, then resolves its pool every
/// half hour until it is terminated.
fn attack_queries(ctx: &Ctx) -> AttackDns {
    let mut out = AttackDns {
        queries: Vec::new(),
        domains: Vec::new(),
        instances: Vec::new(),
    };
    for (k, inst) in ctx.facts.instances.iter().enumerate() {
        let p = pool(ctx.w, k);
        let query = |t: i64, name: String, answer: &str| Query {
            region: inst.region,
            t,
            name,
            srcaddr: inst.nic.private_ip.clone(),
            instance: inst.id.clone(),
            answer: answer.to_string(),
        };
        let end = inst.terminated.unwrap_or(ctx.span.1).min(ctx.span.1);
        let first = inst.launched + 150 + k as i64 * 7;
        out.queries.push(query(first - 40, FETCH.into(), FETCH_IP));
        for t in (first..end).step_by(1800) {
            out.queries.push(query(t, format!("{}.", p.domain), &p.ip));
        }
        if !out.domains.iter().any(|d| d == p.domain) {
            out.domains.push(p.domain.to_string());
        }
        out.instances.push(inst.id.clone());
    }
    out.queries
        .retain(|q| q.t >= ctx.span.0 && q.t < ctx.span.1);
    out.queries.sort_by_key(|q| q.t);
    out
}

/// One hour of the company's instances' queries in `region`.
fn benign_hour(w: &World, region: usize, t0: i64, rng: &mut Rng) -> Vec<Query> {
    let iids = &w.res[region].iids;
    if iids.is_empty() {
        return Vec::new();
    }
    (0..rng.range(8, 30))
        .map(|_| {
            let iid = &iids[rng.below(iids.len().min(8) as u64) as usize];
            let name = rng
                .pick(BENIGN)
                .replace("{r}", REGIONS[region].0)
                .replace("{c}", w.company);
            let answer = if name.ends_with(".internal.") {
                format!("172.31.{}.{}", rng.range(0, 255), rng.range(4, 254))
            } else {
                public_ip(rng, &[3, 13, 52, 54])
            };
            Query {
                region,
                t: t0 + rng.below(3600) as i64,
                name,
                srcaddr: w.nic(region, iid).private_ip,
                instance: iid.clone(),
                answer,
            }
        })
        .collect()
}

/// Writes the query logs (one file per VPC and hour) and returns the truth.
pub(crate) fn write(ctx: &Ctx) -> Result<DnsTruth, GenError> {
    let w = ctx.w;
    let mut regions = w.home.clone();
    for i in &ctx.facts.instances {
        if !regions.contains(&i.region) {
            regions.push(i.region);
        }
    }
    let attack = attack_queries(ctx);
    let mut publisher = Publisher::new(ctx.level);
    let mut records = 0u64;
    let mut buf = String::new();
    for &region in &regions {
        let Some(vpc) = w.res[region].vpcs.first() else {
            continue;
        };
        let dir = ctx.aws_logs("vpcdnsquerylogs").join(vpc);
        for t in (ctx.span.0..ctx.span.1).step_by(3600) {
            let mut rng = Rng::new(derive(w.seed, &[0xd25, region as u64, t as u64]));
            let mut hour = benign_hour(w, region, t, &mut rng);
            let q = &attack.queries;
            let in_hour = &q[q.partition_point(|x| x.t < t)..q.partition_point(|x| x.t < t + 3600)];
            hour.extend(in_hour.iter().filter(|x| x.region == region).cloned());
            if hour.is_empty() {
                continue;
            }
            hour.sort_by(|a, b| (a.t, &a.name).cmp(&(b.t, &b.name)));
            buf.clear();
            for q in &hour {
                render(&mut buf, w, vpc, q, &mut rng);
            }
            let name = format!("{}_vpcdnsquerylogs_{vpc}", w.acct);
            let path = hourly_log_path(&dir, t, &name, &mut rng);
            publisher.write(&path, buf.as_bytes(), true)?;
            records += hour.len() as u64;
        }
    }
    Ok(DnsTruth {
        files: publisher.files,
        records,
        mining_domains: attack.domains,
        querying_instances: attack.instances,
    })
}
