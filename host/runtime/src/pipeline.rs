//! Starting a pipeline, and the handle that watches and stops it.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use sluice_config::Problems;
use sluice_config::pipeline::{PipelineConfig, Subscription};
use sluice_engine::{SwapHandle, WasmEngine};
use tracing::info;

use crate::blueprint::Blueprint;
use crate::error::{FailureKind, PipelineError, StartError};
use crate::metrics::{MetricsSnapshot, PipelineMetrics};
use crate::options::RunOptions;
use crate::shared::Shared;
use crate::status::PipelineStatus;
use crate::swap::{TransformSwap, TransformVersion};
use crate::task::{self, Ready};

/// Starts pipelines.
pub struct Pipeline;

impl Pipeline {
    /// Checks everything that can be checked before consuming — converters, transform
    /// components (loaded, their property groups validated, configured), the error
    /// policy, the sink's connection and the Kafka clients of every task — then starts
    /// `tasks.max` task threads. On error nothing has been consumed.
    ///
    /// Blocks while tasks connect; call it from a plain thread (or `spawn_blocking`),
    /// not from inside an async task.
    pub fn start(
        config: PipelineConfig,
        engine: &WasmEngine,
        options: RunOptions,
    ) -> Result<PipelineHandle, StartError> {
        let blueprint = Blueprint::new(config, engine, &options)?;
        for warning in blueprint.warnings.iter() {
            tracing::warn!("{warning}");
        }
        let blueprint = Arc::new(blueprint);
        let tasks = blueprint.config.tasks_max.max(1) as usize;
        let name = blueprint.name().to_owned();
        let shared = Arc::new(Shared::new(name.clone(), tasks));
        shared.set_paused(options.start_paused);
        let (ready_tx, ready_rx) = mpsc::channel::<Ready>();
        let mut go = Vec::with_capacity(tasks);
        let mut threads = Vec::with_capacity(tasks);
        let mut problems = Problems::new();
        for id in 0..tasks {
            let (go_tx, go_rx) = mpsc::channel();
            let (bp, sh, ready) = (blueprint.clone(), shared.clone(), ready_tx.clone());
            let spawned = std::thread::Builder::new()
                .name(format!("sluice-task-{id}"))
                .spawn(move || task::run_thread(bp, sh, id, ready, go_rx));
            match spawned {
                Ok(thread) => {
                    threads.push(thread);
                    go.push(go_tx);
                }
                Err(e) => {
                    problems.error(
                        &blueprint.config.source,
                        Some("tasks.max"),
                        format!("cannot start task {id}: {e}"),
                    );
                    break;
                }
            }
        }
        drop(ready_tx);
        let mut handles: Vec<(usize, Vec<(String, SwapHandle)>)> = Vec::new();
        for _ in 0..threads.len() {
            match ready_rx.recv() {
                Ok((id, Ok(h))) => handles.push((id, h)),
                Ok((_, Err(p))) => {
                    // Every task meets the same unreachable sink: say it once.
                    if !problems.iter().any(|q| q.message == p.message) {
                        let origin = origin_of(&blueprint.config, &p.property);
                        problems.error(&origin, Some(&p.property), p.message);
                    }
                }
                Err(_) => {
                    problems.error(
                        &blueprint.config.source,
                        None,
                        "a task stopped while starting (see the log)",
                    );
                    break;
                }
            }
        }
        if problems.has_errors() {
            for g in &go {
                let _ = g.send(false);
            }
            for t in threads {
                let _ = t.join();
            }
            problems.set_pipeline(&name);
            return Err(StartError {
                pipeline: name,
                problems,
            });
        }
        for g in &go {
            let _ = g.send(true);
        }
        log_started(&blueprint);
        Ok(PipelineHandle {
            swaps: collect_swaps(&blueprint, handles),
            shared,
            threads,
            started: Instant::now(),
        })
    }
}

/// The dry run: checks a pipeline exactly as [`Pipeline::start`] does before it
/// starts tasks — connector settings, converters, components loaded, described and
/// configured, the error policy — and connects nothing. `Ok` carries the warnings.
/// `sluice validate` prints what this finds, so it refuses what `run` would refuse,
/// in the same words.
pub fn check(
    config: PipelineConfig,
    engine: &WasmEngine,
    options: &RunOptions,
) -> Result<Problems, StartError> {
    Blueprint::new(config, engine, options).map(|b| b.warnings)
}

fn origin_of(config: &PipelineConfig, key: &str) -> sluice_config::Origin {
    config
        .framework
        .origin(key)
        .or_else(|| config.connector.config.origin(key))
        .cloned()
        .unwrap_or_else(|| config.source.clone())
}

fn collect_swaps(
    blueprint: &Blueprint,
    mut handles: Vec<(usize, Vec<(String, SwapHandle)>)>,
) -> BTreeMap<String, TransformSwap> {
    handles.sort_by_key(|(id, _)| *id);
    blueprint
        .transforms
        .iter()
        .map(|t| {
            let per_task = handles
                .iter()
                .flat_map(|(_, h)| h.iter().filter(|(a, _)| *a == t.alias))
                .map(|(_, h)| h.clone())
                .collect();
            let first = TransformVersion::new(
                t.plugin.clone(),
                t.digest.clone(),
                t.bytes.clone(),
                t.properties.clone(),
            );
            (
                t.alias.clone(),
                TransformSwap::new(t.alias.clone(), per_task, first),
            )
        })
        .collect()
}

