use super::*;
use crate::baseline::{Observation, SignIn};
use crate::behaviour::Call;
use crate::network::{CountryLookup, Lookups};

const H: i64 = 3_600_000;
const DAY: i64 = 24 * H;
const OWNER_UA: &str = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off";
const EC2_UA: &str =
    "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.61-85.141.amzn2023.x86_64 exe/x86_64.amzn.2023";
const LAMBDA_UA: &str = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10.209.amzn2 lang/python#3.12.0 exec-env/AWS_Lambda_python3.12 Botocore/1.34.0";

/// Ten working days from the office and a home ISP whose address changes every day.
fn roaming_owner() -> Baseline {
    let mut b = Baseline::default();
    for day in 0..10 {
        let home = format!("198.51.{}.{}", 100 + day, 20 + day);
        for hour in 8..18 {
            let ip = if hour < 12 {
                "192.0.2.10"
            } else {
                home.as_str()
            };
            b.observe(&Observation {
                ms: day * DAY + hour * H,
                source_ip: Some(ip),
                user_agent: Some(OWNER_UA),
                region: Some("eu-west-1"),
                ..Observation::default()
            });
        }
    }
    b
}

fn departure(ms: i64, ip: &str, ua: &str) -> Departure {
    Departure {
        first_ms: ms,
        sources: vec![Grains::of(ip, Lookups::default())],
        user_agents: vec![ua.to_owned()],
        regions: vec!["eu-west-1".into()],
        hours: vec![((ms / H) % 24) as u8],
        ..Departure::default()
    }
}

fn has(j: &Judgement, k: SignalKind) -> bool {
    j.signals.iter().any(|s| s.signal == k)
}

fn observe(b: &mut Behaviour, service: &str, name: &str, n: usize) {
    for _ in 0..n {
        b.observe(&Call {
            service,
            name,
            error_code: None,
            instance_type: None,
            new_region: false,
        });
    }
}

#[test]
fn roaming_owner_on_a_new_home_address_is_not_an_attacker() {
    let b = roaming_owner();
    let d = departure(11 * DAY + 14 * H, "198.51.200.7", OWNER_UA);
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(has(&j, SignalKind::NewNetwork), "{j:?}");
    assert!(has(&j, SignalKind::KnownUserAgent));
    assert!(has(&j, SignalKind::OwnerRoams));
    assert_eq!(j.confidence, None, "{j:?}");
    assert!(!j.no_baseline);
}

#[test]
fn roaming_owner_on_a_mobile_network_is_at_most_low() {
    let b = roaming_owner();
    let mut d = departure(11 * DAY + 3 * H, "100.64.9.9", OWNER_UA);
    d.regions = vec!["us-east-1".into()];
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(has(&j, SignalKind::NewWideNetwork));
    assert!(has(&j, SignalKind::NewRegion));
    assert!(has(&j, SignalKind::UnusualHour));
    assert!(j.confidence <= Some(Confidence::Low), "{j:?}");
    // Routine IAM work from home by an admin who roams stays low.
    let mut admin = departure(11 * DAY + 14 * H, "198.51.200.7", OWNER_UA);
    observe(&mut admin.behaviour, "iam", "CreateAccessKey", 1);
    let j = judge(IdentityKind::LongTermKey, &b, &admin, None);
    assert!(j.confidence <= Some(Confidence::Low), "{j:?}");
}

#[test]
fn attacker_on_new_networks_with_persistence_is_high() {
    let b = roaming_owner();
    let mut d = departure(
        11 * DAY + 2 * H,
        "203.0.113.66",
        "Boto3/1.34.1 md/Botocore#1.34.1 os/linux#6.5 lang/python#3.11",
    );
    observe(&mut d.behaviour, "iam", "CreateUser", 1);
    observe(&mut d.behaviour, "iam", "CreateAccessKey", 1);
    observe(&mut d.behaviour, "iam", "AttachUserPolicy", 1);
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(has(&j, SignalKind::NewWideNetwork));
    assert!(has(&j, SignalKind::NewClient));
    assert!(has(&j, SignalKind::Persistence));
    assert!(has(&j, SignalKind::PrivilegeEscalation));
    assert_eq!(j.confidence, Some(Confidence::High), "{j:?}");
    assert!(j.has_evidence());
    assert_eq!(
        j.signals[0].signal,
        SignalKind::Persistence,
        "strongest first"
    );
}

