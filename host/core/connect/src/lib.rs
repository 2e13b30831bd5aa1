//! The seams a pipeline runs on, known to the runtime and implemented by connectors:
//!
//! * a [`Source`] polls batches and commits what the sink acknowledged;
//! * a [`Sink`] writes a batch and reports per record;
//! * a [`ConnectorPlugin`] says how a pipeline file selects a connector (short name,
//!   Kafka Connect class names), which properties it declares, and builds the
//!   per-task sources or sinks ([`SourceFactory`], [`SinkFactory`]);
//! * [`ErrorClass`] is the one error taxonomy of the workspace: a domain (user,
//!   external, internal) and a retry hint, carried by every error that reaches the
//!   runtime, so retries, the dead letter queue and status decide from the type.
//!
//! A pipeline is `source → converters → transforms → sink`. Kafka is one side of every
//! pipeline: a Kafka source feeds a sink connector (Kafka → Kinetica), a source
//! connector feeds a Kafka sink (Kinetica → Kafka). Sources that read Kafka deliver
//! bytes ([`SourceBatch::Raw`]) for the key and value converters to decode; sources of
//! typed rows deliver [`Record`]s. A sink says which of the two it takes
//! ([`SinkInput`]); the runtime encodes with the converters when it takes bytes.
//!
//! [`Record`]: sluice_record::Record

mod connector;
mod error;
pub mod metrics;
pub mod offsets;
mod sink;
mod source;

pub use connector::{
    BuildSink, BuildSource, BundledFlattener, ConnectorPlugin, Factory, ImplyFlattener,
    SetupProblem, SinkFactory, SourceFactory, TaskContext,
};
pub use error::{Classify, ConnectError, Domain, ErrorClass};
pub use offsets::{Offsets, TopicPartition};
pub use sink::{RecordFailure, Sink, SinkBatch, SinkInput, WriteReport};
pub use source::{AssignmentEvent, BatchLimits, Source, SourceBatch};
