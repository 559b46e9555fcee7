//! Stolen compute credentials: an EC2 instance-role session read a bucket
//! from a laptop; a Lambda function's or an ECS task's role session used
//! from the internet to assume a second role.
//!
//! The compute keeps calling with its own credential from its own address
//! and SDK user agent (its background traffic, plus its cadence around the
//! theft scripted here so the stolen key is seen in its owner's hands); the
//! attacker's calls follow [`EC2_STEPS`] or [`ROLE_STEPS`].

use super::rec::{hex_id, meta, new_id, render, Call, Caller};
use super::{attack_time, attacker_ip, desktop_cli, event_ref, stream, Built, CredentialTruth};
use crate::catalog::{EC2R, LAMBDA};
use crate::record::{Model, Scratch, Scripted};
use crate::rng::Rng;
use crate::time::iso;
use crate::world::{Ident, World, REGIONS};
use crate::GenError;

/// Which compute's credential is stolen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Compute {
    Ec2,
    Lambda,
    Ecs,
}

/// Which key a step uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Key {
    /// The stolen compute session.
    Stolen,
    /// The session of the role assumed with it.
    Assumed,
}

/// What a step's parameters and response look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `null` parameters and response.
    Plain,
    /// `null` response, AccessDenied.
    Denied,
    ListBuckets,
    BucketLocation,
    ListObjects,
    GetObject,
    AssumeRole,
    GetSecret,
    Describe,
}

/// One attacker step: `n` calls `gap` seconds apart, `at` seconds (before
/// the seed's stretch) after the attack starts.
struct Step {
    at: u32,
    key: Key,
    api: &'static str,
    op: Op,
    n: u8,
    gap: u8,
}

const fn s(at: u32, key: Key, api: &'static str, op: Op, n: u8, gap: u8) -> Step {
    Step {
        at,
        key,
        api,
        op,
        n,
        gap,
    }
}

/// The instance credential: discovery, then the bucket listed and read.
#[rustfmt::skip]
static EC2_STEPS: &[Step] = &[
    s(0, Key::Stolen, "GetCallerIdentity", Op::Plain, 1, 0),
    s(21, Key::Stolen, "ListBuckets", Op::ListBuckets, 1, 0),
    s(44, Key::Stolen, "GetBucketLocation", Op::BucketLocation, 1, 0),
    s(63, Key::Stolen, "ListObjects", Op::ListObjects, 3, 7),
    s(101, Key::Stolen, "GetObject", Op::GetObject, 8, 3),
    s(160, Key::Stolen, "ListUsers", Op::Denied, 1, 0),
    s(188, Key::Stolen, "ListObjects", Op::ListObjects, 1, 0),
    s(214, Key::Stolen, "GetObject", Op::GetObject, 6, 2),
];

/// A Lambda or ECS task credential: discovery, a second role, its use.
#[rustfmt::skip]
static ROLE_STEPS: &[Step] = &[
    s(0, Key::Stolen, "GetCallerIdentity", Op::Plain, 1, 0),
    s(19, Key::Stolen, "ListRoles", Op::Denied, 1, 0),
    s(37, Key::Stolen, "ListBuckets", Op::ListBuckets, 1, 0),
    s(72, Key::Stolen, "AssumeRole", Op::AssumeRole, 1, 0),
    s(104, Key::Assumed, "GetCallerIdentity", Op::Plain, 1, 0),
    s(131, Key::Assumed, "ListUsers", Op::Plain, 1, 0),
    s(166, Key::Assumed, "ListSecrets", Op::Plain, 1, 0),
    s(183, Key::Assumed, "GetSecretValue", Op::GetSecret, 3, 5),
    s(231, Key::Assumed, "DescribeInstances", Op::Describe, 1, 0),
    s(262, Key::Assumed, "ListBuckets", Op::ListBuckets, 1, 0),
];

/// Roles an attacker pivots into (they exist in the account, unused by
/// the background).
const SECOND_ROLES: &[&str] = &[
    "ops-automation-role",
    "data-export-role",
    "platform-admin-role",
    "backup-operator-role",
    "deployment-role",
];
/// ECS services (task role `<company>-<service>-task-role`).
const ECS_SERVICES: &[&str] = &[
    "orders-api",
    "checkout-worker",
    "report-renderer",
    "event-consumer",
];
const OBJECT_DIRS: &[&str] = &["exports", "customers", "db-dumps", "reports", "invoices"];
const OBJECT_EXTS: &[&str] = &["csv.gz", "json", "parquet", "sql.gz", "pdf"];

