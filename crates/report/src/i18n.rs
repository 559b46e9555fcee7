//! Report text in English and Japanese, as one table.

use std::str::FromStr;

/// A report language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Japanese.
    Ja,
}

impl Lang {
    /// The BCP 47 tag.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Ja => "ja",
        }
    }
}

impl FromStr for Lang {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "en" => Ok(Lang::En),
            "ja" => Ok(Lang::Ja),
            other => Err(format!(
                "expected a report language, en or ja, found {other:?}"
            )),
        }
    }
}

/// Every message: key, English, Japanese.
const MESSAGES: &[(&str, &str, &str)] = &[
    ("evidence.title", "Evidence record", "証拠記録"),
    ("case", "Case", "事案"),
    ("case.name", "Case name", "事案名"),
    ("case.id", "Case ID", "事案ID"),
    ("case.examiner", "Examiner", "調査担当者"),
    ("case.created", "Case opened (UTC)", "事案開始日時 (UTC)"),
    ("case.tz", "Display time zone", "表示タイムゾーン"),
    ("report.generated", "Report generated (UTC)", "報告書作成日時 (UTC)"),
    ("report.tool", "Produced by", "作成ツール"),
    ("summary", "Summary", "概要"),
    ("summary.objects", "Evidence objects", "証拠オブジェクト数"),
    ("summary.bytes", "Total size (bytes)", "合計サイズ (バイト)"),
    ("summary.sources", "Sources recorded", "記録された取得元の数"),
    ("summary.custody", "Custody log entries", "保管記録の件数"),
    ("summary.head", "Custody chain head (SHA-256 of the last entry)", "保管記録チェーンの先頭 (最終エントリの SHA-256)"),
    ("integrity", "Integrity checks", "完全性の確認"),
    ("integrity.verify", "Last verification of the evidence store", "証拠保管庫の最終検証"),
    ("integrity.validate", "Last CloudTrail log-file validation", "CloudTrail ログファイルの最終検証"),
    ("integrity.never_verified", "Not verified yet: run `cloudcase verify --case DIR`.", "未検証: `cloudcase verify --case DIR` を実行してください。"),
    ("integrity.never_validated", "Not validated: run `cloudcase trail validate --case DIR --public-keys FILE`.", "未検証: `cloudcase trail validate --case DIR --public-keys FILE` を実行してください。"),
    ("integrity.intact", "intact", "改変なし"),
    ("integrity.problems", "problems found", "問題あり"),
    ("objects", "Evidence objects", "証拠オブジェクト一覧"),
    ("objects.none", "No evidence has been acquired yet.", "証拠はまだ取得されていません。"),
    ("col.no", "#", "番号"),
    ("col.sha256", "SHA-256", "SHA-256"),
    ("col.size", "Size (bytes)", "サイズ (バイト)"),
    ("col.source", "Original source", "取得元"),
    ("col.acquired", "Acquired (UTC)", "取得日時 (UTC)"),
    ("col.examiner", "Examiner", "担当者"),
    ("col.seq", "Seq.", "連番"),
    ("col.time", "Time (UTC)", "日時 (UTC)"),
    ("col.actor", "Actor", "実施者"),
    ("col.host", "Host", "ホスト"),
    ("col.action", "Action", "操作"),
    ("col.details", "Details", "詳細"),
    ("col.hash", "Entry hash", "エントリのハッシュ"),
    ("custody", "Chain of custody", "保管の連続性 (チェーン・オブ・カストディ)"),
    ("method", "Method", "方法"),
    (
        "method.text",
        "Each object was copied into the case's evidence store while its SHA-256 was computed in the same read; it is stored read-only under its hash. Each custody entry records the SHA-256 of the previous entry, so editing, deleting, inserting or reordering entries is detectable. Anyone can repeat the check with `cloudcase verify --case DIR`, or compare the hashes above with `sha256sum`.",
        "各オブジェクトは、同一の読み取りで SHA-256 を計算しながら事案の証拠保管庫に複製され、そのハッシュ値の名前で読み取り専用として保存されています。保管記録の各エントリは直前のエントリの SHA-256 を含むため、エントリの編集・削除・挿入・並べ替えは検出できます。`cloudcase verify --case DIR` を実行するか、上記のハッシュ値を `sha256sum` で照合することで、誰でも同じ確認を再現できます。",
    ),
    ("yes", "yes", "はい"),
    ("no", "no", "いいえ"),
];

/// The text of `key` in `lang`; the key itself if it is missing (a bug the
/// tests catch), so a report never fails for want of a translation.
pub fn t(lang: Lang, key: &str) -> &str {
    MESSAGES
        .iter()
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, en, ja)| match lang {
            Lang::En => en,
            Lang::Ja => ja,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_translated() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate message keys");
        for (k, en, ja) in MESSAGES {
            assert!(!en.is_empty() && !ja.is_empty(), "{k} lacks a translation");
        }
        assert_eq!(
            t(Lang::Ja, "custody"),
            "保管の連続性 (チェーン・オブ・カストディ)"
        );
        assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
        assert_eq!("JA".parse::<Lang>().unwrap(), Lang::Ja);
        assert!("fr".parse::<Lang>().is_err());
    }
}
