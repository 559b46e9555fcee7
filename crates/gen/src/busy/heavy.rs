//! The busy shape's large responses, as data: list placeholders (an item
//! template repeated a drawn number of times), how many items a list has
//! (bands with a long tail), the tag table, and the catalogue rows whose
//! weight or response differ in the busy shape.
//!
//! A busy account's trail is dominated by small records (S3 data events, KMS
//! calls by services, role sessions) with a tail of very large ones:
//! DescribeInstances over many reservations, DescribeSecurityGroups with their
//! rules, ListObjects pages, DescribeVolumes. The weights below give an
//! average record of about 1.3 KB with a tail up to about 100 KB.

use crate::catalog::SVC;
use crate::template::Var;

/// A range of item counts drawn with probability `percent` / 100.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Band {
    /// Chance of this band, in percent (a list's bands sum to 100).
    pub percent: u32,
    /// Fewest items.
    pub lo: u32,
    /// Most items.
    pub hi: u32,
}

/// A list placeholder: `var` expands to `item` repeated, comma-separated.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ListSpec {
    /// The placeholder.
    pub var: Var,
    /// Template of one item (may hold nested lists).
    pub item: &'static str,
    /// How many items.
    pub counts: &'static [Band],
}

const fn band(percent: u32, lo: u32, hi: u32) -> Band {
    Band { percent, lo, hi }
}

const INSTANCE: &str = r#"{"instanceId":"$newiid","imageId":"$ami","instanceState":{"code":16,"name":"running"},"privateDnsName":"ip-$privdns.$region.compute.internal","dnsName":"","keyName":"$company-$region","amiLaunchIndex":0,"productCodes":{},"instanceType":"$bgtype","launchTime":$epochms,"placement":{"availabilityZone":"$az","groupName":"","tenancy":"default"},"monitoring":{"state":"disabled"},"subnetId":"$subnet","vpcId":"$vpc","privateIpAddress":"$privip","sourceDestCheck":true,"groupSet":{"items":[{"groupId":"$sg","groupName":"$company-app"}]},"architecture":"x86_64","rootDeviceType":"ebs","rootDeviceName":"/dev/xvda","blockDeviceMapping":{"items":[$bdms]},"virtualizationType":"hvm","clientToken":"$uuid","tagSet":{"items":[$tags]},"hypervisor":"xen","networkInterfaceSet":{"items":[$enis]},"ebsOptimized":true,"enaSupport":true,"cpuOptions":{"coreCount":1,"threadsPerCore":2},"capacityReservationSpecification":{"capacityReservationPreference":"open"},"hibernationOptions":{"configured":false},"enclaveOptions":{"enabled":false},"metadataOptions":{"state":"applied","httpTokens":"required","httpPutResponseHopLimit":2,"httpEndpoint":"enabled","httpProtocolIpv6":"disabled","instanceMetadataTags":"disabled"},"maintenanceOptions":{"autoRecovery":"default"},"currentInstanceBootMode":"legacy-bios","platformDetails":"Linux/UNIX","usageOperation":"RunInstances","usageOperationUpdateTime":$epochms,"privateDnsNameOptions":{"hostnameType":"ip-name","enableResourceNameDnsARecord":false,"enableResourceNameDnsAAAARecord":false}}"#;

const ENI: &str = r#"{"networkInterfaceId":"eni-0$hexid","subnetId":"$subnet","vpcId":"$vpc","description":"","ownerId":"$acct","status":"in-use","macAddress":"$mac","privateIpAddress":"$privip","privateDnsName":"ip-$privdns.$region.compute.internal","sourceDestCheck":true,"groupSet":{"items":[{"groupId":"$sg","groupName":"$company-app"}]},"attachment":{"attachmentId":"eni-attach-0$hexid2","deviceIndex":$idx,"networkCardIndex":0,"status":"attached","attachTime":$epochms,"deleteOnTermination":true},"privateIpAddressesSet":{"item":[{"privateIpAddress":"$privip","privateDnsName":"ip-$privdns.$region.compute.internal","primary":true}]},"ipv6AddressesSet":{},"tagSet":{},"interfaceType":"interface"}"#;

