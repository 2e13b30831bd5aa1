//! Guest logging (`sluice:plugin/host.log`), routed to `tracing` and rate limited so a
//! chatty or hostile guest cannot flood the daemon's logs.

use std::time::{Duration, Instant};

use crate::bindings::transform::sluice::plugin::host::{Host, Level};
use crate::state::HostState;

/// Lines a guest may log per window; the rest are counted and reported once.
const LINES_PER_WINDOW: u32 = 100;
const WINDOW: Duration = Duration::from_secs(1);
/// Guest messages are cut to this many bytes.
const MAX_LINE: usize = 4096;

#[derive(Debug)]
pub struct GuestLog {
    window_start: Instant,
    lines: u32,
    suppressed: u64,
}

impl Default for GuestLog {
    fn default() -> Self {
        GuestLog {
            window_start: Instant::now(),
            lines: 0,
            suppressed: 0,
        }
    }
}

impl GuestLog {
    /// Whether a line may be written now; reports suppressed lines when a window ends.
    fn admit(&mut self, component: &str) -> bool {
        let now = Instant::now();
        if now.duration_since(self.window_start) >= WINDOW {
            if self.suppressed > 0 {
                tracing::warn!(
                    component,
                    suppressed = self.suppressed,
                    "guest log lines dropped by the rate limit"
                );
            }
            self.window_start = now;
            self.lines = 0;
            self.suppressed = 0;
        }
        if self.lines < LINES_PER_WINDOW {
            self.lines += 1;
            true
        } else {
            self.suppressed += 1;
            false
        }
    }
}

fn truncate(message: &str) -> &str {
    if message.len() <= MAX_LINE {
        return message;
    }
    let mut end = MAX_LINE;
    while !message.is_char_boundary(end) {
        end -= 1;
    }
    &message[..end]
}

impl Host for HostState {
    fn log(&mut self, level: Level, message: String) {
        if !self.log.admit(&self.component) {
            return;
        }
        let component = self.component.as_str();
        let message = truncate(&message);
        // Guest messages may contain record data, so even a guest's `info` goes to the
        // daemon's DEBUG level; `warn` and `error` keep their level.
        match level {
            Level::Trace => tracing::trace!(target: "sluice::guest", component, "{message}"),
            Level::Debug | Level::Info => {
                tracing::debug!(target: "sluice::guest", component, "{message}");
            }
            Level::Warn => tracing::warn!(target: "sluice::guest", component, "{message}"),
            Level::Error => tracing::error!(target: "sluice::guest", component, "{message}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rate_limit_admits_a_window_then_suppresses() {
        let mut log = GuestLog::default();
        let admitted = (0..LINES_PER_WINDOW + 50)
            .filter(|_| log.admit("t"))
            .count();
        assert_eq!(admitted as u32, LINES_PER_WINDOW);
        assert_eq!(log.suppressed, 50);
    }

    #[test]
    fn long_lines_are_cut_on_a_char_boundary() {
        let line = "é".repeat(MAX_LINE);
        let cut = truncate(&line);
        assert!(cut.len() <= MAX_LINE);
        assert!(cut.chars().all(|c| c == 'é'));
    }
}
