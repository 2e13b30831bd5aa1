//! Kafka Connect compatibility: `sluice run --connect-worker worker.properties
//! connector.properties…` takes the files `connect-standalone` takes.
//!
//! The worker file's settings that matter to a sink (`bootstrap.servers`, the
//! converters, worker-wide `consumer.*`/`producer.*`) become defaults under every
//! connector file, as in Kafka Connect. The worker's own security settings
//! (`security.protocol`, `ssl.*`, `sasl.*`) apply to every client — the consumers and the
//! dead letter queue's producer — as `consumer.*` and `producer.*` defaults, unless the
//! worker file sets the prefixed key itself (docs/security.md). Worker-only settings Sluice has no use for
//! (offset storage, REST, plugin path, internal converters, …) are accepted and
//! ignored with an INFO note, so the files work unchanged. The consumer group is
//! Kafka Connect's `connect-<name>` unless the connector sets `group.id`, so Sluice
//! resumes from the offsets the connector committed.

use std::path::{Path, PathBuf};

use sluice_config::pipeline::{PipelineConfig, keys};
use sluice_config::{
    Checked, ConnectorSpec, Problems, RawEntry, RawProperties, RawValue, Severity, load_raw,
};

/// Worker keys (and key prefixes, ending in `.`) that become connector defaults.
const USED: &[&str] = &[
    keys::BOOTSTRAP_SERVERS,
    keys::KEY_CONVERTER,
    "key.converter.",
    keys::VALUE_CONVERTER,
    "value.converter.",
    keys::HEADER_CONVERTER,
    "header.converter.",
    "consumer.",
    "producer.",
    keys::EXACTLY_ONCE_SOURCE_SUPPORT,
];

/// Worker keys (and prefixes) that configure how clients reach a secured cluster: they
/// become `consumer.*` and `producer.*` defaults.
const SECURITY: &[&str] = &["security.protocol", "ssl.", "sasl."];

/// The worker's topic of source offsets: the default of each source connector's
/// `offsets.storage.topic`, as in Kafka Connect.
const WORKER_OFFSETS_TOPIC: &str = "offset.storage.topic";

/// Worker-only keys (and prefixes) of Kafka Connect that Sluice does not need: it has
/// no other offset storage (a sink's offsets are committed to the consumer group), no
/// plugins and no internal topics, and its REST API listens where `rest.listener` of
/// `sluice run --worker` says (docs/rest.md), not on `rest.port` or `listeners`.
const IGNORED: &[&str] = &[
    "offset.storage.",
    "offset.flush.",
    "rest.",
    "listeners",
    "admin.listeners",
    "plugin.path",
    "plugin.discovery",
    "internal.",
    "config.storage.",
    "status.storage.",
    "config.providers",
    "group.id",
    "client.id",
    "task.shutdown.graceful.timeout.ms",
    "connector.client.config.override.policy",
    "metrics.",
    "metric.reporters",
    "admin.",
    "access.control.",
    "response.http.headers.config",
    "scheduled.rebalance.max.delay.ms",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "rebalance.timeout.ms",
    "worker.",
    "topic.creation.enable",
    "inter.worker.",
];

fn matches(key: &str, patterns: &[&str]) -> bool {
    patterns.iter().any(|p| {
        if p.ends_with('.') {
            key.starts_with(p)
        } else {
            key == *p || key.starts_with(&format!("{p}."))
        }
    })
}

/// The worker file's settings that apply to every connector.
pub struct Worker {
    path: PathBuf,
    defaults: RawProperties,
}

