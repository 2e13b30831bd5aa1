//! One task: a thread that owns a source (for a sink connector, a Kafka consumer in
//! the pipeline's group), converters, its own instances of the transform chain, a sink
//! and, with `errors.tolerance=all`, a dead letter queue producer. It knows the source
//! and the sink only by their traits (`sluice-connect`). Its loop:
//!
//! `poll → convert → transform → write → dead-letter bad records → commit`
//!
//! Offsets are committed only once the sink acknowledged the batch and every bad record
//! of it is in the dead letter queue, so a crash or a failure anywhere before that
//! leaves the batch to be read again (at-least-once). Records a transform discards
//! count as done.
//!
//! The stages overlap by one batch: while a batch is being written, the next one —
//! whatever the source already holds, taken without waiting — is converted and
//! transformed on a second thread, so a task keeps two cores busy while the sink waits
//! for its system (docs/benchmarks.md measures it). Everything that talks to the sink,
//! the dead letter queue or the source stays on the task's thread and in batch order,
//! so commits, retries and exactly-once are as without the overlap; the batch polled
//! ahead is only ever converted early. A rebalance while it is held (librdkafka runs
//! it inside that poll) takes the revoked partitions' records out of the batch being
//! written too: their new owner reads them from the last commit.

// `FailureKind` carries what stopped the pipeline, typed (~200 bytes). It travels at
// most once per batch, when a task stops, never per record: boxing it would only add
// an allocation to the path that ends the task.
#![allow(clippy::result_large_err)]

use std::sync::Arc;
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use sluice_connect::offsets::display_list;
use sluice_connect::{
    AssignmentEvent, BatchLimits, Classify, ConnectError, Offsets, SetupProblem, Sink, SinkBatch,
    SinkInput, Source, SourceBatch, TaskContext, TopicPartition, WriteReport,
};
use sluice_engine::SwapHandle;
use sluice_record::{RawRecord, Record};
use tracing::{debug, error, info, warn};

use crate::bad_record::BadRecord;
use crate::blueprint::Blueprint;
use crate::chain::{
    self, Chain, PrepareError, Prepared, StageTimes, Step, StepComponent, StepFailure,
};
use crate::converters::{Converters, PrepareFailure};
use crate::dlq::DeadLetterQueue;
use crate::error::{FailureKind, PipelineError, Stage};
use crate::metrics::PipelineMetrics;
use crate::outage::Outage;
use crate::retry::{self, Next, RetryPolicy};
use crate::shared::Shared;
use sluice_kafka::Error as KafkaError;

/// What a task tells the starter: its swap handles, or why it cannot run.
pub(crate) type Ready = (usize, Result<Vec<(String, SwapHandle)>, SetupProblem>);

/// The body of a task thread: set up, report, wait for the go (every task must be
/// ready before any consumes), run until stopped or failed.
pub(crate) fn run_thread(
    blueprint: Arc<Blueprint>,
    shared: Arc<Shared>,
    id: usize,
    ready: Sender<Ready>,
    go: Receiver<bool>,
) {
    let span = tracing::info_span!("task", pipeline = %blueprint.name(), task = id);
    let _entered = span.enter();
    let task = match Task::new(blueprint, shared.clone(), id) {
        Ok(task) => task,
        Err(problem) => {
            let _ = ready.send((id, Err(problem)));
            return;
        }
    };
    let _ = ready.send((id, Ok(task.chain.swap_handles())));
    drop(ready);
    if go.recv() != Ok(true) {
        return;
    }
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| task.run()));
    let kind = match outcome {
        Ok(Ok(())) => None,
        Ok(Err(kind)) => Some(kind),
        Err(panic) => Some(FailureKind::Panic(panic_message(&*panic))),
    };
    if let Some(kind) = kind {
        let error = PipelineError {
            pipeline: shared.name.clone(),
            task: id,
            kind: Box::new(kind),
        };
        error!("{error}");
        shared.fail(error);
    }
    shared.task_exited();
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_owned())
}

struct Task {
    id: usize,
    blueprint: Arc<Blueprint>,
    shared: Arc<Shared>,
    sink: Box<dyn Sink>,
    source: Box<dyn Source>,
    converters: Converters,
    chain: Chain,
    dlq: Option<DeadLetterQueue>,
    /// Offsets of acknowledged batches whose commit failed; retried with the next one.
    uncommitted: Offsets,
    /// Partitions assigned since the sink was last asked where they resume.
    assigned: Vec<TopicPartition>,
}

/// What a written batch adds to the metrics.
struct Written {
    report: WriteReport,
    discarded: u64,
    dead_lettered: u64,
}

