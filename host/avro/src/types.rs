//! An Avro schema as a tree, read from its JSON text with every attribute Sluice needs.
//!
//! apache-avro parses and validates schemas (and does the binary encoding), but its
//! parsed form drops the attributes of primitive types and keeps named types as
//! references. Confluent's converter puts meaning into exactly those attributes
//! (`connect.type` on an `int` says int8 or int16, `connect.name`, `connect.parameters`,
//! …), and mapping to Kafka Connect's schemas is a walk over a tree. So the same JSON
//! is read a second time here, into a tree in which a named type's later uses share
//! its definition.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value as Json};

/// One node of an Avro schema.
#[derive(Debug, Clone, PartialEq)]
pub enum AvroType {
    /// `null`.
    Null,
    /// `boolean`.
    Boolean,
    /// `int`; `connect_type` is Confluent's `connect.type` attribute (`int8`, `int16`).
    Int {
        /// `connect.type`, when given.
        connect_type: Option<String>,
    },
    /// `long`.
    Long,
    /// `float`.
    Float,
    /// `double`.
    Double,
    /// `bytes`.
    Bytes,
    /// `string`.
    String,
    /// A record.
    Record(Arc<Record>),
    /// An enum.
    Enum(Arc<Enum>),
    /// An array.
    Array(Box<AvroType>),
    /// A map (string keys).
    Map(Box<AvroType>),
    /// A union of its branches, in order.
    Union(Vec<AvroType>),
    /// A fixed-size byte string.
    Fixed(Arc<Fixed>),
    /// The `decimal` logical type, on `bytes` or `fixed`.
    Decimal {
        /// Total digits.
        precision: u32,
        /// Digits after the point.
        scale: u32,
        /// The fixed type carrying it, or `None` for `bytes`.
        fixed: Option<Arc<Fixed>>,
    },
    /// A logical type on `int` or `long` that Sluice maps to Kafka Connect's temporal
    /// types.
    Temporal(Temporal),
}

/// The temporal logical types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Temporal {
    /// `date` (int days).
    Date,
    /// `time-millis` (int).
    TimeMillis,
    /// `time-micros` (long).
    TimeMicros,
    /// `timestamp-millis` (long).
    TimestampMillis,
    /// `timestamp-micros` (long).
    TimestampMicros,
}

/// A named type's identity and the attributes Confluent's converter writes.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Named {
    /// The full name (`com.acme.Order`).
    pub full_name: String,
    /// `doc`.
    pub doc: Option<String>,
    /// Every attribute that is not part of Avro's own grammar (`connect.name`, …).
    pub attributes: Map<String, Json>,
}

/// A record type.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Name, doc and attributes.
    pub named: Named,
    /// Fields in order.
    pub fields: Vec<Field>,
}

/// A record's field.
#[derive(Debug, Clone, PartialEq)]
pub struct Field {
    /// The field's name.
    pub name: String,
    /// Its type.
    pub ty: AvroType,
    /// Its default, as JSON (Avro's encoding of defaults).
    pub default: Option<Json>,
    /// `doc`.
    pub doc: Option<String>,
}

/// An enum type.
#[derive(Debug, Clone, PartialEq)]
pub struct Enum {
    /// Name, doc and attributes.
    pub named: Named,
    /// Its symbols, in order.
    pub symbols: Vec<String>,
}

/// A fixed type.
#[derive(Debug, Clone, PartialEq)]
pub struct Fixed {
    /// Name, doc and attributes.
    pub named: Named,
    /// Its size in bytes.
    pub size: usize,
}

/// Why a schema's JSON cannot be read into a tree. apache-avro has validated it by
/// then, so this is about what Sluice does not support (recursive types).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TypeError(pub String);

/// Attributes that are Avro's own grammar, not extra attributes.
const GRAMMAR: [&str; 11] = [
    "type",
    "name",
    "namespace",
    "doc",
    "fields",
    "symbols",
    "items",
    "values",
    "size",
    "aliases",
    "default",
];

impl AvroType {
    /// Reads a schema's JSON (already validated by apache-avro) into a tree.
    pub fn from_json(schema: &Json) -> Result<AvroType, TypeError> {
        Reader::default().read(schema, "")
    }