const SG_INFO: &str = r#"{"ownerId":"$acct","groupId":"sg-0$hexid","groupName":"$company-$hex8","groupDescription":"Managed by Terraform","vpcId":"$vpc","ipPermissions":{"items":[$perms]},"ipPermissionsEgress":{"items":[{"ipProtocol":"-1","groups":{},"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]},"ipv6Ranges":{},"prefixListIds":{}}]},"tagSet":{"items":[$tags]}}"#;

const VOLUME: &str = r#"{"volumeId":"vol-0$hexid","size":$n,"snapshotId":"snap-0$hexid2","availabilityZone":"$az","status":"in-use","createTime":$epochms,"attachmentSet":{"items":[{"volumeId":"vol-0$hexid","instanceId":"$iid","device":"/dev/xvda","status":"attached","attachTime":$epochms,"deleteOnTermination":true}]},"volumeType":"gp3","iops":3000,"encrypted":true,"kmsKeyId":"arn:aws:kms:$region:$acct:key/$kmskey","tagSet":{"items":[$tags]},"multiAttachEnabled":false,"throughput":125}"#;

/// Every list placeholder of the busy shape.
pub(crate) static LISTS: &[ListSpec] = &[
    ListSpec {
        var: Var::Reservations,
        item: r#"{"reservationId":"r-0$hexid","ownerId":"$acct","groupSet":{},"instancesSet":{"items":[$instances]}}"#,
        counts: &[
            band(60, 1, 1),
            band(28, 2, 4),
            band(10, 5, 8),
            band(2, 9, 14),
        ],
    },
    ListSpec {
        var: Var::Instances,
        item: INSTANCE,
        counts: &[band(85, 1, 1), band(13, 2, 3), band(2, 4, 5)],
    },
    ListSpec {
        var: Var::Bdms,
        item: r#"{"deviceName":"$devname","ebs":{"volumeId":"vol-0$hexid","status":"attached","attachTime":$epochms,"deleteOnTermination":true}}"#,
        counts: &[band(70, 1, 1), band(30, 2, 3)],
    },
    ListSpec {
        var: Var::Enis,
        item: ENI,
        counts: &[band(85, 1, 1), band(15, 2, 3)],
    },
    ListSpec {
        var: Var::Tags,
        item: "$tag",
        counts: &[band(40, 2, 3), band(45, 4, 6), band(15, 7, 9)],
    },
    ListSpec {
        var: Var::SgInfos,
        item: SG_INFO,
        counts: &[band(55, 1, 3), band(35, 4, 10), band(10, 11, 30)],
    },
    ListSpec {
        var: Var::Perms,
        item: r#"{"ipProtocol":"tcp","fromPort":$port,"toPort":$port,"groups":{},"ipRanges":{"items":[$cidrs]},"ipv6Ranges":{},"prefixListIds":{}}"#,
        counts: &[band(60, 1, 2), band(30, 3, 5), band(10, 6, 10)],
    },
    ListSpec {
        var: Var::Cidrs,
        item: r#"{"cidrIp":"10.$octet.0.0/16","description":"vpc $octet"}"#,
        counts: &[band(70, 1, 1), band(30, 2, 4)],
    },
    ListSpec {
        var: Var::Objects,
        item: r#"{"Key":"$objkey","LastModified":"$pastiso","ETag":"\"$hex32\"","Size":$bytes,"StorageClass":"STANDARD"}"#,
        counts: &[
            band(60, 1, 10),
            band(30, 11, 40),
            band(9, 41, 150),
            band(1, 151, 400),
        ],
    },
    ListSpec {
        var: Var::Vols,
        item: VOLUME,
        counts: &[band(50, 1, 5), band(35, 6, 20), band(15, 21, 50)],
    },
];

