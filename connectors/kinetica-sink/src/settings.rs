//! The sink's typed settings, built from the pipeline's validated properties.
//!
//! The config layer declares the properties (see [`crate::config`]) and resolves
//! deprecated aliases; this module reads the *resolved* values under their current names
//! and turns them into types the sink can use without re-parsing strings. Absent keys take
//! the declared defaults, so a runtime (or a test) may pass only the keys it sets.

use std::collections::BTreeMap;
use std::time::Duration;

use crate::naming::{DestinationOverrides, NamingConfigError, TableNamer};

/// Property names, as declared in [`crate::config`].
pub mod keys {
    pub const URL: &str = "kinetica.url";
    pub const USERNAME: &str = "kinetica.username";
    pub const PASSWORD: &str = "kinetica.password";
    pub const SCHEMA_NAME: &str = "kinetica.tables.schema_name";
    pub const PREFIX: &str = "kinetica.tables.prefix";
    pub const DESTINATION_NAME: &str = "kinetica.tables.destination_name";
    pub const TIMEOUT: &str = "kinetica.timeout";
    pub const BATCH_SIZE: &str = "kinetica.batch_size";
    pub const CREATE_TABLE: &str = "kinetica.tables.create_table";
    pub const SINGLE_TABLE_PER_TOPIC: &str = "kinetica.tables.single_table_per_topic";
    pub const UPDATE_ON_EXISTING_PK: &str = "kinetica.tables.update_on_existing_pk";
    pub const RETRY_COUNT: &str = "kinetica.retry_count";
    pub const ENABLE_MULTIHEAD: &str = "kinetica.enable_multihead";
    pub const EVOLUTION_ENABLED: &str = "kinetica.schema_evolution.enabled";
    pub const ADD_NEW_FIELDS_AS_COLUMNS: &str =
        "kinetica.schema_evolution.add_new_fields_as_columns";
    pub const MAKE_MISSING_FIELD_NULLABLE: &str =
        "kinetica.schema_evolution.make_missing_field_nullable";
    /// Kafka Connect's subscription keys; the pipeline passes them through to the sink.
    pub const TOPICS: &str = "topics";
    pub const TOPICS_REGEX: &str = "topics.regex";
}

/// Secrets print as `[hidden]` (`Debug`) and have no `Display`, so a settings dump, a
/// log line or an error message cannot leak them; only `expose()` reads them.
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
    pub fn topics(&self) -> &[String] {
        match self {
            Subscription::Topics(t) => t,
            Subscription::Regex(_) => &[],
        }
    }
}

/// `kinetica.schema_evolution.*`. Read and carried so that a migrated configuration
/// validates, but the sink does not alter tables yet (see the crate docs).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SchemaEvolution {
    pub enabled: bool,
    pub add_new_fields_as_columns: bool,
    pub make_missing_field_nullable: bool,
}

/// Everything the Kinetica sink needs, typed.
#[derive(Debug, Clone, PartialEq)]
pub struct SinkSettings {
    /// Head-node URL, e.g. `http://localhost:9191`, without a trailing `/`.
    pub url: String,
    pub username: String,
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
    pub create_table: bool,
    pub single_table_per_topic: bool,
    pub update_on_existing_pk: bool,
    /// How many times a request that failed with a retriable error is tried again.
    pub retry_count: u32,
    pub enable_multihead: bool,
    pub schema_evolution: SchemaEvolution,
    pub subscription: Subscription,
    /// The destination-name overrides, checked against the subscription.
    pub overrides: DestinationOverrides,
}

/// A property value the sink cannot work with. Messages name the property and, except
/// for secrets, the offending value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SettingsError {
    #[error("missing required property {0}")]
    Missing(&'static str),
    #[error("{key}: {problem}")]
    Invalid { key: &'static str, problem: String },
    #[error(transparent)]
    Naming(#[from] NamingConfigError),
}

fn invalid(key: &'static str, problem: impl Into<String>) -> SettingsError {
    SettingsError::Invalid {
        key,
        problem: problem.into(),
    }
}

/// Reads typed values out of the property map, falling back to declared defaults.
struct Props<'a>(&'a BTreeMap<String, String>);

impl Props<'_> {
    fn string(&self, key: &str) -> String {
        self.0
            .get(key)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    }

    fn boolean(&self, key: &'static str, default: bool) -> Result<bool, SettingsError> {
        match self.0.get(key).map(|v| v.trim()) {
            None | Some("") => Ok(default),
            Some(v) if v.eq_ignore_ascii_case("true") => Ok(true),
            Some(v) if v.eq_ignore_ascii_case("false") => Ok(false),
            Some(v) => Err(invalid(key, format!("expected true or false, got {v:?}"))),
        }
    }

    fn int(&self, key: &'static str, default: u64, min: u64) -> Result<u64, SettingsError> {
        let value = match self.0.get(key).map(|v| v.trim()) {
            None | Some("") => default,
            Some(v) => v
                .parse::<u64>()
                .map_err(|_| invalid(key, format!("expected a whole number ≥ {min}, got {v:?}")))?,
        };
        if value < min {
            return Err(invalid(key, format!("must be at least {min}, got {value}")));
        }
        Ok(value)
    }
}

