//! A task's transform chain, and turning a consumed batch into the records to write.
//!
//! Every record is traced back to its index in the consumed batch through the chain
//! (the engine reports where each output record came from), so a record rejected by
//! the third transform still goes to the dead letter queue with its original bytes.
//!
//! A transform with a predicate (`transforms.<alias>.predicate`, Kafka Connect's
//! grammar) is applied only to the records the predicate selects (or, with
//! `negate=true`, does not select); the others pass it unchanged and keep their place
//! in the batch. The predicate sees each record as the transforms before it left it.
//! A flattener, when the sink takes typed records, runs as the chain's last step.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_connect::{Classify, SourceBatch};
use sluice_engine::{
    PluginError, PluginErrorKind, SwapHandle, SwappableFlattener, SwappablePredicate,
    SwappableTransform, TransformOutput,
};
use sluice_record::Record;

use crate::bad_record::BadRecord;
use crate::converters::{ConverterFailure, Converters};
use crate::error::{FailureKind, Stage};
use crate::metrics::StepMetrics;

/// What a step runs.
pub(crate) enum StepComponent {
    Transform(SwappableTransform),
    Flattener(SwappableFlattener),
}

impl StepComponent {
    fn memory_peak(&self) -> u64 {
        match self {
            StepComponent::Transform(t) => t.memory_peak(),
            StepComponent::Flattener(f) => f.memory_peak(),
        }
    }

    fn apply(&mut self, records: Vec<Record>) -> Result<TransformOutput, PluginError> {
        match self {
            StepComponent::Transform(t) => t.apply(records),
            StepComponent::Flattener(f) => f.flatten(records),
        }
    }
}

/// One step of the chain, in one task.
pub(crate) struct Step {
    pub alias: String,
    /// Its latency per batch (its predicate included), records and errors.
    pub metrics: Arc<StepMetrics>,
    /// The type as configured, for dead letter queue headers.
    pub class: String,
    /// `transform `mask` (mask-field)`, for messages.
    pub label: String,
    pub component: StepComponent,
    /// The predicate's alias and `negate`.
    pub predicate: Option<(String, bool)>,
}

pub(crate) struct Chain {
    pub steps: Vec<Step>,
    /// This task's instance of every predicate, by alias.
    pub predicates: BTreeMap<String, TaskPredicate>,
}

/// A task's instance of a predicate.
pub(crate) struct TaskPredicate {
    /// `predicate `p` (field-equals)`, for messages.
    pub label: String,
    pub instance: SwappablePredicate,
}

/// A component failed the whole batch: a transform, a predicate, the flattener or a
/// converter component.
#[derive(Debug)]
pub(crate) struct StepFailure {
    /// The transform's or predicate's alias, `value.converter`, or `flattener`.
    pub alias: String,
    /// `transform `mask` (mask-field)`, for messages.
    pub label: String,
    pub error: PluginError,
}

impl std::fmt::Display for StepFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.label, self.error)
    }
}

impl StepFailure {
    /// Timeouts, traps and running out of memory may not happen again (the engine
    /// starts a fresh instance): worth retrying the batch. Anything else is the
    /// component's considered answer.
    pub fn is_retriable(&self) -> bool {
        self.error.class().retriable
    }

    /// The failure that stops the pipeline after `attempts`.
    pub fn into_kind(self, batch: String, attempts: u32) -> FailureKind {
        FailureKind::Transform {
            alias: self.alias,
            component: self.label,
            batch,
            attempts,
            error: self.error,
        }
    }
}

