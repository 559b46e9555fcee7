//! The price table: on-demand Linux hourly prices by region and instance type, read from the
//! crate's CSV shape (`region,instance_type,usd_per_hour`, `#` comment lines allowed).

use std::collections::BTreeMap;
use std::fmt::Write as _;

/// The CSV header every price table starts with (after optional `#` comment lines).
pub const CSV_HEADER: &str = "region,instance_type,usd_per_hour";

/// The built-in table's text, embedded at compile time so the estimate works offline with no
/// files to install. Approximate list prices: see the crate README and the file's header comment.
pub const BUILTIN_CSV: &str = include_str!("../data/ec2-ondemand-linux.csv");

/// Why a price table's CSV text was rejected. Every variant names the 1-based line it was found
/// on, so that a hand-edited or generated table can be fixed where it is wrong.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum TableError {
    /// The first line that is neither blank nor a comment is not the expected header.
    #[error("line {line}: expected the header `{expected}`, found `{found}`")]
    BadHeader {
        /// 1-based line number.
        line: usize,
        /// The header this crate writes and reads.
        expected: &'static str,
        /// What the line held instead.
        found: String,
    },
    /// The text has no header at all (empty, or comments only).
    #[error("line {line}: expected the header `{expected}`, found the end of the text")]
    MissingHeader {
        /// 1-based line number just past the end of the text.
        line: usize,
        /// The header this crate writes and reads.
        expected: &'static str,
    },
    /// A data row does not have exactly three comma-separated fields.
    #[error("line {line}: expected 3 fields (region,instance_type,usd_per_hour), found {found}")]
    FieldCount {
        /// 1-based line number.
        line: usize,
        /// How many fields the row had.
        found: usize,
    },
    /// The region or instance type field is empty.
    #[error("line {line}: expected a non-empty {column}, found an empty field")]
    EmptyField {
        /// 1-based line number.
        line: usize,
        /// Which column was empty.
        column: &'static str,
    },
    /// The price is not a finite, non-negative decimal number.
    #[error("line {line}: expected a non-negative number of USD per hour, found `{found}`")]
    BadPrice {
        /// 1-based line number.
        line: usize,
        /// The price field as written.
        found: String,
    },
    /// The same region and instance type appear twice; which price is right cannot be guessed.
    #[error("line {line}: expected one price per region and type, found {region} {instance_type} again (first on line {first_line})")]
    Duplicate {
        /// 1-based line number of the second occurrence.
        line: usize,
        /// The region of the repeated row.
        region: String,
        /// The instance type of the repeated row.
        instance_type: String,
        /// 1-based line number of the first occurrence.
        first_line: usize,
    },
}

/// On-demand Linux hourly prices in USD, keyed by region code (`us-east-1`) and instance type
/// (`p3.2xlarge`). Kept as data rather than code so it can be refreshed from AWS's price-list
/// files without a code change.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct PriceTable {
    prices: BTreeMap<(String, String), f64>,
    comments: Vec<String>,
}

impl PriceTable {
    /// The table shipped in the crate (`data/ec2-ondemand-linux.csv`): approximate list prices
    /// for the instance families attackers launch, in every commercial region listed in the README.
    ///
    /// # Panics
    /// Never in a released build: the embedded text is checked by this crate's tests.
    pub fn builtin() -> Self {
        Self::from_csv(BUILTIN_CSV).expect("the built-in price table is valid")
    }

