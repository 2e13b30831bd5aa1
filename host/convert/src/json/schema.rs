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

use serde_json::{Map, Value as Json};
use sluice_record::{Field, Schema, SchemaKind, SchemaRef, SchemaType};

use super::DecimalFormat;
use super::decode::{Ctx, Typed};
use super::encode::{Enc, EncCtx};
use crate::ConvertError;

/// Parses a schema in Kafka Connect's JSON schema format.
///
/// A JSON `null` (what Connect writes for "no schema") is an error here; the envelope
/// reader handles it before calling this.
pub fn schema_from_json(json: &Json) -> Result<SchemaRef, ConvertError> {
    parse(json, &mut String::new()).map(Arc::new)
}

/// Writes a schema in Kafka Connect's JSON schema format, decimal defaults as base64.
pub fn schema_to_json(schema: &Schema) -> Json {
    schema_to_json_with(schema, DecimalFormat::Base64)
}

/// [`schema_to_json`] with the given format for decimal default values.
pub fn schema_to_json_with(schema: &Schema, decimal_format: DecimalFormat) -> Json {
    Json::Object(write(schema, decimal_format))
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

fn child(obj: &Map<String, Json>, key: &str, ptr: &mut String) -> Result<SchemaRef, ConvertError> {
    at(ptr, key, |ptr| match obj.get(key) {
        None | Some(Json::Null) => Err(ConvertError::schema(ptr, "missing")),
        Some(json) => parse(json, ptr).map(Arc::new),
    })
}

fn parse(json: &Json, ptr: &mut String) -> Result<Schema, ConvertError> {
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
        SchemaType::Array => SchemaKind::Array(child(obj, "items", ptr)?),
        SchemaType::Map => SchemaKind::Map {
            key: child(obj, "keys", ptr)?,
            value: child(obj, "values", ptr)?,
        },
        SchemaType::Struct => SchemaKind::Struct(at(ptr, "fields", |ptr| fields(obj, ptr))?),
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
            serde::de::DeserializeSeed::deserialize(
                Typed {
                    schema: &without_default,
                    ctx: &ctx,
                },
                default,
            )
            .map_err(|e| {
                let problem = ctx.into_error(e).to_string();
                ConvertError::schema(p, format!("default does not match the schema: {problem}"))
            })
        })?;
        schema.default = Some(value);
    }
    Ok(schema)
}

fn fields(obj: &Map<String, Json>, ptr: &mut String) -> Result<Vec<Field>, ConvertError> {
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
            let schema = parse(json, ptr)?;
            Ok(Field {
                name: name.clone(),
                schema: Arc::new(schema),
            })
        })?;
        out.push(field);
    }
    Ok(out)
}

fn write(schema: &Schema, decimal_format: DecimalFormat) -> Map<String, Json> {
    let mut obj = Map::new();
    obj.insert("type".into(), schema.schema_type().name().into());
    match &schema.kind {
        SchemaKind::Array(items) => {
            obj.insert("items".into(), Json::Object(write(items, decimal_format)));
        }
        SchemaKind::Map { key, value } => {
            obj.insert("keys".into(), Json::Object(write(key, decimal_format)));
            obj.insert("values".into(), Json::Object(write(value, decimal_format)));
        }
        SchemaKind::Struct(fields) => {
            let fields = fields
                .iter()
                .map(|f| {
                    let mut field = write(&f.schema, decimal_format);
                    field.insert("field".into(), f.name.clone().into());
                    Json::Object(field)
                })
                .collect();
            obj.insert("fields".into(), Json::Array(fields));
        }
        _ => {}
    }
    obj.insert("optional".into(), schema.optional.into());
    if let Some(name) = &schema.name {
        obj.insert("name".into(), name.clone().into());
    }
    if let Some(version) = schema.version {
        obj.insert("version".into(), version.into());
    }
    if let Some(doc) = &schema.doc {
        obj.insert("doc".into(), doc.clone().into());
    }
    if !schema.parameters.is_empty() {
        let params = schema
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), Json::String(v.clone())))
            .collect();
        obj.insert("parameters".into(), Json::Object(params));
    }
    if let Some(default) = schema.default.as_ref().filter(|d| !d.is_null()) {
        let ctx = EncCtx::lenient(decimal_format);
        let enc = Enc {
            value: default,
            schema: Some(schema),
            ctx: &ctx,
        };
        // Lenient encoding does not fail; a NaN default becomes the string "NaN".
        if let Ok(json) = serde_json::to_value(&enc) {
            obj.insert("default".into(), json);
        }
    }
    obj
}
