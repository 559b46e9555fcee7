//! Where a Sigma field is read from: a [`Pivot`] reads its column (per
//! schema); any other dotted path walks the JSON of the raw record, crossing
//! arrays (any element matches), as [`EventRecord`](crate::EventRecord) does.

use super::dialect::SqlDialect;
use super::SqlSchema;
use crate::record::{FieldPath, Pivot};

/// The cloudtrail schema's column holding the typed value of `pivot`.
pub(crate) fn pivot_column(pivot: Pivot) -> &'static str {
    match pivot {
        Pivot::EventName => "event_name",
        Pivot::EventSource => "event_source",
        Pivot::AwsRegion => "aws_region",
        Pivot::RecipientAccountId => "recipient_account_id",
        Pivot::SourceIpAddress => "source_ip_address",
        Pivot::UserAgent => "user_agent",
        Pivot::ErrorCode => "error_code",
        Pivot::ErrorMessage => "error_message",
        Pivot::EventType => "event_type",
        Pivot::EventId => "event_id",
        Pivot::RequestId => "request_id",
        Pivot::IdentityType => "user_identity_type",
        Pivot::IdentityArn => "user_identity_arn",
        Pivot::IdentityPrincipalId => "user_identity_principal_id",
        Pivot::IdentityAccountId => "user_identity_account_id",
        Pivot::IdentityUserName => "user_identity_user_name",
        Pivot::IdentityAccessKeyId => "user_identity_access_key_id",
        Pivot::IdentityInvokedBy => "user_identity_invoked_by",
        Pivot::SessionIssuerArn => "session_issuer_arn",
        Pivot::SessionIssuerUserName => "session_issuer_user_name",
        Pivot::SourceIdentity => "source_identity",
    }
}

/// The column the query adds to each row: the raw record as the dialect's
/// JSON (parsed once per row, NULL when it is not JSON).
pub(crate) const RAW_JSON: &str = "cloudcase_raw_json";

/// The column holding the raw record text.
pub(crate) fn raw_column(schema: SqlSchema) -> &'static str {
    match schema {
        SqlSchema::CloudTrail => "raw",
        SqlSchema::Ocsf => "raw_data",
    }
}

/// Builds SQL over the fields of one row, naming lambda variables uniquely.
pub(crate) struct Fields {
    pub(crate) dialect: SqlDialect,
    pub(crate) schema: SqlSchema,
    next_var: usize,
    /// Some pivot field was read (from `raw_data` in the OCSF schema).
    pub(crate) used_pivot: bool,
}

/// The values a path yields, as SQL.
pub(crate) enum Leaves {
    /// A pivot column: one value unless NULL.
    Column(&'static str),
    /// A list of JSON nodes (the dialect's JSON type, or JSON text in Spark).
    Json(String),
}

impl Fields {
    /// Fields of `schema` in `dialect`.
    pub(crate) fn new(dialect: SqlDialect, schema: SqlSchema) -> Fields {
        Fields {
            dialect,
            schema,
            next_var: 0,
            used_pivot: false,
        }
    }

    /// A fresh lambda variable name.
    pub(crate) fn var(&mut self) -> String {
        self.next_var += 1;
        format!("x{}", self.next_var)
    }

    /// The leaves of `path`; `Err` names a key the dialect's JSON paths cannot spell.
    /// A pivot reads its column in the cloudtrail schema, and the raw record
    /// in the OCSF schema (whose attributes hold pivots for some classes only).
    pub(crate) fn leaves(&mut self, path: &FieldPath) -> Result<Leaves, String> {
        self.used_pivot |= path.pivot().is_some();
        if let (Some(p), SqlSchema::CloudTrail) = (path.pivot(), self.schema) {
            return Ok(Leaves::Column(pivot_column(p)));
        }
        self.nodes(path.segments()).map(Leaves::Json)
    }

    /// The list of JSON nodes at `segments` below the raw record, arrays crossed.
    pub(crate) fn nodes(&mut self, segments: &[Box<str>]) -> Result<String, String> {
        let d = self.dialect;
        let mut list = d.json_list(RAW_JSON);
        for key in segments {
            check_key(key)?;
            let v = self.var();
            list = d.flat_map(&list, &v, &d.json_list(&d.json_child(&v, key)));
        }
        Ok(list)
    }

    /// Whether `path` is present (even as `null`), as the engine's `exists`:
    /// a pivot with a value, or the key found in the raw record.
    pub(crate) fn exists(&mut self, path: &FieldPath) -> Result<String, String> {
        let segs = path.segments();
        let Some((last, parent)) = segs.split_last() else {
            return Err("an empty field name".into());
        };
        check_key(last)?;
        let parents = self.nodes(parent)?;
        let v = self.var();
        let found = self
            .dialect
            .any(&parents, &v, &self.dialect.json_has_key(&v, last));
        self.used_pivot |= path.pivot().is_some();
        Ok(match (path.pivot(), self.schema) {
            (Some(p), SqlSchema::CloudTrail) => {
                format!("({} IS NOT NULL OR {found})", pivot_column(p))
            }
            _ => found,
        })
    }

    /// Whether some leaf of `leaves` satisfies `pred` (given the leaf's text,
    /// NULL for a JSON `null`).
    pub(crate) fn any_leaf(&mut self, leaves: &Leaves, pred: &dyn Fn(&str) -> String) -> String {
        match leaves {
            Leaves::Column(c) => format!("({c} IS NOT NULL AND coalesce({}, FALSE))", pred(c)),
            Leaves::Json(list) => {
                let v = self.var();
                let text = self.dialect.json_text(&v);
                self.dialect.any(list, &v, &pred(&text))
            }
        }
    }

    /// Whether `leaves` yields any value (a JSON `null` included).
    pub(crate) fn seen(&self, leaves: &Leaves) -> String {
        match leaves {
            Leaves::Column(c) => format!("({c} IS NOT NULL)"),
            Leaves::Json(list) => self.dialect.non_empty(list),
        }
    }
}

/// Keys every dialect's JSON path syntax spells without quoting problems.
fn check_key(key: &str) -> Result<(), String> {
    if !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '@'))
    {
        Ok(())
    } else {
        Err(format!(
            "the field key {key:?} has characters the dialects' JSON paths cannot spell"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pivots_read_columns_and_paths_read_raw() {
        let mut f = Fields::new(SqlDialect::DuckDb, SqlSchema::CloudTrail);
        assert!(matches!(
            f.leaves(&FieldPath::new("eventName")).unwrap(),
            Leaves::Column("event_name")
        ));
        let Leaves::Json(l) = f
            .leaves(&FieldPath::new("requestParameters.userName"))
            .unwrap()
        else {
            panic!()
        };
        assert!(l.contains("$.\"userName\"") && l.contains(RAW_JSON));
        assert!(f.leaves(&FieldPath::new("a.b c")).is_err());
        let mut o = Fields::new(SqlDialect::DuckDb, SqlSchema::Ocsf);
        let Leaves::Json(l) = o.leaves(&FieldPath::new("eventName")).unwrap() else {
            panic!()
        };
        assert!(l.contains(RAW_JSON) && o.used_pivot);
    }
}
