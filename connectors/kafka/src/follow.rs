//! A topic read from its beginning and then followed, outside any consumer group: how a
//! daemon reads a compacted topic of shared state (`sluice.config.topic`) — everything
//! that is there when it starts, then what others write.

use std::collections::BTreeMap;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::{Message, Offset, TopicPartitionList};

use crate::config::consumer_config;
use crate::{Error, Result};

/// How long asking for the topic's partitions may take.
const METADATA_TIMEOUT: Duration = Duration::from_secs(10);

/// A record's key and value (either may be null).
pub type KeyValue = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Why [`assign_from_beginning`] assigned nothing.
pub(crate) enum Unassigned {
    /// The topic shows no partitions, even after [`METADATA_TIMEOUT`].
    NoPartitions,
    /// A step failed (which, and librdkafka's reason).
    Failed(&'static str, rdkafka::error::KafkaError),
}

/// Assigns every partition of `topic` to `consumer`, each from its beginning, outside
/// any group; returns how many. A topic created a moment ago may not show its
/// partitions yet: waits for them up to [`METADATA_TIMEOUT`].
pub(crate) fn assign_from_beginning<C: ConsumerContext>(
    consumer: &BaseConsumer<C>,
    topic: &str,
) -> std::result::Result<usize, Unassigned> {
    let deadline = std::time::Instant::now() + METADATA_TIMEOUT;
    let mut list = TopicPartitionList::new();
    while list.count() == 0 {
        let metadata = consumer
            .fetch_metadata(Some(topic), METADATA_TIMEOUT)
            .map_err(|e| Unassigned::Failed("cannot read the topic's metadata", e))?;
        for t in metadata.topics().iter().filter(|t| t.name() == topic) {
            for p in t.partitions() {
                list.add_partition_offset(topic, p.id(), Offset::Beginning)
                    .map_err(|e| Unassigned::Failed("cannot list the partitions", e))?;
            }
        }
        if list.count() == 0 {
            if std::time::Instant::now() > deadline {
                return Err(Unassigned::NoPartitions);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    consumer
        .assign(&list)
        .map_err(|e| Unassigned::Failed("cannot read the topic", e))?;
    Ok(list.count())
}

/// Every record of one topic, oldest first per partition, then new ones as they come.
pub struct TopicFollower {
    consumer: BaseConsumer,
    servers: String,
}

impl TopicFollower {
    /// Starts at the beginning of every partition of `topic` (which must exist).
    /// `properties` are consumer properties (security); no group is joined and no
    /// offset is committed.
    pub fn new(
        bootstrap_servers: &str,
        properties: &BTreeMap<String, String>,
        topic: &str,
    ) -> Result<TopicFollower> {
        let servers = bootstrap_servers.to_owned();
        // A group id librdkafka needs to start a consumer; it is never used to commit.
        let group = format!("sluice-follow-{}", std::process::id());
        let config =
            consumer_config(&servers, &group, properties).map_err(|source| Error::Security {
                client: "consumer",
                servers: servers.clone(),
                source,
            })?;
        let consumer: BaseConsumer = config.create().map_err(|source| Error::Create {
            client: "consumer",
            servers: servers.clone(),
            source,
        })?;
        assign_from_beginning(&consumer, topic).map_err(|failure| match failure {
            Unassigned::NoPartitions => Error::Config(format!("topic {topic} has no partitions")),
            Unassigned::Failed(what, source) => Error::GroupOffsets {
                servers: servers.clone(),
                group: format!("(none: following {topic})"),
                what,
                source,
            },
        })?;
        Ok(TopicFollower { consumer, servers })
    }

    /// The next record's key and value, waiting up to `timeout`; `None` when there is
    /// none yet.
    pub fn poll(&mut self, timeout: Duration) -> Result<Option<KeyValue>> {
        match self.consumer.poll(timeout) {
            None => Ok(None),
            Some(Ok(m)) => Ok(Some((
                m.key().map(<[u8]>::to_vec),
                m.payload().map(<[u8]>::to_vec),
            ))),
            // Transient fetch errors (a broker moving) are librdkafka's to retry.
            Some(Err(e))
                if e.rdkafka_error_code()
                    .is_some_and(|c| !matches!(c, rdkafka::types::RDKafkaErrorCode::Fatal)) =>
            {
                tracing::debug!(servers = %self.servers, "following a topic: {e}");
                Ok(None)
            }
            Some(Err(source)) => Err(Error::Consume {
                servers: self.servers.clone(),
                group: "(none)".to_owned(),
                source,
            }),
        }
    }
}