impl Task {
    fn new(
        blueprint: Arc<Blueprint>,
        shared: Arc<Shared>,
        id: usize,
    ) -> Result<Task, SetupProblem> {
        let problem = |property: &str, message: String| SetupProblem {
            property: property.to_owned(),
            message,
        };
        let context = TaskContext {
            pipeline: blueprint.name(),
            task: id,
            requests: &shared.metrics.requests,
        };
        let sink = blueprint.sink.create(context)?;
        let converters = Converters::new(&blueprint.key, &blueprint.value)
            .map_err(|e| problem("value.converter", e))?;
        let mut steps = Vec::with_capacity(blueprint.transforms.len() + 1);
        for t in &blueprint.transforms {
            steps.push(
                t.step(shared.metrics.step(&t.alias))
                    .map_err(|e| problem(&format!("transforms.{}", t.alias), e.to_string()))?,
            );
        }
        let mut predicates = std::collections::BTreeMap::new();
        for (alias, p) in &blueprint.predicates {
            let instance = p
                .instance()
                .map_err(|e| problem(&format!("predicates.{alias}"), e.to_string()))?;
            predicates.insert(alias.clone(), instance);
        }
        // Flat rows are for sinks that build rows from typed records.
        if let Some(f) = &blueprint.flattener
            && sink.input() == SinkInput::Records
        {
            steps.push(Step {
                alias: "flattener".to_owned(),
                metrics: shared.metrics.step("flattener"),
                class: f.plugin.name().to_owned(),
                label: f.label.clone(),
                component: StepComponent::Flattener(
                    f.instance()
                        .map_err(|e| problem("flattener", e.to_string()))?,
                ),
                predicate: None,
            });
        }
        let dlq = match &blueprint.dlq {
            Some(spec) => Some(DeadLetterQueue::new(spec, blueprint.name(), id).map_err(|e| {
                problem(
                    "errors.deadletterqueue.topic.name",
                    format!("cannot create the dead letter queue producer: {e}; check bootstrap.servers and the producer.* properties"),
                )
            })?),
            None => None,
        };
        // Last: a source starts reading only when it is first polled, after every task
        // is ready, so nothing is consumed by a pipeline that then fails to start.
        let mut source = blueprint.source.create(context)?;
        // A component may read any record's headers, and the dead letter queue keeps
        // the original ones; with none of them and a sink that ignores headers, the
        // source need not read them at all.
        if steps.is_empty() && predicates.is_empty() && dlq.is_none() && !sink.reads_headers() {
            source.leave_out_headers();
        }
        Ok(Task {
            id,
            blueprint,
            shared,
            sink,
            source,
            converters,
            chain: Chain { steps, predicates },
            dlq,
            uncommitted: Offsets::new(),
            assigned: Vec::new(),
        })
    }

    fn run(mut self) -> Result<(), FailureKind> {
        let limits = BatchLimits {
            max_records: self.blueprint.config.batch.max_records,
            max_bytes: self.blueprint.config.batch.max_bytes,
            max_wait: self.blueprint.config.batch.max_wait,
        };
        let result = self.run_batches(&limits);
        // Whether stopping or failing: commit what an earlier failed commit left behind
        // (those batches were written; the one in flight is never among them).
        self.commit(&Offsets::new());
        self.sink.close();
        debug!(task = self.id, "task stopped");
        result
    }

