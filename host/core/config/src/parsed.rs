//! The result of validating properties against a [`ConfigDef`](crate::ConfigDef): every
//! declared property with its typed value, deprecated aliases already resolved.
//!
//! Unlike the Java connector (which resolved aliases by mutating the caller's map after
//! parsing, so its getters returned pre-resolution values), this is built once, from
//! the resolved keys, and is immutable.

use crate::def::Text;
use crate::origin::Origin;
use crate::secret::Password;
use crate::value::ConfigValue;

/// Where a value came from.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueSource {
    /// The declared default.
    Default,
    /// Given by the user as `key` (the property's name, or a deprecated alias of it).
    Set {
        /// The key the user wrote.
        key: String,
        /// Where they wrote it.
        origin: Origin,
    },
}

/// One property's resolved value.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// The property's declared name (never an alias).
    pub name: Text,
    /// Its typed value.
    pub value: ConfigValue,
    /// Whether the user gave it or it is the default.
    pub source: ValueSource,
}

/// Validated values of one component, in declaration order. `Debug` is safe to log:
/// passwords print as `[hidden]`.
#[derive(Debug, Clone, PartialEq)]
pub struct ParsedConfig {
    component: Text,
    values: Vec<Resolved>,
}

impl ParsedConfig {
    pub(crate) fn new(component: Text, values: Vec<Resolved>) -> ParsedConfig {
        ParsedConfig { component, values }
    }
    /// The component these values belong to (its [`ConfigDef`](crate::ConfigDef)'s `component`).
    pub fn component(&self) -> &str {
        &self.component
    }
    /// Every property that has a value, in declaration order; an optional property without
    /// default that the user did not give has none.
    pub fn iter(&self) -> impl Iterator<Item = &Resolved> {
        self.values.iter()
    }
    /// The value of the property declared as `name`; `None` if it has none.
    pub fn get(&self, name: &str) -> Option<&ConfigValue> {
        self.resolved(name).map(|r| &r.value)
    }
    /// The value of `name` with where it came from.
    pub fn resolved(&self, name: &str) -> Option<&Resolved> {
        self.values.iter().find(|r| r.name == name)
    }
    /// Whether the user gave the property (under its name or an alias).
    pub fn is_set(&self, name: &str) -> bool {
        self.resolved(name)
            .is_some_and(|r| matches!(r.source, ValueSource::Set { .. }))
    }
    /// Where the user set it, if they did.
    pub fn origin(&self, name: &str) -> Option<&Origin> {
        match &self.resolved(name)?.source {
            ValueSource::Set { origin, .. } => Some(origin),
            ValueSource::Default => None,
        }
    }

    /// The value of a `string`/`enum` property, if it validated. For checks that run
    /// while other properties may have failed; elsewhere use [`ParsedConfig::string`].
    pub fn try_string(&self, name: &str) -> Option<&str> {
        match self.get(name)? {
            ConfigValue::String(s) => Some(s),
            _ => None,
        }
    }
    /// The value of a `list` property, if it validated.
    pub fn try_list(&self, name: &str) -> Option<&[String]> {
        match self.get(name)? {
            ConfigValue::List(l) => Some(l),
            _ => None,
        }
    }

    /// Every value in string form, name → text, **secrets in clear**: for components
    /// that take string properties. Never log the result.
    pub fn expose_as_strings(&self) -> std::collections::BTreeMap<String, String> {
        self.values
            .iter()
            .map(|r| (r.name.to_string(), r.value.expose_text()))
            .collect()
    }

    // Typed getters. A wrong name or type is a bug in the caller (the ConfigDef says what
    // exists), so they panic, like Kafka's `AbstractConfig` getters throw.

    /// The value of a `string` or `enum` property.
    ///
    /// # Panics
    /// If `name` has no value (it is not declared, or is optional and unset) or is of
    /// another type.
    #[track_caller]
    pub fn string(&self, name: &str) -> &str {
        match self.expect(name) {
            ConfigValue::String(s) => s,
            other => self.wrong_type(name, "string", other),
        }
    }
    /// The value of an `int` property.
    ///
    /// # Panics
    /// As [`ParsedConfig::string`].
    #[track_caller]
    pub fn int(&self, name: &str) -> i32 {
        match self.expect(name) {
            ConfigValue::Int(v) => *v,
            other => self.wrong_type(name, "int", other),
        }
    }
    /// The value of a `long` property.
    ///
    /// # Panics
    /// As [`ParsedConfig::string`].
    #[track_caller]
    pub fn long(&self, name: &str) -> i64 {
        match self.expect(name) {
            ConfigValue::Long(v) => *v,
            other => self.wrong_type(name, "long", other),
        }
    }
    /// The value of a `double` property.
    ///
    /// # Panics
    /// As [`ParsedConfig::string`].
    #[track_caller]
    pub fn double(&self, name: &str) -> f64 {
        match self.expect(name) {
            ConfigValue::Double(v) => *v,
            other => self.wrong_type(name, "double", other),
        }
    }
    /// The value of a `boolean` property.
    ///
    /// # Panics
    /// As [`ParsedConfig::string`].
    #[track_caller]
    pub fn boolean(&self, name: &str) -> bool {
        match self.expect(name) {
            ConfigValue::Boolean(v) => *v,
            other => self.wrong_type(name, "boolean", other),
        }
    }
    /// The value of a `list` property.
    ///
    /// # Panics
    /// As [`ParsedConfig::string`].
    #[track_caller]
    pub fn list(&self, name: &str) -> &[String] {
        match self.expect(name) {
            ConfigValue::List(v) => v,
            other => self.wrong_type(name, "list", other),
        }
    }
    /// The value of a `password` property, still hidden (see [`Password`]).
    ///
    /// # Panics
    /// As [`ParsedConfig::string`].
    #[track_caller]
    pub fn password(&self, name: &str) -> &Password {
        match self.expect(name) {
            ConfigValue::Password(v) => v,
            other => self.wrong_type(name, "password", other),
        }
    }

    #[track_caller]
    fn expect(&self, name: &str) -> &ConfigValue {
        self.get(name)
            .unwrap_or_else(|| panic!("`{name}` is not declared by `{}`", self.component))
    }

    #[track_caller]
    fn wrong_type(&self, name: &str, wanted: &str, got: &ConfigValue) -> ! {
        let got = match got {
            ConfigValue::String(_) => "string",
            ConfigValue::Int(_) => "int",
            ConfigValue::Long(_) => "long",
            ConfigValue::Double(_) => "double",
            ConfigValue::Boolean(_) => "boolean",
            ConfigValue::List(_) => "list",
            ConfigValue::Password(_) => "password",
        };
        panic!(
            "`{name}` of `{}` is a {got}, not a {wanted}",
            self.component
        )
    }
}
