//! Column values of a Kinetica row: owned ([`Value`]) and borrowed ([`ValueRef`]).
//!
//! Special Kinetica types (dates, decimals, charN, …) travel as their Avro base
//! type, so a value is one of the six base types or null.

use serde_json::Value as Json;

use crate::types::{BaseType, Column};

/// An owned column value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Null, for a nullable column (union branch 1 of `[T,"null"]`).
    Null,
    /// An `int` column value (also `int8`, `int16`, `boolean`).
    Int(i32),
    /// A `long` column value (also `timestamp`, in milliseconds since the epoch).
    Long(i64),
    /// A `float` column value.
    Float(f32),
    /// A `double` column value.
    Double(f64),
    /// A `string` column value, including the text of `charN`, `date`, `datetime`,
    /// `decimal`, `ipv4`, `ulong`, `uuid` and similar columns.
    String(String),
    /// A `bytes` column value (e.g. WKB or packed `vector(N)` floats).
    Bytes(Vec<u8>),
}

/// A borrowed column value: what row encoding takes and row views hand out, so
/// neither side has to copy strings or byte arrays.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ValueRef<'a> {
    /// Null, for a nullable column (union branch 1 of `[T,"null"]`).
    Null,
    /// An `int` column value (also `int8`, `int16`, `boolean`).
    Int(i32),
    /// A `long` column value (also `timestamp`, in milliseconds since the epoch).
    Long(i64),
    /// A `float` column value.
    Float(f32),
    /// A `double` column value.
    Double(f64),
    /// A borrowed `string` column value (any text-typed Kinetica column).
    Str(&'a str),
    /// A borrowed `bytes` column value.
    Bytes(&'a [u8]),
}

impl Value {
    /// Borrows the value.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            Value::Null => ValueRef::Null,
            Value::Int(v) => ValueRef::Int(*v),
            Value::Long(v) => ValueRef::Long(*v),
            Value::Float(v) => ValueRef::Float(*v),
            Value::Double(v) => ValueRef::Double(*v),
            Value::String(v) => ValueRef::Str(v),
            Value::Bytes(v) => ValueRef::Bytes(v),
        }
    }

    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl ValueRef<'_> {
    /// Copies into an owned [`Value`].
    pub fn to_owned(self) -> Value {
        match self {
            ValueRef::Null => Value::Null,
            ValueRef::Int(v) => Value::Int(v),
            ValueRef::Long(v) => Value::Long(v),
            ValueRef::Float(v) => Value::Float(v),
            ValueRef::Double(v) => Value::Double(v),
            ValueRef::Str(v) => Value::String(v.to_owned()),
            ValueRef::Bytes(v) => Value::Bytes(v.to_vec()),
        }
    }

    /// The base type this value has, `None` for null.
    pub fn base_type(self) -> Option<BaseType> {
        Some(match self {
            ValueRef::Null => return None,
            ValueRef::Int(_) => BaseType::Int,
            ValueRef::Long(_) => BaseType::Long,
            ValueRef::Float(_) => BaseType::Float,
            ValueRef::Double(_) => BaseType::Double,
            ValueRef::Str(_) => BaseType::String,
            ValueRef::Bytes(_) => BaseType::Bytes,
        })
    }

    /// The value as JSON, the way Kinetica renders records in JSON encoding
    /// (`bytes` as a latin-1 style string, one char per byte, as the Python
    /// client does).
    pub fn to_json(self) -> Json {
        match self {
            ValueRef::Null => Json::Null,
            ValueRef::Int(v) => Json::from(v),
            ValueRef::Long(v) => Json::from(v),
            ValueRef::Float(v) => serde_json::Number::from_f64(f64::from(v))
                .map(Json::Number)
                .unwrap_or(Json::Null),
            ValueRef::Double(v) => serde_json::Number::from_f64(v)
                .map(Json::Number)
                .unwrap_or(Json::Null),
            ValueRef::Str(v) => Json::from(v),
            ValueRef::Bytes(v) => Json::from(v.iter().map(|&b| char::from(b)).collect::<String>()),
        }
    }
}

impl<'a> From<&'a Value> for ValueRef<'a> {
    fn from(v: &'a Value) -> Self {
        v.as_ref()
    }
}

impl From<i32> for Value {
    fn from(v: i32) -> Self {
        Value::Int(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Self {
        Value::Long(v)
    }
}
impl From<f32> for Value {
    fn from(v: f32) -> Self {
        Value::Float(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Self {
        Value::Double(v)
    }
}
impl From<&str> for Value {
    fn from(v: &str) -> Self {
        Value::String(v.to_owned())
    }
}
impl From<String> for Value {
    fn from(v: String) -> Self {
        Value::String(v)
    }
}
impl From<Vec<u8>> for Value {
    fn from(v: Vec<u8>) -> Self {
        Value::Bytes(v)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(v: Option<T>) -> Self {
        v.map_or(Value::Null, Into::into)
    }
}

/// Converts a JSON value to a column value (for `list_encoding=json` inserts).
/// Numbers are accepted for any numeric column when they fit; `bytes` take a
/// string of chars ≤ U+00FF.
pub fn value_from_json(col: &Column, j: &Json) -> Result<Value, String> {
    let bad = || format!("invalid value {j} for column '{}' ({})", col.name, col.base);
    if j.is_null() {
        return if col.nullable {
            Ok(Value::Null)
        } else {
            Err(format!("null value for non-nullable column '{}'", col.name))
        };
    }
    Ok(match col.base {
        BaseType::Int => Value::Int(
            j.as_i64()
                .or_else(|| j.as_bool().map(i64::from))
                .and_then(|v| i32::try_from(v).ok())
                .ok_or_else(bad)?,
        ),
        BaseType::Long => Value::Long(j.as_i64().ok_or_else(bad)?),
        BaseType::Float => Value::Float(j.as_f64().ok_or_else(bad)? as f32),
        BaseType::Double => Value::Double(j.as_f64().ok_or_else(bad)?),
        BaseType::String => Value::String(j.as_str().ok_or_else(bad)?.to_owned()),
        BaseType::Bytes => Value::Bytes(
            j.as_str()
                .ok_or_else(bad)?
                .chars()
                .map(|c| u8::try_from(u32::from(c)).map_err(|_| bad()))
                .collect::<Result<_, _>>()?,
        ),
    })
}