    /// Parses the CSV shape this crate writes: optional `#` comment lines and blank lines, the
    /// header [`CSV_HEADER`], then one `region,instance_type,usd_per_hour` row per line. Errors
    /// name the line and what was expected and found.
    pub fn from_csv(text: &str) -> Result<Self, TableError> {
        let mut table = PriceTable::default();
        let mut first_line: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut header_seen = false;
        let mut line_count = 0;
        for (index, raw) in text.lines().enumerate() {
            let line = index + 1;
            line_count = line;
            let trimmed = raw.trim();
            if trimmed.is_empty() {
                continue;
            }
            if let Some(comment) = trimmed.strip_prefix('#') {
                table.comments.push(comment.trim().to_string());
                continue;
            }
            if !header_seen {
                let normalized: Vec<&str> = trimmed.split(',').map(str::trim).collect();
                if normalized.join(",") != CSV_HEADER {
                    return Err(TableError::BadHeader {
                        line,
                        expected: CSV_HEADER,
                        found: trimmed.to_string(),
                    });
                }
                header_seen = true;
                continue;
            }
            let fields: Vec<&str> = trimmed.split(',').map(str::trim).collect();
            if fields.len() != 3 {
                return Err(TableError::FieldCount {
                    line,
                    found: fields.len(),
                });
            }
            for (value, column) in [(fields[0], "region"), (fields[1], "instance_type")] {
                if value.is_empty() {
                    return Err(TableError::EmptyField { line, column });
                }
            }
            let price = fields[2]
                .parse::<f64>()
                .ok()
                .filter(|p| p.is_finite() && *p >= 0.0)
                .ok_or_else(|| TableError::BadPrice {
                    line,
                    found: fields[2].to_string(),
                })?;
            let key = (fields[0].to_string(), fields[1].to_string());
            if let Some(&first) = first_line.get(&key) {
                return Err(TableError::Duplicate {
                    line,
                    region: key.0,
                    instance_type: key.1,
                    first_line: first,
                });
            }
            first_line.insert(key.clone(), line);
            table.prices.insert(key, price);
        }
        if !header_seen {
            return Err(TableError::MissingHeader {
                line: line_count + 1,
                expected: CSV_HEADER,
            });
        }
        Ok(table)
    }

    /// The hourly on-demand Linux price in USD of `instance_type` in `region`, or `None` when
    /// the table has no row for that pair (unknown type, or not offered in that region). Leading
    /// and trailing spaces are ignored; region and type are otherwise matched exactly, as AWS
    /// writes them (lower case).
    pub fn hourly(&self, region: &str, instance_type: &str) -> Option<f64> {
        self.prices
            .get(&(region.trim().to_string(), instance_type.trim().to_string()))
            .copied()
    }

    /// Sets (or replaces) one price; used by the updater and by callers with negotiated prices.
    pub fn insert(&mut self, region: &str, instance_type: &str, usd_per_hour: f64) {
        self.prices.insert(
            (region.to_string(), instance_type.to_string()),
            usd_per_hour,
        );
    }

    /// Number of (region, instance type) prices in the table.
    pub fn len(&self) -> usize {
        self.prices.len()
    }

    /// True when the table holds no price at all.
    pub fn is_empty(&self) -> bool {
        self.prices.is_empty()
    }

    /// Every price as `(region, instance_type, usd_per_hour)`, sorted by region then type, so
    /// output built from it is stable.
    pub fn rows(&self) -> impl Iterator<Item = (&str, &str, f64)> {
        self.prices.iter().map(|((region, instance_type), price)| {
            (region.as_str(), instance_type.as_str(), *price)
        })
    }

    /// The `#` comment lines of the CSV the table was read from (without the `#`): where the
    /// prices came from and when, to be quoted next to an estimate.
    pub fn comments(&self) -> &[String] {
        &self.comments
    }

    /// Adds a comment line written out by [`PriceTable::to_csv`] (source and date of the prices).
    pub fn push_comment(&mut self, comment: impl Into<String>) {
        self.comments.push(comment.into());
    }

