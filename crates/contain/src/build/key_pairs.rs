//! EC2 key pairs the attacker created or imported: the public key saved, the pair deleted last.

use super::cli::{ev, stem};
use super::context::Context;
use super::step::Draft;
use crate::shell::{quote, Cmd};
use cloudcase_model::contain::KeyPair;

/// The step target of key pair `k`.
fn target(k: &KeyPair) -> String {
    format!("ec2-key-pair:{}:{}", k.region, k.name)
}

/// Preserve: each key pair described with its public key, which identifies the attacker's
/// private key wherever else it was installed.
pub(super) fn preserve(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .key_pairs
        .iter()
        .enumerate()
        .map(|(n, k)| Draft {
            target: target(k),
            action: format!(
                "Describe key pair {} in {} with its public key",
                quote(&k.name),
                quote(&k.region)
            ),
            why: "The public key identifies the attacker's private key on any other system it was \
                  installed on."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![Cmd::aws("ec2", "describe-key-pairs")
                .arg("--region", &k.region)
                .arg("--key-names", &k.name)
                .flag("--include-public-key")
                .raw(&ev(&format!(
                    "{}.json",
                    stem("key-pair", n, &[&k.region, &k.name])
                )))
                .done()],
            rollback: vec![],
        })
        .collect()
}

/// Eradicate: each key pair deleted, so that no new instance is launched with it. Irreversible.
pub(super) fn delete(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .key_pairs
        .iter()
        .map(|k| Draft {
            target: target(k),
            action: format!(
                "Delete attacker key pair {} in {}",
                quote(&k.name),
                quote(&k.region)
            ),
            why: "Prevents launching new instances with it. Instances already launched keep the \
                  key in authorized_keys."
                .into(),
            reversible: false,
            destroys_evidence: true,
            commands: vec![Cmd::aws("ec2", "delete-key-pair")
                .arg("--region", &k.region)
                .arg("--key-name", &k.name)
                .done()],
            rollback: vec![],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings};

    #[test]
    fn public_key_is_saved_before_the_pair_is_deleted() {
        let mut f = findings();
        f.key_pairs = vec![KeyPair {
            name: "k 1".into(),
            region: "eu-west-1".into(),
        }];
        let saved = drafts(&f, preserve);
        assert_eq!(
            saved[0].commands,
            ["aws ec2 describe-key-pairs --region eu-west-1 --key-names 'k 1' --include-public-key \
              --output json > \"$EVIDENCE_DIR/key-pair-0-eu-west-1-k_1.json\""]
        );
        assert!(saved[0].reversible && !saved[0].destroys_evidence);
        let deleted = drafts(&f, delete);
        assert_eq!(deleted[0].target, saved[0].target);
        assert_eq!(
            deleted[0].commands,
            ["aws ec2 delete-key-pair --region eu-west-1 --key-name 'k 1'"]
        );
        assert!(!deleted[0].reversible && deleted[0].destroys_evidence);
        assert!(deleted[0].rollback.is_empty());
    }
}
