//! `sluice bench swap`: what a hot swap costs while records flow. A pipeline with one
//! transform (InsertField stamping a version) runs from an Apache Kafka broker into the
//! Kinetica emulator under a steady stream; the transform is swapped `--swaps` times,
//! each a new configuration of the component, and each swap's latency is measured
//! from the request (`TransformSwap::deploy`, what `PUT …/transforms/{alias}` calls)
//! until every task has run a batch on the new version.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use sluice_config::{Origin, PipelineConfig, RawProperties};
use sluice_kafka::broker::KafkaBroker;
use sluice_kafka::{Partitioning, ProducerSettings, RecordProducer};
use sluice_kinetica_emulator::EmulatorConfig;
use sluice_record::RawRecord;
use sluice_runtime::{Deployed, Pipeline, RunOptions};

/// Arguments of `sluice bench swap`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Swaps to make.
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..=10_000))]
    swaps: u64,
    /// Partitions of the topic.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(i32).range(1..=256))]
    partitions: i32,
    /// Tasks of the pipeline.
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u32).range(1..=64))]
    tasks: u32,
    /// The pipeline's `batch.max.wait.ms`: a swap waits for each task's next batch.
    #[arg(long, default_value_t = 20)]
    batch_wait_ms: u64,
    /// Records per second of the stream (in bursts of 100).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..))]
    rate: u64,
}

const TOPIC: &str = "bench-swap";

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let broker = KafkaBroker::start()?;
    let bootstrap = broker.bootstrap_servers().to_owned();
    broker.create_topic(TOPIC, args.partitions)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()?;
    let emulator = runtime.block_on(sluice_kinetica_emulator::start(EmulatorConfig::default()))?;
    let options = RunOptions::default();
    let engine = options.engine()?;
    let stamp = |version: &str| {
        vec![
            ("static.field".to_owned(), "version".to_owned()),
            ("static.value".to_owned(), version.to_owned()),
        ]
    };
    let mut pairs: Vec<(String, String)> = [
        ("name", "bench-swap"),
        ("connector.class", "kinetica-sink"),
        ("topics", TOPIC),
        ("bootstrap.servers", bootstrap.as_str()),
        ("kinetica.url", emulator.url()),
        ("key.converter", "string"),
        ("value.converter.schemas.enable", "false"),
        ("transforms", "stamp"),
        ("transforms.stamp.type", "insert-field"),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    pairs.push(("tasks.max".into(), args.tasks.to_string()));
    pairs.push(("batch.max.wait.ms".into(), args.batch_wait_ms.to_string()));
    for (k, v) in stamp("v0") {
        pairs.push((format!("transforms.stamp.{k}"), v));
    }
    let raw = RawProperties::from_pairs(Origin::file("sluice bench swap"), pairs);
    let checked = PipelineConfig::from_raw(&raw, options.registry.connector_specs());
    let Some(config) = checked.value else {
        anyhow::bail!(
            "the benchmark's pipeline does not check:\n{}",
            checked.problems
        );
    };
    let bytes = options
        .registry
        .bundled()
        .iter()
        .find(|(name, _)| name.replace('_', "-") == "insert-field")
        .map(|(_, b)| *b)
        .ok_or_else(|| anyhow::anyhow!("no bundled insert-field component"))?;
    let pipeline = Pipeline::start(config, &engine, options.clone())?;
    let stream = Stream::start(&bootstrap, args.rate)?;
    let swap = pipeline.swap_handles()["stamp"].clone();
    // Every task has its partitions and runs batches before the first swap.
    let deadline = Instant::now() + Duration::from_secs(60);
    while pipeline.metrics().snapshot().batches < u64::from(args.tasks) * 4 {
        anyhow::ensure!(
            Instant::now() < deadline,
            "the pipeline wrote nothing in 60 s"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut latencies = Vec::new();
    for i in 1..=args.swaps {
        let started = Instant::now();
        let deployed = swap.deploy(
            &engine,
            bytes,
            Some(stamp(&format!("v{i}"))),
            Duration::from_secs(30),
        )?;
        anyhow::ensure!(
            deployed.state == Deployed::Running,
            "swap {i}: some task ran no batch within 30 s"
        );
        latencies.push(started.elapsed());
    }
    let produced = stream.finish();
    let summary = pipeline.stop()?;
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} swaps of a transform under a steady stream of {} records/s ({} partitions, {} \
         task(s), batch.max.wait.ms={}): request → every task ran a batch on the new version",
        args.swaps, args.rate, args.partitions, args.tasks, args.batch_wait_ms
    );
    println!(
        "  median {:.1} ms, p90 {:.1} ms, max {:.1} ms (min {:.1} ms)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
        at(0.0).as_secs_f64() * 1e3
    );
    println!(
        "  {produced} records produced meanwhile, {} written",
        summary.metrics.records_written
    );
    runtime.block_on(emulator.shutdown());
    Ok(ExitCode::SUCCESS)
}

/// Small JSON records produced in batches until [`Stream::finish`].
struct Stream {
    stop: Arc<AtomicBool>,
    produced: Arc<AtomicU64>,
    thread: std::thread::JoinHandle<anyhow::Result<()>>,
}

impl Stream {
    fn start(bootstrap: &str, rate: u64) -> anyhow::Result<Stream> {
        let mut producer = RecordProducer::new(&ProducerSettings {
            bootstrap_servers: bootstrap.to_owned(),
            properties: Default::default(),
        })?;
        let stop = Arc::new(AtomicBool::new(false));
        let produced = Arc::new(AtomicU64::new(0));
        let (flag, count) = (stop.clone(), produced.clone());
        // Bursts of 100, paced to the rate: a steady stream, not a flood.
        let burst = Duration::from_secs_f64(100.0 / rate as f64);
        let thread = std::thread::spawn(move || {
            let mut id = 0u64;
            let started = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                let due = started + burst * (id / 100) as u32;
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                let records: Vec<RawRecord> = (id..id + 100)
                    .map(|n| RawRecord {
                        topic: TOPIC.into(),
                        partition: 0,
                        offset: 0,
                        timestamp: None,
                        headers: Vec::new(),
                        key: Some(n.to_string().into_bytes()),
                        value: Some(format!(r#"{{"id":{n}}}"#).into_bytes()),
                    })
                    .collect();
                producer.send(TOPIC, &records, Partitioning::ByKey)?;
                id += 100;
                count.store(id, Ordering::Relaxed);
            }
            Ok(())
        });
        Ok(Stream {
            stop,
            produced,
            thread,
        })
    }

    fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Ok(Err(e)) = self.thread.join() {
            tracing::warn!("the benchmark's producer stopped: {e}");
        }
        self.produced.load(Ordering::Relaxed)
    }
}
