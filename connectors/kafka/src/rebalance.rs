//! Consumer-group rebalances: the callback librdkafka runs inside `poll`, and what it
//! tells the source.
//!
//! librdkafka runs the rebalance callback on the thread that calls `poll`, i.e. inside
//! [`KafkaSource::poll_batch`]. Because the pipeline commits every batch before it polls
//! again, a revoke can only ever find records that were fetched but not yet handed out:
//! those of the batch `poll_batch` is assembling. The callback cannot reach that batch
//! (it only gets `&self`), so it queues an event and raises a flag; `poll_batch` checks
//! the flag after every `poll` (one relaxed atomic load) and drops the revoked
//! partitions' records. After an eager rebalance the partitions restart from their last
//! committed offset, so nothing dropped is lost.
//!
//! [`KafkaSource::poll_batch`]: crate::KafkaSource::poll_batch

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext, Rebalance};
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use tracing::{info, warn};

use crate::offsets::{Offsets, TopicPartition, display_list};

/// A change of the partitions assigned to a source, in the order they happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RebalanceEvent {
    /// These partitions are now assigned (with the cooperative protocol: in addition to
    /// those already assigned).
    Assigned(Vec<TopicPartition>),
    /// These partitions are no longer assigned. Records of theirs that had been fetched
    /// but not yet returned by `poll_batch` were dropped; their new owner reads them from
    /// the last committed offset. `lost` is true when the group expelled this consumer
    /// (for example after `max.poll.interval.ms`) instead of revoking in an orderly way.
    Revoked {
        /// The partitions no longer assigned to this consumer.
        partitions: Vec<TopicPartition>,
        /// Whether they were lost (taken away without an orderly revoke) rather than
        /// revoked.
        lost: bool,
    },
}

pub(crate) struct SourceContext {
    group: String,
    servers: String,
    /// Set when `events` holds something the source has not seen yet.
    changed: AtomicBool,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    events: Vec<RebalanceEvent>,
    /// Offsets of acknowledged batches whose commit was refused because the group was
    /// rebalancing. Retried with the next commit, or when their partitions are revoked
    /// (while this consumer still owns them), so their new owner does not redo them.
    deferred: Offsets,
}

impl SourceContext {
    pub(crate) fn new(group: &str, servers: &str) -> SourceContext {
        SourceContext {
            group: group.to_string(),
            servers: servers.to_string(),
            changed: AtomicBool::new(false),
            state: Mutex::new(State::default()),
        }
    }

    /// Cheap check for the poll loop's fast path.
    pub(crate) fn changed(&self) -> bool {
        self.changed.load(Ordering::Relaxed)
    }

    pub(crate) fn take_events(&self) -> Vec<RebalanceEvent> {
        self.changed.store(false, Ordering::Relaxed);
        std::mem::take(&mut self.lock().events)
    }

    pub(crate) fn take_deferred(&self) -> Offsets {
        std::mem::take(&mut self.lock().deferred)
    }

    pub(crate) fn defer(&self, offsets: &Offsets) {
        self.lock().deferred.merge(offsets);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // A panic while holding the lock leaves plain data behind; keep going.
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn push(&self, event: RebalanceEvent) {
        self.lock().events.push(event);
        self.changed.store(true, Ordering::Relaxed);
    }

    /// Commits the deferred offsets of partitions being revoked, while this consumer's
    /// generation is still the current one.
    fn commit_deferred(&self, consumer: &BaseConsumer<Self>, revoked: &[TopicPartition]) {
        let mut mine = Offsets::new();
        {
            let mut state = self.lock();
            for (tp, offset) in state.deferred.iter() {
                if revoked.contains(tp) {
                    mine.track(&tp.topic, tp.partition, offset);
                }
            }
            state.deferred.retain(|tp| !revoked.contains(tp));
        }
        if mine.is_empty() {
            return;
        }
        let tpl = to_commit_list(&mine);
        let partitions = display_list(mine.iter().map(|(tp, _)| tp));
        match consumer.commit(&tpl, CommitMode::Sync) {
            Ok(()) => {
                info!(group = %self.group, "committed deferred offsets of {partitions} before revoking them");
            }
            Err(error) => warn!(
                group = %self.group,
                servers = %self.servers,
                "cannot commit deferred offsets of {partitions} before revoking them ({error}); \
                 their new owner reprocesses from the last committed offset"
            ),
        }
    }
}

/// `offset + 1` of each partition: Kafka's committed offset is the next record to read.
pub(crate) fn to_commit_list(offsets: &Offsets) -> TopicPartitionList {
    let mut tpl = TopicPartitionList::with_capacity(offsets.len());
    for (tp, offset) in offsets.iter() {
        tpl.add_partition_offset(&tp.topic, tp.partition, Offset::Offset(offset + 1))
            .expect("a concrete offset is always valid");
    }
    tpl
}

fn partitions_of(tpl: &TopicPartitionList) -> Vec<TopicPartition> {
    tpl.elements()
        .iter()
        .map(|elem| TopicPartition::new(elem.topic(), elem.partition()))
        .collect()
}

impl ClientContext for SourceContext {
    /// librdkafka's global errors, at ERROR as rdkafka does, except that no broker
    /// answering is DEBUG: the source says so once per outage (`KafkaSource::on_error`),
    /// not at every reconnect.
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        if crate::source::is_unreachable(&error) {
            tracing::debug!(group = %self.group, "librdkafka: {error}: {reason}");
        } else {
            tracing::error!(group = %self.group, "librdkafka: {error}: {reason}");
        }
    }
}

impl ConsumerContext for SourceContext {
    fn pre_rebalance(&self, consumer: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                let partitions = partitions_of(tpl);
                info!(group = %self.group, "assigned {}", display_list(&partitions));
                self.push(RebalanceEvent::Assigned(partitions));
            }
            Rebalance::Revoke(tpl) => {
                let partitions = partitions_of(tpl);
                let lost = consumer.assignment_lost();
                if lost {
                    warn!(group = %self.group, "lost {} (expelled from the group)", display_list(&partitions));
                } else {
                    info!(group = %self.group, "revoked {}", display_list(&partitions));
                    self.commit_deferred(consumer, &partitions);
                }
                if lost {
                    self.lock().deferred.retain(|tp| !partitions.contains(tp));
                }
                self.push(RebalanceEvent::Revoked { partitions, lost });
            }
            Rebalance::Error(error) => {
                warn!(group = %self.group, servers = %self.servers, "rebalance failed: {error}");
            }
        }
    }
}
