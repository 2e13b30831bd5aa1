//! Every component the daemon knows, with its declared properties: what `validate`
//! checks files against and what `config describe` lists.
//!
//! To make a component known, add it to [`Registry::new`]: a connector as a
//! [`ConnectorSpec`], a converter or a built-in transform/predicate as a
//! [`ComponentSpec`] (its group is then validated whenever a pipeline uses it).

use std::path::Path;

use sluice_config::pipeline::{self, PipelineConfig};
use sluice_config::{Checked, ConfigDef, ConnectorSpec, Group};

/// A component configured through a prefixed group (converter, transform, predicate).
#[derive(Debug, Clone, Copy)]
pub struct ComponentSpec {
    /// The names that select it (`value.converter=json`, `transforms.x.type=mask`).
    pub names: &'static [&'static str],
    pub config_def: fn() -> ConfigDef,
}

/// One definition as `describe` shows it: keys are `prefix` + property name.
pub struct Described {
    pub prefix: &'static str,
    pub def: ConfigDef,
}

/// How `describe` shows the keys of a converter's group.
const CONVERTER_PREFIX: &str = "<key|value|header>.converter.";

pub struct Registry {
    connectors: Vec<ConnectorSpec>,
    converters: Vec<ComponentSpec>,
    transforms: Vec<ComponentSpec>,
    predicates: Vec<ComponentSpec>,
}

impl Registry {
    /// Everything compiled into this binary.
    pub fn new() -> Registry {
        Registry {
            connectors: vec![sluice_kinetica_sink::config::connector_spec()],
            converters: converters(),
            // Transforms are Wasm components: they describe their properties when the
            // runtime loads them (`sluice run`), which checks their groups then.
            transforms: Vec::new(),
            predicates: Vec::new(),
        }
    }

    /// Every definition, pipeline first, then per-component keys and components.
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
        out.extend(self.connectors.iter().map(|c| Described {
            prefix: "",
            def: (c.config_def)(),
        }));
        let groups = [
            (CONVERTER_PREFIX, &self.converters),
            ("transforms.<alias>.", &self.transforms),
            ("predicates.<alias>.", &self.predicates),
        ];
        for (prefix, specs) in groups {
            out.extend(specs.iter().map(|s| Described {
                prefix,
                def: (s.config_def)(),
            }));
        }
        out
    }

    /// The connectors compiled into this binary.
    pub fn connectors(&self) -> &[ConnectorSpec] {
        &self.connectors
    }

    /// Loads and validates a pipeline file, including the groups of the converters,
    /// transforms and predicates this registry knows. Groups of unknown (e.g. Wasm)
    /// components are checked when the component is loaded.
    pub fn validate_file(&self, path: &Path) -> Checked<PipelineConfig> {
        self.check_groups(pipeline::load(path, &self.connectors))
    }

    /// Adds the problems of the groups this registry can check to a loaded pipeline.
    pub fn check_groups(&self, mut checked: Checked<PipelineConfig>) -> Checked<PipelineConfig> {
        let Some(config) = &checked.value else {
            return checked;
        };
        let mut groups: Vec<(&Group, Option<ConfigDef>)> = Vec::new();
        for c in [
            &config.key_converter,
            &config.value_converter,
            &config.header_converter,
        ] {
            groups.push((&c.props, find(&self.converters, &c.type_name)));
        }
        for t in &config.transforms {
            groups.push((&t.props, find(&self.transforms, &t.type_name)));
        }
        for p in &config.predicates {
            groups.push((&p.props, find(&self.predicates, &p.type_name)));
        }
        let mut problems = sluice_config::Problems::new();
        for (group, def) in groups {
            match def {
                Some(def) => problems.extend(config.validate_group(group, &def).problems),
                None => tracing::debug!(
                    prefix = group.prefix(),
                    "no description; checked when loaded"
                ),
            }
        }
        checked.problems.extend(problems);
        Checked::new(checked.value, checked.problems)
    }
}

fn find(specs: &[ComponentSpec], name: &str) -> Option<ConfigDef> {
    specs
        .iter()
        .find(|s| s.names.iter().any(|n| n.eq_ignore_ascii_case(name.trim())))
        .map(|s| (s.config_def)())
}

/// Kafka Connect's standard converters (host/convert), by every name that selects them.
fn converters() -> Vec<ComponentSpec> {
    fn def(name: &str) -> ConfigDef {
        sluice_convert::config_def(name).expect("a converter sluice-convert knows")
    }
    vec![
        ComponentSpec {
            names: &["json", "org.apache.kafka.connect.json.JsonConverter"],
            config_def: || def("json"),
        },
        ComponentSpec {
            names: &["string", "org.apache.kafka.connect.storage.StringConverter"],
            config_def: || def("string"),
        },
        ComponentSpec {
            names: &[
                "bytes",
                "org.apache.kafka.connect.converters.ByteArrayConverter",
            ],
            config_def: || def("bytes"),
        },
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_config::{PropertyType, RawValue, value};

    /// Every declared default must parse as its type and pass its validator, or a
    /// pipeline that does not set the property would be rejected.
    #[test]
    fn converters_are_known_by_short_and_class_names() {
        let registry = Registry::new();
        for name in [
            "json",
            "JSON",
            "org.apache.kafka.connect.json.JsonConverter",
            "string",
            "bytes",
        ] {
            assert!(find(&registry.converters, name).is_some(), "{name}");
        }
        assert!(find(&registry.converters, "avro").is_none());
    }

    #[test]
    fn every_default_is_valid() {
        for d in Registry::new().described() {
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
    /// alternatives (one converter per side), so their keys are unique per component.
    #[test]
    fn every_property_is_documented_and_named_once() {
        let mut seen = std::collections::HashSet::new();
        for d in Registry::new().described() {
            let component: &str = if d.prefix == CONVERTER_PREFIX {
                &d.def.component
            } else {
                ""
            };
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
}