    fn run_batches(&mut self, limits: &BatchLimits) -> Result<(), FailureKind> {
        // The batch polled (and, when that went smoothly, prepared) while the one before
        // it was written.
        let mut ahead: Option<Ahead> = None;
        while !self.shared.stop_requested() {
            let mut current = match ahead.take() {
                Some(next) => next,
                None => {
                    // Nothing is in flight here, so pausing holds nothing back.
                    if self.shared.pause_requested() {
                        self.stay_paused();
                        continue;
                    }
                    match self.next_batch(limits)? {
                        Polled::Batch { batch, .. } => Ahead::polled(batch),
                        Polled::Nothing => continue,
                        // Its partitions still assigned are read again from its start.
                        Polled::Revoked(batch) => {
                            self.rewind(&[&batch])?;
                            continue;
                        }
                        Polled::Stopping => break,
                    }
                }
            };
            // What the source already holds, taken without waiting, is prepared while
            // `current` is written; not when the pipeline is about to pause or stop.
            let mut upcoming = if self.shared.pause_requested() || self.shared.stop_requested() {
                None
            } else {
                let quick = BatchLimits {
                    max_wait: Duration::ZERO,
                    ..*limits
                };
                match self.next_batch(&quick)? {
                    Polled::Batch { batch, revoked } => {
                        current.drop_revoked(&revoked);
                        (!batch.is_empty()).then(|| Ahead::polled(batch))
                    }
                    Polled::Nothing => None,
                    Polled::Stopping => break,
                    // Partitions went while the sink was asked where new ones resume:
                    // which of `current`'s are gone is not known, so both are read again.
                    Polled::Revoked(upcoming) => {
                        self.rewind(&[&current.batch, &upcoming])?;
                        continue;
                    }
                }
            };
            if current.batch.is_empty() {
                ahead = upcoming;
                continue;
            }
            // Before transforms filter anything: discarded records are done too.
            let offsets = current.batch.offsets();
            let processed = self
                .process(
                    &current.batch,
                    &offsets,
                    current.prepared.take(),
                    &mut upcoming,
                )
                .inspect_err(|kind| {
                    // A bad record stops the task alone; any other failure, its whole batch.
                    let failed = match kind {
                        FailureKind::BadRecord { .. } => 1,
                        _ => current.batch.len() as u64,
                    };
                    PipelineMetrics::add(&self.shared.metrics.task(self.id).records_failed, failed);
                })?;
            let written = match processed {
                Processed::Written(written) => written,
                // Stopping during a retry: the batches stay uncommitted.
                Processed::Abandoned(Abandon::Stopping) => break,
                // Partitions moved while the task waited: their new owner reads them
                // from the last commit, and this task reads the rest again.
                Processed::Abandoned(Abandon::Revoked) => {
                    match &upcoming {
                        Some(upcoming) => self.rewind(&[&current.batch, &upcoming.batch])?,
                        None => self.rewind(&[&current.batch])?,
                    }
                    continue;
                }
            };
            let committing = Instant::now();
            self.commit(&offsets);
            self.shared
                .metrics
                .stages
                .commit
                .observe(committing.elapsed());
            self.count(written);
            ahead = upcoming;
        }
        Ok(())
    }

    /// Has the source deliver abandoned batches again (the records of partitions still
    /// assigned), given in the order they were polled: the later ones are rewound
    /// first, so a partition in several resumes at its earliest offset.
    fn rewind(&mut self, polled: &[&SourceBatch]) -> Result<(), FailureKind> {
        for batch in polled.iter().rev() {
            self.source.rewind(batch).map_err(FailureKind::Source)?;
        }
        Ok(())
    }

    /// Polls the source within `limits`, positions newly assigned partitions where the
    /// sink says they resume, and counts what came in.
    fn next_batch(&mut self, limits: &BatchLimits) -> Result<Polled, FailureKind> {
        let polled = Instant::now();
        let mut batch = self.source.poll(limits).map_err(FailureKind::Source)?;
        if !batch.is_empty() {
            self.shared.metrics.stages.consume.observe(polled.elapsed());
        }
        // The source logs assignments and revocations (at INFO, inside this task's
        // span); a sink that keeps offsets with its data says where to read from.
        let mut revoked = Vec::new();
        for event in self.source.take_events() {
            debug!(?event, "assignment");
            match event {
                AssignmentEvent::Assigned(partitions) => self.assigned.extend(partitions),
                AssignmentEvent::Revoked { partitions, .. } => revoked.extend(partitions),
            }
        }
        if !self.assigned.is_empty() {
            match self.position(&mut batch)? {
                Retried::Done(()) => {}
                Retried::Abandoned(Abandon::Stopping) => return Ok(Polled::Stopping),
                Retried::Abandoned(Abandon::Revoked) => return Ok(Polled::Revoked(batch)),
            }
        }
        if batch.is_empty() && revoked.is_empty() {
            return Ok(Polled::Nothing);
        }
        let metrics = &self.shared.metrics;
        PipelineMetrics::add(&metrics.task(self.id).records_in, batch.len() as u64);
        if let SourceBatch::Raw(raw) = &batch {
            PipelineMetrics::add(&metrics.bytes_in, key_and_value_bytes(raw));
        }
        Ok(Polled::Batch { batch, revoked })
    }

