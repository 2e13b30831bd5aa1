//! Kafka Connect's JSON schema format (the `"schema"` half of the envelope).
//!
//! ```json
//! {"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],
//!  "optional":false,"name":"com.example.Order","version":1}
//! ```
//!
//! Keys are written in the order Connect's `JsonConverter.asJsonSchema` writes them
//! (`type`, then `items` / `keys`,`values` / `fields`, then `optional`, `name`, `version`,
//! `doc`, `parameters`, `default`; a struct field's own `field` key comes last), so that
//! Sluice produces the same bytes as Kafka Connect. Reading is as lenient as Connect
//! where Connect is (a non-boolean `optional` means required; a non-string `name` is
//! ignored) and strict where Connect is (parameters must be strings).

use std::collections::HashSet;
use std::sync::Arc;

use serde::Deserialize;
use serde::de::DeserializeSeed;
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::{Map, Value as Json};
use sluice_record::{Field, Schema, SchemaKind, SchemaRef, SchemaType};

use super::DecimalFormat;
use super::decode::{Ctx, Typed, decode_str};
use super::encode::{Enc, EncCtx};
use crate::ConvertError;

/// Parses a schema in Kafka Connect's JSON schema format.
///
/// A JSON `null` (what Connect writes for "no schema") is an error here; the envelope
/// reader handles it before calling this.
///
/// A decimal default written as a JSON number keeps only `f64` precision in a
/// `serde_json::Value`; the converter reads schemas from their text and keeps every digit.
pub fn schema_from_json(json: &Json) -> Result<SchemaRef, ConvertError> {
    parse(json, None, &mut String::new()).map(Arc::new)
}

/// Parses a schema from its JSON text, reading defaults from their exact text.
pub(crate) fn schema_from_text(text: &str) -> Result<Option<SchemaRef>, ConvertError> {
    let json: Json = serde_json::from_str(text)
        .map_err(|_| ConvertError::schema("", "the schema is not valid JSON"))?;
    if json.is_null() {
        return Ok(None);
    }
    // Only an aid for precision: if it does not fit, the main parse reports the problem.
    let defaults = serde_json::from_str::<RawDefaults>(text).ok();
    parse(&json, defaults.as_ref(), &mut String::new()).map(|s| Some(Arc::new(s)))
}

/// The raw text of every `default` in a schema, in the shape of the schema.
#[derive(Deserialize)]
struct RawDefaults<'a> {
    #[serde(borrow, default)]
    default: Option<&'a RawValue>,
    #[serde(borrow, default)]
    items: Option<Box<RawDefaults<'a>>>,
    #[serde(borrow, default)]
    keys: Option<Box<RawDefaults<'a>>>,
    #[serde(borrow, default)]
    values: Option<Box<RawDefaults<'a>>>,
    #[serde(borrow, default)]
    fields: Option<Vec<RawDefaults<'a>>>,
}

/// Writes a schema in Kafka Connect's JSON schema format, decimal defaults as base64.
pub fn schema_to_json(schema: &Schema) -> Json {
    schema_to_json_with(schema, DecimalFormat::Base64)
}

/// [`schema_to_json`] with the given format for decimal default values. (A
/// `serde_json::Value` holds numbers as `f64`: a NUMERIC decimal default of more than 15
/// digits is rounded here, never in what the converter writes.)
pub fn schema_to_json_with(schema: &Schema, decimal_format: DecimalFormat) -> Json {
    let json = SchemaJson {
        schema,
        decimal_format,
    };
    serde_json::to_value(&json).expect("a schema always serializes")
}

fn kind_of(json: &Json) -> &'static str {
    match json {
        Json::Null => "null",
        Json::Bool(_) => "boolean",
        Json::Number(_) => "number",
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "object",
    }
}

