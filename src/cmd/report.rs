//! `cloudcase report`: reports produced from a case.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{bail, Context, Result};

use super::time::parse_instant;
use clap::{Args as ClapArgs, ValueEnum};
use cloudcase_evidence::results::{produce_report, ListingFact, NewReport, Recorded, ReliedOn};
use cloudcase_evidence::Case;
use cloudcase_report::chromium::Chromium;
use cloudcase_report::Analysis;
use cloudcase_report::{
    evidence_record, CustodyDigest, EvidenceRecordOptions, ListingInfo, PendingListing,
};
use cloudcase_report::{executive_summary, ExecutiveOptions};
use cloudcase_report::{place, read_index};
use cloudcase_report::{technical_report, TechnicalOptions};
use cloudcase_report::{Document, Format, Lang};
use jiff::Timestamp;

/// Report kinds.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Up to three pages for management: what happened, what is known and not yet known,
    /// impact, what was done, decisions needed now, next steps; versioned.
    Executive,
    /// The forensic report: intrusion path, timeline, charts, identities, resources,
    /// permission changes, data access with coverage, hunt findings, integrity, containment.
    Technical,
    /// The evidence record, a summary that prints in well under 50 A4 pages for any
    /// case: totals, objects per source group (root, log type, account, region, day —
    /// coarser when there are many) with counts, bytes, first and last acquisition and
    /// the SHA-256 of the group's manifest lines; the last verification and log
    /// validation; the analysis results the reports relied on; the custody chain head
    /// and entries per action. Every (object, source) pair goes to the listings written
    /// beside it, `evidence-listing.csv` and `evidence-listing.jsonl`, whose names, rows
    /// and hashes the record and its custody entry state; a case of at most 300 pairs
    /// also lists every object in the record.
    Evidence,
    /// All three.
    All,
}

impl Kind {
    /// The kinds a request stands for.
    fn expand(self) -> &'static [Kind] {
        match self {
            Kind::All => &[Kind::Executive, Kind::Technical, Kind::Evidence],
            Kind::Executive => &[Kind::Executive],
            Kind::Technical => &[Kind::Technical],
            Kind::Evidence => &[Kind::Evidence],
        }
    }

    /// Name in custody details and the report index.
    fn name(self) -> &'static str {
        match self {
            Kind::Executive => "executive",
            Kind::Technical => "technical",
            Kind::Evidence => "evidence",
            Kind::All => "all",
        }
    }

    /// File-name stem of the report.
    fn stem(self) -> &'static str {
        match self {
            Kind::Executive => "executive-summary",
            Kind::Technical => "technical-report",
            Kind::Evidence | Kind::All => "evidence-record",
        }
    }
}

/// An output format: a rendered document, or a PDF printed from its HTML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// Markdown or HTML.
    Doc(Format),
    /// PDF through headless Chromium.
    Pdf,
}

impl OutputFormat {
    fn extension(self) -> &'static str {
        match self {
            OutputFormat::Doc(f) => f.extension(),
            OutputFormat::Pdf => "pdf",
        }
    }
}

/// Write reports of a case into its `reports/` folder (or `--out`), and record each —
/// with the hashes of what it read and wrote — in the custody log. Reports read the
/// latest `scope` and `hunt` results recorded in the case (`scope --case`, `hunt --case`)
/// as of `--as-of`; they never analyse the logs themselves.
#[derive(ClapArgs, Debug)]
pub struct Args {
    /// Report kind (also accepted as --kind).
    #[arg(value_enum, value_name = "KIND")]
    pub kind: Option<Kind>,
    /// Report kind.
    #[arg(long = "kind", value_enum, value_name = "KIND")]
    pub kind_flag: Option<Kind>,
    /// Case folder.
    #[arg(long = "case", value_name = "DIR")]
    pub case: PathBuf,
    /// Language: en or ja.
    #[arg(long, default_value = "en", value_parser = parse_lang)]
    pub lang: Lang,
    /// Format: md, html or pdf (pdf needs Chromium installed; nothing is downloaded).
    #[arg(long, default_value = "html", value_parser = parse_format)]
    pub format: OutputFormat,
    /// Report the case as it stood at this time (RFC 3339 or a date, as every time flag): analysis results recorded
    /// later are ignored. Default: now.
    #[arg(long, value_name = "TIME", value_parser = parse_instant)]
    pub as_of: Option<Timestamp>,
    /// Output file (default: CASE/reports/<kind>….<lang>.<ext>); with --kind all, a folder.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

fn parse_lang(s: &str) -> Result<Lang, String> {
    s.parse()
}

fn parse_format(s: &str) -> Result<OutputFormat, String> {
    match s.to_ascii_lowercase().as_str() {
        "pdf" => Ok(OutputFormat::Pdf),
        _ => s
            .parse()
            .map(OutputFormat::Doc)
            .map_err(|_| format!("expected a report format, md, html or pdf, found {s:?}")),
    }
}

/// What every report of one run shares.
struct Run<'a> {
    case: &'a Case,
    /// The custody log read once: counters, head, and every entry but `acquired`.
    custody: CustodyDigest,
    analysis: Analysis,
    lang: Lang,
    format: OutputFormat,
    as_of: String,
    generated: String,
    tool: String,
}

/// The analysis results a report relied on, for its custody entry.
fn relied_on(analysis: &Analysis) -> Vec<ReliedOn> {
    let fact = |r: &Recorded| ReliedOn {
        kind: r.kind.as_str().to_owned(),
        output: r.rel.clone(),
        sha256: r.sha256.clone(),
        custody_seq: r.seq,
    };
    analysis
        .scope
        .iter()
        .map(|s| fact(&s.record))
        .chain(analysis.hunt.iter().map(|h| fact(&h.record)))
        .collect()
}

