//! Reading a component's property group, with errors that name the property.

use crate::bindings::sluice::plugin::types::{Error, Part, Property as WitProperty, PropertyType};

/// A property a component declares (returned from `describe`).
pub type Property = WitProperty;

impl WitProperty {
    fn of(name: &str, ty: PropertyType, default: Option<&str>, doc: &str) -> Self {
        WitProperty {
            name: name.to_string(),
            type_: ty,
            default_value: default.map(str::to_string),
            doc: doc.to_string(),
        }
    }
    /// A string property; `default: None` makes it required.
    pub fn string(name: &str, default: Option<&str>, doc: &str) -> Self {
        Self::of(name, PropertyType::String, default, doc)
    }
    /// A comma-separated list property.
    pub fn list(name: &str, default: Option<&str>, doc: &str) -> Self {
        Self::of(name, PropertyType::List, default, doc)
    }
    pub fn boolean(name: &str, default: Option<&str>, doc: &str) -> Self {
        Self::of(name, PropertyType::Boolean, default, doc)
    }
    pub fn int(name: &str, default: Option<&str>, doc: &str) -> Self {
        Self::of(name, PropertyType::Int, default, doc)
    }
    pub fn long(name: &str, default: Option<&str>, doc: &str) -> Self {
        Self::of(name, PropertyType::Long, default, doc)
    }
}

/// The properties a component was configured with (its group, prefix removed).
#[derive(Debug, Clone, Default)]
pub struct Config {
    entries: Vec<(String, String)>,
}

impl Config {
    pub fn new(entries: Vec<(String, String)>) -> Config {
        Config { entries }
    }

    /// The raw value of a property, if set.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    /// A property that must be set.
    pub fn required(&self, name: &str) -> Result<String, Error> {
        self.get(name)
            .map(str::to_string)
            .ok_or_else(|| Error::InvalidConfig(format!("missing required property `{name}`")))
    }

    /// An optional string property that, when set, must not be empty, as Kafka Connect's
    /// `ConfigDef.NonEmptyString` requires. The value is trimmed first, as `ConfigDef`
    /// trims a `STRING`: `" "` is empty too.
    pub fn non_empty(&self, name: &str) -> Result<Option<String>, Error> {
        match self.get(name).map(str::trim) {
            None => Ok(None),
            Some("") => Err(Error::InvalidConfig(format!("`{name}` must not be empty"))),
            Some(v) => Ok(Some(v.to_string())),
        }
    }

    /// A required [`non_empty`](Config::non_empty) string property.
    pub fn required_non_empty(&self, name: &str) -> Result<String, Error> {
        self.non_empty(name)?
            .ok_or_else(|| Error::InvalidConfig(format!("missing required property `{name}`")))
    }

    /// A comma-separated list; empty entries are dropped and entries trimmed.
    pub fn list(&self, name: &str) -> Vec<String> {
        self.get(name)
            .map(|v| {
                v.split(',')
                    .map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn boolean(&self, name: &str, default: bool) -> Result<bool, Error> {
        match self.get(name).map(|v| v.trim().to_ascii_lowercase()) {
            None => Ok(default),
            Some(v) if v == "true" => Ok(true),
            Some(v) if v == "false" => Ok(false),
            Some(_) => Err(Error::InvalidConfig(format!(
                "property `{name}` must be true or false"
            ))),
        }
    }

    /// The `part` property (`key` or `value`, default `value`): which side of a record
    /// a transform works on, as Kafka Connect's `$Key` / `$Value` transform variants.
    pub fn part(&self) -> Result<Part, Error> {
        match self.get("part").map(str::trim).unwrap_or("value") {
            "value" => Ok(Part::Value),
            "key" => Ok(Part::Key),
            _ => Err(Error::InvalidConfig(
                "`part` must be `key` or `value`".into(),
            )),
        }
    }

    /// Rejects properties not in `known`, naming the first unknown one.
    pub fn reject_unknown(&self, known: &[Property]) -> Result<(), Error> {
        match self
            .entries
            .iter()
            .find(|(k, _)| !known.iter().any(|p| &p.name == k))
        {
            Some((k, _)) => Err(Error::InvalidConfig(format!("unknown property `{k}`"))),
            None => Ok(()),
        }
    }
}

/// A parser's message as one line, for a configuration error: the `regex` crate prints
/// the input, a caret and `error: <problem>` on lines of their own, and a configuration
/// error must be one line (a log line; one `error:` line per problem in `sluice
/// validate`). Keeps the last line, the problem, without its `error: `; the caller
/// names the input.
pub fn problem_line(message: &str) -> &str {
    let last = message.trim_end().lines().last().unwrap_or_default();
    last.trim().trim_start_matches("error: ")
}
