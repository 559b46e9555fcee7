//! S3 server access logs, delivered as S3 does: objects named
//! `<TargetPrefix>YYYY-mm-DD-HH-MM-SS-<16 upper hex>` in the log bucket,
//! each holding a few lines in the documented field order (bucket owner …
//! TLS version, access point ARN, aclRequired).
//!
//! Benign traffic follows a per-bucket profile table (who, how often, which
//! operations); the attacker's requests come from [`super::facts`] with the
//! requester, address, request id and bytes of its CloudTrail records.

use std::collections::BTreeMap;

use super::facts::{upper_hex, S3Op, S3Read};
use super::{Ctx, Publisher, S3AccessTruth};
use crate::catalog::{CI, EC2R, HCLI, LAMBDA};
use crate::rng::{derive, Rng};
use crate::sources::BucketAccessTruth;
use crate::time::civil;
use crate::world::{Ident, World, REGIONS};
use crate::GenError;

/// Who makes a bucket's routine requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Actor {
    /// The application servers' instance-role sessions.
    App,
    /// The CI users (long-term keys).
    Ci,
    /// People with the CLI.
    Human,
    /// Lambda function roles.
    Lambda,
    /// Unauthenticated browsers (public assets).
    Anonymous,
}

/// A routine operation and its weight.
#[derive(Clone, Copy, Debug)]
struct OpMix {
    operation: &'static str,
    weight: u64,
}

/// One logged bucket's routine traffic.
struct Profile {
    suffix: &'static str,
    /// Requests per hour in company business hours, and outside them.
    day: u64,
    night: u64,
    actor: Actor,
    ops: &'static [OpMix],
    dirs: &'static [&'static str],
}

const fn op(operation: &'static str, weight: u64) -> OpMix {
    OpMix { operation, weight }
}

#[rustfmt::skip]
static PROFILES: &[Profile] = &[
    Profile { suffix: "prod-data", day: 14, night: 5, actor: Actor::App,
        ops: &[op("REST.GET.OBJECT", 55), op("REST.PUT.OBJECT", 25), op("REST.HEAD.OBJECT", 12), op("REST.GET.BUCKET", 8)],
        dirs: &["customers", "orders", "sessions", "exports"] },
    Profile { suffix: "artifacts", day: 5, night: 1, actor: Actor::Ci,
        ops: &[op("REST.PUT.OBJECT", 50), op("REST.GET.OBJECT", 35), op("REST.GET.BUCKET", 15)],
        dirs: &["builds", "releases", "cache"] },
    Profile { suffix: "backups", day: 1, night: 4, actor: Actor::Lambda,
        ops: &[op("REST.PUT.OBJECT", 70), op("REST.GET.BUCKET", 20), op("REST.DELETE.OBJECT", 10)],
        dirs: &["nightly", "weekly"] },
    Profile { suffix: "web-assets", day: 10, night: 4, actor: Actor::Anonymous,
        ops: &[op("REST.GET.OBJECT", 90), op("REST.HEAD.OBJECT", 10)],
        dirs: &["img", "css", "js"] },
    Profile { suffix: "analytics-raw", day: 4, night: 3, actor: Actor::Human,
        ops: &[op("REST.GET.OBJECT", 50), op("REST.GET.BUCKET", 30), op("REST.PUT.OBJECT", 20)],
        dirs: &["raw/events", "reports"] },
];

