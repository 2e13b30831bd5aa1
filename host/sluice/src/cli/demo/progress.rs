//! Progress while the demo runs, on stderr (stdout is kept for the summary, which
//! scripts and tests read): a bar on a terminal, else one line per second.

use std::io::Write;
use std::time::{Duration, Instant};

use crate::demo::units::{count, per_second};
use crate::progress_bar::Bar;

/// The counters a progress line shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub produced: u64,
    pub consumed: u64,
    pub written: u64,
}

/// Prints a line at most once per [`Progress::INTERVAL`], with the write rate since the
/// previous line.
pub struct Progress {
    started: Instant,
    last: Option<(Instant, Counts)>,
    /// On a terminal: the bar, of records written.
    bar: Option<Bar>,
}

impl Progress {
    pub const INTERVAL: Duration = Duration::from_secs(1);

    /// Progress towards `records` written.
    pub fn new(started: Instant, records: u64) -> Progress {
        Progress {
            started,
            last: None,
            bar: Bar::on_terminal(records, "written", false),
        }
    }

    /// Prints `counts` if a line is due (moves the bar, on a terminal).
    pub fn tick(&mut self, now: Instant, counts: Counts) {
        if let Some(bar) = &self.bar {
            bar.set(
                counts.written,
                format!(
                    "produced {}, consumed {}",
                    count(counts.produced),
                    count(counts.consumed)
                ),
            );
            return;
        }
        let since = self.last.map_or(self.started, |(at, _)| at);
        if now.duration_since(since) < Self::INTERVAL {
            return;
        }
        let previous = self.last.map_or(0, |(_, c)| c.written);
        let rate = per_second(counts.written.saturating_sub(previous), now - since);
        let line = line(now - self.started, counts, rate);
        // Progress is a courtesy: a closed stderr must not stop the demo.
        let _ = writeln!(std::io::stderr(), "{line}");
        self.last = Some((now, counts));
    }
}

fn line(elapsed: Duration, c: Counts, rate: f64) -> String {
    // Until the consumer group has formed (about 3 s on the mock cluster) nothing moves.
    let note = if c.consumed == 0 {
        "joining the consumer group".to_owned()
    } else {
        format!("{} records/s", count(rate.round() as u64))
    };
    format!(
        "[{:>5.1} s] produced {:>9}  consumed {:>9}  written {:>9}  ({note})",
        elapsed.as_secs_f64(),
        count(c.produced),
        count(c.consumed),
        count(c.written),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_shows_the_counters_and_the_rate() {
        let c = Counts {
            produced: 100_000,
            consumed: 52_000,
            written: 50_000,
        };
        assert_eq!(
            line(Duration::from_millis(2500), c, 24_999.6),
            "[  2.5 s] produced   100,000  consumed    52,000  written    50,000  (25,000 records/s)"
        );
        let waiting = Counts {
            consumed: 0,
            written: 0,
            ..c
        };
        assert!(
            line(Duration::from_secs(1), waiting, 0.0).ends_with("(joining the consumer group)")
        );
    }
}
