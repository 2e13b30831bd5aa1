//! Field paths (`customer.ssn`) into keys and values: how the batch accessors find a
//! field, and how setting a field a value lacks adds it.

use std::sync::Arc;

use sluice_record::{Data, Field, Schema, SchemaKind, SchemaRef, Struct, Value};

use crate::bindings::types::{FieldError, Scalar};
use crate::wit_convert::{fits, scalar_of, schema_kind_of, value_of};

/// A parsed path: dot-separated segments; empty means the key or value itself.
pub fn segments(path: &str) -> Vec<&str> {
    if path.is_empty() {
        Vec::new()
    } else {
        path.split('.').collect()
    }
}

fn child<'v>(value: &'v Value, name: &str) -> Option<&'v Value> {
    value.get(name)
}

/// Reads a leaf. `Ok(None)` when a schemaless map lacks the key (or `lenient` is set
/// and a struct lacks the field): such a field reads as null.
pub fn get(
    data: &Data,
    path: &[&str],
    full_path: &str,
    lenient: bool,
) -> Result<Option<Scalar>, FieldError> {
    let mut current = &data.value;
    for (depth, name) in path.iter().enumerate() {
        match current {
            Value::Map(_) => match child(current, name) {
                Some(v) => current = v,
                None => return Ok(None),
            },
            Value::Struct(_) => match child(current, name) {
                Some(v) => current = v,
                None if lenient => return Ok(None),
                None => return Err(FieldError::NoSuchField(full_path.to_string())),
            },
            // A null parent (an optional struct that is absent) makes its fields null.
            Value::Null => return Ok(Some(Scalar::Null)),
            _ if lenient => return Ok(None),
            _ => {
                return Err(FieldError::NoSuchField(format!(
                    "{full_path} (`{}` is not a struct or map)",
                    path[..depth].join(".")
                )));
            }
        }
    }
    scalar_of(current).map(Some).ok_or_else(|| {
        FieldError::TypeMismatch(format!(
            "`{full_path}` is a {}; read it with `get`",
            current.type_name()
        ))
    })
}

/// The type of the value at a path, `None` when it is null or absent (a null on the way
/// included): what a transform needs to write a field without reading its contents, and
/// to know when it is an array, map or struct, which the column calls do not carry.
pub fn value_type(data: &Data, path: &[&str]) -> Option<sluice_record::SchemaType> {
    use sluice_record::SchemaType as T;
    let mut current = &data.value;
    for name in path {
        current = current.get(name)?;
    }
    Some(match current {
        Value::Boolean(_) => T::Boolean,
        Value::Int8(_) => T::Int8,
        Value::Int16(_) => T::Int16,
        Value::Int32(_) => T::Int32,
        Value::Int64(_) => T::Int64,
        Value::Float32(_) => T::Float32,
        Value::Float64(_) => T::Float64,
        Value::String(_) => T::String,
        Value::Bytes(_) => T::Bytes,
        Value::Array(_) => T::Array,
        Value::Map(_) => T::Map,
        Value::Struct(_) => T::Struct,
        Value::Null => return None,
    })
}

/// Per-call memo of schemas extended with a new field, so adding the same field to a
/// thousand records builds one new schema, shared by all of them.
#[derive(Default)]
pub struct SchemaCache {
    /// (original schema, added field, extended schema). Few entries per call.
    extended: Vec<(SchemaRef, String, SchemaRef)>,
}

impl SchemaCache {
    /// The extension of `schema` by `field` made earlier in this call, if any. Records
    /// usually share their schema (`Arc::ptr_eq`); equal schemas parsed separately
    /// match too, so they end up with one extended schema.
    fn find(&self, schema: &SchemaRef, field: &str) -> Option<&SchemaRef> {
        let same = |(original, f, _): &&(SchemaRef, String, SchemaRef)| {
            f == field && Arc::ptr_eq(original, schema)
        };
        let equal = |(original, f, _): &&(SchemaRef, String, SchemaRef)| {
            f == field && **original == **schema
        };
        self.extended
            .iter()
            .find(same)
            .or_else(|| self.extended.iter().find(equal))
            .map(|(_, _, extended)| extended)
    }

    /// Whether this call already added `field` to `schema` for another record.
    fn extends(&self, schema: &SchemaRef, field: &str) -> bool {
        self.find(schema, field).is_some()
    }
}

