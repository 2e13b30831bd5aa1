//! Declaring properties: every property of every component is declared exactly once,
//! here-style, with its type, default, validator, importance, group, display name,
//! documentation, recommended values and deprecated aliases.

use std::fmt;

use crate::value::ConfigValue;

/// The type of a property's value, as in Kafka's `ConfigDef.Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyType {
    String,
    Int,
    Long,
    Double,
    Boolean,
    /// A comma-separated list (or a YAML list).
    List,
    /// A secret: never printed, logged or returned; shows as `[hidden]`.
    Password,
    /// One of a fixed set of values (compared case-insensitively).
    Enum(&'static [&'static str]),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Importance {
    High,
    Medium,
    Low,
}

impl fmt::Display for PropertyType {
    /// The lower-case names Kafka's `ConfigDef.toRst()` uses, so `describe` reads familiar.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PropertyType::String => f.write_str("string"),
            PropertyType::Int => f.write_str("int"),
            PropertyType::Long => f.write_str("long"),
            PropertyType::Double => f.write_str("double"),
            PropertyType::Boolean => f.write_str("boolean"),
            PropertyType::List => f.write_str("list"),
            PropertyType::Password => f.write_str("password"),
            PropertyType::Enum(values) => write!(f, "enum({})", values.join("|")),
        }
    }
}

impl fmt::Display for Importance {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Importance::High => "high",
            Importance::Medium => "medium",
            Importance::Low => "low",
        })
    }
}

/// A check of one parsed value that the built-in validators cannot express. It returns a
/// reason that must not quote the value: the value may be a secret, and the caller adds
/// the property name and origin.
pub type CheckFn = fn(&ConfigValue) -> Result<(), String>;

/// A check on a parsed value beyond its type.
#[derive(Debug, Clone)]
pub enum Validator {
    /// Numeric value within the inclusive range; either end may be open.
    Range { min: Option<f64>, max: Option<f64> },
    /// A string or list that must not be empty.
    NonEmpty,
    /// Must be an absolute URL with a scheme and a host (e.g. `http://host:9191`).
    Url,
    /// A custom check; `describe` shows `description` (e.g. "a valid regular expression").
    Custom {
        description: &'static str,
        check: CheckFn,
    },
}

impl PartialEq for Validator {
    /// Custom validators compare by description: function addresses are not stable
    /// enough to compare (the same function may have several, different ones one).
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (Validator::Range { min: a, max: b }, Validator::Range { min: c, max: d }) => {
                a == c && b == d
            }
            (Validator::NonEmpty, Validator::NonEmpty) | (Validator::Url, Validator::Url) => true,
            (
                Validator::Custom { description: a, .. },
                Validator::Custom { description: b, .. },
            ) => a == b,
            _ => false,
        }
    }
}

impl Validator {
    /// Shorthand for a range with both ends given, usable in `const` declarations.
    pub const fn between(min: f64, max: f64) -> Validator {
        Validator::Range {
            min: Some(min),
            max: Some(max),
        }
    }
    /// Shorthand for a range open at the top.
    pub const fn at_least(min: f64) -> Validator {
        Validator::Range {
            min: Some(min),
            max: None,
        }
    }
}

impl fmt::Display for Validator {
    /// A short description of the accepted values, for `describe` and error messages.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Validator::Range {
                min: Some(lo),
                max: Some(hi),
            } => write!(f, "[{lo},...,{hi}]"),
            Validator::Range {
                min: Some(lo),
                max: None,
            } => write!(f, "[{lo},...]"),
            Validator::Range {
                min: None,
                max: Some(hi),
            } => write!(f, "[...,{hi}]"),
            Validator::Range {
                min: None,
                max: None,
            } => f.write_str("any number"),
            Validator::NonEmpty => f.write_str("non-empty"),
            Validator::Url => f.write_str("an absolute URL (scheme://host[:port][/path])"),
            Validator::Custom { description, .. } => f.write_str(description),
        }
    }
}

/// One declared property.
#[derive(Debug, Clone)]
pub struct PropertyDef {
    pub name: &'static str,
    pub ty: PropertyType,
    /// `None` means required: a pipeline that lacks it is invalid.
    pub default: Option<&'static str>,
    pub validator: Option<Validator>,
    pub importance: Importance,
    pub group: &'static str,
    pub display_name: &'static str,
    pub doc: &'static str,
    pub recommended: &'static [&'static str],
    /// Older names that still work. The new name wins when both are given.
    pub deprecated_aliases: &'static [&'static str],
}

impl PropertyDef {
    /// Starts a declaration; the other fields take neutral values (optional with an empty
    /// default, `Low` importance, no validator) and are set with the builder methods.
    pub const fn new(name: &'static str, ty: PropertyType, doc: &'static str) -> PropertyDef {
        PropertyDef {
            name,
            ty,
            default: Some(""),
            validator: None,
            importance: Importance::Low,
            group: "",
            display_name: name,
            doc,
            recommended: &[],
            deprecated_aliases: &[],
        }
    }
    pub const fn default(mut self, default: &'static str) -> Self {
        self.default = Some(default);
        self
    }
    pub const fn required(mut self) -> Self {
        self.default = None;
        self
    }
    pub const fn validator(mut self, v: Validator) -> Self {
        self.validator = Some(v);
        self
    }
    pub const fn importance(mut self, i: Importance) -> Self {
        self.importance = i;
        self
    }
    pub const fn group(mut self, g: &'static str) -> Self {
        self.group = g;
        self
    }
    pub const fn display(mut self, d: &'static str) -> Self {
        self.display_name = d;
        self
    }
    pub const fn recommended(mut self, r: &'static [&'static str]) -> Self {
        self.recommended = r;
        self
    }
    pub const fn aliases(mut self, a: &'static [&'static str]) -> Self {
        self.deprecated_aliases = a;
        self
    }
    pub fn is_secret(&self) -> bool {
        self.ty == PropertyType::Password
    }
    pub fn is_required(&self) -> bool {
        self.default.is_none()
    }
    /// Whether `key` is this property's name or one of its deprecated aliases.
    pub fn answers_to(&self, key: &str) -> bool {
        self.name == key || self.deprecated_aliases.contains(&key)
    }
}

/// The declared properties of one component (a connector, a converter, the pipeline
/// itself…). `name` identifies it in `sluice config describe` and in errors.
#[derive(Debug, Clone)]
pub struct ConfigDef {
    pub component: &'static str,
    pub properties: Vec<PropertyDef>,
}

impl ConfigDef {
    pub fn new(component: &'static str, properties: Vec<PropertyDef>) -> ConfigDef {
        ConfigDef {
            component,
            properties,
        }
    }
    /// The property declared under `name` (not an alias).
    pub fn get(&self, name: &str) -> Option<&PropertyDef> {
        self.properties.iter().find(|p| p.name == name)
    }
    /// The property that `key` names, directly or through a deprecated alias.
    pub fn lookup(&self, key: &str) -> Option<&PropertyDef> {
        self.properties.iter().find(|p| p.answers_to(key))
    }
    /// The current names of every property, in declaration order (for suggestions).
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        self.properties.iter().map(|p| p.name)
    }
}
