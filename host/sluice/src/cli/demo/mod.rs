//! `sluice demo`: the whole path on one machine with nothing installed. An in-process
//! Kafka (librdkafka's mock cluster) and a Kinetica emulator (three worker ranks,
//! multi-head ingest) are started, stock quotes are produced while the pipeline of
//! `config/demo/stocks.yaml` moves them through a Wasm transform into Kinetica, and the
//! summary checks that every record arrived.

mod progress;
mod round_trip;
mod summary;
mod verify;

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::Context;
use sluice_config::PipelineConfig;
use sluice_config::pipeline::Subscription;
use sluice_kafka::group_progress;
use sluice_kafka::mock::MockKafka;
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle};
use sluice_runtime::{MetricsSnapshot, Pipeline, PipelineHandle, RunOptions};
use tokio::sync::watch;

use crate::cli::kinetica_emulator::shutdown_signal;
use crate::demo::pipeline::{self, Overrides, Source};
use crate::demo::produce::{self, Production};
use crate::demo::stocks::StockQuotes;
use crate::demo::units::count;
use progress::{Counts, Progress};
use summary::Summary;
use verify::Coverage;

/// Arguments of `sluice demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many stock quotes to produce.
    #[arg(long, default_value_t = 100_000)]
    records: u64,
    /// Partitions of the demo topic. Several keep each partition's log short (the mock
    /// cluster's fetches slow down as a log grows) and let records flow in parallel.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(i32).range(1..=256))]
    partitions: i32,
    /// Worker ranks of the Kinetica emulator (multi-head ingest); 0 writes through the
    /// head node only.
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// Run this pipeline file instead of the built-in `config/demo/stocks.yaml` (its
    /// `bootstrap.servers` and `kinetica.url` are replaced by the demo's own).
    #[arg(long, value_name = "FILE")]
    pipeline: Option<PathBuf>,
    /// After the summary, keep Kafka, Kinetica and the pipeline running (and print
    /// their addresses) until Ctrl-C.
    #[arg(long)]
    keep_running: bool,
    /// Then stream the quotes back from Kinetica to Kafka (the Kinetica source, pipeline
    /// `config/demo/round-trip.yaml`) and check that every one came back.
    #[arg(long)]
    round_trip: bool,
}

/// Quotes are the same on every run.
const SEED: u64 = 2019;

