//! Numbered test records: writing them fast, and reading them back.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};
use sluice_record::RawRecord;

use crate::producer::{ProducerSettings, RecordProducer};
use crate::{Error, KafkaSource, Result};

/// Writes `count` records to `topic`: record `i` has key `key-{i}` (which picks its
/// partition) and a value of `value_size` bytes (at least 8) that starts with `i` as a
/// big-endian u64 — see [`test_record_index`] — followed by `x`s. Returns once all were
/// acknowledged.
pub fn produce_test_records(
    bootstrap_servers: &str,
    topic: &str,
    count: u64,
    value_size: usize,
) -> Result<()> {
    // Big batches: throughput, not latency, matters when generating data.
    let properties = BTreeMap::from([
        ("linger.ms".to_string(), "20".to_string()),
        ("batch.size".to_string(), "1000000".to_string()),
        (
            "queue.buffering.max.messages".to_string(),
            "1000000".to_string(),
        ),
    ]);
    let mut producer = RecordProducer::new(&ProducerSettings {
        bootstrap_servers: bootstrap_servers.to_string(),
        properties,
    })?;
    let mut key = String::with_capacity(24);
    let mut value = vec![b'x'; value_size.max(8)];
    for i in 0..count {
        key.clear();
        write!(key, "key-{i}").expect("writing to a String cannot fail");
        value[..8].copy_from_slice(&i.to_be_bytes());
        producer.enqueue(topic, None, Some(key.as_bytes()), Some(&value), &[], None)?;
    }
    producer.flush()
}

/// The `i` of a value written by [`produce_test_records`].
pub fn test_record_index(value: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(value.get(..8)?.try_into().ok()?))
}

/// What a consume run read, and how fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsumeStats {
    pub records: u64,
    /// Keys and values.
    pub bytes: u64,
    /// From the first record to the last: the consume rate without connection and
    /// assignment set-up.
    pub elapsed: Duration,
    /// From the call to the last record, set-up included.
    pub total: Duration,
}

impl ConsumeStats {
    pub fn records_per_second(&self) -> f64 {
        self.records as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Reads the first `count` records of `topic` with a bare librdkafka `BaseConsumer`
/// (all partitions assigned from the beginning, no group membership, nothing copied):
/// the baseline Sluice's consume path and pipelines are compared with. `properties` go
/// to librdkafka as they are — pass the ones the compared pipeline uses (for tansu:
/// [`TansuBroker::consumer_properties`](crate::testing::TansuBroker::consumer_properties)).
pub fn raw_consume(
    bootstrap_servers: &str,
    topic: &str,
    count: u64,
    timeout: Duration,
    properties: &BTreeMap<String, String>,
) -> Result<ConsumeStats> {
    let started = Instant::now();
    let testing = |what: &str, error: rdkafka::error::KafkaError| {
        Error::Testing(format!(
            "raw consume of {topic} on {bootstrap_servers}: {what}: {error}"
        ))
    };
    // A group id is needed for `assign`, but the consumer never joins the group.
    let mut config = ClientConfig::new();
    config
        .set("bootstrap.servers", bootstrap_servers)
        .set("group.id", "sluice-raw-consume")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false");
    for (key, value) in properties {
        config.set(key, value);
    }
    let consumer: BaseConsumer = config
        .create()
        .map_err(|e| testing("cannot create the consumer", e))?;
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .map_err(|e| testing("no metadata", e))?;
    let partitions = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map_or(0, |t| t.partitions().len());
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions as i32 {
        assignment
            .add_partition_offset(topic, partition, Offset::Beginning)
            .map_err(|e| testing("bad assignment", e))?;
    }
    consumer
        .assign(&assignment)
        .map_err(|e| testing("cannot assign", e))?;

    let deadline = started + timeout;
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut first = None;
    while records < count {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Error::Testing(format!(
                "raw consume of {topic} on {bootstrap_servers}: {records} of {count} records after {timeout:?}"
            )));
        }
        match consumer.poll(remaining) {
            Some(Ok(message)) => {
                first.get_or_insert_with(Instant::now);
                records += 1;
                bytes += (message.key_len() + message.payload_len()) as u64;
            }
            Some(Err(error)) => return Err(testing("consume failed", error)),
            None => {}
        }
    }
    let now = Instant::now();
    Ok(ConsumeStats {
        records,
        bytes,
        elapsed: first.map_or(Duration::ZERO, |first| now - first),
        total: now - started,
    })
}

/// Polls `source` until it has handed out exactly `count` records (without committing),
/// or fails after `timeout` saying how many arrived.
pub fn consume_exactly(
    source: &mut KafkaSource,
    count: usize,
    timeout: Duration,
) -> Result<Vec<RawRecord>> {
    let deadline = Instant::now() + timeout;
    let mut records = Vec::with_capacity(count);
    while records.len() < count {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Err(Error::Testing(format!(
                "group {} got {} of {count} records after {timeout:?}",
                source.group_id(),
                records.len()
            )));
        }
        records.extend(source.poll_batch(count - records.len(), remaining)?);
    }
    Ok(records)
}

/// A partition's committed offset for a group (None when the group never committed
/// one) and its high watermark (the offset the next record will get).
///
/// tansu 0.6 (memory storage) answers the high watermark with the base offset of the
/// partition's last record batch + 1, not its last offset + 1: compare committed offsets
/// with what was consumed there, not with `high_watermark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionProgress {
    pub partition: i32,
    pub committed: Option<i64>,
    pub high_watermark: i64,
}

/// Where `group` stands in every partition of `topic`, asked without joining the group.
pub fn group_progress(
    bootstrap_servers: &str,
    group: &str,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<PartitionProgress>> {
    let testing = |what: &str, error: rdkafka::error::KafkaError| {
        Error::Testing(format!(
            "progress of group {group} on {topic} at {bootstrap_servers}: {what}: {error}"
        ))
    };
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .map_err(|e| testing("cannot create the consumer", e))?;
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .map_err(|e| testing("no metadata", e))?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .filter(|t| t.name() == topic)
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    let mut list = TopicPartitionList::new();
    for partition in &partitions {
        list.add_partition(topic, *partition);
    }
    let committed = consumer
        .committed_offsets(list, timeout)
        .map_err(|e| testing("cannot read committed offsets", e))?;
    partitions
        .into_iter()
        .map(|partition| {
            let (_, high_watermark) = consumer
                .fetch_watermarks(topic, partition, timeout)
                .map_err(|e| testing("cannot read watermarks", e))?;
            let committed = committed
                .find_partition(topic, partition)
                .and_then(|elem| elem.offset().to_raw())
                .filter(|offset| *offset >= 0);
            Ok(PartitionProgress {
                partition,
                committed,
                high_watermark,
            })
        })
        .collect()
}
