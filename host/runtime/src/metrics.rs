//! A pipeline's counters, shared by its tasks and read by whoever holds the handle
//! (the CLI's stop summary, the demo, benchmarks, later the REST API).
//!
//! Counters are relaxed atomics bumped once per batch, not per record, so reading them
//! costs the hot path nothing. They count since the pipeline started.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use sluice_connect::metrics::{LATENCY_BUCKETS, Latency, LatencySnapshot, RequestMetrics};

/// A pipeline's live counters since it started, shared by its tasks
/// ([`PipelineHandle::metrics`](crate::PipelineHandle::metrics)). The record counters
/// are kept per task ([`TaskMetrics`]); the pipeline's are their sums. Once every batch
/// is committed, and without records appended by transforms, `records_in =
/// records_written + records_discarded + tombstones + records_dead_lettered`
/// (docs/runtime.md, "Metrics").
#[derive(Debug, Default)]
pub struct PipelineMetrics {
    /// Each task's record counters, by task number.
    tasks: Vec<TaskMetrics>,
    /// Bytes of keys and values consumed.
    pub bytes_in: AtomicU64,
    /// Bytes of keys and values written, by a sink that takes bytes (Kafka).
    pub bytes_out: AtomicU64,
    /// Batches written and committed.
    pub batches: AtomicU64,
    /// Batches tried again after a retriable failure.
    pub retries: AtomicU64,
    /// Tasks waiting out a failure right now (the pipeline is degraded while > 0).
    pub degraded_tasks: AtomicU64,
    /// Outages lived through: times a task started waiting out a failure.
    pub outages: AtomicU64,
    /// Rows acknowledged per qualified table name. Updated once per batch.
    tables: Mutex<BTreeMap<String, u64>>,
    /// How long each stage of a batch took.
    pub stages: StageLatencies,
    /// Each step of the transform chain, by alias (the flattener as `flattener`);
    /// shared by every task.
    steps: Mutex<BTreeMap<String, Arc<StepMetrics>>>,
    /// The sink's requests to its system (Kinetica's endpoints), shared by every task.
    pub requests: Arc<RequestMetrics>,
}

/// One task's record counters. A task bumps only its own, once per batch.
#[derive(Debug, Default)]
pub struct TaskMetrics {
    /// Records consumed from the source.
    pub records_in: AtomicU64,
    /// Records the sink acknowledged (rows Kinetica acknowledged).
    pub records_written: AtomicU64,
    /// Records a transform filtered out (their offsets are committed).
    pub records_discarded: AtomicU64,
    /// Records with a null value (tombstones): the sink has no row to write.
    pub tombstones: AtomicU64,
    /// Bad records sent to the dead letter queue (`errors.tolerance=all`).
    pub records_dead_lettered: AtomicU64,
    /// Records that failed: those sent to the dead letter queue, and those whose
    /// failure stopped the task — the bad record under `errors.tolerance=none`, or
    /// every record of a batch a component, the sink or the dead letter queue failed
    /// for good.
    pub records_failed: AtomicU64,
}

/// [`TaskMetrics`] at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskSnapshot {
    /// [`TaskMetrics::records_in`].
    pub records_in: u64,
    /// [`TaskMetrics::records_written`].
    pub records_written: u64,
    /// [`TaskMetrics::records_discarded`].
    pub records_discarded: u64,
    /// [`TaskMetrics::tombstones`].
    pub tombstones: u64,
    /// [`TaskMetrics::records_dead_lettered`].
    pub records_dead_lettered: u64,
    /// [`TaskMetrics::records_failed`].
    pub records_failed: u64,
}

impl TaskMetrics {
    fn snapshot(&self) -> TaskSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        TaskSnapshot {
            records_in: get(&self.records_in),
            records_written: get(&self.records_written),
            records_discarded: get(&self.records_discarded),
            tombstones: get(&self.tombstones),
            records_dead_lettered: get(&self.records_dead_lettered),
            records_failed: get(&self.records_failed),
        }
    }
}