    /// Asks the sink where newly assigned partitions resume (exactly-once sinks keep
    /// their offsets with the data), moves the source there, and drops the batch's
    /// records of those partitions (the source reads them again from there).
    fn position(&mut self, batch: &mut SourceBatch) -> Result<Retried<()>, FailureKind> {
        let assigned = std::mem::take(&mut self.assigned);
        let outcome = self.with_sink(
            &|| display_list(&assigned),
            &|at| format!("reading the stored offsets of {at}"),
            |task| task.sink.positions(&assigned),
        );
        let positions = match outcome? {
            Retried::Done(positions) => positions,
            Retried::Abandoned(a) => {
                // Asked again at the next poll.
                self.assigned = assigned;
                return Ok(Retried::Abandoned(a));
            }
        };
        if positions.is_empty() {
            return Ok(Retried::Done(()));
        }
        for (tp, offset) in positions.iter() {
            info!(partition = %tp, "resuming after offset {offset}, stored with the data");
        }
        self.source.seek(&positions).map_err(FailureKind::Source)?;
        batch.drop_partitions(&positions);
        // The source's own committed position may lag (a crash between the sink
        // storing a batch's offsets and the commit): catch it up, or the lag shows
        // until the next record of the partition arrives.
        self.commit(&positions);
        Ok(Retried::Done(()))
    }

    /// Runs `attempt` until it succeeds, fails for good, or the batch is abandoned.
    /// While it waits between attempts the task is degraded (see [`crate::outage`]) and
    /// its source is paused but polled, so a consumer keeps its group membership.
    fn retrying<T, E: std::fmt::Display>(
        &mut self,
        policy: RetryPolicy,
        waiting_for: &dyn Fn(&E) -> String,
        what: &dyn Fn() -> String,
        is_retriable: fn(&E) -> bool,
        mut attempt: impl FnMut(&mut Task) -> Result<T, E>,
    ) -> Result<Retried<T>, (E, u32)> {
        let shared = self.shared.clone();
        let mut retry = retry::start(policy);
        let mut outage: Option<Outage<'_>> = None;
        let mut paused = false;
        let result = loop {
            let error = match attempt(self) {
                Ok(value) => {
                    if let Some(outage) = outage.take() {
                        outage.recovered(retry.attempts());
                    }
                    break Ok(Retried::Done(value));
                }
                Err(e) => e,
            };
            if !is_retriable(&error) {
                break Err((error, retry.attempts()));
            }
            let reason = error.to_string();
            let attempts = retry.attempts();
            let Next::Retry(pause) = retry.after_failure() else {
                break Err((error, attempts));
            };
            PipelineMetrics::add(&shared.metrics.retries, 1);
            match &outage {
                None => {
                    outage = Some(Outage::begin(
                        &shared,
                        self.id,
                        waiting_for(&error),
                        &what(),
                        &reason,
                    ));
                    self.pause_source();
                    paused = true;
                }
                Some(outage) => outage.failed_again(attempts, &reason, pause),
            }
            if let Some(abandon) = self.back_off(pause) {
                break Ok(Retried::Abandoned(abandon));
            }
        };
        if paused {
            self.resume_source();
        }
        result
    }

    /// Waits `pause` while polling the paused source (a consumer that is not polled
    /// leaves its group after `max.poll.interval.ms`). `Some` when the batch must be
    /// abandoned: the pipeline is stopping, or partitions were revoked meanwhile.
    fn back_off(&mut self, pause: Duration) -> Option<Abandon> {
        // Short slices: a stop request is seen within one.
        const SLICE: Duration = Duration::from_millis(100);
        let deadline = Instant::now() + pause;
        loop {
            if self.shared.stop_requested() {
                return Some(Abandon::Stopping);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return None;
            }
            let limits = BatchLimits {
                max_records: 1,
                max_bytes: usize::MAX,
                max_wait: left.min(SLICE),
            };
            match self.source.poll(&limits) {
                Ok(batch) => debug_assert!(batch.is_empty(), "a paused source delivered"),
                Err(e) => debug!("polling the paused source: {e}"),
            }
            let mut revoked = false;
            for event in self.source.take_events() {
                debug!(?event, "assignment while waiting");
                match event {
                    AssignmentEvent::Assigned(partitions) => self.assigned.extend(partitions),
                    AssignmentEvent::Revoked { .. } => revoked = true,
                }
            }
            if revoked {
                return Some(Abandon::Revoked);
            }
        }
    }

