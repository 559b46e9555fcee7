//! Tiny JSON-fragment templates used by the API catalogue and the incident
//! scenario, so that both stay *data*.
//!
//! A template is literal JSON text with `$name` placeholders (`name` is
//! `[a-z0-9]+`, `$$` is a literal dollar). Placeholders expand to generated
//! values that never need JSON escaping (identifiers, hex, dates, numbers),
//! so a template whose literal parts are valid JSON expands to valid JSON.
//! Templates are compiled once per `generate` call into segments; unknown
//! placeholder names are reported as [`GenError::Template`].

use crate::GenError;

macro_rules! vars {
    ($($variant:ident = $name:literal),* $(,)?) => {
        /// A placeholder; see the table in this module's source for meanings.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub(crate) enum Var { $($variant),* }

        impl Var {
            fn from_name(name: &str) -> Option<Var> {
                match name { $($name => Some(Var::$variant),)* _ => None }
            }
        }
    };
}

vars! {
    // account / place / time
    Acct = "acct",             // recipient account id
    Region = "region",         // awsRegion of the event
    Az = "az",                 // an availability zone of the region
    Company = "company",       // company slug (resource names)
    IsoTime = "isotime",       // event time, ISO
    PastIso = "pastiso",       // event time minus 3 hours, ISO
    EvDate = "evdate",         // event time, IAM Java style
    ExpDate = "expdate",       // event time + 1 hour, IAM Java style
    LogDate = "logdate",       // event date YYYY/MM/DD
    EpochMs = "epochms",       // event time minus 1 hour, epoch millis
    // fresh or per-record random values
    Uuid = "uuid",             // fresh UUID on every use
    Hex8 = "hex8",             // 8 hex digits, same within a record
    Hex32 = "hex32",           // 32 hex digits, same within a record
    HexId = "hexid",           // 17 hex digits (sgr-, r-, vol-, snap- ids)
    N = "n",                   // small number 1..250
    Bytes = "bytes",           // object size in bytes
    Asia = "asia",             // fresh-looking temporary key id
    Akia = "akia",             // long-term key id
    Aroa = "aroa",             // role unique id
    Aida = "aida",             // user unique id
    Token = "token",           // session token blob
    AmzId = "amzid",           // S3 x-amz-id-2
    BgType = "bgtype",         // an everyday instance type
    NewIid = "newiid",         // a new instance id
    // world resources (same within a record)
    Bucket = "bucket",
    ObjKey = "objkey",
    Iid = "iid",               // a running instance of the region
    Ami = "ami",
    Sg = "sg",
    Vpc = "vpc",
    Subnet = "subnet",
    User = "user",             // an IAM user of the account
    Role = "role",             // an IAM role of the account
    Fn = "fn",                 // a Lambda function
    Table = "table",           // a DynamoDB table
    Db = "db",                 // an RDS instance
    Secret = "secret",
    Param = "param",           // SSM parameter leaf name
    KmsKey = "kmskey",         // KMS key id
    Trail = "trail",           // the account's trail name
    // about the caller
    SelfName = "self",         // caller's user/role name
    SelfSess = "selfsess",     // caller's role session name
    CallerArn = "callerarn",   // caller's ARN
    Action = "action",         // IAM action of the API, e.g. ec2:RunInstances
    SvcRole = "svcrole",       // role a service principal assumes
    SvcSess = "svcsess",       // session name of that role
    // incident scenario
    Victim = "victim",         // IAM user whose key leaked
    LeakedKey = "leakedkey",   // its AKIA key
    NewUser = "newuser",       // user created by the attacker
    NewKey = "newkey",         // key created for it
    NewRole = "newrole",       // backdoor role
    ExtAcct = "extacct",       // attacker's external account
    KeyName = "keyname",       // imported key pair name
    IType = "itype",           // instance type of the step's launch
    Count = "count",           // instance count of the step's launch
    IItems = "iitems",         // RunInstances response items of the launch
    TItems = "titems",         // TerminateInstances items of the launch
    ReqItems = "reqitems",     // instance id request items of the launch
    AttSg = "attsg",           // security group opened by the attacker
    Fingerprint = "fingerprint", // key pair fingerprint
    // busy shape: lists (an item template repeated; see `crate::busy::heavy`)
    Reservations = "reservations", // DescribeInstances reservations
    Instances = "instances",   // instances of a reservation
    Bdms = "bdms",             // block device mappings of an instance
    Enis = "enis",             // network interfaces of an instance
    Tags = "tags",             // a tag set's items
    SgInfos = "sginfos",       // DescribeSecurityGroups groups
    Perms = "perms",           // ingress rules of a group
    Cidrs = "cidrs",           // address ranges of a rule
    Objects = "objects",       // ListObjects contents
    Vols = "vols",             // DescribeVolumes volumes
    // busy shape: values inside list items
    Tag = "tag",               // one {"key":…,"value":…} of a tag table
    Idx = "idx",               // index of the current list item
    DevName = "devname",       // block device name of the current item
    PrivIp = "privip",         // private IPv4 address, same within an item
    PrivDns = "privdns",       // the same address dashed (ip-10-0-1-2)
    Mac = "mac",               // MAC address
    Octet = "octet",           // a fresh 0..=255 on every use
    Port = "port",             // a well-known service port
    HexId2 = "hexid2",         // a second 17-hex id (snap- beside vol-)
}

