//! The API catalogue: every eventName the generator can emit, as a table.
//!
//! Each row says which service records it, who plausibly calls it (a mask of
//! caller classes), how often (a relative weight in home regions and in the
//! sparse noise of other regions), whether it is read-only, global (recorded
//! in us-east-1), an S3 data event, how often it fails and with which errors,
//! and JSON templates (see [`crate::template`]) for `requestParameters`,
//! `responseElements`, `additionalEventData`, `resources` and the TLS host.
//! Background traffic and the incident scenario both draw from this table, so
//! an eventName always has one source, one read-only flag and one category.

// Caller classes (bit mask). An identity has exactly one class.
/// Human IAM user with a long-term key (CLI, SDK scripts, Terraform).
pub(crate) const HCLI: u16 = 1;
/// Human IAM user in a console session.
pub(crate) const HCON: u16 = 2;
/// Human through an SSO permission-set role.
pub(crate) const SSO: u16 = 4;
/// CI/CD: the deploy-bot key and the GitHub Actions role.
pub(crate) const CI: u16 = 8;
/// Lambda execution roles.
pub(crate) const LAMBDA: u16 = 16;
/// EC2 instance-profile roles.
pub(crate) const EC2R: u16 = 32;
/// `AWSService` principals (type AWSService, invokedBy).
pub(crate) const SVC: u16 = 64;
/// Service-linked roles acting for a service (AssumedRole + invokedBy).
pub(crate) const SLR: u16 = 128;
/// The account root user.
pub(crate) const ROOT: u16 = 256;
/// The SSM agent on EC2 instances (instance-profile role, agent user agent).
pub(crate) const AGENT: u16 = 512;

const HUMAN: u16 = HCLI | HCON | SSO;
const OPS: u16 = HUMAN | CI;
const APP: u16 = LAMBDA | EC2R;

/// One API in the catalogue.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Api {
    pub source: &'static str,
    pub name: &'static str,
    pub ro: bool,
    /// Caller classes allowed to make this call in background traffic.
    pub who: u16,
    /// Relative weight in home regions (per caller class table).
    pub w: u32,
    /// Relative weight in the sparse service noise of non-home regions.
    pub noise: u32,
    /// Recorded in us-east-1 only (IAM, Organizations, sign-in, ListBuckets).
    pub global: bool,
    /// S3 data event (emitted only when data events are enabled).
    pub data: bool,
    /// ConsoleLogin's special shape (no key, AwsConsoleSignIn, no requestID).
    pub login: bool,
    /// Failure rate in background traffic, per 10 000 calls.
    pub err: u32,
    /// Errors to draw from; `AD` is the service's AccessDenied form.
    pub errs: &'static [(&'static str, &'static str)],
    pub req: &'static str,
    pub resp: &'static str,
    pub extra: &'static str,
    pub res: &'static str,
    /// TLS `clientProvidedHostHeader` template; "" derives it from the source.
    pub host: &'static str,
    pub ver: &'static str,
}

/// Marker for "the service's AccessDenied error" in `errs`.
pub(crate) const AD: (&str, &str) = ("AD", "");

const B: Api = Api {
    source: "",
    name: "",
    ro: true,
    who: 0,
    w: 0,
    noise: 0,
    global: false,
    data: false,
    login: false,
    err: 30,
    errs: &[AD],
    req: "null",
    resp: "null",
    extra: "",
    res: "",
    host: "",
    ver: "1.08",
};

const STS: &str = "sts.amazonaws.com";
const IAM: &str = "iam.amazonaws.com";
const EC2: &str = "ec2.amazonaws.com";
const S3: &str = "s3.amazonaws.com";
const LAM: &str = "lambda.amazonaws.com";
const KMS: &str = "kms.amazonaws.com";
const CW: &str = "monitoring.amazonaws.com";
const LOGS: &str = "logs.amazonaws.com";
const SSM: &str = "ssm.amazonaws.com";
const SM: &str = "secretsmanager.amazonaws.com";
const DDB: &str = "dynamodb.amazonaws.com";
const RDS: &str = "rds.amazonaws.com";
const CT: &str = "cloudtrail.amazonaws.com";
const CFG: &str = "config.amazonaws.com";
const ORG: &str = "organizations.amazonaws.com";
const SIGNIN: &str = "signin.amazonaws.com";
const ECR: &str = "ecr.amazonaws.com";

const S3HOST: &str = "$bucket.s3.$region.amazonaws.com";
const S3EXTRA: &str = r#"{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"$amzid","bytesTransferredOut":$n}"#;
const S3BUCKETRES: &str =
    r#"[{"accountId":"$acct","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::$bucket"}]"#;
