//! The Kafka source: a consumer-group member that hands out batches of raw records and
//! commits exactly what the sink acknowledged.
//!
//! The pipeline loop of one task is `poll_batch → process → sink write → commit →
//! poll_batch`. Rebalances happen only inside `poll_batch` (librdkafka runs the callback
//! on the polling thread), so every record handed out before a revoke has been committed
//! by the time the revoke runs: nothing is lost, and nothing is written twice except when
//! a commit fails (at-least-once). See [`crate::rebalance`] for the records that were
//! fetched but not yet handed out.
//!
//! `BaseConsumer` rather than `StreamConsumer`: a task's loop is synchronous (it waits for
//! its sink before polling again), so an async stream would only add a waker and a task
//! switch per message to a path that should run at millions of messages per second.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
use rdkafka::error::{KafkaError as RdKafkaError, RDKafkaErrorCode};
use rdkafka::message::{BorrowedMessage, Headers, Message};
use sluice_record::{Header, RawRecord};
use tracing::{debug, info, warn};

use crate::config::consumer_config;
use crate::offsets::{Offsets, TopicPartition, display_list};
use crate::payloads::Payloads;
use crate::rebalance::{RebalanceEvent, SourceContext, to_commit_list};
use crate::{Error, Result};

/// What to subscribe to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Topics {
    /// Topic names (librdkafka takes a name starting with `^` as a regex).
    List(Vec<String>),
    /// A regular expression that must match a whole topic name, as Kafka Connect's
    /// `topics.regex`. Topics created later that match are picked up at the next
    /// metadata refresh (`topic.metadata.refresh.interval.ms`).
    Regex(String),
}

impl Topics {
    /// The subscription as librdkafka takes it: a name starting with `^` is a regex.
    fn subscription(&self) -> Vec<String> {
        match self {
            Topics::List(names) => names.clone(),
            Topics::Regex(pattern) => vec![anchored(pattern)],
        }
    }
}

/// `^(pattern)$`: librdkafka searches for a regex anywhere in a name, Kafka Connect
/// (Java's `Pattern.matches`) matches whole names.
fn anchored(pattern: &str) -> String {
    let inner = pattern.strip_prefix('^').unwrap_or(pattern);
    let inner = match inner.strip_suffix('$') {
        Some(stripped) if !stripped.ends_with('\\') => stripped,
        _ => inner,
    };
    format!("^({inner})$")
}

/// How to reach Kafka and what to consume. The pipeline runtime fills it from a
/// pipeline's properties; every task of a pipeline gets the same settings and joins the
/// same group. `Debug` hides the values of secret-looking properties.
#[derive(Clone, PartialEq, Eq)]
pub struct SourceSettings {
    /// librdkafka's `bootstrap.servers`: comma-separated `host:port` of brokers to ask
    /// for the cluster's metadata.
    pub bootstrap_servers: String,
    /// The consumer group every task joins (`group.id`; the runtime's default is
    /// `sluice-<pipeline>`, or `connect-<name>` in Kafka Connect mode). Its committed
    /// offsets are where the pipeline resumes.
    pub group_id: String,
    /// The topics to subscribe to (`topics` or `topics.regex`).
    pub topics: Topics,
    /// `consumer.*` properties with the prefix removed, passed to librdkafka after
    /// Sluice's defaults (so they override them) — verbatim, but for Kafka's Java security
    /// properties, which are translated (docs/security.md). `enable.auto.commit` and
    /// `enable.auto.offset.store` are always false.
    pub properties: BTreeMap<String, String>,
}

impl std::fmt::Debug for SourceSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SourceSettings")
            .field("bootstrap_servers", &self.bootstrap_servers)
            .field("group_id", &self.group_id)
            .field("topics", &self.topics)
            .field(
                "properties",
                &sluice_config::secret::RedactedProperties(&self.properties),
            )
            .finish()
    }
}

/// What [`KafkaSource::commit`] did with each partition.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommitOutcome {
    /// Partitions whose offsets the broker stored.
    pub committed: Vec<TopicPartition>,
    /// No longer assigned to this consumer, so not committed: a commit now could move
    /// the new owner's position. The new owner reprocesses from the last commit.
    pub not_assigned: Vec<TopicPartition>,
    /// The group was rebalancing. Kept and retried with the next commit, or when the
    /// partitions are revoked.
    pub deferred: Vec<TopicPartition>,
}

