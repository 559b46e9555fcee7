//! `--schema cloudtrail`: flat typed columns, the raw record and provenance, one row per event.
//!
//! The table is data: [`COLUMNS`] lists every column with its type and how it is read, and
//! [`PIVOTS`] names the column of every Sigma pivot field, so that SQL over the export reads
//! exactly what the Sigma engine reads.

use cloudcase_sigma::{FieldPath, Pivot};

use crate::columns::{Row, Value};
use crate::context::{int, text, Ctx, Getter};
use crate::schema::{Kind, LeafSpec, Table};
use crate::ExportError;

/// Every Sigma pivot field (`cloudcase_sigma::Pivot`) and its column: the column holds
/// exactly `Pivot::get(&event)`, NULL when `None`.
pub const PIVOTS: &[(&str, &str)] = &[
    ("event_name", "eventName"),
    ("event_source", "eventSource"),
    ("aws_region", "awsRegion"),
    ("recipient_account_id", "recipientAccountId"),
    ("source_ip_address", "sourceIPAddress"),
    ("user_agent", "userAgent"),
    ("error_code", "errorCode"),
    ("error_message", "errorMessage"),
    ("event_type", "eventType"),
    ("event_id", "eventID"),
    ("request_id", "requestID"),
    ("user_identity_type", "userIdentity.type"),
    ("user_identity_arn", "userIdentity.arn"),
    ("user_identity_principal_id", "userIdentity.principalId"),
    ("user_identity_account_id", "userIdentity.accountId"),
    ("user_identity_user_name", "userIdentity.userName"),
    ("user_identity_access_key_id", "userIdentity.accessKeyId"),
    ("user_identity_invoked_by", "userIdentity.invokedBy"),
    (
        "session_issuer_arn",
        "userIdentity.sessionContext.sessionIssuer.arn",
    ),
    (
        "session_issuer_user_name",
        "userIdentity.sessionContext.sessionIssuer.userName",
    ),
    (
        "source_identity",
        "userIdentity.sessionContext.sourceIdentity",
    ),
];

/// A column other than the pivots: name, type, whether required, and its getter.
pub struct Column {
    /// Column name.
    pub name: &'static str,
    /// Value type.
    pub kind: Kind,
    /// Whether every row has a value.
    pub required: bool,
    /// How the value is read.
    pub get: Getter,
}

fn raw_json<'a>(v: Option<&'a serde_json::value::RawValue>) -> Option<Value<'a>> {
    text(v.map(|r| r.get()))
}

/// The columns before the pivots.
pub const LEADING: &[Column] = &[
    Column {
        name: "log_source",
        kind: Kind::Str,
        required: true,
        get: |c| text(Some(c.event.source.as_str())),
    },
    Column {
        name: "event_time",
        kind: Kind::TimeMicros,
        required: true,
        get: |c| int(c.event.time.millis().saturating_mul(1000)),
    },
];

/// The columns after the pivots.
pub const TRAILING: &[Column] = &[
    Column {
        name: "read_only",
        kind: Kind::Bool,
        required: false,
        get: |c| c.event.read_only.map(Value::Bool),
    },
    Column {
        name: "event_category",
        kind: Kind::Str,
        required: false,
        get: |c| text(Some(c.event.category.as_str())),
    },
    Column {
        name: "request_parameters",
        kind: Kind::Str,
        required: false,
        get: |c| raw_json(c.event.request_parameters.as_deref()),
    },
    Column {
        name: "response_elements",
        kind: Kind::Str,
        required: false,
        get: |c| raw_json(c.event.response_elements.as_deref()),
    },
    Column {
        name: "additional_event_data",
        kind: Kind::Str,
        required: false,
        get: |c| raw_json(c.event.additional_event_data.as_deref()),
    },
    Column {
        name: "resources",
        kind: Kind::Str,
        required: false,
        get: |c| raw_json(c.event.resources.as_deref()),
    },
    Column {
        name: "raw",
        kind: Kind::Str,
        required: true,
        get: |c| text(Some(&c.event.raw)),
    },
    Column {
        name: "source_file",
        kind: Kind::Str,
        required: true,
        get: |c| text(Some(c.file)),
    },
    Column {
        name: "record",
        kind: Kind::Int64,
        required: true,
        get: |c| int(i64::try_from(c.event.provenance.record).unwrap_or(i64::MAX)),
    },
    Column {
        name: "evidence_sha256",
        kind: Kind::Str,
        required: false,
        get: |c| text(c.sha256),
    },
];

/// Columns whose values are long and unique (no dictionary, no statistics).
pub const BULKY: &[&str] = &[
    "request_parameters",
    "response_elements",
    "additional_event_data",
    "resources",
    "raw",
    "user_agent",
    "error_message",
];

/// The `cloudtrail` table: its schema and how to fill a row.
pub struct CloudTrail {
    table: Table,
    pivots: Vec<Pivot>,
}

impl CloudTrail {
    /// Builds the table.
    pub fn new() -> Result<CloudTrail, ExportError> {
        let mut specs = Vec::new();
        let spec = |c: &Column| LeafSpec {
            path: c.name,
            kind: c.kind,
            required: c.required,
        };
        specs.extend(LEADING.iter().map(spec));
        let mut pivots = Vec::with_capacity(PIVOTS.len());
        for (column, field) in PIVOTS {
            let pivot = FieldPath::new(field)
                .pivot()
                .ok_or_else(|| ExportError::Schema(format!("{field} is not a Sigma pivot")))?;
            pivots.push(pivot);
            specs.push(LeafSpec {
                path: column,
                kind: Kind::Str,
                required: false,
            });
        }
        specs.extend(TRAILING.iter().map(spec));
        Ok(CloudTrail {
            table: Table::new(&specs)?,
            pivots,
        })
    }

    /// The table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The row of `c`.
    pub fn row<'a>(&self, c: &Ctx<'a>) -> Row<'a> {
        let mut row = Row::new(&self.table);
        let mut i = 0;
        for col in LEADING {
            row.set(i, (col.get)(c));
            i += 1;
        }
        for p in &self.pivots {
            row.set(i, text(p.get(c.event)));
            i += 1;
        }
        for col in TRAILING {
            row.set(i, (col.get)(c));
            i += 1;
        }
        row
    }
}
