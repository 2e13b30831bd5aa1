//! What the runtime's tests share: an in-process Kafka (librdkafka's mock cluster), a
//! Kinetica emulator, pipelines written as YAML, and waiting for conditions with a
//! deadline (never sleeping as synchronisation).

#![allow(dead_code)] // Each subject uses a different part.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use sluice_config::PipelineConfig;
use sluice_engine::WasmEngine;
use sluice_kafka::mock::MockKafka;
use sluice_kafka::testing::{KafkaBroker, consume_exactly, shared_broker};
use sluice_kafka::{
    KafkaSource, PartitionProgress, Partitioning, ProducerSettings, RecordProducer, SourceSettings,
    Topics, group_progress,
};
use sluice_kinetica::Value;
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle};
use sluice_record::{Header, RawRecord};
use sluice_runtime::{Pipeline, PipelineHandle, RunOptions, StartError};

pub const TIMEOUT: Duration = Duration::from_secs(60);

/// `RUST_LOG=sluice_runtime=debug` shows what happened.
pub fn logs() {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,librdkafka=warn")),
        )
        .with_test_writer()
        .try_init();
}

/// Polls `check` until it returns `Some`, failing with `what` after `timeout`.
pub fn eventually<T>(what: &str, timeout: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// The Kafka a test runs against: librdkafka's mock cluster in-process, or the Apache
/// Kafka broker process shared by the tests of a binary (system tests).
pub enum Broker {
    Mock(MockKafka),
    Kafka(&'static KafkaBroker),
}

impl Broker {
    pub fn bootstrap_servers(&self) -> &str {
        match self {
            Broker::Mock(k) => k.bootstrap_servers(),
            Broker::Kafka(k) => k.bootstrap_servers(),
        }
    }

    pub fn create_topic(&self, topic: &str, partitions: i32) {
        match self {
            Broker::Mock(k) => k.create_topic(topic, partitions).unwrap(),
            Broker::Kafka(k) => k
                .create_topic(topic, partitions)
                .unwrap_or_else(|e| panic!("{e:#}")),
        }
    }
}

/// A Kafka, a Kinetica and a directory for pipeline files.
pub struct Env {
    pub kafka: Broker,
    pub emulator: EmulatorHandle,
    pub dir: tempfile::TempDir,
    pub engine: WasmEngine,
    // Last: the emulator's server runs on it.
    pub runtime: tokio::runtime::Runtime,
}

impl Env {
    pub fn new() -> Env {
        Env::with(
            Broker::Mock(MockKafka::start().unwrap()),
            EmulatorConfig::default(),
        )
    }

    /// The in-process Kafka and an emulator serving HTTPS with `tls` (a certificate
    /// made by `sluice_kinetica_emulator::test_certs::TestCa`).
    pub fn https(tls: sluice_kinetica_emulator::EmulatorTls) -> Env {
        Env::with(
            Broker::Mock(MockKafka::start().unwrap()),
            EmulatorConfig {
                tls: Some(tls),
                ..EmulatorConfig::default()
            },
        )
    }

    /// The binary's Apache Kafka broker process (the test fails saying what to install if
    /// Java or Maven is missing) and an emulator with `workers` worker ranks. Tests
    /// sharing the broker use topics and pipeline names of their own.
    pub fn kafka(workers: usize) -> Env {
        Env::kafka_with(EmulatorConfig {
            workers,
            ..EmulatorConfig::default()
        })
    }

    /// The binary's Apache Kafka broker and an emulator as `emulator` says.
    pub fn kafka_with(emulator: EmulatorConfig) -> Env {
        logs();
        Env::with(Broker::Kafka(shared_broker()), emulator)
    }

    fn with(kafka: Broker, emulator: EmulatorConfig) -> Env {
        logs();
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .unwrap();
        let emulator = runtime
            .block_on(sluice_kinetica_emulator::start(emulator))
            .unwrap();
        Env {
            kafka,
            emulator,
            dir: tempfile::tempdir().unwrap(),
            engine: WasmEngine::new(None).unwrap(),
            runtime,
        }
    }

    pub fn bootstrap(&self) -> &str {
        self.kafka.bootstrap_servers()
    }

    /// The pipeline `name` consuming `topic`, with the settings every test needs, then
    /// `extra` (YAML lines).
    pub fn yaml(&self, name: &str, topic: &str, extra: &str) -> String {
        self.yaml_with_session(name, topic, Duration::from_secs(6), extra)
    }

    /// As [`Env::yaml`], with `consumer.session.timeout.ms` of the test's own.
    pub fn yaml_with_session(
        &self,
        name: &str,
        topic: &str,
        session: Duration,
        extra: &str,
    ) -> String {
        format!(
            "name: {name}\n\
             connector.class: kinetica-sink\n\
             topics: [{topic}]\n\
             bootstrap.servers: {}\n\
             kinetica.url: {}\n\
             kinetica.enable_multihead: false\n\
             batch.max.wait.ms: 50\n\
             consumer.session.timeout.ms: {}\n\
             consumer.heartbeat.interval.ms: 500\n\
             {extra}\n",
            self.bootstrap(),
            self.emulator.url(),
            session.as_millis()
        )
    }

    /// Writes `yaml` as `<name>.yaml` and loads it as `sluice run` would.
    pub fn config(&self, file: &str, yaml: &str) -> PipelineConfig {
        let path = self.dir.path().join(file);
        std::fs::write(&path, yaml).unwrap();
        load(&path)
    }

    pub fn try_start(&self, config: PipelineConfig) -> Result<PipelineHandle, StartError> {
        Pipeline::start(config, &self.engine, options())
    }

    pub fn start(&self, config: PipelineConfig) -> PipelineHandle {
        self.try_start(config).unwrap_or_else(|e| panic!("{e}"))
    }

    pub fn create_topic(&self, topic: &str, partitions: i32) {
        self.kafka.create_topic(topic, partitions);
    }

    /// Writes records to partition 0 of `topic`: record `i` gets offset `i` in a new
    /// topic. Values and keys as text; `None` is Kafka's null.
    pub fn produce(&self, topic: &str, records: &[(Option<&str>, Option<&str>)]) {
        let raw: Vec<RawRecord> = records
            .iter()
            .map(|(k, v)| {
                raw(
                    topic,
                    k.map(str::as_bytes),
                    v.map(str::as_bytes),
                    Vec::new(),
                )
            })
            .collect();
        self.produce_raw(topic, &raw);
    }

    pub fn produce_raw(&self, topic: &str, records: &[RawRecord]) {
        let mut producer = RecordProducer::new(&ProducerSettings {
            bootstrap_servers: self.bootstrap().to_owned(),
            properties: BTreeMap::new(),
        })
        .unwrap();
        producer
            .send(topic, records, Partitioning::AsRecorded)
            .unwrap();
    }

    /// Rows of `table` once it has at least `n` of them.
    pub fn rows_when(&self, table: &str, n: usize) -> Vec<Vec<Value>> {
        eventually(&format!("{n} rows in {table}"), TIMEOUT, || {
            self.emulator.rows(table).filter(|rows| rows.len() >= n)
        })
    }

    pub fn progress(&self, group: &str, topic: &str) -> Vec<PartitionProgress> {
        group_progress(self.bootstrap(), group, topic, TIMEOUT).unwrap()
    }

    /// The committed offset of partition 0.
    pub fn committed(&self, group: &str, topic: &str) -> Option<i64> {
        self.progress(group, topic)
            .into_iter()
            .find(|p| p.partition == 0)
            .and_then(|p| p.committed)
    }

    /// Reads the first `n` records of `topic` with a group of its own.
    pub fn read_topic(&self, topic: &str, n: usize) -> Vec<RawRecord> {
        let mut source = KafkaSource::new(&SourceSettings {
            bootstrap_servers: self.bootstrap().to_owned(),
            group_id: format!("reader-{topic}"),
            topics: Topics::List(vec![topic.to_owned()]),
            properties: MockKafka::group_properties(),
        })
        .unwrap();
        consume_exactly(&mut source, n, TIMEOUT).unwrap()
    }
}

pub fn options() -> RunOptions {
    RunOptions {
        components_dir: Some(sluice_guests::dir()),
        // Keep retry tests quick.
        retry_initial_delay: Duration::from_millis(20),
        ..RunOptions::default()
    }
}

pub fn load(path: &std::path::Path) -> PipelineConfig {
    let checked =
        sluice_config::pipeline::load(path, &[sluice_kinetica_sink::config::connector_spec()]);
    checked
        .into_result()
        .unwrap_or_else(|problems| panic!("invalid pipeline:\n{problems}"))
        .0
}

pub fn raw(
    topic: &str,
    key: Option<&[u8]>,
    value: Option<&[u8]>,
    headers: Vec<Header>,
) -> RawRecord {
    RawRecord {
        topic: Arc::from(topic),
        partition: 0,
        offset: 0,
        timestamp: Some(1_700_000_000_000),
        headers,
        key: key.map(sluice_record::Bytes::copy_from_slice),
        value: value.map(sluice_record::Bytes::copy_from_slice),
    }
}

pub fn header<'a>(record: &'a RawRecord, key: &str) -> Option<&'a str> {
    record
        .headers
        .iter()
        .find(|h| h.key == key)
        .and_then(|h| h.value.as_deref())
        .map(|v| std::str::from_utf8(v).unwrap())
}

/// Column names and base types of a table.
pub fn columns(env: &Env, table: &str) -> Vec<(String, String)> {
    env.emulator
        .table_type(table)
        .unwrap_or_else(|| panic!("no table {table}; tables: {:?}", env.emulator.table_names()))
        .columns()
        .iter()
        .map(|c| (c.name.clone(), c.base.to_string()))
        .collect()
}

/// Rows ordered by their first column, a long (rows come back in no set order).
pub fn sorted_by_first(mut rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    rows.sort_by_key(|r| match r[0] {
        Value::Long(v) => v,
        _ => i64::MAX,
    });
    rows
}

/// A string cell.
pub fn s(v: &str) -> Value {
    Value::String(v.to_owned())
}
