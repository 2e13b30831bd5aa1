//! The declared properties of a pipeline itself (Kafka Connect's framework keys) and of
//! Sluice's per-component keys. Connectors and components declare their own.

use crate::def::{ConfigDef, Importance, PropertyDef, PropertyType, Validator};
use crate::value::ConfigValue;

use super::keys::{self, component};

const COMMON: &str = "Common";
const KAFKA: &str = "Kafka";
const BATCHING: &str = "Batching";
const CONVERTERS: &str = "Converters";
const TRANSFORMS: &str = "Transforms";
const ERRORS: &str = "Error Handling";
const SANDBOX: &str = "Sandbox";

/// `describe`'s component names for the definitions below.
pub const PIPELINE_COMPONENT: &str = "pipeline";
/// The component name of [`transform_def`].
pub const TRANSFORM_COMPONENT: &str = "transforms.<alias>";
/// The component name of [`predicate_def`].
pub const PREDICATE_COMPONENT: &str = "predicates.<alias>";

/// The keys every pipeline understands, whatever its connector.
pub fn pipeline_def() -> ConfigDef {
    use PropertyType::*;
    ConfigDef::new(
        PIPELINE_COMPONENT,
        vec![
            PropertyDef::new(keys::NAME, String, "Unique name of the pipeline. Used in logs, metrics, the REST API and the default consumer group.")
                .required().validator(NAME_CHECK).importance(Importance::High).group(COMMON).display("Pipeline Name"),
            PropertyDef::new(keys::CONNECTOR_CLASS, String, "The connector: a Sluice short name (e.g. `kinetica-sink`) or the Kafka Connect class it replaces (e.g. `com.kinetica.kafka.KineticaSinkConnector`).")
                .required().importance(Importance::High).group(COMMON).display("Connector Class"),
            PropertyDef::new(keys::TASKS_MAX, Int, "Maximum number of tasks (parallel consumers/writers) this daemon runs for the pipeline.")
                .default("1").validator(Validator::at_least(1.0)).importance(Importance::High).group(COMMON).display("Tasks Max"),
            PropertyDef::new(keys::TOPICS, List, "Topics to consume (sink connectors). Exactly one of `topics` and `topics.regex` must be set.")
                .default("").importance(Importance::High).group(COMMON).display("Topics"),
            PropertyDef::new(keys::TOPICS_REGEX, String, "Regular expression of topics to consume (sink connectors), instead of `topics`.")
                .default("").validator(REGEX_CHECK).importance(Importance::High).group(COMMON).display("Topics Regex"),
            PropertyDef::new(keys::GROUP_ID, String, "Kafka consumer group. Empty means `sluice-<name>`; daemons with the same group share the partitions.")
                .default("").importance(Importance::Medium).group(KAFKA).display("Consumer Group"),
            PropertyDef::new(keys::CONFIG_TOPIC, String, "Compacted Kafka topic through which the daemons running this pipeline (one consumer group) share hot swaps of its transforms: a swap made through any daemon's REST API runs on all within seconds, and a daemon that starts later picks up the current version. Created when missing. Empty: swaps stay on the daemon that made them.")
                .default("").importance(Importance::Low).group(KAFKA).display("Shared Configuration Topic"),
            PropertyDef::new(keys::OFFSETS_STORAGE_TOPIC, String, "Compacted Kafka topic where a source pipeline's positions are kept (one record per table, in Kafka Connect's format, keyed by the pipeline's name), written with each batch and read back when a task starts. Created when missing. Source connectors only.")
                .default("sluice-offsets").validator(Validator::NonEmpty).importance(Importance::Low).group(KAFKA).display("Offsets Storage Topic"),
            PropertyDef::new(keys::EXACTLY_ONCE_SOURCE_SUPPORT, Enum(&["disabled", "enabled"]), "`enabled`: each batch of a source pipeline and its positions are written in one Kafka transaction, so a restart neither loses nor repeats a record for consumers reading with `isolation.level=read_committed`. `disabled`: at least once, with an idempotent producer. Source connectors only.")
                .default("disabled").importance(Importance::Medium).group(KAFKA).display("Exactly-Once Source Support"),
            PropertyDef::new(keys::BOOTSTRAP_SERVERS, List, "Kafka brokers to bootstrap from, `host:port` list.")
                .default("localhost:9092").validator(Validator::NonEmpty).importance(Importance::High).group(KAFKA).display("Bootstrap Servers"),
            PropertyDef::new(keys::BATCH_MAX_RECORDS, Int, "Largest batch of records consumed, converted, transformed and written as one unit.")
                .default("1000").validator(Validator::between(1.0, 1_000_000.0)).importance(Importance::Medium).group(BATCHING).display("Batch Max Records"),
            PropertyDef::new(keys::BATCH_MAX_BYTES, Long, "Largest batch in bytes (keys and values as consumed, or rows as Kinetica sent them): a batch is processed once it holds this much, however few records, so that large records do not put `batch.max.records` of them in memory at once. A single larger record still makes a batch of its own.")
                .default("2097152").validator(Validator::between(1024.0, 2_147_483_647.0)).importance(Importance::Medium).group(BATCHING).display("Batch Max Bytes"),
            PropertyDef::new(keys::BATCH_MAX_WAIT_MS, Long, "Longest time to wait for a batch to fill before processing what has arrived, in ms.")
                .default("100").validator(Validator::between(0.0, 3_600_000.0)).importance(Importance::Medium).group(BATCHING).display("Batch Max Wait (ms)"),
            PropertyDef::new(keys::KEY_CONVERTER, String, "Converter for record keys (bytes ⇄ schema and value). Its settings are the `key.converter.*` group.")
                .default("json").validator(Validator::NonEmpty).importance(Importance::Low).group(CONVERTERS).display("Key Converter"),
            PropertyDef::new(keys::VALUE_CONVERTER, String, "Converter for record values. Its settings are the `value.converter.*` group.")
                .default("json").validator(Validator::NonEmpty).importance(Importance::Low).group(CONVERTERS).display("Value Converter"),
            PropertyDef::new(keys::HEADER_CONVERTER, String, "Converter for header values. Its settings are the `header.converter.*` group.")
                .default("simple").validator(Validator::NonEmpty).importance(Importance::Low).group(CONVERTERS).display("Header Converter"),
            PropertyDef::new(keys::FLATTENER, String, "A flattener component (a bundled name or a `.wasm` path) that turns nested keys and values into flat structs before a sink that writes rows (Kinetica) builds them. Its settings are the `flattener.*` group. Empty means none.")
                .default("").importance(Importance::Low).group(CONVERTERS).display("Flattener"),
            PropertyDef::new(keys::TRANSFORMS, List, "Aliases of the transforms to apply, in order. Each is configured by its `transforms.<alias>.*` group.")
                .default("").importance(Importance::Low).group(TRANSFORMS).display("Transforms"),
            PropertyDef::new(keys::PREDICATES, List, "Aliases of the predicates transforms may refer to. Each is configured by its `predicates.<alias>.*` group.")
                .default("").importance(Importance::Low).group(TRANSFORMS).display("Predicates"),
            PropertyDef::new(keys::ERRORS_TOLERANCE, Enum(&["none", "all"]), "`none`: a record that fails conversion or a transform stops the task. `all`: it is skipped (logged or sent to the dead letter queue).")
                .default("none").importance(Importance::Medium).group(ERRORS).display("Error Tolerance"),
            PropertyDef::new(keys::ERRORS_DLQ_TOPIC, String, "Topic that receives records skipped under `errors.tolerance=all` (sink connectors). Empty means no dead letter queue.")
                .default("").importance(Importance::Medium).group(ERRORS).display("Dead Letter Queue Topic Name"),
            PropertyDef::new(keys::ERRORS_DLQ_REPLICATION_FACTOR, Int, "Replication factor of the dead letter queue topic, which Sluice creates when it is missing (it must not exceed the cluster's broker count).")
                .default("3").validator(Validator::between(1.0, 32767.0)).importance(Importance::Medium).group(ERRORS).display("Dead Letter Queue Topic Replication Factor"),
            PropertyDef::new(keys::ERRORS_DLQ_PARTITIONS, Int, "Partitions of the dead letter queue topic if Sluice has to create it (Sluice's; Kafka Connect always creates one).")
                .default("1").validator(Validator::between(1.0, 1_000_000.0)).importance(Importance::Low).group(ERRORS).display("Dead Letter Queue Topic Partitions"),
            PropertyDef::new(keys::ERRORS_DLQ_CONTEXT_HEADERS, Boolean, "Add `__connect.errors.*` headers describing the failure to dead-lettered records.")
                .default("false").importance(Importance::Medium).group(ERRORS).display("Enable Error Context Headers"),
            PropertyDef::new(keys::ERRORS_LOG_ENABLE, Boolean, "Log each failed operation and the record's coordinates.")
                .default("false").importance(Importance::Medium).group(ERRORS).display("Log Errors"),
            PropertyDef::new(keys::ERRORS_LOG_INCLUDE_MESSAGES, Boolean, "Include the failed record's key and value in error logs (may expose data).")
                .default("false").importance(Importance::Medium).group(ERRORS).display("Log Error Details"),
            PropertyDef::new(keys::ERRORS_RETRY_TIMEOUT, Long, "How long to keep retrying, in ms; -1 retries forever. A batch that failed inside Sluice (a transform's timeout, trap or out-of-memory) is retried this long, and at least 3 times even with 0. An outage of Kinetica, the Kafka broker or the dead letter queue is waited out without limit unless this is set (see docs/runtime.md).")
                .default("0").validator(Validator::at_least(-1.0)).importance(Importance::Medium).group(ERRORS).display("Retry Timeout for Errors"),
            PropertyDef::new(keys::ERRORS_RETRY_DELAY_MAX_MS, Long, "Longest delay between two retries, in ms: back-off starts at 100 ms and doubles up to it, with full jitter (Kafka Connect's default is 60000).")
                .default("30000").validator(Validator::at_least(1.0)).importance(Importance::Medium).group(ERRORS).display("Maximum Delay Between Retries for Errors"),
        ],
    )
}

