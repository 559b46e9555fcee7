//! Candidate events of pass 2: which events are kept (mutating calls, session creations,
//! calls from attacker addresses) and the compact record kept of each.

use std::sync::Arc;

use cloudcase_event::Event;
use serde_json::Value;

use super::strings::Strings;
use super::Ptr;

/// A compact record of a candidate event of pass 2 (mutating calls, session creations, and every
/// call from a known attacker address, in the attacker window). The strings events repeat are
/// shared (see [`Strings`]); only the request and response are the candidate's own.
#[derive(Debug, Clone)]
pub struct Candidate {
    /// Where.
    pub ptr: Ptr,
    /// `eventName`.
    pub name: Arc<str>,
    /// Service (`iam`, `ec2`, …).
    pub service: Arc<str>,
    /// `awsRegion`.
    pub region: Arc<str>,
    /// `userIdentity.accessKeyId`.
    pub key: Option<Arc<str>>,
    /// `userIdentity.arn`.
    pub arn: Option<Arc<str>>,
    /// `userIdentity.type`.
    pub kind: Option<Arc<str>>,
    /// `userIdentity.userName` (IAM users).
    pub user: Option<Arc<str>>,
    /// Session issuer name (assumed roles).
    pub issuer: Option<Arc<str>>,
    /// Account that owns the credential.
    pub caller_account: Option<Arc<str>>,
    /// `sourceIPAddress`.
    pub ip: Option<Arc<str>>,
    /// `userAgent`.
    pub ua: Option<Arc<str>>,
    /// `errorCode`.
    pub error: Option<Arc<str>>,
    /// `readOnly`.
    pub read_only: Option<bool>,
    /// Whether the event is the subject's.
    pub subject: bool,
    /// `requestParameters` (compact JSON, possibly reduced for STS).
    pub req: Box<str>,
    /// `responseElements` (compact JSON, reduced for STS).
    pub resp: Box<str>,
}

const MUTATING_EC2: &[&str] = &[
    "RunInstances",
    "StartInstances",
    "StopInstances",
    "TerminateInstances",
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "ImportKeyPair",
    "CreateKeyPair",
    "DeleteKeyPair",
    "ModifySnapshotAttribute",
    "ModifyImageAttribute",
    "RequestSpotInstances",
];

/// Resource-policy changes outside IAM (part of the permission timeline).
pub(crate) fn is_resource_policy_change(service: &str, name: &str) -> bool {
    match service {
        "s3" => matches!(
            name,
            "PutBucketPolicy"
                | "DeleteBucketPolicy"
                | "PutBucketAcl"
                | "PutBucketPublicAccessBlock"
                | "DeleteBucketPublicAccessBlock"
                | "PutObjectAcl"
        ),
        "kms" => matches!(name, "PutKeyPolicy" | "CreateGrant"),
        "secretsmanager" => matches!(name, "PutResourcePolicy" | "DeleteResourcePolicy"),
        "lambda" => name.starts_with("AddPermission") || name.starts_with("RemovePermission"),
        "sns" | "sqs" => matches!(
            name,
            "SetTopicAttributes" | "AddPermission" | "SetQueueAttributes"
        ),
        "ecr" => name == "SetRepositoryPolicy",
        _ => false,
    }
}

fn is_mutating(ev: &Event) -> bool {
    match ev.read_only {
        Some(ro) => !ro,
        None => {
            let n = ev.event_name.as_str();
            !(n.starts_with("Get")
                || n.starts_with("List")
                || n.starts_with("Describe")
                || n.starts_with("Generate")
                || n.starts_with("Simulate"))
        }
    }
}

pub(crate) const SESSION_CALLS: &[&str] = &[
    "AssumeRole",
    "AssumeRoleWithWebIdentity",
    "AssumeRoleWithSAML",
    "GetSessionToken",
    "GetFederationToken",
];

pub(super) fn interesting(ev: &Event) -> bool {
    let svc = ev.service();
    let name = ev.event_name.as_str();
    if svc == "sts" && SESSION_CALLS.contains(&name) {
        return ev.identity.kind.as_deref() != Some("AWSService");
    }
    if !is_mutating(ev) {
        return false;
    }
    match svc {
        "iam" | "organizations" => true,
        "ec2" => MUTATING_EC2.contains(&name),
        "lambda" => {
            name.starts_with("CreateFunction")
                || name.starts_with("DeleteFunction")
                || name.starts_with("UpdateFunctionCode")
        }
        _ => is_resource_policy_change(svc, name),
    }
}

fn sts_reduced(ev: &Event) -> (Box<str>, Box<str>) {
    let req: Value = ev
        .request_parameters
        .as_deref()
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null);
    let resp: Value = ev
        .response_elements
        .as_deref()
        .and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null);
    let pick = |v: &Value, k: &str| v.get(k).cloned().unwrap_or(Value::Null);
    let r = serde_json::json!({
        "roleArn": pick(&req, "roleArn"),
        "roleSessionName": pick(&req, "roleSessionName"),
        "sourceIdentity": pick(&req, "sourceIdentity"),
        "name": pick(&req, "name"),
    });
    let o = serde_json::json!({
        "accessKeyId": resp.pointer("/credentials/accessKeyId").cloned().unwrap_or(Value::Null),
        "assumedRoleArn": resp.pointer("/assumedRoleUser/arn").cloned().unwrap_or(Value::Null),
        "federatedUserArn": resp.pointer("/federatedUser/arn").cloned().unwrap_or(Value::Null),
        "sourceIdentity": pick(&resp, "sourceIdentity"),
    });
    (r.to_string().into(), o.to_string().into())
}

impl Candidate {
    /// The candidate record of `ev`, with its own copies of every string.
    #[cfg(test)]
    pub(crate) fn of(ev: &Event, subject: bool) -> Candidate {
        Candidate::interned(ev, subject, &mut Strings::default())
    }

    /// The candidate record of `ev`, its repeated strings shared through `strings`.
    pub(crate) fn interned(ev: &Event, subject: bool, strings: &mut Strings) -> Candidate {
        let (req, resp) = if ev.service() == "sts" {
            sts_reduced(ev)
        } else {
            (
                ev.request_parameters
                    .as_deref()
                    .map_or("null".into(), |r| r.get().into()),
                ev.response_elements
                    .as_deref()
                    .map_or("null".into(), |r| r.get().into()),
            )
        };
        let id = &ev.identity;
        Candidate {
            ptr: Ptr::of(ev),
            name: strings.get(ev.event_name.as_str()),
            service: strings.get(ev.service()),
            region: strings.get(ev.region.as_deref().unwrap_or("")),
            key: strings.opt(id.access_key_id.as_deref()),
            arn: strings.opt(id.arn.as_deref()),
            kind: strings.opt(id.kind.as_deref()),
            user: strings.opt(id.user_name.as_deref()),
            issuer: strings.opt(id.session_issuer_name.as_deref()),
            caller_account: strings.opt(id.account_id.as_deref()),
            ip: strings.opt(ev.source_ip.as_deref()),
            ua: strings.opt(ev.user_agent.as_deref()),
            error: strings.opt(ev.error_code.as_deref()),
            read_only: ev.read_only,
            subject,
            req,
            resp,
        }
    }

    /// `requestParameters` parsed.
    pub fn req_json(&self) -> Value {
        serde_json::from_str(&self.req).unwrap_or(Value::Null)
    }

    /// `responseElements` parsed.
    pub fn resp_json(&self) -> Value {
        serde_json::from_str(&self.resp).unwrap_or(Value::Null)
    }
}
