//! Choosing the subject: the profile the indicator names and its first attacker event, or for
//! `--auto`, the identity (of any kind) whose departure the shared judge rates highest.

use cloudcase_judge::kind::IdentityKind;
use cloudcase_model::scope::{AutoRank, Confidence, Unknown};

use crate::intrusion::{self, Context, Finding, Intrusion};
use crate::record::{reference, time};
use crate::scan::{Pass1, Profile, Subject};
use crate::ScopeError;

/// Candidates listed in `subject.auto_ranking`.
const MAX_RANKED: usize = 20;

/// The outcome of choosing a subject.
#[derive(Debug)]
pub enum Choice {
    /// A departure was found.
    Found {
        /// The subject's profile key.
        key: String,
        /// Its first attacker event.
        intrusion: Intrusion,
        /// The `--auto` ranking (empty otherwise).
        ranking: Vec<AutoRank>,
        /// What the claim leaves open (no baseline, ties).
        unknowns: Vec<Unknown>,
    },
    /// Nothing departs from the history.
    NoDeparture {
        /// The profile key (none for `--auto`).
        key: Option<String>,
        /// What was looked for.
        explanation: String,
        /// The `--auto` candidates too weak to claim.
        ranking: Vec<AutoRank>,
    },
}

/// What the claims rest on, said once.
const CLAIM_RULE: &str = "a departure is claimed when the shared judge (network, client, routine, behaviour and credential-misuse signals against the history before it) rates it at least medium; novelty alone never does";

/// One `--auto` candidate before sorting.
struct Ranked {
    key: String,
    kind: IdentityKind,
    confidence: Option<Confidence>,
    score: i32,
    first_ms: i64,
    reasons: Vec<String>,
    intrusion: Option<Intrusion>,
    /// Why it is not claimed (empty when it is).
    why: String,
}

/// What `profile` is judged with: its role's sessions, the account's regions, the owner's ranges.
fn context<'a>(
    history: &'a Pass1,
    profile: &Profile,
    owner: &'a dyn Fn(&str) -> bool,
) -> Context<'a> {
    Context {
        role: profile.role.as_deref().and_then(|r| history.roles.get(r)),
        regions: &history.regions,
        owner,
        issued: profile
            .arns
            .iter()
            .find_map(|arn| history.issued.get(arn).copied()),
    }
}

fn reasons(signals: &[cloudcase_model::scope::IntrusionSignal]) -> Vec<String> {
    signals
        .iter()
        .map(|s| format!("{} ({:+}): {}", s.signal, s.weight, s.detail))
        .collect()
}

impl Ranked {
    fn of(
        key: &str,
        profile: &Profile,
        history: &Pass1,
        owner: &dyn Fn(&str) -> bool,
    ) -> Option<Ranked> {
        let cx = context(history, profile, owner);
        let own = profile.kind.unwrap_or(IdentityKind::Unknown);
        let kind = cx.issued.map_or(own, |k| own.merge(k));
        match intrusion::find(profile, cx) {
            Finding::Claimed(i) => Some(Ranked {
                key: key.to_owned(),
                kind,
                confidence: Some(i.confidence),
                score: i.score,
                first_ms: i.first.ms,
                reasons: reasons(&i.signals),
                intrusion: Some(i),
                why: String::new(),
            }),
            Finding::Unclaimed(Some(w)) if w.confidence.is_some() => Some(Ranked {
                key: key.to_owned(),
                kind,
                confidence: w.confidence,
                score: w.score,
                first_ms: w.first.ms,
                reasons: reasons(&w.signals),
                intrusion: None,
                why: w.why,
            }),
            Finding::Unclaimed(_) => None,
        }
    }

    fn entry(&self) -> AutoRank {
        let mut reasons = self.reasons.clone();
        if self.intrusion.is_none() {
            reasons.push(format!("not claimed: {}", self.why));
        }
        AutoRank {
            access_key: (self.kind == IdentityKind::LongTermKey).then(|| self.key.clone()),
            principal: Some(self.key.clone()),
            kind: Some(self.kind.as_str().to_owned()),
            score: i64::from(self.score),
            confidence: self.confidence,
            first_departure: time(self.first_ms),
            reasons,
        }
    }
}

