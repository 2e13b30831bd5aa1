//! Declaring properties: every property of every component is declared exactly once,
//! with its type, default, validator, importance, group, order, display name,
//! documentation, recommended values, deprecated aliases, dependents and visibility.
//!
//! Components compiled into Sluice declare them with the [`settings!`](crate::settings!)
//! macro (one typed struct yields its definitions and its parser) or with
//! [`PropertyDef::new`] and its `const` builders. A Wasm component describes its
//! properties at run time, so every name and text is a [`Text`]: borrowed from the
//! binary for the former, owned for the latter.

use std::borrow::Cow;
use std::fmt;

use crate::value::ConfigValue;

/// The type of a property's value, as in Kafka's `ConfigDef.Type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PropertyType {
    /// Any text.
    String,
    /// A 32-bit signed integer.
    Int,
    /// A 64-bit signed integer.
    Long,
    /// A 64-bit floating-point number.
    Double,
    /// `true` or `false` (compared case-insensitively).
    Boolean,
    /// A comma-separated list (or a YAML list).
    List,
    /// A secret: never printed, logged or returned; shows as `[hidden]`.
    Password,
    /// One of a fixed set of values (compared case-insensitively).
    Enum(&'static [&'static str]),
}

/// How much a property matters to a user, as in Kafka's `ConfigDef.Importance`; `describe`
/// lists the more important properties of a group first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Importance {
    /// Properties most users must set or should review.
    High,
    /// Properties with sensible defaults that some users change.
    Medium,
    /// Tuning and rarely needed properties.
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
    Range {
        /// The smallest accepted value; `None` for no lower bound.
        min: Option<f64>,
        /// The largest accepted value; `None` for no upper bound.
        max: Option<f64>,
    },
    /// A string or list that must not be empty.
    NonEmpty,
    /// Must be an absolute URL with a scheme and a host (e.g. `http://host:9191`).
    Url,
    /// A custom check; `describe` shows `description` (e.g. "a valid regular expression").
    Custom {
        /// What the check accepts, in words, as `describe` and [`Validator`]'s `Display` show it.
        description: &'static str,
        /// The check itself.
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

/// A name or text in a declaration: borrowed from the binary when declared in code,
/// owned when a component describes itself at run time (so nothing has to be leaked).
pub type Text = Cow<'static, str>;

/// A list of names: recommended values, deprecated aliases, dependents. `Static` for
/// lists written in code (usable in `const` declarations), `Owned` for lists built at run
/// time.
#[derive(Debug, Clone)]
pub enum Names {
    /// A list written in code.
    Static(&'static [&'static str]),
    /// A list built at run time.
    Owned(Vec<String>),
}

impl Names {
    /// The empty list.
    pub const EMPTY: Names = Names::Static(&[]);

    /// The names, in order.
    pub fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        let (fixed, owned): (&[&str], &[String]) = match self {
            Names::Static(s) => (s, &[]),
            Names::Owned(o) => (&[], o),
        };
        fixed
            .iter()
            .copied()
            .chain(owned.iter().map(String::as_str))
    }
    /// How many names there are.
    pub fn len(&self) -> usize {
        match self {
            Names::Static(s) => s.len(),
            Names::Owned(o) => o.len(),
        }
    }
    /// Whether there are no names.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Whether `name` is listed (compared exactly).
    pub fn contains(&self, name: &str) -> bool {
        self.iter().any(|n| n == name)
    }
    /// The names separated by `sep`, as `[&str]::join` does.
    pub fn join(&self, sep: &str) -> String {
        self.iter().collect::<Vec<_>>().join(sep)
    }
    /// Adds `name` unless it is already listed.
    pub fn push(&mut self, name: &str) {
        if !self.contains(name) {
            let mut owned: Vec<String> = self.iter().map(str::to_owned).collect();
            owned.push(name.to_owned());
            *self = Names::Owned(owned);
        }
    }
}

impl Default for Names {
    fn default() -> Self {
        Names::EMPTY
    }
}

impl PartialEq for Names {
    fn eq(&self, other: &Self) -> bool {
        self.iter().eq(other.iter())
    }
}

impl From<Vec<String>> for Names {
    fn from(names: Vec<String>) -> Self {
        Names::Owned(names)
    }
}

impl From<&'static [&'static str]> for Names {
    fn from(names: &'static [&'static str]) -> Self {
        Names::Static(names)
    }
}

/// When a property is visible, as Kafka Connect's `Recommender.visible` decides for its
/// UIs: only while another property of the same definition has a given value (e.g. the
/// `kinetica.schema_evolution.*` options only while `kinetica.schema_evolution.enabled`
/// is `true`). An invisible property is still accepted; it has no effect.
#[derive(Debug, Clone, PartialEq)]
pub struct VisibleWhen {
    /// The property, of the same definition, whose value decides.
    pub property: Text,
    /// The value in Kafka's text form (`true`, `10`, `a,b`), compared ignoring case.
    pub equals: Text,
}

