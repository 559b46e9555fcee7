//! The policy-design document (Markdown or HTML, en or ja), through crates/report's
//! document model, whose renderers escape every value.

use cloudcase_report::{Block, Cell, Document, Lang};

use crate::lists::KeyFinding;
use crate::result::{HardenResult, PrincipalReport};

/// Every text of the document: key, English, Japanese.
const TEXTS: &[(&str, &str, &str)] = &[
    ("title", "Least-privilege policy design", "最小権限ポリシー設計"),
    ("basis", "Basis", "根拠"),
    ("exclusion", "Attacker activity excluded", "攻撃者の活動の除外"),
    ("rules", "Rules", "ルール"),
    ("source_ip_rule", "aws:SourceIp is added when at least 90 % of a principal's calls come from at most 4 networks (/24) across at least 7 days (at least 20 calls). aws:MultiFactorAuthPresent is required for principals that signed in to the console. Resource \"*\" is used only where CloudTrail records no resource for the action (listed per principal). Failed calls and event names that are no IAM action are not granted.",
     "aws:SourceIp は、呼び出しの 90 % 以上が 7 日以上にわたり 4 つ以下のネットワーク (/24) から来ている場合 (20 回以上) に付与します。コンソールにサインインしたプリンシパルには aws:MultiFactorAuthPresent を必須とします。Resource \"*\" は CloudTrail がリソースを記録しないアクションに限ります (プリンシパルごとに記載)。失敗した呼び出しと IAM アクションでないイベント名は許可しません。"),
    ("principals", "Principals", "プリンシパル"),
    ("kind", "Kind", "種別"),
    ("period", "First – last use", "初回 – 最終利用"),
    ("keys", "Access keys", "アクセスキー"),
    ("excluded", "Attacker events excluded", "除外した攻撃者イベント"),
    ("source_ip", "aws:SourceIp", "aws:SourceIp"),
    ("mfa", "MFA required", "MFA 必須"),
    ("none", "none", "なし"),
    ("yes", "yes", "はい"),
    ("no", "no", "いいえ"),
    ("action", "Action", "アクション"),
    ("calls", "Calls", "回数"),
    ("resources", "Resources", "リソース"),
    ("statement", "Statement", "ステートメント"),
    ("policy", "Policy", "ポリシー"),
    ("wildcard", "* because", "* の理由"),
    ("remove", "Remove", "削除"),
    ("rotate", "Rotate", "ローテーション"),
    ("ci", "Long-term keys used from CI (candidates for role sessions)", "CI から使われた長期キー (ロールセッション化の候補)"),
    ("secrets", "Secrets to move to Secrets Manager", "Secrets Manager へ移すシークレット"),
    ("identity", "Principal or key", "プリンシパルまたはキー"),
    ("reason", "Reason", "理由"),
    ("records", "Records", "レコード"),
    ("no_items", "None.", "なし。"),
];

fn t(lang: Lang, key: &str) -> &'static str {
    TEXTS
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or("", |(_, en, ja)| if lang == Lang::Ja { ja } else { en })
}

fn refs_cell(r: &[cloudcase_model::scope::RecordRef]) -> Cell {
    let text: Vec<String> = r
        .iter()
        .map(|r| {
            format!(
                "{}#{} {}",
                r.file,
                r.record,
                r.event_id.as_deref().unwrap_or("")
            )
        })
        .collect();
    Cell::Code(text.join("\n"))
}

