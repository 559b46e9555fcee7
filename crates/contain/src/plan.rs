//! The plan: ordered steps with their commands and rollbacks, and its shell-script rendering.

use serde::Serialize;

/// The phases of a plan, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Capture evidence before anything changes: snapshots, descriptions, IAM state.
    Preserve,
    /// Stop identities from acting without deleting them: deny-all policies, inactive keys.
    Contain,
    /// Revoke sessions already issued and backdoor trust.
    Revoke,
    /// Cut instances and shared data off: quarantine security groups, unsharing, stopping.
    Isolate,
    /// Remove what the attacker created: only after everything above.
    Eradicate,
}

impl Phase {
    /// Lower-case name, as in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Phase::Preserve => "preserve",
            Phase::Contain => "contain",
            Phase::Revoke => "revoke",
            Phase::Isolate => "isolate",
            Phase::Eradicate => "eradicate",
        }
    }
}

/// One reviewable step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Step {
    /// Position in the plan, from 1.
    pub order: u32,
    /// Phase.
    pub phase: Phase,
    /// What the step acts on: `kind:name` or `kind:region:id`, for example `iam-user:alice` or
    /// `ec2-instance:us-east-1:i-0abc`.
    pub target: String,
    /// What the step does, in one line.
    pub action: String,
    /// Why, and what to know before running it.
    pub why: String,
    /// Whether the rollback commands restore the previous state.
    pub reversible: bool,
    /// Whether running the step loses evidence (volatile memory, deleted resources).
    pub destroys_evidence: bool,
    /// AWS CLI command lines for a POSIX shell, to run in order in one shell session after the
    /// script's prologue (they use `$EVIDENCE_DIR` and variables set by earlier steps).
    pub commands: Vec<String>,
    /// Command lines that undo the step (empty when there is nothing to undo).
    pub rollback: Vec<String>,
}

impl Step {
    /// Whether the step is commented out of the generated script: it cannot be undone, or it
    /// destroys evidence.
    pub fn is_destructive(&self) -> bool {
        !self.reversible || self.destroys_evidence
    }
}

/// A containment plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Plan {
    /// Case identifier.
    pub case_id: String,
    /// The account the plan is for.
    pub account_id: String,
    /// "Now" as RFC 3339 UTC (rounded up to the second): sessions issued before it are revoked.
    pub token_issued_before: String,
    /// Steps, in order: preserve, contain, revoke, isolate, eradicate.
    pub steps: Vec<Step>,
    /// What remains possible after the plan is carried out.
    pub residual_risks: Vec<String>,
}

/// Replaces control characters, so that a text cannot end a `#` comment line (input is already
/// validated; this is a second guard).
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

impl Plan {
    /// The plan as pretty-printed JSON.
    pub fn to_json_pretty(&self) -> String {
        serde_json::to_string_pretty(self).expect("a plan always serializes")
    }

    /// A reviewable bash script: a warning header, an account check, then every step as a
    /// commented block. Destructive steps ([`Step::is_destructive`]) are commented out.
    pub fn to_shell_script(&self) -> String {
        let mut s = String::new();
        let mut line = |text: &str| {
            s.push_str(text);
            s.push('\n');
        };
        line("#!/usr/bin/env bash");
        line(&format!(
            "# cloudcase containment plan: case {}, account {}",
            comment_text(&self.case_id),
            comment_text(&self.account_id)
        ));
        line(&format!(
            "# Sessions issued before {} are revoked.",
            self.token_issued_before
        ));
        line("#");
        line("# REVIEW EVERY STEP BEFORE RUNNING THIS SCRIPT. It changes the AWS account.");
        line("# Steps run least destructive first: preserve, contain, revoke, isolate, eradicate.");
        line("# Steps that destroy evidence or cannot be undone are COMMENTED OUT: uncomment them");
        line("# only after the evidence they name is captured and verified.");
        line("# Each step lists its rollback. Evidence files go to $EVIDENCE_DIR.");
        line("set -euo pipefail");
        line("");
        line(&format!(
            "EVIDENCE_DIR=\"${{EVIDENCE_DIR:-./cloudcase-evidence-{}}}\"",
            crate::shell::file_fragment(&self.case_id)
        ));
        line("mkdir -p \"$EVIDENCE_DIR\"");
        line("export AWS_PAGER=\"\"");
        line(&format!(
            "EXPECTED_ACCOUNT={}",
            crate::shell::quote(&self.account_id)
        ));
        line("ACTUAL_ACCOUNT=\"$(aws sts get-caller-identity --query Account --output text)\"");
        line("if [ \"$ACTUAL_ACCOUNT\" != \"$EXPECTED_ACCOUNT\" ]; then");
        line("  echo \"refusing: credentials are for account $ACTUAL_ACCOUNT, plan is for $EXPECTED_ACCOUNT\" >&2");
        line("  exit 1");
        line("fi");
        for step in &self.steps {
            line("");
            line(&format!(
                "# ===== Step {} [{}] {}",
                step.order,
                step.phase.as_str(),
                comment_text(&step.target)
            ));
            line(&format!("# Action: {}", comment_text(&step.action)));
            line(&format!("# Why: {}", comment_text(&step.why)));
            line(&format!(
                "# Reversible: {}. Destroys evidence: {}.",
                if step.reversible { "yes" } else { "no" },
                if step.destroys_evidence { "yes" } else { "no" }
            ));
            if step.rollback.is_empty() {
                line("# Rollback: nothing to undo.");
            } else {
                line("# Rollback:");
                for r in &step.rollback {
                    line(&format!("#   {}", comment_text(r)));
                }
            }
            if step.is_destructive() {
                line("# DESTRUCTIVE: commented out. Uncomment after review and evidence capture.");
                for c in &step.commands {
                    line(&format!("# {}", comment_text(c)));
                }
            } else {
                line(&format!(
                    "echo {}",
                    crate::shell::quote(&format!("step {}", step.order))
                ));
                for c in &step.commands {
                    line(&comment_text(c));
                }
            }
        }
        line("");
        line("# ===== Residual risks: what remains possible after this plan");
        for r in &self.residual_risks {
            line(&format!("# - {}", comment_text(r)));
        }
        s
    }
}
