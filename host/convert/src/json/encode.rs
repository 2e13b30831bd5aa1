//! [`Value`] → JSON text, as Kafka Connect's JsonConverter writes it.
//!
//! Values are serialized straight into the output buffer (no `serde_json::Value` tree).
//! As in [`super::decode`], a failure is recorded in the [`EncCtx`] with its field path,
//! because serde errors only carry text and must not quote record contents.

use std::cell::RefCell;
use std::ptr;

use base64::Engine;
use serde::ser::{self, Serialize, SerializeMap, SerializeSeq, SerializeTuple, Serializer};
use serde_json::value::RawValue;
use sluice_record::{Schema, SchemaKind, Value, logical};

use super::decimal;
use super::decode::describe;
use super::{BASE64, DecimalFormat};
use crate::error::{ConvertError, Segment, render_path};

/// Per-call state of an encode.
pub(crate) struct EncCtx {
    pub decimal_format: DecimalFormat,
    pub replace_null_with_default: bool,
    /// Render what does not match its schema schemaless instead of failing: for
    /// printing (`sluice transform test`), where something is better than nothing.
    pub lenient: bool,
    failure: RefCell<Option<String>>,
    path: RefCell<Vec<Segment>>,
}

impl EncCtx {
    pub fn new(decimal_format: DecimalFormat, replace_null_with_default: bool) -> EncCtx {
        EncCtx {
            decimal_format,
            replace_null_with_default,
            lenient: false,
            failure: RefCell::new(None),
            path: RefCell::new(Vec::new()),
        }
    }

    pub fn lenient(decimal_format: DecimalFormat) -> EncCtx {
        EncCtx {
            lenient: true,
            ..EncCtx::new(decimal_format, true)
        }
    }

    fn fail<E: ser::Error>(&self, problem: String) -> E {
        *self.failure.borrow_mut() = Some(problem);
        E::custom("the value does not match its schema")
    }

    fn push<E>(&self, segment: Segment) -> impl FnOnce(E) -> E + '_ {
        move |e| {
            self.path.borrow_mut().push(segment);
            e
        }
    }

    pub fn into_error(self, err: serde_json::Error) -> ConvertError {
        let path = render_path(&self.path.borrow());
        let problem = self
            .failure
            .into_inner()
            .unwrap_or_else(|| format!("cannot write JSON: {err}"));
        ConvertError::mismatch(path, problem)
    }
}

/// A value with its optional schema, ready to serialize.
pub(crate) struct Enc<'a> {
    pub value: &'a Value,
    pub schema: Option<&'a Schema>,
    pub ctx: &'a EncCtx,
}

impl Serialize for Enc<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.schema {
            Some(schema) => typed(self.value, schema, self.ctx, s),
            None => schemaless(self.value, self.ctx, s),
        }
    }
}