/// One consumer of a consumer group. Not shared between threads: each task owns one.
pub struct KafkaSource {
    consumer: BaseConsumer<SourceContext>,
    servers: String,
    group: String,
    topic_names: TopicNames,
    payloads: Payloads,
    /// Whether records carry their headers; see [`leave_out_headers`](Self::leave_out_headers).
    read_headers: bool,
    events: Vec<RebalanceEvent>,
    /// Set by [`pause_assigned`](Self::pause_assigned): partitions assigned meanwhile
    /// are paused as they come.
    paused: bool,
    /// Records that arrived while paused (fetched before a partition's pause took
    /// effect), delivered first after the resume: the consumer's position is past them.
    held: Vec<RawRecord>,
    /// Since when no broker answers: said once at WARN when it starts and once when a
    /// record arrives again, not at every reconnect librdkafka reports.
    unreachable_since: std::cell::Cell<Option<Instant>>,
}

impl KafkaSource {
    /// Creates the consumer and subscribes. Partitions are assigned during the first
    /// calls to [`poll_batch`](Self::poll_batch).
    pub fn new(settings: &SourceSettings) -> Result<KafkaSource> {
        let servers = settings.bootstrap_servers.clone();
        let group = settings.group_id.clone();
        let config = consumer_config(&servers, &group, &settings.properties).map_err(|source| {
            Error::Security {
                client: "consumer",
                servers: servers.clone(),
                source,
            }
        })?;
        let consumer: BaseConsumer<SourceContext> = config
            .create_with_context(SourceContext::new(&group, &servers))
            .map_err(|source| Error::Create {
                client: "consumer",
                servers: servers.clone(),
                source,
            })?;
        let subscription = settings.topics.subscription();
        let names: Vec<&str> = subscription.iter().map(String::as_str).collect();
        consumer
            .subscribe(&names)
            .map_err(|source| Error::Subscribe {
                servers: servers.clone(),
                group: group.clone(),
                topics: subscription.join(", "),
                source,
            })?;
        info!(group = %group, servers = %servers, "subscribed to {}", subscription.join(", "));
        Ok(KafkaSource {
            consumer,
            servers,
            group,
            topic_names: TopicNames::default(),
            payloads: Payloads::default(),
            read_headers: true,
            events: Vec::new(),
            paused: false,
            held: Vec::new(),
            unreachable_since: std::cell::Cell::new(None),
        })
    }

    /// Records are delivered without their headers from now on. For pipelines in which
    /// nothing reads them: librdkafka keeps each fetched record's header section
    /// unparsed and parses it on the first request, with an allocation even for a
    /// record that has none (about 9 % of the instructions per 100-byte record,
    /// docs/benchmarks.md).
    pub fn leave_out_headers(&mut self) {
        self.read_headers = false;
    }

    /// Returns up to `max_records` records: as soon as at least one is available and no
    /// more are immediately at hand, or after `max_wait` with none (an empty batch).
    ///
    /// Records of a partition come in offset order. Call it again only after the
    /// previous batch was written and committed (or abandoned): rebalances run inside
    /// this call, and the contract that nothing is lost or written twice rests on it.
    pub fn poll_batch(&mut self, max_records: usize, max_wait: Duration) -> Result<Vec<RawRecord>> {
        self.poll_limited(max_records, usize::MAX, max_wait)
    }

