//! Kafka Connect's `TopicNameMatches` predicate
//! (`org.apache.kafka.connect.transforms.predicates.TopicNameMatches`): true for records
//! whose topic matches `pattern`, a regular expression that must match the whole
//! topic name, as Java's `Matcher.matches()` does. Like Connect's `NonEmptyString`
//! validator on a trimmed `STRING`, an empty `pattern` is refused; so is one that is not
//! a regular expression.
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
        let pattern = config.required_non_empty("pattern")?;
        let refuse = |e: regex::Error, what: &str| {
            Error::InvalidConfig(format!(
                "`pattern`: `{pattern}` {what}: {}",
                sluice_sdk::problem_line(&e.to_string())
            ))
        };
        // The pattern alone first, so that an error is about what the user wrote.
        Regex::new(&pattern).map_err(|e| refuse(e, "is not a regular expression"))?;
        // Anchored, the regex must match the whole topic name, as `matches()` does:
        // `orders` does not select `xorders` or `orders.eu`. (Only a pattern whose
        // `(?x)` comment runs to its end fails here.)
        let pattern = Regex::new(&format!("^(?:{pattern})$"))
            .map_err(|e| refuse(e, "cannot be anchored to match whole topic names"))?;
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
