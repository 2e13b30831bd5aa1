//! Kafka Connect's `errors.*` options as one typed policy.

use std::time::Duration;

use crate::parsed::ParsedConfig;

use super::keys;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorTolerance {
    /// A failed record stops the task (Kafka Connect's default).
    None,
    /// A failed record is skipped: logged and/or dead-lettered.
    All,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterQueue {
    pub topic: String,
    pub replication_factor: i16,
    /// Add `__connect.errors.*` headers describing the failure.
    pub context_headers: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPolicy {
    pub tolerance: ErrorTolerance,
    /// Set when `errors.deadletterqueue.topic.name` is.
    pub dead_letter_queue: Option<DeadLetterQueue>,
    pub log: bool,
    pub log_include_messages: bool,
    /// How long to retry a failed operation: `None` retries forever (`-1`), zero never.
    pub retry_timeout: Option<Duration>,
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
            retry_delay_max: Duration::from_millis(
                fw.long(keys::ERRORS_RETRY_DELAY_MAX_MS).unsigned_abs(),
            ),
        }
    }
}
