//! Schema evolution: what a record schema needs from the table it goes into, and the
//! `/alter/table` calls that give it that.
//!
//! Checked once per table and struct schema (the record model shares schemas, so the
//! schema's address identifies it; see `crate::sink`), before the batch that carries
//! the schema is written:
//! * a field the table has no column for becomes a nullable column typed as for a new
//!   table ([`crate::type_map`]) (`kinetica.schema_evolution.add_new_fields_as_columns`),
//!   and the field's values are written (a null required field's default, as always).
//!   Rows of schemas without the field are null there, whether they were written before
//!   or after the column was added: no column default is set, since which rows exist
//!   before the alter depends only on how records fell into batches;
//! * a required column the schema has no field for, or whose field became optional,
//!   becomes nullable with its other properties kept
//!   (`kinetica.schema_evolution.make_missing_field_nullable`); primary-key and
//!   shard-key columns cannot be changed, so records without them fail one by one;
//! * a field of a wider type than its column (`int64` into `int`, `int32` into `int8`,
//!   `float64` into `float`, a floating-point field into an integer column) widens the
//!   column, as Kinetica's `change_column` can (not primary-key or shard-key columns);
//! * a field whose type has no conversion into its column at all (bytes into a number,
//!   a number into `bytes`, …) makes every record of that schema fail, naming the field
//!   ([`crate::RecordError::IncompatibleField`]). Types that convert value by value
//!   (numeric text into a number column, say) are written as without evolution: values
//!   that do not convert fail alone.
//!
//! Without evolution, nothing is altered and a new field is logged once per table and
//! schema, naming the property that would add it.

use sluice_kinetica::types::prop;
use sluice_kinetica::{Column, KineticaType, Options};
use sluice_record::{Schema, Value};

use crate::columns::CellKind;
use crate::settings::SchemaEvolution;
use crate::type_map::{MappingError, column_for_field};

/// One `/alter/table` call.
#[derive(Debug, Clone, PartialEq)]
pub struct Alteration {
    /// `add_column` or `change_column`.
    pub action: &'static str,
    /// The column as it should be afterwards (its full type and properties).
    pub column: Column,
}

impl Alteration {
    /// The `/alter/table` options: the full type and property list, as `change_column`
    /// needs every property that should stay (docs/reference/kinetica-rest-protocol.md,
    /// `/alter/table`).
    pub fn options(&self) -> Options {
        Options::from([
            (
                "column_type".to_owned(),
                self.column.base.as_str().to_owned(),
            ),
            (
                "column_properties".to_owned(),
                self.column.wire_properties().join(","),
            ),
        ])
    }
}

/// A field whose values cannot go into its column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Incompatible {
    /// The field (and column) name.
    pub field: String,
    /// The field's type, as the column the sink would create for it.
    pub found: String,
    /// The existing column's type.
    pub column: String,
}

/// What one struct schema needs from a table.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Changes {
    /// Alterations to make, in field order (added columns first).
    pub alterations: Vec<Alteration>,
    /// New fields that are not added (evolution or adding is off): logged.
    pub ignored: Vec<String>,
    /// The first field that cannot be written into its column.
    pub incompatible: Option<Incompatible>,
    /// A new field that cannot be a column (a nested one): its records fail.
    pub unmappable: Option<MappingError>,
}

/// What `schema` needs from a table of type `ty`. `sink_filled` are the columns the sink
/// fills itself (exactly-once coordinates), which no field is expected for.
pub fn changes_for(
    schema: &Schema,
    ty: &KineticaType,
    sink_filled: &[usize],
    evolution: SchemaEvolution,
) -> Changes {
    let mut changes = Changes::default();
    let adding = evolution.enabled && evolution.add_new_fields_as_columns;
    let relaxing = evolution.enabled && evolution.make_missing_field_nullable;
    for field in schema.fields() {
        let Some(index) = ty.column_index(&field.name) else {
            if !adding {
                changes.ignored.push(field.name.clone());
                continue;
            }
            match column_for_field(&field.name, &field.schema) {
                Ok(column) => changes.alterations.push(Alteration {
                    action: "add_column",
                    column: column.nullable(),
                }),
                Err(e) => {
                    changes.unmappable.get_or_insert(e);
                }
            }
            continue;
        };
        if !evolution.enabled || sink_filled.contains(&index) {
            continue;
        }
        let column = &ty.columns()[index];
        // Nested fields are the row builder's to refuse, value by value.
        let Ok(wanted) = column_for_field(&field.name, &field.schema) else {
            continue;
        };
        let keyed = column.is_primary_key() || column.is_shard_key();
        let (from, to) = (CellKind::of(&wanted), CellKind::of(column));
        let mut target = column.clone();
        if from != to {
            match widened(&wanted, column) {
                Some(wider) if !keyed => target = wider,
                _ if convertible(from, to) => {}
                _ => {
                    changes.incompatible.get_or_insert(Incompatible {
                        field: field.name.clone(),
                        found: from.to_string(),
                        column: to.to_string(),
                    });
                    continue;
                }
            }
        }
        // A field that became optional (and has no default to stand in) may be null.
        let may_be_null = field.schema.optional && field.schema.default.is_none();
        if relaxing && may_be_null && !column.nullable && !keyed {
            target = target.nullable();
        }
        if target != *column {
            changes.alterations.push(Alteration {
                action: "change_column",
                column: target,
            });
        }
    }
    if relaxing {
        for (index, column) in ty.columns().iter().enumerate() {
            let missing = schema.field(&column.name).is_none();
            let keyed = column.is_primary_key() || column.is_shard_key();
            if missing && !column.nullable && !keyed && !sink_filled.contains(&index) {
                changes.alterations.push(Alteration {
                    action: "change_column",
                    column: column.clone().nullable(),
                });
            }
        }
    }
    changes
}

