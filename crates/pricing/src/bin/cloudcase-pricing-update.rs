//! `cloudcase-pricing-update <offer file>… > table.csv`: turns AWS Price List offer files for
//! Amazon EC2 (downloaded by the user, JSON or CSV) into cloudcase's price table. No network.

use std::fs::File;
use std::io::Write;
use std::process::ExitCode;

use cloudcase_pricing::{read_offer, table_from_offers};

const USAGE: &str =
    "usage: cloudcase-pricing-update <offer index.json|index.csv>... > ec2-ondemand-linux.csv

Reads AWS Price List offer files for Amazon EC2, e.g. downloaded from
  https://pricing.us-east-1.amazonaws.com/offers/v1.0/aws/AmazonEC2/current/<region>/index.json
and writes the on-demand Linux hourly prices (shared tenancy, no pre-installed software,
capacity status Used) as region,instance_type,usd_per_hour on standard output. The first
price read for a region and type wins; differing later ones are reported on standard error.";

fn main() -> ExitCode {
    let paths: Vec<String> = std::env::args().skip(1).collect();
    if paths.is_empty() || paths.iter().any(|p| p == "-h" || p == "--help") {
        eprintln!("{USAGE}");
        return if paths.is_empty() {
            ExitCode::from(2)
        } else {
            ExitCode::SUCCESS
        };
    }
    let mut offers = Vec::with_capacity(paths.len());
    for path in &paths {
        let parsed = File::open(path).map_err(Into::into).and_then(read_offer);
        match parsed {
            Ok(prices) => {
                eprintln!("{path}: {prices}");
                offers.push(prices);
            }
            Err(error) => {
                eprintln!("{path}: {error}");
                return ExitCode::FAILURE;
            }
        }
    }
    let (table, conflicts) = table_from_offers(&offers);
    for c in &conflicts {
        eprintln!(
            "conflict: {} {}: kept {} USD/h, dropped {} USD/h",
            c.region, c.instance_type, c.kept, c.dropped
        );
    }
    if table.is_empty() {
        eprintln!("no on-demand Linux instance prices found: nothing written");
        return ExitCode::FAILURE;
    }
    eprintln!("{} prices written", table.len());
    let mut out = std::io::stdout().lock();
    if let Err(error) = out
        .write_all(table.to_csv().as_bytes())
        .and_then(|()| out.flush())
    {
        eprintln!("writing standard output: {error}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
