//! IPv4 and IPv6 networks: one CIDR type for every crate that matches addresses.

use std::net::IpAddr;

/// A network such as `10.0.0.0/8` or `2001:db8::/32`: Sigma's `|cidr`
/// modifier, `--ip` and `--owner-ip` all match addresses with this one type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cidr {
    /// The address as given (host bits kept, for display).
    addr: IpAddr,
    /// Prefix length in bits.
    prefix: u8,
    net: u128,
    mask: u128,
}

/// An address as 128 bits and whether it is IPv6.
fn bits(ip: IpAddr) -> (u128, bool) {
    match ip {
        IpAddr::V4(a) => (u128::from(u32::from(a)), false),
        IpAddr::V6(a) => (u128::from(a), true),
    }
}

impl Cidr {
    /// Parses `address/prefix` (a bare address is a single host). Host bits
    /// set below the prefix are ignored, as `ip_network(strict=False)` does;
    /// `ADDRESS/0` is the whole address family, whatever the address.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        let text = text.trim();
        let (addr, len) = match text.split_once('/') {
            Some((a, l)) => (
                a,
                Some(
                    l.parse::<u8>()
                        .map_err(|_| format!("prefix length {l:?} is not a number"))?,
                ),
            ),
            None => (text, None),
        };
        let addr: IpAddr = addr
            .parse()
            .map_err(|_| format!("{addr:?} is not an IPv4 or IPv6 address"))?;
        let width = if addr.is_ipv4() { 32u8 } else { 128u8 };
        let prefix = len.unwrap_or(width);
        if prefix > width {
            return Err(format!("prefix length {prefix} exceeds {width}"));
        }
        let mask = if prefix == 0 {
            0
        } else {
            (u128::MAX << (128 - u32::from(prefix))) >> (128 - u32::from(width))
        };
        Ok(Cidr {
            addr,
            prefix,
            net: bits(addr).0 & mask,
            mask,
        })
    }

    /// Whether `text` is an address inside the network (same family).
    pub fn contains(&self, text: &str) -> bool {
        text.trim()
            .parse::<IpAddr>()
            .is_ok_and(|ip| self.contains_ip(ip))
    }

    /// Whether `ip` is inside the network (same family).
    pub fn contains_ip(&self, ip: IpAddr) -> bool {
        let (b, v6) = bits(ip);
        v6 == self.addr.is_ipv6() && b & self.mask == self.net
    }
}

impl std::fmt::Display for Cidr {
    /// `address/prefix`, the address as given.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv4_networks() {
        let c = Cidr::parse("10.0.0.0/8").unwrap();
        assert!(c.contains("10.1.2.3"));
        assert!(!c.contains("11.0.0.1"));
        assert!(!c.contains("not an ip"));
        assert!(!c.contains("::ffff:10.0.0.1"));
        let host = Cidr::parse("192.168.1.7").unwrap();
        assert!(host.contains("192.168.1.7"));
        assert!(!host.contains("192.168.1.8"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8"));
        assert!(Cidr::parse("10.0.0.1/8").unwrap().contains("10.9.9.9"));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("10.0.0/8").is_err());
    }

    #[test]
    fn ipv6_networks() {
        let c = Cidr::parse("2001:db8::/32").unwrap();
        assert!(c.contains("2001:db8:1::5"));
        assert!(c.contains("2001:DB8::1"));
        assert!(!c.contains("2001:db9::1"));
        assert!(!c.contains("10.0.0.1"));
        assert!(Cidr::parse("::/0").unwrap().contains("fe80::1"));
        assert!(Cidr::parse("fe80::1/128").unwrap().contains("fe80::1"));
        assert!(Cidr::parse("2001:db8::7/0").unwrap().contains("::1"));
        assert_eq!(Cidr::parse("10.0.0.1/8").unwrap().to_string(), "10.0.0.1/8");
        assert_eq!(Cidr::parse("10.0.0.1").unwrap().to_string(), "10.0.0.1/32");
    }
}
