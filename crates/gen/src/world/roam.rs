//! Employees who roam: their keys and console sessions move between the
//! office, a home ISP that hands out a new dynamic address every day or few
//! days, a mobile carrier and (for one of them) a CI runner pool on a cloud
//! provider, always with the same user agents and working hours.
//!
//! Where a roaming identity calls from is a pure function of the person and
//! the time, so the same person has the same home address on every one of
//! their identities at the same moment, and every file agrees.

use super::{Ident, Kind, World};
use crate::catalog::{HCLI, HCON, SSO};
use crate::rng::{derive, mix64, Rng};

/// An address block `base/prefix`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    pub base: u32,
    pub prefix: u8,
}

impl Block {
    /// The block as CIDR text.
    pub(crate) fn cidr(&self) -> String {
        format!("{}/{}", dotted(self.base), self.prefix)
    }

    /// A host address inside the block chosen by `v` (never .0 or .255).
    fn host(&self, v: u64) -> String {
        let size = 1u64 << (32 - self.prefix as u32);
        let net = (v % (size / 256).max(1)) as u32;
        let host = 1 + ((v >> 32) % 254) as u32;
        dotted(self.base + net * 256 + host)
    }
}

fn dotted(a: u32) -> String {
    format!(
        "{}.{}.{}.{}",
        a >> 24,
        (a >> 16) & 255,
        (a >> 8) & 255,
        a & 255
    )
}

/// A kind of network people roam through, as a table row: which first
/// octets its ranges come from and how its ranges are cut.
struct NetworkKind {
    firsts: &'static [u8],
    /// Prefix length of each block.
    prefix: u8,
    /// Number of blocks (an ISP's handful of /20s, one carrier /16, …).
    blocks: u64,
}

/// Residential ISPs with dynamic addressing: a handful of /20s, or one /16.
const HOME_ISPS: &[NetworkKind] = &[
    NetworkKind {
        firsts: &[67, 71, 76, 96, 99],
        prefix: 20,
        blocks: 4,
    },
    NetworkKind {
        firsts: &[82, 86, 90, 109, 151],
        prefix: 16,
        blocks: 1,
    },
    NetworkKind {
        firsts: &[70, 75, 108, 174],
        prefix: 20,
        blocks: 6,
    },
];
/// Mobile carriers (carrier-grade NAT egress, a new address every hour).
const MOBILE: NetworkKind = NetworkKind {
    firsts: &[107, 166, 208, 223],
    prefix: 16,
    blocks: 1,
};
/// A CI runner pool on a cloud provider: many /24s, one per job.
const CI_POOL: NetworkKind = NetworkKind {
    firsts: &[20, 40, 52],
    prefix: 14,
    blocks: 1,
};

/// `kind.blocks` distinct aligned blocks of one network of `kind`.
fn blocks(rng: &mut Rng, kind: &NetworkKind) -> Vec<Block> {
    let first = *rng.pick(kind.firsts) as u32;
    let second =
        rng.range(1, 250) as u32 & !((1u32 << (16u32.saturating_sub(kind.prefix as u32))) - 1);
    let mut out = Vec::new();
    while (out.len() as u64) < kind.blocks {
        let base = if kind.prefix >= 16 {
            let step = 1u32 << (24 - kind.prefix as u32);
            (first << 24) | (second << 16) | ((rng.below(256 / step as u64) as u32 * step) << 8)
        } else {
            (first << 24) | (second << 16)
        };
        let b = Block {
            base,
            prefix: kind.prefix,
        };
        if !out.contains(&b) {
            out.push(b);
        }
    }
    out
}

/// Where one roaming person calls from.
#[derive(Clone, Debug)]
pub(crate) struct Roam {
    salt: u64,
    tz: i32,
    pub office: Vec<String>,
    /// Weekdays (bit 1 = Monday … bit 5 = Friday) spent at the office.
    office_days: u8,
    /// Days between two changes of the home address.
    pub period_days: i64,
    pub home: Vec<Block>,
    pub mobile: Vec<Block>,
    /// Empty when the person's key is not used by CI jobs.
    pub ci: Vec<Block>,
}

/// Share (per 10 000) of calls from a mobile carrier and from CI jobs.
const MOBILE_SHARE: u64 = 1200;
const CI_SHARE: u64 = 2000;

