//! The scope document (`cloudcase scope --format json`, recorded into a case by `scope --case`):
//! from one indicator to the first attacker event, the attacker's sources, identities and
//! resources, data-access verdicts with their coverage, cost, containment and what the logs
//! cannot say. The field names are the JSON keys documented in `crates/scope/README.md`.

mod activity;
mod changes;
mod common;
mod containment;
mod coverage;
mod data_access;
mod findings;
mod identities;
mod intrusion;
mod network;
mod resources;
mod subject;

use serde::{Deserialize, Serialize};

pub use crate::contain::{Phase, Plan, Step};
pub use crate::cost::{Cost, GroupTotal, InstanceCost};
pub use activity::{Activity, IdentitySeries, RegionSeries};
pub use changes::{PermissionChange, ResponderAction, ResponderAttribution};
pub use common::{
    Attribution, Caller, Occurrence, RecordRef, SectionsAttribution, SourceUse, Unknown,
    UnknownTopic,
};
pub use containment::Containment;
pub use coverage::{
    Coverage, DataEventBucket, DataEventStore, Gap, InventoryUsed, LogSpan, RegionCoverage, Window,
    WindowCoverage,
};
pub use data_access::{
    Access, DataAccess, LogReader, LogReaderMatch, Reader, StoreCoverage, StoreKind, Verdict,
    WindowSpan,
};
pub use findings::{Dns, DnsName, GuardDuty, Join, JoinKind, JoinedFinding};
pub use identities::{
    AccessKey, AccessKeyNow, Compromised, Identities, IdentityGone, KeyNowEntry, KeyStatusChange,
    LoginProfileChange, Now, PolicyGrant, Role, RoleNow, RoleOrigin, Session, Trust, User, UserNow,
};
pub use intrusion::{
    Confidence, Departure, Finding, Intrusion, IntrusionSignal, Method, NoDeparture, OtherChange,
};
pub use network::{
    Exfiltration, ExfiltrationDestination, ExfiltrationVerdict, FlowGroup, FlowLogCoverage,
    FlowLogState, FlowReason, InstanceTraffic, Network,
};
pub use resources::{
    ExistsNow, Instance, InstanceNow, KeyPair, LambdaFunction, Resource, SecurityGroupIngress,
    SecurityGroupNow, Share, ShareNow, SpotRequest, SpotRequestNow, SpotRequestState, StateChange,
};
pub use subject::{AutoRank, History, StartedFrom, Subject, SubjectKind};

/// The whole scope document, one section per field in document order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScopeResult {
    /// What was scoped, and its history before the first attacker event.
    pub subject: Subject,
    /// The first attacker event and how it was found, or why none was.
    pub intrusion: Intrusion,
    /// Whose activity the sections below show: the attacker's, or (no departure, named subject)
    /// the subject's own, unattributed.
    #[serde(default)]
    pub attribution: SectionsAttribution,
    /// Addresses attributed to the attacker, from the first attacker event on.
    pub attacker_sources: Vec<SourceUse>,
    /// The compromised credential and the identities the attacker created or used.
    pub identities: Identities,
    /// Sessions the attacker opened (`AssumeRole*`, `GetSessionToken`, `GetFederationToken`,
    /// `ConsoleLogin`).
    pub sessions: Vec<Session>,
    /// Mutating IAM/Organizations calls and resource-policy changes in the window, in time order.
    pub permission_changes: Vec<PermissionChange>,
    /// What the attacker launched, opened, imported or shared.
    pub resources: Vec<Resource>,
    /// Changes by the responder or the owner, kept apart from the attacker's.
    pub responder_actions: Vec<ResponderAction>,
    /// One verdict per data store.
    pub data_access: Vec<DataAccess>,
    /// VPC flows of attacker sources and attacker instances, with an exfiltration statement;
    /// absent when the inputs hold no flow logs and the attacker launched no instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network: Option<Network>,
    /// GuardDuty findings joined to the document; absent when the inputs hold none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub guardduty: Option<GuardDuty>,
    /// Route 53 Resolver queries by attacker instances; absent when the inputs hold no
    /// resolver query logs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dns: Option<Dns>,
    /// What the inputs contain.
    pub coverage: Coverage,
    /// The cost of the instances in the sections; `None` when `--auto` found no candidate.
    pub cost: Option<Cost>,
    /// Findings and plan; `None` when `--auto` found no candidate.
    pub containment: Option<Containment>,
    /// Counts for the report's charts; `None` when `--auto` found no candidate.
    pub activity: Option<Activity>,
    /// What the logs cannot answer, and what would.
    pub unknowns: Vec<Unknown>,
}

#[cfg(test)]
mod tests;
