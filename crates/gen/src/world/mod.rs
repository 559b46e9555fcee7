//! The simulated company: regions it uses, its identities and its resources,
//! all derived from the seed so that every file can be generated
//! independently and still agree with every other file.

use crate::catalog::{AGENT, CI, EC2R, HCLI, HCON, LAMBDA, ROOT, SLR, SSO, SVC};
use crate::rng::{derive, Rng};

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

fn uuid(rng: &mut Rng) -> String {
    let a = rng.next_u64();
    let b = rng.next_u64();
    format!(
        "{}-{}-4{}-{}-{}",
        hex(a >> 32, 8),
        hex(a >> 16, 4),
        hex(a, 3),
        hex(0x8000 | ((b >> 48) & 0x3fff), 4),
        hex(b, 12)
    )
}

/// A public-looking IPv4 address outside the documentation ranges.
fn public_ip(rng: &mut Rng, first: &[u8]) -> String {
    format!(
        "{}.{}.{}.{}",
        rng.pick(first),
        rng.range(1, 254),
        rng.range(0, 255),
        rng.range(1, 254)
    )
}

const ISP: &[u8] = &[24, 62, 73, 81, 89, 94, 98, 145, 176, 188];
const AWS_IP: &[u8] = &[3, 13, 18, 44, 52, 54];
const AZURE_IP: &[u8] = &[4, 20, 40, 52, 172];

fn cli_ua(rng: &mut Rng, os: &str) -> String {
    format!(
        "aws-cli/2.{}.{} md/awscrt#0.{}.{} ua/2.0 {os} lang/python#3.11.{} md/pyimpl#CPython cfg/retry-mode#standard md/installer#exe md/prompt#off md/command#",
        rng.range(13, 22),
        rng.range(0, 40),
        rng.range(16, 23),
        rng.range(0, 5),
        rng.range(6, 9)
    )
}

fn browser_ua(rng: &mut Rng) -> String {
    let v = rng.range(118, 131);
    match rng.below(3) {
        0 => format!("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36"),
        1 => format!("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/{v}.0.0.0 Safari/537.36 Edg/{v}.0.0.0"),
        _ => format!("Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0"),
    }
}

fn terraform_ua(rng: &mut Rng) -> String {
    format!(
        "APN/1.0 HashiCorp/1.0 Terraform/1.{}.{} (+https://www.terraform.io) terraform-provider-aws/5.{}.0 (+https://registry.terraform.io/providers/hashicorp/aws) aws-sdk-go-v2/1.30.{} os/linux lang/go#1.22.5 md/GOOS#linux md/GOARCH#amd64",
        rng.range(6, 9),
        rng.range(0, 5),
        rng.range(40, 70),
        rng.range(0, 5)
    )
}

fn boto_lambda_ua(rng: &mut Rng) -> String {
    let b = rng.range(28, 36);
    let p = rng.range(50, 160);
    format!(
        "Boto3/1.{b}.{p} md/Botocore#1.{b}.{p} ua/2.0 os/linux#5.10.219-229.866.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.3 md/pyimpl#CPython exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.{b}.{p}"
    )
}

struct Builder<'a> {
    acct: &'a str,
    rng: Rng,
    idents: Vec<Ident>,
}

