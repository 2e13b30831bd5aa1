//! Why a pipeline could not start, and why a running one stopped.
//!
//! Messages name the pipeline, the property or transform alias, and a record only by
//! its coordinates (`topic-partition@offset`): never a key, value or header, and never
//! a secret. Reasons come from converters (which never quote data), the Kinetica sink,
//! or a component's own reject message.

use std::fmt;

use sluice_config::Problems;
use sluice_connect::{Classify, ConnectError, ErrorClass};
use sluice_convert::ConvertError;
use sluice_engine::PluginError;

/// A pipeline that could not start: every problem found, each naming the property it
/// is about (the same format as `sluice validate`). Nothing was consumed.
#[derive(Debug, Clone)]
pub struct StartError {
    /// The pipeline's name (`name` in its file).
    pub pipeline: String,
    /// Every problem found by the start-up checks (docs/runtime.md, "Start-up checks"),
    /// each naming its file and property.
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
    /// Decoding (or, for a sink that takes bytes, encoding) the key with
    /// `key.converter`: `KEY_CONVERTER`.
    KeyConverter,
    /// Decoding (or encoding) the value with `value.converter`: `VALUE_CONVERTER`.
    ValueConverter,
    /// The transform chain: a transform, or the flattener as its last step, rejected the
    /// record: `TRANSFORMATION`.
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
    /// The pipeline's name.
    pub pipeline: String,
    /// The number of the task that failed, from 0 to `tasks.max - 1`; `usize::MAX` when
    /// a task thread panicked outside its loop (while reporting a failure).
    pub task: usize,
    /// Boxed: errors travel in `Result`s, and the reasons are large.
    pub kind: Box<FailureKind>,
}

const TOLERANCE_HINT: &str = "errors.tolerance=none stops the pipeline at the first bad \
record and leaves its batch uncommitted; fix the data or the component, or set \
errors.tolerance=all and errors.deadletterqueue.topic.name to send bad records to a dead \
letter queue";

/// Why a task stopped its pipeline: a bad record under `errors.tolerance=none`, or a
/// whole-batch failure that was not retriable or outlasted the retry budget
/// (docs/runtime.md, "Error policy"). [`Classify`] gives its domain and retry hint.
#[derive(Debug, Clone, thiserror::Error)]
pub enum FailureKind {
    /// A record could not be converted, transformed or written, and
    /// `errors.tolerance=none`.
    #[error("record {coordinates} failed in {component}: {reason}; {hint}", hint = TOLERANCE_HINT)]
    BadRecord {
        /// `topic-partition@offset` as consumed.
        coordinates: String,
        /// Where it failed (Kafka Connect's `__connect.errors.stage`).
        stage: Stage,
        /// What failed: `the value converter `json``, `transform `mask` (mask-field)`,
        /// `the Kinetica sink`.
        component: String,
        /// Why, from the converter, the component's reject message or the sink; never the
        /// record's contents.
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
        /// `topic-partition@offset` of the batch's first record.
        batch: String,
        /// How many times the batch was run through the component, the first included.
        attempts: u32,
        /// The engine's error: its class says whether it was retriable.
        error: PluginError,
    },
    /// A converter could not fetch what the batch needs: its Schema Registry refused
    /// the configuration (credentials, TLS), or stayed unreachable longer than the
    /// retry budget.
    #[error(
        "{component} could not prepare the batch starting at {batch} after {attempts} attempt(s): {error}"
    )]
    Converter {
        /// `the value converter `avro``.
        component: String,
        /// `topic-partition@offset` of the batch's first record.
        batch: String,
        /// How many times it was tried, the first included.
        attempts: u32,
        /// The converter's last error.
        error: ConvertError,
    },
    /// The sink could not write the batch: a non-retriable error (authentication,
    /// permissions), or a retriable one (Kinetica unavailable) that outlasted the retry
    /// budget.
    #[error("writing the batch starting at {batch} failed after {attempts} attempt(s): {error}")]
    Sink {
        /// `topic-partition@offset` of the batch's first record.
        batch: String,
        /// How many writes of the batch were tried, the first included.
        attempts: u32,
        /// The sink's last error.
        error: ConnectError,
    },
    /// Records bound for the dead letter queue could not be written; their batch was
    /// not committed, so nothing is lost.
    #[error(
        "cannot write to the dead letter queue topic `{topic}` after {attempts} attempt(s): {error}"
    )]
    DeadLetterQueue {
        /// `errors.deadletterqueue.topic.name`.
        topic: String,
        /// How many writes were tried, the first included.
        attempts: u32,
        /// The producer's last error.
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
            FailureKind::Converter { error, .. } => match error {
                ConvertError::Unavailable(_) => ErrorClass::TRANSIENT,
                _ => ErrorClass::USER,
            },
            FailureKind::Panic(_) => ErrorClass::INTERNAL,
        }
    }
}