fn principal_blocks(lang: Lang, p: &PrincipalReport, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(3, p.principal.clone()));
    let keys: Vec<&str> = p
        .access_keys
        .iter()
        .map(|k| k.access_key.as_str())
        .collect();
    let yes_no = |b: bool| t(lang, if b { "yes" } else { "no" }).to_owned();
    blocks.push(Block::KeyValues(vec![
        (t(lang, "kind").into(), Cell::Text(p.kind.clone())),
        (
            t(lang, "period").into(),
            Cell::Text(format!("{} – {}", p.first_used, p.last_used)),
        ),
        (t(lang, "keys").into(), Cell::Code(keys.join(", "))),
        (
            t(lang, "excluded").into(),
            Cell::Text(p.excluded_attacker_events.to_string()),
        ),
        (
            t(lang, "source_ip").into(),
            Cell::Code(
                p.source_ip
                    .as_ref()
                    .map_or_else(|| t(lang, "none").to_owned(), |n| n.join(", ")),
            ),
        ),
        (t(lang, "mfa").into(), Cell::Text(yes_no(p.require_mfa))),
    ]));
    let rows = p
        .actions
        .iter()
        .map(|a| {
            vec![
                Cell::Code(a.action.clone()),
                Cell::Text(a.calls.to_string()),
                Cell::Code(a.resources.join("\n")),
                Cell::Text(a.wildcard.map_or(String::new(), |w| {
                    serde_json::to_value(w)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default()
                })),
            ]
        })
        .collect();
    blocks.push(Block::Table {
        headers: ["action", "calls", "resources", "wildcard"]
            .iter()
            .map(|k| t(lang, k).to_owned())
            .collect(),
        rows,
    });
    let statements = p.policy["Statement"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    blocks.push(Block::Table {
        headers: vec![t(lang, "statement").into(), t(lang, "policy").into()],
        rows: statements
            .iter()
            .map(|st| {
                vec![
                    Cell::Code(st["Sid"].as_str().unwrap_or_default().to_owned()),
                    Cell::Code(st.to_string()),
                ]
            })
            .collect(),
    });
}

fn findings_table(lang: Lang, items: &[KeyFinding]) -> Block {
    Block::Table {
        headers: vec![
            t(lang, "identity").into(),
            t(lang, "reason").into(),
            t(lang, "records").into(),
        ],
        rows: items
            .iter()
            .map(|f| {
                vec![
                    Cell::Code(f.access_key.clone().unwrap_or_else(|| f.principal.clone())),
                    Cell::Text(if f.secrets.is_empty() {
                        f.reason.clone()
                    } else {
                        format!("{} ({})", f.reason, f.secrets.join(", "))
                    }),
                    refs_cell(&f.refs),
                ]
            })
            .collect(),
    }
}

fn list_section(lang: Lang, key: &str, table: Block, empty: bool, blocks: &mut Vec<Block>) {
    blocks.push(Block::Heading(2, t(lang, key).to_owned()));
    blocks.push(if empty {
        Block::Paragraph(t(lang, "no_items").to_owned())
    } else {
        table
    });
}

/// The policy-design document of `r` in `lang`. Reasons and notes are in English in both
/// languages (they are built from the data); headings, labels and rules follow `lang`.
pub fn document(r: &HardenResult, lang: Lang) -> Document {
    let mut blocks = vec![
        Block::Heading(2, t(lang, "exclusion").to_owned()),
        Block::Paragraph(r.exclusion.note.clone()),
        Block::Heading(2, t(lang, "rules").to_owned()),
        Block::Paragraph(t(lang, "source_ip_rule").to_owned()),
        Block::Heading(2, t(lang, "principals").to_owned()),
    ];
    for p in &r.principals {
        principal_blocks(lang, p, &mut blocks);
    }
    let remove = Block::Table {
        headers: vec![
            t(lang, "identity").into(),
            t(lang, "reason").into(),
            t(lang, "records").into(),
        ],
        rows: r
            .remove
            .iter()
            .map(|i| {
                let who = i.principal.clone().or_else(|| i.access_key.clone());
                vec![
                    Cell::Code(who.unwrap_or_default()),
                    Cell::Text(i.reason.clone()),
                    refs_cell(&i.refs),
                ]
            })
            .collect(),
    };
    list_section(lang, "remove", remove, r.remove.is_empty(), &mut blocks);
    let rotate = Block::Table {
        headers: vec![
            t(lang, "identity").into(),
            t(lang, "reason").into(),
            t(lang, "records").into(),
        ],
        rows: r
            .rotate
            .iter()
            .map(|i| {
                vec![
                    Cell::Code(i.access_key.clone()),
                    Cell::Text(i.reason.clone()),
                    refs_cell(&i.refs),
                ]
            })
            .collect(),
    };
    list_section(lang, "rotate", rotate, r.rotate.is_empty(), &mut blocks);
    list_section(
        lang,
        "ci",
        findings_table(lang, &r.ci_keys),
        r.ci_keys.is_empty(),
        &mut blocks,
    );
    list_section(
        lang,
        "secrets",
        findings_table(lang, &r.secrets),
        r.secrets.is_empty(),
        &mut blocks,
    );
    Document {
        title: t(lang, "title").to_owned(),
        lang: lang.tag(),
        blocks,
    }
}
