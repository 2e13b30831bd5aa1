//! Kafka Connect's `RecordIsTombstone` predicate
//! (`org.apache.kafka.connect.transforms.predicates.RecordIsTombstone`): true for
//! records whose value is null, schema'd or not. It has no properties.
use sluice_sdk::nodes;
use sluice_sdk::prelude::*;

struct RecordIsTombstone;

impl Predicate for RecordIsTombstone {
    fn describe() -> Vec<Property> {
        Vec::new()
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        Ok(RecordIsTombstone)
    }

    fn test(&self, batch: &Batch) -> Result<Vec<bool>, Error> {
        // The column calls answer for leaves only (a struct reads as null there too),
        // so the whole value is read per record.
        Ok((0..batch.len())
            .map(|i| nodes::is_null(&batch.get(i, Part::Value)))
            .collect())
    }
}

sluice_sdk::export_predicate!(RecordIsTombstone);
