//! `aws:ebs-snapshot/snap-…[?region=R]` and `aws:ebs-volume/vol-…[?region=R]`.

use crate::error::AwsError;

/// What an EBS source names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EbsKind {
    /// An existing snapshot, read through the EBS direct APIs.
    Snapshot,
    /// A volume: a snapshot of it is created first (`--create-snapshot`).
    Volume,
}

/// A parsed EBS source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EbsSpec {
    /// Snapshot or volume.
    pub kind: EbsKind,
    /// `snap-…` or `vol-…`.
    pub id: String,
    /// The region given with `?region=`, if any.
    pub region: Option<String>,
}

/// Prefixes of the two forms, their kind and the id prefix they take.
const FORMS: &[(&str, EbsKind, &str)] = &[
    ("aws:ebs-snapshot/", EbsKind::Snapshot, "snap-"),
    ("aws:ebs-volume/", EbsKind::Volume, "vol-"),
];

impl EbsSpec {
    /// Whether `spec` is an EBS source (then [`EbsSpec::parse`] it).
    pub fn is_ebs(spec: &str) -> bool {
        FORMS.iter().any(|(p, _, _)| spec.starts_with(p))
    }

    /// Parses `aws:ebs-snapshot/snap-…[?region=R]` or `aws:ebs-volume/vol-…[?region=R]`.
    pub fn parse(spec: &str) -> Result<Self, AwsError> {
        let invalid = || AwsError::Invalid {
            expected:
                "aws:ebs-snapshot/snap-ID or aws:ebs-volume/vol-ID, optionally ?region=REGION",
            found: spec.to_owned(),
        };
        let (prefix, kind, id_prefix) = FORMS
            .iter()
            .find(|(p, _, _)| spec.starts_with(p))
            .ok_or_else(invalid)?;
        let rest = &spec[prefix.len()..];
        let (id, query) = rest.split_once('?').unwrap_or((rest, ""));
        let valid_id = id.starts_with(id_prefix)
            && id.len() > id_prefix.len()
            && id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-');
        if !valid_id {
            return Err(invalid());
        }
        let region = match query {
            "" => None,
            q => match q.strip_prefix("region=") {
                Some(r)
                    if !r.is_empty()
                        && r.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') =>
                {
                    Some(r.to_owned())
                }
                _ => return Err(invalid()),
            },
        };
        Ok(Self {
            kind: *kind,
            id: id.to_owned(),
            region,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let s = EbsSpec::parse("aws:ebs-snapshot/snap-0abc?region=eu-west-1").expect("parse");
        assert_eq!(
            (s.kind, s.id.as_str(), s.region.as_deref()),
            (EbsKind::Snapshot, "snap-0abc", Some("eu-west-1"))
        );
        let v = EbsSpec::parse("aws:ebs-volume/vol-9").expect("parse");
        assert_eq!((v.kind, v.region), (EbsKind::Volume, None));
        for bad in [
            "aws:ebs-snapshot/vol-1",
            "aws:ebs-snapshot/snap-",
            "aws:ebs-snapshot/snap-1?zone=x",
            "aws:ebs-snapshot/snap-1/../x",
            "aws:ebs-volume/vol-1?region=",
        ] {
            assert!(EbsSpec::parse(bad).is_err(), "{bad}");
        }
        assert!(EbsSpec::is_ebs("aws:ebs-volume/vol-1") && !EbsSpec::is_ebs("aws:ec2"));
    }
}