/// Runs `f` with `/key` appended to the JSON pointer, restoring it afterwards.
fn at<T>(pointer: &mut String, key: &str, f: impl FnOnce(&mut String) -> T) -> T {
    let len = pointer.len();
    pointer.push('/');
    // JSON pointer escaping (RFC 6901).
    pointer.push_str(&key.replace('~', "~0").replace('/', "~1"));
    let out = f(pointer);
    pointer.truncate(len);
    out
}

fn child(
    obj: &Map<String, Json>,
    key: &str,
    raw: Option<&RawDefaults>,
    ptr: &mut String,
) -> Result<SchemaRef, ConvertError> {
    let raw = raw.and_then(|r| match key {
        "items" => r.items.as_deref(),
        "keys" => r.keys.as_deref(),
        _ => r.values.as_deref(),
    });
    at(ptr, key, |ptr| match obj.get(key) {
        None | Some(Json::Null) => Err(ConvertError::schema(ptr, "missing")),
        Some(json) => parse(json, raw, ptr).map(Arc::new),
    })
}

fn parse(json: &Json, raw: Option<&RawDefaults>, ptr: &mut String) -> Result<Schema, ConvertError> {
    let Json::Object(obj) = json else {
        let problem = format!("expected a schema object but found {}", kind_of(json));
        return Err(ConvertError::schema(ptr, problem));
    };
    let ty = match obj.get("type") {
        Some(Json::String(name)) => SchemaType::from_name(name).ok_or_else(|| {
            at(ptr, "type", |p| {
                ConvertError::schema(p, format!("unknown schema type {name:?}"))
            })
        })?,
        Some(other) => {
            let problem = format!("expected a string but found {}", kind_of(other));
            return Err(at(ptr, "type", |p| ConvertError::schema(p, problem)));
        }
        None => return Err(ConvertError::schema(ptr, "missing \"type\"")),
    };
    let kind = match ty {
        SchemaType::Array => SchemaKind::Array(child(obj, "items", raw, ptr)?),
        SchemaType::Map => SchemaKind::Map {
            key: child(obj, "keys", raw, ptr)?,
            value: child(obj, "values", raw, ptr)?,
        },
        SchemaType::Struct => {
            let raw = raw.and_then(|r| r.fields.as_deref());
            SchemaKind::Struct(at(ptr, "fields", |ptr| fields(obj, raw, ptr))?)
        }
        primitive => SchemaKind::primitive(primitive).expect("primitive type"),
    };
    let mut schema = Schema::new(kind);
    schema.optional = matches!(obj.get("optional"), Some(Json::Bool(true)));
    if let Some(Json::String(name)) = obj.get("name") {
        schema.name = Some(name.clone());
    }
    if let Some(version) = obj.get("version").and_then(Json::as_i64) {
        schema.version = i32::try_from(version).ok();
    }
    if let Some(Json::String(doc)) = obj.get("doc") {
        schema.doc = Some(doc.clone());
    }
    if let Some(Json::Object(params)) = obj.get("parameters") {
        for (key, value) in params {
            let Json::String(value) = value else {
                return Err(at(ptr, "parameters", |p| {
                    at(p, key, |p| {
                        ConvertError::schema(p, "parameters must be strings")
                    })
                }));
            };
            schema.parameters.insert(key.clone(), value.clone());
        }
    }
    if let Some(default) = obj.get("default").filter(|d| !d.is_null()) {
        let value = at(ptr, "default", |p| {
            let without_default = Arc::new(schema.clone());
            let ctx = Ctx::new(true, "");
            let seed = Typed {
                schema: &without_default,
                ctx: &ctx,
            };
            match raw.and_then(|r| r.default) {
                Some(text) => decode_str(text.get(), seed),
                None => seed.deserialize(default),
            }
            .map_err(|e| {
                // A position would be relative to the default's own text: drop it.
                let problem = match ctx.into_error(e) {
                    ConvertError::Mismatch { path, problem, .. } => {
                        ConvertError::mismatch(path, problem).to_string()
                    }
                    other => other.to_string(),
                };
                ConvertError::schema(p, format!("default does not match the schema: {problem}"))
            })
        })?;
        schema.default = Some(value);
    }
    Ok(schema)
}

