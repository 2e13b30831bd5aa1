//! `sluice bench source`: Kinetica → Kafka throughput, rows of a table to records of its
//! topic, against a raw librdkafka producer of records of the same size.
//!
//! Runs the pipeline of `config/demo/bench-source.yaml` (a tracking column, JSON) over
//! an Apache Kafka broker and a Kinetica emulator with table monitors it starts:
//!
//! * **catching up**: the table holds the rows before the pipeline starts, which reads
//!   them with `/get/records` ordered by the tracking column (what a restart after a
//!   long stop does);
//! * **following the monitor**: the pipeline runs first and the rows are inserted while
//!   it follows the table's insert monitor (ZMQ), timed from the first insert;
//!
//! each at least once and with exactly-once (a Kafka transaction per batch).

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sluice_kafka::broker::KafkaBroker;
use sluice_kinetica::{ClientConfig, EncodedRows, KineticaClient, KineticaType, Options, Value};
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle};
use sluice_runtime::{Pipeline, PipelineHandle, RunOptions};

use super::report::{self, Measurement};
use crate::demo::pipeline::{self, Overrides, Source};
use crate::demo::produce;
use crate::demo::small_json::{Fields, SmallJson};
use crate::demo::units::{count, seconds};

/// Arguments of `sluice bench source`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Rows per run (each run has a table of its own).
    #[arg(long, default_value_t = 200_000)]
    records: u64,
    /// Run this pipeline file instead of the built-in `config/demo/bench-source.yaml`.
    #[arg(long, value_name = "FILE")]
    pipeline: Option<PathBuf>,
    /// Give up on a run that has not finished after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
}

/// Rows per insert request, as a loader batches them.
const INSERT_BATCH: u64 = 10_000;

/// The bench table's columns: the fields of the JSON records of `sluice bench e2e`.
fn table_type() -> KineticaType {
    KineticaType::from_column_list(&[
        vec!["id", "long", "primary_key"],
        vec!["symbol", "string", "char8"],
        vec!["price", "double"],
        vec!["size", "int"],
        vec!["ts", "long", "timestamp"],
        vec!["pad", "string"],
    ])
    .expect("a valid type")
}

/// Rows `from..to`, encoded; the pad makes each record's JSON value about 100 bytes.
fn rows(ty: &KineticaType, from: u64, to: u64) -> anyhow::Result<EncodedRows> {
    let mut rows = EncodedRows::new();
    for index in from..to {
        let f = Fields::of(index);
        rows.push_row(
            ty,
            &[
                Value::Long(f.id as i64),
                format!("S{:03}", f.symbol).into(),
                Value::Double(f.price_units as f64 + f.price_cents as f64 / 100.0),
                Value::Int(f.size as i32),
                Value::Long(f.ts as i64),
                "x".repeat(14).into(),
            ],
        )?;
    }
    Ok(rows)
}

/// One run: how it differs from the file.
struct Variant {
    label: &'static str,
    /// The rows are inserted while the pipeline follows the monitor (else before it
    /// starts).
    follow: bool,
    exactly_once: bool,
}

const VARIANTS: [Variant; 4] = [
    Variant {
        label: "catching up (/get/records → Kafka)",
        follow: false,
        exactly_once: false,
    },
    Variant {
        label: "catching up, exactly-once",
        follow: false,
        exactly_once: true,
    },
    Variant {
        label: "following the monitor (inserts → Kafka)",
        follow: true,
        exactly_once: false,
    },
    Variant {
        label: "following the monitor, exactly-once",
        follow: true,
        exactly_once: true,
    },
];

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let timeout = Duration::from_secs(args.timeout_secs);
    let source = Source::or_built_in(args.pipeline.clone(), pipeline::BENCH_SOURCE);
    let broker = KafkaBroker::start()?;
    let bootstrap = broker.bootstrap_servers().to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("bench-kinetica")
        .enable_all()
        .build()?;
    let emulator = runtime.block_on(sluice_kinetica_emulator::start(EmulatorConfig {
        monitor_port: Some(0),
        ..EmulatorConfig::default()
    }))?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "sluice bench source: {} rows per run from a Kinetica emulator at {} to Apache \
         Kafka at {bootstrap}",
        count(args.records),
        emulator.url()
    )?;
    out.flush()?;

    let raw_topic = "bench.raw";
    broker.create_topic(raw_topic, 1)?;
    let started = Instant::now();
    let production = produce::start(
        &bootstrap,
        raw_topic,
        args.records,
        "none",
        SmallJson::new(100),
    )?;
    let produced = production.produced.clone();
    production.wait()?;
    let baseline = Measurement {
        label: "raw librdkafka produce (100 B JSON)".to_owned(),
        records: produced.records(),
        bytes: produced.bytes(),
        elapsed: started.elapsed(),
        setup: Duration::ZERO,
        // The emulator and the inserts share this process: its CPU time and memory
        // would not be the pipeline's.
        cpu: None,
        peak_memory: None,
        resident_at_start: None,
        emulator_cpu: None,
        machine_busy: None,
    };

    let options = RunOptions::default();
    let engine = options.engine()?;
    let client = KineticaClient::new(ClientConfig::new(emulator.url()))?;
    let bench = Bench {
        runtime: &runtime,
        emulator: &emulator,
        client: &client,
        ty: table_type(),
        source: &source,
        bootstrap: &bootstrap,
        broker: &broker,
        records: args.records,
        timeout,
    };
    let mut runs = Vec::with_capacity(VARIANTS.len());
    for (i, variant) in VARIANTS.iter().enumerate() {
        runs.push(bench.measure(variant, i, &engine, &options)?);
    }
    write!(out, "{}", report::render(&baseline, &runs))?;
    writeln!(
        out,
        "\nCatching-up runs are timed from the first record read to the last one written, \
         following runs from the first insert; set-up (connecting, creating the monitor, \
         reading the stored positions) is shown apart. MB/s counts the records' keys and \
         values. Rows are inserted {} per request; the raw produce writes records of the \
         same size to `{raw_topic}`.",
        count(INSERT_BATCH)
    )?;
    Ok(ExitCode::SUCCESS)
}

