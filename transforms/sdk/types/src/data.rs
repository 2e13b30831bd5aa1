//! Helpers for building and reading schema and value trees (`schema`, `node`), which
//! converters and flatteners handle whole.

use crate::bindings::sluice::plugin::types::{
    Decoded, IndexedData, Node, Scalar, Schema, SchemaNode, SchemaType,
};

impl SchemaNode {
    /// A node of type `ty` without name, doc, parameters, default or children.
    pub fn of(ty: SchemaType, optional: bool) -> SchemaNode {
        SchemaNode {
            type_: ty,
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
}

impl Schema {
    /// A schema of one primitive type.
    pub fn primitive(ty: SchemaType, optional: bool) -> Schema {
        Schema {
            nodes: vec![SchemaNode::of(ty, optional)],
        }
    }

    /// A struct schema whose fields (name, type, optional) are all primitive: what a
    /// converter of a flat format or a flattener produces.
    pub fn flat_struct(name: Option<&str>, fields: &[(String, SchemaType, bool)]) -> Schema {
        let mut root = SchemaNode::of(SchemaType::Struct, false);
        root.name = name.map(str::to_string);
        root.children = (1..=fields.len() as u32).collect();
        root.field_names = fields.iter().map(|(n, _, _)| n.clone()).collect();
        let mut nodes = vec![root];
        nodes.extend(fields.iter().map(|(_, t, o)| SchemaNode::of(*t, *o)));
        Schema { nodes }
    }
}

impl IndexedData {
    /// A value tree (root first) whose schema is the batch's schema `schema`.
    pub fn new(schema: Option<u32>, value: Vec<Node>) -> IndexedData {
        IndexedData { schema, value }
    }
}

impl Decoded {
    /// No schemas and no results yet.
    pub fn new() -> Decoded {
        Decoded {
            schemas: Vec::new(),
            items: Vec::new(),
        }
    }

    /// Lists a schema for the batch; results refer to it by the index returned.
    pub fn add_schema(&mut self, schema: Schema) -> u32 {
        self.schemas.push(schema);
        (self.schemas.len() - 1) as u32
    }

    /// Adds the result for the next input.
    pub fn push(&mut self, item: Result<IndexedData, String>) {
        self.items.push(item);
    }
}

impl Default for Decoded {
    fn default() -> Self {
        Decoded::new()
    }
}

impl From<Scalar> for Node {
    fn from(s: Scalar) -> Node {
        match s {
            Scalar::Null => Node::Null,
            Scalar::Boolean(v) => Node::Boolean(v),
            Scalar::Int8(v) => Node::Int8(v),
            Scalar::Int16(v) => Node::Int16(v),
            Scalar::Int32(v) => Node::Int32(v),
            Scalar::Int64(v) => Node::Int64(v),
            Scalar::Float32(v) => Node::Float32(v),
            Scalar::Float64(v) => Node::Float64(v),
            Scalar::String(v) => Node::String(v),
            Scalar::Bytes(v) => Node::Bytes(v),
        }
    }
}

impl Node {
    /// The leaf value of this node; `None` for an array, map or struct.
    pub fn to_scalar(&self) -> Option<Scalar> {
        Some(match self {
            Node::Null => Scalar::Null,
            Node::Boolean(v) => Scalar::Boolean(*v),
            Node::Int8(v) => Scalar::Int8(*v),
            Node::Int16(v) => Scalar::Int16(*v),
            Node::Int32(v) => Scalar::Int32(*v),
            Node::Int64(v) => Scalar::Int64(*v),
            Node::Float32(v) => Scalar::Float32(*v),
            Node::Float64(v) => Scalar::Float64(*v),
            Node::String(v) => Scalar::String(v.clone()),
            Node::Bytes(v) => Scalar::Bytes(v.clone()),
            Node::Array(_) | Node::Map(_) | Node::Struct(_) => return None,
        })
    }
}

impl Scalar {
    /// The value as text: strings as they are, numbers and booleans as Rust prints
    /// them, bytes as lowercase hex, null as `None`.
    pub fn render(&self) -> Option<String> {
        Some(match self {
            Scalar::Null => return None,
            Scalar::Boolean(v) => v.to_string(),
            Scalar::Int8(v) => v.to_string(),
            Scalar::Int16(v) => v.to_string(),
            Scalar::Int32(v) => v.to_string(),
            Scalar::Int64(v) => v.to_string(),
            Scalar::Float32(v) => v.to_string(),
            Scalar::Float64(v) => v.to_string(),
            Scalar::String(v) => v.clone(),
            Scalar::Bytes(v) => v.iter().map(|b| format!("{b:02x}")).collect(),
        })
    }
}
