//! Kinetica's REST protocol for Sluice: the binary Avro codec, request and
//! response records, an async client with typed errors and retries, and
//! multi-head (per-rank) routing of inserts.
//!
//! Layers, bottom up:
//! * [`avro`]: Avro binary primitives for the subset Kinetica uses.
//! * [`types`], [`value`], [`rows`]: Kinetica types, column values, and the row
//!   codec ([`EncodedRows`] is the reusable insert buffer).
//! * [`protocol`]: endpoint records and the `gpudb_response` envelope.
//! * [`shard`], [`murmur`]: shard-key bytes and MurmurHash3 routing.
//! * [`client`], [`error`], [`retry`], [`auth`], [`tls`]: [`KineticaClient`] over reqwest.
//! * [`multihead`]: [`MultiHeadInserter`], which splits batches per worker rank.
//!
//! Typical sink usage:
//! ```no_run
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! use sluice_kinetica::*;
//! let client = KineticaClient::new(ClientConfig::new("http://127.0.0.1:9191"))?;
//! let ty = KineticaType::from_column_list(&[
//!     ["id", "int", "primary_key"],
//!     ["name", "string", "char16"],
//! ])?;
//! let type_id = client.create_type(&ty, "").await?;
//! client.create_table("ki_home.people", &type_id, Options::new()).await?;
//! let mut rows = EncodedRows::new();
//! rows.push_row(&ty, &[Value::Int(1), Value::from("ann")])?;
//! let resp = client.insert_records("ki_home.people", &rows, &Options::new()).await?;
//! assert_eq!(resp.count_inserted, 1);
//! # Ok(()) }
//! ```

pub mod auth;
pub mod avro;
pub mod client;
pub mod error;
pub mod multihead;
pub mod murmur;
pub mod protocol;
pub mod retry;
pub mod rows;
pub mod shard;
pub mod tls;
pub mod types;
pub mod value;

pub use auth::{Auth, Secret};
pub use client::{ClientConfig, KineticaClient, TableInfo};
pub use error::KineticaError;
pub use multihead::{BadRecord, InsertCounts, MultiHeadInserter, PartialInsert, ShardMap};
pub use protocol::{AvroRecord, END_OF_SET, Endpoint, GpudbResponse, Options};
pub use retry::{RetryPolicy, Sleeper};
pub use rows::{EncodedRows, RowError, RowWriter};
pub use shard::ShardKey;
pub use tls::{CaCertificates, TlsConfig};
pub use types::{BaseType, Column, ColumnKind, KineticaType, TypeError};
pub use value::{Value, ValueRef};
