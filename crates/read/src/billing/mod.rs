//! AWS Cost and Usage Reports, recognised by their header line.
//!
//! A report is CSV (RFC 4180: quoted fields may hold commas, line breaks
//! and doubled quotes), plain or gzip, as delivered under
//! `<prefix>/<report>/yyyymmdd-yyyymmdd/<assemblyId>/<report>-<n>.csv.gz`
//! (legacy CUR) or by Data Exports (CUR 2.0). The first line names the
//! columns: `identity/LineItemId,identity/TimeInterval,bill/…,lineItem/…` in
//! the legacy report, `bill_bill_type,…,line_item_usage_account_id,…` in CUR
//! 2.0; [`columns`] reads both spellings into a
//! [`Charge`](cloudcase_event::detail::Charge).
//!
//! Each row becomes an event timed by its usage start, named by its line
//! item type (`Usage`, `Tax`, `Credit`, …), with every non-empty column kept
//! in the raw record under its header name.

mod columns;
mod csv;

use std::borrow::Cow;

use cloudcase_event::detail::Charge;
use cloudcase_event::{Category, Detail, Event, EventTime, LogSource, OtherRecord, Provenance};

use crate::lines::{push_json_string, Line};
use crate::RejectKind;
use columns::{Col, Header, Kind, COLUMNS};
use csv::CsvError;

/// The event source of every line item.
const EVENT_SOURCE: &str = "billing";

/// Report columns a header must name (within the sniffed bytes) to be one.
const MIN_COLUMNS: usize = 3;

