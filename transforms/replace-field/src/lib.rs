//! ReplaceField, as Kafka Connect's `org.apache.kafka.connect.transforms.ReplaceField`:
//! drops fields (`exclude`), keeps only some (`include`) and renames others
//! (`renames=old:new`), in structs with a schema (the schema changes with them) and in
//! schemaless maps. Paths may be nested (`customer.ssn`); Connect's top-level names are
//! the one-segment case. `whitelist` and `blacklist` are the older names of `include`
//! and `exclude`, which win when both are set (as Connect's deprecated-name translation
//! did). A null key or value (a tombstone) passes unchanged.
use sluice_sdk::prelude::*;
use sluice_sdk::tree::{SchemaMemo, SchemaTree, Tree, Value, path, type_name};

struct ReplaceField {
    part: Part,
    exclude: Vec<Vec<String>>,
    include: Vec<Vec<String>>,
    /// (path of the field, its new name).
    renames: Vec<(Vec<String>, String)>,
    replace_null_with_default: bool,
}

/// How to rebuild a struct whose schema is known: per kept field, its index in the
/// old struct, its schema's default (for `replace.null.with.default`) and how to
/// rebuild its own value.
enum Plan {
    Keep,
    Struct(Vec<(usize, Option<Scalar>, Plan)>),
}

fn paths(config: &Config, name: &str, old: &str) -> Vec<Vec<String>> {
    let given = if config.get(name).is_some() {
        name
    } else {
        old
    };
    config.list(given).iter().map(|p| path(p)).collect()
}

impl Transform for ReplaceField {
    fn describe() -> Vec<Property> {
        vec![
            Property::list(
                "exclude",
                Some(""),
                "Fields to drop (dotted paths reach nested fields). Takes precedence over `include`.",
            ),
            Property::list(
                "include",
                Some(""),
                "Fields to keep; if set, only these (and, for nested paths, their parents) are kept.",
            ),
            Property::list(
                "renames",
                Some(""),
                "Field renames as `old:new` pairs, e.g. `foo:bar,customer.zip:postcode`.",
            ),
            Property::boolean(
                "replace.null.with.default",
                Some("true"),
                "Whether a null field whose schema has a default gets the default.",
            ),
            Property::list("blacklist", None, "Deprecated: use `exclude`."),
            Property::list("whitelist", None, "Deprecated: use `include`."),
            Property::string(
                "part",
                Some("value"),
                "Which side of the record to change: `key` or `value`.",
            ),
        ]
    }

    fn configure(config: Config) -> Result<Self, Error> {
        config.reject_unknown(&Self::describe())?;
        let mut renames = Vec::new();
        for mapping in config.list("renames") {
            let bad = |why: &str| {
                Error::InvalidConfig(format!(
                    "`renames`: invalid rename mapping `{mapping}` ({why}; expected `old:new`)"
                ))
            };
            let [from, to] = mapping.split(':').collect::<Vec<_>>()[..] else {
                return Err(bad("not one colon"));
            };
            let (from, to) = (path(from.trim()), to.trim());
            if from.iter().any(String::is_empty) || to.is_empty() {
                return Err(bad("an empty name"));
            }
            // A rename changes a field's name, never its place: the new name is a bare
            // name, or the same parent path followed by one.
            let to = match to.rsplit_once('.') {
                None => to.to_string(),
                Some((parent, name)) if path(parent)[..] == from[..from.len() - 1] => {
                    name.to_string()
                }
                Some(_) => return Err(bad("the new name must keep the field's parent")),
            };
            renames.push((from, to));
        }
        let check = |name: &str, list: &[Vec<String>]| {
            if list.iter().flatten().any(String::is_empty) {
                return Err(Error::InvalidConfig(format!(
                    "`{name}` has a path with an empty name"
                )));
            }
            Ok(())
        };
        let exclude = paths(&config, "exclude", "blacklist");
        let include = paths(&config, "include", "whitelist");
        check("exclude", &exclude)?;
        check("include", &include)?;
        Ok(ReplaceField {
            part: config.part()?,
            exclude,
            include,
            renames,
            replace_null_with_default: config.boolean("replace.null.with.default", true)?,
        })
    }

    fn apply(&self, batch: &Batch) -> Result<(), Error> {
        let mut plans = SchemaMemo::default();
        for i in 0..batch.len() {
            let tree = Tree::from_data(&batch.get(i, self.part)).map_err(Error::Fatal)?;
            if tree.value.is_null() {
                continue;
            }
            let out = match &tree.schema {
                None => match &tree.value {
                    Value::Map(_) => Tree {
                        schema: None,
                        value: self.reshape_map(&mut Vec::new(), tree.value),
                    },
                    other => {
                        batch.reject(
                            i,
                            &format!(
                                "replace-field needs a map when there is no schema, found a {}",
                                other.kind()
                            ),
                        );
                        continue;
                    }
                },
                Some(schema) => {
                    let planned = plans.get_or_try(schema, |s| -> Result<_, String> {
                        if s.type_ != SchemaType::Struct {
                            return Err(format!(
                                "replace-field needs a struct, found a {} schema",
                                type_name(s.type_)
                            ));
                        }
                        self.plan(&mut Vec::new(), s)
                    });
                    match planned {
                        Ok((schema, plan)) => Tree {
                            schema: Some(schema.clone()),
                            value: self.rebuild(plan, tree.value),
                        },
                        Err(message) => {
                            batch.reject(i, &message);
                            continue;
                        }
                    }
                }
            };
            if let Err(m) = batch.set(i, self.part, &out.to_data()) {
                batch.reject(i, &format!("replace-field: {m}"));
            }
        }
        Ok(())
    }
}