impl SinkSettings {
    /// Builds the settings from resolved property values (current names, aliases
    /// already applied by the config layer). Fails on anything the sink cannot use,
    /// including an inconsistent destination-name list: those are start-up errors, never
    /// per-record surprises.
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<SinkSettings, SettingsError> {
        let p = Props(props);
        let url = parse_url(&p.string(keys::URL))?;
        let timeout_ms = p.int(keys::TIMEOUT, 0, 0)?;
        let batch_size = p.int(keys::BATCH_SIZE, 10_000, 1)?;
        let retry_count = p.int(keys::RETRY_COUNT, 1, 1)?;
        let subscription = parse_subscription(props)?;
        let single_table_per_topic = p.boolean(keys::SINGLE_TABLE_PER_TOPIC, false)?;
        let prefix = p.string(keys::PREFIX);
        if prefix.contains('.') {
            // A dot would make the generated name look schema-qualified and silently
            // bypass `schema_name` (the Java connector's behaviour, §8 item 11).
            return Err(invalid(
                keys::PREFIX,
                format!(
                    "{prefix:?} contains '.'; put the schema in {} instead",
                    keys::SCHEMA_NAME
                ),
            ));
        }
        let schema_name = p.string(keys::SCHEMA_NAME);
        if schema_name.contains('.') {
            return Err(invalid(
                keys::SCHEMA_NAME,
                format!("{schema_name:?} must be a single name without '.'"),
            ));
        }
        let destination_name = props
            .get(keys::DESTINATION_NAME)
            .cloned()
            .unwrap_or_default();
        let overrides = DestinationOverrides::parse(&destination_name, &subscription)?;
        let settings = SinkSettings {
            url,
            username: p.string(keys::USERNAME),
            // Passwords are taken verbatim: leading or trailing spaces may be meaningful.
            password: Secret::new(props.get(keys::PASSWORD).cloned().unwrap_or_default()),
            schema_name,
            prefix,
            destination_name,
            timeout: (timeout_ms > 0).then(|| Duration::from_millis(timeout_ms)),
            batch_size: usize::try_from(batch_size)
                .map_err(|_| invalid(keys::BATCH_SIZE, "too large"))?,
            create_table: p.boolean(keys::CREATE_TABLE, true)?,
            single_table_per_topic,
            update_on_existing_pk: p.boolean(keys::UPDATE_ON_EXISTING_PK, true)?,
            retry_count: u32::try_from(retry_count)
                .map_err(|_| invalid(keys::RETRY_COUNT, "too large"))?,
            enable_multihead: p.boolean(keys::ENABLE_MULTIHEAD, true)?,
            schema_evolution: SchemaEvolution {
                enabled: p.boolean(keys::EVOLUTION_ENABLED, false)?,
                add_new_fields_as_columns: p.boolean(keys::ADD_NEW_FIELDS_AS_COLUMNS, false)?,
                make_missing_field_nullable: p.boolean(keys::MAKE_MISSING_FIELD_NULLABLE, false)?,
            },
            subscription,
            overrides,
        };
        // Building the namer checks that no two listed topics generate one table name.
        TableNamer::new(&settings)?;
        Ok(settings)
    }
}

/// Checks the head-node URL up front (the Java sink only noticed a scheme-less URL when
/// it threw an `IllegalArgumentException`, §1.3) and drops a trailing `/` so that
/// endpoint paths can be appended.
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

fn parse_subscription(props: &BTreeMap<String, String>) -> Result<Subscription, SettingsError> {
    let topics = props.get(keys::TOPICS).map(|t| t.trim()).unwrap_or("");
    let regex = props
        .get(keys::TOPICS_REGEX)
        .map(|t| t.trim())
        .unwrap_or("");
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
        // No subscription at all is the runtime's error to report; the sink only needs
        // the list for destination names, and an empty list has none to match.
        _ => Ok(Subscription::Topics(
            topics
                .split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(str::to_owned)
                .collect(),
        )),
    }
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
    fn subscription_is_a_list_or_a_regex() {
        let mut p = props(&[(keys::URL, "http://h:9191"), (keys::TOPICS_REGEX, "^t.*")]);
        let s = SinkSettings::from_props(&p).unwrap();
        assert_eq!(s.subscription, Subscription::Regex("^t.*".into()));
        p.insert(keys::TOPICS.into(), "t".into());
        assert!(SinkSettings::from_props(&p).is_err());
    }
}