fn fields(
    obj: &Map<String, Json>,
    raw: Option<&[RawDefaults]>,
    ptr: &mut String,
) -> Result<Vec<Field>, ConvertError> {
    let Some(Json::Array(list)) = obj.get("fields") else {
        return Err(ConvertError::schema(
            ptr,
            "a struct schema needs a \"fields\" array",
        ));
    };
    let mut seen = HashSet::with_capacity(list.len());
    let mut out = Vec::with_capacity(list.len());
    for (i, json) in list.iter().enumerate() {
        let field = at(ptr, &i.to_string(), |ptr| {
            let Some(Json::String(name)) = json.get("field") else {
                return Err(at(ptr, "field", |p| {
                    ConvertError::schema(p, "a struct field needs a string \"field\" name")
                }));
            };
            if !seen.insert(name.as_str()) {
                return Err(ConvertError::schema(
                    ptr,
                    format!("duplicate field name {name:?}"),
                ));
            }
            let raw = raw.and_then(|r| r.get(i));
            let schema = parse(json, raw, ptr)?;
            Ok(Field {
                name: name.clone(),
                schema: Arc::new(schema),
            })
        })?;
        out.push(field);
    }
    Ok(out)
}

/// A schema as Connect's JSON, serialized straight to text: the converter writes its
/// bytes without a `serde_json::Value` in between, which would also round decimal
/// defaults written as numbers to `f64`.
pub(crate) struct SchemaJson<'a> {
    pub schema: &'a Schema,
    pub decimal_format: DecimalFormat,
}

impl Serialize for SchemaJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        entries(&mut map, self.schema, self.decimal_format)?;
        map.end()
    }
}

/// A struct field: its schema's entries, then its name under `"field"` (Connect's order).
struct FieldJson<'a> {
    field: &'a Field,
    decimal_format: DecimalFormat,
}

impl Serialize for FieldJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(None)?;
        entries(&mut map, &self.field.schema, self.decimal_format)?;
        map.serialize_entry("field", &self.field.name)?;
        map.end()
    }
}

fn entries<M: SerializeMap>(
    map: &mut M,
    schema: &Schema,
    decimal_format: DecimalFormat,
) -> Result<(), M::Error> {
    let json = |schema| SchemaJson {
        schema,
        decimal_format,
    };
    map.serialize_entry("type", schema.schema_type().name())?;
    match &schema.kind {
        SchemaKind::Array(items) => map.serialize_entry("items", &json(items))?,
        SchemaKind::Map { key, value } => {
            map.serialize_entry("keys", &json(key))?;
            map.serialize_entry("values", &json(value))?;
        }
        SchemaKind::Struct(fields) => {
            let fields: Vec<_> = fields
                .iter()
                .map(|field| FieldJson {
                    field,
                    decimal_format,
                })
                .collect();
            map.serialize_entry("fields", &fields)?;
        }
        _ => {}
    }
    map.serialize_entry("optional", &schema.optional)?;
    if let Some(name) = &schema.name {
        map.serialize_entry("name", name)?;
    }
    if let Some(version) = schema.version {
        map.serialize_entry("version", &version)?;
    }
    if let Some(doc) = &schema.doc {
        map.serialize_entry("doc", doc)?;
    }
    if !schema.parameters.is_empty() {
        map.serialize_entry("parameters", &schema.parameters)?;
    }
    if let Some(default) = schema.default.as_ref().filter(|d| !d.is_null()) {
        // Lenient: a schema is always writable, whatever its default holds.
        let ctx = EncCtx::lenient(decimal_format);
        let enc = Enc {
            value: default,
            schema: Some(schema),
            ctx: &ctx,
        };
        map.serialize_entry("default", &enc)?;
    }
    Ok(())
}
