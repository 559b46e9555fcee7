//! Addresses, networks and client families: the units of "novelty" in a credential's history.

use cloudcase_timeline::IpFilter;

/// An address or CIDR range given on the command line (`--ip`, `--owner-ip`):
/// the timeline's address filter, restricted to real addresses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cidr(cloudcase_util::net::Cidr);

impl Cidr {
    /// Parses `IP` or `IP/PREFIX`, with the `--ip` filter's messages.
    pub fn parse(text: &str) -> Result<Cidr, String> {
        match IpFilter::parse(text)? {
            IpFilter::Text(_) => Err(format!("not an IP address or CIDR: {text:?}")),
            IpFilter::Net(net) => Ok(Cidr(net)),
        }
    }

    /// Whether `ip` (text as CloudTrail writes it) lies in the range.
    pub fn contains(&self, ip: &str) -> bool {
        self.0.contains(ip)
    }
}

impl std::fmt::Display for Cidr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

pub use cloudcase_event::network::network_of;

/// The client family of a user agent (see [`cloudcase_event::agent::family`]);
/// `(none)` for an absent or empty one.
pub fn ua_family(ua: &str) -> String {
    match cloudcase_event::agent::family(Some(ua)).as_str() {
        "unknown" => "(none)".to_owned(),
        family => family.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_and_cidrs() {
        assert_eq!(
            network_of("203.0.113.45").as_deref(),
            Some("203.0.113.0/24")
        );
        assert_eq!(
            network_of("2001:db8:1:2:3::9").as_deref(),
            Some("2001:db8:1:2::/64")
        );
        assert_eq!(network_of("ec2.amazonaws.com"), None);
        assert_eq!(network_of("AWS Internal"), None);
        let c = Cidr::parse("198.51.100.0/24").unwrap();
        assert!(c.contains("198.51.100.77"));
        assert!(!c.contains("198.51.101.1"));
        assert!(!c.contains("not-an-ip"));
        assert!(Cidr::parse("10.0.0.1").unwrap().contains("10.0.0.1"));
        assert!(!Cidr::parse("10.0.0.1").unwrap().contains("10.0.0.2"));
        assert!(Cidr::parse("0.0.0.0/0").unwrap().contains("8.8.8.8"));
        assert!(Cidr::parse("2001:db8::/32")
            .unwrap()
            .contains("2001:db8:ffff::1"));
        assert!(Cidr::parse("10.0.0.0/33").is_err());
        assert!(Cidr::parse("nope").is_err());
    }

    #[test]
    fn user_agent_families() {
        assert_eq!(
            ua_family("aws-cli/1.22.34 Python/3.10.12 Linux/5.15.0 botocore/1.23.34"),
            "aws-cli"
        );
        assert_eq!(ua_family("Boto3/1.26.137 Python/3.9.2"), "boto3");
        assert_eq!(ua_family("[S3Console/0.4]"), "s3console");
        assert_eq!(ua_family(""), "(none)");
    }
}
