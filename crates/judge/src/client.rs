//! A user agent parsed into what separates one client from another: the tool (family), the
//! operating system, and the compute environment it runs in.

use std::cell::RefCell;
use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// An operating system named by a user agent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Os {
    /// Amazon Linux (an `amzn` kernel or distribution): almost always EC2, Lambda or ECS.
    AmazonLinux,
    /// Another Linux.
    Linux,
    /// macOS.
    Macos,
    /// Windows.
    Windows,
    /// A phone or tablet (Android, iOS).
    Mobile,
}

impl Os {
    /// The spelling in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            Os::AmazonLinux => "amazon-linux",
            Os::Linux => "linux",
            Os::Macos => "macos",
            Os::Windows => "windows",
            Os::Mobile => "mobile",
        }
    }

    /// Whether a person's own device runs it (never a server or an AWS compute service).
    pub fn is_desktop(self) -> bool {
        matches!(self, Os::Macos | Os::Windows | Os::Mobile)
    }
}

/// The AWS compute environment a client says it runs in (`exec-env/…`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExecEnv {
    /// A Lambda function (`exec-env/AWS_Lambda_…`).
    Lambda,
    /// An ECS task (`exec-env/AWS_ECS_EC2`, `AWS_ECS_FARGATE`).
    Ecs,
    /// An EC2 instance (`exec-env/AWS_EC2…`, `md/ec2…`).
    Ec2,
    /// AWS CloudShell.
    CloudShell,
    /// Another `exec-env/` value.
    Other,
}

impl ExecEnv {
    /// The spelling in documents.
    pub fn as_str(self) -> &'static str {
        match self {
            ExecEnv::Lambda => "lambda",
            ExecEnv::Ecs => "ecs",
            ExecEnv::Ec2 => "ec2",
            ExecEnv::CloudShell => "cloudshell",
            ExecEnv::Other => "other",
        }
    }
}

/// Lower-case substrings naming an operating system, checked in order (Android before Linux,
/// Amazon Linux before Linux).
const OS_PATTERNS: &[(&str, Os)] = &[
    ("android", Os::Mobile),
    ("iphone", Os::Mobile),
    ("ipad", Os::Mobile),
    ("os/ios", Os::Mobile),
    ("amzn", Os::AmazonLinux),
    ("amazon linux", Os::AmazonLinux),
    ("amazonlinux", Os::AmazonLinux),
    ("os/macos", Os::Macos),
    ("darwin", Os::Macos),
    ("macintosh", Os::Macos),
    ("mac os x", Os::Macos),
    ("macos", Os::Macos),
    ("os/windows", Os::Windows),
    ("windows nt", Os::Windows),
    ("windows/", Os::Windows),
    ("win32", Os::Windows),
    ("win64", Os::Windows),
    ("os/linux", Os::Linux),
    ("linux/", Os::Linux),
    ("linux;", Os::Linux),
    ("x11;", Os::Linux),
    ("ubuntu", Os::Linux),
    ("debian", Os::Linux),
    ("linux", Os::Linux),
];

/// Lower-case substrings naming a compute environment, checked in order.
const EXEC_ENV_PATTERNS: &[(&str, ExecEnv)] = &[
    ("exec-env/aws_lambda", ExecEnv::Lambda),
    ("exec-env/aws_ecs", ExecEnv::Ecs),
    ("exec-env/aws_ec2", ExecEnv::Ec2),
    ("exec-env/ec2", ExecEnv::Ec2),
    ("md/ec2", ExecEnv::Ec2),
    ("exec-env/cloudshell", ExecEnv::CloudShell),
    ("exec-env/", ExecEnv::Other),
];

/// Client families that are a browser, hence the console in a person's hands.
const BROWSER_FAMILIES: &[&str] = &["browser", "console"];

/// A user agent, parsed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Client {
    /// The tool (`aws-cli`, `boto3`, `terraform`, `console`, `browser`, …; see
    /// [`cloudcase_event::agent::family`]).
    pub family: String,
    /// The operating system, when the user agent names one.
    pub os: Option<Os>,
    /// The compute environment, when the user agent names one.
    pub exec_env: Option<ExecEnv>,
    /// Whether it runs on a person's own device (macOS, Windows, a phone, a browser).
    pub desktop: bool,
}

/// User agents parsed per thread, remembered: a busy account's millions of events carry a few
/// hundred distinct agents, and a parse is dozens of substring searches.
const PARSED_KEPT: usize = 4096;

thread_local! {
    static PARSED: RefCell<HashMap<Box<str>, Client, foldhash::fast::FixedState>> =
        RefCell::new(HashMap::default());
}

