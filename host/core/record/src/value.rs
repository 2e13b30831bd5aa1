//! Values: the data a key or a value holds, with or without a schema.

use compact_str::CompactString;

use crate::SchemaRef;

/// A value in Kafka Connect's model.
///
/// Schemaless data (for example JSON read with `schemas.enable=false`) uses `Map` with
/// string keys for objects and `Array` for lists; structured data uses `Struct`.
/// Logical types keep their physical representation (see [`crate::logical`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// The absence of a value: a null key, a tombstone's value, an unset optional field.
    Null,
    /// A `boolean`.
    Boolean(bool),
    /// An `int8`.
    Int8(i8),
    /// An `int16`.
    Int16(i16),
    /// An `int32`; also a `Date` (days since 1970-01-01) or a `Time` (milliseconds since midnight).
    Int32(i32),
    /// An `int64`; also a `Timestamp` (milliseconds since the Unix epoch).
    Int64(i64),
    /// A `float` (32-bit).
    Float32(f32),
    /// A `double` (64-bit).
    Float64(f64),
    /// A `string`. Held inline when it is at most 24 bytes long (most map keys and
    /// short values), so that parsing a schemaless object allocates for neither.
    String(CompactString),
    /// A `bytes`; also a `Decimal`'s unscaled integer (see [`crate::logical::decimal_from_bytes`]).
    Bytes(Vec<u8>),
    /// An `array`, or a schemaless list.
    Array(Vec<Value>),
    /// Entries in insertion order (JSON object order is kept, so columns created from
    /// schemaless data come out in the order the producer wrote them).
    Map(Vec<(Value, Value)>),
    /// A `struct`: values for the fields of a struct schema.
    Struct(Struct),
}

impl Value {
    /// Whether this is [`Value::Null`].
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// A short name of the variant, for error messages (never the value itself, which
    /// may be sensitive).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Boolean(_) => "boolean",
            Value::Int8(_) => "int8",
            Value::Int16(_) => "int16",
            Value::Int32(_) => "int32",
            Value::Int64(_) => "int64",
            Value::Float32(_) => "float32",
            Value::Float64(_) => "float64",
            Value::String(_) => "string",
            Value::Bytes(_) => "bytes",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Struct(_) => "struct",
        }
    }

    /// The string slice of a [`Value::String`]; `None` for any other variant.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Any integer variant widened to `i64`.
    pub fn as_i64(&self) -> Option<i64> {
        match *self {
            Value::Int8(v) => Some(v.into()),
            Value::Int16(v) => Some(v.into()),
            Value::Int32(v) => Some(v.into()),
            Value::Int64(v) => Some(v),
            _ => None,
        }
    }

    /// Looks up `key` in a schemaless map with string keys, or a field of a struct.
    pub fn get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Struct(s) => s.get(key),
            Value::Map(entries) => entries
                .iter()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// Mutable counterpart of [`Value::get`].
    pub fn get_mut(&mut self, key: &str) -> Option<&mut Value> {
        match self {
            Value::Struct(s) => s.get_mut(key),
            Value::Map(entries) => entries
                .iter_mut()
                .find(|(k, _)| k.as_str() == Some(key))
                .map(|(_, v)| v),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::String(s.into())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::String(s.into())
    }
}
impl From<i32> for Value {
    fn from(v: i32) -> Value {
        Value::Int32(v)
    }
}
impl From<i64> for Value {
    fn from(v: i64) -> Value {
        Value::Int64(v)
    }
}
impl From<f64> for Value {
    fn from(v: f64) -> Value {
        Value::Float64(v)
    }
}
impl From<bool> for Value {
    fn from(v: bool) -> Value {
        Value::Boolean(v)
    }
}

/// A struct value: one value per field of its schema, in field order.
#[derive(Debug, Clone, PartialEq)]
pub struct Struct {
    schema: SchemaRef,
    values: Vec<Value>,
}

impl Struct {
    /// A struct with every field null (or its default); fill it with [`Struct::put`].
    pub fn new(schema: SchemaRef) -> Struct {
        let values = schema
            .fields()
            .iter()
            .map(|f| f.schema.default.clone().unwrap_or(Value::Null))
            .collect();
        Struct { schema, values }
    }

    /// Builds a struct from values given in field order.
    ///
    /// Returns `None` when the number of values does not match the number of fields.
    pub fn from_values(schema: SchemaRef, values: Vec<Value>) -> Option<Struct> {
        (schema.fields().len() == values.len()).then_some(Struct { schema, values })
    }

    /// The struct's schema.
    pub fn schema(&self) -> &SchemaRef {
        &self.schema
    }

    /// The field values, in field order.
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The field values, in field order, for changing in place (the schema stays as it is).
    pub fn values_mut(&mut self) -> &mut [Value] {
        &mut self.values
    }

    /// Takes the struct apart: its schema and its values in field order.
    pub fn into_parts(self) -> (SchemaRef, Vec<Value>) {
        (self.schema, self.values)
    }

    /// The value of the field named `field`; `None` if the schema has no such field.
    pub fn get(&self, field: &str) -> Option<&Value> {
        let (i, _) = self.schema.field(field)?;
        self.values.get(i)
    }

    /// Mutable counterpart of [`Struct::get`].
    pub fn get_mut(&mut self, field: &str) -> Option<&mut Value> {
        let (i, _) = self.schema.field(field)?;
        self.values.get_mut(i)
    }

    /// Sets a field by name; returns `false` if the schema has no such field.
    pub fn put(&mut self, field: &str, value: impl Into<Value>) -> bool {
        match self.get_mut(field) {
            Some(slot) => {
                *slot = value.into();
                true
            }
            None => false,
        }
    }

    /// Builder-style [`Struct::put`].
    ///
    /// # Panics
    /// If the field does not exist: a programming error in the caller.
    pub fn with(mut self, field: &str, value: impl Into<Value>) -> Struct {
        assert!(self.put(field, value), "struct has no field {field:?}");
        self
    }

    /// Field names paired with their values, in schema order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.schema
            .fields()
            .iter()
            .map(|f| f.name.as_str())
            .zip(self.values.iter())
    }
}
