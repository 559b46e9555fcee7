//! ATT&CK tactics in kill-chain order, for grouping hunt findings.

/// Tactic tags (as in Sigma `attack.<tag>`) and their ATT&CK names, in the
/// order of the enterprise matrix.
const TACTICS: &[(&str, &str)] = &[
    ("reconnaissance", "Reconnaissance"),
    ("resource-development", "Resource Development"),
    ("initial-access", "Initial Access"),
    ("execution", "Execution"),
    ("persistence", "Persistence"),
    ("privilege-escalation", "Privilege Escalation"),
    ("defense-evasion", "Defense Evasion"),
    ("credential-access", "Credential Access"),
    ("discovery", "Discovery"),
    ("lateral-movement", "Lateral Movement"),
    ("collection", "Collection"),
    ("command-and-control", "Command and Control"),
    ("exfiltration", "Exfiltration"),
    ("impact", "Impact"),
];

/// The matrix position and ATT&CK name of a tactic tag (`persistence`,
/// `attack.persistence`, `privilege_escalation` …); unknown tags sort last
/// under their own text, and an empty tag gives an empty name.
pub fn tactic_name(tag: &str) -> (usize, String) {
    let tag = tag.strip_prefix("attack.").unwrap_or(tag).replace('_', "-");
    TACTICS
        .iter()
        .position(|(t, _)| t.eq_ignore_ascii_case(&tag))
        .map_or((TACTICS.len(), tag.clone()), |i| {
            (i, TACTICS[i].1.to_owned())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_map_to_names_in_matrix_order() {
        assert_eq!(tactic_name("attack.persistence"), (4, "Persistence".into()));
        assert_eq!(
            tactic_name("privilege_escalation").1,
            "Privilege Escalation"
        );
        assert_eq!(tactic_name("made-up"), (14, "made-up".into()));
        assert!(tactic_name("initial-access").0 < tactic_name("impact").0);
    }
}
