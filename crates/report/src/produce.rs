//! Producing the reports of a case: each document built from the recorded analysis, rendered
//! (Markdown, HTML, or a PDF printed from the HTML by headless Chromium), and put into the case
//! through [`cloudcase_evidence::results::produce_report`] (atomic write, SHA-256,
//! `report_produced` custody entry, report index line).

use std::path::{Path, PathBuf};

use cloudcase_evidence::results::{
    produce_report, ListingFact, NewReport, ProducedReport, Recorded, ReliedOn,
};
use cloudcase_evidence::Case;
use jiff::Timestamp;

use crate::chromium::Chromium;
use crate::evidence_record::{evidence_record, EvidenceRecordOptions, ListingInfo, PendingListing};
use crate::executive::executive_summary;
use crate::runbook::runbook;
use crate::technical::technical_report;
use crate::versions::{place, read_index, Placement};
use crate::DocumentOptions;
use crate::{Analysis, CustodyDigest, Document, Facts, Format, Lang, ReportError};

/// A kind of report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    /// The executive summary (versioned).
    Executive,
    /// The technical forensic report.
    Technical,
    /// The evidence record, with its listings beside it.
    Evidence,
    /// The runbook for the next incident.
    Runbook,
}

impl ReportKind {
    /// Name in custody details and the report index.
    pub fn name(self) -> &'static str {
        match self {
            ReportKind::Executive => "executive",
            ReportKind::Technical => "technical",
            ReportKind::Evidence => "evidence",
            ReportKind::Runbook => "runbook",
        }
    }

    /// File-name stem of the report.
    fn stem(self) -> &'static str {
        match self {
            ReportKind::Executive => "executive-summary",
            ReportKind::Technical => "technical-report",
            ReportKind::Evidence => "evidence-record",
            ReportKind::Runbook => "runbook",
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
    /// File extension, also the format's name in custody details and the index.
    pub fn extension(self) -> &'static str {
        match self {
            OutputFormat::Doc(f) => f.extension(),
            OutputFormat::Pdf => "pdf",
        }
    }
}

/// How the reports of one run are written.
#[derive(Debug, Clone)]
pub struct ReporterOptions {
    /// Language.
    pub lang: Lang,
    /// Output format.
    pub format: OutputFormat,
    /// The case as it stood at this time: analysis results recorded later are ignored.
    pub as_of: Timestamp,
    /// Now: when the reports are generated.
    pub now: Timestamp,
    /// Tool name and version.
    pub tool: String,
}

/// What every report of one run shares: the case, its custody log read once (counters,
/// head, every entry but `acquired`), and the analysis recorded as of the run's time.
#[derive(Debug)]
pub struct Reporter<'a> {
    case: &'a Case,
    custody: CustodyDigest,
    analysis: Analysis,
    lang: Lang,
    format: OutputFormat,
    as_of: String,
    generated: String,
    tool: String,
}

/// A report built but not yet rendered.
struct Built {
    /// The document.
    document: Document,
    /// The key facts it states (executive summary only).
    facts: Option<Facts>,
    /// Listings written beside it, not yet in place (evidence record only).
    listings: Vec<PendingListing>,
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

/// A listing as its `report_produced` custody entry records it.
fn listing_fact(l: &ListingInfo) -> ListingFact {
    ListingFact {
        path: l.path.to_string_lossy().into_owned(),
        sha256: l.sha256.clone(),
        rows: l.rows,
        format: l.format.as_str().to_owned(),
    }
}

/// The folder the listings go to: the report's own.
fn listing_dir(report: &Path) -> PathBuf {
    cloudcase_util::fs::parent_dir(report).to_path_buf()
}

/// `doc` in `format`: text, or a PDF printed from its HTML in a scratch folder under
/// `scratch` (created if absent, removed afterwards).
fn render(doc: &Document, format: OutputFormat, scratch: &Path) -> Result<Vec<u8>, ReportError> {
    match format {
        OutputFormat::Doc(f) => Ok(f.render(doc).into_bytes()),
        OutputFormat::Pdf => {
            let chromium = Chromium::locate().map_err(ReportError::Pdf)?;
            let write = |p: &Path, e| ReportError::Write(p.to_path_buf(), e);
            std::fs::create_dir_all(scratch).map_err(|e| write(scratch, e))?;
            let dir = tempfile::tempdir_in(scratch).map_err(|e| write(scratch, e))?;
            let html = dir.path().join("report.html");
            let pdf = dir.path().join("report.pdf");
            std::fs::write(&html, Format::Html.render(doc)).map_err(|e| write(&html, e))?;
            chromium
                .print_pdf(&html, &pdf)
                .map_err(|e| ReportError::Print(chromium.program().to_path_buf(), e))?;
            std::fs::read(&pdf).map_err(|e| ReportError::Read(pdf.clone(), e))
        }
    }
}

impl<'a> Reporter<'a> {
    /// Reads the custody log of `case` and the analysis results recorded in it as of
    /// `opts.as_of`.
    pub fn open(case: &'a Case, opts: ReporterOptions) -> Result<Self, ReportError> {
        let custody = CustodyDigest::read(case)?;
        let analysis = Analysis::load(case, &custody.entries, opts.as_of)?;
        let round = |t: Timestamp, unit| t.round(unit).unwrap_or(t).to_string();
        Ok(Reporter {
            case,
            custody,
            analysis,
            lang: opts.lang,
            format: opts.format,
            as_of: round(opts.as_of, jiff::Unit::Millisecond),
            generated: round(opts.now, jiff::Unit::Second),
            tool: opts.tool,
        })
    }

