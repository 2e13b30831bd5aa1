//! The Kinetica sink's declared properties: the 25 keys of the Java connector's
//! `KineticaSinkConnectorConfig`, with the same names, types, defaults and deprecated
//! aliases, so existing connector files keep working, the four
//! `kinetica.flatten_source.*` keys of its release/v7.0 branch (run by the bundled
//! `kinetica-flattener`, see [`flattener`]), and Sluice's own `kinetica.ssl.*` and
//! `kinetica.exactly_once.*`. [`SinkProps`] declares them once:
//! the definition `validate` and `describe` use, and the typed values the sink reads.
//!
//! Deliberate differences from the Java connector:
//! * `kinetica.password` is a password (hidden everywhere), not a plain string that
//!   showed up in task configs and REST output.
//! * `kinetica.timeout` defaults to `0` (no timeout): that is what the Java code did; its
//!   README's "default = 1000" was never in effect. Keeping the effective default means a
//!   migrated file behaves the same; set a timeout explicitly (the quickstart files use
//!   1000).
//! * The nine deprecated names are aliases of their replacements rather than properties
//!   of their own, so their documentation cannot name the wrong replacement (the Java
//!   `kinetica.allow_schema_evolution` named itself), the new name always wins when both
//!   are given, and a warning names the new name.
//! * Aliases are resolved before any check, so the cross-property checks (destination
//!   names against topics) see `kinetica.dest_table_override` too, which the Java
//!   connector did not check, and nothing mutates the caller's properties.
//! * The `kinetica.schema_evolution.*` options are visible only while
//!   `kinetica.schema_evolution.enabled` is `true` (Kafka Connect's `Recommender`
//!   visibility), since they do nothing otherwise.

use sluice_config::pipeline::PipelineConfig;
use sluice_config::settings::Setting;
use sluice_config::{
    CheckIssue, ConfigDef, ConnectorKind, ConnectorSpec, ParsedConfig, Secret, Validator,
    config_enum, settings,
};
use sluice_connect::BundledFlattener;

use crate::settings::{SettingsError, SinkSettings, Subscription, keys};

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