impl From<ConverterFailure> for StepFailure {
    fn from(f: ConverterFailure) -> StepFailure {
        StepFailure {
            alias: f.alias,
            label: f.label,
            error: f.error,
        }
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
            .filter_map(|s| match &s.component {
                StepComponent::Transform(t) => Some((s.alias.clone(), t.handle())),
                StepComponent::Flattener(_) => None,
            })
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
            let started = Instant::now();
            let (records_in, rejected_before) = (records.len() as u64, rejected.len());
            let selected = match &step.predicate {
                None => None,
                Some((alias, negate)) => {
                    let predicate = self
                        .predicates
                        .get_mut(alias)
                        .expect("start-up checks every predicate alias");
                    let verdicts = predicate.instance.test(&records).map_err(|error| {
                        step.metrics.failed();
                        ChainError::Failed(StepFailure {
                            alias: alias.clone(),
                            label: format!("{} (of {})", predicate.label, step.label),
                            error,
                        })
                    })?;
                    Some(
                        verdicts
                            .into_iter()
                            .map(|v| v != *negate)
                            .collect::<Vec<_>>(),
                    )
                }
            };
            let applied = match selected {
                Some(sel) if !sel.iter().any(|&s| s) => Ok((records, origins)),
                Some(sel) if !sel.iter().all(|&s| s) => {
                    step.apply_to_selected(records, origins, &sel, &mut rejected, &mut discarded)
                }
                _ => step.apply_to_all(records, origins, &mut rejected, &mut discarded),
            };
            let (next, next_origins) = applied.inspect_err(|_| step.metrics.failed())?;
            let rejected_now = (rejected.len() - rejected_before) as u64;
            step.metrics.batch(
                started.elapsed(),
                records_in,
                rejected_now,
                step.component.memory_peak(),
            );
            records = next;
            origins = next_origins;
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
    fn apply_to_all(
        &mut self,
        records: Vec<Record>,
        origins: Vec<usize>,
        rejected: &mut Vec<BadRecord>,
        discarded: &mut u64,
    ) -> Result<(Vec<Record>, Vec<usize>), ChainError> {
        let (records, indices) = self.call(records, &origins, rejected, discarded)?;
        let origins = indices.iter().map(|&i| origins[i as usize]).collect();
        Ok((records, origins))
    }

    /// Runs the component on `records` (whose batch origins are `origins`), notes what
    /// it rejected and discarded, and returns its output records with, for each, the
    /// index in `records` of the record it came from.
    fn call(
        &mut self,
        records: Vec<Record>,
        origins: &[usize],
        rejected: &mut Vec<BadRecord>,
        discarded: &mut u64,
    ) -> Result<(Vec<Record>, Vec<u32>), ChainError> {
        let out = match self.component.apply(records) {
            Ok(out) => out,
            Err(error) => return Err(self.failure(error, origins)),
        };
        *discarded += out.discarded as u64;
        for ((_, reason), index) in out.rejected.into_iter().zip(out.rejected_origins) {
            rejected.push(self.bad(origins[index as usize], reason));
        }
        Ok((out.records, out.origins))
    }

    /// Applies the step to the records `selected` marks and passes the others
    /// through, keeping the batch's order: a selected record's outputs (itself,
    /// changed, and any it appended) take its place.
    fn apply_to_selected(
        &mut self,
        records: Vec<Record>,
        origins: Vec<usize>,
        selected: &[bool],
        rejected: &mut Vec<BadRecord>,
        discarded: &mut u64,
    ) -> Result<(Vec<Record>, Vec<usize>), ChainError> {
        let n = records.len();
        let mut chosen = Vec::new();
        let mut chosen_at = Vec::new();
        let mut passing: Vec<Option<Record>> = Vec::with_capacity(n);
        for (position, (record, &s)) in records.into_iter().zip(selected).enumerate() {
            if s {
                chosen.push(record);
                chosen_at.push(position);
                passing.push(None);
            } else {
                passing.push(Some(record));
            }
        }
        let chosen_origins: Vec<usize> = chosen_at.iter().map(|&p| origins[p]).collect();
        let (outputs, indices) = self.call(chosen, &chosen_origins, rejected, discarded)?;
        // The outputs of each chosen record, at its position, in the order the step
        // gave them (by index, not by batch origin: records a transform appended earlier
        // share their origin).
        let mut by_position: Vec<Vec<(Record, usize)>> = (0..n).map(|_| Vec::new()).collect();
        for (record, i) in outputs.into_iter().zip(indices) {
            let i = i as usize;
            by_position[chosen_at[i]].push((record, chosen_origins[i]));
        }
        let mut out = Vec::with_capacity(n);
        let mut out_origins = Vec::with_capacity(n);
        for (position, (pass, outputs)) in passing.into_iter().zip(by_position).enumerate() {
            match pass {
                Some(record) => {
                    out.push(record);
                    out_origins.push(origins[position]);
                }
                None => {
                    for (record, origin) in outputs {
                        out.push(record);
                        out_origins.push(origin);
                    }
                }
            }
        }
        Ok((out, out_origins))
    }

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
            label: self.label.clone(),
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

/// How long converting and transforming a batch took, every rerun and attempt added.
#[derive(Debug, Default)]
pub(crate) struct StageTimes {
    pub convert: Duration,
    pub transform: Duration,
}

/// Converts and transforms a consumed batch, adding the time each took to `times`.
///
/// With `stop_at_first_bad` (`errors.tolerance=none`) the first bad record ends it.
/// Otherwise bad records are collected; when a transform answers `bad-record` for one,
/// that record is set aside and the whole batch is converted and transformed again
/// without it (the engine consumed the batch, and transforms before the failing one
/// must see the same records as the final run). Each rerun sets one more record
/// aside, so there are at most as many reruns as records.
pub(crate) fn prepare(
    batch: &SourceBatch,
    converters: &mut Converters,
    chain: &mut Chain,
    stop_at_first_bad: bool,
    times: &mut StageTimes,
) -> Result<Prepared, PrepareError> {
    let mut set_aside: Vec<BadRecord> = Vec::new();
    loop {
        let skip: HashSet<usize> = set_aside.iter().map(|b| b.raw).collect();
        let mut bad = set_aside.clone();
        let decoding = Instant::now();
        let decoded = converters.decode(batch, &skip);
        times.convert += decoding.elapsed();
        let decoded = decoded.map_err(|f| PrepareError::Failed(f.into()))?;
        if let Some(first) = decoded.bad.first()
            && stop_at_first_bad
        {
            return Err(PrepareError::Bad(first.clone()));
        }
        bad.extend(decoded.bad);
        let transforming = Instant::now();
        let applied = chain.apply(decoded.records, decoded.origins);
        times.transform += transforming.elapsed();
        match applied {
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