impl Worker {
    /// Reads the worker file; problems are only about reading it.
    pub fn load(path: &Path) -> Result<Worker, Problems> {
        let (raw, problems) = load_raw(path, keys::VALUED_KEYS);
        let raw = match raw {
            Some(raw) if !problems.has_errors() => raw,
            _ => return Err(problems),
        };
        let mut ignored = Vec::new();
        let mut security = Vec::new();
        let mut defaults = RawProperties::new(raw.source().clone());
        for (key, entry) in raw.iter() {
            if key == WORKER_OFFSETS_TOPIC {
                // A source connector's `offsets.storage.topic` defaults to the worker's.
                defaults.insert(keys::OFFSETS_STORAGE_TOPIC.to_owned(), entry.clone());
            } else if matches(key, USED) {
                defaults.insert(key.to_owned(), entry.clone());
            } else if matches(key, SECURITY) {
                security.push((key, entry));
            } else if matches(key, IGNORED) {
                ignored.push(key);
            } else {
                tracing::warn!(
                    worker = %path.display(),
                    "`{key}` is not a Kafka Connect worker setting Sluice knows; ignored"
                );
            }
        }
        // After the worker's own `consumer.*`/`producer.*`, which win.
        for (key, entry) in security {
            for client in [keys::CONSUMER, keys::PRODUCER] {
                if !sets_client_key(&defaults, client, key) {
                    defaults.insert(format!("{client}.{key}"), entry.clone());
                }
            }
        }
        if !ignored.is_empty() {
            tracing::info!(
                worker = %path.display(),
                "Kafka Connect worker settings Sluice does not need, ignored: {}",
                ignored.join(", ")
            );
        }
        Ok(Worker {
            path: path.to_owned(),
            defaults,
        })
    }

    /// Reads a connector file with this worker's settings as defaults.
    pub fn connector(&self, path: &Path, connectors: &[ConnectorSpec]) -> Checked<PipelineConfig> {
        let (raw, mut problems) = load_raw(path, keys::VALUED_KEYS);
        let Some(connector) = raw else {
            return Checked::new(None, problems);
        };
        let merged = self.merge(&connector);
        let checked = PipelineConfig::from_raw(&merged, connectors);
        problems.extend(checked.problems);
        Checked::new(checked.value, explain_missing_topics(problems))
    }

    fn merge(&self, connector: &RawProperties) -> RawProperties {
        // The connector file is the pipeline: problems without a line point at it.
        let mut merged = RawProperties::new(connector.source().clone());
        for (key, entry) in self.defaults.iter() {
            // As Kafka Connect: a connector that names its own converter configures it
            // with its own `<side>.converter.*` only, not the worker's.
            let overridden = [
                keys::KEY_CONVERTER,
                keys::VALUE_CONVERTER,
                keys::HEADER_CONVERTER,
            ]
            .iter()
            .any(|c| connector.contains_key(c) && key.starts_with(&format!("{c}.")))
                // The connector's `consumer.override.X` replaces the worker's `consumer.X`
                // (and the other way round), rather than clashing with it.
                || [keys::CONSUMER, keys::PRODUCER].iter().any(|client| {
                    client_key(client, key)
                        .is_some_and(|name| sets_client_key(connector, client, name))
                });
            if !overridden {
                merged.insert(key.to_owned(), entry.clone());
            }
        }
        for (key, entry) in connector.iter() {
            merged.insert(key.to_owned(), entry.clone());
        }
        if !merged.contains_key(keys::GROUP_ID)
            && let Some(name) = connector.get(keys::NAME)
        {
            let group = format!("connect-{}", name.value.joined());
            tracing::info!(
                connector = %connector.source(),
                "consumer group `{group}`, as Kafka Connect's (set group.id to change it)"
            );
            let origin = sluice_config::Origin::file(&self.path);
            merged.insert(
                keys::GROUP_ID.to_owned(),
                RawEntry::new(RawValue::Scalar(group), origin),
            );
        }
        merged
    }
}

/// `name` of `<client>.name` or `<client>.override.name`.
fn client_key<'a>(client: &str, key: &'a str) -> Option<&'a str> {
    let rest = key.strip_prefix(client)?.strip_prefix('.')?;
    Some(rest.strip_prefix("override.").unwrap_or(rest))
}

/// Whether `props` sets `name` for `client`, as `<client>.name` or `<client>.override.name`.
fn sets_client_key(props: &RawProperties, client: &str, name: &str) -> bool {
    props.contains_key(&format!("{client}.{name}"))
        || props.contains_key(&format!("{client}.override.{name}"))
}

