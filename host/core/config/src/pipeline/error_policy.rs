//! Kafka Connect's `errors.*` options as one typed policy.

use std::time::Duration;

use crate::parsed::ParsedConfig;

use super::keys;

/// `errors.tolerance`: what a record that fails conversion or a transform does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorTolerance {
    /// A failed record stops the task (Kafka Connect's default).
    None,
    /// A failed record is skipped: logged and/or dead-lettered.
    All,
}

/// The dead letter queue of a sink: where records skipped under `errors.tolerance=all` go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterQueue {
    /// `errors.deadletterqueue.topic.name`.
    pub topic: String,
    /// `errors.deadletterqueue.topic.replication.factor`, used if Sluice creates the topic
    /// (default 3).
    pub replication_factor: i16,
    /// Add `__connect.errors.*` headers describing the failure.
    pub context_headers: bool,
}

/// Kafka Connect's `errors.*` options of a pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPolicy {
    /// `errors.tolerance` (default `none`).
    pub tolerance: ErrorTolerance,
    /// Set when `errors.deadletterqueue.topic.name` is.
    pub dead_letter_queue: Option<DeadLetterQueue>,
    /// `errors.log.enable`: log each failed operation and the record's coordinates.
    pub log: bool,
    /// `errors.log.include.messages`: include the failed record's key and value in those logs
    /// (may expose data).
    pub log_include_messages: bool,
    /// How long to retry an operation that failed inside Sluice (a transform's
    /// timeout, trap or out-of-memory): `None` retries forever (`-1`), zero never
    /// (beyond the runtime's few minimum retries).
    pub retry_timeout: Option<Duration>,
    /// How long to wait out an outage of an external system (Kinetica, the Kafka
    /// broker, the dead letter queue): `errors.retry.timeout` only when the file sets
    /// it (and not to -1); `None` waits as long as it takes, as Kafka Connect does for
    /// a sink's retriable failures.
    pub outage_timeout: Option<Duration>,
    /// `errors.retry.delay.max.ms`: the longest delay between two retries (default 30 s).
    pub retry_delay_max: Duration,
}

impl ErrorPolicy {
    /// Reads the policy from validated pipeline values.
    pub(super) fn from_config(fw: &ParsedConfig) -> ErrorPolicy {
        let tolerance = match fw.string(keys::ERRORS_TOLERANCE) {
            "all" => ErrorTolerance::All,
            _ => ErrorTolerance::None,
        };
        let topic = fw.string(keys::ERRORS_DLQ_TOPIC);
        let dead_letter_queue = (!topic.is_empty()).then(|| DeadLetterQueue {
            topic: topic.to_owned(),
            // The validator bounds it to 1..=32767.
            replication_factor: i16::try_from(fw.int(keys::ERRORS_DLQ_REPLICATION_FACTOR))
                .unwrap_or(i16::MAX),
            context_headers: fw.boolean(keys::ERRORS_DLQ_CONTEXT_HEADERS),
        });
        let retry = fw.long(keys::ERRORS_RETRY_TIMEOUT);
        ErrorPolicy {
            tolerance,
            dead_letter_queue,
            log: fw.boolean(keys::ERRORS_LOG_ENABLE),
            log_include_messages: fw.boolean(keys::ERRORS_LOG_INCLUDE_MESSAGES),
            retry_timeout: u64::try_from(retry).ok().map(Duration::from_millis),
            outage_timeout: fw
                .is_set(keys::ERRORS_RETRY_TIMEOUT)
                .then(|| u64::try_from(retry).ok().map(Duration::from_millis))
                .flatten(),
            retry_delay_max: Duration::from_millis(
                fw.long(keys::ERRORS_RETRY_DELAY_MAX_MS).unsigned_abs(),
            ),
        }
    }
}
