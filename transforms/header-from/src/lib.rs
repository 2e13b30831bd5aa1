//! Kafka Connect's `HeaderFrom` (`org.apache.kafka.connect.transforms.HeaderFrom$Key` /
//! `$Value`, here `part`): copies or moves the fields `fields` of the key or value into
//! the headers `headers` (pairwise, in order), after the record's other headers.
//! `move` also removes the fields, from the schema too. Field names may be dotted paths
//! into nested structs and maps.
//!
//! As in Kafka Connect, a schema'd record must be a struct holding every field, and a
//! schemaless one a map (a missing field gives a null header); other records, null
//! (tombstone) ones included, are rejected. A null field with a schema default gives
//! the default when `replace.null.with.default` is true.
//!
//! Headers cross the boundary as bytes (wit/plugin.wit, `header`): a string field
//! becomes its UTF-8 text, a bytes field its bytes, a number or boolean its text (as
//! Kafka Connect's default `SimpleHeaderConverter` writes them). A struct, map or array
//! field has no such form here, and its record is rejected.
use sluice_sdk::nodes::{self, Missing};
use sluice_sdk::prelude::*;

struct HeaderFrom {
    part: Part,
    fields: Vec<String>,
    headers: Vec<String>,
    is_move: bool,
    replace_null_with_default: bool,
}

impl Transform for HeaderFrom {
    fn describe() -> Vec<Property> {
        vec![
            Property::list(
                "fields",
                None,
                "Field names in the record whose values are to be copied or moved to headers.",
            ),
            Property::list(
                "headers",
                None,
                "Header names, in the same order as the field names listed in the fields configuration property.",
            ),
            Property::string(
                "operation",
                None,
                "Either `move` if the fields are to be moved to the headers (removed from the key/value), or `copy` if the fields are to be copied to the headers (retained in the key/value).",
            ),
            Property::boolean(
                "replace.null.with.default",
                Some("true"),
                "Whether to replace fields that have a default value and that are null to the default value. When set to true, the default value is used, otherwise null is used.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record the fields are in: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let non_empty = |name: &str| -> Result<Vec<String>, Error> {
            config.required(name)?;
            let list = config.list(name);
            if list.is_empty() {
                return Err(Error::InvalidConfig(format!(
                    "`{name}` must name at least one entry"
                )));
            }
            Ok(list)
        };
        let fields = non_empty("fields")?;
        let headers = non_empty("headers")?;
        if fields.len() != headers.len() {
            return Err(Error::InvalidConfig(format!(
                "`fields` ({}) and `headers` ({}) must have the same number of elements",
                fields.len(),
                headers.len()
            )));
        }
        let is_move = match config.required("operation")?.as_str() {
            "move" => true,
            "copy" => false,
            other => {
                return Err(Error::InvalidConfig(format!(
                    "`operation` must be `move` or `copy`, not `{other}`"
                )));
            }
        };
        Ok(HeaderFrom {
            part: config.part()?,
            fields,
            headers,
            is_move,
            replace_null_with_default: config.boolean("replace.null.with.default", true)?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        for i in 0..batch.len() {
            match self.one(batch, i) {
                Ok(()) => {}
                Err(message) => batch.reject(i, &format!("HeaderFrom: {message}")),
            }
        }
        Ok(())
    }
}

impl HeaderFrom {
    fn one(&self, batch: &Batch, i: u32) -> Result<(), String> {
        let mut data = batch.get(i, self.part);
        let side = match self.part {
            Part::Key => "key",
            Part::Value => "value",
        };
        if nodes::is_null(&data) {
            return Err(format!("the {side} is null"));
        }
        match (data.value.first(), &data.schema) {
            (Some(Node::Struct(_)), Some(_)) | (Some(Node::Map(_)), None) => {}
            (_, Some(_)) => return Err(format!("the {side} is not a struct")),
            (_, None) => return Err(format!("the schemaless {side} is not a map")),
        }
        let mut headers = batch.headers(i);
        for (field, header) in self.fields.iter().zip(&self.headers) {
            let value = match nodes::locate(&data, field) {
                Ok(at) => self.header_value(&data, at)?,
                Err(Missing::NoSuchField) if data.schema.is_none() => None,
                // A null struct on the way: the field is null in this record.
                Err(Missing::NullOnTheWay) => None,
                Err(_) => return Err(format!("the {side} has no field `{field}`")),
            };
            headers.push(Header {
                key: header.clone(),
                value,
            });
        }
        if self.is_move {
            for field in &self.fields {
                nodes::remove(&mut data, field);
            }
            batch.set(i, self.part, &data)?;
        }
        batch.set_headers(i, &headers);
        Ok(())
    }

    fn header_value(&self, data: &Data, at: nodes::Located) -> Result<Option<Vec<u8>>, String> {
        let mut scalar = data.value[at.node as usize]
            .to_scalar()
            .ok_or_else(|| "a struct, map or array field cannot be a header".to_string())?;
        if matches!(scalar, Scalar::Null)
            && self.replace_null_with_default
            && let (Some(schema), Some(s)) = (&data.schema, at.schema)
            && let Some(default) = &schema.nodes[s as usize].default_value
        {
            scalar = default.clone();
        }
        Ok(match scalar {
            Scalar::Bytes(b) => Some(b),
            other => other.render().map(String::into_bytes),
        })
    }
}

sluice_sdk::export_transform!(HeaderFrom);
