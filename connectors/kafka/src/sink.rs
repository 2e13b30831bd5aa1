//! Kafka as a pipeline's destination (the Kinetica → Kafka direction): each task owns a
//! producer that writes the records the value and key converters encoded, to the topic
//! each record names, partitioned by key. A batch counts as written once the broker
//! acknowledged every record of it (the runtime commits the source's offsets only
//! then). The producer is idempotent by default (`enable.idempotence=true`, so acks from
//! all in-sync replicas and no duplicates from the producer's own retries); set
//! `producer.enable.idempotence=false` to turn that off.
//!
//! The sink keeps the source's positions with the records (see
//! [`sluice_connect::Sink::positions`]): after each batch, the last position of each
//! partition the source announced goes to `offsets.storage.topic`
//! ([`crate::source_offsets`]), and a task that starts reads them back. Without
//! exactly-once that is after the batch was acknowledged (a crash in between writes
//! the batch again: at least once); with `exactly.once.source.support=enabled` the
//! batch and its positions are one Kafka transaction (KIP-618's design), under a
//! `transactional.id` per task that fences a zombie of the same task.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use sluice_config::pipeline::{PipelineConfig, keys};
use sluice_connect::{
    ConnectError, Offsets, SetupProblem, Sink, SinkBatch, SinkFactory, SinkInput, TaskContext,
    TopicPartition, WriteReport,
};

use crate::{ProducerSettings, RecordProducer, source_offsets};

/// librdkafka's idempotence property: on unless the pipeline says otherwise.
const IDEMPOTENCE: &str = "enable.idempotence";

/// How long a transaction's commit or abort, or creating the offsets topic, may take
/// before it counts as a failure to retry.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Producer properties that also configure the consumer reading positions back (how
/// to reach and authenticate to the cluster).
const SHARED_WITH_READER: &[&str] = &["security.protocol", "ssl.", "sasl.", "client.dns."];

/// Builds the Kafka sink of a source pipeline from its `bootstrap.servers`,
/// `producer.*`, `offsets.storage.topic` and `exactly.once.source.support` properties.
pub fn build_sink(config: &PipelineConfig) -> Result<Arc<dyn SinkFactory>, Vec<SetupProblem>> {
    let mut properties: BTreeMap<String, String> = config
        .producer
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    properties
        .entry(IDEMPOTENCE.to_owned())
        .or_insert_with(|| "true".to_owned());
    let exactly_once = config
        .framework
        .try_string(keys::EXACTLY_ONCE_SOURCE_SUPPORT)
        .is_some_and(|v| v == "enabled");
    if exactly_once && properties.get(IDEMPOTENCE).is_some_and(|v| v == "false") {
        return Err(vec![SetupProblem::new(
            format!("producer.{IDEMPOTENCE}"),
            format!(
                "exactly-once ({}=enabled) needs the idempotent producer: remove \
                 producer.{IDEMPOTENCE}=false",
                keys::EXACTLY_ONCE_SOURCE_SUPPORT
            ),
        )]);
    }
    crate::security::translate(&properties).map_err(|e| {
        vec![SetupProblem::new(
            format!("producer.{}", e.property),
            e.message,
        )]
    })?;
    let reader = properties
        .iter()
        .filter(|(k, _)| {
            SHARED_WITH_READER
                .iter()
                .any(|p| k.starts_with(p) || k == &p.trim_end_matches('.'))
        })
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(Arc::new(KafkaSinkFactory {
        settings: ProducerSettings {
            bootstrap_servers: config.bootstrap_servers.join(","),
            properties,
        },
        reader,
        pipeline: config.name.clone(),
        offsets_topic: config
            .framework
            .try_string(keys::OFFSETS_STORAGE_TOPIC)
            .unwrap_or(source_offsets::DEFAULT_OFFSETS_TOPIC)
            .to_owned(),
        exactly_once,
    }))
}

struct KafkaSinkFactory {
    settings: ProducerSettings,
    /// Consumer properties for reading the positions back.
    reader: BTreeMap<String, String>,
    pipeline: String,
    offsets_topic: String,
    exactly_once: bool,
}

impl SinkFactory for KafkaSinkFactory {
    fn create(&self, task: TaskContext<'_>) -> Result<Box<dyn Sink>, SetupProblem> {
        let mut settings = self.settings.clone();
        if self.exactly_once {
            // Stable across restarts: the task's next incarnation fences this one.
            settings.properties.insert(
                "transactional.id".to_owned(),
                format!("sluice-{}-{}", self.pipeline, task.task),
            );
            // librdkafka wants a record's delivery timeout within its transaction's;
            // Sluice's `message.timeout.ms` is Kafka's Java producer's 120 s.
            settings
                .properties
                .entry("transaction.timeout.ms".to_owned())
                .or_insert_with(|| "120000".to_owned());
        }
        let producer = RecordProducer::new(&settings).map_err(|e| {
            SetupProblem::new(
                "bootstrap.servers",
                format!("cannot create the Kafka producer: {e}; check bootstrap.servers and the producer.* properties"),
            )
        })?;
        Ok(Box::new(KafkaSink {
            producer,
            settings,
            reader: self.reader.clone(),
            pipeline: self.pipeline.clone(),
            offsets_topic: self.offsets_topic.clone(),
            transactions: self.exactly_once.then_some(Transactions::default()),
            kept: Vec::new(),
            topic_ready: false,
        }))
    }
}

/// Where a task's transactions are.
#[derive(Default)]
struct Transactions {
    initialised: bool,
    open: bool,
    /// Whether the open transaction holds the batch's positions already (a commit is
    /// being retried).
    positions_queued: bool,
}