    /// While the pipeline is paused: the source is paused but polled (its consumer
    /// keeps its partitions), nothing is in flight, and partitions assigned meanwhile
    /// are positioned when consuming resumes.
    fn stay_paused(&mut self) {
        // Short slices: a resume or stop request is seen within one.
        const SLICE: Duration = Duration::from_millis(100);
        info!("paused");
        self.pause_source();
        while self.shared.pause_requested() && !self.shared.stop_requested() {
            let limits = BatchLimits {
                max_records: 1,
                max_bytes: usize::MAX,
                max_wait: SLICE,
            };
            match self.source.poll(&limits) {
                Ok(batch) => debug_assert!(batch.is_empty(), "a paused source delivered"),
                Err(e) => debug!("polling the paused source: {e}"),
            }
            for event in self.source.take_events() {
                debug!(?event, "assignment while paused");
                if let AssignmentEvent::Assigned(partitions) = event {
                    self.assigned.extend(partitions);
                }
            }
        }
        self.resume_source();
        if !self.shared.stop_requested() {
            info!("resumed");
        }
    }

    fn pause_source(&mut self) {
        if let Err(e) = self.source.pause() {
            warn!("cannot pause the source while waiting: {e}");
        }
    }

    fn resume_source(&mut self) {
        if let Err(e) = self.source.resume() {
            warn!("cannot resume the source: {e}");
        }
    }

    /// Converts and transforms one batch (unless that was done while the batch before
    /// it was written), writes it while the `upcoming` one is prepared, and
    /// dead-letters its bad records. The upcoming batch stays with the caller, prepared
    /// when that went smoothly, whatever happened to this one.
    fn process(
        &mut self,
        batch: &SourceBatch,
        offsets: &Offsets,
        prepared: Option<Prepared>,
        upcoming: &mut Option<Ahead>,
    ) -> Result<Processed, FailureKind> {
        // Start-up guarantees a dead letter queue exactly when errors are tolerated.
        let tolerate = self.dlq.is_some();
        let prepared = match prepared {
            Some(prepared) => prepared,
            None => match self.prepare_batch(batch, !tolerate)? {
                Retried::Done(prepared) => prepared,
                Retried::Abandoned(a) => return Ok(Processed::Abandoned(a)),
            },
        };
        let Prepared {
            records,
            origins,
            mut bad,
            discarded,
        } = prepared;
        let (sink_batch, origins) = match self.sink.input() {
            SinkInput::Records => (ForSink::Records(records), origins),
            SinkInput::Raw => {
                let mut convert = Duration::ZERO;
                let fetched = self.fetch_for_converters(batch, |task| {
                    let fetching = Instant::now();
                    let fetched = task.converters.prepare_encode(&records);
                    convert += fetching.elapsed();
                    fetched
                })?;
                if let Retried::Abandoned(a) = fetched {
                    return Ok(Processed::Abandoned(a));
                }
                let encoding = Instant::now();
                let encoded = self
                    .converters
                    .encode(records, origins)
                    .map_err(|f| StepFailure::from(f).into_kind(chain::coordinates(batch, 0), 1))?;
                convert += encoding.elapsed();
                self.shared.metrics.stages.convert.observe(convert);
                for b in encoded.bad {
                    if !tolerate {
                        return Err(b.into_failure(batch));
                    }
                    bad.push(b);
                }
                (ForSink::Raw(encoded.records), encoded.origins)
            }
        };
        let report = match self.write_ahead(batch, &sink_batch, upcoming)? {
            Retried::Done(report) => report,
            Retried::Abandoned(a) => return Ok(Processed::Abandoned(a)),
        };
        let connector = self.blueprint.config.connector.name;
        for failure in &report.failures {
            let b = BadRecord {
                raw: origins[failure.index],
                stage: Stage::TaskPut,
                class: connector.to_owned(),
                label: format!("the sink `{connector}`"),
                exception: "sluice.SinkRecordError",
                reason: failure.error.to_string(),
            };
            if !tolerate {
                return Err(b.into_failure(batch));
            }
            bad.push(b);
        }
        if !bad.is_empty() {
            bad.sort_by_key(|b| b.raw);
            if let Retried::Abandoned(a) = self.dead_letter(batch, &bad)? {
                return Ok(Processed::Abandoned(a));
            }
        }
        if let Retried::Abandoned(a) = self.done(batch, offsets)? {
            return Ok(Processed::Abandoned(a));
        }
        Ok(Processed::Written(Written {
            report,
            discarded,
            dead_lettered: bad.len() as u64,
        }))
    }

    /// Converts and transforms a batch on the task's thread, waiting out what fails
    /// for a while (the registry, a transform's retriable error). Each attempt's work
    /// is timed inside it, so the pauses between attempts count in no stage.
    fn prepare_batch(
        &mut self,
        batch: &SourceBatch,
        stop_at_first_bad: bool,
    ) -> Result<Retried<Prepared>, FailureKind> {
        let mut times = StageTimes::default();
        let fetched = self.fetch_for_converters(batch, |task| {
            let fetching = Instant::now();
            let fetched = task.converters.prepare_decode(batch);
            times.convert += fetching.elapsed();
            fetched
        })?;
        if let Retried::Abandoned(a) = fetched {
            return Ok(Retried::Abandoned(a));
        }
        let prepared = self.prepare(batch, stop_at_first_bad, &mut times)?;
        self.shared.metrics.stages.observe_prepared(&times);
        Ok(prepared)
    }

