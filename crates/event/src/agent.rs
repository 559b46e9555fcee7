//! User-agent families: the client, without versions and platform details,
//! so that "a new client" means a different tool, not a new version of one.

/// Known client families: a lower-case prefix of the user agent and its family name.
/// Checked in order; the first match wins.
const FAMILIES: &[(&str, &str)] = &[
    ("aws-cli/", "aws-cli"),
    ("aws-sdk-go-v2/", "aws-sdk-go-v2"),
    ("aws-sdk-go/", "aws-sdk-go"),
    ("aws-sdk-java/", "aws-sdk-java"),
    ("aws-sdk-js/", "aws-sdk-js"),
    ("aws-sdk-nodejs/", "aws-sdk-js"),
    ("aws-sdk-rust/", "aws-sdk-rust"),
    ("aws-sdk-dotnet", "aws-sdk-dotnet"),
    ("aws-sdk-ruby", "aws-sdk-ruby"),
    ("aws-sdk-php/", "aws-sdk-php"),
    ("boto3/", "boto3"),
    ("botocore/", "botocore"),
    ("terraform/", "terraform"),
    ("apn/1.0 hashicorp/1.0 terraform/", "terraform"),
    ("aws-cdk", "aws-cdk"),
    ("cloudformation", "cloudformation"),
    ("console.amazonaws.com", "console"),
    ("signin.amazonaws.com", "console"),
    ("aws internal", "aws-internal"),
    ("python-requests/", "python-requests"),
    ("curl/", "curl"),
    ("go-http-client/", "go-http-client"),
    ("mozilla/", "browser"),
    ("s3 browser", "s3-browser"),
    ("cyberduck/", "cyberduck"),
    ("rclone/", "rclone"),
    ("pacu", "pacu"),
    ("scoutsuite", "scoutsuite"),
    ("prowler", "prowler"),
];

/// The family of `user_agent`: a known family, else its first token before
/// `/` or a space (lower case, at most 40 characters), else `unknown`.
pub fn family(user_agent: Option<&str>) -> String {
    let Some(ua) = user_agent.map(str::trim).filter(|u| !u.is_empty()) else {
        return "unknown".to_owned();
    };
    let lower = ua.to_ascii_lowercase();
    let lower = lower.trim_start_matches('[');
    if let Some((_, name)) = FAMILIES
        .iter()
        .find(|(prefix, _)| lower.starts_with(prefix))
    {
        return (*name).to_owned();
    }
    lower
        .split(['/', ' ', '(', ']', ','])
        .next()
        .filter(|t| !t.is_empty())
        .map_or_else(|| "unknown".to_owned(), |t| t.chars().take(40).collect())
}

#[cfg(test)]
mod tests {
    use super::family;

    #[test]
    fn families_drop_versions() {
        assert_eq!(
            family(Some("aws-cli/2.17.32 md/awscrt#0.21.2 ua/2.0 os/linux")),
            "aws-cli"
        );
        assert_eq!(family(Some("[aws-cli/1.18.69 Python/3.8]")), "aws-cli");
        assert_eq!(family(Some("Boto3/1.34.1 md/Botocore#1.34.1")), "boto3");
        assert_eq!(family(Some("python-requests/2.31.0")), "python-requests");
        assert_eq!(family(Some("Mozilla/5.0 (X11)")), "browser");
        assert_eq!(family(Some("MyTool/9 extra")), "mytool");
        assert_eq!(
            family(Some(
                "APN/1.0 HashiCorp/1.0 Terraform/1.6.5 (+https://www.terraform.io)"
            )),
            "terraform"
        );
        assert_eq!(family(Some("[S3Console/0.4]")), "s3console");
        assert_eq!(family(None), "unknown");
        assert_eq!(family(Some("  ")), "unknown");
    }
}
