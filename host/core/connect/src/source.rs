//! Where a pipeline's records come from.

use std::time::Duration;

use sluice_record::{RawRecord, Record};

use crate::error::ConnectError;
use crate::offsets::{Offsets, TopicPartition};

/// How big a batch may get, and how long a poll may wait for one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// At most this many records.
    pub max_records: usize,
    /// Stop adding records once the batch holds this many bytes (keys and values as
    /// the source has them); a batch always takes at least one record.
    pub max_bytes: usize,
    /// Return what there is (possibly nothing) after this long.
    pub max_wait: Duration,
}

/// One poll's records.
#[derive(Debug)]
pub enum SourceBatch {
    /// Keys and values as bytes, for the key and value converters (a Kafka source).
    Raw(Vec<RawRecord>),
    /// Typed records (a source that reads rows of a database).
    Records(Vec<Record>),
}

impl SourceBatch {
    /// How many records the batch holds.
    pub fn len(&self) -> usize {
        match self {
            SourceBatch::Raw(r) => r.len(),
            SourceBatch::Records(r) => r.len(),
        }
    }

    /// Whether the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Drops the records of the partitions in `partitions` (their source reads them
    /// again from elsewhere, see [`Source::seek`]).
    pub fn drop_partitions(&mut self, partitions: &Offsets) {
        match self {
            SourceBatch::Raw(r) => r.retain(|r| partitions.get(&r.topic, r.partition).is_none()),
            SourceBatch::Records(r) => {
                r.retain(|r| partitions.get(&r.topic, r.partition).is_none());
            }
        }
    }

    /// The coordinates of every record, for the commit after the sink acknowledged.
    pub fn offsets(&self) -> Offsets {
        match self {
            SourceBatch::Raw(r) => Offsets::of(r),
            SourceBatch::Records(r) => Offsets::of_records(r),
        }
    }
}

/// A change of what a source reads, in the order it happened (a Kafka source's
/// rebalances; a table source's tables).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssignmentEvent {
    /// These partitions are now assigned (in addition to those already assigned).
    Assigned(Vec<TopicPartition>),
    /// These partitions are no longer assigned; `lost` when they were taken away
    /// without an orderly revoke (the group expelled the member).
    Revoked {
        /// The partitions no longer assigned.
        partitions: Vec<TopicPartition>,
        /// Taken away rather than revoked in order.
        lost: bool,
    },
}

/// A source of records for one task. Not shared: each task owns one.
///
/// The task loop is `poll → convert → transform → write → commit → poll`: a source
/// is polled again only after the previous batch was written and committed (or
/// abandoned), which is what lets it hand over partitions without losing or
/// repeating a record.
pub trait Source: Send {
    /// Up to `limits.max_records` records (and about `limits.max_bytes`), as soon as
    /// some are at hand, or an empty
    /// batch after `limits.max_wait`.
    fn poll(&mut self, limits: &BatchLimits) -> Result<SourceBatch, ConnectError>;

    /// Records up to these offsets (inclusive) are in the sink: make them the
    /// position to resume from. Offsets are the coordinates the source gave its
    /// records; a source that is not Kafka maps them to its own positions.
    fn commit(&mut self, acknowledged: &Offsets) -> Result<(), ConnectError>;

    /// Assignment changes since the last call.
    fn take_events(&mut self) -> Vec<AssignmentEvent> {
        Vec::new()
    }

    /// Stop delivering records (while the sink is unavailable, or the pipeline is
    /// paused) while keeping the source's place, e.g. its consumer-group membership;
    /// `poll` keeps being called and returns empty batches. What is assigned while
    /// paused is paused too; records that arrived anyway are delivered after
    /// [`resume`](Source::resume), in order.
    fn pause(&mut self) -> Result<(), ConnectError>;

    /// Deliver records again after [`pause`](Source::pause).
    fn resume(&mut self) -> Result<(), ConnectError>;

    /// Read each of these partitions from the given offset + 1 (the positions a sink
    /// keeps with its data, see [`crate::Sink::positions`]). Default: refuses.
    fn seek(&mut self, positions: &Offsets) -> Result<(), ConnectError> {
        let _ = positions;
        Err(ConnectError::message(
            crate::ErrorClass::USER,
            "this source cannot start from positions a sink keeps; turn the sink's \
             exactly-once delivery off",
        ))
    }

    /// Nothing the pipeline runs after the source reads a record's headers (no
    /// transform, predicate or dead letter queue, and a sink that ignores them): the
    /// source may deliver records without them, where reading them costs something (a
    /// Kafka consumer's header parse). Default: headers are delivered anyway.
    fn leave_out_headers(&mut self) {}

    /// The task abandoned `batch` (partitions moved while it waited out a failure):
    /// deliver its records again, those of partitions still assigned, from the
    /// batch's first offset of each. The default refuses: the task then stops, and a
    /// restart resumes from the last commit.
    fn rewind(&mut self, batch: &SourceBatch) -> Result<(), ConnectError> {
        let _ = batch;
        Err(ConnectError::message(
            crate::ErrorClass::INTERNAL,
            "this source cannot deliver an abandoned batch again; restart the pipeline",
        ))
    }
}
