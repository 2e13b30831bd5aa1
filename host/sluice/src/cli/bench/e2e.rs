//! `sluice bench e2e`: end-to-end throughput against a raw consumer of the same topic.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sluice_config::pipeline::Subscription;
use sluice_engine::WasmEngine;
use sluice_kafka::baseline::raw_consume;
use sluice_kafka::broker::KafkaBroker;
use sluice_runtime::{Pipeline, RunOptions};
use sluice_schema_registry::local::SchemaRegistry;

use super::emulator::EmulatorProcess;
use super::report::{self, Measurement};
use super::usage;
use crate::demo::pipeline::{self, Overrides, Source};
use crate::demo::produce::{self, Generator};
use crate::demo::small_avro::SmallAvro;
use crate::demo::small_json::SmallJson;
use crate::demo::units::{count, per_second, seconds};

/// Arguments of `sluice bench e2e`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Records in the topic (and in its Avro twin); every run reads all of them.
    #[arg(long, default_value_t = 500_000)]
    records: u64,
    /// Size of each JSON value in bytes (keys add 2-8 bytes); Avro values are padded to
    /// the same size.
    #[arg(long, default_value_t = 100, value_parser = clap::value_parser!(u64).range(SmallJson::MIN_SIZE as u64..=1_000_000))]
    value_size: u64,
    /// Partitions of the topic.
    #[arg(long, default_value_t = 8, value_parser = clap::value_parser!(i32).range(1..=256))]
    partitions: i32,
    /// Worker ranks of the Kinetica emulator for the multi-head runs.
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..=64))]
    workers: u64,
    /// Run this pipeline file instead of the built-in `config/demo/bench.yaml`.
    #[arg(long, value_name = "FILE")]
    pipeline: Option<PathBuf>,
    /// A librdkafka consumer property for the baseline and every pipeline run, e.g.
    /// `fetch.queue.backoff.ms=10` (repeatable; see docs/benchmarks.md).
    #[arg(long = "consumer", value_name = "KEY=VALUE", value_parser = parse_property)]
    consumer: Vec<(String, String)>,
    /// Give up on a run that has not finished after this many seconds.
    #[arg(long, default_value_t = 600)]
    timeout_secs: u64,
    /// Only these pipeline runs (repeatable; default: all of them).
    #[arg(long = "run", value_enum, value_name = "RUN")]
    runs: Vec<RunKind>,
    /// Print the results as one JSON document on stdout (progress goes to stderr).
    #[arg(long)]
    json: bool,
}

/// The pipeline runs, each compared with the raw consume.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum RunKind {
    /// Multi-head ingest to the emulator's worker ranks.
    Multihead,
    /// The same records as Avro through the Schema Registry, multi-head.
    Avro,
    /// Everything through the head node.
    HeadOnly,
    /// Multi-head with three Wasm SMTs: mask-field, insert-field and cast.
    Smts,
    /// Multi-head with `kinetica.exactly_once.enable`.
    ExactlyOnce,
    /// Multi-head with `tasks.max: 2`.
    Tasks2,
    /// Multi-head into a table sharded on `id` (rows routed by their shard key).
    Sharded,
}

/// The table the sharded run writes to, created up front with its shard key.
const SHARDED_TABLE: &str = "bench_sharded";

/// One pipeline run: how it differs from the file.
struct Variant {
    label: String,
    multihead: bool,
    /// Properties set on top of the file's.
    extra: Vec<(&'static str, &'static str)>,
    /// Reads the Avro twin of the topic with `value.converter: avro` (and the bench's
    /// registry) instead of the file's topic and value converter.
    avro: bool,
    /// Writes to [`SHARDED_TABLE`], created with a shard key before the run.
    sharded: bool,
}

