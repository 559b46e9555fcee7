//! GuardDuty findings exported to S3: gzip JSON Lines, one finding per
//! line in the documented finding format, under
//! `AWSLogs/<acct>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz` (one
//! object per region and day with findings). The attack yields
//! `CryptoCurrency:EC2/BitcoinTool.B!DNS` on each attacker instance and a
//! finding naming each abused access key with the attacker's address;
//! routine low-severity findings (port probes, SSH brute force on the web
//! servers) surround them.

use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::facts::KeyUse;
use super::{day_folder, pool, Ctx, FindingTruth, GuardDutyTruth, Publisher};
use crate::rng::{derive, Rng};
use crate::scenario::rec_uuid;
use crate::time::iso;
use crate::world::{hex, public_ip, World, REGIONS};
use crate::GenError;

/// A finding type and its severity in tenths.
struct Kind {
    finding_type: &'static str,
    severity_tenths: u32,
}

/// The finding GuardDuty raises on an abused key, by the key's identity.
fn key_finding(k: &KeyUse) -> Kind {
    let (finding_type, severity_tenths) = match k.user_type.as_str() {
        "Root" => ("Policy:IAMUser/RootCredentialUsage", 20),
        "AssumedRole" if k.principal_arn.contains("/i-") => (
            "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS",
            80,
        ),
        "AssumedRole" => ("Discovery:IAMUser/AnomalousBehavior", 50),
        _ => ("Recon:IAMUser/MaliciousIPCaller", 50),
    };
    Kind {
        finding_type,
        severity_tenths,
    }
}

/// One finding before rendering.
struct Finding {
    region: usize,
    t: i64,
    truth: FindingTruth,
    resource: Value,
    action: Value,
}

fn envelope(w: &World, f: &Finding) -> Value {
    let region = REGIONS[f.region].0;
    let detector = hex(derive(w.seed, &[0x9d, f.region as u64]), 16);
    let detector = format!("{detector}{detector}");
    json!({
        "schemaVersion": "2.0",
        "accountId": w.acct,
        "region": region,
        "partition": "aws",
        "id": f.truth.id,
        "arn": format!(
            "arn:aws:guardduty:{region}:{}:detector/{detector}/finding/{}",
            w.acct, f.truth.id
        ),
        "type": f.truth.finding_type,
        "resource": f.resource,
        "service": {
            "serviceName": "guardduty",
            "detectorId": detector,
            "action": f.action,
            "resourceRole": "TARGET",
            "eventFirstSeen": iso(f.t - 300),
            "eventLastSeen": iso(f.t),
            "archived": false,
            "count": 1,
        },
        "severity": f.truth.severity_tenths as f64 / 10.0,
        "createdAt": iso(f.t),
        "updatedAt": iso(f.t),
        "title": f.truth.finding_type,
        "description": format!("{} on {}", f.truth.finding_type, f.truth.resource),
    })
}

/// `remoteIpDetails` of an address (a documentation ASN).
fn remote(ip: &str) -> Value {
    json!({
        "ipAddressV4": ip,
        "organization": {
            "asn": "64500",
            "asnOrg": "EXAMPLE-HOSTING",
            "isp": "Example Hosting",
            "org": "Example Hosting",
        },
        "country": {"countryName": "Unknown"},
    })
}

/// An `Instance` resource with its network interface.
fn instance_resource(id: &str, itype: &str, nic: &crate::world::Nic) -> Value {
    json!({
        "resourceType": "Instance",
        "instanceDetails": {
            "instanceId": id,
            "instanceType": itype,
            "networkInterfaces": [{
                "networkInterfaceId": nic.eni,
                "privateIpAddress": nic.private_ip,
                "vpcId": nic.vpc,
                "subnetId": nic.subnet,
            }],
        },
    })
}

/// The attack's truth row.
fn attack_truth(rng: &mut Rng, kind: &Kind, resource: &str) -> FindingTruth {
    FindingTruth {
        id: hex_id(rng),
        finding_type: kind.finding_type.into(),
        severity_tenths: kind.severity_tenths,
        resource: resource.to_string(),
        attack: true,
    }
}

