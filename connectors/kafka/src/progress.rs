//! Where a consumer group stands in a topic, read from outside the group: what `sluice
//! demo` checks at its end, and what tests compare with what they consumed.

use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{ClientConfig, TopicPartitionList};

use crate::{Error, Result};

/// A partition's committed offset for a group (None when the group never committed
/// one) and its high watermark (the offset the next record will get).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartitionProgress {
    /// The partition's number in the topic.
    pub partition: i32,
    /// The group's committed offset: the next offset it will read (the last processed
    /// record's offset + 1); `None` when the group never committed one.
    pub committed: Option<i64>,
    /// The offset the next record produced to the partition will get; the group has
    /// consumed everything when `committed == Some(high_watermark)`.
    pub high_watermark: i64,
}

/// Where `group` stands in every partition of `topic`, asked without joining the group.
pub fn group_progress(
    bootstrap_servers: &str,
    group: &str,
    topic: &str,
    timeout: Duration,
) -> Result<Vec<PartitionProgress>> {
    let error = |what: &'static str, source: rdkafka::error::KafkaError| Error::Progress {
        servers: bootstrap_servers.to_string(),
        group: group.to_string(),
        topic: topic.to_string(),
        what,
        source,
    };
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap_servers)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .map_err(|e| error("cannot create the consumer", e))?;
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .map_err(|e| error("no metadata", e))?;
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
        .map_err(|e| error("cannot read committed offsets", e))?;
    partitions
        .into_iter()
        .map(|partition| {
            let (_, high_watermark) = consumer
                .fetch_watermarks(topic, partition, timeout)
                .map_err(|e| error("cannot read watermarks", e))?;
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