/// Sluice's keys inside each `transforms.<alias>.` group; the component gets the rest.
pub fn transform_def() -> ConfigDef {
    let mut properties = vec![
        type_property("The transform to run: a built-in name or a component reference."),
        PropertyDef::new(component::PREDICATE, PropertyType::String, "Alias (from `predicates`) of the predicate that decides which records this transform applies to. Empty: all records.")
            .default("").importance(Importance::Medium).group(TRANSFORMS).display("Predicate"),
        PropertyDef::new(component::NEGATE, PropertyType::Boolean, "Apply the transform to the records the predicate does not match.")
            .default("false").importance(Importance::Low).group(TRANSFORMS).display("Negate Predicate"),
    ];
    properties.extend(sandbox_properties());
    ConfigDef::new(TRANSFORM_COMPONENT, properties)
}

/// Sluice's keys inside each `predicates.<alias>.` group; the component gets the rest.
pub fn predicate_def() -> ConfigDef {
    let mut properties = vec![type_property(
        "The predicate to evaluate: a built-in name or a component reference.",
    )];
    properties.extend(sandbox_properties());
    ConfigDef::new(PREDICATE_COMPONENT, properties)
}

fn type_property(doc: &'static str) -> PropertyDef {
    PropertyDef::new(component::TYPE, PropertyType::String, doc)
        .required()
        .validator(Validator::NonEmpty)
        .importance(Importance::High)
        .group(TRANSFORMS)
        .display("Type")
}

