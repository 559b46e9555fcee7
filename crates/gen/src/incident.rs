//! The embedded incident: a leaked CI access key abused from abroad, then
//! contained by the account's admin the next morning.
//!
//! The scenario is the [`STEPS`] table (plus [`LAUNCHES`] for the GPU
//! instances); the code only resolves its references (who, where, which
//! launch) and pre-computes the values the ground truth reports.

use crate::rng::{derive, Rng};
use crate::world::{extra_iam_user, hex, key_id, Ident, World, REGIONS, US_EAST_1};

/// Who performs a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Who {
    /// The leaked deploy-bot key, from attacker IP number `n`.
    Attacker(u8),
    /// The access key the attacker created for its new user, from attacker IP `n`.
    NewUser(u8),
    /// The admin responder, from their usual IP.
    Responder,
}

/// Where a step is recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Loc {
    /// us-east-1 (global services).
    Global,
    /// The company's primary region.
    Primary,
    /// The `n`-th region the company never uses.
    Foreign(u8),
}

/// How a step fails.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fail {
    No,
    /// The service's AccessDenied form (from the catalogue).
    Denied,
    /// A specific error code and message template.
    With(&'static str, &'static str),
}

/// One step of the scenario; `n` repetitions `gap` seconds apart.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Step {
    /// Seconds after the attack starts.
    pub at: u32,
    pub who: Who,
    pub loc: Loc,
    /// eventName; must exist in the catalogue.
    pub api: &'static str,
    pub n: u8,
    pub gap: u8,
    pub fail: Fail,
    /// 1-based index into [`LAUNCHES`] (0: none).
    pub launch: u8,
    /// requestParameters / responseElements templates; "" uses the catalogue's.
    pub req: &'static str,
    pub resp: &'static str,
}

/// A RunInstances of the attacker.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LaunchSpec {
    pub loc: Loc,
    pub itype: &'static str,
    pub count: u8,
    /// False when the launch fails (vCPU limit): no instances exist.
    pub ok: bool,
}

/// GPU launches; referenced by steps through `launch`.
#[rustfmt::skip]
pub(crate) static LAUNCHES: &[LaunchSpec] = &[
    LaunchSpec { loc: Loc::Foreign(0), itype: "p3.2xlarge", count: 2, ok: true },
    LaunchSpec { loc: Loc::Foreign(0), itype: "p3.8xlarge", count: 4, ok: false },
    LaunchSpec { loc: Loc::Foreign(1), itype: "g4dn.xlarge", count: 3, ok: true },
    LaunchSpec { loc: Loc::Foreign(1), itype: "g4dn.12xlarge", count: 1, ok: true },
];

const S: Step = Step {
    at: 0,
    who: Who::Attacker(0),
    loc: Loc::Global,
    api: "",
    n: 1,
    gap: 0,
    fail: Fail::No,
    launch: 0,
    req: "",
    resp: "",
};

const RUN_REQ: &str = r#"{"instancesSet":{"items":[{"imageId":"$ami","minCount":$count,"maxCount":$count,"keyName":"$keyname"}]},"instanceType":"$itype","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false,"clientToken":"$uuid","groupSet":{"items":[{"groupId":"$attsg"}]}}"#;
const RUN_RESP: &str = r#"{"requestId":"$uuid","reservationId":"r-0$hexid","ownerId":"$acct","groupSet":{},"instancesSet":{"items":$iitems}}"#;
const TERM_REQ: &str = r#"{"instancesSet":{"items":$reqitems}}"#;
const TERM_RESP: &str = r#"{"requestId":"$uuid","instancesSet":{"items":$titems}}"#;
const IMPORT_REQ: &str = r#"{"keyName":"$keyname","publicKeyMaterial":"<sensitiveDataRemoved>"}"#;
const IMPORT_RESP: &str = r#"{"requestId":"$uuid","keyName":"$keyname","keyFingerprint":"$fingerprint","keyPairId":"key-0$hexid"}"#;
const OPEN_REQ: &str = r#"{"groupId":"$attsg","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}"#;
const OPEN_RESP: &str = r#"{"requestId":"$uuid","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"$acct","groupId":"$attsg","securityGroupRuleId":"sgr-0$hexid","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}]}}"#;
const DENY_VICTIM: &str = r#"{"userName":"$victim","policyName":"incident-deny-all","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}"#;
const DENY_NEWUSER: &str = r#"{"userName":"$newuser","policyName":"incident-deny-all","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Deny\",\"Action\":\"*\",\"Resource\":\"*\"}]}"}"#;
const SCP_DENY: &str = "User: $callerarn is not authorized to perform: cloudtrail:StopLogging on resource: arn:aws:cloudtrail:us-east-1:$acct:trail/$trail with an explicit deny in a service control policy";
const VCPU: &str = "You have requested more vCPU capacity than your current vCPU limit of 8 allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.";