impl Client {
    /// Parses a user agent (remembered per thread: the same agent gives the same client).
    pub fn parse(user_agent: &str) -> Client {
        PARSED.with(|cell| {
            let mut parsed = cell.borrow_mut();
            if let Some(c) = parsed.get(user_agent) {
                return c.clone();
            }
            let c = Client::parse_uncached(user_agent);
            if parsed.len() >= PARSED_KEPT {
                parsed.clear();
            }
            parsed.insert(user_agent.into(), c.clone());
            c
        })
    }

    fn parse_uncached(user_agent: &str) -> Client {
        let lower = user_agent.to_ascii_lowercase();
        let family = cloudcase_event::agent::family(Some(user_agent));
        let os = OS_PATTERNS
            .iter()
            .find(|(p, _)| lower.contains(p))
            .map(|(_, o)| *o);
        let exec_env = EXEC_ENV_PATTERNS
            .iter()
            .find(|(p, _)| lower.contains(p))
            .map(|(_, e)| *e);
        let desktop = exec_env.is_none()
            && (os.is_some_and(Os::is_desktop) || BROWSER_FAMILIES.contains(&family.as_str()));
        Client {
            family,
            os,
            exec_env,
            desktop,
        }
    }

    /// Family and operating system as one label (`aws-cli/macos`, `boto3/-`): the grain at which
    /// a client is "the same tool on the same kind of machine".
    pub fn label(&self) -> String {
        format!("{}/{}", self.family, self.os.map_or("-", Os::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembered_parses_equal_fresh_ones_before_and_after_the_memory_is_cleared() {
        let agents: Vec<String> = (0..PARSED_KEPT + 10)
            .map(|i| format!("aws-cli/2.{i}.0 Python/3.11 Darwin/23.1.0 exe/x86_64"))
            .collect();
        for ua in agents.iter().chain(agents.iter().take(20)) {
            assert_eq!(Client::parse(ua), Client::parse_uncached(ua), "{ua}");
            assert_eq!(Client::parse(ua).os, Some(Os::Macos));
        }
        PARSED.with(|p| assert!(p.borrow().len() <= PARSED_KEPT));
    }

    #[test]
    fn cli_on_a_laptop() {
        let c = Client::parse(
            "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64 prompt/off command/s3.ls",
        );
        assert_eq!(c.family, "aws-cli");
        assert_eq!(c.os, Some(Os::Macos));
        assert_eq!(c.exec_env, None);
        assert!(c.desktop);
        assert_eq!(c.label(), "aws-cli/macos");
        let w = Client::parse("aws-cli/2.13.0 Python/3.11.4 Windows/10 exe/AMD64 prompt/off");
        assert_eq!(w.os, Some(Os::Windows));
        assert!(w.desktop);
    }

    #[test]
    fn sdks_in_compute() {
        let l = Client::parse("Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10.209-219.811.amzn2.x86_64 md/arch#x86_64 lang/python#3.12.0 exec-env/AWS_Lambda_python3.12 cfg/retry-mode#legacy Botocore/1.34.0");
        assert_eq!(l.family, "boto3");
        assert_eq!(l.os, Some(Os::AmazonLinux));
        assert_eq!(l.exec_env, Some(ExecEnv::Lambda));
        assert!(!l.desktop);
        let e = Client::parse("aws-sdk-js/3.470.0 ua/2.0 os/linux#5.10 lang/js md/nodejs#18.18.2 exec-env/AWS_ECS_FARGATE api/s3#3.470.0");
        assert_eq!(e.exec_env, Some(ExecEnv::Ecs));
        assert_eq!(e.family, "aws-sdk-js");
        let i = Client::parse("aws-cli/2.15.0 Python/3.11.6 Linux/6.1.61-85.141.amzn2023.x86_64 exe/x86_64.amzn.2023 prompt/off command/s3.cp");
        assert_eq!(i.os, Some(Os::AmazonLinux));
        assert!(!i.desktop);
    }

    #[test]
    fn console_browsers_and_unknowns() {
        let b = Client::parse("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36");
        assert_eq!(b.family, "browser");
        assert_eq!(b.os, Some(Os::Macos));
        assert!(b.desktop);
        let a = Client::parse("Mozilla/5.0 (Linux; Android 14; Pixel 8)");
        assert_eq!(a.os, Some(Os::Mobile));
        let t = Client::parse("APN/1.0 HashiCorp/1.0 Terraform/1.6.5 (+https://www.terraform.io) terraform-provider-aws/5.31.0");
        assert_eq!(t.family, "terraform");
        assert_eq!(t.os, None);
        assert!(!t.desktop);
        assert_eq!(t.label(), "terraform/-");
        let s = Client::parse("console.amazonaws.com");
        assert!(s.desktop);
    }
}
