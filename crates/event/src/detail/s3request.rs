//! One S3 server access log line, typed.

/// What an S3 server access log line says about one request.
///
/// The common event fields carry the requester (principal), remote address,
/// operation and time; this holds what decides a data-store verdict.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct S3Request {
    /// The bucket the request was made to.
    pub bucket: String,
    /// The object key (URL-encoded, as logged), when the request named one.
    pub key: Option<String>,
    /// The operation as logged, e.g. `REST.GET.OBJECT`.
    pub operation: String,
    /// The HTTP status returned, e.g. 200.
    pub http_status: Option<u16>,
    /// Response bytes sent, excluding HTTP headers; `None` for `-`.
    pub bytes_sent: Option<u64>,
    /// The total size of the object in question.
    pub object_size: Option<u64>,
    /// The requester as logged: an IAM ARN, a canonical id, or `None` for anonymous.
    pub requester: Option<String>,
    /// The bucket owner's canonical user id.
    pub bucket_owner: Option<String>,
}
