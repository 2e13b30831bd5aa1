//! Declaring properties: every property of every component is declared exactly once,
//! here-style, with its type, default, validator, importance, group, display name,
//! documentation, recommended values and deprecated aliases.

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

/// A check on a parsed value beyond its type.
#[derive(Debug, Clone, PartialEq)]
pub enum Validator {
    /// Numeric value within the inclusive range; either end may be open.
    Range { min: Option<f64>, max: Option<f64> },
    /// A string or list that must not be empty.
    NonEmpty,
    /// Must be an absolute URL with a scheme and a host (e.g. `http://host:9191`).
    Url,
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
}

/// The declared properties of one component (a connector, a converter, the pipeline
/// itself…). `name` identifies it in `sluice config describe` and in errors.
#[derive(Debug, Clone)]
pub struct ConfigDef {
    pub component: &'static str,
    pub properties: Vec<PropertyDef>,
}