/// Limits of the Wasm sandbox a component runs in. Their defaults are also
/// [`super::SandboxLimits::default`], for components without a group of their own.
pub(super) fn sandbox_properties() -> [PropertyDef; 2] {
    [
        PropertyDef::new(
            component::SANDBOX_MEMORY_MAX_BYTES,
            PropertyType::Long,
            "Most linear memory one instance may use, in bytes; growing beyond it fails the batch.",
        )
        .default("134217728")
        .validator(Validator::between(1_048_576.0, 4_294_967_296.0))
        .importance(Importance::Low)
        .group(SANDBOX)
        .display("Memory Limit (bytes)"),
        PropertyDef::new(
            component::SANDBOX_CPU_BUDGET_MS,
            PropertyType::Long,
            "Most time one batch may spend in the component, in ms; exceeding it fails the batch. It is wall-clock time, checked by the engine's epoch ticks, so time the host spends elsewhere while the guest runs counts too.",
        )
        .default("1000")
        .validator(Validator::between(1.0, 3_600_000.0))
        .importance(Importance::Low)
        .group(SANDBOX)
        .display("CPU Budget per Batch (ms)"),
    ]
}

const NAME_CHECK: Validator = Validator::Custom {
    description: "non-empty, without `/` or control characters",
    check: check_name,
};

/// Names appear in REST paths, group ids and metrics labels.
fn check_name(value: &ConfigValue) -> Result<(), String> {
    match value {
        ConfigValue::String(s) if s.is_empty() => Err("must not be empty".to_owned()),
        ConfigValue::String(s) if s.contains('/') || s.chars().any(char::is_control) => {
            Err("must not contain `/` or control characters".to_owned())
        }
        _ => Ok(()),
    }
}

const REGEX_CHECK: Validator = Validator::Custom {
    description: "a valid regular expression",
    check: check_regex,
};

fn check_regex(value: &ConfigValue) -> Result<(), String> {
    match value {
        // The regex crate's message quotes the pattern, and checks never quote values.
        ConfigValue::String(s) if !s.is_empty() => regex::Regex::new(s)
            .map(|_| ())
            .map_err(|_| "not a valid regular expression".to_owned()),
        _ => Ok(()),
    }
}
