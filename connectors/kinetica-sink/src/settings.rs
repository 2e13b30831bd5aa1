//! The sink's typed settings, built from the pipeline's validated properties.
//!
//! [`crate::config::SinkProps`] declares the properties and reads their validated,
//! typed values (deprecated aliases resolved, defaults applied); this module derives
//! what the sink runs with from them: a normalised URL, the subscription, the
//! destination-name overrides checked against it, and the checks no single property
//! can make.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use sluice_kinetica::{CaCertificates, TlsConfig};

use sluice_config::pipeline::pipeline_def;
use sluice_config::{ConfigDef, Options, Origin, ParsedConfig, Problems, RawProperties, validate};

use crate::config::{SinkProps, config_def, names};
use crate::naming::{DestinationOverrides, NamingConfigError, TableNamer};

/// Property names: every name [`SinkProps`] declares, and the pipeline's subscription
/// keys, which the sink needs for destination names.
pub mod keys {
    pub use crate::config::names::*;
    pub use sluice_config::pipeline::keys::{TOPICS, TOPICS_REGEX};
}

/// Secrets print as `[hidden]` (`Debug`, `Display`), so a settings dump, a log line or
/// an error message cannot leak them; only `expose()` reads them. The configuration's
/// secret type, which the HTTP client takes as it is.
pub use sluice_kinetica::Secret;

/// Where the pipeline's records come from, as far as table naming cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subscription {
    /// `topics=a,b,c`: the list, trimmed, in the order given.
    Topics(Vec<String>),
    /// `topics.regex=…`: topic names are only known when records arrive.
    Regex(String),
}

impl Subscription {
    /// The listed topics, in configured order; empty for `topics.regex`.
    pub fn topics(&self) -> &[String] {
        match self {
            Subscription::Topics(t) => t,
            Subscription::Regex(_) => &[],
        }
    }

    /// From the validated `topics` list and `topics.regex` (empty when not set).
    pub fn from_values(topics: &[String], regex: &str) -> Result<Subscription, SettingsError> {
        match (topics.is_empty(), regex.is_empty()) {
            (false, false) => Err(invalid(
                keys::TOPICS,
                format!(
                    "{} and {} are mutually exclusive",
                    keys::TOPICS,
                    keys::TOPICS_REGEX
                ),
            )),
            (true, false) => Ok(Subscription::Regex(regex.to_owned())),
            // No subscription at all is the runtime's error to report; the sink only
            // needs the list for destination names, and an empty list has none to match.
            _ => Ok(Subscription::Topics(topics.to_vec())),
        }
    }
}

/// `kinetica.schema_evolution.*`: whether and how the sink alters a table for a record
/// schema it does not fit (`crate::evolve`, docs/schema-evolution.md).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaEvolution {
    /// `kinetica.schema_evolution.enabled` (default false): the Java connector's switch for
    /// evolving tables to new record schemas (docs/reference/kinetica-connector-behaviour.md §4).
    pub enabled: bool,
    /// `kinetica.schema_evolution.add_new_fields_as_columns` (default false): during
    /// evolution, add new fields as nullable columns.
    pub add_new_fields_as_columns: bool,
    /// `kinetica.schema_evolution.make_missing_field_nullable` (default false): during
    /// evolution, make required columns that records no longer carry nullable.
    pub make_missing_field_nullable: bool,
}

/// `kinetica.exactly_once.*`, when `kinetica.exactly_once.enable=true`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExactlyOnceSettings {
    /// The offsets table, qualified with `kinetica.tables.schema_name` unless it names
    /// its own schema.
    pub offsets_table: String,
    /// The column holding each row's topic.
    pub topic_column: String,
    /// The column holding each row's partition.
    pub partition_column: String,
    /// The column holding each row's offset.
    pub offset_column: String,
}

