//! Retry policy: exponential back-off with full jitter.
//!
//! "Full jitter" (a uniformly random delay between zero and the exponential
//! ceiling) spreads the retries of many tasks hitting the same failed node,
//! which plain exponential back-off would keep synchronised. The sleeping itself
//! is a [`Sleeper`] so tests can record the schedule instead of waiting.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

/// Waits for a delay. The default is `tokio::time::sleep`.
pub type Sleeper = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The default [`Sleeper`].
pub fn tokio_sleeper() -> Sleeper {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}

/// How often and how patiently retriable errors are retried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 = try once).
    pub max_retries: u32,
    /// Ceiling of the first back-off; doubled for each further retry.
    pub initial_backoff: Duration,
    /// Upper bound of any back-off.
    pub max_backoff: Duration,
}

impl Default for RetryPolicy {
    /// Three retries, 100 ms doubling up to 5 s.
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(5),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..Self::default()
        }
    }

    /// The policy for the connector property `kinetica.retry_count = n`. The Java
    /// API's `BulkInserter.setRetryCount(n)` retries a failed insert up to `n`
    /// times after the first attempt, and so does this.
    pub fn from_retry_count(n: u32) -> Self {
        RetryPolicy {
            max_retries: n,
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ceilings_double_up_to_the_maximum() {
        let p = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
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
}