    /// Writes `records` (of `batch`), preparing the `upcoming` batch on a second thread
    /// meanwhile. Only the first attempt overlaps: should it fail, the write is retried
    /// as any other (the upcoming batch is prepared by then, or left for later).
    fn write_ahead(
        &mut self,
        batch: &SourceBatch,
        records: &ForSink,
        upcoming: &mut Option<Ahead>,
    ) -> Result<Retried<WriteReport>, FailureKind> {
        let Some(next) = upcoming.as_mut().filter(|next| next.prepared.is_none()) else {
            return self.write(batch, records);
        };
        if records.as_batch().is_empty() {
            return self.write(batch, records);
        }
        let stop_at_first_bad = self.dlq.is_none();
        let span = tracing::Span::current();
        let Task {
            converters,
            chain,
            sink,
            shared,
            ..
        } = self;
        let metrics = &shared.metrics;
        let (first, prepared) = std::thread::scope(|scope| {
            let preparing = std::thread::Builder::new()
                .name("sluice-prepare".into())
                .spawn_scoped(scope, || {
                    let _entered = span.enter();
                    let mut times = StageTimes::default();
                    let prepared = prepare_once(
                        &next.batch,
                        converters,
                        chain,
                        stop_at_first_bad,
                        &mut times,
                    );
                    metrics.stages.observe_prepared(&times);
                    prepared
                });
            let writing = Instant::now();
            let first = sink.write(records.as_batch());
            metrics.stages.write.observe(writing.elapsed());
            let prepared = match preparing {
                Ok(thread) => thread
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                // No thread to be had: it is prepared on this one, later.
                Err(_) => None,
            };
            (first, prepared)
        });
        next.prepared = prepared;
        match first {
            Ok(report) => {
                self.count_bytes_out(records);
                Ok(Retried::Done(report))
            }
            // Retried (or failed for good) as every write is, from a first attempt.
            Err(_) => self.write(batch, records),
        }
    }

    /// Lets the native converters fetch what converting the batch needs (the Avro
    /// converter's schemas): an unreachable registry is an outage, waited out as
    /// Kinetica's are.
    fn fetch_for_converters(
        &mut self,
        batch: &SourceBatch,
        op: impl FnMut(&mut Task) -> Result<(), PrepareFailure>,
    ) -> Result<Retried<()>, FailureKind> {
        self.retrying(
            self.blueprint.outage,
            &|f: &PrepareFailure| format!("the schema registry of {}", f.label),
            &|| {
                format!(
                    "converting the batch starting at {}",
                    chain::coordinates(batch, 0)
                )
            },
            PrepareFailure::is_retriable,
            op,
        )
        .map_err(|(failure, attempts)| FailureKind::Converter {
            component: failure.label,
            batch: chain::coordinates(batch, 0),
            attempts,
            error: failure.error,
        })
    }

    /// Converts and transforms the batch, retrying as `errors.retry.*` says; the work
    /// of every attempt is added to `times`.
    fn prepare(
        &mut self,
        batch: &SourceBatch,
        stop_at_first_bad: bool,
        times: &mut StageTimes,
    ) -> Result<Retried<Prepared>, FailureKind> {
        // A record rejected under `errors.tolerance=none` ends the attempts at once.
        let mut bad = None;
        let outcome = self.retrying(
            self.blueprint.retry,
            &|f: &StepFailure| f.label.clone(),
            &|| format!("the batch starting at {}", chain::coordinates(batch, 0)),
            StepFailure::is_retriable,
            |task| match chain::prepare(
                batch,
                &mut task.converters,
                &mut task.chain,
                stop_at_first_bad,
                times,
            ) {
                Ok(prepared) => Ok(Some(prepared)),
                Err(PrepareError::Bad(b)) => {
                    bad = Some(b);
                    Ok(None)
                }
                Err(PrepareError::Failed(f)) => Err(f),
            },
        );
        match outcome {
            Ok(Retried::Done(Some(prepared))) => Ok(Retried::Done(prepared)),
            Ok(Retried::Done(None)) => Err(bad
                .expect("a bad record ended the attempts")
                .into_failure(batch)),
            Ok(Retried::Abandoned(a)) => Ok(Retried::Abandoned(a)),
            Err((failure, attempts)) => {
                Err(failure.into_kind(chain::coordinates(batch, 0), attempts))
            }
        }
    }

