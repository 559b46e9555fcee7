//! `--schema ocsf`: OCSF 1.1 as Security Lake maps CloudTrail (API Activity, Authentication,
//! Account Change), and the other logs in their classes (Network Activity, DNS Activity,
//! Detection Finding; S3 server access logs as API Activity). Billing has no OCSF class and
//! is not exported. The mapping is the data in [`fields::FIELDS`] and [`classes`].

use serde::Deserialize;

use crate::columns::Row;
use crate::context::Ctx;
use crate::schema::{LeafSpec, Table};
use crate::ExportError;

pub mod classes;
pub mod fields;
mod resources;
mod unmapped;

use classes::{ClassInfo, ACCT, AUTH};
use fields::{Get, FIELDS};

/// Columns whose values are long and mostly unique: no dictionary, no statistics.
pub const BULKY: &[&str] = &["raw_data", "unmapped", "http_request.user_agent"];

/// What one row's getters read: the event, its class and activity, and the few values of
/// Authentication and Account Change that live in the request's JSON.
pub struct O<'a> {
    /// The event and its provenance.
    pub c: Ctx<'a>,
    /// The event's class.
    pub info: &'static ClassInfo,
    /// Its `activity_id`.
    pub activity: i64,
    /// Values parsed from the record's JSON.
    pub extra: Extra,
}

/// Values of the sign-in and IAM records that only their JSON holds.
#[derive(Debug, Default)]
pub struct Extra {
    /// `requestParameters.userName`: the user an IAM change is about.
    pub target_user: Option<String>,
    /// `requestParameters.policyArn`.
    pub policy_uid: Option<String>,
    /// `requestParameters.policyName`.
    pub policy_name: Option<String>,
    /// `additionalEventData.MFAUsed` is `Yes` (or `No`).
    pub mfa_used: Option<bool>,
    /// `responseElements.ConsoleLogin` is `Failure`.
    pub login_failed: bool,
}

#[derive(Deserialize, Default)]
struct Params {
    #[serde(rename = "userName")]
    user_name: Option<String>,
    #[serde(rename = "policyArn")]
    policy_arn: Option<String>,
    #[serde(rename = "policyName")]
    policy_name: Option<String>,
}

#[derive(Deserialize, Default)]
struct SignIn {
    #[serde(rename = "MFAUsed")]
    mfa_used: Option<String>,
    #[serde(rename = "ConsoleLogin")]
    console_login: Option<String>,
}

fn parse<T: for<'de> Deserialize<'de> + Default>(raw: Option<&serde_json::value::RawValue>) -> T {
    raw.and_then(|r| serde_json::from_str(r.get()).ok())
        .unwrap_or_default()
}

impl Extra {
    fn of(c: &Ctx<'_>, info: &ClassInfo) -> Extra {
        let e = c.event;
        if info.bit == ACCT {
            let p: Params = parse(e.request_parameters.as_deref());
            return Extra {
                target_user: p.user_name,
                policy_uid: p.policy_arn,
                policy_name: p.policy_name,
                ..Extra::default()
            };
        }
        if info.bit == AUTH {
            let data: SignIn = parse(e.additional_event_data.as_deref());
            let response: SignIn = parse(e.response_elements.as_deref());
            return Extra {
                mfa_used: data.mfa_used.map(|m| m == "Yes"),
                login_failed: response.console_login.as_deref() == Some("Failure"),
                ..Extra::default()
            };
        }
        Extra::default()
    }
}

/// The OCSF table.
pub struct Ocsf {
    table: Table,
}

impl Ocsf {
    /// Builds the table from the field map.
    pub fn new() -> Result<Ocsf, ExportError> {
        let specs: Vec<LeafSpec> = FIELDS
            .iter()
            .map(|f| LeafSpec {
                path: f.path,
                kind: f.kind,
                required: f.required,
            })
            .collect();
        Ok(Ocsf {
            table: Table::new(&specs)?,
        })
    }

    /// The table.
    pub fn table(&self) -> &Table {
        &self.table
    }

    /// The row of `c`; `None` for a log with no OCSF class.
    pub fn row<'a>(&self, c: &Ctx<'a>) -> Option<Row<'a>> {
        let (info, activity) = classes::classify(c.event)?;
        let o = O {
            c: *c,
            info,
            activity,
            extra: Extra::of(c, info),
        };
        let mut row = Row::new(&self.table);
        for (i, (field, leaf)) in FIELDS.iter().zip(&self.table.leaves).enumerate() {
            if field.classes & info.bit == 0 {
                continue;
            }
            match field.get {
                Get::One(get) => row.set(i, get(&o)),
                Get::Many(get) => {
                    if let (Some(values), Some(list)) = (get(&o), leaf.list) {
                        row.set_list(list, values.len());
                        row.set_elements(i, values);
                    }
                }
            }
        }
        Some(row)
    }
}
