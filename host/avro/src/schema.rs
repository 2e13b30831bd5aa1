//! Avro schemas ⇄ Kafka Connect schemas, as Confluent's `AvroData` maps them, so that a
//! topic written by Confluent's converter reads the same in Sluice and back.
//!
//! | Avro | Kafka Connect |
//! |---|---|
//! | `boolean`, `int`, `long`, `float`, `double`, `bytes`, `string` | the same; `int` with `connect.type` `int8`/`int16` is INT8/INT16 |
//! | `record` | STRUCT named by `connect.name`, else the record's full name |
//! | `["null", T]` (either order) | T, optional |
//! | other unions | STRUCT `io.confluent.connect.avro.Union`, one optional field per branch, named after the branch's type (a named type by its simple name) |
//! | `enum` | STRING named after the enum, with parameters `io.confluent.connect.avro.Enum` and `io.confluent.connect.avro.Enum.<symbol>` |
//! | `fixed` | BYTES named after the type, parameter `connect.fixed.size` |
//! | `array` | ARRAY; an array of `io.confluent.connect.avro.MapEntry` records is a MAP with non-string keys |
//! | `map` | MAP with STRING keys |
//! | `decimal` | Decimal (`scale`, and `connect.decimal.precision`) |
//! | `date`, `time-millis`, `timestamp-millis` | Date, Time, Timestamp |
//! | `time-micros`, `timestamp-micros` | Time, Timestamp: Kafka Connect's are milliseconds, so the microseconds are truncated (towards negative infinity); Confluent's converter reads them as plain INT64 instead, losing the type |
//! | other logical types | their underlying type |
//!
//! `connect.version`, `connect.doc` and `connect.parameters` become the schema's version,
//! doc and parameters. Field defaults of primitive types become the field schema's
//! default.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value as Json, json};
use sluice_record::logical::{self, LogicalType};
use sluice_record::{Schema, SchemaBuilder, SchemaKind, SchemaRef, Value};

use crate::types::{AvroType, Field, Record, Temporal};

/// Confluent's name for the struct of a general union.
pub const UNION: &str = "io.confluent.connect.avro.Union";
/// Confluent's parameter naming an enum (and, with `.<symbol>`, its symbols).
pub const ENUM: &str = "io.confluent.connect.avro.Enum";
/// Confluent's record name for the entries of a map with non-string keys.
pub const MAP_ENTRY: &str = "io.confluent.connect.avro.MapEntry";
/// Confluent's parameter with a fixed type's size.
pub const FIXED_SIZE: &str = "connect.fixed.size";
/// Confluent's parameter with a decimal's precision.
pub const DECIMAL_PRECISION: &str = "connect.decimal.precision";
/// The record name Confluent gives a struct without a name.
const DEFAULT_NAME: &str = "io.confluent.connect.avro.ConnectDefault";

/// How a value of an Avro type is read into Sluice's record model: the decoding plan,
/// built once per writer schema.
#[derive(Debug, Clone)]
pub enum Decode {
    /// `null`.
    Null,
    /// `boolean`.
    Boolean,
    /// `int` read as INT8, INT16 or INT32 (Date and Time included).
    Int(IntWidth),
    /// `long` (Timestamp included).
    Long,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `bytes` (a bytes decimal included).
    Bytes,
    /// `string`.
    String,
    /// `fixed` of this size (a fixed decimal included).
    Fixed(usize),
    /// An enum's symbols.
    Enum(Arc<[String]>),
    /// An array.
    Array(Box<Decode>),
    /// A map with string keys.
    Map(Box<Decode>),
    /// An array of `MapEntry` records read as a map.
    MapEntries(Box<Decode>, Box<Decode>),
    /// A record, with the Connect schema of the struct it becomes.
    Record(SchemaRef, Vec<Decode>),
    /// `["null", T]`: which branch is null, and T.
    Nullable(usize, Box<Decode>),
    /// A general union, read as Confluent's union struct; `None` for the null branch.
    Union(SchemaRef, Vec<Option<Decode>>),
    /// `time-micros`: read as milliseconds.
    TimeMicros,
    /// `timestamp-micros`: read as milliseconds.
    TimestampMicros,
}

