//! Compute credentials used off their compute (GuardDuty's InstanceCredentialExfiltration,
//! offline): a role session key whose other calls name the Lambda, ECS or EC2 environment
//! they run in, used by a client that names none; or an instance's session (named after the
//! instance) used from a person's desktop.
//!
//! State per session key is order-independent: whether compute was seen, and the earliest
//! use off compute (and from a desktop), so workers merge.

use crate::FastMap;

use cloudcase_event::Event;
use cloudcase_judge::client::{Client, ExecEnv};
use cloudcase_sigma::Level;

use super::identity::source_address;
use super::{Candidate, Spec};
use crate::pointer::Pointer;

const OFF_COMPUTE: Spec = Spec {
    id: "cloudcase.analytics.compute-credential-off-compute",
    title: "Compute session credential (instance, Lambda or ECS) used from outside its compute",
    level: Level::High,
    tactics: &["credential-access"],
    techniques: &["T1552.005", "T1078.004"],
};

/// Environments that make a call a compute credential's own.
const COMPUTE: &[ExecEnv] = &[ExecEnv::Lambda, ExecEnv::Ecs, ExecEnv::Ec2];

/// One use of a key off compute: where, and by which client.
#[derive(Debug, Clone)]
struct Use {
    pointer: Pointer,
    client: String,
}

/// What is known of one session key.
#[derive(Debug, Default)]
struct KeyUse {
    /// Some call named a compute environment.
    compute: bool,
    /// The session is named after an EC2 instance (`i-…`).
    instance: bool,
    /// Earliest call naming no compute environment.
    other: Option<Use>,
    /// Earliest call from a person's device.
    desktop: Option<Use>,
}

fn keep_earliest(slot: &mut Option<Use>, new: Use) {
    match slot {
        Some(mine) if new.pointer.order_key() >= mine.pointer.order_key() => {}
        _ => *slot = Some(new),
    }
}

impl KeyUse {
    /// Adds what another worker knows of the same session.
    fn absorb(&mut self, theirs: KeyUse) {
        self.compute |= theirs.compute;
        self.instance |= theirs.instance;
        if let Some(u) = theirs.other {
            keep_earliest(&mut self.other, u);
        }
        if let Some(u) = theirs.desktop {
            keep_earliest(&mut self.desktop, u);
        }
    }
}

/// Keeps `event`'s use in `slot` if it is the earliest so far, making it (pointer and client
/// label) only then: most calls of a session come after its first.
///
/// The pointer holds no witness: every session keeps a use, and few sessions become findings
/// (their records are read again at the end). Witnesses here held 2.8 MB of `hunt`'s heap on
/// the 20 GB busy corpus (13,587 sessions, no finding among them), growing with the logs.
fn keep_earliest_of(slot: &mut Option<Use>, event: &Event, client: &Client) {
    let earlier = slot
        .as_ref()
        .is_none_or(|mine| Pointer::order_of(event) < mine.pointer.order_key());
    if earlier {
        *slot = Some(Use {
            pointer: Pointer::bare(event),
            client: client.label(),
        });
    }
}

/// Whether `name` is an EC2 instance id (`i-` and 8 or 17 hex digits).
fn is_instance_id(name: &str) -> bool {
    name.strip_prefix("i-").is_some_and(|hex| {
        (hex.len() == 8 || hex.len() == 17) && hex.bytes().all(|b| b.is_ascii_hexdigit())
    })
}

/// One session of a key: its ARN (`…:assumed-role/ROLE/SESSION`) and what is known of it.
#[derive(Debug)]
struct Session {
    arn: Box<str>,
    state: KeyUse,
}

/// The sessions of one key. A key belongs to one session; keeping sessions apart guards against
/// inputs that reuse an example key.
type Sessions = Vec<Session>;

/// Compute-credential state of one worker (mergeable): by session key, then ARN. Looked up by
/// borrowed strings, so that a call of a known session allocates nothing.
#[derive(Debug, Default)]
pub struct Credentials {
    keys: FastMap<Box<str>, Sessions>,
}

/// The state of `arn`'s session in `sessions`, added if new.
fn session<'a>(sessions: &'a mut Sessions, arn: &str) -> &'a mut KeyUse {
    let at = match sessions.iter().position(|s| &*s.arn == arn) {
        Some(at) => at,
        None => {
            // Nearly every key has one session: no room for more until a second comes.
            sessions.reserve_exact(1);
            sessions.push(Session {
                arn: arn.into(),
                state: KeyUse::default(),
            });
            sessions.len() - 1
        }
    };
    &mut sessions[at].state
}

impl Credentials {
    /// Adds one role-session call made from an address.
    pub fn observe(&mut self, event: &Event) {
        let id = &event.identity;
        if id.kind.as_deref() != Some("AssumedRole")
            || id.invoked_by.is_some()
            || source_address(event).is_none()
        {
            return;
        }
        let Some(key) = id
            .access_key_id
            .as_deref()
            .filter(|k| k.starts_with("ASIA"))
        else {
            return;
        };
        let client = Client::parse(event.user_agent.as_deref().unwrap_or(""));
        let sessions = match self.keys.get_mut(key) {
            Some(sessions) => sessions,
            None => self.keys.entry(key.into()).or_default(),
        };
        let entry = session(sessions, id.arn.as_deref().unwrap_or(""));
        entry.instance |= id.role_session_name.as_deref().is_some_and(is_instance_id);
        if client.exec_env.is_some_and(|e| COMPUTE.contains(&e)) {
            entry.compute = true;
            return;
        }
        if client.desktop {
            keep_earliest_of(&mut entry.desktop, event, &client);
        }
        keep_earliest_of(&mut entry.other, event, &client);
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, other: Credentials) {
        for (key, sessions) in other.keys {
            let ours = self.keys.entry(key).or_default();
            for theirs in sessions {
                session(ours, &theirs.arn).absorb(theirs.state);
            }
        }
    }

