//! The simulated company: regions it uses, its identities and its resources,
//! all derived from the seed so that every file can be generated
//! independently and still agree with every other file.

use crate::rng::derive;

mod build;
mod roam;

pub(crate) use build::{extra_iam_user, public_ip};
pub(crate) use roam::{Block, Roamer};

/// Commercial regions and the UTC offset (hours, no DST) of a company based near them.
pub(crate) const REGIONS: &[(&str, i32)] = &[
    ("us-east-1", -5),
    ("us-east-2", -5),
    ("us-west-1", -8),
    ("us-west-2", -8),
    ("ca-central-1", -5),
    ("eu-west-1", 0),
    ("eu-west-2", 0),
    ("eu-west-3", 1),
    ("eu-central-1", 1),
    ("eu-north-1", 1),
    ("ap-south-1", 5),
    ("ap-northeast-1", 9),
    ("ap-northeast-2", 9),
    ("ap-northeast-3", 9),
    ("ap-southeast-1", 8),
    ("ap-southeast-2", 10),
    ("sa-east-1", -3),
];

/// Index of us-east-1 in [`REGIONS`] (global services record there).
pub(crate) const US_EAST_1: usize = 0;

const PRIMARY_CANDIDATES: &[usize] = &[0, 0, 1, 3, 5, 8, 6];
const COMPANIES: &[&str] = &[
    "acme",
    "globex",
    "initech",
    "hooli",
    "vandelay",
    "umbrella",
    "wonka",
    "stark",
    "tyrell",
    "cyberdyne",
    "soylent",
    "piedpiper",
];
const FIRST: &[&str] = &[
    "alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi", "ivan", "judy", "ken",
    "laura", "mike", "nina", "oscar", "priya", "quentin", "rosa", "sam", "tariq",
];
const LAST: &[&str] = &[
    "martin", "chen", "nguyen", "okafor", "silva", "schmidt", "kowalski", "haddad", "tanaka",
    "rossi", "dubois", "patel", "larsen", "moreau", "garcia",
];
const FUNCTIONS: &[&str] = &[
    "ingest-events",
    "resize-images",
    "nightly-backup",
    "billing-export",
    "api-authorizer",
    "slack-notifier",
    "etl-orders",
    "config-rule-tags",
];
const TABLES: &[&str] = &[
    "orders",
    "sessions",
    "customers",
    "feature-flags",
    "audit-log",
    "carts",
];
const DBS: &[&str] = &[
    "prod-postgres-1",
    "analytics-db",
    "billing-replica",
    "reporting-pg",
];
const SECRETS: &[&str] = &[
    "prod/db/app-password",
    "prod/stripe/api-key",
    "prod/sendgrid/token",
    "prod/jwt/signing-key",
    "staging/db/app-password",
];
const PARAMS: &[&str] = &[
    "db-host",
    "feature-flags",
    "api-endpoint",
    "log-level",
    "queue-url",
];
const BG_TYPES: &[&str] = &[
    "t3.micro",
    "t3.medium",
    "m6i.large",
    "c6i.xlarge",
    "r6g.large",
];
const OBJ_PREFIXES: &[&str] = &["data", "uploads", "exports", "raw/events", "reports", "tmp"];
const OBJ_EXTS: &[&str] = &["parquet", "json.gz", "csv", "jpg", "pdf"];

/// How an identity appears in `userIdentity`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    /// IAM user with a long-term AKIA key.
    IamUser,
    /// IAM user in a console session (ASIA key + sessionContext).
    ConsoleUser,
    /// Assumed role session.
    Role,
    /// `AWSService` principal.
    Service,
    /// The root user in a console session.
    Root,
}

/// Which share of traffic an identity belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Pool {
    /// People: business-hours weighted.
    Human,
    /// Automation: around the clock.
    Machine,
}

