//! The JSON report, for tools: stable keys, counts overall and per chain, periods and
//! findings, and with `verbose` every file. Times are RFC 3339 UTC.

use cloudcase_model::LogTotals;
use jiff::Timestamp;
use serde_json::{json, Value};

use super::{digest_status_text, log_status_text, DigestCounts, Report};

/// The first `digestStartTime` and last `digestEndTime` of a chain's digests present.
struct ChainSpan {
    first: Option<Timestamp>,
    last: Option<Timestamp>,
}

impl Report {
    /// The JSON form. Keys are stable: `ok`, `signatures_checked`, `requested`, `found`,
    /// `digests`, `logs`, `gaps`, `problems`, `chains`, and with `verbose` also `files`
    /// (`type`, `uri`, `local`, `stored` — the stored copy of a [`crate::KnownFile`], else
    /// null —, `status`, `detail`). Times are RFC 3339 UTC.
    pub fn to_json(&self, verbose: bool) -> Value {
        let mut digests = digest_counts_json(self.digest_counts(None));
        digests["outside_period"] = json!(self.outside_period);
        digests["signatures_supplied"] = json!(self.signatures_supplied);
        let mut out = json!({
            "ok": self.ok(),
            "signatures_checked": self.signatures_checked(),
            "requested": {"from": ts(self.requested_from), "to": ts(self.requested_to)},
            "found": {"from": ts(self.found_from), "to": ts(self.found_to)},
            "digests": digests,
            "logs": log_counts_json(self.log_counts(None)),
            "gaps": self.gaps_json(),
            "problems": self.problems_json(),
            "chains": self.chains_json(),
        });
        if verbose {
            out["files"] = Value::Array(self.files_json());
        }
        out
    }

    /// Each chain with its span and counts (log counts without `uncovered`, which is
    /// only counted overall).
    fn chains_json(&self) -> Vec<Value> {
        self.chains
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let span = self.chain_span(i);
                let mut logs = log_counts_json(self.log_counts(Some(i)));
                if let Some(o) = logs.as_object_mut() {
                    o.remove("uncovered");
                }
                json!({"account": c.account, "org": c.org, "region": c.region, "trail": c.trail,
                       "home_region": c.home_region, "first": ts(span.first), "last": ts(span.last),
                       "digests": digest_counts_json(self.digest_counts(Some(i))), "logs": logs})
            })
            .collect()
    }

    /// Each unproven period, with its chain's account, region and trail.
    fn gaps_json(&self) -> Vec<Value> {
        self.gaps
            .iter()
            .map(|g| {
                let c = self.chains.get(g.chain);
                json!({"from": ts(g.from), "to": ts(g.to), "reason": g.reason.as_str(),
                       "missing_digests": g.missing_digests, "detail": g.detail,
                       "account": c.map(|c| c.account.as_str()), "region": c.map(|c| c.region.as_str()),
                       "trail": c.map(|c| c.trail.as_str())})
            })
            .collect()
    }

    /// Each finding.
    fn problems_json(&self) -> Vec<Value> {
        self.problems
            .iter()
            .map(|p| json!({"kind": p.kind.as_str(), "file": p.file, "detail": p.detail}))
            .collect()
    }

    /// Every digest, each followed by the log files it lists.
    fn files_json(&self) -> Vec<Value> {
        let mut files = Vec::new();
        for (d, logs) in self.digests.iter().zip(self.logs_by_digest()) {
            let text = digest_status_text(d);
            files.push(json!({"type": "digest", "uri": d.uri, "local": d.local.as_deref().map(|p| self.local(p)),
                              "stored": d.stored.as_deref().map(|p| p.display().to_string()), "status": text.status, "detail": text.detail}));
            for l in logs {
                let text = log_status_text(l);
                files.push(json!({"type": "log", "uri": l.uri, "local": l.local.as_deref().map(|p| self.local(p)),
                                  "stored": l.stored.as_deref().map(|p| p.display().to_string()), "status": text.status, "detail": text.detail}));
            }
        }
        files
    }

    /// The span of chain `chain`'s digests present.
    fn chain_span(&self, chain: usize) -> ChainSpan {
        let present = self
            .digests
            .iter()
            .filter(|d| d.chain == chain && d.local.is_some());
        ChainSpan {
            first: present.clone().filter_map(|d| d.start).min(),
            last: present.filter_map(|d| d.end).max(),
        }
    }
}

/// A time as an RFC 3339 UTC string, or null.
fn ts(t: Option<Timestamp>) -> Value {
    t.map(|t| Value::String(t.to_string()))
        .unwrap_or(Value::Null)
}

/// Digest counts under their stable keys.
fn digest_counts_json(c: DigestCounts) -> Value {
    json!({"total": c.total, "valid": c.valid, "invalid": c.invalid, "missing": c.missing, "unchecked": c.unchecked})
}

/// Log counts under their stable keys (the model type's field names; a plain struct of
/// numbers always serializes).
fn log_counts_json(c: LogTotals) -> Value {
    serde_json::to_value(c).unwrap_or_default()
}