const KMSRES: &str = r#"[{"accountId":"$acct","type":"AWS::KMS::Key","ARN":"arn:aws:kms:$region:$acct:key/$kmskey"}]"#;
const ROLERES: &str =
    r#"[{"accountId":"$acct","type":"AWS::IAM::Role","ARN":"arn:aws:iam::$acct:role/$role"}]"#;
const EC2OK: &str = r#"{"requestId":"$uuid","_return":true}"#;

const NO_ENTITY: (&str, &str) = (
    "NoSuchEntityException",
    "The user with name $user cannot be found.",
);
const THROTTLE: (&str, &str) = ("ThrottlingException", "Rate exceeded");

/// The catalogue. Order is irrelevant to output except as a stable index.
#[rustfmt::skip]
pub(crate) static CATALOGUE: &[Api] = &[
    // ---------------------------------------------------------------- STS
    Api { source: STS, name: "GetCallerIdentity", who: HCLI | SSO | CI | LAMBDA, w: 30, err: 0, ..B },
    Api {
        source: STS, name: "AssumeRole", who: HCLI | CI, w: 14,
        req: r#"{"roleArn":"arn:aws:iam::$acct:role/$role","roleSessionName":"$self-$hex8","durationSeconds":3600}"#,
        resp: r#"{"credentials":{"accessKeyId":"$asia","sessionToken":"$token","expiration":"$expdate"},"assumedRoleUser":{"assumedRoleId":"$aroa:$self-$hex8","arn":"arn:aws:sts::$acct:assumed-role/$role/$self-$hex8"}}"#,
        res: ROLERES, ..B
    },
    Api {
        source: STS, name: "AssumeRole", who: SVC, w: 40, err: 0,
        req: r#"{"roleArn":"arn:aws:iam::$acct:role/$svcrole","roleSessionName":"$svcsess"}"#,
        resp: r#"{"credentials":{"accessKeyId":"$asia","sessionToken":"$token","expiration":"$expdate"},"assumedRoleUser":{"assumedRoleId":"$aroa:$svcsess","arn":"arn:aws:sts::$acct:assumed-role/$svcrole/$svcsess"}}"#,
        res: r#"[{"accountId":"$acct","type":"AWS::IAM::Role","ARN":"arn:aws:iam::$acct:role/$svcrole"}]"#, ..B
    },
    // ---------------------------------------------------------------- IAM
    Api { source: IAM, name: "GetUser", who: OPS, w: 6, global: true, err: 80, errs: &[NO_ENTITY, AD], req: r#"{"userName":"$user"}"#, ..B },
    Api { source: IAM, name: "ListUsers", who: HUMAN | ROOT, w: 3, global: true, ..B },
    Api { source: IAM, name: "ListRoles", who: HUMAN | CI, w: 3, global: true, ..B },
    Api { source: IAM, name: "GetRole", who: OPS, w: 10, global: true, req: r#"{"roleName":"$role"}"#, ..B },
    Api { source: IAM, name: "ListAttachedRolePolicies", who: OPS, w: 6, global: true, req: r#"{"roleName":"$role"}"#, ..B },
    Api { source: IAM, name: "ListRolePolicies", who: CI, w: 5, global: true, req: r#"{"roleName":"$role"}"#, ..B },
    Api { source: IAM, name: "ListAttachedUserPolicies", who: HUMAN, w: 2, global: true, req: r#"{"userName":"$user"}"#, ..B },
    Api { source: IAM, name: "GetPolicy", who: CI, w: 4, global: true, req: r#"{"policyArn":"arn:aws:iam::$acct:policy/$company-$fn-access"}"#, ..B },
    Api { source: IAM, name: "GetPolicyVersion", who: CI | HCON, w: 4, global: true, req: r#"{"policyArn":"arn:aws:iam::$acct:policy/$company-$fn-access","versionId":"v$n"}"#, ..B },
    Api { source: IAM, name: "ListPolicies", who: HUMAN, w: 1, global: true, req: r#"{"scope":"Local","onlyAttached":false}"#, ..B },
    Api { source: IAM, name: "ListAccessKeys", who: HUMAN, w: 2, global: true, req: r#"{"userName":"$user"}"#, ..B },
    Api { source: IAM, name: "GetAccountSummary", who: HCON | ROOT, w: 1, global: true, ..B },
    Api { source: IAM, name: "GetAccountAuthorizationDetails", who: SSO, w: 1, global: true, req: r#"{"filter":["User","Role","Group","LocalManagedPolicy"]}"#, ..B },
    Api {
        source: IAM, name: "CreateUser", ro: false, who: SSO | HCON, w: 1, global: true,
        req: r#"{"userName":"contractor-$hex8"}"#,
        resp: r#"{"user":{"path":"/","userName":"contractor-$hex8","userId":"$aida","arn":"arn:aws:iam::$acct:user/contractor-$hex8","createDate":"$evdate"}}"#, ..B
    },
    Api {
        source: IAM, name: "CreateLoginProfile", ro: false, who: SSO | HCON, w: 1, global: true,
        req: r#"{"userName":"$user","passwordResetRequired":true}"#,
        resp: r#"{"loginProfile":{"userName":"$user","createDate":"$evdate","passwordResetRequired":true}}"#, ..B
    },
    Api {
        source: IAM, name: "CreateAccessKey", ro: false, who: SSO | HCON, w: 1, global: true,
        req: r#"{"userName":"$user"}"#,
        resp: r#"{"accessKey":{"userName":"$user","accessKeyId":"$akia","status":"Active","createDate":"$evdate"}}"#, ..B
    },
    Api { source: IAM, name: "UpdateAccessKey", ro: false, who: SSO | HCON, w: 1, global: true, req: r#"{"userName":"$user","accessKeyId":"$akia","status":"Inactive"}"#, ..B },
    Api { source: IAM, name: "DeleteAccessKey", ro: false, who: SSO | HCON, w: 1, global: true, req: r#"{"userName":"$user","accessKeyId":"$akia"}"#, ..B },
    Api { source: IAM, name: "AttachUserPolicy", ro: false, who: SSO, w: 1, global: true, req: r#"{"userName":"$user","policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}"#, ..B },
    Api { source: IAM, name: "AttachRolePolicy", ro: false, who: SSO | CI, w: 2, global: true, req: r#"{"roleName":"$role","policyArn":"arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"}"#, ..B },
    Api { source: IAM, name: "PutUserPolicy", ro: false, who: SSO, w: 0, global: true, req: r#"{"userName":"$user","policyName":"inline-$hex8","policyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::$bucket/*\"}]}"}"#, ..B },
    Api {
        source: IAM, name: "CreateRole", ro: false, who: SSO | CI, w: 1, global: true,
        req: r#"{"roleName":"$company-svc-$hex8","assumeRolePolicyDocument":"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sts:AssumeRole\"}]}"}"#,
        resp: r#"{"role":{"path":"/","roleName":"$company-svc-$hex8","roleId":"$aroa","arn":"arn:aws:iam::$acct:role/$company-svc-$hex8","createDate":"$evdate","assumeRolePolicyDocument":"%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22lambda.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D"}}"#, ..B
    },
    // ---------------------------------------------------------------- sign-in
    Api {
        source: SIGNIN, name: "ConsoleLogin", ro: false, who: HCON | ROOT, w: 12, global: true, login: true,
        err: 150, errs: &[("", "Failed authentication")],
        resp: r#"{"ConsoleLogin":"Success"}"#,
        extra: r#"{"LoginTo":"https://console.aws.amazon.com/console/home?state=hashArgs%23&isauthcode=true","MobileVersion":"No","MFAIdentifier":"arn:aws:iam::$acct:mfa/$self","MFAUsed":"Yes"}"#,
        host: "signin.aws.amazon.com", ver: "1.08", ..B
    },
    // ---------------------------------------------------------------- EC2
    Api { source: EC2, name: "DescribeInstances", who: OPS | SLR | EC2R, w: 40, noise: 12, req: r#"{"instancesSet":{},"filterSet":{}}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeInstanceStatus", who: OPS | SLR, w: 8, noise: 4, req: r#"{"instancesSet":{},"filterSet":{},"includeAllInstances":false}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeSecurityGroups", who: OPS | SLR, w: 14, noise: 8, req: r#"{"securityGroupSet":{},"securityGroupIdSet":{},"filterSet":{}}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeVpcs", who: OPS | SLR, w: 8, noise: 8, req: r#"{"vpcSet":{},"filterSet":{}}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeSubnets", who: OPS | SLR, w: 8, noise: 6, req: r#"{"subnetSet":{},"filterSet":{"items":[{"name":"vpc-id","valueSet":{"items":[{"value":"$vpc"}]}}]}}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeVolumes", who: OPS | SLR, w: 6, noise: 5, req: r#"{"volumeSet":{},"filterSet":{}}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeImages", who: OPS, w: 5, req: r#"{"executableBySet":{},"imagesSet":{"items":[{"imageId":"$ami"}]},"ownersSet":{},"filterSet":{}}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeRegions", who: OPS | SLR, w: 2, noise: 1, req: r#"{"regionSet":{},"allRegions":false}"#, ver: "1.09", ..B },
    Api { source: EC2, name: "DescribeKeyPairs", who: OPS, w: 2, req: r#"{"keySet":{},"filterSet":{}}"#, ver: "1.09", ..B },
    Api {
        source: EC2, name: "RunInstances", ro: false, who: CI | SSO, w: 2, err: 200,
        errs: &[AD, ("Client.InsufficientInstanceCapacity", "We currently do not have sufficient $bgtype capacity in the Availability Zone you requested ($az).")],
        req: r#"{"instancesSet":{"items":[{"imageId":"$ami","minCount":1,"maxCount":1}]},"instanceType":"$bgtype","blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false,"clientToken":"$uuid","subnetId":"$subnet"}"#,
        resp: r#"{"requestId":"$uuid","reservationId":"r-$hexid","ownerId":"$acct","groupSet":{},"instancesSet":{"items":[{"instanceId":"$newiid","imageId":"$ami","currentState":{"code":0,"name":"pending"},"amiLaunchIndex":0,"instanceType":"$bgtype","placement":{"availabilityZone":"$az","tenancy":"default"},"subnetId":"$subnet","vpcId":"$vpc","privateIpAddress":"10.0.$n.$n","groupSet":{"items":[{"groupId":"$sg","groupName":"default"}]}}]}}"#,
        ver: "1.09", ..B
    },
    Api {
        source: EC2, name: "TerminateInstances", ro: false, who: CI | SSO, w: 1,
        req: r#"{"instancesSet":{"items":[{"instanceId":"$iid"}]}}"#,
        resp: r#"{"requestId":"$uuid","instancesSet":{"items":[{"instanceId":"$iid","currentState":{"code":32,"name":"shutting-down"},"previousState":{"code":16,"name":"running"}}]}}"#,
        ver: "1.09", ..B
    },
    Api {
        source: EC2, name: "StartInstances", ro: false, who: HCON | SSO | LAMBDA, w: 1,
        req: r#"{"instancesSet":{"items":[{"instanceId":"$iid"}]}}"#,
        resp: r#"{"requestId":"$uuid","instancesSet":{"items":[{"instanceId":"$iid","currentState":{"code":0,"name":"pending"},"previousState":{"code":80,"name":"stopped"}}]}}"#,
        ver: "1.09", ..B
    },
    Api {
        source: EC2, name: "StopInstances", ro: false, who: HCON | SSO | LAMBDA, w: 1,
        req: r#"{"instancesSet":{"items":[{"instanceId":"$iid"}]},"force":false}"#,
        resp: r#"{"requestId":"$uuid","instancesSet":{"items":[{"instanceId":"$iid","currentState":{"code":64,"name":"stopping"},"previousState":{"code":16,"name":"running"}}]}}"#,
        ver: "1.09", ..B
    },
    Api {
        source: EC2, name: "CreateTags", ro: false, who: CI | LAMBDA, w: 3,
        req: r#"{"resourcesSet":{"items":[{"resourceId":"$iid"}]},"tagSet":{"items":[{"key":"backup","value":"daily"}]}}"#,
        resp: EC2OK, ver: "1.09", ..B
    },
    Api {
        source: EC2, name: "CreateSnapshot", ro: false, who: LAMBDA, w: 2,
        req: r#"{"volumeId":"vol-0$hexid","description":"nightly backup $logdate"}"#,
        resp: r#"{"requestId":"$uuid","snapshotId":"snap-0$hexid","volumeId":"vol-0$hexid","status":"pending","startTime":$epochms,"progress":"","ownerId":"$acct","volumeSize":$n,"encrypted":true}"#,
        ver: "1.09", ..B
    },
    Api {
        source: EC2, name: "AuthorizeSecurityGroupIngress", ro: false, who: CI | SSO, w: 1,
        req: r#"{"groupId":"$sg","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"groups":{},"ipRanges":{"items":[{"cidrIp":"10.0.0.0/16"}]},"ipv6Ranges":{},"prefixListIds":{}}]}}"#,
        resp: r#"{"requestId":"$uuid","_return":true,"securityGroupRuleSet":{"items":[{"groupOwnerId":"$acct","groupId":"$sg","securityGroupRuleId":"sgr-0$hexid","isEgress":false,"ipProtocol":"tcp","fromPort":443,"toPort":443,"cidrIpv4":"10.0.0.0/16"}]}}"#,
        ver: "1.09", ..B
    },
    Api {
        source: EC2, name: "ImportKeyPair", ro: false, who: SSO, w: 0,
        req: r#"{"keyName":"$self-laptop","publicKeyMaterial":"<sensitiveDataRemoved>"}"#,
        resp: r#"{"requestId":"$uuid","keyName":"$self-laptop","keyFingerprint":"$fingerprint","keyPairId":"key-0$hexid"}"#,
        ver: "1.09", ..B
    },
    // ---------------------------------------------------------------- S3
    Api { source: S3, name: "ListBuckets", who: OPS | SLR, w: 6, global: true, req: r#"{"Host":"s3.amazonaws.com"}"#, extra: S3EXTRA, host: "s3.amazonaws.com", ver: "1.09", ..B },
    Api { source: S3, name: "GetBucketLocation", who: OPS | APP, w: 8, req: r#"{"bucketName":"$bucket","Host":"$bucket.s3.$region.amazonaws.com","location":""}"#, extra: S3EXTRA, res: S3BUCKETRES, host: S3HOST, ver: "1.09", ..B },
    Api { source: S3, name: "GetBucketAcl", who: OPS | SLR, w: 5, noise: 3, req: r#"{"bucketName":"$bucket","Host":"$bucket.s3.$region.amazonaws.com","acl":""}"#, extra: S3EXTRA, res: S3BUCKETRES, host: S3HOST, ver: "1.09", ..B },
    Api {
        source: S3, name: "GetBucketPolicy", who: OPS | SLR, w: 4, noise: 2, err: 2500,
        errs: &[("NoSuchBucketPolicy", "The bucket policy does not exist")],
        req: r#"{"bucketName":"$bucket","Host":"$bucket.s3.$region.amazonaws.com","policy":""}"#, extra: S3EXTRA, res: S3BUCKETRES, host: S3HOST, ver: "1.09", ..B
    },
    Api { source: S3, name: "GetBucketEncryption", who: OPS | SLR, w: 3, noise: 2, req: r#"{"bucketName":"$bucket","Host":"$bucket.s3.$region.amazonaws.com","encryption":""}"#, extra: S3EXTRA, res: S3BUCKETRES, host: S3HOST, ver: "1.09", ..B },
    Api { source: S3, name: "PutBucketPolicy", ro: false, who: SSO | CI, w: 1, req: r#"{"bucketName":"$bucket","Host":"$bucket.s3.$region.amazonaws.com","policy":"","bucketPolicy":{"Version":"2012-10-17","Statement":[{"Sid":"DenyInsecureTransport","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::$bucket/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}}"#, extra: S3EXTRA, res: S3BUCKETRES, host: S3HOST, ver: "1.09", ..B },
    Api {
        source: S3, name: "GetObject", who: APP | CI | HCLI, w: 220, data: true, err: 60,
        errs: &[("NoSuchKey", "The specified key does not exist."), AD],
        req: r#"{"bucketName":"$bucket","Host":"$bucket.s3.$region.amazonaws.com","key":"$objkey"}"#,
        extra: r#"{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":0,"AuthenticationMethod":"AuthHeader","x-amz-id-2":"$amzid","bytesTransferredOut":$bytes}"#,
        res: r#"[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::$bucket/$objkey"},{"accountId":"$acct","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::$bucket"}]"#,
        host: S3HOST, ver: "1.09", ..B
    },
    Api {
        source: S3, name: "PutObject", ro: false, who: APP | CI, w: 90, data: true,
        req: r#"{"bucketName":"$bucket","Host":"$bucket.s3.$region.amazonaws.com","key":"$objkey"}"#,
        resp: r#"{"x-amz-server-side-encryption":"AES256"}"#,
        extra: r#"{"SignatureVersion":"SigV4","CipherSuite":"TLS_AES_128_GCM_SHA256","bytesTransferredIn":$bytes,"SSEApplied":"Default_SSE_S3","AuthenticationMethod":"AuthHeader","x-amz-id-2":"$amzid","bytesTransferredOut":0}"#,
        res: r#"[{"type":"AWS::S3::Object","ARN":"arn:aws:s3:::$bucket/$objkey"},{"accountId":"$acct","type":"AWS::S3::Bucket","ARN":"arn:aws:s3:::$bucket"}]"#,
        host: S3HOST, ver: "1.09", ..B
    },
    // Only the busy shape lists objects (its weight comes from `busy::heavy`).
    Api {
        source: S3, name: "ListObjects", who: APP | CI | HCLI, w: 0, data: true,
        req: r#"{"list-type":"2","bucketName":"$bucket","encoding-type":"url","max-keys":"1000","prefix":"","Host":"$bucket.s3.$region.amazonaws.com"}"#,
        extra: S3EXTRA, res: S3BUCKETRES, host: S3HOST, ver: "1.09", ..B
    },
    // ---------------------------------------------------------------- Lambda
    Api { source: LAM, name: "ListFunctions20150331", who: OPS | SLR, w: 4, noise: 4, ..B },
    Api { source: LAM, name: "GetFunction20150331v2", who: OPS, w: 5, req: r#"{"functionName":"$fn"}"#, ..B },
    Api {
        source: LAM, name: "UpdateFunctionCode20150331v2", ro: false, who: CI, w: 3,
        req: r#"{"functionName":"$fn","s3Bucket":"$company-artifacts","s3Key":"lambda/$fn/$hex32.zip","publish":false,"dryRun":false}"#,
        resp: r#"{"functionName":"$fn","functionArn":"arn:aws:lambda:$region:$acct:function:$fn","runtime":"python3.12","role":"arn:aws:iam::$acct:role/$fn-role","handler":"app.handler","codeSize":$bytes,"description":"","timeout":30,"memorySize":512,"lastModified":"$isotime","codeSha256":"$token","version":"$$LATEST","tracingConfig":{"mode":"PassThrough"},"revisionId":"$uuid","state":"Active","lastUpdateStatus":"InProgress","packageType":"Zip","architectures":["arm64"]}"#,
        ..B
    },
    // ---------------------------------------------------------------- KMS
    Api {
        source: KMS, name: "Decrypt", who: APP | SVC | CI, w: 40, noise: 1, errs: &[THROTTLE, AD],
        req: r#"{"encryptionAlgorithm":"SYMMETRIC_DEFAULT","encryptionContext":{"SecretARN":"arn:aws:secretsmanager:$region:$acct:secret:$secret-$hex8","SecretVersionId":"$uuid"}}"#,
        res: KMSRES, ..B
    },
    Api {
        source: KMS, name: "GenerateDataKey", who: APP | SVC, w: 18,
        req: r#"{"keyId":"arn:aws:kms:$region:$acct:key/$kmskey","keySpec":"AES_256","encryptionContext":{"aws:s3:arn":"arn:aws:s3:::$bucket"}}"#,
        res: KMSRES, ..B
    },
    Api { source: KMS, name: "DescribeKey", who: OPS | SLR, w: 3, noise: 2, req: r#"{"keyId":"$kmskey"}"#, res: KMSRES, ..B },
    Api { source: KMS, name: "ListAliases", who: OPS | SLR, w: 2, noise: 2, ..B },
    // ---------------------------------------------------------------- CloudWatch / Logs
    Api {
        source: CW, name: "GetMetricData", who: HCON | SSO | SLR, w: 12,
        req: r#"{"metricDataQueries":[{"id":"m1","metricStat":{"metric":{"namespace":"AWS/EC2","metricName":"CPUUtilization","dimensions":[{"name":"InstanceId","value":"$iid"}]},"period":300,"stat":"Average"},"returnData":true}],"startTime":"$pastiso","endTime":"$isotime"}"#,
        ..B
    },
    Api { source: CW, name: "DescribeAlarms", who: HUMAN | SLR, w: 6, noise: 2, req: r#"{"maxRecords":100}"#, ..B },
    Api { source: CW, name: "PutMetricAlarm", ro: false, who: CI, w: 1, req: r#"{"alarmName":"$fn-errors","metricName":"Errors","namespace":"AWS/Lambda","statistic":"Sum","dimensions":[{"name":"FunctionName","value":"$fn"}],"period":300,"evaluationPeriods":1,"threshold":1.0,"comparisonOperator":"GreaterThanOrEqualToThreshold"}"#, ..B },
    Api {
        source: LOGS, name: "CreateLogStream", ro: false, who: LAMBDA, w: 60, err: 10,
        errs: &[("ResourceAlreadyExistsException", "The specified log stream already exists")],
        req: r#"{"logGroupName":"/aws/lambda/$fn","logStreamName":"$logdate/[$$LATEST]$hex32"}"#, ..B
    },
    Api { source: LOGS, name: "DescribeLogGroups", who: HUMAN | SLR, w: 4, noise: 2, req: r#"{"limit":50}"#, ..B },
    Api { source: LOGS, name: "FilterLogEvents", who: HCON | SSO, w: 5, req: r#"{"logGroupName":"/aws/lambda/$fn","startTime":$epochms,"filterPattern":"ERROR","interleaved":true}"#, ..B },
    Api { source: LOGS, name: "CreateLogGroup", ro: false, who: CI, w: 1, err: 500, errs: &[("ResourceAlreadyExistsException", "The specified log group already exists")], req: r#"{"logGroupName":"/aws/lambda/$fn"}"#, ..B },
    // ---------------------------------------------------------------- SSM
    Api {
        source: SSM, name: "UpdateInstanceInformation", ro: false, who: AGENT, w: 45, err: 0,
        req: r#"{"instanceId":"$selfsess","agentVersion":"3.3.131.0","agentName":"amazon-ssm-agent","platformType":"Linux","platformName":"Amazon Linux","platformVersion":"2023","iPAddress":"10.0.$n.$n","computerName":"ip-10-0-$n-$n.ec2.internal","agentStatus":"Active","availabilityZone":"$az"}"#,
        ..B
    },
    Api { source: SSM, name: "ListInstanceAssociations", who: AGENT, w: 20, err: 0, req: r#"{"instanceId":"$selfsess","maxResults":20}"#, ..B },
    Api { source: SSM, name: "GetParameter", who: APP | CI, w: 14, err: 100, errs: &[("ParameterNotFound", ""), THROTTLE, AD], req: r#"{"name":"/$company/prod/$param","withDecryption":true}"#, ..B },
    Api { source: SSM, name: "GetParameters", who: APP | CI, w: 6, req: r#"{"names":["/$company/prod/$param"],"withDecryption":true}"#, ..B },
    Api { source: SSM, name: "DescribeInstanceInformation", who: HUMAN | SLR, w: 2, noise: 1, req: r#"{"maxResults":50}"#, ..B },
    // ---------------------------------------------------------------- Secrets Manager
    Api { source: SM, name: "GetSecretValue", who: APP | CI, w: 12, req: r#"{"secretId":"$secret"}"#, ..B },
    Api { source: SM, name: "DescribeSecret", who: OPS | SLR, w: 2, req: r#"{"secretId":"$secret"}"#, ..B },
    Api { source: SM, name: "ListSecrets", who: HUMAN | SLR, w: 1, noise: 1, ..B },
    // ---------------------------------------------------------------- DynamoDB
    Api { source: DDB, name: "DescribeTable", who: APP | CI | SLR, w: 10, noise: 1, err: 50, errs: &[("ResourceNotFoundException", "Requested resource not found: Table: $table not found")], req: r#"{"tableName":"$table"}"#, ..B },
    Api { source: DDB, name: "ListTables", who: OPS | SLR, w: 3, noise: 2, ..B },
    Api { source: DDB, name: "DescribeContinuousBackups", who: SLR, w: 2, noise: 1, req: r#"{"tableName":"$table"}"#, ..B },
    // ---------------------------------------------------------------- RDS
    Api { source: RDS, name: "DescribeDBInstances", who: OPS | SLR, w: 5, noise: 4, ..B },
    Api { source: RDS, name: "DescribeDBClusters", who: OPS | SLR, w: 2, noise: 2, ..B },
    Api {
        source: RDS, name: "CreateDBSnapshot", ro: false, who: LAMBDA, w: 1,
        req: r#"{"dBSnapshotIdentifier":"$db-$hex8","dBInstanceIdentifier":"$db"}"#,
        resp: r#"{"dBSnapshotIdentifier":"$db-$hex8","dBInstanceIdentifier":"$db","engine":"postgres","allocatedStorage":100,"status":"creating","port":5432,"availabilityZone":"$az","vpcId":"$vpc","masterUsername":"app","engineVersion":"16.3","snapshotType":"manual","encrypted":true,"dBSnapshotArn":"arn:aws:rds:$region:$acct:snapshot:$db-$hex8"}"#,
        ..B
    },
    // ---------------------------------------------------------------- CloudTrail
    Api { source: CT, name: "DescribeTrails", who: HUMAN | SLR, w: 2, noise: 3, req: r#"{"includeShadowTrails":true}"#, ver: "1.09", ..B },
    Api { source: CT, name: "GetTrailStatus", who: HUMAN | SLR, w: 2, noise: 2, req: r#"{"name":"arn:aws:cloudtrail:us-east-1:$acct:trail/$trail"}"#, ver: "1.09", ..B },
    Api { source: CT, name: "GetEventSelectors", who: SLR, w: 1, noise: 1, req: r#"{"trailName":"arn:aws:cloudtrail:us-east-1:$acct:trail/$trail"}"#, ver: "1.09", ..B },
    Api { source: CT, name: "LookupEvents", who: HCON | SSO, w: 3, req: r#"{"startTime":"$pastiso","endTime":"$isotime","maxResults":50}"#, ver: "1.09", ..B },
    Api { source: CT, name: "StopLogging", ro: false, who: SSO, w: 0, req: r#"{"name":"arn:aws:cloudtrail:us-east-1:$acct:trail/$trail"}"#, ver: "1.09", ..B },
    // ---------------------------------------------------------------- Config
    Api { source: CFG, name: "PutEvaluations", ro: false, who: LAMBDA, w: 4, req: r#"{"evaluations":[{"complianceResourceType":"AWS::EC2::Instance","complianceResourceId":"$iid","complianceType":"COMPLIANT","orderingTimestamp":"$isotime"}],"resultToken":"$token","testMode":false}"#, ..B },
    Api { source: CFG, name: "DescribeConfigRules", who: HUMAN | SLR, w: 1, noise: 1, ..B },
    Api { source: CFG, name: "DescribeConfigurationRecorderStatus", who: SLR, w: 1, noise: 2, ..B },
    // ---------------------------------------------------------------- Organizations / ECR
    Api { source: ORG, name: "DescribeOrganization", who: OPS | SLR, w: 2, global: true, err: 0, ..B },
    Api { source: ORG, name: "ListAccounts", who: HUMAN, w: 1, global: true, ..B },
    Api { source: ECR, name: "GetAuthorizationToken", who: CI | EC2R, w: 6, err: 0, ..B },
];

/// Index of the first catalogue row with this eventName.
pub(crate) fn find(name: &str) -> Option<usize> {
    CATALOGUE.iter().position(|a| a.name == name)
}

/// IAM action prefix of an event source, e.g. `monitoring.amazonaws.com` -> `cloudwatch`.
pub(crate) fn action_prefix(source: &str) -> &str {
    match source {
        CW => "cloudwatch",
        _ => source.split('.').next().unwrap_or(source),
    }
}

/// IAM action name of an eventName (`ListFunctions20150331` -> `ListFunctions`).
pub(crate) fn action_name(name: &str) -> &str {
    match name.find(|c: char| c.is_ascii_digit()) {
        Some(i) => &name[..i],
        None => name,
    }
}

/// `aws-cli` command of an API, e.g. `ec2.describe-instances`, used in v2 user agents.
pub(crate) fn cli_command(api: &Api) -> String {
    let svc = match action_prefix(api.source) {
        "s3" => "s3api",
        "monitoring" => "cloudwatch",
        p => p,
    };
    let mut out = String::with_capacity(48);
    out.push_str(svc);
    out.push('.');
    for (i, c) in action_name(api.name).chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('-');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_is_big_varied_and_consistent() {
        assert!(CATALOGUE.len() >= 40);
        let mut sources: Vec<&str> = CATALOGUE.iter().map(|a| a.source).collect();
        sources.sort();
        sources.dedup();
        assert!(sources.len() >= 14, "{sources:?}");
        // An eventName keeps one source, read-only flag and category across rows.
        for a in CATALOGUE {
            let first = &CATALOGUE[find(a.name).unwrap()];
            assert_eq!(
                (first.source, first.ro, first.data, first.global),
                (a.source, a.ro, a.data, a.global),
                "{}",
                a.name
            );
            assert!(a.who != 0, "{} has no caller class", a.name);
            assert!(a.errs.len() <= 4);
        }
        for class in [HCLI, HCON, SSO, CI, LAMBDA, EC2R, SVC, SLR, ROOT, AGENT] {
            assert!(
                CATALOGUE.iter().any(|a| a.who & class != 0 && a.w > 0),
                "class {class} unused"
            );
        }
        assert!(CATALOGUE.iter().any(|a| a.noise > 0 && a.who & SLR != 0));
    }

    #[test]
    fn action_and_cli_names() {
        let f = &CATALOGUE[find("ListFunctions20150331").unwrap()];
        assert_eq!(action_name(f.name), "ListFunctions");
        assert_eq!(cli_command(f), "lambda.list-functions");
        assert_eq!(
            cli_command(&CATALOGUE[find("DescribeInstances").unwrap()]),
            "ec2.describe-instances"
        );
        assert_eq!(
            cli_command(&CATALOGUE[find("ListBuckets").unwrap()]),
            "s3api.list-buckets"
        );
        assert_eq!(action_prefix(CW), "cloudwatch");
    }
}
