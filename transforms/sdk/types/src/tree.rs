//! Owned, recursive forms of a key or value (`Value`) and of its schema (`SchemaTree`),
//! for transforms that reshape whole values (ReplaceField, Cast, …). The WIT moves
//! them as flat node lists (it has no recursive types); these convert both ways, so a
//! transform reads a record with `batch.get`, works on a tree, and writes it back with
//! `batch.set`.
//!
//! Field paths are the WIT's: dot-separated names into structs and string-keyed maps
//! ([`path`]).

use crate::bindings::sluice::plugin::types::{Data, Node, Scalar, Schema, SchemaNode, SchemaType};

/// A value tree. A struct holds one value per field of its schema, in field order.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Boolean(bool),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Float32(f32),
    Float64(f64),
    String(String),
    Bytes(Vec<u8>),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Struct(Vec<Value>),
}

/// A schema tree: a [`SchemaNode`] whose children are trees themselves.
#[derive(Debug, Clone, PartialEq)]
pub struct SchemaTree {
    pub type_: SchemaType,
    pub optional: bool,
    pub name: Option<String>,
    pub version: Option<i32>,
    pub doc: Option<String>,
    pub parameters: Vec<(String, String)>,
    pub default_value: Option<Scalar>,
    /// `[items]` for an array, `[key, value]` for a map, one per field for a struct.
    pub children: Vec<SchemaTree>,
    /// Field names of a struct, parallel to `children`.
    pub field_names: Vec<String>,
}

/// Splits a field path into its names (`customer.address.zip` → three); the empty path
/// is the key or value itself.
pub fn path(path: &str) -> Vec<String> {
    if path.is_empty() {
        Vec::new()
    } else {
        path.split('.').map(str::to_string).collect()
    }
}

/// The name Kafka Connect gives a schema type (`int32`, `struct`, …), for messages.
pub fn type_name(t: SchemaType) -> &'static str {
    match t {
        SchemaType::Int8 => "int8",
        SchemaType::Int16 => "int16",
        SchemaType::Int32 => "int32",
        SchemaType::Int64 => "int64",
        SchemaType::Float32 => "float32",
        SchemaType::Float64 => "float64",
        SchemaType::Boolean => "boolean",
        SchemaType::String => "string",
        SchemaType::Bytes => "bytes",
        SchemaType::Array => "array",
        SchemaType::Map => "map",
        SchemaType::Struct => "struct",
    }
}

impl SchemaTree {
    /// A schema of type `ty` with nothing else set.
    pub fn of(type_: SchemaType, optional: bool) -> SchemaTree {
        SchemaTree {
            type_,
            optional,
            name: None,
            version: None,
            doc: None,
            parameters: Vec::new(),
            default_value: None,
            children: Vec::new(),
            field_names: Vec::new(),
        }
    }

    /// The tree of a flat schema (node 0 is the root).
    pub fn from_schema(schema: &Schema) -> Result<SchemaTree, String> {
        fn build(nodes: &[SchemaNode], i: u32, depth: usize) -> Result<SchemaTree, String> {
            // A malformed schema could name its own ancestors; no real schema is this deep.
            if depth > 256 {
                return Err("schema is nested too deeply (or cyclic)".into());
            }
            let n = nodes
                .get(i as usize)
                .ok_or_else(|| format!("schema node {i} does not exist"))?;
            Ok(SchemaTree {
                type_: n.type_,
                optional: n.optional,
                name: n.name.clone(),
                version: n.version,
                doc: n.doc.clone(),
                parameters: n.parameters.clone(),
                default_value: n.default_value.clone(),
                children: n
                    .children
                    .iter()
                    .map(|c| build(nodes, *c, depth + 1))
                    .collect::<Result<_, _>>()?,
                field_names: n.field_names.clone(),
            })
        }
        build(&schema.nodes, 0, 0)
    }

    /// The flat schema of this tree, root first.
    pub fn to_schema(&self) -> Schema {
        fn push(t: &SchemaTree, nodes: &mut Vec<SchemaNode>) -> u32 {
            let at = nodes.len();
            nodes.push(SchemaNode {
                type_: t.type_,
                optional: t.optional,
                name: t.name.clone(),
                version: t.version,
                doc: t.doc.clone(),
                parameters: t.parameters.clone(),
                default_value: t.default_value.clone(),
                children: Vec::new(),
                field_names: t.field_names.clone(),
            });
            let children = t.children.iter().map(|c| push(c, nodes)).collect();
            nodes[at].children = children;
            at as u32
        }
        let mut nodes = Vec::new();
        push(self, &mut nodes);
        Schema { nodes }
    }

    /// The index and schema of a struct's field.
    pub fn field(&self, name: &str) -> Option<(usize, &SchemaTree)> {
        let i = self.field_names.iter().position(|f| f == name)?;
        Some((i, &self.children[i]))
    }
}