/// The width of an Avro `int` in Kafka Connect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntWidth {
    /// INT8 (`connect.type: int8`).
    I8,
    /// INT16 (`connect.type: int16`).
    I16,
    /// INT32.
    I32,
}

/// Why an Avro schema has no Kafka Connect schema.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct MappingError(pub String);

/// The Kafka Connect schema of an Avro type and the plan to decode its values.
pub fn to_connect(ty: &AvroType) -> Result<(SchemaRef, Decode), MappingError> {
    let (builder, decode) = connect_builder(ty)?;
    Ok(finish(builder, decode))
}

/// Builds the schema, and gives a struct's plan the schema its values carry (the
/// optional one, for an optional struct).
fn finish(builder: SchemaBuilder, decode: Decode) -> (SchemaRef, Decode) {
    let schema = builder.build().into_ref();
    let decode = carrying(decode, &schema);
    (schema, decode)
}

/// The plan with `schema` as the one its struct values carry.
pub(crate) fn carrying(decode: Decode, schema: &SchemaRef) -> Decode {
    match decode {
        Decode::Record(_, fields) => Decode::Record(schema.clone(), fields),
        Decode::Union(_, branches) => Decode::Union(schema.clone(), branches),
        Decode::Nullable(null, inner) => Decode::Nullable(null, Box::new(carrying(*inner, schema))),
        other => other,
    }
}

/// Stands in for a struct's schema until [`finish`] builds it.
fn pending() -> SchemaRef {
    Schema::new(SchemaKind::Struct(Vec::new())).into_ref()
}