/// Writes a leaf. A field missing from a schemaless map is added; a field missing from
/// the top-level struct is appended to its schema as an optional field typed after
/// the value. Setting null on a missing field changes nothing.
pub fn set(
    data: &mut Data,
    path: &[&str],
    full_path: &str,
    scalar: Scalar,
    cache: &mut SchemaCache,
) -> Result<(), FieldError> {
    let Some((last, parents)) = path.split_last() else {
        if let Some(schema) = &data.schema
            && !fits(schema, &scalar)
        {
            return Err(mismatch("the value", schema, &scalar));
        }
        data.value = value_of(scalar);
        return Ok(());
    };
    let null = matches!(scalar, Scalar::Null);
    let mut parent = &mut data.value;
    for name in parents {
        // Under a null (a tombstone, an absent optional struct) the field reads as null
        // (`get`): writing null there changes nothing, so a column read and written
        // back, or masked, is no error.
        if null && parent.is_null() {
            return Ok(());
        }
        parent = parent
            .get_mut(name)
            .ok_or_else(|| FieldError::NoSuchField(full_path.to_string()))?;
    }
    match parent {
        Value::Struct(s) => {
            if let Some((i, field)) = s.schema().field(last) {
                if !fits(&field.schema, &scalar) {
                    return Err(mismatch(full_path, &field.schema, &scalar));
                }
                s.values_mut()[i] = value_of(scalar);
                return Ok(());
            }
            if matches!(scalar, Scalar::Null) && !cache.extends(s.schema(), last) {
                return Ok(());
            }
            if !parents.is_empty() {
                return Err(FieldError::NoSuchField(format!(
                    "{full_path} (fields can be added to the top-level struct only; set the whole value to reshape nested ones)"
                )));
            }
            add_top_level_field(data, last, scalar, cache);
            Ok(())
        }
        Value::Map(entries) => {
            let value = value_of(scalar);
            match entries.iter_mut().find(|(k, _)| k.as_str() == Some(last)) {
                Some((_, slot)) => *slot = value,
                None if value.is_null() => {}
                None => entries.push((Value::String((*last).into()), value)),
            }
            Ok(())
        }
        Value::Null if null => Ok(()),
        Value::Null => Err(FieldError::NoSuchField(format!(
            "{full_path} (its parent is null)"
        ))),
        other => Err(FieldError::TypeMismatch(format!(
            "the parent of `{full_path}` is a {}, not a struct or map",
            other.type_name()
        ))),
    }
}

fn mismatch(what: &str, schema: &Schema, scalar: &Scalar) -> FieldError {
    let given = match scalar {
        Scalar::Null => "null".to_string(),
        s => schema_kind_of(s)
            .map(|k| k.schema_type().to_string())
            .unwrap_or_default(),
    };
    let optional = if schema.optional { "optional " } else { "" };
    FieldError::TypeMismatch(format!(
        "`{what}` is {optional}{}; cannot store {given}",
        schema.schema_type()
    ))
}

