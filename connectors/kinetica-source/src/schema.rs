//! A Kinetica table's type as a Kafka Connect schema, and its rows as values. Unlike the
//! Java connector, which made every field required (its first NULL killed the monitor
//! thread) and dropped column properties, nullable columns are optional fields and the
//! properties Connect has a type for are kept: `int8`, `int16`, `boolean` and
//! `timestamp` become INT8, INT16, BOOLEAN and Connect's Timestamp; the rest
//! (`charN`, `date`, `decimal`, …) keep their base type and are listed in the field's
//! `kinetica.properties` parameter.

use std::sync::Arc;

use sluice_kinetica::{BaseType, Column, KineticaType, Value as KValue};
use sluice_record::logical::timestamp_schema;
use sluice_record::{Data, Schema, SchemaBuilder, Struct, Value};

/// How a column maps to a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Int8,
    Int16,
    Boolean,
    Int32,
    Int64,
    Timestamp,
    Float32,
    Float64,
    String,
    Bytes,
}

fn kind(column: &Column) -> Kind {
    match column.base {
        BaseType::Int if column.has_property("int8") => Kind::Int8,
        BaseType::Int if column.has_property("int16") => Kind::Int16,
        BaseType::Int if column.has_property("boolean") => Kind::Boolean,
        BaseType::Int => Kind::Int32,
        BaseType::Long if column.has_property("timestamp") => Kind::Timestamp,
        BaseType::Long => Kind::Int64,
        BaseType::Float => Kind::Float32,
        BaseType::Double => Kind::Float64,
        BaseType::String => Kind::String,
        BaseType::Bytes => Kind::Bytes,
    }
}

/// A table's value schema: a struct named after the table (as configured), with its
/// schema version, one field per column in column order; and its key schema, when the
/// table has a primary key: a struct `<table>.Key` of the key's columns, in column order.
pub struct TableSchema {
    pub schema: Arc<Schema>,
    kinds: Vec<Kind>,
    key: Option<(Arc<Schema>, Vec<usize>)>,
}

impl TableSchema {
    pub fn new(table: &str, version: i32, ty: &KineticaType) -> TableSchema {
        let mut builder = SchemaBuilder::structure().name(table).version(version);
        let mut key_builder = SchemaBuilder::structure()
            .name(format!("{table}.Key"))
            .version(version);
        let key_columns = ty.primary_key_columns();
        let mut kinds = Vec::new();
        for (i, column) in ty.columns().iter().enumerate() {
            let k = kind(column);
            let mut field = match k {
                Kind::Int8 => SchemaBuilder::int8(),
                Kind::Int16 => SchemaBuilder::int16(),
                Kind::Boolean => SchemaBuilder::boolean(),
                Kind::Int32 => SchemaBuilder::int32(),
                Kind::Int64 => SchemaBuilder::int64(),
                Kind::Timestamp => timestamp_schema(),
                Kind::Float32 => SchemaBuilder::float32(),
                Kind::Float64 => SchemaBuilder::float64(),
                Kind::String => SchemaBuilder::string(),
                Kind::Bytes => SchemaBuilder::bytes(),
            };
            let kept: Vec<&str> = column
                .properties
                .iter()
                .map(String::as_str)
                .filter(|p| !matches!(*p, "nullable" | "int8" | "int16" | "boolean" | "timestamp"))
                .collect();
            if !kept.is_empty() {
                field = field.parameter("kinetica.properties", kept.join(","));
            }
            if column.nullable {
                field = field.optional();
            }
            let field = field.build_ref();
            if key_columns.contains(&i) {
                key_builder = key_builder.field(column.name.clone(), field.clone());
            }
            builder = builder.field(column.name.clone(), field);
            kinds.push(k);
        }
        TableSchema {
            schema: builder.build_ref(),
            kinds,
            key: (!key_columns.is_empty()).then(|| (key_builder.build_ref(), key_columns)),
        }
    }

    /// A decoded row as the record's key (its primary key's columns; null when the
    /// table has none) and value (every column).
    pub fn key_and_value(&self, row: Vec<KValue>) -> Result<(Data, Data), String> {
        let values = row
            .into_iter()
            .zip(&self.kinds)
            .map(|(v, k)| convert(v, *k))
            .collect::<Result<Vec<_>, _>>()?;
        let columns = values.len();
        let key = match &self.key {
            Some((schema, indices)) => {
                let parts = indices
                    .iter()
                    .filter_map(|&i| values.get(i).cloned())
                    .collect();
                let key = Struct::from_values(schema.clone(), parts)
                    .ok_or_else(|| format!("a row of {columns} columns misses key columns"))?;
                Data::with_schema(schema.clone(), Value::Struct(key))
            }
            None => Data::NULL,
        };
        let value = Struct::from_values(self.schema.clone(), values).ok_or_else(|| {
            format!(
                "a row of {columns} columns for a type of {}",
                self.kinds.len()
            )
        })?;
        Ok((
            key,
            Data::with_schema(self.schema.clone(), Value::Struct(value)),
        ))
    }
}

fn convert(v: KValue, kind: Kind) -> Result<Value, String> {
    Ok(match (v, kind) {
        (KValue::Null, _) => Value::Null,
        (KValue::Int(i), Kind::Int8) => Value::Int8(i as i8),
        (KValue::Int(i), Kind::Int16) => Value::Int16(i as i16),
        (KValue::Int(i), Kind::Boolean) => Value::Boolean(i != 0),
        (KValue::Int(i), Kind::Int32) => Value::Int32(i),
        (KValue::Long(l), Kind::Int64 | Kind::Timestamp) => Value::Int64(l),
        (KValue::Float(f), Kind::Float32) => Value::Float32(f),
        (KValue::Double(d), Kind::Float64) => Value::Float64(d),
        (KValue::String(s), Kind::String) => Value::String(s.into()),
        (KValue::Bytes(b), Kind::Bytes) => Value::Bytes(b),
        (other, kind) => return Err(format!("a {other:?} in a column of kind {kind:?}")),
    })
}

/// The value schema of update and delete events.
pub fn event_schema() -> Arc<Schema> {
    SchemaBuilder::structure()
        .name("sluice.kinetica.TableEvent")
        .version(1)
        .field("table", SchemaBuilder::string().build_ref())
        .field("operation", SchemaBuilder::string().build_ref())
        .field("count", SchemaBuilder::int64().build_ref())
        .field("time", timestamp_schema().build_ref())
        .build_ref()
}

/// One event: `count` rows of `table` were updated or deleted (`operation`) at `time`.
pub fn event(schema: &Arc<Schema>, table: &str, operation: &str, count: i64, time: i64) -> Value {
    let values = vec![
        Value::String(table.into()),
        Value::String(operation.into()),
        Value::Int64(count),
        Value::Int64(time),
    ];
    Value::Struct(Struct::from_values(schema.clone(), values).expect("four fields"))
}
