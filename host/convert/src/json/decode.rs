//! JSON text → [`Value`], in one pass.
//!
//! The converter sits on the hot path (millions of small records per second), so JSON is
//! not parsed into a `serde_json::Value` tree first: serde_json drives the visitors below,
//! which build our [`Value`] directly, guided by the schema when there is one (measured
//! in `benches/json.rs`: the detour through `serde_json::Value` costs about twice as
//! much).
//!
//! serde errors are plain strings, and serde's default "invalid type" messages quote
//! the offending value. Neither fits ([`crate::ConvertError`] must name the field and
//! never show contents), so every visitor implements every `visit_*` method it can be
//! given, and a visitor that rejects a value records *why* in the [`Ctx`] and returns a
//! marker error. On the way up, each container adds its step of the path to the `Ctx`;
//! the success path never touches it.

use std::cell::RefCell;
use std::fmt;

use base64::Engine;
use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use sluice_record::{CompactString, Field, Schema, SchemaKind, SchemaRef, Struct, Value, logical};

use super::decimal;
use crate::error::{ConvertError, Segment, render_path};

/// Why a visitor failed, kept aside because serde errors can only carry text.
pub(crate) enum Failure {
    /// The JSON does not match the schema.
    Mismatch(String),
    /// `schemas.enable=true` and the JSON is not an envelope.
    Envelope(&'static str),
    /// Any other error, already complete (an invalid schema in an envelope).
    Error(ConvertError),
}

/// Per-call state of a decode: options, and the failure being reported.
pub(crate) struct Ctx {
    pub replace_null_with_default: bool,
    /// Property prefix for the missing-envelope hint (`value.converter.`).
    pub prefix: &'static str,
    failure: RefCell<Option<Failure>>,
    /// Path of the failure, innermost step first.
    path: RefCell<Vec<Segment>>,
}

impl Ctx {
    pub fn new(replace_null_with_default: bool, prefix: &'static str) -> Ctx {
        Ctx {
            replace_null_with_default,
            prefix,
            failure: RefCell::new(None),
            path: RefCell::new(Vec::new()),
        }
    }

    /// Records `failure` and returns the marker error to propagate.
    pub fn fail<E: de::Error>(&self, failure: Failure) -> E {
        *self.failure.borrow_mut() = Some(failure);
        E::custom("the JSON does not match the schema")
    }

    fn mismatch<E: de::Error>(&self, problem: String) -> E {
        self.fail(Failure::Mismatch(problem))
    }

    /// Adds one step to the path of an error on its way up.
    fn note(&self, segment: Segment) {
        self.path.borrow_mut().push(segment);
    }

    /// [`Ctx::note`] as an error mapper: `.map_err(ctx.push(Segment::Index(i)))`.
    fn push<E>(&self, segment: Segment) -> impl FnOnce(E) -> E + '_ {
        move |e| {
            self.note(segment);
            e
        }
    }

    /// Turns the serde_json error that ended a decode into the error to report.
    pub fn into_error(self, err: serde_json::Error) -> ConvertError {
        let path = render_path(&self.path.borrow());
        let (line, column) = (err.line(), err.column());
        let position = (line > 0).then_some((line, column));
        match self.failure.into_inner() {
            Some(Failure::Mismatch(problem)) => ConvertError::Mismatch {
                path,
                problem,
                position,
            },
            Some(Failure::Envelope(problem)) => ConvertError::MissingEnvelope {
                problem,
                prefix: self.prefix,
            },
            Some(Failure::Error(e)) => e,
            None if err.is_syntax() || err.is_eof() => ConvertError::Syntax {
                line,
                column,
                path,
                problem: without_position(&err),
            },
            // Not raised by our visitors, so its text is not known to be free of data.
            None => ConvertError::Mismatch {
                path,
                problem: "the JSON does not match the schema".into(),
                position,
            },
        }
    }
}

/// serde_json's message without its " at line L column C" suffix (reported separately).
fn without_position(err: &serde_json::Error) -> String {
    let text = err.to_string();
    match text.rfind(" at line ") {
        Some(i) if err.line() > 0 => text[..i].to_owned(),
        _ => text,
    }
}

/// How a schema is named in errors: its type, and its logical type when it has one.
pub(crate) fn describe(schema: &Schema) -> String {
    match schema.logical() {
        Some(logical::LogicalType::Decimal { scale }) => format!("decimal (scale {scale})"),
        Some(l) => {
            let short = l.name().rsplit('.').next().unwrap_or_default();
            format!("{} ({short})", schema.schema_type())
        }
        None => schema.schema_type().to_string(),
    }
}