settings! {
    /// The sink's properties as configured: aliases resolved, defaults applied, values
    /// checked. [`SinkSettings`] is what the sink runs with, derived from them. Declared
    /// in the Java connector's display order.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SinkProps {
        const COMPONENT = CONNECTOR_NAME;
        const GROUP = GROUP;
        pub mod names;

        /// URL of the Kinetica head node, e.g. `http://localhost:9191`.
        #[property(URL = "kinetica.url", high, required, display("Kinetica URL"),
            validator(Validator::Url))]
        pub url: String,
        /// User to authenticate as. Empty: no authentication.
        #[property(USERNAME = "kinetica.username", medium, default(""), display("Username"))]
        pub username: String,
        /// Password of `kinetica.username`. Never logged or shown; use `${env:…}` or
        /// `${file:…}` to keep it out of the pipeline file.
        #[property(PASSWORD = "kinetica.password", medium, default(""), display("Password"))]
        pub password: Secret,
        /// Kinetica schema for tables whose name is not schema-qualified. Empty: the
        /// user's default schema.
        #[property(SCHEMA_NAME = "kinetica.tables.schema_name", high, default(""),
            display("Schema Name"), aliases(&["kinetica.collection_name"]))]
        pub schema_name: String,
        /// Put in front of generated table names (not of
        /// `kinetica.tables.destination_name` entries). Trimmed.
        #[property(PREFIX = "kinetica.tables.prefix", high, default(""),
            display("Table Prefix"), aliases(&["kinetica.table_prefix"]))]
        pub prefix: String,
        /// Table-name override: one table name, or a comma-separated list matching
        /// `topics` position by position. Not usable with `topics.regex`.
        #[property(DESTINATION_NAME = "kinetica.tables.destination_name", high, default(""),
            display("Destination Table Name"), aliases(&["kinetica.dest_table_override"]))]
        pub destination_name: String,
        /// Timeout of each request to Kinetica, in ms; 0 means no timeout (the Java
        /// connector's effective default).
        #[property(TIMEOUT = "kinetica.timeout", low, default(0), display("Timeout (ms)"),
            validator(Validator::at_least(0.0)))]
        pub timeout_ms: i32,
        /// Most records sent in one insert request (per worker rank with multi-head
        /// ingest).
        #[property(BATCH_SIZE = "kinetica.batch_size", low, default(10_000),
            display("Batch Size"), validator(Validator::at_least(1.0)))]
        pub batch_size: i32,
        /// Create a missing destination table from the record schema.
        #[property(CREATE_TABLE = "kinetica.tables.create_table", low, default(true),
            display("Create Table"), aliases(&["kinetica.create_table"]))]
        pub create_table: bool,
        /// true: the table is named after the topic; false: after the record's schema
        /// name (or string key for schemaless records).
        #[property(SINGLE_TABLE_PER_TOPIC = "kinetica.tables.single_table_per_topic", low,
            default(false), display("Single Table per Topic"),
            aliases(&["kinetica.single_table_per_topic"]))]
        pub single_table_per_topic: bool,
        /// With schema evolution: add fields that are new in a record's schema (and new
        /// keys of schemaless records) as nullable columns, and write their values.
        #[property(ADD_NEW_FIELDS_AS_COLUMNS = "kinetica.schema_evolution.add_new_fields_as_columns",
            low, default(false), display("Add New Fields as Columns"),
            aliases(&["kinetica.add_new_fields_as_columns"]),
            visible_when(EVOLUTION_ENABLED, true))]
        pub add_new_fields_as_columns: bool,
        /// With schema evolution: make required columns nullable when a record's schema
        /// no longer has their field, or has it as optional.
        #[property(MAKE_MISSING_FIELD_NULLABLE = "kinetica.schema_evolution.make_missing_field_nullable",
            low, default(false), display("Make Missing Fields Nullable"),
            aliases(&["kinetica.make_missing_field_nullable"]),
            visible_when(EVOLUTION_ENABLED, true))]
        pub make_missing_field_nullable: bool,
        /// How many times a failed insert request is tried again.
        #[property(RETRY_COUNT = "kinetica.retry_count", low, default(1), display("Retry Count"),
            validator(Validator::at_least(1.0)))]
        pub retry_count: i32,
        /// Adapt destination tables when record schemas change (see the two
        /// `kinetica.schema_evolution.*` options; docs/schema-evolution.md).
        #[property(EVOLUTION_ENABLED = "kinetica.schema_evolution.enabled", low, default(false),
            display("Enable Schema Evolution"), aliases(&["kinetica.allow_schema_evolution"]))]
        pub evolution_enabled: bool,
        /// Insert option `update_on_existing_pk`: a record whose primary key exists
        /// replaces the row (upsert).
        #[property(UPDATE_ON_EXISTING_PK = "kinetica.tables.update_on_existing_pk", low,
            default(true), display("Update on Existing PK"),
            aliases(&["kinetica.update_on_existing_pk"]))]
        pub update_on_existing_pk: bool,
        /// Send each record straight to the worker rank that owns its shard.
        #[property(ENABLE_MULTIHEAD = "kinetica.enable_multihead", low, default(true),
            display("Enable Multi-head Ingest"))]
        pub enable_multihead: bool,
        /// Sluice's own: a PEM file of the CA certificates to trust for an `https://`
        /// `kinetica.url` (and the worker ranks' URLs), instead of the system's roots.
        /// Empty: the system's roots. The Java connector had no such property (its
        /// client used the JVM's trust store); see docs/security.md.
        #[property(SSL_CA_LOCATION = "kinetica.ssl.ca.location", medium, default(""),
            display("CA Certificates File"))]
        pub ssl_ca_location: String,
        /// Sluice's own: check that Kinetica's certificate names the host of
        /// `kinetica.url`. false (with `kinetica.ssl.ca.location`) checks only that a
        /// CA of that file signed it, and logs a warning at start-up.
        #[property(SSL_ENDPOINT_IDENTIFICATION = "kinetica.ssl.endpoint.identification.enable",
            low, default(true), display("Verify Host Name"))]
        pub ssl_endpoint_identification: bool,
        /// Sluice's own: write each record exactly once, also into tables without a
        /// primary key, by keeping the offsets with the rows (docs/runtime.md,
        /// "Delivery guarantee"). Off by default because it adds three columns to
        /// every row, so tables the Java connector wrote would need them added first.
        #[property(EXACTLY_ONCE = "kinetica.exactly_once.enable", medium, default(false),
            display("Exactly-once Delivery"))]
        pub exactly_once: bool,
        /// With exactly-once: the table that keeps each pipeline's offsets per
        /// topic-partition (created if missing; in `kinetica.tables.schema_name` unless
        /// qualified).
        #[property(OFFSETS_TABLE = "kinetica.exactly_once.offsets_table", low,
            default("sluice_offsets"), display("Exactly-once Offsets Table"),
            visible_when(EXACTLY_ONCE, true))]
        pub offsets_table: String,
        /// With exactly-once: the column of each row holding its record's topic.
        #[property(TOPIC_COLUMN = "kinetica.exactly_once.topic_column", low,
            default("kafka_topic"), display("Topic Column"), visible_when(EXACTLY_ONCE, true))]
        pub topic_column: String,
        /// With exactly-once: the column of each row holding its record's partition.
        #[property(PARTITION_COLUMN = "kinetica.exactly_once.partition_column", low,
            default("kafka_partition"), display("Partition Column"),
            visible_when(EXACTLY_ONCE, true))]
        pub partition_column: String,
        /// With exactly-once: the column of each row holding its record's offset.
        #[property(OFFSET_COLUMN = "kinetica.exactly_once.offset_column", low,
            default("kafka_offset"), display("Offset Column"), visible_when(EXACTLY_ONCE, true))]
        pub offset_column: String,
        /// Flatten nested structs, maps and arrays into columns before rows are built,
        /// by running the bundled `kinetica-flattener` component as the pipeline's last
        /// step (the Java connector's release/v7.0 flattening, without its bugs:
        /// connectors/kinetica-sink/README.md, "Flattening"). A pipeline's own
        /// `flattener` runs instead when it names one.
        #[property(FLATTEN_ENABLED = "kinetica.flatten_source.enabled", low, default(false),
            display("Flatten Source"))]
        pub flatten_enabled: bool,
        /// With flattening: what joins the field names of a nested column
        /// (`customer` → `address` → `city` gives `customer_address_city`). Taken
        /// literally.
        #[property(FLATTEN_FIELD_NAME_DELIMITER = "kinetica.flatten_source.field_name_delimiter",
            low, default("_"), display("Flattened Field Name Delimiter"),
            visible_when(FLATTEN_ENABLED, true))]
        pub flatten_field_name_delimiter: String,
        /// With flattening: what becomes of arrays. CONVERT_TO_STRING: one string
        /// column, the elements joined with the separator; TAKE_FIRST_VALUE: the first
        /// element (null when empty), flattened like the field itself; KEEP_ARRAYS
        /// (Sluice's own): arrays of numbers, booleans or strings become Kinetica
        /// `array(T)` columns, other arrays strings as in CONVERT_TO_STRING.
        #[property(FLATTEN_ARRAY_MODE = "kinetica.flatten_source.array_flattening_mode", low,
            default(ArrayFlatteningMode::ConvertToString), display("Array Flattening Mode"),
            visible_when(FLATTEN_ENABLED, true))]
        pub flatten_array_mode: ArrayFlatteningMode,
        /// With flattening: what joins the elements of an array converted to a string.
        #[property(FLATTEN_ARRAY_SEPARATOR = "kinetica.flatten_source.array_element_separator",
            low, default(","), display("Array Element Separator"),
            visible_when(FLATTEN_ENABLED, true))]
        pub flatten_array_separator: String,
    }
}

