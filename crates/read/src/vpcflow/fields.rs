//! The flow log fields: how each is read and what part of a [`Flow`] it fills,
//! and the formats (field lists) a file's records follow.
//!
//! [`Flow`]: cloudcase_event::detail::Flow

/// How a field's text is read and kept in the raw record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Text, kept as a JSON string.
    Text,
    /// An unsigned integer no larger than `max`, kept as a JSON number.
    Number {
        /// The largest value the field can hold.
        max: u64,
    },
    /// An IPv4 or IPv6 address, kept as a JSON string.
    Addr,
}

/// The part of a flow record a field fills, beyond the raw record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    /// Kept in the raw record only.
    Raw,
    /// `account-id`.
    Account,
    /// `interface-id`.
    Interface,
    /// `srcaddr`.
    SrcAddr,
    /// `dstaddr`.
    DstAddr,
    /// `srcport`.
    SrcPort,
    /// `dstport`.
    DstPort,
    /// `protocol`.
    Protocol,
    /// `packets`.
    Packets,
    /// `bytes`.
    Bytes,
    /// `start`.
    Start,
    /// `end`.
    End,
    /// `action`.
    Action,
    /// `log-status`.
    LogStatus,
    /// `instance-id`.
    Instance,
    /// `vpc-id`.
    Vpc,
    /// `subnet-id`.
    Subnet,
    /// `flow-direction`.
    Direction,
    /// `pkt-srcaddr`.
    PktSrcAddr,
    /// `pkt-dstaddr`.
    PktDstAddr,
    /// `region`.
    Region,
}

/// One documented field.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Field {
    /// The name flow logs use (`${name}` in a format, and in the header line).
    pub name: &'static str,
    /// How its text is read.
    pub kind: Kind,
    /// What it fills.
    pub slot: Slot,
}

/// The latest time a `start` or `end` can hold: 9999-12-31T23:59:59Z.
pub(crate) const MAX_SECONDS: u64 = 253_402_300_799;

const fn field(name: &'static str, kind: Kind, slot: Slot) -> Field {
    Field { name, kind, slot }
}

const TEXT: Kind = Kind::Text;
const ADDR: Kind = Kind::Addr;
const PORT: Kind = Kind::Number { max: 65_535 };
const BYTE: Kind = Kind::Number { max: 255 };
const INT32: Kind = Kind::Number {
    max: i32::MAX as u64,
};
const COUNT: Kind = Kind::Number {
    max: i64::MAX as u64,
};
const SECONDS: Kind = Kind::Number { max: MAX_SECONDS };

/// Every documented field: version 2 (the default format), 3 (VPC, subnet,
/// instance, TCP flags, type, packet addresses), 4 (region, zone,
/// sublocation), 5 (AWS service names, direction, path), 7 (ECS) and 8
/// (reject reason).
pub(crate) const FIELDS: &[Field] = &[
    field("version", BYTE, Slot::Raw),
    field("account-id", TEXT, Slot::Account),
    field("interface-id", TEXT, Slot::Interface),
    field("srcaddr", ADDR, Slot::SrcAddr),
    field("dstaddr", ADDR, Slot::DstAddr),
    field("srcport", PORT, Slot::SrcPort),
    field("dstport", PORT, Slot::DstPort),
    field("protocol", BYTE, Slot::Protocol),
    field("packets", COUNT, Slot::Packets),
    field("bytes", COUNT, Slot::Bytes),
    field("start", SECONDS, Slot::Start),
    field("end", SECONDS, Slot::End),
    field("action", TEXT, Slot::Action),
    field("log-status", TEXT, Slot::LogStatus),
    field("vpc-id", TEXT, Slot::Vpc),
    field("subnet-id", TEXT, Slot::Subnet),
    field("instance-id", TEXT, Slot::Instance),
    field("tcp-flags", INT32, Slot::Raw),
    field("type", TEXT, Slot::Raw),
    field("pkt-srcaddr", ADDR, Slot::PktSrcAddr),
    field("pkt-dstaddr", ADDR, Slot::PktDstAddr),
    field("region", TEXT, Slot::Region),
    field("az-id", TEXT, Slot::Raw),
    field("sublocation-type", TEXT, Slot::Raw),
    field("sublocation-id", TEXT, Slot::Raw),
    field("pkt-src-aws-service", TEXT, Slot::Raw),
    field("pkt-dst-aws-service", TEXT, Slot::Raw),
    field("flow-direction", TEXT, Slot::Direction),
    field("traffic-path", INT32, Slot::Raw),
    field("ecs-cluster-arn", TEXT, Slot::Raw),
    field("ecs-cluster-name", TEXT, Slot::Raw),
    field("ecs-container-instance-arn", TEXT, Slot::Raw),
    field("ecs-container-instance-id", TEXT, Slot::Raw),
    field("ecs-container-id", TEXT, Slot::Raw),
    field("ecs-second-container-id", TEXT, Slot::Raw),
    field("ecs-service-name", TEXT, Slot::Raw),
    field("ecs-task-definition-arn", TEXT, Slot::Raw),
    field("ecs-task-arn", TEXT, Slot::Raw),
    field("ecs-task-id", TEXT, Slot::Raw),
    field("reject-reason", TEXT, Slot::Raw),
];

