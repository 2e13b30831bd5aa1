//! Sluice's pipeline runtime: runs a checked [`PipelineConfig`] as `tasks.max` task
//! threads, each moving batches Kafka → converters → Wasm transforms → Kinetica and
//! committing offsets only once a batch is written (at-least-once), with Kafka
//! Connect's error policy (`errors.*`) and a dead letter queue that never loses a
//! record. See `docs/runtime.md` for the data flow, the error policy, the delivery
//! guarantee and the threading model.
//!
//! ```no_run
//! # fn main() -> anyhow::Result<()> {
//! use sluice_runtime::{Pipeline, RunOptions};
//! # let config: sluice_config::PipelineConfig = todo!();
//! let options = RunOptions::default();
//! let engine = options.engine()?;                 // one per process
//! let pipeline = Pipeline::start(config, &engine, options)?;
//! let metrics = pipeline.metrics();               // live counters
//! // … later, or on Ctrl-C:
//! let summary = pipeline.stop()?;                 // finish the batch in flight, commit
//! # Ok(()) }
//! ```
//!
//! The crate wires the others together and knows each only through its public API:
//! `sluice-kafka` (source, dead letter producer), `sluice-convert`, `sluice-engine`
//! (transforms), `sluice-kinetica-sink`.
//!
//! [`PipelineConfig`]: sluice_config::PipelineConfig

mod bad_record;
mod blueprint;
mod chain;
mod converters;
mod declared;
mod dlq;
mod error;
mod metrics;
mod options;
mod outage;
mod pipeline;
mod registry;
mod resolve;
mod retry;
mod shared;
mod status;
mod swap;
mod task;

pub use dlq::headers as dlq_headers;
pub use error::{FailureKind, PipelineError, Stage, StartError};
pub use metrics::{
    LATENCY_BUCKETS, Latency, LatencySnapshot, MetricsSnapshot, PipelineMetrics, StageLatencies,
    StepMetrics, StepSnapshot, TaskMetrics, TaskSnapshot,
};
pub use options::{COMPONENTS_DIR_ENV, RunOptions};
pub use outage::DegradedTask;
pub use pipeline::{Pipeline, PipelineHandle, RunSummary, Stopper, check};
pub use registry::{CONVERTER_PREFIX, ComponentSpec, Described, Registry};
pub use resolve::connect_classes;
pub use status::{PipelineState, PipelineStatus};
pub use swap::{
    DeployError, Deployed, Deployment, Runs, SwapOutcome, TransformSwap, TransformVersion,
};
