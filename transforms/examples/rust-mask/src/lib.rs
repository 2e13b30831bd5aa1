//! MaskField in Rust, as Kafka Connect's `org.apache.kafka.connect.transforms.MaskField`:
//! replaces the listed fields with the empty value of their type ("" for strings, 0,
//! false, no bytes). Null fields stay null.
//!
//! It is written on wit-bindgen's bindings of `wit/plugin.wit` alone, as any Rust
//! author can start; the repository's own transforms use `sluice-sdk`, a layer over the
//! same bindings (`transforms/sdk`). It never reads the old values: per field, one
//! `column-types` call gets the type of the field in every record of the batch and one
//! `set-column` call writes the masked column back.

use std::cell::RefCell;

wit_bindgen::generate!({
    path: "../../../wit",
    world: "transform",
});

use exports::sluice::plugin::configurable::Guest as Configurable;
use exports::sluice::plugin::transform_records::Guest as TransformRecords;
use sluice::plugin::types::{Batch, Error, Part, Property, PropertyType, Scalar, SchemaType};

struct Mask;

/// What `configure` decided; the host calls it once, before any `apply`.
struct Config {
    fields: Vec<String>,
    part: Part,
}

thread_local! {
    static CONFIG: RefCell<Config> = const { RefCell::new(Config { fields: Vec::new(), part: Part::Value }) };
}

impl Configurable for Mask {
    fn describe() -> Vec<Property> {
        vec![
            Property {
                name: "fields".into(),
                type_: PropertyType::List,
                default_value: None,
                doc: "Names of the fields to mask (dotted paths reach nested fields).".into(),
            },
            Property {
                name: "part".into(),
                type_: PropertyType::String,
                default_value: Some("value".into()),
                doc: "Which side of the record to mask: `key` or `value`.".into(),
            },
        ]
    }

    fn configure(properties: Vec<(String, String)>) -> Result<(), Error> {
        let mut config = Config {
            fields: Vec::new(),
            part: Part::Value,
        };
        for (name, value) in properties {
            match name.as_str() {
                "fields" => {
                    config.fields = value
                        .split(',')
                        .map(str::trim)
                        .filter(|f| !f.is_empty())
                        .map(String::from)
                        .collect()
                }
                "part" => {
                    config.part = match value.as_str() {
                        "key" => Part::Key,
                        "value" => Part::Value,
                        _ => return Err(invalid("`part` must be `key` or `value`")),
                    }
                }
                other => {
                    return Err(invalid(&format!(
                        "unknown property `{other}`; known: fields, part"
                    )));
                }
            }
        }
        if config.fields.is_empty() {
            return Err(invalid("`fields` must name at least one field"));
        }
        CONFIG.set(config);
        Ok(())
    }
}

fn invalid(message: &str) -> Error {
    Error::InvalidConfig(message.into())
}

impl TransformRecords for Mask {
    fn apply(records: &Batch) -> Result<(), Error> {
        CONFIG.with_borrow(|config| {
            for field in &config.fields {
                let fatal = |e| Error::Fatal(format!("field `{field}`: {e:?}"));
                let kinds = records.column_types(config.part, field).map_err(fatal)?;
                let masked = kinds
                    .into_iter()
                    .map(|kind| empty_of(kind, field))
                    .collect::<Result<Vec<_>, _>>()?;
                records
                    .set_column(config.part, field, &masked)
                    .map_err(fatal)?;
            }
            Ok(())
        })
    }
}

/// The value a field of `kind` is masked with; a null (or absent) field stays null.
fn empty_of(kind: Option<SchemaType>, field: &str) -> Result<Scalar, Error> {
    Ok(match kind {
        None => Scalar::Null,
        Some(SchemaType::String) => Scalar::String(String::new()),
        Some(SchemaType::Boolean) => Scalar::Boolean(false),
        Some(SchemaType::Int8) => Scalar::Int8(0),
        Some(SchemaType::Int16) => Scalar::Int16(0),
        Some(SchemaType::Int32) => Scalar::Int32(0),
        Some(SchemaType::Int64) => Scalar::Int64(0),
        Some(SchemaType::Float32) => Scalar::Float32(0.0),
        Some(SchemaType::Float64) => Scalar::Float64(0.0),
        Some(SchemaType::Bytes) => Scalar::Bytes(Vec::new()),
        Some(other) => {
            return Err(Error::Fatal(format!(
                "field `{field}` is a {other:?}, which cannot be masked"
            )));
        }
    })
}

export!(Mask);