fn ecs_ua(rng: &mut Rng) -> String {
    if rng.chance(5000) {
        let b = rng.range(28, 36);
        let p = rng.range(50, 160);
        format!("Boto3/1.{b}.{p} md/Botocore#1.{b}.{p} ua/2.0 os/linux#5.10.225-213.878.amzn2.x86_64 md/arch#x86_64 lang/python#3.11.9 md/pyimpl#CPython exec-env/AWS_ECS_FARGATE cfg/retry-mode#legacy Botocore/1.{b}.{p}")
    } else {
        format!(
            "aws-sdk-java/2.25.{} Linux/5.10.225-213.878.amzn2.x86_64 OpenJDK_64-Bit_Server_VM/17.0.12+7-LTS Java/17.0.12 vendor/Amazon.com_Inc. exec-env/AWS_ECS_FARGATE io/sync http/Apache cfg/retry-mode/legacy",
            rng.range(10, 60)
        )
    }
}

/// An AssumedRole userIdentity.
fn role_identity(
    acct: &str,
    aroa: &str,
    role: &str,
    session: &str,
    key: &str,
    created: i64,
) -> String {
    format!(
        r#"{{"type":"AssumedRole","principalId":"{aroa}:{session}","arn":"arn:aws:sts::{acct}:assumed-role/{role}/{session}","accountId":"{acct}","accessKeyId":"{key}","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{aroa}","arn":"arn:aws:iam::{acct}:role/{role}","accountId":"{acct}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}}}}}"#,
        iso(created)
    )
}

/// The compute whose credential is stolen, resolved for the seed.
struct Victim {
    /// The compute's identity (a world identity, or a static one for ECS).
    ident: Ident,
    /// Its index in `world.idents` (for session keys); unused when static.
    ident_idx: usize,
    key: String,
    created: i64,
    region: usize,
    /// The owner's scripted calls: `[from, to)`.
    window: (i64, i64),
}

fn session_key(w: &World, idx: usize, t: i64) -> (String, i64) {
    let (k, created) = w.session(idx, t);
    let mut out = Vec::new();
    crate::record::push_key(&mut out, b"ASIA", k, 16);
    (String::from_utf8_lossy(&out).into_owned(), created)
}

fn victim(w: &World, kind: Compute, rng: &mut Rng, t_att: i64) -> Result<Victim, GenError> {
    let class = if kind == Compute::Lambda {
        LAMBDA
    } else {
        EC2R
    };
    let candidates: Vec<usize> = (0..w.idents.len())
        .filter(|&i| w.idents[i].class == class)
        .collect();
    if candidates.is_empty() {
        return Err(GenError::Template(
            "no compute identity to steal from".into(),
        ));
    }
    let idx = *rng.pick(&candidates);
    if kind != Compute::Ecs {
        let (key, created) = session_key(w, idx, t_att);
        let ident = w.idents[idx].clone();
        let region = if kind == Compute::Ec2 {
            (0..REGIONS.len())
                .find(|&r| w.res[r].iids.contains(&ident.session))
                .unwrap_or(w.home[0])
        } else {
            w.home[0]
        };
        return Ok(Victim {
            ident,
            ident_idx: idx,
            key,
            created,
            region,
            window: (created, created + 3600),
        });
    }
    let service = *rng.pick(ECS_SERVICES);
    let role = format!("{}-{service}-task-role", w.company);
    let task = hex_id(rng, 32);
    let created = t_att - rng.range(2 * 3600, 5 * 3600) as i64;
    let key = new_id("ASIA", rng, 16);
    let aroa = new_id("AROA", rng, 17);
    let mut ident = w.idents[idx].clone();
    ident.name = role.clone();
    ident.session = task.clone();
    ident.arn = format!("arn:aws:sts::{}:assumed-role/{role}/{task}", w.acct);
    ident.json_a = role_identity(&w.acct, &aroa, &role, &task, &key, created);
    ident.session_len = 0;
    ident.ips = vec![crate::world::public_ip(rng, &[3, 18, 35, 52, 54])];
    ident.ua = ecs_ua(rng);
    ident.ua_cmd = false;
    let end = t_att + rng.range(3600, 3 * 3600) as i64;
    Ok(Victim {
        ident,
        ident_idx: usize::MAX,
        key,
        created,
        region: w.home[0],
        window: (created, end),
    })
}

