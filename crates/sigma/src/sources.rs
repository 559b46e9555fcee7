//! Which events a rule applies to: its `logsource` names one of the logs
//! cloudcase reads ([`LogSource`]), through a table of the service names
//! rules use for it.
//!
//! `product` must be `aws`. `service` is matched ignoring ASCII case and
//! surrounding spaces against [`SERVICES`]. `dns` is deliberately absent:
//! Sigma uses it as a generic `category` whose rules name the taxonomy's
//! fields (`query`, `record_type`, `answer`), not the Resolver's
//! (`query_name`, `query_type`, `answers`), so running them on Resolver
//! records would silently never match; they are reported as not applicable.

use cloudcase_event::LogSource;

use crate::meta::Logsource;

/// Every `service` spelling accepted under `product: aws`, and the log it names.
pub(crate) const SERVICES: &[(&str, LogSource)] = &[
    ("cloudtrail", LogSource::CloudTrail),
    ("s3_access", LogSource::S3Access),
    ("s3-access", LogSource::S3Access),
    ("s3accesslogs", LogSource::S3Access),
    ("s3_access_logs", LogSource::S3Access),
    ("vpc_flow", LogSource::VpcFlow),
    ("vpcflow", LogSource::VpcFlow),
    ("vpcflowlogs", LogSource::VpcFlow),
    ("vpc_flow_logs", LogSource::VpcFlow),
    ("guardduty", LogSource::GuardDuty),
    ("route53_resolver", LogSource::Route53Resolver),
    ("route53resolver", LogSource::Route53Resolver),
    ("route53", LogSource::Route53Resolver),
    ("billing", LogSource::Billing),
    ("cur", LogSource::Billing),
];

/// The spellings of [`SERVICES`], for messages.
pub(crate) fn service_names() -> String {
    SERVICES
        .iter()
        .map(|(name, _)| *name)
        .collect::<Vec<_>>()
        .join(", ")
}

impl Logsource {
    /// The log whose events rules with this log source apply to:
    /// `product: aws` and a `service` naming it (ASCII case ignored):
    /// its [`LogSource::as_str`] name or an alias (`s3-access`, `s3accesslogs`,
    /// `s3_access_logs`; `vpcflow`, `vpcflowlogs`, `vpc_flow_logs`;
    /// `route53resolver`, `route53`; `cur`). `None` for any other log source.
    pub fn log_source(&self) -> Option<LogSource> {
        let product = self.product.as_deref()?.trim();
        if !product.eq_ignore_ascii_case("aws") {
            return None;
        }
        let service = self.service.as_deref()?.trim();
        SERVICES
            .iter()
            .find(|(name, _)| service.eq_ignore_ascii_case(name))
            .map(|(_, source)| *source)
    }

    /// Whether rules with this log source apply to CloudTrail records:
    /// `product: aws` and `service: cloudtrail` (ASCII case ignored).
    pub fn is_cloudtrail(&self) -> bool {
        self.log_source() == Some(LogSource::CloudTrail)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ls(product: &str, service: &str) -> Logsource {
        Logsource {
            product: Some(product.into()),
            service: Some(service.into()),
            category: None,
        }
    }

    #[test]
    fn services_name_their_log() {
        assert_eq!(
            ls("AWS", " CloudTrail").log_source(),
            Some(LogSource::CloudTrail)
        );
        assert_eq!(
            ls("aws", "s3-access").log_source(),
            Some(LogSource::S3Access)
        );
        assert_eq!(
            ls("aws", "VPCFlowLogs").log_source(),
            Some(LogSource::VpcFlow)
        );
        assert_eq!(
            ls("aws", "guardduty").log_source(),
            Some(LogSource::GuardDuty)
        );
        assert_eq!(
            ls("aws", "route53").log_source(),
            Some(LogSource::Route53Resolver)
        );
        assert_eq!(ls("aws", "cur").log_source(), Some(LogSource::Billing));
        assert_eq!(ls("aws", "dns").log_source(), None);
        assert_eq!(ls("azure", "guardduty").log_source(), None);
        assert_eq!(Logsource::default().log_source(), None);
        assert!(!ls("aws", "s3_access").is_cloudtrail());
    }

    #[test]
    fn every_source_has_its_own_name_in_the_table() {
        for source in LogSource::ALL {
            assert_eq!(ls("aws", source.as_str()).log_source(), Some(source));
        }
    }
}