/// The integer width order Kinetica's integer columns follow.
fn int_rank(kind: CellKind) -> Option<u8> {
    match kind {
        CellKind::Int8 => Some(1),
        CellKind::Int16 => Some(2),
        CellKind::Int => Some(3),
        CellKind::Long => Some(4),
        _ => None,
    }
}

/// `column` changed to take every value of `wanted`'s type, when that is a widening of
/// the same family (integers, floating point); other properties and nullability kept.
fn widened(wanted: &Column, column: &Column) -> Option<Column> {
    let (from, to) = (CellKind::of(wanted), CellKind::of(column));
    // Avro's promotions (int → long → float → double), which the registry's BACKWARD
    // modes let a field take.
    let floating = |k| matches!(k, CellKind::Float | CellKind::Double);
    let wider = match (int_rank(from), int_rank(to)) {
        (Some(f), Some(t)) => f > t,
        (None, Some(_)) => floating(from),
        _ => from == CellKind::Double && to == CellKind::Float,
    };
    if !wider {
        return None;
    }
    let kept = column
        .properties
        .iter()
        .filter(|p| *p != prop::INT8 && *p != prop::INT16);
    let mut c = Column::new(&column.name, wanted.base)
        .with_properties(wanted.properties.iter().cloned())
        .with_properties(kept.cloned());
    if column.nullable {
        c = c.nullable();
    }
    Some(c)
}

/// Whether some values of kind `from` convert into a `to` column ([`crate::cell`]'s
/// rules): false only when no value can.
pub fn convertible(from: CellKind, to: CellKind) -> bool {
    use CellKind::*;
    let text = matches!(to, String | Char(_));
    from == to
        || match from {
            Boolean => matches!(to, Boolean | Int | Int8 | Int16 | Long) || text,
            Int | Int8 | Int16 | Long => !matches!(to, Date | Time | Bytes),
            Float | Double => matches!(to, Float | Double | Decimal { .. }) || text,
            String | Char(_) | Ulong | DateTime => to != Bytes,
            Bytes => false,
            Date => matches!(to, Date | DateTime | Timestamp | Int | Long) || text,
            Time => matches!(to, Time | Int | Long) || text,
            Timestamp => matches!(to, Long | Timestamp | DateTime | Date | Time) || text,
            Decimal { .. } => matches!(to, Decimal { .. } | Float | Double) || text,
        }
}

/// The columns a schemaless record's new keys need: typed as the sink types them for a
/// new table ([`crate::schemaless`]), all nullable; null and nested values give none.
pub fn column_for_new_key(name: &str, value: &Value) -> Option<Column> {
    if value.is_null() {
        return None;
    }
    crate::schemaless::column_for_value(name, value)
        .ok()
        .map(Column::nullable)
}

#[cfg(test)]
mod tests {
    use sluice_kinetica::BaseType;
    use sluice_record::SchemaBuilder;

    use super::*;

    fn ty(columns: &[&[&str]]) -> KineticaType {
        let cols: Vec<Vec<String>> = columns
            .iter()
            .map(|c| c.iter().map(|s| s.to_string()).collect())
            .collect();
        KineticaType::from_column_list(&cols).unwrap()
    }

    const ALL: SchemaEvolution = SchemaEvolution {
        enabled: true,
        add_new_fields_as_columns: true,
        make_missing_field_nullable: true,
    };

    fn described(changes: &Changes) -> Vec<String> {
        changes
            .alterations
            .iter()
            .map(|a| {
                let o = a.options();
                format!(
                    "{} {} {} {}",
                    a.action, a.column.name, o["column_type"], o["column_properties"]
                )
            })
            .collect()
    }

