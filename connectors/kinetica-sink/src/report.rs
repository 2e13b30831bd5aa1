//! What a write did: per-table counts and per-record failures, or why it stopped.
//!
//! The sink never decides what happens to a record it could not write: it reports
//! the record's index and the reason, and the pipeline runtime applies
//! `errors.tolerance` (fail, or route to the dead letter queue). A [`SinkError`] is
//! different: the write as a whole did not complete and nothing after the failure was
//! acknowledged, so the runtime must not commit the batch's offsets.

use std::collections::BTreeMap;

use sluice_kinetica::KineticaError;

use crate::naming::NamingError;
use crate::row::RowError;
use crate::type_map::MappingError;

/// Rows Kinetica acknowledged for one table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TableCounts {
    /// New rows (`count_inserted`).
    pub inserted: u64,
    /// Rows that replaced an existing primary key (`count_updated`, upsert only).
    pub updated: u64,
    /// Rows sent. With `update_on_existing_pk=false`, rows whose primary key already
    /// exists are discarded by Kinetica without an error: `sent - inserted - updated`.
    pub sent: u64,
}

/// Why one record was not written. Messages name the field or table, never a value
/// (a message Kinetica itself returns is passed on as it is).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// No destination table could be named for the record
    /// (docs/reference/kinetica-connector-behaviour.md §2.3).
    #[error("{0}")]
    Naming(#[from] NamingError),
    /// The record's value cannot define the columns of a new table (not a struct or
    /// map, nested fields, a decimal wider than Kinetica stores, …).
    #[error("{0}")]
    Mapping(#[from] MappingError),
    /// The record's value does not convert into the table's columns.
    #[error("{0}")]
    Row(#[from] RowError),
    /// The destination table does not exist and `kinetica.tables.create_table=false`
    /// (docs/reference/kinetica-connector-behaviour.md §2.13).
    #[error(
        "table {table} does not exist and kinetica.tables.create_table=false; create the table \
         or set kinetica.tables.create_table=true"
    )]
    TableMissing {
        /// The missing table, as `schema.table` or `table`.
        table: String,
    },
    /// `/create/type` or `/create/table` for the record's destination failed.
    #[error("cannot create table {table}: {message}")]
    TableCreation {
        /// The table that could not be created, as `schema.table` or `table`.
        table: String,
        /// Kinetica's error text.
        message: String,
    },
    /// Schema evolution: a field of the record's schema has a type no value of which
    /// converts into the table's column of that name, and Kinetica cannot change the
    /// column to take it (docs/schema-evolution.md).
    #[error(
        "field {field:?} is {found} in the record's schema but column {field:?} of table \
         {table} is {column}: no {found} value converts into it and Kinetica cannot change \
         the column to take one; write the field under a new name, or change the column by \
         hand"
    )]
    IncompatibleField {
        /// The destination table, as `schema.table` or `table`.
        table: String,
        /// The field (and column) name.
        field: String,
        /// The field's type, as the column the sink would create for it (e.g. `bytes`).
        found: String,
        /// The column's type (e.g. `int`).
        column: String,
    },
    /// Schema evolution: Kinetica refused the `/alter/table` that the record's schema
    /// needs (adding its field as a column, or making a column nullable).
    #[error("cannot alter table {table} for field {field:?}: {message}")]
    Alteration {
        /// The destination table, as `schema.table` or `table`.
        table: String,
        /// The field (and column) the alteration was for.
        field: String,
        /// Kinetica's error text.
        message: String,
    },
    /// Kinetica refused this row individually in `/insert/records` (its `error_N`
    /// text), while the rest of the request was stored.
    #[error("Kinetica rejected the row for table {table}: {message}")]
    Rejected {
        /// The destination table, as `schema.table` or `table`.
        table: String,
        /// Kinetica's error text for the row, passed on as it is.
        message: String,
    },
}

/// One record that was not written: its index in the batch passed to
/// [`crate::KineticaSink::write`], its Kafka coordinates, and the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordFailure {
    /// Position of the record in the batch passed to [`crate::KineticaSink::write`].
    pub index: usize,
    /// `topic-partition@offset`.
    pub coordinates: String,
    /// Why the record was not written.
    pub error: RecordError,
}

impl std::fmt::Display for RecordFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "record {}: {}", self.coordinates, self.error)
    }
}

/// The outcome of a completed write: everything not listed in `failures` (or skipped as
/// a tombstone) is stored in Kinetica.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Keyed by the qualified table name.
    pub tables: BTreeMap<String, TableCounts>,
    /// Records that were not written, in batch order.
    pub failures: Vec<RecordFailure>,
    /// Records with a null value (Kafka tombstones): there is no row to write, and the
    /// sink does not delete rows, so they are skipped and counted.
    pub tombstones: usize,
}

impl WriteReport {
    /// New rows over all tables (the sum of [`TableCounts::inserted`]).
    pub fn inserted(&self) -> u64 {
        self.tables.values().map(|c| c.inserted).sum()
    }

    /// Rows that replaced an existing primary key over all tables (the sum of
    /// [`TableCounts::updated`]; non-zero only with `update_on_existing_pk=true`).
    pub fn updated(&self) -> u64 {
        self.tables.values().map(|c| c.updated).sum()
    }
}

/// A write that did not complete. Records before the failure may be stored; none is
/// reported as acknowledged, so the runtime retries or fails the whole batch (delivery
/// is at-least-once: a retried batch can store some rows twice unless the table has a
/// primary key and `update_on_existing_pk=true`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SinkError {
    /// Kinetica is unreachable, overloaded or failing over, and the client's own
    /// retries (`kinetica.retry_count`) are used up. Trying the batch later may work.
    #[error("Kinetica is unavailable: {0}")]
    Retriable(KineticaError),
    /// Retrying will not help: authentication, permissions, an unusable server
    /// response, or a configuration the sink cannot work with.
    #[error("{0}")]
    Fatal(String),
    /// Retrying will not help, and the cause is the configuration property `property`
    /// (a refused TLS certificate: `kinetica.ssl.ca.location`).
    #[error("{message}")]
    Setting {
        /// The property to fix, e.g. `kinetica.ssl.ca.location`.
        property: &'static str,
        /// What failed, naming the property.
        message: String,
    },
}

impl SinkError {
    /// Whether trying the same batch again later may succeed ([`SinkError::Retriable`]).
    pub fn is_retriable(&self) -> bool {
        matches!(self, SinkError::Retriable(_))
    }
}

impl From<KineticaError> for SinkError {
    fn from(e: KineticaError) -> SinkError {
        if e.is_retriable() {
            SinkError::Retriable(e)
        } else if let Some(property) = e.setting() {
            SinkError::Setting {
                property,
                message: e.to_string(),
            }
        } else {
            SinkError::Fatal(e.to_string())
        }
    }
}