/// Seconds from attack start to the responder's first action.
const CONTAIN: u32 = 8 * 3600;

/// The scenario.
#[rustfmt::skip]
pub(crate) static STEPS: &[Step] = &[
    // Discovery with the leaked key.
    Step { at: 0, api: "GetCallerIdentity", ..S },
    Step { at: 34, api: "ListBuckets", ..S },
    Step { at: 71, api: "ListUsers", ..S },
    Step { at: 96, api: "ListRoles", ..S },
    Step { at: 121, api: "GetAccountAuthorizationDetails", fail: Fail::Denied, ..S },
    Step { at: 150, api: "DescribeInstances", loc: Loc::Primary, ..S },
    Step { at: 166, api: "DescribeRegions", loc: Loc::Primary, ..S },
    // AccessDenied burst while hunting for secrets.
    Step { at: 180, api: "ListSecrets", loc: Loc::Primary, n: 3, gap: 2, fail: Fail::Denied, ..S },
    Step { at: 188, api: "GetSecretValue", loc: Loc::Primary, n: 5, gap: 1, fail: Fail::Denied, ..S },
    Step { at: 197, api: "DescribeDBInstances", loc: Loc::Primary, fail: Fail::Denied, ..S },
    Step { at: 203, api: "ListFunctions20150331", loc: Loc::Primary, n: 2, gap: 3, fail: Fail::Denied, ..S },
    Step { at: 212, api: "GetParameters", loc: Loc::Primary, n: 3, gap: 1, fail: Fail::Denied, ..S },
    // Persistence: a new admin user with console and API access, a backdoor role.
    Step {
        at: 420, who: Who::Attacker(1), api: "CreateUser",
        req: r#"{"userName":"$newuser"}"#,
        resp: r#"{"user":{"path":"/","userName":"$newuser","userId":"$aida","arn":"arn:aws:iam::$acct:user/$newuser","createDate":"$evdate"}}"#,
        ..S
    },
    Step {
        at: 446, who: Who::Attacker(1), api: "CreateLoginProfile",
        req: r#"{"userName":"$newuser","passwordResetRequired":false}"#,
        resp: r#"{"loginProfile":{"userName":"$newuser","createDate":"$evdate","passwordResetRequired":false}}"#,
        ..S
    },
    Step {
        at: 471, who: Who::Attacker(1), api: "CreateAccessKey",
        req: r#"{"userName":"$newuser"}"#,
        resp: r#"{"accessKey":{"userName":"$newuser","accessKeyId":"$newkey","status":"Active","createDate":"$evdate"}}"#,
        ..S
    },
    Step {
        at: 502, who: Who::Attacker(1), api: "AttachUserPolicy",
        req: r#"{"userName":"$newuser","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#,
        resp: "null", ..S
    },
    Step {
        at: 611, who: Who::Attacker(1), api: "CreateRole",
        req: r#"{"roleName":"$newrole","assumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"arn:aws:iam::$extacct:root\"},\"Action\":\"sts:AssumeRole\"}]}"}"#,
        resp: r#"{"role":{"path":"/","roleName":"$newrole","roleId":"$aroa","arn":"arn:aws:iam::$acct:role/$newrole","createDate":"$evdate","assumeRolePolicyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22AWS%22%3A%22arn%3Aaws%3Aiam%3A%3A$extacct%3Aroot%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}}"#,
        ..S
    },
    Step {
        at: 640, who: Who::Attacker(1), api: "AttachRolePolicy",
        req: r#"{"roleName":"$newrole","policyArn":"arn:aws:iam::aws:policy/AdministratorAccess"}"#,
        resp: "null", ..S
    },
    Step { at: 702, who: Who::NewUser(1), api: "GetCallerIdentity", ..S },
    // Resource hijacking in regions the company never uses.
    Step { at: 903, who: Who::Attacker(1), loc: Loc::Foreign(0), api: "ImportKeyPair", req: IMPORT_REQ, resp: IMPORT_RESP, ..S },
    Step { at: 927, who: Who::Attacker(1), loc: Loc::Foreign(0), api: "AuthorizeSecurityGroupIngress", req: OPEN_REQ, resp: OPEN_RESP, ..S },
    Step { at: 951, who: Who::Attacker(1), loc: Loc::Foreign(0), api: "RunInstances", launch: 1, req: RUN_REQ, resp: RUN_RESP, ..S },
    Step { at: 984, who: Who::Attacker(1), loc: Loc::Foreign(0), api: "RunInstances", launch: 2, fail: Fail::With("Client.VcpuLimitExceeded", VCPU), req: RUN_REQ, resp: "null", ..S },
    Step { at: 1042, who: Who::Attacker(1), loc: Loc::Foreign(1), api: "ImportKeyPair", req: IMPORT_REQ, resp: IMPORT_RESP, ..S },
    Step { at: 1066, who: Who::Attacker(1), loc: Loc::Foreign(1), api: "AuthorizeSecurityGroupIngress", req: OPEN_REQ, resp: OPEN_RESP, ..S },
    Step { at: 1091, who: Who::Attacker(1), loc: Loc::Foreign(1), api: "RunInstances", launch: 3, req: RUN_REQ, resp: RUN_RESP, ..S },
    Step { at: 1123, who: Who::Attacker(1), loc: Loc::Foreign(1), api: "RunInstances", launch: 4, req: RUN_REQ, resp: RUN_RESP, ..S },
    // Defense evasion attempt, blocked by an SCP.
    Step { at: 1310, api: "StopLogging", fail: Fail::With("AccessDenied", SCP_DENY), resp: "null", ..S },
    // The attacker checks its backdoor user from a third address.
    Step { at: 1805, who: Who::NewUser(2), api: "ListBuckets", ..S },
    // Containment by the admin, next business morning, from their usual IP.
    Step { at: CONTAIN, who: Who::Responder, api: "ListAccessKeys", req: r#"{"userName":"$victim"}"#, ..S },
    Step { at: CONTAIN + 58, who: Who::Responder, api: "UpdateAccessKey", req: r#"{"userName":"$victim","accessKeyId":"$leakedkey","status":"Inactive"}"#, resp: "null", ..S },
    Step { at: CONTAIN + 121, who: Who::Responder, api: "PutUserPolicy", req: DENY_VICTIM, resp: "null", ..S },
    Step { at: CONTAIN + 180, who: Who::Responder, api: "UpdateAccessKey", req: r#"{"userName":"$newuser","accessKeyId":"$newkey","status":"Inactive"}"#, resp: "null", ..S },
    Step { at: CONTAIN + 236, who: Who::Responder, api: "PutUserPolicy", req: DENY_NEWUSER, resp: "null", ..S },
    Step { at: CONTAIN + 410, who: Who::Responder, loc: Loc::Foreign(0), api: "TerminateInstances", launch: 1, req: TERM_REQ, resp: TERM_RESP, ..S },
    Step { at: CONTAIN + 475, who: Who::Responder, loc: Loc::Foreign(1), api: "TerminateInstances", launch: 3, req: TERM_REQ, resp: TERM_RESP, ..S },
    Step { at: CONTAIN + 503, who: Who::Responder, loc: Loc::Foreign(1), api: "TerminateInstances", launch: 4, req: TERM_REQ, resp: TERM_RESP, ..S },
];

const NEW_USERS: &[&str] = &[
    "support-admin",
    "svc-backup-admin",
    "aws-health-monitor",
    "devops-temp",
    "ops-automation",
];
const NEW_ROLES: &[&str] = &[
    "AWSSupportAccessRole",
    "SecurityAuditCrossAccount",
    "EC2HealthCheckRole",
    "OrganizationBillingAccess",
];
const ATTACKER_UAS: &[&str] = &[
    "aws-cli/1.22.34 Python/3.10.12 Linux/5.15.0-105-generic botocore/1.23.34",
    "Boto3/1.26.137 Python/3.9.2 Linux/5.10.0-21-cloud-amd64 Botocore/1.29.137",
    "aws-cli/1.18.69 Python/3.8.10 Linux/5.4.0-173-generic botocore/1.16.19",
];
const FOREIGN: &[usize] = &[11, 14, 16, 10, 9, 12, 15, 4];

/// A resolved launch.
#[derive(Clone, Debug)]
pub(crate) struct Launch {
    pub region: usize,
    pub itype: &'static str,
    pub count: u8,
    pub ami: String,
    pub ids: Vec<String>,
}

/// One incident record to place in a file.
#[derive(Clone, Copy, Debug)]
pub(crate) struct IncEvent {
    pub t: i64,
    pub region: usize,
    pub step: usize,
}

/// The scenario resolved for one seed and time span.
#[derive(Clone, Debug)]
pub(crate) struct Incident {
    pub ips: Vec<String>,
    pub ua: &'static str,
    pub new_user: String,
    pub new_key: String,
    pub new_ident: Ident,
    pub new_role: String,
    pub ext_acct: String,
    pub key_name: String,
    pub foreign: Vec<usize>,
    pub launches: Vec<Launch>,
    /// Sorted by (region, time, step).
    pub events: Vec<IncEvent>,
}

impl Incident {
    /// Places the scenario in the corpus: attack at about 02:00–03:30 company
    /// time on a day ~60% into the span, containment 8 hours later. With
    /// `log_start`, the logs start mid-attack instead: the attack began 0–5
    /// minutes before the first day, and its earlier calls are not logged.
    pub(crate) fn new(w: &World, start: i64, days: u32, log_start: bool) -> Incident {
        let mut rng = Rng::new(derive(w.seed, &[0x01c1_de27]));
        let day = ((days as i64) * 3 / 5).min(days as i64 - 1).max(0);
        let local_start = 2 * 3600 + rng.below(90 * 60) as i64;
        let mut t0 = start + day * 86_400 + (local_start - w.tz as i64 * 3600).rem_euclid(86_400);
        let mut log_start_rng = Rng::new(derive(w.seed, &[0x1057]));
        if log_start {
            t0 = start - log_start_rng.below(300) as i64;
        }
        let ips = vec![
            format!("203.0.113.{}", rng.range(10, 250)),
            format!("198.51.100.{}", rng.range(10, 250)),
            format!("192.0.2.{}", rng.range(10, 250)),
        ];
        // A log-start attack comes from hosting addresses varied by seed.
        let ips = if log_start {
            (0..3)
                .map(|_| crate::scenario::attacker_ip(&mut log_start_rng))
                .collect()
        } else {
            ips
        };
        let ua = *rng.pick(ATTACKER_UAS);
        let new_user = rng.pick(NEW_USERS).to_string();
        let new_key = key_id("AKIA", rng.next_u64(), 16);
        let aida = key_id("AIDA", rng.next_u64(), 17);
        let new_ident = extra_iam_user(&w.acct, &new_user, &new_key, &aida);
        let new_role = rng.pick(NEW_ROLES).to_string();
        let ext_acct = loop {
            let a = format!("{:012}", rng.range(100_000_000_000, 999_999_999_999));
            if a != w.acct {
                break a;
            }
        };
        let key_name = format!("kp-{}", hex(rng.next_u64(), 6));
        let candidates: Vec<usize> = FOREIGN
            .iter()
            .copied()
            .filter(|r| !w.home.contains(r))
            .collect();
        let f0 = *rng.pick(&candidates);
        let rest: Vec<usize> = candidates.iter().copied().filter(|&r| r != f0).collect();
        let foreign = vec![f0, *rng.pick(&rest)];
        let resolve = |loc: Loc| match loc {
            Loc::Global => US_EAST_1,
            Loc::Primary => w.home[0],
            Loc::Foreign(i) => foreign[i as usize],
        };
        let launches = LAUNCHES
            .iter()
            .map(|l| {
                let region = resolve(l.loc);
                let ids = if l.ok {
                    (0..l.count)
                        .map(|_| format!("i-0{}", hex(rng.next_u64(), 16)))
                        .collect()
                } else {
                    Vec::new()
                };
                Launch {
                    region,
                    itype: l.itype,
                    count: l.count,
                    ami: format!("ami-0{}", hex(rng.next_u64(), 16)),
                    ids,
                }
            })
            .collect();
        let mut events = Vec::new();
        for (i, s) in STEPS.iter().enumerate() {
            for k in 0..s.n.max(1) {
                events.push(IncEvent {
                    t: t0 + s.at as i64 + k as i64 * s.gap as i64,
                    region: resolve(s.loc),
                    step: i,
                });
            }
        }
        events.retain(|e| e.t >= start);
        events.sort_by_key(|e| (e.region, e.t, e.step));
        Incident {
            ips,
            ua,
            new_user,
            new_key,
            new_ident,
            new_role,
            ext_acct,
            key_name,
            foreign,
            launches,
            events,
        }
    }

    /// Region names the attacker launched instances in.
    pub(crate) fn foreign_names(&self) -> Vec<String> {
        self.foreign
            .iter()
            .map(|&r| REGIONS[r].0.to_string())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;

    #[test]
    fn every_step_names_a_catalogue_api_and_valid_launch() {
        for s in STEPS {
            assert!(catalog::find(s.api).is_some(), "{} not in catalogue", s.api);
            assert!((s.launch as usize) <= LAUNCHES.len());
            if s.api == "RunInstances" || s.api == "TerminateInstances" {
                assert!(s.launch > 0, "{} needs a launch", s.api);
            }
        }
        // Every successful launch gets terminated by the responder.
        for (i, l) in LAUNCHES.iter().enumerate() {
            let terminated = STEPS
                .iter()
                .any(|s| s.api == "TerminateInstances" && s.launch as usize == i + 1);
            assert_eq!(l.ok, terminated, "launch {i}");
        }
    }

    #[test]
    fn incident_fits_in_span_and_uses_unused_regions() {
        for seed in 0..30 {
            let w = World::new(seed, "123456789012");
            for days in [1u32, 3, 14] {
                let start = 1_714_953_600;
                let inc = Incident::new(&w, start, days, false);
                let end = start + days as i64 * 86_400;
                assert!(
                    inc.events.iter().all(|e| e.t >= start && e.t < end),
                    "seed {seed} days {days}"
                );
                assert!(inc.foreign.iter().all(|r| !w.home.contains(r)));
                assert_ne!(inc.foreign[0], inc.foreign[1]);
                assert!(inc.ips.iter().all(|ip| ip.starts_with("203.0.113.")
                    || ip.starts_with("198.51.100.")
                    || ip.starts_with("192.0.2.")));
            }
        }
    }
}
