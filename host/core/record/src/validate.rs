//! Checking values against their schema, with errors that name the field path.

use std::fmt;

use crate::{Schema, SchemaKind, Value};

/// A value that does not match its schema. `path` is the dotted field path
/// (`order.lines[2].price`), empty for the top-level value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// Where the mismatch is: the dotted field path, empty for the top-level value.
    pub path: String,
    /// What is wrong, in words; never the value itself, which may be sensitive.
    pub problem: String,
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "value: {}", self.problem)
        } else {
            write!(f, "field {}: {}", self.path, self.problem)
        }
    }
}

impl Schema {
    /// Checks that `value` conforms to this schema.
    pub fn validate(&self, value: &Value) -> Result<(), ValidationError> {
        validate_at(self, value, &mut String::new())
    }
}

fn fail(path: &str, problem: String) -> Result<(), ValidationError> {
    Err(ValidationError {
        path: path.to_owned(),
        problem,
    })
}

fn validate_at(schema: &Schema, value: &Value, path: &mut String) -> Result<(), ValidationError> {
    let matches = match (&schema.kind, value) {
        (_, Value::Null) => {
            if schema.optional || schema.default.is_some() {
                return Ok(());
            }
            return fail(path, "null for a required (non-optional) field".into());
        }
        (SchemaKind::Int8, Value::Int8(_))
        | (SchemaKind::Int16, Value::Int16(_))
        | (SchemaKind::Int32, Value::Int32(_))
        | (SchemaKind::Int64, Value::Int64(_))
        | (SchemaKind::Float32, Value::Float32(_))
        | (SchemaKind::Float64, Value::Float64(_))
        | (SchemaKind::Boolean, Value::Boolean(_))
        | (SchemaKind::String, Value::String(_))
        | (SchemaKind::Bytes, Value::Bytes(_)) => true,
        (SchemaKind::Array(items), Value::Array(values)) => {
            for (i, v) in values.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                validate_at(items, v, path)?;
                path.truncate(len);
            }
            true
        }
        (SchemaKind::Map { key, value: vs }, Value::Map(entries)) => {
            for (i, (k, v)) in entries.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("{{key {i}}}"));
                validate_at(key, k, path)?;
                path.truncate(len);
                path.push_str(&format!("{{value {i}}}"));
                validate_at(vs, v, path)?;
                path.truncate(len);
            }
            true
        }
        (SchemaKind::Struct(fields), Value::Struct(s)) => {
            if s.schema().fields().len() != fields.len() {
                return fail(
                    path,
                    format!(
                        "struct has {} fields, schema has {}",
                        s.schema().fields().len(),
                        fields.len()
                    ),
                );
            }
            for (field, v) in fields.iter().zip(s.values()) {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(&field.name);
                validate_at(&field.schema, v, path)?;
                path.truncate(len);
            }
            true
        }
        _ => false,
    };
    if matches {
        Ok(())
    } else {
        fail(
            path,
            format!(
                "expected {} but found {}",
                schema.schema_type(),
                value.type_name()
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use crate::{SchemaBuilder, Struct, Value};

    #[test]
    fn nested_errors_name_the_field_path() {
        let line = SchemaBuilder::structure()
            .field("price", SchemaBuilder::float64().build_ref())
            .build_ref();
        let order = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int64().build_ref())
            .field("lines", SchemaBuilder::array(line.clone()).build_ref())
            .build_ref();
        let good_line = Struct::new(line.clone()).with("price", 1.5);
        let bad_line = Struct::new(line.clone()).with("price", "free");
        let value = Value::Struct(Struct::new(order.clone()).with("id", 7i64).with(
            "lines",
            Value::Array(vec![Value::Struct(good_line), Value::Struct(bad_line)]),
        ));
        let err = order.validate(&value).unwrap_err();
        assert_eq!(err.path, "lines[1].price");
        assert_eq!(
            err.to_string(),
            "field lines[1].price: expected double but found string"
        );
    }

    #[test]
    fn null_is_accepted_only_for_optional_or_defaulted() {
        let required = SchemaBuilder::int32().build();
        let optional = SchemaBuilder::int32().optional().build();
        let defaulted = SchemaBuilder::int32()
            .default_value(Value::Int32(3))
            .build();
        assert!(required.validate(&Value::Null).is_err());
        assert!(optional.validate(&Value::Null).is_ok());
        assert!(defaulted.validate(&Value::Null).is_ok());
    }

    #[test]
    fn primitive_mismatch_is_reported() {
        let s = SchemaBuilder::int16().build();
        assert!(s.validate(&Value::Int16(1)).is_ok());
        let err = s.validate(&Value::Int32(1)).unwrap_err();
        assert_eq!(err.path, "");
        assert!(err.problem.contains("expected int16"));
    }
}