/// Kafka Connect refuses a sink without topics too; the Kinetica connector's shipped
/// quickstart file has none (Connect's command line used to supply them), so say so.
pub fn explain_missing_topics(problems: Problems) -> Problems {
    let mut out = Problems::new();
    for mut p in problems {
        if p.severity == Severity::Error
            && p.property.as_deref() == Some(keys::TOPICS)
            && p.message.starts_with("a sink needs the topics")
        {
            p.message.push_str(
                ". Kafka Connect rejects such a file too (\"Must configure one of topics or \
                 topics.regex\"); the Kinetica connector's quickstart sink file ships without a \
                 `topics` line: add one, e.g. `topics=NewTweets`",
            );
        }
        match p.severity {
            Severity::Error => out.error(&p.origin, p.property.as_deref(), p.message),
            Severity::Warning => out.warning(&p.origin, p.property.as_deref(), p.message),
        }
        if let Some(name) = &p.pipeline {
            out.set_pipeline(name);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worker_keys_are_sorted_into_used_and_ignored() {
        for key in [
            "bootstrap.servers",
            "key.converter",
            "value.converter.schemas.enable",
            "consumer.max.poll.records",
        ] {
            assert!(matches(key, USED), "{key}");
        }
        for key in [
            "offset.storage.file.filename",
            "offset.flush.interval.ms",
            "rest.port",
            "plugin.path",
            "internal.key.converter",
            "internal.value.converter.schemas.enable",
        ] {
            assert!(matches(key, IGNORED) && !matches(key, USED), "{key}");
        }
        assert!(!matches("bootstrap.server", USED));
        assert!(matches("listeners", IGNORED) && matches("listeners.https.ssl.protocol", IGNORED));
        assert!(!matches("listenersx", IGNORED));
        for key in [
            "security.protocol",
            "ssl.truststore.location",
            "sasl.jaas.config",
        ] {
            assert!(matches(key, SECURITY) && !matches(key, IGNORED), "{key}");
        }
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    #[test]
    fn the_workers_source_offset_settings_are_each_source_connectors_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let worker = write(
            dir.path(),
            "worker.properties",
            "offset.storage.topic=connect-offsets
             offset.storage.replication.factor=3
             exactly.once.source.support=enabled
",
        );
        let worker = Worker::load(&worker).unwrap();
        let get = |key: &str| worker.defaults.get(key).map(|e| e.value.joined());
        assert_eq!(
            get(keys::OFFSETS_STORAGE_TOPIC).as_deref(),
            Some("connect-offsets")
        );
        assert_eq!(
            get(keys::EXACTLY_ONCE_SOURCE_SUPPORT).as_deref(),
            Some("enabled")
        );
        assert_eq!(get("offset.storage.replication.factor"), None, "ignored");
    }

    #[test]
    fn worker_security_settings_apply_to_every_client() {
        let dir = tempfile::tempdir().unwrap();
        let worker = write(
            dir.path(),
            "worker.properties",
            "bootstrap.servers=b:9093
             security.protocol=SASL_SSL
             sasl.mechanism=PLAIN
             sasl.jaas.config=x required;
             ssl.truststore.location=/t.jks
             consumer.sasl.mechanism=SCRAM-SHA-512
",
        );
        let worker = Worker::load(&worker).unwrap();
        let get = |key: &str| worker.defaults.get(key).map(|e| e.value.joined());
        assert_eq!(
            get("consumer.security.protocol").as_deref(),
            Some("SASL_SSL")
        );
        assert_eq!(
            get("producer.security.protocol").as_deref(),
            Some("SASL_SSL")
        );
        assert_eq!(
            get("producer.sasl.jaas.config").as_deref(),
            Some("x required;")
        );
        assert_eq!(
            get("consumer.ssl.truststore.location").as_deref(),
            Some("/t.jks")
        );
        // The worker's own prefixed key wins.
        assert_eq!(
            get("consumer.sasl.mechanism").as_deref(),
            Some("SCRAM-SHA-512")
        );
        assert_eq!(get("producer.sasl.mechanism").as_deref(), Some("PLAIN"));
        assert_eq!(get("security.protocol"), None);

        // A connector's `consumer.override.X` replaces the worker's `consumer.X`.
        let connector = write(
            dir.path(),
            "c.properties",
            "name=c
consumer.override.security.protocol=SSL
",
        );
        let (raw, _) = load_raw(&connector, keys::VALUED_KEYS);
        let merged = worker.merge(&raw.unwrap());
        assert!(!merged.contains_key("consumer.security.protocol"));
        assert!(merged.contains_key("consumer.override.security.protocol"));
        assert!(merged.contains_key("producer.security.protocol"));
    }
}
