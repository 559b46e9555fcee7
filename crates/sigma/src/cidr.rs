//! The `|cidr` modifier: IPv4 and IPv6 networks.

use std::net::IpAddr;

/// A network such as `10.0.0.0/8` or `2001:db8::/32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cidr {
    net: u128,
    mask: u128,
    v6: bool,
}

impl Cidr {
    /// Parses `address/prefix` (a bare address is a single host). Host bits
    /// set below the prefix are ignored, as `ip_network(strict=False)` does.
    pub(crate) fn parse(text: &str) -> Result<Cidr, String> {
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
        let ip: IpAddr = addr
            .parse()
            .map_err(|_| format!("{addr:?} is not an IPv4 or IPv6 address"))?;
        let (bits, v6, width) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), false, 32u8),
            IpAddr::V6(a) => (u128::from(a), true, 128u8),
        };
        let len = len.unwrap_or(width);
        if len > width {
            return Err(format!("prefix length {len} exceeds {width}"));
        }
        let mask = if len == 0 {
            0
        } else {
            (u128::MAX << (128 - u32::from(len))) >> (128 - u32::from(width))
        };
        Ok(Cidr {
            net: bits & mask,
            mask,
            v6,
        })
    }

    /// Whether `text` is an address inside the network (same family).
    pub(crate) fn contains(&self, text: &str) -> bool {
        let Ok(ip) = text.trim().parse::<IpAddr>() else {
            return false;
        };
        let (bits, v6) = match ip {
            IpAddr::V4(a) => (u128::from(u32::from(a)), false),
            IpAddr::V6(a) => (u128::from(a), true),
        };
        v6 == self.v6 && bits & self.mask == self.net
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
    }
}
