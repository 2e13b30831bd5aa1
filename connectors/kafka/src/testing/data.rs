//! Numbered test records: writing them fast, and reading them back.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use sluice_record::RawRecord;

use crate::KafkaSource;
use crate::producer::{ProducerSettings, RecordProducer};

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
    producer.flush()?;
    Ok(())
}

/// The `i` of a value written by [`produce_test_records`].
pub fn test_record_index(value: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(value.get(..8)?.try_into().ok()?))
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
            bail!(
                "group {} got {} of {count} records after {timeout:?}",
                source.group_id(),
                records.len()
            );
        }
        records.extend(source.poll_batch(count - records.len(), remaining)?);
    }
    Ok(records)
}
