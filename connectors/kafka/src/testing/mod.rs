//! Test support — only with the `testing` feature, which only tests enable
//! (dev-dependencies), so none of it is in a production build. The broker process and
//! the baseline consumer are production modules ([`crate::broker`], [`crate::baseline`]:
//! `sluice bench` uses them); they are re-exported here for tests.
//!
//! * [`KafkaBroker`] / [`shared_broker`]: Apache Kafka itself (4.x, KRaft, one node) as a
//!   separate process, for system tests (group membership across processes, broker
//!   restarts) and benchmarks. Needs a JDK and Maven ([`BROKER_INSTALL_HINT`]).
//! * [`produce_test_records`] / [`raw_consume`]: write numbered records fast, and read a
//!   topic with a bare librdkafka consumer — the baseline the pipeline is measured against.
//! * [`consume_exactly`]: read a given number of records through a [`KafkaSource`](crate::KafkaSource).
//! * [`SecureBroker`] / [`shared_secure_broker`]: a broker with `SSL` and `SASL_SSL`
//!   listeners and the JKS/PKCS12 stores of its clients, made by `keytool`.
//!
//! librdkafka's in-process mock cluster is [`crate::mock`] (the demo uses it too), and
//! [`crate::group_progress`] reads where a group stands.

mod data;
mod secure;

pub use crate::baseline::{ConsumeStats, raw_consume};
pub use crate::broker::{BROKER_INSTALL_HINT, BrokerExtras, KafkaBroker, shared_broker};
pub use data::{consume_exactly, produce_test_records, test_record_index};
pub use secure::{
    PLAIN_USER, SCRAM_256_USER, SCRAM_512_USER, STORE_PASSWORD, SecureBroker, StoreFormat,
    shared_secure_broker,
};
