//! The `network` section: VPC flow records between attacker sources and the account's
//! interfaces, and every flow on the interfaces of instances the attacker launched, with an
//! exfiltration statement and the flow-log coverage behind it.

use serde::{Deserialize, Serialize};

use super::common::RecordRef;
use super::coverage::Window;

/// The `network` section (present when the inputs hold VPC flow logs or the attacker launched
/// instances).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    /// Flows grouped per interface, remote address, port and protocol.
    pub flows: Vec<FlowGroup>,
    /// One entry per instance the attacker launched: its interfaces and their flow logs.
    pub instances: Vec<InstanceTraffic>,
    /// Bytes sent to attacker addresses: observed, not observed, or unknown.
    pub exfiltration: Exfiltration,
    /// The flow logs in the inputs.
    pub coverage: FlowLogCoverage,
}

/// Why a flow is listed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowReason {
    /// The interface belongs to an instance the attacker launched.
    AttackerInstance,
    /// The remote address is an attacker source.
    AttackerAddress,
}

/// The flow records of one (interface, remote address, port, protocol).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowGroup {
    /// The network interface (`eni-…`).
    pub interface_id: String,
    /// Its instance, when known (RunInstances, the record's `instance-id`).
    pub instance_id: Option<String>,
    /// The interface's own address in these records, when it could be told.
    pub local_address: Option<String>,
    /// The other end.
    pub remote_address: String,
    /// The service port: the lower of the two ports (the other is the ephemeral side).
    pub port: Option<u16>,
    /// `tcp`, `udp`, `icmp`, `icmpv6` or the IANA number.
    pub protocol: String,
    /// Why the flow is listed.
    pub reason: FlowReason,
    /// Bytes from the remote address to the interface.
    pub bytes_in: u64,
    /// Bytes from the interface to the remote address.
    pub bytes_out: u64,
    /// Packets, both ways.
    pub packets: u64,
    /// Flow records.
    pub records: u64,
    /// Start of the first record, RFC 3339 UTC.
    pub first: String,
    /// End of the last record, RFC 3339 UTC.
    pub last: String,
    /// `ACCEPT` and/or `REJECT`.
    pub actions: Vec<String>,
    /// The first records, up to five.
    pub refs: Vec<RecordRef>,
}

/// Whether flow logs recorded an instance's interfaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowLogState {
    /// Flow records exist for its interfaces.
    Logged,
    /// No flow record of its interfaces: what it sent is UNKNOWN.
    Unknown,
}

/// One instance the attacker launched and its traffic.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceTraffic {
    /// The instance.
    pub instance_id: String,
    /// Its interfaces (RunInstances' response, flow records' `instance-id`).
    pub interfaces: Vec<String>,
    /// Its private addresses (RunInstances' response).
    pub private_addresses: Vec<String>,
    /// Whether flow logs recorded it.
    pub flow_logs: FlowLogState,
    /// Flow records of its interfaces (NODATA and SKIPDATA included).
    pub records: u64,
    /// Start of the first record, RFC 3339 UTC.
    pub first: Option<String>,
    /// End of the last record, RFC 3339 UTC.
    pub last: Option<String>,
    /// Windows the flow log skipped (`SKIPDATA`), up to twenty.
    pub skipdata: Vec<Window>,
    /// Bytes it sent.
    pub bytes_out: u64,
    /// Bytes it received.
    pub bytes_in: u64,
    /// Distinct remote addresses.
    pub remote_addresses: u64,
    /// The sentence the state rests on.
    pub basis: String,
}

/// Whether bytes reached attacker addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExfiltrationVerdict {
    /// Flow records show bytes sent to attacker addresses.
    Observed,
    /// Flow records in the window show none (on the interfaces logged).
    NotObserved,
    /// No flow record in the window: the logs cannot say.
    Unknown,
}

/// Bytes sent to attacker addresses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exfiltration {
    /// The verdict.
    pub verdict: ExfiltrationVerdict,
    /// The sentence it rests on, with the coverage.
    pub basis: String,
    /// Bytes sent to attacker addresses, all interfaces.
    pub bytes_to_attacker: u64,
    /// Per attacker address.
    pub destinations: Vec<ExfiltrationDestination>,
}

/// Bytes sent to one attacker address.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExfiltrationDestination {
    /// The attacker address.
    pub address: String,
    /// Bytes sent to it.
    pub bytes: u64,
    /// The interfaces that sent them.
    pub interfaces: Vec<String>,
    /// First, RFC 3339 UTC.
    pub first: String,
    /// Last, RFC 3339 UTC.
    pub last: String,
}

/// The flow logs in the inputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlowLogCoverage {
    /// Flow records over the whole input.
    pub records: u64,
    /// Those ending at or after the first attacker event.
    pub records_in_window: u64,
    /// Distinct interfaces with records.
    pub interfaces: u64,
    /// Start of the first record, RFC 3339 UTC.
    pub first: Option<String>,
    /// End of the last record, RFC 3339 UTC.
    pub last: Option<String>,
    /// `SKIPDATA` records (windows with records lost).
    pub skipdata_records: u64,
    /// Records of the attacker's interfaces and addresses beyond the groups kept (a bound on
    /// memory, reached by scans): counted here, not in `flows`.
    pub ungrouped_records: u64,
    /// Their bytes, both ways.
    pub ungrouped_bytes: u64,
    /// How much of the attacker window the records span.
    pub window: super::WindowSpan,
}
