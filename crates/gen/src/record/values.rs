//! Writers of generated values: identifiers, keys, UUIDs, object keys,
//! network interfaces, and the values inside the busy shape's list items.

use super::Scratch;
use crate::busy::heavy::{Band, PORTS, TAGS};
use crate::rng::Rng;
use crate::template::Var;
use crate::time::{push_num, push_slash_date};
use crate::world::World;

/// Placeholders drawn afresh for every item of a list (an instance's id,
/// address and volume differ from the next instance's; its VPC does not).
pub(crate) const ITEM_FRESH: u128 = bits(&[
    Var::HexId,
    Var::HexId2,
    Var::Hex8,
    Var::Hex32,
    Var::N,
    Var::Bytes,
    Var::Az,
    Var::Ami,
    Var::Sg,
    Var::Subnet,
    Var::ObjKey,
    Var::NewIid,
    Var::Iid,
    Var::KmsKey,
    Var::PrivIp,
    Var::Mac,
    Var::Port,
    Var::BgType,
]);

const fn bits(vars: &[Var]) -> u128 {
    let mut m = 0u128;
    let mut i = 0;
    while i < vars.len() {
        m |= 1u128 << (vars[i] as u32);
        i += 1;
    }
    m
}

/// `,"subnetId":…,"vpcId":…,"privateIpAddress":…,"networkInterfaceSet":…`
/// of a RunInstances response item, as EC2 reports a launched instance's
/// primary interface.
pub(crate) fn push_nic(out: &mut Vec<u8>, nic: &crate::world::Nic, acct: &str) {
    let attach = nic.eni.replacen("eni-", "eni-attach-", 1);
    out.extend_from_slice(
        format!(
            r#","subnetId":"{s}","vpcId":"{v}","privateIpAddress":"{ip}","networkInterfaceSet":{{"items":[{{"networkInterfaceId":"{e}","subnetId":"{s}","vpcId":"{v}","ownerId":"{acct}","status":"in-use","privateIpAddress":"{ip}","sourceDestCheck":true,"interfaceType":"interface","attachment":{{"attachmentId":"{attach}","deviceIndex":0,"networkCardIndex":0,"status":"attaching","deleteOnTermination":true}},"privateIpAddressesSet":{{"item":[{{"privateIpAddress":"{ip}","primary":true}}]}}}}]}}"#,
            s = nic.subnet,
            v = nic.vpc,
            ip = nic.private_ip,
            e = nic.eni,
        )
        .as_bytes(),
    );
}

/// A count drawn from `bands` (percentages summing to 100).
pub(crate) fn draw_count(rng: &mut Rng, bands: &[Band]) -> u32 {
    let mut x = rng.below(100) as u32;
    for b in bands {
        if x < b.percent {
            return b.lo + rng.below((b.hi - b.lo + 1) as u64) as u32;
        }
        x -= b.percent;
    }
    bands.last().map_or(0, |b| b.lo)
}

/// The values used inside busy-shape list items; `v` is the placeholder's
/// cached value (the same within an item for [`ITEM_FRESH`] ones).
pub(crate) fn push_item_value(out: &mut Vec<u8>, rng: &mut Rng, sc: &Scratch, var: Var, v: u64) {
    let octets = [(v >> 8) & 255, (v >> 16) & 255, 4 + (v >> 24) % 250];
    match var {
        Var::Tag => {
            let (key, values) = TAGS[((sc.item + v) % TAGS.len() as u64) as usize];
            out.extend_from_slice(b"{\"key\":\"");
            out.extend_from_slice(key.as_bytes());
            out.extend_from_slice(b"\",\"value\":\"");
            let r = rng.next_u64();
            pick(out, r, values);
            if key == "Name" {
                out.push(b'-');
                push_num(out, 1 + (r >> 32) % 40);
            }
            out.extend_from_slice(b"\"}");
        }
        Var::Idx => push_num(out, sc.item),
        Var::DevName => {
            if sc.item == 0 {
                out.extend_from_slice(b"/dev/xvda");
            } else {
                out.extend_from_slice(b"/dev/sd");
                out.push(b'a' + (sc.item % 26) as u8);
            }
        }
        Var::PrivIp | Var::PrivDns => {
            let sep = if var == Var::PrivIp { b'.' } else { b'-' };
            out.extend_from_slice(b"10");
            for o in octets {
                out.push(sep);
                push_num(out, o);
            }
        }
        Var::Mac => {
            out.extend_from_slice(b"0a");
            for i in 0..5 {
                out.push(b':');
                push_hex(out, (v >> (8 * i)) & 255, 2);
            }
        }
        Var::Port => push_num(out, PORTS[(v % PORTS.len() as u64) as usize] as u64),
        _ => {}
    }
}

