//! A pipeline: one connector, its Kafka side, converters, transform chain and error
//! policy, written in Kafka Connect's grammar (see `docs/configuration.md`).
//!
//! [`load`] reads a file and checks everything that can be checked without loading
//! components; [`PipelineConfig::validate_group`] checks a component's group once the
//! component has described its properties.

mod chain;
mod clients;
mod error_policy;
mod framework;
pub mod keys;

use std::path::Path;
use std::time::Duration;

use crate::connector::{ConnectorKind, ConnectorSpec};
use crate::def::ConfigDef;
use crate::group::Group;
use crate::load::load_raw;
use crate::origin::Origin;
use crate::parsed::ParsedConfig;
use crate::problem::{Checked, Problems};
use crate::raw::RawProperties;
use crate::suggest::did_you_mean;
use crate::validate::{Options, validate_partial};

pub use chain::{PredicateConfig, SandboxLimits, TransformConfig};
pub use clients::ClientProperties;
pub use error_policy::{DeadLetterQueue, ErrorPolicy, ErrorTolerance};
pub use framework::{
    PIPELINE_COMPONENT, PREDICATE_COMPONENT, TRANSFORM_COMPONENT, pipeline_def, predicate_def,
    transform_def,
};

/// Which topics a sink consumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// `topics`: the listed topics.
    Topics(Vec<String>),
    /// `topics.regex`, checked to compile.
    Pattern(String),
}

/// A component named by a valued key and configured by its group: a converter and
/// its `<kind>.converter.*` group, or the flattener and `flattener.*`.
#[derive(Debug, Clone)]
pub struct ConverterConfig {
    /// The converter's name as written (e.g. `json`, `avro`).
    pub type_name: String,
    /// The component's own configuration, prefix removed.
    pub props: Group,
}

/// The connector a pipeline runs, with its own validated properties.
#[derive(Debug, Clone)]
pub struct ConnectorConfig {
    /// The connector's Sluice name (`kinetica-sink`), whatever `connector.class` said.
    pub name: &'static str,
    /// Whether it is a sink or a source.
    pub kind: ConnectorKind,
    /// The connector's properties, deprecated aliases resolved.
    pub config: ParsedConfig,
}

/// How records are grouped into batches: a batch is processed once it is full (by records
/// or by bytes) or its wait is over, whichever comes first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchLimits {
    /// `batch.max.records` (default 1000).
    pub max_records: usize,
    /// `batch.max.bytes` (default 2 MiB).
    pub max_bytes: usize,
    /// `batch.max.wait.ms` (default 100 ms).
    pub max_wait: Duration,
}

/// A validated pipeline. `Debug` is safe to log: passwords and raw values are hidden.
#[derive(Debug, Clone)]
pub struct PipelineConfig {
    /// `name`: the pipeline's unique name.
    pub name: String,
    /// The file it was read from.
    pub source: Origin,
    /// The connector and its validated properties.
    pub connector: ConnectorConfig,
    /// `tasks.max` (default 1).
    pub tasks_max: u32,
    /// `None` for source connectors.
    pub subscription: Option<Subscription>,
    /// `group.id`, or `sluice-<name>` when not set.
    pub group_id: String,
    /// `bootstrap.servers` (default `localhost:9092`).
    pub bootstrap_servers: Vec<String>,
    /// `batch.max.records` and `batch.max.wait.ms`.
    pub batch: BatchLimits,
    /// `key.converter` (default `json`) and its `key.converter.*` group.
    pub key_converter: ConverterConfig,
    /// `value.converter` (default `json`) and its `value.converter.*` group.
    pub value_converter: ConverterConfig,
    /// `header.converter` (default `simple`) and its `header.converter.*` group.
    pub header_converter: ConverterConfig,
    /// `flattener` and its `flattener.*` group, when set.
    pub flattener: Option<ConverterConfig>,
    /// In the order of `transforms`.
    pub transforms: Vec<TransformConfig>,
    /// In the order of `predicates`.
    pub predicates: Vec<PredicateConfig>,
    /// The `errors.*` options.
    pub errors: ErrorPolicy,
    /// `consumer.*` for librdkafka, prefix removed.
    pub consumer: ClientProperties,
    /// `producer.*` for librdkafka, prefix removed.
    pub producer: ClientProperties,
    /// Every pipeline-level value, for anything the fields above do not cover.
    pub framework: ParsedConfig,
}

