//! `GET /metrics`: every pipeline's counters in Prometheus's text format (OpenMetrics),
//! read from the runtime's live counters at each scrape (they cost the hot path
//! nothing: relaxed atomics bumped once per batch); and `GET /metrics/pipelines`, the
//! same counters, state and lag per pipeline as JSON, for the status page and for
//! scripts that would rather not parse Prometheus text.

use std::collections::BTreeMap;

use std::sync::atomic::AtomicU64;

use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, NoLabelSet};
use prometheus_client::metrics::MetricType;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use sluice_runtime::{LATENCY_BUCKETS, LatencySnapshot, MetricsSnapshot, TaskSnapshot};

use super::worker::Worker;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PipelineLabels {
    pipeline: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TaskLabels {
    pipeline: String,
    task: usize,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TableLabels {
    pipeline: String,
    table: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabels {
    pipeline: String,
    state: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct TransformLabels {
    pipeline: String,
    transform: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PartitionLabels {
    pipeline: String,
    topic: String,
    partition: i32,
}

/// Latency histograms read from the runtime's own (fixed-bucket atomics) at a scrape:
/// prometheus-client's `Histogram` takes observations, these are already counted.
#[derive(Debug, Default)]
struct Latencies {
    /// Per pipeline and stage (`consume`, `convert`, `transform`, `write`, `commit`).
    stages: Vec<(Labels, LatencySnapshot)>,
    /// Per pipeline and chain step.
    steps: Vec<(Labels, LatencySnapshot)>,
    /// Per pipeline and endpoint of the sink's system (Kinetica's).
    requests: Vec<(Labels, LatencySnapshot)>,
}

/// A histogram's labels: the pipeline's, then the stage's, step's or endpoint's.
type Labels = Vec<(&'static str, String)>;

/// A histogram family's series.
type Series = [(Labels, LatencySnapshot)];

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct EndpointLabels {
    pipeline: String,
    endpoint: String,
}

fn encode_histogram(
    encoder: &mut prometheus_client::encoding::MetricEncoder<'_>,
    snapshot: &LatencySnapshot,
) -> Result<(), std::fmt::Error> {
    let buckets: Vec<(f64, u64)> = LATENCY_BUCKETS
        .iter()
        .copied()
        .chain([f64::INFINITY])
        .zip(snapshot.buckets.iter().copied())
        .collect();
    encoder.encode_histogram::<NoLabelSet>(snapshot.sum_seconds, snapshot.count, &buckets, None)
}

// Names without the registry's `sluice_` prefix: it is added to collectors' too.
impl Collector for Latencies {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        let histograms: [(&str, &str, &Series); 3] = [
            (
                "batch_stage_seconds",
                "How long each stage of a batch took: consume, convert, transform (the whole chain), write, commit",
                &self.stages,
            ),
            (
                "transform_seconds",
                "How long each step of the transform chain took per batch (its predicate included)",
                &self.steps,
            ),
            (
                "sink_request_seconds",
                "How long each request to the sink's system took (Kinetica), by endpoint",
                &self.requests,
            ),
        ];
        for (name, help, series) in histograms {
            let mut family = encoder.encode_descriptor(name, help, None, MetricType::Histogram)?;
            for (labels, snapshot) in series {
                encode_histogram(&mut family.encode_family(labels)?, snapshot)?;
            }
        }
        Ok(())
    }
}

/// The states `pipeline_state` labels, as [`Worker::states`] names them.
const STATES: [&str; 7] = [
    "starting", "running", "degraded", "paused", "stopping", "stopped", "failed",
];

/// Registers an empty family as `name` and returns the handle that fills it.
fn family<L, M>(registry: &mut Registry, name: &str, help: &str) -> Family<L, M>
where
    Family<L, M>: prometheus_client::registry::Metric + Clone + Default,
{
    let family = Family::<L, M>::default();
    registry.register(name, help, family.clone());
    family
}

/// A pipeline counter: name, help, and where it is in a snapshot.
type PipelineCounter = (&'static str, &'static str, fn(&MetricsSnapshot) -> u64);

/// The pipeline counters (those not kept per task).
const PIPELINE_COUNTERS: [PipelineCounter; 5] = [
    ("bytes_in", "Bytes of keys and values consumed", |m| {
        m.bytes_in
    }),
    (
        "bytes_out",
        "Bytes of keys and values written to Kafka",
        |m| m.bytes_out,
    ),
    ("batches", "Batches written and committed", |m| m.batches),
    (
        "batch_retries",
        "Batches tried again after a retriable failure",
        |m| m.retries,
    ),
    (
        "outages",
        "Times a task started waiting out a failure",
        |m| m.outages,
    ),
];

/// A task counter: name, help, and where it is in a task's snapshot.
type TaskCounter = (&'static str, &'static str, fn(&TaskSnapshot) -> u64);

/// The record counters, one series per task (`sum by (pipeline)` gives the pipeline's).
const TASK_COUNTERS: [TaskCounter; 6] = [
    ("records_in", "Records consumed from Kafka, by task", |t| {
        t.records_in
    }),
    (
        "records_written",
        "Rows Kinetica acknowledged, by task",
        |t| t.records_written,
    ),
    (
        "records_discarded",
        "Records transforms filtered out, by task",
        |t| t.records_discarded,
    ),
    (
        "tombstones",
        "Records with a null value, not written, by task",
        |t| t.tombstones,
    ),
    (
        "records_dead_lettered",
        "Bad records sent to the dead letter queue, by task",
        |t| t.records_dead_lettered,
    ),
    (
        "records_failed",
        "Records that failed, by task: dead-lettered, or whose failure stopped the task",
        |t| t.records_failed,
    ),
];

/// (topic, partition, records behind) of each partition a pipeline reads.
type PartitionLags = Vec<(String, i32, i64)>;

/// Each running pipeline's lag, by name. Asked before the pipelines are looked at:
/// that holds the worker's lock, and the API must not wait for Kafka.
fn lags(worker: &Worker) -> BTreeMap<String, Result<PartitionLags, String>> {
    worker
        .running_configs()
        .into_iter()
        .map(|(name, config)| {
            let lag = super::offsets::lag(&config);
            (name, lag)
        })
        .collect()
}

/// The metrics text of every running pipeline. Blocks while it asks Kafka for the
/// consumer groups' lag.
pub fn encode(worker: &Worker) -> String {
    let lags = lags(worker);
    let mut registry = Registry::with_prefix("sluice");
    let counters: Vec<Family<PipelineLabels, Counter>> = PIPELINE_COUNTERS
        .iter()
        .map(|(name, help, _)| family(&mut registry, name, help))
        .collect();
    let task_counters: Vec<Family<TaskLabels, Counter>> = TASK_COUNTERS
        .iter()
        .map(|(name, help, _)| family(&mut registry, name, help))
        .collect();
    let degraded: Family<PipelineLabels, Gauge> = family(
        &mut registry,
        "degraded_tasks",
        "Tasks waiting out a failure now",
    );
    let rows: Family<TableLabels, Counter> = family(
        &mut registry,
        "table_rows",
        "Rows acknowledged per Kinetica table",
    );
    let state: Family<StateLabels, Gauge> = family(
        &mut registry,
        "pipeline_state",
        "1 for the state the pipeline is in, 0 for the others",
    );
    let swaps: Family<TransformLabels, Counter> =
        family(&mut registry, "transform_swaps", "Hot swaps that took");
    let rollbacks: Family<TransformLabels, Counter> = family(
        &mut registry,
        "transform_rollbacks",
        "Hot swaps rolled back after a failed first batch",
    );
    let lag: Family<PartitionLabels, Gauge> = family(
        &mut registry,
        "consumer_lag",
        "Records behind in each partition: its high watermark minus the group's committed offset",
    );
    let request_errors: Family<EndpointLabels, Counter> = family(
        &mut registry,
        "sink_request_errors",
        "Requests to the sink's system (Kinetica) that failed, by endpoint",
    );
    let step_memory: Family<TransformLabels, Gauge> = family(
        &mut registry,
        "transform_memory_peak_bytes",
        "The most linear memory an instance of each step was granted (its limit: sandbox.memory.max.bytes)",
    );
    let step_memory_max: Family<TransformLabels, Gauge> = family(
        &mut registry,
        "transform_memory_max_bytes",
        "The linear memory each transform's instances may grow to (sandbox.memory.max.bytes)",
    );
    let step_slowest: Family<TransformLabels, Gauge<f64, AtomicU64>> = family(
        &mut registry,
        "transform_slowest_batch_seconds",
        "The longest batch of each step so far: the CPU budget it used (its limit: sandbox.cpu.budget.ms)",
    );
    let step_budget: Family<TransformLabels, Gauge<f64, AtomicU64>> = family(
        &mut registry,
        "transform_cpu_budget_seconds",
        "The time one batch may spend in each transform (sandbox.cpu.budget.ms)",
    );
    let step_records: Family<TransformLabels, Counter> = family(
        &mut registry,
        "transform_records",
        "Records each step of the chain was given",
    );
    let step_errors: Family<TransformLabels, Counter> = family(
        &mut registry,
        "transform_errors",
        "Records each step rejected, and its calls that failed",
    );
    let mut latencies = Latencies::default();
    worker.each_pipeline(|name, pipeline| {
        let metrics = pipeline.metrics();
        for (stage, latency) in [
            ("consume", &metrics.stages.consume),
            ("convert", &metrics.stages.convert),
            ("transform", &metrics.stages.transform),
            ("write", &metrics.stages.write),
            ("commit", &metrics.stages.commit),
        ] {
            let labels = vec![("pipeline", name.to_owned()), ("stage", stage.to_owned())];
            latencies.stages.push((labels, latency.snapshot()));
        }
        for (endpoint, (latency, errors)) in metrics.requests.snapshot() {
            let labels = EndpointLabels {
                pipeline: name.to_owned(),
                endpoint,
            };
            request_errors.get_or_create(&labels).inc_by(errors);
            let labels = vec![("pipeline", labels.pipeline), ("endpoint", labels.endpoint)];
            latencies.requests.push((labels, latency));
        }
        for (alias, step) in metrics.steps() {
            let labels = TransformLabels {
                pipeline: name.to_owned(),
                transform: alias,
            };
            step_memory
                .get_or_create(&labels)
                .set(i64::try_from(step.memory_peak).unwrap_or(i64::MAX));
            step_slowest
                .get_or_create(&labels)
                .set(step.slowest.as_secs_f64());
            step_records.get_or_create(&labels).inc_by(step.records);
            step_errors.get_or_create(&labels).inc_by(step.errors);
            let labels = vec![
                ("pipeline", labels.pipeline),
                ("transform", labels.transform),
            ];
            latencies.steps.push((labels, step.latency));
        }
        match lags.get(name) {
            Some(Ok(partitions)) => {
                for (topic, partition, behind) in partitions {
                    lag.get_or_create(&PartitionLabels {
                        pipeline: name.to_owned(),
                        topic: topic.clone(),
                        partition: *partition,
                    })
                    .set(*behind);
                }
            }
            Some(Err(e)) => tracing::debug!(pipeline = %name, "no lag for /metrics: {e}"),
            None => {}
        }
        for (alias, swap) in pipeline.swap_handles() {
            let labels = TransformLabels {
                pipeline: name.to_owned(),
                transform: alias.clone(),
            };
            let (took, rolled_back) = swap.swap_counts();
            swaps.get_or_create(&labels).inc_by(took);
            rollbacks.get_or_create(&labels).inc_by(rolled_back);
            // The running version's limits: a swap keeps the alias's.
            let limits = swap.current().limits().clone();
            step_memory_max
                .get_or_create(&labels)
                .set(i64::try_from(limits.memory_max_bytes).unwrap_or(i64::MAX));
            step_budget
                .get_or_create(&labels)
                .set(limits.cpu_budget.as_secs_f64());
        }
        let labels = PipelineLabels {
            pipeline: name.to_owned(),
        };
        let m = pipeline.metrics().snapshot();
        for (family, (_, _, value)) in counters.iter().zip(PIPELINE_COUNTERS) {
            family.get_or_create(&labels).inc_by(value(&m));
        }
        for (task, t) in m.tasks.iter().enumerate() {
            let labels = TaskLabels {
                pipeline: name.to_owned(),
                task,
            };
            for (family, (_, _, value)) in task_counters.iter().zip(TASK_COUNTERS) {
                family.get_or_create(&labels).inc_by(value(t));
            }
        }
        degraded
            .get_or_create(&labels)
            .set(i64::try_from(m.degraded_tasks).unwrap_or(i64::MAX));
        for (table, n) in &m.rows_per_table {
            rows.get_or_create(&TableLabels {
                pipeline: name.to_owned(),
                table: table.clone(),
            })
            .inc_by(*n);
        }
    });
    // Every connector, running or not: a stopped one, or one that failed to start, is
    // what an alert on the state is for.
    for (name, now) in worker.states() {
        for label in STATES {
            state
                .get_or_create(&StateLabels {
                    pipeline: name.clone(),
                    state: label.to_owned(),
                })
                .set(i64::from(now == label));
        }
    }
    registry.register_collector(Box::new(latencies));
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
    out
}

/// `GET /metrics/pipelines`: each running pipeline's state, counters and lag.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct Summary {
    /// When the counters were read, in milliseconds since the Unix epoch: a rate is the
    /// difference of two summaries' counters over the difference of their `at_ms`.
    pub at_ms: u64,
    /// By pipeline name; a stopped pipeline (no tasks) is not listed.
    pub pipelines: BTreeMap<String, PipelineSummary>,
}

/// One pipeline in a [`Summary`].
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PipelineSummary {
    /// `running`, `degraded`, `paused`, `stopping`, `stopped` or `failed`, as
    /// `sluice_pipeline_state` labels it.
    pub state: &'static str,
    /// The pipeline counters of `/metrics`, named as there without `sluice_` and
    /// `_total`: `records_in`, `records_written`, `records_dead_lettered`, …
    pub counters: BTreeMap<&'static str, u64>,
    /// Tasks waiting out a failure now.
    pub degraded_tasks: u64,
    /// Rows Kinetica acknowledged, per table.
    pub rows_per_table: BTreeMap<String, u64>,
    /// Records behind, summed over the partitions; null when Kafka could not say.
    pub lag: Option<i64>,
    /// Records behind in each partition.
    pub partitions: Vec<PartitionLag>,
    /// Why there is no lag, when there is none.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lag_error: Option<String>,
}

/// One partition's lag.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PartitionLag {
    pub topic: String,
    pub partition: i32,
    /// Its high watermark minus the group's committed offset.
    pub lag: i64,
}

/// The [`Summary`] of every running pipeline. Blocks while it asks Kafka for the lag.
pub fn summary(worker: &Worker) -> Summary {
    let mut lags = lags(worker);
    let at_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64);
    let mut pipelines = BTreeMap::new();
    worker.each_pipeline(|name, pipeline| {
        let m = pipeline.metrics().snapshot();
        let (lag, partitions, lag_error) = match lags.remove(name) {
            Some(Ok(partitions)) => {
                let total = partitions.iter().map(|(_, _, behind)| behind).sum();
                (Some(total), partitions, None)
            }
            Some(Err(e)) => (None, Vec::new(), Some(e)),
            // Started between the two looks: its lag comes with the next summary.
            None => (None, Vec::new(), None),
        };
        let entry = PipelineSummary {
            state: super::worker::state_name(pipeline.status().state),
            // The pipeline's counters, and its tasks' summed.
            counters: PIPELINE_COUNTERS
                .iter()
                .map(|(counter, _, value)| (*counter, value(&m)))
                .chain(
                    TASK_COUNTERS
                        .iter()
                        .map(|(counter, _, value)| (*counter, m.tasks.iter().map(value).sum())),
                )
                .collect(),
            degraded_tasks: m.degraded_tasks,
            rows_per_table: m.rows_per_table,
            lag,
            partitions: partitions
                .into_iter()
                .map(|(topic, partition, lag)| PartitionLag {
                    topic,
                    partition,
                    lag,
                })
                .collect(),
            lag_error,
        };
        pipelines.insert(name.to_owned(), entry);
    });
    Summary { at_ms, pipelines }
}