/// Why a row is not a line item.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
enum RowError {
    /// Not UTF-8.
    #[error("not UTF-8 at byte {0} of the record")]
    Utf8(usize),
    /// A control character other than a tab or line break.
    #[error("control character 0x{byte:02x} at byte {at} of the record")]
    Control {
        /// The character.
        byte: u8,
        /// Its byte position in the record.
        at: usize,
    },
    /// Broken quoting.
    #[error(transparent)]
    Csv(#[from] CsvError),
    /// Not as many fields as the header names.
    #[error("{found} columns; the header names {expected}")]
    ColumnCount {
        /// Fields in the row.
        found: usize,
        /// Columns in the header.
        expected: usize,
    },
    /// A number column that is not a number.
    #[error("column {column}: {value:?} is not a number")]
    Number {
        /// The column's name.
        column: &'static str,
        /// The value, shortened.
        value: String,
    },
    /// A time column that is not a time.
    #[error("column {column}: {value:?} is not a timestamp")]
    Time {
        /// The column's name.
        column: &'static str,
        /// The value, shortened.
        value: String,
    },
    /// A column every line item needs is empty.
    #[error("column {0} is empty")]
    Empty(&'static str),
    /// The header cannot give events.
    #[error("{0}")]
    Unusable(String),
}

impl RowError {
    fn kind(&self) -> RejectKind {
        match self {
            RowError::Utf8(_) => RejectKind::InvalidUtf8,
            _ => RejectKind::MalformedLine,
        }
    }
}

/// A value for a message: at most 64 characters.
fn shown(value: &str) -> String {
    value.chars().take(64).collect()
}

/// A record whose quoted field continues on the next line, being gathered.
struct Pending {
    /// Offset of its first line.
    offset: u64,
    /// Its lines so far, joined by `\n`.
    bytes: Vec<u8>,
}

/// One report file's reading: its header, and a record being gathered.
pub(crate) struct Reader {
    header: Option<Header>,
    pending: Option<Pending>,
    max_record: usize,
}

impl Reader {
    /// A reader for the file whose content starts with `prefix`, if its first
    /// line is a report header. `max_record` bounds a record gathered across
    /// lines.
    pub(crate) fn sniff(prefix: &[u8], max_record: usize) -> Option<Self> {
        let end = memchr::memchr(b'\n', prefix);
        let line = &prefix[..end.unwrap_or(prefix.len())];
        let text = std::str::from_utf8(line).ok()?.trim_end_matches('\r');
        let mut names: Vec<&str> = text.split(',').collect();
        if end.is_none() {
            // The last name may be cut off by the sniffed prefix's end.
            names.pop();
        }
        let names: Vec<&str> = names.into_iter().map(|n| n.trim_matches('"')).collect();
        let report = names
            .iter()
            .filter(|n| columns::is_report_column(n))
            .count();
        (report >= MIN_COLUMNS && report * 2 > names.len()).then_some(Reader {
            header: None,
            pending: None,
            max_record,
        })
    }

    /// Reads one line: the header, part of a record quoted across lines, or
    /// a record.
    pub(crate) fn line(&mut self, bytes: &[u8], mut prov: Provenance) -> Line {
        let record: Cow<'_, [u8]> = match self.pending.take() {
            Some(mut pending) => {
                pending.bytes.push(b'\n');
                pending.bytes.extend_from_slice(bytes);
                if pending.bytes.len() > self.max_record {
                    return Line::Reject {
                        offset: pending.offset,
                        kind: RejectKind::TooLarge,
                        detail: format!(
                            "Cost and Usage Report: a record quoted across lines grew past {} bytes (--max-record-bytes)",
                            self.max_record
                        ),
                    };
                }
                if !csv::balanced(&pending.bytes) {
                    self.pending = Some(pending);
                    return Line::NotRecord;
                }
                prov.offset = pending.offset;
                Cow::Owned(pending.bytes)
            }
            None if !csv::balanced(bytes) => {
                self.pending = Some(Pending {
                    offset: prov.offset,
                    bytes: bytes.to_vec(),
                });
                return Line::NotRecord;
            }
            None => Cow::Borrowed(bytes),
        };
        let offset = prov.offset;
        match self.record(&record, prov) {
            Ok(Some(ev)) => Line::Event(Box::new(ev)),
            Ok(None) => Line::NotRecord,
            Err(e) => Line::Reject {
                offset,
                kind: e.kind(),
                detail: format!("Cost and Usage Report: {e}"),
            },
        }
    }

    /// Drops a record being gathered (its next line was too long to keep),
    /// returning where it started.
    pub(crate) fn abandon(&mut self) -> Option<u64> {
        self.pending.take().map(|p| p.offset)
    }

    /// The record left open at the end of the input, if any.
    pub(crate) fn finish(&mut self) -> Option<Line> {
        self.pending.take().map(|p| Line::Reject {
            offset: p.offset,
            kind: RejectKind::Truncated,
            detail: "Cost and Usage Report: the input ends inside a quoted field".into(),
        })
    }

    fn record(&mut self, bytes: &[u8], prov: Provenance) -> Result<Option<Event>, RowError> {
        let text = std::str::from_utf8(bytes).map_err(|e| RowError::Utf8(e.valid_up_to()))?;
        if let Some(at) = bytes
            .iter()
            .position(|&b| b.is_ascii_control() && !matches!(b, b'\t' | b'\n' | b'\r'))
        {
            return Err(RowError::Control {
                byte: bytes[at],
                at,
            });
        }
        let fields = csv::split(text)?;
        let Some(header) = &self.header else {
            let names = fields.into_iter().map(|f| f.into_owned().into()).collect();
            self.header = Some(Header::new(names));
            return Ok(None);
        };
        row(header, &fields, prov).map(Some)
    }
}

/// The values of a row's read columns.
struct Values<'a> {
    header: &'a Header,
    fields: &'a [Cow<'a, str>],
}

impl<'a> Values<'a> {
    /// The non-empty text of `col`, and the spelling of its name.
    fn text(&self, col: Col) -> Option<(&'a str, &'static str)> {
        let found = self.header.find(col)?;
        let value = self.fields.get(found.index)?;
        (!value.is_empty()).then_some((value.as_ref(), found.name))
    }

