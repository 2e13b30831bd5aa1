//! Kafka Connect's `InsertHeader` (`org.apache.kafka.connect.transforms.InsertHeader`):
//! adds the header `header` with the value `value.literal` to every record, after its
//! other headers (an existing header of that name stays: Kafka headers may repeat).
//!
//! Headers cross the boundary as bytes (wit/plugin.wit, `header`), so the literal is
//! written as its UTF-8 text: what Kafka Connect's default `SimpleHeaderConverter`
//! writes for the value `Values.parseString` makes of it.
use sluice_sdk::prelude::*;

struct InsertHeader {
    header: String,
    value: Vec<u8>,
}

impl Transform for InsertHeader {
    fn describe() -> Vec<Property> {
        vec![
            Property::string("header", None, "The name of the header."),
            Property::string(
                "value.literal",
                None,
                "The literal value that is to be set as the header value on all records.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        // Kafka Connect only requires both to be set (`NonNullValidator`): an empty
        // name or value is a valid header.
        let header = config.required("header")?;
        let value = config.required("value.literal")?.into_bytes();
        Ok(InsertHeader { header, value })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for i in 0..batch.len() {
            let mut headers = batch.headers(i);
            headers.push(Header {
                key: self.header.clone(),
                value: Some(self.value.clone()),
            });
            batch.set_headers(i, &headers);
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(InsertHeader);