/// The victim's own calls during its window.
fn owner_cadence(model: &Model, v: &Victim, seed_rng: &mut Rng, span: (i64, i64)) -> Vec<Scripted> {
    let mut rng = Rng::new(seed_rng.next_u64());
    let mut sc = Scratch::default();
    let mut out = Vec::new();
    let mut t = v.window.0 + rng.range(5, 60) as i64;
    while t < v.window.1 {
        if t >= span.0 && t < span.1 {
            let mut buf = Vec::new();
            let api = model.write_as(
                &mut buf,
                &mut rng,
                &mut sc,
                &v.ident,
                v.ident_idx,
                v.region,
                t,
            );
            out.push(Scripted::new(t, v.region, model.apis[api].api.name, buf));
        }
        t += rng.range(40, 300) as i64;
    }
    out
}

/// Values the attacker's steps refer to.
struct Plan<'a> {
    w: &'a World,
    bucket: String,
    objects: Vec<String>,
    second_role: &'static str,
    second_session: String,
    second_key: String,
    second_aroa: String,
}

fn s3_extra(rng: &mut Rng, bytes_out: (u64, u64)) -> String {
    let out_bytes = rng.range(bytes_out.0, bytes_out.1);
    format!(
        r#"{{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"{}","bytesTransferredOut":{out_bytes}}}"#,
        hex_id(rng, 32)
    )
}

