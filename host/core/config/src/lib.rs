//! Sluice's configuration system.
//!
//! * Declaring properties: [`settings!`] declares a component's settings once, as a
//!   typed struct whose declaration yields its [`ConfigDef`] / [`PropertyDef`]s (type,
//!   default, validator, importance, group, order, doc, deprecated aliases, visibility)
//!   and its parser; [`PropertyDef::new`] and its builders declare properties one by one.
//! * Loading files: YAML pipelines (nested ≡ dotted keys, lists ≡ comma strings) and
//!   Java `.properties` connector files become [`RawProperties`], with `${env:…}` and
//!   `${file:…:…}` references resolved and every key's [`Origin`] kept.
//! * Validating: [`validate()`] checks raw properties against a definition (aliases,
//!   required keys, types, validators, unknown keys with suggestions) into a
//!   [`ParsedConfig`]; [`pipeline::load`] does it for a whole pipeline in Kafka Connect's
//!   grammar and returns a [`PipelineConfig`].
//! * Problems are collected, never thrown at the first one ([`Problems`],
//!   [`Checked`]); secrets are [`Secret`]s and never appear in them.

pub mod connector;
pub mod def;
pub mod group;
pub mod load;
pub mod origin;
pub mod parsed;
pub mod pipeline;
pub mod problem;
pub mod properties;
pub mod provider;
pub mod raw;
pub mod secret;
pub mod settings;
pub mod suggest;
pub mod validate;
pub mod validator;
pub mod value;
pub mod yaml;
mod yaml_lines;

pub use connector::{CheckIssue, ConnectorKind, ConnectorSpec, CrossCheck, no_cross_check};
pub use def::{
    CheckFn, ConfigDef, Importance, Names, PropertyDef, PropertyType, Text, Validator, VisibleWhen,
};
pub use group::Group;
pub use load::{FileFormat, load_raw, parse_raw};
pub use origin::Origin;
pub use parsed::{ParsedConfig, Resolved, ValueSource};
pub use pipeline::PipelineConfig;
pub use problem::{Checked, Problem, Problems, Severity};
pub use raw::{RawEntry, RawProperties, RawValue};
pub use secret::{Password, Secret};
pub use settings::{Declare, Setting};
pub use validate::{Options, validate};
pub use value::ConfigValue;