/// Everything the Kinetica sink needs, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct SinkSettings {
    /// Head-node URL, e.g. `http://localhost:9191`, without a trailing `/`.
    pub url: String,
    /// `kinetica.username`; empty (the default) sends no `Authorization` header.
    pub username: String,
    /// `kinetica.password`, used with `username` for HTTP Basic auth; never printed.
    pub password: Secret,
    /// Kinetica schema for tables whose name is not schema-qualified; empty means the
    /// user's default schema.
    pub schema_name: String,
    /// Put in front of generated (not overridden) table names; already trimmed.
    pub prefix: String,
    /// `kinetica.tables.destination_name` exactly as configured; parsed into
    /// [`SinkSettings::overrides`].
    pub destination_name: String,
    /// Per-request timeout; `None` when `kinetica.timeout=0` (no timeout).
    pub timeout: Option<Duration>,
    /// Rows per `/insert/records` request (per worker rank with multi-head).
    pub batch_size: usize,
    /// `kinetica.tables.create_table` (default true): create a missing destination
    /// table from the first record's schema; when false, its records fail with
    /// [`crate::RecordError::TableMissing`].
    pub create_table: bool,
    /// `kinetica.tables.single_table_per_topic` (default false): name generated tables after the
    /// topic rather than the record's schema name or string key
    /// (docs/reference/kinetica-connector-behaviour.md §2.3).
    pub single_table_per_topic: bool,
    /// `kinetica.tables.update_on_existing_pk` (default true): upsert rows whose
    /// primary key exists; when false such rows are dropped (`ignore_existing_pk`).
    pub update_on_existing_pk: bool,
    /// How many times a request that failed with a retriable error is tried again.
    pub retry_count: u32,
    /// `kinetica.enable_multihead` (default true): send rows straight to the worker
    /// rank owning their shard key, rather than all through the head node
    /// (docs/reference/kinetica-rest-protocol.md §8).
    pub enable_multihead: bool,
    /// `kinetica.ssl.ca.location` (read and parsed) and
    /// `kinetica.ssl.endpoint.identification.enable`: how an `https` server's
    /// certificate is checked.
    pub tls: TlsConfig,
    /// The `kinetica.schema_evolution.*` settings.
    pub schema_evolution: SchemaEvolution,
    /// Exactly-once delivery (offsets kept with the rows); `None`: at-least-once.
    pub exactly_once: Option<ExactlyOnceSettings>,
    /// The pipeline's `topics` list or `topics.regex`, needed to pair destination-name
    /// overrides with topics.
    pub subscription: Subscription,
    /// The destination-name overrides, checked against the subscription.
    pub overrides: DestinationOverrides,
}

/// A property value the sink cannot work with. Messages name the property and, except
/// for secrets, the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    /// A required property (such as `kinetica.url`) is not set; holds its name.
    #[error("missing required property {0}")]
    Missing(&'static str),
    /// A property is set to a value the sink cannot use.
    #[error("{key}: {problem}")]
    Invalid {
        /// The property's name (its current one, even when set through an alias).
        key: &'static str,
        /// What is wrong, including the value unless the property is a secret.
        problem: String,
    },
    /// `kinetica.tables.destination_name` does not fit the subscription.
    #[error(transparent)]
    Naming(#[from] NamingConfigError),
}

fn invalid(key: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key,
        problem: problem.into(),
    }
}

impl SinkSettings {
    /// Derives the settings from the declared properties and the subscription. Fails on
    /// anything the sink cannot use, including an inconsistent destination-name list:
    /// those are start-up errors, never per-record surprises.
    pub fn new(
        props: SinkProps,
        subscription: Subscription,
    ) -> Result<SinkSettings, SettingsError> {
        let url = parse_url(&props.url)?;
        if props.prefix.contains('.') {
            // A dot would make the generated name look schema-qualified and silently
            // bypass `schema_name`, as it did in the Java connector.
            return Err(invalid(
                keys::PREFIX,
                format!(
                    "{:?} contains '.'; put the schema in {} instead",
                    props.prefix,
                    keys::SCHEMA_NAME
                ),
            ));
        }
        if props.schema_name.contains('.') {
            return Err(invalid(
                keys::SCHEMA_NAME,
                format!("{:?} must be a single name without '.'", props.schema_name),
            ));
        }
        let overrides = DestinationOverrides::parse(&props.destination_name, &subscription)?;
        let tls = tls_config(&props.ssl_ca_location, props.ssl_endpoint_identification)?;
        let exactly_once = props.exactly_once.then(|| ExactlyOnceSettings {
            offsets_table: if props.offsets_table.contains('.') || props.schema_name.is_empty() {
                props.offsets_table.clone()
            } else {
                format!("{}.{}", props.schema_name, props.offsets_table)
            },
            topic_column: props.topic_column.clone(),
            partition_column: props.partition_column.clone(),
            offset_column: props.offset_column.clone(),
        });
        let settings = SinkSettings {
            url,
            username: props.username,
            password: props.password,
            schema_name: props.schema_name,
            prefix: props.prefix,
            destination_name: props.destination_name,
            timeout: u64::try_from(props.timeout_ms)
                .ok()
                .filter(|ms| *ms > 0)
                .map(Duration::from_millis),
            batch_size: at_least_one(keys::BATCH_SIZE, props.batch_size)?,
            create_table: props.create_table,
            single_table_per_topic: props.single_table_per_topic,
            update_on_existing_pk: props.update_on_existing_pk,
            retry_count: at_least_one(keys::RETRY_COUNT, props.retry_count)?,
            enable_multihead: props.enable_multihead,
            tls,
            schema_evolution: SchemaEvolution {
                enabled: props.evolution_enabled,
                add_new_fields_as_columns: props.add_new_fields_as_columns,
                make_missing_field_nullable: props.make_missing_field_nullable,
            },
            exactly_once,
            subscription,
            overrides,
        };
        // Building the namer checks that no two listed topics generate one table name.
        TableNamer::new(&settings)?;
        Ok(settings)
    }

