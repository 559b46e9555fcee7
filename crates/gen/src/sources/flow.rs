//! VPC Flow Logs in the S3 delivery layout
//! (`AWSLogs/<acct>/vpcflowlogs/<region>/YYYY/MM/DD/<acct>_vpcflowlogs_<region>_fl-<id>_YYYYMMDDTHHMMZ_<hash>.log.gz`),
//! one flow log per region on its VPC, one file per hour, 10-minute
//! aggregation windows. Flow logs use the default (version 2) format but one,
//! which uses a custom format with version 3–5 fields (vpc-id, subnet-id,
//! instance-id, tcp-flags, type, pkt-srcaddr, pkt-dstaddr, region,
//! flow-direction). Every file starts with its header.

use super::facts::AttackerInstance;
use super::{hourly_log_path, pool, Ctx, FlowInstanceTruth, FlowLogTruth, FlowTruth, Publisher};
use crate::rng::{derive, Rng};
use crate::world::{hex, public_ip, Nic, World, REGIONS};
use crate::GenError;

/// A flow-log record field (names as in the format string and header).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Version,
    AccountId,
    InterfaceId,
    Srcaddr,
    Dstaddr,
    Srcport,
    Dstport,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcaddr,
    PktDstaddr,
    Region,
    FlowDirection,
}

impl Field {
    /// The field's name in headers and `${…}` format strings.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Field::Version => "version",
            Field::AccountId => "account-id",
            Field::InterfaceId => "interface-id",
            Field::Srcaddr => "srcaddr",
            Field::Dstaddr => "dstaddr",
            Field::Srcport => "srcport",
            Field::Dstport => "dstport",
            Field::Protocol => "protocol",
            Field::Packets => "packets",
            Field::Bytes => "bytes",
            Field::Start => "start",
            Field::End => "end",
            Field::Action => "action",
            Field::LogStatus => "log-status",
            Field::VpcId => "vpc-id",
            Field::SubnetId => "subnet-id",
            Field::InstanceId => "instance-id",
            Field::TcpFlags => "tcp-flags",
            Field::Type => "type",
            Field::PktSrcaddr => "pkt-srcaddr",
            Field::PktDstaddr => "pkt-dstaddr",
            Field::Region => "region",
            Field::FlowDirection => "flow-direction",
        }
    }
}

use Field as F;

/// The default format (version 2), 14 fields.
pub(crate) const V2: &[Field] = &[
    F::Version,
    F::AccountId,
    F::InterfaceId,
    F::Srcaddr,
    F::Dstaddr,
    F::Srcport,
    F::Dstport,
    F::Protocol,
    F::Packets,
    F::Bytes,
    F::Start,
    F::End,
    F::Action,
    F::LogStatus,
];

/// The custom format of the other regions (version 5 fields).
pub(crate) const CUSTOM: &[Field] = &[
    F::Version,
    F::AccountId,
    F::InterfaceId,
    F::Srcaddr,
    F::Dstaddr,
    F::Srcport,
    F::Dstport,
    F::Protocol,
    F::Packets,
    F::Bytes,
    F::Start,
    F::End,
    F::Action,
    F::LogStatus,
    F::VpcId,
    F::SubnetId,
    F::InstanceId,
    F::TcpFlags,
    F::Type,
    F::PktSrcaddr,
    F::PktDstaddr,
    F::Region,
    F::FlowDirection,
];

/// Aggregation window (seconds).
const WINDOW: i64 = 600;

/// One flow record on an interface.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Flow {
    pub eni: String,
    pub instance: String,
    pub vpc: String,
    pub subnet: String,
    pub src: String,
    pub dst: String,
    pub sport: u16,
    pub dport: u16,
    pub packets: u64,
    pub bytes: u64,
    pub start: i64,
    pub end: i64,
    pub accept: bool,
    /// No traffic in the window (`NODATA`).
    pub nodata: bool,
    /// True when the interface receives (`ingress`).
    pub ingress: bool,
}

