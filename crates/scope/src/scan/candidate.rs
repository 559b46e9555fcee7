//! Candidate events of pass 2: which events are kept (mutating calls, session creations,
//! calls from attacker addresses) and the compact record kept of each.

use std::borrow::Cow;
use std::sync::Arc;

use cloudcase_event::Event;
use serde_json::Value;

use super::Ptr;

/// A compact record of a candidate event of pass 2 (mutating calls, session creations, and every
/// call from a known attacker address, in the attacker window). Pass 2 encodes it at once (see
/// [`super::Candidates`]); the build reads it back one at a time.
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
    /// Who called.
    pub who: Arc<CallerIdentity>,
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
    /// What the call asked for and got back.
    pub body: Body,
}

/// Who made a candidate call: the `userIdentity` fields later stages read.
#[derive(Debug, Default)]
pub struct CallerIdentity {
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
    pub account: Option<Arc<str>>,
}

/// What a candidate call asked for and got back.
#[derive(Debug, Clone)]
pub enum Body {
    /// `requestParameters` and `responseElements` as compact JSON (`null` when absent).
    Raw {
        /// `requestParameters`.
        req: Box<str>,
        /// `responseElements`.
        resp: Box<str>,
    },
    /// A session call (STS), reduced to the fields later stages read. At 20 GB there are over
    /// 150,000 in the window: their secrets, assumed-role ARNs and nulls were a third of the
    /// candidates' bytes.
    Session(SessionCall),
}

/// The string fields of a session call that the follow and the identities read; absent or
/// non-string values are `None`.
#[derive(Debug, Clone, Default)]
pub struct SessionCall {
    /// `requestParameters.roleArn`.
    pub role_arn: Option<Arc<str>>,
    /// `requestParameters.roleSessionName`.
    pub role_session_name: Option<Arc<str>>,
    /// `requestParameters.sourceIdentity`.
    pub source_identity: Option<Arc<str>>,
    /// `requestParameters.name` (federation tokens).
    pub name: Option<Arc<str>>,
    /// `responseElements.credentials.accessKeyId`: the session key issued.
    pub access_key_id: Option<Box<str>>,
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

impl SessionCall {
    /// The reduced session call of `ev`.
    fn of(ev: &Event) -> SessionCall {
        let req = parse(ev.request_parameters.as_deref());
        let resp = parse(ev.response_elements.as_deref());
        let text = |v: Option<&Value>| shared(v.and_then(Value::as_str));
        SessionCall {
            role_arn: text(req.get("roleArn")),
            role_session_name: text(req.get("roleSessionName")),
            source_identity: text(req.get("sourceIdentity")),
            name: text(req.get("name")),
            access_key_id: resp
                .pointer("/credentials/accessKeyId")
                .and_then(Value::as_str)
                .map(Into::into),
        }
    }

    /// The request fields kept, as a JSON object.
    fn request(&self) -> Value {
        let fields = [
            ("roleArn", &self.role_arn),
            ("roleSessionName", &self.role_session_name),
            ("sourceIdentity", &self.source_identity),
            ("name", &self.name),
        ];
        let kept = fields
            .into_iter()
            .filter_map(|(k, v)| Some((k.to_owned(), Value::from(&**v.as_ref()?))));
        Value::Object(kept.collect())
    }

    /// The response fields kept, as a JSON object.
    fn response(&self) -> Value {
        let key = self.access_key_id.as_deref();
        let kept = key.map(|k| ("accessKeyId".to_owned(), Value::from(k)));
        Value::Object(kept.into_iter().collect())
    }
}

/// An optional string as a candidate holds it.
pub(super) fn shared(s: Option<&str>) -> Option<Arc<str>> {
    s.map(Arc::from)
}

/// A raw JSON value parsed, `null` when absent or malformed.
fn parse(raw: Option<&serde_json::value::RawValue>) -> Value {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or(Value::Null)
}

impl Candidate {
    /// The candidate record of `ev`; `subject` says whether it is the subject's.
    pub(crate) fn of(ev: &Event, subject: bool) -> Candidate {
        let body = if ev.service() == "sts" {
            Body::Session(SessionCall::of(ev))
        } else {
            let text = |raw: Option<&serde_json::value::RawValue>| {
                raw.map_or("null".into(), |r| r.get().into())
            };
            Body::Raw {
                req: text(ev.request_parameters.as_deref()),
                resp: text(ev.response_elements.as_deref()),
            }
        };
        let id = &ev.identity;
        let who = CallerIdentity {
            key: shared(id.access_key_id.as_deref()),
            arn: shared(id.arn.as_deref()),
            kind: shared(id.kind.as_deref()),
            user: shared(id.user_name.as_deref()),
            issuer: shared(id.session_issuer_name.as_deref()),
            account: shared(id.account_id.as_deref()),
        };
        Candidate {
            ptr: Ptr::of(ev),
            name: ev.event_name.as_str().into(),
            service: ev.service().into(),
            region: ev.region.as_deref().unwrap_or("").into(),
            who: Arc::new(who),
            ip: shared(ev.source_ip.as_deref()),
            ua: shared(ev.user_agent.as_deref()),
            error: shared(ev.error_code.as_deref()),
            read_only: ev.read_only,
            subject,
            body,
        }
    }

    /// `requestParameters` parsed (for a session call, the fields kept).
    pub fn req_json(&self) -> Value {
        match &self.body {
            Body::Raw { req, .. } => serde_json::from_str(req).unwrap_or(Value::Null),
            Body::Session(call) => call.request(),
        }
    }

    /// `responseElements` parsed (for a session call, the fields kept).
    pub fn resp_json(&self) -> Value {
        match &self.body {
            Body::Raw { resp, .. } => serde_json::from_str(resp).unwrap_or(Value::Null),
            Body::Session(call) => call.response(),
        }
    }

    /// `requestParameters` as compact JSON text (for a session call, the fields kept).
    pub fn request_text(&self) -> Cow<'_, str> {
        match &self.body {
            Body::Raw { req, .. } => Cow::Borrowed(req),
            Body::Session(call) => Cow::Owned(call.request().to_string()),
        }
    }
}
