//! Retrying a failed batch, with the workspace's [`RetryPolicy`] (capped exponential
//! back-off, full jitter). Two budgets, because the two kinds of failure differ:
//!
//! * **A component failed the batch** (a transform's timeout, trap or out-of-memory):
//!   Kafka Connect's `errors.retry.timeout` (default 0, -1 forever) with a floor of a
//!   few retries ([`crate::RunOptions::min_retries`]). A deterministic bug would fail
//!   forever, so this budget is small by default.
//! * **An external system is out** (Kinetica unreachable or answering 5xx, a request
//!   timeout, the dead letter queue's producer failing): waited out without limit, as
//!   Kafka Connect does for a sink's retriable failures, unless the file sets
//!   `errors.retry.timeout`. The task reports itself degraded meanwhile
//!   ([`crate::outage`]).
//!
//! Back-off grows from [`crate::RunOptions::retry_initial_delay`] up to
//! `errors.retry.delay.max.ms`. The caller waits; this module only decides.

use std::time::{Duration, Instant};

use sluice_config::pipeline::ErrorPolicy;
pub(crate) use sluice_error::RetryPolicy;

/// The budget for batches a component failed: `errors.retry.timeout` (`None`:
/// forever) with no limit by count, and at least `min_retries` retries whatever the
/// timeout says.
pub(crate) fn component_policy(
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

/// The budget for outages of external systems: forever, unless the file sets
/// `errors.retry.timeout` (then that, with the same floor of retries).
pub(crate) fn outage_policy(
    errors: &ErrorPolicy,
    initial_delay: Duration,
    min_retries: u32,
) -> RetryPolicy {
    RetryPolicy {
        timeout: errors.outage_timeout,
        ..component_policy(errors, initial_delay, min_retries)
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
    /// Wait this long, then try again.
    Retry(Duration),
    /// The budget is used up: fail.
    GiveUp,
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

    /// Call after a failed attempt: says whether to try again, and after what pause.
    pub fn after_failure(&mut self) -> Next {
        let retry = self.attempts - 1;
        if !self.policy.allows(retry, self.started.elapsed()) {
            return Next::GiveUp;
        }
        self.attempts += 1;
        Next::Retry(self.policy.backoff(retry, &mut self.rng))
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

    fn retries(next: Next) -> bool {
        matches!(next, Next::Retry(pause) if pause <= Duration::from_millis(4))
    }

    #[test]
    fn a_zero_timeout_still_makes_the_minimum_retries() {
        let mut retry = start(policy(Some(Duration::ZERO)));
        assert!(retries(retry.after_failure()));
        assert!(retries(retry.after_failure()));
        assert_eq!(retry.after_failure(), Next::GiveUp);
        assert_eq!(retry.attempts(), 3);
    }

    #[test]
    fn retries_continue_within_the_timeout_and_forever_without_one() {
        let mut retry = start(policy(None));
        for _ in 0..1000 {
            assert!(retries(retry.after_failure()));
        }
        let mut retry = start(policy(Some(Duration::from_secs(60))));
        for _ in 0..5 {
            assert!(retries(retry.after_failure()));
        }
    }

    fn errors(retry_timeout: Option<Duration>, outage_timeout: Option<Duration>) -> ErrorPolicy {
        ErrorPolicy {
            tolerance: sluice_config::pipeline::ErrorTolerance::None,
            dead_letter_queue: None,
            log: false,
            log_include_messages: false,
            retry_timeout,
            outage_timeout,
            retry_delay_max: Duration::from_secs(30),
        }
    }

    #[test]
    fn outages_are_waited_out_forever_unless_the_timeout_is_set() {
        let unset = errors(Some(Duration::ZERO), None);
        let initial = Duration::from_millis(100);
        assert_eq!(
            component_policy(&unset, initial, 3).timeout,
            Some(Duration::ZERO),
            "components keep Kafka Connect's default of 0"
        );
        let outage = outage_policy(&unset, initial, 3);
        assert_eq!(outage.timeout, None);
        assert_eq!(outage.max_backoff, Duration::from_secs(30));
        let mut retry = start(outage);
        for _ in 0..10_000 {
            assert!(
                matches!(retry.after_failure(), Next::Retry(p) if p <= Duration::from_secs(30))
            );
        }
        let set = errors(Some(Duration::from_secs(5)), Some(Duration::from_secs(5)));
        assert_eq!(
            outage_policy(&set, initial, 3).timeout,
            Some(Duration::from_secs(5))
        );
    }
}