    /// The document of a `kind` report placed at `placement` among its versions, to be
    /// written to `path`.
    fn build(
        &self,
        kind: ReportKind,
        placement: &Placement,
        path: &Path,
    ) -> Result<Built, ReportError> {
        let opts = DocumentOptions {
            lang: self.lang,
            case_name: self.case.info().name.clone(),
            as_of: self.as_of.clone(),
            generated: self.generated.clone(),
            tool: self.tool.clone(),
        };
        Ok(match kind {
            ReportKind::Executive => {
                let (document, facts) = executive_summary(&self.analysis, placement, &opts);
                Built {
                    document,
                    facts: Some(facts),
                    listings: Vec::new(),
                }
            }
            ReportKind::Technical => Built {
                document: technical_report(&self.analysis, &self.custody.entries, &opts),
                facts: None,
                listings: Vec::new(),
            },
            ReportKind::Runbook => Built {
                document: runbook(self.case, &self.analysis, &opts)?,
                facts: None,
                listings: Vec::new(),
            },
            ReportKind::Evidence => {
                let opts = EvidenceRecordOptions {
                    lang: self.lang,
                    generated: self.generated.clone(),
                    tool: self.tool.clone(),
                    listing_dir: listing_dir(path),
                };
                let record = evidence_record(self.case, &self.custody, &opts)?;
                Built {
                    document: record.document,
                    facts: None,
                    listings: record.listings,
                }
            }
        })
    }

    /// Builds, renders, writes and records one report: to `out` (a file, or a folder to put
    /// it in), by default to the case's `reports/` folder.
    pub fn produce(
        &self,
        kind: ReportKind,
        out: Option<&Path>,
    ) -> Result<ProducedReport, ReportError> {
        let index = read_index(self.case)?;
        let placement = place(&index, kind.name(), self.analysis.basis());
        let reports = self.case.layout().reports_dir();
        let version = match kind {
            ReportKind::Executive => format!(".v{}", placement.version),
            _ => String::new(),
        };
        let name = format!(
            "{}{version}.{}.{}",
            kind.stem(),
            self.lang.tag(),
            self.format.extension()
        );
        let path = match out {
            Some(p) if p.is_dir() => p.join(name),
            Some(p) => p.to_path_buf(),
            None => reports.join(name),
        };
        let built = self.build(kind, &placement, &path)?;
        let bytes = render(&built.document, self.format, &reports)?;
        let listings = built
            .listings
            .into_iter()
            .map(PendingListing::persist)
            .collect::<Result<Vec<ListingInfo>, _>>()?;
        Ok(produce_report(
            self.case,
            NewReport {
                path: &path,
                bytes: &bytes,
                kind: kind.name(),
                lang: self.lang.tag(),
                format: self.format.extension(),
                version: placement.version,
                as_of: &self.as_of,
                generated: &self.generated,
                read_custody_head: self.custody.head.clone(),
                relied_on: relied_on(&self.analysis),
                listings: listings.iter().map(listing_fact).collect(),
                basis: self.analysis.basis(),
                facts: built.facts,
            },
        )?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use cloudcase_evidence::results::{details_of, ReportProducedDetails};

    #[test]
    fn a_report_goes_into_the_case_with_its_custody_entry_and_index_line() {
        let dir = tempfile::tempdir().expect("tempdir");
        let case = Case::init(&dir.path().join("case"), "c", "Aiko", "UTC").expect("init");
        let now = Timestamp::now();
        let opts = ReporterOptions {
            lang: Lang::En,
            format: OutputFormat::Doc(Format::Markdown),
            as_of: now,
            now,
            tool: "cloudcase test".into(),
        };
        let reporter = Reporter::open(&case, opts.clone()).expect("open");
        let first = reporter
            .produce(ReportKind::Executive, None)
            .expect("produce");
        assert!(first.path.ends_with("reports/executive-summary.v1.en.md"));
        let text = std::fs::read_to_string(&first.path).expect("read");
        assert!(text.contains("No scope result is recorded"), "{text}");
        let entries = case.custody().entries().expect("entries");
        let entry = entries.last().expect("entry");
        let details: ReportProducedDetails = details_of(entry).expect("details");
        assert_eq!((details.kind.as_str(), details.version), ("executive", 1));
        assert_eq!(details.output_sha256, first.sha256);
        let index = read_index(&case).expect("index");
        assert_eq!(index.len(), 1);
        assert_eq!(index[0].facts, Some(Facts::default()));
        let again = Reporter::open(&case, opts).expect("open");
        let second = again.produce(ReportKind::Executive, None).expect("produce");
        assert_eq!(second.path, first.path, "same basis, same version");
        let technical = again.produce(ReportKind::Technical, None).expect("produce");
        assert!(technical.path.ends_with("reports/technical-report.en.md"));
        assert_eq!(read_index(&case).expect("index")[2].facts, None);
    }
}
