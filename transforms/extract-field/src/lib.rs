//! ExtractField, as Kafka Connect's `org.apache.kafka.connect.transforms.ExtractField`:
//! replaces the key or value with one of its fields (`field`, a dotted path into
//! nested structs and maps, as Connect's `field.syntax.version=V2`), and a schema with
//! that field's schema. A null key or value passes as null (with a schema, it takes
//! the field's schema, as in Connect).
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, SchemaTree, Tree, Value, path, type_name};

struct ExtractField {
    part: Part,
    field: Vec<String>,
    replace_null_with_default: bool,
}

impl Transform for ExtractField {
    fn describe() -> Vec<Property> {
        vec![
            Property::string(
                "field",
                None,
                "The field to extract (a dotted path reaches a nested field).",
            ),
            Property::string(
                "field.syntax.version",
                Some("V2"),
                "`V2`: dots in `field` separate nested names; `V1`: `field` is one top-level name, dots and all (Connect's default).",
            ),
            Property::boolean(
                "replace.null.with.default",
                Some("true"),
                "Whether a null field whose schema has a default gives the default.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record to extract from: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let given = config.required("field")?;
        let field = match config
            .get("field.syntax.version")
            .map(|v| v.trim().to_ascii_uppercase())
            .as_deref()
        {
            None | Some("V2") => path(given.trim()),
            Some("V1") => vec![given.trim().to_string()],
            Some(_) => {
                return Err(Error::InvalidConfig(
                    "`field.syntax.version` must be V1 or V2".into(),
                ));
            }
        };
        if field.is_empty() || field.iter().any(String::is_empty) {
            return Err(Error::InvalidConfig(format!(
                "`field`: `{given}` is not a field path"
            )));
        }
        Ok(ExtractField {
            part: config.part()?,
            field,
            replace_null_with_default: config.boolean("replace.null.with.default", true)?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let mut schemas = SchemaMemo::default();
        for i in 0..batch.len() {
            let tree = Tree::from_data(&batch.get(i, self.part)).map_err(Error::Fatal)?;
            let out = match &tree.schema {
                None => self.schemaless(tree.value),
                Some(schema) => schemas
                    .get_or_try(schema, |s| self.field_schema(s))
                    .cloned()
                    .map(|(field_schema, indices)| {
                        let mut value = extract(&indices, tree.value);
                        if value.is_null()
                            && self.replace_null_with_default
                            && let Some(d) = &field_schema.default_value
                        {
                            value = Value::from(d.clone());
                        }
                        Tree {
                            schema: Some(field_schema),
                            value,
                        }
                    }),
            };
            match out {
                Ok(out) => {
                    if let Err(m) = batch.set(i, self.part, &out.to_data()) {
                        batch.reject(i, &format!("extract-field: {m}"));
                    }
                }
                Err(message) => batch.reject(i, &format!("extract-field: {message}")),
            }
        }
        Ok(())
    }
}

impl ExtractField {
    fn name(&self) -> String {
        self.field.join(".")
    }

    /// The schema of the field and the field's index in each struct on the way, found
    /// once per distinct schema.
    fn field_schema(&self, s: &SchemaTree) -> Result<(SchemaTree, Vec<usize>), String> {
        let mut current = s;
        let mut indices = Vec::new();
        // A null struct on the way makes the field null, so the result is optional if
        // any struct on the way is (the host refuses a null of a required schema).
        let mut optional = false;
        for name in &self.field {
            optional |= current.optional;
            if current.type_ != SchemaType::Struct {
                return Err(format!(
                    "`{}` needs a struct, found a {} schema",
                    self.name(),
                    type_name(current.type_)
                ));
            }
            let (i, field) = current
                .field(name)
                .ok_or_else(|| format!("unknown field `{}`", self.name()))?;
            indices.push(i);
            current = field;
        }
        let mut schema = current.clone();
        schema.optional |= optional;
        Ok((schema, indices))
    }

    fn schemaless(&self, value: Value) -> Result<Tree, String> {
        let mut current = value;
        for (depth, name) in self.field.iter().enumerate() {
            current = match current {
                Value::Null => Value::Null,
                Value::Map(entries) => entries
                    .into_iter()
                    .find(|(k, _)| matches!(k, Value::String(s) if s == name))
                    .map_or(Value::Null, |(_, v)| v),
                other if depth == 0 => {
                    return Err(format!(
                        "needs a map when there is no schema, found a {}",
                        other.kind()
                    ));
                }
                // A nested value that is no map has no such field.
                _ => Value::Null,
            };
        }
        Ok(Tree {
            schema: None,
            value: current,
        })
    }
}

/// The field at `indices` of a struct; a null struct on the way gives null.
fn extract(indices: &[usize], value: Value) -> Value {
    let mut current = value;
    for i in indices {
        current = match current {
            Value::Struct(mut fields) if *i < fields.len() => fields.swap_remove(*i),
            _ => return Value::Null,
        };
    }
    current
}

sluice_sdk::export_transform!(ExtractField);
