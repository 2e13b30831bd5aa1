//! Finding, replacing and removing a field of a whole key or value ([`Data`], as
//! `batch.get` returns it), schema included, in place in its node lists: for transforms
//! that change a record's shape, which the per-field calls (`set-field`, `set-column`)
//! cannot. (`tree` holds the same data as owned values, for transforms that rebuild it.)
//!
//! Paths are dotted names into structs and string-keyed maps, as the batch's field
//! calls take them. Edits unlink nodes rather than renumbering the lists: the host
//! reads a value or schema from its root, so unreachable nodes are ignored
//! (host/engine/src/wit_convert.rs).

use crate::bindings::sluice::plugin::types::{Data, Node};

/// Where a field is in a [`Data`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Located {
    /// The field's value node.
    pub node: u32,
    /// The field's schema node, when the data has a schema.
    pub schema: Option<u32>,
    /// The containing struct or map node and the field's position in it.
    parent: (u32, usize),
    /// The containing struct's schema node (schema'd data only).
    parent_schema: Option<u32>,
}

/// Why a path cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Missing {
    /// The key or value itself is null.
    Null,
    /// A struct or map on the way is null: the field is absent from this record, though
    /// its schema may declare it.
    NullOnTheWay,
    /// A segment names nothing (a non-container on the way, or no such field).
    NoSuchField,
}

/// Whether a key or value is null: an empty node list (wit/plugin.wit, `data`) or, as
/// the host sends a schema'd null, a lone null root.
pub fn is_null(data: &Data) -> bool {
    matches!(data.value.as_slice(), [] | [Node::Null])
}

/// Finds the field `path` (non-empty) of `data`.
pub fn locate(data: &Data, path: &str) -> Result<Located, Missing> {
    if is_null(data) {
        return Err(Missing::Null);
    }
    let mut node = 0u32;
    let mut schema = data.schema.as_ref().map(|_| 0u32);
    let mut found = None;
    for name in path.split('.') {
        match &data.value[node as usize] {
            Node::Struct(children) => {
                let s = schema.ok_or(Missing::NoSuchField)?;
                let snode = &data.schema.as_ref().unwrap().nodes[s as usize];
                let pos = snode
                    .field_names
                    .iter()
                    .position(|f| f == name)
                    .ok_or(Missing::NoSuchField)?;
                found = Some(Located {
                    node: children[pos],
                    schema: Some(snode.children[pos]),
                    parent: (node, pos),
                    parent_schema: Some(s),
                });
            }
            Node::Map(entries) => {
                let pos = entries
                    .iter()
                    .position(
                        |(k, _)| matches!(&data.value[*k as usize], Node::String(k) if k == name),
                    )
                    .ok_or(Missing::NoSuchField)?;
                // A map's values share one schema node: its value schema.
                let value_schema =
                    schema.map(|s| data.schema.as_ref().unwrap().nodes[s as usize].children[1]);
                found = Some(Located {
                    node: entries[pos].1,
                    schema: value_schema,
                    parent: (node, pos),
                    parent_schema: None,
                });
            }
            Node::Null => return Err(Missing::NullOnTheWay),
            _ => return Err(Missing::NoSuchField),
        }
        let f = found.unwrap();
        node = f.node;
        schema = f.schema;
    }
    found.ok_or(Missing::NoSuchField)
}

/// Removes the field `path` from the value (when this record holds it: a null struct
/// on the way holds nothing) and from the schema (when the data has one). Returns
/// whether the value or the schema had the field.
///
/// Removing a field of a struct changes that struct's schema, which is this record's
/// alone: the host never shares schema nodes (host/engine/src/wit_convert.rs).
pub fn remove(data: &mut Data, path: &str) -> bool {
    let mut removed = false;
    // The value first: finding it needs the schema's field names as they are.
    if let Ok(at) = locate(data, path) {
        let (parent, pos) = at.parent;
        match &mut data.value[parent as usize] {
            Node::Struct(children) => {
                children.remove(pos);
            }
            Node::Map(entries) => {
                entries.remove(pos);
            }
            _ => unreachable!("`locate` only finds fields of structs and maps"),
        }
        removed = true;
    }
    if let Some(schema) = data.schema.as_mut() {
        let segments: Vec<&str> = path.split('.').collect();
        let mut s = 0usize;
        for (depth, name) in segments.iter().enumerate() {
            // Struct fields only: a map's values share its value schema, and have no
            // field to remove there.
            let Some(pos) = schema.nodes[s].field_names.iter().position(|f| f == name) else {
                break;
            };
            if depth + 1 == segments.len() {
                let node = &mut schema.nodes[s];
                node.children.remove(pos);
                node.field_names.remove(pos);
                removed = true;
                break;
            }
            s = schema.nodes[s].children[pos] as usize;
        }
    }
    removed
}