/// Renders `doc` in the run's format: text, or a PDF printed from its HTML.
fn render(doc: &Document, format: OutputFormat, reports: &Path) -> Result<Vec<u8>> {
    match format {
        OutputFormat::Doc(f) => Ok(f.render(doc).into_bytes()),
        OutputFormat::Pdf => {
            let chromium = Chromium::locate().context("cannot write a PDF")?;
            std::fs::create_dir_all(reports)
                .with_context(|| format!("cannot create {}", reports.display()))?;
            let scratch = tempfile::tempdir_in(reports)
                .with_context(|| format!("cannot write in {}", reports.display()))?;
            let html = scratch.path().join("report.html");
            let pdf = scratch.path().join("report.pdf");
            std::fs::write(&html, Format::Html.render(doc))
                .with_context(|| format!("cannot write {}", html.display()))?;
            chromium
                .print_pdf(&html, &pdf)
                .with_context(|| format!("printing with {}", chromium.program().display()))?;
            std::fs::read(&pdf).with_context(|| format!("cannot read {}", pdf.display()))
        }
    }
}

/// The folder the listings go to: the report's own.
fn listing_dir(report: &Path) -> PathBuf {
    report
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
        .to_path_buf()
}

/// A listing as its `report_produced` custody entry records it.
fn listing_fact(l: &ListingInfo) -> ListingFact {
    ListingFact {
        path: l.path.to_string_lossy().into_owned(),
        sha256: l.sha256.clone(),
        rows: l.rows,
        format: l.format.as_str().to_owned(),
    }
}

/// Builds, writes and records one report; returns its path.
fn produce(run: &Run<'_>, kind: Kind, out: Option<&Path>) -> Result<PathBuf> {
    let lang = run.lang;
    let info = run.case.info();
    let index = read_index(run.case)?;
    let placement = place(&index, kind.name(), run.analysis.basis());
    let reports = run.case.layout().reports_dir();
    let version = match kind {
        Kind::Executive => format!(".v{}", placement.version),
        _ => String::new(),
    };
    let name = format!(
        "{}{version}.{}.{}",
        kind.stem(),
        lang.tag(),
        run.format.extension()
    );
    let path = match out {
        Some(p) if p.is_dir() => p.join(name),
        Some(p) => p.to_path_buf(),
        None => reports.join(name),
    };
    let mut pending: Vec<PendingListing> = Vec::new();
    let (doc, facts) = match kind {
        Kind::Executive => {
            let (doc, facts) = executive_summary(
                &run.analysis,
                &placement,
                &ExecutiveOptions {
                    lang,
                    case_name: info.name.clone(),
                    as_of: run.as_of.clone(),
                    generated: run.generated.clone(),
                    tool: run.tool.clone(),
                },
            );
            (doc, Some(facts))
        }
        Kind::Technical => {
            let opts = TechnicalOptions {
                lang,
                case_name: info.name.clone(),
                as_of: run.as_of.clone(),
                generated: run.generated.clone(),
                tool: run.tool.clone(),
            };
            (
                technical_report(&run.analysis, &run.custody.entries, &opts),
                None,
            )
        }
        Kind::Evidence | Kind::All => {
            let opts = EvidenceRecordOptions {
                lang,
                generated: run.generated.clone(),
                tool: run.tool.clone(),
                listing_dir: listing_dir(&path),
            };
            let record = evidence_record(run.case, &run.custody, &opts)?;
            pending = record.listings;
            (record.document, None)
        }
    };
    let bytes = render(&doc, run.format, &reports)?;
    let listings = pending
        .into_iter()
        .map(PendingListing::persist)
        .collect::<Result<Vec<ListingInfo>, _>>()?;
    let produced = produce_report(
        run.case,
        NewReport {
            path: &path,
            bytes: &bytes,
            kind: kind.name(),
            lang: lang.tag(),
            format: run.format.extension(),
            version: placement.version,
            as_of: &run.as_of,
            generated: &run.generated,
            read_custody_head: run.custody.head.clone(),
            relied_on: relied_on(&run.analysis),
            listings: listings.iter().map(listing_fact).collect(),
            basis: run.analysis.basis(),
            facts,
        },
    )?;
    eprintln!(
        "cloudcase: {} report written; recorded as custody entry {}",
        kind.name(),
        produced.custody_seq
    );
    Ok(path)
}

/// Runs `cloudcase report`.
pub fn run(args: Args) -> Result<ExitCode> {
    let kind = match (args.kind, args.kind_flag) {
        (Some(a), Some(b)) if a != b => {
            bail!("the report kind is given twice, differently ({a:?} and {b:?})")
        }
        (Some(k), _) | (None, Some(k)) => k,
        (None, None) => bail!(
            "name the report kind: `cloudcase report --kind executive|technical|evidence|all --case DIR`"
        ),
    };
    if kind == Kind::All && args.out.as_ref().is_some_and(|p| !p.is_dir()) {
        bail!("with --kind all, --out must be an existing folder");
    }
    let case = Case::open(&args.case)?;
    let now = Timestamp::now();
    let as_of = args.as_of.unwrap_or(now);
    let custody = CustodyDigest::read(&case)?;
    let analysis = Analysis::load(&case, &custody.entries, as_of)
        .context("cannot read the analysis results recorded in the case")?;
    let run = Run {
        case: &case,
        custody,
        analysis,
        lang: args.lang,
        format: args.format,
        as_of: as_of.round(jiff::Unit::Millisecond)?.to_string(),
        generated: now.round(jiff::Unit::Second)?.to_string(),
        tool: format!("cloudcase {}", env!("CARGO_PKG_VERSION")),
    };
    for k in kind.expand() {
        let path = produce(&run, *k, args.out.as_deref())?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
