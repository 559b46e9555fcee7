//! The cost estimate: instance running time × on-demand price, per run, per region, per type
//! and overall, with every assumption written out so a reader knows what the number is.

use std::collections::BTreeMap;

use cloudcase_model::cost::{Cost, GroupTotal, InstanceCost};

use crate::table::PriceTable;

/// AWS bills Linux on-demand instances per second with a 60-second minimum per start.
pub const MINIMUM_BILLED_SECONDS: i64 = 60;

/// One interval during which an instance ran, as reconstructed from the logs: from its
/// `RunInstances` (or `StartInstances`) to its `TerminateInstances` / `StopInstances`. An
/// instance that was stopped and started again is two runs.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct InstanceRun {
    /// The EC2 instance id (`i-0123…`).
    pub instance_id: String,
    /// The region code the instance ran in (`us-east-1`).
    pub region: String,
    /// The instance type (`p3.2xlarge`).
    pub instance_type: String,
    /// When it started, in milliseconds since the Unix epoch (UTC).
    pub start: i64,
    /// When it stopped or was terminated, in milliseconds since the Unix epoch; `None` when the
    /// logs show no end, i.e. it was still running at the end of the logs.
    pub end: Option<i64>,
}

/// Estimates the on-demand cost of `runs`, counting runs with no logged end up to `logs_end_ms`
/// (the time of the last log record, milliseconds since the Unix epoch). Prices come from
/// `table`; runs with no price are flagged in their notes and in `unpriced_runs`, and the
/// assumptions then say the total is a lower bound.
pub fn estimate(runs: &[InstanceRun], logs_end_ms: i64, table: &PriceTable) -> Cost {
    let mut instances = Vec::with_capacity(runs.len());
    let mut by_region: BTreeMap<String, GroupTotal> = BTreeMap::new();
    let mut by_type: BTreeMap<String, GroupTotal> = BTreeMap::new();
    let mut total_hours = 0.0;
    let mut total_usd = 0.0;
    let mut unpriced_runs = 0;

    for run in runs {
        let mut notes = Vec::new();
        let (end, still_running) = match run.end {
            Some(end) => (end, false),
            None => {
                notes.push(
                    "still running at end of logs: counted to the end of the logs".to_string(),
                );
                (logs_end_ms, true)
            }
        };
        let billed_seconds = if end < run.start {
            notes.push(format!(
                "end ({end} ms) is before start ({} ms): counted as 0 s",
                run.start
            ));
            0
        } else {
            // Rounded up to the whole second, then the 60-second minimum of each start.
            let seconds = (end - run.start + 999) / 1000;
            if seconds < MINIMUM_BILLED_SECONDS {
                notes.push(format!(
                    "ran {seconds} s: billed the {MINIMUM_BILLED_SECONDS} s minimum"
                ));
            }
            seconds.max(MINIMUM_BILLED_SECONDS)
        };
        let hours = billed_seconds as f64 / 3600.0;
        let usd_per_hour = table.hourly(&run.region, &run.instance_type);
        let cost_usd = usd_per_hour.map(|rate| hours * rate);
        if usd_per_hour.is_none() {
            notes.push(format!(
                "no price for {} in {}: not included in the totals",
                run.instance_type, run.region
            ));
            unpriced_runs += 1;
        }

        for (groups, key) in [
            (&mut by_region, &run.region),
            (&mut by_type, &run.instance_type),
        ] {
            let group = groups.entry(key.clone()).or_insert_with(|| GroupTotal {
                key: key.clone(),
                runs: 0,
                hours: 0.0,
                cost_usd: 0.0,
                unpriced_runs: 0,
            });
            group.runs += 1;
            group.hours += hours;
            match cost_usd {
                Some(cost) => group.cost_usd += cost,
                None => group.unpriced_runs += 1,
            }
        }
        total_hours += hours;
        total_usd += cost_usd.unwrap_or(0.0);

        instances.push(InstanceCost {
            instance_id: run.instance_id.clone(),
            region: run.region.clone(),
            instance_type: run.instance_type.clone(),
            start: run.start,
            end,
            still_running,
            billed_seconds,
            hours,
            usd_per_hour,
            cost_usd,
            notes,
        });
    }

    let mut assumptions = vec![
        "on-demand Linux list prices (shared tenancy, no pre-installed software), in USD".to_string(),
        "per-second billing, rounded up to the second, with a 60 s minimum per run".to_string(),
        "time counted from RunInstances/StartInstances to TerminateInstances/StopInstances, or to the end of the logs for instances still running".to_string(),
        "not included: EBS volumes and snapshots, data transfer, Elastic IPs, Windows or other licensed software, and any discounts; spot instances are priced as on-demand".to_string(),
    ];
    if !table.comments().is_empty() {
        assumptions.push(format!("price table: {}", table.comments().join(" ")));
    }
    if unpriced_runs > 0 {
        assumptions.push(format!(
            "{unpriced_runs} run(s) have no price in the table and are left out: the total is a lower bound"
        ));
    }

    Cost {
        currency: "USD".to_owned(),
        instances,
        by_region: by_region.into_values().collect(),
        by_type: by_type.into_values().collect(),
        total_hours,
        total_usd,
        unpriced_runs,
        assumptions,
        actual: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR_MS: i64 = 3_600_000;
    const T0: i64 = 1_718_000_000_000;

    fn run(id: &str, region: &str, ty: &str, start: i64, end: Option<i64>) -> InstanceRun {
        InstanceRun {
            instance_id: id.into(),
            region: region.into(),
            instance_type: ty.into(),
            start,
            end,
        }
    }

    #[test]
    fn two_p3_for_ten_hours_cost_two_times_ten_times_the_rate() {
        let table = PriceTable::builtin();
        let rate = table.hourly("us-east-1", "p3.2xlarge").unwrap();
        let runs = [
            run(
                "i-1",
                "us-east-1",
                "p3.2xlarge",
                T0,
                Some(T0 + 10 * HOUR_MS),
            ),
            run(
                "i-2",
                "us-east-1",
                "p3.2xlarge",
                T0 + 5,
                Some(T0 + 5 + 10 * HOUR_MS),
            ),
        ];
        let est = estimate(&runs, T0 + 20 * HOUR_MS, &table);
        assert!(
            (est.total_usd - 2.0 * 10.0 * rate).abs() < 1e-9,
            "{}",
            est.total_usd
        );
        assert!((est.total_hours - 20.0).abs() < 1e-9);
        assert_eq!(est.unpriced_runs, 0);
        for cost in &est.instances {
            assert_eq!(cost.billed_seconds, 36_000);
            assert_eq!(cost.usd_per_hour, Some(rate));
            assert!((cost.cost_usd.unwrap() - 10.0 * rate).abs() < 1e-9);
            assert!(cost.notes.is_empty(), "{:?}", cost.notes);
        }
        assert_eq!(est.by_region.len(), 1);
        assert_eq!(est.by_region[0].key, "us-east-1");
        assert_eq!(est.by_region[0].runs, 2);
        assert_eq!(est.by_type[0].key, "p3.2xlarge");
        assert!((est.by_type[0].cost_usd - 20.0 * rate).abs() < 1e-9);
        assert_eq!(est.currency, "USD");
    }

    #[test]
    fn totals_per_region_and_type_add_up() {
        let table = PriceTable::from_csv(
            "region,instance_type,usd_per_hour\nus-east-1,g4dn.xlarge,0.5\neu-west-1,g4dn.xlarge,0.6\neu-west-1,c5.large,0.1\n",
        )
        .unwrap();
        let runs = [
            run(
                "i-a",
                "us-east-1",
                "g4dn.xlarge",
                T0,
                Some(T0 + 2 * HOUR_MS),
            ),
            run(
                "i-b",
                "eu-west-1",
                "g4dn.xlarge",
                T0,
                Some(T0 + 3 * HOUR_MS),
            ),
            run("i-c", "eu-west-1", "c5.large", T0, Some(T0 + 4 * HOUR_MS)),
        ];
        let est = estimate(&runs, T0 + 10 * HOUR_MS, &table);
        let expected = 2.0 * 0.5 + 3.0 * 0.6 + 4.0 * 0.1;
        assert!((est.total_usd - expected).abs() < 1e-9);
        let regions: Vec<(&str, f64)> = est
            .by_region
            .iter()
            .map(|g| (g.key.as_str(), g.cost_usd))
            .collect();
        assert_eq!(regions[0].0, "eu-west-1");
        assert!((regions[0].1 - (1.8 + 0.4)).abs() < 1e-9);
        assert_eq!(regions[1].0, "us-east-1");
        assert!((regions[1].1 - 1.0).abs() < 1e-9);
        let types: Vec<(&str, u64, f64)> = est
            .by_type
            .iter()
            .map(|g| (g.key.as_str(), g.runs, g.hours))
            .collect();
        assert_eq!(types[0].0, "c5.large");
        assert_eq!(types[1], ("g4dn.xlarge", 2, 5.0));
    }

    #[test]
    fn still_running_is_counted_to_the_end_of_the_logs_and_said_so() {
        let table = PriceTable::builtin();
        let rate = table.hourly("ap-northeast-1", "g4dn.xlarge").unwrap();
        let logs_end = T0 + 7 * HOUR_MS + 30 * 60_000;
        let est = estimate(
            &[run("i-run", "ap-northeast-1", "g4dn.xlarge", T0, None)],
            logs_end,
            &table,
        );
        let cost = &est.instances[0];
        assert!(cost.still_running);
        assert_eq!(cost.end, logs_end);
        assert!((cost.hours - 7.5).abs() < 1e-12);
        assert!((est.total_usd - 7.5 * rate).abs() < 1e-9);
        assert!(cost
            .notes
            .iter()
            .any(|n| n == "still running at end of logs: counted to the end of the logs"));
    }

    #[test]
    fn unknown_price_is_flagged_not_silently_zero() {
        let table = PriceTable::builtin();
        let runs = [
            run("i-x", "us-east-1", "z9.mega", T0, Some(T0 + HOUR_MS)),
            run("i-y", "us-east-1", "c5.large", T0, Some(T0 + HOUR_MS)),
        ];
        let est = estimate(&runs, T0 + HOUR_MS, &table);
        let unknown = &est.instances[0];
        assert_eq!(unknown.usd_per_hour, None);
        assert_eq!(unknown.cost_usd, None);
        assert!(unknown
            .notes
            .iter()
            .any(|n| n.contains("no price for z9.mega in us-east-1")));
        assert_eq!(est.unpriced_runs, 1);
        assert!(est.assumptions.iter().any(|a| a.contains("lower bound")));
        let z9 = est.by_type.iter().find(|g| g.key == "z9.mega").unwrap();
        assert_eq!(z9.unpriced_runs, 1);
        assert_eq!(z9.cost_usd, 0.0);
        assert!((z9.hours - 1.0).abs() < 1e-12, "hours are still counted");
        let c5 = table.hourly("us-east-1", "c5.large").unwrap();
        assert!((est.total_usd - c5).abs() < 1e-9);
        assert_eq!(est.by_region[0].unpriced_runs, 1);
    }

    #[test]
    fn billing_rounds_up_to_the_second_with_a_minute_minimum() {
        let table = PriceTable::builtin();
        let runs = [
            run("i-short", "us-east-1", "t3.micro", T0, Some(T0 + 12_000)),
            run("i-frac", "us-east-1", "t3.micro", T0, Some(T0 + 90_001)),
            run("i-zero", "us-east-1", "t3.micro", T0, Some(T0)),
            run("i-back", "us-east-1", "t3.micro", T0, Some(T0 - 1)),
        ];
        let est = estimate(&runs, T0, &table);
        let secs: Vec<i64> = est.instances.iter().map(|c| c.billed_seconds).collect();
        assert_eq!(secs, [60, 91, 60, 0]);
        assert!(est.instances[0].notes[0].contains("60 s minimum"));
        assert!(est.instances[3].notes[0].contains("before start"));
    }

    #[test]
    fn assumptions_are_stated_and_json_serializes() {
        let est = estimate(
            &[run("i-1", "us-east-1", "c5.large", T0, None)],
            T0 + HOUR_MS,
            &PriceTable::builtin(),
        );
        let all = est.assumptions.join("\n");
        for needle in [
            "on-demand Linux",
            "USD",
            "per-second",
            "60 s minimum",
            "EBS",
            "data transfer",
            "spot",
            "RunInstances",
            "TerminateInstances",
            "end of the logs",
            "APPROXIMATE",
        ] {
            assert!(all.contains(needle), "{needle} missing from {all}");
        }
        let json = serde_json::to_value(&est).unwrap();
        assert_eq!(json["currency"], "USD");
        assert_eq!(json["instances"][0]["still_running"], true);
        assert!(json["by_region"][0]["cost_usd"].as_f64().unwrap() > 0.0);
    }
}