fn connect_builder(ty: &AvroType) -> Result<(SchemaBuilder, Decode), MappingError> {
    Ok(match ty {
        AvroType::Null => {
            return Err(MappingError(
                "a null type outside a union has no Kafka Connect schema".into(),
            ));
        }
        AvroType::Boolean => (SchemaBuilder::boolean(), Decode::Boolean),
        AvroType::Int { connect_type } => match connect_type.as_deref() {
            Some("int8") => (SchemaBuilder::int8(), Decode::Int(IntWidth::I8)),
            Some("int16") => (SchemaBuilder::int16(), Decode::Int(IntWidth::I16)),
            _ => (SchemaBuilder::int32(), Decode::Int(IntWidth::I32)),
        },
        AvroType::Long => (SchemaBuilder::int64(), Decode::Long),
        AvroType::Float => (SchemaBuilder::float32(), Decode::Float),
        AvroType::Double => (SchemaBuilder::float64(), Decode::Double),
        AvroType::Bytes => (SchemaBuilder::bytes(), Decode::Bytes),
        AvroType::String => (SchemaBuilder::string(), Decode::String),
        AvroType::Enum(e) => {
            let mut b = SchemaBuilder::string()
                .name(e.named.full_name.clone())
                .parameter(ENUM, e.named.full_name.clone());
            for s in &e.symbols {
                b = b.parameter(format!("{ENUM}.{s}"), s.clone());
            }
            (
                with_doc(b, e.named.doc.as_deref()),
                Decode::Enum(e.symbols.clone().into()),
            )
        }
        AvroType::Fixed(f) => (
            SchemaBuilder::bytes()
                .name(f.named.full_name.clone())
                .parameter(FIXED_SIZE, f.size.to_string()),
            Decode::Fixed(f.size),
        ),
        AvroType::Decimal {
            precision,
            scale,
            fixed,
        } => (
            logical::decimal_schema(*scale as i32)
                .parameter(DECIMAL_PRECISION, precision.to_string()),
            fixed
                .as_ref()
                .map_or(Decode::Bytes, |f| Decode::Fixed(f.size)),
        ),
        AvroType::Temporal(t) => match t {
            Temporal::Date => (logical::date_schema(), Decode::Int(IntWidth::I32)),
            Temporal::TimeMillis => (logical::time_schema(), Decode::Int(IntWidth::I32)),
            Temporal::TimeMicros => (logical::time_schema(), Decode::TimeMicros),
            Temporal::TimestampMillis => (logical::timestamp_schema(), Decode::Long),
            Temporal::TimestampMicros => (logical::timestamp_schema(), Decode::TimestampMicros),
        },
        AvroType::Array(items) => match map_entry(items) {
            Some((key, value)) => {
                let (ks, kd) = to_connect(key)?;
                let (vs, vd) = to_connect(value)?;
                (
                    SchemaBuilder::map(ks, vs),
                    Decode::MapEntries(Box::new(kd), Box::new(vd)),
                )
            }
            None => {
                let (s, d) = to_connect(items)?;
                (SchemaBuilder::array(s), Decode::Array(Box::new(d)))
            }
        },
        AvroType::Map(values) => {
            let (s, d) = to_connect(values)?;
            (
                SchemaBuilder::map(SchemaBuilder::string().build().into_ref(), s),
                Decode::Map(Box::new(d)),
            )
        }
        AvroType::Record(r) => record(r)?,
        AvroType::Union(branches) => {
            if let Some((index, other)) = ty.nullable_branch() {
                let (b, d) = connect_builder(other)?;
                let null_index = 1 - index;
                return Ok((b.optional(), Decode::Nullable(null_index, Box::new(d))));
            }
            let mut b = SchemaBuilder::structure().name(UNION);
            let mut plans = Vec::with_capacity(branches.len());
            for branch in branches {
                if *branch == AvroType::Null {
                    b = b.optional();
                    plans.push(None);
                    continue;
                }
                let (s, d) = connect_builder(branch)?;
                let (schema, d) = finish(s.optional(), d);
                b = b.field(branch.branch_name(), schema);
                plans.push(Some(d));
            }
            return Ok((b, Decode::Union(pending(), plans)));
        }
    })
}

fn record(r: &Record) -> Result<(SchemaBuilder, Decode), MappingError> {
    let attrs = &r.named.attributes;
    let name = attrs
        .get("connect.name")
        .and_then(Json::as_str)
        .unwrap_or(&r.named.full_name);
    let mut b = SchemaBuilder::structure().name(name);
    let doc = attrs
        .get("connect.doc")
        .and_then(Json::as_str)
        .or(r.named.doc.as_deref());
    b = with_doc(b, doc);
    if let Some(v) = attrs.get("connect.version").and_then(Json::as_i64) {
        b = b.version(v as i32);
    }
    if let Some(Json::Object(params)) = attrs.get("connect.parameters") {
        for (k, v) in params {
            if let Some(v) = v.as_str() {
                b = b.parameter(k.clone(), v.to_owned());
            }
        }
    }
    let mut plans = Vec::with_capacity(r.fields.len());
    for f in &r.fields {
        let (fb, plan) = field_builder(f)?;
        let (schema, plan) = finish(fb, plan);
        b = b.field(f.name.clone(), schema);
        plans.push(plan);
    }
    Ok((b, Decode::Record(pending(), plans)))
}

fn field_builder(f: &Field) -> Result<(SchemaBuilder, Decode), MappingError> {
    let (mut b, plan) =
        connect_builder(&f.ty).map_err(|e| MappingError(format!("field {}: {}", f.name, e.0)))?;
    b = with_doc(b, f.doc.as_deref());
    // A union's default is of its first branch; only primitive defaults are carried
    // (the record model's defaults are leaves, as the WIT's are).
    let default_ty = match &f.ty {
        AvroType::Union(branches) => branches.first(),
        ty => Some(ty),
    };
    if let (Some(json), Some(ty)) = (&f.default, default_ty)
        && let Some(value) = primitive_default(ty, json)
    {
        b = b.default_value(value);
    }
    Ok((b, plan))
}

