//! How the sink reads a Kinetica column when converting values into it.
//!
//! The client crate models a column as a base type (the Avro type on the wire) plus a
//! type-refining property ([`sluice_kinetica::ColumnKind`]). Conversion needs the two
//! folded into one: which values the column accepts and how they travel. That is
//! [`CellKind`].

use sluice_kinetica::{BaseType, Column, ColumnKind};

/// The widest decimal Kinetica stores (12 bytes).
pub const MAX_DECIMAL_PRECISION: u32 = 27;

/// What a column holds, as far as value conversion is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellKind {
    /// An `int` column: 32-bit signed.
    Int,
    /// An `int` column with the `int8` property: −128..=127.
    Int8,
    /// An `int` column with the `int16` property: −32768..=32767.
    Int16,
    /// An `int` column holding 0 or 1.
    Boolean,
    /// A `long` column: 64-bit signed.
    Long,
    /// A `long` column of epoch milliseconds, within Kinetica's years 1000–2900.
    Timestamp,
    /// A `float` column: IEEE-754 single precision.
    Float,
    /// A `double` column: IEEE-754 double precision.
    Double,
    /// Any string column without a more specific meaning below (also `uuid`, `ipv4`,
    /// `json`, `wkt`…, whose text is passed through for the server to check).
    String,
    /// `charN`: at most N characters.
    Char(usize),
    /// A `date` string column: `YYYY-MM-DD`.
    Date,
    /// A `time` string column: `HH:MM:SS[.mmm]`.
    Time,
    /// A `datetime` string column: `YYYY-MM-DD HH:MM:SS[.mmm]`.
    DateTime,
    /// A `decimal(P,S)` string column (plain `decimal` is (18,4)).
    Decimal {
        /// Total digits P, at most [`MAX_DECIMAL_PRECISION`].
        precision: u32,
        /// Digits after the point S; values with more are refused, not rounded.
        scale: u32,
    },
    /// A `ulong` string column: decimal text from 0 to 2^64−1.
    Ulong,
    /// A `bytes` column: raw bytes.
    Bytes,
}

impl CellKind {
    /// The kind of a column. A refining property on the wrong base type (which the
    /// server would not create) is ignored in favour of the base type.
    pub fn of(column: &Column) -> CellKind {
        match (column.base, column.kind()) {
            (BaseType::Int, ColumnKind::Int8) => CellKind::Int8,
            (BaseType::Int, ColumnKind::Int16) => CellKind::Int16,
            (BaseType::Int, ColumnKind::Boolean) => CellKind::Boolean,
            (BaseType::Int, _) => CellKind::Int,
            (BaseType::Long, ColumnKind::Timestamp) => CellKind::Timestamp,
            (BaseType::Long, _) => CellKind::Long,
            (BaseType::Float, _) => CellKind::Float,
            (BaseType::Double, _) => CellKind::Double,
            (BaseType::Bytes, _) => CellKind::Bytes,
            (BaseType::String, ColumnKind::Char(n)) => CellKind::Char(n.into()),
            (BaseType::String, ColumnKind::Date) => CellKind::Date,
            (BaseType::String, ColumnKind::Time) => CellKind::Time,
            (BaseType::String, ColumnKind::DateTime) => CellKind::DateTime,
            (BaseType::String, ColumnKind::Ulong) => CellKind::Ulong,
            (BaseType::String, ColumnKind::Decimal { precision, scale }) => CellKind::Decimal {
                precision: precision.into(),
                scale: scale.into(),
            },
            (BaseType::String, _) => CellKind::String,
        }
    }
}

/// The decimal property for a precision and scale.
pub fn decimal_property(precision: u32, scale: u32) -> String {
    format!("decimal({precision},{scale})")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(base: BaseType, props: &[&str]) -> CellKind {
        CellKind::of(&Column::new("c", base).with_properties(props.iter().copied()))
    }

    #[test]
    fn kinds_come_from_base_type_and_properties() {
        assert_eq!(kind(BaseType::Int, &[]), CellKind::Int);
        assert_eq!(kind(BaseType::Int, &["nullable", "int8"]), CellKind::Int8);
        assert_eq!(kind(BaseType::Int, &["int16"]), CellKind::Int16);
        assert_eq!(kind(BaseType::Int, &["boolean"]), CellKind::Boolean);
        assert_eq!(kind(BaseType::Long, &["timestamp"]), CellKind::Timestamp);
        assert_eq!(kind(BaseType::Long, &["primary_key"]), CellKind::Long);
        assert_eq!(kind(BaseType::String, &["char16"]), CellKind::Char(16));
        assert_eq!(kind(BaseType::String, &["date"]), CellKind::Date);
        assert_eq!(kind(BaseType::String, &["time"]), CellKind::Time);
        assert_eq!(kind(BaseType::String, &["datetime"]), CellKind::DateTime);
        assert_eq!(
            kind(BaseType::String, &["decimal"]),
            CellKind::Decimal {
                precision: 18,
                scale: 4
            }
        );
        assert_eq!(
            kind(BaseType::String, &["data", "decimal(10, 2)"]),
            CellKind::Decimal {
                precision: 10,
                scale: 2
            }
        );
        assert_eq!(kind(BaseType::String, &["ulong"]), CellKind::Ulong);
        assert_eq!(kind(BaseType::String, &["uuid"]), CellKind::String);
        assert_eq!(kind(BaseType::Bytes, &[]), CellKind::Bytes);
        assert_eq!(kind(BaseType::Float, &[]), CellKind::Float);
        assert_eq!(kind(BaseType::Double, &[]), CellKind::Double);
        // A property on the wrong base type does not change how values are read.
        assert_eq!(kind(BaseType::Long, &["date"]), CellKind::Long);
    }
}
