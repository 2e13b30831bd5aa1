//! The names of the pipeline's own keys, so code never spells them twice.

pub const NAME: &str = "name";
pub const CONNECTOR_CLASS: &str = "connector.class";
pub const TASKS_MAX: &str = "tasks.max";
pub const TOPICS: &str = "topics";
pub const TOPICS_REGEX: &str = "topics.regex";
pub const GROUP_ID: &str = "group.id";
pub const BOOTSTRAP_SERVERS: &str = "bootstrap.servers";
pub const BATCH_MAX_RECORDS: &str = "batch.max.records";
pub const BATCH_MAX_WAIT_MS: &str = "batch.max.wait.ms";
pub const KEY_CONVERTER: &str = "key.converter";
pub const VALUE_CONVERTER: &str = "value.converter";
pub const HEADER_CONVERTER: &str = "header.converter";
pub const FLATTENER: &str = "flattener";
pub const TRANSFORMS: &str = "transforms";
pub const PREDICATES: &str = "predicates";
pub const ERRORS_TOLERANCE: &str = "errors.tolerance";
pub const ERRORS_DLQ_TOPIC: &str = "errors.deadletterqueue.topic.name";
pub const ERRORS_DLQ_REPLICATION_FACTOR: &str = "errors.deadletterqueue.topic.replication.factor";
pub const ERRORS_DLQ_CONTEXT_HEADERS: &str = "errors.deadletterqueue.context.headers.enable";
pub const ERRORS_LOG_ENABLE: &str = "errors.log.enable";
pub const ERRORS_LOG_INCLUDE_MESSAGES: &str = "errors.log.include.messages";
pub const ERRORS_RETRY_TIMEOUT: &str = "errors.retry.timeout";
pub const ERRORS_RETRY_DELAY_MAX_MS: &str = "errors.retry.delay.max.ms";

/// Prefixes of the client property maps passed to librdkafka.
pub const CONSUMER: &str = "consumer";
pub const PRODUCER: &str = "producer";

/// Keys that are both a value and the prefix of a group; in nested YAML their own value
/// is written under `type` (see [`crate::raw::SELF_VALUE_KEY`]).
pub const VALUED_KEYS: &[&str] = &[KEY_CONVERTER, VALUE_CONVERTER, HEADER_CONVERTER, FLATTENER];

/// Sluice's own keys inside a `transforms.<alias>.` or `predicates.<alias>.` group.
pub mod component {
    pub const TYPE: &str = "type";
    pub const PREDICATE: &str = "predicate";
    pub const NEGATE: &str = "negate";
    /// Everything under this prefix is Sluice's (sandbox limits), never the component's.
    pub const SANDBOX_PREFIX: &str = "sandbox.";
    pub const SANDBOX_MEMORY_MAX_BYTES: &str = "sandbox.memory.max.bytes";
    pub const SANDBOX_CPU_BUDGET_MS: &str = "sandbox.cpu.budget.ms";
}
