//! The data stores `scope` gives a verdict on, as one table: which service, how a store is named
//! in requests, which calls read it or expose it, and which logging would record such access —
//! which decides what "covered" means for a NOT OBSERVED verdict.

use cloudcase_model::scope::StoreKind;
use serde_json::Value;

/// What a call does to a store it names.
pub use cloudcase_model::scope::Access;

/// Which logging records reads of a store, and so when the logs can say "not observed".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logging {
    /// Reads are data events, recorded per resource only when the trail's data-event selectors
    /// include it (S3 objects, DynamoDB items): covered when data events for that very store
    /// are in the inputs for the attacker's window.
    DataEvents,
    /// Reads are management events (Secrets Manager, SSM, KMS): covered when the inputs hold
    /// read-only management events of the store's region in the window.
    ManagementReads,
    /// Reads go through the store's own engine and are never in CloudTrail (RDS SQL queries):
    /// only exports, snapshots, shares and restores can be seen, so the verdict is never
    /// NOT OBSERVED.
    Never,
}

/// One kind of data store.
#[derive(Debug)]
pub struct StoreSpec {
    /// `eventSource` service (`s3`, `dynamodb`, …).
    pub service: &'static str,
    /// Store kind in the JSON document (`s3_bucket`, …).
    pub kind: StoreKind,
    /// What a read of it is, for questions ("S3 object reads on bucket").
    pub reads_what: &'static str,
    /// What would answer an UNKNOWN verdict.
    pub would_resolve: &'static str,
    /// Request fields that name the store (strings, arrays of strings, or object keys for
    /// `requestItems`).
    pub name_fields: &'static [&'static str],
    /// Calls that read it (besides any read-only data event, for [`Logging::DataEvents`]).
    pub reads: &'static [&'static str],
    /// Calls that export, copy, share or restore its content elsewhere.
    pub exposes: &'static [&'static str],
    /// Calls that do not read it but open a way to (a snapshot, a policy, a grant).
    pub opens: &'static [&'static str],
    /// Calls that open a way to read it only when the request has a field (a master password
    /// reset is a `ModifyDBInstance` with `masterUserPassword`).
    pub opens_with: &'static [(&'static str, &'static str)],
    /// Which logging records reads.
    pub logging: Logging,
    /// Whether every store named in any event is listed (else only those the attacker named).
    pub list_all: bool,
}

/// Every store kind, in output order.
pub const STORES: &[StoreSpec] = &[
    StoreSpec {
        service: "s3",
        kind: StoreKind::S3Bucket,
        reads_what: "S3 object reads on bucket",
        would_resolve: "S3 data events for the bucket (CloudTrail data-event selectors), or S3 server access logs for the window",
        name_fields: &["bucketName"],
        reads: &[],
        exposes: &[],
        opens: &[],
        opens_with: &[],
        logging: Logging::DataEvents,
        list_all: true,
    },
    StoreSpec {
        service: "dynamodb",
        kind: StoreKind::DynamodbTable,
        reads_what: "item reads on DynamoDB table",
        would_resolve: "DynamoDB data events for the table (CloudTrail data-event selectors) for the window",
        name_fields: &["tableName", "requestItems"],
        reads: &[],
        exposes: &[
            "ExportTableToPointInTime",
            "RestoreTableFromBackup",
            "RestoreTableToPointInTime",
        ],
        opens: &["CreateBackup"],
        opens_with: &[],
        logging: Logging::DataEvents,
        list_all: true,
    },
    StoreSpec {
        service: "rds",
        kind: StoreKind::RdsInstance,
        reads_what: "database reads on RDS instance or cluster",
        would_resolve: "the database's own audit and connection logs (RDS log exports, pgaudit, MySQL/MariaDB audit plugin) for the window",
        name_fields: &["dBInstanceIdentifier", "dBClusterIdentifier", "sourceDBInstanceIdentifier"],
        reads: &["DownloadDBLogFilePortion", "DownloadCompleteDBLogFile"],
        exposes: &["StartExportTask", "RestoreDBInstanceToPointInTime", "RestoreDBClusterToPointInTime"],
        opens: &["CreateDBSnapshot", "CreateDBClusterSnapshot"],
        opens_with: &[
            ("ModifyDBInstance", "masterUserPassword"),
            ("ModifyDBCluster", "masterUserPassword"),
        ],
        logging: Logging::Never,
        list_all: true,
    },
    StoreSpec {
        service: "rds",
        kind: StoreKind::RdsSnapshot,
        reads_what: "reads of RDS snapshot",
        would_resolve: "the snapshot's sharing attributes now (aws rds describe-db-snapshot-attributes) and management events of the accounts it was shared with",
        name_fields: &["dBSnapshotIdentifier", "dBClusterSnapshotIdentifier", "sourceDBSnapshotIdentifier"],
        reads: &[],
        exposes: &[
            "ModifyDBSnapshotAttribute",
            "ModifyDBClusterSnapshotAttribute",
            "CopyDBSnapshot",
            "CopyDBClusterSnapshot",
            "StartExportTask",
            "RestoreDBInstanceFromDBSnapshot",
            "RestoreDBClusterFromSnapshot",
        ],
        opens: &[],
        opens_with: &[],
        logging: Logging::Never,
        list_all: false,
    },
    StoreSpec {
        service: "secretsmanager",
        kind: StoreKind::Secret,
        reads_what: "reads of Secrets Manager secret",
        would_resolve: "CloudTrail management events (read) of the secret's region for the window",
        name_fields: &["secretId", "secretIdList"],
        reads: &["GetSecretValue", "BatchGetSecretValue"],
        exposes: &["ReplicateSecretToRegions"],
        opens: &["PutResourcePolicy"],
        opens_with: &[],
        logging: Logging::ManagementReads,
        list_all: false,
    },
    StoreSpec {
        service: "ssm",
        kind: StoreKind::SsmParameter,
        reads_what: "reads of SSM parameter",
        would_resolve: "CloudTrail management events (read) of the parameter's region for the window",
        name_fields: &["name", "names", "path"],
        reads: &["GetParameter", "GetParameters", "GetParametersByPath", "GetParameterHistory"],
        exposes: &[],
        opens: &[],
        opens_with: &[],
        logging: Logging::ManagementReads,
        list_all: false,
    },
    StoreSpec {
        service: "kms",
        kind: StoreKind::KmsKey,
        reads_what: "decryption with KMS key",
        would_resolve: "CloudTrail management events (read) of the key's region for the window",
        name_fields: &["keyId"],
        reads: &["Decrypt", "GenerateDataKey", "GenerateDataKeyPair", "ReEncrypt"],
        exposes: &[],
        opens: &["PutKeyPolicy", "CreateGrant"],
        opens_with: &[],
        logging: Logging::ManagementReads,
        list_all: false,
    },
];