/// One declared property.
#[derive(Debug, Clone)]
pub struct PropertyDef {
    /// The property's current name: the key written in a pipeline or `.properties` file.
    pub name: Text,
    /// The type its value is parsed as.
    pub ty: PropertyType,
    /// The default in text form. `None` with [`PropertyDef::required`] set: a pipeline
    /// that lacks the property is invalid; `None` otherwise: the property simply has no
    /// value when not given (Kafka's `null` default).
    pub default: Option<Text>,
    /// Whether a pipeline that lacks the property is invalid (then `default` is `None`).
    pub required: bool,
    /// A check on the parsed value beyond its type, if any.
    pub validator: Option<Validator>,
    /// How prominently `describe` lists the property.
    pub importance: Importance,
    /// The group it is listed under (Kafka's `group`); empty for none.
    pub group: Text,
    /// Position within its group (Kafka's `orderInGroup`); `None` keeps the declaration
    /// order.
    pub order: Option<u32>,
    /// The human-readable name (Kafka's `displayName`); the property name unless set.
    pub display_name: Text,
    /// The documentation `describe` shows.
    pub doc: Text,
    /// Suggested values, shown by `describe` (Kafka's `Recommender.validValues`); other values
    /// are still accepted unless the validator rejects them.
    pub recommended: Names,
    /// Older names that still work. The new name wins when both are given.
    pub deprecated_aliases: Names,
    /// Properties whose visibility depends on this one (Kafka's `dependents`).
    /// [`ConfigDef::new`] adds those that name this one in [`PropertyDef::visible_when`].
    pub dependents: Names,
    /// The condition under which the property is visible; `None`: always visible.
    pub visible_when: Option<VisibleWhen>,
}

/// Replaces a borrowed value in a `const` builder. A `const fn` cannot run destructors,
/// so the old value is forgotten rather than dropped; that frees nothing only because a
/// borrowed value owns nothing, which this checks. Values set at run time (owned ones)
/// are set through the fields.
const fn put(slot: &mut Text, value: &'static str) {
    if let Cow::Owned(_) = slot {
        panic!("a const builder cannot replace an owned value; assign the field instead");
    }
    std::mem::forget(std::mem::replace(slot, Cow::Borrowed(value)));
}

/// [`put`] for an optional text.
const fn put_option(slot: &mut Option<Text>, value: Option<&'static str>) {
    if let Some(Cow::Owned(_)) = slot {
        panic!("a const builder cannot replace an owned value; assign the field instead");
    }
    let new = match value {
        Some(v) => Some(Cow::Borrowed(v)),
        None => None,
    };
    std::mem::forget(std::mem::replace(slot, new));
}

/// [`put`] for a list of names.
const fn put_names(slot: &mut Names, value: &'static [&'static str]) {
    if let Names::Owned(_) = slot {
        panic!("a const builder cannot replace an owned list; assign the field instead");
    }
    std::mem::forget(std::mem::replace(slot, Names::Static(value)));
}

