//! The one registry: every connector, converter and bundled component this build
//! knows, with its declared properties. `sluice validate`, `sluice run`, `sluice config
//! describe` (and the REST `validate` call) all ask it, so they cannot disagree.
//!
//! To make a component known, add it to [`Registry::standard`]: a connector as a
//! [`ConnectorPlugin`] (in its own crate, e.g. `sluice_kinetica_sink::connector`), a
//! native converter as a [`ComponentSpec`]. Bundled Wasm components are the guests
//! `host/guests` embeds; they describe their own properties when loaded.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use sluice_config::pipeline::{self, PipelineConfig};
use sluice_config::{Checked, ConfigDef, ConnectorKind, ConnectorSpec};
use sluice_connect::{BuildSink, BuildSource, ConnectorPlugin, Factory};
use sluice_convert::{ConvertError, Converter};

/// A native component configured through a prefixed group (a converter).
#[derive(Debug, Clone, Copy)]
pub struct ComponentSpec {
    /// The names that select it (`value.converter=json`, or the Kafka Connect class).
    pub names: &'static [&'static str],
    /// Its declared properties.
    pub config_def: fn() -> ConfigDef,
    /// Builds it from its property group (prefix removed).
    pub build: BuildConverter,
}

/// Builds a native converter from its property group.
pub type BuildConverter = fn(&BTreeMap<String, String>) -> Result<Box<dyn Converter>, ConvertError>;

impl ComponentSpec {
    /// Whether `name` selects this component (case-insensitive, as Connect's aliases).
    pub fn answers_to(&self, name: &str) -> bool {
        self.names
            .iter()
            .any(|n| n.eq_ignore_ascii_case(name.trim()))
    }
}

/// One definition as `config describe` shows it: keys are `prefix` + property name.
pub struct Described {
    /// `transforms.<alias>.`, `<key|value|header>.converter.`, or empty.
    pub prefix: &'static str,
    /// The properties.
    pub def: ConfigDef,
}

/// How `describe` shows the keys of a converter's group.
pub const CONVERTER_PREFIX: &str = "<key|value|header>.converter.";

/// Everything a pipeline can name.
#[derive(Clone)]
pub struct Registry {
    connectors: Vec<ConnectorPlugin>,
    specs: Vec<ConnectorSpec>,
    kafka_source: Option<BuildSource>,
    kafka_sink: Option<BuildSink>,
    converters: Vec<ComponentSpec>,
    bundled: &'static [(&'static str, &'static [u8])],
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field(
                "connectors",
                &self.specs.iter().map(|s| s.name).collect::<Vec<_>>(),
            )
            .field(
                "bundled",
                &self.bundled.iter().map(|(n, _)| n).collect::<Vec<_>>(),
            )
            .finish_non_exhaustive()
    }
}

impl Default for Registry {
    fn default() -> Self {
        Registry::standard()
    }
}

impl Registry {
    /// Everything compiled into this build.
    pub fn standard() -> Registry {
        Registry::empty()
            .with_connector(sluice_kinetica_sink::connector())
            .with_connector(sluice_kinetica_source::connector())
            .with_kafka_source(sluice_kafka::build_source)
            .with_kafka_sink(sluice_kafka::build_sink)
    }

    /// Nothing but the native converters and the bundled components: for embedders
    /// and tests that bring their own connectors.
    pub fn empty() -> Registry {
        Registry {
            connectors: Vec::new(),
            specs: Vec::new(),
            kafka_source: None,
            kafka_sink: None,
            converters: converters(),
            bundled: sluice_guests::bundled(),
        }
    }

    /// Adds a connector (selected by `connector.class`).
    pub fn with_connector(mut self, connector: ConnectorPlugin) -> Registry {
        self.specs.push(connector.spec);
        self.connectors.push(connector);
        self
    }

    /// The Kafka side of sink pipelines (Kafka → a sink connector).
    pub fn with_kafka_source(mut self, build: BuildSource) -> Registry {
        self.kafka_source = Some(build);
        self
    }

    /// The Kafka side of source pipelines (a source connector → Kafka).
    pub fn with_kafka_sink(mut self, build: BuildSink) -> Registry {
        self.kafka_sink = Some(build);
        self
    }

    /// The connectors' specs, as the pipeline grammar takes them.
    pub fn connector_specs(&self) -> &[ConnectorSpec] {
        &self.specs
    }

