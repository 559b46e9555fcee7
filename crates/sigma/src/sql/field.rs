//! Where a Sigma field is read from: a [`Pivot`] reads its column (per
//! schema); any other dotted path walks the JSON of the raw record, crossing
//! arrays (any element matches), as [`EventRecord`](crate::EventRecord) does.

use super::dialect::SqlDialect;
use super::SqlSchema;
use crate::record::{FieldPath, Pivot};

/// The column holding the typed value of `pivot` in `schema`.
pub(crate) fn pivot_column(pivot: Pivot, schema: SqlSchema) -> &'static str {
    let (cloudtrail, ocsf) = match pivot {
        Pivot::EventName => ("event_name", "api.operation"),
        Pivot::EventSource => ("event_source", "api.service.name"),
        Pivot::AwsRegion => ("aws_region", "cloud.region"),
        Pivot::RecipientAccountId => ("recipient_account_id", "cloud.account.uid"),
        Pivot::SourceIpAddress => ("source_ip_address", "src_endpoint.ip"),
        Pivot::UserAgent => ("user_agent", "http_request.user_agent"),
        Pivot::ErrorCode => ("error_code", "api.response.error"),
        Pivot::ErrorMessage => ("error_message", "api.response.message"),
        Pivot::EventType => ("event_type", "metadata.event_code"),
        Pivot::EventId => ("event_id", "metadata.uid"),
        Pivot::RequestId => ("request_id", "api.request.uid"),
        Pivot::IdentityType => ("user_identity_type", "actor.user.type"),
        Pivot::IdentityArn => ("user_identity_arn", "actor.user.uid"),
        Pivot::IdentityPrincipalId => ("user_identity_principal_id", "actor.user.uid_alt"),
        Pivot::IdentityAccountId => ("user_identity_account_id", "actor.user.account.uid"),
        Pivot::IdentityUserName => ("user_identity_user_name", "actor.user.name"),
        Pivot::IdentityAccessKeyId => ("user_identity_access_key_id", "actor.user.credential_uid"),
        Pivot::IdentityInvokedBy => ("user_identity_invoked_by", "actor.invoked_by"),
        Pivot::SessionIssuerArn => ("session_issuer_arn", "actor.session.issuer"),
        Pivot::SessionIssuerUserName => ("session_issuer_user_name", "actor.session.issuer_name"),
        Pivot::SourceIdentity => ("source_identity", "actor.session.source_identity"),
    };
    match schema {
        SqlSchema::CloudTrail => cloudtrail,
        SqlSchema::Ocsf => ocsf,
    }
}

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
        }
    }

    /// A fresh lambda variable name.
    pub(crate) fn var(&mut self) -> String {
        self.next_var += 1;
        format!("x{}", self.next_var)
    }

    /// The leaves of `path`; `Err` names a key the dialect's JSON paths cannot spell.
    pub(crate) fn leaves(&mut self, path: &FieldPath) -> Result<Leaves, String> {
        if let Some(p) = path.pivot() {
            return Ok(Leaves::Column(pivot_column(p, self.schema)));
        }
        self.nodes(path.segments()).map(Leaves::Json)
    }

    /// The list of JSON nodes at `segments` below the raw record, arrays crossed.
    pub(crate) fn nodes(&mut self, segments: &[Box<str>]) -> Result<String, String> {
        let d = self.dialect;
        let mut list = d.json_list(&d.json_root(raw_column(self.schema)));
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
        Ok(match path.pivot() {
            Some(p) => format!("({} IS NOT NULL OR {found})", pivot_column(p, self.schema)),
            None => found,
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
        assert!(l.contains("$.\"userName\"") && l.contains("json_valid(raw)"));
        assert!(f.leaves(&FieldPath::new("a.b c")).is_err());
        assert_eq!(
            pivot_column(Pivot::EventName, SqlSchema::Ocsf),
            "api.operation"
        );
    }
}
