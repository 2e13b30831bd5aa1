//! Conversions between the record model and the WIT data types: scalars, value trees
//! (lists of nodes) and schema trees.

use std::collections::BTreeMap;
use std::sync::Arc;

use sluice_record::{Data, Field, Schema, SchemaKind, SchemaRef, SchemaType, Struct, Value};

use crate::bindings::types::{
    Data as WitData, Node, Scalar, Schema as WitSchema, SchemaNode, SchemaType as WitType,
};

/// A leaf value as a scalar; `None` for containers.
pub fn scalar_of(value: &Value) -> Option<Scalar> {
    Some(match value {
        Value::Null => Scalar::Null,
        Value::Boolean(v) => Scalar::Boolean(*v),
        Value::Int8(v) => Scalar::Int8(*v),
        Value::Int16(v) => Scalar::Int16(*v),
        Value::Int32(v) => Scalar::Int32(*v),
        Value::Int64(v) => Scalar::Int64(*v),
        Value::Float32(v) => Scalar::Float32(*v),
        Value::Float64(v) => Scalar::Float64(*v),
        Value::String(v) => Scalar::String(v.as_str().into()),
        Value::Bytes(v) => Scalar::Bytes(v.clone()),
        Value::Array(_) | Value::Map(_) | Value::Struct(_) => return None,
    })
}

pub fn value_of(scalar: Scalar) -> Value {
    match scalar {
        Scalar::Null => Value::Null,
        Scalar::Boolean(v) => Value::Boolean(v),
        Scalar::Int8(v) => Value::Int8(v),
        Scalar::Int16(v) => Value::Int16(v),
        Scalar::Int32(v) => Value::Int32(v),
        Scalar::Int64(v) => Value::Int64(v),
        Scalar::Float32(v) => Value::Float32(v),
        Scalar::Float64(v) => Value::Float64(v),
        Scalar::String(v) => Value::String(v.into()),
        Scalar::Bytes(v) => Value::Bytes(v),
    }
}

/// The schema type a scalar would have as a new field.
pub fn schema_kind_of(scalar: &Scalar) -> Option<SchemaKind> {
    Some(match scalar {
        Scalar::Null => return None,
        Scalar::Boolean(_) => SchemaKind::Boolean,
        Scalar::Int8(_) => SchemaKind::Int8,
        Scalar::Int16(_) => SchemaKind::Int16,
        Scalar::Int32(_) => SchemaKind::Int32,
        Scalar::Int64(_) => SchemaKind::Int64,
        Scalar::Float32(_) => SchemaKind::Float32,
        Scalar::Float64(_) => SchemaKind::Float64,
        Scalar::String(_) => SchemaKind::String,
        Scalar::Bytes(_) => SchemaKind::Bytes,
    })
}

pub fn wit_type(t: SchemaType) -> WitType {
    match t {
        SchemaType::Int8 => WitType::Int8,
        SchemaType::Int16 => WitType::Int16,
        SchemaType::Int32 => WitType::Int32,
        SchemaType::Int64 => WitType::Int64,
        SchemaType::Float32 => WitType::Float32,
        SchemaType::Float64 => WitType::Float64,
        SchemaType::Boolean => WitType::Boolean,
        SchemaType::String => WitType::String,
        SchemaType::Bytes => WitType::Bytes,
        SchemaType::Array => WitType::Array,
        SchemaType::Map => WitType::Map,
        SchemaType::Struct => WitType::Struct,
    }
}

fn model_type(t: WitType) -> SchemaType {
    match t {
        WitType::Int8 => SchemaType::Int8,
        WitType::Int16 => SchemaType::Int16,
        WitType::Int32 => SchemaType::Int32,
        WitType::Int64 => SchemaType::Int64,
        WitType::Float32 => SchemaType::Float32,
        WitType::Float64 => SchemaType::Float64,
        WitType::Boolean => SchemaType::Boolean,
        WitType::String => SchemaType::String,
        WitType::Bytes => SchemaType::Bytes,
        WitType::Array => SchemaType::Array,
        WitType::Map => SchemaType::Map,
        WitType::Struct => SchemaType::Struct,
    }
}

/// Whether a scalar may be stored in a field of this schema.
pub fn fits(schema: &Schema, scalar: &Scalar) -> bool {
    match scalar {
        Scalar::Null => schema.optional || schema.default.is_some(),
        other => schema_kind_of(other).map(|k| k.schema_type()) == Some(schema.schema_type()),
    }
}

// ---- value trees ----

/// Flattens a key or value into WIT nodes (root first).
pub fn data_to_wit(data: &Data) -> WitData {
    WitData {
        schema: data.schema.as_deref().map(schema_to_wit),
        value: value_to_wit(&data.value, data.schema.is_some()),
    }
}

/// A value tree as WIT nodes, root first; a null without a schema is the empty list.
pub fn value_to_wit(value: &Value, has_schema: bool) -> Vec<Node> {
    let mut nodes = Vec::new();
    if !value.is_null() || has_schema {
        push_value(value, &mut nodes);
    }
    nodes
}

