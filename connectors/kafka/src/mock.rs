//! librdkafka's in-process mock cluster, kept on the thread that made it — for the demo
//! (`sluice demo`) and for fast tests. It is not the `testing` module: the demo is part of
//! the production binary. Never benchmark against it (its fetch path slows down as a
//! partition grows).

use std::collections::BTreeMap;
use std::sync::mpsc;
use std::thread::JoinHandle;

use rdkafka::mocking::MockCluster;
use rdkafka::producer::DefaultProducerContext;

/// For [`MockKafka::with_cluster`]: which request to fail, and with which error.
pub use rdkafka::types::{RDKafkaApiKey, RDKafkaRespErr};

/// The mock cluster could not be started or used. Not a [`crate::Error`]: nothing here
/// talks to a real cluster, so there are no brokers, groups or retry hints to report.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct MockError(String);

type Result<T> = std::result::Result<T, MockError>;

/// An in-process Kafka cluster (librdkafka's `MockCluster`) listening on loopback ports.
///
/// `MockCluster` is `!Send`, so it lives on a dedicated thread that owns it and serves
/// requests over a channel; `MockKafka` itself is `Send + Sync` and can be shared by the
/// threads of a test. Dropping it shuts the cluster down.
pub struct MockKafka {
    bootstrap_servers: String,
    requests: Option<mpsc::Sender<Request>>,
    thread: Option<JoinHandle<()>>,
}

/// The cluster as its thread owns it.
pub type Cluster = MockCluster<'static, DefaultProducerContext>;

/// Work for the cluster's thread.
type Request = Box<dyn FnOnce(&Cluster) + Send>;

impl MockKafka {
    /// A cluster of one broker.
    pub fn start() -> Result<MockKafka> {
        MockKafka::with_brokers(1)
    }

    /// A cluster of `brokers` brokers (for tests of partition leaders and brokers going
    /// down); returns once the cluster's thread has started it.
    pub fn with_brokers(brokers: i32) -> Result<MockKafka> {
        let (started_tx, started_rx) = mpsc::channel();
        let (requests, requests_rx) = mpsc::channel::<Request>();
        let thread = std::thread::Builder::new()
            .name("mock-kafka".into())
            .spawn(move || {
                let cluster = match MockCluster::new(brokers) {
                    Ok(cluster) => cluster,
                    Err(error) => {
                        let _ = started_tx.send(Err(error.to_string()));
                        return;
                    }
                };
                let _ = started_tx.send(Ok(cluster.bootstrap_servers()));
                // Ends when the `MockKafka` drops its sender.
                for request in requests_rx {
                    request(&cluster);
                }
            })
            .map_err(|error| MockError(format!("cannot start the mock Kafka thread: {error}")))?;
        let bootstrap_servers = started_rx
            .recv()
            .map_err(|_| MockError("the mock Kafka thread died while starting".into()))?
            .map_err(|error| MockError(format!("cannot create a mock Kafka cluster: {error}")))?;
        Ok(MockKafka {
            bootstrap_servers,
            requests: Some(requests),
            thread: Some(thread),
        })
    }

    /// Consumer properties for tests of groups on the mock: when a member leaves, the
    /// mock re-forms the group only after `session.timeout.ms` − 1 s (44 s by default),
    /// even if a new member joins at once.
    pub fn group_properties() -> BTreeMap<String, String> {
        BTreeMap::from([
            ("session.timeout.ms".to_string(), "6000".to_string()),
            ("heartbeat.interval.ms".to_string(), "500".to_string()),
        ])
    }

    /// The mock's `bootstrap.servers` (the loopback addresses of its brokers), for the
    /// clients of a test or of `sluice demo`.
    pub fn bootstrap_servers(&self) -> &str {
        &self.bootstrap_servers
    }

    /// Creates a topic (the mock broker does not implement the CreateTopics admin call).
    pub fn create_topic(&self, topic: &str, partitions: i32) -> Result<()> {
        let name = topic.to_string();
        self.with_cluster(move |cluster| cluster.create_topic(&name, partitions, 1))?
            .map_err(|error| {
                MockError(format!(
                    "cannot create topic {topic} on the mock cluster {}: {error}",
                    self.bootstrap_servers
                ))
            })
    }

    /// Runs `f` on the cluster's thread and returns its result: error injection
    /// (`request_errors`), brokers going down, and the rest of `MockCluster`'s API.
    pub fn with_cluster<R: Send + 'static>(
        &self,
        f: impl FnOnce(&Cluster) -> R + Send + 'static,
    ) -> Result<R> {
        let (reply, reply_rx) = mpsc::channel();
        let request: Request = Box::new(move |cluster| {
            let _ = reply.send(f(cluster));
        });
        let gone = || MockError("the mock Kafka thread is gone".into());
        self.requests
            .as_ref()
            .ok_or_else(gone)?
            .send(request)
            .map_err(|_| gone())?;
        reply_rx.recv().map_err(|_| gone())
    }
}

impl Drop for MockKafka {
    fn drop(&mut self) {
        drop(self.requests.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
