//! Test support — only with the `testing` feature, which only tests and benchmarks enable
//! (dev-dependencies, and `sluice`'s own `bench` feature), so none of it is in a
//! production build.
//!
//! * [`KafkaBroker`] / [`shared_broker`]: Apache Kafka itself (4.x, KRaft, one node) as a
//!   separate process, for system tests (group membership across processes, broker
//!   restarts) and benchmarks. Needs a JDK and Maven ([`BROKER_INSTALL_HINT`]).
//! * [`produce_test_records`] / [`raw_consume`]: write numbered records fast, and read a
//!   topic with a bare librdkafka consumer — the baseline the pipeline is measured against.
//! * [`consume_exactly`]: read a given number of records through a [`KafkaSource`](crate::KafkaSource).
//!
//! librdkafka's in-process mock cluster is [`crate::mock`] (the demo uses it too), and
//! [`crate::group_progress`] reads where a group stands.

mod broker;
mod data;

pub use broker::{BROKER_INSTALL_HINT, KafkaBroker, shared_broker};
pub use data::{
    ConsumeStats, consume_exactly, produce_test_records, raw_consume, test_record_index,
};
