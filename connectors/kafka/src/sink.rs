//! Kafka as a pipeline's destination (the Kinetica → Kafka direction): each task owns a
//! producer that writes the records the value and key converters encoded, to the topic
//! each record names, partitioned by key. A batch counts as written once the broker
//! acknowledged every record of it (the runtime commits the source's offsets only
//! then). The producer is idempotent by default (`enable.idempotence=true`, so acks from
//! all in-sync replicas and no duplicates from the producer's own retries); set
//! `producer.enable.idempotence=false` to turn that off.

use std::collections::BTreeMap;
use std::sync::Arc;

use sluice_config::pipeline::PipelineConfig;
use sluice_connect::{
    ConnectError, SetupProblem, Sink, SinkBatch, SinkFactory, SinkInput, TaskContext, WriteReport,
};

use crate::{ProducerSettings, RecordProducer};

/// librdkafka's idempotence property: on unless the pipeline says otherwise.
const IDEMPOTENCE: &str = "enable.idempotence";

/// Builds the Kafka sink of a source pipeline from its `bootstrap.servers` and
/// `producer.*` properties.
pub fn build_sink(config: &PipelineConfig) -> Result<Arc<dyn SinkFactory>, Vec<SetupProblem>> {
    let mut properties: BTreeMap<String, String> = config
        .producer
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    properties
        .entry(IDEMPOTENCE.to_owned())
        .or_insert_with(|| "true".to_owned());
    crate::security::translate(&properties).map_err(|e| {
        vec![SetupProblem::new(
            format!("producer.{}", e.property),
            e.message,
        )]
    })?;
    Ok(Arc::new(KafkaSinkFactory {
        settings: ProducerSettings {
            bootstrap_servers: config.bootstrap_servers.join(","),
            properties,
        },
    }))
}

struct KafkaSinkFactory {
    settings: ProducerSettings,
}

impl SinkFactory for KafkaSinkFactory {
    fn create(&self, _task: TaskContext<'_>) -> Result<Box<dyn Sink>, SetupProblem> {
        let producer = RecordProducer::new(&self.settings).map_err(|e| {
            SetupProblem::new(
                "bootstrap.servers",
                format!("cannot create the Kafka producer: {e}; check bootstrap.servers and the producer.* properties"),
            )
        })?;
        Ok(Box::new(KafkaSink { producer }))
    }
}

/// One task's producer.
pub struct KafkaSink {
    producer: RecordProducer,
}

impl Sink for KafkaSink {
    fn input(&self) -> SinkInput {
        SinkInput::Raw
    }

    fn write(&mut self, batch: SinkBatch<'_>) -> Result<WriteReport, ConnectError> {
        let SinkBatch::Raw(records) = batch else {
            return Err(ConnectError::message(
                sluice_connect::ErrorClass::REFUSED,
                "the Kafka sink writes encoded records; the runtime gave it typed ones",
            ));
        };
        let mut report = WriteReport::default();
        for record in records {
            self.producer
                .enqueue(
                    &record.topic,
                    None,
                    record.key.as_deref(),
                    record.value.as_deref(),
                    &record.headers,
                    record.timestamp,
                )
                .map_err(ConnectError::new)?;
            *report.written.entry(record.topic.to_string()).or_default() += 1;
        }
        // Acknowledged, or failed (a failure fails the whole batch: it is written
        // again, which the idempotent producer keeps from duplicating what was
        // acknowledged in this session).
        self.producer.flush().map_err(ConnectError::new)?;
        Ok(report)
    }
}
