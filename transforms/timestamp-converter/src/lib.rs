//! TimestampConverter, as Kafka Connect's
//! `org.apache.kafka.connect.transforms.TimestampConverter`: converts a timestamp field
//! (`field`, a dotted path; empty: the whole key or value) between `string` (with a
//! `java.text.SimpleDateFormat` pattern, `format`), `unix` (an int64 in
//! `unix.precision`), and Connect's `Date`, `Time` and `Timestamp`, in UTC. The source
//! type comes from the schema (a logical type's name, else string or int64) or, without
//! one, from the value (int64: unix, string: string). A null stays null.

use sluice_sdk::date_format::DateFormat;
use sluice_sdk::logical;
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, SchemaTree, Tree, Value, path};

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    String,
    Unix,
    Date,
    Time,
    Timestamp,
}

const DAY_MS: i64 = 86_400_000;

struct TimestampConverter {
    part: Part,
    field: Vec<String>,
    target: Kind,
    format: Option<DateFormat>,
    /// Units per millisecond as (multiplier, divisor).
    precision: (i64, i64),
    replace_null_with_default: bool,
}

impl Transform for TimestampConverter {
    fn describe() -> Vec<Property> {
        vec![
            Property::string(
                "field",
                Some(""),
                "The field holding the timestamp (a dotted path reaches a nested one), or empty if the whole key or value is the timestamp.",
            ),
            Property::string(
                "target.type",
                None,
                "The timestamp representation to convert to: string, unix, Date, Time or Timestamp.",
            ),
            Property::string(
                "format",
                Some(""),
                "A SimpleDateFormat pattern: the output when target.type=string, and how string inputs are parsed.",
            ),
            Property::string(
                "unix.precision",
                Some("milliseconds"),
                "The unit of unix timestamps, in and out: seconds, milliseconds, microseconds or nanoseconds.",
            ),
            Property::boolean(
                "replace.null.with.default",
                Some("true"),
                "Whether a null field whose schema has a default gets the default.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record to convert: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let target = match config.required("target.type")?.trim() {
            "string" => Kind::String,
            "unix" => Kind::Unix,
            "Date" => Kind::Date,
            "Time" => Kind::Time,
            "Timestamp" => Kind::Timestamp,
            other => {
                return Err(Error::InvalidConfig(format!(
                    "`target.type` must be one of string, unix, Date, Time, Timestamp (not `{other}`)"
                )));
            }
        };
        let format = match config.get("format").map(str::trim).unwrap_or("") {
            "" => None,
            p => Some(
                DateFormat::parse(p).map_err(|m| Error::InvalidConfig(format!("`format`: {m}")))?,
            ),
        };
        if target == Kind::String && format.is_none() {
            return Err(Error::InvalidConfig(
                "`format` must be set when `target.type` is string".into(),
            ));
        }
        let precision = match config
            .get("unix.precision")
            .map(str::trim)
            .unwrap_or("milliseconds")
        {
            "seconds" => (1, 1000),
            "milliseconds" => (1, 1),
            "microseconds" => (1000, 1),
            "nanoseconds" => (1_000_000, 1),
            other => {
                return Err(Error::InvalidConfig(format!(
                    "`unix.precision` must be one of seconds, milliseconds, microseconds, nanoseconds (not `{other}`)"
                )));
            }
        };
        let field = path(config.get("field").map(str::trim).unwrap_or(""));
        if field.iter().any(String::is_empty) {
            return Err(Error::InvalidConfig("`field` has an empty name".into()));
        }
        Ok(TimestampConverter {
            part: config.part()?,
            field,
            target,
            format,
            precision,
            replace_null_with_default: config.boolean("replace.null.with.default", true)?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let mut schemas = SchemaMemo::default();
        for i in 0..batch.len() {
            let tree = Tree::from_data(&batch.get(i, self.part)).map_err(Error::Fatal)?;
            let out = match &tree.schema {
                None => self.schemaless(tree.value).map(|value| Tree {
                    schema: None,
                    value,
                }),
                Some(schema) => schemas
                    .get_or_try(schema, |s| self.new_schema(s))
                    .cloned()
                    .and_then(|(new, source, default, route)| {
                        let value = Self::convert_at(&route, tree.value, &|v| {
                            let v = match (&v, &default) {
                                (Value::Null, Some(d)) if self.replace_null_with_default => {
                                    Value::from(d.clone())
                                }
                                _ => v,
                            };
                            self.convert(source, v)
                        })?;
                        Ok(Tree {
                            schema: Some(new),
                            value,
                        })
                    }),
            };
            let set = out.and_then(|out| batch.set(i, self.part, &out.to_data()));
            if let Err(m) = set {
                batch.reject(i, &format!("timestamp-converter: {m}"));
            }
        }
        Ok(())
    }
}

impl TimestampConverter {
    /// The schema after the conversion, the source kind and the field's default, once
    /// per distinct schema.
    #[allow(clippy::type_complexity)]
    fn new_schema(
        &self,
        s: &SchemaTree,
    ) -> Result<(SchemaTree, Kind, Option<Scalar>, Vec<usize>), String> {
        let mut out = s.clone();
        let mut slot = &mut out;
        let mut route = Vec::new();
        for name in &self.field {
            if slot.type_ != SchemaType::Struct {
                return Err(format!("`{}` needs a struct", self.field.join(".")));
            }
            let i = slot
                .field_names
                .iter()
                .position(|f| f == name)
                .ok_or_else(|| format!("no field `{}`", self.field.join(".")))?;
            route.push(i);
            slot = &mut slot.children[i];
        }
        let source = kind_of_schema(slot)?;
        let default = slot.default_value.clone();
        *slot = target_schema(self.target, slot.optional);
        Ok((out, source, default, route))
    }

    /// `value` with the field at `route` (field indices, one per struct on the way)
    /// replaced by `f` of it; a null struct on the way stays null.
    fn convert_at(
        route: &[usize],
        value: Value,
        f: &dyn Fn(Value) -> Result<Value, String>,
    ) -> Result<Value, String> {
        let Some((i, rest)) = route.split_first() else {
            return f(value);
        };
        Ok(match value {
            Value::Struct(mut fields) if *i < fields.len() => {
                let v = std::mem::replace(&mut fields[*i], Value::Null);
                fields[*i] = Self::convert_at(rest, v, f)?;
                Value::Struct(fields)
            }
            other => other,
        })
    }

    fn schemaless(&self, value: Value) -> Result<Value, String> {
        let convert = |v: Value| -> Result<Value, String> {
            if v.is_null() {
                return Ok(v);
            }
            let source = match &v {
                Value::Int64(_) => Kind::Unix,
                Value::String(_) => Kind::String,
                other => {
                    return Err(format!(
                        "a {} is no timestamp (without a schema: int64 or string)",
                        other.kind()
                    ));
                }
            };
            self.convert(source, v)
        };
        if self.field.is_empty() {
            return convert(value);
        }
        if value.is_null() {
            return Ok(value);
        }
        let mut value = value;
        let mut slot = &mut value;
        for (depth, name) in self.field.iter().enumerate() {
            let Value::Map(entries) = slot else {
                if depth == 0 {
                    return Err(format!(
                        "needs a map when there is no schema, found a {}",
                        slot.kind()
                    ));
                }
                return Ok(value);
            };
            match entries
                .iter_mut()
                .find(|(k, _)| matches!(k, Value::String(s) if s == name))
            {
                Some((_, v)) => slot = v,
                None => return Ok(value),
            }
        }
        let old = std::mem::replace(slot, Value::Null);
        *slot = convert(old)?;
        Ok(value)
    }

    fn convert(&self, source: Kind, v: Value) -> Result<Value, String> {
        if v.is_null() {
            return Ok(v);
        }
        let millis = match (source, &v) {
            (Kind::String, Value::String(s)) => self
                .format
                .as_ref()
                .ok_or("a string timestamp needs `format` to be parsed")?
                .read(s)?,
            (Kind::Unix, Value::Int64(n)) => {
                let (mul, div) = self.precision;
                n / mul * div
            }
            (Kind::Date, Value::Int32(days)) => i64::from(*days) * DAY_MS,
            (Kind::Time, Value::Int32(ms)) => i64::from(*ms),
            (Kind::Timestamp, Value::Int64(ms)) => *ms,
            (kind, other) => return Err(format!("a {} is no {kind:?} timestamp", other.kind())),
        };
        Ok(match self.target {
            Kind::String => Value::String(
                self.format
                    .as_ref()
                    .expect("checked at configure")
                    .format(millis),
            ),
            Kind::Unix => {
                let (mul, div) = self.precision;
                Value::Int64(millis.saturating_mul(mul) / div)
            }
            Kind::Date => Value::Int32(millis.div_euclid(DAY_MS) as i32),
            Kind::Time => Value::Int32(millis.rem_euclid(DAY_MS) as i32),
            Kind::Timestamp => Value::Int64(millis),
        })
    }
}

fn kind_of_schema(s: &SchemaTree) -> Result<Kind, String> {
    Ok(match (s.name.as_deref(), s.type_) {
        (Some(logical::TIMESTAMP), _) => Kind::Timestamp,
        (Some(logical::DATE), _) => Kind::Date,
        (Some(logical::TIME), _) => Kind::Time,
        (_, SchemaType::String) => Kind::String,
        (_, SchemaType::Int64) => Kind::Unix,
        _ => {
            return Err(
                "the schema is no timestamp (Date, Time, Timestamp, string or int64)".into(),
            );
        }
    })
}

/// The schema of a converted timestamp: Connect's logical schemas carry version 1.
fn target_schema(target: Kind, optional: bool) -> SchemaTree {
    let logical = |t, name: &str| {
        let mut s = SchemaTree::of(t, optional);
        s.name = Some(name.to_string());
        s.version = Some(1);
        s
    };
    match target {
        Kind::String => SchemaTree::of(SchemaType::String, optional),
        Kind::Unix => SchemaTree::of(SchemaType::Int64, optional),
        Kind::Date => logical(SchemaType::Int32, logical::DATE),
        Kind::Time => logical(SchemaType::Int32, logical::TIME),
        Kind::Timestamp => logical(SchemaType::Int64, logical::TIMESTAMP),
    }
}

sluice_sdk::export_transform!(TimestampConverter);
