//! Kafka Connect's `HasHeaderKey` predicate
//! (`org.apache.kafka.connect.transforms.predicates.HasHeaderKey`): true for records
//! with at least one header named `name` (whatever its value, null included).
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
        let name: String = config.required("name")?;
        // Kafka Connect's `NonEmptyString` validator.
        if name.is_empty() {
            return Err(Error::InvalidConfig(
                "`name` must be a non-empty header name".into(),
            ));
        }
        Ok(HasHeaderKey { name })
    }

    fn test(&self, batch: &Batch) -> Result<Vec<bool>, Error> {
        Ok((0..batch.len())
            .map(|i| batch.headers(i).iter().any(|h| h.key == self.name))
            .collect())
    }
}

sluice_sdk::export_predicate!(HasHeaderKey);
