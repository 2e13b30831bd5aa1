//! Avro with a Schema Registry, compatible with Confluent's `AvroConverter`
//! (`io.confluent.connect.avro.AvroConverter`, or `avro`).
//!
//! * [`wire`]: the Schema Registry framing (magic byte, schema id, datum).
//! * [`types`]: an Avro schema's JSON as a tree, attributes included.
//! * [`schema`]: Avro ⇄ Kafka Connect schemas, as Confluent's `AvroData` maps them.
//! * [`codec`]: Avro's binary encoding, straight between bytes and Sluice's values.
//! * [`subject`]: subject naming strategies.
//! * [`AvroConverter`]: all of it on Sluice's converter seam, with the registry client
//!   (`sluice-schema-registry`).

pub mod codec;
mod converter;
pub mod schema;
pub mod subject;
pub mod types;
pub mod wire;

pub use converter::{AvroConverter, NAMES, config_def};