    /// The settings from plain string properties, for tests and tools that hold a map
    /// (current names or deprecated aliases, and `topics` / `topics.regex`): validated
    /// against the same declarations as a pipeline file, then [`crate::config::settings`].
    /// Absent keys take their defaults; keys the sink does not declare are ignored, as
    /// the Java task ignored them (`sluice validate` reports them in pipeline files).
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<SinkSettings, SettingsError> {
        let sink = config_def();
        let subscription = subscription_def();
        let raw = |def: &ConfigDef| {
            let pairs = props.iter().filter(|(k, _)| def.lookup(k).is_some());
            RawProperties::from_pairs(Origin::file("<properties>"), pairs)
        };
        let mut problems = Problems::new();
        let mut check = |def: &ConfigDef| -> Option<ParsedConfig> {
            validate(def, &raw(def), Options::default(), &mut problems)
        };
        match (check(&sink), check(&subscription)) {
            (Some(connector), Some(pipeline)) => crate::config::settings(&connector, &pipeline),
            _ => Err(first_error(&problems, props, &[&sink, &subscription])),
        }
    }
}

/// The pipeline's declarations of `topics` and `topics.regex`.
fn subscription_def() -> ConfigDef {
    let def = pipeline_def();
    let component = def.component.clone();
    let properties = def
        .properties
        .into_iter()
        .filter(|p| p.name == keys::TOPICS || p.name == keys::TOPICS_REGEX)
        .collect();
    ConfigDef::new(component, properties)
}

/// The first validation error as a [`SettingsError`], naming the property under its
/// declared name.
fn first_error(
    problems: &Problems,
    props: &BTreeMap<String, String>,
    defs: &[&ConfigDef],
) -> SettingsError {
    let error = problems
        .errors()
        .next()
        .expect("validation failed with an error");
    let key = error.property.as_deref().unwrap_or_default();
    let declared = defs.iter().find_map(|d| d.lookup(key));
    let name = names::ALL
        .iter()
        .chain(&[keys::TOPICS, keys::TOPICS_REGEX])
        .copied()
        .find(|n| declared.is_some_and(|d| d.name == *n))
        .expect("every declared name is in names::ALL");
    let given = declared.is_some_and(|d| props.keys().any(|k| d.answers_to(k)));
    if declared.is_some_and(|d| d.is_required()) && !given {
        SettingsError::Missing(name)
    } else {
        invalid(name, error.message.clone())
    }
}

/// A count the declaration already checked to be at least 1.
fn at_least_one<T: TryFrom<i32>>(key: &'static str, value: i32) -> Result<T, SettingsError> {
    T::try_from(value)
        .ok()
        .filter(|_| value >= 1)
        .ok_or_else(|| invalid(key, "must be at least 1"))
}

