//! IP addresses and CIDR blocks for `--ip`.

use std::net::IpAddr;

use cloudcase_util::net::Cidr;

/// An `--ip` filter: a CIDR block, a single address, or (for values that are
/// not addresses, such as `ec2.amazonaws.com`) the exact source text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IpFilter {
    /// Addresses within the network.
    Net(Cidr),
    /// A `sourceIPAddress` that is not an address (an AWS service name), matched ignoring case.
    Text(String),
}

impl IpFilter {
    /// Parses `203.0.113.7`, `203.0.113.0/24`, `2001:db8::/32`, or any other
    /// text as a literal source to match.
    pub fn parse(text: &str) -> Result<Self, String> {
        let text = text.trim();
        let (addr_text, prefix_text) = match text.split_once('/') {
            Some((a, p)) => (a, Some(p)),
            None => (text, None),
        };
        let Ok(addr) = addr_text.parse::<IpAddr>() else {
            if prefix_text.is_some() {
                return Err(format!(
                    "expected an address or CIDR such as 203.0.113.0/24, found {text:?}"
                ));
            }
            return Ok(IpFilter::Text(text.to_owned()));
        };
        let max = if addr.is_ipv4() { 32 } else { 128 };
        Cidr::parse(text)
            .map(IpFilter::Net)
            .map_err(|_| format!("expected a prefix length from 0 to {max} in {text:?}"))
    }

    /// Whether CloudTrail's `sourceIPAddress` text matches.
    pub fn matches(&self, source: &str) -> bool {
        match self {
            IpFilter::Text(t) => t.eq_ignore_ascii_case(source),
            IpFilter::Net(net) => net.contains(source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::IpFilter;

    #[test]
    fn cidr_and_addresses() {
        let net = IpFilter::parse("203.0.113.0/24").unwrap();
        assert!(net.matches("203.0.113.77"));
        assert!(!net.matches("203.0.114.1"));
        assert!(!net.matches("ec2.amazonaws.com"));
        assert!(IpFilter::parse("10.0.0.0/9").unwrap().matches("10.127.1.1"));
        assert!(!IpFilter::parse("10.0.0.0/9").unwrap().matches("10.128.1.1"));
        assert!(IpFilter::parse("198.51.100.9")
            .unwrap()
            .matches("198.51.100.9"));
        assert!(IpFilter::parse("2001:db8::/32")
            .unwrap()
            .matches("2001:db8:1::5"));
        assert!(IpFilter::parse("0.0.0.0/0").unwrap().matches("1.2.3.4"));
    }

    #[test]
    fn service_names_match_as_text_and_bad_cidrs_fail() {
        assert!(IpFilter::parse("ec2.amazonaws.com")
            .unwrap()
            .matches("EC2.amazonaws.com"));
        assert!(IpFilter::parse("10.0.0.0/33").is_err());
        assert!(IpFilter::parse("nonsense/8").is_err());
    }
}
