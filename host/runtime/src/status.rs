//! What a pipeline is doing now, for the CLI, the REST API and tests: running,
//! degraded (some task waits out a failure), paused, stopping, stopped or failed.

use crate::outage::DegradedTask;

/// The state of a pipeline as a whole.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PipelineState {
    /// Every task moves records.
    Running,
    /// At least one task is waiting out a failure; see [`PipelineStatus::degraded`].
    Degraded,
    /// Paused on request: every task keeps its partitions and consumes nothing.
    Paused,
    /// A stop was requested and some task is still finishing.
    Stopping,
    /// Every task exited after a stop request.
    Stopped,
    /// A task failed; see [`PipelineStatus::failure`].
    Failed,
}

/// A pipeline's state and, while degraded, what its tasks wait for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PipelineStatus {
    /// The overall state.
    pub state: PipelineState,
    /// The tasks waiting out a failure now.
    pub degraded: Vec<DegradedTask>,
    /// Why the pipeline failed, if it did.
    pub failure: Option<String>,
}