/// `--auto`: judges every identity's history and scopes the strongest claim.
fn choose_auto(history: &Pass1, owner: &dyn Fn(&str) -> bool) -> Choice {
    let mut ranked: Vec<Ranked> = history
        .profiles
        .iter()
        .filter_map(|(key, profile)| Ranked::of(key, profile, history, owner))
        .collect();
    ranked.sort_by(|a, b| {
        (b.intrusion.is_some(), b.confidence, b.score)
            .cmp(&(a.intrusion.is_some(), a.confidence, a.score))
            .then(a.first_ms.cmp(&b.first_ms))
            .then(a.key.cmp(&b.key))
    });
    ranked.truncate(MAX_RANKED);
    let mut list: Vec<AutoRank> = ranked.iter().map(Ranked::entry).collect();
    let claimed = ranked.iter().filter(|r| r.intrusion.is_some()).count();
    let mut unknowns = Vec::new();
    if let [top, second, ..] = ranked.as_slice() {
        let tied = second.intrusion.is_some()
            && (top.confidence, top.score) == (second.confidence, second.score);
        if tied {
            let note = format!(
                "tie: {} and {} have the same confidence and score; the earlier departure is scoped",
                top.key, second.key
            );
            list[0].reasons.push(note.clone());
            unknowns.push(Unknown {
                about: None,
                question: "which identity the intrusion started from".to_owned(),
                why: note,
                would_resolve: "scope each tied identity with --access-key or --principal and compare; ask their owners".to_owned(),
                refs: None,
            });
        }
    }
    if claimed > 1 {
        unknowns.push(Unknown {
            about: None,
            question: "whether other identities are compromised too".to_owned(),
            why: format!(
                "{claimed} identities have a departure of at least medium confidence; only the top one is scoped here (see subject.auto_ranking)"
            ),
            would_resolve: "scope the other claimed identities with --access-key or --principal".to_owned(),
            refs: None,
        });
    }
    let top = ranked.into_iter().next();
    match top {
        Some(Ranked {
            key,
            intrusion: Some(intrusion),
            ..
        }) => {
            unknowns.extend(no_baseline_unknown(&intrusion));
            Choice::Found {
                key,
                intrusion,
                ranking: list,
                unknowns,
            }
        }
        _ => Choice::NoDeparture {
            key: None,
            explanation: if list.is_empty() {
                format!("--auto: no identity departs from its history ({CLAIM_RULE})")
            } else {
                format!(
                    "--auto: {} identit(ies) depart from their history, none strongly enough to claim ({CLAIM_RULE}); each says why in subject.auto_ranking",
                    list.len()
                )
            },
            ranking: list,
        },
    }
}

/// Picks the subject profile and its first attacker event; for `--auto`, ranks every identity.
pub fn choose_subject(
    subject: &Subject,
    history: &Pass1,
    owner: &dyn Fn(&str) -> bool,
) -> Result<Choice, ScopeError> {
    if let Subject::Auto = subject {
        return Ok(choose_auto(history, owner));
    }
    let (key, profile) = history
        .profiles
        .iter()
        .next()
        .ok_or_else(|| ScopeError::NoSubjectEvents(describe(subject)))?;
    if let Subject::Ip(_) = subject {
        return Ok(match intrusion::indicator(profile, owner) {
            Some(intrusion) => Choice::Found {
                key: key.clone(),
                intrusion,
                ranking: Vec::new(),
                unknowns: Vec::new(),
            },
            None => Choice::NoDeparture {
                key: Some(key.clone()),
                explanation: format!("{}: no event outside the owner's ranges", describe(subject)),
                ranking: Vec::new(),
            },
        });
    }
    Ok(
        match intrusion::find(profile, context(history, profile, owner)) {
            Finding::Claimed(intrusion) => {
                let unknowns = no_baseline_unknown(&intrusion).into_iter().collect();
                Choice::Found {
                    key: key.clone(),
                    intrusion,
                    ranking: Vec::new(),
                    unknowns,
                }
            }
            Finding::Unclaimed(weak) => {
                let weak = weak.map_or(String::new(), |w| {
                    format!(
                        "; the strongest candidate, from {} at {}, scores {}: not claimed, {}",
                        w.network,
                        time(w.first.ms),
                        w.score,
                        w.why
                    )
                });
                Choice::NoDeparture {
                    key: Some(key.clone()),
                    explanation: format!(
                        "{}: {} events, and none departs from its history ({CLAIM_RULE}){weak}",
                        describe(subject),
                        profile.count
                    ),
                    ranking: Vec::new(),
                }
            }
        },
    )
}

/// The unknown a claim without a baseline leaves: was this the owner?
pub fn no_baseline_unknown(intrusion: &Intrusion) -> Option<Unknown> {
    intrusion.no_baseline.then(|| Unknown {
        about: None,
        question: "whether the activity judged an intrusion is its owner's".to_owned(),
        why: format!(
            "the subject has less than 24 h of history before {} (the logs start near the activity): it was judged by behaviour alone ({}), with no habits of the owner to compare",
            time(intrusion.first.ms),
            intrusion.novel
        ),
        would_resolve: "earlier logs (the trail's S3 archive, or CloudTrail LookupEvents for the last 90 days), or the owner's confirmation".to_owned(),
        refs: Some(vec![reference(&intrusion.first)]),
    })
}

fn describe(s: &Subject) -> String {
    match s {
        Subject::AccessKey(k) => format!("access key {k}"),
        Subject::Principal(p) => format!("principal {p}"),
        Subject::Ip(c) => format!("address range {c}"),
        Subject::Auto => "--auto".into(),
    }
}
