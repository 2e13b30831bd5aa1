//! Kafka Connect schema → Kinetica columns, for tables the sink creates.
//!
//! | Connect | Kinetica base type | properties |
//! |---|---|---|
//! | int8 / int16 / int32 | int | `int8` / `int16` / – |
//! | int64 | long | – |
//! | float32 / float64 | float / double | – |
//! | boolean | int | `boolean` (the Java connector refused booleans, docs/reference/kinetica-connector-behaviour.md §8 item 14) |
//! | string / bytes | string / bytes | – |
//! | Date | string | `date` |
//! | Time | string | `time` |
//! | Timestamp | long | `timestamp` |
//! | Decimal (scale S) | string | `decimal(P,S)`, P from the `connect.decimal.precision` parameter, else 27 |
//! | array of int8/16/32, int64, float32/64, boolean, string | string | `array(int)`, `array(long)`, `array(float)`, `array(double)`, `array(boolean)`, `array(string)`; the value as JSON text (the `kinetica-flattener`'s `KEEP_ARRAYS`) |
//! | struct, map, other arrays | refused: flatten them first | |
//!
//! Optional fields get `nullable`. Column names are the field names, verbatim.
//!
//! **Keys.** Created tables get no primary or shard key, like the Java connector: the
//! record key is not written, and which fields identify a row is a modelling decision the
//! sink cannot guess. Create the table up front (with `primary_key`/`shard_key`
//! properties) to get upserts and key routing; the sink then writes into it as it is.

use sluice_record::logical::LogicalType;
use sluice_record::{Schema, SchemaKind};

use sluice_kinetica::types::prop;
use sluice_kinetica::{BaseType, Column};

use crate::columns::{MAX_DECIMAL_PRECISION, decimal_property};

/// The schema parameter Confluent's Avro converter uses for a decimal's precision.
pub const DECIMAL_PRECISION_PARAMETER: &str = "connect.decimal.precision";

/// Why a value's shape cannot become a table row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MappingError {
    /// The value is a primitive or an array: each record becomes one row, so it must
    /// be a struct or a map.
    #[error(
        "the value is {found}, not a struct or a map: each record becomes one row, so \
         primitive values need wrapping into a struct first (e.g. a HoistField transform)"
    )]
    NotARow {
        /// The value's type, e.g. `string` or `array`.
        found: String,
    },
    /// The struct schema or map has no fields, so a table would have no columns.
    #[error("the value schema has no fields, so there are no columns to create")]
    NoFields,
    /// A field is a struct, map or array; Kinetica columns are flat.
    #[error(
        "field {field:?} is {kind}: Kinetica columns are flat; add a flattener transform to \
         the pipeline to turn nested data into columns"
    )]
    Nested {
        /// The field name.
        field: String,
        /// What the field is: `struct`, `map` or `array`.
        kind: &'static str,
    },
    /// A decimal field that no Kinetica `decimal(P,S)` column holds (precision over
    /// [`MAX_DECIMAL_PRECISION`], or a scale larger than the precision).
    #[error(
        "field {field:?} is a decimal with precision {precision} and scale {scale}, wider than \
         Kinetica's decimal({MAX_DECIMAL_PRECISION}, s); cast it with a transform first"
    )]
    DecimalTooWide {
        /// The field name.
        field: String,
        /// The schema's `connect.decimal.precision` parameter, or
        /// [`MAX_DECIMAL_PRECISION`] when it declares none.
        precision: i64,
        /// The decimal's scale (digits after the point).
        scale: i32,
    },
    /// A schemaless map has a key that is not a string, so it cannot name a column.
    #[error("map key {position} is {found}, not a string: schemaless maps need string keys")]
    NonStringKey {
        /// 1-based position of the entry in the map.
        position: usize,
        /// The key's type, e.g. `int32`.
        found: &'static str,
    },
}

/// The columns for a value schema: one per field, in field order.
pub fn columns_for_schema(schema: &Schema) -> Result<Vec<Column>, MappingError> {
    let SchemaKind::Struct(fields) = &schema.kind else {
        return Err(MappingError::NotARow {
            found: match schema.logical() {
                Some(l) => format!("a {} logical value", short_logical_name(l)),
                None => format!("a {}", schema.schema_type()),
            },
        });
    };
    if fields.is_empty() {
        return Err(MappingError::NoFields);
    }
    fields
        .iter()
        .map(|f| column_for_field(&f.name, &f.schema))
        .collect()
}

