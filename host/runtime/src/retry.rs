//! Retrying a failed batch: Kafka Connect's `errors.retry.timeout` (how long to keep
//! trying; -1 forever) and `errors.retry.delay.max.ms` (the longest pause), with the
//! workspace's [`RetryPolicy`] (exponential back-off, full jitter), and a floor of a
//! few retries (see [`crate::RunOptions::min_retries`]). A stop request ends the
//! pauses at once.

use std::time::{Duration, Instant};

use sluice_config::pipeline::ErrorPolicy;
pub(crate) use sluice_error::RetryPolicy;

use crate::shared::Shared;

/// The policy of a pipeline's batch retries: `errors.retry.timeout` (`None`: forever)
/// and `errors.retry.delay.max.ms`, with no limit by count, and at least
/// `min_retries` retries whatever the timeout says.
pub(crate) fn batch_policy(
    errors: &ErrorPolicy,
    initial_delay: Duration,
    min_retries: u32,
) -> RetryPolicy {
    RetryPolicy {
        initial_backoff: initial_delay,
        max_backoff: errors.retry_delay_max.max(initial_delay),
        max_retries: None,
        timeout: errors.retry_timeout,
        min_retries,
    }
}

/// Starts the retries of one operation on one batch.
pub(crate) fn start(policy: RetryPolicy) -> Retry {
    Retry {
        policy,
        started: Instant::now(),
        attempts: 1,
        rng: fastrand::Rng::new(),
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Next {
    /// Paused; try again.
    Retry,
    /// The budget is used up: fail.
    GiveUp,
    /// The pipeline is stopping: abandon the batch without committing it.
    Stopping,
}

/// The retries of one operation on one batch.
#[derive(Debug)]
pub(crate) struct Retry {
    policy: RetryPolicy,
    started: Instant,
    attempts: u32,
    rng: fastrand::Rng,
}

impl Retry {
    /// Attempts made so far, the first included.
    pub fn attempts(&self) -> u32 {
        self.attempts
    }

    /// Call after a failed attempt: pauses (interruptibly) and says what to do.
    pub fn after_failure(&mut self, shared: &Shared) -> Next {
        if shared.stop_requested() {
            return Next::Stopping;
        }
        let retry = self.attempts - 1;
        if !self.policy.allows(retry, self.started.elapsed()) {
            return Next::GiveUp;
        }
        let pause = self.policy.backoff(retry, &mut self.rng);
        self.attempts += 1;
        shared
            .metrics
            .retries
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        if shared.pause(pause) {
            Next::Stopping
        } else {
            Next::Retry
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(timeout: Option<Duration>) -> RetryPolicy {
        RetryPolicy {
            timeout,
            max_backoff: Duration::from_millis(4),
            initial_backoff: Duration::from_millis(1),
            max_retries: None,
            min_retries: 2,
        }
    }

    #[test]
    fn a_zero_timeout_still_makes_the_minimum_retries() {
        let shared = Shared::new("p".into(), 1);
        let mut retry = start(policy(Some(Duration::ZERO)));
        assert_eq!(retry.after_failure(&shared), Next::Retry);
        assert_eq!(retry.after_failure(&shared), Next::Retry);
        assert_eq!(retry.after_failure(&shared), Next::GiveUp);
        assert_eq!(retry.attempts(), 3);
    }

    #[test]
    fn retries_continue_within_the_timeout_and_forever_without_one() {
        let shared = Shared::new("p".into(), 1);
        let mut retry = start(policy(None));
        for _ in 0..10 {
            assert_eq!(retry.after_failure(&shared), Next::Retry);
        }
        let mut retry = start(policy(Some(Duration::from_secs(60))));
        for _ in 0..5 {
            assert_eq!(retry.after_failure(&shared), Next::Retry);
        }
    }

    #[test]
    fn a_stop_request_ends_the_retries() {
        let shared = Shared::new("p".into(), 1);
        shared.request_stop();
        let mut retry = start(policy(None));
        assert_eq!(retry.after_failure(&shared), Next::Stopping);
    }
}
