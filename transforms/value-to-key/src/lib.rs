//! ValueToKey, as Kafka Connect's `org.apache.kafka.connect.transforms.ValueToKey`:
//! replaces the key with a struct (with a schema) or map (without) of some fields of
//! the value (`fields`; dotted paths reach nested fields, which become key fields
//! named by their last name). The value is unchanged. Connect has no `$Key`/`$Value`
//! variants of it: it always reads the value and writes the key. A null value (a
//! tombstone) passes with its key unchanged.
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, SchemaTree, Tree, Value, path, type_name};

struct ValueToKey {
    /// (path in the value, name in the key).
    fields: Vec<(Vec<String>, String)>,
    replace_null_with_default: bool,
}

/// How to read one key field out of a value of a given schema: the field index in
/// each struct on the way, and the field's default.
type Route = (Vec<usize>, Option<Scalar>);

impl Transform for ValueToKey {
    fn describe() -> Vec<Property> {
        vec![
            Property::list(
                "fields",
                None,
                "Fields of the value that form the key (dotted paths reach nested fields).",
            ),
            Property::boolean(
                "replace.null.with.default",
                Some("true"),
                "Whether a null field whose schema has a default gives the default.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let mut fields: Vec<(Vec<String>, String)> = Vec::new();
        for f in config.list("fields") {
            let p = path(&f);
            if p.iter().any(String::is_empty) {
                return Err(Error::InvalidConfig(format!(
                    "`fields`: `{f}` is not a field path"
                )));
            }
            let name = p.last().cloned().unwrap_or_default();
            if fields.iter().any(|(_, n)| *n == name) {
                return Err(Error::InvalidConfig(format!(
                    "`fields`: two fields would both be the key field `{name}`"
                )));
            }
            fields.push((p, name));
        }
        if fields.is_empty() {
            return Err(Error::InvalidConfig(
                "`fields` must name at least one field".into(),
            ));
        }
        Ok(ValueToKey {
            fields,
            replace_null_with_default: config.boolean("replace.null.with.default", true)?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let mut keys = SchemaMemo::default();
        for i in 0..batch.len() {
            let value = Tree::from_data(&batch.get(i, Part::Value)).map_err(Error::Fatal)?;
            // A tombstone keeps its key (Connect fails on it): it is what deletes the key's
            // row downstream.
            if value.value.is_null() {
                continue;
            }
            let key = match &value.schema {
                None => self.schemaless(&value.value),
                Some(schema) => {
                    keys.get_or_try(schema, |s| self.key_schema(s))
                        .map(|(key_schema, routes)| Tree {
                            schema: Some(key_schema.clone()),
                            value: Value::Struct(
                                routes
                                    .iter()
                                    .map(|(route, default)| {
                                        let v = follow(route, &value.value);
                                        match default {
                                            Some(d)
                                                if v.is_null()
                                                    && self.replace_null_with_default =>
                                            {
                                                Value::from(d.clone())
                                            }
                                            _ => v,
                                        }
                                    })
                                    .collect(),
                            ),
                        })
                }
            };
            let set = key.and_then(|key| batch.set(i, Part::Key, &key.to_data()));
            if let Err(m) = set {
                batch.reject(i, &format!("value-to-key: {m}"));
            }
        }
        Ok(())
    }
}

impl ValueToKey {
    /// The key's schema, and how to read each of its fields, once per value schema.
    fn key_schema(&self, s: &SchemaTree) -> Result<(SchemaTree, Vec<Route>), String> {
        if s.type_ != SchemaType::Struct {
            return Err(format!(
                "the value must be a struct, found a {} schema",
                type_name(s.type_)
            ));
        }
        let mut key = SchemaTree::of(SchemaType::Struct, false);
        let mut routes = Vec::new();
        for (p, name) in &self.fields {
            let mut current = s;
            let mut route = Vec::new();
            // A null struct on the way gives null: the key field is then optional.
            let mut optional = false;
            for step in p {
                let (at, field) = (current.type_ == SchemaType::Struct)
                    .then(|| current.field(step))
                    .flatten()
                    .ok_or_else(|| format!("field does not exist: `{}`", p.join(".")))?;
                if !route.is_empty() {
                    optional |= current.optional;
                }
                route.push(at);
                current = field;
            }
            let mut field_schema = current.clone();
            field_schema.optional |= optional;
            routes.push((route, current.default_value.clone()));
            key.field_names.push(name.clone());
            key.children.push(field_schema);
        }
        Ok((key, routes))
    }

    fn schemaless(&self, value: &Value) -> Result<Tree, String> {
        if !matches!(value, Value::Map(_)) {
            return Err(format!(
                "the value must be a map when there is no schema, found a {}",
                value.kind()
            ));
        }
        let entries = self
            .fields
            .iter()
            .map(|(p, name)| {
                let v = p
                    .iter()
                    .try_fold(value, |v, step| v.map_get(step))
                    .cloned()
                    .unwrap_or(Value::Null);
                (Value::String(name.clone()), v)
            })
            .collect();
        Ok(Tree {
            schema: None,
            value: Value::Map(entries),
        })
    }
}

/// The value at `route` (field indices) in a struct; a null on the way gives null.
fn follow(route: &[usize], value: &Value) -> Value {
    let mut current = value;
    for i in route {
        match current {
            Value::Struct(fields) if *i < fields.len() => current = &fields[*i],
            _ => return Value::Null,
        }
    }
    current.clone()
}

sluice_sdk::export_transform!(ValueToKey);