    /// One finding per session key used off its compute, at the first such use.
    pub fn candidates(&self) -> Vec<Candidate> {
        let mut keys: Vec<(&str, &Session)> = self
            .keys
            .iter()
            .flat_map(|(key, sessions)| sessions.iter().map(move |s| (&**key, s)))
            .collect();
        keys.sort_by(|a, b| (a.0, &a.1.arn).cmp(&(b.0, &b.1.arn)));
        keys.into_iter()
            .filter_map(|(key, Session { state: k, .. })| {
                let (used, why) = if k.compute {
                    (
                        k.other.as_ref()?,
                        "its other calls run in AWS compute (exec-env)",
                    )
                } else if k.instance {
                    (k.desktop.as_ref()?, "the session is an EC2 instance's")
                } else {
                    return None;
                };
                Some(Candidate {
                    spec: OFF_COMPUTE,
                    pointer: used.pointer.clone(),
                    detail: format!(
                        "session key {key} used by {} outside its compute; {why}",
                        used.client
                    ),
                })
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analytics::fixtures::{at, read_trail, role_call, with_agent};

    const T0: &str = "2024-03-01T10:00:00Z";
    const LAMBDA: &str = "Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#5.10.209-219.811.amzn2.x86_64 exec-env/AWS_Lambda_python3.12";
    const LAPTOP: &str = "aws-cli/2.17.28 ua/2.0 os/windows#10 md/arch#amd64";
    const SERVER: &str = "aws-cli/2.15.0 Python/3.11.6 Linux/6.1.61-85.141.amzn2023.x86_64";

    fn found(records: Vec<serde_json::Value>) -> Vec<Candidate> {
        let trail = read_trail(records);
        let mut c = Credentials::default();
        for e in &trail.events {
            c.observe(e);
        }
        c.candidates()
    }

    #[test]
    fn a_lambda_key_used_by_a_laptop_is_found_at_its_first_such_call() {
        let call = |s: i64, ip: &str, ua: &str| {
            with_agent(
                role_call("billing", "billing-fn", &at(T0, s), "ListBuckets", ip),
                ua,
            )
        };
        let hits = found(vec![
            call(0, "18.183.191.113", LAMBDA),
            call(600, "193.102.207.88", LAPTOP),
            call(300, "193.102.207.88", LAPTOP),
        ]);
        assert_eq!(hits.len(), 1, "{hits:#?}");
        assert_eq!(
            (hits[0].pointer.record, hits[0].spec.level),
            (2, Level::High)
        );
        assert!(
            hits[0].detail.contains("aws-cli/windows"),
            "{}",
            hits[0].detail
        );
        // Only compute: nothing.
        assert!(found(vec![call(0, "18.183.191.113", LAMBDA)]).is_empty());
    }

    #[test]
    fn an_instance_session_is_found_from_a_desktop_not_from_its_server() {
        let call = |s: i64, ua: &str| {
            with_agent(
                role_call(
                    "app",
                    "i-02a1af9fabd645722",
                    &at(T0, s),
                    "ListBuckets",
                    "91.207.190.143",
                ),
                ua,
            )
        };
        assert!(found(vec![call(0, SERVER)]).is_empty());
        let mac = "aws-cli/2.15.30 Python/3.11.8 Darwin/23.4.0 exe/x86_64";
        let hits = found(vec![call(0, SERVER), call(60, mac)]);
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].pointer.record, 1);
        // A person's SSO session from a laptop is no compute credential.
        let sso = with_agent(
            role_call(
                "AWSReservedSSO_Admin_1",
                "ann@example.com",
                T0,
                "ListBuckets",
                "198.51.100.7",
            ),
            mac,
        );
        assert!(found(vec![sso]).is_empty());
    }

    #[test]
    fn sessions_sharing_a_key_stay_apart_and_workers_merge_to_the_same_findings() {
        // The fixtures' sessions all carry one example key: a Lambda's session used from a
        // laptop, and a person's session of another role from the same laptop, interleaved.
        let lambda = |s: i64, ip: &str, ua: &str| {
            with_agent(
                role_call("billing", "billing-fn", &at(T0, s), "ListBuckets", ip),
                ua,
            )
        };
        let person = |s: i64| {
            with_agent(
                role_call(
                    "ReadOnly",
                    "ann",
                    &at(T0, s),
                    "ListBuckets",
                    "193.102.207.88",
                ),
                LAPTOP,
            )
        };
        let records = vec![
            person(0),
            lambda(10, "18.183.191.113", LAMBDA),
            person(20),
            lambda(900, "193.102.207.88", LAPTOP),
            lambda(300, "193.102.207.88", LAPTOP),
            person(30),
        ];
        let trail = read_trail(records);
        let mut one = Credentials::default();
        let (mut odd, mut even) = (Credentials::default(), Credentials::default());
        for (i, e) in trail.events.iter().enumerate() {
            one.observe(e);
            if i % 2 == 1 { &mut odd } else { &mut even }.observe(e);
        }
        odd.merge(even);
        let digest = |c: &Credentials| -> Vec<(u64, String)> {
            let hits = c.candidates();
            hits.into_iter()
                .map(|h| (h.pointer.record, h.detail))
                .collect()
        };
        assert_eq!(digest(&one), digest(&odd));
        let hits = digest(&one);
        assert_eq!(hits.len(), 1, "only the Lambda's session: {hits:?}");
        assert_eq!(hits[0].0, 4, "its first call off compute");
    }
}
