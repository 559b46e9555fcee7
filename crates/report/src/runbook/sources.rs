//! Where this case's evidence came from, read from `manifest.jsonl` in one pass: the trail
//! roots (an `s3://` bucket and prefix, or the local folder the logs were copied from) with
//! the accounts and regions under them, and the `aws:` sources acquired.

use std::collections::{BTreeMap, BTreeSet};

use cloudcase_evidence::Case;

use crate::evidence_record::groups::{classify, LogType};
use crate::ReportError;

/// One root holding CloudTrail logs (`…/AWSLogs/<account>/CloudTrail/<region>/…`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrailRoot {
    /// Accounts of the key layout.
    pub accounts: BTreeSet<String>,
    /// Regions of the key layout.
    pub regions: BTreeSet<String>,
    /// Whether digest files (log file validation) were acquired under this root.
    pub digests: bool,
}

/// What the manifest says about the sources of the case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaseSources {
    /// Trail roots by their location (`s3://bucket/prefix` or a local folder).
    pub trails: BTreeMap<String, TrailRoot>,
    /// `aws:` sources acquired, before any `?` (`aws:iam`, `aws:lookup-events`, …).
    pub api: BTreeSet<String>,
    /// Manifest lines that parsed.
    pub pairs: u64,
}

impl CaseSources {
    /// Reads the manifest of `case` once.
    pub fn read(case: &Case) -> Result<CaseSources, ReportError> {
        let mut out = CaseSources::default();
        case.for_each_manifest_line::<ReportError, _>(|line| {
            if let Some(r) = line.record {
                out.add(&r.source, &r.acquired);
            }
            Ok(())
        })?;
        Ok(out)
    }

    /// Counts one manifest line's source.
    pub fn add(&mut self, source: &str, acquired: &str) {
        self.pairs += 1;
        let f = classify(source, acquired);
        match f.log_type {
            LogType::AwsApi => {
                self.api.insert(f.root.to_owned());
            }
            LogType::CloudTrail | LogType::CloudTrailDigest if f.account.is_some() => {
                let root = self.trails.entry(f.root.to_owned()).or_default();
                root.accounts.extend(f.account.map(str::to_owned));
                root.regions.extend(f.region.map(str::to_owned));
                root.digests |= f.log_type == LogType::CloudTrailDigest;
            }
            _ => {}
        }
    }

    /// Every region a trail root names.
    pub fn regions(&self) -> BTreeSet<String> {
        self.trails
            .values()
            .flat_map(|t| t.regions.iter().cloned())
            .collect()
    }

    /// Whether any trail root holds digest files.
    pub fn has_digests(&self) -> bool {
        self.trails.values().any(|t| t.digests)
    }
}

/// A trail bucket's logs of one account in two regions (us-east-1, eu-west-1), acquired at
/// `T` (2026-01-02T00:00:00Z).
#[cfg(test)]
pub(crate) fn two_region_trail() -> CaseSources {
    let mut s = CaseSources::default();
    for region in ["us-east-1", "eu-west-1"] {
        s.add(
            &format!(
                "s3://trail/AWSLogs/111122223333/CloudTrail/{region}/2026/01/01/{region}.json.gz"
            ),
            T,
        );
    }
    s
}

/// The acquisition time of the test sources.
#[cfg(test)]
const T: &str = "2026-01-02T00:00:00Z";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trail_roots_accounts_regions_and_api_sources_are_read_from_sources() {
        let mut s = two_region_trail();
        let t = T;
        s.add(
            "s3://trail/AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/01/01/d.json.gz",
            t,
        );
        s.add(
            "/tmp/logs/AWSLogs/444455556666/CloudTrail/ap-northeast-1/2026/01/01/c.json.gz",
            t,
        );
        s.add("aws:iam?account=111122223333&taken=T", t);
        s.add("/tmp/loose/notes.txt", t);
        assert_eq!(s.pairs, 6);
        let trail = &s.trails["s3://trail"];
        assert_eq!(trail.accounts.iter().collect::<Vec<_>>(), ["111122223333"]);
        assert_eq!(trail.regions.len(), 2);
        assert!(trail.digests && s.has_digests());
        assert!(!s.trails["/tmp/logs"].digests);
        assert_eq!(s.regions().len(), 3);
        assert_eq!(s.api.iter().collect::<Vec<_>>(), ["aws:iam"]);
    }
}
