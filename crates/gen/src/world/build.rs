//! How the company is built from the seed: its people, CI, applications, instance
//! profiles and service-linked roles, each drawn in a fixed order from the seed's random
//! streams (so that the same seed always gives the same company).

use super::{
    hex, key_id, Ident, Kind, Pool, RegionRes, World, BG_TYPES, COMPANIES, DBS, FIRST, FUNCTIONS,
    LAST, OBJ_EXTS, OBJ_PREFIXES, PARAMS, PRIMARY_CANDIDATES, REGIONS, SECRETS, TABLES, US_EAST_1,
};
use crate::catalog::{AGENT, CI, EC2R, HCLI, HCON, LAMBDA, ROOT, SLR, SSO, SVC};
use crate::rng::{derive, Rng};

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
pub(crate) fn public_ip(rng: &mut Rng, first: &[u8]) -> String {
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
            roam: None,
            address_per_session: false,
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

/// An instance-profile session's userIdentity tail: EC2 delivers the
/// credential through IMDSv2 (`ec2RoleDelivery` in `sessionContext`).
fn ec2_role_delivery(tail: &str) -> String {
    match tail.strip_suffix("}}") {
        Some(head) => format!(r#"{head},"ec2RoleDelivery":"2.0"}}}}"#),
        None => tail.to_string(),
    }
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

/// A service acting through its service-linked role: these also make the sparse background
/// noise of regions the company does not use.
struct ServiceLinkedRole {
    /// The service principal, e.g. `config.amazonaws.com`.
    service: &'static str,
    role: &'static str,
    session: &'static str,
    weight: u64,
    noise_weight: u64,
}

/// The service-linked roles every company has, in the order their identities are built.
const SERVICE_LINKED_ROLES: &[ServiceLinkedRole] = &[
    ServiceLinkedRole {
        service: "config.amazonaws.com",
        role: "AWSServiceRoleForConfig",
        session: "AWSConfig-Describe",
        weight: 40,
        noise_weight: 60,
    },
    ServiceLinkedRole {
        service: "trustedadvisor.amazonaws.com",
        role: "AWSServiceRoleForTrustedAdvisor",
        session: "TrustedAdvisor",
        weight: 10,
        noise_weight: 20,
    },
    ServiceLinkedRole {
        service: "access-analyzer.amazonaws.com",
        role: "AWSServiceRoleForAccessAnalyzer",
        session: "access-analyzer",
        weight: 10,
        noise_weight: 20,
    },
];

/// The IAM user and role names a [`World`] lists, gathered while the identities are built.
#[derive(Default)]
struct Names {
    users: Vec<String>,
    roles: Vec<String>,
}

/// The two IAM Identity Center permission-set roles people sign in with.
struct SsoRoles {
    admin: String,
    read_only: String,
}

/// The bucket names: the company's five buckets and its CloudTrail bucket.
fn buckets(company: &str, acct: &str) -> Vec<String> {
    [
        "prod-data",
        "artifacts",
        "backups",
        "web-assets",
        "analytics-raw",
    ]
    .iter()
    .map(|s| format!("{company}-{s}"))
    .chain(std::iter::once(format!("{company}-cloudtrail-{acct}")))
    .collect()
}

/// The regions the company uses: a primary one, us-east-1, sometimes one more.
fn home_regions(rng: &mut Rng) -> Vec<usize> {
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
    home
}

/// Instance, AMI, security group, VPC, subnet and KMS key ids of every region (instances only
/// in home regions), from their own random stream.
fn region_resources(seed: u64, home: &[usize]) -> Vec<RegionRes> {
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
    res
}

impl Builder<'_> {
    /// The people: each human's CLI, console and SSO identities, then the root user.
    /// Returns the identity index of the responder (the first human's CLI identity).
    fn people(&mut self, rng: &mut Rng, company: &str, names: &mut Names) -> usize {
        let office: Vec<String> = (0..2).map(|_| public_ip(&mut self.rng, ISP)).collect();
        let domain = format!("{company}.com");
        let n_humans = 4 + rng.below(3) as usize;
        let firsts = pick_distinct(rng, FIRST, n_humans);
        let sso = SsoRoles {
            admin: format!(
                "AWSReservedSSO_AdministratorAccess_{}",
                hex(rng.next_u64(), 16)
            ),
            read_only: format!("AWSReservedSSO_ReadOnlyAccess_{}", hex(rng.next_u64(), 16)),
        };
        names.roles.push(sso.admin.clone());
        names.roles.push(sso.read_only.clone());
        let mut responder = usize::MAX;
        for (i, first) in firsts.iter().enumerate() {
            if i == 0 {
                responder = self.idents.len();
            }
            let uname = self.human(rng, i, first, &office, &domain, &sso);
            names.users.push(uname);
        }
        let mut root = self.root(6);
        root.ips = vec![office[0].clone()];
        root.ua = browser_ua(&mut self.rng);
        self.idents.push(root);
        responder
    }

    /// Human number `i`: a CLI identity, a console one for some, and an SSO session.
    /// Returns the user name.
    fn human(
        &mut self,
        rng: &mut Rng,
        i: usize,
        first: &str,
        office: &[String],
        domain: &str,
        sso: &SsoRoles,
    ) -> String {
        let last = *rng.pick(LAST);
        let uname = format!("{first}.{last}");
        let email = format!("{first}.{last}@{domain}");
        let aida = key_id("AIDA", rng.next_u64(), 17);
        let home_ip = public_ip(&mut self.rng, ISP);
        let ips = vec![office[i % 2].clone(), office[i % 2].clone(), home_ip];

        let os = if rng.chance(6000) {
            format!("os/macos#23.{}.0 md/arch#arm64", rng.below(6))
        } else {
            "os/linux#6.8.0-45-generic md/arch#x86_64 md/distrib#ubuntu.24".to_string()
        };
        let mut cli = self.iam_user(HCLI, Pool::Human, 100, &uname, &aida);
        cli.ips = ips.clone();
        if rng.chance(2500) {
            cli.ua = terraform_ua(&mut self.rng);
        } else {
            cli.ua = cli_ua(&mut self.rng, &os);
            cli.ua_cmd = true;
        }
        self.idents.push(cli);

        if i % 2 == 1 || i == 0 {
            let mut con = self.console_user(60, &uname, &aida);
            con.ips = ips.clone();
            con.ua = browser_ua(&mut self.rng);
            self.idents.push(con);
        }
        let (sso_role, w) = if i < 2 {
            (&sso.admin, 70)
        } else {
            (&sso.read_only, 50)
        };
        let mut session = self.role(
            SSO,
            Pool::Human,
            w,
            "aws-reserved/sso.amazonaws.com/",
            sso_role,
            &email,
            Some(&email),
            None,
        );
        session.ips = ips;
        session.ua = cli_ua(&mut self.rng, &os);
        session.ua_cmd = true;
        self.idents.push(session);
        uname
    }

    /// CI: the deploy-bot key (the one that leaks), backup-sync, and the GitHub Actions role.
    /// Returns the identity index of deploy-bot (the victim).
    fn ci(&mut self, rng: &mut Rng, names: &mut Names) -> usize {
        let victim = self.idents.len();
        let aida = key_id("AIDA", rng.next_u64(), 17);
        let mut bot = self.iam_user(CI, Pool::Machine, 90, "deploy-bot", &aida);
        bot.ips = (0..2).map(|_| public_ip(&mut self.rng, AWS_IP)).collect();
        bot.ua = terraform_ua(&mut self.rng);
        names.users.push("deploy-bot".to_string());
        self.idents.push(bot);

        let aida = key_id("AIDA", rng.next_u64(), 17);
        let mut backup = self.iam_user(CI, Pool::Machine, 25, "backup-sync", &aida);
        backup.ips = vec![public_ip(&mut self.rng, ISP)];
        backup.ua = cli_ua(&mut self.rng, "os/linux#5.15.0-119-generic md/arch#x86_64");
        backup.ua_cmd = true;
        names.users.push("backup-sync".to_string());
        self.idents.push(backup);

        let gha = "github-actions-deploy";
        names.roles.push(gha.to_string());
        let mut ci = self.role(CI, Pool::Machine, 80, "", gha, "GitHubActions", None, None);
        ci.ips = (0..8).map(|_| public_ip(&mut self.rng, AZURE_IP)).collect();
        // Each workflow run assumes the role itself, on one runner.
        ci.address_per_session = true;
        ci.ua = cli_ua(&mut self.rng, "os/linux#6.5.0-1025-azure md/arch#x86_64");
        ci.ua_cmd = true;
        self.idents.push(ci);
        victim
    }

    /// Four Lambda functions, each with its execution role and the Lambda service.
    fn lambdas(&mut self, rng: &mut Rng, names: &mut Names) -> Vec<&'static str> {
        let fns = pick_distinct(rng, FUNCTIONS, 4);
        for f in &fns {
            let role = format!("{f}-role");
            names.roles.push(role.clone());
            let mut l = self.role(LAMBDA, Pool::Machine, 60, "", &role, f, None, None);
            l.ips = (0..4).map(|_| public_ip(&mut self.rng, AWS_IP)).collect();
            l.ua = boto_lambda_ua(&mut self.rng);
            self.idents.push(l);
            let s = self.service(15, "lambda.amazonaws.com", &role, f);
            self.idents.push(s);
        }
        fns
    }

    /// The app-server instance profile on two instances of each home region, used by the
    /// application and by the SSM agent, and the EC2 service acting with it.
    fn instance_profiles(&mut self, home: &[usize], res: &[RegionRes]) {
        for &h in home {
            for k in 0..2 {
                // The application and the SSM agent share the instance
                // profile (same session, same NAT address), not the user agent.
                let iid = res[h].iids[k].clone();
                let nat = public_ip(&mut self.rng, AWS_IP);
                let mut e = self.role(
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
                    self.rng.range(10, 60)
                );
                e.json_c = ec2_role_delivery(&e.json_c);
                self.idents.push(e);
                let mut a = self.role(
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
                    self.rng.range(0, 6),
                    self.rng.range(3, 8),
                    self.rng.range(40, 1500)
                );
                a.json_c = ec2_role_delivery(&a.json_c);
                self.idents.push(a);
            }
        }
        let s = self.service(
            15,
            "ec2.amazonaws.com",
            "app-server-role",
            &res[home[0]].iids[0].clone(),
        );
        self.idents.push(s);
    }

    /// One identity per [`SERVICE_LINKED_ROLES`] entry.
    fn service_linked_roles(&mut self) {
        for slr in SERVICE_LINKED_ROLES {
            let svc = slr.service;
            let mut r = self.role(
                SLR,
                Pool::Machine,
                slr.weight,
                &format!("aws-service-role/{svc}/"),
                slr.role,
                slr.session,
                None,
                Some(svc),
            );
            r.noise_weight = slr.noise_weight;
            self.idents.push(r);
        }
    }
}

impl World {
    /// Builds the company for `seed` and `acct`.
    pub(crate) fn new(seed: u64, acct: &str) -> World {
        let mut rng = Rng::new(derive(seed, &[0x0077_6f72_6c64]));
        let company = *rng.pick(COMPANIES);
        let home = home_regions(&mut rng);
        let tz = REGIONS[home[0]].1;

        let mut b = Builder {
            acct,
            rng: Rng::new(derive(seed, &[0x6964_656e_7473])),
            idents: Vec::new(),
        };
        let mut names = Names::default();
        let responder = b.people(&mut rng, company, &mut names);
        let victim = b.ci(&mut rng, &mut names);
        let fns = b.lambdas(&mut rng, &mut names);
        let res = region_resources(seed, &home);
        names.roles.push("app-server-role".to_string());
        b.instance_profiles(&home, &res);
        b.service_linked_roles();
        names
            .roles
            .push("OrganizationAccountAccessRole".to_string());

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
            users: names.users,
            roles: names.roles,
            buckets: buckets(company, acct),
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
}
