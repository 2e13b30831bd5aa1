//! Columns for schemaless maps (JSON read with `schemas.enable=false`).
//!
//! The first record of a new table decides the columns, in its key order (the order the
//! producer wrote, not a hash order as in the Java connector, docs/reference/kinetica-connector-behaviour.md §8 item 15). Types come
//! from the values: whole numbers → `long`, other numbers → `double`, strings →
//! `string`, booleans → `int` with `boolean` (which the Java connector could not do);
//! narrower numbers and bytes from other converters keep their own Kinetica type. Every
//! column is `nullable`, since nothing promises a later record has the key.
//!
//! A key whose value is null in the first record takes its type from the first later
//! record of the same batch that has a value for it; if none does, it gets no column.
//! Keys that appear only in later records are not columns: the sink ignores them and
//! logs that once per table (see `KineticaSink`). Nested objects and arrays are errors
//! that name the key and point at a flattener.

use sluice_record::Value;

use sluice_kinetica::types::prop;
use sluice_kinetica::{BaseType, Column};

use crate::type_map::MappingError;

/// The columns for a table whose first record is `first` (a map), looking into `later`
/// values only to type keys that are null in `first`.
pub fn columns_for_map<'a>(
    first: &[(Value, Value)],
    later: impl Iterator<Item = &'a Value> + Clone,
) -> Result<Vec<Column>, MappingError> {
    let mut columns: Vec<Column> = Vec::with_capacity(first.len());
    for (position, (key, value)) in first.iter().enumerate() {
        let name = key.as_str().ok_or(MappingError::NonStringKey {
            position: position + 1,
            found: key.type_name(),
        })?;
        if columns.iter().any(|c| c.name == name) {
            continue; // A repeated key: the first occurrence is the column.
        }
        let typed = if value.is_null() {
            later
                .clone()
                .filter_map(|v| v.get(name))
                .find(|v| !v.is_null())
        } else {
            Some(value)
        };
        if let Some(value) = typed {
            columns.push(column_for_value(name, value)?.nullable());
        }
    }
    if columns.is_empty() {
        return Err(MappingError::NoFields);
    }
    Ok(columns)
}

pub(crate) fn column_for_value(name: &str, value: &Value) -> Result<Column, MappingError> {
    let nested = |kind| MappingError::Nested {
        field: name.to_owned(),
        kind,
    };
    Ok(match value {
        Value::Int64(_) => Column::new(name, BaseType::Long),
        Value::Float64(_) => Column::new(name, BaseType::Double),
        Value::String(_) => Column::new(name, BaseType::String),
        Value::Boolean(_) => Column::new(name, BaseType::Int).with_property(prop::BOOLEAN),
        Value::Int32(_) => Column::new(name, BaseType::Int),
        Value::Int16(_) => Column::new(name, BaseType::Int).with_property(prop::INT16),
        Value::Int8(_) => Column::new(name, BaseType::Int).with_property(prop::INT8),
        Value::Float32(_) => Column::new(name, BaseType::Float),
        Value::Bytes(_) => Column::new(name, BaseType::Bytes),
        Value::Map(_) | Value::Struct(_) => return Err(nested("an object")),
        Value::Array(items) => match crate::array::property_for_values(items) {
            Some(property) => Column::new(name, BaseType::String).with_property(property),
            None => return Err(nested("an array")),
        },
        Value::Null => unreachable!("null values are typed from later records"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(k, v)| (Value::from(*k), v.clone()))
                .collect(),
        )
    }

    fn entries(v: &Value) -> &[(Value, Value)] {
        match v {
            Value::Map(e) => e,
            _ => unreachable!(),
        }
    }

    fn described(columns: &[Column]) -> Vec<String> {
        columns
            .iter()
            .map(|c| format!("{} {} {}", c.name, c.base, c.wire_properties().join(",")))
            .collect()
    }

    #[test]
    fn json_values_type_the_columns_in_key_order() {
        let first = map(&[
            ("zeta", Value::Int64(1)),
            ("alpha", Value::Float64(1.5)),
            ("name", "x".into()),
            ("ok", Value::Boolean(true)),
            ("small", Value::Int32(1)),
            ("tiny", Value::Int8(1)),
            ("short", Value::Int16(1)),
            ("f", Value::Float32(1.0)),
            ("raw", Value::Bytes(vec![1])),
        ]);
        let cols = columns_for_map(entries(&first), [].iter()).unwrap();
        assert_eq!(
            described(&cols),
            [
                "zeta long nullable",
                "alpha double nullable",
                "name string nullable",
                "ok int boolean,nullable",
                "small int nullable",
                "tiny int int8,nullable",
                "short int int16,nullable",
                "f float nullable",
                "raw bytes nullable",
            ]
        );
    }

    #[test]
    fn nulls_take_their_type_from_later_records_or_are_left_out() {
        let first = map(&[
            ("id", Value::Int64(1)),
            ("later", Value::Null),
            ("never", Value::Null),
        ]);
        let rest = [
            map(&[("id", Value::Int64(2)), ("later", Value::Null)]),
            Value::Null, // a tombstone in the batch is skipped over
            map(&[("later", "text".into()), ("extra", Value::Int64(3))]),
        ];
        let cols = columns_for_map(entries(&first), rest.iter()).unwrap();
        assert_eq!(
            described(&cols),
            ["id long nullable", "later string nullable"]
        );
    }

    #[test]
    fn nested_values_and_odd_keys_are_errors() {
        let first = map(&[("id", Value::Int64(1)), ("address", map(&[]))]);
        let err = columns_for_map(entries(&first), [].iter()).unwrap_err();
        assert_eq!(
            err,
            MappingError::Nested {
                field: "address".into(),
                kind: "an object"
            }
        );
        let first = map(&[("tags", Value::Array(vec![]))]);
        assert!(matches!(
            columns_for_map(entries(&first), [].iter()),
            Err(MappingError::Nested {
                kind: "an array",
                ..
            })
        ));
        let first = Value::Map(vec![(Value::Int32(1), Value::Int64(1))]);
        assert_eq!(
            columns_for_map(entries(&first), [].iter()),
            Err(MappingError::NonStringKey {
                position: 1,
                found: "int32"
            })
        );
        let first = map(&[("a", Value::Null)]);
        assert_eq!(
            columns_for_map(entries(&first), [].iter()),
            Err(MappingError::NoFields)
        );
    }

    #[test]
    fn repeated_keys_keep_the_first() {
        let first = map(&[("a", Value::Int64(1)), ("a", "x".into())]);
        let cols = columns_for_map(entries(&first), [].iter()).unwrap();
        assert_eq!(described(&cols), ["a long nullable"]);
    }
}