const EXTS: &[&str] = &["json.gz", "parquet", "csv", "png", "tar.gz"];
const BROWSERS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
];
const MONTHS: &[&str] = &[
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// One request, before rendering.
struct Line {
    t: i64,
    ip: String,
    /// `-` for anonymous requests.
    requester: String,
    request_id: String,
    operation: &'static str,
    key: Option<String>,
    /// Query string of a listing (`list-type=2&prefix=…`).
    query: String,
    bytes_sent: Option<u64>,
    object_size: Option<u64>,
    ua: String,
    anonymous: bool,
}

/// The log bucket's name.
pub(crate) fn log_bucket(w: &World) -> String {
    format!("{}-s3-access-logs-{}", w.company, w.acct)
}

/// Writes the access logs of every logged bucket and returns their truth.
pub(crate) fn write(ctx: &Ctx) -> Result<S3AccessTruth, GenError> {
    let w = ctx.w;
    let logged: Vec<(&String, &Profile)> = w
        .buckets
        .iter()
        .filter_map(|b| {
            PROFILES
                .iter()
                .find(|p| b.ends_with(p.suffix) && !b.contains("cloudtrail"))
                .map(|p| (b, p))
        })
        .collect();
    let owner = canonical_id(w);
    let region = REGIONS[w.home[0]].0;
    let root = ctx.out.join(log_bucket(w));
    let mut publisher = Publisher::new(ctx.level);
    let mut lines = 0u64;
    let mut buf = String::new();
    for (bi, (bucket, profile)) in logged.iter().enumerate() {
        let actors = actor_idents(w, profile.actor);
        let attacker: Vec<&S3Read> = ctx
            .facts
            .reads
            .iter()
            .filter(|r| &r.bucket == *bucket)
            .collect();
        let mut t = ctx.span.0;
        while t < ctx.span.1 {
            let mut rng = Rng::new(derive(w.seed, &[0x53ac, bi as u64, t as u64]));
            let mut hour = benign_hour(w, profile, &actors, t, &mut rng);
            hour.extend(
                attacker
                    .iter()
                    .filter(|r| r.t >= t && r.t < t + 3600)
                    .map(|r| attacker_line(r)),
            );
            hour.sort_by_key(|l| l.t);
            let mut rest = &hour[..];
            while !rest.is_empty() {
                let n = (rng.range(15, 60) as usize).min(rest.len());
                let (chunk, tail) = rest.split_at(n);
                rest = tail;
                buf.clear();
                for l in chunk {
                    render(&mut buf, &owner, bucket, region, l, &mut rng);
                }
                let delivered = chunk[chunk.len() - 1].t + rng.range(60, 900) as i64;
                let c = civil(delivered);
                let name = format!(
                    "{:04}-{:02}-{:02}-{:02}-{:02}-{:02}-{}",
                    c.y,
                    c.mo,
                    c.d,
                    c.h,
                    c.mi,
                    c.s,
                    upper_hex(&mut rng, 16)
                );
                publisher.write(
                    &root.join(bucket.as_str()).join(name),
                    buf.as_bytes(),
                    false,
                )?;
                lines += chunk.len() as u64;
            }
            t += 3600;
        }
    }
    Ok(truth(w, ctx, &logged, publisher.files, lines))
}

fn truth(
    w: &World,
    ctx: &Ctx,
    logged: &[(&String, &Profile)],
    files: u64,
    lines: u64,
) -> S3AccessTruth {
    let mut accessed: BTreeMap<&str, BucketAccessTruth> = BTreeMap::new();
    let mut principals: Vec<String> = Vec::new();
    for r in &ctx.facts.reads {
        if !logged.iter().any(|(b, _)| **b == r.bucket) {
            continue;
        }
        if !principals.contains(&r.requester) {
            principals.push(r.requester.clone());
        }
        let a = accessed
            .entry(&r.bucket)
            .or_insert_with(|| BucketAccessTruth {
                bucket: r.bucket.clone(),
                first_time: r.t,
                ..BucketAccessTruth::default()
            });
        for (list, v) in [
            (&mut a.principals, &r.requester),
            (&mut a.source_ips, &r.ip),
        ] {
            if !list.contains(v) {
                list.push(v.clone());
            }
        }
        a.first_time = a.first_time.min(r.t);
        a.last_time = a.last_time.max(r.t);
        match r.op {
            S3Op::GetObject => {
                a.get_requests += 1;
                a.object_bytes_sent += r.bytes;
                if let Some(k) = r.key.as_ref().filter(|k| !a.objects.contains(k)) {
                    a.objects.push(k.clone());
                }
            }
            S3Op::ListBucket => a.list_requests += 1,
            S3Op::GetLocation => {}
        }
    }
    let logged_names: Vec<String> = logged.iter().map(|(b, _)| (*b).clone()).collect();
    S3AccessTruth {
        log_bucket: log_bucket(w),
        files,
        lines,
        buckets_not_logged: w
            .buckets
            .iter()
            .filter(|b| !logged_names.contains(b))
            .cloned()
            .collect(),
        logged_not_accessed: logged_names
            .iter()
            .filter(|b| !accessed.contains_key(b.as_str()))
            .cloned()
            .collect(),
        buckets_logged: logged_names,
        attacker_principals: principals,
        accessed: accessed.into_values().collect(),
    }
}

fn actor_idents(w: &World, actor: Actor) -> Vec<&Ident> {
    let class = match actor {
        Actor::App => EC2R,
        Actor::Ci => CI,
        Actor::Human => HCLI,
        Actor::Lambda => LAMBDA,
        Actor::Anonymous => return Vec::new(),
    };
    w.idents
        .iter()
        .filter(|i| i.class == class && !i.arn.is_empty())
        .collect()
}

/// One hour of a bucket's routine requests.
fn benign_hour(w: &World, p: &Profile, actors: &[&Ident], t0: i64, rng: &mut Rng) -> Vec<Line> {
    let local = ((t0 / 3600) + w.tz as i64).rem_euclid(24);
    let rate = if (8..19).contains(&local) {
        p.day
    } else {
        p.night
    };
    let n = rng.range(rate / 2, rate + rate / 2 + 1);
    let total: u64 = p.ops.iter().map(|o| o.weight).sum();
    (0..n)
        .map(|_| {
            let mut x = rng.below(total.max(1));
            let o = p.ops.iter().find(|o| {
                let hit = x < o.weight;
                x = x.saturating_sub(o.weight);
                hit
            });
            let operation = o.map_or("REST.GET.OBJECT", |o| o.operation);
            let dir = *rng.pick(p.dirs);
            let object = !operation.ends_with("BUCKET");
            let size = rng.range(800, 4_000_000);
            let key = object.then(|| {
                format!(
                    "{dir}/{}.{}",
                    upper_hex(rng, 12).to_lowercase(),
                    rng.pick(EXTS)
                )
            });
            let (requester, ip, ua, anonymous) = match actors {
                [] => (
                    "-".to_string(),
                    crate::world::public_ip(rng, &[24, 73, 81, 98, 176]),
                    rng.pick(BROWSERS).to_string(),
                    true,
                ),
                _ => {
                    let id = *rng.pick(actors);
                    (
                        id.arn.clone(),
                        rng.pick(&id.ips).clone(),
                        id.ua.clone(),
                        false,
                    )
                }
            };
            Line {
                t: t0 + rng.below(3600) as i64,
                ip,
                requester,
                request_id: upper_hex(rng, 16),
                operation,
                query: if object {
                    String::new()
                } else {
                    format!("list-type=2&prefix={dir}%2F&encoding-type=url")
                },
                bytes_sent: match operation {
                    "REST.GET.OBJECT" => Some(size),
                    "REST.GET.BUCKET" => Some(rng.range(600, 20_000)),
                    _ => None,
                },
                object_size: object
                    .then_some(size)
                    .filter(|_| operation != "REST.DELETE.OBJECT"),
                key,
                ua,
                anonymous,
            }
        })
        .collect()
}

fn attacker_line(r: &S3Read) -> Line {
    let (operation, object) = match r.op {
        S3Op::GetObject => ("REST.GET.OBJECT", true),
        S3Op::ListBucket => ("REST.GET.BUCKET", false),
        S3Op::GetLocation => ("REST.GET.LOCATION", false),
    };
    Line {
        t: r.t,
        ip: r.ip.clone(),
        requester: r.requester.clone(),
        request_id: r.request_id.clone(),
        operation,
        key: r.key.clone(),
        query: match r.op {
            S3Op::ListBucket => format!(
                "list-type=2&prefix={}&encoding-type=url",
                r.prefix.replace('/', "%2F")
            ),
            S3Op::GetLocation => "location".to_string(),
            S3Op::GetObject => String::new(),
        },
        bytes_sent: Some(r.bytes),
        object_size: object.then_some(r.bytes),
        ua: r.ua.clone(),
        anonymous: false,
    }
}

/// The bucket owner's canonical user id (64 hex), fixed per account.
fn canonical_id(w: &World) -> String {
    let mut rng = Rng::new(derive(w.seed, &[0xca70, 0x1d]));
    (0..4)
        .map(|_| crate::world::hex(rng.next_u64(), 16))
        .collect()
}

/// Appends one log line: the documented 26 fields in order.
fn render(out: &mut String, owner: &str, bucket: &str, region: &str, l: &Line, rng: &mut Rng) {
    use std::fmt::Write;
    let c = civil(l.t);
    let dash = |v: Option<u64>| v.map_or("-".to_string(), |v| v.to_string());
    let key = l.key.as_deref().unwrap_or("-");
    let method = match l.operation {
        "REST.PUT.OBJECT" => "PUT",
        "REST.HEAD.OBJECT" => "HEAD",
        "REST.DELETE.OBJECT" => "DELETE",
        _ => "GET",
    };
    let uri = match &l.key {
        Some(k) => format!("{method} /{k} HTTP/1.1"),
        None => format!("{method} /?{} HTTP/1.1", l.query),
    };
    let status = if l.operation == "REST.DELETE.OBJECT" {
        204
    } else {
        200
    };
    let total = rng.range(4, 400) + l.bytes_sent.unwrap_or(0) / 400_000;
    let turn = rng.range(2, total.max(3));
    let host_id: String = (0..75)
        .map(|_| B64[rng.below(64) as usize] as char)
        .collect();
    let (sig, cipher, auth, tls) = if l.anonymous {
        ("-", "ECDHE-RSA-AES128-GCM-SHA256", "-", "TLSv1.2")
    } else {
        (
            "SigV4",
            "ECDHE-RSA-AES128-GCM-SHA256",
            "AuthHeader",
            "TLSv1.2",
        )
    };
    let _ = writeln!(
        out,
        "{owner} {bucket} [{:02}/{}/{:04}:{:02}:{:02}:{:02} +0000] {} {} {} {} {key} \"{uri}\" {status} - {} {} {total} {turn} \"-\" \"{}\" - {host_id}= {sig} {cipher} {auth} {bucket}.s3.{region}.amazonaws.com {tls} - -",
        c.d,
        MONTHS[(c.mo as usize + 11) % 12],
        c.y,
        c.h,
        c.mi,
        c.s,
        l.ip,
        l.requester,
        l.request_id,
        l.operation,
        dash(l.bytes_sent),
        dash(l.object_size),
        l.ua.replace('"', "'"),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_has_the_documented_fields_and_dashes_for_absent_values() {
        let line = Line {
            t: 1_715_300_000,
            ip: "192.0.2.3".into(),
            requester: "-".into(),
            request_id: "3E57427F3EXAMPLE".into(),
            operation: "REST.HEAD.OBJECT",
            key: Some("img/a.png".into()),
            query: String::new(),
            bytes_sent: None,
            object_size: Some(42),
            ua: "Mozilla/5.0 \"x\"".into(),
            anonymous: true,
        };
        let mut out = String::new();
        render(&mut out, "ab", "bkt", "us-east-1", &line, &mut Rng::new(1));
        assert!(out.starts_with(
            "ab bkt [10/May/2024:00:13:20 +0000] 192.0.2.3 - 3E57427F3EXAMPLE REST.HEAD.OBJECT img/a.png \"HEAD /img/a.png HTTP/1.1\" 200 - - 42 "
        ), "{out}");
        assert!(out.contains("\"-\" \"Mozilla/5.0 'x'\" - "), "{out}");
        assert!(
            out.ends_with(
                " - ECDHE-RSA-AES128-GCM-SHA256 - bkt.s3.us-east-1.amazonaws.com TLSv1.2 - -\n"
            ),
            "{out}"
        );
    }
}
