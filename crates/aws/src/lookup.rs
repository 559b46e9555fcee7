//! CloudTrail LookupEvents export: the 90-day management-event history of each
//! region, one evidence object per region, in the `aws cloudtrail lookup-events`
//! page format the reader understands (`{"Events":[…],"NextToken":…}` pages,
//! one per line).
//!
//! Pages are fetched while the object is being written, never collected in
//! memory; calls in a region are spaced to the API's quota (2 per second per
//! region), and throttling is retried with backoff by the SDK.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use aws_sdk_cloudtrail::types::Event;
use aws_smithy_types::DateTime;
use cloudcase_evidence::{ItemMeta, ListEntry, Locator, Opened, Source, SourceError, SourceItem};
use jiff::Timestamp;
use serde_json::{json, Value};

use crate::client::Aws;
use crate::error::AwsError;

/// The LookupEvents quota: two calls per second per account and region.
pub const DEFAULT_INTERVAL: Duration = Duration::from_millis(500);

/// The event history of a set of regions between two times.
pub struct LookupSource {
    aws: Aws,
    regions: Vec<String>,
    since: Option<Timestamp>,
    until: Timestamp,
    interval: Duration,
}

impl LookupSource {
    /// Events of `regions` from `since` (default: as far back as CloudTrail
    /// keeps, 90 days) until `until`, calls at least `interval` apart per region.
    pub fn new(
        aws: &Aws,
        regions: Vec<String>,
        since: Option<Timestamp>,
        until: Timestamp,
        interval: Duration,
    ) -> Self {
        LookupSource {
            aws: aws.clone(),
            regions,
            since,
            until,
            interval,
        }
    }

    fn uri(&self, region: &str) -> String {
        let since = self
            .since
            .map_or_else(|| "retention".to_owned(), |t| t.to_string());
        format!(
            "aws:lookup-events?region={region}&since={since}&until={}",
            self.until
        )
    }
}

impl Source for LookupSource {
    fn kind(&self) -> &'static str {
        "aws-lookup-events"
    }

    fn describe(&self) -> String {
        format!("aws:lookup-events ({})", self.regions.join(","))
    }

    fn list(&self) -> Box<dyn Iterator<Item = ListEntry> + '_> {
        Box::new(self.regions.iter().map(|r| {
            ListEntry::Item(SourceItem {
                uri: self.uri(r),
                locator: Locator::Key(r.clone()),
                size: None,
                mtime: None,
                identity: None,
            })
        }))
    }

    fn open(&self, item: &SourceItem) -> Result<Opened, SourceError> {
        let Locator::Key(region) = &item.locator else {
            return Err(SourceError::Unsupported {
                uri: item.uri.clone(),
                found: "a local path given to the LookupEvents source".into(),
            });
        };
        let mut meta = ItemMeta::default();
        meta.metadata.insert("region".into(), region.clone());
        Ok(Opened {
            reader: Box::new(Pages {
                aws: self.aws.clone(),
                client: self.aws.cloudtrail(region),
                region: region.clone(),
                since: self.since.map(to_smithy),
                until: to_smithy(self.until),
                interval: self.interval,
                last_call: None,
                token: None,
                done: false,
                buf: Vec::new(),
                pos: 0,
            }),
            meta,
        })
    }
}

fn to_smithy(t: Timestamp) -> DateTime {
    DateTime::from_nanos(t.as_nanosecond()).unwrap_or(DateTime::from_secs(t.as_second()))
}

/// The pages of one region, fetched as they are read.
struct Pages {
    aws: Aws,
    client: aws_sdk_cloudtrail::Client,
    region: String,
    since: Option<DateTime>,
    until: DateTime,
    interval: Duration,
    last_call: Option<Instant>,
    token: Option<String>,
    done: bool,
    buf: Vec<u8>,
    pos: usize,
}

impl Pages {
    /// Fetches the next page into `buf`, waiting out the quota interval.
    fn fetch(&mut self) -> Result<(), AwsError> {
        if let Some(wait) = self
            .last_call
            .map(|t| self.interval.saturating_sub(t.elapsed()))
        {
            std::thread::sleep(wait);
        }
        self.last_call = Some(Instant::now());
        let out = self
            .aws
            .block_on(
                self.client
                    .lookup_events()
                    .set_start_time(self.since)
                    .end_time(self.until)
                    .max_results(50)
                    .set_next_token(self.token.take())
                    .send(),
            )
            .map_err(|e| AwsError::call("LookupEvents", &self.region, e))?;
        let events: Vec<Value> = out.events().iter().map(event_json).collect();
        self.token = out.next_token().map(str::to_owned);
        self.done = self.token.is_none();
        let page = json!({"Events": events, "NextToken": self.token});
        self.buf = serde_json::to_vec(&page).unwrap_or_default();
        self.buf.push(b'\n');
        self.pos = 0;
        Ok(())
    }
}

/// One event as `aws cloudtrail lookup-events` prints it.
fn event_json(e: &Event) -> Value {
    let resources: Vec<Value> = e
        .resources()
        .iter()
        .map(|r| json!({"ResourceType": r.resource_type(), "ResourceName": r.resource_name()}))
        .collect();
    json!({
        "EventId": e.event_id(),
        "EventName": e.event_name(),
        "ReadOnly": e.read_only(),
        "AccessKeyId": e.access_key_id(),
        "EventTime": e.event_time().map(|t| t.to_string()),
        "EventSource": e.event_source(),
        "Username": e.username(),
        "Resources": resources,
        "CloudTrailEvent": e.cloud_trail_event(),
    })
}

impl Read for Pages {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pos >= self.buf.len() {
            if self.done {
                return Ok(0);
            }
            self.fetch().map_err(io::Error::other)?;
        }
        let n = out.len().min(self.buf.len() - self.pos);
        out[..n].copy_from_slice(&self.buf[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}
