//! The Kinetica sink's declared properties: the 25 keys of the Java connector's
//! `KineticaSinkConnectorConfig` (reference §1.1), with the same names, types, defaults
//! and deprecated aliases, so existing connector files keep working.
//!
//! Deliberate differences from the Java connector (reference §8):
//! * `kinetica.password` is a password (hidden everywhere), not a plain string (§8.5).
//! * `kinetica.timeout` defaults to `0` (no timeout): that is what the Java code did; its
//!   README's "default = 1000" was never in effect (§8.1). Keeping the effective default
//!   means a migrated file behaves the same; set a timeout explicitly (the quickstart
//!   files use 1000).
//! * The nine deprecated names are aliases of their replacements rather than properties
//!   of their own, so their documentation cannot name the wrong replacement (§8.6), the
//!   new name always wins when both are given, and a warning names the new name.
//! * Aliases are resolved before any check, so the cross-property checks (destination
//!   names against topics) see `kinetica.dest_table_override` too (§8.2), and nothing
//!   mutates the caller's properties (§8.4).

use std::collections::BTreeMap;

use sluice_config::{
    CheckIssue, ConfigDef, ConnectorKind, ConnectorSpec, Importance, ParsedConfig, PropertyDef,
    PropertyType, Validator,
};

use crate::settings::{SettingsError, SinkSettings, keys};

/// Sluice's name for the connector, accepted in `connector.class`.
pub const CONNECTOR_NAME: &str = "kinetica-sink";

/// The `connector.class` values of the Kafka Connect connector this replaces (the full
/// class name, and the short aliases Kafka Connect also accepts).
pub const JAVA_CLASS_NAMES: &[&str] = &[
    "com.kinetica.kafka.KineticaSinkConnector",
    "KineticaSinkConnector",
    "KineticaSink",
];

/// The Java connector's ConfigDef group, kept for `describe`.
pub const GROUP: &str = "Kinetica Properties";

/// How the pipeline grammar finds and validates this connector.
pub fn connector_spec() -> ConnectorSpec {
    ConnectorSpec {
        name: CONNECTOR_NAME,
        class_names: JAVA_CLASS_NAMES,
        kind: ConnectorKind::Sink,
        config_def,
        check: cross_check,
    }
}

/// The sink's declared properties, in the Java connector's display order.
pub fn config_def() -> ConfigDef {
    use Importance::{High, Low, Medium};
    use PropertyType::{Boolean, Int, Password, String};
    let prop = |name, ty, importance, display, doc| {
        PropertyDef::new(name, ty, doc)
            .importance(importance)
            .group(GROUP)
            .display(display)
    };
    ConfigDef::new(
        CONNECTOR_NAME,
        vec![
            prop(keys::URL, String, High, "Kinetica URL",
                "URL of the Kinetica head node, e.g. `http://localhost:9191`.")
                .required()
                .validator(Validator::Url),
            prop(keys::USERNAME, String, Medium, "Username",
                "User to authenticate as. Empty: no authentication."),
            prop(keys::PASSWORD, Password, Medium, "Password",
                "Password of `kinetica.username`. Never logged or shown; use `${env:…}` or `${file:…}` to keep it out of the pipeline file."),
            prop(keys::SCHEMA_NAME, String, High, "Schema Name",
                "Kinetica schema for tables whose name is not schema-qualified. Empty: the user's default schema.")
                .aliases(&["kinetica.collection_name"]),
            prop(keys::PREFIX, String, High, "Table Prefix",
                "Put in front of generated table names (not of `kinetica.tables.destination_name` entries). Trimmed.")
                .aliases(&["kinetica.table_prefix"]),
            prop(keys::DESTINATION_NAME, String, High, "Destination Table Name",
                "Table-name override: one table name, or a comma-separated list matching `topics` position by position. Not usable with `topics.regex`.")
                .aliases(&["kinetica.dest_table_override"]),
            prop(keys::TIMEOUT, Int, Low, "Timeout (ms)",
                "Timeout of each request to Kinetica, in ms; 0 means no timeout (the Java connector's effective default).")
                .default("0")
                .validator(Validator::at_least(0.0)),
            prop(keys::BATCH_SIZE, Int, Low, "Batch Size",
                "Most records sent in one insert request (per worker rank with multi-head ingest).")
                .default("10000")
                .validator(Validator::at_least(1.0)),
            prop(keys::CREATE_TABLE, Boolean, Low, "Create Table",
                "Create a missing destination table from the record schema.")
                .default("true")
                .aliases(&["kinetica.create_table"]),
            prop(keys::SINGLE_TABLE_PER_TOPIC, Boolean, Low, "Single Table per Topic",
                "true: the table is named after the topic; false: after the record's schema name (or string key for schemaless records).")
                .default("false")
                .aliases(&["kinetica.single_table_per_topic"]),
            prop(keys::ADD_NEW_FIELDS_AS_COLUMNS, Boolean, Low, "Add New Fields as Columns",
                "With schema evolution: add fields that are new in a record's schema as nullable columns.")
                .default("false")
                .aliases(&["kinetica.add_new_fields_as_columns"]),
            prop(keys::MAKE_MISSING_FIELD_NULLABLE, Boolean, Low, "Make Missing Fields Nullable",
                "With schema evolution: make columns nullable when a record's schema no longer has their field.")
                .default("false")
                .aliases(&["kinetica.make_missing_field_nullable"]),
            prop(keys::RETRY_COUNT, Int, Low, "Retry Count",
                "How many times a failed insert request is tried again.")
                .default("1")
                .validator(Validator::at_least(1.0)),
            prop(keys::EVOLUTION_ENABLED, Boolean, Low, "Enable Schema Evolution",
                "Adapt destination tables when record schemas change (see the two `kinetica.schema_evolution.*` options).")
                .default("false")
                .aliases(&["kinetica.allow_schema_evolution"]),
            prop(keys::UPDATE_ON_EXISTING_PK, Boolean, Low, "Update on Existing PK",
                "Insert option `update_on_existing_pk`: a record whose primary key exists replaces the row (upsert).")
                .default("true")
                .aliases(&["kinetica.update_on_existing_pk"]),
            prop(keys::ENABLE_MULTIHEAD, Boolean, Low, "Enable Multi-head Ingest",
                "Send each record straight to the worker rank that owns its shard.")
                .default("true"),
        ],
    )
}

