//! A record's value → one table row, column by column.
//!
//! Values are matched to columns by name, so a table the user created with other
//! columns, another order or extra nullable columns works. A struct field or map key
//! without a column is not written (the caller is told, to log it once per table); a
//! column without a value is null, or the field's default, or an error when the column is
//! not nullable.

use std::collections::HashMap;
use std::sync::Arc;

use sluice_record::logical::LogicalType;
use sluice_record::{Schema, SchemaRef, Struct, Value};

use crate::cell::{CellError, RowCell, to_row_cell};
use sluice_kinetica::{Column, KineticaType};

use crate::columns::CellKind;

/// Why a record's value cannot become a row. Names the column, never the value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RowError {
    /// A field's value does not go into its column.
    #[error("field {column:?}: {problem}")]
    Cell {
        /// The column (and field) name.
        column: String,
        /// Why the value does not fit the column.
        problem: CellError,
    },
    /// A column that is not nullable got a null, or the value has no field for it.
    #[error("field {column:?} is null (or missing) but the column is not nullable")]
    NullNotAllowed {
        /// The column name.
        column: String,
    },
    /// The value is a primitive or an array: only structs and maps become rows.
    #[error("the value is a {found}, not a struct or a map")]
    NotARow {
        /// The value's type, e.g. `string` or `array`.
        found: &'static str,
    },
}

/// A converted row, and whether the value had fields the table has no column for.
#[derive(Debug, Clone, PartialEq)]
pub struct Row<'a> {
    /// One cell per table column, in the table's column (wire) order; null where the
    /// value has no field for a nullable column. Borrows the value's strings and bytes.
    pub cells: Vec<RowCell<'a>>,
    /// The value had fields with no column of that name in the table; they are
    /// dropped (schema evolution adds columns before rows are built, when enabled).
    pub has_unmapped_fields: bool,
}

struct Target {
    name: String,
    kind: CellKind,
    nullable: bool,
}

/// Struct schemas whose field-to-column plan is kept per table.
const MAX_PLANS: usize = 64;

/// Builds rows for one table. Keeps, per struct schema seen, which field feeds which
/// column, so a batch of records sharing a schema pays the name lookups once.
pub struct RowBuilder {
    targets: Vec<Target>,
    /// Keyed by the schema's address; the `SchemaRef` is kept so the address cannot be
    /// reused by another schema while cached.
    plans: HashMap<usize, (SchemaRef, Plan)>,
}

struct Plan {
    /// For each column, the struct field index that feeds it.
    fields: Vec<Option<usize>>,
    /// The field schemas' logical types, per column.
    logical: Vec<Option<LogicalType>>,
    unmapped: bool,
}

impl RowBuilder {
    /// A builder for rows of a table of type `table_type`; fields are matched to
    /// columns by name.
    pub fn new(table_type: &KineticaType) -> RowBuilder {
        RowBuilder {
            targets: table_type
                .columns()
                .iter()
                .map(|c: &Column| Target {
                    name: c.name.clone(),
                    kind: CellKind::of(c),
                    nullable: c.nullable,
                })
                .collect(),
            plans: HashMap::new(),
        }
    }

    /// Marks columns the sink fills itself after building (a record's coordinates):
    /// left null here, whatever the value holds.
    pub fn filled_by_sink(&mut self, columns: &[usize]) {
        for &c in columns {
            self.targets[c].nullable = true;
        }
    }

