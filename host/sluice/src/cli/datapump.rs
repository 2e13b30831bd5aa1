//! `sluice datapump`: test data into a topic, the equivalent of the Kinetica connector's
//! `TestDataPump` — the demo's stock quotes (seeded, so two runs write the same records),
//! as Kafka Connect JSON with its schema envelope or schemaless, at a rate or as fast as
//! the broker takes them, with a summary.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sluice_kafka::{ProducerSettings, RecordProducer};

use crate::demo::stocks::StockQuotes;
use crate::demo::units::{count, megabytes, records_per_second, seconds};

/// Arguments of `sluice datapump`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Kafka brokers, `host:port` list.
    #[arg(long, default_value = "localhost:9092")]
    bootstrap_servers: String,
    /// The topic to write to.
    #[arg(long, default_value = "stocks")]
    topic: String,
    /// How many records.
    #[arg(long, default_value_t = 10_000)]
    records: u64,
    /// Records per second; 0: as fast as the broker takes them.
    #[arg(long, default_value_t = 0)]
    rate: u64,
    /// `json`: Kafka Connect JSON with its schema envelope (`schemas.enable=true`);
    /// `json-schemaless`: the payload alone (`schemas.enable=false`).
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// The seed of the quotes: the same seed writes the same records.
    #[arg(long, default_value_t = 2019)]
    seed: u64,
    /// A librdkafka producer property (repeatable), e.g. `compression.type=lz4`.
    #[arg(long = "producer", value_name = "KEY=VALUE", value_parser = crate::cli::bench::parse_property)]
    producer: Vec<(String, String)>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Format {
    Json,
    JsonSchemaless,
}

/// How often a progress line is printed.
const PROGRESS: Duration = Duration::from_secs(1);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let quotes = match args.format {
        Format::Json => StockQuotes::new(args.seed),
        Format::JsonSchemaless => StockQuotes::schemaless(args.seed),
    };
    let mut producer = RecordProducer::new(&ProducerSettings {
        bootstrap_servers: args.bootstrap_servers.clone(),
        properties: args.producer.iter().cloned().collect(),
    })?;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "sluice datapump: {} stock quotes ({:?}) to `{}` on {}{}",
        count(args.records),
        args.format,
        args.topic,
        args.bootstrap_servers,
        if args.rate == 0 {
            String::new()
        } else {
            format!(" at {}/s", count(args.rate))
        }
    )?;
    out.flush()?;
    let started = Instant::now();
    let mut next_progress = started + PROGRESS;
    let (mut key, mut value) = (String::new(), String::new());
    let mut bytes = 0u64;
    for index in 0..args.records {
        if args.rate > 0 {
            // Pacing to the rate: record `index` is due `index / rate` s after the start.
            let due = started + Duration::from_secs_f64(index as f64 / args.rate as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        quotes.write(index, &mut key, &mut value);
        producer.enqueue(
            &args.topic,
            None,
            Some(key.as_bytes()),
            Some(value.as_bytes()),
            &[],
            None,
        )?;
        bytes += (key.len() + value.len()) as u64;
        if Instant::now() >= next_progress {
            next_progress += PROGRESS;
            writeln!(
                out,
                "[{:>6}] queued {}",
                seconds(started.elapsed()),
                count(index + 1)
            )?;
            out.flush()?;
        }
    }
    producer.flush()?;
    let took = started.elapsed();
    writeln!(
        out,
        "wrote {} records ({}) to `{}` in {} ({}), every one acknowledged",
        count(args.records),
        megabytes(bytes),
        args.topic,
        seconds(took),
        records_per_second(args.records, took)
    )?;
    Ok(ExitCode::SUCCESS)
}
