//! Everything about a pipeline that can be checked before any record is consumed, and
//! the parts every task is built from.
//!
//! Building a blueprint is the dry run: it checks everything (connector settings,
//! converters, components loaded, described and configured, the error policy) and
//! connects nothing. `sluice validate` runs exactly this ([`crate::check`]), so
//! whatever `sluice run` would refuse, `validate` refuses with the same words.
//!
//! Checks collect every problem instead of stopping at the first one, and each problem
//! names the property to fix. Sink connections and Kafka clients are checked by the
//! tasks themselves, before they consume (see [`crate::Pipeline::start`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use sluice_config::pipeline::{ErrorTolerance, PipelineConfig, keys};
use sluice_config::{ConnectorKind, Group, Origin, Problems, RawProperties};
use sluice_connect::{SetupProblem, SinkFactory, SourceFactory};
use sluice_engine::{
    ConverterWorld, FlattenerPlugin, FlattenerWorld, LoadedComponent, Plugin, PluginError,
    PredicatePlugin, PredicateWorld, SandboxLimits, SwappableFlattener, SwappablePredicate,
    SwappableTransform, TransformPlugin, TransformWorld, WasmEngine, World, WorldKind,
};
use sluice_kafka::ProducerSettings;

use crate::chain::{Step, StepComponent, TaskPredicate};
use crate::converters::ConverterSpec;
use crate::dlq::DlqSpec;
use crate::error::{Stage, StartError};
use crate::metrics::StepMetrics;
use crate::options::RunOptions;
use crate::registry::Side;
use crate::resolve::{Bundled, ComponentSource, resolve};
use crate::retry::{RetryPolicy, component_policy, outage_policy};

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
    /// The SHA-256 of the component's bytes.
    pub digest: String,
    /// The component's bytes.
    pub bytes: Arc<[u8]>,
    /// The properties it was configured with (its group, prefix removed).
    pub properties: Vec<(String, String)>,
    /// `transforms.<alias>.predicate` and `.negate`.
    pub predicate: Option<(String, bool)>,
}

impl TransformSpec {
    pub fn step(&self, metrics: Arc<StepMetrics>) -> Result<Step, PluginError> {
        Ok(Step {
            alias: self.alias.clone(),
            metrics,
            class: self.class.clone(),
            label: self.label.clone(),
            component: StepComponent::Transform(SwappableTransform::new(
                self.plugin.instantiate()?,
            )),
            predicate: self.predicate.clone(),
        })
    }
}

/// A predicate, configured and checked; each task instantiates it once, for every
/// transform that names it.
pub(crate) struct PredicateSpec {
    pub label: String,
    pub plugin: PredicatePlugin,
}

impl PredicateSpec {
    pub fn instance(&self) -> Result<TaskPredicate, PluginError> {
        Ok(TaskPredicate {
            label: self.label.clone(),
            instance: SwappablePredicate::new(self.plugin.instantiate()?),
        })
    }
}

/// The flattener run before a sink that takes typed records builds its rows.
pub(crate) struct FlattenerSpec {
    pub label: String,
    pub plugin: FlattenerPlugin,
}

impl FlattenerSpec {
    pub fn instance(&self) -> Result<SwappableFlattener, PluginError> {
        Ok(SwappableFlattener::new(self.plugin.instantiate()?))
    }
}

