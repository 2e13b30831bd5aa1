//! HoistField, as Kafka Connect's `org.apache.kafka.connect.transforms.HoistField`:
//! wraps the key or value in a struct of one field (`field`) when it has a schema —
//! the new schema is a struct whose one field has the old schema — or in a map of one
//! entry when it has none. As in Connect, a null is wrapped too (`{"field": null}`);
//! with a schema that is only possible when the schema is optional.
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, SchemaTree, Tree, Value};

struct HoistField {
    part: Part,
    field: String,
}

impl Transform for HoistField {
    fn describe() -> Vec<Property> {
        vec![
            Property::string(
                "field",
                None,
                "Name of the one field of the struct or map the key or value is wrapped in.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record to wrap: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let field = config.required("field")?.trim().to_string();
        if field.is_empty() {
            return Err(Error::InvalidConfig("`field` must not be empty".into()));
        }
        Ok(HoistField {
            part: config.part()?,
            field,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let mut schemas = SchemaMemo::default();
        for i in 0..batch.len() {
            let tree = Tree::from_data(&batch.get(i, self.part)).map_err(Error::Fatal)?;
            let out = match &tree.schema {
                None => Tree {
                    schema: None,
                    value: Value::Map(vec![(Value::String(self.field.clone()), tree.value)]),
                },
                Some(schema) => {
                    if tree.value.is_null() && !schema.optional {
                        batch.reject(
                            i,
                            "hoist-field: a null cannot fill a field whose schema is not optional",
                        );
                        continue;
                    }
                    let wrapper = schemas
                        .get_or_try(schema, |s| -> Result<_, ()> {
                            let mut w = SchemaTree::of(SchemaType::Struct, false);
                            w.field_names.push(self.field.clone());
                            w.children.push(s.clone());
                            Ok(w)
                        })
                        .expect("infallible");
                    Tree {
                        schema: Some(wrapper.clone()),
                        value: Value::Struct(vec![tree.value]),
                    }
                }
            };
            if let Err(m) = batch.set(i, self.part, &out.to_data()) {
                batch.reject(i, &format!("hoist-field: {m}"));
            }
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(HoistField);