#[test]
fn no_baseline_is_judged_by_behaviour() {
    let mut b = Baseline::default();
    b.observe(&Observation {
        ms: 0,
        source_ip: Some("203.0.113.66"),
        user_agent: Some(OWNER_UA),
        ..Observation::default()
    });
    let mut d = departure(10 * 60_000, "203.0.113.66", OWNER_UA);
    let quiet = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(quiet.no_baseline);
    assert_eq!(quiet.confidence, None, "no behaviour, nothing to claim");
    observe(&mut d.behaviour, "iam", "CreateUser", 1);
    observe(&mut d.behaviour, "iam", "CreateLoginProfile", 1);
    observe(&mut d.behaviour, "iam", "AttachUserPolicy", 1);
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(has(&j, SignalKind::NoBaseline));
    assert!(
        !has(&j, SignalKind::NewWideNetwork),
        "no novelty without a baseline"
    );
    assert_eq!(j.confidence, Some(Confidence::Medium), "{j:?}");
}

fn instance_baseline() -> Baseline {
    let mut b = Baseline::default();
    for h in 0..48 {
        b.observe(&Observation {
            ms: h * H,
            source_ip: Some("54.210.1.20"),
            user_agent: Some(EC2_UA),
            region: Some("us-east-1"),
            ..Observation::default()
        });
    }
    b
}

#[test]
fn instance_credential_from_a_laptop() {
    let b = instance_baseline();
    let mut d = departure(50 * H, "203.0.113.66", OWNER_UA);
    observe(&mut d.behaviour, "s3", "ListBuckets", 1);
    observe(&mut d.behaviour, "s3", "GetObject", 25);
    let j = judge(
        IdentityKind::InstanceSession,
        &b,
        &d,
        Some(RoleContext { baseline: &b }),
    );
    assert!(has(&j, SignalKind::ComputeCredentialOffCompute), "{j:?}");
    assert!(has(&j, SignalKind::ComputeCredentialOutsideRole));
    assert!(has(&j, SignalKind::DataReads));
    assert_eq!(j.confidence, Some(Confidence::High), "{j:?}");
    // The instance itself, from its own address, is nothing.
    let own = departure(50 * H, "54.210.1.20", EC2_UA);
    let j = judge(
        IdentityKind::InstanceSession,
        &b,
        &own,
        Some(RoleContext { baseline: &b }),
    );
    assert_eq!(j.confidence, None, "{j:?}");
}

#[test]
fn lambda_credential_without_its_exec_env() {
    let mut b = Baseline::default();
    for h in 0..30 {
        b.observe(&Observation {
            ms: h * H,
            source_ip: Some("3.5.1.2"),
            user_agent: Some(LAMBDA_UA),
            ..Observation::default()
        });
    }
    let d = departure(
        31 * H,
        "198.18.7.7",
        "aws-cli/2.15.0 Python/3.11.6 Linux/6.5.0-generic",
    );
    let j = judge(IdentityKind::LambdaSession, &b, &d, None);
    assert!(has(&j, SignalKind::ComputeCredentialNoExecEnv), "{j:?}");
    assert!(!has(&j, SignalKind::ComputeCredentialOffCompute));
}

#[test]
fn session_key_from_two_networks() {
    let b = instance_baseline();
    let mut d = departure(50 * H, "203.0.113.9", OWNER_UA);
    d.session_key_networks = vec!["54.210.1.0/24".into(), "203.0.113.0/24".into()];
    let j = judge(IdentityKind::RoleSession, &b, &d, None);
    assert!(has(&j, SignalKind::SessionKeyTwoNetworks));
    // The same client on a runner pool's addresses is not a copied key.
    let mut pool = departure(50 * H, "54.211.9.9", EC2_UA);
    pool.session_key_networks = d.session_key_networks.clone();
    let j = judge(IdentityKind::RoleSession, &b, &pool, None);
    assert!(!has(&j, SignalKind::SessionKeyTwoNetworks), "{j:?}");
}

#[test]
fn console_failures_then_success_and_mfa_absent() {
    let mut b = Baseline::default();
    b.observe(&Observation {
        ms: 0,
        source_ip: Some("192.0.2.10"),
        user_agent: Some("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"),
        mfa: Some(true),
        sign_in: Some(SignIn::Success),
        ..Observation::default()
    });
    for m in 0..3 {
        b.observe(&Observation {
            ms: 40 * H + m * 60_000,
            source_ip: Some("203.0.113.66"),
            sign_in: Some(SignIn::Failure),
            ..Observation::default()
        });
    }
    let mut d = departure(
        40 * H + 10 * 60_000,
        "203.0.113.66",
        "Mozilla/5.0 (X11; Linux x86_64)",
    );
    d.sign_in_ms = Some(d.first_ms);
    d.mfa = Some(false);
    let j = judge(IdentityKind::Root, &b, &d, None);
    assert!(has(&j, SignalKind::ConsoleFailuresThenSuccess), "{j:?}");
    assert!(has(&j, SignalKind::MfaAbsent));
    assert_eq!(j.confidence, Some(Confidence::Medium), "{j:?}");
}

struct Geo;
impl CountryLookup for Geo {
    fn country(&self, ip: &str) -> Option<String> {
        Some(if ip.starts_with("203.") { "RU" } else { "DE" }.to_owned())
    }
}

