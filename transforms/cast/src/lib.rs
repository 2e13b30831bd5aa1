//! Cast, as Kafka Connect's `org.apache.kafka.connect.transforms.Cast`: casts fields
//! (`spec=f1:int32,customer.zip:string`; nested paths allowed) or the whole key or value
//! (`spec=int64`) to int8, int16, int32, int64, float32, float64, boolean or string, in
//! structs with a schema (the field's schema changes with it) and in schemaless maps.
//! Integers, floats, booleans and strings cast to any of those; bytes only to string
//! (base64). Numbers narrow as Java's do (integers wrap, floats truncate and saturate);
//! strings parse; Date, Time and Timestamp cast to string render as Connect renders them
//! (UTC). A null key or value, and a null field, stay null.
use sluice_sdk::logical;
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, SchemaTree, Tree, Value, path, type_name};

struct Cast {
    part: Part,
    /// `spec` with one bare type: cast the whole key or value.
    whole: Option<SchemaType>,
    /// (field path, type) pairs.
    fields: Vec<(Vec<String>, SchemaType)>,
    replace_null_with_default: bool,
}

const OUTPUT_TYPES: &str = "int8, int16, int32, int64, float32, float64, boolean, string";

fn target_type(name: &str) -> Option<SchemaType> {
    Some(match name.trim().to_ascii_lowercase().as_str() {
        "int8" => SchemaType::Int8,
        "int16" => SchemaType::Int16,
        "int32" => SchemaType::Int32,
        "int64" => SchemaType::Int64,
        "float32" => SchemaType::Float32,
        "float64" => SchemaType::Float64,
        "boolean" => SchemaType::Boolean,
        "string" => SchemaType::String,
        _ => return None,
    })
}

