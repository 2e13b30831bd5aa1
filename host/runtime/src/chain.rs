//! A task's transform chain, and turning a consumed batch into the records to write.
//!
//! Every record is traced back to its index in the consumed batch through the chain
//! (the engine reports where each output record came from), so a record rejected by
//! the third transform still goes to the dead letter queue with its original bytes.

use std::collections::HashSet;

use sluice_connect::SourceBatch;
use sluice_engine::{PluginError, PluginErrorKind, SwapHandle, SwappableTransform};
use sluice_record::Record;

use crate::bad_record::BadRecord;
use crate::converters::Converters;
use crate::error::Stage;

/// One transform of the chain, in one task.
pub(crate) struct Step {
    pub alias: String,
    /// The type as configured, for dead letter queue headers.
    pub class: String,
    /// `transform `mask` (mask-field)`, for messages.
    pub label: String,
    pub transform: SwappableTransform,
}

pub(crate) struct Chain {
    pub steps: Vec<Step>,
}

/// A transform failed the whole batch.
#[derive(Debug)]
pub(crate) struct StepFailure {
    pub alias: String,
    pub error: PluginError,
}

impl StepFailure {
    /// Timeouts, traps and running out of memory may not happen again (the engine
    /// starts a fresh instance): worth retrying the batch. Anything else is the
    /// component's considered answer.
    pub fn is_retriable(&self) -> bool {
        self.error.poisons_instance()
    }
}

enum ChainError {
    /// A component returned `bad-record` for one record: the batch is lost in the
    /// engine, so the caller reruns the chain without that record.
    BadRecord(BadRecord),
    Failed(StepFailure),
}

struct ChainOutput {
    records: Vec<Record>,
    /// For each record, its index in the consumed batch.
    origins: Vec<usize>,
    rejected: Vec<BadRecord>,
    discarded: u64,
}

impl Chain {
    /// The swap handle of each transform, by alias.
    pub fn swap_handles(&self) -> Vec<(String, SwapHandle)> {
        self.steps
            .iter()
            .map(|s| (s.alias.clone(), s.transform.handle()))
            .collect()
    }

    fn apply(
        &mut self,
        mut records: Vec<Record>,
        mut origins: Vec<usize>,
    ) -> Result<ChainOutput, ChainError> {
        let mut rejected = Vec::new();
        let mut discarded = 0u64;
        for step in &mut self.steps {
            // Nothing to do, and an empty call would still cross into the sandbox.
            if records.is_empty() {
                break;
            }
            let out = match step.transform.apply(records) {
                Ok(out) => out,
                Err(error) => return Err(step.failure(error, &origins)),
            };
            discarded += out.discarded as u64;
            for ((_, reason), index) in out.rejected.into_iter().zip(out.rejected_origins) {
                rejected.push(step.bad(origins[index as usize], reason));
            }
            origins = out.origins.iter().map(|&i| origins[i as usize]).collect();
            records = out.records;
        }
        Ok(ChainOutput {
            records,
            origins,
            rejected,
            discarded,
        })
    }
}

impl Step {
    fn bad(&self, raw: usize, reason: String) -> BadRecord {
        BadRecord {
            raw,
            stage: Stage::Transformation,
            class: self.class.clone(),
            label: self.label.clone(),
            exception: "sluice.TransformRejected",
            reason,
        }
    }

    fn failure(&self, error: PluginError, origins: &[usize]) -> ChainError {
        if let PluginErrorKind::BadRecord { index, message } = &error.kind
            && let Some(&raw) = origins.get(*index as usize)
        {
            let mut bad = self.bad(raw, message.clone());
            bad.exception = "sluice.BadRecord";
            return ChainError::BadRecord(bad);
        }
        // A `bad-record` index outside the batch is a broken contract: fail the batch.
        ChainError::Failed(StepFailure {
            alias: self.alias.clone(),
            error,
        })
    }
}

/// What a batch becomes before it is written.
#[derive(Debug)]
pub(crate) struct Prepared {
    pub records: Vec<Record>,
    /// For each record, its index in the consumed batch.
    pub origins: Vec<usize>,
    /// Records that failed conversion or were rejected by a transform, by batch index.
    pub bad: Vec<BadRecord>,
    pub discarded: u64,
}

#[derive(Debug)]
pub(crate) enum PrepareError {
    /// With `stop_at_first_bad`: the first bad record.
    Bad(BadRecord),
    Failed(StepFailure),
}

/// Converts and transforms a consumed batch.
///
/// With `stop_at_first_bad` (`errors.tolerance=none`) the first bad record ends it.
/// Otherwise bad records are collected; when a transform answers `bad-record` for one,
/// that record is set aside and the whole batch is converted and transformed again
/// without it (the engine consumed the batch, and transforms before the failing one
/// must see the same records as the final run). Each rerun sets one more record
/// aside, so there are at most as many reruns as records.
pub(crate) fn prepare(
    batch: &SourceBatch,
    converters: &Converters,
    chain: &mut Chain,
    stop_at_first_bad: bool,
) -> Result<Prepared, PrepareError> {
    let mut set_aside: Vec<BadRecord> = Vec::new();
    loop {
        let skip: HashSet<usize> = set_aside.iter().map(|b| b.raw).collect();
        let mut bad = set_aside.clone();
        let mut records = Vec::with_capacity(batch.len());
        let mut origins = Vec::with_capacity(batch.len());
        for index in 0..batch.len() {
            if skip.contains(&index) {
                continue;
            }
            match converters.decode(batch, index) {
                Ok(record) => {
                    records.push(record);
                    origins.push(index);
                }
                Err(b) if stop_at_first_bad => return Err(PrepareError::Bad(b)),
                Err(b) => bad.push(b),
            }
        }
        match chain.apply(records, origins) {
            Ok(out) => {
                if !stop_at_first_bad {
                    bad.extend(out.rejected);
                } else if let Some(first) = out.rejected.into_iter().next() {
                    return Err(PrepareError::Bad(first));
                }
                bad.sort_by_key(|b| b.raw);
                return Ok(Prepared {
                    records: out.records,
                    origins: out.origins,
                    bad,
                    discarded: out.discarded,
                });
            }
            Err(ChainError::BadRecord(b)) if stop_at_first_bad => return Err(PrepareError::Bad(b)),
            Err(ChainError::BadRecord(b)) => {
                tracing::debug!(
                    record = %coordinates(batch, b.raw),
                    "{} answered bad-record; rerunning the batch without it",
                    b.label
                );
                set_aside.push(b);
            }
            Err(ChainError::Failed(f)) => return Err(PrepareError::Failed(f)),
        }
    }
}

/// `topic-partition@offset` of record `index` of a consumed batch.
pub(crate) fn coordinates(batch: &SourceBatch, index: usize) -> String {
    match batch {
        SourceBatch::Raw(r) => r[index].coordinates(),
        SourceBatch::Records(r) => r[index].coordinates(),
    }
}