/// Tag keys and the values each takes (`Name` values get a number).
pub(crate) static TAGS: &[(&str, &[&str])] = &[
    (
        "Name",
        &[
            "web", "api", "worker", "batch", "db-proxy", "bastion", "etl",
        ],
    ),
    ("env", &["prod", "prod", "staging", "dev"]),
    (
        "team",
        &["platform", "payments", "data", "growth", "security"],
    ),
    ("cost-center", &["cc-1042", "cc-2210", "cc-3307", "cc-4100"]),
    ("managed-by", &["terraform", "cloudformation", "eksctl"]),
    ("backup", &["daily", "weekly", "none"]),
    ("owner", &["sre", "data-eng", "backend"]),
    (
        "service",
        &["checkout", "search", "ingest", "billing", "auth"],
    ),
    ("compliance", &["pci", "sox", "none"]),
];

/// Ports security group rules open.
pub(crate) static PORTS: &[u16] = &[22, 80, 443, 3306, 5432, 6379, 8080, 8443, 9090, 27017];

/// A caller class whose identities weigh more in the busy shape.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ClassFactor {
    /// The caller class (a bit of [`crate::catalog`]'s masks).
    pub class: u16,
    /// Multiplier of its identities' weights.
    pub factor: u64,
}

/// AWS services acting for the account (KMS calls for S3 and Lambda, role
/// sessions for functions and instances) make most of a busy trail's records.
pub(crate) static BUSY_CLASSES: &[ClassFactor] = &[ClassFactor {
    class: SVC,
    factor: 28,
}];

/// How a catalogue row differs in the busy shape.
#[derive(Clone, Copy, Debug)]
pub(crate) struct BusyRow {
    /// eventName of the rows changed (every row with this name).
    pub name: &'static str,
    /// Relative weight in home regions (replaces `Api::w`).
    pub w: u32,
    /// Relative weight in the other regions' service noise (replaces `Api::noise`).
    pub noise: u32,
    /// Response template ("" keeps the catalogue's).
    pub resp: &'static str,
}

/// The busy shape's changes to the catalogue; rows not listed keep theirs.
pub(crate) static BUSY_ROWS: &[BusyRow] = &[
    BusyRow {
        name: "DescribeInstances",
        w: 5,
        noise: 2,
        resp: r#"{"requestId":"$uuid","reservationSet":{"items":[$reservations]}}"#,
    },
    BusyRow {
        name: "DescribeSecurityGroups",
        w: 3,
        noise: 2,
        resp: r#"{"requestId":"$uuid","securityGroupInfo":{"items":[$sginfos]}}"#,
    },
    BusyRow {
        name: "DescribeVolumes",
        w: 2,
        noise: 1,
        resp: r#"{"requestId":"$uuid","volumeSet":{"items":[$vols]}}"#,
    },
    BusyRow {
        name: "ListObjects",
        w: 12,
        noise: 0,
        resp: r#"{"ListBucketResult":{"xmlns":"http://s3.amazonaws.com/doc/2006-03-01/","Name":"$bucket","Prefix":"","MaxKeys":1000,"IsTruncated":false,"Contents":[$objects]}}"#,
    },
    BusyRow {
        name: "GetObject",
        w: 300,
        noise: 0,
        resp: "",
    },
    BusyRow {
        name: "PutObject",
        w: 100,
        noise: 0,
        resp: "",
    },
    BusyRow {
        name: "Decrypt",
        w: 260,
        noise: 20,
        resp: "",
    },
    BusyRow {
        name: "GenerateDataKey",
        w: 90,
        noise: 6,
        resp: "",
    },
    BusyRow {
        name: "AssumeRole",
        w: 120,
        noise: 10,
        resp: "",
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog;
    use crate::template::Template;

    #[test]
    fn bands_sum_to_100_and_templates_compile() {
        for l in LISTS {
            assert_eq!(
                l.counts.iter().map(|b| b.percent).sum::<u32>(),
                100,
                "{:?}",
                l.var
            );
            assert!(l.counts.iter().all(|b| 1 <= b.lo && b.lo <= b.hi));
            Template::compile(l.item, "list").unwrap();
        }
        for r in BUSY_ROWS {
            assert!(catalog::find(r.name).is_some(), "{} not catalogued", r.name);
            Template::compile(r.resp, r.name).unwrap();
        }
        assert!(TAGS.iter().all(|(_, v)| !v.is_empty()));
    }
}
