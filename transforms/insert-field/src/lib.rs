//! InsertField, as Kafka Connect's `org.apache.kafka.connect.transforms.InsertField`:
//! adds a static field and/or the record's topic, partition, offset and timestamp as
//! fields of the value (or key). A field name may end in `?` (optional, the default) or
//! `!` (Kafka Connect's "required" marker; accepted and ignored: inserted fields are
//! always present).
use sluice_sdk::prelude::*;

struct InsertField {
    part: Part,
    static_field: Option<(String, String)>,
    topic_field: Option<String>,
    partition_field: Option<String>,
    offset_field: Option<String>,
    timestamp_field: Option<String>,
}

fn field_name(config: &Config, key: &str) -> Option<String> {
    config
        .get(key)
        .map(|v| v.trim().trim_end_matches(['?', '!']).to_string())
        .filter(|v| !v.is_empty())
}

impl Transform for InsertField {
    fn describe() -> Vec<Property> {
        vec![
            Property::string("static.field", None, "Field name for a static value."),
            Property::string(
                "static.value",
                None,
                "The static value (a string) when `static.field` is set.",
            ),
            Property::string("topic.field", None, "Field name for the record's topic."),
            Property::string(
                "partition.field",
                None,
                "Field name for the record's partition.",
            ),
            Property::string("offset.field", None, "Field name for the record's offset."),
            Property::string(
                "timestamp.field",
                None,
                "Field name for the record's timestamp (ms since the epoch).",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record gets the fields: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let static_field = match (
            field_name(&config, "static.field"),
            config.get("static.value"),
        ) {
            (Some(f), Some(v)) => Some((f, v.to_string())),
            (None, None) => None,
            (Some(_), None) => {
                return Err(Error::InvalidConfig(
                    "`static.field` needs `static.value`".into(),
                ));
            }
            (None, Some(_)) => {
                return Err(Error::InvalidConfig(
                    "`static.value` needs `static.field`".into(),
                ));
            }
        };
        let part = config.part()?;
        let t = InsertField {
            part,
            static_field,
            topic_field: field_name(&config, "topic.field"),
            partition_field: field_name(&config, "partition.field"),
            offset_field: field_name(&config, "offset.field"),
            timestamp_field: field_name(&config, "timestamp.field"),
        };
        if t.static_field.is_none()
            && t.topic_field.is_none()
            && t.partition_field.is_none()
            && t.offset_field.is_none()
            && t.timestamp_field.is_none()
        {
            return Err(Error::InvalidConfig(
                "set at least one of static.field, topic.field, partition.field, offset.field, timestamp.field".into(),
            ));
        }
        Ok(t)
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let n = batch.len();
        let column = |f: &dyn Fn(u32) -> Scalar| (0..n).map(f).collect::<Vec<_>>();
        if let Some((field, value)) = &self.static_field {
            batch.set_column(
                self.part,
                field,
                &column(&|_| Scalar::String(value.clone())),
            )?;
        }
        if let Some(field) = &self.topic_field {
            // Most batches come from one topic-partition: ask once, not per record.
            let values = match batch.batch_topic() {
                Some(topic) => column(&|_| Scalar::String(topic.clone())),
                None => column(&|i| Scalar::String(batch.topic(i))),
            };
            batch.set_column(self.part, field, &values)?;
        }
        if let Some(field) = &self.partition_field {
            batch.set_column(
                self.part,
                field,
                &column(&|i| Scalar::Int32(batch.partition(i))),
            )?;
        }
        if let Some(field) = &self.offset_field {
            batch.set_column(
                self.part,
                field,
                &column(&|i| Scalar::Int64(batch.offset(i))),
            )?;
        }
        if let Some(field) = &self.timestamp_field {
            let values = column(&|i| batch.timestamp(i).map_or(Scalar::Null, Scalar::Int64));
            batch.set_column(self.part, field, &values)?;
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(InsertField);
