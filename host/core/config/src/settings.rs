//! One declaration per setting: a component's settings are one typed struct, and its
//! [`settings!`](crate::settings!) declaration yields both its [`ConfigDef`](crate::ConfigDef) (what
//! `sluice validate` checks and `sluice config describe` prints) and its parser (the
//! validated values into the struct's fields). A name, type, default or alias therefore
//! cannot disagree between the documentation, the validation and the code that uses it.
//!
//! The parser reads the typed values of a [`ParsedConfig`]: aliases are resolved,
//! defaults applied and values checked by then, so nothing is parsed from text twice.
//!
//! A `macro_rules!` macro rather than a derive: the declaration is a field list with one
//! attribute each, which a declarative macro matches directly; each option in the
//! attribute is a call on a typed builder ([`Declare`]), so the compiler checks options
//! and values (a default of the wrong type does not compile) without a proc-macro crate
//! and its `syn` parsing in every build.
//!
//! ```
//! use sluice_config::{Validator, settings};
//!
//! settings! {
//!     /// A database sink's settings.
//!     #[derive(Debug)]
//!     pub struct DbSettings {
//!         const COMPONENT = "db-sink";
//!         const GROUP = "Database";
//!         pub mod names;
//!
//!         /// Where the database listens.
//!         #[property(URL = "db.url", high, required, display("URL"), validator(Validator::Url))]
//!         pub url: String,
//!         /// Rows per request.
//!         #[property(BATCH_SIZE = "db.batch_size", default(100), validator(Validator::at_least(1.0)))]
//!         pub batch_size: i32,
//!     }
//! }
//!
//! let def = DbSettings::config_def();
//! assert_eq!(def.get(names::BATCH_SIZE).unwrap().default.as_deref(), Some("100"));
//! ```

use std::marker::PhantomData;
use std::time::Duration;

use crate::def::{Importance, PropertyDef, PropertyType, Validator, VisibleWhen};
use crate::parsed::ParsedConfig;
use crate::secret::Secret;
use crate::value::ConfigValue;

/// A Rust type a declared setting can have.
pub trait Setting: Sized {
    /// The property type of a setting of this type.
    const TYPE: PropertyType;
    /// Whether the setting may have no value (`Option<T>`): then it needs no default and
    /// is not required.
    const OPTIONAL: bool = false;
    /// A check every value of this type needs (e.g. a duration is not negative); the
    /// declaration may replace it with a stricter one.
    const VALIDATOR: Option<Validator> = None;
    /// Values to recommend: every variant of an enum.
    const RECOMMENDED: &'static [&'static str] = &[];
    /// The value as validation produced it, `None` when the property has none. Returns
    /// `None` when the value is missing or of another type.
    fn from_value(value: Option<&ConfigValue>) -> Option<Self>;
    /// Kafka's text form of the value (for defaults and visibility conditions), `None`
    /// for "no value".
    fn to_text(&self) -> Option<String>;
}

/// Implements [`Setting`] for a type held by one [`ConfigValue`] variant.
macro_rules! setting {
    ($ty:ty, $prop:ident, $variant:ident, |$v:ident| $from:expr, |$s:ident| $text:expr) => {
        impl Setting for $ty {
            const TYPE: PropertyType = PropertyType::$prop;
            fn from_value(value: Option<&ConfigValue>) -> Option<Self> {
                match value? {
                    ConfigValue::$variant($v) => Some($from),
                    _ => None,
                }
            }
            fn to_text(&self) -> Option<String> {
                let $s = self;
                Some($text)
            }
        }
    };
}

setting!(String, String, String, |v| v.clone(), |s| s.clone());
setting!(bool, Boolean, Boolean, |v| *v, |s| s.to_string());
setting!(i32, Int, Int, |v| *v, |s| s.to_string());
setting!(i64, Long, Long, |v| *v, |s| s.to_string());
setting!(f64, Double, Double, |v| *v, |s| s.to_string());
setting!(Vec<String>, List, List, |v| v.clone(), |s| s.join(","));
// A secret's text is only asked for its declared default, which is never a real secret
// (the component registry's tests refuse a non-empty one).
setting!(Secret, Password, Password, |v| v.clone(), |s| s
    .expose()
    .to_owned());