/// A primitive default from its JSON, `None` when it is null or not primitive.
fn primitive_default(ty: &AvroType, json: &Json) -> Option<Value> {
    Some(match (ty, json) {
        (AvroType::Boolean, Json::Bool(b)) => Value::Boolean(*b),
        (AvroType::Int { connect_type }, Json::Number(n)) => {
            let n = n.as_i64()?;
            match connect_type.as_deref() {
                Some("int8") => Value::Int8(n.try_into().ok()?),
                Some("int16") => Value::Int16(n.try_into().ok()?),
                _ => Value::Int32(n.try_into().ok()?),
            }
        }
        (AvroType::Temporal(Temporal::Date | Temporal::TimeMillis), Json::Number(n)) => {
            Value::Int32(n.as_i64()?.try_into().ok()?)
        }
        (AvroType::Long | AvroType::Temporal(Temporal::TimestampMillis), Json::Number(n)) => {
            Value::Int64(n.as_i64()?)
        }
        (AvroType::Float, Json::Number(n)) => Value::Float32(n.as_f64()? as f32),
        (AvroType::Double, Json::Number(n)) => Value::Float64(n.as_f64()?),
        (AvroType::String | AvroType::Enum(_), Json::String(s)) => Value::String(s.as_str().into()),
        // Avro writes byte defaults as a string of code points 0–255.
        (AvroType::Bytes | AvroType::Fixed(_), Json::String(s)) => {
            Value::Bytes(s.chars().map(|c| c as u32 as u8).collect())
        }
        _ => return None,
    })
}

fn with_doc(b: SchemaBuilder, doc: Option<&str>) -> SchemaBuilder {
    match doc {
        Some(d) => b.doc(d),
        None => b,
    }
}

/// The key and value types when `items` is Confluent's map entry record.
fn map_entry(items: &AvroType) -> Option<(&AvroType, &AvroType)> {
    let AvroType::Record(r) = items else {
        return None;
    };
    match (r.named.full_name.as_str(), r.fields.as_slice()) {
        (MAP_ENTRY, [k, v]) if k.name == "key" && v.name == "value" => Some((&k.ty, &v.ty)),
        _ => None,
    }
}

/// The Avro schema (as JSON) Confluent's converter writes for a Kafka Connect schema:
/// what `auto.register.schemas` registers.
pub fn from_connect(schema: &Schema) -> Json {
    let mut unnamed = 0;
    avro_json(schema, &mut unnamed, true)
}

fn avro_json(schema: &Schema, unnamed: &mut u32, top: bool) -> Json {
    let plain = avro_plain(schema, unnamed);
    if schema.optional && !top {
        return json!(["null", plain]);
    }
    if schema.optional {
        return json!(["null", plain]);
    }
    plain
}