/// Reads and validates the pipeline in `path` (`.yaml`, `.yml` or `.properties`).
/// `connectors` are the connectors this daemon has; `connector.class` must name one.
pub fn load(path: &Path, connectors: &[ConnectorSpec]) -> Checked<PipelineConfig> {
    let (raw, mut problems) = load_raw(path, keys::VALUED_KEYS);
    let Some(raw) = raw else {
        return Checked::new(None, problems);
    };
    // The same list, so that a key that already failed to load is not reported again.
    let value = parse(&raw, connectors, &mut problems);
    Checked::new(value, problems)
}

/// Adds the pipeline's problems to `problems`; `None` if there is any error in it.
fn parse(
    raw: &RawProperties,
    connectors: &[ConnectorSpec],
    problems: &mut Problems,
) -> Option<PipelineConfig> {
    let value = Parser {
        raw,
        connectors,
        problems,
    }
    .parse();
    if let Some(name) = raw.get(keys::NAME) {
        problems.set_pipeline(&name.value.joined());
    }
    value
}

impl PipelineConfig {
    /// Validates already-loaded properties (providers resolved).
    pub fn from_raw(raw: &RawProperties, connectors: &[ConnectorSpec]) -> Checked<PipelineConfig> {
        let mut problems = Problems::new();
        let value = parse(raw, connectors, &mut problems);
        Checked::new(value, problems)
    }

    /// Validates a component's group (e.g. `transforms.mask.*`) against the definition
    /// the component described when it was loaded.
    pub fn validate_group(&self, group: &Group, def: &ConfigDef) -> Checked<ParsedConfig> {
        let mut checked = group.validate(def);
        checked.problems.set_pipeline(&self.name);
        checked
    }
}

/// Group prefixes of the grammar; keys under them are not the connector's.
const GROUP_HEADS: &[&str] = &[
    keys::TRANSFORMS,
    keys::PREDICATES,
    keys::KEY_CONVERTER,
    keys::VALUE_CONVERTER,
    keys::HEADER_CONVERTER,
    keys::FLATTENER,
    keys::CONSUMER,
    keys::PRODUCER,
];

fn in_group(key: &str) -> bool {
    GROUP_HEADS
        .iter()
        .any(|h| key.strip_prefix(h).is_some_and(|r| r.starts_with('.')))
}

struct Parser<'a> {
    raw: &'a RawProperties,
    connectors: &'a [ConnectorSpec],
    problems: &'a mut Problems,
}

impl<'a> Parser<'a> {
    fn parse(mut self) -> Option<PipelineConfig> {
        let fw_def = pipeline_def();
        let fw_props = self.raw.filter(|k| fw_def.get(k).is_some());
        let (fw, fw_ok) = validate_partial(&fw_def, &fw_props, Options::default(), self.problems);

        let spec = self.connector_spec(&fw);
        let connector = self.connector(spec, &fw_def, &fw, fw_ok);
        let kind = spec.map(|s| s.kind);
        let subscription = self.subscription(&fw, kind);
        self.check_dead_letter_queue(&fw, kind);

        let list = |key| fw.try_list(key).unwrap_or_default().to_vec();
        let predicate_aliases = list(keys::PREDICATES);
        let transforms = chain::transforms(
            self.raw,
            &list(keys::TRANSFORMS),
            &predicate_aliases,
            self.problems,
        );
        let predicates = chain::predicates(self.raw, &predicate_aliases, self.problems);
        self.warn_unused_predicates(&transforms, &predicates);
        let consumer = clients::collect(self.raw, keys::CONSUMER, self.problems);
        let producer = clients::collect(self.raw, keys::PRODUCER, self.problems);

        if !fw_ok || self.problems.has_errors() {
            return None;
        }
        let name = fw.string(keys::NAME).to_owned();
        let group_id = match fw.string(keys::GROUP_ID) {
            "" => format!("sluice-{name}"),
            id => id.to_owned(),
        };
        Some(PipelineConfig {
            source: self.raw.source().clone(),
            connector: connector?,
            tasks_max: u32::try_from(fw.int(keys::TASKS_MAX)).ok()?,
            subscription,
            group_id,
            bootstrap_servers: fw.list(keys::BOOTSTRAP_SERVERS).to_vec(),
            batch: BatchLimits {
                max_records: usize::try_from(fw.int(keys::BATCH_MAX_RECORDS)).ok()?,
                max_bytes: usize::try_from(fw.long(keys::BATCH_MAX_BYTES)).ok()?,
                max_wait: Duration::from_millis(fw.long(keys::BATCH_MAX_WAIT_MS).unsigned_abs()),
            },
            key_converter: self.converter(&fw, keys::KEY_CONVERTER),
            value_converter: self.converter(&fw, keys::VALUE_CONVERTER),
            header_converter: self.converter(&fw, keys::HEADER_CONVERTER),
            flattener: Some(self.converter(&fw, keys::FLATTENER))
                .filter(|f| !f.type_name.trim().is_empty()),
            transforms,
            predicates,
            errors: ErrorPolicy::from_config(&fw),
            consumer,
            producer,
            name,
            framework: fw,
        })
    }