impl Builder<'_> {
    fn base(&self, class: u16, kind: Kind, pool: Pool, weight: u64) -> Ident {
        Ident {
            class,
            kind,
            pool,
            weight,
            noise_weight: 0,
            name: String::new(),
            session: String::new(),
            arn: String::new(),
            key: String::new(),
            json_a: String::new(),
            json_b: String::new(),
            json_c: String::new(),
            login_json: String::new(),
            session_len: 0,
            phase: 0,
            ips: Vec::new(),
            ua: String::new(),
            ua_cmd: false,
            tls: true,
            console: false,
            svc_role: String::new(),
            svc_sess: String::new(),
        }
    }

    /// An IAM user calling with its long-term key.
    fn iam_user(&mut self, class: u16, pool: Pool, weight: u64, name: &str, aida: &str) -> Ident {
        let acct = self.acct;
        let mut id = self.base(class, Kind::IamUser, pool, weight);
        id.name = name.to_string();
        id.arn = format!("arn:aws:iam::{acct}:user/{name}");
        id.key = key_id("AKIA", self.rng.next_u64(), 16);
        id.json_a = format!(
            r#"{{"type":"IAMUser","principalId":"{aida}","arn":"{}","accountId":"{acct}","accessKeyId":"{}","userName":"{name}"}}"#,
            id.arn, id.key
        );
        id.login_json = format!(
            r#"{{"type":"IAMUser","principalId":"{aida}","arn":"{}","accountId":"{acct}","userName":"{name}"}}"#,
            id.arn
        );
        id
    }

    /// The same IAM user in a console session.
    fn console_user(&mut self, weight: u64, name: &str, aida: &str) -> Ident {
        let acct = self.acct;
        let mut id = self.base(HCON, Kind::ConsoleUser, Pool::Human, weight);
        id.name = name.to_string();
        id.arn = format!("arn:aws:iam::{acct}:user/{name}");
        id.json_a = format!(
            r#"{{"type":"IAMUser","principalId":"{aida}","arn":"{}","accountId":"{acct}","accessKeyId":""#,
            id.arn
        );
        id.json_b = format!(
            r#"","userName":"{name}","sessionContext":{{"sessionIssuer":{{}},"webIdFederationData":{{}},"attributes":{{"creationDate":""#
        );
        id.json_c = r#"","mfaAuthenticated":"true"}}}"#.to_string();
        id.login_json = format!(
            r#"{{"type":"IAMUser","principalId":"{aida}","arn":"{}","accountId":"{acct}","userName":"{name}"}}"#,
            id.arn
        );
        id.session_len = 8 * 3600;
        id.phase = self.rng.below(8 * 3600) as i64;
        id.console = true;
        id
    }

    /// An assumed-role session.
    #[allow(clippy::too_many_arguments)]
    fn role(
        &mut self,
        class: u16,
        pool: Pool,
        weight: u64,
        path: &str,
        role: &str,
        session: &str,
        source_identity: Option<&str>,
        invoked_by: Option<&str>,
    ) -> Ident {
        let acct = self.acct;
        let mut id = self.base(class, Kind::Role, pool, weight);
        let aroa = key_id("AROA", self.rng.next_u64(), 17);
        id.name = role.to_string();
        id.session = session.to_string();
        id.arn = format!("arn:aws:sts::{acct}:assumed-role/{role}/{session}");
        id.json_a = format!(
            r#"{{"type":"AssumedRole","principalId":"{aroa}:{session}","arn":"{}","accountId":"{acct}","accessKeyId":""#,
            id.arn
        );
        id.json_b = format!(
            r#"","sessionContext":{{"sessionIssuer":{{"type":"Role","principalId":"{aroa}","arn":"arn:aws:iam::{acct}:role/{path}{role}","accountId":"{acct}","userName":"{role}"}},"webIdFederationData":{{}},"attributes":{{"creationDate":""#
        );
        let mut c = String::from(r#"","mfaAuthenticated":"false"}"#);
        if let Some(si) = source_identity {
            c.push_str(&format!(r#","sourceIdentity":"{si}""#));
        }
        c.push('}');
        if let Some(svc) = invoked_by {
            c.push_str(&format!(r#","invokedBy":"{svc}""#));
            id.ips = vec![svc.to_string()];
            id.ua = svc.to_string();
            id.tls = false;
        }
        c.push('}');
        id.json_c = c;
        id.session_len = if class == SSO { 8 * 3600 } else { 3600 };
        id.phase = self.rng.below(id.session_len as u64) as i64;
        id
    }

    fn service(&mut self, weight: u64, principal: &str, role: &str, session: &str) -> Ident {
        let mut id = self.base(SVC, Kind::Service, Pool::Machine, weight);
        id.json_a = format!(r#"{{"type":"AWSService","invokedBy":"{principal}"}}"#);
        id.arn = principal.to_string();
        id.ips = vec![principal.to_string()];
        id.ua = principal.to_string();
        id.tls = false;
        id.svc_role = role.to_string();
        id.svc_sess = session.to_string();
        id
    }

    fn root(&mut self, weight: u64) -> Ident {
        let acct = self.acct;
        let mut id = self.base(ROOT, Kind::Root, Pool::Human, weight);
        id.arn = format!("arn:aws:iam::{acct}:root");
        id.json_a = format!(
            r#"{{"type":"Root","principalId":"{acct}","arn":"{}","accountId":"{acct}","accessKeyId":""#,
            id.arn
        );
        id.json_b = r#"","sessionContext":{"sessionIssuer":{},"webIdFederationData":{},"attributes":{"creationDate":""#.to_string();
        id.json_c = r#"","mfaAuthenticated":"true"}}}"#.to_string();
        id.login_json = format!(
            r#"{{"type":"Root","principalId":"{acct}","arn":"{}","accountId":"{acct}"}}"#,
            id.arn
        );
        id.session_len = 2 * 3600;
        id.phase = self.rng.below(7200) as i64;
        id.console = true;
        id
    }
}

fn pick_distinct<T: Copy>(rng: &mut Rng, items: &[T], n: usize) -> Vec<T> {
    let mut idx: Vec<usize> = (0..items.len()).collect();
    // Partial Fisher-Yates.
    for i in 0..n.min(idx.len()) {
        let j = i + rng.below((idx.len() - i) as u64) as usize;
        idx.swap(i, j);
    }
    idx.truncate(n);
    idx.into_iter().map(|i| items[i]).collect()
}

/// A standalone IAM user identity with a given key (the attacker-created user).
pub(crate) fn extra_iam_user(acct: &str, name: &str, key: &str, aida: &str) -> Ident {
    let mut b = Builder {
        acct,
        rng: Rng::new(0),
        idents: Vec::new(),
    };
    let mut id = b.iam_user(CI, Pool::Machine, 0, name, aida);
    id.key = key.to_string();
    id.json_a = format!(
        r#"{{"type":"IAMUser","principalId":"{aida}","arn":"{}","accountId":"{acct}","accessKeyId":"{key}","userName":"{name}"}}"#,
        id.arn
    );
    id
}

impl World {
    /// Builds the company for `seed` and `acct`.
    pub(crate) fn new(seed: u64, acct: &str) -> World {
        let mut rng = Rng::new(derive(seed, &[0x0077_6f72_6c64]));
        let company = *rng.pick(COMPANIES);
        let primary = *rng.pick(PRIMARY_CANDIDATES);
        let mut home = vec![primary];
        if primary != US_EAST_1 {
            home.push(US_EAST_1);
        }
        if home.len() < 3 && rng.chance(5000) {
            let extra: Vec<usize> = [1usize, 3, 5, 8, 6]
                .into_iter()
                .filter(|r| !home.contains(r))
                .collect();
            home.push(*rng.pick(&extra));
        }
        let tz = REGIONS[primary].1;

        let mut b = Builder {
            acct,
            rng: Rng::new(derive(seed, &[0x6964_656e_7473])),
            idents: Vec::new(),
        };
        let office: Vec<String> = (0..2).map(|_| public_ip(&mut b.rng, ISP)).collect();
        let domain = format!("{company}.com");

        // People.
        let n_humans = 4 + rng.below(3) as usize;
        let firsts = pick_distinct(&mut rng, FIRST, n_humans);
        let mut users = Vec::new();
        let mut roles: Vec<String> = Vec::new();
        let sso_admin = format!(
            "AWSReservedSSO_AdministratorAccess_{}",
            hex(rng.next_u64(), 16)
        );
        let sso_ro = format!("AWSReservedSSO_ReadOnlyAccess_{}", hex(rng.next_u64(), 16));
        roles.push(sso_admin.clone());
        roles.push(sso_ro.clone());
        let mut responder = usize::MAX;
        for (i, first) in firsts.iter().enumerate() {
            let last = *rng.pick(LAST);
            let uname = format!("{first}.{last}");
            let email = format!("{first}.{last}@{domain}");
            let aida = key_id("AIDA", rng.next_u64(), 17);
            let home_ip = public_ip(&mut b.rng, ISP);
            let ips = vec![office[i % 2].clone(), office[i % 2].clone(), home_ip];
            users.push(uname.clone());

            let os = if rng.chance(6000) {
                format!("os/macos#23.{}.0 md/arch#arm64", rng.below(6))
            } else {
                "os/linux#6.8.0-45-generic md/arch#x86_64 md/distrib#ubuntu.24".to_string()
            };
            let mut cli = b.iam_user(HCLI, Pool::Human, 100, &uname, &aida);
            cli.ips = ips.clone();
            if rng.chance(2500) {
                cli.ua = terraform_ua(&mut b.rng);
            } else {
                cli.ua = cli_ua(&mut b.rng, &os);
                cli.ua_cmd = true;
            }
            if i == 0 {
                responder = b.idents.len();
            }
            b.idents.push(cli);

            if i % 2 == 1 || i == 0 {
                let mut con = b.console_user(60, &uname, &aida);
                con.ips = ips.clone();
                con.ua = browser_ua(&mut b.rng);
                b.idents.push(con);
            }
            let (sso_role, w) = if i < 2 {
                (&sso_admin, 70)
            } else {
                (&sso_ro, 50)
            };
            let mut sso = b.role(
                SSO,
                Pool::Human,
                w,
                "aws-reserved/sso.amazonaws.com/",
                sso_role,
                &email,
                Some(&email),
                None,
            );
            sso.ips = ips;
            sso.ua = cli_ua(&mut b.rng, &os);
            sso.ua_cmd = true;
            b.idents.push(sso);
        }
        let mut root = b.root(6);
        root.ips = vec![office[0].clone()];
        root.ua = browser_ua(&mut b.rng);
        b.idents.push(root);

        // CI: the deploy-bot key (the one that leaks) and the GitHub Actions role.
        let victim = b.idents.len();
        let aida = key_id("AIDA", rng.next_u64(), 17);
        let mut bot = b.iam_user(CI, Pool::Machine, 90, "deploy-bot", &aida);
        bot.ips = (0..2).map(|_| public_ip(&mut b.rng, AWS_IP)).collect();
        bot.ua = terraform_ua(&mut b.rng);
        users.push("deploy-bot".to_string());
        b.idents.push(bot);

        let aida = key_id("AIDA", rng.next_u64(), 17);
        let mut backup = b.iam_user(CI, Pool::Machine, 25, "backup-sync", &aida);
        backup.ips = vec![public_ip(&mut b.rng, ISP)];
        backup.ua = cli_ua(&mut b.rng, "os/linux#5.15.0-119-generic md/arch#x86_64");
        backup.ua_cmd = true;
        users.push("backup-sync".to_string());
        b.idents.push(backup);

        let gha = "github-actions-deploy";
        roles.push(gha.to_string());
        let mut ci = b.role(CI, Pool::Machine, 80, "", gha, "GitHubActions", None, None);
        ci.ips = (0..8).map(|_| public_ip(&mut b.rng, AZURE_IP)).collect();
        ci.ua = cli_ua(&mut b.rng, "os/linux#6.5.0-1025-azure md/arch#x86_64");
        ci.ua_cmd = true;
        b.idents.push(ci);

        // Applications: Lambda functions and EC2 instance profiles.
        let fns = pick_distinct(&mut rng, FUNCTIONS, 4);
        for f in &fns {
            let role = format!("{f}-role");
            roles.push(role.clone());
            let mut l = b.role(LAMBDA, Pool::Machine, 60, "", &role, f, None, None);
            l.ips = (0..4).map(|_| public_ip(&mut b.rng, AWS_IP)).collect();
            l.ua = boto_lambda_ua(&mut b.rng);
            b.idents.push(l);
            let s = b.service(15, "lambda.amazonaws.com", &role, f);
            b.idents.push(s);
        }
        let mut res = vec![RegionRes::default(); REGIONS.len()];
        let mut res_rng = Rng::new(derive(seed, &[0x0072_6573]));
        for (ri, r) in res.iter_mut().enumerate() {
            let is_home = home.contains(&ri);
            let rid = |rng: &mut Rng, p: &str| format!("{p}-0{}", hex(rng.next_u64(), 16));
            r.iids = (0..if is_home { 12 } else { 0 })
                .map(|_| rid(&mut res_rng, "i"))
                .collect();
            r.amis = (0..3).map(|_| rid(&mut res_rng, "ami")).collect();
            r.sgs = (0..4).map(|_| rid(&mut res_rng, "sg")).collect();
            r.vpcs = (0..2).map(|_| rid(&mut res_rng, "vpc")).collect();
            r.subnets = (0..4).map(|_| rid(&mut res_rng, "subnet")).collect();
            r.kms = (0..3).map(|_| uuid(&mut res_rng)).collect();
        }
        roles.push("app-server-role".to_string());
        for &h in &home {
            for k in 0..2 {
                // The application and the SSM agent share the instance
                // profile (same session, same NAT address), not the user agent.
                let iid = res[h].iids[k].clone();
                let nat = public_ip(&mut b.rng, AWS_IP);
                let mut e = b.role(
                    EC2R,
                    Pool::Machine,
                    40,
                    "",
                    "app-server-role",
                    &iid,
                    None,
                    None,
                );
                e.ips = vec![nat.clone()];
                e.ua = format!(
                    "aws-sdk-java/2.25.{} Linux/6.1.94-99.176.amzn2023.x86_64 OpenJDK_64-Bit_Server_VM/21.0.3+9-LTS Java/21.0.3 vendor/Amazon.com_Inc. md/internal io/sync http/Apache cfg/retry-mode/legacy",
                    b.rng.range(10, 60)
                );
                b.idents.push(e);
                let mut a = b.role(
                    AGENT,
                    Pool::Machine,
                    30,
                    "",
                    "app-server-role",
                    &iid,
                    None,
                    None,
                );
                a.ips = vec![nat];
                a.ua = format!(
                    "aws-sdk-go/1.55.{} (go1.22.{}; linux; amd64) amazon-ssm-agent/3.3.{}.0",
                    b.rng.range(0, 6),
                    b.rng.range(3, 8),
                    b.rng.range(40, 1500)
                );
                b.idents.push(a);
            }
        }
        let s = b.service(
            15,
            "ec2.amazonaws.com",
            "app-server-role",
            &res[home[0]].iids[0].clone(),
        );
        b.idents.push(s);

        // Services acting through service-linked roles; these also make the
        // sparse background noise of regions the company does not use.
        for (svc, role, session, w, nw) in [
            (
                "config.amazonaws.com",
                "AWSServiceRoleForConfig",
                "AWSConfig-Describe",
                40,
                60,
            ),
            (
                "trustedadvisor.amazonaws.com",
                "AWSServiceRoleForTrustedAdvisor",
                "TrustedAdvisor",
                10,
                20,
            ),
            (
                "access-analyzer.amazonaws.com",
                "AWSServiceRoleForAccessAnalyzer",
                "access-analyzer",
                10,
                20,
            ),
        ] {
            let mut r = b.role(
                SLR,
                Pool::Machine,
                w,
                &format!("aws-service-role/{svc}/"),
                role,
                session,
                None,
                Some(svc),
            );
            r.noise_weight = nw;
            b.idents.push(r);
        }
        roles.push("OrganizationAccountAccessRole".to_string());

        let buckets = [
            "prod-data",
            "artifacts",
            "backups",
            "web-assets",
            "analytics-raw",
        ]
        .iter()
        .map(|s| format!("{company}-{s}"))
        .chain(std::iter::once(format!("{company}-cloudtrail-{acct}")))
        .collect();
        let tables = pick_distinct(&mut rng, TABLES, 4)
            .into_iter()
            .map(|t| format!("prod-{t}"))
            .collect();

        World {
            seed,
            acct: acct.to_string(),
            company,
            home,
            tz,
            idents: b.idents,
            users,
            roles,
            buckets,
            fns,
            tables,
            dbs: pick_distinct(&mut rng, DBS, 3),
            secrets: SECRETS.to_vec(),
            params: PARAMS.to_vec(),
            trail: format!("{company}-management-trail"),
            res,
            victim,
            responder,
            bg_types: BG_TYPES,
            obj_prefixes: OBJ_PREFIXES,
            obj_exts: OBJ_EXTS,
        }
    }

    /// Region name by index.
    pub(crate) fn region_name(r: usize) -> &'static str {
        REGIONS[r].0
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
