//! Route 53 Resolver query logs delivered to S3: gzip JSON Lines under
//! `AWSLogs/<acct>/vpcdnsquerylogs/<vpc-id>/YYYY/MM/DD/`, one file per
//! hour and VPC, fields in the documented order. The company's instances
//! resolve AWS endpoints and their usual services; the attacker's
//! instances resolve their mining pool (an invented label under a real
//! pool operator's suffix) every half hour.

use super::{pool, Ctx, DnsTruth, Publisher};
use crate::rng::{derive, Rng};
use crate::time::{civil, iso};
use crate::world::{hex, public_ip, World, REGIONS};
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

/// One query.
struct Query {
    t: i64,
    name: String,
    srcaddr: String,
    instance: String,
    answer: String,
}

fn render(out: &mut String, w: &World, region: &str, vpc: &str, q: &Query, rng: &mut Rng) {
    let v = serde_json::json!({
        "version": "1.100000",
        "account_id": w.acct,
        "region": region,
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

/// Writes the query logs and returns the truth.
pub(crate) fn write(ctx: &Ctx) -> Result<DnsTruth, GenError> {
    let w = ctx.w;
    let mut regions = w.home.clone();
    for i in &ctx.facts.instances {
        if !regions.contains(&i.region) {
            regions.push(i.region);
        }
    }
    let mut attack: Vec<(usize, Query)> = Vec::new();
    let mut domains: Vec<String> = Vec::new();
    let mut querying: Vec<String> = Vec::new();
    for (k, inst) in ctx.facts.instances.iter().enumerate() {
        let p = pool(w, k);
        let end = inst.terminated.unwrap_or(ctx.span.1).min(ctx.span.1);
        let mut t = inst.launched + 150 + k as i64 * 7;
        let mut first = true;
        while t < end {
            let name = if first {
                "raw.githubusercontent.com."
            } else {
                ""
            };
            if !name.is_empty() {
                attack.push((
                    inst.region,
                    Query {
                        t: t - 40,
                        name: name.into(),
                        srcaddr: inst.nic.private_ip.clone(),
                        instance: inst.id.clone(),
                        answer: "185.199.108.133".into(),
                    },
                ));
            }
            first = false;
            attack.push((
                inst.region,
                Query {
                    t,
                    name: format!("{}.", p.domain),
                    srcaddr: inst.nic.private_ip.clone(),
                    instance: inst.id.clone(),
                    answer: p.ip.clone(),
                },
            ));
            t += 1800;
        }
        if !domains.iter().any(|d| d == p.domain) {
            domains.push(p.domain.to_string());
        }
        querying.push(inst.id.clone());
    }
    attack.retain(|(_, q)| q.t >= ctx.span.0 && q.t < ctx.span.1);
    let mut publisher = Publisher::new(ctx.level);
    let mut records = 0u64;
    let mut buf = String::new();
    for &region in &regions {
        let rname = REGIONS[region].0;
        let Some(vpc) = w.res[region].vpcs.first() else {
            continue;
        };
        let dir = ctx
            .out
            .join("AWSLogs")
            .join(&w.acct)
            .join("vpcdnsquerylogs")
            .join(vpc);
        let iids = &w.res[region].iids;
        let mut t = ctx.span.0;
        while t < ctx.span.1 {
            let mut rng = Rng::new(derive(w.seed, &[0xd25, region as u64, t as u64]));
            let mut hour: Vec<Query> = Vec::new();
            if !iids.is_empty() {
                for _ in 0..rng.range(8, 30) {
                    let iid = &iids[rng.below(iids.len().min(8) as u64) as usize];
                    let name = rng
                        .pick(BENIGN)
                        .replace("{r}", rname)
                        .replace("{c}", w.company);
                    let answer = if name.ends_with(".internal.") {
                        format!("172.31.{}.{}", rng.range(0, 255), rng.range(4, 254))
                    } else {
                        public_ip(&mut rng, &[3, 13, 52, 54])
                    };
                    hour.push(Query {
                        t: t + rng.below(3600) as i64,
                        name,
                        srcaddr: w.nic(region, iid).private_ip,
                        instance: iid.clone(),
                        answer,
                    });
                }
            }
            for (_, q) in attack
                .iter()
                .filter(|(r, q)| *r == region && q.t >= t && q.t < t + 3600)
            {
                hour.push(Query {
                    t: q.t,
                    name: q.name.clone(),
                    srcaddr: q.srcaddr.clone(),
                    instance: q.instance.clone(),
                    answer: q.answer.clone(),
                });
            }
            if !hour.is_empty() {
                hour.sort_by(|a, b| (a.t, &a.name).cmp(&(b.t, &b.name)));
                buf.clear();
                for q in &hour {
                    render(&mut buf, w, rname, vpc, q, &mut rng);
                }
                let c = civil(t);
                let file = format!(
                    "{acct}_vpcdnsquerylogs_{vpc}_{:04}{:02}{:02}T{:02}{:02}Z_{}.log.gz",
                    c.y,
                    c.mo,
                    c.d,
                    c.h,
                    c.mi,
                    hex(rng.next_u64(), 8),
                    acct = w.acct
                );
                let path = dir
                    .join(format!("{:04}", c.y))
                    .join(format!("{:02}", c.mo))
                    .join(format!("{:02}", c.d))
                    .join(file);
                publisher.write(&path, buf.as_bytes(), true)?;
                records += hour.len() as u64;
            }
            t += 3600;
        }
    }
    Ok(DnsTruth {
        files: publisher.files,
        records,
        mining_domains: domains,
        querying_instances: querying,
    })
}
