//! The CIS AWS Foundations monitoring controls as data: for each, the CloudTrail calls it
//! watches, the CloudWatch Logs metric filter pattern built from them, the metric and the alarm.
//! Written from the controls' definitions ("ensure a log metric filter and alarm exist for …").

/// One monitoring control.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CisControl {
    /// The control number in CIS AWS Foundations Benchmark 1.4 section 4 (Security Hub
    /// CloudWatch.1–14 cover the same).
    pub control: &'static str,
    /// A short identifier, used in resource and metric names.
    pub key: &'static str,
    /// What the alarm tells.
    pub summary: &'static str,
    /// The service whose calls it watches (`eventSource`), when one.
    pub event_source: Option<&'static str>,
    /// The calls it watches (`eventName`), when a list.
    pub event_names: &'static [&'static str],
    /// Further conditions, already in filter-pattern syntax, ANDed.
    pub extra: &'static [&'static str],
}

impl CisControl {
    /// The CloudWatch Logs filter pattern (JSON terms joined with `&&` and `||`).
    pub fn filter_pattern(&self) -> String {
        let mut terms: Vec<String> = Vec::new();
        if let Some(s) = self.event_source {
            terms.push(format!("($.eventSource = \"{s}\")"));
        }
        if !self.event_names.is_empty() {
            let names: Vec<String> = self
                .event_names
                .iter()
                .map(|n| format!("($.eventName = \"{n}\")"))
                .collect();
            terms.push(format!("({})", names.join(" || ")));
        }
        terms.extend(self.extra.iter().map(|e| (*e).to_owned()));
        format!("{{ {} }}", terms.join(" && "))
    }

    /// The metric name (`CIS-<key>`).
    pub fn metric(&self) -> String {
        format!("CIS-{}", self.key)
    }
}

/// The metric namespace.
pub const NAMESPACE: &str = "cloudcase/CISMonitoring";

