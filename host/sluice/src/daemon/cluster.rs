//! Hot swaps shared by every daemon that runs one pipeline (one consumer group), through
//! the pipeline's `sluice.config.topic`: a compacted Kafka topic, as Kafka Connect keeps
//! its configs in `config.storage.topic`, with no coordinator of Sluice's own.
//!
//! A swap made through any daemon's REST API is written there once it runs locally
//! (key `transform/<pipeline>/<alias>`; the component, its digest and properties as the
//! value). Every daemon running the pipeline follows the topic from its beginning: at
//! start it applies the latest version of each transform (so a daemon that starts later
//! runs what the others run), then each new one as it arrives. A daemon ignores what it
//! already runs, its own writes included.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use base64::Engine as _;
use serde_json::{Value, json};
use sluice_config::PipelineConfig;
use sluice_engine::WasmEngine;
use sluice_kafka::{Partitioning, ProducerSettings, RecordProducer, TopicFollower};
use sluice_record::RawRecord;
use sluice_runtime::{TransformSwap, TransformVersion};

/// How long the follower waits for a record before looking at its stop flag.
const POLL: Duration = Duration::from_millis(200);
/// How long a shared swap waits for every local task's first batch on it.
const APPLY_WAIT: Duration = Duration::from_secs(30);
/// How long creating or reading the topic may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One pipeline's link to its shared topic, for as long as the pipeline runs here.
pub struct SharedSwaps {
    topic: String,
    pipeline: String,
    producer: Mutex<RecordProducer>,
    stop: Arc<AtomicBool>,
    follower: Option<JoinHandle<()>>,
}

fn key(pipeline: &str, alias: &str) -> String {
    format!("transform/{pipeline}/{alias}")
}

impl SharedSwaps {
    /// Creates the topic if it is missing and starts following it for `swaps` (the
    /// running pipeline's transforms).
    pub fn start(
        parsed: &PipelineConfig,
        topic: &str,
        swaps: BTreeMap<String, TransformSwap>,
        engine: WasmEngine,
    ) -> Result<SharedSwaps, String> {
        let servers = parsed.bootstrap_servers.join(",");
        let producer = ProducerSettings {
            bootstrap_servers: servers.clone(),
            properties: parsed
                .producer
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        };
        let shown = |e: sluice_kafka::Error| format!("`sluice.config.topic` {topic}: {e}");
        // One partition: the versions of a pipeline's transforms are read in order.
        // Replication -1: the broker's `default.replication.factor`.
        sluice_kafka::ensure_topic_with(
            &producer,
            topic,
            (1, -1),
            ("sluice.config.topic", "sluice.config.topic"),
            &[("cleanup.policy", "compact")],
            TIMEOUT,
        )
        .map_err(shown)?;
        let mut consumer: BTreeMap<String, String> = parsed
            .consumer
            .iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        consumer.remove("group.instance.id");
        let follower = TopicFollower::new(&servers, &consumer, topic).map_err(shown)?;
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (stop, pipeline) = (stop.clone(), parsed.name.clone());
            std::thread::Builder::new()
                .name("sluice-shared-swaps".into())
                .spawn(move || follow(follower, &pipeline, &swaps, &engine, &stop))
                .map_err(|e| format!("cannot start following {topic}: {e}"))?
        };
        Ok(SharedSwaps {
            topic: topic.to_owned(),
            pipeline: parsed.name.clone(),
            producer: Mutex::new(RecordProducer::new(&producer).map_err(shown)?),
            stop,
            follower: Some(thread),
        })
    }

    /// Writes `version` of `alias` for the other daemons.
    pub fn publish(&self, alias: &str, version: &TransformVersion) -> Result<(), String> {
        let value = json!({
            "digest": version.digest,
            "properties": version.properties,
            "wasm": base64::engine::general_purpose::STANDARD.encode(&version.bytes),
        });
        let record = RawRecord {
            topic: self.topic.as_str().into(),
            partition: 0,
            offset: 0,
            timestamp: None,
            headers: Vec::new(),
            key: Some(key(&self.pipeline, alias).into_bytes().into()),
            value: Some(value.to_string().into_bytes().into()),
        };
        let mut producer = self.producer.lock().unwrap_or_else(|p| p.into_inner());
        producer
            .send(&self.topic, &[record], Partitioning::AsRecorded)
            .map_err(|e| format!("cannot share the swap through {}: {e}", self.topic))
    }
}

impl Drop for SharedSwaps {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.follower.take() {
            let _ = thread.join();
        }
    }
}

/// A version read from the topic.
struct Shared {
    digest: String,
    properties: Vec<(String, String)>,
    wasm: Vec<u8>,
}

fn parse(value: &[u8]) -> Option<Shared> {
    let v: Value = serde_json::from_slice(value).ok()?;
    let properties = v["properties"]
        .as_array()?
        .iter()
        .map(|pair| {
            let pair = pair.as_array()?;
            Some((
                pair.first()?.as_str()?.to_owned(),
                pair.get(1)?.as_str()?.to_owned(),
            ))
        })
        .collect::<Option<Vec<_>>>()?;
    Some(Shared {
        digest: v["digest"].as_str()?.to_owned(),
        properties,
        wasm: base64::engine::general_purpose::STANDARD
            .decode(v["wasm"].as_str()?)
            .ok()?,
    })
}

/// Reads what the topic holds (keeping the latest per transform), applies it, then
/// applies each new version as it comes, until `stop`.
fn follow(
    mut follower: TopicFollower,
    pipeline: &str,
    swaps: &BTreeMap<String, TransformSwap>,
    engine: &WasmEngine,
    stop: &AtomicBool,
) {
    let mut caught_up = false;
    let mut latest: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    while !stop.load(Ordering::Relaxed) {
        let record = match follower.poll(POLL) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(pipeline, "following sluice.config.topic: {e}");
                continue;
            }
        };
        match record {
            Some((Some(k), Some(v))) => {
                if let Ok(k) = String::from_utf8(k) {
                    latest.insert(k, v);
                }
                if !caught_up {
                    continue;
                }
            }
            Some(_) => continue,
            // Nothing more for now: what was there at start is read.
            None => caught_up = true,
        }
        for (k, v) in std::mem::take(&mut latest) {
            apply(pipeline, swaps, engine, &k, &v);
        }
    }
}

fn apply(
    pipeline: &str,
    swaps: &BTreeMap<String, TransformSwap>,
    engine: &WasmEngine,
    record_key: &str,
    value: &[u8],
) {
    let Some((alias, swap)) = swaps
        .iter()
        .find(|(alias, _)| key(pipeline, alias) == record_key)
    else {
        return;
    };
    let Some(shared) = parse(value) else {
        tracing::warn!(pipeline, transform = %alias, "a shared swap that does not parse; ignored");
        return;
    };
    let current = swap.current();
    if current.digest == shared.digest && current.properties == shared.properties {
        return;
    }
    match swap.deploy(engine, &shared.wasm, Some(shared.properties), APPLY_WAIT) {
        Ok(deployed) => tracing::info!(
            pipeline,
            transform = %alias,
            digest = %shared.digest,
            "applied a swap shared through sluice.config.topic ({:?})",
            deployed.state
        ),
        Err(e) => tracing::warn!(
            pipeline,
            transform = %alias,
            "a swap shared through sluice.config.topic did not take here: {e}"
        ),
    }
}
