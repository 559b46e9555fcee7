//! `cloudcase-gen`: write a deterministic CloudTrail corpus in the S3
//! delivery layout and print its summary (ground truth).

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use cloudcase_gen::{generate, Config, Date, Scenario, Shape, Sources, Summary};

/// Generate a deterministic CloudTrail corpus (AWSLogs/… layout, .json.gz files).
#[derive(Debug, Parser)]
#[command(name = "cloudcase-gen", version)]
struct Args {
    /// Output directory (receives AWSLogs/…).
    #[arg(long)]
    out: PathBuf,
    /// Seed of every random choice; same seed and options give identical bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Approximate uncompressed JSON size: 10KB, 500MB, 2GB, 1.5GiB, or bytes.
    #[arg(long, default_value = "2MB", value_parser = parse_size)]
    size: u64,
    /// Number of days covered.
    #[arg(long, default_value_t = 14)]
    days: u32,
    /// First day, YYYY-MM-DD (UTC).
    #[arg(long, default_value = "2024-05-06")]
    start: Date,
    /// 12-digit account id.
    #[arg(long, default_value = "123456789012")]
    account: String,
    /// Embed the leaked-access-key incident scenario (same as --scenario leaked-key).
    #[arg(long)]
    incident: bool,
    /// Incident to embed, with its ground truth in the summary and --truth file:
    /// none; leaked-key (a CI key abused from abroad); roaming-owners (benign:
    /// employees on dynamic home, mobile and CI addresses, no incident);
    /// log-start (the leaked-key attack in the first minutes of the logs);
    /// instance-credential (an EC2 instance-role session used from a laptop to
    /// read a bucket; turns on S3 data events); lambda-credential and
    /// ecs-credential (a function's or task's role session used from the
    /// internet to assume a second role); root-console (root sign-in takeover,
    /// admin user, GPU instances in an unused region).
    #[arg(long, default_value = "none", value_name = "NAME")]
    scenario: Scenario,
    /// Also make two or three employees roam (dynamic home ISP, mobile and CI
    /// addresses, same user agents), with any scenario.
    #[arg(long)]
    roaming: bool,
    /// Log sources to write beside CloudTrail, comma-separated, or `all`:
    /// cloudtrail (always written); s3_access (S3 server access logs of the
    /// company's buckets in `<company>-s3-access-logs-<account>/<bucket>/`);
    /// vpc_flow (VPC Flow Logs, AWSLogs/<account>/vpcflowlogs/…);
    /// route53_resolver (Resolver query logs, AWSLogs/<account>/vpcdnsquerylogs/…);
    /// guardduty (findings export, AWSLogs/<account>/GuardDuty/…); billing
    /// (legacy CUR CSV in `<company>-billing-<account>/cur/…`). Each is
    /// consistent with the CloudTrail corpus and the truth says what it shows.
    #[arg(long, default_value = "cloudtrail", value_name = "LIST")]
    sources: Sources,
    /// Write every source (the same as --sources all).
    #[arg(long)]
    all_sources: bool,
    /// Also log S3 data events (GetObject/PutObject).
    #[arg(long)]
    data_events: bool,
    /// Organization trail layout: AWSLogs/<org>/<account>/CloudTrail/…
    #[arg(long, value_name = "o-xxxxxxxxxx")]
    org: Option<String>,
    /// Corpus shape: standard (about 30 KB files over every window of
    /// --days) or busy (one file per account, region and 5-minute window of
    /// 0.2–5 MB, records of about 1.3 KB with large DescribeInstances,
    /// DescribeSecurityGroups, ListObjects and DescribeVolumes responses,
    /// S3 data events on; as many consecutive windows as --size buys, at
    /// most --days).
    #[arg(long, default_value = "standard", value_name = "SHAPE")]
    shape: Shape,
    /// Number of accounts in the trail (busy shape; the first is --account
    /// and holds the scenario; use --org for an organization trail).
    #[arg(long, default_value_t = 1, value_name = "N")]
    accounts: u32,
    /// Worker threads (0 = one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// gzip level 0-9.
    #[arg(long, default_value_t = 6)]
    level: u32,
    /// Also write the summary as JSON to this file (e.g. OUT/truth.json).
    #[arg(long)]
    truth: Option<PathBuf>,
    /// Print the summary as JSON instead of text.
    #[arg(long)]
    json: bool,
}