fn add_top_level_field(data: &mut Data, name: &str, scalar: Scalar, cache: &mut SchemaCache) {
    let Value::Struct(s) = std::mem::replace(&mut data.value, Value::Null) else {
        unreachable!("caller checked the value is a struct");
    };
    let (old_schema, mut values) = s.into_parts();
    let new_schema = match cache.find(&old_schema, name) {
        Some(extended) => extended.clone(),
        None => {
            let mut schema = (*old_schema).clone();
            if let SchemaKind::Struct(fields) = &mut schema.kind {
                let kind = schema_kind_of(&scalar).expect("the first value added is not null");
                fields.push(Field {
                    name: name.to_string(),
                    schema: Schema::builder(kind).optional().build_ref(),
                });
            }
            let extended = Arc::new(schema);
            cache
                .extended
                .push((old_schema.clone(), name.to_string(), extended.clone()));
            extended
        }
    };
    // A null only gets here for a field another record of this schema already added.
    values.push(value_of(scalar));
    if data.schema.is_some() {
        data.schema = Some(new_schema.clone());
    }
    data.value =
        Value::Struct(Struct::from_values(new_schema, values).expect("one value per field"));
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_record::SchemaBuilder;

    fn person() -> Data {
        let schema = SchemaBuilder::structure()
            .field("name", SchemaBuilder::string().build_ref())
            .field("age", SchemaBuilder::int32().optional().build_ref())
            .build_ref();
        Data::with_schema(
            schema.clone(),
            Value::Struct(Struct::new(schema).with("name", "ann").with("age", 40)),
        )
    }

    #[test]
    fn get_reads_struct_and_map_fields() {
        let d = person();
        assert_eq!(
            get(&d, &["name"], "name", false).unwrap(),
            Some(Scalar::String("ann".into()))
        );
        assert!(matches!(
            get(&d, &["nope"], "nope", false),
            Err(FieldError::NoSuchField(_))
        ));
        assert_eq!(get(&d, &["nope"], "nope", true).unwrap(), None);
        let m = Data::schemaless(Value::Map(vec![(
            "a".into(),
            Value::Map(vec![("b".into(), Value::Int64(2))]),
        )]));
        assert_eq!(
            get(&m, &["a", "b"], "a.b", false).unwrap(),
            Some(Scalar::Int64(2))
        );
        assert_eq!(get(&m, &["a", "c"], "a.c", false).unwrap(), None);
    }

    #[test]
    fn set_checks_the_field_type() {
        let mut d = person();
        let mut cache = SchemaCache::default();
        assert!(matches!(
            set(&mut d, &["name"], "name", Scalar::Int32(1), &mut cache),
            Err(FieldError::TypeMismatch(_))
        ));
        assert!(matches!(
            set(&mut d, &["name"], "name", Scalar::Null, &mut cache),
            Err(FieldError::TypeMismatch(_))
        ));
        set(&mut d, &["age"], "age", Scalar::Null, &mut cache).unwrap();
        assert_eq!(d.value.get("age"), Some(&Value::Null));
    }

    #[test]
    fn value_type_names_containers_and_is_none_for_nulls() {
        use sluice_record::SchemaType as T;
        let d = person();
        assert_eq!(value_type(&d, &["name"]), Some(T::String));
        assert_eq!(value_type(&d, &[]), Some(T::Struct));
        assert_eq!(value_type(&d, &["nope"]), None);
        let m = Data::schemaless(Value::Map(vec![
            ("tags".into(), Value::Array(vec![])),
            ("none".into(), Value::Null),
        ]));
        assert_eq!(value_type(&m, &["tags"]), Some(T::Array));
        assert_eq!(value_type(&m, &["none"]), None);
        assert_eq!(value_type(&m, &["none", "deeper"]), None);
    }

    /// A field under a null reads as null; setting it to null is a no-op, setting a
    /// value is an error (there is no struct to hold it).
    #[test]
    fn null_under_a_null_parent_is_a_no_op_a_value_is_an_error() {
        let address = SchemaBuilder::structure()
            .field("zip", SchemaBuilder::string().build_ref())
            .optional()
            .build_ref();
        let schema = SchemaBuilder::structure()
            .field("address", address)
            .optional()
            .build_ref();
        let tombstone = Data::with_schema(schema.clone(), Value::Null);
        let no_address = Data::with_schema(
            schema.clone(),
            Value::Struct(Struct::new(schema).with("address", Value::Null)),
        );
        let mut cache = SchemaCache::default();
        for (data, path) in [
            (&tombstone, &["address"][..]),
            (&tombstone, &["address", "zip"][..]),
            (&no_address, &["address", "zip"][..]),
        ] {
            let full = path.join(".");
            assert_eq!(get(data, path, &full, false).unwrap(), Some(Scalar::Null));
            let mut d = data.clone();
            set(&mut d, path, &full, Scalar::Null, &mut cache).unwrap();
            assert_eq!(d, *data, "{full}");
            let mut d = data.clone();
            assert!(
                matches!(
                    set(&mut d, path, &full, Scalar::String("x".into()), &mut cache),
                    Err(FieldError::NoSuchField(_))
                ),
                "{full}"
            );
        }
    }

    #[test]
    fn setting_a_missing_field_adds_it_once_per_schema() {
        let mut a = person();
        let mut b = a.clone();
        let mut cache = SchemaCache::default();
        set(
            &mut a,
            &["topic"],
            "topic",
            Scalar::String("t".into()),
            &mut cache,
        )
        .unwrap();
        set(
            &mut b,
            &["topic"],
            "topic",
            Scalar::String("u".into()),
            &mut cache,
        )
        .unwrap();
        let sa = a.schema.clone().unwrap();
        assert!(
            Arc::ptr_eq(&sa, b.schema.as_ref().unwrap()),
            "the extended schema is shared"
        );
        assert_eq!(sa.fields().len(), 3);
        assert!(sa.fields()[2].schema.optional);
        assert_eq!(b.value.get("topic"), Some(&Value::String("u".into())));
        sa.validate(&a.value).unwrap();
    }
}
