//! Kafka Connect's `TopicNameMatches` predicate
//! (`org.apache.kafka.connect.transforms.predicates.TopicNameMatches`): true for records
//! whose topic matches `pattern`, a regular expression that must match the whole
//! topic name, as Java's `Matcher.matches()` does.
use regex::Regex;
use sluice_sdk::prelude::*;

struct TopicNameMatches {
    pattern: Regex,
}

impl Predicate for TopicNameMatches {
    fn describe() -> Vec<Property> {
        vec![Property::string(
            "pattern",
            None,
            "A regular expression that a record's whole topic name must match.",
        )]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let pattern: String = config.required("pattern")?;
        let pattern = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
            Error::InvalidConfig(format!("`pattern`: not a regular expression: {e}"))
        })?;
        Ok(TopicNameMatches { pattern })
    }

    fn test(&self, batch: &Batch) -> Result<Vec<bool>, Error> {
        let n = batch.len();
        // The usual batch comes from one topic-partition: one answer for all.
        if let Some(topic) = batch.batch_topic() {
            return Ok(vec![self.pattern.is_match(&topic); n as usize]);
        }
        Ok((0..n)
            .map(|i| self.pattern.is_match(&batch.topic(i)))
            .collect())
    }
}

sluice_sdk::export_predicate!(TopicNameMatches);