/// One task's producer.
pub struct KafkaSink {
    producer: RecordProducer,
    settings: ProducerSettings,
    reader: BTreeMap<String, String>,
    pipeline: String,
    offsets_topic: String,
    /// With exactly-once.
    transactions: Option<Transactions>,
    /// The source partitions whose positions are kept: those it announced.
    kept: Vec<TopicPartition>,
    /// Whether `offsets.storage.topic` is known to exist.
    topic_ready: bool,
}

impl KafkaSink {
    /// Creates `offsets.storage.topic` when missing: before positions are read (only
    /// a source that announced partitions has any kept).
    fn ensure_offsets_topic(&mut self) -> Result<(), ConnectError> {
        if !self.topic_ready {
            // One partition is plenty (a record per table), compacted as Kafka
            // Connect's offsets topic; replication -1: the broker's default.
            crate::ensure_topic_with(
                &self.settings,
                &self.offsets_topic,
                (1, -1),
                (keys::OFFSETS_STORAGE_TOPIC, keys::OFFSETS_STORAGE_TOPIC),
                &[("cleanup.policy", "compact")],
                TIMEOUT,
            )
            .map_err(ConnectError::new)?;
            self.topic_ready = true;
        }
        Ok(())
    }

    /// Registers the task's transactional producer (aborting what its previous
    /// incarnation left open), once, before positions are read or a batch is written.
    fn init_transactions(&mut self) -> Result<(), ConnectError> {
        if let Some(t) = &mut self.transactions
            && !t.initialised
        {
            self.producer
                .init_transactions(TIMEOUT)
                .map_err(ConnectError::new)?;
            t.initialised = true;
        }
        Ok(())
    }

    /// Aborts the open transaction after a failed write, so that the batch can be
    /// written again in a new one.
    fn abort(&mut self) {
        if let Some(t) = &mut self.transactions
            && t.open
        {
            (t.open, t.positions_queued) = (false, false);
            if let Err(e) = self.producer.abort_transaction(TIMEOUT) {
                tracing::warn!("{e}");
            }
        }
    }

    fn enqueue_batch(
        &mut self,
        records: &[sluice_record::RawRecord],
    ) -> Result<WriteReport, ConnectError> {
        if let Some(t) = &mut self.transactions
            && !t.open
        {
            self.producer
                .begin_transaction()
                .map_err(ConnectError::new)?;
            t.open = true;
        }
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
        // acknowledged in this session; in a transaction, the aborted one is never
        // read).
        self.producer.flush().map_err(ConnectError::new)?;
        Ok(report)
    }

    /// Queues the batch's positions of the kept partitions.
    fn enqueue_positions(&mut self, done: &Offsets) -> Result<(), ConnectError> {
        for partition in &self.kept {
            let Some(offset) = done.get(&partition.topic, partition.partition) else {
                continue;
            };
            let key = source_offsets::offset_key(&self.pipeline, partition);
            let value = source_offsets::offset_value(offset);
            self.producer
                .enqueue(
                    &self.offsets_topic,
                    None,
                    Some(&key),
                    Some(&value),
                    &[],
                    None,
                )
                .map_err(ConnectError::new)?;
        }
        Ok(())
    }

    /// Commits the batch's transaction with its positions. A commit that may succeed
    /// when tried again leaves the transaction open for the retry; any other failure
    /// aborts it, and the task stops without committing anything of the batch.
    fn commit(&mut self, done: &Offsets) -> Result<(), ConnectError> {
        let t = self.transactions.as_mut().expect("exactly-once");
        if !t.open {
            return Err(ConnectError::message(
                sluice_connect::ErrorClass::REFUSED,
                "the batch's transaction was aborted: restart the task, it resumes after \
                 the last committed batch",
            ));
        }
        if !t.positions_queued {
            t.positions_queued = true;
            self.enqueue_positions(done)?;
        }
        match self.producer.commit_transaction(TIMEOUT) {
            Ok(()) => {
                let t = self.transactions.as_mut().expect("exactly-once");
                (t.open, t.positions_queued) = (false, false);
                Ok(())
            }
            Err(e) => {
                let e = ConnectError::new(e);
                if !e.is_retriable() {
                    self.abort();
                }
                Err(e)
            }
        }
    }
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
        self.init_transactions()?;
        self.enqueue_batch(records).inspect_err(|_| self.abort())
    }

    /// The positions stored for `assigned` (the partitions the source announced), which
    /// are kept from now on.
    fn positions(&mut self, assigned: &[TopicPartition]) -> Result<Offsets, ConnectError> {
        self.ensure_offsets_topic()?;
        self.init_transactions()?;
        let mut stored = source_offsets::read_positions(
            &self.settings.bootstrap_servers,
            &self.reader,
            &self.offsets_topic,
            &self.pipeline,
        )
        .map_err(ConnectError::new)?;
        stored.retain(|tp| assigned.contains(tp));
        for tp in assigned {
            if !self.kept.contains(tp) {
                self.kept.push(tp.clone());
            }
        }
        Ok(stored)
    }

    /// Stores the batch's positions: in its transaction, which this commits, with
    /// exactly-once; after it, without.
    fn done(&mut self, done: &Offsets) -> Result<(), ConnectError> {
        if self.transactions.is_some() {
            return self.commit(done);
        }
        if self.kept.is_empty() {
            return Ok(());
        }
        self.enqueue_positions(done)?;
        self.producer.flush().map_err(ConnectError::new)
    }

    fn close(&mut self) {
        self.abort();
    }
}