/// Makes the located field point at the value node `node` and, in a struct, at the
/// schema node `schema`. Both must be otherwise unreferenced (e.g. an element of an
/// array that is itself replaced). A value of a schema'd map cannot change its schema
/// (every value of the map shares it): that is an error.
pub fn replace(
    data: &mut Data,
    at: Located,
    node: u32,
    schema: Option<u32>,
) -> Result<(), &'static str> {
    let (parent, pos) = at.parent;
    match &mut data.value[parent as usize] {
        Node::Struct(children) => children[pos] = node,
        Node::Map(_) if schema.is_some() && schema != at.schema => {
            return Err(
                "the values of a schema'd map share one schema, which cannot change for one",
            );
        }
        Node::Map(entries) => entries[pos].1 = node,
        _ => unreachable!("`locate` only finds fields of structs and maps"),
    }
    if let (Some(data_schema), Some(s), Some(new)) =
        (data.schema.as_mut(), at.parent_schema, schema)
    {
        data_schema.nodes[s as usize].children[pos] = new;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bindings::sluice::plugin::types::{Schema, SchemaNode, SchemaType};

    /// `{id: 7, ship: {city: "Paris", zip: 75}}`, schema'd.
    fn order() -> Data {
        let mut root = SchemaNode::of(SchemaType::Struct, false);
        root.children = vec![1, 2];
        root.field_names = vec!["id".into(), "ship".into()];
        let mut ship = SchemaNode::of(SchemaType::Struct, true);
        ship.children = vec![3, 4];
        ship.field_names = vec!["city".into(), "zip".into()];
        Data {
            schema: Some(Schema {
                nodes: vec![
                    root,
                    SchemaNode::of(SchemaType::Int64, false),
                    ship,
                    SchemaNode::of(SchemaType::String, false),
                    SchemaNode::of(SchemaType::Int32, false),
                ],
            }),
            value: vec![
                Node::Struct(vec![1, 2]),
                Node::Int64(7),
                Node::Struct(vec![3, 4]),
                Node::String("Paris".into()),
                Node::Int32(75),
            ],
        }
    }

    #[test]
    fn locate_follows_struct_fields_and_map_keys() {
        let data = order();
        let at = locate(&data, "ship.zip").unwrap();
        assert_eq!((at.node, at.schema), (4, Some(4)));
        assert_eq!(locate(&data, "ship.street"), Err(Missing::NoSuchField));
        assert_eq!(locate(&data, "id.x"), Err(Missing::NoSuchField));
        let map = Data {
            schema: None,
            value: vec![
                Node::Map(vec![(1, 2)]),
                Node::String("k".into()),
                Node::Null,
            ],
        };
        assert_eq!(locate(&map, "k").unwrap().node, 2);
        assert_eq!(locate(&map, "k.x"), Err(Missing::NullOnTheWay));
        let null = Data {
            schema: None,
            value: vec![Node::Null],
        };
        assert!(is_null(&null));
        assert_eq!(locate(&null, "k"), Err(Missing::Null));
    }

    #[test]
    fn remove_drops_the_field_from_value_and_schema_even_under_a_null_struct() {
        let mut data = order();
        assert!(remove(&mut data, "ship.city"));
        assert!(matches!(&data.value[2], Node::Struct(c) if c == &[4]));
        let schema = data.schema.as_ref().unwrap();
        assert_eq!(schema.nodes[2].field_names, ["zip"]);
        assert_eq!(schema.nodes[2].children, [4]);
        assert_eq!(locate(&data, "ship.zip").unwrap().node, 4);
        // `ship` null: the schema loses the field all the same.
        let mut data = order();
        data.value[0] = Node::Struct(vec![1, 5]);
        data.value.push(Node::Null);
        assert!(remove(&mut data, "ship.city"));
        assert_eq!(data.schema.unwrap().nodes[2].field_names, ["zip"]);
        assert!(!remove(&mut order(), "nope"));
    }

    #[test]
    fn replace_points_a_struct_field_at_a_new_node_and_schema() {
        let mut data = order();
        let at = locate(&data, "ship").unwrap();
        replace(&mut data, at, 3, Some(3)).unwrap();
        let at = locate(&data, "ship").unwrap();
        assert_eq!((at.node, at.schema), (3, Some(3)));
        assert!(matches!(&data.value[at.node as usize], Node::String(s) if s == "Paris"));
    }
}