    fn write(
        &mut self,
        batch: &SourceBatch,
        records: &ForSink,
    ) -> Result<Retried<WriteReport>, FailureKind> {
        if records.as_batch().is_empty() {
            return Ok(Retried::Done(WriteReport::default()));
        }
        let writing = Instant::now();
        let written = self.with_sink(
            &|| chain::coordinates(batch, 0),
            &|at| format!("writing the batch starting at {at}"),
            |task| task.sink.write(records.as_batch()),
        )?;
        self.shared.metrics.stages.write.observe(writing.elapsed());
        if let Retried::Done(_) = &written {
            self.count_bytes_out(records);
        }
        Ok(written)
    }

    /// Bytes written to a sink that takes them encoded (Kafka).
    fn count_bytes_out(&self, records: &ForSink) {
        if let SinkBatch::Raw(raw) = records.as_batch() {
            PipelineMetrics::add(&self.shared.metrics.bytes_out, key_and_value_bytes(raw));
        }
    }

    /// Tells the sink the batch is done, before the source commits it: a sink that
    /// buffers makes what it was given durable (`flush`), an exactly-once sink stores
    /// the offsets with its data (`done`).
    fn done(&mut self, batch: &SourceBatch, offsets: &Offsets) -> Result<Retried<()>, FailureKind> {
        self.with_sink(
            &|| chain::coordinates(batch, 0),
            &|at| format!("completing the batch starting at {at}"),
            |task| {
                task.sink.flush()?;
                task.sink.done(offsets)
            },
        )
    }

    /// Runs `op` on the sink, waiting out its retriable failures as an outage; a
    /// failure for good names what it was about (`at`: the batch's first record, or
    /// the partitions). Messages are built only when something fails.
    fn with_sink<T>(
        &mut self,
        at: &dyn Fn() -> String,
        what: &dyn Fn(&str) -> String,
        op: impl FnMut(&mut Task) -> Result<T, ConnectError>,
    ) -> Result<Retried<T>, FailureKind> {
        let connector = self.blueprint.config.connector.name;
        self.retrying(
            self.blueprint.outage,
            &|_| format!("the sink `{connector}`"),
            &|| what(&at()),
            ConnectError::is_retriable,
            op,
        )
        .map_err(|(error, attempts)| FailureKind::Sink {
            batch: at(),
            attempts,
            error,
        })
    }

    /// Sends bad records to the dead letter queue.
    fn dead_letter(
        &mut self,
        batch: &SourceBatch,
        bad: &[BadRecord],
    ) -> Result<Retried<()>, FailureKind> {
        let SourceBatch::Raw(batch) = batch else {
            unreachable!("the blueprint allows a dead letter queue only for raw sources");
        };
        let batch = batch.as_slice();
        let blueprint = self.blueprint.clone();
        let errors = &blueprint.config.errors;
        let topic = self
            .dlq
            .as_ref()
            .expect("bad records are only collected with a dead letter queue")
            .topic()
            .to_owned();
        for b in bad.iter().filter(|_| errors.log) {
            let raw = &batch[b.raw];
            warn!(
                record = %raw.coordinates(),
                stage = b.stage.connect_name(),
                "{} failed: {}; sent to the dead letter queue",
                b.label,
                b.reason
            );
            if errors.log_include_messages {
                // Record contents only at DEBUG, and only when asked for.
                debug!(
                    record = %raw.coordinates(),
                    key = %String::from_utf8_lossy(raw.key.as_deref().unwrap_or_default()),
                    value = %String::from_utf8_lossy(raw.value.as_deref().unwrap_or_default()),
                    "failed record"
                );
            }
        }
        let outcome = self.retrying(
            self.blueprint.outage,
            &|_| format!("the dead letter queue `{topic}`"),
            &|| format!("writing {} record(s) to the dead letter queue", bad.len()),
            |e: &KafkaError| e.class().retriable,
            |task| {
                task.dlq
                    .as_mut()
                    .expect("checked above")
                    .send(batch, bad)
                    .map_err(|e| *e)
            },
        );
        match outcome {
            Ok(Retried::Done(())) => {}
            Ok(Retried::Abandoned(a)) => return Ok(Retried::Abandoned(a)),
            Err((error, attempts)) => {
                return Err(FailureKind::DeadLetterQueue {
                    topic,
                    attempts,
                    error: ConnectError::new(error),
                });
            }
        }
        warn!(
            topic = %topic,
            batch = %batch[0].coordinates(),
            "sent {} bad record(s) to the dead letter queue",
            bad.len()
        );
        Ok(Retried::Done(()))
    }

