//! Flatten, as Kafka Connect's `org.apache.kafka.connect.transforms.Flatten`: turns
//! nested structs (with a schema) or maps (without) into one level, naming each field by
//! its path joined with `delimiter` (default `.`): `customer.address.zip`. Arrays and
//! their contents are kept as they are. A null key or value passes unchanged.
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, SchemaTree, Tree, Value, type_name};

struct Flatten {
    part: Part,
    delimiter: String,
}

impl Transform for Flatten {
    fn describe() -> Vec<Property> {
        vec![
            Property::string(
                "delimiter",
                Some("."),
                "Put between the field names of each level in the flattened names.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record to flatten: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        Ok(Flatten {
            part: config.part()?,
            // Not trimmed: a delimiter may be a space.
            delimiter: config.get("delimiter").unwrap_or(".").to_string(),
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let mut schemas = SchemaMemo::default();
        for i in 0..batch.len() {
            let tree = Tree::from_data(&batch.get(i, self.part)).map_err(Error::Fatal)?;
            if tree.value.is_null() {
                continue;
            }
            let out = match &tree.schema {
                None => match tree.value {
                    Value::Map(entries) => {
                        let mut flat = Vec::new();
                        self.flatten_map("", entries, &mut flat);
                        Ok(Tree {
                            schema: None,
                            value: Value::Map(flat),
                        })
                    }
                    other => Err(format!(
                        "needs a map when there is no schema, found a {}",
                        other.kind()
                    )),
                },
                Some(schema) => {
                    schemas
                        .get_or_try(schema, |s| self.flat_schema(s))
                        .map(|flat_schema| {
                            let mut values = Vec::with_capacity(flat_schema.children.len());
                            flatten_struct(schema, tree.value, &mut values);
                            Tree {
                                schema: Some(flat_schema.clone()),
                                value: Value::Struct(values),
                            }
                        })
                }
            };
            let set = out.and_then(|out| batch.set(i, self.part, &out.to_data()));
            if let Err(m) = set {
                batch.reject(i, &format!("flatten: {m}"));
            }
        }
        Ok(())
    }
}

impl Flatten {
    fn name(&self, prefix: &str, name: &str) -> String {
        if prefix.is_empty() {
            name.to_string()
        } else {
            format!("{prefix}{}{name}", self.delimiter)
        }
    }

    /// The flat schema, once per distinct schema: the root's name, version, doc and
    /// parameters, and one field per leaf, optional when it or a struct above it is.
    fn flat_schema(&self, s: &SchemaTree) -> Result<SchemaTree, String> {
        if s.type_ != SchemaType::Struct {
            return Err(format!(
                "needs a struct, found a {} schema",
                type_name(s.type_)
            ));
        }
        let mut out = SchemaTree {
            children: Vec::new(),
            field_names: Vec::new(),
            ..s.clone()
        };
        self.add_fields(s, "", false, &mut out)?;
        Ok(out)
    }

    fn add_fields(
        &self,
        s: &SchemaTree,
        prefix: &str,
        optional: bool,
        out: &mut SchemaTree,
    ) -> Result<(), String> {
        for (name, child) in s.field_names.iter().zip(&s.children) {
            let name = self.name(prefix, name);
            let optional = optional || child.optional;
            match child.type_ {
                SchemaType::Struct => self.add_fields(child, &name, optional, out)?,
                SchemaType::Map => {
                    return Err(format!(
                        "a map field (`{name}`) cannot be flattened with a schema"
                    ));
                }
                _ => {
                    if out.field_names.contains(&name) {
                        return Err(format!("two fields would be named `{name}`"));
                    }
                    let mut leaf = child.clone();
                    leaf.optional = optional;
                    out.field_names.push(name);
                    out.children.push(leaf);
                }
            }
        }
        Ok(())
    }

    fn flatten_map(
        &self,
        prefix: &str,
        entries: Vec<(Value, Value)>,
        out: &mut Vec<(Value, Value)>,
    ) {
        for (k, v) in entries {
            let key = match &k {
                Value::String(s) => self.name(prefix, s),
                // Connect's maps have string keys; render others as their text.
                other => self.name(prefix, &format!("{other:?}")),
            };
            match v {
                Value::Map(inner) => self.flatten_map(&key, inner, out),
                v => {
                    // As a map put: a later entry of the same name replaces an earlier one.
                    out.retain(|(k, _)| !matches!(k, Value::String(s) if *s == key));
                    out.push((Value::String(key), v));
                }
            }
        }
    }
}

/// The leaves of a struct of schema `s`, in the flat schema's order: a null struct
/// gives nulls for all its leaves, a null leaf its default.
fn flatten_struct(s: &SchemaTree, v: Value, out: &mut Vec<Value>) {
    let mut values = match v {
        Value::Struct(values) => values,
        _ => Vec::new(),
    };
    values.resize(s.children.len(), Value::Null);
    for (child, v) in s.children.iter().zip(values) {
        match child.type_ {
            SchemaType::Struct => flatten_struct(child, v, out),
            _ => out.push(match (&v, &child.default_value) {
                (Value::Null, Some(d)) => Value::from(d.clone()),
                _ => v,
            }),
        }
    }
}

sluice_sdk::export_transform!(Flatten);
