//! A task waiting out a failure: while it retries, the pipeline is *degraded*. The
//! task says so once when it starts waiting and once when it recovers (WARN both; the
//! attempts in between are DEBUG), and the state is in [`crate::PipelineStatus`] and
//! the metrics (`degraded_tasks`, `outages`) for as long as it lasts.

use std::time::{Duration, Instant, SystemTime};

use tracing::{debug, warn};

use crate::metrics::PipelineMetrics;
use crate::shared::Shared;

/// A task that is retrying instead of moving records, as status reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DegradedTask {
    /// The task's number.
    pub task: usize,
    /// What it waits for: `Kinetica`, `the dead letter queue `dlq``, `transform `mask``.
    pub waiting_for: String,
    /// When the first attempt failed.
    pub since: SystemTime,
    /// The last attempt's error (never record contents or secrets).
    pub reason: String,
    /// Attempts so far, the first included.
    pub attempts: u32,
}

/// One outage as one task lives through it; ends with [`Outage::recovered`] or by
/// being dropped (the task gave up or is stopping).
pub(crate) struct Outage<'a> {
    shared: &'a Shared,
    task: usize,
    waiting_for: String,
    started: Instant,
}

impl<'a> Outage<'a> {
    /// The first failure: marks the task degraded and says so.
    pub fn begin(
        shared: &'a Shared,
        task: usize,
        waiting_for: String,
        what: &str,
        reason: &str,
    ) -> Outage<'a> {
        warn!(
            "{what} failed: {reason}; the pipeline is degraded and retries with back-off \
             until {waiting_for} recovers"
        );
        PipelineMetrics::add(&shared.metrics.outages, 1);
        shared
            .metrics
            .degraded_tasks
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        shared.set_degraded(DegradedTask {
            task,
            waiting_for: waiting_for.clone(),
            since: SystemTime::now(),
            reason: reason.to_owned(),
            attempts: 1,
        });
        Outage {
            shared,
            task,
            waiting_for,
            started: Instant::now(),
        }
    }

    /// Another attempt failed.
    pub fn failed_again(&self, attempts: u32, reason: &str, pause: Duration) {
        debug!(
            attempt = attempts,
            pause_ms = pause.as_millis() as u64,
            "still waiting for {}: {reason}",
            self.waiting_for
        );
        self.shared.update_degraded(self.task, attempts, reason);
    }

    /// The operation succeeded after `attempts`.
    pub fn recovered(self, attempts: u32) {
        warn!(
            attempts,
            waited_ms = self.started.elapsed().as_millis() as u64,
            "{} recovered after {} attempt(s) in {:.1} s; the pipeline is running again",
            self.waiting_for,
            attempts,
            self.started.elapsed().as_secs_f64()
        );
    }
}

impl Drop for Outage<'_> {
    fn drop(&mut self) {
        self.shared.clear_degraded(self.task);
        self.shared
            .metrics
            .degraded_tasks
            .fetch_sub(1, std::sync::atomic::Ordering::Relaxed);
    }
}