/// Fills `call`'s parameters for `op`; `k` counts the step's repetitions.
fn fill(
    call: &mut Call,
    op: Op,
    p: &Plan,
    caller_arn: &str,
    rng: &mut Rng,
    k: usize,
    objects_read: &mut Vec<String>,
) {
    let acct = &p.w.acct;
    let region = REGIONS[call.region].0;
    let b = &p.bucket;
    let host = format!("{b}.s3.{region}.amazonaws.com");
    let bucket_res =
        format!(r#"[{{"accountId":"{acct}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{b}"}}]"#);
    match op {
        Op::Plain => {}
        Op::Describe => call.req = r#"{"instancesSet":{},"filterSet":{}}"#.into(),
        Op::Denied => {
            let action = format!(
                "{}:{}",
                call.api.source.split('.').next().unwrap_or(""),
                call.api.name
            );
            call.error = Some((
                "AccessDenied".into(),
                format!("User: {caller_arn} is not authorized to perform: {action} on resource: arn:aws:iam::{acct}:{} because no identity-based policy allows the {action} action", if call.api.name == "ListRoles" { "role/" } else { "user/" }),
            ));
        }
        Op::ListBuckets => {
            call.req = r#"{"Host":"s3.amazonaws.com"}"#.into();
            call.extra = Some(s3_extra(rng, (900, 4000)));
            call.host = Some("s3.amazonaws.com".into());
        }
        Op::BucketLocation => {
            call.req = format!(r#"{{"bucketName":"{b}","Host":"{host}","location":""}}"#);
            call.resources = Some(bucket_res);
            call.extra = Some(s3_extra(rng, (137, 138)));
            call.host = Some(host);
        }
        Op::ListObjects => {
            let dir = p
                .objects
                .get(k)
                .and_then(|o| o.split('/').next())
                .unwrap_or("");
            call.req = format!(
                r#"{{"list-type":"2","bucketName":"{b}","encoding-type":"url","prefix":"{}","delimiter":"/","Host":"{host}"}}"#,
                if k == 0 {
                    String::new()
                } else {
                    format!("{dir}/")
                }
            );
            call.resources = Some(bucket_res);
            call.extra = Some(s3_extra(rng, (700, 30_000)));
            call.host = Some(host);
        }
        Op::GetObject => {
            let obj = &p.objects[(objects_read.len()) % p.objects.len()];
            if !objects_read.contains(obj) {
                objects_read.push(obj.clone());
            }
            call.req = format!(r#"{{"bucketName":"{b}","Host":"{host}","key":"{obj}"}}"#);
            call.resources = Some(format!(
                r#"[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::{b}/{obj}"}},{{"accountId":"{acct}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{b}"}}]"#
            ));
            call.extra = Some(s3_extra(rng, (20_000, 80_000_000)));
            call.host = Some(host);
        }
        Op::AssumeRole => {
            let role_arn = format!("arn:aws:iam::{acct}:role/{}", p.second_role);
            call.req = format!(
                r#"{{"roleArn":"{role_arn}","roleSessionName":"{}","durationSeconds":3600}}"#,
                p.second_session
            );
            call.resp = format!(
                r#"{{"credentials":{{"accessKeyId":"{}","sessionToken":"IQoJb3JpZ2luX2VjE{}","expiration":"{}"}},"assumedRoleUser":{{"assumedRoleId":"{}:{}","arn":"arn:aws:sts::{acct}:assumed-role/{}/{}"}}}}"#,
                p.second_key,
                hex_id(rng, 32),
                java_date(call.t + 3600),
                p.second_aroa,
                p.second_session,
                p.second_role,
                p.second_session
            );
            call.resources = Some(format!(
                r#"[{{"accountId":"{acct}","type":"AWS::IAM::Role","ARN":"{role_arn}"}}]"#
            ));
        }
        Op::GetSecret => {
            let secret = p.w.secrets[k % p.w.secrets.len()];
            call.req = format!(r#"{{"secretId":"{secret}"}}"#);
        }
    }
}

fn java_date(t: i64) -> String {
    let mut out = Vec::new();
    crate::time::push_java_date(&mut out, t);
    String::from_utf8_lossy(&out).into_owned()
}

/// The attacker: address, client and clock.
struct Attacker {
    ip: String,
    cli: String,
    /// Time of the first call.
    t0: i64,
    /// Percentage the step table's timings are stretched by.
    stretch: i64,
}

impl Attacker {
    fn at(&self, st: &Step, k: usize) -> i64 {
        self.t0 + st.at as i64 * self.stretch / 100 + (k * st.gap as usize) as i64
    }
}

/// The bucket, objects and second role the attacker goes for.
fn choose_plan<'a>(w: &'a World, rng: &mut Rng, t0: i64) -> Plan<'a> {
    let buckets: Vec<&String> = w
        .buckets
        .iter()
        .filter(|b| !b.contains("cloudtrail"))
        .collect();
    let bucket = (*rng.pick(&buckets)).clone();
    let objects = (0..6)
        .map(|_| {
            format!(
                "{}/{}-{}.{}",
                rng.pick(OBJECT_DIRS),
                rng.pick(&["2023", "2024", "full", "q1", "q2"]),
                hex_id(rng, 8),
                rng.pick(OBJECT_EXTS)
            )
        })
        .collect();
    let second_role: &'static str = SECOND_ROLES[rng.below(SECOND_ROLES.len() as u64) as usize];
    Plan {
        w,
        bucket,
        objects,
        second_role,
        second_session: if rng.chance(5000) {
            format!("botocore-session-{}", t0 + 72)
        } else {
            hex_id(rng, 8)
        },
        second_key: new_id("ASIA", rng, 16),
        second_aroa: new_id("AROA", rng, 17),
    }
}

/// The attacker's records (by `steps`) and the objects it read.
fn attacker_records(
    v: &Victim,
    plan: &Plan,
    a: &Attacker,
    steps: &[Step],
    rng: &mut Rng,
) -> Result<(Vec<Scripted>, Vec<String>), GenError> {
    let w = plan.w;
    let stolen = Caller {
        identity: if v.ident.dynamic() {
            format!(
                "{}{}{}{}{}",
                v.ident.json_a,
                v.key,
                v.ident.json_b,
                iso(v.created),
                v.ident.json_c
            )
        } else {
            v.ident.json_a.clone()
        },
        ip: a.ip.clone(),
        ua: a.cli.clone(),
        console: false,
    };
    let assume_t = steps
        .iter()
        .find(|st| st.op == Op::AssumeRole)
        .map_or(a.t0, |st| a.at(st, 0));
    let assumed = Caller {
        identity: role_identity(
            &w.acct,
            &plan.second_aroa,
            plan.second_role,
            &plan.second_session,
            &plan.second_key,
            assume_t,
        ),
        ..stolen.clone()
    };
    let assumed_arn = format!(
        "arn:aws:sts::{}:assumed-role/{}/{}",
        w.acct, plan.second_role, plan.second_session
    );
    let mut records = Vec::new();
    let mut objects_read = Vec::new();
    for st in steps {
        let api = meta(st.api)
            .ok_or_else(|| GenError::Template(format!("scenario API {} missing", st.api)))?;
        for k in 0..st.n.max(1) as usize {
            let mut call = Call::new(api, a.at(st, k), v.region);
            call.ua_suffix = super::cli_command(st.api);
            let (caller, arn) = match st.key {
                Key::Stolen => (&stolen, &v.ident.arn),
                Key::Assumed => (&assumed, &assumed_arn),
            };
            fill(&mut call, st.op, plan, arn, rng, k, &mut objects_read);
            records.push(render(&w.acct, caller, &call, rng));
        }
    }
    Ok((records, objects_read))
}

/// Builds the stolen-credential scenario `kind` for a corpus of `days`
/// days from `start` (Unix seconds).
pub(crate) fn build_compute(
    model: &Model,
    kind: Compute,
    start: i64,
    days: u32,
) -> Result<Built<CredentialTruth>, GenError> {
    let w = &model.world;
    let mut rng = stream(w, 0xc0 + kind as u64);
    let t_theft = attack_time(w, start, days, &mut rng, (0, 24));
    let v = victim(w, kind, &mut rng, t_theft)?;
    let span = (start, start + days as i64 * 86_400);
    let t0 = (t_theft + rng.range(120, 1500) as i64)
        .min(span.1 - 1200)
        .max(v.created + 60);
    let stretch = rng.range(80, 160) as i64;
    let cli = desktop_cli(&mut rng);
    let ip = attacker_ip(&mut rng);
    let plan = choose_plan(w, &mut rng, t0);
    let attacker = Attacker {
        ip,
        cli,
        t0,
        stretch,
    };
    let steps = if kind == Compute::Ec2 {
        EC2_STEPS
    } else {
        ROLE_STEPS
    };
    let (mut records, objects_read) = attacker_records(&v, &plan, &attacker, steps, &mut rng)?;
    records.retain(|r| r.t >= span.0 && r.t < span.1);
    let first = records
        .iter()
        .min_by_key(|r| r.t)
        .map(event_ref)
        .ok_or_else(|| GenError::Config("the attack does not fit in the corpus".into()))?;
    let last = records.iter().map(|r| r.t).max().unwrap_or(first.time);
    let attacker_events = records.len() as u64;
    records.extend(owner_cadence(model, &v, &mut rng, span));
    let pivot = kind != Compute::Ec2;
    let session = || v.ident.session.clone();
    let truth = CredentialTruth {
        compute: ["ec2", "lambda", "ecs"][kind as usize].to_string(),
        role_name: v.ident.name.clone(),
        role_arn: format!("arn:aws:iam::{}:role/{}", w.acct, v.ident.name),
        session_name: session(),
        instance_id: (kind == Compute::Ec2).then(session),
        function_name: (kind == Compute::Lambda).then(session),
        task_id: (kind == Compute::Ecs).then(session),
        access_key_id: v.key.clone(),
        owner_ips: v.ident.ips.clone(),
        owner_user_agent: v.ident.ua.clone(),
        attacker_ip: attacker.ip,
        attacker_user_agent: attacker.cli,
        first_attacker_event: first,
        last_attacker_event_time: last,
        attacker_events,
        buckets_read: if objects_read.is_empty() {
            Vec::new()
        } else {
            vec![plan.bucket.clone()]
        },
        objects_read,
        assumed_role_name: pivot.then(|| plan.second_role.to_string()),
        assumed_role_arn: pivot
            .then(|| format!("arn:aws:iam::{}:role/{}", w.acct, plan.second_role)),
        assumed_role_session_name: pivot.then(|| plan.second_session.clone()),
        assumed_access_key_id: pivot.then(|| plan.second_key.clone()),
        region: REGIONS[v.region].0.to_string(),
    };
    Ok(Built { records, truth })
}
