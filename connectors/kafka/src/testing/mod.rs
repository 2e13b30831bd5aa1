//! Kafka for tests, the demo and benchmarks — public so that other crates' tests can use
//! it (it adds no dependencies and nothing here runs unless called).
//!
//! * [`MockKafka`]: librdkafka's in-process mock cluster, on a thread of its own. No
//!   setup; good for most tests. Never benchmark against it (its fetch path slows down
//!   as a partition grows).
//! * [`TansuBroker`]: the `tansu` broker as a separate process, for system tests
//!   (rebalancing across processes, restarts) and benchmarks.
//! * [`produce_test_records`] / [`raw_consume`]: write numbered records fast, and read a
//!   topic with a bare librdkafka consumer — the baseline the pipeline is measured against.

mod data;
mod mock;
mod tansu;

pub use data::{
    ConsumeStats, PartitionProgress, consume_exactly, group_progress, produce_test_records,
    raw_consume, test_record_index,
};
pub use mock::{Cluster as MockCluster, MockKafka};
/// For [`MockKafka::with_cluster`]: which request to fail, and with which error.
pub use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};
pub use tansu::{TANSU_INSTALL_HINT, TansuBroker};
