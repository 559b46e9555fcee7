//! The plan's shell-script rendering: every step as a commented block, destructive steps
//! commented out.

use cloudcase_model::contain::Plan;

/// Replaces control characters, so that a text cannot end a `#` comment line (input is already
/// validated; this is a second guard).
fn comment_text(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_control() { '?' } else { c })
        .collect()
}

/// A reviewable bash script for `plan`: a warning header, an account check, then every step as
/// a commented block. Destructive steps
/// ([`Step::is_destructive`](cloudcase_model::contain::Step::is_destructive)) are commented out.
pub fn shell_script(plan: &Plan) -> String {
    let mut s = String::new();
    let mut line = |text: &str| {
        s.push_str(text);
        s.push('\n');
    };
    line("#!/usr/bin/env bash");
    line(&format!(
        "# cloudcase containment plan: case {}, account {}",
        comment_text(&plan.case_id),
        comment_text(&plan.account_id)
    ));
    line(&format!(
        "# Sessions issued before {} are revoked.",
        plan.token_issued_before
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
        crate::shell::file_fragment(&plan.case_id)
    ));
    line("mkdir -p \"$EVIDENCE_DIR\"");
    line("export AWS_PAGER=\"\"");
    line(&format!(
        "EXPECTED_ACCOUNT={}",
        crate::shell::quote(&plan.account_id)
    ));
    line("ACTUAL_ACCOUNT=\"$(aws sts get-caller-identity --query Account --output text)\"");
    line("if [ \"$ACTUAL_ACCOUNT\" != \"$EXPECTED_ACCOUNT\" ]; then");
    line("  echo \"refusing: credentials are for account $ACTUAL_ACCOUNT, plan is for $EXPECTED_ACCOUNT\" >&2");
    line("  exit 1");
    line("fi");
    for step in &plan.steps {
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
    for r in &plan.residual_risks {
        line(&format!("# - {}", comment_text(r)));
    }
    s
}
