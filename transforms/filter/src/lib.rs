//! Kafka Connect's `Filter` (`org.apache.kafka.connect.transforms.Filter`): drops every
//! record it is applied to. It is meant to run under a predicate
//! (`transforms.<alias>.predicate`, optionally `negate`), which decides the records it
//! sees. It has no properties. A dropped record's offset is still committed
//! (wit/plugin.wit, `discard`).
use sluice_sdk::prelude::*;

struct Filter;

impl Transform for Filter {
    fn describe() -> Vec<Property> {
        Vec::new()
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        Ok(Filter)
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for i in 0..batch.len() {
            batch.discard(i);
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(Filter);
