//! Typed errors. Every error names the brokers it talked to and, where one is involved,
//! the group, topic or partition — never a record's key, value or headers.

use rdkafka::error::KafkaError as RdKafkaError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// librdkafka rejected a property (unknown name or invalid value) or the client could
    /// not be created.
    #[error("cannot create a Kafka {client} for {servers}: {source}")]
    Create {
        client: &'static str,
        servers: String,
        #[source]
        source: RdKafkaError,
    },

    #[error("consumer group `{group}` on {servers} cannot subscribe to {topics}: {source}")]
    Subscribe {
        servers: String,
        group: String,
        topics: String,
        #[source]
        source: RdKafkaError,
    },

    /// A fatal consumer error: the consumer cannot continue and must be recreated.
    #[error("consumer group `{group}` on {servers} failed: {source}")]
    Consume {
        servers: String,
        group: String,
        #[source]
        source: RdKafkaError,
    },

    #[error(
        "consumer group `{group}` on {servers} cannot commit offsets of {partitions}: {source}"
    )]
    Commit {
        servers: String,
        group: String,
        /// `topic-partition` of every partition in the failed commit.
        partitions: String,
        #[source]
        source: RdKafkaError,
    },

    /// A record could not be queued or was not acknowledged by the broker.
    #[error(
        "cannot deliver {failed} record(s) to {topic} (partition {partition}) on {servers}: {source}"
    )]
    Deliver {
        servers: String,
        topic: String,
        /// The partition of the first failed record, -1 when none had been chosen yet.
        partition: i32,
        failed: usize,
        #[source]
        source: RdKafkaError,
    },

    /// A group's committed offsets or a topic's watermarks could not be read
    /// ([`group_progress`](crate::group_progress)).
    #[error(
        "cannot read the progress of consumer group `{group}` in {topic} on {servers}: {what}: {source}"
    )]
    Progress {
        servers: String,
        group: String,
        topic: String,
        what: &'static str,
        #[source]
        source: RdKafkaError,
    },
}