/// The column for one field.
pub fn column_for_field(name: &str, schema: &Schema) -> Result<Column, MappingError> {
    let column = match schema.logical() {
        Some(LogicalType::Date) => Column::new(name, BaseType::String).with_property(prop::DATE),
        Some(LogicalType::Time) => Column::new(name, BaseType::String).with_property(prop::TIME),
        Some(LogicalType::Timestamp) => {
            Column::new(name, BaseType::Long).with_property(prop::TIMESTAMP)
        }
        Some(LogicalType::Decimal { scale }) => decimal_column(name, schema, scale)?,
        None => match &schema.kind {
            SchemaKind::Int8 => Column::new(name, BaseType::Int).with_property(prop::INT8),
            SchemaKind::Int16 => Column::new(name, BaseType::Int).with_property(prop::INT16),
            SchemaKind::Int32 => Column::new(name, BaseType::Int),
            SchemaKind::Int64 => Column::new(name, BaseType::Long),
            SchemaKind::Float32 => Column::new(name, BaseType::Float),
            SchemaKind::Float64 => Column::new(name, BaseType::Double),
            SchemaKind::Boolean => Column::new(name, BaseType::Int).with_property(prop::BOOLEAN),
            SchemaKind::String => Column::new(name, BaseType::String),
            SchemaKind::Bytes => Column::new(name, BaseType::Bytes),
            SchemaKind::Struct(_) => return Err(nested(name, "a struct")),
            SchemaKind::Array(items) => match crate::array::property_for_items(items) {
                Some(property) => Column::new(name, BaseType::String).with_property(property),
                None => return Err(nested(name, "an array")),
            },
            SchemaKind::Map { .. } => return Err(nested(name, "a map")),
        },
    };
    Ok(if schema.optional {
        column.nullable()
    } else {
        column
    })
}

fn nested(field: &str, kind: &'static str) -> MappingError {
    MappingError::Nested {
        field: field.to_owned(),
        kind,
    }
}

/// Kinetica decimals have a precision of at most 27 and a scale in 0..=precision. A
/// Connect decimal without a declared precision gets the widest, so that no value is
/// refused for its size; a negative scale (whole hundreds, …) is stored with scale 0.
fn decimal_column(name: &str, schema: &Schema, scale: i32) -> Result<Column, MappingError> {
    let declared: Option<i64> = schema
        .parameters
        .get(DECIMAL_PRECISION_PARAMETER)
        .and_then(|p| p.trim().parse().ok());
    let too_wide = || MappingError::DecimalTooWide {
        field: name.to_owned(),
        precision: declared.unwrap_or(i64::from(MAX_DECIMAL_PRECISION)),
        scale,
    };
    let (precision, kinetica_scale) = match declared {
        // A negative scale adds zeros before the point: precision grows by that much.
        Some(p) => (p + i64::from((-scale).max(0)), i64::from(scale.max(0))),
        None => (i64::from(MAX_DECIMAL_PRECISION), i64::from(scale.max(0))),
    };
    if precision < 1 || precision > i64::from(MAX_DECIMAL_PRECISION) || kinetica_scale > precision {
        return Err(too_wide());
    }
    Ok(Column::new(name, BaseType::String)
        .with_property(decimal_property(precision as u32, kinetica_scale as u32)))
}

fn short_logical_name(l: LogicalType) -> &'static str {
    match l {
        LogicalType::Decimal { .. } => "Decimal",
        LogicalType::Date => "Date",
        LogicalType::Time => "Time",
        LogicalType::Timestamp => "Timestamp",
    }
}

#[cfg(test)]
mod tests {
    use sluice_record::logical::{date_schema, decimal_schema, time_schema, timestamp_schema};
    use sluice_record::{SchemaBuilder, SchemaRef};

    use super::*;

    fn col(name: &str, base: BaseType, properties: &[&str]) -> Column {
        Column::new(name, base).with_properties(properties.iter().copied())
    }

    fn one(schema: SchemaRef) -> Result<Column, MappingError> {
        column_for_field("f", &schema)
    }

    #[test]
    fn every_primitive_type_maps() {
        use BaseType::*;
        let cases = [
            (SchemaBuilder::int8(), Int, vec!["int8"]),
            (SchemaBuilder::int16(), Int, vec!["int16"]),
            (SchemaBuilder::int32(), Int, vec![]),
            (SchemaBuilder::int64(), Long, vec![]),
            (SchemaBuilder::float32(), Float, vec![]),
            (SchemaBuilder::float64(), Double, vec![]),
            (SchemaBuilder::boolean(), Int, vec!["boolean"]),
            (SchemaBuilder::string(), String, vec![]),
            (SchemaBuilder::bytes(), Bytes, vec![]),
        ];
        for (builder, base, properties) in cases {
            assert_eq!(
                one(builder.clone().build_ref()).unwrap(),
                col("f", base, &properties)
            );
            let mut nullable = properties.clone();
            nullable.push("nullable");
            assert_eq!(
                one(builder.optional().build_ref()).unwrap(),
                col("f", base, &nullable)
            );
        }
    }

