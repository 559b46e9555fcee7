//! Rendering tests: every catalogue row and scenario step is valid JSON
//! in CloudTrail's key order.

use super::*;
use std::collections::BTreeSet;

use crate::incident::Incident;

fn model(incident: bool) -> Model {
    let w = World::new(3, "123456789012");
    let inc = incident.then(|| Incident::new(&w, 1_714_953_600, 14, false));
    Model::new(w, inc, true).unwrap()
}

/// The call of catalogue row `ai` by identity `ii` at `t` in us-east-1, from
/// the identity's first address and agent, failing as `fail` says.
fn us_east_1<'a>(
    m: &'a Model,
    ai: usize,
    ii: usize,
    t: i64,
    fail: Option<&'a (&'static str, Template)>,
) -> Ev<'a> {
    let (ca, id) = (&m.apis[ai], &m.world.idents[ii]);
    Ev {
        t,
        api: ai,
        region: US_EAST_1,
        ident: id,
        ident_idx: ii,
        ip: &id.ips[0],
        ua: &id.ua,
        ua_cmd: id.ua_cmd,
        fail,
        req: &ca.req,
        resp: &ca.resp,
        launch: None,
    }
}

/// Every catalogue row, written by every class allowed to call it, in
/// success and failure forms, is valid JSON with CloudTrail's key order.
#[test]
fn every_row_and_error_renders_valid_json_in_cloudtrail_key_order() {
    let m = model(true);
    let mut rng = Rng::new(1);
    let mut sc = Scratch::default();
    let mut out = Vec::new();
    let t = 1_715_000_000;
    for (ai, ca) in m.apis.iter().enumerate() {
        let callers: Vec<usize> = (0..m.world.idents.len())
            .filter(|&i| m.world.idents[i].class & ca.api.who != 0)
            .collect();
        assert!(!callers.is_empty(), "{}", ca.api.name);
        let mut fails: Vec<Option<&(&'static str, Template)>> = vec![None];
        fails.extend(ca.errs.iter().map(Some));
        for &ii in &callers {
            for fail in &fails {
                let ev = us_east_1(&m, ai, ii, t, *fail);
                out.clear();
                m.write(&mut out, &mut rng, &mut sc, &ev);
                let text = std::str::from_utf8(&out).unwrap();
                let v: serde_json::Value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("{}: {e}\n{text}", ca.api.name));
                assert_eq!(v["eventName"], ca.api.name);
                assert_eq!(v["eventTime"], "2024-05-06T12:53:20Z");
                let keys: Vec<&str> = [
                    "\"eventVersion\"",
                    "\"userIdentity\"",
                    "\"eventTime\"",
                    "\"eventSource\"",
                    "\"eventName\"",
                    "\"awsRegion\"",
                    "\"sourceIPAddress\"",
                    "\"userAgent\"",
                    "\"requestParameters\"",
                    "\"responseElements\"",
                    "\"eventID\"",
                    "\"readOnly\"",
                    "\"eventType\"",
                    "\"managementEvent\"",
                    "\"recipientAccountId\"",
                    "\"eventCategory\"",
                ]
                .to_vec();
                // Top-level keys appear in this order (searching after userIdentity
                // so nested keys don't confuse the check).
                let body = &text[text.find(",\"eventTime\"").unwrap()..];
                let mut last = 0;
                for k in &keys[2..] {
                    let pos = body.find(k).unwrap_or_else(|| panic!("{k} missing"));
                    assert!(pos >= last, "{k} out of order in {text}");
                    last = pos;
                }
                if fail.is_some() && !ca.api.login {
                    assert!(v["errorCode"].is_string());
                }
            }
        }
    }
}