    /// The connector a loaded pipeline names.
    pub fn connector(&self, name: &str) -> Option<&ConnectorPlugin> {
        self.connectors.iter().find(|c| c.spec.name == name)
    }

    /// How the pipeline's two sides are built: (source, sink). `Err` says what is
    /// missing from this build.
    pub(crate) fn sides(&self, config: &PipelineConfig) -> Result<(Side, Side), String> {
        let name = config.connector.name;
        let connector = self
            .connector(name)
            .ok_or_else(|| format!("the `{name}` connector cannot run in this build"))?;
        match (connector.factory, config.connector.kind) {
            (Factory::Sink(sink), ConnectorKind::Sink) => {
                let source = self.kafka_source.ok_or_else(|| {
                    format!("`{name}` reads from Kafka, and this build has no Kafka source")
                })?;
                Ok((Side::Source(source), Side::Sink(sink)))
            }
            (Factory::Source(source), ConnectorKind::Source) => {
                let sink = self.kafka_sink.ok_or_else(|| {
                    format!(
                        "`{name}` writes to Kafka, and this build has no Kafka sink yet; \
                         `sluice run` runs sink connectors (Kafka → Kinetica)"
                    )
                })?;
                Ok((Side::Source(source), Side::Sink(sink)))
            }
            _ => Err(format!(
                "the `{name}` connector's factory does not match its kind (a bug)"
            )),
        }
    }

    /// The native converters (JSON, string, bytes, Avro), each with every name that
    /// selects it.
    pub fn converters(&self) -> &[ComponentSpec] {
        &self.converters
    }

    /// The native converter `name` selects.
    pub fn converter(&self, name: &str) -> Option<&ComponentSpec> {
        self.converters.iter().find(|c| c.answers_to(name))
    }

    /// Why `name` selects no native converter: the closest name and every known one.
    pub fn unknown_converter(&self, name: &str) -> String {
        let names = self.converters.iter().flat_map(|c| c.names.iter().copied());
        format!(
            "unknown converter {name:?}{}; known converters: {}",
            sluice_config::suggest::did_you_mean(name, names.clone()),
            names.collect::<Vec<_>>().join(", ")
        )
    }

    /// The bundled Wasm components, by name.
    pub fn bundled(&self) -> &'static [(&'static str, &'static [u8])] {
        self.bundled
    }

    /// Loads and checks a pipeline file against the connectors this registry knows.
    /// Component groups are checked by the dry run ([`crate::check`]), which loads
    /// the components.
    pub fn load_file(&self, path: &Path) -> Checked<PipelineConfig> {
        pipeline::load(path, &self.specs)
    }

    /// Every definition: the pipeline's, then per-component keys and components.
    pub fn described(&self) -> Vec<Described> {
        let mut out = vec![
            Described {
                prefix: "",
                def: pipeline::pipeline_def(),
            },
            Described {
                prefix: "transforms.<alias>.",
                def: pipeline::transform_def(),
            },
            Described {
                prefix: "predicates.<alias>.",
                def: pipeline::predicate_def(),
            },
        ];
        out.extend(self.specs.iter().map(|c| Described {
            prefix: "",
            def: (c.config_def)(),
        }));
        out.extend(self.converters.iter().map(|s| Described {
            prefix: CONVERTER_PREFIX,
            def: (s.config_def)(),
        }));
        out
    }
}

/// One side of a pipeline, as the registry builds it.
#[derive(Clone, Copy)]
pub(crate) enum Side {
    Source(BuildSource),
    Sink(BuildSink),
}

/// Kafka Connect's standard converters (host/convert) and Confluent's Avro converter
/// (host/avro), by every name that selects them.
fn converters() -> Vec<ComponentSpec> {
    fn def(name: &str) -> ConfigDef {
        sluice_convert::config_def(name).expect("a converter sluice-convert knows")
    }
    fn standard(name: &str, props: &BTreeMap<String, String>) -> ConverterResult {
        sluice_convert::converter_from_config(name, props)
    }
    vec![
        ComponentSpec {
            names: &["json", "org.apache.kafka.connect.json.JsonConverter"],
            config_def: || def("json"),
            build: |p| standard("json", p),
        },
        ComponentSpec {
            names: &["string", "org.apache.kafka.connect.storage.StringConverter"],
            config_def: || def("string"),
            build: |p| standard("string", p),
        },
        ComponentSpec {
            names: &[
                "bytes",
                "org.apache.kafka.connect.converters.ByteArrayConverter",
            ],
            config_def: || def("bytes"),
            build: |p| standard("bytes", p),
        },
        ComponentSpec {
            names: &sluice_avro::NAMES,
            config_def: sluice_avro::config_def,
            build: |p| Ok(Box::new(sluice_avro::AvroConverter::from_props(p)?)),
        },
    ]
}

