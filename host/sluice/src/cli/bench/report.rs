//! The benchmark's table: one row per measurement, with its ratio to the baseline.

use std::fmt::Write as _;
use std::time::Duration;

use crate::demo::units::{count, per_second, seconds};

/// One measured run: `records` (and `bytes` of keys and values) in `elapsed`, from the
/// first record read to the last one done, so that connecting, joining the consumer
/// group and compiling components are not counted.
#[derive(Debug, Clone)]
pub struct Measurement {
    pub label: String,
    pub records: u64,
    pub bytes: u64,
    pub elapsed: Duration,
    /// Until the first record arrived, after the run started.
    pub setup: Duration,
}

impl Measurement {
    pub fn records_per_second(&self) -> f64 {
        per_second(self.records, self.elapsed)
    }
}

/// The table; ratios are against `baseline`.
pub fn render(baseline: &Measurement, runs: &[Measurement]) -> String {
    let width = std::iter::once(baseline)
        .chain(runs)
        .map(|m| m.label.len())
        .max()
        .unwrap_or(0);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<width$}  {:>11}  {:>12}  {:>8}  {:>8}  {:>8}  {:>9}",
        "", "records", "records/s", "MB/s", "time", "set-up", "vs raw"
    );
    for (m, ratio) in std::iter::once((baseline, None)).chain(runs.iter().map(|m| {
        let ratio = m.records_per_second() / baseline.records_per_second().max(f64::MIN_POSITIVE);
        (m, Some(ratio))
    })) {
        let _ = writeln!(
            out,
            "{:<width$}  {:>11}  {:>12}  {:>8.1}  {:>8}  {:>8}  {:>9}",
            m.label,
            count(m.records),
            count(m.records_per_second().round() as u64),
            per_second(m.bytes, m.elapsed) / 1e6,
            seconds(m.elapsed),
            seconds(m.setup),
            ratio.map_or("-".to_owned(), |r| format!("{r:.3}")),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(label: &str, records: u64, millis: u64) -> Measurement {
        Measurement {
            label: label.to_owned(),
            records,
            bytes: records * 106,
            elapsed: Duration::from_millis(millis),
            setup: Duration::from_millis(1500),
        }
    }

    #[test]
    fn rows_carry_rates_and_the_ratio_to_the_baseline() {
        let text = render(
            &m("raw librdkafka consume", 500_000, 250),
            &[m("pipeline, multi-head", 500_000, 1000)],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("records") && lines[0].contains("vs raw"));
        let baseline = lines[1].strip_prefix("raw librdkafka consume");
        let records = baseline.and_then(|rest| rest.split_whitespace().next());
        assert_eq!(records, Some("500,000"), "{text}");
        assert!(lines[1].contains("2,000,000") && lines[1].trim_end().ends_with('-'));
        assert!(
            lines[2].contains("500,000") && lines[2].contains("53.0"),
            "{text}"
        );
        assert!(lines[2].trim_end().ends_with("0.250"), "{text}");
    }
}
