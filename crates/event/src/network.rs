//! The network an address belongs to, for "first use from a new network":
//! one definition shared by `hunt`'s analytics and `scope`'s intrusion finding.

use std::net::IpAddr;

/// The /24 (IPv4) or /64 (IPv6) of `source_ip` as CIDR text; `None` for values
/// that are not IP addresses (`ec2.amazonaws.com`, `AWS Internal`): calls AWS
/// services make on a principal's behalf are never "new networks".
pub fn network_of(source_ip: &str) -> Option<String> {
    match source_ip.parse::<IpAddr>().ok()? {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            Some(format!("{}.{}.{}.0/24", o[0], o[1], o[2]))
        }
        IpAddr::V6(v6) => {
            let s = v6.segments();
            Some(format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::network_of;

    #[test]
    fn networks_are_slash_24_and_slash_64() {
        assert_eq!(
            network_of("203.0.113.77").as_deref(),
            Some("203.0.113.0/24")
        );
        assert_eq!(
            network_of("2001:db8:1:2:3::9").as_deref(),
            Some("2001:db8:1:2::/64")
        );
        assert_eq!(network_of("ec2.amazonaws.com"), None);
        assert_eq!(network_of("AWS Internal"), None);
    }
}