impl PropertyDef {
    /// Starts a declaration; the other fields take neutral values (optional with an empty
    /// default, `Low` importance, no validator) and are set with the builder methods.
    pub const fn new(name: &'static str, ty: PropertyType, doc: &'static str) -> PropertyDef {
        PropertyDef {
            name: Cow::Borrowed(name),
            ty,
            default: Some(Cow::Borrowed("")),
            required: false,
            validator: None,
            importance: Importance::Low,
            group: Cow::Borrowed(""),
            order: None,
            display_name: Cow::Borrowed(name),
            doc: Cow::Borrowed(doc),
            recommended: Names::EMPTY,
            deprecated_aliases: Names::EMPTY,
            dependents: Names::EMPTY,
            visible_when: None,
        }
    }
    /// [`PropertyDef::new`] for names and texts known only at run time (a component's
    /// self-description); set the other fields directly.
    pub fn described(name: impl Into<Text>, ty: PropertyType, doc: impl Into<Text>) -> Self {
        let name = name.into();
        PropertyDef {
            display_name: name.clone(),
            name,
            doc: doc.into(),
            ..PropertyDef::new("", ty, "")
        }
    }
    /// Sets the default (text form), making the property optional.
    pub const fn default(mut self, default: &'static str) -> Self {
        put_option(&mut self.default, Some(default));
        self.required = false;
        self
    }
    /// Makes the property required: no default, and a pipeline without it is invalid.
    pub const fn required(mut self) -> Self {
        put_option(&mut self.default, None);
        self.required = true;
        self
    }
    /// No default and not required: the property has no value unless given.
    pub const fn optional(mut self) -> Self {
        put_option(&mut self.default, None);
        self.required = false;
        self
    }
    /// Sets the validator.
    pub const fn validator(mut self, v: Validator) -> Self {
        self.validator = Some(v);
        self
    }
    /// Sets the importance.
    pub const fn importance(mut self, i: Importance) -> Self {
        self.importance = i;
        self
    }
    /// Sets the group.
    pub const fn group(mut self, g: &'static str) -> Self {
        put(&mut self.group, g);
        self
    }
    /// Sets the position within the group.
    pub const fn order(mut self, order: u32) -> Self {
        self.order = Some(order);
        self
    }
    /// Sets the display name.
    pub const fn display(mut self, d: &'static str) -> Self {
        put(&mut self.display_name, d);
        self
    }
    /// Sets the recommended values.
    pub const fn recommended(mut self, r: &'static [&'static str]) -> Self {
        put_names(&mut self.recommended, r);
        self
    }
    /// Sets the deprecated aliases: older names that still work.
    pub const fn aliases(mut self, a: &'static [&'static str]) -> Self {
        put_names(&mut self.deprecated_aliases, a);
        self
    }
    /// Sets the dependents explicitly (besides those [`ConfigDef::new`] adds).
    pub const fn dependents(mut self, d: &'static [&'static str]) -> Self {
        put_names(&mut self.dependents, d);
        self
    }
    /// Visible only while `property` has the value `equals` (text form).
    pub const fn visible_when(mut self, property: &'static str, equals: &'static str) -> Self {
        if let Some(VisibleWhen { .. }) = &self.visible_when {
            panic!("visible_when is set twice");
        }
        let new = Some(VisibleWhen {
            property: Cow::Borrowed(property),
            equals: Cow::Borrowed(equals),
        });
        std::mem::forget(std::mem::replace(&mut self.visible_when, new));
        self
    }
    /// Whether the property holds a secret ([`PropertyType::Password`]).
    pub fn is_secret(&self) -> bool {
        self.ty == PropertyType::Password
    }
    /// Whether a pipeline must give the property.
    pub fn is_required(&self) -> bool {
        self.required
    }
    /// Whether `key` is this property's name or one of its deprecated aliases.
    pub fn answers_to(&self, key: &str) -> bool {
        self.name == key || self.deprecated_aliases.contains(key)
    }
}

/// The declared properties of one component (a connector, a converter, the pipeline
/// itself…). `component` identifies it in `sluice config describe` and in errors.
#[derive(Debug, Clone)]
pub struct ConfigDef {
    /// The component's name, as `describe` and error messages show it.
    pub component: Text,
    /// Its properties, in declaration order.
    pub properties: Vec<PropertyDef>,
}

impl ConfigDef {
    /// The definition of `component`. Each property named by another's `visible_when`
    /// lists that one among its dependents, so the dependency is declared once.
    pub fn new(component: impl Into<Text>, mut properties: Vec<PropertyDef>) -> ConfigDef {
        let links: Vec<(String, String)> = properties
            .iter()
            .filter_map(|p| {
                Some((
                    p.visible_when.as_ref()?.property.to_string(),
                    p.name.to_string(),
                ))
            })
            .collect();
        for (parent, child) in links {
            if let Some(p) = properties.iter_mut().find(|p| p.name == parent) {
                p.dependents.push(&child);
            }
        }
        ConfigDef {
            component: component.into(),
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
    pub fn names(&self) -> impl Iterator<Item = &str> + '_ {
        self.properties.iter().map(|p| p.name.as_ref())
    }
    /// Whether `prop` is visible with these values: always, unless it has a
    /// [`VisibleWhen`] whose property has another value (or none).
    pub fn is_visible(&self, prop: &PropertyDef, values: &crate::ParsedConfig) -> bool {
        let Some(when) = &prop.visible_when else {
            return true;
        };
        match values.get(&when.property) {
            // A secret's value is never compared, so a condition on one is never met.
            Some(ConfigValue::Password(_)) | None => false,
            Some(v) => v.expose_text().eq_ignore_ascii_case(&when.equals),
        }
    }
    /// The properties in Kafka Connect's documentation order: by group (in the order
    /// groups first appear), then importance (high first), then `order`, then declaration
    /// order.
    pub fn sorted(&self) -> Vec<&PropertyDef> {
        let mut groups: Vec<&str> = Vec::new();
        for p in &self.properties {
            if !groups.contains(&p.group.as_ref()) {
                groups.push(&p.group);
            }
        }
        let mut sorted: Vec<(usize, &PropertyDef)> = self.properties.iter().enumerate().collect();
        sorted.sort_by_key(|(position, p)| {
            let group = groups.iter().position(|g| *g == p.group);
            (group, p.importance, p.order.unwrap_or(u32::MAX), *position)
        });
        sorted.into_iter().map(|(_, p)| p).collect()
    }
}
