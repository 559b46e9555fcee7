//! Scenario records built field by field, in CloudTrail's key order and with
//! the same shape as the background writer's (requestID, eventID, readOnly,
//! eventCategory, tlsDetails, sessionCredentialFromConsole).

use crate::record::{push_hex, push_key, push_upper_alnum, push_uuid, Scripted};
use crate::rng::Rng;
use crate::time::push_iso;
use crate::world::{REGIONS, US_EAST_1};

/// Where an API records and how (a table row; see [`API`]).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ApiMeta {
    pub name: &'static str,
    pub source: &'static str,
    pub read_only: bool,
    /// S3 object-level data event.
    pub data: bool,
    /// Recorded in us-east-1 whatever the caller's region.
    pub global: bool,
    pub version: &'static str,
}

const fn api(name: &'static str, source: &'static str, read_only: bool, global: bool) -> ApiMeta {
    ApiMeta {
        name,
        source,
        read_only,
        data: false,
        global,
        version: "1.08",
    }
}

const S3: &str = "s3.amazonaws.com";

/// The APIs the scenarios call.
#[rustfmt::skip]
pub(crate) static API: &[ApiMeta] = &[
    api("GetCallerIdentity", "sts.amazonaws.com", true, false),
    api("AssumeRole", "sts.amazonaws.com", true, false),
    api("ConsoleLogin", "signin.amazonaws.com", false, true),
    api("ListUsers", "iam.amazonaws.com", true, true),
    api("ListRoles", "iam.amazonaws.com", true, true),
    api("GetAccountSummary", "iam.amazonaws.com", true, true),
    api("CreateUser", "iam.amazonaws.com", false, true),
    api("AttachUserPolicy", "iam.amazonaws.com", false, true),
    api("CreateAccessKey", "iam.amazonaws.com", false, true),
    api("ListSecrets", "secretsmanager.amazonaws.com", true, false),
    api("GetSecretValue", "secretsmanager.amazonaws.com", true, false),
    api("DescribeRegions", "ec2.amazonaws.com", true, false),
    api("DescribeInstances", "ec2.amazonaws.com", true, false),
    api("RunInstances", "ec2.amazonaws.com", false, false),
    ApiMeta { version: "1.09", ..api("ListBuckets", S3, true, true) },
    ApiMeta { version: "1.09", ..api("GetBucketLocation", S3, true, false) },
    ApiMeta { data: true, version: "1.09", ..api("ListObjects", S3, true, false) },
    ApiMeta { data: true, version: "1.09", ..api("GetObject", S3, true, false) },
];

/// The [`API`] row of `name`.
pub(crate) fn meta(name: &str) -> Option<&'static ApiMeta> {
    API.iter().find(|a| a.name == name)
}

/// Who makes a call: the full userIdentity, and the client.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub identity: String,
    pub ip: String,
    pub ua: String,
    /// A console session (sessionCredentialFromConsole).
    pub console: bool,
}

/// One call of a scenario.
#[derive(Clone, Debug)]
pub(crate) struct Call {
    pub api: &'static ApiMeta,
    pub t: i64,
    pub region: usize,
    pub req: String,
    pub resp: String,
    pub extra: Option<String>,
    pub resources: Option<String>,
    /// errorCode, errorMessage.
    pub error: Option<(String, String)>,
    /// TLS host header; the service's endpoint when `None`.
    pub host: Option<String>,
    /// The `requestID` to print (drawn from the record's stream when `None`).
    pub request_id: Option<String>,
    /// Appended to the caller's user agent (aws-cli's `md/command#…`).
    pub ua_suffix: String,
}

impl Call {
    /// A call with `null` parameters and response.
    pub(crate) fn new(api: &'static ApiMeta, t: i64, region: usize) -> Call {
        Call {
            api,
            t,
            region,
            req: "null".into(),
            resp: "null".into(),
            extra: None,
            resources: None,
            error: None,
            host: None,
            request_id: None,
            ua_suffix: String::new(),
        }
    }
}

fn push_str(out: &mut Vec<u8>, key: &str, value: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    out.extend_from_slice(serde_json::Value::from(value).to_string().as_bytes());
}

fn push_raw(out: &mut Vec<u8>, key: &str, json: &str) {
    out.extend_from_slice(b",\"");
    out.extend_from_slice(key.as_bytes());
    out.extend_from_slice(b"\":");
    out.extend_from_slice(json.as_bytes());
}

