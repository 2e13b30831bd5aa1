//! Retrying a failed batch: Kafka Connect's `errors.retry.timeout` (how long to keep
//! trying; -1 forever) and `errors.retry.delay.max.ms` (the longest pause), with
//! exponential back-off, and a floor of a few retries (see
//! [`crate::RunOptions::min_retries`]). A stop request ends the pauses at once.

use std::time::{Duration, Instant};

use sluice_config::pipeline::ErrorPolicy;

use crate::shared::Shared;

#[derive(Debug, Clone, Copy)]
pub(crate) struct RetryPolicy {
    /// `None`: retry forever.
    pub timeout: Option<Duration>,
    pub max_delay: Duration,
    pub initial_delay: Duration,
    pub min_retries: u32,
}

impl RetryPolicy {
    pub fn new(errors: &ErrorPolicy, initial_delay: Duration, min_retries: u32) -> RetryPolicy {
        RetryPolicy {
            timeout: errors.retry_timeout,
            max_delay: errors.retry_delay_max,
            initial_delay,
            min_retries,
        }
    }

    pub fn start(self) -> Retry {
        Retry {
            policy: self,
            started: Instant::now(),
            attempts: 1,
            delay: self.initial_delay,
        }
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
    delay: Duration,
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
        let retries = self.attempts - 1;
        let within_time = match self.policy.timeout {
            None => true,
            Some(t) => self.started.elapsed() + self.delay <= t,
        };
        if !within_time && retries >= self.policy.min_retries {
            return Next::GiveUp;
        }
        let pause = self.delay.min(self.policy.max_delay);
        self.delay = (self.delay * 2).min(self.policy.max_delay.max(self.policy.initial_delay));
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
            max_delay: Duration::from_millis(4),
            initial_delay: Duration::from_millis(1),
            min_retries: 2,
        }
    }

    #[test]
    fn a_zero_timeout_still_makes_the_minimum_retries() {
        let shared = Shared::new("p".into(), 1);
        let mut retry = policy(Some(Duration::ZERO)).start();
        assert_eq!(retry.after_failure(&shared), Next::Retry);
        assert_eq!(retry.after_failure(&shared), Next::Retry);
        assert_eq!(retry.after_failure(&shared), Next::GiveUp);
        assert_eq!(retry.attempts(), 3);
    }

    #[test]
    fn retries_continue_within_the_timeout_and_forever_without_one() {
        let shared = Shared::new("p".into(), 1);
        let mut retry = policy(None).start();
        for _ in 0..10 {
            assert_eq!(retry.after_failure(&shared), Next::Retry);
        }
        let mut retry = policy(Some(Duration::from_secs(60))).start();
        for _ in 0..5 {
            assert_eq!(retry.after_failure(&shared), Next::Retry);
        }
    }

    #[test]
    fn a_stop_request_ends_the_retries() {
        let shared = Shared::new("p".into(), 1);
        shared.request_stop();
        let mut retry = policy(None).start();
        assert_eq!(retry.after_failure(&shared), Next::Stopping);
    }
}
