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
    ("summary.pairs", "Objects acquired: (object, source) pairs, one manifest line each", "取得したオブジェクト: (オブジェクト, 取得元) の組、マニフェスト 1 行ずつ"),
    ("summary.bytes", "Total size (bytes)", "合計サイズ (バイト)"),
    ("summary.first", "First acquisition (UTC)", "最初の取得日時 (UTC)"),
    ("summary.last", "Last acquisition (UTC)", "最後の取得日時 (UTC)"),
    ("summary.groups", "Source groups", "取得元グループの数"),
    ("summary.manifest_lines", "Lines of manifest.jsonl read", "読み取った manifest.jsonl の行数"),
    ("summary.manifest_sha256", "SHA-256 of the manifest lines read", "読み取ったマニフェスト行の SHA-256"),
    ("summary.unparsable", "Manifest lines that are not records (run `cloudcase verify --case DIR`)", "記録として読めないマニフェスト行 (`cloudcase verify --case DIR` を実行してください)"),
    ("summary.torn", "Incomplete final manifest line left by an interrupted write (bytes; not counted)", "中断された書き込みによる不完全な最終マニフェスト行 (バイト数、集計対象外)"),
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
        "Each object was copied into the case's evidence store while its SHA-256 was computed in the same read; it is stored read-only under its hash, and each acquisition is one line of manifest.jsonl. Each custody entry records the SHA-256 of the previous entry, so editing, deleting, inserting or reordering entries is detectable. Anyone can repeat the check with `cloudcase verify --case DIR`, or compare the hashes in this record and in the listings with `sha256sum`.",
        "各オブジェクトは、同一の読み取りで SHA-256 を計算しながら事案の証拠保管庫に複製され、そのハッシュ値の名前で読み取り専用として保存されています。取得 1 件ごとに manifest.jsonl に 1 行が記録されます。保管記録の各エントリは直前のエントリの SHA-256 を含むため、エントリの編集・削除・挿入・並べ替えは検出できます。`cloudcase verify --case DIR` を実行するか、この記録と一覧ファイルのハッシュ値を `sha256sum` で照合することで、誰でも同じ確認を再現できます。",
    ),
    (
        "method.groups",
        "A group's SHA-256 is computed over that group's lines of manifest.jsonl in file order: the exact bytes of each line, including its final newline, concatenated and hashed. To recompute it, select the group's lines in order and hash them. For root R, account A, log type CloudTrail, region G and day 2024-05-18: `grep -F '\"source\":\"R/AWSLogs/A/CloudTrail/G/2024/05/18/' manifest.jsonl | sha256sum` (organization trails have `o-…/` before the account; for a month drop the day, for a merged field match any folder, e.g. `grep -E` with `[^/]+`; for an aws: source, `grep -F '\"source\":\"aws:lookup-events?'`; a day marked * selects the lines whose \"acquired\" time falls on that UTC day). The SHA-256 of the manifest lines read is that of the whole file (`sha256sum manifest.jsonl`) unless an interrupted write left an incomplete final line.",
        "グループの SHA-256 は、そのグループに属する manifest.jsonl の行を、ファイル内の順序のまま、各行の末尾の改行を含む正確なバイト列として連結し、ハッシュしたものです。再計算するには、そのグループの行を順に抽出してハッシュします。ルート R、アカウント A、ログ種別 CloudTrail、リージョン G、日付 2024-05-18 の場合: `grep -F '\"source\":\"R/AWSLogs/A/CloudTrail/G/2024/05/18/' manifest.jsonl | sha256sum` (組織の証跡ではアカウントの前に `o-…/` が入ります。月単位では日を省き、統合された項目は任意のフォルダに一致させます (例: `grep -E` と `[^/]+`)。aws: の取得元は `grep -F '\"source\":\"aws:lookup-events?'`。* の付いた日付は、\"acquired\" の時刻がその UTC 日に当たる行を指します)。読み取ったマニフェスト行の SHA-256 は、中断された書き込みによる不完全な最終行がない限り、ファイル全体のハッシュ (`sha256sum manifest.jsonl`) と一致します。",
    ),
    (
        "method.listings",
        "The listings are written beside this report in one pass over the manifest, to temporary files that are synced and then renamed into place; the SHA-256 stated above is that of each file as written (`sha256sum evidence-listing.csv`), and the custody entry recording this report records the same file names, row counts and hashes. Apart from the genTime of the trusted timestamps listed above, all times are the examiner's system clock.",
        "一覧ファイルは、マニフェストを 1 回読み取る間にこの報告書と同じフォルダの一時ファイルへ書き込まれ、同期 (fsync) の後に名前を変更して配置されます。上記の SHA-256 は書き込まれた各ファイルのハッシュ値 (`sha256sum evidence-listing.csv`) であり、この報告書を記録する保管記録エントリにも同じファイル名・行数・ハッシュ値が記録されます。上記の信頼できるタイムスタンプの genTime を除き、すべての時刻は調査担当者のシステム時計によるものです。",
    ),
    ("listings", "Complete listings", "全件一覧"),
    ("listings.text", "Every (object, source) pair is listed in the files below, written beside this report: object path in the case, original source, size, SHA-256, acquisition time (UTC), examiner and manifest line number, one row per manifest line in manifest order. In the CSV, cells that begin with = + - @ get a leading apostrophe and control characters are shown as \\u{…}, so that spreadsheets show them as text; the JSON Lines file keeps every value exactly.", "すべての (オブジェクト, 取得元) の組を、この報告書と同じフォルダに書き出した下記のファイルに記載しています。項目は、事案内のオブジェクトのパス、元の取得元、サイズ、SHA-256、取得日時 (UTC)、調査担当者、マニフェストの行番号で、マニフェストの順にマニフェスト 1 行につき 1 行です。CSV では、= + - @ で始まるセルの先頭にアポストロフィを付け、制御文字を \\u{…} と表示するため、表計算ソフトでは文字列として表示されます。JSON Lines ファイルはすべての値をそのまま保持しています。"),
    ("col.rows", "Rows", "行数"),
    ("groups", "Source groups", "取得元グループ"),
    ("groups.text", "Each manifest line belongs to one group of source root, log type, account, region and day, read from the CloudTrail key layout AWSLogs/[o-org/]account/type/region/YYYY/MM/DD/ (— where the location has none). A day marked * is the acquisition day, for sources whose path holds no date. Objects counts (object, source) pairs, Bytes their sizes; the SHA-256 is over the group's manifest lines (see Method).", "マニフェストの各行は、CloudTrail のキー構成 AWSLogs/[o-組織/]アカウント/種別/リージョン/YYYY/MM/DD/ から読み取った、取得元のルート・ログ種別・アカウント・リージョン・日付の組で表されるグループのいずれか 1 つに属します (該当する項目がない場合は —)。* の付いた日付は、パスに日付を含まない取得元の取得日です。オブジェクト数は (オブジェクト, 取得元) の組の数、バイト数はそのサイズの合計です。SHA-256 はグループのマニフェスト行に対するものです (「方法」を参照)。"),
    ("groups.grain", "Grain: {0}.", "集計の単位: {0}。"),
    ("groups.finest", "This is the finest grain.", "これは最も細かい単位です。"),
    ("groups.coarsened", "Grouping by {0} would need more than {1} rows (groups and roots), and this record shows at most {1}, so groups were merged in this fixed order: day; day with the folders of files outside AWSLogs trees merged; month; without region; without account; year; whole period; all roots together. The listings hold every object.", "{0} で集計すると {1} 行 (グループとルート) を超え、この記録に載せられる上限 {1} 行を超えるため、日、日 (AWSLogs 外のファイルのフォルダを統合)、月、リージョンなし、アカウントなし、年、全期間、全ルートの順に決まった手順でグループを統合しました。すべてのオブジェクトは一覧ファイルに記載しています。"),
    ("groups.roots", "Source roots", "取得元のルート"),
    ("groups.table", "Groups", "グループ"),
    ("groups.hashes", "First and last acquisition and hash of each group", "各グループの最初と最後の取得日時とハッシュ値"),
    ("groups.one_root", "Every group is under root R1.", "すべてのグループはルート R1 の下にあります。"),
    ("objects.one_examiner", "Every source below was acquired by {0}. R1, R2, … stand for the source roots listed above; times are shown to the second; the listings hold every full source and exact time.", "以下はすべて {0} が取得しました。R1、R2 などは上記の取得元のルートを表し、時刻は秒単位で表示しています。完全な取得元と正確な時刻は一覧ファイルにあります。"),
    ("objects.sources", "Where each object was acquired from", "各オブジェクトの取得元"),
    ("col.object_no", "Object #", "オブジェクト番号"),
    ("objects.times", "R1, R2, … stand for the source roots listed above; times are shown to the second; the listings hold every full source and exact time.", "R1、R2 などは上記の取得元のルートを表し、時刻は秒単位で表示しています。完全な取得元と正確な時刻は一覧ファイルにあります。"),
    ("group.merged", "all", "すべて"),
    ("group.loose", "outside AWSLogs", "AWSLogs 外"),
    ("period.acquired", "*", "*"),
    ("col.root", "Root", "ルート"),
    ("col.log_type", "Log type", "ログ種別"),
    ("col.account", "Account", "アカウント"),
    ("col.period", "Day or period", "日付・期間"),
    ("col.objects", "Objects", "オブジェクト数"),
    ("col.bytes", "Bytes", "バイト数"),
    ("col.first_acquired", "First acquired (UTC)", "最初の取得 (UTC)"),
    ("col.last_acquired", "Last acquired (UTC)", "最後の取得 (UTC)"),
    ("col.group_sha256", "SHA-256 of its manifest lines", "マニフェスト行の SHA-256"),
    ("logtype.cloudtrail", "CloudTrail", "CloudTrail"),
    ("logtype.digest", "CloudTrail-Digest", "CloudTrail-Digest"),
    ("logtype.aws_api", "AWS API", "AWS API"),
    ("logtype.other", "other", "その他"),
    ("grain.day", "day (root, log type, account, region, day)", "日 (ルート・ログ種別・アカウント・リージョン・日)"),
    ("grain.day_loose", "day, folders of files outside AWSLogs trees merged (root, log type, account, region, day)", "日・AWSLogs 外のファイルのフォルダを統合 (ルート・ログ種別・アカウント・リージョン・日)"),
    ("grain.month", "month (root, log type, account, region, month)", "月 (ルート・ログ種別・アカウント・リージョン・月)"),
    ("grain.no_region", "month, regions merged (root, log type, account, month)", "月・リージョン統合 (ルート・ログ種別・アカウント・月)"),
    ("grain.no_account", "month, regions and accounts merged (root, log type, month)", "月・リージョンとアカウント統合 (ルート・ログ種別・月)"),
    ("grain.year", "year (root, log type, year)", "年 (ルート・ログ種別・年)"),
    ("grain.whole", "whole period (root, log type)", "全期間 (ルート・ログ種別)"),
    ("grain.type_only", "log type only (all roots together)", "ログ種別のみ (全ルート統合)"),
    ("objects.too_many", "This case holds {0} (object, source) pairs: too many to print one by one (this record lists them when there are at most {1}). Every pair is in the listings above.", "この事案には (オブジェクト, 取得元) の組が {0} 件あり、1 件ずつ印刷するには多すぎます (この記録で個別に記載するのは {1} 件以下の場合です)。すべての組は上記の一覧ファイルに記載しています。"),
    ("trusted", "Trusted timestamps", "信頼できるタイムスタンプ"),
    ("trusted.none", "No trusted timestamp recorded; acquisition times are the examiner's system clock. An RFC 3161 time-stamp over the custody chain head is made with `cloudcase timestamp --case DIR --tsa URL`.", "信頼できるタイムスタンプは記録されていません。取得日時は調査担当者のシステム時計によるものです。保管記録チェーンの先頭に対する RFC 3161 タイムスタンプは `cloudcase timestamp --case DIR --tsa URL` で取得できます。"),
    ("trusted.intro", "Each RFC 3161 token below is a Time-Stamp Authority's signed statement that the custody log up to the entry it covers, and so the evidence recorded by that entry and those before it, existed at its genTime (the TSA's clock, not the examiner's). genTime is as read when the token was stored; `cloudcase verify --case DIR --tsa-cert ROOT.pem` checks each token offline: status, imprint of the covered chain head, nonce, signature, certificate chain and purpose.", "以下の各 RFC 3161 トークンは、時刻認証局 (TSA) が署名した証明であり、対象エントリまでの保管記録 (したがってそのエントリ以前に記録された証拠) がその genTime (調査担当者ではなく TSA の時計) に存在していたことを示します。genTime はトークン保存時に読み取った値です。各トークンは `cloudcase verify --case DIR --tsa-cert ROOT.pem` によりオフラインで検証できます (ステータス、対象チェーン先頭のインプリント、ナンス、署名、証明書チェーンと用途)。"),
    ("trusted.more", "The {0} most recent of {1} tokens are listed; custody.jsonl holds all.", "トークン {1} 件のうち、新しい {0} 件を記載しています。すべては custody.jsonl にあります。"),
    ("col.gen_time", "genTime (TSA, UTC)", "genTime (TSA, UTC)"),
    ("col.covers", "Covers entry", "対象エントリ"),
    ("col.head", "Chain head covered", "対象のチェーン先頭"),
    ("col.serial", "Serial", "シリアル番号"),
    ("col.token", "Token file", "トークンファイル"),
    ("col.tsa", "Obtained from", "取得元"),
    ("analysis.more", "The {0} most recent of {1} recorded results are listed; custody.jsonl holds all.", "記録された結果 {1} 件のうち、新しい {0} 件を記載しています。すべては custody.jsonl にあります。"),
    ("custody.by_action", "Entries by action", "操作別の件数"),
    ("custody.more_actions", "{0} further action(s) are counted in custody.jsonl only.", "ほか {0} 種類の操作は custody.jsonl のみに記録されています。"),
    ("custody.others", "Entries other than acquisitions", "取得以外のエントリ"),
    ("custody.others.text", "Each (object, source) pair acquired has its own `acquired` entry: they are counted above and their objects are in the listings. The other entries follow, oldest first.", "取得した (オブジェクト, 取得元) の組ごとに `acquired` エントリがあります。その件数は上記のとおりで、対象のオブジェクトは一覧ファイルに記載しています。以下はそれ以外のエントリで、古い順です。"),
    ("custody.left_out", "The {0} oldest of these entries are left out here; custody.jsonl holds all {1} entries.", "これらのうち古い {0} 件はここでは省略しています。custody.jsonl にすべて ({1} 件) が記録されています。"),
    ("custody.unreadable", "Lines that are not custody entries / bytes of an incomplete final line (run `cloudcase verify --case DIR`)", "保管記録として読めない行 / 不完全な最終行のバイト数 (`cloudcase verify --case DIR` を実行してください)"),
    ("col.count", "Entries", "件数"),
    ("col.first_seq", "First seq.", "最初の連番"),
    ("col.last_seq", "Last seq.", "最後の連番"),
    ("report.version", "Version", "版"),
    ("report.as_of", "As of (UTC)", "基準日時 (UTC)"),
    ("report.basis", "Scope result relied on", "依拠した範囲特定 (scope) の結果"),
    ("report.hunt_basis", "Hunt result relied on", "依拠した脅威ハンティング (hunt) の結果"),
    ("report.no_scope", "none recorded", "記録なし"),
    ("report.no_scope.text", "No scope result is recorded in this case as of {0}, so this report cannot state what happened. Record one with `{1}` and produce the report again.", "{0} 時点で、この事案には範囲特定 (scope) の結果が記録されていないため、この報告書では何が起きたかを記載できません。`{1}` で結果を記録してから、報告書を再作成してください。"),
    ("report.no_hunt", "No hunt result is recorded in this case. Record one with `{0}`.", "この事案には脅威ハンティング (hunt) の結果が記録されていません。`{0}` で記録してください。"),
    ("report.no_hunt.short", "none recorded", "記録なし"),
    ("exec.title", "Executive summary", "経営層向け報告書 (エグゼクティブサマリー)"),
    ("exec.what_happened", "What happened", "何が起きたか"),
    ("exec.story.key", "The access key {0} was used by someone other than its owner from {1} on, from {2} network address(es) it had never used before.", "アクセスキー {0} が、{1} 以降、それまで使われたことのない {2} 件の送信元 IP アドレスから、正規の利用者以外によって使用されました。"),
    ("exec.story.created", "With it, the attacker created {0} IAM user(s), {1} access key(s) and {2} role(s) to keep access.", "攻撃者はこの認証情報を使い、アクセスを維持するために IAM ユーザー {0} 件、アクセスキー {1} 件、ロール {2} 件を作成しました。"),
    ("exec.story.instances", "The attacker launched {0} EC2 instance(s) in {1}; their estimated cost is USD {2}.", "攻撃者は {1} で EC2 インスタンスを {0} 台起動しました。推定費用は {2} 米ドルです。"),
    ("exec.known", "What is known", "分かったこと"),
    ("exec.known.note", "Only facts shown by the log records are listed here; each is traceable in the technical report.", "ここにはログ記録で確認できた事実のみを記載しています。各事実は技術報告書で根拠の記録までたどれます。"),
    ("exec.compromised", "Compromised access key", "漏えいしたアクセスキー"),
    ("exec.compromised_user", "Its identity", "キーの所有者 (IAM)"),
    ("exec.first_event", "First attacker event (UTC)", "攻撃者の最初の操作 (UTC)"),
    ("exec.last_event", "Last attacker event (UTC)", "攻撃者の最後の操作 (UTC)"),
    ("exec.sources", "Attacker source addresses", "攻撃者の送信元 IP アドレス"),
    ("exec.identities", "Identities the attacker created", "攻撃者が作成した ID"),
    ("exec.identities.none", "No attacker-created identities were found in the logs.", "攻撃者が作成した ID はログ上見つかりませんでした。"),
    ("exec.unknown", "What is not yet known", "まだ分からないこと"),
    ("exec.unknown.store", "Whether data in {0} {1} was read", "{0} {1} のデータが読み取られたか"),
    ("exec.unknown.store_resolve", "Logging that records reads of this store for the attack window", "攻撃期間におけるこのストアの読み取りを記録するログ"),
    ("exec.unknown.none", "No open questions were recorded by the analysis.", "分析で記録された未解明事項はありません。"),
    ("exec.impact", "Business impact", "事業への影響"),
    ("exec.cost", "Estimated cost of attacker resources", "攻撃者が作成したリソースの推定費用"),
    ("exec.cost.lower_bound", " (lower bound: some instance types have no price in the table)", " (下限値: 価格表にないインスタンスタイプがあります)"),
    ("exec.instances", "Attacker instances", "攻撃者のインスタンス"),
    ("exec.instances.value", "{0} launched, {1} still running at the end of the logs", "起動 {0} 台、ログ終了時点で稼働中 {1} 台"),
    ("exec.service", "Service impact", "サービスへの影響"),
    ("exec.service.value", "None shown by the logs (the attacker's resources ran in addition to the company's own); confirm with the service owners.", "ログ上は確認されていません (攻撃者のリソースは自社のリソースとは別に稼働)。サービス担当者に確認してください。"),
    ("exec.done", "What was done", "実施した対応"),
    ("exec.done.none", "No responder actions are visible in the logs yet.", "ログ上、対応者による操作はまだ確認されていません。"),
    ("exec.containment", "A containment plan of {0} step(s) has been prepared (see the technical report).", "{0} 段階の封じ込め計画を作成済みです (技術報告書を参照)。"),
    ("exec.decisions", "Decisions needed now", "次の判断が必要な事項"),
    ("exec.notify", "Customer notification", "顧客への通知"),
    ("exec.notify.text", "Decide whether customers must be told. Stores whose data may have been read (accessed or not yet known): {0}.", "顧客への通知の要否を判断してください。データが読み取られた可能性のあるストア (アクセスあり、または不明): {0}"),
    ("exec.appi", "Report to the Personal Information Protection Commission (APPI)", "個人情報保護委員会への報告 (個人情報保護法)"),
    ("exec.appi.text", "Under Japan's APPI, a leak or possible leak of personal data can require a preliminary report to the PPC promptly (about 3–5 days) and a final report within 30 days (60 days for leaks through unauthorized access), and notice to the people concerned. Check these facts:", "個人情報保護法では、個人データの漏えい等 (そのおそれを含む) が一定の場合に該当すると、個人情報保護委員会への速報 (おおむね 3〜5 日以内) と確報 (30 日以内、不正の目的によるおそれがある場合は 60 日以内)、本人への通知が必要になります。次の事実を確認してください。"),
    ("appi.1", "Does any store marked accessed or not yet known hold personal data (of customers, employees or others)?", "アクセスあり、または不明とされたストアに個人データ (顧客・従業員等) が含まれているか"),
    ("appi.2", "Does it include special-care personal data (health, criminal record and the like)?", "要配慮個人情報 (病歴・犯罪歴等) が含まれているか"),
    ("appi.3", "Could misuse cause financial harm (credit card numbers, bank or login credentials)?", "財産的被害が生じるおそれのあるデータ (クレジットカード番号、口座情報、認証情報等) が含まれているか"),
    ("appi.4", "Was it (possibly) obtained with an unauthorized purpose, such as this unauthorized access?", "不正アクセス等、不正の目的によって漏えい等が発生した (おそれがある) か"),
    ("appi.5", "Does it concern more than 1,000 individuals?", "本人の数が 1,000 人を超えるか"),
    ("exec.not_legal_advice", "These are the trigger conditions as facts to check, not legal advice: confirm the obligations with counsel.", "以上は確認すべき事実としての報告要件であり、法的助言ではありません。義務の有無は弁護士に確認してください。"),
    ("exec.next", "Next steps", "今後の対応"),
    ("next.contain", "Carry out the reviewed containment plan (revoke the compromised and attacker keys, remove the attacker's identities and instances), preserving evidence first.", "証拠を保全したうえで、確認済みの封じ込め計画を実施する (漏えいキーと攻撃者のキーの無効化、攻撃者の ID とインスタンスの削除)。"),
    ("next.data_events", "Collect S3 data events or server access logs for the stores not yet known, and record the scope again.", "まだ分からないストアについて、S3 データイベントまたはサーバーアクセスログを収集し、範囲特定を再実行する。"),
    ("next.validate", "Validate the CloudTrail logs against their digests (`cloudcase trail validate`).", "CloudTrail ログをダイジェストで検証する (`cloudcase trail validate`)。"),
    ("next.update", "Issue the next version of this summary when new facts are recorded.", "新しい事実が記録されたら、この報告書の次の版を発行する。"),
    ("exec.changes", "Changes since the previous version", "前版からの変更点"),
    ("exec.changes.first", "This is the first version.", "これは第 1 版です。"),
    ("exec.changes.since", "Compared with version {0} (as of {1}):", "第 {0} 版 ({1} 時点) との比較:"),
    ("exec.changes.none", "No stated fact changed.", "記載した事実に変更はありません。"),
    ("exec.more", "… and {0} more — see the technical report", "… ほか {0} 件 (技術報告書を参照)"),
    ("exec.none", "none", "なし"),
    ("change.added", "new", "追加"),
    ("change.removed", "removed", "削除"),
    ("change.changed", "changed", "変更"),
    ("fact.compromised", "Compromised credential", "漏えいした認証情報"),
    ("fact.identities", "Attacker identity", "攻撃者の ID"),
    ("fact.instances", "Attacker instance", "攻撃者のインスタンス"),
    ("fact.unknowns", "Open question", "未解明事項"),
    ("fact.cost", "Cost (USD)", "費用 (米ドル)"),
    ("fact.verdicts", "Data verdict", "データアクセス判定"),
    ("kind.user", "IAM user", "IAM ユーザー"),
    ("kind.access_key", "Access key", "アクセスキー"),
    ("kind.role", "IAM role", "IAM ロール"),
    ("store.s3_bucket", "S3 bucket", "S3 バケット"),
    ("store.secret", "secret", "シークレット"),
    ("store.ssm_parameter", "SSM parameter", "SSM パラメータ"),
    ("store.snapshot_share", "snapshot", "スナップショット"),
    ("store.ami_share", "AMI", "AMI"),
    ("store.dynamodb_table", "DynamoDB table", "DynamoDB テーブル"),
    ("store.rds_instance", "RDS database", "RDS データベース"),
    ("store.rds_snapshot", "RDS snapshot", "RDS スナップショット"),
    ("store.kms_key", "KMS key", "KMS キー"),
    ("exec.verdicts", "Data-access verdicts", "データアクセスの判定"),
    ("exec.verdicts.value", "{0} accessed, {1} not observed (logging covered them), {2} not yet known", "アクセスあり {0} 件、アクセスは確認されず (記録対象期間内) {1} 件、まだ分からない {2} 件"),
    ("verdict.accessed", "accessed", "アクセスあり"),
    ("verdict.not_observed", "not observed (logging covered it)", "アクセスは確認されず (記録対象期間内)"),
    ("verdict.unknown", "not yet known (no logging could show it)", "まだ分からない (記録するログがない)"),
    ("confidence.accessed", "confirmed by log records", "ログ記録で確認"),
    ("confidence.not_observed", "high: the logging that records reads covered the window", "高: 読み取りを記録するログが期間を網羅"),
    ("confidence.unknown", "none: the logs cannot show reads", "判定不能: ログから読み取りを確認できない"),
    ("tech.title", "Technical forensic report", "技術調査報告書 (フォレンジック報告書)"),
    ("tech.intrusion", "Intrusion path", "侵入経路"),
    ("tech.subject", "Starting indicator", "調査の起点"),
    ("tech.method", "How the first attacker event was found", "最初の攻撃者操作の判定方法"),
    ("tech.rule", "Rule", "判定規則"),
    ("tech.client", "Attacker client family", "攻撃者のクライアント種別"),
    ("tech.sources", "Attacker sources", "攻撃者の送信元"),
    ("tech.timeline", "Timeline of key events", "主要イベントのタイムライン"),
    ("tech.timeline.capped", "The first {0} of {1} key events are shown.", "主要イベント {1} 件のうち最初の {0} 件を表示しています。"),
    ("tech.activity", "Activity over time", "時間ごとの活動量"),
    ("chart.by_region", "Events by region (attacker vs. others)", "リージョン別イベント数 (攻撃者とその他)"),
    ("chart.by_identity", "Events by identity", "ID 別イベント数"),
    ("chart.attacker", "attacker", "攻撃者"),
    ("chart.other", "others", "その他"),
    ("tech.graph", "Identity graph", "ID の関係図"),
    ("rel.created_user", "created user", "ユーザーを作成"),
    ("rel.policy", "was given policy", "ポリシーを付与"),
    ("rel.key", "has access key", "アクセスキーを保有"),
    ("rel.role", "created or backdoored role", "ロールを作成・改変"),
    ("rel.trusts", "trusts", "信頼先"),
    ("rel.assumed", "assumed role", "ロールを引き受け"),
    ("tech.resources", "Resource inventory", "リソース一覧"),
    ("tech.permissions", "Permission changes", "権限の変更"),
    ("tech.data", "Data access verdicts and coverage", "データアクセスの判定と記録範囲"),
    ("tech.coverage", "Logs cover {0} to {1}; {2} gap(s) of more than 6 hours without any event.", "ログの範囲は {0} から {1} まで。6 時間を超えてイベントがない空白が {2} 箇所あります。"),
    ("tech.findings", "Hunt findings by ATT&CK tactic", "ATT&CK 戦術別の検知結果"),
    ("tech.findings.basis", "From {0} (SHA-256 {1}): {2} finding(s).", "{0} (SHA-256 {1}) より: 検知 {2} 件。"),
    ("tech.no_tactic", "No tactic", "戦術なし"),
    ("tech.integrity", "Log integrity", "ログの完全性"),
    ("tech.containment", "Containment plan", "封じ込め計画"),
    ("tech.containment.none", "No containment plan was produced.", "封じ込め計画は作成されていません。"),
    ("tech.appendix", "Appendix: raw-record references", "付録: 根拠となるログ記録"),
    ("event.first", "First attacker event", "攻撃者の最初の操作"),
    ("event.user", "User created", "ユーザー作成"),
    ("event.key", "Access key created", "アクセスキー作成"),
    ("event.role", "Role created or changed", "ロール作成・変更"),
    ("event.session", "Role session", "ロールのセッション"),
    ("event.resource", "Resource created", "リソース作成"),
    ("event.permission", "Permission change", "権限変更"),
    ("event.responder", "Responder action", "対応者の操作"),
    ("col.kind", "Kind", "種別"),
    ("col.name", "Name", "名前"),
    ("col.created", "Created (UTC)", "作成日時 (UTC)"),
    ("col.store", "Store", "ストア"),
    ("col.store_kind", "Store kind", "ストアの種類"),
    ("col.verdict", "Verdict", "判定"),
    ("col.confidence", "Confidence", "確度"),
    ("col.question", "Question", "未解明の事項"),
    ("col.would_resolve", "What would resolve it", "解明に必要なもの"),
    ("col.why", "Why", "理由"),
    ("col.fact_to_check", "Fact to check", "確認すべき事実"),
    ("col.step", "Step", "対応"),
    ("col.change", "Change", "変更"),
    ("col.fact", "Fact", "事実"),
    ("col.value", "Value", "値"),
    ("col.ref", "Record", "根拠"),
    ("col.ip", "Source IP", "送信元 IP"),
    ("col.first", "First (UTC)", "初回 (UTC)"),
    ("col.last", "Last (UTC)", "最終 (UTC)"),
    ("col.events", "Events", "イベント数"),
    ("col.user_agent", "User agents", "ユーザーエージェント"),
    ("col.what", "What", "内容"),
    ("col.from", "From", "主体"),
    ("col.relation", "Relation", "関係"),
    ("col.to", "To", "対象"),
    ("col.instance", "Instance", "インスタンス"),
    ("col.region", "Region", "リージョン"),
    ("col.type", "Type", "タイプ"),
    ("col.launched", "Launched (UTC)", "起動日時 (UTC)"),
    ("col.ended", "Stopped or terminated (UTC)", "停止・終了日時 (UTC)"),
    ("col.exists", "Running at end of logs", "ログ終了時に稼働中"),
    ("col.event", "Event", "イベント"),
    ("col.target", "Target", "対象"),
    ("col.attribution", "Attribution", "実施者の区分"),
    ("col.by", "By", "実行者"),
    ("col.error", "Error", "エラー"),
    ("col.basis", "Basis", "根拠"),
    ("col.coverage", "Data events in window", "期間内のデータイベント数"),
    ("col.level", "Level", "重大度"),
    ("col.rule", "Rule", "ルール"),
    ("col.principal", "Principal", "プリンシパル"),
    ("col.phase", "Phase", "段階"),
    ("col.reversible", "Reversible", "元に戻せる"),
    ("col.destroys", "Loses evidence", "証拠が失われる"),
    ("col.residual", "Residual risks", "残存リスク"),
    ("col.file", "File", "ファイル"),
    ("col.record", "Record index", "レコード番号"),
    ("col.event_id", "Event ID", "イベント ID"),
    ("analysis", "Analysis results the reports relied on", "報告書が依拠した分析結果"),
    ("analysis.none", "No analysis result is recorded yet (`cloudcase scope --case DIR …`, `cloudcase hunt --case DIR`).", "分析結果はまだ記録されていません (`cloudcase scope --case DIR …`、`cloudcase hunt --case DIR`)。"),
    ("col.output", "Result file", "結果ファイル"),
    ("col.command", "Command run", "実行したコマンド"),
    ("col.tool", "Tool", "ツール"),
    ("reports", "Reports produced", "作成した報告書"),
    ("col.format", "Format", "形式"),
    ("col.lang", "Language", "言語"),
    ("exec.story.noun.access_key", "The access key {0}", "アクセスキー {0}"),
    ("exec.story.noun.identity", "The identity {0}", "ID {0}"),
    ("exec.story.noun.ip", "The identity seen from {0}", "{0} から使われた ID"),
    ("exec.story.used", "{0} was used by someone other than its owner from {1} on, from {2} source address(es).", "{0} が、{1} 以降、{2} 件の送信元 IP アドレスから、正規の利用者以外によって使用されました。"),
    ("exec.story.used.low", "{0} may have been used by someone other than its owner from {1} on, from {2} source address(es).", "{0} が、{1} 以降、{2} 件の送信元 IP アドレスから、正規の利用者以外によって使用された可能性があります。"),
    ("exec.story.named", "No intrusion was established for the named credential {0}: nothing departs from its history. Why: {1}.", "指定された認証情報 {0} について、侵入は確認されませんでした (それまでの利用状況から逸脱する操作はありません)。理由: {1}。"),
    ("exec.story.named.none", "No intrusion was established: {0}. Nothing is attributed to an attacker.", "侵入は確認されませんでした: {0}。攻撃者によるものと判定された操作はありません。"),
    ("exec.story.named.activity", "This summary lists what that credential itself did over the whole input ({0} event(s) from {1} to {2}); none of it is attributed to an attacker.", "この報告書には、入力全体でこの認証情報自身が行った操作 ({1} から {2} までの {0} 件) を記載しています。いずれも攻撃者によるものとは判定されていません。"),
    ("exec.story.created.named", "The named credential created {0} IAM user(s), {1} access key(s) and {2} role(s).", "この認証情報は IAM ユーザー {0} 件、アクセスキー {1} 件、ロール {2} 件を作成しました。"),
    ("exec.story.instances.named", "It launched {0} EC2 instance(s) in {1}; their estimated cost is USD {2}.", "この認証情報は {1} で EC2 インスタンスを {0} 台起動しました。推定費用は {2} 米ドルです。"),
    ("exec.story.confidence.high", "The logs support this with high confidence.", "この判断はログから高い確度で裏付けられています。"),
    ("exec.story.confidence.medium", "The logs support this with medium confidence: the signals agree, but none is conclusive on its own.", "この判断の確度は中程度です。複数の兆候が一致していますが、単独で決定的なものはありません。"),
    ("exec.story.confidence.low", "The logs support this with low confidence only: the activity could still be the owner's own.", "この判断の確度は低く、正規の利用者自身の操作である可能性が残っています。"),
    ("exec.story.signals", "Strongest evidence: {0}.", "主な根拠: {0}。"),
    ("exec.story.signals.next", "Next strongest: {0}.", "次に強い根拠: {0}。"),
    ("exec.confidence", "How sure the finding is", "判断の確度"),
    ("exec.confidence.high", "high", "高"),
    ("exec.confidence.medium", "medium", "中"),
    ("exec.confidence.low", "low: the activity could still be the owner's own", "低 (正規の利用者自身の操作である可能性あり)"),
    ("exec.confidence.low.short", "low", "低"),
    ("exec.compromised.identity", "Compromised identity", "侵害された ID"),
    ("exec.compromised.named", "Named credential", "指定された認証情報"),
    ("exec.finding", "Finding", "判断"),
    ("exec.finding.named", "No intrusion established: nothing departs from the credential's history", "侵入は確認されず (利用状況から逸脱する操作なし)"),
    ("exec.first_event.named", "First event of the named credential (UTC)", "指定された認証情報の最初の操作 (UTC)"),
    ("exec.last_event.named", "Last event of the named credential (UTC)", "指定された認証情報の最後の操作 (UTC)"),
    ("exec.sources.named", "Source addresses of the named credential", "指定された認証情報の送信元 IP アドレス"),
    ("exec.identities.named", "Identities the named credential created (not attributed to an attacker)", "指定された認証情報が作成した ID (攻撃者によるものとは判定されていません)"),
    ("exec.identities.none.named", "The logs show no identity created by the named credential.", "指定された認証情報が作成した ID はログ上見つかりませんでした。"),
    ("exec.unknown.misuse", "Whether the named credential was misused: no departure from its history was found, but that is not proof that it was not misused", "指定された認証情報が不正利用されたか: 利用状況からの逸脱は見つかりませんでしたが、それは不正利用がなかったことの証明にはなりません"),
    ("exec.unknown.misuse_resolve", "Review the listed activity with the credential's owner; scope again from another indicator or with earlier logs", "記載した操作を認証情報の所有者と確認する。別の指標から、または過去のログを加えて範囲特定を再実行する"),
    ("exec.unknown.low", "Whether the activity is the attacker's and not the owner's: the finding rests on low-confidence signals", "この操作が正規の利用者ではなく攻撃者によるものか: 判断は確度の低い兆候に基づいています"),
    ("exec.unknown.low_resolve", "Confirm with the credential's owner which of the activity was theirs; logs from before the activity would give a baseline", "どの操作が本人によるものかを認証情報の所有者に確認する。活動以前のログがあれば比較の基準になる"),
    ("exec.unknown.store_resolve.named", "Logging that records reads of this store for the period of the activity", "活動期間におけるこのストアの読み取りを記録するログ"),
    ("exec.cost.named", "Estimated cost of the instances the named credential launched", "指定された認証情報が起動したインスタンスの推定費用"),
    ("exec.instances.named", "Instances the named credential launched", "指定された認証情報が起動したインスタンス"),
    ("exec.service.value.named", "None shown by the logs; confirm with the service owners.", "ログ上は確認されていません。サービス担当者に確認してください。"),
    ("exec.containment.named", "A containment plan of {0} step(s) has been prepared, for use if the activity proves to be misuse (see the technical report).", "{0} 段階の封じ込め計画を作成済みです。操作が不正利用と判明した場合に使用します (技術報告書を参照)。"),
    ("appi.4.named", "Was it (possibly) obtained with an unauthorized purpose, such as unauthorized access?", "不正アクセス等、不正の目的によって漏えい等が発生した (おそれがある) か"),
    ("next.contain.named", "Review the listed activity with the owner of the named credential; if any of it is not theirs, carry out the reviewed containment plan, preserving evidence first.", "記載した操作を指定された認証情報の所有者と確認し、本人によらない操作があれば、証拠を保全したうえで確認済みの封じ込め計画を実施する。"),
    ("fact.compromised.named", "Named credential", "指定された認証情報"),
    ("fact.identities.named", "Identity it created", "作成された ID"),
    ("fact.instances.named", "Instance it launched", "起動されたインスタンス"),
    ("fact.attribution", "Whose activity is listed", "記載した操作の主体"),
    ("fact.confidence", "How sure the finding is", "判断の確度"),
    ("tech.intrusion.named", "Intrusion: none established", "侵入経路: 侵入は確認されず"),
    ("tech.named.note", "No intrusion was established for the named credential. The sections below list its own activity over the whole input, not attributed to an attacker. The absence of a departure is not proof that it was not misused.", "指定された認証情報について、侵入は確認されませんでした。以下の各節には、入力全体でのこの認証情報自身の操作を記載しており、攻撃者によるものとは判定されていません。逸脱が見つからないことは、不正利用がなかったことの証明にはなりません。"),
    ("tech.named.section", "{0}: activity of the named credential (not attributed to an attacker)", "{0}: 指定された認証情報の操作 (攻撃者によるものとは判定されていません)"),
    ("tech.sources.named", "Sources", "送信元"),
    ("tech.events", "Events of the named credential", "指定された認証情報のイベント数"),
    ("tech.method.meaning", "What the method means", "判定方法の意味"),
    ("intrusion.method.network", "A network the credential had never used: its first event from there is the first attacker event.", "認証情報がそれまで使われたことのないネットワーク: そこからの最初の操作を攻撃者の最初の操作としています。"),
    ("intrusion.method.client_family", "A client (tool or operating system) the credential had never used, for an owner who moves between networks.", "複数のネットワークを使い分ける利用者について、それまで使われたことのないクライアント (ツールまたは OS)。"),
    ("intrusion.method.indicator", "The address range given as the indicator: its first event is the first attacker event.", "指標として与えられたアドレス範囲: その最初の操作を攻撃者の最初の操作としています。"),
    ("intrusion.method.behaviour", "The logs begin too close to the activity for a baseline; judged by what was done.", "ログの開始が活動に近すぎて比較の基準がないため、行われた操作の内容で判断しました。"),
    ("intrusion.method.credential_misuse", "A credential used against its nature: a compute credential used away from its compute, one session key from two networks, console sign-in failures then a success, or MFA gone.", "認証情報の性質に反する使われ方: コンピュート用の認証情報がそのコンピュートの外で使われた、1 つのセッションキーが 2 つのネットワークから使われた、コンソールへのサインイン失敗の後に成功した、MFA が使われなくなった、のいずれか。"),
    ("tech.signals", "Signals behind the finding", "判断の根拠となった兆候"),
    ("tech.signals.note", "Highest weight first. Each weight adds to the score; a negative weight speaks for the owner.", "重みの大きいものから順に記載しています。重みはスコアに加算され、負の重みは正規の利用者による操作であることを示します。"),
    ("tech.signals.none", "The scope result lists no signals for this finding.", "範囲特定の結果には、この判断の兆候は記載されていません。"),
    ("tech.ranking", "Candidates ranked by --auto", "--auto による候補の順位"),
    ("tech.ranking.capped", "The {0} highest-ranked of {1} candidates are shown.", "候補 {1} 件のうち上位 {0} 件を表示しています。"),
    ("col.signal", "Signal", "兆候"),
    ("col.weight", "Weight", "重み"),
    ("col.rank", "Rank", "順位"),
    ("col.score", "Score", "スコア"),
    ("col.first_departure", "First departure (UTC)", "最初の逸脱 (UTC)"),
    ("col.reasons", "Reasons", "根拠"),
    ("event.first.named", "First event of the named credential", "指定された認証情報の最初の操作"),
    ("chart.by_region.named", "Events by region (named credential vs. others)", "リージョン別イベント数 (指定された認証情報とその他)"),
    ("chart.attacker.named", "named credential", "指定された認証情報"),
    ("attr.named", "named credential", "指定された認証情報"),
    ("amount.bytes", "{0} bytes ({1})", "{0} バイト ({1})"),
    ("amount.bytes.small", "{0} bytes", "{0} バイト"),
    ("span.whole", "the whole attacker window", "攻撃期間の全体"),
    ("span.whole.named", "the whole window", "対象期間の全体"),
    ("span.partial", "only part of the attacker window", "攻撃期間の一部のみ"),
    ("span.partial.named", "only part of the window", "対象期間の一部のみ"),
    ("span.none", "none of the attacker window", "攻撃期間を含まない"),
    ("span.none.named", "none of the window", "対象期間を含まない"),
    ("match.attacker_identity", "an attacker identity", "攻撃者の ID"),
    ("match.attacker_identity.named", "an identity the named credential created or used", "指定された認証情報が作成または使用した ID"),
    ("match.compromised_principal", "the compromised principal, from a new address", "侵害されたプリンシパル (新しい送信元から)"),
    ("match.compromised_principal.named", "the named principal, from a new address", "指定されたプリンシパル (新しい送信元から)"),
    ("match.attacker_address", "an attacker address", "攻撃者の送信元 IP アドレス"),
    ("match.attacker_address.named", "an address the named credential used", "指定された認証情報が使用した IP アドレス"),
    ("s3log.anonymous", "anonymous", "匿名"),
    ("s3log.none", "The inputs hold no S3 server access logs of these buckets: their verdicts rest on CloudTrail alone. Server access logs of the buckets for the window would record every request.", "入力にはこれらのバケットの S3 サーバーアクセスログがないため、判定は CloudTrail のみに基づいています。対象期間のバケットのサーバーアクセスログがあれば、すべてのリクエストが記録されています。"),
    ("s3log.title", "S3 server access logs behind the bucket verdicts", "バケットの判定の根拠となった S3 サーバーアクセスログ"),
    ("s3log.partial", "{0}: the server access logs span {1}, so its verdict covers that part only.", "{0}: サーバーアクセスログの範囲は{1}であるため、判定はその範囲についてのみ有効です。"),
    ("s3log.lines", "{0} of {1}", "{1} 行中 {0} 行"),
    ("s3log.files.more", "… and {0} more file(s)", "… ほか {0} ファイル"),
    ("s3log.no_reads", "The server access logs show no read by the attacker.", "サーバーアクセスログに攻撃者による読み取りはありません。"),
    ("s3log.no_reads.named", "The server access logs show no read by the named credential's identities or addresses.", "サーバーアクセスログに、指定された認証情報の ID または IP アドレスによる読み取りはありません。"),
    ("s3log.reads", "Reads by the attacker in the server access logs", "サーバーアクセスログに記録された攻撃者による読み取り"),
    ("s3log.reads.named", "Reads by the named credential's identities and addresses in the server access logs", "サーバーアクセスログに記録された、指定された認証情報の ID と IP アドレスによる読み取り"),
    ("s3log.reads.more", "… and {0} more reader(s): the scope result lists all (data_access[].access_log_reads).", "… ほか {0} 件の読み取り元 (すべては範囲特定の結果の data_access[].access_log_reads にあります)。"),
    ("col.log_files", "Log files", "ログファイル数"),
    ("col.log_file", "Log file", "ログファイル"),
    ("col.first_line", "First line (UTC)", "最初の行 (UTC)"),
    ("col.last_line", "Last line (UTC)", "最後の行 (UTC)"),
    ("col.lines_in_window", "Lines in the attacker window", "攻撃期間内の行数"),
    ("col.lines_in_window.named", "Lines in the window", "対象期間内の行数"),
    ("col.window_span", "Span of the attacker window", "攻撃期間の記録範囲"),
    ("col.window_span.named", "Span of the window", "対象期間の記録範囲"),
    ("col.quiet_hours", "Longest time between lines (h)", "行の最大間隔 (時間)"),
    ("col.requester", "Requester", "リクエスト元"),
    ("col.matched", "Why the attacker's", "攻撃者と判断した理由"),
    ("col.matched.named", "Why listed", "記載の理由"),
    ("col.requests", "Read requests", "読み取りリクエスト数"),
    ("col.operations", "Operations", "操作"),
    ("col.objects_read", "Objects read", "読み取られたオブジェクト数"),
    ("col.keys", "First keys read", "最初に読み取られたキー"),
    ("col.bytes_sent", "Bytes sent", "送信バイト数"),
    ("tech.network", "Network: VPC flow logs", "ネットワーク: VPC フローログ"),
    ("net.none", "The inputs hold no VPC flow logs: whether data left over the network cannot be told from these logs. VPC flow logs of the account's VPCs for the period would answer.", "入力には VPC フローログがないため、ネットワーク経由でデータが持ち出されたかはこれらのログからは分かりません。対象期間のアカウントの VPC のフローログがあれば判断できます。"),
    ("net.exfil", "Did data leave over the network?", "ネットワーク経由でデータが持ち出されたか"),
    ("exfil.observed", "observed: flow records show bytes sent to attacker addresses", "確認: 攻撃者のアドレスへの送信がフローログに記録されています"),
    ("exfil.observed.named", "observed: flow records show bytes sent to the listed addresses", "確認: 記載したアドレスへの送信がフローログに記録されています"),
    ("exfil.not_observed", "not observed (flow logs covered the window)", "確認されず (フローログが期間を記録)"),
    ("exfil.unknown", "not yet known (no flow record in the window)", "まだ分からない (期間内のフローログなし)"),
    ("net.bytes_to_attacker", "Bytes sent to attacker addresses", "攻撃者のアドレスへの送信量"),
    ("net.bytes_to_attacker.named", "Bytes sent to the listed addresses", "記載したアドレスへの送信量"),
    ("net.coverage", "Flow-log coverage", "フローログの記録範囲"),
    ("flow.coverage", "{0} flow record(s), {1} of them in the attacker window, on {2} interface(s), from {3} to {4}; they span {5}. {6} SKIPDATA record(s) (windows whose records were lost).", "フローログ {0} 件 (うち攻撃期間内 {1} 件)、インターフェース {2} 個、{3} から {4} まで。記録範囲は{5}です。SKIPDATA (記録が失われた時間帯) は {6} 件です。"),
    ("flow.coverage.named", "{0} flow record(s), {1} of them in the window, on {2} interface(s), from {3} to {4}; they span {5}. {6} SKIPDATA record(s) (windows whose records were lost).", "フローログ {0} 件 (うち対象期間内 {1} 件)、インターフェース {2} 個、{3} から {4} まで。記録範囲は{5}です。SKIPDATA (記録が失われた時間帯) は {6} 件です。"),
    ("flow.ungrouped", "{0} record(s) ({1}) of the attacker's interfaces and addresses beyond the groups kept are counted, not attributed to a destination.", "攻撃者のインターフェースとアドレスのフローログのうち、集計の上限を超えた {0} 件 ({1}) は件数のみ数え、宛先には割り当てていません。"),
    ("flow.ungrouped.named", "{0} record(s) ({1}) of the listed interfaces and addresses beyond the groups kept are counted, not attributed to a destination.", "記載したインターフェースとアドレスのフローログのうち、集計の上限を超えた {0} 件 ({1}) は件数のみ数え、宛先には割り当てていません。"),
    ("net.partial", "The flow logs span only part of the attacker window: a verdict other than observed covers that part only.", "フローログは攻撃期間の一部のみを記録しているため、「確認」以外の判定はその範囲についてのみ有効です。"),
    ("net.partial.named", "The flow logs span only part of the window: a verdict other than observed covers that part only.", "フローログは対象期間の一部のみを記録しているため、「確認」以外の判定はその範囲についてのみ有効です。"),
    ("col.destination", "Attacker address", "攻撃者のアドレス"),
    ("col.destination.named", "Address", "アドレス"),
    ("col.interfaces", "Interfaces", "インターフェース"),
    ("net.rows.more", "… and {0} more row(s): the scope result lists all (network).", "… ほか {0} 行 (すべては範囲特定の結果の network にあります)。"),
    ("net.instances", "Attacker instances and their flow logs", "攻撃者のインスタンスとフローログ"),
    ("net.instances.named", "Instances the named credential launched and their flow logs", "指定された認証情報が起動したインスタンスとフローログ"),
    ("flowlogs.logged", "logged", "記録あり"),
    ("flowlogs.unknown", "not logged: what it sent is not known", "記録なし (送信内容は不明)"),
    ("col.flow_logs", "Flow logs", "フローログ"),
    ("col.records", "Flow records", "フローログ件数"),
    ("col.skipdata", "SKIPDATA windows", "SKIPDATA の時間帯"),
    ("col.bytes_out", "Bytes out", "送信バイト数"),
    ("col.bytes_in", "Bytes in", "受信バイト数"),
    ("col.remotes", "Remote addresses", "通信先アドレス数"),
    ("flow.reason.instance", "attacker instance", "攻撃者のインスタンス"),
    ("flow.reason.instance.named", "instance launched", "起動されたインスタンス"),
    ("flow.reason.address", "attacker address", "攻撃者のアドレス"),
    ("flow.reason.address.named", "listed address", "記載したアドレス"),
    ("net.flows", "Flows per instance and interface", "インスタンス・インターフェースごとの通信"),
    ("net.flows.none", "No flow record of the attacker's instances or addresses is in the inputs.", "入力には、攻撃者のインスタンスまたはアドレスのフローログはありません。"),
    ("net.flows.none.named", "No flow record of the listed instances or addresses is in the inputs.", "入力には、記載したインスタンスまたはアドレスのフローログはありません。"),
    ("net.flows.more", "… and {0} more flow group(s): the scope result lists all (network.flows).", "… ほか {0} 件の通信 (すべては範囲特定の結果の network.flows にあります)。"),
    ("col.interface", "Interface", "インターフェース"),
    ("col.remote", "Remote address", "通信先アドレス"),
    ("col.port", "Port", "ポート"),
    ("col.protocol", "Protocol", "プロトコル"),
    ("col.flow_action", "Action", "許可・拒否"),
    ("col.why_listed", "Why listed", "記載の理由"),
    ("tech.guardduty", "GuardDuty findings", "GuardDuty の検出結果"),
    ("gd.none", "The inputs hold no GuardDuty findings. Findings exported from GuardDuty for the account and its regions would be joined here; their absence says nothing about what happened.", "入力には GuardDuty の検出結果がありません。アカウントと各リージョンの GuardDuty の検出結果をエクスポートすれば、ここで照合します。検出結果がないことは、何も起きなかったことを意味しません。"),
    ("gd.note", "Findings joined to this document by access key, identity, instance, address or bucket. They corroborate what the logs show; they never decide the intrusion or a verdict on their own.", "アクセスキー、ID、インスタンス、アドレス、バケットでこの文書と照合した検出結果です。ログの内容を裏付けるものであり、これだけで侵入や判定を決めることはありません。"),
    ("gd.empty", "No finding in the inputs names anything in this document.", "入力の検出結果に、この文書の内容と一致するものはありません。"),
    ("gd.not_joined", "{0} finding(s) in the inputs join nothing in this document.", "入力のうち {0} 件の検出結果は、この文書のどの内容とも一致しません。"),
    ("gd.more", "… and {0} more finding(s): the scope result lists all (guardduty.findings).", "… ほか {0} 件の検出結果 (すべては範囲特定の結果の guardduty.findings にあります)。"),
    ("severity.low", "low", "低"),
    ("severity.medium", "medium", "中"),
    ("severity.high", "high", "高"),
    ("severity.critical", "critical", "重大"),
    ("join.access_key", "access key", "アクセスキー"),
    ("join.principal", "principal", "プリンシパル"),
    ("join.instance", "instance", "インスタンス"),
    ("join.address", "address", "アドレス"),
    ("join.bucket", "bucket", "バケット"),
    ("col.finding_type", "Finding type", "検出タイプ"),
    ("col.severity", "Severity", "重要度"),
    ("col.title", "Title", "タイトル"),
    ("col.first_seen", "First seen (UTC)", "初回検出 (UTC)"),
    ("col.last_seen", "Last seen (UTC)", "最終検出 (UTC)"),
    ("col.occurrences", "Count", "回数"),
    ("col.archived", "Archived", "アーカイブ済み"),
    ("col.joined_on", "Joined on", "照合の根拠"),
    ("tech.dns", "DNS queries by attacker instances", "攻撃者のインスタンスによる DNS クエリ"),
    ("tech.dns.named", "DNS queries by instances launched", "起動されたインスタンスによる DNS クエリ"),
    ("dns.none", "The inputs hold no Route 53 Resolver query logs: the names the instances looked up are not known. Resolver query logging of the VPCs would answer.", "入力には Route 53 Resolver のクエリログがないため、インスタンスが名前解決したドメイン名は分かりません。VPC の Resolver クエリログがあれば判断できます。"),
    ("dns.coverage", "{0} Resolver query record(s) in the inputs, from {1} to {2}.", "入力には Resolver のクエリログが {0} 件あります ({1} から {2} まで)。"),
    ("dns.empty", "No query by the attacker's instances is in these records.", "これらの記録に、攻撃者のインスタンスによるクエリはありません。"),
    ("dns.empty.named", "No query by the instances launched is in these records.", "これらの記録に、起動されたインスタンスによるクエリはありません。"),
    ("dns.more", "… and {0} more name(s): the scope result lists all (dns.queries).", "… ほか {0} 件のドメイン名 (すべては範囲特定の結果の dns.queries にあります)。"),
    ("col.query_name", "Name queried", "問い合わせた名前"),
    ("col.query_types", "Types", "レコードタイプ"),
    ("col.asked_by", "Asked by", "問い合わせ元"),
    ("col.queries", "Queries", "クエリ数"),
    ("tech.cost", "Cost of attacker resources", "攻撃者のリソースの費用"),
    ("tech.cost.named", "Cost of the instances launched", "起動されたインスタンスの費用"),
    ("cost.billed", "Billed (Cost and Usage Report)", "請求額 (コストと使用状況レポート)"),
    ("cost.period", "Period of the report", "レポートの期間"),
    ("cost.period.value", "{0} to {1}", "{0} から {1} まで"),
    ("cost.covers", "Spans the whole attacker window", "攻撃期間全体を含む"),
    ("cost.covers.named", "Spans the whole window", "対象期間全体を含む"),
    ("cost.estimate", "List-price estimate", "定価による推定"),
    ("cost.estimate.value", "{0} for {1} instance-hour(s)", "{1} インスタンス時間で {0}"),
    ("cost.no_bill", "The inputs hold no Cost and Usage Report: the figure above is a list-price estimate. A Cost and Usage Report export covering the window would give the billed cost.", "入力にはコストと使用状況レポート (CUR) がないため、上記の金額は定価による推定です。対象期間を含む CUR のエクスポートがあれば、実際の請求額が分かります。"),
    ("cost.partial", "The report does not span the whole attacker window: the billed figure is a lower bound.", "レポートは攻撃期間全体を含まないため、請求額は下限値です。"),
    ("cost.partial.named", "The report does not span the whole window: the billed figure is a lower bound.", "レポートは対象期間全体を含まないため、請求額は下限値です。"),
    ("cost.more", "… and {0} more line(s): the scope result lists all (cost.actual.items).", "… ほか {0} 行 (すべては範囲特定の結果の cost.actual.items にあります)。"),
    ("col.resource", "Resource", "リソース"),
    ("col.usage_type", "Usage type", "使用タイプ"),
    ("col.cost", "Cost", "費用"),
    ("col.usage_amount", "Usage amount", "使用量"),
    ("col.line_items", "Line items", "明細行数"),
    ("col.from_time", "From (UTC)", "開始 (UTC)"),
    ("col.to_time", "To (UTC)", "終了 (UTC)"),
    ("exec.q.data", "Was customer data read?", "顧客データは読み取られたか"),
    ("exec.q.network", "Did data leave over the network?", "ネットワーク経由でデータが持ち出されたか"),
    ("col.shown", "What the logs show", "ログで確認できたこと"),
    ("answer.accessed", "the logs show the access (see the technical report)", "ログにアクセスが記録されています (技術報告書を参照)"),
    ("answer.others", "; and {0} other reader(s) (see the technical report)", "。ほか {0} 件の読み取り元があります (技術報告書を参照)"),
    ("answer.read_by", "read by {0} from {1}: {2} object(s), {3} sent, {4} to {5} (S3 server access logs)", "{0} が {1} から読み取り: オブジェクト {2} 件、送信 {3}、{4} から {5} まで (S3 サーバーアクセスログ)"),
    ("answer.read_with_key", "read with access key {0} from {1}: {2} event(s), {3} to {4} (CloudTrail)", "アクセスキー {0} により {1} から読み取り: {2} 件、{3} から {4} まで (CloudTrail)"),
    ("answer.not_observed.s3log", "server access logs span {0} to {1} ({2} line(s) in the attacker window; they span {3}) and show no read by the attacker", "サーバーアクセスログは {0} から {1} まで (攻撃期間内 {2} 行、記録範囲は{3}) で、攻撃者による読み取りはありません"),
    ("answer.not_observed.s3log.named", "server access logs span {0} to {1} ({2} line(s) in the window; they span {3}) and show no read by the named credential's identities or addresses", "サーバーアクセスログは {0} から {1} まで (対象期間内 {2} 行、記録範囲は{3}) で、指定された認証情報の ID または IP アドレスによる読み取りはありません"),
    ("answer.not_observed.data_events", "CloudTrail data events cover the attacker window ({0} in it) and show no read by the attacker", "CloudTrail のデータイベントが攻撃期間を記録しており (期間内 {0} 件)、攻撃者による読み取りはありません"),
    ("answer.not_observed.data_events.named", "CloudTrail data events cover the window ({0} in it) and show no read by the named credential", "CloudTrail のデータイベントが対象期間を記録しており (期間内 {0} 件)、指定された認証情報による読み取りはありません"),
    ("answer.not_observed.management", "read management events of {0} cover the attacker window ({1} in it) and show no read by the attacker", "{0} の読み取り管理イベントが攻撃期間を記録しており (期間内 {1} 件)、攻撃者による読み取りはありません"),
    ("answer.not_observed.management.named", "read management events of {0} cover the window ({1} in it) and show no read by the named credential", "{0} の読み取り管理イベントが対象期間を記録しており (期間内 {1} 件)、指定された認証情報による読み取りはありません"),
    ("answer.exfil.observed", "Yes: VPC flow logs show {0} sent to attacker addresses, the most to {1} ({2} to {3}).", "はい: VPC フローログに、攻撃者のアドレスへの送信 {0} が記録されています。最も多い送信先は {1} です ({2} から {3} まで)。"),
    ("answer.exfil.observed.named", "VPC flow logs show {0} sent to the listed addresses, the most to {1} ({2} to {3}).", "VPC フローログに、記載したアドレスへの送信 {0} が記録されています。最も多い送信先は {1} です ({2} から {3} まで)。"),
    ("answer.exfil.more", " {0} other attacker address(es) received bytes too (see the technical report).", "ほかに {0} 件の攻撃者のアドレスへの送信があります (技術報告書を参照)。"),
    ("answer.exfil.more.named", " {0} other listed address(es) received bytes too (see the technical report).", "ほかに {0} 件の記載したアドレスへの送信があります (技術報告書を参照)。"),
    ("answer.exfil.not_observed", "Not observed: the flow records show no byte sent to attacker addresses. {0}", "確認されず: フローログに攻撃者のアドレスへの送信はありません。{0}"),
    ("answer.exfil.not_observed.named", "Not observed: the flow records show no byte sent to the listed addresses. {0}", "確認されず: フローログに記載したアドレスへの送信はありません。{0}"),
    ("exec.unknown.network", "Whether data left over the network", "ネットワーク経由でデータが持ち出されたか"),
    ("exec.unknown.network_resolve", "VPC flow logs of the attacker's instances and of the interfaces attacker addresses reached, for the attacker window", "攻撃期間における、攻撃者のインスタンスと攻撃者のアドレスが通信したインターフェースの VPC フローログ"),
    ("exec.unknown.network_resolve.named", "VPC flow logs of the account's VPCs for the period of the activity", "活動期間におけるアカウントの VPC のフローログ"),
    ("exec.cost.billed", "Cost of attacker resources, from the bill", "攻撃者のリソースの費用 (請求額)"),
    ("exec.cost.billed.named", "Cost of the instances the named credential launched, from the bill", "指定された認証情報が起動したインスタンスの費用 (請求額)"),
    ("exec.cost.billed.value", "{0} (Cost and Usage Report, {1} to {2}); list-price estimate {3}", "{0} (コストと使用状況レポート、{1} から {2} まで)。定価による推定は {3}"),
    ("exec.cost.billed.partial", " (a lower bound: the report does not span the whole attacker window)", " (下限値: レポートは攻撃期間全体を含みません)"),
    ("exec.cost.billed.partial.named", " (a lower bound: the report does not span the whole window)", " (下限値: レポートは対象期間全体を含みません)"),
    ("exec.story.instances.billed", "The attacker launched {0} EC2 instance(s) in {1}; the bill (Cost and Usage Report, {3} to {4}) shows {2} for them.", "攻撃者は {1} で EC2 インスタンスを {0} 台起動しました。請求額 (コストと使用状況レポート、{3} から {4} まで) は {2} です。"),
    ("exec.story.instances.billed.named", "It launched {0} EC2 instance(s) in {1}; the bill (Cost and Usage Report, {3} to {4}) shows {2} for them.", "この認証情報は {1} で EC2 インスタンスを {0} 台起動しました。請求額 (コストと使用状況レポート、{3} から {4} まで) は {2} です。"),
    ("fact.cost_billed", "Billed cost", "請求額"),
    ("fact.exfiltration", "Data sent over the network", "ネットワーク経由の送信"),
    ("yes", "yes", "はい"),
    ("no", "no", "いいえ"),
];

