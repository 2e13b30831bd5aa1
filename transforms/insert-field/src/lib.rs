//! InsertField, as Kafka Connect's `org.apache.kafka.connect.transforms.InsertField`:
//! adds a static field and/or the record's topic, partition, offset and timestamp as
//! fields of the value (or key). A field name may end in `?` (optional, the default) or
//! `!` (Kafka Connect's "required" marker; accepted and ignored: inserted fields are
//! always present). A tombstone (a null key or value) passes unchanged, as in Connect;
//! a key or value that is neither a struct nor a map is rejected, as Connect fails it.
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
                "no field to insert: set at least one of `static.field`, `topic.field`, `partition.field`, `offset.field`, `timestamp.field`".into(),
            ));
        }
        Ok(t)
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let n = batch.len();
        // Which records take the fields: a struct or a map. A null key or value (a
        // tombstone) passes unchanged, as in Connect; any other value is rejected, as
        // Connect fails it ("Only Struct objects supported").
        let mut takes = vec![true; n as usize];
        let mut rejected = false;
        for (i, t) in batch.column_types(self.part, "")?.into_iter().enumerate() {
            match t {
                Some(SchemaType::Struct | SchemaType::Map) => {}
                None => takes[i] = false,
                Some(other) => {
                    takes[i] = false;
                    rejected = true;
                    batch.reject(
                        i as u32,
                        &format!(
                            "InsertField needs a struct or map {}, not {}",
                            part_name(self.part),
                            sluice_sdk::tree::type_name(other)
                        ),
                    );
                }
            }
        }
        // A record that does not take the fields gets null, which leaves a tombstone
        // as it is (wit/plugin.wit, `set-field`).
        let column = |f: &dyn Fn(u32) -> Scalar| {
            (0..n)
                .map(|i| {
                    if takes[i as usize] {
                        f(i)
                    } else {
                        Scalar::Null
                    }
                })
                .collect::<Vec<_>>()
        };
        let mut columns = Vec::new();
        if let Some((field, value)) = &self.static_field {
            columns.push((field, column(&|_| Scalar::String(value.clone()))));
        }
        if let Some(field) = &self.topic_field {
            // Most batches come from one topic-partition: ask once, not per record.
            let values = match batch.batch_topic() {
                Some(topic) => column(&|_| Scalar::String(topic.clone())),
                None => column(&|i| Scalar::String(batch.topic(i))),
            };
            columns.push((field, values));
        }
        // Each coordinate asked for once for the whole batch, not once per record.
        if let Some(field) = &self.partition_field {
            let partitions = batch.partitions();
            columns.push((field, column(&|i| Scalar::Int32(partitions[i as usize]))));
        }
        if let Some(field) = &self.offset_field {
            let offsets = batch.offsets();
            columns.push((field, column(&|i| Scalar::Int64(offsets[i as usize]))));
        }
        if let Some(field) = &self.timestamp_field {
            let timestamps = batch.timestamps();
            let values = column(&|i| timestamps[i as usize].map_or(Scalar::Null, Scalar::Int64));
            columns.push((field, values));
        }
        for (field, values) in columns {
            if !rejected {
                batch.set_column(self.part, field, &values)?;
                continue;
            }
            // Not even null can be set in a primitive value: record by record, then
            // (a rare batch: its primitive values are all rejected).
            for (i, value) in values.into_iter().enumerate() {
                if takes[i] {
                    batch.set_field(i as u32, self.part, field, &value)?;
                }
            }
        }
        Ok(())
    }
}

fn part_name(part: Part) -> &'static str {
    match part {
        Part::Key => "key",
        Part::Value => "value",
    }
}

sluice_sdk::export_transform!(InsertField);
