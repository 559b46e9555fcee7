//! The named fields of a finding that JSON Lines and CSV share, in output order.

use crate::finding::FindingView;

/// How a field is read from a finding (empty when absent).
pub(crate) type Get = for<'b> fn(&'b FindingView<'_>) -> &'b str;

/// One output field: its key (JSON) or column header (CSV), and its value.
pub(crate) struct Field {
    /// Key or header.
    pub name: &'static str,
    /// The value.
    pub get: Get,
}

/// The fields after `time` and before `file` and `record`, which each format
/// writes in its own way.
pub(crate) const FIELDS: &[Field] = &[
    Field {
        name: "level",
        get: |f| f.level.as_str(),
    },
    Field {
        name: "rule_id",
        get: |f| f.rule_id,
    },
    Field {
        name: "rule_title",
        get: |f| f.title,
    },
    Field {
        name: "origin",
        get: |f| f.origin.as_str(),
    },
    Field {
        name: "tactics",
        get: |f| &f.tactics,
    },
    Field {
        name: "techniques",
        get: |f| &f.techniques,
    },
    Field {
        name: "principal",
        get: |f| f.principal.unwrap_or_default(),
    },
    Field {
        name: "access_key",
        get: |f| f.access_key.unwrap_or_default(),
    },
    Field {
        name: "source_ip",
        get: |f| f.source_ip.unwrap_or_default(),
    },
    Field {
        name: "region",
        get: |f| f.region.unwrap_or_default(),
    },
    Field {
        name: "account",
        get: |f| f.account.unwrap_or_default(),
    },
    Field {
        name: "event_source",
        get: |f| f.event_source,
    },
    Field {
        name: "event_name",
        get: |f| f.event_name,
    },
    Field {
        name: "error_code",
        get: |f| f.error_code.unwrap_or_default(),
    },
    Field {
        name: "event_id",
        get: |f| f.event_id.unwrap_or_default(),
    },
    Field {
        name: "detail",
        get: |f| f.detail.unwrap_or_default(),
    },
    Field {
        name: "sha256",
        get: |f| f.file.sha256.as_deref().unwrap_or_default(),
    },
    Field {
        name: "origin_path",
        get: |f| f.file.origin.as_deref().unwrap_or_default(),
    },
];
