//! Raw properties: what a file says, before any type is known.
//!
//! Every loader (YAML, `.properties`, later the REST API) produces the same flat,
//! ordered map from full dotted keys to [`RawValue`]s, each with its [`Origin`]. Nested
//! YAML and dotted keys are flattened into the same keys, so the rest of the system sees
//! one grammar: Kafka Connect's.

use std::collections::HashMap;
use std::fmt;

use crate::origin::Origin;
use crate::problem::Problems;

/// The sub-key that, under a key that is both a value and a prefix, holds the key's own
/// value: `value.converter: {type: json, schemas.enable: false}` means
/// `value.converter=json` and `value.converter.schemas.enable=false`.
pub const SELF_VALUE_KEY: &str = "type";

/// A value as written: a scalar or a list. Lists and comma-separated scalars are the same
/// thing to a `list` property; the distinction only keeps elements that contain commas.
///
/// `Debug` does not show the text: a raw value may be a secret whose property type is not
/// known yet (a component's group is only described when the component loads).
#[derive(Clone, PartialEq, Eq)]
pub enum RawValue {
    /// A single value: a `.properties` value or a YAML scalar, as text.
    Scalar(String),
    /// A YAML list, element by element.
    List(Vec<String>),
}

impl RawValue {
    /// The value as one string, list elements joined with commas (Kafka's list syntax).
    pub fn joined(&self) -> String {
        match self {
            RawValue::Scalar(s) => s.clone(),
            RawValue::List(items) => items.join(","),
        }
    }

    /// The value as list elements: a scalar is split at commas; elements are trimmed and
    /// an empty scalar is the empty list. Empty elements (`a,,b`) are kept so the caller
    /// can reject them.
    pub fn elements(&self) -> Vec<String> {
        match self {
            RawValue::Scalar(s) if s.trim().is_empty() => Vec::new(),
            RawValue::Scalar(s) => s.split(',').map(|e| e.trim().to_owned()).collect(),
            RawValue::List(items) => items.iter().map(|e| e.trim().to_owned()).collect(),
        }
    }

    /// Applies `f` to the scalar or to every list element.
    pub fn try_map<E>(&self, mut f: impl FnMut(&str) -> Result<String, E>) -> Result<RawValue, E> {
        Ok(match self {
            RawValue::Scalar(s) => RawValue::Scalar(f(s)?),
            RawValue::List(items) => {
                RawValue::List(items.iter().map(|s| f(s)).collect::<Result<_, _>>()?)
            }
        })
    }
}

impl fmt::Debug for RawValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RawValue::Scalar(_) => f.write_str("Scalar(..)"),
            RawValue::List(items) => write!(f, "List(<{} elements>)", items.len()),
        }
    }
}

/// A raw value and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    /// The value as written (after `${…}` references are resolved).
    pub value: RawValue,
    /// The file and line it was written at.
    pub origin: Origin,
    /// The text came from a config provider (`${env:…}`, `${file:…}`): never quote it in
    /// a message, whatever the property's type.
    pub from_provider: bool,
}

impl RawEntry {
    /// An entry written directly in the file (not from a config provider).
    pub fn new(value: RawValue, origin: Origin) -> RawEntry {
        RawEntry {
            value,
            origin,
            from_provider: false,
        }
    }
}

/// Flat, ordered key → value map of one file (or of one prefixed group of it).
#[derive(Debug, Clone)]
pub struct RawProperties {
    source: Origin,
    entries: Vec<(String, RawEntry)>,
    index: HashMap<String, usize>,
}

impl RawProperties {
    /// An empty map for properties from `source` (the file; used for problems that no
    /// single key causes).
    pub fn new(source: Origin) -> RawProperties {
        RawProperties {
            source,
            entries: Vec::new(),
            index: HashMap::new(),
        }
    }

    /// Builds the map from a loader's entries, in order. A `<key>.type` under a key of
    /// `valued_keys` becomes `<key>` itself (see [`SELF_VALUE_KEY`]). A key given twice
    /// (e.g. once dotted, once nested) is an error; the first one is kept.
    pub fn build(
        source: Origin,
        entries: impl IntoIterator<Item = (String, RawEntry)>,
        valued_keys: &[&str],
        problems: &mut Problems,
    ) -> RawProperties {
        let mut map = RawProperties::new(source);
        for (key, entry) in entries {
            let key = canonical_key(key, valued_keys);
            if let Some(first) = map.get(&key) {
                let message = format!(
                    "set more than once (first at {}); nested and dotted keys name the same property",
                    first.origin
                );
                problems.error(&entry.origin, Some(&key), message);
            } else {
                map.insert(key, entry);
            }
        }
        map
    }

    /// Builds a map from plain pairs (tests, REST bodies); all entries get `source`.
    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        source: Origin,
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> RawProperties {
        let mut map = RawProperties::new(source.clone());
        for (k, v) in pairs {
            map.insert(
                k.into(),
                RawEntry::new(RawValue::Scalar(v.into()), source.clone()),
            );
        }
        map
    }

