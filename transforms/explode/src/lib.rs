//! Explode: each element of the array field `field` of a record's value becomes a
//! record of its own, the field holding that element (in the schema too: the field's
//! type becomes the array's item type). Kafka Connect has no such transform; the name
//! and behaviour follow SQL's and Spark's `explode`:
//!
//! * the new records are appended (wit/plugin.wit, `append`) with the record they come
//!   from as their origin, in element order, and the original is discarded. The host
//!   commits an origin's offset only once every record appended from it is written, so
//!   a crash part-way replays the whole origin (tests/explode.rs);
//! * a record whose field is an empty array, null or absent yields no records (its
//!   offset is still committed, as for any discarded record);
//! * a record whose field is not an array, or whose value is not a struct or map, is
//!   rejected.
//!
//! Topic, partition, timestamp, headers and key are the origin's.
use sluice_sdk::nodes::{self, Missing};
use sluice_sdk::prelude::*;

struct Explode {
    field: String,
}

impl Transform for Explode {
    fn describe() -> Vec<Property> {
        vec![Property::string(
            "field",
            None,
            "The array field of the value whose elements become records (a dotted path reaches a nested field).",
        )]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let field = config.required("field")?;
        if field.is_empty() || field.split('.').any(str::is_empty) {
            return Err(Error::InvalidConfig(format!(
                "`field` must name a field, not `{field}`"
            )));
        }
        Ok(Explode { field })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        // Indices stay stable for the whole call, appended records come after them.
        for i in 0..batch.len() {
            if let Err(message) = self.one(batch, i) {
                batch.reject(i, &format!("explode: {message}"));
            }
        }
        Ok(())
    }
}

impl Explode {
    fn one(&self, batch: &Batch, i: u32) -> Result<(), String> {
        let value = batch.get(i, Part::Value);
        if nodes::is_null(&value) {
            return Err("the value is null".into());
        }
        if !matches!(value.value[0], Node::Struct(_) | Node::Map(_)) {
            return Err("the value is not a struct or map".into());
        }
        let at = match nodes::locate(&value, &self.field) {
            Ok(at) => at,
            Err(Missing::Null) => unreachable!("checked above"),
            Err(Missing::NoSuchField | Missing::NullOnTheWay) => {
                batch.discard(i);
                return Ok(());
            }
        };
        let items = match &value.value[at.node as usize] {
            Node::Array(items) => items.clone(),
            Node::Null => Vec::new(),
            _ => return Err(format!("field `{}` is not an array", self.field)),
        };
        let item_schema = match (&value.schema, at.schema) {
            (Some(schema), Some(s)) => Some(schema.nodes[s as usize].children[0]),
            _ => None,
        };
        let (topic, partition, timestamp) =
            (batch.topic(i), batch.partition(i), batch.timestamp(i));
        let (headers, key) = (batch.headers(i), batch.get(i, Part::Key));
        for item in items {
            let mut one = value.clone();
            nodes::replace(&mut one, at, item, item_schema)?;
            batch.append(
                i,
                &NewRecord {
                    topic: topic.clone(),
                    partition,
                    timestamp,
                    headers: headers.clone(),
                    key: key.clone(),
                    value: one,
                },
            );
        }
        batch.discard(i);
        Ok(())
    }
}

sluice_sdk::export_transform!(Explode);