impl RunKind {
    fn variant(self, workers: u64) -> Variant {
        let multihead = format!("multi-head ({workers} worker ranks)");
        let (label, extra) = match self {
            RunKind::Multihead => (multihead, vec![]),
            // Next to the JSON run it is compared with: the same records, as Avro.
            RunKind::Avro => (format!("{multihead}, Avro + Schema Registry"), vec![]),
            RunKind::HeadOnly => ("head node only".to_owned(), vec![]),
            RunKind::Smts => (
                "multi-head + 3 Wasm SMTs (mask, insert, cast)".to_owned(),
                vec![
                    ("transforms", "mask,source,cast"),
                    ("transforms.mask.type", "mask-field"),
                    ("transforms.mask.fields", "symbol"),
                    ("transforms.source.type", "insert-field"),
                    ("transforms.source.offset.field", "kafka_offset"),
                    ("transforms.cast.type", "cast"),
                    ("transforms.cast.spec", "size:float64"),
                ],
            ),
            // What keeping the offsets with the rows costs.
            RunKind::ExactlyOnce => (
                "multi-head + exactly-once".to_owned(),
                vec![("kinetica.exactly_once.enable", "true")],
            ),
            RunKind::Tasks2 => (
                "multi-head, tasks.max=2".to_owned(),
                vec![("tasks.max", "2")],
            ),
            RunKind::Sharded => (
                "multi-head, table sharded on id".to_owned(),
                vec![("kinetica.tables.destination_name", SHARDED_TABLE)],
            ),
        };
        Variant {
            label: format!("pipeline, {label}"),
            multihead: self != RunKind::HeadOnly,
            extra,
            avro: self == RunKind::Avro,
            sharded: self == RunKind::Sharded,
        }
    }
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let timeout = Duration::from_secs(args.timeout_secs);
    let source = Source::or_built_in(args.pipeline.clone(), pipeline::BENCH);
    let broker = KafkaBroker::start()?;
    let bootstrap = broker.bootstrap_servers().to_owned();
    // The topic is the pipeline's; load it once only to learn it.
    let probe = pipeline::load(&source, &overrides(&bootstrap, "http://127.0.0.1:9191"))?;
    let topic = match &probe.subscription {
        Some(Subscription::Topics(t)) if t.len() == 1 => t[0].clone(),
        _ => anyhow::bail!("the benchmark pipeline must list exactly one topic in `topics`"),
    };
    broker.create_topic(&topic, args.partitions)?;
    let avro_topic = format!("{topic}-avro");
    broker.create_topic(&avro_topic, args.partitions)?;
    let registry = SchemaRegistry::start()?;
    let registry_url = registry.url();

    // The baseline and the pipeline read with the same librdkafka settings.
    let consumer: BTreeMap<String, String> = args.consumer.iter().cloned().collect();
    // With --json, stdout carries the document alone.
    let mut out: Box<dyn Write> = if args.json {
        Box::new(std::io::stderr())
    } else {
        Box::new(std::io::stdout().lock())
    };
    writeln!(
        out,
        "sluice bench e2e: {} records of {} B JSON, topic `{topic}`, and as Avro, topic \
         `{avro_topic}` ({} partitions each) on Apache Kafka at {bootstrap}",
        count(args.records),
        args.value_size,
        args.partitions
    )?;
    writeln!(
        out,
        "Schema Registry (Apicurio, Confluent-compatible API) at {registry_url}"
    )?;
    let shown: Vec<String> = consumer.iter().map(|(k, v)| format!("{k}={v}")).collect();
    writeln!(
        out,
        "consumer properties (baseline and pipelines): {}",
        if shown.is_empty() {
            "librdkafka's defaults".to_owned()
        } else {
            shown.join(", ")
        }
    )?;
    out.flush()?;
    let size = args.value_size as usize;
    fill_topic(
        &mut out,
        &bootstrap,
        &topic,
        "JSON",
        args.records,
        SmallJson::new(size),
    )?;
    let avro = SmallAvro::new(size, &registry_url, &avro_topic)?;
    fill_topic(
        &mut out,
        &bootstrap,
        &avro_topic,
        "Avro",
        args.records,
        avro,
    )?;
    writeln!(out)?;

