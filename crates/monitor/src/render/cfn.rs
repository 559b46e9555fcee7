//! CloudFormation (JSON): one stack for the account's home region. CloudFormation places
//! every resource in the stack's region, so GuardDuty's detector is created here and the other
//! regions are listed in `Metadata` for a service-managed StackSet of the same template.

use serde_json::{json, Map, Value};

use super::names::{camel, cut};
use crate::cis::{CIS_CONTROLS, NAMESPACE};
use crate::plan::Plan;

const TOPIC: &str = "AlertTopic";

fn alerting() -> Vec<(String, Value)> {
    vec![
        (
            TOPIC.into(),
            json!({"Type": "AWS::SNS::Topic", "Properties": {"DisplayName": "cloudcase alerts", "KmsMasterKeyId": "alias/aws/sns"}}),
        ),
        (
            "AlertSubscription".into(),
            json!({"Type": "AWS::SNS::Subscription", "Properties": {"Protocol": "email", "Endpoint": {"Ref": "AlertEmail"}, "TopicArn": {"Ref": TOPIC}}}),
        ),
        (
            "AlertTopicPolicy".into(),
            json!({"Type": "AWS::SNS::TopicPolicy", "Properties": {"Topics": [{"Ref": TOPIC}], "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "EventBridgeAndAlarms", "Effect": "Allow", "Principal": {"Service": ["events.amazonaws.com", "cloudwatch.amazonaws.com"]}, "Action": "sns:Publish", "Resource": {"Ref": TOPIC}}
            ]}}}),
        ),
    ]
}

fn selectors(plan: &Plan) -> Value {
    let mut out = vec![
        json!({"Name": "Management events, read and write", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}),
    ];
    for (store, kind, op) in STORE_SELECTORS {
        let arns: Vec<Value> = plan.data_events.iter().filter(|t| t.store == *store).map(|t| match *store {
            "s3_bucket" => json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:s3:::{}/", t.name)}),
            _ => json!({"Fn::Sub": format!("arn:${{AWS::Partition}}:dynamodb:{}:${{AWS::AccountId}}:table/{}", t.region.as_deref().unwrap_or("${AWS::Region}"), t.name)}),
        }).collect();
        if arns.is_empty() {
            continue;
        }
        out.push(json!({"Name": format!("Data events on the {store}s scope left UNKNOWN"), "FieldSelectors": [
            {"Field": "eventCategory", "Equals": ["Data"]},
            {"Field": "resources.type", "Equals": [kind]},
            {"Field": "resources.ARN", *op: arns},
        ]}));
    }
    Value::Array(out)
}

/// Per store kind: the data-event resource type and how its ARNs are matched.
const STORE_SELECTORS: &[(&str, &str, &str)] = &[
    ("s3_bucket", "AWS::S3::Object", "StartsWith"),
    ("dynamodb_table", "AWS::DynamoDB::Table", "Equals"),
];

