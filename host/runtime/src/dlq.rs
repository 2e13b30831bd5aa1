//! The dead letter queue (`errors.tolerance=all`): bad records go to a Kafka topic with
//! their original key, value, headers and timestamp, plus — with
//! `errors.deadletterqueue.context.headers.enable=true` — Kafka Connect's
//! `__connect.errors.*` headers saying where and why they failed, so tools written for
//! Kafka Connect's dead letter queues read Sluice's unchanged.

use std::time::Duration;

use sluice_config::pipeline::keys;

use sluice_kafka::{Error as KafkaError, Partitioning, ProducerSettings, RecordProducer};
use sluice_record::{Header, RawRecord};

use crate::bad_record::BadRecord;

/// Kafka Connect's header names (`DeadLetterQueueReporter`).
pub mod headers {
    /// The topic the bad record was consumed from.
    pub const TOPIC: &str = "__connect.errors.topic";
    /// Its partition, as decimal text.
    pub const PARTITION: &str = "__connect.errors.partition";
    /// Its offset in that partition, as decimal text.
    pub const OFFSET: &str = "__connect.errors.offset";
    /// The connector's name: the pipeline's name.
    pub const CONNECTOR_NAME: &str = "__connect.errors.connector.name";
    /// The number of the task that consumed it (0 to `tasks.max - 1`).
    pub const TASK_ID: &str = "__connect.errors.task.id";
    /// Where it failed: `KEY_CONVERTER`, `VALUE_CONVERTER`, `TRANSFORMATION` or
    /// `TASK_PUT` ([`Stage::connect_name`](crate::Stage::connect_name)).
    pub const STAGE: &str = "__connect.errors.stage";
    /// What failed: the converter or transform type, or `kinetica-sink`.
    pub const CLASS_NAME: &str = "__connect.errors.class.name";
    /// The kind of failure: `sluice.ConvertError`, `sluice.TransformRejected`,
    /// `sluice.BadRecord` or `sluice.SinkRecordError`.
    pub const EXCEPTION_CLASS_NAME: &str = "__connect.errors.exception.class.name";
    /// Why it failed; never quotes the record's contents.
    pub const EXCEPTION_MESSAGE: &str = "__connect.errors.exception.message";
}

/// Where bad records go, as checked at start-up.
#[derive(Debug, Clone)]
pub(crate) struct DlqSpec {
    pub topic: String,
    pub context_headers: bool,
    /// For creating the topic when it is missing.
    pub partitions: i32,
    pub replication_factor: i16,
    pub producer: ProducerSettings,
}

/// One task's dead letter queue writer.
pub(crate) struct DeadLetterQueue {
    spec: DlqSpec,
    producer: RecordProducer,
    /// Kafka Connect puts the connector's `name` here: the pipeline's name.
    connector_name: String,
    task: usize,
    /// The topic exists (found or created); checked before the first write.
    ensured: bool,
}

impl DeadLetterQueue {
    pub fn new(spec: &DlqSpec, pipeline: &str, task: usize) -> Result<Self, Box<KafkaError>> {
        // A wrong password or an untrusted certificate stops start-up, naming the
        // producer property, instead of failing the first bad record's write.
        RecordProducer::check_security(&spec.producer).map_err(Box::new)?;
        Ok(DeadLetterQueue {
            producer: RecordProducer::new(&spec.producer).map_err(Box::new)?,
            spec: spec.clone(),
            connector_name: pipeline.to_owned(),
            task,
            ensured: false,
        })
    }

    pub fn topic(&self) -> &str {
        &self.spec.topic
    }

    /// Writes the bad records of `batch` and waits for the broker's acknowledgement,
    /// creating the topic first if it is missing. Safe to call again with the same
    /// records after a failure (at-least-once).
    pub fn send(&mut self, batch: &[RawRecord], bad: &[BadRecord]) -> Result<(), Box<KafkaError>> {
        if !self.ensured {
            sluice_kafka::ensure_topic(
                &self.spec.producer,
                &self.spec.topic,
                (
                    self.spec.partitions,
                    i32::from(self.spec.replication_factor),
                ),
                (
                    keys::ERRORS_DLQ_PARTITIONS,
                    keys::ERRORS_DLQ_REPLICATION_FACTOR,
                ),
                Duration::from_secs(30),
            )
            .map_err(Box::new)?;
            self.ensured = true;
        }
        let records: Vec<RawRecord> = bad
            .iter()
            .map(|b| {
                let mut record = batch[b.raw].clone();
                if self.spec.context_headers {
                    record.headers.extend(context_headers(
                        &batch[b.raw],
                        b,
                        &self.connector_name,
                        self.task,
                    ));
                }
                record
            })
            .collect();
        // Like Kafka Connect, let the producer pick partitions from the keys: the dead
        // letter topic need not have as many partitions as the source topics.
        self.producer
            .send(&self.spec.topic, &records, Partitioning::ByKey)
            .map_err(Box::new)
    }
}

/// The `__connect.errors.*` headers for one bad record. Kafka Connect also adds the
/// exception's stack trace; Sluice has no stack trace worth sending and leaves it out.
pub(crate) fn context_headers(
    raw: &RawRecord,
    bad: &BadRecord,
    connector_name: &str,
    task: usize,
) -> Vec<Header> {
    let header = |key: &str, value: String| Header {
        key: key.to_owned(),
        value: Some(value.into_bytes()),
    };
    vec![
        header(headers::TOPIC, raw.topic.to_string()),
        header(headers::PARTITION, raw.partition.to_string()),
        header(headers::OFFSET, raw.offset.to_string()),
        header(headers::CONNECTOR_NAME, connector_name.to_owned()),
        header(headers::TASK_ID, task.to_string()),
        header(headers::STAGE, bad.stage.connect_name().to_owned()),
        header(headers::CLASS_NAME, bad.class.clone()),
        header(headers::EXCEPTION_CLASS_NAME, bad.exception.to_owned()),
        header(headers::EXCEPTION_MESSAGE, bad.reason.clone()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Stage;

    #[test]
    fn context_headers_are_kafka_connects() {
        let raw = RawRecord {
            topic: "orders".into(),
            partition: 2,
            offset: 41,
            timestamp: None,
            headers: Vec::new(),
            key: None,
            value: Some(b"{".to_vec().into()),
        };
        let bad = BadRecord {
            raw: 0,
            stage: Stage::ValueConverter,
            class: "json".into(),
            label: "the value converter `json`".into(),
            exception: "sluice.ConvertError",
            reason: "invalid JSON".into(),
        };
        let got: Vec<(String, String)> = context_headers(&raw, &bad, "p", 3)
            .into_iter()
            .map(|h| (h.key, String::from_utf8(h.value.unwrap()).unwrap()))
            .collect();
        let want = [
            ("__connect.errors.topic", "orders"),
            ("__connect.errors.partition", "2"),
            ("__connect.errors.offset", "41"),
            ("__connect.errors.connector.name", "p"),
            ("__connect.errors.task.id", "3"),
            ("__connect.errors.stage", "VALUE_CONVERTER"),
            ("__connect.errors.class.name", "json"),
            (
                "__connect.errors.exception.class.name",
                "sluice.ConvertError",
            ),
            ("__connect.errors.exception.message", "invalid JSON"),
        ];
        assert_eq!(
            got,
            want.map(|(k, v)| (k.to_owned(), v.to_owned())).to_vec()
        );
    }
}
