//! The flat columns shared by the CSV and Timesketch formats, as one table.

use std::borrow::Cow;

use cloudcase_event::Event;

type Getter = for<'a> fn(&'a Event) -> Option<Cow<'a, str>>;

fn s(v: &Option<String>) -> Option<Cow<'_, str>> {
    v.as_deref().map(Cow::Borrowed)
}

fn flag(v: Option<bool>) -> Option<Cow<'static, str>> {
    v.map(|b| Cow::Borrowed(if b { "true" } else { "false" }))
}

/// Every flat column after the time: name and how to read it from an event.
pub(crate) const COLUMNS: &[(&str, Getter)] = &[
    ("source", |e| Some(Cow::Borrowed(e.source.as_str()))),
    ("event_source", |e| Some(Cow::Borrowed(&e.event_source))),
    ("event_name", |e| Some(Cow::Borrowed(&e.event_name))),
    ("aws_region", |e| s(&e.region)),
    ("recipient_account_id", |e| s(&e.recipient_account)),
    ("identity_type", |e| s(&e.identity.kind)),
    ("principal_arn", |e| s(&e.identity.arn)),
    ("principal_id", |e| s(&e.identity.principal_id)),
    ("identity_account_id", |e| s(&e.identity.account_id)),
    ("user_name", |e| s(&e.identity.user_name)),
    ("access_key_id", |e| s(&e.identity.access_key_id)),
    ("session_issuer_arn", |e| s(&e.identity.session_issuer_arn)),
    ("role_session_name", |e| s(&e.identity.role_session_name)),
    ("source_identity", |e| s(&e.identity.source_identity)),
    ("mfa_authenticated", |e| flag(e.identity.mfa_authenticated)),
    ("invoked_by", |e| s(&e.identity.invoked_by)),
    ("source_ip_address", |e| s(&e.source_ip)),
    ("user_agent", |e| s(&e.user_agent)),
    ("error_code", |e| s(&e.error_code)),
    ("error_message", |e| s(&e.error_message)),
    ("read_only", |e| flag(e.read_only)),
    ("event_type", |e| s(&e.event_type)),
    ("event_category", |e| {
        Some(Cow::Borrowed(e.category.as_str()))
    }),
    ("event_id", |e| s(&e.event_id)),
    ("request_id", |e| s(&e.request_id)),
    ("request_parameters", |e| {
        e.request_parameters
            .as_deref()
            .map(|r| Cow::Borrowed(r.get()))
    }),
    ("detail", |e| crate::describe(e).map(Cow::Owned)),
    ("source_file", |e| {
        Some(e.provenance.file.path.to_string_lossy())
    }),
    ("record_index", |e| {
        Some(Cow::Owned(e.provenance.record.to_string()))
    }),
];

/// Column names in output order, time first, for documentation and headers.
pub const COLUMN_NAMES: &[&str] = &[
    "event_time",
    "source",
    "event_source",
    "event_name",
    "aws_region",
    "recipient_account_id",
    "identity_type",
    "principal_arn",
    "principal_id",
    "identity_account_id",
    "user_name",
    "access_key_id",
    "session_issuer_arn",
    "role_session_name",
    "source_identity",
    "mfa_authenticated",
    "invoked_by",
    "source_ip_address",
    "user_agent",
    "error_code",
    "error_message",
    "read_only",
    "event_type",
    "event_category",
    "event_id",
    "request_id",
    "request_parameters",
    "detail",
    "source_file",
    "record_index",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_list_matches_the_column_table() {
        assert_eq!(COLUMN_NAMES[0], "event_time");
        let table: Vec<&str> = COLUMNS.iter().map(|(n, _)| *n).collect();
        assert_eq!(&COLUMN_NAMES[1..], table.as_slice());
    }
}