    #[test]
    fn new_fields_become_nullable_columns() {
        let table = ty(&[&["id", "long"], &["name", "string"]]);
        let schema = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int64().build_ref())
            .field("name", SchemaBuilder::string().build_ref())
            .field("qty", SchemaBuilder::int16().build_ref())
            .field(
                "unit",
                SchemaBuilder::string()
                    .default_value(Value::from("kg"))
                    .build_ref(),
            )
            .field("ok", SchemaBuilder::boolean().optional().build_ref())
            .build();
        let changes = changes_for(&schema, &table, &[], ALL);
        assert_eq!(
            described(&changes),
            [
                "add_column qty int int16,nullable",
                "add_column unit string nullable",
                "add_column ok int boolean,nullable",
            ]
        );
        assert!(changes.ignored.is_empty() && changes.incompatible.is_none());
        let off = SchemaEvolution {
            add_new_fields_as_columns: false,
            ..ALL
        };
        let changes = changes_for(&schema, &table, &[], off);
        assert!(changes.alterations.is_empty());
        assert_eq!(changes.ignored, ["qty", "unit", "ok"]);
        // Disabled: only told, never altered.
        let changes = changes_for(&schema, &table, &[], SchemaEvolution::default());
        assert_eq!(changes.ignored, ["qty", "unit", "ok"]);
        assert!(changes.alterations.is_empty());
    }

    #[test]
    fn missing_and_optional_fields_make_required_columns_nullable_except_keys() {
        let table = ty(&[
            &["id", "long", "primary_key"],
            &["code", "string", "char8"],
            &["gone", "int", "int16"],
            &["o", "long"],
            &["ts", "long"],
            &["topic", "string"],
        ]);
        let schema = SchemaBuilder::structure()
            .field("code", SchemaBuilder::string().build_ref())
            .field("o", SchemaBuilder::int64().optional().build_ref())
            .field(
                "ts",
                SchemaBuilder::int64()
                    .optional()
                    .default_value(Value::Int64(0))
                    .build_ref(),
            )
            .build();
        let changes = changes_for(&schema, &table, &[5], ALL);
        assert_eq!(
            described(&changes),
            [
                "change_column o long nullable",
                "change_column gone int int16,nullable",
            ]
        );
        let keep = SchemaEvolution {
            make_missing_field_nullable: false,
            ..ALL
        };
        assert!(
            changes_for(&schema, &table, &[5], keep)
                .alterations
                .is_empty()
        );
    }

    #[test]
    fn wider_numbers_widen_their_columns_and_unconvertible_types_are_incompatible() {
        let table = ty(&[
            &["a", "int"],
            &["b", "int", "int8", "nullable"],
            &["c", "float"],
            &["d", "int"],
            &["e", "long", "primary_key"],
            &["f", "string", "char16"],
            &["g", "long", "nullable"],
        ]);
        let schema = SchemaBuilder::structure()
            .field("a", SchemaBuilder::int64().build_ref())
            .field("b", SchemaBuilder::int32().build_ref())
            .field("c", SchemaBuilder::float64().build_ref())
            .field("d", SchemaBuilder::string().build_ref())
            .field("e", SchemaBuilder::int32().build_ref())
            .field("f", SchemaBuilder::string().build_ref())
            .field("g", SchemaBuilder::float32().build_ref())
            .build();
        let changes = changes_for(&schema, &table, &[], ALL);
        assert_eq!(
            described(&changes),
            [
                "change_column a long ",
                "change_column b int nullable",
                "change_column c double ",
                "change_column g float nullable",
            ]
        );
        // Numeric text still goes into `d` value by value; `e` narrower than its key.
        assert_eq!(changes.incompatible, None);

        let bytes = SchemaBuilder::structure()
            .field("a", SchemaBuilder::bytes().build_ref())
            .field("f", SchemaBuilder::bytes().build_ref())
            .build();
        let changes = changes_for(&bytes, &table, &[], ALL);
        assert_eq!(
            changes.incompatible,
            Some(Incompatible {
                field: "a".into(),
                found: "bytes".into(),
                column: "int".into()
            })
        );
        // A key column is never changed: a field it cannot take fails.
        let wide_key = SchemaBuilder::structure()
            .field("e", SchemaBuilder::bytes().build_ref())
            .build();
        let changes = changes_for(&wide_key, &table, &[], ALL);
        assert_eq!(
            changes.incompatible.map(|i| (i.found, i.column)),
            Some(("bytes".to_string(), "long".to_string()))
        );
    }

    #[test]
    fn nested_new_fields_cannot_be_added() {
        let table = ty(&[&["id", "long"]]);
        let inner = SchemaBuilder::structure()
            .field("x", SchemaBuilder::int32().build_ref())
            .build_ref();
        let schema = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int64().build_ref())
            .field("address", inner)
            .build();
        let changes = changes_for(&schema, &table, &[], ALL);
        assert!(matches!(
            changes.unmappable,
            Some(MappingError::Nested { ref field, .. }) if field == "address"
        ));
    }

    #[test]
    fn convertibility_follows_the_cell_rules() {
        use CellKind::*;
        assert!(convertible(Int, Long));
        assert!(convertible(Long, Int)); // range-checked per value
        assert!(convertible(String, Int)); // numeric text parses
        assert!(!convertible(Bytes, String));
        assert!(!convertible(Long, Bytes));
        assert!(!convertible(Boolean, Double));
        assert!(!convertible(Double, Long));
        assert!(!convertible(Date, Time));
    }

    #[test]
    fn schemaless_new_keys_are_typed_like_new_tables() {
        let c = column_for_new_key("n", &Value::Int64(1)).unwrap();
        assert_eq!((c.base, c.nullable), (BaseType::Long, true));
        assert!(column_for_new_key("n", &Value::Null).is_none());
        assert!(column_for_new_key("n", &Value::Map(vec![])).is_none());
    }
}