/// The interface-side facts of a flow.
struct Side<'a> {
    nic: &'a Nic,
    instance: &'a str,
}

/// A conversation between the interface and a remote address in one window.
struct Conn<'a> {
    remote: &'a str,
    local_port: u16,
    remote_port: u16,
    start: i64,
    end: i64,
}

impl<'a> Conn<'a> {
    fn new(remote: &'a str, local_port: u16, remote_port: u16, start: i64, end: i64) -> Self {
        Conn {
            remote,
            local_port,
            remote_port,
            start,
            end,
        }
    }
}

impl Side<'_> {
    /// The record of one direction of `c`.
    fn one(&self, c: &Conn, ingress: bool, bytes: u64, accept: bool) -> Flow {
        let (local, remote) = (self.nic.private_ip.clone(), c.remote.to_string());
        let (src, dst, sport, dport) = if ingress {
            (remote, local, c.remote_port, c.local_port)
        } else {
            (local, remote, c.local_port, c.remote_port)
        };
        Flow {
            eni: self.nic.eni.clone(),
            instance: self.instance.to_string(),
            vpc: self.nic.vpc.clone(),
            subnet: self.nic.subnet.clone(),
            src,
            dst,
            sport,
            dport,
            packets: (bytes / 1200).max(1),
            bytes,
            start: c.start,
            end: c.end,
            accept,
            nodata: false,
            ingress,
        }
    }

    /// Both directions of an accepted `c`: `bytes_in` received, `bytes_out` sent.
    fn both(&self, out: &mut Vec<Flow>, c: &Conn, bytes_in: u64, bytes_out: u64) {
        out.push(self.one(c, true, bytes_in, true));
        out.push(self.one(c, false, bytes_out, true));
    }
}

/// Appends one record in `fields` order.
pub(crate) fn render(out: &mut String, f: &Flow, fields: &[Field], acct: &str, region: &str) {
    for (i, field) in fields.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let nd = f.nodata;
        let v = match field {
            F::Version => {
                if fields.len() > V2.len() {
                    "5".into()
                } else {
                    "2".into()
                }
            }
            F::AccountId => acct.to_string(),
            F::InterfaceId => f.eni.clone(),
            F::Srcaddr | F::PktSrcaddr if !nd => f.src.clone(),
            F::Dstaddr | F::PktDstaddr if !nd => f.dst.clone(),
            F::Srcport if !nd => f.sport.to_string(),
            F::Dstport if !nd => f.dport.to_string(),
            F::Protocol if !nd => "6".into(),
            F::Packets if !nd => f.packets.to_string(),
            F::Bytes if !nd => f.bytes.to_string(),
            F::Start => f.start.to_string(),
            F::End => f.end.to_string(),
            F::Action if !nd => {
                if f.accept {
                    "ACCEPT".into()
                } else {
                    "REJECT".into()
                }
            }
            F::LogStatus => {
                if nd {
                    "NODATA".into()
                } else {
                    "OK".into()
                }
            }
            F::VpcId => f.vpc.clone(),
            F::SubnetId => f.subnet.clone(),
            F::InstanceId => f.instance.clone(),
            F::TcpFlags if !nd => {
                if f.ingress {
                    "2".into()
                } else {
                    "18".into()
                }
            }
            F::Type if !nd => "IPv4".into(),
            F::Region => region.to_string(),
            F::FlowDirection if !nd => {
                if f.ingress {
                    "ingress".into()
                } else {
                    "egress".into()
                }
            }
            _ => "-".into(),
        };
        out.push_str(&v);
    }
    out.push('\n');
}

/// Regions with a flow log: home regions, then the attacker's.
fn flow_regions(ctx: &Ctx) -> Vec<usize> {
    let mut out = ctx.w.home.clone();
    for i in &ctx.facts.instances {
        if !out.contains(&i.region) {
            out.push(i.region);
        }
    }
    out
}

