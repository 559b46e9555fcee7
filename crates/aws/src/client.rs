//! One connection to AWS: the credential chain, region, endpoint, retries, and
//! the runtime that drives the async SDK from the synchronous pipeline.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};

use crate::error::AwsError;

/// The region used when neither `--region` nor the profile names one.
pub const DEFAULT_REGION: &str = "us-east-1";

/// Attempts per call (first try included): throttling and transient errors are
/// retried with exponential backoff and jitter by the SDK's standard retry mode.
const MAX_ATTEMPTS: u32 = 8;

/// How to reach AWS.
#[derive(Debug, Clone, Default)]
pub struct AwsOptions {
    /// A named profile from `~/.aws/config` (SSO and `credential_process` included);
    /// otherwise the standard chain: environment, default profile, web identity,
    /// container and instance roles.
    pub profile: Option<String>,
    /// Region for regional calls and S3; otherwise the profile's, else `us-east-1`.
    pub region: Option<String>,
    /// An S3-compatible or emulated endpoint for every service (path-style S3).
    pub endpoint_url: Option<String>,
}

/// A loaded AWS configuration and the runtime its calls run on.
#[derive(Clone)]
pub struct Aws {
    runtime: Arc<tokio::runtime::Runtime>,
    config: SdkConfig,
    endpoint_url: Option<String>,
}

impl std::fmt::Debug for Aws {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the configuration itself: it holds the credentials provider.
        f.debug_struct("Aws")
            .field("region", &self.region())
            .field("endpoint_url", &self.endpoint_url)
            .finish_non_exhaustive()
    }
}

impl Aws {
    /// Loads the credential chain and configuration. Credentials are resolved
    /// lazily, at the first call.
    pub fn connect(options: &AwsOptions) -> Result<Aws, AwsError> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .map_err(AwsError::Runtime)?;
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(Provider::Rustls(CryptoMode::Ring))
            .build_https();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http)
            .retry_config(
                RetryConfig::standard()
                    .with_max_attempts(MAX_ATTEMPTS)
                    .with_initial_backoff(Duration::from_millis(200))
                    .with_max_backoff(Duration::from_secs(20)),
            );
        if let Some(p) = &options.profile {
            loader = loader.profile_name(p);
        }
        if let Some(r) = &options.region {
            loader = loader.region(Region::new(r.clone()));
        }
        if let Some(e) = &options.endpoint_url {
            loader = loader.endpoint_url(e);
        }
        let mut config = runtime.block_on(loader.load());
        if config.region().is_none() {
            config = config
                .into_builder()
                .region(Region::from_static(DEFAULT_REGION))
                .build();
        }
        Ok(Aws {
            runtime: Arc::new(runtime),
            config,
            endpoint_url: options.endpoint_url.clone(),
        })
    }

    /// The configured region.
    pub fn region(&self) -> String {
        self.config
            .region()
            .map_or_else(|| DEFAULT_REGION.to_owned(), |r| r.to_string())
    }

    /// Runs a future to completion from a synchronous caller (any thread not
    /// itself running on this runtime).
    pub fn block_on<F: Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// An S3 client; path-style addressing when an endpoint is given (emulators
    /// and S3-compatible stores rarely resolve bucket subdomains).
    pub fn s3(&self) -> aws_sdk_s3::Client {
        let conf = aws_sdk_s3::config::Builder::from(&self.config)
            .force_path_style(self.endpoint_url.is_some())
            .build();
        aws_sdk_s3::Client::from_conf(conf)
    }

    /// A CloudTrail client for `region`.
    pub fn cloudtrail(&self, region: &str) -> aws_sdk_cloudtrail::Client {
        let conf = aws_sdk_cloudtrail::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_cloudtrail::Client::from_conf(conf)
    }

    /// An EC2 client for `region`.
    pub fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        let conf = aws_sdk_ec2::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_ec2::Client::from_conf(conf)
    }

    /// An EBS direct APIs client for `region` (snapshot blocks).
    pub fn ebs(&self, region: &str) -> aws_sdk_ebs::Client {
        let conf = aws_sdk_ebs::config::Builder::from(&self.config)
            .region(Region::new(region.to_owned()))
            .build();
        aws_sdk_ebs::Client::from_conf(conf)
    }

    /// An IAM client (a global service, signed for the configured region's partition).
    pub fn iam(&self) -> aws_sdk_iam::Client {
        aws_sdk_iam::Client::new(&self.config)
    }

    /// The account the credentials belong to (STS GetCallerIdentity).
    pub fn account(&self) -> Result<String, AwsError> {
        let sts = aws_sdk_sts::Client::new(&self.config);
        let out = self
            .block_on(sts.get_caller_identity().send())
            .map_err(|e| AwsError::call("GetCallerIdentity", "sts", e))?;
        out.account().map(str::to_owned).ok_or(AwsError::Invalid {
            expected: "an account id in the GetCallerIdentity answer",
            found: "none".into(),
        })
    }
}
