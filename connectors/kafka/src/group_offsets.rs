//! A consumer group's committed offsets read, set and removed from outside the group:
//! what the REST API's `/connectors/{name}/offsets` (KIP-875) does for a pipeline that
//! is stopped (no member of the group is running, so nothing commits over it).

use std::time::Duration;

use rdkafka::admin::{AdminClient, AdminOptions};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

use crate::broker::block_on;
use crate::config::consumer_config;
use crate::{Error, Result, SourceSettings, Topics};

/// How long one call to the cluster may take.
const TIMEOUT: Duration = Duration::from_secs(10);

/// One partition's committed offset: the next offset the group reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupOffset {
    /// The topic.
    pub topic: String,
    /// The partition's number.
    pub partition: i32,
    /// The next offset the group reads (the last one it processed + 1).
    pub offset: i64,
}

fn failed(
    settings: &SourceSettings,
    what: &'static str,
) -> impl Fn(rdkafka::error::KafkaError) -> Error {
    let group = settings.group_id.clone();
    let servers = settings.bootstrap_servers.clone();
    move |source| Error::GroupOffsets {
        servers: servers.clone(),
        group: group.clone(),
        what,
        source,
    }
}

fn client(settings: &SourceSettings) -> Result<ClientConfig> {
    consumer_config(
        &settings.bootstrap_servers,
        &settings.group_id,
        &settings.properties,
    )
    .map_err(|source| Error::Security {
        client: "consumer",
        servers: settings.bootstrap_servers.clone(),
        source,
    })
}

fn consumer(settings: &SourceSettings) -> Result<BaseConsumer> {
    client(settings)?.create().map_err(|source| Error::Create {
        client: "consumer",
        servers: settings.bootstrap_servers.clone(),
        source,
    })
}

/// Every partition of the subscribed topics (`topics.regex`: the topics that match now).
fn partitions(consumer: &BaseConsumer, settings: &SourceSettings) -> Result<TopicPartitionList> {
    let metadata = consumer
        .fetch_metadata(None, TIMEOUT)
        .map_err(failed(settings, "cannot read the cluster's metadata"))?;
    let wanted: Box<dyn Fn(&str) -> bool> = match &settings.topics {
        Topics::List(names) => Box::new(move |t| names.iter().any(|n| n == t)),
        Topics::Regex(pattern) => {
            let whole = regex::Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
                Error::Config(format!("`topics.regex` {pattern:?} does not compile: {e}"))
            })?;
            Box::new(move |t| whole.is_match(t))
        }
    };
    let mut list = TopicPartitionList::new();
    for topic in metadata.topics().iter().filter(|t| wanted(t.name())) {
        for p in topic.partitions() {
            list.add_partition(topic.name(), p.id());
        }
    }
    Ok(list)
}

/// The group's committed offsets in the subscribed topics, by topic and partition;
/// partitions it never committed are left out (as Kafka Connect lists them).
pub fn committed_offsets(settings: &SourceSettings) -> Result<Vec<GroupOffset>> {
    let consumer = consumer(settings)?;
    let list = partitions(&consumer, settings)?;
    let committed = consumer
        .committed_offsets(list, TIMEOUT)
        .map_err(failed(settings, "cannot read committed offsets"))?;
    let mut out: Vec<GroupOffset> = committed
        .elements()
        .iter()
        .filter_map(|e| {
            let offset = e.offset().to_raw().filter(|o| *o >= 0)?;
            Some(GroupOffset {
                topic: e.topic().to_owned(),
                partition: e.partition(),
                offset,
            })
        })
        .collect();
    out.sort_by(|a, b| (&a.topic, a.partition).cmp(&(&b.topic, b.partition)));
    Ok(out)
}

/// How far the group is behind in each partition of the subscribed topics: the high
/// watermark minus the committed offset (all of it when nothing was committed), as
/// Kafka's consumer-group tools report lag.
pub fn group_lag(settings: &SourceSettings) -> Result<Vec<(String, i32, i64)>> {
    let consumer = consumer(settings)?;
    let list = partitions(&consumer, settings)?;
    let committed = consumer
        .committed_offsets(list.clone(), TIMEOUT)
        .map_err(failed(settings, "cannot read committed offsets"))?;
    let mut out = Vec::new();
    for e in list.elements() {
        let (low, high) = consumer
            .fetch_watermarks(e.topic(), e.partition(), TIMEOUT)
            .map_err(failed(settings, "cannot read watermarks"))?;
        let at = committed
            .find_partition(e.topic(), e.partition())
            .and_then(|c| c.offset().to_raw())
            .filter(|o| *o >= 0)
            .unwrap_or(low);
        out.push((e.topic().to_owned(), e.partition(), (high - at).max(0)));
    }
    out.sort();
    Ok(out)
}

/// Commits `offsets` for the group (the next offset each partition is read from). Fails
/// while a member of the group is running: stop the pipeline first.
pub fn set_offsets(settings: &SourceSettings, offsets: &[GroupOffset]) -> Result<()> {
    let consumer = consumer(settings)?;
    let mut list = TopicPartitionList::new();
    for o in offsets {
        list.add_partition_offset(&o.topic, o.partition, Offset::Offset(o.offset))
            .map_err(failed(settings, "cannot list the offsets"))?;
    }
    consumer.commit(&list, CommitMode::Sync).map_err(|e| {
        let busy =
            e.rdkafka_error_code() == Some(rdkafka::types::RDKafkaErrorCode::UnknownMemberId);
        failed(
            settings,
            if busy {
                "the group still has members (a stopped pipeline's static members \
                 (`consumer.group.instance.id`) leave it only after \
                 `consumer.session.timeout.ms`, 45 s by default); try again then"
            } else {
                "cannot commit the offsets"
            },
        )(e)
    })
}

/// Deletes the group, and with it every committed offset: the pipeline then starts as
/// `consumer.auto.offset.reset` says. A group that does not exist is already reset.
pub fn delete_group(settings: &SourceSettings) -> Result<()> {
    let admin: AdminClient<DefaultClientContext> =
        client(settings)?.create().map_err(|source| Error::Create {
            client: "admin",
            servers: settings.bootstrap_servers.clone(),
            source,
        })?;
    let options = AdminOptions::new().operation_timeout(Some(TIMEOUT));
    let results = block_on(admin.delete_groups(&[&settings.group_id], &options))
        .map_err(failed(settings, "cannot delete the consumer group"))?;
    for result in results {
        match result {
            Ok(_) | Err((_, rdkafka::types::RDKafkaErrorCode::GroupIdNotFound)) => {}
            Err((_, code)) => {
                return Err(failed(settings, "cannot delete the consumer group")(
                    rdkafka::error::KafkaError::AdminOp(code),
                ));
            }
        }
    }
    Ok(())
}