    /// Inserts or replaces `key`.
    pub fn insert(&mut self, key: String, entry: RawEntry) {
        match self.index.get(&key) {
            Some(&i) => self.entries[i].1 = entry,
            None => {
                self.index.insert(key.clone(), self.entries.len());
                self.entries.push((key, entry));
            }
        }
    }

    /// The entry of `key` (a full key), if the file sets it.
    pub fn get(&self, key: &str) -> Option<&RawEntry> {
        self.index.get(key).map(|&i| &self.entries[i].1)
    }
    /// Whether the file sets `key`.
    pub fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }
    /// The file the properties came from, for problems no single key causes.
    pub fn source(&self) -> &Origin {
        &self.source
    }
    /// How many keys are set.
    pub fn len(&self) -> usize {
        self.entries.len()
    }
    /// Whether no key is set.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
    /// Every key with its entry, in file order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &RawEntry)> {
        self.entries.iter().map(|(k, e)| (k.as_str(), e))
    }
    /// Every key, in file order.
    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }
    pub(crate) fn iter_mut(&mut self) -> impl Iterator<Item = (&str, &mut RawEntry)> {
        self.entries.iter_mut().map(|(k, e)| (k.as_str(), e))
    }

    /// The entries selected by `keep`, in order, with the same source.
    pub fn filter(&self, mut keep: impl FnMut(&str) -> bool) -> RawProperties {
        let mut out = RawProperties::new(self.source.clone());
        for (k, e) in self.iter().filter(|(k, _)| keep(k)) {
            out.insert(k.to_owned(), e.clone());
        }
        out
    }

    /// The entries under `prefix`, with the prefix removed: what a component receives.
    pub fn strip_prefix(&self, prefix: &str) -> RawProperties {
        let mut out = RawProperties::new(self.source.clone());
        for (k, e) in self.iter() {
            if let Some(rest) = k.strip_prefix(prefix) {
                out.insert(rest.to_owned(), e.clone());
            }
        }
        out
    }
}

/// `value.converter.type` → `value.converter` when `value.converter` is a valued key.
fn canonical_key(key: String, valued_keys: &[&str]) -> String {
    match key
        .strip_suffix(SELF_VALUE_KEY)
        .and_then(|k| k.strip_suffix('.'))
    {
        Some(parent) if valued_keys.contains(&parent) => parent.to_owned(),
        _ => key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(v: &str, line: u32) -> RawEntry {
        RawEntry::new(
            RawValue::Scalar(v.into()),
            Origin::file("p.yaml").at_line(Some(line)),
        )
    }

    #[test]
    fn a_list_and_a_comma_string_have_the_same_elements() {
        let list = RawValue::List(vec!["a".into(), " b".into()]);
        let comma = RawValue::Scalar("a, b".into());
        assert_eq!(list.elements(), comma.elements());
        assert_eq!(list.elements(), vec!["a", "b"]);
        assert_eq!(
            RawValue::Scalar("  ".into()).elements(),
            Vec::<String>::new()
        );
        assert_eq!(list.joined(), "a, b");
    }

    #[test]
    fn debug_does_not_show_raw_text() {
        let v = RawValue::Scalar("s3cr3t".into());
        assert!(!format!("{v:?}").contains("s3cr3t"));
        assert!(!format!("{:?}", entry("s3cr3t", 1)).contains("s3cr3t"));
    }

    #[test]
    fn duplicate_keys_are_reported_with_both_places() {
        let mut problems = Problems::new();
        let raw = RawProperties::build(
            Origin::file("p.yaml"),
            [
                ("a.b".to_owned(), entry("1", 1)),
                ("a.b".to_owned(), entry("2", 3)),
            ],
            &[],
            &mut problems,
        );
        assert_eq!(raw.get("a.b").unwrap().value, RawValue::Scalar("1".into()));
        let p = problems.errors().next().expect("a duplicate error");
        assert_eq!(p.property.as_deref(), Some("a.b"));
        assert_eq!(p.origin.line, Some(3));
        assert!(p.message.contains("p.yaml:1"), "{}", p.message);
    }

    #[test]
    fn type_under_a_valued_key_is_the_key_itself() {
        let mut problems = Problems::new();
        let raw = RawProperties::build(
            Origin::file("p.yaml"),
            [
                ("value.converter.type".to_owned(), entry("json", 1)),
                ("transforms.a.type".to_owned(), entry("mask", 2)),
            ],
            &["value.converter"],
            &mut problems,
        );
        assert!(problems.is_empty());
        assert_eq!(
            raw.keys().collect::<Vec<_>>(),
            ["value.converter", "transforms.a.type"]
        );
    }

    #[test]
    fn strip_prefix_keeps_only_the_group() {
        let raw = RawProperties::from_pairs(
            Origin::file("p"),
            [
                ("transforms.a.x", "1"),
                ("transforms.ab.y", "2"),
                ("other", "3"),
            ],
        );
        let group = raw.strip_prefix("transforms.a.");
        assert_eq!(group.keys().collect::<Vec<_>>(), ["x"]);
    }
}
