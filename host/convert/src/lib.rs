//! Kafka Connect converters between Kafka's bytes and Sluice's record model.
//!
//! A [`Converter`] turns a record key or value from Kafka (`Option<&[u8]>`, `None` being
//! Kafka's null) into [`Data`] (an optional schema and a value) and back. This crate
//! provides Kafka Connect's three standard converters, byte-compatible with Kafka's:
//!
//! * [`JsonConverter`] (`json`, `org.apache.kafka.connect.json.JsonConverter`), with
//!   and without the `{"schema": …, "payload": …}` envelope;
//! * [`StringConverter`] (`string`, `org.apache.kafka.connect.storage.StringConverter`);
//! * [`ByteArrayConverter`] (`bytes`, `org.apache.kafka.connect.converters.ByteArrayConverter`).
//!
//! The pipeline runtime builds them with [`converter_from_config`] from the
//! `key.converter` / `value.converter` type and property group, and declares their
//! properties from [`config_defs`]. The JSON schema format functions
//! ([`schema_from_json`], [`value_to_json`], …) are public for tools that read and print
//! records as JSON.
//!
//! Errors ([`ConvertError`]) never contain record contents. The decisions where Sluice
//! departs from Kafka Connect are listed in this crate's README.

mod bytes;
mod charset;
mod config;
mod error;
pub mod json;
mod props;
mod string;

use sluice_record::Data;

pub use bytes::ByteArrayConverter;
pub use charset::Charset;
pub use config::{
    CONVERTER_TYPE, ConverterType, KNOWN_CONVERTERS, config_def, config_defs, converter_from_config,
};
pub use error::ConvertError;
pub use json::{
    DecimalFormat, JsonConverter, JsonConverterConfig, schema_from_json, schema_to_json,
    try_value_to_json, value_from_json, value_to_json,
};
pub use props::Props;
pub use string::StringConverter;

/// Converts a record key or value between Kafka bytes and [`Data`].
///
/// Implementations are shared by the tasks of a pipeline, hence `Send + Sync`; a
/// converter that caches (the JSON converter caches schemas) does so behind a lock.
/// `topic` is the record's topic, which some formats use (a schema registry subject);
/// the standard converters ignore it. Errors say what is wrong and where, never the
/// record's contents; the caller adds the record's coordinates.
pub trait Converter: Send + Sync {
    /// Reads a key or value as Kafka delivered it; `None` is Kafka's null (a tombstone
    /// value) and gives [`Data::NULL`] or a null value with an optional schema.
    fn to_data(&self, topic: &str, bytes: Option<&[u8]>) -> Result<Data, ConvertError>;

    /// Writes a key or value for Kafka; `Ok(None)` is Kafka's null.
    // Named after Connect's `fromConnectData`, which the brief and users know.
    #[allow(clippy::wrong_self_convention)]
    fn from_data(&self, topic: &str, data: &Data) -> Result<Option<Vec<u8>>, ConvertError>;

    /// Fetches from outside the process what decoding `inputs` (one batch of one topic)
    /// needs — the Avro converter's writer schemas, from the Schema Registry — and holds
    /// it until the next call, so that [`Converter::to_data`] never waits on the network
    /// and an outage is one batch-level [`ConvertError::Unavailable`] the runtime waits
    /// out, not a failure blamed on every record. What is missing for good (an unknown
    /// schema id) is left to `to_data` to report per record. The standard converters
    /// need nothing.
    fn prepare_decode(&self, topic: &str, inputs: &[Option<&[u8]>]) -> Result<(), ConvertError> {
        let _ = (topic, inputs);
        Ok(())
    }

    /// Whether [`Converter::prepare_decode`] and [`Converter::prepare_encode`] do
    /// anything: when not, the runtime does not gather a batch's inputs for them (a
    /// per-batch cost on the hot path of every pipeline).
    fn fetches(&self) -> bool {
        false
    }

    /// [`Converter::prepare_decode`]'s counterpart before [`Converter::from_data`]:
    /// registers or looks up the schemas of `inputs` (one batch of one topic).
    fn prepare_encode(&self, topic: &str, inputs: &[&Data]) -> Result<(), ConvertError> {
        let _ = (topic, inputs);
        Ok(())
    }
}