/// The attack's findings: mining on each instance, each abused key.
fn attack_findings(ctx: &Ctx, rng: &mut Rng) -> Vec<Finding> {
    let mining = Kind {
        finding_type: "CryptoCurrency:EC2/BitcoinTool.B!DNS",
        severity_tenths: 80,
    };
    let mut out = Vec::new();
    for (k, inst) in ctx.facts.instances.iter().enumerate() {
        let p = pool(ctx.w, k);
        out.push(Finding {
            region: inst.region,
            t: inst.launched + 150 + rng.range(300, 900) as i64,
            truth: attack_truth(rng, &mining, &inst.id),
            resource: instance_resource(&inst.id, &inst.itype, &inst.nic),
            action: json!({
                "actionType": "DNS_REQUEST",
                "dnsRequestAction": {"domain": p.domain, "protocol": "UDP", "blocked": false},
            }),
        });
    }
    for key in &ctx.facts.keys {
        let region = REGIONS
            .iter()
            .position(|r| r.0 == key.region)
            .unwrap_or(ctx.w.home[0]);
        out.push(Finding {
            region,
            t: key.first + rng.range(300, 1200) as i64,
            truth: attack_truth(rng, &key_finding(key), &key.access_key_id),
            resource: json!({
                "resourceType": "AccessKey",
                "accessKeyDetails": {
                    "accessKeyId": key.access_key_id,
                    "principalId": key.principal_id,
                    "userName": key.user_name,
                    "userType": key.user_type,
                },
            }),
            action: json!({
                "actionType": "AWS_API_CALL",
                "awsApiCallAction": {
                    "api": key.api,
                    "serviceName": key.service,
                    "callerType": "Remote IP",
                    "remoteIpDetails": remote(&key.ip),
                },
            }),
        });
    }
    out
}

/// Low-severity findings every account sees on an internet-facing server.
const BENIGN_TYPES: &[&str] = &[
    "Recon:EC2/PortProbeUnprotectedPort",
    "UnauthorizedAccess:EC2/SSHBruteForce",
];

/// Routine findings: a port probe or SSH brute force on a web server about
/// every other day.
fn benign_findings(ctx: &Ctx, rng: &mut Rng) -> Vec<Finding> {
    let w = ctx.w;
    let mut out = Vec::new();
    let mut t = ctx.span.0 + rng.range(3600, 86_400) as i64;
    while t < ctx.span.1 {
        let region = *rng.pick(&w.home);
        if let Some(iid) = w.res[region].iids.first() {
            let nic = w.nic(region, iid);
            let finding_type = *rng.pick(BENIGN_TYPES);
            let probe = public_ip(rng, &[45, 89, 185, 193]);
            let truth = FindingTruth {
                id: hex_id(rng),
                finding_type: finding_type.into(),
                severity_tenths: 20,
                resource: iid.clone(),
                attack: false,
            };
            let probe_details = json!([{
                "localPortDetails": {"port": 22, "portName": "SSH"},
                "remoteIpDetails": remote(&probe),
            }]);
            out.push(Finding {
                region,
                t,
                truth,
                resource: instance_resource(iid, w.bg_types[0], &nic),
                action: json!({
                    "actionType": "PORT_PROBE",
                    "portProbeAction": {"blocked": false, "portProbeDetails": probe_details},
                }),
            });
        }
        t += rng.range(30 * 3600, 60 * 3600) as i64;
    }
    out
}

fn hex_id(rng: &mut Rng) -> String {
    format!("{}{}", hex(rng.next_u64(), 16), hex(rng.next_u64(), 16))
}

/// Writes the findings export and returns the truth.
pub(crate) fn write(ctx: &Ctx) -> Result<GuardDutyTruth, GenError> {
    let w = ctx.w;
    let mut rng = Rng::new(derive(w.seed, &[0x6d]));
    let mut all = attack_findings(ctx, &mut rng);
    all.extend(benign_findings(ctx, &mut rng));
    all.retain(|f| f.t >= ctx.span.0 && f.t < ctx.span.1);
    all.sort_by(|a, b| (a.t, &a.truth.id).cmp(&(b.t, &b.truth.id)));
    let mut files: BTreeMap<(usize, i64), Vec<&Finding>> = BTreeMap::new();
    for f in &all {
        files
            .entry((f.region, f.t.div_euclid(86_400)))
            .or_default()
            .push(f);
    }
    let mut publisher = Publisher::new(ctx.level);
    for ((region, day), list) in &files {
        let mut buf = String::new();
        for f in list {
            buf.push_str(&envelope(w, f).to_string());
            buf.push('\n');
        }
        let mut frng = Rng::new(derive(w.seed, &[0x6df, *region as u64, *day as u64]));
        let dir = ctx.aws_logs("GuardDuty").join(REGIONS[*region].0);
        let path = day_folder(&dir, day * 86_400).join(format!("{}.jsonl.gz", rec_uuid(&mut frng)));
        publisher.write(&path, buf.as_bytes(), true)?;
    }
    Ok(GuardDutyTruth {
        files: publisher.files,
        findings: all.into_iter().map(|f| f.truth).collect(),
    })
}