/// The attacker's flows and the truth of each of its interfaces.
pub(crate) struct AttackTraffic {
    /// Sorted by end time.
    pub flows: Vec<Flow>,
    pub instances: Vec<FlowInstanceTruth>,
}

/// The attacker's flows on its instances and on the account's instances it
/// reached.
pub(crate) fn attacker_flows(ctx: &Ctx) -> AttackTraffic {
    let mut flows = Vec::new();
    let mut truth = Vec::new();
    for (k, inst) in ctx.facts.instances.iter().enumerate() {
        let before = flows.len();
        one_instance(ctx, k, inst, &mut flows);
        let p = pool(ctx.w, k);
        let mine = &flows[before..];
        let sum =
            |pred: &dyn Fn(&Flow) -> bool| mine.iter().filter(|f| pred(f)).map(|f| f.bytes).sum();
        let atk = &ctx.facts.attacker_ips;
        truth.push(FlowInstanceTruth {
            instance_id: inst.id.clone(),
            region: REGIONS[inst.region].0.to_string(),
            network_interface_id: inst.nic.eni.clone(),
            private_ip: inst.nic.private_ip.clone(),
            attacker_ip: inst.operator_ip.clone(),
            bytes_in_from_attacker: sum(&|f| f.ingress && atk.contains(&f.src)),
            bytes_out_to_attacker: sum(&|f| !f.ingress && atk.contains(&f.dst)),
            pool_ip: p.ip.clone(),
            pool_port: p.port,
            bytes_out_to_pool: sum(&|f| !f.ingress && f.dst == p.ip),
        });
    }
    for t in &ctx.facts.touched {
        let nic = ctx.w.nic(t.region, &t.instance_id);
        let side = Side {
            nic: &nic,
            instance: &t.instance_id,
        };
        let mut rng = Rng::new(derive(ctx.w.seed, &[0xf10e, t.t as u64]));
        for j in 0..3 {
            let start = t.t - 240 + j * 90;
            let c = Conn {
                remote: &t.ip,
                local_port: 443,
                remote_port: rng.range(40_000, 65_000) as u16,
                start,
                end: start + 30,
            };
            side.both(&mut flows, &c, rng.range(900, 4000), rng.range(1500, 9000));
        }
    }
    flows.retain(|f| f.end >= ctx.span.0 && f.end < ctx.span.1);
    flows.sort_by(|a, b| (a.end, &a.eni, a.start).cmp(&(b.end, &b.eni, b.start)));
    AttackTraffic {
        flows,
        instances: truth,
    }
}

/// SSH in, the mining pool, and a multi-megabyte transfer out.
fn one_instance(ctx: &Ctx, k: usize, inst: &AttackerInstance, out: &mut Vec<Flow>) {
    let mut rng = Rng::new(derive(ctx.w.seed, &[0xf10a, k as u64]));
    let side = Side {
        nic: &inst.nic,
        instance: &inst.id,
    };
    let p = pool(ctx.w, k);
    let end = inst.terminated.unwrap_or(ctx.span.1).min(ctx.span.1);
    let first = (inst.launched + 90).div_euclid(WINDOW) * WINDOW;
    let exfil_at = first + WINDOW * rng.range(2, 5) as i64;
    let ssh_port = rng.range(40_000, 65_000) as u16;
    let mut w0 = first;
    while w0 < end {
        let start = w0.max(inst.launched + 60) + rng.range(0, 30) as i64;
        let stop = (w0 + WINDOW - rng.range(1, 30) as i64).min(end).max(start);
        let ssh = Conn {
            remote: &inst.operator_ip,
            local_port: 22,
            remote_port: ssh_port,
            start,
            end: stop,
        };
        if w0 < first + 3 * WINDOW || rng.chance(800) {
            side.both(
                out,
                &ssh,
                rng.range(3_000, 40_000),
                rng.range(4_000, 60_000),
            );
        }
        if w0 >= first + WINDOW {
            let stratum = Conn {
                remote: &p.ip,
                local_port: rng.range(32_768, 60_999) as u16,
                remote_port: p.port,
                start,
                end: stop,
            };
            side.both(
                out,
                &stratum,
                rng.range(5_000, 20_000),
                rng.range(8_000, 40_000),
            );
        }
        if w0 == exfil_at || w0 == exfil_at + WINDOW {
            out.push(side.one(&ssh, false, rng.range(3_000_000, 25_000_000), true));
        }
        w0 += WINDOW;
    }
}

