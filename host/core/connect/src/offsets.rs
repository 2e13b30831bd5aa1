//! What a batch consumed, per partition: the input to [`Source::commit`].
//!
//! Every record carries Kafka's coordinates (topic, partition, offset), whichever system
//! it comes from: a Kafka source commits them as consumer offsets; another source maps
//! them back to its own positions (see [`Source::commit`]).
//!
//! [`Source::commit`]: crate::Source::commit

use std::fmt;
use std::sync::Arc;

use sluice_record::{RawRecord, Record};

/// A partition of a topic.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicPartition {
    /// The topic's name.
    pub topic: Arc<str>,
    /// The partition's number.
    pub partition: i32,
}

impl TopicPartition {
    /// `topic`-`partition`.
    pub fn new(topic: impl Into<Arc<str>>, partition: i32) -> TopicPartition {
        TopicPartition {
            topic: topic.into(),
            partition,
        }
    }

    /// Whether this is `topic`-`partition`.
    pub fn is(&self, topic: &str, partition: i32) -> bool {
        self.partition == partition && &*self.topic == topic
    }
}

impl fmt::Display for TopicPartition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.topic, self.partition)
    }
}

/// `a-0, a-1, b-3` for logs and errors.
pub fn display_list<'a>(partitions: impl IntoIterator<Item = &'a TopicPartition>) -> String {
    let mut out = String::new();
    for (i, tp) in partitions.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        out.push_str(&tp.to_string());
    }
    if out.is_empty() {
        out.push_str("no partitions");
    }
    out
}

/// The highest offset processed in each partition of a batch.
///
/// Build it from the batch as the source returned it, before transforms run: a record a
/// transform filters out was still processed, and its offset must be committed too.
/// Committing stores `offset + 1` per partition — the next record to read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Offsets {
    // A batch touches few partitions, so a vector beats a map; records of one partition
    // arrive in runs, so the last entry is checked first.
    highest: Vec<(TopicPartition, i64)>,
}

impl Offsets {
    /// No offsets.
    pub fn new() -> Offsets {
        Offsets::default()
    }

    /// The offsets of every record of `records`.
    pub fn of(records: &[RawRecord]) -> Offsets {
        Offsets::from_coordinates(records.iter().map(|r| (&r.topic, r.partition, r.offset)))
    }

    /// The offsets of every record of a batch of typed records (a source that does
    /// not deliver bytes).
    pub fn of_records(records: &[Record]) -> Offsets {
        Offsets::from_coordinates(records.iter().map(|r| (&r.topic, r.partition, r.offset)))
    }

    fn from_coordinates<'a>(records: impl Iterator<Item = (&'a Arc<str>, i32, i64)>) -> Offsets {
        let mut offsets = Offsets::new();
        for (topic, partition, offset) in records {
            offsets.track(topic, partition, offset);
        }
        offsets
    }

    /// Notes that the record at `offset` of `topic`-`partition` was processed.
    pub fn track(&mut self, topic: &Arc<str>, partition: i32, offset: i64) {
        if let Some((_, highest)) = self
            .highest
            .last_mut()
            .filter(|(tp, _)| tp.is(topic, partition))
        {
            *highest = (*highest).max(offset);
            return;
        }
        match self
            .highest
            .iter_mut()
            .find(|(tp, _)| tp.is(topic, partition))
        {
            Some((_, highest)) => *highest = (*highest).max(offset),
            None => self
                .highest
                .push((TopicPartition::new(Arc::clone(topic), partition), offset)),
        }
    }

    /// Merges `other` in, keeping the higher offset of each partition.
    pub fn merge(&mut self, other: &Offsets) {
        for (tp, offset) in &other.highest {
            self.track(&tp.topic, tp.partition, *offset);
        }
    }

    /// The highest processed offset of a partition.
    pub fn get(&self, topic: &str, partition: i32) -> Option<i64> {
        self.highest
            .iter()
            .find(|(tp, _)| tp.is(topic, partition))
            .map(|(_, offset)| *offset)
    }

    /// Every partition with its highest processed offset.
    pub fn iter(&self) -> impl Iterator<Item = (&TopicPartition, i64)> {
        self.highest.iter().map(|(tp, offset)| (tp, *offset))
    }

    /// Whether no partition is tracked.
    pub fn is_empty(&self) -> bool {
        self.highest.is_empty()
    }

    /// How many partitions are tracked.
    pub fn len(&self) -> usize {
        self.highest.len()
    }

    /// Keeps only the partitions `keep` accepts.
    pub fn retain(&mut self, mut keep: impl FnMut(&TopicPartition) -> bool) {
        self.highest.retain(|(tp, _)| keep(tp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_highest_offset_per_partition() {
        let a: Arc<str> = Arc::from("a");
        let b: Arc<str> = Arc::from("b");
        let mut offsets = Offsets::new();
        offsets.track(&a, 0, 5);
        offsets.track(&a, 1, 2);
        offsets.track(&a, 0, 3);
        offsets.track(&b, 0, 9);
        offsets.track(&a, 1, 7);
        assert_eq!(offsets.get("a", 0), Some(5));
        assert_eq!(offsets.get("a", 1), Some(7));
        assert_eq!(offsets.get("b", 0), Some(9));
        assert_eq!(offsets.get("b", 1), None);
        assert_eq!(offsets.len(), 3);

        let mut other = Offsets::new();
        other.track(&a, 0, 4);
        other.track(&b, 2, 1);
        offsets.merge(&other);
        assert_eq!(offsets.get("a", 0), Some(5));
        assert_eq!(offsets.get("b", 2), Some(1));
    }
}