impl Roam {
    /// The address a call at `t` comes from.
    pub(crate) fn address(&self, t: i64) -> String {
        let local = t + self.tz as i64 * 3600;
        let day = local.div_euclid(86_400);
        let hour = local.rem_euclid(86_400) / 3600;
        let weekday = (day + 4).rem_euclid(7) as u8; // 0 = Sunday
        if !self.ci.is_empty() && derive(self.salt, &[0xc1, (t / 1800) as u64]) % 10_000 < CI_SHARE
        {
            let v = derive(self.salt, &[0xc2, (t / 1800) as u64]);
            return self.ci[(v % self.ci.len() as u64) as usize].host(mix64(v));
        }
        if derive(self.salt, &[0x30b, (t / 3600) as u64]) % 10_000 < MOBILE_SHARE {
            let v = derive(self.salt, &[0x30c, (t / 3600) as u64]);
            return self.mobile[(v % self.mobile.len() as u64) as usize].host(mix64(v));
        }
        let at_office = self.office_days & (1 << weekday) != 0 && (8..18).contains(&hour);
        if at_office && !self.office.is_empty() {
            let v = derive(self.salt, &[0x0ff, (t / 600) as u64]);
            return self.office[(v % self.office.len() as u64) as usize].clone();
        }
        let lease = (day + (self.salt % 7) as i64).div_euclid(self.period_days);
        let v = derive(self.salt, &[0x40e, lease as u64]);
        self.home[(v % self.home.len() as u64) as usize].host(mix64(v))
    }
}

/// One roaming employee, as the ground truth reports them.
#[derive(Clone, Debug)]
pub(crate) struct Roamer {
    pub user_name: String,
    pub access_key_id: String,
    /// The person's identities (CLI key, console, SSO) in `world.idents`.
    pub idents: Vec<usize>,
    pub roam: Roam,
}

impl World {
    /// Makes two or three employees (never the responder) roam; returns them.
    pub(crate) fn enable_roaming(&mut self) -> Vec<Roamer> {
        let mut rng = Rng::new(derive(self.seed, &[0x0000_726f_616d]));
        let people: Vec<usize> = self
            .idents
            .iter()
            .enumerate()
            .filter(|(i, id)| id.class == HCLI && *i != self.responder && id.kind == Kind::IamUser)
            .map(|(i, _)| i)
            .collect();
        let n = (2 + rng.below(2) as usize).min(people.len());
        let start = rng.below(people.len() as u64) as usize;
        let mut roamers = Vec::new();
        for k in 0..n {
            let cli = people[(start + k) % people.len()];
            let name = self.idents[cli].name.clone();
            let isp = rng.pick(HOME_ISPS);
            let roam = Roam {
                salt: derive(self.seed, &[0x5a17, cli as u64]),
                tz: self.tz,
                office: office_of(&self.idents[cli]),
                office_days: [0b11110u8, 0b01110, 0b10110, 0b00110][rng.below(4) as usize],
                period_days: 1 + rng.below(3) as i64,
                home: blocks(&mut rng, isp),
                mobile: blocks(&mut rng, &MOBILE),
                ci: if k == 0 {
                    blocks(&mut rng, &CI_POOL)
                } else {
                    Vec::new()
                },
            };
            let idents: Vec<usize> = (0..self.idents.len())
                .filter(|&i| belongs_to(&self.idents[i], &name))
                .collect();
            for &i in &idents {
                let mut r = roam.clone();
                if self.idents[i].class != HCLI {
                    r.ci.clear();
                }
                self.idents[i].roam = Some(r);
            }
            roamers.push(Roamer {
                user_name: name,
                access_key_id: self.idents[cli].key.clone(),
                idents,
                roam,
            });
        }
        roamers
    }
}

/// The office addresses among an identity's usual ones (all but the last,
/// which is the person's fixed home address in the non-roaming world).
fn office_of(id: &Ident) -> Vec<String> {
    let mut office: Vec<String> = id.ips[..id.ips.len().saturating_sub(1)].to_vec();
    office.dedup();
    office
}

/// True when `id` is one of `user`'s own identities (key, console, SSO).
fn belongs_to(id: &Ident, user: &str) -> bool {
    match id.class {
        HCLI | HCON => id.name == user,
        SSO => id
            .session
            .strip_prefix(user)
            .is_some_and(|r| r.starts_with('@')),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_are_aligned_and_hosts_stay_inside() {
        let mut rng = Rng::new(5);
        for kind in HOME_ISPS.iter().chain([&MOBILE, &CI_POOL]) {
            let bs = blocks(&mut rng, kind);
            assert_eq!(bs.len() as u64, kind.blocks);
            for b in &bs {
                let mask = u32::MAX << (32 - b.prefix as u32);
                assert_eq!(b.base & !mask, 0, "{}", b.cidr());
                for v in 0..50u64 {
                    let h = b.host(mix64(v));
                    let a: Vec<u32> = h.split('.').map(|x| x.parse().unwrap()).collect();
                    let addr = (a[0] << 24) | (a[1] << 16) | (a[2] << 8) | a[3];
                    assert_eq!(addr & mask, b.base, "{h} outside {}", b.cidr());
                    assert!(a[3] >= 1 && a[3] <= 254);
                }
            }
        }
    }
}
