//! Where a pipeline's records go.

use std::collections::BTreeMap;

use sluice_record::{RawRecord, Record};

use crate::error::ConnectError;
use crate::offsets::{Offsets, TopicPartition};

/// What a sink takes: typed records (a database) or bytes (Kafka), which the runtime
/// encodes with the pipeline's key and value converters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkInput {
    /// Typed records.
    Records,
    /// Keys and values as bytes.
    Raw,
}

/// A batch for [`Sink::write`], in the form the sink asked for ([`Sink::input`]).
#[derive(Debug, Clone, Copy)]
pub enum SinkBatch<'a> {
    /// Typed records.
    Records(&'a [Record]),
    /// Encoded records.
    Raw(&'a [RawRecord]),
}

impl SinkBatch<'_> {
    /// How many records the batch holds.
    pub fn len(&self) -> usize {
        match self {
            SinkBatch::Records(r) => r.len(),
            SinkBatch::Raw(r) => r.len(),
        }
    }

    /// Whether the batch holds no record.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One record a sink did not write, and why. The runtime applies `errors.tolerance`
/// to it (dead letter queue, or stop).
#[derive(Debug, Clone)]
pub struct RecordFailure {
    /// The record's index in the written batch.
    pub index: usize,
    /// Why; names a field or table, never a value.
    pub error: ConnectError,
}

/// What a completed write did. Everything not in `failures` and not `skipped` is
/// stored.
#[derive(Debug, Clone, Default)]
pub struct WriteReport {
    /// Records stored per destination (a table, a topic).
    pub written: BTreeMap<String, u64>,
    /// Records with nothing to write (a tombstone for a sink that does not delete).
    pub skipped: u64,
    /// Records not written, in batch order.
    pub failures: Vec<RecordFailure>,
}

impl WriteReport {
    /// Records stored in all destinations.
    pub fn total_written(&self) -> u64 {
        self.written.values().sum()
    }
}

/// A sink for one task. Not shared: each task owns one.
pub trait Sink: Send {
    /// What [`write`](Sink::write) takes.
    fn input(&self) -> SinkInput;

    /// Whether [`write`](Sink::write) looks at the records' headers. A sink that does
    /// not lets the source leave them out when nothing else reads them
    /// ([`crate::Source::leave_out_headers`]). Default: it does.
    fn reads_headers(&self) -> bool {
        true
    }

    /// Writes a batch and returns once the destination acknowledged every record the
    /// report counts. An `Err` means the write as a whole did not complete: nothing
    /// of the batch may be committed, and the runtime retries it if the error is
    /// retriable.
    fn write(&mut self, batch: SinkBatch<'_>) -> Result<WriteReport, ConnectError>;

    /// For sinks that keep the offsets with the data (exactly-once): the offsets
    /// stored for newly `assigned` partitions, after removing anything written above
    /// them. The source then reads each from its offset + 1 instead of from its own
    /// committed position. Default: none stored.
    fn positions(&mut self, assigned: &[TopicPartition]) -> Result<Offsets, ConnectError> {
        let _ = assigned;
        Ok(Offsets::new())
    }

    /// Records up to `done` (inclusive) are written, dead-lettered or filtered out;
    /// called before the source commits them. Sinks that keep the offsets with the
    /// data store them now. Default: nothing to do.
    fn done(&mut self, done: &Offsets) -> Result<(), ConnectError> {
        let _ = done;
        Ok(())
    }

    /// Makes everything written so far durable (for sinks that buffer); called after
    /// each batch, before [`done`](Sink::done) and the source's commit.
    fn flush(&mut self) -> Result<(), ConnectError> {
        Ok(())
    }

    /// Releases the sink's resources; called once when the task stops.
    fn close(&mut self) {}
}
