//! `GET /metrics`: every pipeline's counters in Prometheus's text format (OpenMetrics),
//! read from the runtime's live counters at each scrape (they cost the hot path
//! nothing: relaxed atomics bumped once per batch).

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;
use sluice_runtime::PipelineState;

use super::worker::Worker;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PipelineLabels {
    pipeline: String,
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

const STATES: [(&str, PipelineState); 6] = [
    ("running", PipelineState::Running),
    ("degraded", PipelineState::Degraded),
    ("paused", PipelineState::Paused),
    ("stopping", PipelineState::Stopping),
    ("stopped", PipelineState::Stopped),
    ("failed", PipelineState::Failed),
];

/// The metrics text of every running pipeline.
pub fn encode(worker: &Worker) -> String {
    let mut registry = Registry::with_prefix("sluice");
    let counter = |registry: &mut Registry, name: &str, help: &str| {
        let family = Family::<PipelineLabels, Counter>::default();
        registry.register(name, help, family.clone());
        family
    };
    let records_in = counter(&mut registry, "records_in", "Records consumed from Kafka");
    let bytes_in = counter(
        &mut registry,
        "bytes_in",
        "Bytes of keys and values consumed",
    );
    let written = counter(
        &mut registry,
        "records_written",
        "Rows Kinetica acknowledged",
    );
    let discarded = counter(
        &mut registry,
        "records_discarded",
        "Records transforms filtered out",
    );
    let tombstones = counter(
        &mut registry,
        "tombstones",
        "Records with a null value, not written",
    );
    let dead = counter(
        &mut registry,
        "records_dead_lettered",
        "Bad records sent to the dead letter queue",
    );
    let batches = counter(&mut registry, "batches", "Batches written and committed");
    let retries = counter(
        &mut registry,
        "batch_retries",
        "Batches tried again after a retriable failure",
    );
    let outages = counter(
        &mut registry,
        "outages",
        "Times a task started waiting out a failure",
    );
    let degraded = Family::<PipelineLabels, Gauge>::default();
    registry.register(
        "degraded_tasks",
        "Tasks waiting out a failure now",
        degraded.clone(),
    );
    let rows = Family::<TableLabels, Counter>::default();
    registry.register(
        "table_rows",
        "Rows acknowledged per Kinetica table",
        rows.clone(),
    );
    let state = Family::<StateLabels, Gauge>::default();
    registry.register(
        "pipeline_state",
        "1 for the state the pipeline is in, 0 for the others",
        state.clone(),
    );
    worker.each_pipeline(|name, pipeline| {
        let labels = PipelineLabels {
            pipeline: name.to_owned(),
        };
        let m = pipeline.metrics().snapshot();
        for (family, value) in [
            (&records_in, m.records_in),
            (&bytes_in, m.bytes_in),
            (&written, m.records_written),
            (&discarded, m.records_discarded),
            (&tombstones, m.tombstones),
            (&dead, m.records_dead_lettered),
            (&batches, m.batches),
            (&retries, m.retries),
            (&outages, m.outages),
        ] {
            family.get_or_create(&labels).inc_by(value);
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
        let now = pipeline.status().state;
        for (label, s) in STATES {
            state
                .get_or_create(&StateLabels {
                    pipeline: name.to_owned(),
                    state: label.to_owned(),
                })
                .set(i64::from(now == s));
        }
    });
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = prometheus_client::encoding::text::encode(&mut out, &registry);
    out
}