/// A compiled template segment.
#[derive(Clone, Debug)]
pub(crate) enum Seg {
    Lit(&'static str),
    Var(Var),
}

/// A compiled template: literal text interleaved with placeholders.
#[derive(Clone, Debug, Default)]
pub(crate) struct Template {
    pub segs: Vec<Seg>,
}

impl Template {
    /// Compiles `src`; `what` names the template in error messages.
    pub(crate) fn compile(src: &'static str, what: &str) -> Result<Template, GenError> {
        let mut segs = Vec::new();
        let bytes = src.as_bytes();
        let mut lit_start = 0;
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b'$' {
                i += 1;
                continue;
            }
            if i > lit_start {
                segs.push(Seg::Lit(&src[lit_start..i]));
            }
            if bytes.get(i + 1) == Some(&b'$') {
                segs.push(Seg::Lit("$"));
                i += 2;
                lit_start = i;
                continue;
            }
            let start = i + 1;
            let mut end = start;
            while end < bytes.len()
                && (bytes[end].is_ascii_lowercase() || bytes[end].is_ascii_digit())
            {
                end += 1;
            }
            let name = &src[start..end];
            let var = Var::from_name(name).ok_or_else(|| {
                GenError::Template(format!("{what}: unknown placeholder ${name} in {src}"))
            })?;
            segs.push(Seg::Var(var));
            i = end;
            lit_start = end;
        }
        if lit_start < bytes.len() {
            segs.push(Seg::Lit(&src[lit_start..]));
        }
        Ok(Template { segs })
    }

    /// True for the empty template (field absent).
    pub(crate) fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_placeholders_and_dollars() {
        let t =
            Template::compile(r#"{"a":"$bucket.s3.$region","v":"$$LATEST","n":$n}"#, "t").unwrap();
        let kinds: Vec<String> = t
            .segs
            .iter()
            .map(|s| match s {
                Seg::Lit(l) => format!("L{l}"),
                Seg::Var(v) => format!("V{v:?}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                r#"L{"a":""#,
                "VBucket",
                "L.s3.",
                "VRegion",
                r#"L","v":""#,
                "L$",
                r#"LLATEST","n":"#,
                "VN",
                "L}"
            ]
        );
        assert!(Template::compile("$nosuchvar", "t").is_err());
        assert!(Template::compile("", "t").unwrap().is_empty());
        assert!((Var::HexId2 as usize) < 128, "cache mask is a u128");
    }
}