type ConverterResult = Result<Box<dyn Converter>, ConvertError>;

/// The registry every pipeline of a process shares unless told otherwise.
pub(crate) fn shared_standard() -> Arc<Registry> {
    static STANDARD: std::sync::OnceLock<Arc<Registry>> = std::sync::OnceLock::new();
    STANDARD
        .get_or_init(|| Arc::new(Registry::standard()))
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_config::{PropertyType, RawValue, value};

    #[test]
    fn converters_are_known_by_short_and_class_names() {
        let registry = Registry::standard();
        for name in [
            "json",
            "JSON",
            "org.apache.kafka.connect.json.JsonConverter",
            "string",
            "bytes",
        ] {
            assert!(registry.converter(name).is_some(), "{name}");
        }
        for name in ["avro", "io.confluent.connect.avro.AvroConverter"] {
            assert!(registry.converter(name).is_some(), "{name}");
        }
        assert!(registry.converter("avr0").is_none());
        assert!(
            registry
                .unknown_converter("io.confluent.connect.avro.AvroConvertor")
                .contains("did you mean `io.confluent.connect.avro.AvroConverter`?")
        );
    }

    /// Every declared default must parse as its type and pass its validator, or a
    /// pipeline that does not set the property would be rejected.
    #[test]
    fn every_default_is_valid() {
        for d in Registry::standard().described() {
            for p in &d.def.properties {
                let Some(default) = &p.default else { continue };
                let parsed = value::parse(&p.ty, &RawValue::Scalar(default.to_string()))
                    .unwrap_or_else(|e| panic!("{}{}: default: {e}", d.prefix, p.name));
                if let Some(v) = &p.validator {
                    sluice_config::validator::check(v, &parsed)
                        .unwrap_or_else(|e| panic!("{}{}: default: {e}", d.prefix, p.name));
                }
            }
        }
    }

    /// Keys are unique within the pipeline's namespace; a group's components are
    /// alternatives (one converter per side), and so are connectors (one per pipeline:
    /// the sink and the source both have `kinetica.url`), so their keys are unique per
    /// component.
    #[test]
    fn every_property_is_documented_and_named_once() {
        let registry = Registry::standard();
        let connectors: Vec<&str> = registry.connector_specs().iter().map(|c| c.name).collect();
        let mut seen = std::collections::HashSet::new();
        for d in registry.described() {
            let alternative =
                d.prefix == CONVERTER_PREFIX || connectors.contains(&d.def.component.as_ref());
            let component: &str = if alternative { &d.def.component } else { "" };
            for p in &d.def.properties {
                assert!(!p.doc.is_empty(), "{} has no doc", p.name);
                for name in std::iter::once(p.name.as_ref()).chain(p.deprecated_aliases.iter()) {
                    let key = format!("{component}:{}{}", d.prefix, name);
                    assert!(seen.insert(key.clone()), "{key} is declared twice");
                }
                // A secret with a default would be a secret in the source code.
                if p.ty == PropertyType::Password {
                    assert!(
                        p.default.as_deref().is_none_or(str::is_empty),
                        "{} has a default",
                        p.name
                    );
                }
            }
        }
    }

    #[test]
    fn the_standard_build_bundles_its_components() {
        let registry = Registry::standard();
        let names: Vec<&str> = registry.bundled().iter().map(|(n, _)| *n).collect();
        assert!(names.contains(&"mask-field"), "{names:?}");
        assert!(names.contains(&"insert-field"), "{names:?}");
        assert!(names.contains(&"kinetica-flattener"), "{names:?}");
        for name in [
            "filter",
            "regex-router",
            "timestamp-router",
            "insert-header",
            "drop-headers",
            "header-from",
            "explode",
            "has-header-key",
            "record-is-tombstone",
        ] {
            assert!(names.contains(&name), "{name} is not bundled: {names:?}");
        }
        // Test guests are not part of a production build.
        assert!(!names.contains(&"spin"), "{names:?}");
    }
}
