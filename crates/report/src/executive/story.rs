//! "What happened", in plain words: the attacker's story with how sure it is, or (no
//! intrusion established) the statement that none was, why, and what the named credential
//! itself did.

use cloudcase_model::scope::{Confidence, Departure, Intrusion, Method, SubjectKind};
use cloudcase_model::ScopeResult;

use super::{identity_counts, sentence_gap};
use crate::analysis::opt;
use crate::facts::Facts;
use crate::i18n::{t, tf, tvf, Lang, Voice};
use crate::scope_read::{departure, first_event, stated_confidence, strongest, voice};
use crate::technical::{billed, method_words};

/// How many signals the summary quotes.
const QUOTED_SIGNALS: usize = 2;

/// "What happened", from facts only, in the voice the document allows.
pub(super) fn story(lang: Lang, scope: &ScopeResult, facts: &Facts) -> String {
    let voice = voice(scope);
    let mut s = match voice {
        Voice::Attacker => headline(lang, scope, facts),
        Voice::Named => named_headline(lang, scope, facts),
    };
    if voice == Voice::Named && facts.compromised.is_empty() {
        return s;
    }
    let [users, keys, roles] = identity_counts(scope);
    let created = match voice {
        Voice::Attacker => "exec.story.created",
        Voice::Named => "exec.story.created.named",
    };
    s.push_str(sentence_gap(lang));
    s.push_str(&tf(
        lang,
        created,
        &[&users.to_string(), &keys.to_string(), &roles.to_string()],
    ));
    if !facts.instances.is_empty() {
        let mut regions: Vec<&str> = facts
            .instances
            .iter()
            .filter_map(|i| i.split('/').next())
            .collect();
        regions.sort_unstable();
        regions.dedup();
        let count = facts.instances.len().to_string();
        let regions = regions.join(", ");
        s.push_str(sentence_gap(lang));
        match scope.cost.as_ref().and_then(|c| c.actual.as_ref()) {
            Some(a) => s.push_str(&tvf(
                lang,
                voice,
                "exec.story.instances.billed",
                &[
                    &count,
                    &regions,
                    &billed(a),
                    opt(&a.period_from),
                    opt(&a.period_to),
                ],
            )),
            None => s.push_str(&tvf(
                lang,
                voice,
                "exec.story.instances",
                &[&count, &regions, &facts.cost_usd],
            )),
        }
    }
    if let Some(d) = departure(&scope.intrusion) {
        if let Some(sure) = how_sure(lang, d) {
            s.push_str(sentence_gap(lang));
            s.push_str(&sure);
        }
    }
    s
}

/// The claimed intrusion in one or two sentences: the credential was used by someone else
/// (or, at low confidence, may have been) from the first attacker event on; a claim made
/// without a baseline or from misuse says how it was judged instead of "never used before".
fn headline(lang: Lang, scope: &ScopeResult, facts: &Facts) -> String {
    let first = first_event(&scope.intrusion);
    let sources = scope.attacker_sources.len().to_string();
    let found = departure(&scope.intrusion);
    let low = found.and_then(stated_confidence) == Some(Confidence::Low);
    let method = found.map_or(Method::Network, |d| d.method);
    let novelty = matches!(
        method,
        Method::Network | Method::ClientFamily | Method::Indicator
    );
    if scope.subject.kind == SubjectKind::AccessKey && novelty && !low {
        return tf(
            lang,
            "exec.story.key",
            &[&facts.compromised, first, &sources],
        );
    }
    let noun_key = match scope.subject.kind {
        SubjectKind::AccessKey => "exec.story.noun.access_key",
        SubjectKind::Ip => "exec.story.noun.ip",
        SubjectKind::Principal | SubjectKind::Auto => "exec.story.noun.identity",
    };
    let noun = tf(lang, noun_key, &[&facts.compromised]);
    let used = if low {
        "exec.story.used.low"
    } else {
        "exec.story.used"
    };
    let mut s = tf(lang, used, &[&noun, first, &sources]);
    if !novelty {
        s.push_str(sentence_gap(lang));
        s.push_str(method_words(lang, method));
    }
    s
}

/// No intrusion was established: for whom, why, and what the sections list instead.
fn named_headline(lang: Lang, scope: &ScopeResult, facts: &Facts) -> String {
    let why = match &scope.intrusion {
        Intrusion::NoDeparture(n) => n.explanation.trim_end_matches('.'),
        Intrusion::Found(_) => "",
    };
    if facts.compromised.is_empty() {
        return tf(lang, "exec.story.named.none", &[why]);
    }
    let mut s = tf(lang, "exec.story.named", &[&facts.compromised, why]);
    let subject = &scope.subject;
    if let Some(events) = subject.events {
        s.push_str(sentence_gap(lang));
        s.push_str(&tf(
            lang,
            "exec.story.named.activity",
            &[
                &events.to_string(),
                opt(&subject.first_seen),
                opt(&subject.last_seen),
            ],
        ));
    }
    s
}

/// How sure the claim is, in plain words, with its strongest signals' details; `None` when
/// the document does not say.
pub(super) fn how_sure(lang: Lang, d: &Departure) -> Option<String> {
    let level = stated_confidence(d)?;
    let mut s = t(lang, sentence_key(level)).to_owned();
    let details: Vec<&str> = strongest(d, QUOTED_SIGNALS)
        .iter()
        .map(|x| x.detail.trim_end_matches('.'))
        .filter(|x| !x.is_empty())
        .collect();
    for (detail, key) in details
        .iter()
        .zip(["exec.story.signals", "exec.story.signals.next"])
    {
        s.push_str(sentence_gap(lang));
        s.push_str(&tf(lang, key, &[detail]));
    }
    Some(s)
}

/// The story's sentence for a confidence level.
fn sentence_key(c: Confidence) -> &'static str {
    match c {
        Confidence::High => "exec.story.confidence.high",
        Confidence::Medium => "exec.story.confidence.medium",
        Confidence::Low => "exec.story.confidence.low",
    }
}

/// A confidence level in a word or two (low says what it leaves open).
pub(crate) fn confidence_words(lang: Lang, c: Confidence) -> &'static str {
    let key = match c {
        Confidence::High => "exec.confidence.high",
        Confidence::Medium => "exec.confidence.medium",
        Confidence::Low => "exec.confidence.low",
    };
    t(lang, key)
}

/// A confidence level in one word, for tables.
pub(crate) fn confidence_level(lang: Lang, c: Confidence) -> &'static str {
    match c {
        Confidence::Low => t(lang, "exec.confidence.low.short"),
        c => confidence_words(lang, c),
    }
}