/// Reads the CA file (so `sluice validate` reports an unreadable one, as it does for
/// Kafka's trust stores) and checks the combination of the two `kinetica.ssl.*`
/// properties.
fn tls_config(ca_location: &str, verify_hostname: bool) -> Result<TlsConfig, SettingsError> {
    let ca = match ca_location.trim() {
        "" => None,
        path => Some(
            CaCertificates::from_file(Path::new(path))
                .map_err(|problem| invalid(keys::SSL_CA_LOCATION, problem))?,
        ),
    };
    if ca.is_none() && !verify_hostname {
        return Err(invalid(
            keys::SSL_ENDPOINT_IDENTIFICATION,
            format!(
                "false needs {}: hostname verification can only be turned off for \
                 certificates signed by the CAs of that file",
                keys::SSL_CA_LOCATION
            ),
        ));
    }
    Ok(TlsConfig {
        ca,
        verify_hostname,
    })
}

/// Checks the head-node URL up front (the Java sink only noticed a scheme-less URL when
/// `java.net.URL` threw an `IllegalArgumentException` at start) and drops a trailing `/`
/// so that endpoint paths can be appended.
fn parse_url(raw: &str) -> Result<String, SettingsError> {
    if raw.is_empty() {
        return Err(SettingsError::Missing(keys::URL));
    }
    let rest = raw
        .strip_prefix("http://")
        .or_else(|| raw.strip_prefix("https://"))
        .ok_or_else(|| {
            invalid(
                keys::URL,
                format!("{raw:?} must start with http:// or https:// (e.g. http://localhost:9191)"),
            )
        })?;
    let host = rest.split(['/', '?', '#']).next().unwrap_or_default();
    if host.is_empty() || host.starts_with(':') {
        return Err(invalid(keys::URL, format!("{raw:?} has no host")));
    }
    Ok(raw.trim_end_matches('/').to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    fn minimal() -> BTreeMap<String, String> {
        props(&[(keys::URL, "http://localhost:9191"), (keys::TOPICS, "t")])
    }

    #[test]
    fn defaults_match_the_declared_ones() {
        let s = SinkSettings::from_props(&minimal()).unwrap();
        assert_eq!(s.url, "http://localhost:9191");
        assert_eq!(s.username, "");
        assert!(s.password.expose().is_empty());
        assert_eq!(s.schema_name, "");
        assert_eq!(s.prefix, "");
        assert_eq!(s.timeout, None);
        assert_eq!(s.batch_size, 10_000);
        assert!(s.create_table);
        assert!(!s.single_table_per_topic);
        assert!(s.update_on_existing_pk);
        assert_eq!(s.retry_count, 1);
        assert!(s.enable_multihead);
        assert_eq!(s.tls, TlsConfig::default());
        assert_eq!(s.schema_evolution, SchemaEvolution::default());
        assert_eq!(s.subscription, Subscription::Topics(vec!["t".into()]));
        assert!(s.overrides.is_empty());
    }

    #[test]
    fn every_property_is_read() {
        let s = SinkSettings::from_props(&props(&[
            (keys::URL, "https://kinetica.example:8082/gpudb-0/"),
            (keys::USERNAME, "admin"),
            (keys::PASSWORD, " s3cret "),
            (keys::SCHEMA_NAME, "TEST"),
            (keys::PREFIX, " out_ "),
            (keys::DESTINATION_NAME, "a, b"),
            (keys::TIMEOUT, "1000"),
            (keys::BATCH_SIZE, "100"),
            (keys::CREATE_TABLE, "FALSE"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
            (keys::UPDATE_ON_EXISTING_PK, "false"),
            (keys::RETRY_COUNT, "3"),
            (keys::ENABLE_MULTIHEAD, "false"),
            (keys::EVOLUTION_ENABLED, "true"),
            (keys::ADD_NEW_FIELDS_AS_COLUMNS, "true"),
            (keys::MAKE_MISSING_FIELD_NULLABLE, "true"),
            (keys::TOPICS, "t1 , t2"),
        ]))
        .unwrap();
        assert_eq!(s.url, "https://kinetica.example:8082/gpudb-0");
        assert_eq!(s.username, "admin");
        assert_eq!(s.password.expose(), " s3cret ");
        assert_eq!(s.schema_name, "TEST");
        assert_eq!(s.prefix, "out_");
        assert_eq!(s.destination_name, "a, b");
        assert_eq!(s.timeout, Some(Duration::from_millis(1000)));
        assert_eq!(s.batch_size, 100);
        assert!(!s.create_table);
        assert!(s.single_table_per_topic);
        assert!(!s.update_on_existing_pk);
        assert_eq!(s.retry_count, 3);
        assert!(!s.enable_multihead);
        assert!(s.schema_evolution.enabled);
        assert!(s.schema_evolution.add_new_fields_as_columns);
        assert!(s.schema_evolution.make_missing_field_nullable);
        assert_eq!(
            s.subscription,
            Subscription::Topics(vec!["t1".into(), "t2".into()])
        );
        assert_eq!(s.overrides.len(), 2);
    }

    #[test]
    fn the_password_never_shows() {
        let mut p = minimal();
        p.insert(keys::PASSWORD.into(), "hunter2".into());
        let s = SinkSettings::from_props(&p).unwrap();
        let dump = format!("{s:?} {:?}", s.password);
        assert!(!dump.contains("hunter2"), "{dump}");
        assert!(dump.contains("[hidden]"));
    }

    #[test]
    fn url_must_be_present_and_absolute() {
        let err = SinkSettings::from_props(&props(&[])).unwrap_err();
        assert_eq!(err, SettingsError::Missing(keys::URL));
        for bad in ["localhost:9191", "ftp://h", "http://", "http://:9191"] {
            let err = SinkSettings::from_props(&props(&[(keys::URL, bad)])).unwrap_err();
            assert!(
                matches!(err, SettingsError::Invalid { key: keys::URL, .. }),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn numbers_and_booleans_are_checked() {
        for (key, value) in [
            (keys::TIMEOUT, "-1"),
            (keys::TIMEOUT, "soon"),
            (keys::BATCH_SIZE, "0"),
            (keys::RETRY_COUNT, "0"),
            (keys::CREATE_TABLE, "yes"),
            (keys::ENABLE_MULTIHEAD, "1"),
            (keys::SSL_ENDPOINT_IDENTIFICATION, "no"),
            (keys::SSL_CA_LOCATION, "/nonexistent/ca.pem"),
        ] {
            let mut p = minimal();
            p.insert(key.into(), value.into());
            let err = SinkSettings::from_props(&p).unwrap_err();
            assert!(
                matches!(err, SettingsError::Invalid { key: k, .. } if k == key),
                "{key}={value}: {err}"
            );
            assert!(err.to_string().starts_with(key), "{err}");
        }
    }

    #[test]
    fn dotted_prefix_or_schema_is_refused() {
        let mut p = minimal();
        p.insert(keys::PREFIX.into(), "s.out_".into());
        let err = SinkSettings::from_props(&p).unwrap_err();
        assert!(err.to_string().contains(keys::SCHEMA_NAME), "{err}");
        let mut p = minimal();
        p.insert(keys::SCHEMA_NAME.into(), "a.b".into());
        assert!(SinkSettings::from_props(&p).is_err());
    }

    #[test]
    fn hostname_verification_can_only_be_turned_off_with_a_ca_file() {
        let mut p = minimal();
        p.insert(keys::SSL_ENDPOINT_IDENTIFICATION.into(), "false".into());
        let err = SinkSettings::from_props(&p).unwrap_err();
        assert!(
            matches!(
                err,
                SettingsError::Invalid {
                    key: keys::SSL_ENDPOINT_IDENTIFICATION,
                    ..
                }
            ),
            "{err}"
        );
        assert!(err.to_string().contains(keys::SSL_CA_LOCATION), "{err}");
    }

    #[test]
    fn a_ca_file_without_certificates_names_the_property() {
        let path = std::env::temp_dir().join(format!("sluice-no-ca-{}.pem", std::process::id()));
        std::fs::write(&path, "just text\n").unwrap();
        let mut p = minimal();
        p.insert(keys::SSL_CA_LOCATION.into(), path.display().to_string());
        let err = SinkSettings::from_props(&p).unwrap_err();
        std::fs::remove_file(&path).unwrap();
        let text = err.to_string();
        assert!(text.starts_with(keys::SSL_CA_LOCATION), "{text}");
        assert!(text.contains("no PEM certificate"), "{text}");
    }

    #[test]
    fn subscription_is_a_list_or_a_regex() {
        let mut p = props(&[(keys::URL, "http://h:9191"), (keys::TOPICS_REGEX, "^t.*")]);
        let s = SinkSettings::from_props(&p).unwrap();
        assert_eq!(s.subscription, Subscription::Regex("^t.*".into()));
        p.insert(keys::TOPICS.into(), "t".into());
        assert!(SinkSettings::from_props(&p).is_err());
    }
}
