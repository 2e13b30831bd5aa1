//! The Kinetica sink: writes batches of records into Kinetica tables.

pub mod cell;
pub mod columns;
pub mod config;
pub mod decimal;
pub mod naming;
pub mod row;
pub mod schemaless;
pub mod settings;
pub mod temporal;
pub mod type_map;

pub use naming::{DEFAULT_DOT_REPLACEMENT, TableName, TableNamer};
pub use settings::{Secret, SinkSettings, Subscription};