/// A checked pipeline: what its tasks are built from.
pub(crate) struct Blueprint {
    pub config: PipelineConfig,
    pub key: ConverterSpec,
    pub value: ConverterSpec,
    pub transforms: Vec<TransformSpec>,
    pub predicates: BTreeMap<String, PredicateSpec>,
    pub flattener: Option<FlattenerSpec>,
    pub source: Arc<dyn SourceFactory>,
    pub sink: Arc<dyn SinkFactory>,
    pub dlq: Option<DlqSpec>,
    /// Retries of a batch a component failed.
    pub retry: RetryPolicy,
    /// Retries while an external system (the sink, the dead letter queue) is out.
    pub outage: RetryPolicy,
    /// What the checks found that does not stop the pipeline.
    pub warnings: Problems,
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
        let base_dir = config.source.file.parent().unwrap_or(Path::new("."));
        let components_dir = options.components_dir();
        let place = Place {
            engine,
            base_dir,
            bundled: Bundled {
                dir: components_dir.as_deref(),
                embedded: options.registry.bundled(),
            },
        };
        let (source, sink) = c.sides(options);
        let dlq = c.dead_letter_queue();
        let key = c.converter(Stage::KeyConverter, options, &place);
        let value = c.converter(Stage::ValueConverter, options, &place);
        c.header_converter();
        let predicates = c.predicates(&place);
        let transforms = c.transforms(&place);
        let flattener = c.flattener(&place, options);
        let mut problems = c.problems;
        problems.set_pipeline(&config.name);
        if problems.has_errors() {
            return Err(StartError {
                pipeline: config.name.clone(),
                problems,
            });
        }
        let (Some(key), Some(value), Some(sink), Some(source)) = (key, value, sink, source) else {
            unreachable!("a missing part is always reported as an error");
        };
        Ok(Blueprint {
            retry: component_policy(
                &config.errors,
                options.retry_initial_delay,
                options.min_retries,
            ),
            outage: outage_policy(
                &config.errors,
                options.retry_initial_delay,
                options.min_retries,
            ),
            key,
            value,
            transforms,
            predicates,
            flattener,
            sink,
            source,
            dlq,
            config,
            warnings: problems,
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

    fn setup_problems(&mut self, problems: Vec<SetupProblem>) {
        for p in problems {
            self.error(&p.property, p.message);
        }
    }

    /// The factories of the pipeline's source and sink: the connector's side and
    /// Kafka's, each checking its settings without connecting.
    fn sides(&mut self, options: &RunOptions) -> (Option<SourceSide>, Option<SinkSide>) {
        let (source_side, sink_side) = match options.registry.sides(self.config) {
            Ok(sides) => sides,
            Err(message) => {
                self.error(keys::CONNECTOR_CLASS, message);
                return (None, None);
            }
        };
        let (Side::Source(build_source), Side::Sink(build_sink)) = (source_side, sink_side) else {
            unreachable!("the registry returns (source, sink)");
        };
        let source = build_source(self.config)
            .map_err(|p| self.setup_problems(p))
            .ok();
        let sink = build_sink(self.config)
            .map_err(|p| self.setup_problems(p))
            .ok();
        (source, sink)
    }

    /// `errors.tolerance=all` needs somewhere to put bad records: skipping them
    /// silently (Kafka Connect's behaviour without a dead letter queue) loses data.
    fn dead_letter_queue(&mut self) -> Option<DlqSpec> {
        let errors = &self.config.errors;
        if self.config.connector.kind == ConnectorKind::Source
            && errors.tolerance == ErrorTolerance::All
        {
            // Kafka Connect has no dead letter queue for source connectors either, and
            // skipping a bad row would lose it.
            self.error(
                keys::ERRORS_TOLERANCE,
                "errors.tolerance=all needs a dead letter queue, which source connectors do \
                 not have: a bad row would be dropped without a trace; use \
                 errors.tolerance=none to stop at the first bad row",
            );
            return None;
        }
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
                partitions: dlq.partitions,
                replication_factor: dlq.replication_factor,
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

    /// A native converter (`json`, Kafka Connect's class names), or a converter
    /// component (a `.wasm` path or a bundled name) configured from the same group.
    fn converter(
        &mut self,
        stage: Stage,
        options: &RunOptions,
        place: &Place<'_>,
    ) -> Option<ConverterSpec> {
        let (key, conf, side) = match stage {
            Stage::KeyConverter => (keys::KEY_CONVERTER, &self.config.key_converter, "key"),
            _ => (keys::VALUE_CONVERTER, &self.config.value_converter, "value"),
        };
        let Some(native) = options.registry.converter(&conf.type_name) else {
            if resolve(&conf.type_name, place.base_dir, place.bundled).is_ok() {
                let request = Request {
                    type_name: &conf.type_name,
                    props: &conf.props,
                    sandbox: SandboxLimits::default(),
                    origin: self.origin(key),
                    label: format!("the {side} converter"),
                    type_key: None,
                };
                let Configured {
                    plugin, component, ..
                } = self.component::<ConverterWorld>(place, request)?;
                return Some(ConverterSpec::Wasm {
                    type_name: conf.type_name.clone(),
                    label: format!("the {side} converter `{component}`"),
                    plugin,
                });
            }
            let message = options.registry.unknown_converter(&conf.type_name);
            self.error(
                key,
                format!(
                    "{message}; or name a converter component (a .wasm file, relative to the \
                     pipeline file, or a bundled component)"
                ),
            );
            return None;
        };
        let mut props: BTreeMap<String, String> = conf.props.to_pairs().into_iter().collect();
        // As Kafka Connect's worker does; the JSON converter names the right property
        // (`key.converter.schemas.enable`) in its hints.
        props.insert("converter.type".to_owned(), side.to_owned());
        let spec = ConverterSpec::native(&conf.type_name, native.build, props);
        let checked = self
            .config
            .validate_group(&conf.props, &(native.config_def)());
        let ok = !checked.problems.has_errors();
        self.problems.extend(checked.problems);
        if !ok {
            return None;
        }
        match spec.build_native() {
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

    fn transforms(&mut self, place: &Place<'_>) -> Vec<TransformSpec> {
        let mut out = Vec::new();
        for t in &self.config.transforms {
            let request = Request {
                type_name: &t.type_name,
                props: &t.props,
                sandbox: t.sandbox.clone(),
                origin: t.type_origin.clone(),
                label: format!("transform `{}`", t.alias),
                type_key: None,
            };
            let Some(Configured {
                plugin,
                component,
                digest,
                bytes,
                properties,
            }) = self.component::<TransformWorld>(place, request)
            else {
                continue;
            };
            out.push(TransformSpec {
                alias: t.alias.clone(),
                class: t.type_name.clone(),
                label: format!("transform `{}` ({component})", t.alias),
                plugin,
                digest,
                bytes,
                properties,
                predicate: t.predicate.clone().map(|alias| (alias, t.negate)),
            });
        }
        out
    }

    /// `predicates.<alias>.*`, each a predicate component. Transforms naming an
    /// unknown alias were refused when the file was loaded.
    fn predicates(&mut self, place: &Place<'_>) -> BTreeMap<String, PredicateSpec> {
        let mut out = BTreeMap::new();
        for p in &self.config.predicates {
            let request = Request {
                type_name: &p.type_name,
                props: &p.props,
                sandbox: p.sandbox.clone(),
                origin: p.type_origin.clone(),
                label: format!("predicate `{}`", p.alias),
                type_key: None,
            };
            if let Some(Configured {
                plugin, component, ..
            }) = self.component::<PredicateWorld>(place, request)
            {
                out.insert(
                    p.alias.clone(),
                    PredicateSpec {
                        label: format!("predicate `{}` ({component})", p.alias),
                        plugin,
                    },
                );
            }
        }
        out
    }

    /// The pipeline's flattener: the one `flattener` names (with its `flattener.*`
    /// group), else the bundled one the connector's settings turn on
    /// ([`sluice_connect::ConnectorPlugin::flattener`], e.g. the Kinetica sink's
    /// `kinetica.flatten_source.enabled`), configured from them. A pipeline that sets
    /// both runs its own and is warned that the connector's flattening is not used.
    fn flattener(&mut self, place: &Place<'_>, options: &RunOptions) -> Option<FlattenerSpec> {
        let bundled = options
            .registry
            .connector(self.config.connector.name)
            .and_then(|c| c.flattener)
            .and_then(|imply| imply(self.config));
        if let Some(f) = self.config.flattener.as_ref() {
            if let Some(b) = &bundled {
                let origin = self.origin(b.enabled_by);
                self.problems.warning(
                    &origin,
                    Some(b.enabled_by),
                    format!(
                        "is ignored, with the {prefix}* settings: `{flattener}={name}` names \
                         the pipeline's flattener, which runs instead of `{component}`; \
                         remove one of the two (to run `{component}` with other settings, \
                         set `{flattener}={component}` and its `{flattener}.*` group)",
                        prefix = b.prefix,
                        flattener = keys::FLATTENER,
                        name = f.type_name,
                        component = b.component,
                    ),
                );
            }
            let request = Request {
                type_name: &f.type_name,
                props: &f.props,
                sandbox: SandboxLimits::default(),
                origin: self.origin(keys::FLATTENER),
                label: "the flattener".to_owned(),
                type_key: None,
            };
            let Configured {
                plugin, component, ..
            } = self.component::<FlattenerWorld>(place, request)?;
            return Some(FlattenerSpec {
                label: format!("the flattener `{component}`"),
                plugin,
            });
        }
        let b = bundled?;
        let origin = self.origin(b.enabled_by);
        let props = Group::new(
            b.prefix,
            RawProperties::from_pairs(origin.clone(), b.properties.clone()),
        );
        let request = Request {
            type_name: b.component,
            props: &props,
            sandbox: SandboxLimits::default(),
            origin,
            label: format!("the flattener `{}` ({}=true)", b.component, b.enabled_by),
            type_key: Some(b.enabled_by.to_owned()),
        };
        let Configured {
            plugin, component, ..
        } = self.component::<FlattenerWorld>(place, request)?;
        Some(FlattenerSpec {
            label: format!("the flattener `{component}`"),
            plugin,
        })
    }

    /// Resolves, loads, describes and configures a component of world `W`, checking
    /// its group against what it declares. Problems name `<prefix>type` or the group.
    fn component<W: World>(
        &mut self,
        place: &Place<'_>,
        request: Request<'_>,
    ) -> Option<Configured<W>> {
        let prefix = request.props.prefix().to_owned();
        let type_key = match &request.type_key {
            Some(key) => key.clone(),
            None if prefix.ends_with(".converter.") || prefix == "flattener." => {
                prefix.trim_end_matches('.').to_owned()
            }
            None => format!("{prefix}type"),
        };
        let origin = request.origin.clone();
        let error = |problems: &mut Problems, key: &str, message: String| {
            problems.error(&origin, Some(key), message);
        };
        let resolved = match resolve(request.type_name, place.base_dir, place.bundled) {
            Ok(r) => r,
            Err(message) => {
                error(&mut self.problems, &type_key, message);
                return None;
            }
        };
        let (loaded, bytes) =
            match load(place.engine, &resolved.source, &resolved.component, W::KIND) {
                Ok(l) => l,
                Err(e) => {
                    error(&mut self.problems, &type_key, e.to_string());
                    return None;
                }
            };
        let limits = request.sandbox.clone();
        let declared = match Plugin::<W>::describe(place.engine, &loaded, limits.clone()) {
            Ok(d) => d,
            Err(e) => {
                error(&mut self.problems, &type_key, e.to_string());
                return None;
            }
        };
        let def = crate::declared::config_def(&resolved.component, &declared);
        let checked = self.config.validate_group(request.props, &def);
        let mut ok = !checked.problems.has_errors();
        self.problems.extend(checked.problems);
        let mut pairs = request.props.to_pairs();
        for (k, v) in &resolved.implied {
            match pairs.iter().find(|(pk, _)| pk == k) {
                Some((_, given)) if !given.trim().eq_ignore_ascii_case(v) => {
                    let message = format!(
                        "conflicts with `{type_key}={}`, which means {k}={v}; remove it or \
                         change the type",
                        request.type_name
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
        let digest = loaded.digest.clone();
        match Plugin::<W>::new(place.engine, loaded, pairs.clone(), limits) {
            Ok(plugin) => Some(Configured {
                plugin,
                component: resolved.component,
                digest,
                bytes,
                properties: pairs,
            }),
            Err(e) => {
                let key = match &request.type_key {
                    Some(key) => key.clone(),
                    None => prefix.trim_end_matches('.').to_owned(),
                };
                let message = format!("{} cannot be configured: {e}", request.label);
                error(&mut self.problems, &key, message);
                None
            }
        }
    }
}

/// A component loaded, checked and configured.
struct Configured<W: World> {
    plugin: Plugin<W>,
    /// The component's name (the bundled name, or the file's).
    component: String,
    /// The SHA-256 of its bytes.
    digest: String,
    /// The component itself (a hot swap shared through `sluice.config.topic` sends it).
    bytes: Arc<[u8]>,
    /// The properties it was configured with.
    properties: Vec<(String, String)>,
}

/// What builds a pipeline's sources, one per task.
type SourceSide = Arc<dyn SourceFactory>;
/// What builds a pipeline's sinks, one per task.
type SinkSide = Arc<dyn SinkFactory>;

/// Where components are found, for every component of one pipeline.
struct Place<'a> {
    engine: &'a WasmEngine,
    base_dir: &'a Path,
    bundled: Bundled<'a>,
}

/// A component a pipeline names: its type, group and sandbox, where to report.
struct Request<'a> {
    type_name: &'a str,
    props: &'a Group,
    /// Converters and the flattener have no `sandbox.*` keys of their own: they get
    /// the defaults a transform gets.
    sandbox: SandboxLimits,
    origin: Origin,
    /// `transform `mask``, `the value converter`, for messages.
    label: String,
    /// The key problems finding, loading or configuring the component are reported
    /// against, when not the group's own (`<prefix>type`, `flattener`, …): the
    /// connector property that turned a bundled component on.
    type_key: Option<String>,
}

fn load(
    engine: &WasmEngine,
    source: &ComponentSource,
    name: &str,
    world: WorldKind,
) -> Result<(LoadedComponent, Arc<[u8]>), PluginError> {
    let bytes = source
        .bytes()
        .map_err(|e| PluginError::new(name, sluice_engine::PluginErrorKind::Load(e)))?;
    let loaded = engine.load_bytes(name, &bytes, world)?;
    Ok((loaded, Arc::from(bytes.as_ref())))
}