fn typed<S: Serializer>(
    value: &Value,
    schema: &Schema,
    ctx: &EncCtx,
    s: S,
) -> Result<S::Ok, S::Error> {
    if value.is_null() {
        if ctx.replace_null_with_default
            && let Some(default) = &schema.default
            && !default.is_null()
        {
            return typed(default, schema, ctx, s);
        }
        if schema.optional || ctx.lenient {
            return s.serialize_unit();
        }
        return Err(ctx.fail(format!("null for a required {} field", describe(schema))));
    }
    if let (Some(logical::LogicalType::Decimal { scale }), Value::Bytes(bytes)) =
        (decimal_scale(schema), value)
    {
        return write_decimal(bytes, scale, ctx, s);
    }
    match (&schema.kind, value) {
        (SchemaKind::Int8, Value::Int8(v)) => s.serialize_i8(*v),
        (SchemaKind::Int16, Value::Int16(v)) => s.serialize_i16(*v),
        (SchemaKind::Int32, Value::Int32(v)) => s.serialize_i32(*v),
        (SchemaKind::Int64, Value::Int64(v)) => s.serialize_i64(*v),
        (SchemaKind::Float32, Value::Float32(v)) => write_f32(*v, s),
        (SchemaKind::Float64, Value::Float64(v)) => write_f64(*v, s),
        (SchemaKind::Boolean, Value::Boolean(v)) => s.serialize_bool(*v),
        (SchemaKind::String, Value::String(v)) => s.serialize_str(v),
        (SchemaKind::Bytes, Value::Bytes(v)) => s.serialize_str(&BASE64.encode(v)),
        (SchemaKind::Array(items), Value::Array(values)) => {
            let mut seq = s.serialize_seq(Some(values.len()))?;
            for (i, value) in values.iter().enumerate() {
                let enc = Enc {
                    value,
                    schema: Some(items),
                    ctx,
                };
                seq.serialize_element(&enc)
                    .map_err(ctx.push(Segment::Index(i)))?;
            }
            seq.end()
        }
        // Connect writes maps with string keys as objects, all others as [k, v] pairs.
        (SchemaKind::Map { key, value: vs }, Value::Map(entries))
            if key.kind == SchemaKind::String =>
        {
            let mut map = s.serialize_map(Some(entries.len()))?;
            for (i, (k, v)) in entries.iter().enumerate() {
                let Value::String(k) = k else {
                    let problem = format!("expected a string map key but found {}", k.type_name());
                    return Err(ctx.push(Segment::MapKey(i))(ctx.fail(problem)));
                };
                map.serialize_key(k)?;
                let enc = Enc {
                    value: v,
                    schema: Some(vs),
                    ctx,
                };
                map.serialize_value(&enc)
                    .map_err(ctx.push(Segment::MapValue(i)))?;
            }
            map.end()
        }
        (SchemaKind::Map { key, value: vs }, Value::Map(entries)) => {
            let mut seq = s.serialize_seq(Some(entries.len()))?;
            for (index, (k, v)) in entries.iter().enumerate() {
                seq.serialize_element(&Pair {
                    key: (k, Some(key)),
                    value: (v, Some(vs)),
                    index,
                    ctx,
                })?;
            }
            seq.end()
        }
        (SchemaKind::Struct(fields), Value::Struct(st)) if same_fields(schema, st.schema()) => {
            let mut map = s.serialize_map(Some(fields.len()))?;
            for (field, value) in fields.iter().zip(st.values()) {
                map.serialize_key(&field.name)?;
                let enc = Enc {
                    value,
                    schema: Some(&field.schema),
                    ctx,
                };
                map.serialize_value(&enc)
                    .map_err(ctx.push(Segment::Field(field.name.clone())))?;
            }
            map.end()
        }
        _ if ctx.lenient => schemaless(value, ctx, s),
        (SchemaKind::Struct(_), Value::Struct(_)) => {
            Err(ctx
                .fail("the struct's own schema has other fields than the record's schema".into()))
        }
        _ => Err(ctx.fail(format!(
            "expected {} but found {}",
            describe(schema),
            value.type_name()
        ))),
    }
}

/// The decimal logical type of a schema, checked cheaply before parsing the scale.
fn decimal_scale(schema: &Schema) -> Option<logical::LogicalType> {
    if schema.name.as_deref() == Some(logical::DECIMAL) {
        schema.logical()
    } else {
        None
    }
}

/// A struct is written with the record's schema; its own must have the same fields (it
/// is nearly always the very same schema, so pointer equality settles it).
fn same_fields(schema: &Schema, own: &Schema) -> bool {
    ptr::eq(schema, own)
        || (schema.fields().len() == own.fields().len()
            && schema
                .fields()
                .iter()
                .zip(own.fields())
                .all(|(a, b)| a.name == b.name))
}

