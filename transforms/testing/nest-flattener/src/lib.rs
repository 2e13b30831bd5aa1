//! Test flattener: turns the nested structs of each record's value into top-level
//! fields named by their path joined with `delimiter` (default `_`): `address.city`
//! becomes `address_city`, in the schema and in the value. Fields of an optional
//! struct become optional (a null struct gives null fields). Arrays and maps are kept
//! as they are; schemaless values pass unchanged. For the runtime's end-to-end tests
//! of flatteners.
use sluice_sdk::prelude::*;

struct NestFlattener {
    delimiter: String,
}

/// The flat struct being built: its fields' schema subtrees and value subtrees.
struct Flat {
    schema: Vec<SchemaNode>,
    value: Vec<Node>,
}

impl Flat {
    /// Appends the subtree rooted at `index` of `from` to `to`, renumbering children;
    /// returns the new index of its root.
    fn copy_schema(from: &[SchemaNode], index: u32, to: &mut Vec<SchemaNode>) -> u32 {
        let mut node = from[index as usize].clone();
        let at = to.len() as u32;
        to.push(node.clone());
        node.children = node
            .children
            .iter()
            .map(|c| Self::copy_schema(from, *c, to))
            .collect();
        to[at as usize] = node;
        at
    }

    fn copy_value(from: &[Node], index: u32, to: &mut Vec<Node>) -> u32 {
        let at = to.len() as u32;
        to.push(Node::Null);
        let mut copy = |c: &u32| Self::copy_value(from, *c, to);
        let node = match &from[index as usize] {
            Node::Array(items) => Node::Array(items.iter().map(&mut copy).collect()),
            Node::Map(entries) => {
                Node::Map(entries.iter().map(|(k, v)| (copy(k), copy(v))).collect())
            }
            Node::Struct(fields) => Node::Struct(fields.iter().map(copy).collect()),
            leaf => leaf.clone(),
        };
        to[at as usize] = node;
        at
    }
}

impl NestFlattener {
    /// Adds the fields of the struct schema node `s` of `data` (value node `v`, `None`
    /// when the struct is null) under `prefix` to the root of `flat`.
    fn walk(
        &self,
        data: &Data,
        s: u32,
        v: Option<u32>,
        prefix: &str,
        parent_optional: bool,
        flat: &mut Flat,
    ) -> Result<(), String> {
        let schema = &data
            .schema
            .as_ref()
            .expect("only values with a schema")
            .nodes;
        let node = &schema[s as usize];
        let values = match v.map(|v| &data.value[v as usize]) {
            Some(Node::Struct(children)) => Some(children.clone()),
            Some(Node::Null) | None => None,
            Some(_) => return Err(format!("`{prefix}` is not a struct value")),
        };
        for (i, (name, child)) in node.field_names.iter().zip(&node.children).enumerate() {
            let path = if prefix.is_empty() {
                name.clone()
            } else {
                format!("{prefix}{}{name}", self.delimiter)
            };
            let child_value = values.as_ref().map(|c| c[i]);
            let child_schema = &schema[*child as usize];
            let optional = parent_optional || child_schema.optional;
            if child_schema.type_ == SchemaType::Struct {
                self.walk(data, *child, child_value, &path, optional, flat)?;
                continue;
            }
            if flat.schema[0].field_names.contains(&path) {
                return Err(format!("two fields flatten to `{path}`"));
            }
            let s = Flat::copy_schema(schema, *child, &mut flat.schema);
            flat.schema[s as usize].optional = optional;
            let v = match child_value {
                Some(c) => Flat::copy_value(&data.value, c, &mut flat.value),
                None => {
                    flat.value.push(Node::Null);
                    (flat.value.len() - 1) as u32
                }
            };
            flat.schema[0].children.push(s);
            flat.schema[0].field_names.push(path);
            if let Node::Struct(fields) = &mut flat.value[0] {
                fields.push(v);
            }
        }
        Ok(())
    }

    fn flatten_one(&self, data: Data) -> Result<Option<Data>, String> {
        let Some(schema) = &data.schema else {
            return Ok(None);
        };
        let root = &schema.nodes[0];
        if root.type_ != SchemaType::Struct || data.value.is_empty() {
            return Ok(None);
        }
        let mut flat_root = root.clone();
        flat_root.children.clear();
        flat_root.field_names.clear();
        let mut flat = Flat {
            schema: vec![flat_root],
            value: vec![Node::Struct(Vec::new())],
        };
        if matches!(data.value[0], Node::Null) {
            return Ok(None);
        }
        self.walk(&data, 0, Some(0), "", false, &mut flat)?;
        Ok(Some(Data {
            schema: Some(Schema { nodes: flat.schema }),
            value: flat.value,
        }))
    }
}

impl Flattener for NestFlattener {
    fn describe() -> Vec<Property> {
        vec![Property::string(
            "delimiter",
            Some("_"),
            "What joins the names of nested fields: `address.city` becomes `address_city`.",
        )]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let delimiter = config.get("delimiter").unwrap_or("_").to_string();
        Ok(NestFlattener { delimiter })
    }

    fn flatten(&self, batch: &Batch) -> Result<(), Error> {
        for i in 0..batch.len() {
            match self.flatten_one(batch.get(i, Part::Value)) {
                Ok(None) => {}
                Ok(Some(flat)) => {
                    if let Err(e) = batch.set(i, Part::Value, &flat) {
                        batch.reject(i, &format!("the flattened value was refused: {e}"));
                    }
                }
                Err(e) => batch.reject(i, &e),
            }
        }
        Ok(())
    }
}

sluice_sdk::export_flattener!(NestFlattener);