/// The default format's fields, in order (the first fourteen of [`FIELDS`]).
const DEFAULT: usize = 14;

/// The documented field called `name`.
pub(crate) fn known(name: &str) -> Option<&'static Field> {
    FIELDS.iter().find(|f| f.name == name)
}

/// One column of a format: a documented field, or a name this reader does
/// not know (a field newer than it), kept as text under that name.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Column {
    /// A documented field.
    Known(&'static Field),
    /// An unknown field, by the header's name.
    Unknown(Box<str>),
}

impl Column {
    /// The name the field is kept under.
    pub(crate) fn name(&self) -> &str {
        match self {
            Column::Known(f) => f.name,
            Column::Unknown(n) => n,
        }
    }

    fn slot(&self) -> Slot {
        match self {
            Column::Known(f) => f.slot,
            Column::Unknown(_) => Slot::Raw,
        }
    }
}

/// The fields a file's records hold, in order.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Format {
    /// The columns, in the order of the values on a line.
    pub columns: Vec<Column>,
    /// Why records of this format cannot be events, if they cannot: a
    /// format with no `start` cannot be placed in time, one with neither
    /// `action` nor `log-status` does not say what happened.
    pub unusable: Option<&'static str>,
}

impl Format {
    /// The default format (version 2): what a file without a header holds.
    pub(crate) fn default_v2() -> Self {
        Self::new(FIELDS[..DEFAULT].iter().map(Column::Known).collect())
    }

    fn new(columns: Vec<Column>) -> Self {
        let has = |slot: Slot| columns.iter().any(|c| c.slot() == slot);
        let unusable = if !has(Slot::Start) {
            Some("the format has no start field, so its records cannot be placed in time")
        } else if !has(Slot::Action) && !has(Slot::LogStatus) {
            Some("the format has neither action nor log-status, so its records do not say what happened")
        } else {
            None
        };
        Format { columns, unusable }
    }

    /// The format a header line names, if `text` is one: names only
    /// (lower-case letters, digits, `-`), each once, at least `min_known` of
    /// them documented fields.
    pub(crate) fn from_header(text: &str, min_known: usize) -> Option<Self> {
        let mut columns: Vec<Column> = Vec::new();
        for name in text.split_ascii_whitespace() {
            let shaped = name.starts_with(|c: char| c.is_ascii_lowercase())
                && name
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !shaped || columns.iter().any(|c| c.name() == name) {
                return None;
            }
            columns.push(known(name).map_or_else(|| Column::Unknown(name.into()), Column::Known));
        }
        let documented = columns
            .iter()
            .filter(|c| matches!(c, Column::Known(_)))
            .count();
        (documented >= min_known.max(1)).then(|| Self::new(columns))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_once_and_the_default_format_first() {
        for (i, f) in FIELDS.iter().enumerate() {
            assert!(
                FIELDS[i + 1..].iter().all(|g| g.name != f.name),
                "{} twice",
                f.name
            );
        }
        let default = Format::default_v2();
        let names: Vec<&str> = default.columns.iter().map(Column::name).collect();
        assert_eq!(
            names.join(" "),
            "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status"
        );
        assert_eq!(Format::default_v2().unusable, None);
    }

    #[test]
    fn headers_name_fields_in_any_order_and_keep_unknown_ones() {
        let f = Format::from_header("srcaddr start action future-field version", 2).unwrap();
        assert_eq!(f.columns[3], Column::Unknown("future-field".into()));
        assert_eq!(f.columns[1].name(), "start");
        assert_eq!(f.unusable, None);
        let nat = Format::from_header(
            "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr",
            2,
        )
        .unwrap();
        assert!(nat.unusable.unwrap().contains("no start"));
        let quiet = Format::from_header("start end srcaddr", 1).unwrap();
        assert!(quiet.unusable.unwrap().contains("neither action"));
    }

    #[test]
    fn data_lines_and_odd_headers_are_not_headers() {
        let line = "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK";
        assert_eq!(Format::from_header(line, 1), None);
        assert_eq!(Format::from_header("- eni-1235b8ca123456789", 1), None);
        assert_eq!(Format::from_header("eni-abc ingress", 1), None);
        assert_eq!(Format::from_header("start start action", 1), None);
        assert_eq!(Format::from_header("srcaddr foo", 2), None);
        assert_eq!(Format::from_header("", 0), None);
    }
}
