//! The names of the pipeline's own keys, so code never spells them twice.

/// `name`: unique name of the pipeline, used in logs, metrics and the default consumer group.
pub const NAME: &str = "name";
/// `connector.class`: the connector, by Sluice short name or Kafka Connect class name.
pub const CONNECTOR_CLASS: &str = "connector.class";
/// The compacted topic through which daemons running one pipeline share hot swaps.
pub const CONFIG_TOPIC: &str = "sluice.config.topic";
/// `offsets.storage.topic`: the compacted topic where a source pipeline's positions are
/// kept (Kafka Connect's connector-level key of KIP-618).
pub const OFFSETS_STORAGE_TOPIC: &str = "offsets.storage.topic";
/// `exactly.once.source.support`: `enabled` writes a source pipeline's records and
/// positions in one Kafka transaction per batch (Kafka Connect's worker key of KIP-618).
pub const EXACTLY_ONCE_SOURCE_SUPPORT: &str = "exactly.once.source.support";
/// `tasks.max`: maximum number of tasks the daemon runs for the pipeline (default 1).
pub const TASKS_MAX: &str = "tasks.max";
/// `topics`: the topics a sink consumes.
pub const TOPICS: &str = "topics";
/// `topics.regex`: a regular expression of the topics a sink consumes, instead of `topics`.
pub const TOPICS_REGEX: &str = "topics.regex";
/// `group.id`: the Kafka consumer group (default `sluice-<name>`).
pub const GROUP_ID: &str = "group.id";
/// `bootstrap.servers`: the Kafka brokers, a `host:port` list.
pub const BOOTSTRAP_SERVERS: &str = "bootstrap.servers";
/// `batch.max.records`: the largest batch processed as one unit (default 1000).
pub const BATCH_MAX_RECORDS: &str = "batch.max.records";
/// `batch.max.bytes`: a batch's largest size, keys and values as they arrive (default
/// 2 MiB).
pub const BATCH_MAX_BYTES: &str = "batch.max.bytes";
/// `batch.max.wait.ms`: how long to wait for a batch to fill, in ms (default 100).
pub const BATCH_MAX_WAIT_MS: &str = "batch.max.wait.ms";
/// `key.converter`: the converter of record keys (default `json`).
pub const KEY_CONVERTER: &str = "key.converter";
/// `value.converter`: the converter of record values (default `json`).
pub const VALUE_CONVERTER: &str = "value.converter";
/// `header.converter`: the converter of header values (default `simple`).
pub const HEADER_CONVERTER: &str = "header.converter";
/// `flattener`: the component that flattens nested data before a row-writing sink.
pub const FLATTENER: &str = "flattener";
/// `transforms`: the aliases of the transform chain, in order.
pub const TRANSFORMS: &str = "transforms";
/// `predicates`: the aliases of the predicates transforms may refer to.
pub const PREDICATES: &str = "predicates";
/// `errors.tolerance`: `none` (a failed record stops the task) or `all` (it is skipped).
pub const ERRORS_TOLERANCE: &str = "errors.tolerance";
/// `errors.deadletterqueue.topic.name`: the dead letter queue topic; empty for none.
pub const ERRORS_DLQ_TOPIC: &str = "errors.deadletterqueue.topic.name";
/// `errors.deadletterqueue.topic.replication.factor` (default 3).
pub const ERRORS_DLQ_REPLICATION_FACTOR: &str = "errors.deadletterqueue.topic.replication.factor";
/// `errors.deadletterqueue.topic.partitions` (Sluice's; default 1, as Kafka Connect
/// creates it).
pub const ERRORS_DLQ_PARTITIONS: &str = "errors.deadletterqueue.topic.partitions";
/// `errors.deadletterqueue.context.headers.enable`: add `__connect.errors.*` headers.
pub const ERRORS_DLQ_CONTEXT_HEADERS: &str = "errors.deadletterqueue.context.headers.enable";
/// `errors.log.enable`: log each failed operation.
pub const ERRORS_LOG_ENABLE: &str = "errors.log.enable";
/// `errors.log.include.messages`: include keys and values in error logs.
pub const ERRORS_LOG_INCLUDE_MESSAGES: &str = "errors.log.include.messages";
/// `errors.retry.timeout`: how long to retry a failed batch, in ms; -1 forever (default 0;
/// outages of external systems are waited out without limit unless it is set).
pub const ERRORS_RETRY_TIMEOUT: &str = "errors.retry.timeout";
/// `errors.retry.delay.max.ms`: the longest delay between retries (default 30000).
pub const ERRORS_RETRY_DELAY_MAX_MS: &str = "errors.retry.delay.max.ms";

/// Prefix of the `consumer.*` properties passed to librdkafka (a sink's consumer).
pub const CONSUMER: &str = "consumer";
/// Prefix of the `producer.*` properties passed to librdkafka (a source's producer, a sink's
/// dead letter queue).
pub const PRODUCER: &str = "producer";

/// Keys that are both a value and the prefix of a group; in nested YAML their own value
/// is written under `type` (see [`crate::raw::SELF_VALUE_KEY`]).
pub const VALUED_KEYS: &[&str] = &[KEY_CONVERTER, VALUE_CONVERTER, HEADER_CONVERTER, FLATTENER];

/// Sluice's own keys inside a `transforms.<alias>.` or `predicates.<alias>.` group.
pub mod component {
    /// `type`: which transform or predicate to run.
    pub const TYPE: &str = "type";
    /// `predicate`: alias of the predicate that selects the records a transform applies to.
    pub const PREDICATE: &str = "predicate";
    /// `negate`: apply the transform to the records the predicate does not match.
    pub const NEGATE: &str = "negate";
    /// Everything under this prefix is Sluice's (sandbox limits), never the component's.
    pub const SANDBOX_PREFIX: &str = "sandbox.";
    /// `sandbox.memory.max.bytes`: the instance's memory limit, in bytes (default 128 MiB).
    pub const SANDBOX_MEMORY_MAX_BYTES: &str = "sandbox.memory.max.bytes";
    /// `sandbox.cpu.budget.ms`: the time one batch may spend in the component, in ms (default 1000).
    pub const SANDBOX_CPU_BUDGET_MS: &str = "sandbox.cpu.budget.ms";
}
