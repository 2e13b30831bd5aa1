//! The demo's closing report, on stdout.

use std::fmt::Write as _;
use std::time::Duration;

use super::verify::Coverage;
use crate::demo::units::{count, megabytes, megabytes_per_second, records_per_second, seconds};

#[derive(Debug, Clone)]
pub struct Summary {
    pub produced: u64,
    pub produced_bytes: u64,
    pub consumed: u64,
    pub consumed_bytes: u64,
    pub written: u64,
    pub dead_lettered: u64,
    /// Every table in Kinetica with its row count, as the emulator reports them.
    pub tables: Vec<(String, u64)>,
    /// From the first record consumed to the last row written.
    pub elapsed: Duration,
    /// The whole run, start-up of Kafka, Kinetica and the pipeline included.
    pub wall: Duration,
    pub coverage: Coverage,
}

impl Summary {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let mut line = |label: &str, value: String| {
            let _ = writeln!(out, "  {:<22} {value}", format!("{label}:"));
        };
        line(
            "records produced",
            format!(
                "{} ({})",
                count(self.produced),
                megabytes(self.produced_bytes)
            ),
        );
        line("records consumed", count(self.consumed));
        line("records written", count(self.written));
        line("records dead-lettered", count(self.dead_lettered));
        if self.tables.is_empty() {
            line("rows in Kinetica", "no tables".to_owned());
        }
        for (i, (table, rows)) in self.tables.iter().enumerate() {
            let label = if i == 0 { "rows in Kinetica" } else { "" };
            line(label, format!("{table}: {}", count(*rows)));
        }
        line(
            "throughput",
            format!(
                "{}, {}",
                records_per_second(self.written, self.elapsed),
                megabytes_per_second(self.consumed_bytes, self.elapsed)
            ),
        );
        line(
            "wall time",
            format!(
                "{} ({} moving records)",
                seconds(self.wall),
                seconds(self.elapsed)
            ),
        );
        format!("Summary\n{out}{}", self.verdict())
    }

    /// The last line(s): OK or what is missing.
    fn verdict(&self) -> String {
        let c = &self.coverage;
        let mut out = String::new();
        if c.duplicates > 0 {
            let _ = writeln!(
                out,
                "note: {} record(s) were written twice (at-least-once delivery retried a batch)",
                count(c.duplicates)
            );
        }
        if c.strays > 0 {
            let _ = writeln!(
                out,
                "note: {} row(s) name a partition and offset the topic does not have",
                count(c.strays)
            );
        }
        if c.is_complete() {
            let how = if c.by_offset {
                "every partition and offset checked"
            } else {
                "rows counted"
            };
            let _ = writeln!(
                out,
                "OK: all {} records are in Kinetica ({how}).",
                count(c.expected)
            );
            return out;
        }
        let _ = write!(
            out,
            "FAILED: {} of {} records are not in Kinetica",
            count(c.missing_count()),
            count(c.expected)
        );
        if c.by_offset {
            let parts: Vec<String> = c
                .missing
                .iter()
                .map(|m| {
                    format!(
                        "partition {}: {} missing, the first at offset {}",
                        m.partition,
                        count(m.count),
                        m.first_offset
                    )
                })
                .collect();
            let _ = write!(out, " ({})", parts.join("; "));
        } else {
            let _ = write!(out, " ({} rows found)", count(c.rows));
        }
        out.push_str(".\n");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::super::verify::Missing;
    use super::*;

    fn summary(coverage: Coverage) -> Summary {
        Summary {
            produced: 2000,
            produced_bytes: 2_600_000,
            consumed: 2000,
            consumed_bytes: 2_600_000,
            written: 2000,
            dead_lettered: 0,
            tables: vec![("ki_home.stocks".into(), 2000)],
            elapsed: Duration::from_secs(2),
            wall: Duration::from_secs(3),
            coverage,
        }
    }

    fn complete() -> Coverage {
        Coverage {
            expected: 2000,
            rows: 2000,
            missing: Vec::new(),
            duplicates: 0,
            strays: 0,
            by_offset: true,
        }
    }

    #[test]
    fn a_complete_run_says_ok() {
        let text = summary(complete()).render();
        assert!(
            text.contains("  records produced:      2,000 (2.6 MB)\n"),
            "{text}"
        );
        assert!(
            text.contains("  rows in Kinetica:      ki_home.stocks: 2,000\n"),
            "{text}"
        );
        assert!(
            text.contains("  throughput:            1,000 records/s, 1.3 MB/s\n"),
            "{text}"
        );
        assert!(text.ends_with(
            "OK: all 2,000 records are in Kinetica (every partition and offset checked).\n"
        ));
    }

    #[test]
    fn an_incomplete_run_names_what_is_missing() {
        let coverage = Coverage {
            rows: 1999,
            missing: vec![Missing {
                partition: 3,
                count: 2,
                first_offset: 40,
            }],
            duplicates: 1,
            ..complete()
        };
        let text = summary(coverage).render();
        assert!(
            text.contains("note: 1 record(s) were written twice"),
            "{text}"
        );
        assert!(
            text.ends_with(
                "FAILED: 2 of 2,000 records are not in Kinetica \
                 (partition 3: 2 missing, the first at offset 40).\n"
            ),
            "{text}"
        );
    }
}
