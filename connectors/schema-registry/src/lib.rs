//! An async client of Confluent's Schema Registry REST API, for Sluice's Avro converter.
//!
//! * [`RegistryConfig`]: the properties Confluent's converters take
//!   (`schema.registry.url` with several URLs, `basic.auth.credentials.source`,
//!   `basic.auth.user.info`, `schema.registry.ssl.*` with Java's JKS/PKCS12/PEM stores),
//!   declared once in [`RegistryProps`] so a converter lists them among its own
//!   ([`property_defs`]).
//! * [`SchemaRegistryClient`]: schema by id, register, lookup, latest and listed
//!   versions, compatibility checks and levels; requests fail over to the next URL on
//!   connection errors, timeouts and 5xx answers, and keep using the one that answered.
//! * [`RegistryError`]: one error with an [`ErrorKind`] and a
//!   [`Classify`](sluice_error::Classify) class (only [`ErrorKind::Unavailable`] is
//!   retriable).
//! * [`local`]: Apicurio Registry 2.4's Confluent-compatible API as a child process,
//!   for `sluice bench` and the tests.
//! * `testing` (feature): what tests add to it (a registry shared by a test binary,
//!   unique subjects, Confluent's Python client).
//!
//! Credentials never appear in messages, logs or `Debug` output; URLs are shown without
//! their user info. See `connectors/schema-registry/README.md`.

mod client;
mod config;
mod error;
pub mod local;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{
    CONTENT_TYPE_V1, Compatibility, RegisteredSchema, SchemaReference, SchemaRegistryClient,
    SchemaType, SubjectVersion, Version, encode_segment,
};
pub use config::{
    BasicAuth, ClientIdentity, ConfigError, CredentialsSource, RegistryConfig, RegistryProps,
    RegistryUrl, TlsSettings, config_def, names, property_defs,
};
pub use error::{ErrorKind, Missing, RegistryError};