    fn string(&self, col: Col) -> Option<String> {
        self.text(col).map(|(v, _)| v.to_owned())
    }

    fn number(&self, col: Col) -> Result<Option<f64>, RowError> {
        let Some((value, column)) = self.text(col) else {
            return Ok(None);
        };
        match value.trim().parse::<f64>() {
            Ok(n) if n.is_finite() => Ok(Some(n)),
            _ => Err(RowError::Number {
                column,
                value: shown(value),
            }),
        }
    }

    fn time(&self, col: Col) -> Result<Option<(EventTime, &'static str)>, RowError> {
        let Some((value, column)) = self.text(col) else {
            return Ok(None);
        };
        let text = match COLUMNS.iter().find(|c| c.col == col).map(|c| c.kind) {
            // `start/end`: the interval's start.
            Some(Kind::Text) => value.split('/').next().unwrap_or(value),
            _ => value,
        };
        EventTime::parse(text.trim())
            .map(|t| Some((t, column)))
            .map_err(|_| RowError::Time {
                column,
                value: shown(value),
            })
    }
}

/// Whether `text` is shaped like a region code (`us-east-1`).
fn is_region(text: &str) -> bool {
    let parts: Vec<&str> = text.split('-').collect();
    parts.len() >= 3
        && parts.iter().all(|p| !p.is_empty())
        && parts[..parts.len() - 1]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_lowercase()))
        && parts
            .last()
            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The event for one row under `header`.
fn row(header: &Header, fields: &[Cow<'_, str>], prov: Provenance) -> Result<Event, RowError> {
    if let Some(why) = &header.unusable {
        return Err(RowError::Unusable(why.clone()));
    }
    if fields.len() != header.names.len() {
        return Err(RowError::ColumnCount {
            found: fields.len(),
            expected: header.names.len(),
        });
    }
    let values = Values { header, fields };
    let (time, time_field) = match values.time(Col::UsageStart)? {
        Some(found) => found,
        None => values.time(Col::TimeInterval)?.ok_or(RowError::Empty(
            header
                .find(Col::UsageStart)
                .map_or("identity/TimeInterval", |f| f.name),
        ))?,
    };
    let cost_column = header.find(Col::Cost).map_or("", |f| f.name);
    let cost = values
        .number(Col::Cost)?
        .ok_or(RowError::Empty(cost_column))?;
    let region = values
        .string(Col::RegionCode)
        .or_else(|| values.string(Col::Region).filter(|r| is_region(r)));
    let charge = Charge {
        account_id: values.string(Col::Account),
        resource_id: values.string(Col::Resource),
        product_code: values.string(Col::Product),
        usage_type: values.string(Col::UsageType),
        operation: values.string(Col::Operation),
        line_item_type: values.string(Col::LineItemType),
        region: region.clone(),
        usage_start: time,
        usage_end: values.time(Col::UsageEnd)?.map(|(t, _)| t),
        usage_amount: values.number(Col::UsageAmount)?,
        cost,
        currency: values.string(Col::Currency),
    };
    let mut raw = String::with_capacity(fields.iter().map(|f| f.len() + 24).sum::<usize>() + 32);
    raw.push('{');
    for (name, value) in header.names.iter().zip(fields) {
        if !value.is_empty() {
            push_json_string(name, &mut raw);
            raw.push(':');
            push_json_string(value, &mut raw);
            raw.push(',');
        }
    }
    raw.push_str("\"logSource\":\"billing\"}");
    Ok(Event {
        region,
        recipient_account: charge.account_id.clone(),
        ..Event::other(OtherRecord {
            source: LogSource::Billing,
            time,
            time_field,
            event_source: EVENT_SOURCE.into(),
            event_name: (charge.line_item_type.clone()).unwrap_or_else(|| "LineItem".into()),
            category: Category::Other("Billing".into()),
            raw: raw.into(),
            detail: Some(Detail::Charge(charge)),
            provenance: prov,
        })
    })
}

#[cfg(test)]
mod tests;
