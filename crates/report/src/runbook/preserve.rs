//! What to preserve first, as the exact cloudcase commands: the trail prefixes and regions
//! this case's evidence came from, the inventory, the management-event history of the
//! regions involved, the attacker's instances' volumes, then verification and trusted time.

use std::collections::BTreeSet;

use cloudcase_model::contain::InstanceOrigin;
use cloudcase_model::scope::Resource;
use cloudcase_model::ScopeResult;

use super::sources::CaseSources;
use crate::analysis::{code, text};
use crate::i18n::{headers, t, tf, Lang};
use crate::{Block, Cell};

/// The case folder the commands create.
pub const NEXT_CASE: &str = "./case-next";

/// One command and why it comes at this point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    /// The command line.
    pub line: String,
    /// Why it comes at this point, in the report's language.
    pub why: String,
}

/// The regions this case involved: the attacker's activity and instances', and the data
/// stores'; the trail's when scope names none.
pub fn regions(scope: Option<&ScopeResult>, sources: &CaseSources) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(s) = scope {
        attacker_regions(s, &mut out);
    }
    if out.is_empty() {
        out = sources.regions();
    }
    out
}

/// The regions of the attacker's activity and instances and of the data stores of `s`.
fn attacker_regions(s: &ScopeResult, out: &mut BTreeSet<String>) {
    if let Some(a) = &s.activity {
        let attacked = a
            .by_region
            .iter()
            .filter(|r| r.attacker.iter().any(|n| *n > 0));
        out.extend(attacked.map(|r| r.region.clone()));
    }
    out.extend(s.resources.iter().filter_map(|r| match r {
        Resource::Instance(i) => Some(i.region.clone()),
        _ => None,
    }));
    out.extend(s.data_access.iter().filter_map(|d| d.region.clone()));
    out.retain(|r| !r.is_empty());
}

/// The attacker-launched instances' volumes as `(volume, region)`, and the attacker's
/// instances whose volumes the case does not know (those of the containment findings without
/// volumes, and those the logs leave running that the findings lack).
fn volumes(scope: Option<&ScopeResult>) -> (Vec<[String; 2]>, Vec<String>) {
    let Some(s) = scope else {
        return (Vec::new(), Vec::new());
    };
    let instances = s
        .containment
        .as_ref()
        .map_or(&[][..], |c| c.findings.instances.as_slice());
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    for i in instances
        .iter()
        .filter(|i| i.origin == InstanceOrigin::AttackerLaunched)
    {
        if i.volumes.is_empty() {
            unknown.push(i.id.clone());
        }
        known.extend(i.volumes.iter().map(|v| [v.clone(), i.region.clone()]));
    }
    let running = s.resources.iter().filter_map(|r| match r {
        Resource::Instance(i) if i.exists_at_end_of_logs => Some(&i.instance_id),
        _ => None,
    });
    for id in running {
        if !instances.iter().any(|i| &i.id == id) {
            unknown.push(id.clone());
        }
    }
    (known, unknown)
}

