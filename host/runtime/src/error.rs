//! Why a pipeline could not start, and why a running one stopped.
//!
//! Messages name the pipeline, the property or transform alias, and a record only by
//! its coordinates (`topic-partition@offset`): never a key, value or header, and never
//! a secret. Reasons come from converters (which never quote data), the Kinetica sink,
//! or a component's own reject message.

use std::fmt;

use sluice_config::Problems;
use sluice_connect::{Classify, ConnectError, ErrorClass};
use sluice_engine::PluginError;

/// A pipeline that could not start: every problem found, each naming the property it
/// is about (the same format as `sluice validate`). Nothing was consumed.
#[derive(Debug, Clone)]
pub struct StartError {
    pub pipeline: String,
    pub problems: Problems,
}

impl fmt::Display for StartError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pipeline `{}` cannot start:", self.pipeline)?;
        // Problems print one per line, each ending in a newline.
        write!(f, "{}", self.problems.to_string().trim_end())
    }
}

impl std::error::Error for StartError {}

/// Where in a task's work a record failed. The names match Kafka Connect's
/// `__connect.errors.stage` header values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stage {
    KeyConverter,
    ValueConverter,
    Transformation,
    /// Writing to the sink (Kafka Connect's `SinkTask.put`).
    TaskPut,
}

impl Stage {
    /// Kafka Connect's name of the stage, for dead letter queue headers.
    pub fn connect_name(self) -> &'static str {
        match self {
            Stage::KeyConverter => "KEY_CONVERTER",
            Stage::ValueConverter => "VALUE_CONVERTER",
            Stage::Transformation => "TRANSFORMATION",
            Stage::TaskPut => "TASK_PUT",
        }
    }
}

impl fmt::Display for Stage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Stage::KeyConverter => "the key converter",
            Stage::ValueConverter => "the value converter",
            Stage::Transformation => "the transform chain",
            Stage::TaskPut => "the sink",
        })
    }
}

/// A running pipeline stopped because of this. The offsets of the batch in flight were
/// not committed: after a restart the batch is read again (at-least-once).
#[derive(Debug, Clone, thiserror::Error)]
#[error("pipeline `{pipeline}` stopped (task {task}): {kind}")]
pub struct PipelineError {
    pub pipeline: String,
    pub task: usize,
    /// Boxed: errors travel in `Result`s, and the reasons are large.
    pub kind: Box<FailureKind>,
}

const TOLERANCE_HINT: &str = "errors.tolerance=none stops the pipeline at the first bad \
record and leaves its batch uncommitted; fix the data or the component, or set \
errors.tolerance=all and errors.deadletterqueue.topic.name to send bad records to a dead \
letter queue";

#[derive(Debug, Clone, thiserror::Error)]
pub enum FailureKind {
    /// A record could not be converted, transformed or written, and
    /// `errors.tolerance=none`.
    #[error("record {coordinates} failed in {component}: {reason}; {hint}", hint = TOLERANCE_HINT)]
    BadRecord {
        /// `topic-partition@offset` as consumed.
        coordinates: String,
        stage: Stage,
        /// What failed: `the value converter `json``, `transform `mask` (mask-field)`,
        /// `the Kinetica sink`.
        component: String,
        reason: String,
    },
    /// A component (a transform, a predicate, the flattener, a converter component)
    /// failed the whole batch: retried (timeouts, traps, out of memory)
    /// until the retry budget ran out, or not retriable (a fatal error, a broken
    /// contract).
    #[error(
        "{component} failed on the batch starting at {batch} after {attempts} attempt(s): {error}"
    )]
    Transform {
        /// The transform's or predicate's alias, `value.converter`, or `flattener`.
        alias: String,
        /// `transform `mask` (mask-field)`, `the value converter `csv``, for messages.
        component: String,
        batch: String,
        attempts: u32,
        error: PluginError,
    },
    #[error("writing the batch starting at {batch} failed after {attempts} attempt(s): {error}")]
    Sink {
        batch: String,
        attempts: u32,
        error: ConnectError,
    },
    /// Records bound for the dead letter queue could not be written; their batch was
    /// not committed, so nothing is lost.
    #[error(
        "cannot write to the dead letter queue topic `{topic}` after {attempts} attempt(s): {error}"
    )]
    DeadLetterQueue {
        topic: String,
        attempts: u32,
        /// The producer's error.
        error: ConnectError,
    },
    /// The source failed in a way it cannot recover from, or a retriable failure
    /// outlasted the retry budget.
    #[error("the source failed: {0}")]
    Source(ConnectError),

    /// A bug: a task thread panicked.
    #[error("a task panicked: {0}")]
    Panic(String),
}

impl Classify for FailureKind {
    fn class(&self) -> ErrorClass {
        match self {
            FailureKind::BadRecord { .. } => ErrorClass::USER,
            FailureKind::Transform { error, .. } => error.class(),
            FailureKind::Sink { error, .. } | FailureKind::Source(error) => error.class(),
            FailureKind::DeadLetterQueue { error, .. } => error.class(),
            FailureKind::Panic(_) => ErrorClass::INTERNAL,
        }
    }
}