    #[test]
    fn logical_types_map_to_kinetica_types() {
        use BaseType::*;
        assert_eq!(
            one(date_schema().build_ref()).unwrap(),
            col("f", String, &["date"])
        );
        assert_eq!(
            one(time_schema().optional().build_ref()).unwrap(),
            col("f", String, &["time", "nullable"])
        );
        assert_eq!(
            one(timestamp_schema().build_ref()).unwrap(),
            col("f", Long, &["timestamp"])
        );
        assert_eq!(
            one(decimal_schema(2).build_ref()).unwrap(),
            col("f", String, &["decimal(27,2)"])
        );
        assert_eq!(
            one(decimal_schema(2)
                .parameter(DECIMAL_PRECISION_PARAMETER, "10")
                .build_ref())
            .unwrap(),
            col("f", String, &["decimal(10,2)"])
        );
        // Scale -2 with precision 5: up to 7 integer digits, no fraction.
        assert_eq!(
            one(decimal_schema(-2)
                .parameter(DECIMAL_PRECISION_PARAMETER, "5")
                .build_ref())
            .unwrap(),
            col("f", String, &["decimal(7,0)"])
        );
        // A Date name on the wrong physical type is just that type.
        assert_eq!(
            one(SchemaBuilder::int64()
                .name(sluice_record::logical::DATE)
                .build_ref())
            .unwrap(),
            col("f", Long, &[])
        );
    }

    #[test]
    fn decimals_wider_than_kinetica_are_refused() {
        for (precision, scale) in [("28", 2), ("0", 0), ("5", 6)] {
            let err = one(decimal_schema(scale)
                .parameter(DECIMAL_PRECISION_PARAMETER, precision)
                .build_ref())
            .unwrap_err();
            assert!(
                matches!(err, MappingError::DecimalTooWide { .. }),
                "{precision},{scale}"
            );
        }
        let err = one(decimal_schema(30).build_ref()).unwrap_err();
        assert!(err.to_string().contains("\"f\""), "{err}");
    }

    #[test]
    fn nested_fields_are_refused_by_name() {
        let inner = SchemaBuilder::structure()
            .field("x", SchemaBuilder::int32().build_ref())
            .build_ref();
        let s = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int32().build_ref())
            .field("address", inner)
            .build();
        let err = columns_for_schema(&s).unwrap_err();
        assert_eq!(
            err,
            MappingError::Nested {
                field: "address".into(),
                kind: "a struct"
            }
        );
        assert!(err.to_string().contains("flattener"), "{err}");
        // Arrays of primitives are Kinetica array columns; of anything else, nested.
        let ints = SchemaBuilder::array(SchemaBuilder::int32().build_ref()).build_ref();
        let column = one(ints).unwrap();
        assert_eq!(
            (column.base, column.properties.clone()),
            (BaseType::String, vec!["array(int)".to_owned()])
        );
        let arr = SchemaBuilder::array(SchemaBuilder::bytes().build_ref()).build_ref();
        assert!(matches!(
            one(arr),
            Err(MappingError::Nested {
                kind: "an array",
                ..
            })
        ));
        let map = SchemaBuilder::map(
            SchemaBuilder::string().build_ref(),
            SchemaBuilder::int32().build_ref(),
        )
        .optional()
        .build_ref();
        assert!(matches!(
            one(map),
            Err(MappingError::Nested { kind: "a map", .. })
        ));
    }

    #[test]
    fn a_struct_maps_field_by_field_in_order() {
        let s = SchemaBuilder::structure()
            .field("id", SchemaBuilder::int64().build_ref())
            .field("name", SchemaBuilder::string().optional().build_ref())
            .field("at", timestamp_schema().build_ref())
            .build();
        assert_eq!(
            columns_for_schema(&s).unwrap(),
            vec![
                col("id", BaseType::Long, &[]),
                col("name", BaseType::String, &["nullable"]),
                col("at", BaseType::Long, &["timestamp"]),
            ]
        );
    }

    #[test]
    fn only_structs_with_fields_make_tables() {
        let err = columns_for_schema(&SchemaBuilder::string().build()).unwrap_err();
        assert_eq!(
            err,
            MappingError::NotARow {
                found: "a string".into()
            }
        );
        assert!(err.to_string().contains("HoistField"), "{err}");
        let err = columns_for_schema(&date_schema().build()).unwrap_err();
        assert!(err.to_string().contains("a Date logical value"), "{err}");
        assert_eq!(
            columns_for_schema(&SchemaBuilder::structure().build()),
            Err(MappingError::NoFields)
        );
    }
}
