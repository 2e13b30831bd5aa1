//! The Kinetica source's properties: the seven keys of the Java connector's
//! `KineticaSourceConnectorConfig`, same names, types and defaults, so its
//! `.properties` files keep working. Deliberate differences: `kinetica.password` is a
//! password (hidden everywhere), and `kinetica.table_names` is a list (trimmed, so
//! `a, b` names `b`, where Java kept the space).

use sluice_config::{
    CheckIssue, ConfigDef, ConnectorKind, ConnectorSpec, ParsedConfig, Secret, Validator, settings,
};

/// Sluice's name for the connector, accepted in `connector.class`.
pub const CONNECTOR_NAME: &str = "kinetica-source";

/// The `connector.class` values of the Kafka Connect connector this replaces.
pub const JAVA_CLASS_NAMES: &[&str] = &[
    "com.kinetica.kafka.KineticaSourceConnector",
    "KineticaSourceConnector",
    "KineticaSource",
];

settings! {
    /// The source's properties, in the Java connector's display order.
    #[derive(Debug, Clone, PartialEq)]
    pub struct SourceProps {
        const COMPONENT = CONNECTOR_NAME;
        const GROUP = "Kinetica Properties";
        pub mod names;

        /// The URL of the Kinetica head node (`http://host:9191`); the table monitors'
        /// ZMQ socket is on the same host.
        #[property(URL = "kinetica.url", high, required, display("URL"), validator(Validator::Url))]
        pub url: String,
        /// Timeout of each request to Kinetica, in milliseconds; 0: none.
        #[property(TIMEOUT = "kinetica.timeout", low, default(0), display("Timeout"),
            validator(Validator::at_least(0.0)))]
        pub timeout: i32,
        /// The tables to stream to Kafka, comma-separated (`schema.table` or a table of
        /// the default schema). Split across `tasks.max` tasks as the Java connector
        /// splits them.
        #[property(TABLE_NAMES = "kinetica.table_names", high, required, display("Table Names"),
            validator(Validator::NonEmpty))]
        pub table_names: Vec<String>,
        /// Prepended to each table's name to make its topic (`Tweets.` +
        /// `TEST.outKafkaConnectorTest`).
        #[property(TOPIC_PREFIX = "kinetica.topic_prefix", medium, default(""), display("Topic Prefix"))]
        pub topic_prefix: String,
        /// The version of each table's value schema, one per table (comma-separated), or
        /// one for all; empty: 1.
        #[property(SCHEMA_VERSION = "kinetica.kafka_schema_version", medium, default(""),
            display("Kafka Schema Version"))]
        pub schema_version: String,
        /// Kinetica user name.
        #[property(USERNAME = "kinetica.username", medium, default(""), display("Username"))]
        pub username: String,
        /// Kinetica password. Hidden everywhere.
        #[property(PASSWORD = "kinetica.password", medium, display("Password"))]
        pub password: Option<Secret>,
        /// Sluice's: the topic that receives the watched tables' update and delete
        /// events (table, operation, count of rows, time; Kinetica reports counts, not
        /// the rows: docs/kinetica-source.md). Empty: none are published.
        #[property(EVENTS_TOPIC = "kinetica.source.events_topic", medium, default(""),
            display("Update and Delete Events Topic"))]
        pub events_topic: String,
        /// Sluice's: a column of every table whose value grows with each inserted row (a
        /// sequence the writer assigns, or an insert timestamp no two rows share): an
        /// `int`, `long` or `timestamp` column, not nullable. With it, each record's
        /// position is the row's value, stored in Kafka with the records, and a restarted
        /// source first reads the rows it missed (`/get/records` filtered and ordered by
        /// the column), then follows the monitor, without a gap or a duplicate at the seam.
        /// A table's first run publishes its existing rows too. Empty: rows inserted while
        /// the pipeline is not running are not published (docs/kinetica-source.md).
        #[property(TRACKING_COLUMN = "kinetica.source.tracking_column", medium, default(""),
            display("Tracking Column"))]
        pub tracking_column: String,
    }
}

/// The connector's identity and properties for the registry.
pub fn connector_spec() -> ConnectorSpec {
    ConnectorSpec {
        name: CONNECTOR_NAME,
        class_names: JAVA_CLASS_NAMES,
        kind: ConnectorKind::Source,
        config_def,
        check: cross_check,
    }
}

/// The source's declared properties, in the Java connector's display order.
pub fn config_def() -> ConfigDef {
    SourceProps::config_def()
}

/// The Java connector's check of `kinetica.kafka_schema_version` against
/// `kinetica.table_names`: empty, one value, or one per table.
fn cross_check(connector: &ParsedConfig, _pipeline: &ParsedConfig) -> Vec<CheckIssue> {
    let props = SourceProps::from_parsed(connector);
    let versions: Vec<&str> = props.schema_version.split(',').map(str::trim).collect();
    let blank = props.schema_version.trim().is_empty();
    if blank || versions.len() == 1 || versions.len() == props.table_names.len() {
        let bad = versions
            .iter()
            .find(|v| !v.is_empty() && v.parse::<i32>().is_err());
        return match bad {
            Some(v) if !blank => vec![CheckIssue {
                property: names::SCHEMA_VERSION,
                message: format!("`{v}` is not a schema version (an integer)"),
            }],
            _ => Vec::new(),
        };
    }
    vec![CheckIssue {
        property: names::SCHEMA_VERSION,
        message: format!(
            "expected one version per table ({} tables, {} versions): give one per table, \
             comma-separated, one for all, or none",
            props.table_names.len(),
            versions.len()
        ),
    }]
}

/// The schema version of the table at `index` (the Java connector's: 1 when unset).
pub fn schema_version(props: &SourceProps, index: usize) -> i32 {
    let versions: Vec<&str> = props.schema_version.split(',').map(str::trim).collect();
    let one = if versions.len() == 1 {
        versions[0]
    } else {
        versions.get(index).copied().unwrap_or("")
    };
    one.parse().unwrap_or(1)
}