    /// [`poll_batch`](Self::poll_batch), also returning once the batch's keys and
    /// values reach `max_bytes` (a batch always takes at least one record).
    pub fn poll_limited(
        &mut self,
        max_records: usize,
        max_bytes: usize,
        max_wait: Duration,
    ) -> Result<Vec<RawRecord>> {
        let max_records = max_records.max(1);
        let deadline = Instant::now() + max_wait;
        if self.paused {
            self.poll_paused(deadline)?;
            return Ok(Vec::new());
        }
        if !self.held.is_empty() {
            let mut take = 0;
            let mut bytes = 0;
            while take < self.held.len().min(max_records) && (take == 0 || bytes < max_bytes) {
                bytes += self.held[take].payload_bytes();
                take += 1;
            }
            let rest = self.held.split_off(take);
            return Ok(std::mem::replace(&mut self.held, rest));
        }
        let mut bytes = 0;
        let mut batch = Vec::with_capacity(max_records.min(1024));
        let consumer = &self.consumer;
        loop {
            // Block only while the batch is empty: once records are here, take what is
            // already fetched and return.
            let timeout = if batch.is_empty() {
                deadline.saturating_duration_since(Instant::now())
            } else {
                Duration::ZERO
            };
            let polled = consumer.poll(timeout);
            if consumer.context().changed() {
                self.events.extend(drop_revoked(
                    &mut batch,
                    consumer.context().take_events(),
                    &self.group,
                ));
            }
            match polled {
                Some(Ok(message)) => {
                    self.reachable();
                    let topic = self.topic_names.get(message.topic());
                    let record =
                        to_raw_record(&message, topic, &mut self.payloads, self.read_headers);
                    bytes += record.payload_bytes();
                    batch.push(record);
                    if batch.len() >= max_records || bytes >= max_bytes {
                        break;
                    }
                    continue;
                }
                Some(Err(error)) => self.on_error(error)?,
                None => {}
            }
            if !batch.is_empty() || Instant::now() >= deadline {
                break;
            }
        }
        Ok(batch)
    }

    /// Serves the group's protocol until `deadline` without delivering: what arrives is
    /// held, and its partition (and any partition newly assigned) is paused.
    fn poll_paused(&mut self, deadline: Instant) -> Result<()> {
        loop {
            let polled = self
                .consumer
                .poll(deadline.saturating_duration_since(Instant::now()));
            if self.consumer.context().changed() {
                let events = drop_revoked(
                    &mut self.held,
                    self.consumer.context().take_events(),
                    &self.group,
                );
                for event in &events {
                    if let RebalanceEvent::Assigned(partitions) = event {
                        self.pause_partitions(partitions.iter())?;
                    }
                }
                self.events.extend(events);
            }
            match polled {
                Some(Ok(message)) => {
                    self.reachable();
                    let topic = self.topic_names.get(message.topic());
                    let record =
                        to_raw_record(&message, topic, &mut self.payloads, self.read_headers);
                    let tp = TopicPartition::new(Arc::clone(&record.topic), record.partition);
                    self.held.push(record);
                    self.pause_partitions(std::iter::once(&tp))?;
                }
                Some(Err(error)) => self.on_error(error)?,
                None => {}
            }
            if Instant::now() >= deadline {
                return Ok(());
            }
        }
    }