    /// The branch that is not `null` when this is a union of `null` and one other type.
    pub fn nullable_branch(&self) -> Option<(usize, &AvroType)> {
        match self {
            AvroType::Union(branches) if branches.len() == 2 => {
                match (&branches[0], &branches[1]) {
                    (AvroType::Null, other) if *other != AvroType::Null => Some((1, other)),
                    (other, AvroType::Null) if *other != AvroType::Null => Some((0, other)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The name Confluent gives a union branch's field: the type's name for primitives,
    /// the simple name for named types.
    pub fn branch_name(&self) -> String {
        fn simple(full: &str) -> String {
            full.rsplit('.').next().unwrap_or(full).to_owned()
        }
        match self {
            AvroType::Null => "null".into(),
            AvroType::Boolean => "boolean".into(),
            AvroType::Int { .. } | AvroType::Temporal(Temporal::Date | Temporal::TimeMillis) => {
                "int".into()
            }
            AvroType::Long | AvroType::Temporal(_) => "long".into(),
            AvroType::Float => "float".into(),
            AvroType::Double => "double".into(),
            AvroType::Bytes | AvroType::Decimal { fixed: None, .. } => "bytes".into(),
            AvroType::String => "string".into(),
            AvroType::Record(r) => simple(&r.named.full_name),
            AvroType::Enum(e) => simple(&e.named.full_name),
            AvroType::Fixed(f) | AvroType::Decimal { fixed: Some(f), .. } => {
                simple(&f.named.full_name)
            }
            AvroType::Array(_) => "array".into(),
            AvroType::Map(_) => "map".into(),
            AvroType::Union(_) => "union".into(),
        }
    }
}

/// Named types seen so far, for later references; and the records being read, to
/// refuse recursion (Kafka Connect's schemas cannot express it).
#[derive(Default)]
struct Reader {
    names: HashMap<String, AvroType>,
    open: Vec<String>,
}

impl Reader {
    fn read(&mut self, json: &Json, namespace: &str) -> Result<AvroType, TypeError> {
        match json {
            Json::String(name) => self.by_name(name, namespace),
            Json::Array(branches) => Ok(AvroType::Union(
                branches
                    .iter()
                    .map(|b| self.read(b, namespace))
                    .collect::<Result<_, _>>()?,
            )),
            Json::Object(object) => self.complex(object, namespace),
            other => Err(TypeError(format!("not an Avro schema: {other}"))),
        }
    }

    fn by_name(&mut self, name: &str, namespace: &str) -> Result<AvroType, TypeError> {
        if let Some(primitive) = primitive(name) {
            return Ok(primitive);
        }
        let full = full_name(name, None, namespace);
        if self.open.contains(&full) {
            return Err(TypeError(format!(
                "the Avro type {full} refers to itself; recursive types have no Kafka \
                 Connect schema, so Sluice cannot read them"
            )));
        }
        self.names
            .get(&full)
            .or_else(|| self.names.get(name))
            .cloned()
            .ok_or_else(|| TypeError(format!("unknown Avro type {full}")))
    }

    fn complex(&mut self, o: &Map<String, Json>, namespace: &str) -> Result<AvroType, TypeError> {
        let ty = o
            .get("type")
            .ok_or_else(|| TypeError("no \"type\"".into()))?;
        let logical = o.get("logicalType").and_then(Json::as_str);
        let ty_name = match ty {
            Json::String(t) => t.as_str(),
            // `{"type": {...}}` or `{"type": [...]}`: a wrapped schema.
            nested => return self.read(nested, namespace),
        };
        let named = |this: &Reader| -> Named {
            let _ = this;
            Named {
                full_name: full_name(
                    o.get("name").and_then(Json::as_str).unwrap_or(""),
                    o.get("namespace").and_then(Json::as_str),
                    namespace,
                ),
                doc: o.get("doc").and_then(Json::as_str).map(str::to_owned),
                attributes: o
                    .iter()
                    .filter(|(k, _)| !GRAMMAR.contains(&k.as_str()))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect(),
            }
        };
        let out = match ty_name {
            "record" | "error" => {
                let named = named(self);
                let inner_ns = enclosing_namespace(&named.full_name);
                self.open.push(named.full_name.clone());
                let fields = o
                    .get("fields")
                    .and_then(Json::as_array)
                    .map(Vec::as_slice)
                    .unwrap_or_default()
                    .iter()
                    .map(|f| self.field(f, &inner_ns))
                    .collect::<Result<Vec<_>, _>>();
                self.open.pop();
                let record = AvroType::Record(Arc::new(Record {
                    named,
                    fields: fields?,
                }));
                self.define(&record);
                record
            }
            "enum" => {
                let e = AvroType::Enum(Arc::new(Enum {
                    named: named(self),
                    symbols: o
                        .get("symbols")
                        .and_then(Json::as_array)
                        .map(|s| {
                            s.iter()
                                .filter_map(Json::as_str)
                                .map(str::to_owned)
                                .collect()
                        })
                        .unwrap_or_default(),
                }));
                self.define(&e);
                e
            }
            "fixed" => {
                let fixed = Arc::new(Fixed {
                    named: named(self),
                    size: o.get("size").and_then(Json::as_u64).unwrap_or(0) as usize,
                });
                let f = AvroType::Fixed(fixed.clone());
                self.define(&f);
                if logical == Some("decimal") {
                    return Ok(decimal(o, Some(fixed)));
                }
                f
            }
            "array" => AvroType::Array(Box::new(
                self.read(o.get("items").unwrap_or(&Json::Null), namespace)?,
            )),
            "map" => AvroType::Map(Box::new(
                self.read(o.get("values").unwrap_or(&Json::Null), namespace)?,
            )),
            primitive_name => {
                let base = self.by_name(primitive_name, namespace)?;
                match (logical, &base) {
                    (Some("decimal"), AvroType::Bytes) => decimal(o, None),
                    (Some("date"), AvroType::Int { .. }) => AvroType::Temporal(Temporal::Date),
                    (Some("time-millis"), AvroType::Int { .. }) => {
                        AvroType::Temporal(Temporal::TimeMillis)
                    }
                    (Some("time-micros"), AvroType::Long) => {
                        AvroType::Temporal(Temporal::TimeMicros)
                    }
                    (Some("timestamp-millis"), AvroType::Long) => {
                        AvroType::Temporal(Temporal::TimestampMillis)
                    }
                    (Some("timestamp-micros"), AvroType::Long) => {
                        AvroType::Temporal(Temporal::TimestampMicros)
                    }
                    (_, AvroType::Int { .. }) => AvroType::Int {
                        connect_type: o
                            .get("connect.type")
                            .and_then(Json::as_str)
                            .map(str::to_owned),
                    },
                    // Other logical types (uuid, local timestamps, …) read as their
                    // underlying type, as Avro's specification says readers may.
                    _ => base,
                }
            }
        };
        Ok(out)
    }

    fn field(&mut self, json: &Json, namespace: &str) -> Result<Field, TypeError> {
        let o = json
            .as_object()
            .ok_or_else(|| TypeError("a record field is not an object".into()))?;
        Ok(Field {
            name: o
                .get("name")
                .and_then(Json::as_str)
                .unwrap_or_default()
                .to_owned(),
            ty: self.read(o.get("type").unwrap_or(&Json::Null), namespace)?,
            default: o.get("default").cloned(),
            doc: o.get("doc").and_then(Json::as_str).map(str::to_owned),
        })
    }

    fn define(&mut self, ty: &AvroType) {
        let full = match ty {
            AvroType::Record(r) => &r.named.full_name,
            AvroType::Enum(e) => &e.named.full_name,
            AvroType::Fixed(f) => &f.named.full_name,
            _ => return,
        };
        self.names.insert(full.clone(), ty.clone());
    }
}

fn decimal(o: &Map<String, Json>, fixed: Option<Arc<Fixed>>) -> AvroType {
    let int = |k: &str| o.get(k).and_then(Json::as_u64).unwrap_or(0) as u32;
    AvroType::Decimal {
        precision: int("precision"),
        scale: int("scale"),
        fixed,
    }
}

fn primitive(name: &str) -> Option<AvroType> {
    Some(match name {
        "null" => AvroType::Null,
        "boolean" => AvroType::Boolean,
        "int" => AvroType::Int { connect_type: None },
        "long" => AvroType::Long,
        "float" => AvroType::Float,
        "double" => AvroType::Double,
        "bytes" => AvroType::Bytes,
        "string" => AvroType::String,
        _ => return None,
    })
}

/// Avro's name resolution: a dotted name is full; otherwise the explicit namespace,
/// else the enclosing one, qualifies it.
fn full_name(name: &str, namespace: Option<&str>, enclosing: &str) -> String {
    if name.contains('.') {
        return name.to_owned();
    }
    match namespace.unwrap_or(enclosing) {
        "" => name.to_owned(),
        ns => format!("{ns}.{name}"),
    }
}

fn enclosing_namespace(full_name: &str) -> String {
    full_name
        .rsplit_once('.')
        .map(|(ns, _)| ns.to_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn named_types_are_shared_and_namespaces_resolved() {
        let schema = json!({
            "type": "record", "name": "Order", "namespace": "com.acme",
            "fields": [
                {"name": "a", "type": {"type": "fixed", "name": "Hash", "size": 4}},
                {"name": "b", "type": "Hash"},
                {"name": "c", "type": {"type": "int", "connect.type": "int16"}},
                {"name": "d", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "e", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
                {"name": "f", "type": ["null", "string"], "default": null}
            ]
        });
        let AvroType::Record(r) = AvroType::from_json(&schema).unwrap() else {
            panic!()
        };
        assert_eq!(r.named.full_name, "com.acme.Order");
        let AvroType::Fixed(f) = &r.fields[1].ty else {
            panic!("{:?}", r.fields[1].ty)
        };
        assert_eq!((f.named.full_name.as_str(), f.size), ("com.acme.Hash", 4));
        assert_eq!(
            r.fields[2].ty,
            AvroType::Int {
                connect_type: Some("int16".into())
            }
        );
        assert_eq!(
            r.fields[3].ty,
            AvroType::Temporal(Temporal::TimestampMillis)
        );
        assert!(matches!(
            r.fields[4].ty,
            AvroType::Decimal {
                precision: 9,
                scale: 2,
                fixed: None
            }
        ));
        assert_eq!(
            r.fields[5].ty.nullable_branch(),
            Some((1, &AvroType::String))
        );
        assert_eq!(r.fields[5].default, Some(Json::Null));
    }

    #[test]
    fn recursion_is_refused_with_the_type_named() {
        let schema = json!({"type": "record", "name": "Node", "fields": [
            {"name": "next", "type": ["null", "Node"]}
        ]});
        let e = AvroType::from_json(&schema).unwrap_err();
        assert!(e.0.contains("Node refers to itself"), "{e}");
    }
}
