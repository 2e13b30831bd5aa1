//! Kafka Connect's `DropHeaders` (`org.apache.kafka.connect.transforms.DropHeaders`):
//! removes every header whose name is in `headers`, keeping the others in order.
use sluice_sdk::prelude::*;

struct DropHeaders {
    headers: Vec<String>,
}

impl Transform for DropHeaders {
    fn describe() -> Vec<Property> {
        vec![Property::list(
            "headers",
            None,
            "The name of the headers to be removed.",
        )]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        config.required("headers")?;
        let headers = config.list("headers");
        // Kafka Connect's `NonEmptyListValidator`.
        if headers.is_empty() {
            return Err(Error::InvalidConfig(
                "`headers` must name at least one header".into(),
            ));
        }
        Ok(DropHeaders { headers })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for i in 0..batch.len() {
            let headers = batch.headers(i);
            if !headers.iter().any(|h| self.headers.contains(&h.key)) {
                continue; // nothing to drop: no write
            }
            let kept: Vec<Header> = headers
                .into_iter()
                .filter(|h| !self.headers.contains(&h.key))
                .collect();
            batch.set_headers(i, &kept);
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(DropHeaders);