/// One caller of the simulated account.
#[derive(Clone, Debug)]
pub(crate) struct Ident {
    pub class: u16,
    pub kind: Kind,
    pub pool: Pool,
    /// Activity weight within its pool.
    pub weight: u64,
    /// Weight in the sparse noise of non-home regions (service-linked roles).
    pub noise_weight: u64,
    /// User or role name ("" for AWSService / root).
    pub name: String,
    /// Role session name ("" otherwise).
    pub session: String,
    /// Caller ARN as shown in AccessDenied messages.
    pub arn: String,
    /// Long-term key (IAM users with keys).
    pub key: String,
    /// userIdentity JSON: before the session key, between key and creation
    /// date, after the date. Static identities only use `json_a`.
    pub json_a: String,
    pub json_b: String,
    pub json_c: String,
    /// ConsoleLogin's userIdentity (no key, no session).
    pub login_json: String,
    /// Seconds a session (and its ASIA key) lasts; 0 for static identities.
    pub session_len: i64,
    pub phase: i64,
    pub ips: Vec<String>,
    pub ua: String,
    /// Append `md/command#svc.op` (aws-cli v2) to the user agent.
    pub ua_cmd: bool,
    /// Calls carry tlsDetails (not for service-invoked calls).
    pub tls: bool,
    /// Console session (`sessionCredentialFromConsole`).
    pub console: bool,
    /// For AWSService principals: the role they assume and its session.
    pub svc_role: String,
    pub svc_sess: String,
    /// Where a roaming employee calls from (instead of `ips`).
    pub roam: Option<roam::Roam>,
    /// Every call of one session comes from one of `ips`, chosen by the session (a CI job's
    /// role session runs on one runner); otherwise each call picks any of them.
    pub address_per_session: bool,
}

impl Ident {
    /// True when the userIdentity has per-session parts.
    pub(crate) fn dynamic(&self) -> bool {
        self.session_len > 0
    }
}

/// Per-region resources.
#[derive(Clone, Debug, Default)]
pub(crate) struct RegionRes {
    pub iids: Vec<String>,
    pub amis: Vec<String>,
    pub sgs: Vec<String>,
    pub vpcs: Vec<String>,
    pub subnets: Vec<String>,
    pub kms: Vec<String>,
}

/// The simulated company.
#[derive(Clone, Debug)]
pub(crate) struct World {
    pub seed: u64,
    pub acct: String,
    pub company: &'static str,
    /// Indices into [`REGIONS`]; `home[0]` is the primary region.
    pub home: Vec<usize>,
    /// Company time zone (hours from UTC).
    pub tz: i32,
    pub idents: Vec<Ident>,
    pub users: Vec<String>,
    pub roles: Vec<String>,
    pub buckets: Vec<String>,
    pub fns: Vec<&'static str>,
    pub tables: Vec<String>,
    pub dbs: Vec<&'static str>,
    pub secrets: Vec<&'static str>,
    pub params: Vec<&'static str>,
    pub trail: String,
    pub res: Vec<RegionRes>,
    /// Identity index of the CI user whose key leaks in the incident.
    pub victim: usize,
    /// Identity index of the admin who responds to the incident.
    pub responder: usize,
    pub bg_types: &'static [&'static str],
    pub obj_prefixes: &'static [&'static str],
    pub obj_exts: &'static [&'static str],
}

const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8; 16] = b"0123456789abcdef";

/// `prefix` + 16 base-32 characters (AWS key id / unique id shape).
pub(crate) fn key_id(prefix: &str, mut v: u64, len: usize) -> String {
    let mut s = String::with_capacity(prefix.len() + len);
    s.push_str(prefix);
    for _ in 0..len {
        s.push(B32[(v & 31) as usize] as char);
        v = v.rotate_right(5) ^ 0x9E37_79B9;
    }
    s
}

/// `n` lowercase hex digits of `v` (n <= 16).
pub(crate) fn hex(v: u64, n: usize) -> String {
    (0..n)
        .map(|i| HEX[((v >> (4 * (n - 1 - i))) & 15) as usize] as char)
        .collect()
}