#[test]
fn incident_records_render_and_carry_the_scenario_values() {
    let m = model(true);
    let inc = m.incident.as_ref().unwrap();
    let mut rng = Rng::new(2);
    let mut sc = Scratch::default();
    let mut out = Vec::new();
    let mut saw_ids = 0;
    for i in 0..inc.events.len() {
        out.clear();
        let api = m.write_incident(&mut out, &mut rng, &mut sc, i);
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v["eventName"], m.apis[api].api.name);
        if v["eventName"] == "RunInstances" && v["errorCode"].is_null() {
            let items = v["responseElements"]["instancesSet"]["items"]
                .as_array()
                .unwrap();
            for it in items {
                let id = it["instanceId"].as_str().unwrap();
                assert!(inc.launches.iter().any(|l| l.ids.iter().any(|x| x == id)));
                saw_ids += 1;
            }
        }
        if v["eventName"] == "CreateAccessKey" {
            assert_eq!(
                v["responseElements"]["accessKey"]["accessKeyId"],
                inc.new_key.as_str()
            );
        }
    }
    let total: usize = inc.launches.iter().map(|l| l.ids.len()).sum();
    assert_eq!(saw_ids, total);
}

/// Renders `name` `n` times with the busy model (successful calls only).
fn busy_renders(name: &str, n: usize) -> Vec<serde_json::Value> {
    let m = Model::new_busy(World::new(3, "123456789012"), None).unwrap();
    let ai = m.apis.iter().position(|a| a.api.name == name).unwrap();
    let ca = &m.apis[ai];
    let ii = (0..m.world.idents.len())
        .find(|&i| m.world.idents[i].class & ca.api.who != 0)
        .unwrap();
    let mut rng = Rng::new(7);
    let mut sc = Scratch::default();
    (0..n)
        .map(|_| {
            let ev = us_east_1(&m, ai, ii, 1_715_000_000, None);
            let mut out = Vec::new();
            m.write(&mut out, &mut rng, &mut sc, &ev);
            serde_json::from_slice(&out).unwrap()
        })
        .collect()
}

/// Busy list placeholders: counts within their bands, every item's own
/// ids, the record's VPC shared by its items, values after a list as
/// before it.
#[test]
fn busy_lists_draw_fresh_items_and_keep_record_values() {
    let mut sizes = Vec::new();
    let mut multi = 0;
    for r in busy_renders("DescribeInstances", 300) {
        sizes.push(r.to_string().len());
        let mut ids = BTreeSet::new();
        let mut vpcs = BTreeSet::new();
        let reservations = r["responseElements"]["reservationSet"]["items"]
            .as_array()
            .unwrap();
        assert!((1..=14).contains(&reservations.len()));
        for res in reservations {
            for inst in res["instancesSet"]["items"].as_array().unwrap() {
                assert!(ids.insert(inst["instanceId"].as_str().unwrap().to_string()));
                vpcs.insert(inst["vpcId"].as_str().unwrap().to_string());
                let ip = inst["privateIpAddress"].as_str().unwrap();
                let dns = inst["privateDnsName"].as_str().unwrap();
                assert!(dns.starts_with(&format!("ip-{}.", ip.replace('.', "-"))));
                let devices: Vec<&str> = inst["blockDeviceMapping"]["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|b| b["deviceName"].as_str().unwrap())
                    .collect();
                assert_eq!(devices[0], "/dev/xvda");
                let keys: BTreeSet<&str> = inst["tagSet"]["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|t| t["key"].as_str().unwrap())
                    .collect();
                assert!(keys.len() >= 2, "distinct tag keys");
            }
        }
        assert_eq!(vpcs.len(), 1, "one VPC per record");
        multi += usize::from(ids.len() > 1);
    }
    assert!(multi > 50, "many responses list several instances");
    sizes.sort_unstable();
    assert!(sizes[sizes.len() - 1] > 20_000 && sizes[sizes.len() - 1] < 200_000);
    // ListObjects: the bucket named in the request, the response and the
    // resources is one bucket, whatever the listing drew in between.
    for r in busy_renders("ListObjects", 100) {
        let bucket = r["requestParameters"]["bucketName"].as_str().unwrap();
        assert_eq!(r["responseElements"]["ListBucketResult"]["Name"], bucket);
        assert_eq!(
            r["resources"][0]["ARN"],
            format!("arn:aws:s3:::{bucket}").as_str()
        );
        let keys = r["responseElements"]["ListBucketResult"]["Contents"]
            .as_array()
            .unwrap();
        assert!((1..=400).contains(&keys.len()));
    }
}
