//! A source pipeline's positions in a compacted topic (`offsets.storage.topic`), as
//! Kafka Connect keeps source offsets, and in its format: the key is the JSON
//! `["<pipeline>",{"topic":"<topic>","partition":<p>}]` (the pipeline and the source's
//! partition), the value `{"offset":<n>}` (the last record stored), and a null value
//! deletes. The positions are the coordinates the source gave its records (a Kinetica
//! table's tracking value).
//!
//! The Kafka sink writes them after each batch, in the batch's transaction with
//! exactly-once ([`crate::KafkaSink`]); a restarted task reads them back, committed
//! transactions only.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::ClientContext;
use rdkafka::Message;
use rdkafka::consumer::{BaseConsumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaErrorCode;
use serde_json::{Value, json};
use sluice_connect::{Offsets, TopicPartition};

use crate::config::consumer_config;
use crate::follow::{Unassigned, assign_from_beginning};
use crate::{Error, Result};

/// The default `offsets.storage.topic`.
pub const DEFAULT_OFFSETS_TOPIC: &str = "sluice-offsets";

/// How long reading the stored positions may take before it counts as an outage.
const READ_TIMEOUT: Duration = Duration::from_secs(60);

/// The record key of `pipeline`'s position of `partition`.
pub fn offset_key(pipeline: &str, partition: &TopicPartition) -> Vec<u8> {
    let key = json!([pipeline, {"topic": &*partition.topic, "partition": partition.partition}]);
    key.to_string().into_bytes()
}

/// The record value of a position: the last record stored.
pub fn offset_value(offset: i64) -> Vec<u8> {
    json!({ "offset": offset }).to_string().into_bytes()
}

/// A stored record as `(partition, position)` when it is `pipeline`'s; a position of
/// `None` is a deletion.
fn parse(
    pipeline: &str,
    key: &[u8],
    value: Option<&[u8]>,
) -> Option<(TopicPartition, Option<i64>)> {
    let key: Value = serde_json::from_slice(key).ok()?;
    let [name, partition] = key.as_array()?.as_slice() else {
        return None;
    };
    if name.as_str()? != pipeline {
        return None;
    }
    let topic = partition.get("topic")?.as_str()?;
    let number = i32::try_from(partition.get("partition")?.as_i64()?).ok()?;
    let offset = match value {
        None => None,
        Some(v) => Some(
            serde_json::from_slice::<Value>(v)
                .ok()?
                .get("offset")?
                .as_i64()?,
        ),
    };
    Some((TopicPartition::new(topic, number), offset))
}

/// A consumer's context that does not log the end of a partition as an error
/// (rdkafka's default logs every error event, and reading to the end is the point).
struct EndsQuietly;

impl ClientContext for EndsQuietly {
    fn error(&self, error: KafkaError, reason: &str) {
        if error.rdkafka_error_code() != Some(RDKafkaErrorCode::PartitionEOF) {
            tracing::warn!("librdkafka: {error}: {reason}");
        }
    }
}

impl ConsumerContext for EndsQuietly {}

/// `pipeline`'s positions in `topic` (which must exist), from its committed records:
/// reads every partition from its beginning to its end. `properties` are consumer
/// properties (security).
pub fn read_positions(
    bootstrap_servers: &str,
    properties: &BTreeMap<String, String>,
    topic: &str,
    pipeline: &str,
) -> Result<Offsets> {
    let servers = bootstrap_servers.to_owned();
    let mut properties = properties.clone();
    // Only what committed transactions wrote; and an event at each partition's end.
    properties.insert("isolation.level".into(), "read_committed".into());
    properties.insert("enable.partition.eof".into(), "true".into());
    let group = format!("sluice-offsets-reader-{}", std::process::id());
    let config =
        consumer_config(&servers, &group, &properties).map_err(|source| Error::Security {
            client: "consumer",
            servers: servers.clone(),
            source,
        })?;
    let consumer: BaseConsumer<EndsQuietly> =
        config
            .create_with_context(EndsQuietly)
            .map_err(|source| Error::Create {
                client: "consumer",
                servers: servers.clone(),
                source,
            })?;
    let failed = |what: &'static str| {
        let servers = servers.clone();
        move |source| Error::Positions {
            servers: servers.clone(),
            topic: topic.to_owned(),
            what,
            source,
        }
    };
    let mut open = assign_from_beginning(&consumer, topic).map_err(|failure| match failure {
        Unassigned::NoPartitions => {
            Error::Config(format!("offsets.storage.topic {topic} has no partitions"))
        }
        Unassigned::Failed(what, source) => failed(what)(source),
    })?;
    let mut stored: BTreeMap<TopicPartition, i64> = BTreeMap::new();
    let deadline = Instant::now() + READ_TIMEOUT;
    while open > 0 {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return Err(failed("cannot read the topic to its end in time")(
                KafkaError::MessageConsumption(RDKafkaErrorCode::RequestTimedOut),
            ));
        };
        match consumer.poll(left) {
            None => {}
            Some(Err(KafkaError::PartitionEOF(_))) => open -= 1,
            Some(Err(e)) if !matches!(e.rdkafka_error_code(), Some(RDKafkaErrorCode::Fatal)) => {
                tracing::debug!(%topic, "reading the stored positions: {e}");
            }
            Some(Err(source)) => return Err(failed("cannot read the topic")(source)),
            Some(Ok(m)) => {
                let Some((partition, offset)) =
                    m.key().and_then(|k| parse(pipeline, k, m.payload()))
                else {
                    continue;
                };
                match offset {
                    Some(o) => stored.insert(partition, o),
                    None => stored.remove(&partition),
                };
            }
        }
    }
    let mut offsets = Offsets::new();
    for (partition, offset) in stored {
        offsets.track(&partition.topic, partition.partition, offset);
    }
    Ok(offsets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_values_are_kafka_connects_and_read_back() {
        let tp = TopicPartition::new("Tweets.t", 0);
        let key = offset_key("orders", &tp);
        assert_eq!(
            String::from_utf8(key.clone()).unwrap(),
            r#"["orders",{"topic":"Tweets.t","partition":0}]"#
        );
        let value = offset_value(42);
        assert_eq!(value, br#"{"offset":42}"#);
        assert_eq!(
            parse("orders", &key, Some(&value)),
            Some((tp.clone(), Some(42)))
        );
        assert_eq!(parse("orders", &key, None), Some((tp, None)), "a deletion");
        assert_eq!(
            parse("other", &key, Some(&value)),
            None,
            "another pipeline's"
        );
        assert_eq!(parse("orders", b"not json", Some(&value)), None);
    }
}
