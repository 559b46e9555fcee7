//! What a cluster of calls did: counts per tactic (persistence, privilege escalation, defence
//! evasion, discovery, resource hijacking, data reads) and calls refused for lack of permission.
//! The table of calls per tactic is shared by `hunt` and `scope`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// What a call does for an attacker.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Tactic {
    /// Creates a way back in: users, keys, login profiles, roles, trust, key pairs, functions.
    Persistence,
    /// Grants more permissions: policies attached or written, group membership, policy versions.
    PrivilegeEscalation,
    /// Turns off or blinds logging and detection.
    DefenceEvasion,
    /// Reads the account's configuration (list, describe, get).
    Discovery,
    /// Runs compute or models on the account's bill.
    ResourceHijacking,
    /// Reads stored data or secrets.
    DataRead,
}

/// One row of the tactic table: calls of `service` named in `names` are `tactic`.
struct TacticRow {
    service: &'static str,
    names: &'static [&'static str],
    tactic: Tactic,
}

/// Calls per tactic. Names are matched without a version suffix
/// (`UpdateFunctionCode20150331v2` is `UpdateFunctionCode`).
const TACTICS: &[TacticRow] = &[
    TacticRow {
        service: "iam",
        names: &[
            "CreateUser",
            "CreateAccessKey",
            "CreateLoginProfile",
            "UpdateLoginProfile",
            "CreateRole",
            "UpdateAssumeRolePolicy",
            "CreateServiceSpecificCredential",
            "UploadSSHPublicKey",
            "CreateOpenIDConnectProvider",
            "CreateSAMLProvider",
            "CreateVirtualMFADevice",
            "EnableMFADevice",
            "DeactivateMFADevice",
        ],
        tactic: Tactic::Persistence,
    },
    TacticRow {
        service: "iam",
        names: &[
            "AttachUserPolicy",
            "AttachRolePolicy",
            "AttachGroupPolicy",
            "PutUserPolicy",
            "PutRolePolicy",
            "PutGroupPolicy",
            "AddUserToGroup",
            "CreatePolicyVersion",
            "SetDefaultPolicyVersion",
        ],
        tactic: Tactic::PrivilegeEscalation,
    },
    TacticRow {
        service: "sts",
        names: &["GetFederationToken"],
        tactic: Tactic::Persistence,
    },
    TacticRow {
        service: "ec2",
        names: &["CreateKeyPair", "ImportKeyPair"],
        tactic: Tactic::Persistence,
    },
    TacticRow {
        service: "lambda",
        names: &[
            "CreateFunction",
            "UpdateFunctionCode",
            "AddPermission",
            "PublishLayerVersion",
        ],
        tactic: Tactic::Persistence,
    },
    TacticRow {
        service: "cloudtrail",
        names: &[
            "StopLogging",
            "DeleteTrail",
            "UpdateTrail",
            "PutEventSelectors",
        ],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "guardduty",
        names: &[
            "DeleteDetector",
            "UpdateDetector",
            "DisassociateFromMasterAccount",
            "DisassociateFromAdministratorAccount",
            "DeleteMembers",
            "CreateIPSet",
            "UpdateIPSet",
            "CreateFilter",
        ],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "config",
        names: &[
            "StopConfigurationRecorder",
            "DeleteConfigurationRecorder",
            "DeleteDeliveryChannel",
            "DeleteConfigRule",
        ],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "ec2",
        names: &["DeleteFlowLogs"],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "logs",
        names: &["DeleteLogGroup", "DeleteLogStream"],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "securityhub",
        names: &["DisableSecurityHub", "BatchDisableStandards"],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "access-analyzer",
        names: &["DeleteAnalyzer"],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "macie2",
        names: &["DisableMacie"],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "organizations",
        names: &["LeaveOrganization"],
        tactic: Tactic::DefenceEvasion,
    },
    TacticRow {
        service: "ec2",
        names: &[
            "RunInstances",
            "RequestSpotInstances",
            "RequestSpotFleet",
            "CreateFleet",
        ],
        tactic: Tactic::ResourceHijacking,
    },
    TacticRow {
        service: "bedrock",
        names: &[
            "InvokeModel",
            "InvokeModelWithResponseStream",
            "Converse",
            "ConverseStream",
            "PutUseCaseForModelAccess",
        ],
        tactic: Tactic::ResourceHijacking,
    },
    TacticRow {
        service: "sagemaker",
        names: &["CreateNotebookInstance", "CreateTrainingJob"],
        tactic: Tactic::ResourceHijacking,
    },
    TacticRow {
        service: "lightsail",
        names: &["CreateInstances"],
        tactic: Tactic::ResourceHijacking,
    },
    TacticRow {
        service: "s3",
        names: &["GetObject"],
        tactic: Tactic::DataRead,
    },
    TacticRow {
        service: "secretsmanager",
        names: &["GetSecretValue", "BatchGetSecretValue"],
        tactic: Tactic::DataRead,
    },
    TacticRow {
        service: "ssm",
        names: &["GetParameter", "GetParameters", "GetParametersByPath"],
        tactic: Tactic::DataRead,
    },
    TacticRow {
        service: "dynamodb",
        names: &[
            "Scan",
            "Query",
            "GetItem",
            "BatchGetItem",
            "ExportTableToPointInTime",
        ],
        tactic: Tactic::DataRead,
    },
    TacticRow {
        service: "ec2",
        names: &["GetPasswordData"],
        tactic: Tactic::DataRead,
    },
];