/// What every run shares.
struct Bench<'a> {
    runtime: &'a tokio::runtime::Runtime,
    emulator: &'a EmulatorHandle,
    client: &'a KineticaClient,
    ty: KineticaType,
    source: &'a Source,
    bootstrap: &'a str,
    broker: &'a KafkaBroker,
    records: u64,
    timeout: Duration,
}

impl Bench<'_> {
    /// Creates the run's table, runs the pipeline until every row is in Kafka.
    fn measure(
        &self,
        variant: &Variant,
        index: usize,
        engine: &sluice_engine::WasmEngine,
        options: &RunOptions,
    ) -> anyhow::Result<Measurement> {
        tracing::info!(run = %variant.label, "benchmark run");
        let table = format!("bench_source_{index}");
        self.runtime.block_on(async {
            let type_id = self.client.create_type(&self.ty, "").await?;
            self.client
                .create_table(&table, &type_id, Options::new())
                .await
        })?;
        self.broker.create_topic(&format!("bench.{table}"), 1)?;
        if !variant.follow {
            self.insert(&table, 0..self.records)?;
        }
        let mut overrides = Overrides {
            bootstrap_servers: self.bootstrap.to_owned(),
            kinetica_url: self.emulator.url().to_owned(),
            ..Overrides::default()
        };
        for (k, v) in [
            ("kinetica.table_names", table.clone()),
            (
                "offsets.storage.topic",
                format!("bench-offsets-{}-{index}", std::process::id()),
            ),
            (
                "exactly.once.source.support",
                if variant.exactly_once {
                    "enabled"
                } else {
                    "disabled"
                }
                .to_owned(),
            ),
        ] {
            overrides.extra.push((k.to_owned(), v));
        }
        let config = pipeline::load(self.source, &overrides)?;
        let started = Instant::now();
        let handle = Pipeline::start(config, engine, options.clone())?;
        let (first, last) = if variant.follow {
            // Following: once the (empty) table is caught up with, row 0 proves the
            // monitor's subscription; then the rows, timed from the first insert (ids
            // above the probe's: the tracking column grows).
            self.insert(&table, 0..1)?;
            self.wait(&handle, variant, 1, started)?;
            let first = Instant::now();
            self.insert(&table, 1..self.records + 1)?;
            (
                first,
                self.wait(&handle, variant, self.records + 1, started)?,
            )
        } else {
            let metrics = handle.metrics();
            let mut first = None;
            let last = self.wait_with(&handle, variant, self.records, started, || {
                if first.is_none() && metrics.snapshot().records_in > 0 {
                    first = Some(Instant::now());
                }
            })?;
            (first.unwrap_or(started), last)
        };
        let summary = handle
            .stop()
            .map_err(|e| anyhow::anyhow!("{}: {e}", variant.label))?;
        Ok(Measurement {
            label: format!("pipeline, {}", variant.label),
            records: summary.metrics.records_written,
            bytes: summary.metrics.bytes_out,
            elapsed: last - first,
            setup: first.saturating_duration_since(started),
            cpu: None,
            peak_memory: None,
            resident_at_start: None,
            emulator_cpu: None,
            machine_busy: None,
        })
    }

    /// Inserts rows `ids` into `table`, [`INSERT_BATCH`] per request.
    fn insert(&self, table: &str, ids: std::ops::Range<u64>) -> anyhow::Result<()> {
        let mut from = ids.start;
        while from < ids.end {
            let to = (from + INSERT_BATCH).min(ids.end);
            let rows = rows(&self.ty, from, to)?;
            self.runtime
                .block_on(self.client.insert_records(table, &rows, &Options::new()))?;
            from = to;
        }
        Ok(())
    }

    /// Waits until the pipeline wrote `records`; returns when.
    fn wait(
        &self,
        handle: &PipelineHandle,
        variant: &Variant,
        records: u64,
        started: Instant,
    ) -> anyhow::Result<Instant> {
        self.wait_with(handle, variant, records, started, || {})
    }

    fn wait_with(
        &self,
        handle: &PipelineHandle,
        variant: &Variant,
        records: u64,
        started: Instant,
        mut each: impl FnMut(),
    ) -> anyhow::Result<Instant> {
        let metrics = handle.metrics();
        loop {
            // Sampling the counters, not synchronising: the time is read when they
            // show the last record.
            std::thread::sleep(Duration::from_millis(2));
            each();
            let now = Instant::now();
            let written = metrics.snapshot().records_written;
            if written >= records {
                return Ok(now);
            }
            if let Some(error) = handle.failure() {
                anyhow::bail!("{}: the pipeline failed: {error}", variant.label);
            }
            if now > started + self.timeout {
                anyhow::bail!(
                    "{}: {} of {} records written after {}",
                    variant.label,
                    count(written),
                    count(records),
                    seconds(self.timeout)
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bench_rows_make_values_of_about_a_hundred_bytes() {
        let ty = table_type();
        let rows = rows(&ty, 999_990, 1_000_000).unwrap();
        assert_eq!(rows.len(), 10);
        let row = sluice_kinetica::rows::decode_row(&ty, rows.get(9).unwrap()).unwrap();
        assert_eq!(row[0], Value::Long(999_999));
    }
}