/// One step of the chain (a transform or the flattener), across a pipeline's tasks.
#[derive(Debug, Default)]
pub struct StepMetrics {
    /// How long it took per batch, its predicate included.
    pub latency: Latency,
    /// Records it was given.
    pub records: AtomicU64,
    /// Records it rejected, and calls that failed (a trap, a timeout, an error).
    pub errors: AtomicU64,
    /// The longest batch, in nanoseconds: against `sandbox.cpu.budget.ms`, how close
    /// the step came to its budget.
    pub slowest_nanos: AtomicU64,
    /// The most linear memory one of its instances was granted, in bytes: against
    /// `sandbox.memory.max.bytes`.
    pub memory_peak: AtomicU64,
}

/// [`StepMetrics`] at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StepSnapshot {
    /// [`StepMetrics::latency`].
    pub latency: LatencySnapshot,
    /// [`StepMetrics::records`].
    pub records: u64,
    /// [`StepMetrics::errors`].
    pub errors: u64,
    /// [`StepMetrics::slowest_nanos`].
    pub slowest: Duration,
    /// [`StepMetrics::memory_peak`].
    pub memory_peak: u64,
}

impl StepMetrics {
    pub(crate) fn batch(&self, took: Duration, records: u64, rejected: u64, memory: u64) {
        self.latency.observe(took);
        self.slowest_nanos
            .fetch_max(took.as_nanos() as u64, Ordering::Relaxed);
        self.memory_peak.fetch_max(memory, Ordering::Relaxed);
        PipelineMetrics::add(&self.records, records);
        PipelineMetrics::add(&self.errors, rejected);
    }

    pub(crate) fn failed(&self) {
        PipelineMetrics::add(&self.errors, 1);
    }

    fn snapshot(&self) -> StepSnapshot {
        StepSnapshot {
            latency: self.latency.snapshot(),
            records: self.records.load(Ordering::Relaxed),
            errors: self.errors.load(Ordering::Relaxed),
            slowest: Duration::from_nanos(self.slowest_nanos.load(Ordering::Relaxed)),
            memory_peak: self.memory_peak.load(Ordering::Relaxed),
        }
    }
}

/// The stages of a batch, as `/metrics` labels them. Each is the work itself, every
/// attempt of a retried batch included; the pauses between attempts (an outage being
/// waited out) are in none of them.
#[derive(Debug, Default)]
pub struct StageLatencies {
    /// Polling the source for the batch.
    pub consume: Latency,
    /// Converting it: decoding keys and values with the converters (and, for a sink
    /// that takes bytes, encoding them again: observed apart, as the decoding may run
    /// ahead on a second thread), with what the converters fetch for it (a Schema
    /// Registry's schemas).
    pub convert: Latency,
    /// Running it through the transform chain (predicates and the flattener
    /// included); each step's own time is in [`StepMetrics::latency`].
    pub transform: Latency,
    /// Writing it to the sink (retries included).
    pub write: Latency,
    /// Committing its offsets.
    pub commit: Latency,
}

impl StageLatencies {
    /// What converting and transforming one batch took.
    pub(crate) fn observe_prepared(&self, times: &crate::chain::StageTimes) {
        self.convert.observe(times.convert);
        self.transform.observe(times.transform);
    }
}

