//! Writing raw records to Kafka: the dead letter queue, and test and demo data.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::Duration;

use rdkafka::ClientContext;
use rdkafka::error::{KafkaError as RdKafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header as RdHeader, Message, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, DeliveryResult, Producer, ProducerContext};
use rdkafka::util::Timeout;
use sluice_record::{Header, RawRecord};

use crate::config::producer_config;
use crate::{Error, Result};

/// How to reach Kafka for writing. `Debug` hides the values of secret-looking
/// properties.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ProducerSettings {
    /// librdkafka's `bootstrap.servers`: comma-separated `host:port` of brokers to ask
    /// for the cluster's metadata.
    pub bootstrap_servers: String,
    /// `producer.*` properties with the prefix removed, passed to librdkafka after
    /// Sluice's defaults — verbatim, but for Kafka's Java security properties, which are
    /// translated (docs/security.md).
    pub properties: BTreeMap<String, String>,
}

impl std::fmt::Debug for ProducerSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProducerSettings")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field(
                "properties",
                &sluice_config::secret::RedactedProperties(&self.properties),
            )
            .finish()
    }
}

/// Where a record goes within its topic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Partitioning {
    /// The producer's partitioner picks one from the key (`partitioner` property).
    ByKey,
    /// The partition the record carries (`RawRecord::partition`).
    AsRecorded,
}

/// Writes [`RawRecord`]s — key, value, headers and timestamp — and waits until the broker
/// acknowledged them. One per task: `send` takes `&mut self` so that the delivery
/// failures it reports are those of its own records.
pub struct RecordProducer {
    producer: BaseProducer<DeliveryContext>,
    servers: String,
    /// For errors that librdkafka reports without a record.
    last_topic: String,
    /// The `transactional.id` it was given, for errors.
    transactional_id: Option<String>,
}

impl RecordProducer {
    /// Creates the producer: Sluice's defaults (`client.id=sluice`,
    /// `message.timeout.ms=120000`, as Kafka's Java producer), then `settings`. Does not
    /// wait for a broker; an unknown or invalid property fails here ([`Error::Create`]).
    pub fn new(settings: &ProducerSettings) -> Result<RecordProducer> {
        let servers = settings.bootstrap_servers.clone();
        let config =
            producer_config(&servers, &settings.properties).map_err(|source| Error::Security {
                client: "producer",
                servers: servers.clone(),
                source,
            })?;
        let producer = config
            .create_with_context(DeliveryContext::default())
            .map_err(|source| Error::Create {
                client: "producer",
                servers: servers.clone(),
                source,
            })?;
        Ok(RecordProducer {
            producer,
            servers,
            last_topic: String::new(),
            transactional_id: settings.properties.get("transactional.id").cloned(),
        })
    }

    /// Connects once with `settings` when they use TLS or SASL, and fails with the
    /// property to fix when the broker's certificate is not trusted or the credentials are
    /// refused ([`Error::Security`]); without this, librdkafka would only report those
    /// failures as events and keep retrying. Returns without a verdict when no broker can
    /// be reached. Call it at start-up, before relying on the producer.
    pub fn check_security(settings: &ProducerSettings) -> Result<()> {
        crate::check::check_producer(settings).map_err(|source| Error::Security {
            client: "producer",
            servers: settings.bootstrap_servers.clone(),
            source,
        })
    }

    /// Writes `records` to `topic` (their own topic and offset are ignored: they are
    /// where the records came from) and returns once all were acknowledged, or with the
    /// first failure once every record has either been acknowledged or failed.
    pub fn send(
        &mut self,
        topic: &str,
        records: &[RawRecord],
        partitioning: Partitioning,
    ) -> Result<()> {
        for record in records {
            let partition = match partitioning {
                Partitioning::ByKey => None,
                Partitioning::AsRecorded => Some(record.partition),
            };
            self.enqueue(
                topic,
                partition,
                record.key.as_deref(),
                record.value.as_deref(),
                &record.headers,
                record.timestamp,
            )?;
        }
        self.flush()
    }