/// With records still missing, give up when nothing was consumed or written for this
/// long.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// How often the counters are read; progress lines are printed once per second.
const POLL: Duration = Duration::from_millis(20);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    // The emulator's HTTP servers run on this runtime's threads; the pipeline has its own.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("demo-kinetica")
        .enable_all()
        .build()?;
    // One listener for the whole run: a signal listener registered later would not see
    // a signal that arrived before it.
    let (interrupt, interrupted) = watch::channel(false);
    let signalled = runtime.block_on(async { shutdown_signal() })?;
    runtime.spawn(async move {
        signalled.await;
        let _ = interrupt.send(true);
    });
    let started = Instant::now();
    let mut out = std::io::stdout().lock();

    let kafka = MockKafka::start()?;
    let emulator = runtime.block_on(sluice_kinetica_emulator::start(EmulatorConfig {
        workers: args.workers,
        // The way back follows the table's monitor.
        monitor_port: args.round_trip.then_some(0),
        ..EmulatorConfig::default()
    }))?;
    let source = Source::or_built_in(args.pipeline.clone(), pipeline::STOCKS);
    let config = pipeline::load(
        &source,
        &Overrides {
            bootstrap_servers: kafka.bootstrap_servers().to_owned(),
            kinetica_url: emulator.url().to_owned(),
            ..Overrides::default()
        },
    )?;
    let topic = single_topic(&config)?;
    kafka.create_topic(&topic, args.partitions)?;
    introduce(&mut out, &args, &kafka, &emulator, &config, &topic)?;

    let options = RunOptions::default();
    let engine = options.engine()?;
    let handle = Pipeline::start(config.clone(), &engine, options.clone())?;
    let production = produce::start(
        kafka.bootstrap_servers(),
        &topic,
        args.records,
        // The quotes' JSON envelopes repeat their schema: they shrink to a fraction.
        "lz4",
        StockQuotes::new(SEED),
    )?;
    let waited = wait_for_records(&handle, production, args.records, &interrupted)?;

    let metrics = handle.metrics().snapshot();
    let coverage = verify(&kafka, &emulator, &config, &topic, &metrics)?;
    let summary = Summary {
        produced: waited.produced,
        produced_bytes: waited.produced_bytes,
        consumed: metrics.records_in,
        consumed_bytes: metrics.bytes_in,
        written: metrics.records_written,
        dead_lettered: metrics.records_dead_lettered,
        tables: emulator
            .table_names()
            .into_iter()
            .map(|t| {
                let rows = emulator.row_count(&t).unwrap_or(0) as u64;
                (t, rows)
            })
            .collect(),
        elapsed: waited.busy(),
        wall: started.elapsed(),
        coverage,
    };
    writeln!(out)?;
    if let Some(problem) = &waited.problem {
        writeln!(out, "Stopped early: {problem}\n")?;
    }
    write!(out, "{}", summary.render())?;
    out.flush()?;
    let mut complete = waited.problem.is_none() && summary.coverage.is_complete();
    if args.round_trip && complete {
        writeln!(
            out,
            "\nThe way back: Kinetica → Kafka (config/demo/round-trip.yaml)"
        )?;
        out.flush()?;
        let back = round_trip::run(&kafka, &emulator, &engine, &options, args.records)?;
        writeln!(
            out,
            "  {:<22} {} of {} quotes in `{}` ({} records, {} repeated), in {}",
            "round trip:",
            count(back.quotes),
            count(args.records),
            back.topic,
            count(back.records),
            count(back.records - back.quotes),
            crate::demo::units::seconds(back.elapsed)
        )?;
        if !back.is_complete() {
            writeln!(out, "  {} quotes did not come back", count(back.missing))?;
        }
        out.flush()?;
        complete = back.is_complete();
    }

    if args.keep_running && !*interrupted.borrow() {
        keep_running(&mut out, &kafka, &emulator, &topic)?;
        runtime.block_on(async {
            // An error means the listener is gone: nothing left to wait for.
            let _ = interrupted.clone().wait_for(|i| *i).await;
        });
    }
    stop(handle);
    runtime.block_on(emulator.shutdown());
    drop(kafka);
    Ok(if complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The demo produces to one topic: the pipeline's only one.
fn single_topic(config: &PipelineConfig) -> anyhow::Result<String> {
    match &config.subscription {
        Some(Subscription::Topics(topics)) if topics.len() == 1 => Ok(topics[0].clone()),
        _ => anyhow::bail!(
            "the demo produces to one topic: pipeline `{}` must list exactly one in `topics`",
            config.name
        ),
    }
}

fn introduce(
    out: &mut impl Write,
    args: &Args,
    kafka: &MockKafka,
    emulator: &EmulatorHandle,
    config: &PipelineConfig,
    topic: &str,
) -> anyhow::Result<()> {
    let transforms: Vec<String> = config
        .transforms
        .iter()
        .map(|t| format!("{} ({})", t.alias, t.type_name))
        .collect();
    writeln!(out, "Sluice demo: {} stock quotes", count(args.records))?;
    writeln!(
        out,
        "  Kafka:     in-process mock cluster at {}, topic `{topic}` ({} partitions)",
        kafka.bootstrap_servers(),
        args.partitions
    )?;
    writeln!(
        out,
        "  Kinetica:  emulator at {} ({} worker ranks)",
        emulator.url(),
        emulator.worker_urls().len()
    )?;
    writeln!(
        out,
        "  pipeline:  `{}` from {}, transforms: {}",
        config.name,
        config.source.file.display(),
        if transforms.is_empty() {
            "none".to_owned()
        } else {
            transforms.join(", ")
        }
    )?;
    writeln!(out)?;
    out.flush()?;
    Ok(())
}

/// How the wait for the records ended.
struct Waited {
    produced: u64,
    produced_bytes: u64,
    /// When the first record was consumed and the last row written.
    first_read: Option<Instant>,
    last_write: Option<Instant>,
    /// Why the demo stopped waiting before every record was accounted for.
    problem: Option<String>,
}

impl Waited {
    /// From the first record consumed to the last row written: the pipeline's working
    /// time, without Kafka's consumer-group join (seconds on the mock cluster).
    fn busy(&self) -> Duration {
        match (self.first_read, self.last_write) {
            (Some(first), Some(last)) => last.saturating_duration_since(first),
            _ => Duration::ZERO,
        }
    }
}

/// Shows progress until every produced record was written (or dead-lettered,
/// filtered, skipped), the pipeline or the producer fails, nothing moves for
/// [`STALL_TIMEOUT`], or the user interrupts.
fn wait_for_records(
    handle: &PipelineHandle,
    production: Production,
    records: u64,
    interrupted: &watch::Receiver<bool>,
) -> anyhow::Result<Waited> {
    let produced = production.produced.clone();
    let mut production = Some(production);
    let mut progress = Progress::new(Instant::now(), records);
    let (mut first_read, mut last_write) = (None, None);
    let mut last_change = (Instant::now(), MetricsSnapshot::default());
    let problem = loop {
        std::thread::sleep(POLL);
        let now = Instant::now();
        let m = handle.metrics().snapshot();
        progress.tick(
            now,
            Counts {
                produced: produced.records(),
                consumed: m.records_in,
                written: m.records_written,
            },
        );
        if m.records_in > 0 && first_read.is_none() {
            first_read = Some(now);
        }
        if m.records_written != last_change.1.records_written {
            last_write = Some(now);
        }
        if production.as_ref().is_some_and(Production::is_finished)
            && let Err(e) = production.take().expect("checked above").wait()
        {
            break Some(format!("producing the quotes failed: {e:#}"));
        }
        let accounted =
            m.records_written + m.records_dead_lettered + m.records_discarded + m.tombstones;
        if production.is_none() && accounted >= records {
            break None;
        }
        if let Some(error) = handle.failure() {
            break Some(format!("the pipeline failed: {error}"));
        }
        if *interrupted.borrow() {
            break Some("interrupted".to_owned());
        }
        if m.records_in != last_change.1.records_in || accounted != accounted_of(&last_change.1) {
            last_change = (now, m);
        } else if now - last_change.0 > STALL_TIMEOUT {
            break Some(format!(
                "nothing was consumed or written for {} s",
                STALL_TIMEOUT.as_secs()
            ));
        }
    };
    Ok(Waited {
        produced: produced.records(),
        produced_bytes: produced.bytes(),
        first_read,
        last_write,
        problem,
    })
}

fn accounted_of(m: &MetricsSnapshot) -> u64 {
    m.records_written + m.records_dead_lettered + m.records_discarded + m.tombstones
}

/// Matches the table's rows against the topic's offsets (or counts them, if the
/// pipeline does not record offsets).
fn verify(
    kafka: &MockKafka,
    emulator: &EmulatorHandle,
    config: &PipelineConfig,
    topic: &str,
    metrics: &MetricsSnapshot,
) -> anyhow::Result<Coverage> {
    let partitions = group_progress(
        kafka.bootstrap_servers(),
        &config.group_id,
        topic,
        Duration::from_secs(10),
    )
    .context("cannot read the topic's offsets")?;
    let per_partition: Vec<(i32, i64)> = partitions
        .iter()
        .map(|p| (p.partition, p.high_watermark))
        .collect();
    // The pipeline writes one table; the one with the most rows if it wrote several.
    let table = metrics
        .rows_per_table
        .iter()
        .max_by_key(|(_, rows)| **rows)
        .map(|(t, _)| t.clone());
    let (columns, rows) = table
        .as_deref()
        .and_then(|t| Some((emulator.table_type(t)?, emulator.rows(t)?)))
        .map(|(ty, rows)| {
            let names: Vec<String> = ty.columns().iter().map(|c| c.name.clone()).collect();
            (names, rows)
        })
        .unwrap_or_default();
    let columns: Vec<&str> = columns.iter().map(String::as_str).collect();
    let (partition_field, offset_field) = offset_fields(config);
    Ok(verify::check(
        &per_partition,
        &columns,
        &rows,
        &partition_field,
        &offset_field,
    ))
}

/// The columns an `insert-field` transform fills with the partition and offset.
fn offset_fields(config: &PipelineConfig) -> (String, String) {
    let field = |key: &str| {
        config
            .transforms
            .iter()
            .filter(|t| t.type_name == "insert-field")
            .find_map(|t| t.props.get(key))
            .map(|v| v.joined().trim().trim_end_matches(['?', '!']).to_owned())
            .unwrap_or_default()
    };
    (field("partition.field"), field("offset.field"))
}

/// Prints where everything runs; the caller then waits for Ctrl-C.
fn keep_running(
    out: &mut impl Write,
    kafka: &MockKafka,
    emulator: &EmulatorHandle,
    topic: &str,
) -> anyhow::Result<()> {
    writeln!(out)?;
    writeln!(out, "Still running; Ctrl-C stops everything.")?;
    writeln!(
        out,
        "  Kafka bootstrap servers: {} (topic `{topic}`)",
        kafka.bootstrap_servers()
    )?;
    writeln!(out, "  Kinetica URL:            {}", emulator.url())?;
    for (i, url) in emulator.worker_urls().iter().enumerate() {
        writeln!(out, "    worker rank {}:         {url}", i + 1)?;
    }
    writeln!(
        out,
        "  The pipeline keeps moving what is produced to `{topic}` into Kinetica."
    )?;
    out.flush()?;
    Ok(())
}

/// Stops the pipeline; a failure was already reported by the summary.
fn stop(handle: PipelineHandle) {
    if let Err(e) = handle.stop() {
        tracing::debug!("the demo pipeline had failed: {e}");
    }
}