    let resident_at_start = usage::reset_peak_memory();
    let stats = raw_consume(&bootstrap, &topic, args.records, timeout, &consumer)?;
    let baseline = Measurement {
        label: "raw librdkafka consume (BaseConsumer)".to_owned(),
        records: stats.records,
        bytes: stats.bytes,
        elapsed: stats.elapsed,
        setup: stats.total.saturating_sub(stats.elapsed),
        cpu: Some(stats.cpu),
        peak_memory: usage::peak_memory(),
        resident_at_start,
        emulator_cpu: None,
        machine_busy: None,
    };

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let options = RunOptions::default();
    let engine = options.engine()?;
    let kinds = if args.runs.is_empty() {
        <RunKind as clap::ValueEnum>::value_variants().to_vec()
    } else {
        args.runs.clone()
    };
    let mut runs = Vec::with_capacity(kinds.len());
    for (i, kind) in kinds.iter().enumerate() {
        let run = Run {
            runtime: &runtime,
            engine: &engine,
            options: &options,
            source: &source,
            bootstrap: &bootstrap,
            records: args.records,
            workers: args.workers as usize,
            timeout,
            consumer: &consumer,
            avro_topic: &avro_topic,
            registry_url: &registry_url,
        };
        runs.push(run.measure(&kind.variant(args.workers), i)?);
    }
    if args.json {
        let about = serde_json::json!({
            "records": args.records,
            "value_size": args.value_size,
            "partitions": args.partitions,
            "workers": args.workers,
            "consumer": consumer,
            "cpus": std::thread::available_parallelism().map_or(0, |n| n.get()),
        });
        let document = report::to_json(about, &baseline, &runs);
        println!("{}", serde_json::to_string_pretty(&document)?);
        return Ok(ExitCode::SUCCESS);
    }
    write!(out, "{}", report::render(&baseline, &runs))?;
    writeln!(
        out,
        "\nTimes run from the first record read to the last one written; set-up (connecting, \
         joining the group, compiling components) is shown apart. MB/s counts keys and values. \
         CPU is this process's (user + system, every thread) over the timed part; the broker, \
         the registry and the Kinetica emulator are processes of their own: `emu µs/rec` is \
         the emulator's CPU per record and `busy %` the share of the machine's CPU time in \
         use (every process) over the same part — near 100 %, the machine's cores, not the \
         pipeline alone, bound the rate. Peak MB is the \
         process's peak resident memory during the run. The Avro run reads `{avro_topic}`: \
         the same records as Avro (Confluent's wire format, values of the JSON ones' size), \
         with value.converter=avro and the registry above; the raw consume reads `{topic}`."
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Writes the records the runs read, and says how fast that went and how many bytes
/// the topic holds (`format` names the values' format).
fn fill_topic(
    out: &mut impl Write,
    bootstrap: &str,
    topic: &str,
    format: &str,
    records: u64,
    generator: impl Generator,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let production = produce::start(
        bootstrap, topic, records,
        // As most benchmarks of Kafka consumers: no compression, so that decompressing
        // is not what is measured.
        "none", generator,
    )?;
    let counters = production.produced.clone();
    production.wait()?;
    let took = started.elapsed();
    writeln!(
        out,
        "produced `{topic}` ({format}, {} bytes of keys and values) in {} ({} records/s)",
        count(counters.bytes()),
        seconds(took),
        count(per_second(counters.records(), took).round() as u64)
    )?;
    out.flush()?;
    Ok(())
}

/// A `KEY=VALUE` command-line argument (a librdkafka property), trimmed.
pub(crate) fn parse_property(text: &str) -> Result<(String, String), String> {
    match text.split_once('=') {
        Some((key, value)) if !key.trim().is_empty() => {
            Ok((key.trim().to_owned(), value.trim().to_owned()))
        }
        _ => Err(format!("expected KEY=VALUE, got `{text}`")),
    }
}

fn overrides(bootstrap: &str, kinetica_url: &str) -> Overrides {
    Overrides {
        bootstrap_servers: bootstrap.to_owned(),
        kinetica_url: kinetica_url.to_owned(),
        ..Overrides::default()
    }
}

/// The Avro run: `topic` instead of the file's, read with the Avro converter and the
/// registry at `registry_url`, none of the file's `value.converter.*` kept.
fn read_avro(overrides: &mut Overrides, topic: &str, registry_url: &str) {
    overrides.cleared.push("value.converter".to_owned());
    for (k, v) in [
        ("topics", topic),
        ("value.converter", "avro"),
        ("value.converter.schema.registry.url", registry_url),
    ] {
        overrides.extra.push((k.to_owned(), v.to_owned()));
    }
}

/// What a pipeline run reads at its first record and at its last.
struct Mark {
    at: Instant,
    /// This process's CPU time.
    cpu: Duration,
    /// The emulator's.
    emulator: Option<Duration>,
    machine: Option<usage::MachineTime>,
}

impl Mark {
    fn now(at: Instant, emulator_pid: u32) -> Mark {
        Mark {
            at,
            cpu: usage::cpu_time(),
            emulator: usage::process_cpu_time(emulator_pid),
            machine: usage::MachineTime::now(),
        }
    }
}

/// What every pipeline run shares.
struct Run<'a> {
    runtime: &'a tokio::runtime::Runtime,
    engine: &'a WasmEngine,
    options: &'a RunOptions,
    source: &'a Source,
    bootstrap: &'a str,
    records: u64,
    workers: usize,
    timeout: Duration,
    /// librdkafka properties for reading from the broker, as the baseline used.
    consumer: &'a BTreeMap<String, String>,
    /// What the Avro run reads: its topic and the registry's URL.
    avro_topic: &'a str,
    registry_url: &'a str,
}

impl Run<'_> {
    /// Runs the pipeline over the whole topic into a fresh emulator.
    fn measure(&self, variant: &Variant, index: usize) -> anyhow::Result<Measurement> {
        tracing::info!(run = %variant.label, "benchmark run");
        let emulator = EmulatorProcess::start(if variant.multihead { self.workers } else { 0 })?;
        if variant.sharded {
            self.runtime
                .block_on(emulator.create_sharded_table(SHARDED_TABLE))?;
        }
        let mut overrides = overrides(self.bootstrap, emulator.url());
        // A new group per run, so that each reads the topic from the start.
        overrides.extra.push((
            "group.id".to_owned(),
            format!("sluice-bench-{}-{index}", std::process::id()),
        ));
        overrides.extra.push((
            "kinetica.enable_multihead".to_owned(),
            variant.multihead.to_string(),
        ));
        for (k, v) in self.consumer {
            overrides.extra.push((format!("consumer.{k}"), v.clone()));
        }
        if variant.avro {
            read_avro(&mut overrides, self.avro_topic, self.registry_url);
        }
        for (k, v) in &variant.extra {
            overrides.extra.push(((*k).to_owned(), (*v).to_owned()));
        }
        let config = pipeline::load(self.source, &overrides)?;
        let resident_at_start = usage::reset_peak_memory();
        let started = Instant::now();
        let handle = Pipeline::start(config, self.engine, self.options.clone())?;
        let metrics = handle.metrics();
        let (mut first, mut last): (Option<Mark>, Option<Mark>) = (None, None);
        let deadline = started + self.timeout;
        // On a terminal: the run's records written (the table comes at the end).
        let bar = crate::progress_bar::Bar::on_terminal(self.records, "written", false);
        while last.is_none() {
            std::thread::sleep(Duration::from_millis(2));
            let now = Instant::now();
            let m = metrics.snapshot();
            if let Some(bar) = &bar {
                bar.set(m.records_written, variant.label.clone());
            }
            if first.is_none() && m.records_in > 0 {
                first = Some(Mark::now(now, emulator.pid()));
            }
            if m.records_written >= self.records {
                last = Some(Mark::now(now, emulator.pid()));
            } else if let Some(error) = handle.failure() {
                anyhow::bail!("{}: the pipeline failed: {error}", variant.label);
            } else if now > deadline {
                anyhow::bail!(
                    "{}: {} of {} records written after {} s",
                    variant.label,
                    count(m.records_written),
                    count(self.records),
                    self.timeout.as_secs()
                );
            }
        }
        drop(bar);
        let summary = handle
            .stop()
            .map_err(|e| anyhow::anyhow!("{}: {e}", variant.label))?;
        let peak_memory = usage::peak_memory();
        let rows = self.runtime.block_on(emulator.rows())?;
        if rows < self.records {
            anyhow::bail!(
                "{}: Kinetica has {} rows for {} records",
                variant.label,
                count(rows),
                count(self.records)
            );
        }
        let at_start = || Mark::now(started, emulator.pid());
        let (first, last) = (
            first.unwrap_or_else(at_start),
            last.unwrap_or_else(at_start),
        );
        Ok(Measurement {
            label: variant.label.clone(),
            records: summary.metrics.records_written,
            bytes: summary.metrics.bytes_in,
            elapsed: last.at - first.at,
            setup: first.at - started,
            cpu: Some(last.cpu.saturating_sub(first.cpu)),
            peak_memory,
            resident_at_start,
            emulator_cpu: last
                .emulator
                .zip(first.emulator)
                .map(|(last, first)| last.saturating_sub(first)),
            machine_busy: last
                .machine
                .zip(first.machine)
                .map(|(last, first)| last.busy_since(&first)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_config::pipeline::Subscription;

    #[test]
    fn the_avro_run_reads_its_topic_with_the_avro_converter_only() {
        let mut avro = overrides("127.0.0.1:39092", "http://127.0.0.1:39191");
        read_avro(
            &mut avro,
            "bench-avro",
            "http://127.0.0.1:38081/apis/ccompat/v7",
        );
        let config = pipeline::load(&Source::BuiltIn(pipeline::BENCH), &avro)
            .unwrap_or_else(|e| panic!("{e:#}"));
        assert!(
            matches!(&config.subscription, Some(Subscription::Topics(t)) if t == &["bench-avro"]),
            "{:?}",
            config.subscription
        );
        let converter = &config.value_converter;
        assert_eq!(converter.type_name, "avro");
        // The file's `value.converter.schemas.enable` (JSON's) is gone.
        let props = converter.props.to_pairs();
        assert_eq!(
            props,
            [(
                "schema.registry.url".to_owned(),
                "http://127.0.0.1:38081/apis/ccompat/v7".to_owned()
            )]
        );
    }
}