/// The text of `key` in `lang`; the key itself if it is missing (a bug the
/// tests catch), so a report never fails for want of a translation.
pub fn t(lang: Lang, key: &str) -> &str {
    lookup(lang, key).unwrap_or(key)
}

/// Column titles from message keys.
pub(crate) fn headers(lang: Lang, keys: &[&str]) -> Vec<String> {
    keys.iter().map(|k| t(lang, k).to_owned()).collect()
}

/// The text of `key` in `lang`, if the table (or the runbook's beside it) has it.
fn lookup(lang: Lang, key: &str) -> Option<&'static str> {
    MESSAGES
        .iter()
        .chain(crate::runbook::i18n::MESSAGES)
        .find(|(k, _, _)| *k == key)
        .map(|(_, en, ja)| match lang {
            Lang::En => *en,
            Lang::Ja => *ja,
        })
}

/// Whose activity a report's sections describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Voice {
    /// The attacker's: an intrusion is claimed.
    Attacker,
    /// The named credential's own, not attributed to an attacker (no intrusion established).
    Named,
}

/// [`t`] in `voice`: for [`Voice::Named`], the key's `.named` variant where the table has
/// one, so that nothing claims attacker activity the analysis did not establish.
pub fn tv(lang: Lang, voice: Voice, key: &str) -> &str {
    match voice {
        Voice::Named => lookup(lang, &format!("{key}.named")).unwrap_or_else(|| t(lang, key)),
        Voice::Attacker => t(lang, key),
    }
}