/// Parses `10KB`, `500MB`, `2GB` (powers of 1000), `KiB`/`MiB`/`GiB`
/// (powers of 1024), optionally fractional, or a plain byte count.
fn parse_size(s: &str) -> Result<u64, String> {
    let t = s.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("invalid size {s:?}: expected e.g. 10KB, 500MB, 2GB"))?;
    let mult: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "k" | "kb" => 1e3,
        "m" | "mb" => 1e6,
        "g" | "gb" => 1e9,
        "t" | "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        other => return Err(format!("unknown size unit {other:?} in {s:?}")),
    };
    Ok((n * mult).round() as u64)
}

fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1e9 {
        format!("{:.2} GB", b / 1e9)
    } else if b >= 1e6 {
        format!("{:.1} MB", b / 1e6)
    } else if b >= 1e3 {
        format!("{:.1} KB", b / 1e3)
    } else {
        format!("{bytes} B")
    }
}

fn main() -> ExitCode {
    let args = Args::parse();
    let cfg = Config {
        seed: args.seed,
        out_dir: args.out.clone(),
        target_bytes: args.size,
        start: args.start,
        days: args.days,
        account_id: args.account,
        organization_id: args.org,
        data_events: args.data_events,
        incident: args.incident,
        scenario: args.scenario,
        roaming: args.roaming,
        sources: if args.all_sources {
            Sources::all()
        } else {
            args.sources.clone()
        },
        threads: args.threads,
        compression_level: args.level,
        shape: args.shape,
        accounts: args.accounts,
    };
    let t0 = Instant::now();
    let summary = match generate(&cfg) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("cloudcase-gen: {e}");
            return ExitCode::FAILURE;
        }
    };
    let secs = t0.elapsed().as_secs_f64();
    if let Some(path) = &args.truth {
        if let Err(e) = summary.write_json(path) {
            eprintln!("cloudcase-gen: {e}");
            return ExitCode::FAILURE;
        }
    }
    if args.json {
        println!("{}", summary.to_json());
        return ExitCode::SUCCESS;
    }
    let v: serde_json::Value = serde_json::from_str(&summary.to_json()).unwrap_or_default();
    println!(
        "wrote {} files under {}",
        summary.files,
        args.out.join("AWSLogs").display()
    );
    println!("  files               {}", summary.files);
    println!("  records             {}", summary.records);
    println!(
        "  uncompressed        {} ({} bytes)",
        human(summary.uncompressed_bytes),
        summary.uncompressed_bytes
    );
    println!(
        "  compressed          {} ({} bytes)",
        human(summary.compressed_bytes),
        summary.compressed_bytes
    );
    if summary.shape == Shape::Busy {
        println!(
            "  shape               busy, {} account(s), {:.2} MB per file, {} bytes per record",
            summary.accounts.len(),
            summary.uncompressed_bytes as f64 / 1e6 / summary.files.max(1) as f64,
            summary.uncompressed_bytes / summary.records.max(1)
        );
        if summary.uncompressed_bytes > args.size {
            eprintln!("cloudcase-gen: note: the scenario's own files exceed --size");
        } else if summary.uncompressed_bytes < args.size / 10 * 9 {
            eprintln!(
                "cloudcase-gen: note: {} day(s) of busy windows hold less than --size; raise --days",
                args.days
            );
        }
    }
    println!("  home regions        {}", summary.home_regions.join(", "));
    println!(
        "  events              {} .. {}",
        v["first_event_time"].as_str().unwrap_or("-"),
        v["last_event_time"].as_str().unwrap_or("-")
    );
    println!("  distinct eventNames {}", summary.event_counts.len());
    let mut top: Vec<(&String, &u64)> = summary.event_counts.iter().collect();
    top.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    for (name, n) in top.iter().take(8) {
        println!("    {n:>10}  {name}");
    }
    if let Some(i) = &summary.incident {
        let inc = &v["incident"];
        println!("  incident");
        println!(
            "    leaked key        {} ({})",
            i.access_key_id, i.user_name
        );
        println!("    attacker IPs      {}", i.attacker_ips.join(", "));
        println!(
            "    first attacker    {} {} {}",
            inc["first_attacker_event_time"].as_str().unwrap_or("-"),
            i.first_attacker_event.event_name,
            i.first_attacker_event.event_id
        );
        println!("    created user      {}", i.created_users.join(", "));
        println!(
            "    created role      {} (trusts {})",
            i.created_roles.join(", "),
            i.external_account_id
        );
        for x in &i.instances {
            println!(
                "    instance          {} {} {}",
                x.instance_id, x.region, x.instance_type
            );
        }
        println!(
            "    containment       {} by {} from {}",
            inc["containment_time"].as_str().unwrap_or("-"),
            i.responder_user_name,
            i.responder_ip
        );
    }
    print_scenario(&summary, &v);
    print_sources(&summary);
    if let Some(p) = &args.truth {
        println!("  truth               {}", p.display());
    }
    println!(
        "  took                {:.2} s ({:.1} MB/s uncompressed)",
        secs,
        summary.uncompressed_bytes as f64 / 1e6 / secs.max(1e-9)
    );
    ExitCode::SUCCESS
}