    /// Converts a struct or map value into a row of the table, checking every cell
    /// against its column.
    pub fn build<'a>(&mut self, value: &'a Value) -> Result<Row<'a>, RowError> {
        let mut cells = Vec::with_capacity(self.targets.len());
        let has_unmapped_fields = self.build_into(value, &mut cells)?;
        Ok(Row {
            cells,
            has_unmapped_fields,
        })
    }

    /// [`build`](Self::build) into `cells` (emptied first), so that a sink encoding one
    /// row at a time reuses one vector instead of allocating one per record. Returns
    /// whether the value had fields with no column ([`Row::has_unmapped_fields`]).
    pub fn build_into<'a>(
        &mut self,
        value: &'a Value,
        cells: &mut Vec<RowCell<'a>>,
    ) -> Result<bool, RowError> {
        cells.clear();
        match value {
            Value::Struct(s) => self.struct_row(s, cells),
            Value::Map(entries) => self.map_row(entries, cells),
            other => Err(RowError::NotARow {
                found: other.type_name(),
            }),
        }
    }

    fn struct_row<'a>(
        &mut self,
        s: &'a Struct,
        cells: &mut Vec<RowCell<'a>>,
    ) -> Result<bool, RowError> {
        let schema = s.schema();
        let key = Arc::as_ptr(schema) as usize;
        if !self.plans.contains_key(&key) {
            // A converter that builds a new schema object per record would otherwise
            // grow the cache (and keep every schema alive) for as long as the table.
            if self.plans.len() >= MAX_PLANS {
                self.plans.clear();
            }
            let plan = Plan::new(&self.targets, schema);
            self.plans.insert(key, (schema.clone(), plan));
        }
        let (_, plan) = &self.plans[&key];
        let fields = schema.fields();
        for (i, target) in self.targets.iter().enumerate() {
            let (value, default) = match plan.fields[i] {
                Some(f) => (&s.values()[f], fields[f].schema.default.as_ref()),
                None => (&Value::Null, None),
            };
            // A required field with a default reads its default when null.
            let value = match (value, default) {
                (Value::Null, Some(d)) => d,
                _ => value,
            };
            cells.push(cell(target, value, plan.logical[i])?);
        }
        Ok(plan.unmapped)
    }

    fn map_row<'a>(
        &self,
        entries: &'a [(Value, Value)],
        cells: &mut Vec<RowCell<'a>>,
    ) -> Result<bool, RowError> {
        let mut matched = 0;
        for (i, target) in self.targets.iter().enumerate() {
            // Maps usually come in the order the table was made from: try that slot first.
            let found = match entries.get(i) {
                Some((k, v)) if k.as_str() == Some(&target.name) => Some(v),
                _ => entries
                    .iter()
                    .find(|(k, _)| k.as_str() == Some(&target.name))
                    .map(|(_, v)| v),
            };
            matched += usize::from(found.is_some());
            cells.push(cell(target, found.unwrap_or(&Value::Null), None)?);
        }
        Ok(matched < entries.len())
    }

    /// The names of a value's fields that have no column (for a log line).
    pub fn unmapped_fields(&self, value: &Value) -> Vec<String> {
        let names: Vec<&str> = match value {
            Value::Struct(s) => s
                .schema()
                .fields()
                .iter()
                .map(|f| f.name.as_str())
                .collect(),
            Value::Map(entries) => entries.iter().filter_map(|(k, _)| k.as_str()).collect(),
            _ => Vec::new(),
        };
        names
            .into_iter()
            .filter(|n| !self.targets.iter().any(|t| t.name == *n))
            .map(str::to_owned)
            .collect()
    }
}

impl Plan {
    fn new(targets: &[Target], schema: &Schema) -> Plan {
        let fields: Vec<Option<usize>> = targets
            .iter()
            .map(|t| schema.field(&t.name).map(|(i, _)| i))
            .collect();
        let logical = fields
            .iter()
            .map(|f| f.and_then(|i| schema.fields()[i].schema.logical()))
            .collect();
        let mapped = fields.iter().flatten().count();
        Plan {
            unmapped: mapped < schema.fields().len(),
            fields,
            logical,
        }
    }
}

fn cell<'a>(
    target: &Target,
    value: &'a Value,
    logical: Option<LogicalType>,
) -> Result<RowCell<'a>, RowError> {
    if value.is_null() {
        return if target.nullable {
            Ok(RowCell::Borrowed(sluice_kinetica::ValueRef::Null))
        } else {
            Err(RowError::NullNotAllowed {
                column: target.name.clone(),
            })
        };
    }
    to_row_cell(value, logical, target.kind).map_err(|problem| RowError::Cell {
        column: target.name.clone(),
        problem,
    })
}

#[cfg(test)]
mod tests {
    use sluice_record::SchemaBuilder;
    use sluice_record::logical::timestamp_schema;

    use super::*;
    use crate::cell::Cell;
    use sluice_kinetica::BaseType;
    use sluice_kinetica::types::prop;

    fn ty(columns: Vec<Column>) -> KineticaType {
        KineticaType::new(columns).unwrap()
    }

