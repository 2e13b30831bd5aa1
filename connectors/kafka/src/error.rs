//! Typed errors. Every error names the brokers it talked to and, where one is involved,
//! the group, topic or partition — never a record's key, value or headers.

use rdkafka::error::KafkaError as RdKafkaError;

/// This crate's result: most operations fail with an [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong talking to Kafka: creating a client, joining a consumer group,
/// consuming, committing offsets, producing, or reading a group's progress. Each variant
/// keeps librdkafka's error as its `source`; the runtime classifies it (see
/// `docs/runtime.md`, "Errors: domain and retry hint").
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// librdkafka rejected a property (unknown name or invalid value) or the client could
    /// not be created.
    #[error("cannot create a Kafka {client} for {servers}: {source}")]
    Create {
        /// The kind of client: `consumer` or `producer`.
        client: &'static str,
        /// The `bootstrap.servers` the client was for.
        servers: String,
        /// librdkafka's reason.
        #[source]
        source: RdKafkaError,
    },

    /// A security property (Kafka's Java names: `ssl.truststore.location`,
    /// `sasl.jaas.config`, …) cannot be translated for librdkafka, or the broker refused
    /// the connection it configures (docs/security.md). Never quotes a value.
    #[error("cannot create a Kafka {client} for {servers}: {source}")]
    Security {
        /// The kind of client: `consumer` or `producer`.
        client: &'static str,
        /// The `bootstrap.servers` the client was for.
        servers: String,
        /// The property and what is wrong with it.
        #[source]
        source: crate::SecurityError,
    },

    /// The consumer could not subscribe to the pipeline's topics (or topic pattern).
    #[error("consumer group `{group}` on {servers} cannot subscribe to {topics}: {source}")]
    Subscribe {
        /// The `bootstrap.servers` of the consumer.
        servers: String,
        /// The consumer group (`group.id`).
        group: String,
        /// The subscription as given to librdkafka, comma-separated: topic names, or the
        /// `topics.regex` pattern anchored as `^(…)$`.
        topics: String,
        /// librdkafka's reason.
        #[source]
        source: RdKafkaError,
    },

    /// A fatal consumer error: the consumer cannot continue and must be recreated.
    #[error("consumer group `{group}` on {servers} failed: {source}")]
    Consume {
        /// The `bootstrap.servers` of the consumer.
        servers: String,
        /// The consumer group (`group.id`).
        group: String,
        /// librdkafka's fatal error.
        #[source]
        source: RdKafkaError,
    },

    /// Committing the group's offsets failed. Retriable: the runtime logs it and commits
    /// again with the next batch (docs/runtime.md, "Error policy").
    #[error(
        "consumer group `{group}` on {servers} cannot commit offsets of {partitions}: {source}"
    )]
    Commit {
        /// The `bootstrap.servers` of the consumer.
        servers: String,
        /// The consumer group (`group.id`) whose offsets were to be committed.
        group: String,
        /// `topic-partition` of every partition in the failed commit.
        partitions: String,
        /// librdkafka's reason.
        #[source]
        source: RdKafkaError,
    },

    /// A record could not be queued or was not acknowledged by the broker.
    #[error(
        "cannot deliver {failed} record(s) to {topic} (partition {partition}) on {servers}: {source}"
    )]
    Deliver {
        /// The `bootstrap.servers` of the producer.
        servers: String,
        /// The topic the records were for (e.g. the dead letter queue topic).
        topic: String,
        /// The partition of the first failed record, -1 when none had been chosen yet.
        partition: i32,
        /// How many records of the batch were not delivered.
        failed: usize,
        /// librdkafka's reason for the first failure.
        #[source]
        source: RdKafkaError,
    },

    /// A topic Sluice writes to (the dead letter queue) could not be created.
    #[error("cannot create topic {topic} on {servers}: {reason}")]
    CreateTopic {
        /// The `bootstrap.servers` asked.
        servers: String,
        /// The topic.
        topic: String,
        /// The broker's or librdkafka's reason.
        reason: String,
        /// Whether trying again may help (the broker was unreachable or busy), or the
        /// broker refused the topic for good.
        retriable: bool,
    },

    /// A group's committed offsets or a topic's watermarks could not be read
    /// ([`group_progress`](crate::group_progress)).
    #[error(
        "cannot read the progress of consumer group `{group}` in {topic} on {servers}: {what}: {source}"
    )]
    Progress {
        /// The `bootstrap.servers` asked.
        servers: String,
        /// The consumer group whose committed offsets were read.
        group: String,
        /// The topic whose partitions were read.
        topic: String,
        /// Which step failed, e.g. `cannot read watermarks`.
        what: &'static str,
        /// librdkafka's reason.
        #[source]
        source: RdKafkaError,
    },

    /// A group's committed offsets could not be read, set or deleted
    /// ([`committed_offsets`](crate::committed_offsets) and friends).
    #[error("consumer group `{group}` on {servers}: {what}: {source}")]
    GroupOffsets {
        /// The `bootstrap.servers` asked.
        servers: String,
        /// The consumer group.
        group: String,
        /// Which step failed.
        what: &'static str,
        /// librdkafka's reason.
        #[source]
        source: RdKafkaError,
    },

    /// A source pipeline's stored positions (`offsets.storage.topic`) could not be read.
    #[error(
        "cannot read the stored positions in offsets.storage.topic {topic} on {servers}: {what}: {source}"
    )]
    Positions {
        /// The `bootstrap.servers` asked.
        servers: String,
        /// The `offsets.storage.topic`.
        topic: String,
        /// Which step failed.
        what: &'static str,
        /// librdkafka's reason.
        #[source]
        source: RdKafkaError,
    },

    /// A step of a Kafka transaction (exactly-once) failed. `retriable` when librdkafka
    /// says the step may succeed if tried again; not when the transaction must be
    /// aborted, the producer was fenced (another task with the same `transactional.id`
    /// took over) or failed for good.
    #[error("transaction of `{transactional_id}` on {servers}: cannot {what}: {source}")]
    Transaction {
        /// The `bootstrap.servers` of the producer.
        servers: String,
        /// The producer's `transactional.id`.
        transactional_id: String,
        /// Which step failed: `begin`, `commit`, …
        what: &'static str,
        /// librdkafka's reason.
        #[source]
        source: RdKafkaError,
        /// Whether trying again may help.
        retriable: bool,
    },

    /// A setting that cannot work (a `topics.regex` that does not compile).
    #[error("{0}")]
    Config(String),
}