/// Read-only name prefixes that count as discovery when no table row names the call.
const DISCOVERY_PREFIXES: &[&str] = &["List", "Describe", "Get"];

/// Instance-type families with GPUs or ML accelerators (the usual mining and LLM targets).
const ACCELERATED_FAMILIES: &[&str] = &[
    "p2", "p3", "p3dn", "p4d", "p4de", "p5", "p5e", "g3", "g3s", "g4dn", "g4ad", "g5", "g5g", "g6",
    "g6e", "gr6", "dl1", "dl2q", "inf1", "inf2", "trn1", "trn1n", "trn2", "vt1",
];

/// Distinct discovery calls that make a burst.
pub const DISCOVERY_BURST: usize = 10;

/// Event names kept per tactic, for explanations.
const NAMES_KEPT: usize = 6;

/// `name` without a version suffix (`UpdateFunctionCode20150331v2` → `UpdateFunctionCode`).
pub fn base_name(name: &str) -> &str {
    let trimmed = name.trim_end_matches(|c: char| c.is_ascii_digit());
    let trimmed = trimmed.strip_suffix('v').unwrap_or(trimmed);
    let stem = trimmed.trim_end_matches(|c: char| c.is_ascii_digit());
    if name.len() - stem.len() >= 8 && stem.len() < name.len() {
        stem
    } else {
        name
    }
}

/// The tactic of a call (`service` as in `iam`, `ec2`), if any.
pub fn tactic_of(service: &str, name: &str) -> Option<Tactic> {
    let name = base_name(name);
    if let Some(row) = TACTICS
        .iter()
        .find(|r| r.service == service && r.names.contains(&name))
    {
        return Some(row.tactic);
    }
    DISCOVERY_PREFIXES
        .iter()
        .any(|p| name.starts_with(p))
        .then_some(Tactic::Discovery)
}

/// Whether an error code says the caller lacked permission.
pub fn is_denied(code: &str) -> bool {
    code.starts_with("AccessDenied")
        || code.ends_with("UnauthorizedOperation")
        || code == "UnauthorizedAccess"
        || code == "Client.UnauthorizedOperation"
}

/// Whether an instance type has GPUs or ML accelerators (`p4d.24xlarge`, `g5.xlarge`).
pub fn is_accelerated(instance_type: &str) -> bool {
    let family = instance_type.split('.').next().unwrap_or("");
    ACCELERATED_FAMILIES.contains(&family)
}

/// One call as the behaviour counts see it.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    /// The service (`iam`).
    pub service: &'a str,
    /// The event name.
    pub name: &'a str,
    /// The error code, if the call failed.
    pub error_code: Option<&'a str>,
    /// For launches: the instance type requested.
    pub instance_type: Option<&'a str>,
    /// Whether the call's region is new for the identity.
    pub new_region: bool,
}

/// Behaviour counts of a cluster of calls (successful calls per tactic, refused calls).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behaviour {
    /// Successful persistence calls.
    pub persistence: u32,
    /// Successful privilege-escalation calls.
    pub privilege_escalation: u32,
    /// Successful defence-evasion calls.
    pub defence_evasion: u32,
    /// Distinct discovery calls (successful or not).
    pub discovery: u32,
    /// Calls refused for lack of permission.
    pub denied: u32,
    /// Successful launches and model invocations.
    pub hijacking: u32,
    /// Of those: in a region new for the identity, or of an accelerated instance type.
    pub unusual_hijacking: u32,
    /// Successful data reads.
    pub data_reads: u32,
    /// Up to six event names per tactic, for explanations.
    pub names: BTreeMap<Tactic, BTreeSet<String>>,
}

