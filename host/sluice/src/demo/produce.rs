//! Writing generated records to Kafka in the background, with live counters.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;

use sluice_kafka::{ProducerSettings, RecordProducer};

/// Fills `key` and `value` with record `index` (both are cleared by the generator).
/// Both are bytes, so that binary formats (Avro keys and values) are generated as text
/// ones are.
pub trait Generator: Send + 'static {
    fn write(&mut self, index: u64, key: &mut Vec<u8>, value: &mut Vec<u8>) -> anyhow::Result<()>;
}

impl Generator for super::stocks::StockQuotes {
    fn write(&mut self, index: u64, key: &mut Vec<u8>, value: &mut Vec<u8>) -> anyhow::Result<()> {
        as_text(key, |key| {
            as_text(value, |text| {
                super::stocks::StockQuotes::write(self, index, key, text);
            });
        });
        Ok(())
    }
}

/// Lets a generator of text write into `buffer`: it is lent as an empty `String` (so
/// nothing is copied or re-validated) and taken back, its capacity kept.
pub fn as_text(buffer: &mut Vec<u8>, write: impl FnOnce(&mut String)) {
    buffer.clear();
    let mut text = String::from_utf8(std::mem::take(buffer)).unwrap_or_default();
    write(&mut text);
    *buffer = text.into_bytes();
}

/// Records and bytes (keys and values) handed to the producer so far.
#[derive(Debug, Default)]
pub struct Produced {
    pub records: AtomicU64,
    pub bytes: AtomicU64,
}

impl Produced {
    pub fn records(&self) -> u64 {
        self.records.load(Ordering::Relaxed)
    }
    pub fn bytes(&self) -> u64 {
        self.bytes.load(Ordering::Relaxed)
    }
}

/// A producer running on its own thread.
pub struct Production {
    pub produced: Arc<Produced>,
    thread: JoinHandle<anyhow::Result<()>>,
}

impl Production {
    /// Whether the thread has finished (successfully or not); [`Production::wait`] says
    /// which.
    pub fn is_finished(&self) -> bool {
        self.thread.is_finished()
    }

    /// Waits until every record was acknowledged by the broker, or the first failure.
    pub fn wait(self) -> anyhow::Result<()> {
        self.thread
            .join()
            .map_err(|_| anyhow::anyhow!("the producer thread panicked"))?
    }
}

/// Starts writing records `0..count` of `generator` to `topic`, keyed by what the
/// generator says (the producer's partitioner picks the partition from the key).
/// `compression` is librdkafka's `compression.type` (`none`, `lz4`, `zstd`, …).
pub fn start(
    bootstrap_servers: &str,
    topic: &str,
    count: u64,
    compression: &str,
    mut generator: impl Generator,
) -> anyhow::Result<Production> {
    // Throughput matters, not latency: large batches and a deep queue.
    let properties = BTreeMap::from([
        ("linger.ms".to_owned(), "20".to_owned()),
        ("batch.size".to_owned(), "1000000".to_owned()),
        (
            "queue.buffering.max.messages".to_owned(),
            "500000".to_owned(),
        ),
        ("compression.type".to_owned(), compression.to_owned()),
    ]);
    let mut producer = RecordProducer::new(&ProducerSettings {
        bootstrap_servers: bootstrap_servers.to_owned(),
        properties,
    })?;
    let produced = Arc::new(Produced::default());
    let counters = produced.clone();
    let topic = topic.to_owned();
    let thread = std::thread::Builder::new()
        .name("demo-producer".into())
        .spawn(move || {
            let (mut key, mut value) = (Vec::new(), Vec::new());
            for index in 0..count {
                generator.write(index, &mut key, &mut value)?;
                producer.enqueue(&topic, None, Some(&key), Some(&value), &[], None)?;
                counters.records.fetch_add(1, Ordering::Relaxed);
                counters
                    .bytes
                    .fetch_add((key.len() + value.len()) as u64, Ordering::Relaxed);
            }
            producer.flush()?;
            Ok(())
        })?;
    Ok(Production { produced, thread })
}
