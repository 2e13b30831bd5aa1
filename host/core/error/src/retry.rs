//! [`RetryPolicy`]: how a retriable failure is retried, wherever it happens — a
//! Kinetica request inside the client, a whole batch in the pipeline runtime.
//!
//! Capped exponential back-off with full jitter: the delay before retry `n` is uniform
//! in `[0, min(max_backoff, initial_backoff · 2ⁿ)]`. Jitter spreads the retries of many
//! tasks that hit the same failed node, which plain exponential back-off would keep
//! synchronised.

use std::time::Duration;

/// How often and how patiently retriable failures are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Ceiling of the first back-off; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of any back-off.
    pub max_backoff: Duration,
    /// Retries after the first attempt at the most; `None`: no limit by count.
    pub max_retries: Option<u32>,
    /// How long to keep retrying, from the first failure; `None`: no limit by time.
    pub timeout: Option<Duration>,
    /// Retries made even when `timeout` has already run out (not beyond
    /// `max_retries`).
    pub min_retries: u32,
}

impl Default for RetryPolicy {
    /// Three retries, 100 ms doubling up to 5 s.
    fn default() -> Self {
        RetryPolicy {
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
            max_retries: Some(3),
            timeout: None,
            min_retries: 0,
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: Some(0),
            ..Self::default()
        }
    }

    /// The default back-off, with at most `n` retries after the first attempt.
    pub fn with_max_retries(n: u32) -> Self {
        RetryPolicy {
            max_retries: Some(n),
            ..Self::default()
        }
    }

    /// The back-off ceiling before retry number `retry` (0-based):
    /// `min(max_backoff, initial_backoff * 2^retry)`.
    pub fn ceiling(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(31)).unwrap_or(u32::MAX);
        self.initial_backoff
            .checked_mul(factor)
            .unwrap_or(self.max_backoff)
            .min(self.max_backoff)
    }

    /// The delay before retry number `retry`: uniform in `[0, ceiling(retry)]`.
    pub fn backoff(&self, retry: u32, rng: &mut fastrand::Rng) -> Duration {
        let ceiling = self.ceiling(retry).as_nanos().min(u128::from(u64::MAX)) as u64;
        Duration::from_nanos(rng.u64(0..=ceiling))
    }

    /// Whether retry number `retry` (0-based) may be made, `elapsed` after the first
    /// failure. The time budget counts the longest pause before that retry, so a retry
    /// is only made when it can start within `timeout`.
    pub fn allows(&self, retry: u32, elapsed: Duration) -> bool {
        if self.max_retries.is_some_and(|max| retry >= max) {
            return false;
        }
        match self.timeout {
            None => true,
            Some(t) => elapsed + self.ceiling(retry) <= t || retry < self.min_retries,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_maximum() {
        let p = RetryPolicy {
            max_retries: Some(10),
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            ..RetryPolicy::default()
        };
        let c: Vec<u128> = (0..6).map(|i| p.ceiling(i).as_millis()).collect();
        assert_eq!(c, vec![100, 200, 400, 800, 1000, 1000]);
        assert_eq!(p.ceiling(200), Duration::from_secs(1));
    }

    #[test]
    fn full_jitter_stays_within_the_ceiling_and_varies() {
        let p = RetryPolicy::default();
        let mut rng = fastrand::Rng::with_seed(7);
        let mut seen = std::collections::HashSet::new();
        for retry in 0..8 {
            for _ in 0..50 {
                let d = p.backoff(retry, &mut rng);
                assert!(d <= p.ceiling(retry));
                seen.insert(d);
            }
        }
        assert!(seen.len() > 100, "jitter should spread delays");
    }

    #[test]
    fn retries_stop_at_the_count_or_the_time_budget_but_not_below_the_minimum() {
        let counted = RetryPolicy::with_max_retries(2);
        assert!(counted.allows(1, Duration::from_secs(3600)));
        assert!(!counted.allows(2, Duration::ZERO));
        let timed = RetryPolicy {
            max_retries: None,
            timeout: Some(Duration::ZERO),
            min_retries: 2,
            ..RetryPolicy::default()
        };
        assert!(timed.allows(0, Duration::from_secs(1)));
        assert!(timed.allows(1, Duration::from_secs(1)));
        assert!(!timed.allows(2, Duration::from_secs(1)));
        let forever = RetryPolicy {
            max_retries: None,
            ..RetryPolicy::default()
        };
        assert!(forever.allows(1_000_000, Duration::from_secs(1 << 30)));
    }
}