/// A copy of the counters at one moment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsSnapshot {
    /// Records consumed from the source ([`TaskMetrics::records_in`], summed).
    pub records_in: u64,
    /// Bytes of keys and values consumed ([`PipelineMetrics::bytes_in`]).
    pub bytes_in: u64,
    /// Bytes of keys and values written ([`PipelineMetrics::bytes_out`]).
    pub bytes_out: u64,
    /// Records the sink acknowledged ([`TaskMetrics::records_written`], summed).
    pub records_written: u64,
    /// Records transforms filtered out ([`TaskMetrics::records_discarded`], summed).
    pub records_discarded: u64,
    /// Records with a null value, not written ([`TaskMetrics::tombstones`], summed).
    pub tombstones: u64,
    /// Bad records sent to the dead letter queue
    /// ([`TaskMetrics::records_dead_lettered`], summed).
    pub records_dead_lettered: u64,
    /// Records that failed ([`TaskMetrics::records_failed`], summed).
    pub records_failed: u64,
    /// Batches written and committed ([`PipelineMetrics::batches`]).
    pub batches: u64,
    /// Batches tried again after a retriable failure ([`PipelineMetrics::retries`]).
    pub retries: u64,
    /// Tasks waiting out a failure ([`PipelineMetrics::degraded_tasks`]).
    pub degraded_tasks: u64,
    /// Outages lived through ([`PipelineMetrics::outages`]).
    pub outages: u64,
    /// Rows acknowledged per qualified table name
    /// ([`PipelineMetrics::rows_per_table`]).
    pub rows_per_table: BTreeMap<String, u64>,
    /// Each task's record counters, by task number.
    pub tasks: Vec<TaskSnapshot>,
}

impl PipelineMetrics {
    /// The counters of a pipeline of `tasks` tasks, all zero.
    pub fn new(tasks: usize) -> PipelineMetrics {
        PipelineMetrics {
            tasks: (0..tasks).map(|_| TaskMetrics::default()).collect(),
            ..PipelineMetrics::default()
        }
    }

    /// Task `id`'s record counters.
    ///
    /// # Panics
    /// If the pipeline has no task `id` (tasks are numbered from 0 to `tasks.max - 1`).
    pub fn task(&self, id: usize) -> &TaskMetrics {
        &self.tasks[id]
    }

    /// Reads every counter. Each is read on its own (relaxed), so a snapshot taken while
    /// batches complete may mix two moments; one taken after the pipeline stopped is exact.
    pub fn snapshot(&self) -> MetricsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        let tasks: Vec<TaskSnapshot> = self.tasks.iter().map(TaskMetrics::snapshot).collect();
        let sum = |f: fn(&TaskSnapshot) -> u64| tasks.iter().map(f).sum::<u64>();
        MetricsSnapshot {
            records_in: sum(|t| t.records_in),
            bytes_in: get(&self.bytes_in),
            bytes_out: get(&self.bytes_out),
            records_written: sum(|t| t.records_written),
            records_discarded: sum(|t| t.records_discarded),
            tombstones: sum(|t| t.tombstones),
            records_dead_lettered: sum(|t| t.records_dead_lettered),
            records_failed: sum(|t| t.records_failed),
            batches: get(&self.batches),
            retries: get(&self.retries),
            degraded_tasks: get(&self.degraded_tasks),
            outages: get(&self.outages),
            rows_per_table: self.rows_per_table(),
            tasks,
        }
    }

    /// The metrics of chain step `alias`, shared by every task.
    pub(crate) fn step(&self, alias: &str) -> Arc<StepMetrics> {
        let mut steps = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        steps.entry(alias.to_owned()).or_default().clone()
    }

    /// Each chain step's metrics so far, by alias.
    pub fn steps(&self) -> BTreeMap<String, StepSnapshot> {
        let steps = self.steps.lock().unwrap_or_else(|p| p.into_inner());
        steps
            .iter()
            .map(|(a, m)| (a.clone(), m.snapshot()))
            .collect()
    }

    /// Rows acknowledged per table so far.
    pub fn rows_per_table(&self) -> BTreeMap<String, u64> {
        self.lock_tables().clone()
    }

    pub(crate) fn add(counter: &AtomicU64, n: u64) {
        if n > 0 {
            counter.fetch_add(n, Ordering::Relaxed);
        }
    }

    pub(crate) fn add_table_rows<'a>(&self, rows: impl IntoIterator<Item = (&'a String, u64)>) {
        let mut tables = self.lock_tables();
        for (table, n) in rows {
            *tables.entry(table.clone()).or_default() += n;
        }
    }

    fn lock_tables(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, u64>> {
        // Plain counters: a panic elsewhere cannot leave them inconsistent.
        self.tables.lock().unwrap_or_else(|p| p.into_inner())
    }
}