config_enum! {
    /// `kinetica.flatten_source.array_flattening_mode`: the values of the
    /// `kinetica-flattener` component's `array_flattening_mode`.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum ArrayFlatteningMode {
        /// One string column, the elements joined with the separator.
        ConvertToString = "CONVERT_TO_STRING",
        /// The first element, flattened like the field itself.
        TakeFirstValue = "TAKE_FIRST_VALUE",
        /// Arrays of primitives as Kinetica array columns.
        KeepArrays = "KEEP_ARRAYS",
    }
}

/// The bundled flattener `kinetica.flatten_source.enabled=true` runs.
pub const FLATTENER_COMPONENT: &str = "kinetica-flattener";

/// The prefix of the flattener's settings: `kinetica.flatten_source.<p>` is the
/// component's property `<p>`.
pub const FLATTEN_PREFIX: &str = "kinetica.flatten_source.";

/// The bundled flattener and its properties, when `kinetica.flatten_source.enabled`.
pub fn flattener(config: &PipelineConfig) -> Option<BundledFlattener> {
    let props = SinkProps::from_parsed(&config.connector.config);
    if !props.flatten_enabled {
        return None;
    }
    let property = |key: &str, value: String| {
        let name = key
            .strip_prefix(FLATTEN_PREFIX)
            .expect("a flatten_source key");
        (name.to_owned(), value)
    };
    Some(BundledFlattener {
        component: FLATTENER_COMPONENT,
        enabled_by: keys::FLATTEN_ENABLED,
        prefix: FLATTEN_PREFIX,
        properties: vec![
            property(
                keys::FLATTEN_FIELD_NAME_DELIMITER,
                props.flatten_field_name_delimiter,
            ),
            property(
                keys::FLATTEN_ARRAY_MODE,
                props.flatten_array_mode.to_text().unwrap_or_default(),
            ),
            property(keys::FLATTEN_ARRAY_SEPARATOR, props.flatten_array_separator),
        ],
    })
}

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
    SinkProps::config_def()
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

