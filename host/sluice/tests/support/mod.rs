//! What the binary's system tests share: the repository root, a child process that
//! dies with a failing test, waiting for a condition with a deadline (never sleeping
//! as synchronisation), an in-process Kinetica emulator, and a daemon with its REST
//! API ([`daemon`]).

#![allow(dead_code)] // Each test file uses a different part.

pub mod daemon;

use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use sluice_kafka::{Partitioning, ProducerSettings, RecordProducer};
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle};
use sluice_record::RawRecord;

/// The schema of the connector README's tweets: a required `id`, an optional `text`.
pub const TWEET_SCHEMA: &str = r#"{"type":"struct","fields":[{"field":"id","type":"int64","optional":false},{"field":"text","type":"string","optional":true}]}"#;

/// Writes a tweet (JSON with its schema) per id to partition 0 of `topic`.
pub fn produce_tweets(bootstrap: &str, topic: &str, ids: std::ops::Range<i64>) {
    produce_tweets_to(bootstrap, topic, 0, ids);
}

/// Writes a tweet (JSON with its schema) per id to `partition` of `topic`.
pub fn produce_tweets_to(bootstrap: &str, topic: &str, partition: i32, ids: std::ops::Range<i64>) {
    let values: Vec<Vec<u8>> = ids
        .map(|id| {
            format!(r#"{{"schema":{TWEET_SCHEMA},"payload":{{"id":{id},"text":"tweet {id}"}}}}"#)
                .into_bytes()
        })
        .collect();
    produce_values(bootstrap, topic, partition, values);
}

/// Writes one record per value, without a key, to `partition` of `topic`.
pub fn produce_values(bootstrap: &str, topic: &str, partition: i32, values: Vec<Vec<u8>>) {
    let records: Vec<RawRecord> = values
        .into_iter()
        .map(|value| RawRecord {
            topic: topic.into(),
            partition,
            offset: 0,
            timestamp: None,
            headers: Vec::new(),
            key: None,
            value: Some(value.into()),
        })
        .collect();
    let mut producer = RecordProducer::new(&ProducerSettings {
        bootstrap_servers: bootstrap.to_owned(),
        properties: Default::default(),
    })
    .unwrap();
    producer
        .send(topic, &records, Partitioning::AsRecorded)
        .unwrap();
}

/// The repository's root.
pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Kills the child if the test fails before it exits.
pub struct Running(pub Option<Child>);

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(child) = &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Polls `check` until it returns `Some`, failing after `timeout` with `what` and what
/// `context` says then.
pub fn eventually_within<T>(
    timeout: Duration,
    what: &str,
    mut check: impl FnMut() -> Option<T>,
    context: impl Fn() -> String,
) -> T {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            Instant::now() < deadline,
            "timed out waiting for {what}\n{}",
            context()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A Kinetica emulator with default settings, served by a runtime of its own (keep
/// both alive for as long as the test uses it).
pub fn emulator() -> (tokio::runtime::Runtime, EmulatorHandle) {
    emulator_with(EmulatorConfig::default())
}

/// [`emulator`] with `config`.
pub fn emulator_with(config: EmulatorConfig) -> (tokio::runtime::Runtime, EmulatorHandle) {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let emulator = runtime
        .block_on(sluice_kinetica_emulator::start(config))
        .unwrap();
    (runtime, emulator)
}
