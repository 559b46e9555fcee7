//! OCSF `resources`: CloudTrail's `resources` array, an S3 access log's bucket, the
//! resources a GuardDuty finding names.

use cloudcase_event::Detail;
use serde::Deserialize;

use super::O;
use crate::columns::Value;
use crate::context::{owned, text};

/// One element of CloudTrail's `resources`.
#[derive(Deserialize)]
struct Resource {
    #[serde(rename = "ARN")]
    arn: Option<String>,
    #[serde(rename = "type")]
    kind: Option<String>,
}

/// One resource: uid and type.
struct Named<'a> {
    uid: Option<Value<'a>>,
    kind: Option<Value<'a>>,
}

fn all<'a>(o: &O<'a>) -> Option<Vec<Named<'a>>> {
    match o.c.event.detail.as_deref() {
        Some(Detail::S3Request(r)) => Some(vec![Named {
            uid: owned(format!("arn:aws:s3:::{}", r.bucket)),
            kind: text(Some("AWS::S3::Bucket")),
        }]),
        Some(Detail::Finding(f)) => {
            let kind = f.resource_type.as_deref();
            let mut out: Vec<Named<'a>> = [f.instance_id.as_deref(), f.access_key_id.as_deref()]
                .into_iter()
                .flatten()
                .map(|uid| Named {
                    uid: text(Some(uid)),
                    kind: text(kind),
                })
                .collect();
            out.extend(f.buckets.iter().map(|b| Named {
                uid: owned(format!("arn:aws:s3:::{b}")),
                kind: text(Some("AWS::S3::Bucket")),
            }));
            (!out.is_empty()).then_some(out)
        }
        Some(_) => None,
        None => {
            let raw = o.c.event.resources.as_deref()?;
            let list: Vec<Resource> = serde_json::from_str(raw.get()).ok()?;
            Some(
                list.into_iter()
                    .map(|r| Named {
                        uid: r.arn.and_then(owned),
                        kind: r.kind.and_then(owned),
                    })
                    .collect(),
            )
        }
    }
}

/// `resources[].uid`.
pub fn uids<'a>(o: &O<'a>) -> Option<Vec<Option<Value<'a>>>> {
    all(o).map(|v| v.into_iter().map(|n| n.uid).collect())
}

/// `resources[].type`.
pub fn types<'a>(o: &O<'a>) -> Option<Vec<Option<Value<'a>>>> {
    all(o).map(|v| v.into_iter().map(|n| n.kind).collect())
}