fn log_started(blueprint: &Blueprint) {
    let config = &blueprint.config;
    let topics = match &config.subscription {
        Some(Subscription::Topics(t)) => t.join(","),
        Some(Subscription::Pattern(p)) => format!("regex {p}"),
        None => String::new(),
    };
    let transforms: Vec<&str> = blueprint
        .transforms
        .iter()
        .map(|t| t.label.as_str())
        .collect();
    info!(
        pipeline = %config.name,
        topics = %topics,
        group = %config.group_id,
        tasks = config.tasks_max,
        connector = config.connector.name,
        errors.tolerance = if blueprint.dlq.is_some() { "all" } else { "none" },
        "pipeline started with {} transform(s){}{}",
        transforms.len(),
        if transforms.is_empty() { "" } else { ": " },
        transforms.join(", ")
    );
}

/// A running pipeline. Dropping it stops the pipeline gracefully (as [`stop`]).
///
/// [`stop`]: PipelineHandle::stop
pub struct PipelineHandle {
    shared: Arc<Shared>,
    threads: Vec<JoinHandle<()>>,
    swaps: BTreeMap<String, TransformSwap>,
    started: Instant,
}

/// How a pipeline ended when it stopped without an error.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// The pipeline's name.
    pub pipeline: String,
    /// The counters once every task had exited.
    pub metrics: MetricsSnapshot,
    /// How long the pipeline ran, from the end of start-up to the last task's exit.
    pub uptime: Duration,
}

/// Asks a pipeline to stop, from anywhere (a signal handler's thread, a REST call).
#[derive(Clone)]
pub struct Stopper(Arc<Shared>);

impl Stopper {
    /// Asks every task to stop after its batch in flight, as
    /// [`PipelineHandle::request_stop`]; returns at once.
    pub fn stop(&self) {
        self.0.request_stop();
    }
}

impl PipelineHandle {
    /// The pipeline's name (`name` in its file).
    pub fn name(&self) -> &str {
        &self.shared.name
    }

    /// The pipeline's counters, live.
    pub fn metrics(&self) -> Arc<PipelineMetrics> {
        self.shared.metrics.clone()
    }

    /// One entry per transform alias, for hot swaps.
    pub fn swap_handles(&self) -> &BTreeMap<String, TransformSwap> {
        &self.swaps
    }

    /// A [`Stopper`] for this pipeline, to ask it to stop from another thread while
    /// this handle waits in [`join`](PipelineHandle::join).
    pub fn stopper(&self) -> Stopper {
        Stopper(self.shared.clone())
    }

    /// Pauses the pipeline: each task finishes its batch in flight, then consumes
    /// nothing and keeps its partitions (its consumer stays in the group) until
    /// [`resume`](PipelineHandle::resume). Returns at once.
    pub fn pause(&self) {
        self.shared.set_paused(true);
    }

    /// Lets a paused pipeline consume again, where it left off.
    pub fn resume(&self) {
        self.shared.set_paused(false);
    }

    /// Asks every task to stop after its batch in flight; returns at once.
    pub fn request_stop(&self) {
        self.shared.request_stop();
    }

    /// Whether every task has exited: after a stop, or because the pipeline failed.
    pub fn is_finished(&self) -> bool {
        self.shared.is_finished()
    }

    /// Waits until every task has exited (`None`: however long it takes); true if they
    /// have. A pipeline only ends by itself when it fails: see [`failure`].
    ///
    /// [`failure`]: PipelineHandle::failure
    pub fn wait(&self, timeout: Option<Duration>) -> bool {
        self.shared.wait_finished(timeout)
    }

    /// What the pipeline is doing now: running, degraded (and waiting for what),
    /// paused, stopping, stopped or failed.
    pub fn status(&self) -> PipelineStatus {
        self.shared.status()
    }

    /// The error that stopped (or is stopping) the pipeline, if any.
    pub fn failure(&self) -> Option<PipelineError> {
        self.shared.failure()
    }

    /// Stops gracefully: every task finishes its batch in flight (written and
    /// committed, or — if it is waiting to retry — left uncommitted), then exits.
    /// Returns the counters, or the error that had stopped the pipeline.
    pub fn stop(mut self) -> Result<RunSummary, PipelineError> {
        self.shared.request_stop();
        self.finish()
    }

    /// Waits for the pipeline to end by itself (it only does when it fails, or when a
    /// [`Stopper`] asks it to), then returns as [`stop`](PipelineHandle::stop) does.
    pub fn join(mut self) -> Result<RunSummary, PipelineError> {
        self.finish()
    }

    fn finish(&mut self) -> Result<RunSummary, PipelineError> {
        for thread in self.threads.drain(..) {
            if let Err(panic) = thread.join() {
                // Panics are caught in the task; this is a panic while reporting one.
                self.shared.fail(PipelineError {
                    pipeline: self.shared.name.clone(),
                    task: usize::MAX,
                    kind: Box::new(FailureKind::Panic(format!("{panic:?}"))),
                });
            }
        }
        let metrics = self.shared.metrics.snapshot();
        let uptime = self.started.elapsed();
        info!(
            pipeline = %self.shared.name,
            records_in = metrics.records_in,
            written = metrics.records_written,
            discarded = metrics.records_discarded,
            dead_lettered = metrics.records_dead_lettered,
            tombstones = metrics.tombstones,
            batches = metrics.batches,
            uptime_s = uptime.as_secs(),
            "pipeline stopped"
        );
        match self.shared.failure() {
            Some(error) => Err(error),
            None => Ok(RunSummary {
                pipeline: self.shared.name.clone(),
                metrics,
                uptime,
            }),
        }
    }
}

impl Drop for PipelineHandle {
    fn drop(&mut self) {
        if !self.threads.is_empty() {
            self.shared.request_stop();
            let _ = self.finish();
        }
    }
}