/// Routine traffic of one home instance in one window.
fn benign_window(
    w: &World,
    region: usize,
    idx: usize,
    w0: i64,
    rng: &mut Rng,
    out: &mut Vec<Flow>,
) {
    let iid = &w.res[region].iids[idx];
    let nic = w.nic(region, iid);
    let side = Side {
        nic: &nic,
        instance: iid,
    };
    let start = w0 + rng.range(0, 40) as i64;
    let end = w0 + WINDOW - rng.range(1, 40) as i64;
    match idx % 4 {
        // Web servers: clients on 443, scanners refused on 22, 23, 3389, 5900.
        0 | 1 => {
            for _ in 0..rng.range(1, 4) {
                let client = public_ip(rng, &[24, 73, 81, 98, 176, 188]);
                let c = Conn::new(&client, 443, rng.range(32_768, 65_000) as u16, start, end);
                side.both(out, &c, rng.range(600, 20_000), rng.range(5_000, 250_000));
            }
            if rng.chance(1500) {
                let scanner = public_ip(rng, &[45, 89, 185, 193]);
                let port = *rng.pick(&[22u16, 23, 3389, 5900]);
                let c = Conn::new(&scanner, port, rng.range(1024, 65_000) as u16, start, end);
                out.push(side.one(&c, true, 44, false));
            }
        }
        // Databases: the app servers on 5432.
        2 => {
            let peer = w.nic(region, &w.res[region].iids[0]).private_ip;
            let c = Conn::new(&peer, 5432, rng.range(32_768, 65_000) as u16, start, end);
            side.both(out, &c, rng.range(2_000, 80_000), rng.range(5_000, 400_000));
        }
        // Workers: S3 and other AWS endpoints on 443, or idle.
        _ => {
            if rng.chance(3000) {
                let mut f = side.one(&Conn::new("-", 0, 0, start, end), false, 0, true);
                f.nodata = true;
                out.push(f);
            } else {
                let aws = public_ip(rng, &[3, 52, 54]);
                let c = Conn::new(&aws, rng.range(32_768, 65_000) as u16, 443, start, end);
                side.both(out, &c, rng.range(5_000, 900_000), rng.range(2_000, 90_000));
            }
        }
    }
}