impl ReplaceField {
    /// Whether some rule names a field below `at`: only then is the struct or map at
    /// `at` rebuilt; everything else is copied as it is.
    fn reaches_below(&self, at: &[String]) -> bool {
        self.exclude
            .iter()
            .chain(&self.include)
            .chain(self.renames.iter().map(|(p, _)| p))
            .any(|p| p.len() > at.len() && p.starts_with(at))
    }

    /// The name field `name` of the struct or map at `parent` gets, or `None` if it is
    /// dropped.
    fn kept(&self, parent: &[String], name: &str) -> Option<String> {
        let is = |p: &Vec<String>| {
            p.len() == parent.len() + 1 && p.starts_with(parent) && p[parent.len()] == name
        };
        if self.exclude.iter().any(is) {
            return None;
        }
        // `include` limits a level only if it names something inside it, and no
        // include names this level (or one above it) whole.
        let limits = self
            .include
            .iter()
            .any(|p| p.len() > parent.len() && p.starts_with(parent));
        let whole = self.include.iter().any(|p| parent.starts_with(p));
        if limits && !whole {
            let named = self.include.iter().any(|p| {
                p.len() > parent.len() && p.starts_with(parent) && p[parent.len()] == name
            });
            if !named {
                return None;
            }
        }
        Some(
            self.renames
                .iter()
                .find(|(p, _)| is(p))
                .map_or_else(|| name.to_string(), |(_, to)| to.clone()),
        )
    }

    /// The new schema of the struct at `at` and how to rebuild its values.
    fn plan(&self, at: &mut Vec<String>, s: &SchemaTree) -> Result<(SchemaTree, Plan), String> {
        if s.type_ != SchemaType::Struct || !self.reaches_below(at) {
            return Ok((s.clone(), Plan::Keep));
        }
        let mut out = SchemaTree {
            children: Vec::new(),
            field_names: Vec::new(),
            ..s.clone()
        };
        let mut fields = Vec::new();
        for (i, (name, child)) in s.field_names.iter().zip(&s.children).enumerate() {
            let Some(new_name) = self.kept(at, name) else {
                continue;
            };
            if out.field_names.contains(&new_name) {
                return Err(format!(
                    "replace-field would give two fields the name `{new_name}`{}",
                    if at.is_empty() {
                        String::new()
                    } else {
                        format!(" in `{}`", at.join("."))
                    }
                ));
            }
            at.push(name.clone());
            let (schema, plan) = self.plan(at, child)?;
            at.pop();
            fields.push((i, child.default_value.clone(), plan));
            out.field_names.push(new_name);
            out.children.push(schema);
        }
        Ok((out, Plan::Struct(fields)))
    }

    fn rebuild(&self, plan: &Plan, value: Value) -> Value {
        match (plan, value) {
            (Plan::Struct(fields), Value::Struct(mut old)) => Value::Struct(
                fields
                    .iter()
                    .map(|(i, default, plan)| {
                        let v = std::mem::replace(&mut old[*i], Value::Null);
                        match default {
                            Some(d) if v.is_null() && self.replace_null_with_default => {
                                Value::from(d.clone())
                            }
                            _ => self.rebuild(plan, v),
                        }
                    })
                    .collect(),
            ),
            // Plan::Keep, or a null optional struct: nothing to rebuild.
            (_, value) => value,
        }
    }

    /// A schemaless map at `at`, its entries filtered and renamed.
    fn reshape_map(&self, at: &mut Vec<String>, value: Value) -> Value {
        let Value::Map(entries) = value else {
            return value;
        };
        if !self.reaches_below(at) {
            return Value::Map(entries);
        }
        let mut out: Vec<(Value, Value)> = Vec::with_capacity(entries.len());
        for (k, v) in entries {
            let Value::String(name) = &k else {
                out.push((k, v));
                continue;
            };
            let Some(new_name) = self.kept(at, name) else {
                continue;
            };
            at.push(name.clone());
            let v = self.reshape_map(at, v);
            at.pop();
            // As a map put: a rename onto an existing key replaces it.
            out.retain(|(k, _)| !matches!(k, Value::String(s) if *s == new_name));
            out.push((Value::String(new_name), v));
        }
        Value::Map(out)
    }
}

sluice_sdk::export_transform!(ReplaceField);
