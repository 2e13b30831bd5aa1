//! Creating a topic Sluice writes to when it is missing: the dead letter queue, as
//! Kafka Connect's `DeadLetterQueueReporter` does (there with one partition; here
//! `errors.deadletterqueue.topic.partitions`).

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::error::RDKafkaErrorCode;

use crate::broker::block_on;
use crate::config::producer_config;
use crate::{Error, ProducerSettings, Result};

/// What [`ensure_topic`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ensured {
    /// The topic was created now.
    Created,
    /// It existed already (its partitions and replication are left as they are).
    Existed,
}

/// Creates `topic` with `partitions` and `replication` unless it exists, through the
/// producer's settings (so its TLS and SASL settings apply). The broker refusing the
/// topic for good (a replication factor above its broker count, a policy, no
/// permission) is [`Error::CreateTopic`] with `retriable: false`; `properties` names
/// the settings the partitions and the replication factor came from, for its message.
pub fn ensure_topic(
    settings: &ProducerSettings,
    topic: &str,
    (partitions, replication): (i32, i32),
    properties: (&str, &str),
    timeout: Duration,
) -> Result<Ensured> {
    ensure_topic_with(
        settings,
        topic,
        (partitions, replication),
        properties,
        &[],
        timeout,
    )
}

/// [`ensure_topic`] with topic configs for a topic it creates (`cleanup.policy`, …).
pub fn ensure_topic_with(
    settings: &ProducerSettings,
    topic: &str,
    (partitions, replication): (i32, i32),
    properties: (&str, &str),
    configs: &[(&str, &str)],
    timeout: Duration,
) -> Result<Ensured> {
    let servers = &settings.bootstrap_servers;
    let failed = |reason: String, retriable: bool| Error::CreateTopic {
        servers: servers.clone(),
        topic: topic.to_owned(),
        reason,
        retriable,
    };
    let mut config =
        producer_config(servers, &settings.properties).map_err(|source| Error::Security {
            client: "admin client",
            servers: servers.clone(),
            source,
        })?;
    // Asking for a missing topic's metadata must not create it with the broker's
    // defaults instead of ours.
    config.set("allow.auto.create.topics", "false");
    let admin: AdminClient<DefaultClientContext> =
        config.create().map_err(|source| Error::Create {
            client: "admin client",
            servers: servers.clone(),
            source,
        })?;
    // An existing topic is left alone; asking first also serves brokers (and
    // librdkafka's mock cluster) that do not take CreateTopics from this client.
    let metadata = admin
        .inner()
        .fetch_metadata(Some(topic), timeout)
        .map_err(|e| failed(e.to_string(), true))?;
    let exists = metadata
        .topics()
        .iter()
        .any(|t| t.name() == topic && t.error().is_none() && !t.partitions().is_empty());
    if exists {
        return Ok(Ensured::Existed);
    }
    let options = AdminOptions::new()
        .request_timeout(Some(timeout))
        .operation_timeout(Some(timeout));
    let mut new = NewTopic::new(topic, partitions, TopicReplication::Fixed(replication));
    for (key, value) in configs {
        new = new.set(key, value);
    }
    let results =
        block_on(admin.create_topics(&[new], &options)).map_err(|e| failed(e.to_string(), true))?;
    let Some(result) = results.into_iter().next() else {
        return Err(failed(
            "the broker gave no answer for the topic".into(),
            true,
        ));
    };
    match result {
        Ok(_) => {
            tracing::info!(topic, partitions, replication, "created the topic");
            Ok(Ensured::Created)
        }
        Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => Ok(Ensured::Existed),
        Err((_, code)) => {
            let retriable = !matches!(
                code,
                RDKafkaErrorCode::InvalidReplicationFactor
                    | RDKafkaErrorCode::InvalidPartitions
                    | RDKafkaErrorCode::InvalidTopic
                    | RDKafkaErrorCode::PolicyViolation
                    | RDKafkaErrorCode::TopicAuthorizationFailed
                    | RDKafkaErrorCode::ClusterAuthorizationFailed
                    | RDKafkaErrorCode::InvalidConfig
            );
            let hint = match code {
                RDKafkaErrorCode::InvalidReplicationFactor => format!(
                    "; {replication} is more than the cluster's brokers: lower {}",
                    properties.1
                ),
                RDKafkaErrorCode::InvalidPartitions => format!("; check {}", properties.0),
                _ => String::new(),
            };
            Err(failed(format!("{code}{hint}"), retriable))
        }
    }
}
