//! Which OCSF 1.1 class and activity an event is, as data.

use cloudcase_event::detail::FlowAction;
use cloudcase_event::{Detail, Event, LogSource};

/// An OCSF class the export writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    /// API Activity (6003): CloudTrail calls and S3 server access log requests.
    ApiActivity,
    /// Authentication (3002): CloudTrail sign-in events.
    Authentication,
    /// Account Change (3001): IAM user, credential, MFA, password and user policy changes.
    AccountChange,
    /// Network Activity (4001): VPC flow records.
    NetworkActivity,
    /// DNS Activity (4003): Route 53 Resolver queries.
    DnsActivity,
    /// Detection Finding (2004): GuardDuty findings.
    DetectionFinding,
}

/// One class: bit in the field map's masks, uid, names, category.
pub struct ClassInfo {
    /// The class.
    pub class: Class,
    /// Its bit in [`super::fields::Field::classes`].
    pub bit: u8,
    /// `class_uid`.
    pub uid: i64,
    /// `class_name`.
    pub name: &'static str,
    /// `category_uid`.
    pub category_uid: i64,
    /// `category_name`.
    pub category_name: &'static str,
    /// The class's activities: `activity_id` and `activity_name` (99 Other is implied).
    pub activities: &'static [(i64, &'static str)],
}

/// Every class written.
pub const CLASSES: &[ClassInfo] = &[
    ClassInfo {
        class: Class::ApiActivity,
        bit: 1,
        uid: 6003,
        name: "API Activity",
        category_uid: 6,
        category_name: "Application Activity",
        activities: &[(1, "Create"), (2, "Read"), (3, "Update"), (4, "Delete")],
    },
    ClassInfo {
        class: Class::Authentication,
        bit: 2,
        uid: 3002,
        name: "Authentication",
        category_uid: 3,
        category_name: "Identity & Access Management",
        activities: &[(1, "Logon"), (2, "Logoff")],
    },
    ClassInfo {
        class: Class::AccountChange,
        bit: 4,
        uid: 3001,
        name: "Account Change",
        category_uid: 3,
        category_name: "Identity & Access Management",
        activities: &[
            (1, "Create"),
            (2, "Enable"),
            (3, "Password Change"),
            (4, "Password Reset"),
            (5, "Disable"),
            (6, "Delete"),
            (7, "Attach Policy"),
            (8, "Detach Policy"),
            (10, "MFA Factor Enable"),
            (11, "MFA Factor Disable"),
        ],
    },
    ClassInfo {
        class: Class::NetworkActivity,
        bit: 8,
        uid: 4001,
        name: "Network Activity",
        category_uid: 4,
        category_name: "Network Activity",
        activities: &[(5, "Refuse"), (6, "Traffic")],
    },
    ClassInfo {
        class: Class::DnsActivity,
        bit: 16,
        uid: 4003,
        name: "DNS Activity",
        category_uid: 4,
        category_name: "Network Activity",
        activities: &[(2, "Response")],
    },
    ClassInfo {
        class: Class::DetectionFinding,
        bit: 32,
        uid: 2004,
        name: "Detection Finding",
        category_uid: 2,
        category_name: "Findings",
        activities: &[(1, "Create")],
    },
];

/// Mask bits, for the field map.
pub const API: u8 = 1;
/// Authentication.
pub const AUTH: u8 = 2;
/// Account Change.
pub const ACCT: u8 = 4;
/// Network Activity.
pub const NET: u8 = 8;
/// DNS Activity.
pub const DNS: u8 = 16;
/// Detection Finding.
pub const FIND: u8 = 32;
/// API Activity, Authentication and Account Change: the classes of calls.
pub const CALLS: u8 = API | AUTH | ACCT;
/// Every class.
pub const ALL: u8 = 63;

/// Sign-in events (event source `signin.amazonaws.com`) are Authentication: this activity.
const SIGN_IN: &[(&str, i64)] = &[("ConsoleLogin", 1), ("ConsoleLogout", 2)];

/// IAM (`iam.amazonaws.com`) calls that are Account Change, and their activity.
const ACCOUNT_CHANGES: &[(&str, i64)] = &[
    ("CreateUser", 1),
    ("DeleteUser", 6),
    ("ChangePassword", 3),
    ("CreateLoginProfile", 3),
    ("UpdateLoginProfile", 4),
    ("DeleteLoginProfile", 5),
    ("EnableMFADevice", 10),
    ("DeactivateMFADevice", 11),
    ("AttachUserPolicy", 7),
    ("PutUserPolicy", 7),
    ("DetachUserPolicy", 8),
    ("DeleteUserPolicy", 8),
    ("CreateAccessKey", 99),
    ("UpdateAccessKey", 99),
    ("DeleteAccessKey", 99),
];

/// API Activity's activity by the operation's first word; read-only calls otherwise Read.
const API_VERBS: &[(&str, i64)] = &[
    ("Create", 1),
    ("Put", 1),
    ("Run", 1),
    ("Add", 1),
    ("Copy", 1),
    ("Get", 2),
    ("Describe", 2),
    ("List", 2),
    ("Head", 2),
    ("Lookup", 2),
    ("Search", 2),
    ("Update", 3),
    ("Modify", 3),
    ("Set", 3),
    ("Attach", 3),
    ("Detach", 3),
    ("Enable", 3),
    ("Disable", 3),
    ("Delete", 4),
    ("Remove", 4),
    ("Terminate", 4),
];

