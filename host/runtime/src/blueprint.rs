//! Everything about a pipeline that can be checked before any record is consumed, and
//! the parts every task is built from.
//!
//! Checks collect every problem (as `sluice validate` does) instead of stopping at the
//! first one, and each problem names the property to fix. Sink connections and Kafka
//! clients are checked by the tasks themselves, before they consume (see
//! [`crate::Pipeline::start`]).

use std::collections::BTreeMap;
use std::path::Path;

use sluice_config::pipeline::{
    ErrorTolerance, PipelineConfig, Subscription, TransformConfig, keys,
};
use sluice_config::{Origin, Problems};
use sluice_engine::{
    LoadedComponent, PluginError, SandboxLimits, SwappableTransform, TransformPlugin, WasmEngine,
    WorldKind,
};
use sluice_kafka::{ProducerSettings, SourceSettings, Topics};
use sluice_kinetica_sink::SinkSettings;
use sluice_kinetica_sink::settings::SettingsError;

use crate::chain::Step;
use crate::converters::ConverterSpec;
use crate::dlq::DlqSpec;
use crate::error::{Stage, StartError};
use crate::options::RunOptions;
use crate::resolve::resolve;
use crate::retry::RetryPolicy;

/// Kafka Connect's header converter: header values stay bytes, which is what Sluice's
/// records carry, so it needs no converter.
const SIMPLE_HEADER_CONVERTERS: &[&str] = &[
    "simple",
    "org.apache.kafka.connect.storage.SimpleHeaderConverter",
];

/// A transform of the chain, configured and checked; each task instantiates it.
pub(crate) struct TransformSpec {
    pub alias: String,
    pub class: String,
    pub label: String,
    pub plugin: TransformPlugin,
}

impl TransformSpec {
    pub fn step(&self) -> Result<Step, PluginError> {
        Ok(Step {
            alias: self.alias.clone(),
            class: self.class.clone(),
            label: self.label.clone(),
            transform: SwappableTransform::new(self.plugin.instantiate()?),
        })
    }
}

/// A checked pipeline: what its tasks are built from.
pub(crate) struct Blueprint {
    pub config: PipelineConfig,
    pub key: ConverterSpec,
    pub value: ConverterSpec,
    pub transforms: Vec<TransformSpec>,
    pub sink: SinkSettings,
    pub source: SourceSettings,
    pub dlq: Option<DlqSpec>,
    pub retry: RetryPolicy,
}

impl Blueprint {
    pub fn new(
        config: PipelineConfig,
        engine: &WasmEngine,
        options: &RunOptions,
    ) -> Result<Blueprint, StartError> {
        let mut c = Checker {
            config: &config,
            problems: Problems::new(),
        };
        let sink = c.sink();
        let source = c.source();
        let dlq = c.dead_letter_queue();
        c.predicates();
        let key = c.converter(Stage::KeyConverter);
        let value = c.converter(Stage::ValueConverter);
        c.header_converter();
        let transforms = c.transforms(engine, options);
        let mut problems = c.problems;
        if problems.has_errors() {
            problems.set_pipeline(&config.name);
            return Err(StartError {
                pipeline: config.name.clone(),
                problems,
            });
        }
        let (Some(key), Some(value), Some(sink), Some(source)) = (key, value, sink, source) else {
            unreachable!("a missing part is always reported as an error");
        };
        Ok(Blueprint {
            retry: RetryPolicy::new(
                &config.errors,
                options.retry_initial_delay,
                options.min_retries,
            ),
            key,
            value,
            transforms,
            sink,
            source,
            dlq,
            config,
        })
    }

    pub fn name(&self) -> &str {
        &self.config.name
    }
}

struct Checker<'a> {
    config: &'a PipelineConfig,
    problems: Problems,
}

