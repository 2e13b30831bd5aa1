//! Kafka Connect's `HasHeaderKey` predicate
//! (`org.apache.kafka.connect.transforms.predicates.HasHeaderKey`): true for records
//! with at least one header named `name` (whatever its value, null included). The name
//! is case-sensitive, trimmed and must not be empty, as in Connect.
use sluice_sdk::prelude::*;

struct HasHeaderKey {
    name: String,
}

impl Predicate for HasHeaderKey {
    fn describe() -> Vec<Property> {
        vec![Property::string("name", None, "The header name.")]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        // Kafka Connect's `NonEmptyString` validator, on the value trimmed as Connect's
        // `ConfigDef` trims a `STRING`.
        let name = config.required_non_empty("name")?;
        Ok(HasHeaderKey { name })
    }

    fn test(&self, batch: &Batch) -> Result<Vec<bool>, Error> {
        Ok((0..batch.len())
            .map(|i| batch.headers(i).iter().any(|h| h.key == self.name))
            .collect())
    }
}

sluice_sdk::export_predicate!(HasHeaderKey);
