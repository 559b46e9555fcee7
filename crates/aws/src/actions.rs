//! Every AWS API operation the tool calls, with the IAM permission it needs:
//! the source of `policy/cloudcase-readonly-policy.json`. A test scans this
//! crate's code for SDK operation calls and fails on any missing here, and
//! another checks every permission is in the shipped policy.

/// (API operation, IAM permission) for every call the tool makes.
pub const ACTIONS: &[(&str, &str)] = &[
    ("GetCallerIdentity", "sts:GetCallerIdentity"),
    ("ListObjectsV2", "s3:ListBucket"),
    ("GetObject", "s3:GetObject"),
    ("HeadObject", "s3:GetObject"),
    ("PutObject", "s3:PutObject"),
    ("LookupEvents", "cloudtrail:LookupEvents"),
    ("DescribeRegions", "ec2:DescribeRegions"),
    ("DescribeInstances", "ec2:DescribeInstances"),
    ("DescribeSecurityGroups", "ec2:DescribeSecurityGroups"),
    ("DescribeKeyPairs", "ec2:DescribeKeyPairs"),
    ("DescribeVolumes", "ec2:DescribeVolumes"),
    ("DescribeSnapshots", "ec2:DescribeSnapshots"),
    ("DescribeSnapshotAttribute", "ec2:DescribeSnapshotAttribute"),
    ("DescribeImages", "ec2:DescribeImages"),
    ("DescribeImageAttribute", "ec2:DescribeImageAttribute"),
    (
        "DescribeSpotInstanceRequests",
        "ec2:DescribeSpotInstanceRequests",
    ),
    ("ListUsers", "iam:ListUsers"),
    ("ListAccessKeys", "iam:ListAccessKeys"),
    ("GetAccessKeyLastUsed", "iam:GetAccessKeyLastUsed"),
    ("GetLoginProfile", "iam:GetLoginProfile"),
    ("ListMFADevices", "iam:ListMFADevices"),
    ("ListGroupsForUser", "iam:ListGroupsForUser"),
    ("ListAttachedUserPolicies", "iam:ListAttachedUserPolicies"),
    ("ListUserPolicies", "iam:ListUserPolicies"),
    ("GetUserPolicy", "iam:GetUserPolicy"),
    ("ListGroups", "iam:ListGroups"),
    ("ListAttachedGroupPolicies", "iam:ListAttachedGroupPolicies"),
    ("ListGroupPolicies", "iam:ListGroupPolicies"),
    ("GetGroupPolicy", "iam:GetGroupPolicy"),
    ("ListRoles", "iam:ListRoles"),
    ("ListAttachedRolePolicies", "iam:ListAttachedRolePolicies"),
    ("ListRolePolicies", "iam:ListRolePolicies"),
    ("GetRolePolicy", "iam:GetRolePolicy"),
    ("ListPolicies", "iam:ListPolicies"),
    ("GetPolicyVersion", "iam:GetPolicyVersion"),
    ("GenerateCredentialReport", "iam:GenerateCredentialReport"),
    ("GetCredentialReport", "iam:GetCredentialReport"),
    ("ListSnapshotBlocks", "ebs:ListSnapshotBlocks"),
    ("GetSnapshotBlock", "ebs:GetSnapshotBlock"),
    // The only call that changes the account (`aws:ebs-volume/… --create-snapshot`):
    // an optional statement of the policy, with ec2:CreateTags for its tag.
    ("CreateSnapshot", "ec2:CreateSnapshot"),
];
