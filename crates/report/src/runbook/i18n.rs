//! The runbook's text in English and Japanese, beside the main table (which
//! [`crate::i18n::t`] searches first, then this one).

/// Every runbook message: key, English, Japanese.
pub(crate) const MESSAGES: &[(&str, &str, &str)] = &[
    ("rb.title", "Runbook for the next incident", "次のインシデントの対応手順書"),
    ("rb.intro", "This procedure is built from what this case needed: the sources its evidence came from, the containment it used, the logs it lacked, the decisions it raised. Names and values in fixed-width type come from this case; replace the placeholders in capitals (NAME, TRAIL-BUCKET, TSA-HOST) before running a command.", "この手順は本事案で必要になったこと (証拠の取得元、実施した封じ込め、不足していたログ、必要になった判断) から作成しています。等幅で示す名前と値は本事案のものです。大文字のプレースホルダー (NAME、TRAIL-BUCKET、TSA-HOST) は実行前に置き換えてください。"),
    ("rb.preserve", "1. Preserve first", "1. 最初に保全するもの"),
    ("rb.preserve.note", "Before anything in the account changes, copy the logs and the inventory into a new case, in this order. This case holds {0} (object, source) pairs; the commands below acquire the same sources into {1}.", "アカウントに変更を加える前に、ログとインベントリを新しい事案へ次の順序で複製します。本事案には (オブジェクト, 取得元) の組が {0} 件あり、以下のコマンドは同じ取得元を {1} に取得します。"),
    ("rb.col.command", "Command", "コマンド"),
    ("rb.col.why", "Why at this point", "この順序の理由"),
    ("rb.why.init", "The case folder: evidence store, custody log, reports.", "事案フォルダー: 証拠保管庫、保管記録、報告書。"),
    ("rb.why.trail", "The trail logs and digests this case read, from {0}: the accounts and regions it covered.", "本事案が読んだ {0} の証跡ログとダイジェスト (対象のアカウントとリージョン)。"),
    ("rb.why.trail_local", "This case read trail logs copied to {0}; acquire them from the trail bucket itself, with the same accounts and regions.", "本事案は {0} に複製された証跡ログを読みました。次回は証跡バケットから、同じアカウントとリージョンを直接取得してください。"),
    ("rb.why.trail_none", "This case acquired no CloudTrail logs; find the trail bucket first (aws cloudtrail describe-trails).", "本事案では CloudTrail ログを取得していません。まず証跡バケットを特定してください (aws cloudtrail describe-trails)。"),
    ("rb.why.inventory", "Who exists and can do what, and which instances, groups and volumes exist, before containment changes them.", "封じ込めで変わる前に、存在する ID とその権限、インスタンス、セキュリティグループ、ボリュームを記録します。"),
    ("rb.why.lookup", "90 days of management events in the regions involved, even where the trail missed them.", "関係するリージョンの 90 日分の管理イベント (証跡に欠けがあっても取得できます)。"),
    ("rb.why.volume", "The attacker's instance's disk, snapshotted before the instance is stopped or terminated.", "攻撃者のインスタンスのディスク。停止・終了の前にスナップショットを取ります。"),
    ("rb.why.volume_unknown", "The volumes of {0} are not in this case: find them in the aws:ec2 inventory and acquire their snapshots.", "{0} のボリュームは本事案に記録がありません。aws:ec2 のインベントリで特定し、そのスナップショットを取得してください。"),
    ("rb.why.verify", "Re-hash everything acquired and check the custody chain.", "取得した全データを再ハッシュし、保管記録のチェーンを確認します。"),
    ("rb.why.timestamp", "Third-party proof of when the evidence existed.", "証拠がその時点で存在したことの第三者による証明。"),
    ("rb.contain", "2. Containment, in this case's order", "2. 封じ込め (本事案の順序)"),
    ("rb.col.rule", "Evidence-preserving rule", "証拠を残すための原則"),
    ("rb.rule.deactivate", "Deactivate access keys; do not delete them (a deleted key can no longer be traced in the inventory).", "アクセスキーは無効化し、削除しない (削除するとインベントリで追跡できなくなる)。"),
    ("rb.rule.shrink", "Shrink permissions with a deny policy and revoke sessions; do not delete users or roles.", "拒否ポリシーで権限を縮小しセッションを失効させる。ユーザーやロールは削除しない。"),
    ("rb.rule.snapshot", "Snapshot every volume before stopping or terminating an instance.", "インスタンスの停止・終了の前に、全ボリュームのスナップショットを取る。"),
    ("rb.rule.quarantine", "Isolate instances with a quarantine security group rather than terminating them.", "インスタンスは終了せず、隔離用セキュリティグループで隔離する。"),
    ("rb.rule.keep_created", "Keep attacker-created identities and resources until the inventory has been acquired.", "攻撃者が作成した ID とリソースは、インベントリを取得するまで残す。"),
    ("rb.rule.script", "Run the reviewed script from scope; its destructive steps stay commented out until the preservation above is verified.", "scope が出力したスクリプトを確認して実行する。破壊的な手順は上記の保全を検証するまでコメントアウトのままにする。"),
    ("rb.contain.none", "This case recorded no containment plan; the rules above still apply.", "本事案には封じ込め計画の記録がありません。上記の原則は引き続き適用します。"),
    ("rb.contain.note", "The steps this case's plan took, in order (`cloudcase scope --case DIR` writes the reviewable script):", "本事案の計画の手順 (順序どおり。確認用スクリプトは `cloudcase scope --case DIR` が出力します):"),
    ("rb.col.choice", "Evidence-preserving choice", "証拠を残すための選択"),
    ("rb.choice.destroys", "Destroys evidence: only after the snapshots and acquisition above are verified.", "証拠を失う: 上記のスナップショットと取得を検証した後にのみ実施。"),
    ("rb.choice.reversible", "Reversible: can be rolled back; nothing is lost.", "元に戻せる: 何も失われない。"),
    ("rb.choice.final", "Not reversible, keeps the evidence.", "元に戻せないが、証拠は残る。"),
    ("rb.gaps", "3. Logging gaps to close", "3. 解消すべきログの欠落"),
    ("rb.gaps.no_scope", "Without a recorded scope result the gaps cannot be named.", "scope の結果が記録されていないため、欠落を特定できません。"),
    ("rb.gaps.none", "The logs of this case answered every question scope asked.", "本事案のログは scope の問いにすべて答えられました。"),
    ("rb.col.close", "Setting to turn on", "有効にする設定"),
    ("rb.col.about", "For", "対象"),
    ("rb.col.answers", "What it would have answered", "それで答えられたこと"),
    ("rb.gap.data_events", "CloudTrail data events on this {0}", "この {0} の CloudTrail データイベント"),
    ("rb.ans.data_events", "Whether the attacker read or wrote {0} (its verdict was UNKNOWN).", "攻撃者が {0} を読み書きしたか (判定は UNKNOWN でした)。"),
    ("rb.gap.digest", "Log file validation, with the digest files acquired beside the logs", "ログファイルの整合性検証 (ダイジェストファイルをログと共に取得)"),
    ("rb.ans.digest", "That the logs were not altered or deleted after delivery.", "配信後にログが改ざん・削除されていないこと。"),
    ("rb.gap.region", "A multi-region trail that covers this region", "このリージョンを含むマルチリージョン証跡"),
    ("rb.ans.region", "What the attacker did in {0} from the trail itself.", "{0} で攻撃者が行ったことを証跡自体から確認すること。"),
    ("rb.gap.silent", "Alarm on trail delivery stopping (no events for hours)", "証跡の配信停止 (数時間イベントなし) の警報"),
    ("rb.ans.silent", "What happened in these {0} hours without events.", "イベントのないこの {0} 時間に何が起きたか。"),
    ("rb.gap.retention", "Longer trail retention (S3 lifecycle, Object Lock)", "証跡の保存期間の延長 (S3 ライフサイクル、オブジェクトロック)"),
    ("rb.ans.retention", "Whether the attacker was active before the logs begin: they start on the day of the first attacker event.", "ログの開始前から攻撃者が活動していたか (ログは最初の攻撃者イベントの日から始まっています)。"),
    ("rb.gap.flow", "VPC Flow Logs in the VPCs of the instances", "インスタンスの VPC の VPC フローログ"),
    ("rb.ans.flow", "Whether data left over the network, and to where.", "データがネットワーク経由で外部へ送られたか、その送信先。"),
    ("rb.gap.guardduty", "GuardDuty in every enabled region", "有効な全リージョンでの GuardDuty"),
    ("rb.ans.guardduty", "Independent detections of the same activity, joined to the trail.", "同じ活動を別の観点で検知し、証跡と突き合わせること。"),
    ("rb.decisions", "4. Decisions and who takes them", "4. 判断事項と判断者"),
    ("rb.col.decision", "Decision", "判断事項"),
    ("rb.col.owner", "Owner (role)", "判断者 (役割)"),
    ("rb.col.when", "When", "時期"),
    ("rb.col.input", "Input needed (this case's)", "必要な情報 (本事案の場合)"),
    ("rb.dec.rotate", "Rotate the compromised key now, or watch it a little longer", "漏えいしたキーを直ちにローテーションするか、監視を続けるか"),
    ("rb.dec.remove", "Remove the attacker-created identities", "攻撃者が作成した ID を削除するか"),
    ("rb.dec.terminate", "Terminate the attacker's instances", "攻撃者のインスタンスを終了するか"),
    ("rb.dec.support", "Engage AWS Support (abuse, billing adjustment)", "AWS サポートへ連絡するか (不正利用、請求の調整)"),
    ("rb.dec.notify", "Tell customers and the regulator", "顧客と監督当局へ通知するか"),
    ("rb.dec.report", "Send the first report, and when to update it", "第一報を送るか、次の更新をいつにするか"),
    ("rb.role.ic", "Incident commander", "インシデント責任者"),
    ("rb.role.owner", "System owner", "システム責任者"),
    ("rb.role.legal", "Legal / privacy officer", "法務・個人情報保護責任者"),
    ("rb.role.exec", "Executive sponsor", "経営責任者"),
    ("rb.when.hour1", "Within the first hour, after step 1", "最初の 1 時間以内 (手順 1 の後)"),
    ("rb.when.after_preserve", "After the inventory is acquired", "インベントリの取得後"),
    ("rb.when.after_snapshot", "After the volume snapshots are verified", "ボリュームのスナップショット検証後"),
    ("rb.when.day1", "Within the first day", "初日のうち"),
    ("rb.when.appi", "Promptly (APPI: preliminary report within about 3–5 days)", "速やかに (個人情報保護法: 速報はおおむね 3〜5 日以内)"),
    ("rb.in.rotate", "Credential {0}; is the attacker still active (last event {1})?", "認証情報 {0}。攻撃者はまだ活動中か (最後のイベント {1})。"),
    ("rb.in.remove", "{0} identities created by the attacker; their inventory acquired first.", "攻撃者が作成した ID {0} 件 (先にインベントリを取得)。"),
    ("rb.in.terminate", "{0} instances; snapshots of their volumes.", "インスタンス {0} 台とそのボリュームのスナップショット。"),
    ("rb.in.support", "The cost so far ({0}) and the resources to stop.", "これまでの費用 ({0}) と停止すべきリソース。"),
    ("rb.in.notify", "Stores not shown untouched: {0}; their data categories.", "未アクセスと確認できないデータストア: {0}。そのデータの種類。"),
    ("rb.in.update", "What is known and the {0} open questions below.", "分かっていることと、下記の未解明の問い {0} 件。"),
    ("rb.first", "5. First report: known and not yet known", "5. 第一報: 分かったことと、まだ分からないこと"),
    ("rb.first.note", "Keep what the logs show apart from what they do not yet show. The values below are this case's, as an example of each line.", "ログで確認できたことと、まだ確認できないことを分けて書きます。以下の値は本事案のもので、各項目の記入例です。"),
    ("rb.first.known", "State each fact with the evidence it rests on.", "各事実は根拠となる証拠と共に記載します。"),
    ("rb.first.unknown", "Each open question with what would answer it.", "未解明の問いごとに、それに答えるために必要なことを記載します。"),
    ("rb.fr.as_of", "As of (UTC)", "時点 (UTC)"),
    ("rb.fr.next_update", "Next update (UTC)", "次回更新 (UTC)"),
    ("rb.fr.contact", "Contact", "連絡先"),
    ("rb.fr.credential", "Compromised credential", "漏えいした認証情報"),
    ("rb.fr.first", "First attacker event (UTC)", "最初の攻撃者イベント (UTC)"),
    ("rb.fr.last", "Last attacker event (UTC)", "最後の攻撃者イベント (UTC)"),
    ("rb.fr.sources", "Attacker source addresses", "攻撃者の送信元アドレス"),
    ("rb.fr.identities", "Identities the attacker created", "攻撃者が作成した ID"),
    ("rb.fr.instances", "Instances the attacker launched", "攻撃者が起動したインスタンス"),
    ("rb.fr.accessed", "Data stores accessed", "アクセスされたデータストア"),
    ("rb.fr.findings", "Hunt findings by level", "ハンティング検知の件数 (レベル別)"),
];

#[cfg(test)]
mod tests {
    use super::MESSAGES;

    #[test]
    fn runbook_keys_are_unique_translated_and_apart_from_the_main_table() {
        let mut keys: Vec<&str> = MESSAGES.iter().map(|(k, _, _)| *k).collect();
        keys.sort_unstable();
        let n = keys.len();
        keys.dedup();
        assert_eq!(keys.len(), n, "duplicate runbook keys");
        for (k, en, ja) in MESSAGES {
            assert!(k.starts_with("rb."), "{k}: runbook keys start with rb.");
            assert!(!en.is_empty() && !ja.is_empty(), "{k} lacks a translation");
            assert_eq!(
                en.matches('{').count(),
                ja.matches('{').count(),
                "{k}: placeholders differ"
            );
        }
    }
}