/// The value a null (or missing) JSON value stands for: the default, null if optional.
fn null_for<E: de::Error>(schema: &Schema, ctx: &Ctx) -> Result<Value, E> {
    if ctx.replace_null_with_default
        && let Some(default) = &schema.default
        && !default.is_null()
    {
        return Ok(default.clone());
    }
    if schema.optional {
        return Ok(Value::Null);
    }
    Err(ctx.mismatch(format!(
        "null or missing value for a required {} field",
        describe(schema)
    )))
}

/// Reads a value of a known schema.
#[derive(Clone, Copy)]
pub(crate) struct Typed<'a> {
    pub schema: &'a SchemaRef,
    pub ctx: &'a Ctx,
}

impl<'de> DeserializeSeed<'de> for Typed<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        if self.schema.name.as_deref() == Some(logical::DECIMAL)
            && let Some(logical::LogicalType::Decimal { scale }) = self.schema.logical()
        {
            // A decimal may be a base64 string or a number whose exact text matters.
            let raw = Box::<RawValue>::deserialize(d)?;
            return match decimal::from_json_text(raw.get(), scale) {
                Ok(Some(bytes)) => Ok(Value::Bytes(bytes)),
                Ok(None) => null_for(self.schema, self.ctx),
                Err(problem) => Err(self.ctx.mismatch(problem)),
            };
        }
        d.deserialize_any(self)
    }
}

impl Typed<'_> {
    fn mismatch<E: de::Error>(&self, found: &str) -> E {
        self.ctx.mismatch(format!(
            "expected {} but found {found}",
            describe(self.schema)
        ))
    }

    fn integer<E: de::Error>(&self, v: i128) -> Result<Value, E> {
        let out_of_range = || {
            self.ctx.mismatch(format!(
                "integer out of range for {}",
                describe(self.schema)
            ))
        };
        Ok(match self.schema.kind {
            SchemaKind::Int8 => Value::Int8(v.try_into().map_err(|_| out_of_range())?),
            SchemaKind::Int16 => Value::Int16(v.try_into().map_err(|_| out_of_range())?),
            SchemaKind::Int32 => Value::Int32(v.try_into().map_err(|_| out_of_range())?),
            SchemaKind::Int64 => Value::Int64(v.try_into().map_err(|_| out_of_range())?),
            SchemaKind::Float32 => Value::Float32(v as f32),
            SchemaKind::Float64 => Value::Float64(v as f64),
            _ => return Err(self.mismatch("number")),
        })
    }

    fn struct_fields<'de, A: MapAccess<'de>>(
        self,
        fields: &[Field],
        mut map: A,
    ) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut values = vec![Value::Null; fields.len()];
        // Writers emit fields in schema order, so the next field is the first guess.
        let mut next = 0;
        while let Some(found) = map.next_key_seed(FieldKey { fields, next })? {
            match found {
                Some(i) => {
                    let field = &fields[i];
                    let seed = Typed {
                        schema: &field.schema,
                        ctx,
                    };
                    values[i] = map
                        .next_value_seed(seed)
                        .map_err(ctx.push(Segment::Field(field.name.clone())))?;
                    next = i + 1;
                }
                // Connect ignores fields the schema does not declare.
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        // Fields that were absent (or null) take their default, or must be optional.
        for (field, value) in fields.iter().zip(values.iter_mut()) {
            if value.is_null() {
                *value = null_for(&field.schema, ctx)
                    .map_err(ctx.push(Segment::Field(field.name.clone())))?;
            }
        }
        let s = Struct::from_values(self.schema.clone(), values).expect("one value per field");
        Ok(Value::Struct(s))
    }

    fn string_keyed_map<'de, A: MapAccess<'de>>(
        self,
        values: &SchemaRef,
        mut map: A,
    ) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        let mut entries = Vec::new();
        while let Some(key) = map
            .next_key::<CompactString>()
            .map_err(ctx.push(Segment::MapKey(entries.len())))?
        {
            let seed = Typed {
                schema: values,
                ctx,
            };
            let value = map
                .next_value_seed(seed)
                .map_err(ctx.push(Segment::MapValue(entries.len())))?;
            entries.push((Value::String(key), value));
        }
        Ok(Value::Map(entries))
    }
}