impl Behaviour {
    /// Counts one call.
    pub fn observe(&mut self, call: &Call<'_>) {
        if call.error_code.is_some_and(is_denied) {
            self.denied = self.denied.saturating_add(1);
        }
        let Some(tactic) = tactic_of(call.service, call.name) else {
            return;
        };
        let names = self.names.entry(tactic).or_default();
        let new_name = !names.contains(base_name(call.name));
        if new_name && names.len() < NAMES_KEPT.max(DISCOVERY_BURST * 4) {
            names.insert(base_name(call.name).to_owned());
        }
        if tactic == Tactic::Discovery {
            if new_name {
                self.discovery = self.discovery.saturating_add(1);
            }
            return;
        }
        if call.error_code.is_some() {
            return;
        }
        let n = match tactic {
            Tactic::Persistence => &mut self.persistence,
            Tactic::PrivilegeEscalation => &mut self.privilege_escalation,
            Tactic::DefenceEvasion => &mut self.defence_evasion,
            Tactic::ResourceHijacking => {
                if call.new_region || call.instance_type.is_some_and(is_accelerated) {
                    self.unusual_hijacking = self.unusual_hijacking.saturating_add(1);
                }
                &mut self.hijacking
            }
            Tactic::DataRead => &mut self.data_reads,
            Tactic::Discovery => return,
        };
        *n = n.saturating_add(1);
    }

    /// Adds another cluster's counts (discovery adds distinct names only).
    pub fn merge(&mut self, other: &Behaviour) {
        self.persistence = self.persistence.saturating_add(other.persistence);
        self.privilege_escalation = self
            .privilege_escalation
            .saturating_add(other.privilege_escalation);
        self.defence_evasion = self.defence_evasion.saturating_add(other.defence_evasion);
        self.denied = self.denied.saturating_add(other.denied);
        self.hijacking = self.hijacking.saturating_add(other.hijacking);
        self.unusual_hijacking = self
            .unusual_hijacking
            .saturating_add(other.unusual_hijacking);
        self.data_reads = self.data_reads.saturating_add(other.data_reads);
        for (t, names) in &other.names {
            let mine = self.names.entry(*t).or_default();
            for n in names {
                if mine.len() >= DISCOVERY_BURST * 4 {
                    break;
                }
                if mine.insert(n.clone()) && *t == Tactic::Discovery {
                    self.discovery = self.discovery.saturating_add(1);
                }
            }
        }
    }

    /// Whether anything attacker-like happened (discovery alone only as a burst).
    pub fn is_attacker_like(&self) -> bool {
        self.persistence + self.privilege_escalation + self.defence_evasion + self.hijacking > 0
            || self.discovery as usize >= DISCOVERY_BURST
            || self.denied >= 10
    }

    /// Up to six event names of a tactic, comma-separated.
    pub fn names_of(&self, tactic: Tactic) -> String {
        self.names
            .get(&tactic)
            .map(|s| {
                s.iter()
                    .take(NAMES_KEPT)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call<'a>(service: &'a str, name: &'a str) -> Call<'a> {
        Call {
            service,
            name,
            error_code: None,
            instance_type: None,
            new_region: false,
        }
    }

    #[test]
    fn table_and_version_suffixes() {
        assert_eq!(tactic_of("iam", "CreateUser"), Some(Tactic::Persistence));
        assert_eq!(
            tactic_of("iam", "AttachUserPolicy"),
            Some(Tactic::PrivilegeEscalation)
        );
        assert_eq!(
            tactic_of("lambda", "UpdateFunctionCode20150331v2"),
            Some(Tactic::Persistence)
        );
        assert_eq!(base_name("CreateFunction20150331"), "CreateFunction");
        assert_eq!(base_name("RunInstances"), "RunInstances");
        assert_eq!(base_name("GetObject"), "GetObject");
        assert_eq!(
            tactic_of("cloudtrail", "StopLogging"),
            Some(Tactic::DefenceEvasion)
        );
        assert_eq!(tactic_of("s3", "ListBuckets"), Some(Tactic::Discovery));
        assert_eq!(tactic_of("s3", "GetObject"), Some(Tactic::DataRead));
        assert_eq!(tactic_of("s3", "PutObject"), None);
        assert!(is_accelerated("p4d.24xlarge"));
        assert!(!is_accelerated("t3.micro"));
    }

    #[test]
    fn counts_and_merge() {
        let mut b = Behaviour::default();
        b.observe(&call("iam", "CreateUser"));
        b.observe(&Call {
            error_code: Some("AccessDenied"),
            ..call("iam", "CreateUser")
        });
        b.observe(&Call {
            instance_type: Some("g5.12xlarge"),
            ..call("ec2", "RunInstances")
        });
        for n in ["ListUsers", "ListUsers", "ListRoles"] {
            b.observe(&call("iam", n));
        }
        assert_eq!(b.persistence, 1);
        assert_eq!(b.denied, 1);
        assert_eq!((b.hijacking, b.unusual_hijacking), (1, 1));
        assert_eq!(b.discovery, 2);
        assert!(b.is_attacker_like());
        let mut other = Behaviour::default();
        other.observe(&call("iam", "ListRoles"));
        other.observe(&call("iam", "ListPolicies"));
        b.merge(&other);
        assert_eq!(b.discovery, 3);
        assert_eq!(b.names_of(Tactic::Persistence), "CreateUser");
        let mut quiet = Behaviour::default();
        quiet.observe(&call("s3", "GetObject"));
        assert!(!quiet.is_attacker_like());
    }
}
