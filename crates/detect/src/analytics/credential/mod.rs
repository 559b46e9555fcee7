//! Compute credentials used off their compute (GuardDuty's InstanceCredentialExfiltration,
//! offline): a role session key whose other calls name the Lambda, ECS or EC2 environment
//! they run in, used by a client that names none; or an instance's session (named after the
//! instance) used from a person's desktop.
//!
//! State per session key is order-independent: whether compute was seen, and the earliest
//! use off compute (and from a desktop), so workers merge. A busy account opens a session per
//! instance, function and task every few hours (13,587 at 20 GB of the busy corpus, about
//! 2.5 MB), so the sessions grow with the logs' time span: each worker holds them within a
//! budget and, past it, writes those it holds to the external sort (`cloudcase_timeline::sort`)
//! keyed by a hash of their key and ARN; the judgement merges what was written and reads the
//! parts of each session together (module `judge`).

mod entry;
mod judge;
#[cfg(test)]
mod tests;

use std::hash::BuildHasher;
use std::io;
use std::mem::size_of;
use std::path::PathBuf;

use cloudcase_event::Event;
use cloudcase_judge::client::{Client, ExecEnv};
use cloudcase_sigma::Level;

use super::at::At;
use super::identity::source_address;
use super::written::Written;
use super::{Candidate, Spec};
use crate::FastMap;
use entry::SessionEntry;

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
#[derive(Debug, Clone, PartialEq, Eq)]
struct Use {
    at: At,
    client: Box<str>,
}

/// What is known of one session key.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
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
        Some(mine) if new.at >= mine.at => {}
        _ => *slot = Some(new),
    }
}

impl KeyUse {
    /// Adds what another worker (or another part written out) knows of the same session.
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

    /// The use to report and why, if the session was used off its compute.
    fn off_compute(&self) -> Option<(&Use, &'static str)> {
        if self.compute {
            Some((
                self.other.as_ref()?,
                "its other calls run in AWS compute (exec-env)",
            ))
        } else if self.instance {
            Some((self.desktop.as_ref()?, "the session is an EC2 instance's"))
        } else {
            None
        }
    }
}

/// Keeps `event`'s use in `slot` if it is the earliest so far, making it (location and client
/// label) only then: most calls of a session come after its first. Returns the bytes a new
/// use adds.
///
/// The location holds no witness: every session keeps a use, and few sessions become findings
/// (their records are read again at the end). Witnesses here held 2.8 MB of `hunt`'s heap on
/// the 20 GB busy corpus (13,587 sessions, no finding among them), growing with the logs.
fn keep_earliest_of(slot: &mut Option<Use>, event: &Event, client: &Client) -> usize {
    let at = At::of(event);
    if slot.as_ref().is_some_and(|mine| at >= mine.at) {
        return 0;
    }
    let client: Box<str> = client.label().into();
    let added = if slot.is_none() { client.len() } else { 0 };
    *slot = Some(Use { at, client });
    added
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

/// Bytes a held session is counted as besides its strings: its key's and its own entries, with
/// the hash table's spare room (a table is between half and seven eighths full).
const SESSION_BYTES: usize =
    2 * (size_of::<Box<str>>() + size_of::<Sessions>()) + 2 * size_of::<Session>();

/// The sort key of a session's parts: a hash of its key and ARN, the same in every worker.
fn sort_key(key: &str, arn: &str) -> cloudcase_timeline::sort::LineKey {
    let hasher = foldhash::fast::FixedState::with_seed(0x0c1d_ca5e);
    cloudcase_timeline::sort::LineKey::ordered(hasher.hash_one(key) as i64, hasher.hash_one(arn), 0)
}

/// Compute-credential state of one worker (mergeable): by session key, then ARN, held within
/// a budget. Looked up by borrowed strings, so that a call of a known session allocates
/// nothing.
pub struct Credentials {
    keys: FastMap<Box<str>, Sessions>,
    /// Estimated bytes held in `keys`.
    held: usize,
    budget: usize,
    /// Sessions written out (this worker's and, once merged, others').
    written: Written,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("keys", &self.keys.len())
            .field("held", &self.held)
            .field("budget", &self.budget)
            .finish_non_exhaustive()
    }
}

/// The state of `arn`'s session in `sessions`, added if new (with the bytes it adds).
fn session<'a>(sessions: &'a mut Sessions, arn: &str) -> (&'a mut KeyUse, usize) {
    let (at, added) = match sessions.iter().position(|s| &*s.arn == arn) {
        Some(at) => (at, 0),
        None => {
            // Nearly every key has one session: no room for more until a second comes.
            sessions.reserve_exact(1);
            sessions.push(Session {
                arn: arn.into(),
                state: KeyUse::default(),
            });
            (sessions.len() - 1, SESSION_BYTES + arn.len())
        }
    };
    (&mut sessions[at].state, added)
}

impl Credentials {
    /// Empty state holding sessions within about `budget` bytes (three quarters for the
    /// sessions, a quarter for the sort's buffer), writing them past it to anonymous files in
    /// `temp_dir` (the system's temporary directory if `None`).
    pub fn new(budget: usize, temp_dir: Option<PathBuf>) -> Self {
        Credentials::with(Written::new(budget / 4, temp_dir), budget)
    }

    /// Another worker's empty state of the same hunt, with the same budget: what it writes out
    /// shares this one's pool of temporary files.
    pub fn share(&self) -> Self {
        Credentials::with(self.written.share(self.budget / 4), self.budget)
    }

    fn with(written: Written, budget: usize) -> Self {
        Credentials {
            keys: FastMap::default(),
            held: 0,
            budget,
            written,
        }
    }

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
            None => {
                self.held += key.len();
                self.keys.entry(key.into()).or_default()
            }
        };
        let (entry, mut added) = session(sessions, id.arn.as_deref().unwrap_or(""));
        entry.instance |= id.role_session_name.as_deref().is_some_and(is_instance_id);
        if client.exec_env.is_some_and(|e| COMPUTE.contains(&e)) {
            entry.compute = true;
        } else {
            if client.desktop {
                added += keep_earliest_of(&mut entry.desktop, event, &client);
            }
            added += keep_earliest_of(&mut entry.other, event, &client);
        }
        self.held += added;
        if self.held > self.budget * 3 / 4 {
            self.write_out();
        }
    }

    /// Writes every session held to the sort and empties the table. A failure is kept for
    /// [`Credentials::candidates`]; later sessions are then dropped, since the result could
    /// not be complete anyway.
    fn write_out(&mut self) {
        for (key, sessions) in self.keys.drain() {
            for s in sessions {
                self.written.push(sort_key(&key, &s.arn), |out| {
                    SessionEntry::encode(&key, &s.arn, &s.state, out)
                });
            }
        }
        self.held = 0;
    }

    /// Adds another worker's state.
    pub fn merge(&mut self, mut other: Credentials) {
        other.write_out();
        self.written.absorb(other.written);
    }

    /// One finding per session key used off its compute, at the first such use, in order of
    /// key and ARN. `files` are the hunt's inputs, by ordinal. Fails only if the sessions
    /// written to temporary files cannot be read back.
    pub fn candidates(mut self, files: &dyn cloudcase_read::Files) -> io::Result<Vec<Candidate>> {
        self.write_out();
        let mut judge = judge::Judge::new(files);
        self.written.judge(self.budget, &mut judge)?;
        Ok(judge.finish())
    }
}