/// Prints the new scenarios' truth (the leaked key is printed above).
fn print_scenario(summary: &Summary, v: &serde_json::Value) {
    if summary.scenario != Scenario::None {
        println!("  scenario            {}", summary.scenario);
    }
    if let Some(c) = &summary.credential {
        println!(
            "  stolen credential   {} ({} {})",
            c.access_key_id, c.compute, c.session_name
        );
        println!("    role              {}", c.role_arn);
        println!(
            "    attacker          {} {}",
            c.attacker_ip, c.attacker_user_agent
        );
        println!(
            "    first attacker    {} {} {}",
            v["credential"]["first_attacker_event"]["time"]
                .as_str()
                .unwrap_or("-"),
            c.first_attacker_event.event_name,
            c.first_attacker_event.event_id
        );
        if let (Some(role), Some(key)) = (&c.assumed_role_name, &c.assumed_access_key_id) {
            println!("    assumed role      {role} ({key})");
        }
        for b in &c.buckets_read {
            println!(
                "    bucket read       {b} ({} objects)",
                c.objects_read.len()
            );
        }
    }
    if let Some(r) = &summary.root {
        println!("  root takeover       from {}", r.attacker_ip);
        println!(
            "    first attacker    {} {} {}",
            v["root"]["first_attacker_event"]["time"]
                .as_str()
                .unwrap_or("-"),
            r.first_attacker_event.event_name,
            r.first_attacker_event.event_id
        );
        println!("    root key          {}", r.root_access_keys.join(", "));
        println!(
            "    created user      {} ({})",
            r.created_users.join(", "),
            r.created_access_keys.join(", ")
        );
        for x in &r.instances {
            println!(
                "    instance          {} {} {}",
                x.instance_id, x.region, x.instance_type
            );
        }
    }
    for o in &summary.roaming_owners {
        println!(
            "  roaming owner       {} {} (home {}, every {} d)",
            o.user_name,
            o.access_key_id,
            o.home_ranges.join(" "),
            o.home_lease_days
        );
    }
}

/// Prints what the sources beside CloudTrail show.
fn print_sources(summary: &Summary) {
    let Some(s) = &summary.sources else {
        return;
    };
    println!("  sources             {}", s.written.join(", "));
    if let Some(a) = &s.s3_access {
        println!(
            "    s3 access logs    {} files, {} lines in {} ({} buckets)",
            a.files,
            a.lines,
            a.log_bucket,
            a.buckets_logged.len()
        );
        for b in &a.accessed {
            println!(
                "    bucket accessed   {} by {} ({} objects, {} bytes)",
                b.bucket,
                b.principals.join(", "),
                b.objects.len(),
                b.object_bytes_sent
            );
        }
    }
    if let Some(f) = &s.vpc_flow {
        println!(
            "    vpc flow logs     {} files, {} records, {} flow logs",
            f.files,
            f.records,
            f.flow_logs.len()
        );
        for x in &f.attacker_instances {
            println!(
                "    attacker eni      {} {} {} ({} bytes out to {})",
                x.instance_id,
                x.network_interface_id,
                x.private_ip,
                x.bytes_out_to_attacker,
                x.attacker_ip
            );
        }
    }
    if let Some(d) = &s.route53_resolver {
        println!(
            "    resolver logs     {} files, {} queries; mining {}",
            d.files,
            d.records,
            d.mining_domains.join(", ")
        );
    }
    if let Some(g) = &s.guardduty {
        let attack = g.findings.iter().filter(|f| f.attack).count();
        println!(
            "    guardduty         {} files, {} findings ({attack} of the attack)",
            g.files,
            g.findings.len()
        );
    }
    if let Some(b) = &s.billing {
        println!(
            "    cost and usage    {} files, {} line items; attacker ${:.2}",
            b.files,
            b.line_items,
            b.attacker_cost_micro_usd as f64 / 1e6
        );
    }
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_parse() {
        assert_eq!(parse_size("10KB"), Ok(10_000));
        assert_eq!(parse_size("500MB"), Ok(500_000_000));
        assert_eq!(parse_size("2GB"), Ok(2_000_000_000));
        assert_eq!(parse_size("1.5gb"), Ok(1_500_000_000));
        assert_eq!(parse_size("1KiB"), Ok(1024));
        assert_eq!(parse_size("1234"), Ok(1234));
        assert!(parse_size("12XB").is_err());
        assert!(parse_size("MB").is_err());
    }
}