/// A duration is declared in milliseconds, as a `long`, as Kafka's `*.ms` properties are.
impl Setting for Duration {
    const TYPE: PropertyType = PropertyType::Long;
    const VALIDATOR: Option<Validator> = Some(Validator::at_least(0.0));
    fn from_value(value: Option<&ConfigValue>) -> Option<Self> {
        match value? {
            ConfigValue::Long(ms) => u64::try_from(*ms).ok().map(Duration::from_millis),
            _ => None,
        }
    }
    fn to_text(&self) -> Option<String> {
        Some(self.as_millis().to_string())
    }
}

/// No value unless given: Kafka's `null` default.
impl<T: Setting> Setting for Option<T> {
    const TYPE: PropertyType = T::TYPE;
    const OPTIONAL: bool = true;
    const VALIDATOR: Option<Validator> = T::VALIDATOR;
    const RECOMMENDED: &'static [&'static str] = T::RECOMMENDED;
    fn from_value(value: Option<&ConfigValue>) -> Option<Self> {
        match value {
            None => Some(None),
            Some(v) => T::from_value(Some(v)).map(Some),
        }
    }
    fn to_text(&self) -> Option<String> {
        self.as_ref().and_then(T::to_text)
    }
}

/// The declaration of one setting of type `T`: the options of a `#[property(...)]`
/// attribute are calls on it. It starts with the doc comment as documentation, the
/// struct's group, the type's validator and recommended values, `Low` importance.
pub struct Declare<T> {
    def: PropertyDef,
    has_default: bool,
    marker: PhantomData<fn() -> T>,
}

impl<T: Setting> Declare<T> {
    /// `doc` is the field's doc comment, lines joined (each starts with a space).
    pub fn new(name: &'static str, doc: &'static str, group: &'static str) -> Self {
        let mut def = PropertyDef::new(name, T::TYPE, doc.trim())
            .group(group)
            .recommended(T::RECOMMENDED)
            .optional();
        def.validator = T::VALIDATOR;
        Declare {
            def,
            has_default: false,
            marker: PhantomData,
        }
    }
    /// Sets the default, making the setting optional; it is declared in Kafka's text form
    /// (see [`Setting::to_text`]).
    pub fn default(mut self, value: impl Into<T>) -> Self {
        self.def.default = value.into().to_text().map(Into::into);
        self.def.required = false;
        self.has_default = true;
        self
    }
    /// Makes the setting required: no default, and a configuration without it is invalid.
    pub fn required(mut self) -> Self {
        self.def = self.def.required();
        self
    }
    /// Sets the importance (default [`Importance::Low`]).
    pub fn importance(mut self, importance: Importance) -> Self {
        self.def.importance = importance;
        self
    }
    /// [`Importance::High`]: a property most users must set or should review.
    pub fn high(self) -> Self {
        self.importance(Importance::High)
    }
    /// [`Importance::Medium`].
    pub fn medium(self) -> Self {
        self.importance(Importance::Medium)
    }
    /// [`Importance::Low`], the default.
    pub fn low(self) -> Self {
        self.importance(Importance::Low)
    }
    /// Sets the display name (default: the property name).
    pub fn display(mut self, name: &'static str) -> Self {
        self.def.display_name = name.into();
        self
    }
    /// Sets the group, instead of the struct's `GROUP`.
    pub fn group(mut self, group: &'static str) -> Self {
        self.def.group = group.into();
        self
    }
    /// Sets the position within the group (Kafka's `orderInGroup`).
    pub fn order(mut self, order: u32) -> Self {
        self.def.order = Some(order);
        self
    }
    /// Sets the validator, replacing the type's own (e.g. a [`Duration`]'s non-negative check).
    pub fn validator(mut self, validator: Validator) -> Self {
        self.def.validator = Some(validator);
        self
    }
    /// Sets the deprecated aliases: older names that still work.
    pub fn aliases(mut self, names: &'static [&'static str]) -> Self {
        self.def.deprecated_aliases = names.into();
        self
    }
    /// Sets the recommended values, replacing the type's own (an enum's variants).
    pub fn recommended(mut self, values: &'static [&'static str]) -> Self {
        self.def.recommended = values.into();
        self
    }
    /// Sets the dependents explicitly (besides those that name this one in `visible_when`).
    pub fn dependents(mut self, names: &'static [&'static str]) -> Self {
        self.def.dependents = names.into();
        self
    }
    /// Visible only while the setting `property` has the value `value`.
    pub fn visible_when<U: Setting>(mut self, property: &'static str, value: U) -> Self {
        self.def.visible_when = Some(VisibleWhen {
            property: property.into(),
            equals: value.to_text().unwrap_or_default().into(),
        });
        self
    }
    /// The finished definition.
    ///
    /// # Panics
    /// If a setting that is not an `Option` has neither a default nor `required`: being
    /// required by omission is too easy to miss in a review. Every test that builds the
    /// definition catches it.
    pub fn into_def(self) -> PropertyDef {
        assert!(
            T::OPTIONAL || self.has_default || self.def.required,
            "`{}`: declare `default(…)` or `required` (or make it an `Option`)",
            self.def.name
        );
        self.def
    }
}

