//! `consumer.*` and `producer.*`: librdkafka settings passed through verbatim.
//!
//! Sluice does not declare librdkafka's hundreds of properties; librdkafka checks them
//! when the client is created. Two things are checked here: keys the pipeline owns
//! (`group.id`, `bootstrap.servers`, and for consumers `enable.auto.commit`, since Sluice
//! commits offsets itself after a batch is written) are refused, and Kafka Connect's
//! `consumer.override.*` spelling is accepted as a synonym.

use std::collections::BTreeMap;
use std::fmt;

use crate::problem::Problems;
use crate::raw::RawProperties;
use crate::secret::RedactedProperties;

use super::keys;

/// Client settings for librdkafka. `Debug` hides values of keys that look secret
/// (`sasl.password`, `ssl.key.password`, `sasl.oauthbearer.client.secret`, …).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ClientProperties(BTreeMap<String, String>);

impl ClientProperties {
    /// The value of the librdkafka property `key`, if set.
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
    /// Every setting, to hand to `rdkafka::ClientConfig::set`. Never log the values.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
    /// How many properties are set.
    pub fn len(&self) -> usize {
        self.0.len()
    }
    /// Whether no property is set.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for ClientProperties {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&RedactedProperties(&self.0), f)
    }
}

/// Keys of `head.*` that the pipeline sets itself, with where to set them instead.
fn reserved(head: &str) -> &'static [(&'static str, &'static str)] {
    static CONSUMER: [(&str, &str); 3] = [
        ("group.id", "set the pipeline's `group.id` instead"),
        (
            "bootstrap.servers",
            "set the pipeline's `bootstrap.servers` instead",
        ),
        (
            "enable.auto.commit",
            "Sluice commits offsets itself, after each batch is written",
        ),
    ];
    // A producer has no group and commits nothing.
    if head == keys::CONSUMER {
        &CONSUMER
    } else {
        &CONSUMER[1..2]
    }
}

/// Collects `head.*` (and `head.override.*`) from `raw`.
pub(super) fn collect(
    raw: &RawProperties,
    head: &str,
    problems: &mut Problems,
) -> ClientProperties {
    let prefix = format!("{head}.");
    let override_prefix = format!("{head}.override.");
    let mut out = BTreeMap::new();
    let mut seen_as: BTreeMap<String, String> = BTreeMap::new();
    for (key, entry) in raw.iter() {
        let Some(name) = key
            .strip_prefix(&override_prefix)
            .or_else(|| key.strip_prefix(&prefix))
        else {
            continue;
        };
        if let Some((_, why)) = reserved(head).iter().find(|(k, _)| *k == name) {
            problems.error(&entry.origin, Some(key), format!("not allowed here: {why}"));
        } else if let Some(first) = seen_as.get(name) {
            problems.error(
                &entry.origin,
                Some(key),
                format!("same setting as `{first}`"),
            );
        } else {
            seen_as.insert(name.to_owned(), key.to_owned());
            out.insert(name.to_owned(), entry.value.joined());
        }
    }
    ClientProperties(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::origin::Origin;

    #[test]
    fn prefixes_are_removed_and_overrides_accepted() {
        let raw = RawProperties::from_pairs(
            Origin::file("p"),
            [
                ("consumer.fetch.min.bytes", "1"),
                ("consumer.override.session.timeout.ms", "10000"),
                ("producer.linger.ms", "5"),
                ("consumers.x", "no"),
            ],
        );
        let mut problems = Problems::new();
        let c = collect(&raw, keys::CONSUMER, &mut problems);
        assert!(problems.is_empty());
        assert_eq!(
            c.iter().collect::<Vec<_>>(),
            [("fetch.min.bytes", "1"), ("session.timeout.ms", "10000")]
        );
        assert_eq!(
            collect(&raw, keys::PRODUCER, &mut problems).get("linger.ms"),
            Some("5")
        );
    }

    #[test]
    fn reserved_and_doubled_keys_are_errors() {
        let raw = RawProperties::from_pairs(
            Origin::file("p"),
            [
                ("consumer.group.id", "g"),
                ("consumer.enable.auto.commit", "true"),
                ("consumer.a", "1"),
                ("consumer.override.a", "2"),
            ],
        );
        let mut problems = Problems::new();
        collect(&raw, keys::CONSUMER, &mut problems);
        let props: Vec<_> = problems
            .errors()
            .map(|p| p.property.clone().unwrap())
            .collect();
        assert_eq!(
            props,
            [
                "consumer.group.id",
                "consumer.enable.auto.commit",
                "consumer.override.a"
            ]
        );
    }

    #[test]
    fn debug_hides_secret_looking_values() {
        let raw = RawProperties::from_pairs(
            Origin::file("p"),
            [
                ("consumer.sasl.password", "pw123"),
                ("consumer.client.id", "c1"),
                // Kafka's Java names, which the Kafka connector translates.
                (
                    "consumer.sasl.jaas.config",
                    "x.PlainLoginModule required username=\"u\" password=\"pw456\";",
                ),
                ("consumer.ssl.truststore.password", "pw789"),
                ("consumer.ssl.keystore.password", "pw789"),
                ("consumer.ssl.key.password", "pw789"),
                ("consumer.ssl.keystore.key", "pw789"),
            ],
        );
        let c = collect(&raw, keys::CONSUMER, &mut Problems::new());
        let shown = format!("{c:?}");
        assert!(!shown.contains("pw") && shown.contains("c1"), "{shown}");
    }
}
