//! Sluice's configuration system.

pub mod def;

pub use def::{ConfigDef, Importance, PropertyDef, PropertyType, Validator};