/// The primary network interface of an instance: what RunInstances'
/// `networkInterfaceSet` reports and what VPC Flow Logs record it under.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Nic {
    /// `eni-0…` id.
    pub eni: String,
    /// Private IPv4 address in the VPC (172.31.0.0/16, the default VPC).
    pub private_ip: String,
    /// The VPC the interface is in.
    pub vpc: String,
    /// The subnet the interface is in.
    pub subnet: String,
}

impl World {
    /// Region name by index.
    pub(crate) fn region_name(r: usize) -> &'static str {
        REGIONS[r].0
    }

    /// The network interface of instance `instance_id` in `region`: a pure
    /// function of the seed and the id, so the CloudTrail writer and the
    /// flow-log, DNS and GuardDuty writers agree without sharing state.
    pub(crate) fn nic(&self, region: usize, instance_id: &str) -> Nic {
        let h = instance_id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
            (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
        });
        let v = derive(self.seed, &[0xe41c, h]);
        let res = &self.res[region];
        let pick = |list: &[String], k: u64| {
            list.get((k % list.len().max(1) as u64) as usize)
                .cloned()
                .unwrap_or_default()
        };
        Nic {
            eni: format!("eni-0{}", hex(derive(v, &[1]), 16)),
            private_ip: format!("172.31.{}.{}", (v >> 8) % 255, 4 + (v >> 20) % 250),
            vpc: pick(&res.vpcs, 0),
            subnet: pick(&res.subnets, v >> 40),
        }
    }

    /// Session key and creation time of a dynamic identity at time `t`.
    pub(crate) fn session(&self, ident: usize, t: i64) -> (u64, i64) {
        let id = &self.idents[ident];
        let epoch = (t + id.phase).div_euclid(id.session_len);
        let created = epoch * id.session_len - id.phase;
        (
            derive(self.seed, &[0x5e55, ident as u64, epoch as u64]),
            created,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{AGENT, CI, EC2R, HCLI, HCON, LAMBDA, ROOT, SLR, SSO, SVC};

    #[test]
    fn world_is_deterministic_and_complete() {
        let a = World::new(9, "123456789012");
        let b = World::new(9, "123456789012");
        assert_eq!(format!("{:?}", a.idents), format!("{:?}", b.idents));
        assert!(a.home.contains(&US_EAST_1) && (1..=3).contains(&a.home.len()));
        assert_eq!(a.idents[a.victim].name, "deploy-bot");
        assert!(a.idents[a.victim].key.starts_with("AKIA") && a.idents[a.victim].key.len() == 20);
        assert_eq!(a.idents[a.responder].kind, Kind::IamUser);
        for class in [HCLI, HCON, SSO, CI, LAMBDA, EC2R, SVC, SLR, ROOT, AGENT] {
            assert!(
                a.idents.iter().any(|i| i.class == class),
                "no identity of class {class}"
            );
        }
        for id in &a.idents {
            assert!(!id.ips.is_empty() && !id.ua.is_empty(), "{id:?}");
            // Static JSON is valid once the dynamic holes are filled.
            let json = if id.dynamic() {
                format!(
                    "{}ASIAXXXXXXXXXXXXXXXX{}2024-01-01T00:00:00Z{}",
                    id.json_a, id.json_b, id.json_c
                )
            } else {
                id.json_a.clone()
            };
            let v: serde_json::Value = serde_json::from_str(&json).unwrap();
            assert!(v["type"].is_string());
        }
        // Sessions: creation never after the event, stable within a session.
        for t in [1_714_953_600i64, 1_714_960_000, 1_715_000_123] {
            let (k1, c1) = a.session(a.responder + 1, t);
            let (k2, c2) = a.session(a.responder + 1, t + 1);
            assert!(c1 <= t && c1 > t - 8 * 3600);
            assert!(k1 == k2 || c2 == t + 1);
            let _ = (k2, c2);
        }
        let seeds: std::collections::BTreeSet<&str> = (0..20)
            .map(|s| World::new(s, "123456789012").company)
            .collect();
        assert!(seeds.len() > 3, "companies should vary with the seed");
    }
}