impl<'de> Visitor<'de> for Typed<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", describe(self.schema))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        null_for(self.schema, self.ctx)
    }

    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        null_for(self.schema, self.ctx)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        match self.schema.kind {
            SchemaKind::Boolean => Ok(Value::Boolean(v)),
            _ => Err(self.mismatch("boolean")),
        }
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.integer(v.into())
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.integer(v.into())
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        match self.schema.kind {
            SchemaKind::Float32 => Ok(Value::Float32(v as f32)),
            SchemaKind::Float64 => Ok(Value::Float64(v)),
            // `1.0` or `1e3` for an integer field: accepted when nothing is lost.
            SchemaKind::Int8 | SchemaKind::Int16 | SchemaKind::Int32 | SchemaKind::Int64 => {
                if v.fract() == 0.0 && v.abs() < 1.7e38 {
                    self.integer(v as i128)
                } else {
                    Err(self.ctx.mismatch(format!(
                        "expected {} but found a number with a fraction or out of range",
                        describe(self.schema)
                    )))
                }
            }
            _ => Err(self.mismatch("number")),
        }
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        match self.schema.kind {
            SchemaKind::String => Ok(Value::String(v.into())),
            SchemaKind::Bytes => super::BASE64
                .decode(v)
                .map(Value::Bytes)
                .map_err(|_| self.ctx.mismatch("bytes are not valid base64".into())),
            // Jackson writes non-finite floats as these strings.
            SchemaKind::Float32 | SchemaKind::Float64 => match non_finite(v) {
                Some(f) if self.schema.kind == SchemaKind::Float32 => Ok(Value::Float32(f as f32)),
                Some(f) => Ok(Value::Float64(f)),
                None => Err(self.mismatch("string")),
            },
            _ => Err(self.mismatch("string")),
        }
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        match self.schema.kind {
            SchemaKind::String => Ok(Value::String(v.into())),
            _ => self.visit_str(&v),
        }
    }

    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Value, E> {
        Err(self.mismatch("bytes"))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let ctx = self.ctx;
        match &self.schema.kind {
            SchemaKind::Array(items) => {
                let mut out = Vec::new();
                while let Some(v) = seq
                    .next_element_seed(Typed { schema: items, ctx })
                    .map_err(ctx.push(Segment::Index(out.len())))?
                {
                    out.push(v);
                }
                Ok(Value::Array(out))
            }
            // Maps whose keys are not strings are arrays of [key, value] pairs.
            SchemaKind::Map { key, value } if key.kind != SchemaKind::String => {
                let mut entries = Vec::new();
                while let Some(pair) = seq.next_element_seed(Pair {
                    key,
                    value,
                    index: entries.len(),
                    ctx,
                })? {
                    entries.push(pair);
                }
                Ok(Value::Map(entries))
            }
            _ => Err(self.mismatch("array")),
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Value, A::Error> {
        match &self.schema.kind {
            SchemaKind::Struct(fields) => self.struct_fields(fields, map),
            SchemaKind::Map { key, value } if key.kind == SchemaKind::String => {
                self.string_keyed_map(value, map)
            }
            _ => Err(self.mismatch("object")),
        }
    }
}

fn non_finite(s: &str) -> Option<f64> {
    match s {
        "NaN" => Some(f64::NAN),
        "Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => None,
    }
}

/// Finds a struct field by JSON key, without allocating the key.
struct FieldKey<'a> {
    fields: &'a [Field],
    next: usize,
}

impl<'de> DeserializeSeed<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for FieldKey<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a field name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        if self.fields.get(self.next).is_some_and(|f| f.name == key) {
            return Ok(Some(self.next));
        }
        Ok(self.fields.iter().position(|f| f.name == key))
    }
}

/// One `[key, value]` entry of a map whose keys are not strings.
struct Pair<'a> {
    key: &'a SchemaRef,
    value: &'a SchemaRef,
    index: usize,
    ctx: &'a Ctx,
}

impl Pair<'_> {
    fn not_a_pair<E: de::Error>(&self, found: &str) -> E {
        self.ctx.note(Segment::Index(self.index));
        self.ctx.mismatch(format!(
            "expected a [key, value] array for a map entry but found {found}"
        ))
    }
}