/// The schema without its optionality.
fn avro_plain(schema: &Schema, unnamed: &mut u32) -> Json {
    let mut props = Map::new();
    let ty = match schema.logical() {
        Some(LogicalType::Decimal { scale }) => {
            let precision: u32 = schema
                .parameters
                .get(DECIMAL_PRECISION)
                .and_then(|s| s.parse().ok())
                .unwrap_or(64);
            props.insert("scale".into(), json!(scale));
            props.insert("precision".into(), json!(precision));
            props.insert("logicalType".into(), json!("decimal"));
            "bytes"
        }
        Some(LogicalType::Date) => {
            props.insert("logicalType".into(), json!("date"));
            "int"
        }
        Some(LogicalType::Time) => {
            props.insert("logicalType".into(), json!("time-millis"));
            "int"
        }
        Some(LogicalType::Timestamp) => {
            props.insert("logicalType".into(), json!("timestamp-millis"));
            "long"
        }
        None => match &schema.kind {
            SchemaKind::Int8 => {
                props.insert("connect.type".into(), json!("int8"));
                "int"
            }
            SchemaKind::Int16 => {
                props.insert("connect.type".into(), json!("int16"));
                "int"
            }
            SchemaKind::Int32 => "int",
            SchemaKind::Int64 => "long",
            SchemaKind::Float32 => "float",
            SchemaKind::Float64 => "double",
            SchemaKind::Boolean => "boolean",
            SchemaKind::String => "string",
            SchemaKind::Bytes => "bytes",
            SchemaKind::Array(items) => {
                props.insert("items".into(), avro_json(items, unnamed, false));
                "array"
            }
            SchemaKind::Map { key, value } if key.kind == SchemaKind::String => {
                props.insert("values".into(), avro_json(value, unnamed, false));
                "map"
            }
            SchemaKind::Map { key, value } => {
                let entry = json!({
                    "type": "record",
                    "name": "MapEntry",
                    "namespace": "io.confluent.connect.avro",
                    "fields": [
                        {"name": "key", "type": avro_json(key, unnamed, false)},
                        {"name": "value", "type": avro_json(value, unnamed, false)},
                    ]
                });
                props.insert("items".into(), entry);
                "array"
            }
            SchemaKind::Struct(fields) => {
                let full = match &schema.name {
                    Some(n) => n.clone(),
                    None => {
                        *unnamed += 1;
                        if *unnamed == 1 {
                            DEFAULT_NAME.to_owned()
                        } else {
                            format!("{DEFAULT_NAME}{unnamed}")
                        }
                    }
                };
                let (namespace, name) = match full.rsplit_once('.') {
                    Some((ns, n)) => (Some(ns.to_owned()), n.to_owned()),
                    None => (None, full.clone()),
                };
                props.insert("name".into(), json!(name));
                if let Some(ns) = namespace {
                    props.insert("namespace".into(), json!(ns));
                }
                let fields: Vec<Json> = fields
                    .iter()
                    .map(|f| {
                        let mut o = Map::new();
                        o.insert("name".into(), json!(f.name));
                        o.insert("type".into(), avro_json(&f.schema, unnamed, false));
                        if f.schema.optional {
                            o.insert("default".into(), Json::Null);
                        } else if let Some(d) = f.schema.default.as_ref().and_then(default_json) {
                            o.insert("default".into(), d);
                        }
                        if let Some(doc) = &f.schema.doc {
                            o.insert("doc".into(), json!(doc));
                        }
                        Json::Object(o)
                    })
                    .collect();
                props.insert("fields".into(), Json::Array(fields));
                if let Some(doc) = &schema.doc {
                    props.insert("doc".into(), json!(doc));
                }
                "record"
            }
        },
    };
    if let Some(name) = &schema.name {
        props.insert("connect.name".into(), json!(name));
    }
    if let Some(v) = schema.version {
        props.insert("connect.version".into(), json!(v));
    }
    if let Some(doc) = &schema.doc
        && schema.kind.schema_type() != sluice_record::SchemaType::Struct
    {
        props.insert("connect.doc".into(), json!(doc));
    }
    if !schema.parameters.is_empty() {
        let params: BTreeMap<&String, &String> = schema.parameters.iter().collect();
        props.insert("connect.parameters".into(), json!(params));
    }
    if props.is_empty() {
        return json!(ty);
    }
    props.insert("type".into(), json!(ty));
    Json::Object(props)
}

