//! The benchmark's table: one row per measurement, with its ratios to the baseline; or
//! the same as JSON (`--json`), for scripts that compare runs.

use std::fmt::Write as _;
use std::time::Duration;

use serde_json::json;

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
    /// CPU time of this process over `elapsed` (every thread; the broker, registry and
    /// emulator are other processes); `None` where something else shares the process.
    pub cpu: Option<Duration>,
    /// The process's peak resident memory during the run, where Linux reports it.
    pub peak_memory: Option<u64>,
    /// What was resident when the run started (the peak includes it): the engine, the
    /// runtime, what earlier runs left mapped.
    pub resident_at_start: Option<u64>,
    /// The Kinetica emulator's CPU time over `elapsed` (a pipeline run's).
    pub emulator_cpu: Option<Duration>,
    /// The share of the machine's CPU time spent busy over `elapsed`, every process
    /// counted (1.0: all cores busy throughout).
    pub machine_busy: Option<f64>,
}

impl Measurement {
    pub fn records_per_second(&self) -> f64 {
        per_second(self.records, self.elapsed)
    }

    /// CPU microseconds per record.
    pub fn cpu_per_record(&self) -> Option<f64> {
        self.cpu.map(|cpu| self.per_record(cpu))
    }

    /// The emulator's CPU microseconds per record.
    pub fn emulator_cpu_per_record(&self) -> Option<f64> {
        self.emulator_cpu.map(|cpu| self.per_record(cpu))
    }

    fn per_record(&self, cpu: Duration) -> f64 {
        cpu.as_secs_f64() * 1e6 / self.records.max(1) as f64
    }
}

/// A run's ratios to the baseline: records/s (higher is better) and CPU per record
/// (lower is better).
fn ratios(baseline: &Measurement, m: &Measurement) -> (f64, Option<f64>) {
    let rate = m.records_per_second() / baseline.records_per_second().max(f64::MIN_POSITIVE);
    let cpu = m
        .cpu_per_record()
        .zip(baseline.cpu_per_record())
        .map(|(cpu, raw)| cpu / raw.max(f64::MIN_POSITIVE));
    (rate, cpu)
}

/// A number for the table, `?` where it was not measured.
fn shown(value: Option<f64>, decimals: usize) -> String {
    shown_or(value, decimals, "?")
}

/// A number for the table, `missing` where there is none (`-`: a number only some rows
/// have, such as the emulator's, which only pipeline runs have).
fn shown_or(value: Option<f64>, decimals: usize, missing: &str) -> String {
    value.map_or(missing.to_owned(), |v| format!("{v:.decimals$}"))
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
        "{:<width$}  {:>11}  {:>12}  {:>8}  {:>10}  {:>8}  {:>10}  {:>6}  {:>8}  {:>8}  {:>8}  {:>8}",
        "",
        "records",
        "records/s",
        "MB/s",
        "CPU µs/rec",
        "peak MB",
        "emu µs/rec",
        "busy %",
        "time",
        "set-up",
        "CPU/raw",
        "vs raw"
    );
    for (m, ratios) in
        std::iter::once((baseline, None)).chain(runs.iter().map(|m| (m, Some(ratios(baseline, m)))))
    {
        let (rate, cpu) = match ratios {
            Some((rate, cpu)) => (format!("{rate:.3}"), shown(cpu, 2)),
            None => ("-".to_owned(), "-".to_owned()),
        };
        let _ = writeln!(
            out,
            "{:<width$}  {:>11}  {:>12}  {:>8.1}  {:>10}  {:>8}  {:>10}  {:>6}  {:>8}  {:>8}  {:>8}  {:>8}",
            m.label,
            count(m.records),
            count(m.records_per_second().round() as u64),
            per_second(m.bytes, m.elapsed) / 1e6,
            shown(m.cpu_per_record(), 2),
            shown(m.peak_memory.map(|b| b as f64 / 1e6), 0),
            shown_or(m.emulator_cpu_per_record(), 2, "-"),
            shown_or(m.machine_busy.map(|b| b * 100.0), 0, "-"),
            seconds(m.elapsed),
            seconds(m.setup),
            cpu,
            rate,
        );
    }
    out
}