    fn pause_partitions<'a>(
        &self,
        partitions: impl Iterator<Item = &'a TopicPartition>,
    ) -> Result<()> {
        let mut tpl = rdkafka::TopicPartitionList::new();
        for tp in partitions {
            tpl.add_partition(&tp.topic, tp.partition);
        }
        self.consumer.pause(&tpl).map_err(|e| self.consume_error(e))
    }

    /// Reads each partition of `positions` from its offset + 1 (positions a sink keeps
    /// with its data). Held records of those partitions are dropped.
    pub fn seek_after(&mut self, positions: &Offsets) -> Result<()> {
        self.held
            .retain(|r| positions.get(&r.topic, r.partition).is_none());
        for (tp, offset) in positions.iter() {
            self.seek_partition(&tp.topic, tp.partition, offset + 1)?;
        }
        Ok(())
    }

    /// Seeks one assigned partition. Right after an assignment librdkafka may still be
    /// setting the partition up and refuse (`Local: Erroneous state`); serving the
    /// consumer briefly lets it finish.
    fn seek_partition(&mut self, topic: &str, partition: i32, offset: i64) -> Result<()> {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            match self.consumer.seek(
                topic,
                partition,
                rdkafka::Offset::Offset(offset),
                Duration::from_secs(10),
            ) {
                Ok(()) => return Ok(()),
                Err(RdKafkaError::Seek(ref m)) if Instant::now() < deadline => {
                    debug!(topic, partition, "seek refused ({m}); retrying");
                    let paused = self.paused;
                    self.paused = true;
                    let polled = self.poll_paused(Instant::now() + Duration::from_millis(50));
                    self.paused = paused;
                    polled?;
                }
                Err(e) => return Err(self.consume_error(e)),
            }
        }
    }

    /// Delivers the records of `batch` again, from the first offset of each of its
    /// partitions that is still assigned (the task abandoned the batch). Held records
    /// of those partitions are dropped: the seek fetches them again.
    pub fn rewind(&mut self, batch: &[RawRecord]) -> Result<()> {
        let mut first: BTreeMap<(&str, i32), i64> = BTreeMap::new();
        for r in batch {
            let offset = first.entry((&r.topic, r.partition)).or_insert(r.offset);
            *offset = (*offset).min(r.offset);
        }
        self.held
            .retain(|r| !first.contains_key(&(&*r.topic, r.partition)));
        let assignment = self
            .consumer
            .assignment()
            .map_err(|e| self.consume_error(e))?;
        for ((topic, partition), offset) in first {
            if assignment.find_partition(topic, partition).is_some() {
                self.seek_partition(topic, partition, offset)?;
            }
        }
        Ok(())
    }

    /// Commits `offset + 1` of every partition in `offsets` — build them with
    /// [`Offsets::of`] from a batch the sink acknowledged — and waits for the broker.
    ///
    /// Partitions no longer assigned are skipped with a warning, and a commit refused
    /// because the group is rebalancing is deferred (see [`CommitOutcome`]); neither is an
    /// error. Any other failure is, and committing the same offsets again is safe.
    pub fn commit(&mut self, offsets: &Offsets) -> Result<CommitOutcome> {
        let mut offsets = offsets.clone();
        offsets.merge(&self.consumer.context().take_deferred());
        let mut outcome = CommitOutcome::default();
        if offsets.is_empty() {
            return Ok(outcome);
        }
        let assignment = self
            .consumer
            .assignment()
            .map_err(|source| self.commit_error(&offsets, source))?;
        offsets.retain(|tp| {
            let assigned = assignment.find_partition(&tp.topic, tp.partition).is_some();
            if !assigned {
                outcome.not_assigned.push(tp.clone());
            }
            assigned
        });
        if !outcome.not_assigned.is_empty() {
            warn!(
                group = %self.group,
                "not committing {}: no longer assigned to this consumer; their new owner \
                 reprocesses them from the last committed offset",
                display_list(&outcome.not_assigned)
            );
        }
        if offsets.is_empty() {
            return Ok(outcome);
        }
        let partitions = || offsets.iter().map(|(tp, _)| tp.clone()).collect::<Vec<_>>();
        match self
            .consumer
            .commit(&to_commit_list(&offsets), CommitMode::Sync)
        {
            Ok(()) => outcome.committed = partitions(),
            Err(RdKafkaError::ConsumerCommit(code)) if is_rebalancing(code) => {
                warn!(
                    group = %self.group,
                    "commit of {} deferred: the group is rebalancing ({code})",
                    display_list(offsets.iter().map(|(tp, _)| tp))
                );
                self.consumer.context().defer(&offsets);
                outcome.deferred = partitions();
            }
            Err(source) => {
                // Keep them: deferred ones merged in above would otherwise be forgotten
                // if the caller gives up on this batch instead of retrying.
                self.consumer.context().defer(&offsets);
                return Err(self.commit_error(&offsets, source));
            }
        }
        debug!(group = %self.group, "committed {}", display_list(&outcome.committed));
        Ok(outcome)
    }

    /// Assignment changes since the last call, oldest first. They are also logged.
    pub fn take_events(&mut self) -> Vec<RebalanceEvent> {
        std::mem::take(&mut self.events)
    }

    /// The partitions currently assigned to this consumer.
    pub fn assignment(&self) -> Result<Vec<TopicPartition>> {
        let tpl = self
            .consumer
            .assignment()
            .map_err(|source| Error::Consume {
                servers: self.servers.clone(),
                group: self.group.clone(),
                source,
            })?;
        Ok(tpl
            .elements()
            .iter()
            .map(|elem| {
                TopicPartition::new(self.topic_names.lookup(elem.topic()), elem.partition())
            })
            .collect())
    }

    /// The consumer group this source is a member of ([`SourceSettings::group_id`]).
    pub fn group_id(&self) -> &str {
        &self.group
    }

    /// The brokers this source was configured with ([`SourceSettings::bootstrap_servers`]),
    /// for messages.
    pub fn bootstrap_servers(&self) -> &str {
        &self.servers
    }

    /// Stops fetching from every assigned partition while keeping the group
    /// membership: `poll_batch` keeps serving the group's protocol and returns empty
    /// batches. Partitions assigned meanwhile are paused too.
    pub fn pause_assigned(&mut self) -> Result<()> {
        self.paused = true;
        let assignment = self
            .consumer
            .assignment()
            .map_err(|e| self.consume_error(e))?;
        self.consumer
            .pause(&assignment)
            .map_err(|e| self.consume_error(e))
    }

    /// Fetches from every assigned partition again; records held while paused come
    /// first.
    pub fn resume_assigned(&mut self) -> Result<()> {
        self.paused = false;
        let assignment = self
            .consumer
            .assignment()
            .map_err(|e| self.consume_error(e))?;
        self.consumer
            .resume(&assignment)
            .map_err(|e| self.consume_error(e))
    }

    fn consume_error(&self, source: RdKafkaError) -> Error {
        Error::Consume {
            servers: self.servers.clone(),
            group: self.group.clone(),
            source,
        }
    }

    fn on_error(&self, error: RdKafkaError) -> Result<()> {
        match error {
            // Only reported when a user enables `enable.partition.eof`; nothing to do.
            RdKafkaError::PartitionEOF(_) => Ok(()),
            RdKafkaError::MessageConsumptionFatal(_) => Err(Error::Consume {
                servers: self.servers.clone(),
                group: self.group.clone(),
                source: error,
            }),
            // No broker answers: librdkafka reconnects by itself (and reports every
            // attempt); the outage is said once.
            _ if is_unreachable(&error) => {
                if self.unreachable_since.get().is_none() {
                    self.unreachable_since.set(Some(Instant::now()));
                    warn!(
                        group = %self.group,
                        servers = %self.servers,
                        "Kafka is unreachable ({error}); librdkafka reconnects by itself and the \
                         pipeline waits, committing nothing"
                    );
                } else {
                    debug!(group = %self.group, "still unreachable: {error}");
                }
                Ok(())
            }
            // Unknown topics and the like: librdkafka retries them itself, so the source
            // keeps polling.
            _ => {
                warn!(group = %self.group, servers = %self.servers, "consumer error: {error}");
                Ok(())
            }
        }
    }

    /// A record arrived: if Kafka was unreachable, it is back.
    fn reachable(&self) {
        if let Some(since) = self.unreachable_since.take() {
            warn!(
                group = %self.group,
                servers = %self.servers,
                "Kafka is reachable again after {:.1} s",
                since.elapsed().as_secs_f64()
            );
        }
    }

    fn commit_error(&self, offsets: &Offsets, source: RdKafkaError) -> Error {
        Error::Commit {
            servers: self.servers.clone(),
            group: self.group.clone(),
            partitions: display_list(offsets.iter().map(|(tp, _)| tp)),
            source,
        }
    }
}

