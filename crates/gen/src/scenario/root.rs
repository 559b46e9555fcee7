//! Root console takeover: failed then successful root sign-in from a new
//! address without MFA; the root console session creates a root access key,
//! an admin user with its own key; the root key launches GPU instances in a
//! region the account does not use.

use super::rec::{hex_id, meta, new_id, render, uuid, Call, Caller};
use super::{
    attack_time, attacker_ip, desktop_cli, event_ref, foreign_region, stream, Built, RootTruth,
};
use crate::record::Model;
use crate::rng::Rng;
use crate::time::iso;
use crate::world::{extra_iam_user, World, REGIONS};
use crate::{GenError, InstanceTruth};

/// Who makes a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Who {
    /// Root signing in (no key).
    Login,
    /// The attacker's root console session, with its `n`-th ASIA key (the
    /// console hands out a new one as the session moves between services).
    Console(u8),
    /// The root access key the attacker created, from the CLI.
    RootKey,
    /// The admin user's key the attacker created.
    NewUser,
}

/// What a step's parameters and response look like.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    LoginFailure,
    LoginSuccess,
    Plain,
    CreateRootKey,
    CreateUser,
    AttachAdmin,
    CreateUserKey,
    Regions,
    /// A launch refused for the vCPU quota.
    RunRefused,
    Run,
}

struct Step {
    at: u32,
    who: Who,
    api: &'static str,
    op: Op,
}

const fn s(at: u32, who: Who, api: &'static str, op: Op) -> Step {
    Step { at, who, api, op }
}

#[rustfmt::skip]
static STEPS: &[Step] = &[
    s(0, Who::Login, "ConsoleLogin", Op::LoginFailure),
    s(23, Who::Login, "ConsoleLogin", Op::LoginFailure),
    s(61, Who::Login, "ConsoleLogin", Op::LoginSuccess),
    s(95, Who::Console(0), "GetAccountSummary", Op::Plain),
    s(118, Who::Console(0), "ListUsers", Op::Plain),
    s(170, Who::Console(0), "CreateAccessKey", Op::CreateRootKey),
    s(236, Who::Console(1), "CreateUser", Op::CreateUser),
    s(262, Who::Console(1), "AttachUserPolicy", Op::AttachAdmin),
    s(290, Who::Console(1), "CreateAccessKey", Op::CreateUserKey),
    s(420, Who::RootKey, "GetCallerIdentity", Op::Plain),
    s(447, Who::RootKey, "DescribeRegions", Op::Regions),
    s(489, Who::RootKey, "RunInstances", Op::RunRefused),
    s(531, Who::RootKey, "RunInstances", Op::Run),
    s(610, Who::NewUser, "GetCallerIdentity", Op::Plain),
];

const GPU_TYPES: &[&str] = &[
    "p3.2xlarge",
    "p3.8xlarge",
    "g5.xlarge",
    "g5.2xlarge",
    "g5.12xlarge",
    "p3.16xlarge",
];
const USERS: &[&str] = &[
    "backup-admin",
    "svc-monitoring",
    "cloud-ops",
    "aws-support-sync",
    "admin2",
];
const VCPU: &str = "You have requested more vCPU capacity than your current vCPU limit of 32 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.";

fn browser(rng: &mut Rng) -> String {
    let v = rng.range(120, 132);
    format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36")
}

fn java_date(t: i64) -> String {
    let mut out = Vec::new();
    crate::time::push_java_date(&mut out, t);
    String::from_utf8_lossy(&out).into_owned()
}

/// Values the steps refer to.
struct Plan {
    acct: String,
    root_key: String,
    user: String,
    user_key: String,
    aida: String,
    region: usize,
    itype: &'static str,
    ami: String,
    ids: Vec<String>,
}