impl StoreSpec {
    /// The stores of a service.
    pub fn of_service(service: &str) -> impl Iterator<Item = &'static StoreSpec> + '_ {
        STORES.iter().filter(move |s| s.service == service)
    }

    /// The spec of a kind.
    pub fn of_kind(kind: StoreKind) -> Option<&'static StoreSpec> {
        STORES.iter().find(|s| s.kind == kind)
    }

    /// What a call does to the store; `data_read` says whether it is a read-only data event.
    pub fn access(&self, name: &str, data_read: bool, req: &Value) -> Access {
        let opens_with = |(call, field): &(&str, &str)| *call == name && req.get(*field).is_some();
        if self.reads.contains(&name) || (data_read && self.logging == Logging::DataEvents) {
            Access::Read
        } else if self.exposes.contains(&name) {
            Access::Expose
        } else if self.opens.contains(&name) || self.opens_with.iter().any(opens_with) {
            Access::Open
        } else {
            Access::Other
        }
    }

    /// The stores named in a request.
    pub fn names(&self, req: &Value) -> Vec<String> {
        let mut out = Vec::new();
        for f in self.name_fields {
            match req.get(*f) {
                Some(Value::String(s)) => out.push(s.clone()),
                Some(Value::Array(a)) => {
                    out.extend(a.iter().filter_map(Value::as_str).map(str::to_owned))
                }
                Some(Value::Object(o)) => out.extend(o.keys().cloned()),
                _ => {}
            }
        }
        out.sort();
        out.dedup();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_come_from_strings_arrays_and_object_keys() {
        let ddb = StoreSpec::of_kind(StoreKind::DynamodbTable).unwrap();
        let req = json!({"requestItems": {"customers": {}, "orders": {}}});
        assert_eq!(ddb.names(&req), ["customers", "orders"]);
        let ssm = StoreSpec::of_kind(StoreKind::SsmParameter).unwrap();
        assert_eq!(
            ssm.names(&json!({"names": ["/a", "/b"], "name": "/a"})),
            ["/a", "/b"]
        );
        assert!(ssm.names(&json!({"other": 1})).is_empty());
    }

    #[test]
    fn access_follows_the_table() {
        let s3 = StoreSpec::of_kind(StoreKind::S3Bucket).unwrap();
        let none = Value::Null;
        assert_eq!(s3.access("GetObject", true, &none), Access::Read);
        assert_eq!(s3.access("GetBucketAcl", false, &none), Access::Other);
        let rds = StoreSpec::of_kind(StoreKind::RdsSnapshot).unwrap();
        let share = rds.access("ModifyDBSnapshotAttribute", false, &none);
        assert_eq!(share, Access::Expose);
        let db = StoreSpec::of_kind(StoreKind::RdsInstance).unwrap();
        let reset = json!({"dBInstanceIdentifier": "prod", "masterUserPassword": "HIDDEN"});
        assert_eq!(db.access("ModifyDBInstance", false, &reset), Access::Open);
        let resize = json!({"dBInstanceIdentifier": "prod", "allocatedStorage": 100});
        assert_eq!(db.access("ModifyDBInstance", false, &resize), Access::Other);
        // A data read never counts for stores whose reads are not data events.
        let kms = StoreSpec::of_kind(StoreKind::KmsKey).unwrap();
        assert_eq!(kms.access("ListAliases", true, &none), Access::Other);
        assert_eq!(kms.access("Decrypt", false, &none), Access::Read);
    }

    #[test]
    fn every_kind_is_unique() {
        let mut kinds: Vec<_> = STORES.iter().map(|s| s.kind).collect();
        kinds.sort();
        kinds.dedup();
        assert_eq!(kinds.len(), STORES.len());
    }
}
