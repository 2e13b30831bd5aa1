//! Sluice's Kafka connector: the source that feeds pipelines from a consumer group, the
//! producer that writes raw records (dead letter queues, test and demo data), librdkafka's
//! in-process mock cluster for the demo ([`mock`]), and — only with the `testing` feature,
//! never in a production build — an Apache Kafka broker process and test data helpers
//! (`testing`).
//!
//! A task's loop is `poll_batch → process → sink write → commit → poll_batch`:
//!
//! ```no_run
//! # use std::time::Duration;
//! # use sluice_kafka::{KafkaSource, Offsets, SourceSettings};
//! # fn write(_: &[sluice_record::RawRecord]) {}
//! # fn run(settings: SourceSettings) -> sluice_kafka::Result<()> {
//! let mut source = KafkaSource::new(&settings)?;
//! loop {
//!     let batch = source.poll_batch(10_000, Duration::from_millis(500))?;
//!     let offsets = Offsets::of(&batch); // before transforms filter anything out
//!     write(&batch);                      // convert, transform, write, wait for the ack
//!     source.commit(&offsets)?;           // only then
//! }
//! # }
//! ```
//!
//! Offsets are committed only after the sink acknowledged a batch, so delivery is
//! at-least-once; rebalances lose nothing and, as long as commits succeed, write nothing
//! twice (see [`KafkaSource`] and [`RebalanceEvent`]). `tasks.max` tasks are that many
//! `KafkaSource`s with the same settings: members of one group.

// `Error` carries the brokers, group and topic it concerns next to librdkafka's error
// (~150 bytes). It is returned once per batch at most, never per record, so boxing it
// would buy nothing but an allocation on the error path.
#![allow(clippy::result_large_err)]

pub mod baseline;
pub mod broker;
mod check;
mod config;
mod connect;
mod error;
mod follow;
mod group_offsets;
pub mod mock;
mod offsets;
mod payloads;
mod producer;
mod progress;
mod rebalance;
mod security;
mod sink;
mod source;
mod source_offsets;
#[cfg(feature = "testing")]
pub mod testing;
mod topics;

pub use check::reach_cluster;
pub use connect::{build_source, source_settings};
pub use error::{Error, Result};
pub use follow::TopicFollower;
pub use group_offsets::{GroupOffset, committed_offsets, delete_group, group_lag, set_offsets};
pub use producer::{Partitioning, ProducerSettings, RecordProducer};
pub use progress::{PartitionProgress, group_progress};
pub use rebalance::RebalanceEvent;
pub use security::SecurityError;
pub use sink::{KafkaSink, build_sink};
pub use sluice_connect::{Offsets, TopicPartition};
pub use source::{CommitOutcome, KafkaSource, SourceSettings, Topics};
pub use source_offsets::{DEFAULT_OFFSETS_TOPIC, offset_key, offset_value, read_positions};
pub use topics::{Ensured, ensure_topic, ensure_topic_with};

#[cfg(test)]
mod tests {
    /// Tasks run on threads of their own: their source and producer must move there.
    #[test]
    fn clients_can_move_to_task_threads() {
        fn send<T: Send>() {}
        fn shared<T: Send + Sync>() {}
        send::<crate::KafkaSource>();
        send::<crate::RecordProducer>();
        shared::<crate::mock::MockKafka>();
        shared::<crate::Error>();
    }

    /// The shared test broker is a `static`: it must be `Sync`.
    #[cfg(feature = "testing")]
    #[test]
    fn the_test_broker_can_be_shared() {
        fn shared<T: Send + Sync>() {}
        shared::<crate::testing::KafkaBroker>();
    }
}