impl Value {
    /// The tree of a flat value (node 0 is the root; no nodes is null).
    pub fn from_nodes(nodes: &[Node]) -> Result<Value, String> {
        fn build(nodes: &[Node], i: u32, depth: usize) -> Result<Value, String> {
            if depth > 256 {
                return Err("value is nested too deeply (or cyclic)".into());
            }
            let n = nodes
                .get(i as usize)
                .ok_or_else(|| format!("value node {i} does not exist"))?;
            let all = |ids: &[u32]| -> Result<Vec<Value>, String> {
                ids.iter().map(|c| build(nodes, *c, depth + 1)).collect()
            };
            Ok(match n {
                Node::Array(ids) => Value::Array(all(ids)?),
                Node::Struct(ids) => Value::Struct(all(ids)?),
                Node::Map(pairs) => Value::Map(
                    pairs
                        .iter()
                        .map(|(k, v)| {
                            Ok((build(nodes, *k, depth + 1)?, build(nodes, *v, depth + 1)?))
                        })
                        .collect::<Result<_, String>>()?,
                ),
                leaf => Value::from(leaf.to_scalar().expect("a leaf node")),
            })
        }
        if nodes.is_empty() {
            return Ok(Value::Null);
        }
        build(nodes, 0, 0)
    }

    /// The flat nodes of this tree, root first (null is no nodes, as in `data`).
    pub fn to_nodes(&self) -> Vec<Node> {
        fn push(v: &Value, nodes: &mut Vec<Node>) -> u32 {
            let at = nodes.len();
            nodes.push(Node::Null);
            let node = match v {
                Value::Array(items) => Node::Array(items.iter().map(|c| push(c, nodes)).collect()),
                Value::Struct(items) => {
                    Node::Struct(items.iter().map(|c| push(c, nodes)).collect())
                }
                Value::Map(pairs) => Node::Map(
                    pairs
                        .iter()
                        .map(|(k, v)| (push(k, nodes), push(v, nodes)))
                        .collect(),
                ),
                leaf => Node::from(leaf.to_scalar().expect("a leaf value")),
            };
            nodes[at] = node;
            at as u32
        }
        if matches!(self, Value::Null) {
            return Vec::new();
        }
        let mut nodes = Vec::new();
        push(self, &mut nodes);
        nodes
    }

    /// The leaf value; `None` for an array, map or struct.
    pub fn to_scalar(&self) -> Option<Scalar> {
        Some(match self {
            Value::Null => Scalar::Null,
            Value::Boolean(v) => Scalar::Boolean(*v),
            Value::Int8(v) => Scalar::Int8(*v),
            Value::Int16(v) => Scalar::Int16(*v),
            Value::Int32(v) => Scalar::Int32(*v),
            Value::Int64(v) => Scalar::Int64(*v),
            Value::Float32(v) => Scalar::Float32(*v),
            Value::Float64(v) => Scalar::Float64(*v),
            Value::String(v) => Scalar::String(v.clone()),
            Value::Bytes(v) => Scalar::Bytes(v.clone()),
            Value::Array(_) | Value::Map(_) | Value::Struct(_) => return None,
        })
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The value of a string-keyed map entry.
    pub fn map_get(&self, key: &str) -> Option<&Value> {
        match self {
            Value::Map(pairs) => pairs
                .iter()
                .find(|(k, _)| matches!(k, Value::String(s) if s == key))
                .map(|(_, v)| v),
            _ => None,
        }
    }

    /// A short name of the value's kind, for messages.
    pub fn kind(&self) -> &'static str {
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
}

impl From<Scalar> for Value {
    fn from(s: Scalar) -> Value {
        match s {
            Scalar::Null => Value::Null,
            Scalar::Boolean(v) => Value::Boolean(v),
            Scalar::Int8(v) => Value::Int8(v),
            Scalar::Int16(v) => Value::Int16(v),
            Scalar::Int32(v) => Value::Int32(v),
            Scalar::Int64(v) => Value::Int64(v),
            Scalar::Float32(v) => Value::Float32(v),
            Scalar::Float64(v) => Value::Float64(v),
            Scalar::String(v) => Value::String(v),
            Scalar::Bytes(v) => Value::Bytes(v),
        }
    }
}

/// A key or value as trees: what `batch.get` returned, ready to reshape.
#[derive(Debug, Clone, PartialEq)]
pub struct Tree {
    pub schema: Option<SchemaTree>,
    pub value: Value,
}

impl Tree {
    pub fn from_data(data: &Data) -> Result<Tree, String> {
        Ok(Tree {
            schema: data
                .schema
                .as_ref()
                .map(SchemaTree::from_schema)
                .transpose()?,
            value: Value::from_nodes(&data.value)?,
        })
    }

    pub fn to_data(&self) -> Data {
        Data {
            schema: self.schema.as_ref().map(SchemaTree::to_schema),
            value: self.value.to_nodes(),
        }
    }
}

/// Remembers what a transform derived from each distinct input schema of a batch (a
/// new schema, a plan), so the work is done once per schema, not once per record. A
/// batch nearly always holds one schema, so a short list searched by equality is all
/// it needs.
pub struct SchemaMemo<T> {
    entries: Vec<(SchemaTree, T)>,
}

impl<T> Default for SchemaMemo<T> {
    fn default() -> Self {
        SchemaMemo {
            entries: Vec::new(),
        }
    }
}

impl<T> SchemaMemo<T> {
    /// What `derive` made of `schema`, derived on the first call for that schema.
    pub fn get_or_try<E>(
        &mut self,
        schema: &SchemaTree,
        derive: impl FnOnce(&SchemaTree) -> Result<T, E>,
    ) -> Result<&T, E> {
        let at = match self.entries.iter().position(|(s, _)| s == schema) {
            Some(i) => i,
            None => {
                let t = derive(schema)?;
                self.entries.push((schema.clone(), t));
                self.entries.len() - 1
            }
        };
        Ok(&self.entries[at].1)
    }
}