fn fill(call: &mut Call, op: Op, p: &Plan, w: &World, rng: &mut Rng) {
    let acct = &p.acct;
    let date = java_date(call.t);
    let (user, region) = (&p.user, REGIONS[p.region].0);
    match op {
        Op::Plain => {}
        Op::LoginFailure | Op::LoginSuccess => {
            let ok = op == Op::LoginSuccess;
            call.resp = format!(
                r#"{{"ConsoleLogin":"{}"}}"#,
                if ok { "Success" } else { "Failure" }
            );
            call.extra = Some(format!(
                r#"{{"LoginTo":"https://console.aws.amazon.com/console/home?hashArgs=%23&isauthcode=true&state=hashArgsFromTB_us-east-1_{}","MobileVersion":"No","MFAUsed":"No"}}"#,
                hex_id(rng, 16)
            ));
            if !ok {
                call.error = Some((String::new(), "Failed authentication".into()));
            }
        }
        Op::CreateRootKey => {
            call.resp = format!(
                r#"{{"accessKey":{{"accessKeyId":"{}","status":"Active","createDate":"{date}"}}}}"#,
                p.root_key
            );
        }
        Op::CreateUser => {
            call.req = format!(r#"{{"userName":"{user}"}}"#);
            call.resp = format!(
                r#"{{"user":{{"path":"/","userName":"{user}","userId":"{}","arn":"arn:aws:iam::{acct}:user/{user}","createDate":"{date}"}}}}"#,
                p.aida
            );
        }
        Op::AttachAdmin => {
            call.req = format!(
                r#"{{"userName":"{user}","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}}"#
            );
        }
        Op::CreateUserKey => {
            call.req = format!(r#"{{"userName":"{user}"}}"#);
            call.resp = format!(
                r#"{{"accessKey":{{"userName":"{user}","accessKeyId":"{}","status":"Active","createDate":"{date}"}}}}"#,
                p.user_key
            );
        }
        Op::Regions => call.req = r#"{"regionSet":{},"allRegions":true}"#.into(),
        Op::RunRefused | Op::Run => {
            let count = if op == Op::Run { p.ids.len() } else { 8 };
            let itype = if op == Op::Run {
                p.itype
            } else {
                "p3.16xlarge"
            };
            call.req = format!(
                r#"{{"instancesSet":{{"items":[{{"imageId":"{}","minCount":{count},"maxCount":{count}}}]}},"instanceType":"{itype}","blockDeviceMapping":{{}},"monitoring":{{"enabled":false}},"disableApiTermination":false,"disableApiStop":false,"clientToken":"{}"}}"#,
                p.ami,
                uuid(rng)
            );
            if op == Op::RunRefused {
                call.error = Some(("Client.VcpuLimitExceeded".into(), VCPU.into()));
                return;
            }
            let items: Vec<String> = p
                .ids
                .iter()
                .enumerate()
                .map(|(k, id)| {
                    let mut nic = Vec::new();
                    crate::record::push_nic(&mut nic, &w.nic(p.region, id), acct);
                    format!(
                        r#"{{"instanceId":"{id}","imageId":"{}","currentState":{{"code":0,"name":"pending"}},"amiLaunchIndex":{k},"instanceType":"{itype}","placement":{{"availabilityZone":"{region}a","tenancy":"default"}}{}}}"#,
                        p.ami,
                        String::from_utf8_lossy(&nic)
                    )
                })
                .collect();
            call.resp = format!(
                r#"{{"requestId":"{}","reservationId":"r-0{}","ownerId":"{acct}","groupSet":{{}},"instancesSet":{{"items":[{}]}}}}"#,
                uuid(rng),
                hex_id(rng, 16),
                items.join(",")
            );
        }
    }
}

/// Builds the root console takeover for a corpus of `days` days from `start`.
pub(crate) fn build_root(
    model: &Model,
    start: i64,
    days: u32,
) -> Result<Built<RootTruth>, GenError> {
    let w = &model.world;
    let acct = w.acct.clone();
    let mut rng = stream(w, 0x0207);
    let t0 =
        attack_time(w, start, days, &mut rng, (0, 24)).min(start + days as i64 * 86_400 - 1200);
    let stretch = rng.range(80, 170) as i64;
    let ip = attacker_ip(&mut rng);
    let web = browser(&mut rng);
    let cli = desktop_cli(&mut rng);
    let region = foreign_region(w, &mut rng);
    let n = rng.range(1, 4) as usize;
    let itype: &'static str = GPU_TYPES[rng.below(GPU_TYPES.len() as u64) as usize];
    let plan = Plan {
        acct: acct.clone(),
        root_key: new_id("AKIA", &mut rng, 16),
        user: rng.pick(USERS).to_string(),
        user_key: new_id("AKIA", &mut rng, 16),
        aida: new_id("AIDA", &mut rng, 17),
        region,
        itype,
        ami: format!("ami-0{}", hex_id(&mut rng, 16)),
        ids: (0..n)
            .map(|_| format!("i-0{}", hex_id(&mut rng, 16)))
            .collect(),
    };
    let at = |st: &Step| t0 + st.at as i64 * stretch / 100;
    let login_ok = STEPS
        .iter()
        .find(|st| st.op == Op::LoginSuccess)
        .map_or(t0, at);
    let console_keys: Vec<String> = (0..2).map(|_| new_id("ASIA", &mut rng, 16)).collect();
    let root_arn = format!("arn:aws:iam::{acct}:root");
    let caller = |who: Who| -> Caller {
        let (identity, ua, console) = match who {
            Who::Login => (
                format!(
                    r#"{{"type":"Root","principalId":"{acct}","arn":"{root_arn}","accountId":"{acct}","accessKeyId":""}}"#
                ),
                web.clone(),
                false,
            ),
            Who::Console(n) => (
                format!(
                    r#"{{"type":"Root","principalId":"{acct}","arn":"{root_arn}","accountId":"{acct}","accessKeyId":"{}","sessionContext":{{"sessionIssuer":{{}},"webIdFederationData":{{}},"attributes":{{"creationDate":"{}","mfaAuthenticated":"false"}}}}}}"#,
                    console_keys[n as usize % console_keys.len()],
                    iso(login_ok)
                ),
                web.clone(),
                true,
            ),
            Who::RootKey => (
                format!(
                    r#"{{"type":"Root","principalId":"{acct}","arn":"{root_arn}","accountId":"{acct}","accessKeyId":"{}"}}"#,
                    plan.root_key
                ),
                cli.clone(),
                false,
            ),
            Who::NewUser => (
                extra_iam_user(&acct, &plan.user, &plan.user_key, &plan.aida).json_a,
                cli.clone(),
                false,
            ),
        };
        Caller {
            identity,
            ip: ip.clone(),
            ua,
            console,
        }
    };
    let mut records = Vec::new();
    let mut first_ok = None;
    for st in STEPS {
        let api = meta(st.api)
            .ok_or_else(|| GenError::Template(format!("scenario API {} missing", st.api)))?;
        let call_region = if st.op == Op::Run || st.op == Op::RunRefused || st.op == Op::Regions {
            region
        } else {
            w.home[0]
        };
        let mut call = Call::new(api, at(st), call_region);
        if matches!(st.who, Who::RootKey | Who::NewUser) {
            call.ua_suffix = super::cli_command(st.api);
        }
        fill(&mut call, st.op, &plan, w, &mut rng);
        if call.api.name == "ConsoleLogin" {
            call.host = Some("signin.aws.amazon.com".into());
        }
        let r = render(&acct, &caller(st.who), &call, &mut rng);
        if st.op == Op::LoginSuccess {
            first_ok = Some(event_ref(&r));
        }
        records.push(r);
    }
    let span = (start, start + days as i64 * 86_400);
    records.retain(|r| r.t >= span.0 && r.t < span.1);
    let first = records
        .first()
        .map(event_ref)
        .ok_or_else(|| GenError::Config("the attack does not fit in the corpus".into()))?;
    let successful_login =
        first_ok.ok_or_else(|| GenError::Template("no successful sign-in step".into()))?;
    let truth = RootTruth {
        principal_arn: root_arn,
        attacker_ip: ip,
        attacker_user_agents: vec![web, cli],
        first_attacker_event: first,
        successful_login,
        console_access_keys: console_keys.clone(),
        root_access_keys: vec![plan.root_key.clone()],
        created_users: vec![plan.user.clone()],
        created_access_keys: vec![plan.user_key.clone()],
        attacker_regions: vec![REGIONS[region].0.to_string()],
        instances: plan
            .ids
            .iter()
            .map(|id| {
                let nic = w.nic(region, id);
                InstanceTruth {
                    instance_id: id.clone(),
                    region: REGIONS[region].0.to_string(),
                    instance_type: plan.itype.to_string(),
                    network_interface_id: nic.eni,
                    private_ip: nic.private_ip,
                }
            })
            .collect(),
        last_attacker_event_time: records.iter().map(|r| r.t).max().unwrap_or(t0),
        attacker_events: records.len() as u64,
    };
    Ok(Built { records, truth })
}