/// Runs the sink's own start-up checks (URL scheme, dotted prefixes, destination names
/// against `topics`, table-name collisions) on the resolved values, so `sluice validate`
/// reports what the sink would refuse at start.
fn cross_check(connector: &ParsedConfig, pipeline: &ParsedConfig) -> Vec<CheckIssue> {
    match settings(connector, pipeline) {
        Ok(_) => Vec::new(),
        Err(e) => vec![issue(e)],
    }
}

/// Builds the sink's typed settings from validated pipeline values.
pub fn settings(
    connector: &ParsedConfig,
    pipeline: &ParsedConfig,
) -> Result<SinkSettings, SettingsError> {
    let mut props: BTreeMap<String, String> = connector.expose_as_strings();
    let mut framework = pipeline.expose_as_strings();
    for key in [keys::TOPICS, keys::TOPICS_REGEX] {
        if let Some(value) = framework.remove(key) {
            props.insert(key.to_owned(), value);
        }
    }
    SinkSettings::from_props(&props)
}

fn issue(error: SettingsError) -> CheckIssue {
    use crate::naming::NamingConfigError;
    match error {
        SettingsError::Missing(key) => CheckIssue {
            property: key,
            message: "missing required property".to_owned(),
        },
        SettingsError::Invalid { key, problem } => CheckIssue {
            property: key,
            message: problem,
        },
        SettingsError::Naming(e) => CheckIssue {
            property: match e {
                NamingConfigError::ConflictingTopic { .. } => keys::TOPICS,
                _ => keys::DESTINATION_NAME,
            },
            message: e.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_config::pipeline::PipelineConfig;
    use sluice_config::{Origin, RawProperties};

    fn pipeline(pairs: &[(&str, &str)]) -> sluice_config::Checked<PipelineConfig> {
        let mut all = vec![("name", "p"), ("connector.class", CONNECTOR_NAME)];
        all.extend_from_slice(pairs);
        let raw = RawProperties::from_pairs(Origin::file("p.properties"), all);
        PipelineConfig::from_raw(&raw, &[connector_spec()])
    }

    #[test]
    fn declares_the_25_keys_of_the_java_connector() {
        let def = config_def();
        let names: usize = def
            .properties
            .iter()
            .map(|p| 1 + p.deprecated_aliases.len())
            .sum();
        assert_eq!(names, 25);
        assert!(
            def.properties
                .iter()
                .all(|p| p.group == GROUP && !p.doc.is_empty())
        );
        assert!(def.get(keys::PASSWORD).unwrap().is_secret());
        assert!(def.get(keys::URL).unwrap().is_required());
        let evolution = def.lookup("kinetica.allow_schema_evolution").unwrap();
        assert_eq!(evolution.name, keys::EVOLUTION_ENABLED);
    }

    #[test]
    fn defaults_agree_with_the_sinks_own_settings() {
        let checked = pipeline(&[(keys::URL, "http://h:9191"), ("topics", "t")]);
        let (p, warnings) = checked.into_result().expect("valid");
        assert!(warnings.is_empty(), "{warnings}");
        let s = settings(&p.connector.config, &p.framework).unwrap();
        assert_eq!(s.timeout, None);
        assert_eq!(s.batch_size, 10_000);
        assert!(s.create_table && s.update_on_existing_pk && s.enable_multihead);
        assert_eq!(s.retry_count, 1);
    }

    #[test]
    fn deprecated_override_is_checked_against_topics() {
        // The Java connector only checked the new name, and only with
        // single_table_per_topic (§8.2); the alias is checked here like the new name.
        let checked = pipeline(&[
            (keys::URL, "http://h:9191"),
            ("topics", "a,b"),
            ("kinetica.dest_table_override", "x,y,z"),
        ]);
        let problems = checked.problems;
        let error = problems.errors().next().expect("a count mismatch");
        assert_eq!(error.property.as_deref(), Some(keys::DESTINATION_NAME));
        assert!(
            problems
                .warnings()
                .any(|w| w.message.contains(keys::DESTINATION_NAME))
        );
    }

    #[test]
    fn a_scheme_less_url_is_reported_at_validation() {
        let problems = pipeline(&[(keys::URL, "localhost:9191"), ("topics", "t")]).problems;
        let error = problems.errors().next().expect("bad URL");
        assert_eq!(error.property.as_deref(), Some(keys::URL));
    }

    #[test]
    fn java_class_names_select_the_connector() {
        for class in JAVA_CLASS_NAMES {
            let raw = RawProperties::from_pairs(
                Origin::file("p.properties"),
                [
                    ("name", "p"),
                    ("connector.class", class),
                    ("topics", "t"),
                    (keys::URL, "http://h:1"),
                ],
            );
            let checked = PipelineConfig::from_raw(&raw, &[connector_spec()]);
            assert_eq!(checked.value.expect(class).connector.name, CONNECTOR_NAME);
        }
    }
}
