//! Sluice's Kafka connector: the source that feeds pipelines from a consumer group, the
//! producer that writes raw records (dead letter queues, test and demo data), and Kafka
//! brokers for tests ([`testing`]).
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

mod config;
mod connect;
mod error;
mod offsets;
mod producer;
mod rebalance;
mod source;
pub mod testing;

pub use connect::build_source;
pub use error::{Error, Result};
pub use sluice_connect::{Offsets, TopicPartition};
pub use producer::{Partitioning, ProducerSettings, RecordProducer};
pub use rebalance::RebalanceEvent;
pub use source::{CommitOutcome, KafkaSource, SourceSettings, Topics};

#[cfg(test)]
mod tests {
    /// Tasks run on threads of their own: their source and producer must move there.
    #[test]
    fn clients_can_move_to_task_threads() {
        fn send<T: Send>() {}
        fn shared<T: Send + Sync>() {}
        send::<crate::KafkaSource>();
        send::<crate::RecordProducer>();
        shared::<crate::testing::MockKafka>();
        send::<crate::testing::TansuBroker>();
        shared::<crate::Error>();
    }
}