/// The commands, in order.
pub fn commands(
    lang: Lang,
    scope: Option<&ScopeResult>,
    sources: &CaseSources,
    case_name: &str,
) -> Vec<Command> {
    let cmd = |line: String, why: String| Command { line, why };
    let regions: Vec<String> = regions(scope, sources).into_iter().collect();
    let list = if regions.is_empty() {
        "all".to_owned()
    } else {
        word(&regions.join(","))
    };
    let c = NEXT_CASE;
    let mut out = vec![cmd(
        format!(
            "cloudcase case init {c} --name {} --examiner NAME --tz UTC",
            quote(case_name)
        ),
        t(lang, "rb.why.init").into(),
    )];
    for (root, trail) in &sources.trails {
        let bucket = if root.starts_with("s3://") {
            root.clone()
        } else {
            "s3://TRAIL-BUCKET".into()
        };
        let join = |s: &BTreeSet<String>| word(&s.iter().cloned().collect::<Vec<_>>().join(","));
        let mut line = format!(
            "cloudcase acquire --case {c} {}",
            word(&format!("{bucket}/AWSLogs/"))
        );
        if !trail.accounts.is_empty() {
            line.push_str(&format!(" --account {}", join(&trail.accounts)));
        }
        if !trail.regions.is_empty() {
            line.push_str(&format!(" --region {}", join(&trail.regions)));
        }
        let why = match root.starts_with("s3://") {
            true => tf(lang, "rb.why.trail", &[root]),
            false => tf(lang, "rb.why.trail_local", &[root]),
        };
        out.push(cmd(line, why));
    }
    if sources.trails.is_empty() {
        out.push(cmd(
            format!("cloudcase acquire --case {c} s3://TRAIL-BUCKET/AWSLogs/"),
            t(lang, "rb.why.trail_none").into(),
        ));
    }
    out.push(cmd(
        format!("cloudcase acquire --case {c} aws:iam aws:ec2 --regions {list}"),
        t(lang, "rb.why.inventory").into(),
    ));
    out.push(cmd(
        format!("cloudcase acquire --case {c} aws:lookup-events --regions {list}"),
        t(lang, "rb.why.lookup").into(),
    ));
    let (vols, unknown) = volumes(scope);
    for [vol, region] in vols {
        out.push(cmd(
            format!(
                "cloudcase acquire --case {c} {} --create-snapshot",
                word(&format!("aws:ebs-volume/{vol}?region={region}"))
            ),
            t(lang, "rb.why.volume").into(),
        ));
    }
    for id in unknown {
        out.push(cmd(
            format!(
                "cloudcase acquire --case {c} {}",
                word(&format!("aws:ebs-snapshot/SNAPSHOT-OF-{id}"))
            ),
            tf(lang, "rb.why.volume_unknown", &[&id]),
        ));
    }
    out.push(cmd(
        format!("cloudcase verify --case {c}"),
        t(lang, "rb.why.verify").into(),
    ));
    out.push(cmd(
        format!("cloudcase timestamp --case {c} --tsa http://TSA-HOST/PATH"),
        t(lang, "rb.why.timestamp").into(),
    ));
    out
}

/// `s` as one shell word: as it is when it holds only letters, digits and `-._,:/=?`,
/// else double-quoted (a name read from the logs never runs as shell code when pasted).
fn word(s: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "-._,:/=?".contains(c);
    match !s.is_empty() && s.chars().all(safe) {
        true => s.to_owned(),
        false => quote(s),
    }
}

/// `s` in double quotes for a POSIX shell, `"`, `\`, `$` and `` ` `` escaped.
fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for ch in s.chars() {
        if matches!(ch, '"' | '\\' | '$' | '`') {
            out.push('\\');
        }
        out.push(ch);
    }
    out.push('"');
    out
}

/// The section.
pub fn section(
    lang: Lang,
    scope: Option<&ScopeResult>,
    sources: &CaseSources,
    case_name: &str,
    blocks: &mut Vec<Block>,
) {
    blocks.push(Block::Heading(2, t(lang, "rb.preserve").into()));
    blocks.push(Block::Paragraph(tf(
        lang,
        "rb.preserve.note",
        &[&sources.pairs.to_string(), NEXT_CASE],
    )));
    let rows: Vec<Vec<Cell>> = commands(lang, scope, sources, case_name)
        .into_iter()
        .enumerate()
        .map(|(i, c)| vec![text((i + 1).to_string()), code(c.line), text(c.why)])
        .collect();
    blocks.push(Block::Table {
        headers: headers(lang, &["col.no", "rb.col.command", "rb.col.why"]),
        rows,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_name_the_trail_prefix_accounts_regions_and_quote_the_case_name() {
        let s = crate::runbook::sources::two_region_trail();
        let lines: Vec<String> = commands(Lang::En, None, &s, "a \"b\" $(x)")
            .into_iter()
            .map(|c| c.line)
            .collect();
        assert!(lines[0].contains(r#"--name "a \"b\" \$(x)""#), "{lines:?}");
        assert_eq!(
            lines[1],
            "cloudcase acquire --case ./case-next s3://trail/AWSLogs/ --account 111122223333 --region eu-west-1,us-east-1"
        );
        assert!(lines[2].ends_with("aws:iam aws:ec2 --regions eu-west-1,us-east-1"));
        assert!(lines[3].ends_with("aws:lookup-events --regions eu-west-1,us-east-1"));
        assert!(lines.iter().any(|l| l.starts_with("cloudcase verify")));
        assert!(lines
            .last()
            .is_some_and(|l| l.starts_with("cloudcase timestamp")));
        assert_eq!(word("s3://b/AWSLogs/"), "s3://b/AWSLogs/");
        assert_eq!(word("x;rm -rf /"), "\"x;rm -rf /\"");
        let none = commands(Lang::En, None, &CaseSources::default(), "c");
        assert!(none[1].line.contains("s3://TRAIL-BUCKET/AWSLogs/"));
        assert!(none[2].line.ends_with("--regions all"));
    }
}
