//! Which regions to query: a list given by the user, or every region enabled
//! for the account (EC2 DescribeRegions).

use crate::client::Aws;
use crate::error::AwsError;

/// The regions a `--regions` value names: `all` asks EC2 for the enabled ones.
pub fn resolve(aws: &Aws, spec: Option<&str>) -> Result<Vec<String>, AwsError> {
    match spec.map(str::trim) {
        None | Some("all") => enabled(aws),
        Some(list) => {
            let regions: Vec<String> = list
                .split(',')
                .map(str::trim)
                .filter(|r| !r.is_empty())
                .map(str::to_owned)
                .collect();
            if regions.is_empty() {
                return Err(AwsError::Invalid {
                    expected: "`all` or a comma-separated list of regions",
                    found: list.to_owned(),
                });
            }
            Ok(regions)
        }
    }
}

/// Regions enabled for the account, sorted.
fn enabled(aws: &Aws) -> Result<Vec<String>, AwsError> {
    let out = aws
        .block_on(aws.ec2(&aws.region()).describe_regions().send())
        .map_err(|e| AwsError::call("DescribeRegions", aws.region(), e))?;
    let mut regions: Vec<String> = out
        .regions()
        .iter()
        .filter_map(|r| r.region_name().map(str::to_owned))
        .collect();
    regions.sort();
    Ok(regions)
}