/// Errors that mean no broker can be reached (librdkafka keeps reconnecting).
pub(crate) fn is_unreachable(error: &RdKafkaError) -> bool {
    matches!(
        error.rdkafka_error_code(),
        Some(RDKafkaErrorCode::AllBrokersDown | RDKafkaErrorCode::BrokerTransportFailure)
    )
}

/// Errors that mean "the group moved on while this batch was processed".
fn is_rebalancing(code: RDKafkaErrorCode) -> bool {
    matches!(
        code,
        RDKafkaErrorCode::RebalanceInProgress
            | RDKafkaErrorCode::IllegalGeneration
            | RDKafkaErrorCode::UnknownMemberId
            | RDKafkaErrorCode::FencedInstanceId
            | RDKafkaErrorCode::AssignmentLost
            | RDKafkaErrorCode::StaleMemberEpoch
            | RDKafkaErrorCode::FencedMemberEpoch
    )
}

/// Removes from the batch being assembled the records of revoked partitions, and passes
/// the events on.
fn drop_revoked(
    batch: &mut Vec<RawRecord>,
    events: Vec<RebalanceEvent>,
    group: &str,
) -> Vec<RebalanceEvent> {
    for event in &events {
        if let RebalanceEvent::Revoked { partitions, .. } = event {
            let before = batch.len();
            batch.retain(|r| !partitions.iter().any(|tp| tp.is(&r.topic, r.partition)));
            let dropped = before - batch.len();
            if dropped > 0 {
                info!(
                    group,
                    "dropped {dropped} fetched record(s) of revoked partitions; they are read \
                     again from the last committed offset"
                );
            }
        }
    }
    events
}