/// [`t`] with `{0}`, `{1}`, … replaced by `args`, in order of the arguments
/// (the two languages may place them differently).
/// One pass, so an argument that itself contains `{1}` is left as it is.
pub fn tf(lang: Lang, key: &str, args: &[&str]) -> String {
    fill(t(lang, key), args)
}

/// [`tv`] with `{0}`, `{1}`, … replaced by `args`, as [`tf`] does.
pub fn tvf(lang: Lang, voice: Voice, key: &str, args: &[&str]) -> String {
    fill(tv(lang, voice, key), args)
}

/// `template` with `{0}`, `{1}`, … replaced by `args`, in one pass.
fn fill(template: &str, args: &[&str]) -> String {
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let after = &rest[open + 1..];
        let arg = after.find('}').and_then(|close| {
            let i: usize = after[..close].parse().ok()?;
            Some((args.get(i)?, close))
        });
        match arg {
            Some((a, close)) => {
                out.push_str(a);
                rest = &after[close + 1..];
            }
            None => {
                out.push('{');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
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
        assert_eq!(
            tv(Lang::En, Voice::Named, "exec.compromised"),
            "Named credential"
        );
        assert_eq!(tv(Lang::En, Voice::Named, "exec.known"), "What is known");
        assert_eq!(
            tv(Lang::En, Voice::Attacker, "exec.compromised"),
            "Compromised access key"
        );
        for (k, en, ja) in MESSAGES.iter().filter(|(k, _, _)| k.ends_with(".named")) {
            let text = format!("{en} {ja}");
            assert!(
                !text.contains("attacker's") && !text.contains("攻撃者が"),
                "{k}"
            );
        }
        assert_eq!(
            tf(Lang::Ja, "exec.changes.since", &["1", "T"]),
            "第 1 版 (T 時点) との比較:"
        );
        assert_eq!(
            tf(Lang::En, "exec.changes.since", &["{1}", "x"]),
            "Compared with version {1} (as of x):"
        );
        for (k, en, ja) in MESSAGES {
            let n = en.matches('{').count();
            assert_eq!(n, ja.matches('{').count(), "{k}: placeholders differ");
        }
        assert_eq!("JA".parse::<Lang>().unwrap(), Lang::Ja);
        assert!("fr".parse::<Lang>().is_err());
    }
}
