//! Terraform (HCL, AWS provider): one provider alias per region so GuardDuty gets a detector
//! in every region of the plan; the trail (multi-region), alarms and rules in the default
//! provider's region.

use std::fmt::Write;

use serde_json::{json, Value};

use super::names::{cut, snake};
use crate::cis::{CIS_CONTROLS, NAMESPACE};
use crate::plan::Plan;

/// Per store kind: the data-event resource type and how its ARNs are matched.
const STORE_SELECTORS: &[(&str, &str, &str)] = &[
    ("s3_bucket", "AWS::S3::Object", "starts_with"),
    ("dynamodb_table", "AWS::DynamoDB::Table", "equals"),
];

/// An HCL quoted string: `\`, `"`, control characters escaped, `${` and `%{` doubled.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

/// A JSON value as an HCL expression (for `jsonencode(...)`).
fn hcl(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => q(s),
        Value::Array(a) => format!("[{}]", a.iter().map(hcl).collect::<Vec<_>>().join(", ")),
        Value::Object(o) => format!(
            "{{ {} }}",
            o.iter()
                .map(|(k, v)| format!("{} = {}", q(k), hcl(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

fn header(out: &mut String, plan: &Plan) {
    out.push_str("# cloudcase monitor: EventBridge rules from the built-in Sigma pack, CIS AWS Foundations\n# metric filters and alarms, GuardDuty in every region, a trail closing the case's gaps.\n");
    for t in &plan.trail {
        let _ = writeln!(
            out,
            "# trail {}: closes: {}",
            t.setting,
            t.closes.replace('\n', " ")
        );
    }
    for r in &plan.rules.refused {
        let _ = writeln!(
            out,
            "# refused rule {} ({}): {}",
            r.title,
            r.source,
            r.reason.replace('\n', " ")
        );
    }
    for s in &plan.not_covered {
        let _ = writeln!(out, "# UNKNOWN store without data events: {s}");
    }
    out.push_str("\nterraform {\n  required_providers {\n    aws = { source = \"hashicorp/aws\", version = \">= 5.0\" }\n  }\n}\n\n");
    out.push_str("variable \"alert_email\" {\n  type        = string\n  description = \"E-mail address subscribed to the alert topic\"\n}\n\n");
    out.push_str("provider \"aws\" {}\n\ndata \"aws_caller_identity\" \"current\" {}\ndata \"aws_partition\" \"current\" {}\n\n");
}

fn alerting(out: &mut String) {
    out.push_str("resource \"aws_sns_topic\" \"alerts\" {\n  name              = \"cloudcase-alerts\"\n  kms_master_key_id = \"alias/aws/sns\"\n}\n\n");
    out.push_str("resource \"aws_sns_topic_subscription\" \"alert_email\" {\n  topic_arn = aws_sns_topic.alerts.arn\n  protocol  = \"email\"\n  endpoint  = var.alert_email\n}\n\n");
    let policy = json!({"Version": "2012-10-17", "Statement": [{"Sid": "EventBridgeAndAlarms", "Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]}, "Action": "sns:Publish", "Resource": "TOPIC"}]});
    let _ = write!(out, "resource \"aws_sns_topic_policy\" \"alerts\" {{\n  arn    = aws_sns_topic.alerts.arn\n  policy = jsonencode({})\n}}\n\n", hcl(&policy).replace("\"TOPIC\"", "aws_sns_topic.alerts.arn"));
}

fn trail(out: &mut String, plan: &Plan) {
    out.push_str(
        "resource \"aws_s3_bucket\" \"trail\" {\n  bucket_prefix = \"cloudcase-trail-\"\n}\n\n",
    );
    out.push_str("resource \"aws_s3_bucket_public_access_block\" \"trail\" {\n  bucket                  = aws_s3_bucket.trail.id\n  block_public_acls       = true\n  block_public_policy     = true\n  ignore_public_acls      = true\n  restrict_public_buckets = true\n}\n\n");
    out.push_str("resource \"aws_s3_bucket_policy\" \"trail\" {\n  bucket = aws_s3_bucket.trail.id\n  policy = jsonencode({ \"Version\" = \"2012-10-17\", \"Statement\" = [\n    { \"Sid\" = \"TrailAclCheck\", \"Effect\" = \"Allow\", \"Principal\" = { \"Service\" = \"cloudtrail.amazonaws.com\" }, \"Action\" = \"s3:GetBucketAcl\", \"Resource\" = aws_s3_bucket.trail.arn },\n    { \"Sid\" = \"TrailWrite\", \"Effect\" = \"Allow\", \"Principal\" = { \"Service\" = \"cloudtrail.amazonaws.com\" }, \"Action\" = \"s3:PutObject\", \"Resource\" = \"${aws_s3_bucket.trail.arn}/AWSLogs/${data.aws_caller_identity.current.account_id}/*\", \"Condition\" = { \"StringEquals\" = { \"s3:x-amz-acl\" = \"bucket-owner-full-control\" } } },\n  ] })\n}\n\n");
    let _ = write!(out, "resource \"aws_cloudwatch_log_group\" \"trail\" {{\n  name_prefix       = \"cloudcase-trail-\"\n  retention_in_days = {}\n}}\n\n", plan.retention_days);
    out.push_str("resource \"aws_iam_role\" \"trail_logs\" {\n  name_prefix        = \"cloudcase-trail-logs-\"\n  assume_role_policy = jsonencode({ \"Version\" = \"2012-10-17\", \"Statement\" = [{ \"Effect\" = \"Allow\", \"Principal\" = { \"Service\" = \"cloudtrail.amazonaws.com\" }, \"Action\" = \"sts:AssumeRole\" }] })\n}\n\n");
    out.push_str("resource \"aws_iam_role_policy\" \"trail_logs\" {\n  role   = aws_iam_role.trail_logs.id\n  policy = jsonencode({ \"Version\" = \"2012-10-17\", \"Statement\" = [{ \"Effect\" = \"Allow\", \"Action\" = [\"logs:CreateLogStream\", \"logs:PutLogEvents\"], \"Resource\" = \"${aws_cloudwatch_log_group.trail.arn}:*\" }] })\n}\n\n");
    out.push_str("resource \"aws_cloudtrail\" \"main\" {\n  name                          = \"cloudcase-trail\"\n  s3_bucket_name                = aws_s3_bucket.trail.id\n  is_multi_region_trail         = true\n  include_global_service_events = true\n  enable_log_file_validation    = true\n  enable_logging                = true\n  cloud_watch_logs_group_arn    = \"${aws_cloudwatch_log_group.trail.arn}:*\"\n  cloud_watch_logs_role_arn     = aws_iam_role.trail_logs.arn\n  depends_on                    = [aws_s3_bucket_policy.trail]\n\n");
    out.push_str("  advanced_event_selector {\n    name = \"Management events, read and write\"\n    field_selector {\n      field  = \"eventCategory\"\n      equals = [\"Management\"]\n    }\n  }\n");
    for (store, kind, op) in STORE_SELECTORS {
        let chosen: Vec<_> = plan
            .data_events
            .iter()
            .filter(|t| t.store == *store)
            .collect();
        if chosen.is_empty() {
            continue;
        }
        let arns: Vec<String> = chosen.iter().map(|t| {
            let name = q(&t.name).trim_matches('"').to_owned();
            match *store {
                "s3_bucket" => format!("\"arn:${{data.aws_partition.current.partition}}:s3:::{name}/\""),
                _ => format!("\"arn:${{data.aws_partition.current.partition}}:dynamodb:{}:${{data.aws_caller_identity.current.account_id}}:table/{name}\"", t.region.as_deref().map_or("${data.aws_region.current.name}".to_owned(), |r| q(r).trim_matches('"').to_owned())),
            }
        }).collect();
        let names: Vec<&str> = chosen.iter().map(|t| t.name.as_str()).collect();
        let _ = write!(out, "\n  # closes: scope left these {store}s UNKNOWN: {}\n  advanced_event_selector {{\n    name = \"Data events on the {store}s scope left UNKNOWN\"\n    field_selector {{\n      field  = \"eventCategory\"\n      equals = [\"Data\"]\n    }}\n    field_selector {{\n      field  = \"resources.type\"\n      equals = [\"{kind}\"]\n    }}\n    field_selector {{\n      field = \"resources.ARN\"\n      {op} = [{}]\n    }}\n  }}\n", names.join(", ").replace('\n', " "), arns.join(", "));
    }
    out.push_str("}\n\n");
    if plan
        .data_events
        .iter()
        .any(|t| t.region.is_none() && t.store != "s3_bucket")
    {
        out.push_str("data \"aws_region\" \"current\" {}\n\n");
    }
}

fn guardduty(out: &mut String, plan: &Plan) {
    let _ = writeln!(
        out,
        "# GuardDuty in {} ({}): one provider alias and detector per region.",
        plan.regions.join(", "),
        plan.regions_basis
    );
    for r in &plan.regions {
        let alias = r.replace('-', "_");
        let _ = write!(out, "provider \"aws\" {{\n  alias  = \"{alias}\"\n  region = {}\n}}\n\nresource \"aws_guardduty_detector\" \"{alias}\" {{\n  provider                     = aws.{alias}\n  enable                       = true\n  finding_publishing_frequency = \"FIFTEEN_MINUTES\"\n}}\n\n", q(r));
    }
}

fn cis(out: &mut String) {
    for c in CIS_CONTROLS {
        let id = c.key.replace('-', "_");
        let _ = write!(out, "# CIS {}: {}\nresource \"aws_cloudwatch_log_metric_filter\" \"{id}\" {{\n  name           = \"{}\"\n  log_group_name = aws_cloudwatch_log_group.trail.name\n  pattern        = {}\n\n  metric_transformation {{\n    name      = \"{}\"\n    namespace = \"{NAMESPACE}\"\n    value     = \"1\"\n  }}\n}}\n\n", c.control, c.summary, c.metric(), q(&c.filter_pattern()), c.metric());
        let _ = write!(out, "resource \"aws_cloudwatch_metric_alarm\" \"{id}\" {{\n  alarm_name          = \"cloudcase-{}\"\n  alarm_description   = {}\n  metric_name         = \"{}\"\n  namespace           = \"{NAMESPACE}\"\n  statistic           = \"Sum\"\n  period              = 300\n  evaluation_periods  = 1\n  threshold           = 1\n  comparison_operator = \"GreaterThanOrEqualToThreshold\"\n  treat_missing_data  = \"notBreaching\"\n  alarm_actions       = [aws_sns_topic.alerts.arn]\n}}\n\n", c.key, q(&format!("CIS {}: {}", c.control, c.summary)), c.metric());
    }
}

fn rules(out: &mut String, plan: &Plan) {
    for r in &plan.rules.rules {
        let id = snake(&r.name);
        let _ = write!(out, "resource \"aws_cloudwatch_event_rule\" \"{id}\" {{\n  name          = {}\n  description   = {}\n  event_pattern = jsonencode({})\n}}\n\nresource \"aws_cloudwatch_event_target\" \"{id}\" {{\n  rule      = aws_cloudwatch_event_rule.{id}.name\n  target_id = \"alert-topic\"\n  arn       = aws_sns_topic.alerts.arn\n}}\n\n", q(&r.name), q(&cut(&format!("{} (Sigma {}, level {})", r.title, r.rule_id, r.level), 512)), hcl(&r.pattern));
    }
}

/// The plan as Terraform HCL for the AWS provider.
pub fn terraform(plan: &Plan) -> Result<String, crate::MonitorError> {
    let mut out = String::new();
    header(&mut out, plan);
    alerting(&mut out);
    trail(&mut out, plan);
    guardduty(&mut out, plan);
    cis(&mut out);
    rules(&mut out, plan);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_cannot_interpolate_or_break_out() {
        assert_eq!(q("a\"b\\c"), "\"a\\\"b\\\\c\"");
        assert_eq!(q("${x} %{if}"), "\"$${x} %%{if}\"");
        assert_eq!(q("line\nnext"), "\"line\\nnext\"");
        assert_eq!(
            hcl(&json!({"$or": [1, true, null]})),
            "{ \"$or\" = [1, true, null] }"
        );
    }

    #[test]
    fn one_detector_per_region_and_data_events_per_unknown_store() {
        let facts = crate::CaseFacts {
            regions: vec!["eu-west-1".into(), "us-east-1".into()],
            unknown_stores: vec![crate::DataEventTarget {
                store: "s3_bucket",
                name: "hooli-prod-data".into(),
                region: None,
                basis: String::new(),
            }],
            other_unknown: vec!["rds_instance reporting".into()],
        };
        let p = crate::plan(Some(&facts), &[], 400).unwrap();
        let tf = terraform(&p).unwrap();
        assert_eq!(tf.matches("resource \"aws_guardduty_detector\"").count(), 2);
        assert!(tf.contains(":s3:::hooli-prod-data/\""));
        assert!(tf.contains("# UNKNOWN store without data events: rds_instance reporting"));
        assert_eq!(
            tf.matches("resource \"aws_cloudwatch_event_rule\"").count(),
            p.rules.rules.len()
        );
    }
}