/// The controls, in CIS order.
pub const CIS_CONTROLS: &[CisControl] = &[
    CisControl { control: "4.1", key: "unauthorized-api-calls", summary: "API calls refused by authorisation (AccessDenied, UnauthorizedOperation): someone probing what a credential may do", event_source: None, event_names: &[], extra: &["(($.errorCode = \"*UnauthorizedOperation\") || ($.errorCode = \"AccessDenied*\"))"] },
    CisControl { control: "4.2", key: "console-signin-without-mfa", summary: "A successful console sign-in of an IAM user that did not use MFA", event_source: Some("signin.amazonaws.com"), event_names: &["ConsoleLogin"], extra: &["($.additionalEventData.MFAUsed != \"Yes\")", "($.userIdentity.type = \"IAMUser\")", "($.responseElements.ConsoleLogin = \"Success\")"] },
    CisControl { control: "4.3", key: "root-account-usage", summary: "The root user acted itself (not an AWS service on its behalf)", event_source: None, event_names: &[], extra: &["($.userIdentity.type = \"Root\")", "($.userIdentity.invokedBy NOT EXISTS)", "($.eventType != \"AwsServiceEvent\")"] },
    CisControl { control: "4.4", key: "iam-policy-changes", summary: "An IAM policy was created, changed, attached, detached or deleted", event_source: Some("iam.amazonaws.com"), event_names: &["CreatePolicy", "DeletePolicy", "CreatePolicyVersion", "DeletePolicyVersion", "SetDefaultPolicyVersion", "PutUserPolicy", "PutGroupPolicy", "PutRolePolicy", "DeleteUserPolicy", "DeleteGroupPolicy", "DeleteRolePolicy", "AttachUserPolicy", "AttachGroupPolicy", "AttachRolePolicy", "DetachUserPolicy", "DetachGroupPolicy", "DetachRolePolicy"], extra: &[] },
    CisControl { control: "4.5", key: "cloudtrail-config-changes", summary: "A trail was created, changed, deleted, started or stopped", event_source: Some("cloudtrail.amazonaws.com"), event_names: &["CreateTrail", "UpdateTrail", "DeleteTrail", "StartLogging", "StopLogging", "PutEventSelectors"], extra: &[] },
    CisControl { control: "4.6", key: "console-auth-failures", summary: "A console sign-in failed authentication", event_source: Some("signin.amazonaws.com"), event_names: &["ConsoleLogin"], extra: &["($.errorMessage = \"Failed authentication\")"] },
    CisControl { control: "4.7", key: "cmk-disable-or-deletion", summary: "A customer-managed KMS key was disabled or scheduled for deletion", event_source: Some("kms.amazonaws.com"), event_names: &["DisableKey", "ScheduleKeyDeletion"], extra: &[] },
    CisControl { control: "4.8", key: "s3-bucket-policy-changes", summary: "A bucket's policy, ACL, CORS, lifecycle or replication was set or removed", event_source: Some("s3.amazonaws.com"), event_names: &["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketAcl", "PutBucketCors", "DeleteBucketCors", "PutBucketLifecycle", "DeleteBucketLifecycle", "PutBucketReplication", "DeleteBucketReplication"], extra: &[] },
    CisControl { control: "4.9", key: "config-changes", summary: "AWS Config's recorder or delivery channel was stopped, changed or deleted", event_source: Some("config.amazonaws.com"), event_names: &["StopConfigurationRecorder", "PutConfigurationRecorder", "DeleteDeliveryChannel", "PutDeliveryChannel"], extra: &[] },
    CisControl { control: "4.10", key: "security-group-changes", summary: "A security group was created, deleted, or its rules changed", event_source: Some("ec2.amazonaws.com"), event_names: &["CreateSecurityGroup", "DeleteSecurityGroup", "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress", "RevokeSecurityGroupEgress"], extra: &[] },
    CisControl { control: "4.11", key: "nacl-changes", summary: "A network ACL or one of its entries or associations changed", event_source: Some("ec2.amazonaws.com"), event_names: &["CreateNetworkAcl", "DeleteNetworkAcl", "CreateNetworkAclEntry", "DeleteNetworkAclEntry", "ReplaceNetworkAclEntry", "ReplaceNetworkAclAssociation"], extra: &[] },
    CisControl { control: "4.12", key: "network-gateway-changes", summary: "An internet or customer gateway was created, attached, detached or deleted", event_source: Some("ec2.amazonaws.com"), event_names: &["CreateCustomerGateway", "DeleteCustomerGateway", "CreateInternetGateway", "DeleteInternetGateway", "AttachInternetGateway", "DetachInternetGateway"], extra: &[] },
    CisControl { control: "4.13", key: "route-table-changes", summary: "A route or route table was created, replaced, disassociated or deleted", event_source: Some("ec2.amazonaws.com"), event_names: &["CreateRoute", "DeleteRoute", "ReplaceRoute", "CreateRouteTable", "DeleteRouteTable", "ReplaceRouteTableAssociation", "DisassociateRouteTable"], extra: &[] },
    CisControl { control: "4.14", key: "vpc-changes", summary: "A VPC, its attributes, or a peering or ClassicLink connection changed", event_source: Some("ec2.amazonaws.com"), event_names: &["CreateVpc", "DeleteVpc", "ModifyVpcAttribute", "CreateVpcPeeringConnection", "AcceptVpcPeeringConnection", "RejectVpcPeeringConnection", "DeleteVpcPeeringConnection", "AttachClassicLinkVpc", "DetachClassicLinkVpc", "EnableVpcClassicLink", "DisableVpcClassicLink"], extra: &[] },
    CisControl { control: "4.15", key: "organizations-changes", summary: "The organization, its accounts, units, policies or handshakes changed", event_source: Some("organizations.amazonaws.com"), event_names: &["CreateAccount", "InviteAccountToOrganization", "RemoveAccountFromOrganization", "LeaveOrganization", "MoveAccount", "AcceptHandshake", "DeclineHandshake", "CreateOrganizationalUnit", "UpdateOrganizationalUnit", "DeleteOrganizationalUnit", "CreatePolicy", "UpdatePolicy", "DeletePolicy", "AttachPolicy", "DetachPolicy", "EnablePolicyType", "DisablePolicyType", "DeleteOrganization"], extra: &[] },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fifteen_controls_with_balanced_patterns() {
        assert_eq!(CIS_CONTROLS.len(), 15);
        for c in CIS_CONTROLS {
            let p = c.filter_pattern();
            assert_eq!(p.matches('(').count(), p.matches(')').count(), "{p}");
            assert!(p.len() <= 1024, "{} is {} characters", c.key, p.len());
        }
        assert_eq!(CIS_CONTROLS[6].filter_pattern(), "{ ($.eventSource = \"kms.amazonaws.com\") && (($.eventName = \"DisableKey\") || ($.eventName = \"ScheduleKeyDeletion\")) }");
    }
}
