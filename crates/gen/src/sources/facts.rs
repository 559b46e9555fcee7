//! What the attacker did, as the other log sources must show it: read back
//! from the scenario's rendered CloudTrail records (so the two always
//! agree), plus the leaked key's reads of the customer-data bucket, which
//! CloudTrail does not record without data events.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::record::Scripted;
use crate::rng::{derive, Rng};
use crate::scenario::{CredentialTruth, RootTruth};
use crate::world::{Nic, World, REGIONS};
use crate::IncidentTruth;

/// An S3 request the attacker made against a bucket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum S3Op {
    /// `REST.GET.OBJECT`.
    GetObject,
    /// `REST.GET.BUCKET` (a listing).
    ListBucket,
    /// `REST.GET.LOCATION`.
    GetLocation,
}

/// One attacker request on a bucket.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct S3Read {
    pub t: i64,
    pub bucket: String,
    /// Object key (GetObject).
    pub key: Option<String>,
    /// Listing prefix (ListBucket).
    pub prefix: String,
    pub op: S3Op,
    /// Bytes sent to the requester.
    pub bytes: u64,
    pub ip: String,
    /// The requester's ARN as access logs print it.
    pub requester: String,
    pub ua: String,
    /// CloudTrail's `requestID`, the access log's request id.
    pub request_id: String,
}

/// An instance the attacker launched.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AttackerInstance {
    pub id: String,
    pub region: usize,
    pub itype: String,
    /// Its interface, as RunInstances' responseElements report it.
    pub nic: Nic,
    pub launched: i64,
    /// TerminateInstances time, if any.
    pub terminated: Option<i64>,
    /// The address RunInstances was called from (the attacker's).
    pub operator_ip: String,
}

/// An account instance the attacker reached over the network (the
/// instance whose role credential it stole, through its web port).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Touched {
    pub instance_id: String,
    pub region: usize,
    pub t: i64,
    pub ip: String,
}

/// An access key the attacker used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct KeyUse {
    pub access_key_id: String,
    pub principal_arn: String,
    pub principal_id: String,
    pub user_name: String,
    pub user_type: String,
    pub ip: String,
    pub first: i64,
    pub api: String,
    pub service: String,
    pub region: String,
}

/// Everything the other sources show of the attack.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Facts {
    pub attacker_ips: Vec<String>,
    pub reads: Vec<S3Read>,
    pub instances: Vec<AttackerInstance>,
    pub touched: Vec<Touched>,
    pub keys: Vec<KeyUse>,
    /// The root user's ARN when root credentials were abused.
    pub root_abused: Option<String>,
}

/// The scenario truths facts are gathered from.
pub(crate) struct Truths<'a> {
    pub incident: Option<&'a IncidentTruth>,
    pub credential: Option<&'a CredentialTruth>,
    pub root: Option<&'a RootTruth>,
}