#[test]
fn new_country_with_a_lookup() {
    let mut b = Baseline::default();
    b.observe(&Observation {
        ms: 0,
        source_ip: Some("192.0.2.10"),
        country: Some("DE"),
        ..Observation::default()
    });
    let mut d = departure(30 * H, "203.0.113.66", OWNER_UA);
    d.sources = vec![Grains::of(
        "203.0.113.66",
        Lookups {
            country: Some(&Geo),
            asn: None,
        },
    )];
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(has(&j, SignalKind::NewCountry), "{j:?}");
}

#[test]
fn a_lambda_roaming_across_provider_addresses_is_its_own() {
    let mut b = Baseline::default();
    b.observe(&Observation {
        ms: 0,
        source_ip: Some("3.80.9.20"),
        user_agent: Some(LAMBDA_UA),
        ..Observation::default()
    });
    let mut role = Baseline::default();
    role.merge(&b);
    let mut d = departure(H, "18.200.1.1", LAMBDA_UA);
    d.session_key_networks = vec!["3.80.9.0/24".into(), "18.200.1.0/24".into()];
    let j = judge(
        IdentityKind::LambdaSession,
        &b,
        &d,
        Some(RoleContext { baseline: &role }),
    );
    assert!(!j.has_evidence(), "{j:?}");
    assert_eq!(j.confidence, None);
    let mut stolen = departure(H, "198.18.7.7", "python-requests/2.31.0");
    stolen.session_key_networks = d.session_key_networks.clone();
    let j = judge(
        IdentityKind::LambdaSession,
        &b,
        &stolen,
        Some(RoleContext { baseline: &role }),
    );
    assert!(has(&j, SignalKind::SessionKeyTwoNetworks));
    assert!(has(&j, SignalKind::ComputeCredentialNoExecEnv));
    assert!(has(&j, SignalKind::ComputeCredentialOutsideRole));
}

#[test]
fn behaviour_the_owner_already_shows_is_not_counted() {
    let mut b = roaming_owner();
    b.observe(&Observation {
        ms: 2 * DAY,
        source_ip: Some("192.0.2.10"),
        user_agent: Some(OWNER_UA),
        call: Some(("iam", "CreateUser")),
        ..Observation::default()
    });
    let mut d = departure(11 * DAY + 2 * H, "203.0.113.66", OWNER_UA);
    observe(&mut d.behaviour, "iam", "CreateUser", 2);
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(!has(&j, SignalKind::Persistence), "{j:?}");
    observe(&mut d.behaviour, "iam", "CreateLoginProfile", 1);
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    let p = j
        .signals
        .iter()
        .find(|s| s.signal == SignalKind::Persistence);
    assert!(
        p.is_some_and(
            |s| s.detail.contains("CreateLoginProfile") && !s.detail.contains("CreateUser")
        ),
        "{j:?}"
    );
}

#[test]
fn the_owners_own_grain_is_at_most_low() {
    let b = roaming_owner();
    // Home /16, the owner's client: even new IAM work stays low.
    let mut d = departure(
        11 * DAY + 14 * H,
        "198.51.200.7",
        "aws-cli/2.16.0 Python/3.11.8 Darwin/23.5.0 exe/x86_64",
    );
    observe(&mut d.behaviour, "iam", "CreateUser", 1);
    observe(&mut d.behaviour, "iam", "CreateAccessKey", 1);
    observe(&mut d.behaviour, "iam", "AttachUserPolicy", 1);
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(j.score >= 12, "{j:?}");
    assert_eq!(j.confidence, Some(OWNER_GRAIN_CEILING), "{j:?}");
    // The same from a network the owner never used is high.
    let mut far = d.clone();
    far.sources = vec![Grains::of("203.0.113.66", Lookups::default())];
    let j = judge(IdentityKind::LongTermKey, &b, &far, None);
    assert_eq!(j.confidence, Some(Confidence::High), "{j:?}");
}

#[test]
fn a_leaked_key_used_only_to_read_data_is_claimed() {
    let b = roaming_owner();
    let mut d = departure(11 * DAY + 2 * H, "203.0.113.66", "python-requests/2.31.0");
    observe(&mut d.behaviour, "s3", "GetObject", 40);
    let j = judge(IdentityKind::LongTermKey, &b, &d, None);
    assert!(
        has(&j, SignalKind::DataReads) && has(&j, SignalKind::NewClient),
        "{j:?}"
    );
    assert!(j.confidence >= Some(Confidence::Medium), "{j:?}");
    // The owner reading the same from a phone, with its own client, is not.
    let mut phone = departure(11 * DAY + 20 * H, "100.70.1.2", OWNER_UA);
    observe(&mut phone.behaviour, "s3", "GetObject", 40);
    let j = judge(IdentityKind::LongTermKey, &b, &phone, None);
    assert!(j.confidence <= Some(Confidence::Low), "{j:?}");
}
