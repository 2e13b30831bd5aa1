//! `sluice bench swap`: what a hot swap costs while records flow, asked as an operator
//! asks it. A daemon (the one `sluice run` starts, its REST API on a free loopback
//! port) runs a pipeline with one transform (InsertField stamping a version) from an
//! Apache Kafka broker into the Kinetica emulator under a steady stream; the pipeline
//! is created with `POST /connectors`, and the transform is swapped `--swaps` times
//! with `PUT /connectors/{name}/transforms/{alias}`, back and forth between two
//! versions (the component configured to stamp `A`, then `B`, then `A` again …). Each
//! swap's latency runs from sending the request to its answer: 200 `RUNNING` comes once
//! every task has run a batch on the new version. At the end every record produced
//! must be in Kinetica.

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use base64::Engine as _;
use serde_json::{Value, json};
use sluice_kafka::broker::KafkaBroker;
use sluice_kafka::{Partitioning, ProducerSettings, RecordProducer};
use sluice_kinetica_emulator::EmulatorConfig;
use sluice_record::RawRecord;
use sluice_runtime::RunOptions;

use crate::daemon::{self, Daemon};

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
    /// Records per second of the stream (in ten bursts a second, of 100 at least).
    #[arg(long, default_value_t = 10_000, value_parser = clap::value_parser!(u64).range(100..))]
    rate: u64,
}