fn lookup(table: &[(&str, i64)], name: &str) -> Option<i64> {
    table.iter().find(|(n, _)| *n == name).map(|(_, a)| *a)
}

/// The class and `activity_id` of `e`; `None` for a log with no OCSF class (billing).
pub fn classify(e: &Event) -> Option<(&'static ClassInfo, i64)> {
    let (class, activity) = match e.source {
        LogSource::Billing => return None,
        LogSource::VpcFlow => {
            let activity = match e.detail.as_deref() {
                Some(Detail::Flow(f)) if f.action == FlowAction::Reject => 5,
                Some(Detail::Flow(f)) if f.action == FlowAction::Accept => 6,
                _ => 99,
            };
            (Class::NetworkActivity, activity)
        }
        LogSource::Route53Resolver => (Class::DnsActivity, 2),
        LogSource::GuardDuty => (Class::DetectionFinding, 1),
        LogSource::CloudTrail if e.event_source == "signin.amazonaws.com" => (
            Class::Authentication,
            lookup(SIGN_IN, &e.event_name).unwrap_or(99),
        ),
        LogSource::CloudTrail
            if e.event_source == "iam.amazonaws.com"
                && lookup(ACCOUNT_CHANGES, &e.event_name).is_some() =>
        {
            (
                Class::AccountChange,
                lookup(ACCOUNT_CHANGES, &e.event_name).unwrap_or(99),
            )
        }
        LogSource::CloudTrail | LogSource::S3Access => (Class::ApiActivity, api_activity(e)),
    };
    let info = CLASSES.iter().find(|c| c.class == class)?;
    Some((info, activity))
}

fn api_activity(e: &Event) -> i64 {
    let verb_end = e
        .event_name
        .char_indices()
        .skip(1)
        .find(|(_, c)| c.is_ascii_uppercase())
        .map_or(e.event_name.len(), |(i, _)| i);
    lookup(API_VERBS, &e.event_name[..verb_end]).unwrap_or(if e.read_only == Some(true) {
        2
    } else {
        99
    })
}

impl ClassInfo {
    /// `activity_name` of `activity`.
    pub fn activity_name(&self, activity: i64) -> &'static str {
        self.activities
            .iter()
            .find(|(id, _)| *id == activity)
            .map_or("Other", |(_, n)| n)
    }
}

#[cfg(test)]
mod tests {
    use cloudcase_event::{Category, EventTime, OtherRecord, Provenance, SourceFile};

    use super::*;

    fn call(source: &str, name: &str, read_only: Option<bool>) -> Event {
        let mut e = Event::other(OtherRecord {
            source: LogSource::CloudTrail,
            time: EventTime::from_millis(0),
            time_field: Event::EVENT_TIME,
            event_source: source.into(),
            event_name: name.into(),
            category: Category::Management,
            raw: "{}".into(),
            detail: None,
            provenance: Provenance::first_of(SourceFile::plain("f")),
        });
        e.read_only = read_only;
        e
    }

    fn uid_activity(e: &Event) -> Option<(i64, i64)> {
        classify(e).map(|(c, a)| (c.uid, a))
    }

    #[test]
    fn calls_are_classed_as_security_lake_does() {
        let signin = "signin.amazonaws.com";
        let iam = "iam.amazonaws.com";
        let cases = [
            (call(signin, "ConsoleLogin", None), (3002, 1)),
            (call(signin, "CheckMfa", None), (3002, 99)),
            (call(iam, "CreateUser", None), (3001, 1)),
            (call(iam, "AttachUserPolicy", None), (3001, 7)),
            (call(iam, "CreateAccessKey", None), (3001, 99)),
            (call(iam, "CreateRole", None), (6003, 1)),
            (call(iam, "ListUsers", Some(true)), (6003, 2)),
            (
                call("ec2.amazonaws.com", "TerminateInstances", None),
                (6003, 4),
            ),
            (
                call("ec2.amazonaws.com", "ModifyInstanceAttribute", None),
                (6003, 3),
            ),
            (
                call("s3.amazonaws.com", "AbortMultipartUpload", Some(false)),
                (6003, 99),
            ),
            (
                call("sts.amazonaws.com", "AssumeRole", Some(true)),
                (6003, 2),
            ),
        ];
        for (e, want) in cases {
            assert_eq!(uid_activity(&e), Some(want), "{}", e.event_name);
        }
        let mut billing = call("billing", "Usage", None);
        billing.source = LogSource::Billing;
        assert_eq!(uid_activity(&billing), None);
    }

    #[test]
    fn every_named_activity_is_in_its_class_table() {
        for c in CLASSES {
            assert_eq!(c.activity_name(99), "Other");
            for (id, name) in c.activities {
                assert_eq!(c.activity_name(*id), *name);
            }
        }
        for (_, a) in ACCOUNT_CHANGES {
            let acct = CLASSES.iter().find(|c| c.class == Class::AccountChange);
            assert!(*a == 99 || acct.is_some_and(|c| c.activity_name(*a) != "Other"));
        }
    }
}
