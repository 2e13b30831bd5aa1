//! `sluice datapump`: test data into a topic, the equivalent of the Kinetica connector's
//! `TestDataPump` — the demo's stock quotes, or random records of an Avro schema given in
//! a file (both seeded, so two runs write the same records), as Kafka Connect JSON with
//! its schema envelope or schemaless, or as Avro through a Schema Registry, at a rate or
//! as fast as the broker takes them, with a summary.
//!
//! The stock quotes' JSON is written directly (the demo's fast path); everything else is
//! generated as Connect data and written by Sluice's own converters
//! ([`crate::demo::encoded`]), exactly as a Connect producer with that converter writes.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use sluice_convert::{Converter, ConverterType};
use sluice_kafka::{ProducerSettings, RecordProducer};

use crate::demo::encoded::{Encoded, avro_converter, json_converter};
use crate::demo::produce::Generator;
use crate::demo::random::RandomRecords;
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
    /// `json-schemaless`: the payload alone (`schemas.enable=false`); `avro`: Confluent's
    /// Avro wire format, keys and values, the schemas registered in --schema-registry
    /// (`<topic>-key`, `<topic>-value`), as `io.confluent.connect.avro.AvroConverter`.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// The Schema Registry of `--format avro` (its URL, Confluent's API).
    #[arg(long, value_name = "URL")]
    schema_registry: Option<String>,
    /// Random records of this Avro schema (an `.avsc` JSON file) instead of stock
    /// quotes, keyed by their index; in any --format.
    #[arg(long, value_name = "FILE")]
    schema: Option<PathBuf>,
    /// The seed of the records: the same seed writes the same records.
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
    Avro,
}

/// How often a progress line is printed.
const PROGRESS: Duration = Duration::from_secs(1);

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let mut generator = generator(&args)?;
    let mut producer = RecordProducer::new(&ProducerSettings {
        bootstrap_servers: args.bootstrap_servers.clone(),
        properties: args.producer.iter().cloned().collect(),
    })?;
    let mut out = std::io::stdout().lock();
    let what = match &args.schema {
        Some(file) => format!("records of {}", file.display()),
        None => "stock quotes".to_owned(),
    };
    let registry = match &args.schema_registry {
        Some(url) => format!(", schemas in {url}"),
        None => String::new(),
    };
    writeln!(
        out,
        "sluice datapump: {} {what} ({:?}{registry}) to `{}` on {}{}",
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
    // On a terminal a bar replaces the lines below (they stay for logs and pipes).
    let bar = crate::progress_bar::Bar::on_terminal(args.records, "queued", true);
    let (mut key, mut value) = (Vec::new(), Vec::new());
    let mut bytes = 0u64;
    for index in 0..args.records {
        if args.rate > 0 {
            // Pacing to the rate: record `index` is due `index / rate` s after the start.
            let due = started + Duration::from_secs_f64(index as f64 / args.rate as f64);
            if let Some(wait) = due.checked_duration_since(Instant::now()) {
                std::thread::sleep(wait);
            }
        }
        generator.write(index, &mut key, &mut value)?;
        producer.enqueue(&args.topic, None, Some(&key), Some(&value), &[], None)?;
        bytes += (key.len() + value.len()) as u64;
        if let Some(bar) = &bar {
            bar.set(index + 1, String::new());
        } else if Instant::now() >= next_progress {
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
    drop(bar);
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

/// What writes each record: the quotes' own JSON, or Connect data through a converter.
fn generator(args: &Args) -> anyhow::Result<Box<dyn Generator>> {
    if args.schema_registry.is_some() && args.format != Format::Avro {
        anyhow::bail!("--schema-registry is for --format avro");
    }
    let topic = args.topic.clone();
    Ok(match (&args.schema, args.format) {
        (None, Format::Json) => Box::new(StockQuotes::new(args.seed)),
        (None, Format::JsonSchemaless) => Box::new(StockQuotes::schemaless(args.seed)),
        (None, Format::Avro) => {
            let (key_converter, converter) = converters(args)?;
            Box::new(Encoded {
                records: StockQuotes::new(args.seed),
                key_converter,
                converter,
                topic,
            })
        }
        (Some(file), _) => {
            let (key_converter, converter) = converters(args)?;
            Box::new(Encoded {
                records: RandomRecords::from_avro_file(file, args.seed)?,
                key_converter,
                converter,
                topic,
            })
        }
    })
}

/// The key converter (none: keys are plain text, for `key.converter=string`) and the
/// value converter of the format.
type Converters = (Option<Box<dyn Converter>>, Box<dyn Converter>);

fn converters(args: &Args) -> anyhow::Result<Converters> {
    Ok(match args.format {
        Format::Json => (None, Box::new(json_converter(true))),
        Format::JsonSchemaless => (None, Box::new(json_converter(false))),
        Format::Avro => {
            let url = args
                .schema_registry
                .as_deref()
                .ok_or_else(|| anyhow::anyhow!("--format avro needs --schema-registry URL"))?;
            (
                Some(Box::new(avro_converter(url, ConverterType::Key)?)),
                Box::new(avro_converter(url, ConverterType::Value)?),
            )
        }
    })
}
