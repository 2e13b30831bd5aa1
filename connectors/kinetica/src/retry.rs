//! Retries of Kinetica requests follow the workspace's one [`RetryPolicy`]
//! (exponential back-off with full jitter, `sluice-error`). The sleeping itself is a
//! [`Sleeper`] so tests can record the schedule instead of waiting.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

pub use sluice_error::RetryPolicy;

/// Waits for a delay. The default is `tokio::time::sleep`.
pub type Sleeper = Arc<dyn Fn(Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// The default [`Sleeper`].
pub fn tokio_sleeper() -> Sleeper {
    Arc::new(|d| Box::pin(tokio::time::sleep(d)))
}