fn write_decimal<S: Serializer>(
    bytes: &[u8],
    scale: i32,
    ctx: &EncCtx,
    s: S,
) -> Result<S::Ok, S::Error> {
    match ctx.decimal_format {
        DecimalFormat::Base64 => s.serialize_str(&BASE64.encode(bytes)),
        DecimalFormat::Numeric => {
            let text = decimal::to_json_text(bytes, scale).map_err(|p| ctx.fail(p))?;
            let raw = RawValue::from_string(text).map_err(ser::Error::custom)?;
            raw.serialize(s)
        }
    }
}

/// Non-finite floats are written as Jackson does by default: as strings.
fn non_finite_name(v: f64) -> &'static str {
    if v.is_nan() {
        "NaN"
    } else if v > 0.0 {
        "Infinity"
    } else {
        "-Infinity"
    }
}

fn write_f32<S: Serializer>(v: f32, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f32(v)
    } else {
        s.serialize_str(non_finite_name(v.into()))
    }
}

fn write_f64<S: Serializer>(v: f64, s: S) -> Result<S::Ok, S::Error> {
    if v.is_finite() {
        s.serialize_f64(v)
    } else {
        s.serialize_str(non_finite_name(v))
    }
}

/// Writes a value without a schema, from what it is. A struct carries its own schema,
/// so it is written with it (Connect would refuse a struct without a schema).
fn schemaless<S: Serializer>(value: &Value, ctx: &EncCtx, s: S) -> Result<S::Ok, S::Error> {
    let enc = |value| Enc {
        value,
        schema: None,
        ctx,
    };
    match value {
        Value::Null => s.serialize_unit(),
        Value::Boolean(v) => s.serialize_bool(*v),
        Value::Int8(v) => s.serialize_i8(*v),
        Value::Int16(v) => s.serialize_i16(*v),
        Value::Int32(v) => s.serialize_i32(*v),
        Value::Int64(v) => s.serialize_i64(*v),
        Value::Float32(v) => write_f32(*v, s),
        Value::Float64(v) => write_f64(*v, s),
        Value::String(v) => s.serialize_str(v),
        Value::Bytes(v) => s.serialize_str(&BASE64.encode(v)),
        Value::Array(values) => {
            let mut seq = s.serialize_seq(Some(values.len()))?;
            for (i, v) in values.iter().enumerate() {
                seq.serialize_element(&enc(v))
                    .map_err(ctx.push(Segment::Index(i)))?;
            }
            seq.end()
        }
        Value::Map(entries) if entries.iter().all(|(k, _)| matches!(k, Value::String(_))) => {
            let mut map = s.serialize_map(Some(entries.len()))?;
            for (i, (k, v)) in entries.iter().enumerate() {
                map.serialize_entry(&enc(k), &enc(v))
                    .map_err(ctx.push(Segment::MapValue(i)))?;
            }
            map.end()
        }
        Value::Map(entries) => {
            let mut seq = s.serialize_seq(Some(entries.len()))?;
            for (index, (k, v)) in entries.iter().enumerate() {
                seq.serialize_element(&Pair {
                    key: (k, None),
                    value: (v, None),
                    index,
                    ctx,
                })?;
            }
            seq.end()
        }
        Value::Struct(st) => typed(value, st.schema(), ctx, s),
    }
}

/// A `[key, value]` map entry.
struct Pair<'a> {
    key: (&'a Value, Option<&'a Schema>),
    value: (&'a Value, Option<&'a Schema>),
    index: usize,
    ctx: &'a EncCtx,
}

impl Serialize for Pair<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = self.ctx;
        let mut t = s.serialize_tuple(2)?;
        let (value, schema) = self.key;
        t.serialize_element(&Enc { value, schema, ctx })
            .map_err(ctx.push(Segment::MapKey(self.index)))?;
        let (value, schema) = self.value;
        t.serialize_element(&Enc { value, schema, ctx })
            .map_err(ctx.push(Segment::MapValue(self.index)))?;
        t.end()
    }
}