fn s(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

fn region_index(name: &str) -> Option<usize> {
    REGIONS.iter().position(|r| r.0 == name)
}

/// Reads the attack back from `records` (the scenario's CloudTrail
/// records), plus `extra_reads` that CloudTrail does not show (those it
/// shows, by request id, are not repeated).
pub(crate) fn gather(
    w: &World,
    records: &[Scripted],
    truths: &Truths,
    extra_reads: &[S3Read],
) -> Facts {
    let mut f = Facts::default();
    if let Some(i) = truths.incident {
        f.attacker_ips.extend(i.attacker_ips.iter().cloned());
    }
    if let Some(c) = truths.credential {
        f.attacker_ips.push(c.attacker_ip.clone());
    }
    if let Some(r) = truths.root {
        f.attacker_ips.push(r.attacker_ip.clone());
        f.root_abused = Some(r.principal_arn.clone());
    }
    let mut terminated: BTreeMap<String, i64> = BTreeMap::new();
    let mut keys: BTreeMap<String, KeyUse> = BTreeMap::new();
    for r in records {
        let Ok(v) = serde_json::from_slice::<Value>(&r.json) else {
            continue;
        };
        let name = v["eventName"].as_str().unwrap_or_default();
        if name == "TerminateInstances" {
            for it in v["responseElements"]["instancesSet"]["items"]
                .as_array()
                .into_iter()
                .flatten()
            {
                terminated.entry(s(&it["instanceId"])).or_insert(r.t);
            }
        }
        let ip = s(&v["sourceIPAddress"]);
        if !f.attacker_ips.contains(&ip) {
            continue;
        }
        note_key(&mut keys, &v, r.t);
        match name {
            "RunInstances" => launched(&mut f, &v, r.t, &ip),
            "GetObject" | "ListObjects" | "GetBucketLocation" => f.reads.push(read_of(&v, r.t)),
            _ => {}
        }
    }
    for inst in &mut f.instances {
        inst.terminated = terminated.get(&inst.id).copied();
    }
    f.keys = keys.into_values().collect();
    f.keys
        .sort_by(|a, b| (a.first, &a.access_key_id).cmp(&(b.first, &b.access_key_id)));
    for r in extra_reads {
        if !f.reads.iter().any(|x| x.request_id == r.request_id) {
            f.reads.push(r.clone());
        }
    }
    if let Some(c) = truths.credential {
        if let Some(id) = &c.instance_id {
            if let Some(region) = (0..REGIONS.len()).find(|&r| w.res[r].iids.contains(id)) {
                f.touched.push(Touched {
                    instance_id: id.clone(),
                    region,
                    t: c.first_attacker_event.time - 420,
                    ip: c.attacker_ip.clone(),
                });
            }
        }
    }
    f.reads
        .sort_by(|a, b| (a.t, &a.request_id).cmp(&(b.t, &b.request_id)));
    f
}

fn note_key(keys: &mut BTreeMap<String, KeyUse>, v: &Value, t: i64) {
    let ui = &v["userIdentity"];
    let key = s(&ui["accessKeyId"]);
    if key.is_empty() || keys.contains_key(&key) {
        return;
    }
    let user_name = ui["userName"]
        .as_str()
        .or_else(|| ui["sessionContext"]["sessionIssuer"]["userName"].as_str())
        .unwrap_or("Root")
        .to_string();
    keys.insert(
        key.clone(),
        KeyUse {
            access_key_id: key,
            principal_arn: s(&ui["arn"]),
            principal_id: s(&ui["principalId"]),
            user_name,
            user_type: s(&ui["type"]),
            ip: s(&v["sourceIPAddress"]),
            first: t,
            api: s(&v["eventName"]),
            service: s(&v["eventSource"]),
            region: s(&v["awsRegion"]),
        },
    );
}

fn launched(f: &mut Facts, v: &Value, t: i64, ip: &str) {
    let Some(region) = region_index(v["awsRegion"].as_str().unwrap_or_default()) else {
        return;
    };
    for it in v["responseElements"]["instancesSet"]["items"]
        .as_array()
        .into_iter()
        .flatten()
    {
        let ni = &it["networkInterfaceSet"]["items"][0];
        f.instances.push(AttackerInstance {
            id: s(&it["instanceId"]),
            region,
            itype: s(&it["instanceType"]),
            nic: Nic {
                eni: s(&ni["networkInterfaceId"]),
                private_ip: s(&it["privateIpAddress"]),
                vpc: s(&it["vpcId"]),
                subnet: s(&it["subnetId"]),
            },
            launched: t,
            terminated: None,
            operator_ip: ip.to_string(),
        });
    }
}

fn read_of(v: &Value, t: i64) -> S3Read {
    let rp = &v["requestParameters"];
    let op = match v["eventName"].as_str() {
        Some("GetObject") => S3Op::GetObject,
        Some("ListObjects") => S3Op::ListBucket,
        _ => S3Op::GetLocation,
    };
    S3Read {
        t,
        bucket: s(&rp["bucketName"]),
        key: rp["key"].as_str().map(str::to_string),
        prefix: s(&rp["prefix"]),
        op,
        bytes: v["additionalEventData"]["bytesTransferredOut"]
            .as_u64()
            .unwrap_or(0),
        ip: s(&v["sourceIPAddress"]),
        requester: s(&v["userIdentity"]["arn"]),
        ua: s(&v["userAgent"]),
        request_id: s(&v["requestID"]),
    }
}

const LEAK_DIRS: &[&str] = &["customers", "exports", "billing", "db-dumps"];
const LEAK_FILES: &[&str] = &[
    "customers-full.csv.gz",
    "accounts-2024.parquet",
    "orders-q1.csv.gz",
    "users.sql.gz",
    "invoices-2023.json",
    "contacts.csv",
];

/// The leaked key lists and reads the customer-data bucket a few minutes
/// after its ListBuckets.
pub(crate) fn leaked_key_reads(
    w: &World,
    inc: &IncidentTruth,
    records: &[Scripted],
    span: (i64, i64),
) -> Vec<S3Read> {
    let mut rng = Rng::new(derive(w.seed, &[0x1ea4, 0x5e]));
    let anchor = records
        .iter()
        .filter(|r| r.name == "ListBuckets" && r.t >= inc.first_attacker_event_time)
        .map(|r| r.t)
        .min()
        .unwrap_or(inc.first_attacker_event_time);
    let Some(ip) = inc.attacker_ips.first() else {
        return Vec::new();
    };
    let bucket = w.buckets[0].clone();
    let requester = format!("arn:aws:iam::{}:user/{}", w.acct, inc.user_name);
    let mut t = anchor + rng.range(200, 260) as i64;
    let mut out = Vec::new();
    let dirs: Vec<&str> = (0..2).map(|_| *rng.pick(LEAK_DIRS)).collect();
    let mut push =
        |rng: &mut Rng, t: i64, op: S3Op, key: Option<String>, prefix: String, bytes: u64| {
            out.push(S3Read {
                t,
                bucket: bucket.clone(),
                key,
                prefix,
                op,
                bytes,
                ip: ip.clone(),
                requester: requester.clone(),
                ua: inc.attacker_user_agent.clone(),
                request_id: upper_hex(rng, 16),
            });
        };
    push(&mut rng, t, S3Op::ListBucket, None, String::new(), 1400);
    for d in &dirs {
        t += rng.range(4, 15) as i64;
        let listing = rng.range(2_000, 40_000);
        push(
            &mut rng,
            t,
            S3Op::ListBucket,
            None,
            format!("{d}/"),
            listing,
        );
    }
    for k in 0..rng.range(6, 11) {
        t += rng.range(3, 12) as i64;
        let d = dirs[k as usize % dirs.len()];
        let key = format!("{d}/{}", rng.pick(LEAK_FILES));
        let bytes = rng.range(40_000, 90_000_000);
        push(
            &mut rng,
            t,
            S3Op::GetObject,
            Some(key),
            String::new(),
            bytes,
        );
    }
    out.retain(|r| r.t >= span.0 && r.t < span.1);
    out
}

/// `n` uppercase hex digits.
pub(crate) fn upper_hex(rng: &mut Rng, n: usize) -> String {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    (0..n).map(|_| H[rng.below(16) as usize] as char).collect()
}
