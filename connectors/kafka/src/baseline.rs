//! The baseline a pipeline is measured against: reading a topic with a bare
//! librdkafka consumer, as fast as it goes (`sluice bench e2e`).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, bail};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

/// What a consume run read, and how fast.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ConsumeStats {
    /// Records read: the `count` asked for (a run that times out is an error instead).
    pub records: u64,
    /// Keys and values.
    pub bytes: u64,
    /// From the first record to the last: the consume rate without connection and
    /// assignment set-up.
    pub elapsed: Duration,
    /// From the call to the last record, set-up included.
    pub total: Duration,
    /// CPU time of the whole process (user + system, librdkafka's threads included)
    /// over [`elapsed`](Self::elapsed).
    pub cpu: Duration,
}

impl ConsumeStats {
    /// The consume rate: [`records`](Self::records) over [`elapsed`](Self::elapsed),
    /// set-up excluded.
    pub fn records_per_second(&self) -> f64 {
        self.records as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Reads the first `count` records of `topic` with a bare librdkafka `BaseConsumer`
/// (all partitions assigned from the beginning, no group membership, nothing copied):
/// the baseline Sluice's consume path and pipelines are compared with. `properties` go
/// to librdkafka as they are — pass the ones the compared pipeline uses.
pub fn raw_consume(
    bootstrap_servers: &str,
    topic: &str,
    count: u64,
    timeout: Duration,
    properties: &BTreeMap<String, String>,
) -> Result<ConsumeStats> {
    let started = Instant::now();
    let context = |what: &str| format!("raw consume of {topic} on {bootstrap_servers}: {what}");
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
        .with_context(|| context("cannot create the consumer"))?;
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .with_context(|| context("no metadata"))?;
    let partitions = metadata
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .map_or(0, |t| t.partitions().len());
    let mut assignment = TopicPartitionList::new();
    for partition in 0..partitions as i32 {
        assignment
            .add_partition_offset(topic, partition, Offset::Beginning)
            .with_context(|| context("bad assignment"))?;
    }
    consumer
        .assign(&assignment)
        .with_context(|| context("cannot assign"))?;

    let deadline = started + timeout;
    let (mut records, mut bytes) = (0u64, 0u64);
    let mut first = None;
    let process_cpu = || cpu_time::ProcessTime::now().as_duration();
    let mut cpu_at_first = Duration::ZERO;
    while records < count {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            bail!(
                "raw consume of {topic} on {bootstrap_servers}: {records} of {count} records after {timeout:?}"
            );
        }
        match consumer.poll(remaining) {
            Some(Ok(message)) => {
                first.get_or_insert_with(|| {
                    cpu_at_first = process_cpu();
                    Instant::now()
                });
                records += 1;
                bytes += (message.key_len() + message.payload_len()) as u64;
            }
            Some(Err(error)) => return Err(error).with_context(|| context("consume failed")),
            None => {}
        }
    }
    let now = Instant::now();
    let cpu = process_cpu().saturating_sub(cpu_at_first);
    Ok(ConsumeStats {
        cpu,
        records,
        bytes,
        elapsed: first.map_or(Duration::ZERO, |first| now - first),
        total: now - started,
    })
}