impl Transform for Cast {
    fn describe() -> Vec<Property> {
        vec![
            Property::list(
                "spec",
                None,
                "Fields and the type to cast them to, as `field:type,…` (dotted paths reach nested fields), or one type to cast the whole key or value. Types: int8, int16, int32, int64, float32, float64, boolean, string.",
            ),
            Property::boolean(
                "replace.null.with.default",
                Some("true"),
                "Whether a null field whose schema has a default gets the default.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record to cast: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let spec = config.list("spec");
        if spec.is_empty() {
            return Err(Error::InvalidConfig(
                "`spec` must name at least one field to cast, or one type for the whole value"
                    .into(),
            ));
        }
        let bad = |m: String| Error::InvalidConfig(format!("`spec`: {m}"));
        let unknown = |t: &str| {
            bad(format!(
                "cannot cast to `{}`; the types are {OUTPUT_TYPES}",
                t.trim()
            ))
        };
        let mut whole = None;
        let mut fields = Vec::new();
        for entry in &spec {
            match entry.split(':').collect::<Vec<_>>()[..] {
                [ty] => whole = Some(target_type(ty).ok_or_else(|| unknown(ty))?),
                [field, ty] => {
                    let field = path(field.trim());
                    if field.is_empty() || field.iter().any(String::is_empty) {
                        return Err(bad(format!("`{entry}` has an empty field name")));
                    }
                    fields.push((field, target_type(ty).ok_or_else(|| unknown(ty))?));
                }
                _ => return Err(bad(format!("`{entry}` is not `field:type` or `type`"))),
            }
        }
        if whole.is_some() && spec.len() > 1 {
            return Err(bad(
                "a type for the whole value must be the only entry of the spec".into(),
            ));
        }
        Ok(Cast {
            part: config.part()?,
            whole,
            fields,
            replace_null_with_default: config.boolean("replace.null.with.default", true)?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        if self.cast_columns(batch) {
            return Ok(());
        }
        let mut schemas = SchemaMemo::default();
        for i in 0..batch.len() {
            let tree = Tree::from_data(&batch.get(i, self.part)).map_err(Error::Fatal)?;
            if tree.value.is_null() {
                continue;
            }
            let cast = match &tree.schema {
                None => self.cast_schemaless(tree.value).map(|value| Tree {
                    schema: None,
                    value,
                }),
                Some(schema) => schemas
                    .get_or_try(schema, |s| self.new_schema(s))
                    .cloned()
                    .and_then(|new| {
                        let value = match self.whole {
                            Some(t) => cast_value(schema, &tree.value, t)?,
                            None => self.cast_struct(&mut Vec::new(), schema, tree.value)?,
                        };
                        Ok(Tree {
                            schema: Some(new),
                            value,
                        })
                    }),
            };
            match cast {
                Ok(out) => {
                    if let Err(m) = batch.set(i, self.part, &out.to_data()) {
                        batch.reject(i, &format!("cast: {m}"));
                    }
                }
                Err(message) => batch.reject(i, &format!("cast: {message}")),
            }
        }
        Ok(())
    }
}

impl Cast {
    /// The fast path for the usual schemaless batch (JSON without schemas): each cast
    /// field read and written as one column for the whole batch, instead of every
    /// record's whole value through `get` and `set` (about 15 times cheaper per record,
    /// docs/benchmarks.md). Taken only where it gives exactly what the per-record path
    /// gives: no record has a schema, and every cast field is present, non-null and
    /// castable in every record (an absent field stays absent per record, which a
    /// column write cannot say, and a failed cast rejects only its record). `false`:
    /// nothing was changed, the per-record path does it all.
    fn cast_columns(&self, batch: &Batch) -> bool {
        if self.whole.is_some() || batch.len() == 0 {
            return false;
        }
        // A record with a schema changes schema when cast: the per-record path's work.
        if batch.any_schema(self.part) {
            return false;
        }
        let mut columns = Vec::with_capacity(self.fields.len());
        for (field, t) in &self.fields {
            let path = field.join(".");
            let Ok(values) = batch.get_column(self.part, &path) else {
                return false;
            };
            let mut cast = Vec::with_capacity(values.len());
            for scalar in values {
                let value = Value::from(scalar);
                let Ok(source) = schema_type_of(&value) else {
                    return false; // null: absent or null, told apart per record only
                };
                let Some(out) = cast_value(&SchemaTree::of(source, true), &value, *t)
                    .ok()
                    .and_then(|v| v.to_scalar())
                else {
                    return false;
                };
                cast.push(out);
            }
            columns.push((path, cast));
        }
        // Every column casts: only now is anything written.
        columns
            .iter()
            .all(|(path, values)| batch.set_column(self.part, path, values).is_ok())
    }

    fn spec_of(&self, at: &[String]) -> Option<SchemaType> {
        self.fields.iter().find(|(p, _)| p == at).map(|(_, t)| *t)
    }

    fn reaches_below(&self, at: &[String]) -> bool {
        self.fields
            .iter()
            .any(|(p, _)| p.len() > at.len() && p.starts_with(at))
    }

    /// The schema after the cast, made once per distinct input schema.
    fn new_schema(&self, s: &SchemaTree) -> Result<SchemaTree, String> {
        if let Some(t) = self.whole {
            // Connect keeps the name, version, doc and parameters of a whole value it
            // casts; a logical type's name would no longer be true, so it goes.
            let mut out = cast_leaf_schema(s, t, "the value")?;
            if !s.name.as_deref().is_some_and(logical::is_logical) {
                out.name.clone_from(&s.name);
                out.version = s.version;
                out.doc.clone_from(&s.doc);
                out.parameters.clone_from(&s.parameters);
            }
            return Ok(out);
        }
        if s.type_ != SchemaType::Struct {
            return Err(format!(
                "casting fields needs a struct, found a {} schema",
                type_name(s.type_)
            ));
        }
        self.struct_schema(&mut Vec::new(), s)
    }

    fn struct_schema(&self, at: &mut Vec<String>, s: &SchemaTree) -> Result<SchemaTree, String> {
        let mut out = s.clone();
        for (name, child) in out.field_names.iter().zip(out.children.iter_mut()) {
            at.push(name.clone());
            if let Some(t) = self.spec_of(at) {
                *child = cast_leaf_schema(child, t, &at.join("."))?;
            } else if child.type_ == SchemaType::Struct && self.reaches_below(at) {
                *child = self.struct_schema(at, child)?;
            }
            at.pop();
        }
        Ok(out)
    }

    /// The struct at `at`, cast; `s` is its (input) schema.
    fn cast_struct(&self, at: &mut Vec<String>, s: &SchemaTree, v: Value) -> Result<Value, String> {
        let Value::Struct(mut values) = v else {
            return Ok(v); // a null optional struct
        };
        for (i, (name, child)) in s.field_names.iter().zip(&s.children).enumerate() {
            let mut value = std::mem::replace(&mut values[i], Value::Null);
            if value.is_null()
                && self.replace_null_with_default
                && let Some(d) = &child.default_value
            {
                value = Value::from(d.clone());
            }
            at.push(name.clone());
            values[i] = if let Some(t) = self.spec_of(at) {
                cast_value(child, &value, t)?
            } else if child.type_ == SchemaType::Struct && self.reaches_below(at) {
                self.cast_struct(at, child, value)?
            } else {
                value
            };
            at.pop();
        }
        Ok(Value::Struct(values))
    }

    fn cast_schemaless(&self, v: Value) -> Result<Value, String> {
        if let Some(t) = self.whole {
            return cast_value(&SchemaTree::of(schema_type_of(&v)?, true), &v, t);
        }
        if !matches!(v, Value::Map(_)) {
            return Err(format!(
                "casting fields needs a map when there is no schema, found a {}",
                v.kind()
            ));
        }
        let mut v = v;
        for (field, t) in &self.fields {
            // A field the map lacks stays absent; a parent that is not a map ends the path.
            let Some(slot) = map_slot(&mut v, field) else {
                continue;
            };
            if slot.is_null() {
                continue;
            }
            let cast = cast_value(&SchemaTree::of(schema_type_of(slot)?, true), slot, *t)
                .map_err(|m| format!("field `{}`: {m}", field.join(".")))?;
            *slot = cast;
        }
        Ok(v)
    }
}

fn map_slot<'v>(v: &'v mut Value, field: &[String]) -> Option<&'v mut Value> {
    let mut current = v;
    for name in field {
        let Value::Map(entries) = current else {
            return None;
        };
        current = entries
            .iter_mut()
            .find(|(k, _)| matches!(k, Value::String(s) if s == name))
            .map(|(_, v)| v)?;
    }
    Some(current)
}

/// The type a schemaless value has.
fn schema_type_of(v: &Value) -> Result<SchemaType, String> {
    Ok(match v {
        Value::Boolean(_) => SchemaType::Boolean,
        Value::Int8(_) => SchemaType::Int8,
        Value::Int16(_) => SchemaType::Int16,
        Value::Int32(_) => SchemaType::Int32,
        Value::Int64(_) => SchemaType::Int64,
        Value::Float32(_) => SchemaType::Float32,
        Value::Float64(_) => SchemaType::Float64,
        Value::String(_) => SchemaType::String,
        Value::Bytes(_) => SchemaType::Bytes,
        other => return Err(format!("cannot cast a {}", other.kind())),
    })
}

/// The schema of a field cast to `t`: Connect builds it afresh (so a logical type's
/// name goes), keeping only whether it is optional and its default, cast too.
fn cast_leaf_schema(s: &SchemaTree, t: SchemaType, what: &str) -> Result<SchemaTree, String> {
    if !matches!(
        s.type_,
        SchemaType::Int8
            | SchemaType::Int16
            | SchemaType::Int32
            | SchemaType::Int64
            | SchemaType::Float32
            | SchemaType::Float64
            | SchemaType::Boolean
            | SchemaType::String
            | SchemaType::Bytes
    ) {
        return Err(format!("cannot cast `{what}`, a {}", type_name(s.type_)));
    }
    if s.type_ == SchemaType::Bytes
        && t != SchemaType::String
        && s.name.as_deref() != Some(logical::DECIMAL)
    {
        return Err(format!("`{what}` is bytes, which casts to string only"));
    }
    let mut out = SchemaTree::of(t, s.optional);
    if let Some(d) = &s.default_value {
        let d = cast_value(s, &Value::from(d.clone()), t)
            .map_err(|m| format!("the default of `{what}`: {m}"))?;
        out.default_value = d.to_scalar();
    }
    Ok(out)
}

/// A number as the cast's source: integers exactly, floats as they are.
enum Num {
    Int(i128),
    Float(f64),
}

/// `v` (of schema `s`) cast to `t`.
fn cast_value(s: &SchemaTree, v: &Value, t: SchemaType) -> Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    let name = s.name.as_deref();
    if t == SchemaType::String {
        return Ok(Value::String(match (name, v) {
            (Some(logical::DATE), Value::Int32(d)) => logical::format_date(i64::from(*d)),
            (Some(logical::TIME), Value::Int32(ms)) => logical::format_time(i64::from(*ms)),
            (Some(logical::TIMESTAMP), Value::Int64(ms)) => logical::format_timestamp(*ms),
            (Some(logical::DECIMAL), Value::Bytes(b)) => {
                logical::format_decimal(decimal(b)?, scale(s)?)
            }
            (_, Value::Bytes(b)) => base64(b),
            (_, Value::Boolean(b)) => b.to_string(),
            (_, Value::String(s)) => s.clone(),
            (_, Value::Float32(f)) => java_float(f64::from(*f), true),
            (_, Value::Float64(f)) => java_float(*f, false),
            (_, other) => match number(other) {
                Some(Num::Int(i)) => i.to_string(),
                _ => return Err(format!("cannot cast a {}", other.kind())),
            },
        }));
    }
    let n = match v {
        Value::Boolean(b) => Num::Int(i128::from(*b)),
        Value::String(text) => return parse(text, t),
        Value::Bytes(b) if name == Some(logical::DECIMAL) => {
            let (unscaled, scale) = (decimal(b)?, scale(s)?);
            if scale <= 0 {
                Num::Int(unscaled.saturating_mul(10i128.saturating_pow(scale.unsigned_abs())))
            } else if matches!(t, SchemaType::Float32 | SchemaType::Float64) {
                Num::Float(unscaled as f64 / 10f64.powi(scale))
            } else {
                Num::Int(unscaled / 10i128.saturating_pow(scale as u32))
            }
        }
        Value::Bytes(_) => return Err("bytes cast to string only".into()),
        other => number(other).ok_or_else(|| format!("cannot cast a {}", other.kind()))?,
    };
    Ok(from_number(n, t))
}

fn number(v: &Value) -> Option<Num> {
    Some(match v {
        Value::Int8(i) => Num::Int(i128::from(*i)),
        Value::Int16(i) => Num::Int(i128::from(*i)),
        Value::Int32(i) => Num::Int(i128::from(*i)),
        Value::Int64(i) => Num::Int(i128::from(*i)),
        Value::Float32(f) => Num::Float(f64::from(*f)),
        Value::Float64(f) => Num::Float(*f),
        _ => return None,
    })
}

/// Java's narrowing: integers keep their low bits (`as` on integers), floats go to
/// `long` first, truncating and saturating (`as` on floats), then narrow.
fn from_number(n: Num, t: SchemaType) -> Value {
    let int = || match n {
        Num::Int(i) => i as i64,
        Num::Float(f) => f as i64,
    };
    match t {
        SchemaType::Int8 => Value::Int8(match n {
            Num::Float(f) => f as i32 as i8,
            _ => int() as i8,
        }),
        SchemaType::Int16 => Value::Int16(match n {
            Num::Float(f) => f as i32 as i16,
            _ => int() as i16,
        }),
        SchemaType::Int32 => Value::Int32(match n {
            Num::Float(f) => f as i32,
            _ => int() as i32,
        }),
        SchemaType::Int64 => Value::Int64(int()),
        SchemaType::Float32 => Value::Float32(match n {
            Num::Int(i) => i as f32,
            Num::Float(f) => f as f32,
        }),
        SchemaType::Float64 => Value::Float64(match n {
            Num::Int(i) => i as f64,
            Num::Float(f) => f,
        }),
        // Connect: `Number.longValue() != 0`, so 0.5 is false.
        _ => Value::Boolean(int() != 0),
    }
}

/// A string parsed as Java's `Byte.parseByte`, …, `Double.parseDouble`,
/// `Boolean.parseBoolean` parse it.
fn parse(text: &str, t: SchemaType) -> Result<Value, String> {
    let bad = || format!("`{text}` is not a valid {}", type_name(t));
    Ok(match t {
        SchemaType::Int8 => Value::Int8(text.parse().map_err(|_| bad())?),
        SchemaType::Int16 => Value::Int16(text.parse().map_err(|_| bad())?),
        SchemaType::Int32 => Value::Int32(text.parse().map_err(|_| bad())?),
        SchemaType::Int64 => Value::Int64(text.parse().map_err(|_| bad())?),
        SchemaType::Float32 => Value::Float32(java_number(text).ok_or_else(bad)? as f32),
        SchemaType::Float64 => Value::Float64(java_number(text).ok_or_else(bad)?),
        // Anything but "true" (any case) is false.
        _ => Value::Boolean(text.eq_ignore_ascii_case("true")),
    })
}

/// Java's float syntax: surrounding whitespace, `NaN`, `Infinity` and an `f`/`d`
/// suffix are allowed.
fn java_number(text: &str) -> Option<f64> {
    let t = text.trim();
    match t.trim_start_matches(['+', '-']) {
        "NaN" => return Some(f64::NAN),
        "Infinity" => {
            return Some(if t.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "inf" | "infinity" | "nan" => return None,
        _ => {}
    }
    t.strip_suffix(['f', 'F', 'd', 'D'])
        .unwrap_or(t)
        .parse()
        .ok()
}

/// A float as Java's `Float.toString` / `Double.toString` write it: `1.0`, `0.001`,
/// `1.0E7`, `1.0E-4`, `NaN`, `Infinity`.
fn java_float(f: f64, single: bool) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let shortest = |exp: bool| match (single, exp) {
        (true, false) => format!("{:?}", f as f32),
        (true, true) => format!("{:e}", f as f32),
        (false, false) => format!("{f:?}"),
        (false, true) => format!("{f:e}"),
    };
    let a = f.abs();
    if a == 0.0 || (1e-3..1e7).contains(&a) {
        // In this range `{:?}` writes no exponent and always a fraction, as Java does.
        return shortest(false);
    }
    let s = shortest(true);
    let (mantissa, exp) = s.split_once('e').expect("an exponent");
    let mantissa = if mantissa.contains('.') {
        mantissa.to_string()
    } else {
        format!("{mantissa}.0")
    };
    format!("{mantissa}E{exp}")
}

fn decimal(b: &[u8]) -> Result<i128, String> {
    logical::decimal_unscaled(b).ok_or_else(|| "a Decimal of more than 16 bytes".to_string())
}

fn scale(s: &SchemaTree) -> Result<i32, String> {
    s.parameters
        .iter()
        .find(|(k, _)| k == "scale")
        .and_then(|(_, v)| v.parse().ok())
        .ok_or_else(|| "a Decimal without a `scale` parameter".to_string())
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

sluice_sdk::export_transform!(Cast);