/// Builds the sink's typed settings from validated values: the connector's (`connector`)
/// and the pipeline's (`pipeline`, for `topics` and `topics.regex`), read in their typed
/// form.
pub fn settings(
    connector: &ParsedConfig,
    pipeline: &ParsedConfig,
) -> Result<SinkSettings, SettingsError> {
    let subscription = Subscription::from_values(
        pipeline.try_list(keys::TOPICS).unwrap_or_default(),
        pipeline.try_string(keys::TOPICS_REGEX).unwrap_or_default(),
    )?;
    SinkSettings::new(SinkProps::from_parsed(connector), subscription)
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
    use sluice_config::{Origin, PropertyDef, RawProperties};

    fn pipeline(pairs: &[(&str, &str)]) -> sluice_config::Checked<PipelineConfig> {
        let mut all = vec![("name", "p"), ("connector.class", CONNECTOR_NAME)];
        all.extend_from_slice(pairs);
        let raw = RawProperties::from_pairs(Origin::file("p.properties"), all);
        PipelineConfig::from_raw(&raw, &[connector_spec()])
    }

    #[test]
    fn declares_the_25_keys_of_the_java_connector_and_sluices_own() {
        let def = config_def();
        let (own, java): (Vec<_>, Vec<_>) = def.properties.iter().partition(|p| {
            p.name.starts_with("kinetica.exactly_once.") || p.name.starts_with("kinetica.ssl.")
        });
        // The four `kinetica.flatten_source.*` keys are the Java connector's too, from
        // its release/v7.0 branch.
        let (v7, head): (Vec<&PropertyDef>, Vec<&PropertyDef>) = java
            .into_iter()
            .partition(|p| p.name.starts_with(FLATTEN_PREFIX));
        let names: usize = head.iter().map(|p| 1 + p.deprecated_aliases.len()).sum();
        assert_eq!(names, 25);
        assert_eq!(v7.len(), 4);
        assert_eq!(own.len(), 7);
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
        // single_table_per_topic; the alias is checked here like the new name.
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

    #[test]
    fn typed_values_reach_the_settings_through_aliases() {
        let checked = pipeline(&[
            (keys::URL, "http://h:9191/"),
            ("topics", "a, b"),
            (keys::PASSWORD, " pw "),
            ("kinetica.allow_schema_evolution", "TRUE"),
            ("kinetica.collection_name", "S"),
            (keys::TIMEOUT, "1500"),
            (keys::BATCH_SIZE, "5"),
        ]);
        let (p, _warnings) = checked.into_result().expect("valid");
        let s = settings(&p.connector.config, &p.framework).unwrap();
        assert_eq!(s.url, "http://h:9191");
        assert_eq!(s.password.expose(), " pw ");
        assert!(s.schema_evolution.enabled);
        assert_eq!(s.schema_name, "S");
        assert_eq!(s.timeout, Some(std::time::Duration::from_millis(1500)));
        assert_eq!(s.batch_size, 5);
        assert_eq!(
            s.subscription,
            Subscription::Topics(vec!["a".into(), "b".into()])
        );
    }

    #[test]
    fn flatten_source_settings_become_the_bundled_flatteners_properties() {
        let (p, _) = pipeline(&[(keys::URL, "http://h:9191"), ("topics", "t")])
            .into_result()
            .expect("valid");
        assert_eq!(flattener(&p), None, "off by default");
        let (p, warnings) = pipeline(&[
            (keys::URL, "http://h:9191"),
            ("topics", "t"),
            (keys::FLATTEN_ENABLED, "true"),
            (keys::FLATTEN_FIELD_NAME_DELIMITER, "__"),
            (keys::FLATTEN_ARRAY_MODE, "take_first_value"),
        ])
        .into_result()
        .expect("valid");
        assert!(warnings.is_empty(), "{warnings}");
        let f = flattener(&p).expect("enabled");
        assert_eq!(f.component, "kinetica-flattener");
        assert_eq!(f.enabled_by, "kinetica.flatten_source.enabled");
        assert_eq!(
            f.properties,
            [
                ("field_name_delimiter".to_owned(), "__".to_owned()),
                (
                    "array_flattening_mode".to_owned(),
                    "TAKE_FIRST_VALUE".to_owned()
                ),
                ("array_element_separator".to_owned(), ",".to_owned()),
            ]
        );
    }

    #[test]
    fn an_unknown_array_mode_is_refused_naming_the_property_and_the_modes() {
        let problems = pipeline(&[
            (keys::URL, "http://h:9191"),
            ("topics", "t"),
            (keys::FLATTEN_ENABLED, "true"),
            (keys::FLATTEN_ARRAY_MODE, "FIRST"),
        ])
        .problems;
        let error = problems.errors().next().expect("a bad mode");
        assert_eq!(error.property.as_deref(), Some(keys::FLATTEN_ARRAY_MODE));
        assert!(
            error
                .message
                .contains("CONVERT_TO_STRING, TAKE_FIRST_VALUE, KEEP_ARRAYS"),
            "{}",
            error.message
        );
    }

    #[test]
    fn evolution_options_are_visible_only_with_evolution_enabled() {
        let def = config_def();
        for key in [
            keys::ADD_NEW_FIELDS_AS_COLUMNS,
            keys::MAKE_MISSING_FIELD_NULLABLE,
        ] {
            let when = def.get(key).unwrap().visible_when.as_ref().unwrap();
            assert_eq!(
                (&*when.property, &*when.equals),
                (keys::EVOLUTION_ENABLED, "true")
            );
        }
        let enabled = def.get(keys::EVOLUTION_ENABLED).unwrap();
        assert_eq!(enabled.dependents.len(), 2);
    }
}
