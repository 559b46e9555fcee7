//! The grains of a source address at which "new" is judged: the address itself, its network
//! (/24 or /64), its wide network (/16 or /48), and, when a lookup is given, its country and
//! autonomous system. A home ISP with dynamic addresses or a mobile network changes the network
//! often and the wide network rarely; an attacker usually changes every grain.

use std::net::IpAddr;

pub use cloudcase_event::network::network_of;

/// The /16 (IPv4) or /48 (IPv6) of `source_ip` as CIDR text; `None` for values that are not IP
/// addresses (service names such as `ec2.amazonaws.com`).
pub fn wide_network_of(source_ip: &str) -> Option<String> {
    match source_ip.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            Some(format!("{}.{}.0.0/16", o[0], o[1]))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}::/48", s[0], s[1], s[2]))
        }
    }
}

/// Whether `source_ip` is an address in a private, loopback or link-local range (VPC endpoints
/// and in-VPC callers record these).
pub fn is_private(source_ip: &str) -> bool {
    match source_ip.parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => v4.is_private() || v4.is_loopback() || v4.is_link_local(),
        Ok(IpAddr::V6(v6)) => {
            v6.is_loopback()
                || (v6.segments()[0] & 0xfe00) == 0xfc00
                || (v6.segments()[0] & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

/// A country lookup (an offline MaxMind-format database, `--geoip`).
pub trait CountryLookup: Sync {
    /// The ISO country code of `ip`, if known.
    fn country(&self, ip: &str) -> Option<String>;
}

/// An autonomous-system lookup (an offline ASN table, when one is given).
pub trait AsnLookup: Sync {
    /// The AS number of `ip`, if known.
    fn asn(&self, ip: &str) -> Option<u32>;
}

/// The optional lookups that add grains.
#[derive(Clone, Copy, Default)]
pub struct Lookups<'a> {
    /// Country lookup.
    pub country: Option<&'a dyn CountryLookup>,
    /// ASN lookup.
    pub asn: Option<&'a dyn AsnLookup>,
}

impl std::fmt::Debug for Lookups<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Lookups")
            .field("country", &self.country.is_some())
            .field("asn", &self.asn.is_some())
            .finish()
    }
}

/// One source address at every grain.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Grains {
    /// The address as CloudTrail wrote it.
    pub address: String,
    /// /24 or /64; `None` when the source is not an address.
    pub network: Option<String>,
    /// /16 or /48; `None` when the source is not an address.
    pub wide: Option<String>,
    /// Country code, with a country lookup.
    pub country: Option<String>,
    /// AS number, with an ASN lookup.
    pub asn: Option<u32>,
}

impl Grains {
    /// The grains of `source_ip`.
    pub fn of(source_ip: &str, lookups: Lookups<'_>) -> Grains {
        let is_ip = source_ip.parse::<IpAddr>().is_ok();
        Grains {
            address: source_ip.to_owned(),
            network: network_of(source_ip),
            wide: wide_network_of(source_ip),
            country: lookups
                .country
                .filter(|_| is_ip)
                .and_then(|l| l.country(source_ip)),
            asn: lookups.asn.filter(|_| is_ip).and_then(|l| l.asn(source_ip)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed;
    impl CountryLookup for Fixed {
        fn country(&self, ip: &str) -> Option<String> {
            ip.starts_with("203.").then(|| "NL".to_owned())
        }
    }
    impl AsnLookup for Fixed {
        fn asn(&self, _: &str) -> Option<u32> {
            Some(64500)
        }
    }

    #[test]
    fn grains_of_v4_v6_and_services() {
        let g = Grains::of("203.0.113.77", Lookups::default());
        assert_eq!(g.network.as_deref(), Some("203.0.113.0/24"));
        assert_eq!(g.wide.as_deref(), Some("203.0.0.0/16"));
        assert_eq!(g.country, None);
        let g = Grains::of(
            "203.0.113.77",
            Lookups {
                country: Some(&Fixed),
                asn: Some(&Fixed),
            },
        );
        assert_eq!(g.country.as_deref(), Some("NL"));
        assert_eq!(g.asn, Some(64500));
        let v6 = Grains::of("2001:db8:1:2:3::9", Lookups::default());
        assert_eq!(v6.network.as_deref(), Some("2001:db8:1:2::/64"));
        assert_eq!(v6.wide.as_deref(), Some("2001:db8:1::/48"));
        let s = Grains::of(
            "lambda.amazonaws.com",
            Lookups {
                country: Some(&Fixed),
                asn: Some(&Fixed),
            },
        );
        assert_eq!((s.network, s.wide, s.asn), (None, None, None));
        assert!(is_private("10.1.2.3"));
        assert!(!is_private("203.0.113.1"));
        assert!(!is_private("AWS Internal"));
    }
}