/// Renders `call` by `who` in account `acct`; ids come from `rng`.
pub(crate) fn render(acct: &str, who: &Caller, call: &Call, rng: &mut Rng) -> Scripted {
    let a = call.api;
    let login = a.name == "ConsoleLogin";
    let region = if a.global {
        "us-east-1"
    } else {
        REGIONS[call.region].0
    };
    let mut out = Vec::with_capacity(1500);
    out.extend_from_slice(b"{\"eventVersion\":\"");
    out.extend_from_slice(a.version.as_bytes());
    out.push(b'"');
    push_raw(&mut out, "userIdentity", &who.identity);
    let mut t = Vec::new();
    push_iso(&mut t, call.t);
    push_str(&mut out, "eventTime", &String::from_utf8_lossy(&t));
    push_str(&mut out, "eventSource", a.source);
    push_str(&mut out, "eventName", a.name);
    push_str(&mut out, "awsRegion", region);
    push_str(&mut out, "sourceIPAddress", &who.ip);
    push_str(
        &mut out,
        "userAgent",
        &format!("{}{}", who.ua, call.ua_suffix),
    );
    if let Some((code, msg)) = &call.error {
        if !login {
            push_str(&mut out, "errorCode", code);
        }
        push_str(&mut out, "errorMessage", msg);
    }
    push_raw(&mut out, "requestParameters", &call.req);
    push_raw(&mut out, "responseElements", &call.resp);
    if let Some(extra) = &call.extra {
        push_raw(&mut out, "additionalEventData", extra);
    }
    if !login {
        let mut id = Vec::new();
        if let Some(given) = &call.request_id {
            id.extend_from_slice(given.as_bytes());
        } else if a.source == S3 {
            push_upper_alnum(&mut id, rng, 16);
        } else {
            push_uuid(&mut id, rng);
        }
        push_str(&mut out, "requestID", &String::from_utf8_lossy(&id));
    }
    let mut id = Vec::new();
    push_uuid(&mut id, rng);
    push_str(&mut out, "eventID", &String::from_utf8_lossy(&id));
    push_raw(
        &mut out,
        "readOnly",
        if a.read_only { "true" } else { "false" },
    );
    if let Some(res) = &call.resources {
        push_raw(&mut out, "resources", res);
    }
    push_str(
        &mut out,
        "eventType",
        if login {
            "AwsConsoleSignIn"
        } else {
            "AwsApiCall"
        },
    );
    push_raw(
        &mut out,
        "managementEvent",
        if a.data { "false" } else { "true" },
    );
    push_str(&mut out, "recipientAccountId", acct);
    push_str(
        &mut out,
        "eventCategory",
        if a.data { "Data" } else { "Management" },
    );
    let host = call.host.clone().unwrap_or_else(|| endpoint(a, region));
    out.extend_from_slice(
        b",\"tlsDetails\":{\"tlsVersion\":\"TLSv1.3\",\"cipherSuite\":\"TLS_AES_128_GCM_SHA256\"",
    );
    push_str(&mut out, "clientProvidedHostHeader", &host);
    out.push(b'}');
    if who.console && !login {
        push_str(&mut out, "sessionCredentialFromConsole", "true");
    }
    out.push(b'}');
    // Global services deliver in us-east-1's files.
    let file_region = if a.global { US_EAST_1 } else { call.region };
    Scripted::new(call.t, file_region, a.name, out)
}

/// The service endpoint a client calls for `a` in `region`.
fn endpoint(a: &ApiMeta, region: &str) -> String {
    let label = a.source.split('.').next().unwrap_or(a.source);
    match (label, a.global) {
        ("signin", _) => "signin.aws.amazon.com".into(),
        (_, true) => format!("{label}.amazonaws.com"),
        _ => format!("{label}.{region}.amazonaws.com"),
    }
}

/// A fresh `ASIA…`/`AKIA…`/`AROA…`-style id.
pub(crate) fn new_id(prefix: &str, rng: &mut Rng, len: usize) -> String {
    let mut out = Vec::new();
    push_key(&mut out, prefix.as_bytes(), rng.next_u64(), len);
    String::from_utf8_lossy(&out).into_owned()
}

/// A version-4-shaped UUID from `rng`.
pub(crate) fn uuid(rng: &mut Rng) -> String {
    let mut out = Vec::new();
    push_uuid(&mut out, rng);
    String::from_utf8_lossy(&out).into_owned()
}

/// `n` hex digits (n ≤ 32) from `rng`.
pub(crate) fn hex_id(rng: &mut Rng, n: usize) -> String {
    let mut out = Vec::new();
    push_hex(&mut out, rng.next_u64(), n.min(16));
    if n > 16 {
        push_hex(&mut out, rng.next_u64(), n - 16);
    }
    String::from_utf8_lossy(&out).into_owned()
}
