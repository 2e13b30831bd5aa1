//! Turning Sluice's settings into librdkafka configuration.
//!
//! The order is always: Sluice's defaults, then the settings' own fields, then the user's
//! `consumer.*` / `producer.*` properties (so a user can override any default) — verbatim
//! but for Kafka's Java security properties, which [`crate::security`] translates — then
//! the few properties Sluice's correctness depends on.

use std::collections::BTreeMap;

use rdkafka::ClientConfig;
use tracing::warn;

use crate::security::{self, SecurityError};

/// Consumer defaults. Like Kafka Connect's sink tasks, a group without committed offsets
/// starts from the beginning of each partition rather than only seeing new records.
const CONSUMER_DEFAULTS: &[(&str, &str)] = &[
    ("client.id", "sluice"),
    ("auto.offset.reset", "earliest"),
    ("enable.partition.eof", "false"),
    // librdkafka stops fetching for this long once its local queue is full (default
    // 1000 ms): a pipeline that drains the queue then sits idle, which capped the
    // end-to-end benchmark at ~145k records/s; 10 ms gave ~470k (docs/benchmarks.md).
    ("fetch.queue.backoff.ms", "10"),
    // librdkafka prefetches up to 64 MiB per consumer by default, most of a pipeline's
    // memory with large records; 16 MiB keeps the fetcher ahead of a pipeline at full
    // speed and brought the peak with 50 KB records from 157 to 100 MB
    // (docs/benchmarks.md).
    ("queued.max.messages.kbytes", "16384"),
    // With static membership (a `group.instance.id` per task, see `connect.rs`) a
    // member that stops or dies keeps its partitions for this long, waiting for the
    // same instance to come back: a restart within it resumes at once, without a
    // rebalance; another daemon takes over only after it. Kafka's own default.
    ("session.timeout.ms", "45000"),
];

/// Properties the source overrides whatever the user says.
///
/// * `enable.auto.commit=false`: offsets are committed only by [`KafkaSource::commit`],
///   after the sink acknowledged the batch. librdkafka's background auto-commit would
///   commit positions of records that were fetched but not yet written, and a crash
///   would then lose them.
/// * `enable.auto.offset.store=false`: the source commits explicit offsets, so the offset
///   store is unused; keeping it empty means nothing (auto-commit re-enabled by mistake,
///   a commit on close) can ever commit the position of an unacknowledged record.
///
/// [`KafkaSource::commit`]: crate::KafkaSource::commit
const CONSUMER_FORCED: &[(&str, &str)] = &[
    ("enable.auto.commit", "false"),
    ("enable.auto.offset.store", "false"),
];

/// Producer defaults: Kafka's Java producer's delivery timeout (librdkafka's default of
/// five minutes would block a dead letter queue write for that long when brokers are gone).
const PRODUCER_DEFAULTS: &[(&str, &str)] =
    &[("client.id", "sluice"), ("message.timeout.ms", "120000")];

pub(crate) fn consumer_config(
    bootstrap_servers: &str,
    group_id: &str,
    properties: &BTreeMap<String, String>,
) -> Result<ClientConfig, SecurityError> {
    let properties = &translated(properties, "consumer")?;
    let mut config = ClientConfig::new();
    for (key, value) in CONSUMER_DEFAULTS {
        config.set(*key, *value);
    }
    config.set("bootstrap.servers", bootstrap_servers);
    config.set("group.id", group_id);
    for (key, value) in properties {
        config.set(key, value);
    }
    for (key, value) in CONSUMER_FORCED {
        if let Some(user) = properties.get(*key)
            && user != value
        {
            warn!(
                property = key,
                "consumer.{key}={user} is ignored: Sluice commits offsets itself, after the \
                 sink has written a batch"
            );
        }
        config.set(*key, *value);
    }
    Ok(config)
}

pub(crate) fn producer_config(
    bootstrap_servers: &str,
    properties: &BTreeMap<String, String>,
) -> Result<ClientConfig, SecurityError> {
    let properties = &translated(properties, "producer")?;
    let mut config = ClientConfig::new();
    for (key, value) in PRODUCER_DEFAULTS {
        config.set(*key, *value);
    }
    config.set("bootstrap.servers", bootstrap_servers);
    for (key, value) in properties {
        config.set(key, value);
    }
    Ok(config)
}

/// `properties` with Java's security names translated; names the dropped ones.
fn translated(
    properties: &BTreeMap<String, String>,
    client: &str,
) -> Result<BTreeMap<String, String>, SecurityError> {
    let translated = security::translate(properties)?;
    if !translated.ignored.is_empty() {
        warn!(
            "{client} properties of Kafka's Java client that librdkafka has no use for (or \
             that security.protocol makes unused), ignored: {}",
            translated.ignored.join(", ")
        );
    }
    Ok(translated.properties)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_properties_override_defaults_but_not_forced_ones() {
        let properties = BTreeMap::from([
            ("auto.offset.reset".to_string(), "latest".to_string()),
            ("enable.auto.commit".to_string(), "true".to_string()),
            ("fetch.min.bytes".to_string(), "1000".to_string()),
        ]);
        let config = consumer_config("b:9092", "g", &properties).unwrap();
        assert_eq!(config.get("auto.offset.reset"), Some("latest"));
        assert_eq!(config.get("fetch.min.bytes"), Some("1000"));
        assert_eq!(config.get("enable.auto.commit"), Some("false"));
        assert_eq!(config.get("enable.auto.offset.store"), Some("false"));
        assert_eq!(config.get("bootstrap.servers"), Some("b:9092"));
        assert_eq!(config.get("group.id"), Some("g"));
    }

    #[test]
    fn producer_properties_are_verbatim() {
        let properties = BTreeMap::from([("linger.ms".to_string(), "50".to_string())]);
        let config = producer_config("b:9092", &properties).unwrap();
        assert_eq!(config.get("linger.ms"), Some("50"));
        assert_eq!(config.get("message.timeout.ms"), Some("120000"));
    }
}
