//! SetSchemaMetadata, as Kafka Connect's
//! `org.apache.kafka.connect.transforms.SetSchemaMetadata`: sets the name
//! (`schema.name`), the version (`schema.version`) or both of the key's or value's
//! schema; the data is unchanged. A record without a schema is rejected (Connect
//! requires one), except a null without a schema, which passes.
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, Tree, Value};

struct SetSchemaMetadata {
    part: Part,
    name: Option<String>,
    version: Option<i32>,
    replace_null_with_default: bool,
}

impl Transform for SetSchemaMetadata {
    fn describe() -> Vec<Property> {
        vec![
            Property::string("schema.name", None, "Schema name to set."),
            Property::int("schema.version", None, "Schema version to set."),
            Property::boolean(
                "replace.null.with.default",
                Some("true"),
                "Whether a null top-level field whose schema has a default gets the default.",
            ),
            Property::string(
                "part",
                Some("value"),
                "Which side's schema to change: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let name = config
            .get("schema.name")
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        let version = match config.get("schema.version").map(str::trim) {
            None | Some("") => None,
            Some(v) => Some(v.parse::<i32>().map_err(|_| {
                Error::InvalidConfig(format!("`schema.version` must be an int, not `{v}`"))
            })?),
        };
        if name.is_none() && version.is_none() {
            return Err(Error::InvalidConfig(
                "set `schema.name`, `schema.version` or both".into(),
            ));
        }
        Ok(SetSchemaMetadata {
            part: config.part()?,
            name,
            version,
            replace_null_with_default: config.boolean("replace.null.with.default", true)?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let mut schemas = SchemaMemo::default();
        for i in 0..batch.len() {
            let tree = Tree::from_data(&batch.get(i, self.part)).map_err(Error::Fatal)?;
            let Some(schema) = &tree.schema else {
                if !tree.value.is_null() {
                    batch.reject(i, "set-schema-metadata: the record has no schema to update");
                }
                continue;
            };
            let updated = schemas
                .get_or_try(schema, |s| -> Result<_, ()> {
                    let mut out = s.clone();
                    if let Some(n) = &self.name {
                        out.name = Some(n.clone());
                    }
                    if let Some(v) = self.version {
                        out.version = Some(v);
                    }
                    Ok(out)
                })
                .expect("infallible")
                .clone();
            // Connect copies a struct into the new schema field by field, reading each
            // with its default: with `replace.null.with.default` nulls become defaults.
            let value = match tree.value {
                Value::Struct(fields) if self.replace_null_with_default => Value::Struct(
                    fields
                        .into_iter()
                        .zip(&schema.children)
                        .map(|(v, s)| match &s.default_value {
                            Some(d) if v.is_null() => Value::from(d.clone()),
                            _ => v,
                        })
                        .collect(),
                ),
                other => other,
            };
            let out = Tree {
                schema: Some(updated),
                value,
            };
            if let Err(m) = batch.set(i, self.part, &out.to_data()) {
                batch.reject(i, &format!("set-schema-metadata: {m}"));
            }
        }
        Ok(())
    }
}

sluice_sdk::export_transform!(SetSchemaMetadata);