    /// The table in the CSV shape [`PriceTable::from_csv`] reads: comments, header, sorted rows.
    /// Prices are written in full (Rust's shortest round-trip form), never rounded.
    pub fn to_csv(&self) -> String {
        let mut out = String::new();
        for comment in &self.comments {
            let _ = writeln!(out, "# {comment}");
        }
        let _ = writeln!(out, "{CSV_HEADER}");
        for (region, instance_type, price) in self.rows() {
            let _ = writeln!(out, "{region},{instance_type},{price}");
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_table_parses_and_covers_required_regions_and_types() {
        let table = PriceTable::builtin();
        assert!(table.len() > 1500, "{} rows", table.len());
        for region in [
            "us-east-1",
            "us-east-2",
            "us-west-1",
            "us-west-2",
            "ca-central-1",
            "sa-east-1",
            "eu-west-1",
            "eu-west-2",
            "eu-west-3",
            "eu-central-1",
            "eu-north-1",
            "eu-south-1",
            "ap-northeast-1",
            "ap-northeast-2",
            "ap-northeast-3",
            "ap-southeast-1",
            "ap-southeast-2",
            "ap-south-1",
            "ap-east-1",
            "me-south-1",
            "af-south-1",
        ] {
            for ty in [
                "g4dn.xlarge",
                "c5.large",
                "m5.large",
                "t3.micro",
                "c6i.metal",
            ] {
                assert!(table.hourly(region, ty).is_some(), "{ty} in {region}");
            }
        }
        for ty in [
            "p2.xlarge",
            "p3.2xlarge",
            "p3dn.24xlarge",
            "p4d.24xlarge",
            "p5.48xlarge",
            "g3.4xlarge",
            "g5.xlarge",
            "g6.xlarge",
            "inf1.xlarge",
            "inf2.xlarge",
            "c7i.48xlarge",
            "m6i.32xlarge",
            "r5.24xlarge",
            "t2.micro",
            "x1.32xlarge",
            "x2iedn.32xlarge",
        ] {
            assert!(table.hourly("us-east-1", ty).is_some(), "{ty} in us-east-1");
        }
        assert_eq!(table.hourly("us-east-1", "p3.2xlarge"), Some(3.06));
        assert!(!table.comments().is_empty(), "the source caveat is kept");
        // Not offered there, so no row rather than a made-up one.
        assert_eq!(table.hourly("af-south-1", "p3.2xlarge"), None);
    }

    #[test]
    fn hourly_lookup_trims_and_misses_unknown_pairs() {
        let table = PriceTable::from_csv(
            "# test\nregion,instance_type,usd_per_hour\nus-east-1,p3.2xlarge,3.06\neu-west-1,p3.2xlarge,3.305\n",
        )
        .unwrap();
        assert_eq!(table.hourly("us-east-1", "p3.2xlarge"), Some(3.06));
        assert_eq!(table.hourly(" eu-west-1 ", "p3.2xlarge "), Some(3.305));
        assert_eq!(table.hourly("us-west-2", "p3.2xlarge"), None);
        assert_eq!(table.hourly("us-east-1", "p3.8xlarge"), None);
        assert_eq!(table.len(), 2);
        assert_eq!(table.comments(), ["test"]);
    }

    #[test]
    fn csv_round_trips() {
        let mut table = PriceTable::default();
        table.push_comment("from a test");
        table.insert("us-east-1", "g4dn.xlarge", 0.526);
        table.insert("ap-east-1", "c5.large", 0.1170000001);
        let again = PriceTable::from_csv(&table.to_csv()).unwrap();
        assert_eq!(again, table);
    }

    #[test]
    fn csv_errors_are_located() {
        let h = "region,instance_type,usd_per_hour\n";
        let cases: Vec<(String, TableError)> = vec![
            (
                "# only a comment\n\nregion,type,price\n".to_string(),
                TableError::BadHeader {
                    line: 3,
                    expected: CSV_HEADER,
                    found: "region,type,price".into(),
                },
            ),
            (
                "# nothing else\n".to_string(),
                TableError::MissingHeader {
                    line: 2,
                    expected: CSV_HEADER,
                },
            ),
            (
                format!("{h}us-east-1,p3.2xlarge,3.06\nus-east-1,p3.8xlarge\n"),
                TableError::FieldCount { line: 3, found: 2 },
            ),
            (
                format!("{h}us-east-1,p3.2xlarge,3.06,extra\n"),
                TableError::FieldCount { line: 2, found: 4 },
            ),
            (
                format!("{h},p3.2xlarge,3.06\n"),
                TableError::EmptyField {
                    line: 2,
                    column: "region",
                },
            ),
            (
                format!("{h}us-east-1,,3.06\n"),
                TableError::EmptyField {
                    line: 2,
                    column: "instance_type",
                },
            ),
            (
                format!("{h}us-east-1,p3.2xlarge,$3.06\n"),
                TableError::BadPrice {
                    line: 2,
                    found: "$3.06".into(),
                },
            ),
            (
                format!("{h}us-east-1,p3.2xlarge,-1\n"),
                TableError::BadPrice {
                    line: 2,
                    found: "-1".into(),
                },
            ),
            (
                format!("{h}us-east-1,p3.2xlarge,NaN\n"),
                TableError::BadPrice {
                    line: 2,
                    found: "NaN".into(),
                },
            ),
            (
                format!("{h}us-east-1,p3.2xlarge,3.06\n\nus-east-1,p3.2xlarge,3.07\n"),
                TableError::Duplicate {
                    line: 4,
                    region: "us-east-1".into(),
                    instance_type: "p3.2xlarge".into(),
                    first_line: 2,
                },
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(PriceTable::from_csv(&text), Err(expected), "{text:?}");
        }
        let message = PriceTable::from_csv(&format!("{h}us-east-1,p3.8xlarge\n"))
            .unwrap_err()
            .to_string();
        assert_eq!(
            message,
            "line 2: expected 3 fields (region,instance_type,usd_per_hour), found 2"
        );
    }
}