/// The value of setting `name` in `parsed`.
///
/// # Panics
/// If `parsed` lacks it or holds another type: `parsed` was not validated against the
/// definition the same declaration made, a bug like a wrong getter name in Kafka's
/// `AbstractConfig`.
#[track_caller]
pub fn read<T: Setting>(parsed: &ParsedConfig, name: &str) -> T {
    T::from_value(parsed.get(name)).unwrap_or_else(|| {
        panic!(
            "`{name}` of `{}` is missing or not a {}",
            parsed.component(),
            T::TYPE
        )
    })
}

/// Declares a component's settings once: a struct with one field per property, its
/// [`ConfigDef`](crate::ConfigDef) and its parser. See [the module](mod@crate::settings).
///
/// ```text
/// settings! {
///     /// Docs and attributes of the struct.
///     #[derive(Debug, Clone)]
///     pub struct Name {
///         const COMPONENT = "component-name";   // ConfigDef::component
///         const GROUP = "Group Name";           // every property's group, unless set
///         pub mod names;                        // names::CONST = "property.name"
///
///         /// Documentation of the property (required: every property is documented).
///         #[property(CONST = "property.name", option, option(args)…)]
///         pub field: Type,
///     }
/// }
/// ```
///
/// Each option is a method of [`Declare`]: `required`, `default(value)`, `high`,
/// `medium`, `low`, `display("…")`, `group("…")`, `order(n)`, `validator(…)`,
/// `aliases(&[…])`, `recommended(&[…])`, `dependents(&[…])`,
/// `visible_when(OTHER_CONST, value)`. The property's type follows from the field's
/// type ([`Setting`]): `String`, `bool`, `i32`, `i64`, `f64`, `Vec<String>`,
/// [`Secret`], [`Duration`] (milliseconds), an enum made with
/// [`config_enum!`](crate::config_enum!), or `Option` of one of them (no default).
///
/// It generates `Name::config_def()`, `Name::from_parsed(&ParsedConfig)` (validated
/// values into the struct), `Name::validate(...)` and `Name::from_raw(...)`, the
/// `COMPONENT` and `GROUP` constants, and the `names` module with a constant per
/// property and `names::ALL`.
#[macro_export]
macro_rules! settings {
    (
        $(#[$attr:meta])*
        $vis:vis struct $Name:ident {
            const COMPONENT = $component:expr;
            const GROUP = $group:expr;
            $nvis:vis mod $names:ident;
            $(
                $(#[doc = $doc:literal])+
                #[property($CONST:ident = $key:literal $(, $opt:ident $(($($arg:expr),*))?)*)]
                $fvis:vis $field:ident : $fty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$attr])*
        $vis struct $Name {
            $(
                $(#[doc = $doc])+
                #[doc = ""]
                #[doc = ::core::concat!("Property `", $key, "`.")]
                $fvis $field: $fty,
            )*
        }

        #[doc = ::core::concat!("The property names of [`", ::core::stringify!($Name), "`].")]
        $nvis mod $names {
            $(
                #[doc = ::core::concat!("`", $key, "`")]
                pub const $CONST: &str = $key;
            )*
            /// Every name, in declaration order.
            pub const ALL: &[&str] = &[$($key),*];
        }

        impl $Name {
            /// The component these settings belong to: the `component` of [`Self::config_def`].
            pub const COMPONENT: &'static str = $component;
            /// The group every property is listed under, unless it sets its own.
            pub const GROUP: &'static str = $group;

            /// The declared properties, in declaration order.
            pub fn config_def() -> $crate::ConfigDef {
                // Declarations may name their siblings (`visible_when(ENABLED, true)`).
                #[allow(unused_imports)]
                use $names::*;
                $crate::ConfigDef::new(
                    Self::COMPONENT,
                    ::std::vec![$(
                        $crate::settings::Declare::<$fty>::new(
                            $key,
                            ::core::concat!($($doc),+),
                            Self::GROUP,
                        )
                        $(.$opt($($($arg),*)?))*
                        .into_def()
                    ),*],
                )
            }

            /// The settings from values validated against [`Self::config_def`] (aliases
            /// resolved, defaults applied, types and validators checked).
            ///
            /// # Panics
            /// If `parsed` was validated against another definition.
            #[track_caller]
            pub fn from_parsed(parsed: &$crate::ParsedConfig) -> Self {
                $Name {
                    $($field: $crate::settings::read::<$fty>(parsed, $key),)*
                }
            }

            /// Validates `props` and reads them: `None` when they are invalid. Every
            /// problem, warnings included, goes to `problems`.
            pub fn validate(
                props: &$crate::RawProperties,
                options: $crate::Options<'_>,
                problems: &mut $crate::Problems,
            ) -> ::core::option::Option<Self> {
                $crate::validate(&Self::config_def(), props, options, problems)
                    .map(|parsed| Self::from_parsed(&parsed))
            }

            /// [`Self::validate`] with default options.
            pub fn from_raw(props: &$crate::RawProperties) -> $crate::Checked<Self> {
                let mut problems = $crate::Problems::new();
                let value = Self::validate(props, $crate::Options::default(), &mut problems);
                $crate::Checked::new(value, problems)
            }
        }
    };
}

/// Declares an enum whose variants are the values of an `enum` property, each with its
/// text; a [`settings!`](crate::settings!) field of this type is an `enum(…)` property
/// recommending every value, matched ignoring case.
///
/// ```
/// sluice_config::config_enum! {
///     #[derive(Debug, Clone, Copy, PartialEq)]
///     pub enum Tolerance { None = "none", All = "all" }
/// }
/// ```
#[macro_export]
macro_rules! config_enum {
    (
        $(#[$attr:meta])*
        $vis:vis enum $Name:ident {
            $($(#[$vattr:meta])* $Variant:ident = $text:literal),+ $(,)?
        }
    ) => {
        $(#[$attr])*
        $vis enum $Name {
            $($(#[$vattr])* $Variant),+
        }

        impl $crate::settings::Setting for $Name {
            const TYPE: $crate::PropertyType = $crate::PropertyType::Enum(&[$($text),+]);
            const RECOMMENDED: &'static [&'static str] = &[$($text),+];
            fn from_value(
                value: ::core::option::Option<&$crate::ConfigValue>,
            ) -> ::core::option::Option<Self> {
                // Validation gives an enum's value in its declared spelling.
                match value? {
                    $crate::ConfigValue::String(s) => match s.as_str() {
                        $($text => ::core::option::Option::Some($Name::$Variant),)+
                        _ => ::core::option::Option::None,
                    },
                    _ => ::core::option::Option::None,
                }
            }
            fn to_text(&self) -> ::core::option::Option<::std::string::String> {
                let text = match self {
                    $($Name::$Variant => $text),+
                };
                ::core::option::Option::Some(::std::string::String::from(text))
            }
        }
    };
}
