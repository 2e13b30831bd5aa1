//! Demo and benchmark support: the data `sluice demo` and `sluice bench` write to Kafka,
//! the pipelines they run, and how they print numbers.
//!
//! * [`stocks`]: the Kinetica connector quick-start's stock-ticker quotes, as Kafka
//!   Connect JSON with a schema envelope.
//! * [`random`]: random records of an Avro schema given in a file.
//! * [`encoded`]: generated Connect data written by a converter (JSON, or Avro through a
//!   Schema Registry).
//! * [`rng`]: the seeded randomness of every generator.
//! * [`produce`]: writes generated records to a topic on a thread of its own, counting
//!   them as it goes so that a caller can show progress while a pipeline consumes them.
//! * `small_json`: 100-byte schemaless JSON records for `sluice bench`.
//! * `small_avro`: the same records as Avro through a Schema Registry, of the same size.
//! * [`pipeline`]: the pipelines of `config/demo/`, with run-time addresses filled in.
//! * [`units`]: counts, rates and durations for people.

pub mod encoded;
pub mod pipeline;
pub mod produce;
pub mod random;
pub mod rng;
pub mod small_avro;
pub mod small_json;
pub mod stocks;
pub mod units;
