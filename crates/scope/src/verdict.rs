//! Data-access verdicts: what the logs can and cannot say about reads of a data store.

/// One verdict per data store.
pub use cloudcase_model::scope::Verdict;

/// The verdict from the number of successful attacker reads seen and whether the logging that
/// records such reads covered the store during the attacker's window. Reads seen always win: a
/// read is evidence even when coverage is partial.
pub fn decide(attacker_reads: u64, covered: bool) -> Verdict {
    if attacker_reads > 0 {
        Verdict::Accessed
    } else if covered {
        Verdict::NotObserved
    } else {
        Verdict::Unknown
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_logic() {
        assert_eq!(decide(3, true), Verdict::Accessed);
        assert_eq!(decide(1, false), Verdict::Accessed);
        assert_eq!(decide(0, true), Verdict::NotObserved);
        assert_eq!(decide(0, false), Verdict::Unknown);
        assert_eq!(Verdict::NotObserved.as_str(), "NOT OBSERVED");
        assert_eq!(
            serde_json::to_string(&Verdict::NotObserved).unwrap(),
            "\"NOT_OBSERVED\""
        );
    }
}