impl<'de> DeserializeSeed<'de> for Pair<'_> {
    type Value = (Value, Value);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(Value, Value), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Pair<'_> {
    type Value = (Value, Value);

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a [key, value] pair")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(Value, Value), A::Error> {
        let ctx = self.ctx;
        let short = || {
            ctx.note(Segment::Index(self.index));
            ctx.mismatch("a map entry must be a [key, value] array of two elements".into())
        };
        let key = seq
            .next_element_seed(Typed {
                schema: self.key,
                ctx,
            })
            .map_err(ctx.push(Segment::MapKey(self.index)))?
            .ok_or_else(short)?;
        let value = seq
            .next_element_seed(Typed {
                schema: self.value,
                ctx,
            })
            .map_err(ctx.push(Segment::MapValue(self.index)))?
            .ok_or_else(short)?;
        if seq.next_element::<IgnoredAny>()?.is_some() {
            return Err(short());
        }
        Ok((key, value))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(Value, Value), E> {
        Err(self.not_a_pair("null"))
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(Value, Value), E> {
        Err(self.not_a_pair("boolean"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(Value, Value), E> {
        Err(self.not_a_pair("number"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(Value, Value), E> {
        Err(self.not_a_pair("number"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(Value, Value), E> {
        Err(self.not_a_pair("number"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<(Value, Value), E> {
        Err(self.not_a_pair("string"))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<(Value, Value), E> {
        Err(self.not_a_pair("bytes"))
    }
    fn visit_map<A: MapAccess<'de>>(self, _: A) -> Result<(Value, Value), A::Error> {
        Err(self.not_a_pair("object"))
    }
}

/// Entries allocated up front for a schemaless object.
pub(crate) const OBJECT_ENTRIES: usize = 8;

/// Reads JSON without a schema, as Connect does: objects become maps with string keys
/// (in document order), integers `Int64`, other numbers `Float64`.
///
/// An integer too large for `Int64` becomes `Float64`, as serde_json itself does for
/// integers beyond `u64` (Connect would silently wrap it around).
#[derive(Clone, Copy)]
pub(crate) struct Schemaless;

impl<'de> DeserializeSeed<'de> for Schemaless {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Schemaless {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Boolean(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Int64(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(match i64::try_from(v) {
            Ok(v) => Value::Int64(v),
            Err(_) => Value::Float64(v as f64),
        })
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::Float64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.into()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v.into()))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::Bytes(v.to_vec()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Schemaless)? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        // JSON does not say how many keys follow; from empty, a record of five to eight
        // keys took an allocation and a reallocation (4 → 8 entries).
        let mut entries = Vec::with_capacity(OBJECT_ENTRIES);
        while let Some(key) = map.next_key::<CompactString>()? {
            let value = map.next_value_seed(Schemaless)?;
            entries.push((Value::String(key), value));
        }
        Ok(Value::Map(entries))
    }
}

/// Reads a value with or without a schema.
#[derive(Clone, Copy)]
pub(crate) struct MaybeTyped<'a> {
    pub schema: Option<&'a SchemaRef>,
    pub ctx: &'a Ctx,
}

impl<'de> DeserializeSeed<'de> for MaybeTyped<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        match self.schema {
            Some(schema) => Typed {
                schema,
                ctx: self.ctx,
            }
            .deserialize(d),
            None => Schemaless.deserialize(d),
        }
    }
}

/// Decodes a whole document (`bytes`), rejecting trailing characters.
///
/// Read from bytes, serde_json checks the UTF-8 of each string on its own (a call per
/// key and string value, a tenth of the parse of a small object); a document that is
/// UTF-8 as a whole is checked once and read as text instead. One that is not is read
/// from its bytes, whose reader's error says where the bad sequence is.
pub(crate) fn decode_slice<'de, S>(bytes: &'de [u8], seed: S) -> Result<S::Value, serde_json::Error>
where
    S: DeserializeSeed<'de>,
{
    match std::str::from_utf8(bytes) {
        Ok(text) => decode_str(text, seed),
        Err(_) => decode_whole(serde_json::Deserializer::from_slice(bytes), seed),
    }
}

/// Decodes a whole document without a schema ([`Schemaless`]): a flat object by the
/// fast path ([`super::flat`]), anything else by serde_json.
pub(crate) fn schemaless(bytes: &[u8]) -> Result<Value, serde_json::Error> {
    match std::str::from_utf8(bytes) {
        Ok(text) => match super::flat::object(text) {
            Some(value) => Ok(value),
            None => decode_str(text, Schemaless),
        },
        Err(_) => decode_whole(serde_json::Deserializer::from_slice(bytes), Schemaless),
    }
}

/// Decodes a whole document already known to be text (a part of one read before, as
/// serde_json's `RawValue`), rejecting trailing characters.
pub(crate) fn decode_str<'de, S>(text: &'de str, seed: S) -> Result<S::Value, serde_json::Error>
where
    S: DeserializeSeed<'de>,
{
    decode_whole(serde_json::Deserializer::from_str(text), seed)
}

fn decode_whole<'de, R, S>(
    mut de: serde_json::Deserializer<R>,
    seed: S,
) -> Result<S::Value, serde_json::Error>
where
    R: serde_json::de::Read<'de>,
    S: DeserializeSeed<'de>,
{
    let value = seed.deserialize(&mut de)?;
    de.end()?;
    Ok(value)
}