const TOPIC: &str = "bench-swap";
const PIPELINE: &str = "bench-swap";
/// What each version stamps, in turn.
const VERSIONS: [&str; 2] = ["A", "B"];
/// How long one swap may wait for every task's first batch on it.
const WAIT: Duration = Duration::from_secs(30);

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
    let bytes = options
        .registry
        .bundled()
        .iter()
        .find(|(name, _)| name.replace('_', "-") == "insert-field")
        .map(|(_, b)| *b)
        .ok_or_else(|| anyhow::anyhow!("no bundled insert-field component"))?;
    let mut settings = daemon::load_settings(None)
        .map_err(|p| anyhow::anyhow!("the daemon's default settings do not check:\n{p}"))?;
    // A free loopback port: no token needed, nothing reachable from elsewhere.
    settings.listener = "127.0.0.1:0".to_owned();
    let daemon = Daemon::start(&settings, engine, options)?;
    let url = format!(
        "http://{}",
        daemon.rest.context("the daemon serves no REST API")?
    );
    let api = reqwest::blocking::Client::builder()
        .timeout(WAIT + Duration::from_secs(30))
        .build()?;
    let config = json!({
        "connector.class": "kinetica-sink",
        "topics": TOPIC,
        "bootstrap.servers": bootstrap,
        "kinetica.url": emulator.url(),
        // One table, the topic's: schemaless records with string keys would otherwise
        // make a table per key.
        "kinetica.tables.single_table_per_topic": "true",
        "key.converter": "string",
        "value.converter.schemas.enable": "false",
        "tasks.max": args.tasks.to_string(),
        "batch.max.wait.ms": args.batch_wait_ms.to_string(),
        "transforms": "stamp",
        "transforms.stamp.type": "insert-field",
        "transforms.stamp.static.field": "version",
        "transforms.stamp.static.value": "-",
    });
    let (status, body) = call(
        api.post(format!("{url}/connectors"))
            .json(&json!({"name": PIPELINE, "config": config})),
    )?;
    anyhow::ensure!(status == 201, "POST /connectors: {status} {body}");
    let stream = Stream::start(&bootstrap, args.rate)?;
    // Every task has its partitions and runs batches before the first swap.
    let transforms = format!("{url}/connectors/{PIPELINE}/transforms");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, listed) = call(api.get(&transforms))?;
        if listed[0]["batches"].as_u64().unwrap_or(0) >= u64::from(args.tasks) * 4 {
            break;
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "the pipeline ran no batches in 60 s: {listed}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let wasm = base64::engine::general_purpose::STANDARD.encode(bytes);
    let put = format!("{transforms}/stamp?wait_ms={}", WAIT.as_millis());
    let mut latencies = Vec::new();
    for i in 1..=args.swaps {
        let version = VERSIONS[(i % 2) as usize];
        let request = api.put(&put).json(&json!({
            "wasm": wasm,
            "config": {"static.field": "version", "static.value": version},
        }));
        let started = Instant::now();
        let (status, body) = call(request)?;
        let took = started.elapsed();
        anyhow::ensure!(
            status == 200 && body["state"] == "RUNNING",
            "swap {i} (to {version}): {status} {body}"
        );
        latencies.push(took);
    }
    let (produced, kept) = stream.finish();
    // The stream stopped; the pipeline catches up before it is deleted.
    let deadline = Instant::now() + Duration::from_secs(120);
    let written = loop {
        let rows = emulator.row_count(TOPIC).unwrap_or(0) as u64;
        if rows >= produced || Instant::now() > deadline {
            break rows;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let (status, body) = call(api.delete(format!("{url}/connectors/{PIPELINE}")))?;
    anyhow::ensure!(
        status == 204,
        "DELETE /connectors/{PIPELINE}: {status} {body}"
    );
    latencies.sort();
    let at = |q: f64| latencies[((latencies.len() - 1) as f64 * q).round() as usize];
    println!(
        "{} swaps of a transform through the REST API (PUT …/transforms/stamp, back and \
         forth between two versions) under a steady stream of {} records/s asked, {:.0} \
         kept ({} partitions, {} task(s), batch.max.wait.ms={}): request → every task ran \
         a batch on the new version",
        args.swaps, args.rate, kept, args.partitions, args.tasks, args.batch_wait_ms
    );
    println!(
        "  median {:.1} ms, p90 {:.1} ms, max {:.1} ms (min {:.1} ms)",
        at(0.5).as_secs_f64() * 1e3,
        at(0.9).as_secs_f64() * 1e3,
        at(1.0).as_secs_f64() * 1e3,
        at(0.0).as_secs_f64() * 1e3
    );
    println!("  {produced} records produced meanwhile, {written} written");
    runtime.block_on(emulator.shutdown());
    if written != produced {
        eprintln!("error: {produced} records produced but {written} in Kinetica");
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// Sends `request`; its status and JSON body (null when it has none).
fn call(request: reqwest::blocking::RequestBuilder) -> anyhow::Result<(u16, Value)> {
    let response = request
        .send()
        .context("cannot reach the daemon's REST API")?;
    let status = response.status().as_u16();
    let text = response.text()?;
    Ok((status, serde_json::from_str(&text).unwrap_or(Value::Null)))
}

/// Small JSON records produced in batches until [`Stream::finish`].
struct Stream {
    stop: Arc<AtomicBool>,
    produced: Arc<AtomicU64>,
    started: Instant,
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
        // Ten bursts a second (of 100 records at least), paced to the rate: a steady
        // stream, not a flood. Each burst waits for the broker's acknowledgements, so
        // smaller, more frequent bursts would fall short of the rate.
        let size = (rate / 10).max(100);
        let every = Duration::from_secs_f64(size as f64 / rate as f64);
        let thread = std::thread::spawn(move || {
            let mut id = 0u64;
            let started = Instant::now();
            while !flag.load(Ordering::Relaxed) {
                let due = started + every * (id / size) as u32;
                std::thread::sleep(due.saturating_duration_since(Instant::now()));
                let records: Vec<RawRecord> = (id..id + size)
                    .map(|n| RawRecord {
                        topic: TOPIC.into(),
                        partition: 0,
                        offset: 0,
                        timestamp: None,
                        headers: Vec::new(),
                        key: Some(n.to_string().into_bytes().into()),
                        value: Some(format!(r#"{{"id":{n}}}"#).into_bytes().into()),
                    })
                    .collect();
                producer.send(TOPIC, &records, Partitioning::ByKey)?;
                id += size;
                count.store(id, Ordering::Relaxed);
            }
            Ok(())
        });
        Ok(Stream {
            stop,
            produced,
            started: Instant::now(),
            thread,
        })
    }

    /// Stops the stream: the records produced, and the rate it kept (each send waits
    /// for the broker, so a slow machine keeps less than it was asked).
    fn finish(self) -> (u64, f64) {
        self.stop.store(true, Ordering::Relaxed);
        let took = self.started.elapsed();
        if let Ok(Err(e)) = self.thread.join() {
            tracing::warn!("the benchmark's producer stopped: {e}");
        }
        let produced = self.produced.load(Ordering::Relaxed);
        (produced, produced as f64 / took.as_secs_f64())
    }
}