const HEXD: &[u8; 16] = b"0123456789abcdef";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const ALNUM_UP: &[u8; 36] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/// Appends the item `v` selects (modulo the length); nothing when there are none.
pub(crate) fn pick<S: AsRef<str>>(out: &mut Vec<u8>, v: u64, items: &[S]) {
    if let Some(s) = items.get((v % items.len().max(1) as u64) as usize) {
        out.extend_from_slice(s.as_ref().as_bytes());
    }
}

/// An S3 object key: `prefix/yyyy/mm/dd/part-NNNNN-hhhhhhhh.ext`, all chosen by `v`.
pub(crate) fn push_obj_key(out: &mut Vec<u8>, v: u64, t: i64, w: &World) {
    pick(out, v, w.obj_prefixes);
    out.push(b'/');
    push_slash_date(out, t);
    out.extend_from_slice(b"/part-");
    let n = (v >> 8) % 100_000;
    let mut digits = Vec::with_capacity(5);
    push_num(&mut digits, n);
    out.extend(std::iter::repeat_n(b'0', 5 - digits.len()));
    out.extend_from_slice(&digits);
    out.push(b'-');
    push_hex(out, crate::rng::mix64(v), 8);
    out.push(b'.');
    pick(out, v >> 40, w.obj_exts);
}

/// A key-pair fingerprint: 16 colon-separated hex bytes drawn from `v`.
pub(crate) fn push_fingerprint(out: &mut Vec<u8>, v: u64) {
    let v2 = crate::rng::mix64(v);
    for i in 0..16 {
        if i > 0 {
            out.push(b':');
        }
        let byte = if i < 8 {
            v >> (i * 8)
        } else {
            v2 >> ((i - 8) * 8)
        };
        push_hex(out, byte & 0xff, 2);
    }
}

/// `n` (<= 16) lowercase hex digits of `v`, most significant first.
#[inline]
pub(crate) fn push_hex(out: &mut Vec<u8>, v: u64, n: usize) {
    for i in (0..n).rev() {
        out.push(HEXD[((v >> (4 * i)) & 15) as usize]);
    }
}

/// An AWS-style id: prefix + `len` base-32 characters derived from `v`.
#[inline]
pub(crate) fn push_key(out: &mut Vec<u8>, prefix: &[u8], v: u64, len: usize) {
    out.extend_from_slice(prefix);
    let mut x = v;
    for i in 0..len {
        if i == 12 {
            x = crate::rng::mix64(v);
        }
        out.push(B32[(x & 31) as usize]);
        x >>= 5;
    }
}

pub(crate) fn push_b64(out: &mut Vec<u8>, v: u64, len: usize) {
    let mut x = v;
    for i in 0..len {
        if i % 10 == 0 {
            x = crate::rng::mix64(x ^ i as u64);
        }
        out.push(B64[(x & 63) as usize]);
        x >>= 6;
    }
}

pub(crate) fn push_upper_alnum(out: &mut Vec<u8>, rng: &mut Rng, len: usize) {
    let mut x = rng.next_u64();
    for i in 0..len {
        if i == 10 {
            x = rng.next_u64();
        }
        out.push(ALNUM_UP[(x % 36) as usize]);
        x /= 36;
    }
}

/// A random (version 4 shaped) UUID.
#[inline]
pub(crate) fn push_uuid(out: &mut Vec<u8>, rng: &mut Rng) {
    let a = rng.next_u64();
    let b = rng.next_u64();
    push_hex(out, a >> 32, 8);
    out.push(b'-');
    push_hex(out, a >> 16, 4);
    out.extend_from_slice(b"-4");
    push_hex(out, a, 3);
    out.push(b'-');
    push_hex(out, 0x8000 | ((b >> 48) & 0x3fff), 4);
    out.push(b'-');
    push_hex(out, b, 12);
}