fn trail(plan: &Plan) -> Vec<(String, Value)> {
    vec![
        (
            "TrailBucket".into(),
            json!({"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {
            "VersioningConfiguration": {"Status": "Enabled"},
            "BucketEncryption": {"ServerSideEncryptionConfiguration": [{"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}]},
            "PublicAccessBlockConfiguration": {"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true}}}),
        ),
        (
            "TrailBucketPolicy".into(),
            json!({"Type": "AWS::S3::BucketPolicy", "Properties": {"Bucket": {"Ref": "TrailBucket"}, "PolicyDocument": {"Version": "2012-10-17", "Statement": [
                {"Sid": "TrailAclCheck", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:GetBucketAcl", "Resource": {"Fn::GetAtt": ["TrailBucket", "Arn"]}},
                {"Sid": "TrailWrite", "Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "s3:PutObject", "Resource": {"Fn::Sub": "${TrailBucket.Arn}/AWSLogs/${AWS::AccountId}/*"}, "Condition": {"StringEquals": {"s3:x-amz-acl": "bucket-owner-full-control"}}}
            ]}}}),
        ),
        (
            "TrailLogGroup".into(),
            json!({"Type": "AWS::Logs::LogGroup", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {"RetentionInDays": plan.retention_days}}),
        ),
        (
            "TrailLogsRole".into(),
            json!({"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "cloudtrail.amazonaws.com"}, "Action": "sts:AssumeRole"}]},
            "Policies": [{"PolicyName": "deliver-to-log-group", "PolicyDocument": {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": {"Fn::GetAtt": ["TrailLogGroup", "Arn"]}}]}}]}}),
        ),
        (
            "Trail".into(),
            json!({"Type": "AWS::CloudTrail::Trail", "DependsOn": ["TrailBucketPolicy"], "Properties": {
            "IsLogging": true, "IsMultiRegionTrail": true, "IncludeGlobalServiceEvents": true, "EnableLogFileValidation": true,
            "S3BucketName": {"Ref": "TrailBucket"},
            "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": ["TrailLogGroup", "Arn"]},
            "CloudWatchLogsRoleArn": {"Fn::GetAtt": ["TrailLogsRole", "Arn"]},
            "AdvancedEventSelectors": selectors(plan)}}),
        ),
    ]
}

fn cis() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for c in CIS_CONTROLS {
        let id = camel(c.key);
        out.push((format!("Filter{id}"), json!({"Type": "AWS::Logs::MetricFilter", "Properties": {
            "LogGroupName": {"Ref": "TrailLogGroup"}, "FilterPattern": c.filter_pattern(),
            "MetricTransformations": [{"MetricName": c.metric(), "MetricNamespace": NAMESPACE, "MetricValue": "1"}]}})));
        out.push((format!("Alarm{id}"), json!({"Type": "AWS::CloudWatch::Alarm", "Properties": {
            "AlarmDescription": cut(&format!("CIS {}: {}", c.control, c.summary), 1024),
            "MetricName": c.metric(), "Namespace": NAMESPACE, "Statistic": "Sum", "Period": 300, "EvaluationPeriods": 1,
            "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold", "TreatMissingData": "notBreaching",
            "AlarmActions": [{"Ref": TOPIC}]}})));
    }
    out
}

fn event_rules(plan: &Plan) -> Vec<(String, Value)> {
    plan.rules.rules.iter().map(|r| {
        (format!("Rule{}", camel(&r.name)), json!({"Type": "AWS::Events::Rule", "Properties": {
            "Name": r.name, "Description": cut(&format!("{} (Sigma {}, level {})", r.title, r.rule_id, r.level), 512),
            "State": "ENABLED", "EventPattern": r.pattern,
            "Targets": [{"Arn": {"Ref": TOPIC}, "Id": "alert-topic"}]}}))
    }).collect()
}

/// The plan as a CloudFormation template (JSON).
pub fn cloudformation(plan: &Plan) -> Result<String, crate::MonitorError> {
    let mut resources = Map::new();
    let mut all = alerting();
    all.extend(trail(plan));
    all.push(("GuardDutyDetector".into(), json!({"Type": "AWS::GuardDuty::Detector", "Properties": {"Enable": true, "FindingPublishingFrequency": "FIFTEEN_MINUTES"}})));
    all.extend(cis());
    all.extend(event_rules(plan));
    for (k, v) in all {
        resources.insert(k, v);
    }
    let t = json!({
        "AWSTemplateFormatVersion": "2010-09-09",
        "Description": "cloudcase monitor: EventBridge rules from the built-in Sigma pack, CIS AWS Foundations metric filters and alarms, GuardDuty, and a CloudTrail trail closing the case's logging gaps",
        "Metadata": {"cloudcase": {
            "guardduty": {"regions": plan.regions, "regions_basis": plan.regions_basis,
                "deployment": "GuardDuty detectors are regional and a stack creates resources in its own region only: deploy this template as a StackSet to the listed regions (the trail, being multi-region, and the alarms are then created once per region too; deploy only GuardDutyDetector elsewhere, or use Terraform, which creates one detector per region)"},
            "trail_settings": plan.trail,
            "data_events": plan.data_events,
            "unknown_stores_without_data_events": plan.not_covered,
            "refused_rules": plan.rules.refused,
        }},
        "Parameters": {"AlertEmail": {"Type": "String", "Description": "E-mail address subscribed to the alert topic", "AllowedPattern": "^[^@\\s]+@[^@\\s]+$"}},
        "Resources": resources,
        "Outputs": {"AlertTopicArn": {"Value": {"Ref": TOPIC}}, "TrailArn": {"Value": {"Fn::GetAtt": ["Trail", "Arn"]}}},
    });
    serde_json::to_string_pretty(&t).map_err(|e| crate::MonitorError::Render {
        format: "cloudformation",
        reason: e.to_string(),
    })
}