/// Writes every flow log and returns the truth.
pub(crate) fn write(ctx: &Ctx) -> Result<FlowTruth, GenError> {
    let w = ctx.w;
    let AttackTraffic {
        flows: attack,
        instances: attacker_instances,
    } = attacker_flows(ctx);
    let mut publisher = Publisher::new(ctx.level);
    let mut records = 0u64;
    let mut flow_logs = Vec::new();
    let mut buf = String::new();
    let mut hour: Vec<Flow> = Vec::new();
    // One flow log uses the custom format: the second home region's, or
    // with a single home region the second attacker region's.
    let custom_at = if w.home.len() >= 2 { 1 } else { 2 };
    for (n, region) in flow_regions(ctx).into_iter().enumerate() {
        let name = REGIONS[region].0;
        let fields = if n == custom_at { CUSTOM } else { V2 };
        let header: Vec<&str> = fields.iter().map(|f| f.name()).collect();
        let header = header.join(" ");
        let id = format!("fl-0{}", hex(derive(w.seed, &[0xf1, region as u64]), 16));
        let dir = ctx.aws_logs("vpcflowlogs").join(name);
        let hosts = w.res[region].iids.len().min(8);
        let mut t = ctx.span.0;
        while t < ctx.span.1 {
            let mut rng = Rng::new(derive(w.seed, &[0xf1f1, region as u64, t as u64]));
            hour.clear();
            for w0 in (t..t + 3600).step_by(WINDOW as usize) {
                for idx in 0..hosts {
                    benign_window(w, region, idx, w0, &mut rng, &mut hour);
                }
            }
            let hour_flows = &attack[attack.partition_point(|f| f.end < t)
                ..attack.partition_point(|f| f.end < t + 3600)];
            let regional = hour_flows
                .iter()
                .filter(|f| f.vpc_region(w) == Some(region));
            hour.extend(regional.cloned());
            if !hour.is_empty() {
                hour.sort_by(|a, b| (a.end, &a.eni).cmp(&(b.end, &b.eni)));
                buf.clear();
                buf.push_str(&header);
                buf.push('\n');
                for f in &hour {
                    render(&mut buf, f, fields, &w.acct, name);
                }
                let file = format!("{}_vpcflowlogs_{name}_{id}", w.acct);
                let path = hourly_log_path(&dir, t, &file, &mut rng);
                publisher.write(&path, buf.as_bytes(), true)?;
                records += hour.len() as u64;
            }
            t += 3600;
        }
        flow_logs.push(FlowLogTruth {
            id,
            region: name.to_string(),
            vpc_id: w.res[region].vpcs.first().cloned().unwrap_or_default(),
            format: header,
        });
    }
    let mut contacted: Vec<String> = Vec::new();
    for f in attack.iter().filter(|f| {
        ctx.facts
            .touched
            .iter()
            .any(|t| t.instance_id == f.instance)
    }) {
        if !contacted.contains(&f.eni) {
            contacted.push(f.eni.clone());
        }
    }
    Ok(FlowTruth {
        files: publisher.files,
        records,
        flow_logs,
        attacker_instances,
        account_enis_contacted: contacted,
    })
}

impl Flow {
    /// The region whose VPC holds the flow's interface.
    fn vpc_region(&self, w: &World) -> Option<usize> {
        (0..REGIONS.len()).find(|&r| w.res[r].vpcs.contains(&self.vpc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(nodata: bool) -> Flow {
        let nic = Nic {
            eni: "eni-0123".into(),
            private_ip: "172.31.1.2".into(),
            vpc: "vpc-01".into(),
            subnet: "subnet-01".into(),
        };
        let side = Side {
            nic: &nic,
            instance: "i-01",
        };
        let mut f = side.one(
            &Conn::new("198.51.100.7", 22, 50_000, 100, 160),
            true,
            2400,
            true,
        );
        f.nodata = nodata;
        f
    }

    #[test]
    fn records_have_one_value_per_header_field() {
        let mut out = String::new();
        render(&mut out, &sample(false), V2, "123456789012", "us-east-1");
        assert_eq!(
            out,
            "2 123456789012 eni-0123 198.51.100.7 172.31.1.2 50000 22 6 2 2400 100 160 ACCEPT OK\n"
        );
        out.clear();
        render(&mut out, &sample(true), V2, "123456789012", "us-east-1");
        assert_eq!(
            out,
            "2 123456789012 eni-0123 - - - - - - - 100 160 - NODATA\n"
        );
        out.clear();
        render(
            &mut out,
            &sample(false),
            CUSTOM,
            "123456789012",
            "us-east-1",
        );
        let v: Vec<&str> = out.trim_end().split(' ').collect();
        assert_eq!(v.len(), CUSTOM.len());
        assert_eq!((v[0], v[16], v[22]), ("5", "i-01", "ingress"));
    }
}
