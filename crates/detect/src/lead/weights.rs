//! The tables a lead's score comes from: points per level, behaviour categories of ATT&CK
//! tactics, novelty analytics, and the caps and bonuses.

use cloudcase_sigma::Level;

/// Points of one finding at a level.
pub(crate) struct LevelPoints {
    /// The level.
    pub level: Level,
    /// Its points.
    pub points: u64,
}

/// Points per finding by level: critical ≫ high ≫ medium ≫ low; informational counts nothing.
pub(crate) const LEVEL_POINTS: &[LevelPoints] = &[
    LevelPoints {
        level: Level::Critical,
        points: 100,
    },
    LevelPoints {
        level: Level::High,
        points: 40,
    },
    LevelPoints {
        level: Level::Medium,
        points: 10,
    },
    LevelPoints {
        level: Level::Low,
        points: 2,
    },
    LevelPoints {
        level: Level::Informational,
        points: 0,
    },
];

/// The points of one finding at `level`.
pub(crate) fn points(level: Level) -> u64 {
    LEVEL_POINTS
        .iter()
        .find(|p| p.level == level)
        .map_or(0, |p| p.points)
}

/// The findings of one rule in one lead count for at most this many findings at the rule's
/// highest level: many findings of one routine kind saturate.
pub(crate) const RULE_CAP: u64 = 3;

/// Points for every behaviour category beyond the first (breadth across tactics).
pub(crate) const BREADTH_POINTS: u64 = 20;

/// Points when a novelty finding and a confirming behaviour finding of the same identity
/// fall within [`COINCIDENCE_WINDOW_MS`] of each other: worth more than either alone.
pub(crate) const COINCIDENCE_POINTS: u64 = 60;

/// How close in time novelty and behaviour must be to coincide (1 h).
pub(crate) const COINCIDENCE_WINDOW_MS: i64 = 3_600_000;

/// Behaviour findings below this level do not confirm novelty.
pub(crate) const CONFIRMING_LEVEL: Level = Level::Medium;

/// A behaviour category: ATT&CK tactics read as one kind of intent.
pub(crate) struct Category {
    /// Name in reasons.
    pub name: &'static str,
    /// The tactics (as in rule tags, without `attack.`).
    pub tactics: &'static [&'static str],
    /// Whether a finding of this category confirms a novelty finding close in time.
    pub confirms: bool,
}

/// Behaviour categories, strongest first. A finding belongs to the category of the first of
/// its tactics listed here; `initial-access` is none (sign-ins and first uses are novelty,
/// not behaviour).
pub(crate) const CATEGORIES: &[Category] = &[
    Category {
        name: "privilege escalation",
        tactics: &["privilege-escalation"],
        confirms: true,
    },
    Category {
        name: "persistence",
        tactics: &["persistence"],
        confirms: true,
    },
    Category {
        name: "defense evasion",
        tactics: &["defense-evasion", "defense-impairment", "stealth"],
        confirms: true,
    },
    Category {
        name: "credential access",
        tactics: &["credential-access"],
        confirms: true,
    },
    Category {
        name: "exfiltration",
        tactics: &["exfiltration", "collection"],
        confirms: true,
    },
    Category {
        name: "impact / resource hijacking",
        tactics: &["impact", "resource-development"],
        confirms: true,
    },
    Category {
        name: "execution",
        tactics: &["execution"],
        confirms: true,
    },
    Category {
        name: "lateral movement",
        tactics: &["lateral-movement"],
        confirms: true,
    },
    Category {
        name: "discovery",
        tactics: &["discovery"],
        confirms: false,
    },
];

/// The category of a finding with these space-separated tactics, as an index into
/// [`CATEGORIES`].
pub(crate) fn category_of(tactics: &str) -> Option<usize> {
    tactics
        .split_whitespace()
        .find_map(|t| CATEGORIES.iter().position(|c| c.tactics.contains(&t)))
}

/// A novelty analytic and how reasons say what it saw.
pub(crate) struct Novelty {
    /// Analytic id.
    pub rule_id: &'static str,
    /// What it saw, as a phrase.
    pub phrase: &'static str,
    /// Its findings as a kind, in a list of findings.
    pub kind: &'static str,
}

/// The novelty analytics, strongest first: first uses relative to an identity's (or
/// account's) history.
pub(crate) const NOVELTY: &[Novelty] = &[
    Novelty {
        rule_id: "cloudcase.analytics.new-network",
        phrase: "first use of a network never seen in its history",
        kind: "new network",
    },
    Novelty {
        rule_id: "cloudcase.analytics.new-source-ip",
        phrase: "first use of an address never seen in its history",
        kind: "new address",
    },
    Novelty {
        rule_id: "cloudcase.analytics.new-country",
        phrase: "first use of a country never seen in its history",
        kind: "new country",
    },
    Novelty {
        rule_id: "cloudcase.analytics.rapid-country-change",
        phrase: "use from two countries within an hour",
        kind: "two countries within an hour",
    },
    Novelty {
        rule_id: "cloudcase.analytics.new-client",
        phrase: "first use of a client never seen in its history",
        kind: "new client",
    },
    Novelty {
        rule_id: "cloudcase.analytics.new-region",
        phrase: "first use of a region in the account",
        kind: "new region in the account",
    },
];

/// The novelty analytic `rule_id` is, as an index into [`NOVELTY`].
pub(crate) fn novelty_of(rule_id: &str) -> Option<usize> {
    NOVELTY.iter().position(|n| n.rule_id == rule_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_weigh_in_order_and_every_level_has_points() {
        let mut last = None;
        for level in Level::ALL {
            let p = points(level);
            assert!(last.is_none_or(|l| p > l || level == Level::Informational));
            last = Some(p);
        }
        assert_eq!(points(Level::Informational), 0);
        assert!(points(Level::Critical) > 2 * points(Level::High));
    }

    #[test]
    fn a_finding_takes_its_first_categorised_tactic() {
        let name = |t: &str| category_of(t).map(|i| CATEGORIES[i].name);
        assert_eq!(
            name("initial-access persistence privilege-escalation"),
            Some("persistence")
        );
        assert_eq!(name("defense-impairment"), Some("defense evasion"));
        assert_eq!(name("initial-access"), None);
        assert!(novelty_of("cloudcase.analytics.new-network").is_some());
        assert!(novelty_of("cloudcase.analytics.access-denied-burst").is_none());
    }
}