    /// Commits `offsets` and whatever an earlier failed commit left. A failed commit is
    /// not fatal: the batch is written, and at worst it is read again after a restart.
    fn commit(&mut self, offsets: &Offsets) {
        self.uncommitted.merge(offsets);
        if self.uncommitted.is_empty() {
            return;
        }
        match self.source.commit(&self.uncommitted) {
            Ok(_) => self.uncommitted = Offsets::new(),
            Err(e) => warn!(
                "{e}; retried with the next batch (if the task stops first, the records since \
                 the last commit are read again)"
            ),
        }
    }

    fn count(&self, written: Written) {
        let m = &self.shared.metrics;
        let task = m.task(self.id);
        PipelineMetrics::add(&task.records_written, written.report.total_written());
        m.add_table_rows(written.report.written.iter().map(|(t, n)| (t, *n)));
        PipelineMetrics::add(&task.records_discarded, written.discarded);
        PipelineMetrics::add(&task.tombstones, written.report.skipped);
        PipelineMetrics::add(&task.records_dead_lettered, written.dead_lettered);
        // A dead-lettered record failed, though the pipeline went on.
        PipelineMetrics::add(&task.records_failed, written.dead_lettered);
        PipelineMetrics::add(&m.batches, 1);
    }
}

/// Bytes of the keys and values of `records`.
fn key_and_value_bytes(records: &[RawRecord]) -> u64 {
    records.iter().map(RawRecord::payload_bytes).sum::<usize>() as u64
}

/// How a batch went.
enum Processed {
    Written(Written),
    Abandoned(Abandon),
}

/// What a poll of the source gave.
enum Polled {
    /// Records (possibly none, when only `revoked` is news): partitions revoked during
    /// the poll are not among them, but may be in a batch polled before.
    Batch {
        batch: SourceBatch,
        revoked: Vec<TopicPartition>,
    },
    /// Nothing new.
    Nothing,
    /// Partitions were revoked while the sink was asked where new ones resume: the
    /// batch polled is given back unprocessed, for the source to read again.
    Revoked(SourceBatch),
    /// The pipeline is stopping.
    Stopping,
}

/// A batch polled while the one before it was written, and what preparing it early
/// gave (`None`: it is prepared when its turn comes, with retries as usual).
struct Ahead {
    batch: SourceBatch,
    prepared: Option<Prepared>,
}

impl Ahead {
    fn polled(batch: SourceBatch) -> Ahead {
        Ahead {
            batch,
            prepared: None,
        }
    }

    /// Takes out the records of partitions revoked since the batch was polled (their
    /// new owner reads them from the last commit), to be prepared again without them.
    fn drop_revoked(&mut self, revoked: &[TopicPartition]) {
        let mut gone = Offsets::new();
        for tp in revoked {
            gone.track(&tp.topic, tp.partition, 0);
        }
        let before = self.batch.len();
        self.batch.drop_partitions(&gone);
        if self.batch.len() != before {
            self.prepared = None;
        }
    }
}

/// One attempt at converting and transforming `batch` (off the task's thread, while
/// the batch before it is written): `None` when anything fails, which the task then
/// meets again on its own thread, with retries, dead-lettering and failing as usual.
fn prepare_once(
    batch: &SourceBatch,
    converters: &mut Converters,
    chain: &mut Chain,
    stop_at_first_bad: bool,
    times: &mut StageTimes,
) -> Option<Prepared> {
    let fetching = Instant::now();
    let fetched = converters.prepare_decode(batch);
    times.convert += fetching.elapsed();
    fetched.ok()?;
    chain::prepare(batch, converters, chain, stop_at_first_bad, times).ok()
}

/// Why a batch in flight was given up without being committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Abandon {
    /// The pipeline is stopping.
    Stopping,
    /// Partitions were revoked while the task waited out a failure.
    Revoked,
}

/// An operation that succeeded, possibly after retries, or was abandoned.
enum Retried<T> {
    Done(T),
    Abandoned(Abandon),
}

/// A batch in the form the sink takes.
enum ForSink {
    Records(Vec<Record>),
    Raw(Vec<RawRecord>),
}

impl ForSink {
    fn as_batch(&self) -> SinkBatch<'_> {
        match self {
            ForSink::Records(r) => SinkBatch::Records(r),
            ForSink::Raw(r) => SinkBatch::Raw(r),
        }
    }
}
