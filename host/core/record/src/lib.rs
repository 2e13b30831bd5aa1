//! Sluice's record model: Kafka Connect's data model in Rust.
//!
//! A [`Record`] carries its Kafka coordinates (topic, partition, offset, timestamp,
//! headers) and a key and a value, each a [`Data`]: an optional [`Schema`] plus a
//! [`Value`]. Values are kept in their *physical* form (a `Date` is an `Int32` of days,
//! a `Decimal` is the big-endian two's-complement unscaled integer as `Bytes`); the
//! schema's logical name says how to read them (see [`logical`]).

pub mod logical;
mod record;
mod schema;
mod validate;
mod value;

/// The type of [`RawRecord`]'s payloads, re-exported so that its users need not depend on
/// the `bytes` crate themselves.
pub use bytes::Bytes;
/// The text of a [`Value::String`], re-exported so that its users need not depend on the
/// `compact_str` crate themselves.
pub use compact_str::CompactString;
pub use record::{Batch, Data, Header, RawRecord, Record};
pub use schema::{Field, Schema, SchemaBuilder, SchemaKind, SchemaRef, SchemaType};
pub use validate::ValidationError;
pub use value::{Struct, Value};