fn push_value(value: &Value, nodes: &mut Vec<Node>) -> u32 {
    let index = nodes.len() as u32;
    nodes.push(Node::Null);
    let node = match value {
        Value::Array(items) => Node::Array(items.iter().map(|v| push_value(v, nodes)).collect()),
        Value::Map(entries) => Node::Map(
            entries
                .iter()
                .map(|(k, v)| (push_value(k, nodes), push_value(v, nodes)))
                .collect(),
        ),
        Value::Struct(s) => Node::Struct(s.values().iter().map(|v| push_value(v, nodes)).collect()),
        leaf => match scalar_of(leaf).expect("leaf") {
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
        },
    };
    nodes[index as usize] = node;
    index
}

/// Rebuilds a key or value from WIT nodes, checking it against its schema.
#[cfg(test)]
pub fn data_from_wit(data: WitData) -> Result<Data, String> {
    let schema = data.schema.map(schema_from_wit).transpose()?;
    let value = value_from_wit(data.value, schema.as_ref())?;
    Ok(Data { schema, value })
}

/// Rebuilds a value tree from WIT nodes, checking it against `schema`.
pub fn value_from_wit(nodes: Vec<Node>, schema: Option<&SchemaRef>) -> Result<Value, String> {
    let value = if nodes.is_empty() {
        Value::Null
    } else {
        let mut nodes: Vec<Option<Node>> = nodes.into_iter().map(Some).collect();
        take_value(&mut nodes, 0, schema, 0)?
    };
    if let Some(s) = schema {
        s.validate(&value).map_err(|e| e.to_string())?;
    }
    Ok(value)
}

/// Deepest nesting accepted, so a hostile node list cannot overflow the host's stack.
const MAX_DEPTH: usize = 64;