fn to_raw_record(
    message: &BorrowedMessage<'_>,
    topic: Arc<str>,
    payloads: &mut Payloads,
    read_headers: bool,
) -> RawRecord {
    RawRecord {
        topic,
        partition: message.partition(),
        offset: message.offset(),
        timestamp: message.timestamp().to_millis(),
        // Asked only when wanted: asking is what makes librdkafka parse them.
        headers: if read_headers {
            message.headers().map(to_headers).unwrap_or_default()
        } else {
            Vec::new()
        },
        key: message.key().map(|key| payloads.copy(key)),
        value: message.payload().map(|value| payloads.copy(value)),
    }
}

fn to_headers(headers: &impl Headers) -> Vec<Header> {
    headers
        .iter()
        .map(|header| Header {
            key: header.key.to_string(),
            value: header.value.map(<[u8]>::to_vec),
        })
        .collect()
}

/// One `Arc<str>` per topic, shared by all its records: no allocation per message.
#[derive(Default)]
struct TopicNames {
    last: Option<Arc<str>>,
    all: HashSet<Arc<str>>,
}

impl TopicNames {
    fn get(&mut self, topic: &str) -> Arc<str> {
        // Messages of one topic come in runs: compare with the last one first.
        if let Some(last) = &self.last
            && &**last == topic
        {
            return Arc::clone(last);
        }
        let name = match self.all.get(topic) {
            Some(name) => Arc::clone(name),
            None => {
                let name: Arc<str> = Arc::from(topic);
                self.all.insert(Arc::clone(&name));
                name
            }
        };
        self.last = Some(Arc::clone(&name));
        name
    }

    fn lookup(&self, topic: &str) -> Arc<str> {
        self.all
            .get(topic)
            .cloned()
            .unwrap_or_else(|| Arc::from(topic))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regexes_match_whole_topic_names() {
        assert_eq!(anchored("orders-.*"), "^(orders-.*)$");
        assert_eq!(anchored("^orders-.*$"), "^(orders-.*)$");
        assert_eq!(anchored("price\\$"), "^(price\\$)$");
        assert_eq!(
            Topics::Regex("a|b".into()).subscription(),
            vec!["^(a|b)$".to_string()]
        );
    }

    #[test]
    fn topic_names_are_shared() {
        let mut names = TopicNames::default();
        let a = names.get("a");
        let b = names.get("b");
        assert!(Arc::ptr_eq(&a, &names.get("a")));
        assert!(Arc::ptr_eq(&b, &names.get("b")));
        assert!(Arc::ptr_eq(&b, &names.get("b")));
    }

    #[test]
    fn revoked_records_are_dropped_from_the_batch() {
        let topic: Arc<str> = Arc::from("t");
        let record = |partition, offset| RawRecord {
            topic: Arc::clone(&topic),
            partition,
            offset,
            timestamp: None,
            headers: Vec::new(),
            key: None,
            value: None,
        };
        let mut batch = vec![record(0, 1), record(1, 1), record(0, 2), record(2, 1)];
        let events = vec![RebalanceEvent::Revoked {
            partitions: vec![TopicPartition::new("t", 0), TopicPartition::new("t", 2)],
            lost: false,
        }];
        let passed = drop_revoked(&mut batch, events.clone(), "g");
        assert_eq!(passed, events);
        assert_eq!(batch, vec![record(1, 1)]);
    }
}
