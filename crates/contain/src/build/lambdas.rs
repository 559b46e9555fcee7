//! Lambda functions the attacker created: configuration and code saved, throttled to zero, and
//! deleted last.

use super::cli::{ev, stem};
use super::context::Context;
use super::step::Draft;
use crate::shell::{quote, Cmd};
use cloudcase_model::contain::LambdaFunction;

/// The step target of function `l`.
fn target(l: &LambdaFunction) -> String {
    format!("lambda-function:{}:{}", l.region, l.name)
}

/// `aws lambda <op> --region R --function-name F`.
fn on_function(op: &str, l: &LambdaFunction) -> Cmd {
    Cmd::aws("lambda", op)
        .arg("--region", &l.region)
        .arg("--function-name", &l.name)
}

/// Preserve: each function's configuration and environment, and its deployment package
/// downloaded from the presigned URL `get-function` returns.
pub(super) fn preserve(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .lambda_functions
        .iter()
        .enumerate()
        .map(|(n, l)| {
            let base = stem("lambda", n, &[&l.region, &l.name]);
            let code_url = on_function("get-function", l)
                .arg("--query", "Code.Location")
                .arg("--output", "text")
                .done();
            Draft {
                target: target(l),
                action: format!(
                    "Save Lambda function {} in {} with its code",
                    quote(&l.name),
                    quote(&l.region)
                ),
                why: "Configuration, environment and deployment package, before the function is \
                      throttled or deleted."
                    .into(),
                reversible: true,
                destroys_evidence: false,
                commands: vec![
                    on_function("get-function", l)
                        .raw(&ev(&format!("{base}.json")))
                        .done(),
                    format!("curl -fsS -o \"$EVIDENCE_DIR/{base}.zip\" \"$({code_url})\""),
                ],
                rollback: vec![],
            }
        })
        .collect()
}

/// Isolate: each function's reserved concurrency set to zero, so it cannot run; nothing is lost.
pub(super) fn throttle(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .lambda_functions
        .iter()
        .map(|l| Draft {
            target: target(l),
            action: format!(
                "Throttle Lambda function {} to zero concurrent executions",
                quote(&l.name)
            ),
            why: "The function can no longer run (invocations are throttled), and nothing about \
                  it is lost."
                .into(),
            reversible: true,
            destroys_evidence: false,
            commands: vec![on_function("put-function-concurrency", l)
                .arg("--reserved-concurrent-executions", "0")
                .done()],
            rollback: vec![on_function("delete-function-concurrency", l).done()],
        })
        .collect()
}

/// Eradicate: each function deleted. Irreversible; its code was saved in the preserve phase.
pub(super) fn delete(ctx: &Context<'_>) -> Vec<Draft> {
    ctx.findings
        .lambda_functions
        .iter()
        .map(|l| Draft {
            target: target(l),
            action: format!("Delete Lambda function {}", quote(&l.name)),
            why: "Its configuration and code were saved in the preserve phase.".into(),
            reversible: false,
            destroys_evidence: true,
            commands: vec![on_function("delete-function", l).done()],
            rollback: vec![],
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::testing::{drafts, findings};
    use cloudcase_model::contain::Findings;

    /// One function.
    fn one() -> Findings {
        let mut f = findings();
        f.lambda_functions = vec![LambdaFunction {
            name: "f1".into(),
            region: "eu-west-1".into(),
        }];
        f
    }

    #[test]
    fn code_is_saved_then_the_function_throttled_then_deleted() {
        let f = one();
        let saved = drafts(&f, preserve);
        assert_eq!(saved[0].target, "lambda-function:eu-west-1:f1");
        assert_eq!(
            saved[0].commands[1],
            "curl -fsS -o \"$EVIDENCE_DIR/lambda-0-eu-west-1-f1.zip\" \"$(aws lambda get-function \
             --region eu-west-1 --function-name f1 --query Code.Location --output text)\""
        );
        let throttled = drafts(&f, throttle);
        assert!(throttled[0].commands[0].ends_with("--reserved-concurrent-executions 0"));
        assert_eq!(
            throttled[0].rollback,
            ["aws lambda delete-function-concurrency --region eu-west-1 --function-name f1"]
        );
        assert!(throttled[0].reversible && !throttled[0].destroys_evidence);
        let deleted = drafts(&f, delete);
        assert_eq!(
            deleted[0].commands,
            ["aws lambda delete-function --region eu-west-1 --function-name f1"]
        );
        assert!(!deleted[0].reversible && deleted[0].destroys_evidence);
    }
}