impl Checker<'_> {
    /// Where `key` was set, else the pipeline file.
    fn origin(&self, key: &str) -> Origin {
        self.config
            .framework
            .origin(key)
            .or_else(|| self.config.connector.config.origin(key))
            .cloned()
            .unwrap_or_else(|| self.config.source.clone())
    }

    fn error(&mut self, key: &str, message: impl Into<String>) {
        let origin = self.origin(key);
        self.problems.error(&origin, Some(key), message);
    }

    fn sink(&mut self) -> Option<SinkSettings> {
        let connector = &self.config.connector;
        if connector.name != sluice_kinetica_sink::config::CONNECTOR_NAME {
            let message = format!(
                "the `{}` connector cannot run yet; `sluice run` runs `{}` pipelines",
                connector.name,
                sluice_kinetica_sink::config::CONNECTOR_NAME
            );
            self.error(keys::CONNECTOR_CLASS, message);
            return None;
        }
        match sluice_kinetica_sink::config::settings(&connector.config, &self.config.framework) {
            Ok(settings) => Some(settings),
            Err(e) => {
                let key = match &e {
                    SettingsError::Missing(k) | SettingsError::Invalid { key: k, .. } => *k,
                    SettingsError::Naming(_) => {
                        sluice_kinetica_sink::settings::keys::DESTINATION_NAME
                    }
                };
                self.error(key, e.to_string());
                None
            }
        }
    }

    fn source(&mut self) -> Option<SourceSettings> {
        let topics = match &self.config.subscription {
            Some(Subscription::Topics(t)) => Topics::List(t.clone()),
            Some(Subscription::Pattern(p)) => Topics::Regex(p.clone()),
            None => {
                self.error(
                    keys::TOPICS,
                    "a sink needs the topics to consume: set `topics` or `topics.regex`",
                );
                return None;
            }
        };
        Some(SourceSettings {
            bootstrap_servers: self.config.bootstrap_servers.join(","),
            group_id: self.config.group_id.clone(),
            topics,
            properties: self
                .config
                .consumer
                .iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
                .collect(),
        })
    }

    /// `errors.tolerance=all` needs somewhere to put bad records: skipping them
    /// silently (Kafka Connect's behaviour without a dead letter queue) loses data.
    fn dead_letter_queue(&mut self) -> Option<DlqSpec> {
        let errors = &self.config.errors;
        match (&errors.tolerance, &errors.dead_letter_queue) {
            (ErrorTolerance::All, None) => {
                self.error(
                    keys::ERRORS_TOLERANCE,
                    "errors.tolerance=all without a dead letter queue would drop bad records \
                     without a trace; set errors.deadletterqueue.topic.name to a topic for them \
                     (or use errors.tolerance=none to stop at the first bad record)",
                );
                None
            }
            (ErrorTolerance::All, Some(dlq)) => Some(DlqSpec {
                topic: dlq.topic.clone(),
                context_headers: dlq.context_headers,
                producer: ProducerSettings {
                    bootstrap_servers: self.config.bootstrap_servers.join(","),
                    properties: self
                        .config
                        .producer
                        .iter()
                        .map(|(k, v)| (k.to_owned(), v.to_owned()))
                        .collect(),
                },
            }),
            // Never used with tolerance=none; `sluice validate` warns about it.
            (ErrorTolerance::None, _) => None,
        }
    }

    fn predicates(&mut self) {
        for t in &self.config.transforms {
            if t.predicate.is_some() {
                let key = format!("{}.{}.predicate", keys::TRANSFORMS, t.alias);
                self.error(
                    &key,
                    "predicates are not supported yet: remove the predicate (and `negate`) to \
                     apply the transform to every record, or filter inside the component",
                );
            }
        }
        if !self.config.predicates.is_empty() {
            self.error(
                keys::PREDICATES,
                "predicates are not supported yet: remove `predicates` and the \
                 `predicates.<alias>.*` keys",
            );
        }
    }

    fn converter(&mut self, stage: Stage) -> Option<ConverterSpec> {
        let (key, conf, side) = match stage {
            Stage::KeyConverter => (keys::KEY_CONVERTER, &self.config.key_converter, "key"),
            _ => (keys::VALUE_CONVERTER, &self.config.value_converter, "value"),
        };
        let mut props: BTreeMap<String, String> = conf.props.to_pairs().into_iter().collect();
        // As Kafka Connect's worker does; the JSON converter names the right property
        // (`key.converter.schemas.enable`) in its hints.
        props.insert("converter.type".to_owned(), side.to_owned());
        let spec = ConverterSpec {
            type_name: conf.type_name.clone(),
            props,
        };
        let Some(def) = sluice_convert::config_def(&conf.type_name) else {
            // The converter's own message lists the known ones and suggests one.
            let message = spec
                .build()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            self.error(key, message);
            return None;
        };
        let checked = self.config.validate_group(&conf.props, &def);
        let ok = !checked.problems.has_errors();
        self.problems.extend(errors_only(checked.problems));
        if !ok {
            return None;
        }
        match spec.build() {
            Ok(_) => Some(spec),
            Err(e) => {
                self.error(key, e.to_string());
                None
            }
        }
    }

    fn header_converter(&self) {
        let type_name = &self.config.header_converter.type_name;
        if !SIMPLE_HEADER_CONVERTERS.contains(&type_name.as_str()) {
            tracing::warn!(
                pipeline = %self.config.name,
                "header.converter={type_name} is not used: header values pass through as bytes"
            );
        }
    }

    fn transforms(&mut self, engine: &WasmEngine, options: &RunOptions) -> Vec<TransformSpec> {
        let base_dir = self
            .config
            .source
            .file
            .parent()
            .unwrap_or(Path::new("."))
            .to_path_buf();
        let components_dir = options.components_dir();
        let mut out = Vec::new();
        for t in &self.config.transforms {
            if let Some(spec) = self.transform(t, engine, &base_dir, &components_dir) {
                out.push(spec);
            }
        }
        out
    }

    fn transform(
        &mut self,
        t: &TransformConfig,
        engine: &WasmEngine,
        base_dir: &Path,
        components_dir: &Path,
    ) -> Option<TransformSpec> {
        let prefix = t.props.prefix().to_owned();
        let type_key = format!("{prefix}type");
        let list_origin = self.origin(keys::TRANSFORMS);
        let error = |problems: &mut Problems, key: &str, message: String| {
            problems.error(&list_origin, Some(key), message);
        };
        let resolved = match resolve(&t.type_name, base_dir, components_dir) {
            Ok(r) => r,
            Err(message) => {
                error(&mut self.problems, &type_key, message);
                return None;
            }
        };
        let loaded = match load(engine, &resolved.path, &resolved.component) {
            Ok(l) => l,
            Err(e) => {
                error(&mut self.problems, &type_key, e.to_string());
                return None;
            }
        };
        let limits = SandboxLimits {
            memory_bytes: usize::try_from(t.sandbox.memory_max_bytes).unwrap_or(usize::MAX),
            call_timeout: t.sandbox.cpu_budget,
            ..SandboxLimits::default()
        };
        let declared = match TransformPlugin::describe(engine, &loaded, limits.clone()) {
            Ok(d) => d,
            Err(e) => {
                error(&mut self.problems, &type_key, e.to_string());
                return None;
            }
        };
        let def = crate::declared::config_def(&resolved.component, &declared);
        let checked = self.config.validate_group(&t.props, &def);
        let mut ok = !checked.problems.has_errors();
        self.problems.extend(errors_only(checked.problems));
        let mut pairs = t.props.to_pairs();
        for (k, v) in &resolved.implied {
            match pairs.iter().find(|(pk, _)| pk == k) {
                Some((_, given)) if !given.trim().eq_ignore_ascii_case(v) => {
                    let message = format!(
                        "conflicts with `{type_key}={}`, which means {k}={v}; remove it or \
                         change the type",
                        t.type_name
                    );
                    error(&mut self.problems, &format!("{prefix}{k}"), message);
                    ok = false;
                }
                Some(_) => {}
                None => pairs.push((k.clone(), v.clone())),
            }
        }
        if !ok {
            return None;
        }
        match TransformPlugin::new(engine, loaded, pairs, limits) {
            Ok(plugin) => Some(TransformSpec {
                alias: t.alias.clone(),
                class: t.type_name.clone(),
                label: format!("transform `{}` ({})", t.alias, resolved.component),
                plugin,
            }),
            Err(e) => {
                let key = prefix.trim_end_matches('.').to_owned();
                error(&mut self.problems, &key, e.to_string());
                None
            }
        }
    }
}

fn load(engine: &WasmEngine, path: &Path, name: &str) -> Result<LoadedComponent, PluginError> {
    let bytes = std::fs::read(path).map_err(|e| {
        PluginError::new(
            name,
            sluice_engine::PluginErrorKind::Load(format!("cannot read {}: {e}", path.display())),
        )
    })?;
    engine.load_bytes(name, &bytes, WorldKind::Transform)
}

/// Warnings about a group were reported when the file was validated; start-up only
/// fails on errors, and logs the rest.
fn errors_only(problems: Problems) -> Problems {
    let mut out = Problems::new();
    for p in problems {
        match p.severity {
            sluice_config::Severity::Error => {
                out.error(&p.origin, p.property.as_deref(), p.message);
            }
            sluice_config::Severity::Warning => tracing::warn!("{p}"),
        }
    }
    out
}