fn take_value(
    nodes: &mut [Option<Node>],
    index: u32,
    schema: Option<&SchemaRef>,
    depth: usize,
) -> Result<Value, String> {
    if depth > MAX_DEPTH {
        return Err(format!("value nested deeper than {MAX_DEPTH} levels"));
    }
    let node = nodes
        .get_mut(index as usize)
        .ok_or_else(|| format!("node {index} does not exist"))?
        .take()
        .ok_or_else(|| format!("node {index} is used twice"))?;
    let child_schema = |i: usize| -> Option<SchemaRef> {
        schema.and_then(|s| match &s.kind {
            SchemaKind::Array(items) => Some(items.clone()),
            SchemaKind::Struct(fields) => fields.get(i).map(|f| f.schema.clone()),
            _ => None,
        })
    };
    Ok(match node {
        Node::Null => Value::Null,
        Node::Boolean(v) => Value::Boolean(v),
        Node::Int8(v) => Value::Int8(v),
        Node::Int16(v) => Value::Int16(v),
        Node::Int32(v) => Value::Int32(v),
        Node::Int64(v) => Value::Int64(v),
        Node::Float32(v) => Value::Float32(v),
        Node::Float64(v) => Value::Float64(v),
        Node::String(v) => Value::String(v.into()),
        Node::Bytes(v) => Value::Bytes(v),
        Node::Array(items) => Value::Array(
            items
                .into_iter()
                .map(|i| take_value(nodes, i, child_schema(0).as_ref(), depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Node::Map(entries) => {
            let (ks, vs) = match schema.map(|s| &s.kind) {
                Some(SchemaKind::Map { key, value }) => (Some(key.clone()), Some(value.clone())),
                _ => (None, None),
            };
            Value::Map(
                entries
                    .into_iter()
                    .map(|(k, v)| {
                        Ok((
                            take_value(nodes, k, ks.as_ref(), depth + 1)?,
                            take_value(nodes, v, vs.as_ref(), depth + 1)?,
                        ))
                    })
                    .collect::<Result<_, String>>()?,
            )
        }
        Node::Struct(fields) => {
            let s = schema
                .filter(|s| s.schema_type() == SchemaType::Struct)
                .ok_or("a struct node needs a struct schema")?
                .clone();
            let values = fields
                .into_iter()
                .enumerate()
                .map(|(i, f)| take_value(nodes, f, child_schema(i).as_ref(), depth + 1))
                .collect::<Result<Vec<_>, _>>()?;
            Value::Struct(
                Struct::from_values(s, values)
                    .ok_or("a struct node has a different number of fields than its schema")?,
            )
        }
    })
}

// ---- schema trees ----

pub fn schema_to_wit(schema: &Schema) -> WitSchema {
    let mut nodes = Vec::new();
    push_schema(schema, &mut nodes);
    WitSchema { nodes }
}

fn push_schema(schema: &Schema, nodes: &mut Vec<SchemaNode>) -> u32 {
    let index = nodes.len() as u32;
    nodes.push(SchemaNode {
        type_: wit_type(schema.schema_type()),
        optional: schema.optional,
        name: schema.name.clone(),
        version: schema.version,
        doc: schema.doc.clone(),
        parameters: schema
            .parameters
            .iter()
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        default_value: schema.default.as_ref().and_then(scalar_of),
        children: Vec::new(),
        field_names: Vec::new(),
    });
    let (children, names) = match &schema.kind {
        SchemaKind::Array(items) => (vec![push_schema(items, nodes)], Vec::new()),
        SchemaKind::Map { key, value } => (
            vec![push_schema(key, nodes), push_schema(value, nodes)],
            Vec::new(),
        ),
        SchemaKind::Struct(fields) => (
            fields
                .iter()
                .map(|f| push_schema(&f.schema, nodes))
                .collect(),
            fields.iter().map(|f| f.name.clone()).collect(),
        ),
        _ => (Vec::new(), Vec::new()),
    };
    nodes[index as usize].children = children;
    nodes[index as usize].field_names = names;
    index
}

pub fn schema_from_wit(schema: WitSchema) -> Result<SchemaRef, String> {
    let mut nodes: Vec<Option<SchemaNode>> = schema.nodes.into_iter().map(Some).collect();
    if nodes.is_empty() {
        return Err("a schema needs at least its root node".into());
    }
    take_schema(&mut nodes, 0, 0)
}

fn take_schema(
    nodes: &mut [Option<SchemaNode>],
    index: u32,
    depth: usize,
) -> Result<SchemaRef, String> {
    if depth > MAX_DEPTH {
        return Err(format!("schema nested deeper than {MAX_DEPTH} levels"));
    }
    let node = nodes
        .get_mut(index as usize)
        .ok_or_else(|| format!("schema node {index} does not exist"))?
        .take()
        .ok_or_else(|| format!("schema node {index} is used twice"))?;
    let ty = model_type(node.type_);
    let mut child = |i: usize| -> Result<SchemaRef, String> {
        let c = *node
            .children
            .get(i)
            .ok_or_else(|| format!("a {ty} schema node needs child {i}"))?;
        take_schema(nodes, c, depth + 1)
    };
    let kind = match ty {
        SchemaType::Array => SchemaKind::Array(child(0)?),
        SchemaType::Map => SchemaKind::Map {
            key: child(0)?,
            value: child(1)?,
        },
        SchemaType::Struct => {
            if node.field_names.len() != node.children.len() {
                return Err("a struct schema node needs one field name per child".into());
            }
            let mut fields = Vec::with_capacity(node.children.len());
            for (i, name) in node.field_names.iter().enumerate() {
                fields.push(Field {
                    name: name.clone(),
                    schema: child(i)?,
                });
            }
            SchemaKind::Struct(fields)
        }
        primitive => SchemaKind::primitive(primitive).expect("primitive"),
    };
    Ok(Arc::new(Schema {
        kind,
        optional: node.optional,
        default: node.default_value.map(value_of),
        name: node.name,
        version: node.version,
        doc: node.doc,
        parameters: node.parameters.into_iter().collect::<BTreeMap<_, _>>(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_record::{SchemaBuilder, logical};

    #[test]
    fn nested_data_round_trips_through_wit() {
        let inner = SchemaBuilder::structure()
            .field("d", logical::date_schema().build_ref())
            .build_ref();
        let schema = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int64().build_ref())
            .field(
                "tags",
                SchemaBuilder::array(SchemaBuilder::string().build_ref()).build_ref(),
            )
            .field(
                "attrs",
                SchemaBuilder::map(
                    SchemaBuilder::string().build_ref(),
                    SchemaBuilder::int32().optional().build_ref(),
                )
                .build_ref(),
            )
            .field("inner", inner.clone())
            .name("com.example.Order")
            .version(3)
            .build_ref();
        let value = Value::Struct(
            Struct::new(schema.clone())
                .with("id", 7i64)
                .with("tags", Value::Array(vec!["a".into(), "b".into()]))
                .with(
                    "attrs",
                    Value::Map(vec![
                        ("x".into(), Value::Int32(1)),
                        ("y".into(), Value::Null),
                    ]),
                )
                .with(
                    "inner",
                    Value::Struct(Struct::new(inner).with("d", Value::Int32(19000))),
                ),
        );
        let data = Data::with_schema(schema, value);
        let back = data_from_wit(data_to_wit(&data)).unwrap();
        assert_eq!(back, data);
        assert_eq!(back.schema.unwrap().version, Some(3));
    }

    #[test]
    fn schemaless_and_null_round_trip() {
        let data = Data::schemaless(Value::Map(vec![("k".into(), Value::Float64(1.5))]));
        assert_eq!(data_from_wit(data_to_wit(&data)).unwrap(), data);
        assert_eq!(data_from_wit(data_to_wit(&Data::NULL)).unwrap(), Data::NULL);
    }

    #[test]
    fn malformed_trees_are_rejected_not_panicked_on() {
        let cyclic = WitData {
            schema: None,
            value: vec![Node::Array(vec![0])],
        };
        assert!(data_from_wit(cyclic).unwrap_err().contains("used twice"));
        let dangling = WitData {
            schema: None,
            value: vec![Node::Array(vec![5])],
        };
        assert!(
            data_from_wit(dangling)
                .unwrap_err()
                .contains("does not exist")
        );
        let struct_without_schema = WitData {
            schema: None,
            value: vec![Node::Struct(vec![])],
        };
        assert!(data_from_wit(struct_without_schema).is_err());
    }
}
