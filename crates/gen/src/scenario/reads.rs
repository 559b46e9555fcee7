//! S3 reads the other log sources show (the leaked key's reads of the
//! customer-data bucket) rendered as CloudTrail data events, so that a
//! trail logging data events agrees with the access logs: same time,
//! principal, address, request id and bytes.

use super::rec::{hex_id, meta, render, Call, Caller};
use crate::record::Scripted;
use crate::rng::{derive, Rng};
use crate::sources::facts::{S3Op, S3Read};
use crate::world::{World, REGIONS};
use crate::GenError;

/// The data events of `reads`, called by the identity `identity` (a
/// complete userIdentity JSON) in the bucket's region `region`.
pub(crate) fn data_events(
    w: &World,
    identity: &str,
    region: usize,
    reads: &[S3Read],
) -> Result<Vec<Scripted>, GenError> {
    let mut rng = Rng::new(derive(w.seed, &[0xda7a, reads.len() as u64]));
    let mut out = Vec::new();
    for r in reads {
        let api = match r.op {
            S3Op::GetObject => "GetObject",
            S3Op::ListBucket => "ListObjects",
            S3Op::GetLocation => "GetBucketLocation",
        };
        let api = meta(api).ok_or_else(|| GenError::Template(format!("{api} missing")))?;
        let (b, acct) = (&r.bucket, &w.acct);
        let host = format!("{b}.s3.{}.amazonaws.com", REGIONS[region].0);
        let mut call = Call::new(api, r.t, region);
        call.request_id = Some(r.request_id.clone());
        call.host = Some(host.clone());
        call.extra = Some(format!(
            r#"{{"SignatureVersion":"SigV4","CipherSuite":"ECDHE-RSA-AES128-GCM-SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"{}","bytesTransferredOut":{}}}"#,
            hex_id(&mut rng, 32),
            r.bytes
        ));
        let bucket_res = format!(
            r#"{{"accountId":"{acct}","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::{b}"}}"#
        );
        match (r.op, &r.key) {
            (S3Op::GetObject, Some(key)) => {
                call.req = format!(r#"{{"bucketName":"{b}","Host":"{host}","key":"{key}"}}"#);
                call.resources = Some(format!(
                    r#"[{{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::{b}/{key}"}},{bucket_res}]"#
                ));
            }
            _ => {
                call.req = format!(
                    r#"{{"list-type":"2","bucketName":"{b}","encoding-type":"url","prefix":"{}","Host":"{host}"}}"#,
                    r.prefix
                );
                call.resources = Some(format!("[{bucket_res}]"));
            }
        }
        let caller = Caller {
            identity: identity.to_string(),
            ip: r.ip.clone(),
            ua: r.ua.clone(),
            console: false,
        };
        out.push(render(acct, &caller, &call, &mut rng));
    }
    Ok(out)
}