    /// Where a problem is: the given origin, else the file.
    fn at(&self, origin: Option<&Origin>) -> Origin {
        origin.cloned().unwrap_or_else(|| self.raw.source().clone())
    }

    /// The connector `connector.class` names, or a problem saying which ones exist.
    fn connector_spec(&mut self, fw: &ParsedConfig) -> Option<&'a ConnectorSpec> {
        let class = fw.try_string(keys::CONNECTOR_CLASS)?;
        let connectors = self.connectors;
        if let Some(spec) = connectors.iter().find(|c| c.matches(class)) {
            return Some(spec);
        }
        let names: Vec<&str> = self
            .connectors
            .iter()
            .flat_map(ConnectorSpec::all_names)
            .collect();
        let hint = did_you_mean(class, names.iter().copied());
        let known: Vec<&str> = self.connectors.iter().map(|c| c.name).collect();
        let origin = self.at(fw.origin(keys::CONNECTOR_CLASS));
        let message = format!(
            "unknown connector `{class}` (known: {}){hint}",
            known.join(", ")
        );
        self.problems
            .error(&origin, Some(keys::CONNECTOR_CLASS), message);
        None
    }

    /// Validates every key that is neither the pipeline's nor in a group against the
    /// connector's definition, then the connector's cross-property checks. Without a
    /// known connector, only keys that look like misspelt pipeline keys are reported.
    fn connector(
        &mut self,
        spec: Option<&ConnectorSpec>,
        fw_def: &ConfigDef,
        fw: &ParsedConfig,
        fw_ok: bool,
    ) -> Option<ConnectorConfig> {
        let props = self.raw.filter(|k| fw_def.get(k).is_none() && !in_group(k));
        let fixes = group_head_fixes(props.keys());
        let mut other: Vec<&str> = fw_def.names().collect();
        other.extend(fixes.iter().map(String::as_str));
        let Some(spec) = spec else {
            for (key, entry) in props.iter() {
                if let Some(s) = crate::suggest::suggest(key, other.iter().copied()) {
                    let message = format!("unknown property; did you mean `{s}`?");
                    self.problems.error(&entry.origin, Some(key), message);
                }
            }
            return None;
        };
        let def = (spec.config_def)();
        let options = Options {
            prefix: "",
            other_names: &other,
        };
        let (config, ok) = validate_partial(&def, &props, options, self.problems);
        if !(ok && fw_ok) {
            return None;
        }
        for issue in (spec.check)(&config, fw) {
            let origin = self.at(config
                .origin(issue.property)
                .or_else(|| fw.origin(issue.property)));
            self.problems
                .error(&origin, Some(issue.property), issue.message);
        }
        Some(ConnectorConfig {
            name: spec.name,
            kind: spec.kind,
            config,
        })
    }

    /// Exactly one of `topics` / `topics.regex` for a sink; neither for a source.
    fn subscription(
        &mut self,
        fw: &ParsedConfig,
        kind: Option<ConnectorKind>,
    ) -> Option<Subscription> {
        let topics = fw.try_list(keys::TOPICS).unwrap_or_default();
        let regex = fw.try_string(keys::TOPICS_REGEX).unwrap_or_default();
        let bad_regex = self.problems.has_error_for(keys::TOPICS_REGEX);
        if !topics.is_empty() && !regex.is_empty() {
            let message = "`topics` and `topics.regex` are mutually exclusive: set only one";
            let origin = self.at(fw.origin(keys::TOPICS_REGEX));
            self.problems
                .error(&origin, Some(keys::TOPICS_REGEX), message);
            return None;
        }
        match kind? {
            ConnectorKind::Source => {
                for key in [keys::TOPICS, keys::TOPICS_REGEX]
                    .into_iter()
                    .filter(|k| fw.is_set(k))
                {
                    let message = "only sink connectors consume topics; a source connector's topics are its own settings";
                    let origin = self.at(fw.origin(key));
                    self.problems.error(&origin, Some(key), message);
                }
                None
            }
            ConnectorKind::Sink if !topics.is_empty() => {
                Some(Subscription::Topics(topics.to_vec()))
            }
            ConnectorKind::Sink if !regex.is_empty() => {
                Some(Subscription::Pattern(regex.to_owned()))
            }
            ConnectorKind::Sink => {
                if !bad_regex {
                    let message = "a sink needs the topics to consume: set `topics` (a list) or `topics.regex` (a pattern)";
                    self.problems
                        .error(self.raw.source(), Some(keys::TOPICS), message);
                }
                None
            }
        }
    }

    /// Kafka Connect's rules: a dead letter queue only for sinks, never one of the
    /// consumed topics, and useless (so a warning) unless errors are tolerated.
    fn check_dead_letter_queue(&mut self, fw: &ParsedConfig, kind: Option<ConnectorKind>) {
        let key = keys::ERRORS_DLQ_TOPIC;
        let Some(topic) = fw.try_string(key).filter(|t| !t.is_empty()) else {
            return;
        };
        let origin = self.at(fw.origin(key));
        if kind == Some(ConnectorKind::Source) {
            self.problems.error(
                &origin,
                Some(key),
                "a dead letter queue is only for sink connectors",
            );
        }
        if fw
            .try_list(keys::TOPICS)
            .unwrap_or_default()
            .iter()
            .any(|t| t == topic)
        {
            self.problems.error(
                &origin,
                Some(key),
                "the dead letter queue must not be one of `topics`",
            );
        }
        if fw.try_string(keys::ERRORS_TOLERANCE) == Some("none") {
            let message = "has no effect unless `errors.tolerance` is `all`";
            self.problems.warning(&origin, Some(key), message);
        }
    }

    fn warn_unused_predicates(
        &mut self,
        transforms: &[TransformConfig],
        predicates: &[PredicateConfig],
    ) {
        for p in predicates {
            if !transforms
                .iter()
                .any(|t| t.predicate.as_deref() == Some(p.alias.as_str()))
            {
                let origin = self
                    .raw
                    .get(keys::PREDICATES)
                    .map_or_else(|| self.raw.source().clone(), |e| e.origin.clone());
                let message = format!("predicate `{}` is not used by any transform", p.alias);
                self.problems
                    .warning(&origin, Some(keys::PREDICATES), message);
            }
        }
    }

    fn converter(&self, fw: &ParsedConfig, key: &str) -> ConverterConfig {
        let prefix = format!("{key}.");
        ConverterConfig {
            type_name: fw.string(key).to_owned(),
            props: Group::new(prefix.clone(), self.raw.strip_prefix(&prefix)),
        }
    }
}

/// For keys whose first segment is a misspelt group head (`transform.mask.type`), the
/// key with the head corrected, offered as a suggestion.
fn group_head_fixes<'a>(keys: impl Iterator<Item = &'a str>) -> Vec<String> {
    keys.filter_map(|key| {
        let (head, rest) = key.split_once('.')?;
        let fixed = crate::suggest::suggest(
            head,
            GROUP_HEADS.iter().copied().filter(|h| !h.contains('.')),
        )?;
        Some(format!("{fixed}.{rest}"))
    })
    .collect()
}