/// A primitive default as Avro's JSON.
fn default_json(v: &Value) -> Option<Json> {
    Some(match v {
        Value::Boolean(b) => json!(b),
        Value::Int8(n) => json!(n),
        Value::Int16(n) => json!(n),
        Value::Int32(n) => json!(n),
        Value::Int64(n) => json!(n),
        Value::Float32(n) => json!(n),
        Value::Float64(n) => json!(n),
        Value::String(s) => json!(s),
        Value::Bytes(b) => json!(b.iter().map(|&c| c as char).collect::<String>()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn connect(schema: Json) -> SchemaRef {
        to_connect(&AvroType::from_json(&schema).unwrap())
            .unwrap()
            .0
    }

    #[test]
    fn records_unions_enums_and_logical_types_map_as_confluent_maps_them() {
        let s = connect(json!({
            "type": "record", "name": "Order", "namespace": "com.acme",
            "connect.version": 3,
            "fields": [
                {"name": "id", "type": "long"},
                {"name": "note", "type": ["null", "string"], "default": null},
                {"name": "qty", "type": "int", "default": 1},
                {"name": "small", "type": {"type": "int", "connect.type": "int16"}},
                {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "DONE"]}},
                {"name": "either", "type": ["int", "string"]},
                {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 10, "scale": 2}},
                {"name": "day", "type": {"type": "int", "logicalType": "date"}},
                {"name": "at", "type": {"type": "long", "logicalType": "timestamp-micros"}},
                {"name": "tags", "type": {"type": "map", "values": "string"}}
            ]
        }));
        assert_eq!(s.name.as_deref(), Some("com.acme.Order"));
        assert_eq!(s.version, Some(3));
        let f = |n: &str| s.field(n).unwrap().1.schema.clone();
        assert!(f("note").optional && f("note").kind == SchemaKind::String);
        assert_eq!(f("qty").default, Some(Value::Int32(1)));
        assert_eq!(f("small").kind, SchemaKind::Int16);
        assert_eq!(f("status").kind, SchemaKind::String);
        assert_eq!(
            f("status")
                .parameters
                .get("io.confluent.connect.avro.Enum.DONE"),
            Some(&"DONE".to_owned())
        );
        let either = f("either");
        assert_eq!(either.name.as_deref(), Some(UNION));
        let names: Vec<_> = either.fields().iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["int", "string"]);
        assert_eq!(
            f("price").logical(),
            Some(LogicalType::Decimal { scale: 2 })
        );
        assert_eq!(f("price").parameters.get("scale"), Some(&"2".to_owned()));
        assert_eq!(f("day").logical(), Some(LogicalType::Date));
        assert_eq!(f("at").logical(), Some(LogicalType::Timestamp));
        assert!(matches!(f("tags").kind, SchemaKind::Map { .. }));
    }

    #[test]
    fn connect_schemas_write_as_confluent_writes_them_and_read_back_the_same() {
        let inner = SchemaBuilder::structure()
            .field("zip", SchemaBuilder::string().build().into_ref())
            .build()
            .into_ref();
        let schema = SchemaBuilder::structure()
            .name("com.acme.Customer")
            .version(2)
            .field("id", SchemaBuilder::int64().build().into_ref())
            .field("age", SchemaBuilder::int8().optional().build().into_ref())
            .field("joined", logical::date_schema().build().into_ref())
            .field("address", inner)
            .build();
        let json = from_connect(&schema);
        assert_eq!(json["name"], "Customer");
        assert_eq!(json["namespace"], "com.acme");
        assert_eq!(json["connect.name"], "com.acme.Customer");
        assert_eq!(json["connect.version"], 2);
        assert_eq!(json["fields"][1]["type"][0], "null");
        assert_eq!(json["fields"][1]["default"], Json::Null);
        assert_eq!(json["fields"][3]["type"]["name"], "ConnectDefault");
        apache_avro::Schema::parse(&json).expect("apache-avro accepts what Sluice writes");
        let back = connect(json);
        assert_eq!(back.field("age").unwrap().1.schema.kind, SchemaKind::Int8);
        assert!(back.field("age").unwrap().1.schema.optional);
        assert_eq!(back.version, Some(2));
        assert_eq!(
            back.field("joined").unwrap().1.schema.logical(),
            Some(LogicalType::Date)
        );
    }
}
