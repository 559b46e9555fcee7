//! Names shared by the CloudFormation and Terraform outputs.

/// `aws_iam_user_created` or `iam-policy-changes` as `AwsIamUserCreated`.
pub(crate) fn camel(s: &str) -> String {
    s.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|p| !p.is_empty())
        .map(|p| {
            let mut c = p.chars();
            c.next().map_or(String::new(), |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// `cloudcase-aws_iam_user_created` as a Terraform identifier `aws_iam_user_created`.
pub(crate) fn snake(s: &str) -> String {
    let t: String = s
        .trim_start_matches("cloudcase-")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect();
    if t.starts_with(|c: char| c.is_ascii_digit()) {
        format!("r_{t}")
    } else {
        t
    }
}

/// Description text cut to `max` characters.
pub(crate) fn cut(s: &str, max: usize) -> String {
    s.chars().take(max).collect()
}
