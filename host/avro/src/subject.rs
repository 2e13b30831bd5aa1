//! Subject naming: which registry subject a record's schema belongs to, as Confluent's
//! `*.subject.name.strategy` classes name them.

use sluice_convert::ConverterType;

/// Confluent's default strategy's class name.
pub const DEFAULT_STRATEGY: &str = "io.confluent.kafka.serializers.subject.TopicNameStrategy";

/// The accepted values (short names, case-insensitive, or Confluent's class names).
pub const STRATEGIES: [&str; 3] = [
    "TopicNameStrategy",
    "RecordNameStrategy",
    "TopicRecordNameStrategy",
];

const PACKAGE: &str = "io.confluent.kafka.serializers.subject.";

/// A subject name strategy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectStrategy {
    /// `<topic>-key` / `<topic>-value`.
    TopicName,
    /// The record's full name.
    RecordName,
    /// `<topic>-<record full name>`.
    TopicRecordName,
}

impl SubjectStrategy {
    /// Reads a strategy by short name or class name.
    pub fn parse(value: &str) -> Option<SubjectStrategy> {
        let short = value.trim().strip_prefix(PACKAGE).unwrap_or(value.trim());
        let found = STRATEGIES
            .iter()
            .position(|s| s.eq_ignore_ascii_case(short))?;
        Some(
            [
                SubjectStrategy::TopicName,
                SubjectStrategy::RecordName,
                SubjectStrategy::TopicRecordName,
            ][found],
        )
    }

    /// The subject for a record of `topic` whose schema is named `record` (a record
    /// strategy without a name falls back to the topic's subject).
    pub fn subject(self, topic: &str, part: ConverterType, record: Option<&str>) -> String {
        let suffix = match part {
            ConverterType::Key => "key",
            _ => "value",
        };
        match (self, record) {
            (SubjectStrategy::RecordName, Some(name)) => name.to_owned(),
            (SubjectStrategy::TopicRecordName, Some(name)) => format!("{topic}-{name}"),
            _ => format!("{topic}-{suffix}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strategies_name_subjects_as_confluent_does() {
        let v = ConverterType::Value;
        let k = ConverterType::Key;
        let topic = SubjectStrategy::parse(DEFAULT_STRATEGY).unwrap();
        assert_eq!(topic.subject("orders", v, Some("a.B")), "orders-value");
        assert_eq!(topic.subject("orders", k, None), "orders-key");
        let record = SubjectStrategy::parse("recordnamestrategy").unwrap();
        assert_eq!(record.subject("orders", v, Some("a.B")), "a.B");
        let both = SubjectStrategy::parse(
            "io.confluent.kafka.serializers.subject.TopicRecordNameStrategy",
        )
        .unwrap();
        assert_eq!(both.subject("orders", v, Some("a.B")), "orders-a.B");
        assert_eq!(SubjectStrategy::parse("Nope"), None);
    }
}
