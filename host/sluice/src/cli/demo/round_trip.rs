//! `sluice demo --round-trip`: the way back. Once every quote is in Kinetica, the source
//! pipeline of `config/demo/round-trip.yaml` streams the table into Kafka (catching up
//! by the quotes' `lastUpdated`, its tracking column), and the topic is read back to
//! check that every quote returned: each quote's `lastUpdated` is unique, so a missing
//! one is counted, and one returned twice (at least once) is not mistaken for it.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use sluice_engine::WasmEngine;
use sluice_kafka::mock::MockKafka;
use sluice_kafka::{KafkaSource, SourceSettings, Topics};
use sluice_kinetica_emulator::EmulatorHandle;
use sluice_runtime::{Pipeline, RunOptions};

use crate::demo::pipeline::{self, Overrides, Source};
use crate::demo::stocks::FIRST_UPDATE_MS;

/// Give up when the topic has not grown for this long.
const STALL_TIMEOUT: Duration = Duration::from_secs(60);

/// What came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Returned {
    /// The topic the quotes came back to.
    pub topic: String,
    /// Records read from it.
    pub records: u64,
    /// Quotes (of `0..expected`) among them.
    pub quotes: u64,
    /// Quotes that did not come back.
    pub missing: u64,
    /// From the pipeline's start to the last record read.
    pub elapsed: Duration,
}

impl Returned {
    pub fn is_complete(&self) -> bool {
        self.missing == 0
    }
}

/// Runs the way back for `expected` quotes and reads what came back.
pub fn run(
    kafka: &MockKafka,
    emulator: &EmulatorHandle,
    engine: &WasmEngine,
    options: &RunOptions,
    expected: u64,
) -> anyhow::Result<Returned> {
    let config = pipeline::load(
        &Source::BuiltIn(pipeline::ROUND_TRIP),
        &Overrides {
            bootstrap_servers: kafka.bootstrap_servers().to_owned(),
            kinetica_url: emulator.url().to_owned(),
            ..Overrides::default()
        },
    )?;
    let props = sluice_kinetica_source::SourceProps::from_parsed(&config.connector.config);
    let topic = format!("{}{}", props.topic_prefix, props.table_names.join(""));
    // The mock cluster takes no CreateTopics: the topics the pipeline writes are made
    // here. Several partitions, as the demo's own topic: a consumer of one long
    // partition of the mock cluster stalls after some tens of megabytes.
    kafka.create_topic(&topic, 8)?;
    let offsets = config
        .framework
        .try_string(sluice_config::pipeline::keys::OFFSETS_STORAGE_TOPIC)
        .unwrap_or(sluice_kafka::DEFAULT_OFFSETS_TOPIC)
        .to_owned();
    kafka.create_topic(&offsets, 1)?;
    let started = Instant::now();
    let handle = Pipeline::start(config, engine, options.clone())?;
    let mut reader = KafkaSource::new(&SourceSettings {
        bootstrap_servers: kafka.bootstrap_servers().to_owned(),
        group_id: format!("sluice-demo-round-trip-{}", std::process::id()),
        topics: Topics::List(vec![topic.clone()]),
        properties: [("auto.offset.reset".to_owned(), "earliest".to_owned())].into(),
    })?;
    let mut seen = HashSet::new();
    let (mut records, mut grew) = (0u64, Instant::now());
    while (seen.len() as u64) < expected {
        let batch = reader.poll_batch(10_000, Duration::from_millis(100))?;
        if batch.is_empty() {
            if let Some(error) = handle.failure() {
                anyhow::bail!("the way back failed: {error}");
            }
            if grew.elapsed() > STALL_TIMEOUT {
                break;
            }
            continue;
        }
        grew = Instant::now();
        for record in batch {
            records += 1;
            let value: serde_json::Value =
                serde_json::from_slice(record.value.as_deref().unwrap_or_default())?;
            if let Some(updated) = value["payload"]["lastUpdated"].as_i64() {
                let quote = (updated - FIRST_UPDATE_MS) / 10;
                if (0..expected as i64).contains(&quote) {
                    seen.insert(quote);
                }
            }
        }
    }
    let elapsed = started.elapsed();
    if let Err(e) = handle.stop() {
        tracing::debug!("the way back had failed: {e}");
    }
    Ok(Returned {
        topic,
        records,
        quotes: seen.len() as u64,
        missing: expected - seen.len() as u64,
        elapsed,
    })
}