/// The same as [`render`], as one JSON document; `about` describes the run (records,
/// sizes, partitions, consumer properties).
pub fn to_json(
    about: serde_json::Value,
    baseline: &Measurement,
    runs: &[Measurement],
) -> serde_json::Value {
    let row = |m: &Measurement, ratios: Option<(f64, Option<f64>)>| {
        json!({
            "label": m.label,
            "records": m.records,
            "bytes": m.bytes,
            "seconds": m.elapsed.as_secs_f64(),
            "setup_seconds": m.setup.as_secs_f64(),
            "records_per_second": m.records_per_second(),
            "megabytes_per_second": per_second(m.bytes, m.elapsed) / 1e6,
            "cpu_seconds": m.cpu.map(|c| c.as_secs_f64()),
            "cpu_microseconds_per_record": m.cpu_per_record(),
            "peak_memory_bytes": m.peak_memory,
            "resident_at_start_bytes": m.resident_at_start,
            "emulator_cpu_microseconds_per_record": m.emulator_cpu_per_record(),
            "machine_busy": m.machine_busy,
            "rate_vs_raw": ratios.map(|r| r.0),
            "cpu_per_record_vs_raw": ratios.and_then(|r| r.1),
        })
    };
    json!({
        "run": about,
        "baseline": row(baseline, None),
        "pipelines": runs.iter().map(|m| row(m, Some(ratios(baseline, m)))).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(label: &str, records: u64, millis: u64, cpu_millis: u64) -> Measurement {
        Measurement {
            label: label.to_owned(),
            records,
            bytes: records * 106,
            elapsed: Duration::from_millis(millis),
            setup: Duration::from_millis(1500),
            cpu: Some(Duration::from_millis(cpu_millis)),
            peak_memory: Some(48_000_000),
            resident_at_start: Some(20_000_000),
            emulator_cpu: Some(Duration::from_millis(cpu_millis / 2)),
            machine_busy: Some(0.875),
        }
    }

    #[test]
    fn rows_carry_rates_cpu_memory_and_the_ratios_to_the_baseline() {
        let text = render(
            &m("raw librdkafka consume", 500_000, 250, 250),
            &[m("pipeline, multi-head", 500_000, 1000, 1000)],
        );
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].contains("records") && lines[0].contains("vs raw"));
        assert!(lines[0].contains("CPU µs/rec") && lines[0].contains("peak MB"));
        let baseline = lines[1].strip_prefix("raw librdkafka consume");
        let records = baseline.and_then(|rest| rest.split_whitespace().next());
        assert_eq!(records, Some("500,000"), "{text}");
        assert!(lines[1].contains("2,000,000") && lines[1].trim_end().ends_with('-'));
        let columns: Vec<&str> = lines[2].split_whitespace().collect();
        // records, records/s, MB/s, CPU µs per record, peak MB, the emulator's CPU µs
        // per record, busy %, …, CPU/raw, vs raw.
        assert_eq!(
            columns[2..9],
            ["500,000", "500,000", "53.0", "2.00", "48", "1.00", "88"],
            "{text}"
        );
        assert_eq!(columns[columns.len() - 2..], ["4.00", "0.250"], "{text}");
    }

    #[test]
    fn json_has_the_same_numbers() {
        let doc = to_json(
            json!({"records": 500_000}),
            &m("raw", 500_000, 250, 250),
            &[m("pipeline", 500_000, 1000, 1000)],
        );
        let pipeline = &doc["pipelines"][0];
        assert_eq!(pipeline["label"], "pipeline");
        assert_eq!(pipeline["rate_vs_raw"], 0.25);
        assert_eq!(pipeline["cpu_per_record_vs_raw"], 4.0);
        assert_eq!(pipeline["cpu_microseconds_per_record"], 2.0);
        assert_eq!(pipeline["emulator_cpu_microseconds_per_record"], 1.0);
        assert_eq!(pipeline["machine_busy"], 0.875);
        assert_eq!(pipeline["resident_at_start_bytes"], 20_000_000);
        assert_eq!(doc["baseline"]["rate_vs_raw"], serde_json::Value::Null);
        assert_eq!(doc["run"]["records"], 500_000);
    }
}