    fn columns() -> KineticaType {
        ty(vec![
            Column::new("id", BaseType::Long),
            Column::new("name", BaseType::String).nullable(),
            Column::new("at", BaseType::String).with_property(prop::DATETIME),
        ])
    }

    fn schema() -> SchemaRef {
        SchemaBuilder::structure()
            .field("name", SchemaBuilder::string().optional().build_ref())
            .field("id", SchemaBuilder::int32().build_ref())
            .field("at", timestamp_schema().build_ref())
            .build_ref()
    }

    #[test]
    fn struct_fields_go_to_columns_by_name() {
        let mut b = RowBuilder::new(&columns());
        let v = Value::Struct(
            Struct::new(schema())
                .with("id", 7)
                .with("at", Value::Int64(0)),
        );
        let row = b.build(&v).unwrap();
        assert_eq!(
            row.cells,
            vec![
                Cell::Long(7),
                Cell::Null,
                Cell::String("1970-01-01 00:00:00.000".into())
            ]
        );
        assert!(!row.has_unmapped_fields);
    }

    #[test]
    fn missing_and_extra_fields() {
        let s = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int64().build_ref())
            .field("extra", SchemaBuilder::string().build_ref())
            .build_ref();
        let cols = ty(vec![
            Column::new("id", BaseType::Long),
            Column::new("gone", BaseType::Int).nullable(),
        ]);
        let mut b = RowBuilder::new(&cols);
        let v = Value::Struct(Struct::new(s).with("id", 1i64).with("extra", "x"));
        let row = b.build(&v).unwrap();
        assert_eq!(row.cells, vec![Cell::Long(1), Cell::Null]);
        assert!(row.has_unmapped_fields);
        assert_eq!(b.unmapped_fields(&v), vec!["extra".to_string()]);
    }

    #[test]
    fn null_into_a_required_column_is_an_error_unless_defaulted() {
        let s = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int64().optional().build_ref())
            .field(
                "n",
                SchemaBuilder::int32()
                    .default_value(Value::Int32(5))
                    .build_ref(),
            )
            .build_ref();
        let cols = ty(vec![
            Column::new("id", BaseType::Long),
            Column::new("n", BaseType::Int),
        ]);
        let mut b = RowBuilder::new(&cols);
        let v = Value::Struct(
            Struct::from_values(s.clone(), vec![Value::Int64(1), Value::Null]).unwrap(),
        );
        assert_eq!(
            b.build(&v).unwrap().cells,
            vec![Cell::Long(1), Cell::Int(5)]
        );
        let v = Value::Struct(Struct::from_values(s, vec![Value::Null, Value::Int32(1)]).unwrap());
        assert_eq!(
            b.build(&v),
            Err(RowError::NullNotAllowed {
                column: "id".into()
            })
        );
    }

    #[test]
    fn maps_match_by_key_in_any_order() {
        let mut b = RowBuilder::new(&ty(vec![
            Column::new("a", BaseType::Long).nullable(),
            Column::new("b", BaseType::String).nullable(),
        ]));
        let v = Value::Map(vec![
            ("b".into(), "x".into()),
            ("c".into(), Value::Int64(1)),
            ("a".into(), Value::Int64(2)),
        ]);
        let row = b.build(&v).unwrap();
        assert_eq!(row.cells, vec![Cell::Long(2), Cell::String("x".into())]);
        assert!(row.has_unmapped_fields);
        assert_eq!(b.unmapped_fields(&v), vec!["c".to_string()]);
        let other = Value::Map(vec![("a".into(), Value::Int64(3))]);
        let row = b.build(&other).unwrap();
        assert_eq!(row.cells, vec![Cell::Long(3), Cell::Null]);
        assert!(!row.has_unmapped_fields);
    }

    #[test]
    fn conversion_errors_name_the_column() {
        let mut b = RowBuilder::new(&ty(vec![
            Column::new("n", BaseType::Int).with_property(prop::INT8),
        ]));
        let err = b
            .build(&Value::Map(vec![("n".into(), Value::Int64(1000))]))
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "field \"n\": value out of range for column type int8"
        );
        let err = b.build(&Value::from("x")).unwrap_err();
        assert_eq!(err, RowError::NotARow { found: "string" });
    }
}
