//! The Kinetica sink: writes batches of records into Kinetica tables.
//!
//! The pipeline runtime builds [`SinkSettings`] from the validated properties
//! ([`config::settings`], or [`SinkSettings::from_props`] from a string map), starts a
//! [`KineticaSink`] per task and calls [`KineticaSink::write`] per batch; the
//! [`WriteReport`] lists the records that were not written so the runtime can apply
//! `errors.tolerance`, and a [`SinkError`] says whether a failed write is worth
//! retrying. Offsets may be committed once `write` returns `Ok`.
//!
//! Modules, in the order data flows through them:
//! * [`config`]: the declared properties; [`settings`]: typed settings; [`naming`]:
//!   destination tables; `plan`: grouping a batch by table.
//! * [`type_map`], [`schemaless`]: columns for new tables; [`columns`]: how a column
//!   takes values.
//! * [`row`], [`cell`], [`temporal`], [`decimal`]: values to rows.
//! * `tables`: lookup, creation and caching; [`evolve`]: what a new record schema
//!   needs from its table (`kinetica.schema_evolution.*`, docs/schema-evolution.md);
//!   `chunk`: inserts and refused rows; `sink`: the whole write.
//! * [`report`]: what a write returns.
//!
//! Not done yet: deletes for tombstones, and primary keys for created tables (create
//! the table up front for upserts).

mod array;
pub mod cell;
mod chunk;
pub mod columns;
pub mod config;
mod connector;
pub mod decimal;
pub mod evolve;
mod exactly_once;
pub mod naming;
mod plan;
pub mod report;
pub mod row;
pub mod schemaless;
pub mod settings;
mod sink;
mod tables;
pub mod temporal;
pub mod type_map;

pub use connector::connector;
pub use naming::{DEFAULT_DOT_REPLACEMENT, TableName, TableNamer};
pub use report::{RecordError, RecordFailure, SinkError, TableCounts, WriteReport};
pub use settings::{Secret, SinkSettings, Subscription};
pub use sink::KineticaSink;
