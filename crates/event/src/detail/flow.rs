//! One VPC flow log record, typed.

use std::net::IpAddr;

use crate::EventTime;

/// A flow record's `action`, or its `log-status` when no traffic was recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FlowAction {
    /// The traffic was accepted.
    Accept,
    /// The traffic was rejected.
    Reject,
    /// No traffic to or from the interface during the window (`NODATA`).
    NoData,
    /// Records were skipped during the window (`SKIPDATA`): coverage has a gap.
    SkipData,
}

impl FlowAction {
    /// The spelling in flow logs: `ACCEPT`, `REJECT`, `NODATA`, `SKIPDATA`.
    pub fn as_str(self) -> &'static str {
        match self {
            FlowAction::Accept => "ACCEPT",
            FlowAction::Reject => "REJECT",
            FlowAction::NoData => "NODATA",
            FlowAction::SkipData => "SKIPDATA",
        }
    }
}

/// What one VPC flow log record says (default v2 fields, plus the v3–v8
/// fields a custom format may add; absent or `-` fields are `None`).
///
/// Addresses are as seen by the interface: `src_addr` sent the packets
/// counted, so for the interface's own traffic leaving it `src_addr` is the
/// interface's address. `pkt_*` are the original packet addresses (NAT).
#[derive(Debug, Clone, PartialEq)]
pub struct Flow {
    /// The account that owns the interface (`account-id`).
    pub account_id: Option<String>,
    /// The network interface the record is for (`interface-id`).
    pub interface_id: Option<String>,
    /// The source address (`srcaddr`).
    pub src_addr: Option<IpAddr>,
    /// The destination address (`dstaddr`).
    pub dst_addr: Option<IpAddr>,
    /// The source port (`srcport`).
    pub src_port: Option<u16>,
    /// The destination port (`dstport`).
    pub dst_port: Option<u16>,
    /// The IANA protocol number (`protocol`): 6 TCP, 17 UDP, 1 ICMP.
    pub protocol: Option<u8>,
    /// Packets in the window (`packets`).
    pub packets: Option<u64>,
    /// Bytes in the window (`bytes`).
    pub bytes: Option<u64>,
    /// When the window's first packet was seen (`start`).
    pub start: EventTime,
    /// When the window's last packet was seen (`end`).
    pub end: EventTime,
    /// `action`, or `log-status` (`NODATA`, `SKIPDATA`) when no action was logged.
    pub action: FlowAction,
    /// The instance the interface belongs to (`instance-id`, v3), when logged.
    pub instance_id: Option<String>,
    /// The VPC (`vpc-id`, v3), when logged.
    pub vpc_id: Option<String>,
    /// The subnet (`subnet-id`, v3), when logged.
    pub subnet_id: Option<String>,
    /// `ingress` or `egress` (`flow-direction`, v5), when logged.
    pub flow_direction: Option<String>,
    /// The original source address of the packet (`pkt-srcaddr`, v3), when logged.
    pub pkt_src_addr: Option<IpAddr>,
    /// The original destination address of the packet (`pkt-dstaddr`, v3), when logged.
    pub pkt_dst_addr: Option<IpAddr>,
}