    /// Queues one record without waiting for it; [`flush`](Self::flush) waits. The fast
    /// path for generating data: nothing is allocated per record but its headers.
    pub fn enqueue(
        &mut self,
        topic: &str,
        partition: Option<i32>,
        key: Option<&[u8]>,
        value: Option<&[u8]>,
        headers: &[Header],
        timestamp: Option<i64>,
    ) -> Result<()> {
        if self.last_topic != topic {
            self.last_topic = topic.to_string();
        }
        let mut record: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic);
        record.partition = partition;
        record.key = key;
        record.payload = value;
        record.timestamp = timestamp;
        if !headers.is_empty() {
            record.headers = Some(to_owned_headers(headers));
        }
        loop {
            match self.producer.send(record) {
                Ok(()) => return Ok(()),
                // librdkafka's queue (`queue.buffering.max.messages`) is full: serve
                // delivery reports until there is room.
                Err((RdKafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), returned)) => {
                    record = returned;
                    self.producer.poll(Duration::from_millis(10));
                }
                Err((source, _)) => {
                    return Err(Error::Deliver {
                        servers: self.servers.clone(),
                        topic: topic.to_string(),
                        partition: partition.unwrap_or(-1),
                        failed: 1,
                        source,
                    });
                }
            }
        }
    }

    /// Waits until every queued record was acknowledged or failed (each fails at the
    /// latest after `message.timeout.ms`), and reports the first failure.
    pub fn flush(&mut self) -> Result<()> {
        let flushed = self.producer.flush(Timeout::Never);
        let failures = self.producer.context().take_failures();
        if let Some(first) = failures.first {
            return Err(Error::Deliver {
                servers: self.servers.clone(),
                topic: first.topic,
                partition: first.partition,
                failed: failures.count,
                source: first.error,
            });
        }
        flushed.map_err(|source| Error::Deliver {
            servers: self.servers.clone(),
            topic: self.last_topic.clone(),
            partition: -1,
            failed: self.producer.in_flight_count().max(0) as usize,
            source,
        })
    }

    /// Registers the producer's `transactional.id` with the broker, fencing any
    /// earlier producer with the same id and aborting the transaction it left open (a
    /// task killed mid-batch). Once, before the first transaction.
    pub fn init_transactions(&mut self, timeout: Duration) -> Result<()> {
        let result = self.producer.init_transactions(timeout);
        self.transaction_step("initialise transactions", result)
    }

    /// Starts a transaction: what is queued until [`commit_transaction`] is written
    /// as one.
    ///
    /// [`commit_transaction`]: Self::commit_transaction
    pub fn begin_transaction(&mut self) -> Result<()> {
        let result = self.producer.begin_transaction();
        self.transaction_step("begin a transaction", result)
    }

    /// Flushes and commits the open transaction.
    pub fn commit_transaction(&mut self, timeout: Duration) -> Result<()> {
        let result = self.producer.commit_transaction(timeout);
        self.producer.context().take_failures();
        self.transaction_step("commit the transaction", result)
    }

    /// Aborts the open transaction: none of its records is ever read by a
    /// `read_committed` consumer.
    pub fn abort_transaction(&mut self, timeout: Duration) -> Result<()> {
        let result = self.producer.abort_transaction(timeout);
        self.producer.context().take_failures();
        self.transaction_step("abort the transaction", result)
    }

    fn transaction_step(
        &self,
        what: &'static str,
        result: std::result::Result<(), RdKafkaError>,
    ) -> Result<()> {
        result.map_err(|source| {
            let retriable = match &source {
                // An abortable error is not retriable: the transaction must be aborted
                // and its records written again in a new one.
                RdKafkaError::Transaction(e) => !e.is_fatal() && e.is_retriable(),
                _ => false,
            };
            Error::Transaction {
                servers: self.servers.clone(),
                transactional_id: self.transactional_id.clone().unwrap_or_default(),
                what,
                source,
                retriable,
            }
        })
    }

    /// The brokers this producer writes to ([`ProducerSettings::bootstrap_servers`]), for
    /// messages.
    pub fn bootstrap_servers(&self) -> &str {
        &self.servers
    }
}

fn to_owned_headers(headers: &[Header]) -> OwnedHeaders {
    headers.iter().fold(
        OwnedHeaders::new_with_capacity(headers.len()),
        |owned, header| {
            owned.insert(RdHeader {
                key: &header.key,
                value: header.value.as_deref(),
            })
        },
    )
}

/// Collects delivery failures: librdkafka reports them from `poll`/`flush`, record by
/// record, through this context.
#[derive(Default)]
struct DeliveryContext {
    failures: Mutex<Failures>,
}

#[derive(Default)]
struct Failures {
    count: usize,
    first: Option<Failure>,
}

struct Failure {
    topic: String,
    partition: i32,
    error: RdKafkaError,
}

impl DeliveryContext {
    fn take_failures(&self) -> Failures {
        std::mem::take(&mut *self.failures.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

impl ClientContext for DeliveryContext {}

impl ProducerContext for DeliveryContext {
    type DeliveryOpaque = ();

    fn delivery(&self, result: &DeliveryResult<'_>, _: ()) {
        if let Err((error, message)) = result {
            let mut failures = self.failures.lock().unwrap_or_else(|p| p.into_inner());
            failures.count += 1;
            if failures.first.is_none() {
                failures.first = Some(Failure {
                    topic: message.topic().to_string(),
                    partition: message.partition(),
                    error: error.clone(),
                });
            }
        }
    }
}
