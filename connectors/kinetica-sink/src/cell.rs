//! One value → one Kinetica cell, checked against the column it goes into.
//!
//! The column may be one the sink created (then the value's type matches it) or one the
//! user created up front (then it may be narrower, wider or a special string type). The
//! rules: numbers convert when the value fits (range-checked, never silently truncated);
//! numeric strings parse into numeric columns (the Java connector never parsed them,
//! docs/reference/kinetica-connector-behaviour.md §8 item 19); booleans become 1/0 in integer columns and `true`/`false` in string ones
//! (not 1/0 into float or bytes columns, docs/reference/kinetica-connector-behaviour.md §8 item 18); logical types are formatted the way
//! Kinetica's `date`/`time`/`datetime`/`decimal` columns read them, and epoch numbers go
//! into `datetime` columns as dates, not digits (docs/reference/kinetica-connector-behaviour.md §8 item 16). Nested values are refused.
//! Errors describe the value's type and the column, never the value.

use std::fmt;

use sluice_record::Value;
use sluice_record::logical::{LogicalType, decimal_from_bytes, decimal_to_string};

use crate::columns::CellKind;
use crate::decimal::{self, DecimalError};
use crate::temporal::{self, TemporalError};

const MS_PER_DAY: i64 = 86_400_000;

/// A value in a column's wire type: the client crate's column value.
pub use sluice_kinetica::Value as Cell;
use sluice_kinetica::ValueRef;

/// A cell as a row holds it until the row is encoded: borrowed from the record's value
/// where the value goes in as it is (text into a text column, bytes into a bytes one; a
/// 64-bit integer or double into a column of its type, copied), owned where it was
/// converted. Borrowing spares a copy of every string (at 50 KB
/// values, one of the few passes over each byte; docs/benchmarks.md).
#[derive(Debug, Clone, PartialEq)]
pub enum RowCell<'a> {
    /// Part of the record's value, unchanged.
    Borrowed(ValueRef<'a>),
    /// A converted value.
    Owned(Cell),
}

impl RowCell<'_> {
    /// The cell as row encoding takes it.
    pub fn as_ref(&self) -> ValueRef<'_> {
        match self {
            RowCell::Borrowed(v) => *v,
            RowCell::Owned(v) => v.as_ref(),
        }
    }
}

/// Compares by value, however it is held.
impl PartialEq<Cell> for RowCell<'_> {
    fn eq(&self, other: &Cell) -> bool {
        self.as_ref() == other.as_ref()
    }
}

/// [`to_cell`], borrowing from `value` where it goes in unchanged.
pub fn to_row_cell<'a>(
    value: &'a Value,
    logical: Option<LogicalType>,
    kind: CellKind,
) -> Result<RowCell<'a>, CellError> {
    if logical.is_none() {
        match (value, kind) {
            (Value::String(s), _) => {
                if let Some(fits) = verbatim_text(s, kind) {
                    return fits.map(|()| RowCell::Borrowed(ValueRef::Str(s)));
                }
            }
            (Value::Bytes(b), CellKind::Bytes) => {
                return Ok(RowCell::Borrowed(ValueRef::Bytes(b)));
            }
            // The columns schemaless JSON makes for its numbers (schemaless.rs) take them
            // as they are: found here before the general conversion's many cases, which
            // cost about as much again per cell (callgrind, docs/benchmarks.md).
            (Value::Int64(i), CellKind::Long) => return Ok(RowCell::Borrowed(ValueRef::Long(*i))),
            (Value::Float64(f), CellKind::Double) => {
                return Ok(RowCell::Borrowed(ValueRef::Double(*f)));
            }
            _ => {}
        }
    }
    to_cell(value, logical, kind).map(RowCell::Owned)
}

/// Why a value does not go into its column.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CellError {
    /// The value's type has no conversion into the column's (e.g. bytes into an
    /// `int` column, or a boolean into a `float` one).
    #[error("a {found} value cannot be stored in a column of type {column}")]
    Mismatch {
        /// The value's type, e.g. `bytes` or `boolean` (never the value itself).
        found: String,
        /// The column's kind as Kinetica names it, e.g. `int16` or `char8`.
        column: String,
    },
    /// A number that does not fit the column's range (e.g. 300 into `int8`, a
    /// negative number into `ulong`); values are never truncated.
    #[error("value out of range for column type {column}")]
    OutOfRange {
        /// The column's kind as Kinetica names it, e.g. `int8`.
        column: String,
    },
    /// Text going into a numeric, boolean, `decimal` or `timestamp` column that does
    /// not parse as a value of it.
    #[error("text does not parse as column type {column}")]
    Unparseable {
        /// The column's kind as Kinetica names it, e.g. `long`.
        column: String,
    },
    /// A string longer than a `charN` column holds.
    #[error("text longer than {max} characters for a char{max} column")]
    TooLong {
        /// The column's N: the most characters it stores.
        max: usize,
    },
    /// A date, time or timestamp outside what Kinetica's temporal columns store.
    #[error("{0}")]
    Temporal(#[from] TemporalError),
    /// A decimal that does not fit the column's `decimal(P,S)`.
    #[error("decimal value {0}")]
    Decimal(#[from] DecimalError),
    /// A struct, map or array value: Kinetica columns are flat, so nested data needs
    /// a flattening transform first.
    #[error(
        "a nested {found} cannot be stored in a column; add a flattener transform to the \
         pipeline to turn nested data into columns"
    )]
    Nested {
        /// What the nested value is: `struct`, `map` or `array`.
        found: &'static str,
    },
}

impl fmt::Display for CellKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CellKind::Int => f.write_str("int"),
            CellKind::Int8 => f.write_str("int8"),
            CellKind::Int16 => f.write_str("int16"),
            CellKind::Boolean => f.write_str("boolean"),
            CellKind::Long => f.write_str("long"),
            CellKind::Timestamp => f.write_str("timestamp"),
            CellKind::Float => f.write_str("float"),
            CellKind::Double => f.write_str("double"),
            CellKind::String => f.write_str("string"),
            CellKind::Char(n) => write!(f, "char{n}"),
            CellKind::Date => f.write_str("date"),
            CellKind::Time => f.write_str("time"),
            CellKind::DateTime => f.write_str("datetime"),
            CellKind::Decimal { precision, scale } => write!(f, "decimal({precision},{scale})"),
            CellKind::Ulong => f.write_str("ulong"),
            CellKind::Bytes => f.write_str("bytes"),
        }
    }
}

/// Converts a non-null value whose schema has the logical type `logical` (if any).
pub fn to_cell(
    value: &Value,
    logical: Option<LogicalType>,
    kind: CellKind,
) -> Result<Cell, CellError> {
    let mismatch = |found: &str| CellError::Mismatch {
        found: found.to_owned(),
        column: kind.to_string(),
    };
    match (value, logical) {
        (Value::Null, _) => Ok(Cell::Null),
        (Value::Struct(_), _) => Err(CellError::Nested { found: "struct" }),
        (Value::Map(_), _) => Err(CellError::Nested { found: "map" }),
        // An array of primitives goes into a string column (Kinetica's `array(T)`
        // columns are strings) as JSON text.
        (Value::Array(items), None) if kind == CellKind::String => crate::array::text(items)
            .map(Cell::String)
            .ok_or(CellError::Nested { found: "array" }),
        (Value::Array(_), _) => Err(CellError::Nested { found: "array" }),
        (v, Some(LogicalType::Date)) => {
            let days = v.as_i64().ok_or_else(|| mismatch(v.type_name()))?;
            date_cell(days, kind).ok_or_else(|| mismatch("Date"))?
        }
        (v, Some(LogicalType::Time)) => {
            let ms = v.as_i64().ok_or_else(|| mismatch(v.type_name()))?;
            time_cell(ms, kind).ok_or_else(|| mismatch("Time"))?
        }
        (v, Some(LogicalType::Timestamp)) => {
            let ms = v.as_i64().ok_or_else(|| mismatch(v.type_name()))?;
            timestamp_cell(ms, kind).ok_or_else(|| mismatch("Timestamp"))?
        }
        (Value::Bytes(b), Some(LogicalType::Decimal { scale })) => {
            // Connect decimals are at most as wide as the JVM's BigDecimal allows; past
            // 128 bits no Kinetica decimal can hold them anyway.
            let unscaled = decimal_from_bytes(b).ok_or_else(|| CellError::OutOfRange {
                column: kind.to_string(),
            })?;
            decimal_cell(unscaled, scale, kind).ok_or_else(|| mismatch("Decimal"))?
        }
        (v, Some(LogicalType::Decimal { .. })) => Err(mismatch(v.type_name())),
        (Value::Boolean(b), None) => {
            let i = i32::from(*b);
            match kind {
                CellKind::Boolean | CellKind::Int | CellKind::Int8 | CellKind::Int16 => {
                    Ok(Cell::Int(i))
                }
                CellKind::Long => Ok(Cell::Long(i.into())),
                CellKind::String => Ok(Cell::String(b.to_string())),
                CellKind::Char(n) => char_cell(b.to_string(), n),
                _ => Err(mismatch("boolean")),
            }
        }
        (Value::Int8(_) | Value::Int16(_) | Value::Int32(_) | Value::Int64(_), None) => {
            let i = value.as_i64().expect("an integer variant");
            integer_cell(i, kind).unwrap_or_else(|| Err(mismatch(value.type_name())))
        }
        (Value::Float32(f), None) => {
            float_cell(f64::from(*f), &|| f.to_string(), kind).ok_or_else(|| mismatch("float32"))?
        }
        (Value::Float64(f), None) => {
            float_cell(*f, &|| f.to_string(), kind).ok_or_else(|| mismatch("float64"))?
        }
        (Value::String(s), None) => string_cell(s, kind).ok_or_else(|| mismatch("string"))?,
        (Value::Bytes(b), None) => match kind {
            CellKind::Bytes => Ok(Cell::Bytes(b.clone())),
            _ => Err(mismatch("bytes")),
        },
    }
}

fn out_of_range(kind: CellKind) -> CellError {
    CellError::OutOfRange {
        column: kind.to_string(),
    }
}

fn char_cell(s: String, max: usize) -> Result<Cell, CellError> {
    fits_char(&s, max)?;
    Ok(Cell::String(s))
}

fn fits_char(s: &str, max: usize) -> Result<(), CellError> {
    // Kinetica documents charN as "at most N characters"; counting characters rather
    // than bytes is the lenient reading, and the server has the last word.
    if s.chars().count() > max {
        return Err(CellError::TooLong { max });
    }
    Ok(())
}

/// Text into any string-typed column that takes it verbatim (or with a length limit).
fn text_cell(s: String, kind: CellKind) -> Option<Result<Cell, CellError>> {
    match kind {
        CellKind::String => Some(Ok(Cell::String(s))),
        CellKind::Char(n) => Some(char_cell(s, n)),
        _ => None,
    }
}

/// A whole number (no logical type). `None` when the column cannot take integers.
fn integer_cell(i: i64, kind: CellKind) -> Option<Result<Cell, CellError>> {
    let ranged = |min: i64, max: i64| {
        if (min..=max).contains(&i) {
            Ok(Cell::Int(i as i32))
        } else {
            Err(out_of_range(kind))
        }
    };
    Some(match kind {
        CellKind::Int => ranged(i32::MIN.into(), i32::MAX.into()),
        CellKind::Int16 => ranged(i16::MIN.into(), i16::MAX.into()),
        CellKind::Int8 => ranged(i8::MIN.into(), i8::MAX.into()),
        CellKind::Boolean => ranged(0, 1),
        CellKind::Long => Ok(Cell::Long(i)),
        CellKind::Timestamp => temporal::check_timestamp(i)
            .map(Cell::Long)
            .map_err(Into::into),
        // Epoch milliseconds, the only sensible reading of a number for a date-time.
        CellKind::DateTime => temporal::format_datetime(i)
            .map(Cell::String)
            .map_err(Into::into),
        CellKind::Float => Ok(Cell::Float(i as f32)),
        CellKind::Double => Ok(Cell::Double(i as f64)),
        CellKind::Decimal { precision, scale } => decimal::fit(i.into(), 0, precision, scale)
            .map(Cell::String)
            .map_err(Into::into),
        CellKind::Ulong if i < 0 => Err(out_of_range(kind)),
        CellKind::Ulong => Ok(Cell::String(i.to_string())),
        CellKind::String | CellKind::Char(_) => return text_cell(i.to_string(), kind),
        CellKind::Date | CellKind::Time | CellKind::Bytes => return None,
    })
}

/// `text` is the number as written, for the columns that keep it as text (decimal,
/// string): made only for those, since formatting a float costs more than the rest of
/// its cell (the profile in docs/benchmarks.md).
fn float_cell(
    f: f64,
    text: &dyn Fn() -> String,
    kind: CellKind,
) -> Option<Result<Cell, CellError>> {
    Some(match kind {
        CellKind::Double => Ok(Cell::Double(f)),
        CellKind::Float => {
            let narrowed = f as f32;
            if narrowed.is_infinite() && f.is_finite() {
                Err(out_of_range(kind))
            } else {
                Ok(Cell::Float(narrowed))
            }
        }
        CellKind::Decimal { precision, scale } if f.is_finite() => {
            decimal::fit_text(&text(), precision, scale)
                .map(Cell::String)
                .map_err(Into::into)
        }
        CellKind::String | CellKind::Char(_) => return text_cell(text(), kind),
        // No silent truncation of fractions into integer columns.
        _ => return None,
    })
}

/// Whether a column of `kind` takes text as it is: `Some` (with whether it fits a
/// `charN`) for text columns and the special string columns, whose syntax the server
/// checks; `None` where text is parsed or converted.
fn verbatim_text(s: &str, kind: CellKind) -> Option<Result<(), CellError>> {
    match kind {
        CellKind::String
        | CellKind::Date
        | CellKind::Time
        | CellKind::DateTime
        | CellKind::Ulong => Some(Ok(())),
        CellKind::Char(max) => Some(fits_char(s, max)),
        _ => None,
    }
}

fn string_cell(s: &str, kind: CellKind) -> Option<Result<Cell, CellError>> {
    let unparseable = || CellError::Unparseable {
        column: kind.to_string(),
    };
    if let Some(fits) = verbatim_text(s, kind) {
        return Some(fits.map(|()| Cell::String(s.to_owned())));
    }
    Some(match kind {
        CellKind::Decimal { precision, scale } => decimal::fit_text(s, precision, scale)
            .map(Cell::String)
            .map_err(|e| match e {
                DecimalError::NotANumber => unparseable(),
                e => e.into(),
            }),
        CellKind::Int | CellKind::Int8 | CellKind::Int16 | CellKind::Long => {
            match s.trim().parse::<i64>() {
                Ok(i) => return integer_cell(i, kind),
                Err(_) => Err(unparseable()),
            }
        }
        CellKind::Boolean => match s.trim() {
            t if t.eq_ignore_ascii_case("true") || t == "1" => Ok(Cell::Int(1)),
            t if t.eq_ignore_ascii_case("false") || t == "0" => Ok(Cell::Int(0)),
            _ => Err(unparseable()),
        },
        CellKind::Timestamp => match s.trim().parse::<i64>() {
            Ok(ms) => return integer_cell(ms, kind),
            Err(_) => temporal::parse_timestamp(s)
                .map(Cell::Long)
                .map_err(|e| match e {
                    TemporalError::Unparseable => unparseable(),
                    e => e.into(),
                }),
        },
        CellKind::Float | CellKind::Double => match s.trim().parse::<f64>() {
            Ok(f) => return float_cell(f, &|| s.trim().to_owned(), kind),
            Err(_) => Err(unparseable()),
        },
        CellKind::Bytes => return None,
        CellKind::String
        | CellKind::Char(_)
        | CellKind::Date
        | CellKind::Time
        | CellKind::DateTime
        | CellKind::Ulong => unreachable!("text columns take text verbatim, above"),
    })
}

fn date_cell(days: i64, kind: CellKind) -> Option<Result<Cell, CellError>> {
    let ms = days.checked_mul(MS_PER_DAY);
    Some(match kind {
        CellKind::Date => temporal::format_date(days)
            .map(Cell::String)
            .map_err(Into::into),
        CellKind::String | CellKind::Char(_) => {
            return Some(match temporal::format_date(days) {
                Ok(text) => text_cell(text, kind)?,
                Err(e) => Err(e.into()),
            });
        }
        CellKind::DateTime => ms
            .ok_or(TemporalError::OutOfRange)
            .and_then(temporal::format_datetime)
            .map(Cell::String)
            .map_err(Into::into),
        CellKind::Timestamp => ms
            .ok_or(TemporalError::OutOfRange)
            .and_then(temporal::check_timestamp)
            .map(Cell::Long)
            .map_err(Into::into),
        // The physical value: days since the epoch.
        CellKind::Int | CellKind::Long => return integer_cell(days, kind),
        _ => return None,
    })
}

fn time_cell(ms: i64, kind: CellKind) -> Option<Result<Cell, CellError>> {
    Some(match kind {
        CellKind::Time => temporal::format_time(ms)
            .map(Cell::String)
            .map_err(Into::into),
        CellKind::String | CellKind::Char(_) => {
            return Some(match temporal::format_time(ms) {
                Ok(text) => text_cell(text, kind)?,
                Err(e) => Err(e.into()),
            });
        }
        // The physical value: milliseconds since midnight.
        CellKind::Int | CellKind::Long => return integer_cell(ms, kind),
        _ => return None,
    })
}

fn timestamp_cell(ms: i64, kind: CellKind) -> Option<Result<Cell, CellError>> {
    let text = |r: Result<String, TemporalError>| r.map(Cell::String).map_err(CellError::from);
    Some(match kind {
        CellKind::Long => Ok(Cell::Long(ms)),
        CellKind::Timestamp => temporal::check_timestamp(ms)
            .map(Cell::Long)
            .map_err(Into::into),
        CellKind::DateTime => text(temporal::format_datetime(ms)),
        CellKind::Date => text(temporal::format_date_of(ms)),
        CellKind::Time => text(temporal::format_time_of(ms)),
        CellKind::String | CellKind::Char(_) => {
            return Some(match temporal::format_datetime(ms) {
                Ok(t) => text_cell(t, kind)?,
                Err(e) => Err(e.into()),
            });
        }
        _ => return None,
    })
}

fn decimal_cell(unscaled: i128, scale: i32, kind: CellKind) -> Option<Result<Cell, CellError>> {
    Some(match kind {
        CellKind::Decimal {
            precision,
            scale: s,
        } => decimal::fit(unscaled, scale, precision, s)
            .map(Cell::String)
            .map_err(Into::into),
        CellKind::String | CellKind::Char(_) => {
            return text_cell(decimal_to_string(unscaled, scale), kind);
        }
        CellKind::Double => decimal_to_string(unscaled, scale)
            .parse()
            .map(Cell::Double)
            .map_err(|_| out_of_range(kind)),
        CellKind::Float => match decimal_to_string(unscaled, scale).parse::<f32>() {
            Ok(f) if f.is_finite() => Ok(Cell::Float(f)),
            _ => Err(out_of_range(kind)),
        },
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use sluice_record::logical::decimal_to_bytes;

    use super::*;

    use CellKind as K;

    fn ok(v: impl Into<Value>, kind: CellKind) -> Cell {
        to_cell(&v.into(), None, kind).unwrap()
    }

    fn err(v: impl Into<Value>, kind: CellKind) -> CellError {
        to_cell(&v.into(), None, kind).unwrap_err()
    }

    fn logical(v: Value, l: LogicalType, kind: CellKind) -> Result<Cell, CellError> {
        to_cell(&v, Some(l), kind)
    }

    #[test]
    fn same_types_pass_through() {
        assert_eq!(ok(Value::Int8(-5), K::Int8), Cell::Int(-5));
        assert_eq!(ok(Value::Int16(300), K::Int16), Cell::Int(300));
        assert_eq!(ok(7i32, K::Int), Cell::Int(7));
        assert_eq!(ok(7i64, K::Long), Cell::Long(7));
        assert_eq!(ok(Value::Float32(1.5), K::Float), Cell::Float(1.5));
        assert_eq!(ok(2.5f64, K::Double), Cell::Double(2.5));
        assert_eq!(ok(true, K::Boolean), Cell::Int(1));
        assert_eq!(ok(false, K::Boolean), Cell::Int(0));
        assert_eq!(ok("x", K::String), Cell::String("x".into()));
        assert_eq!(
            ok(Value::Bytes(vec![0, 1]), K::Bytes),
            Cell::Bytes(vec![0, 1])
        );
    }

    #[test]
    fn integers_are_range_checked() {
        assert_eq!(ok(127i64, K::Int8), Cell::Int(127));
        assert_eq!(
            err(128i64, K::Int8),
            CellError::OutOfRange {
                column: "int8".into()
            }
        );
        assert!(matches!(
            err(Value::Int32(-32769), K::Int16),
            CellError::OutOfRange { .. }
        ));
        assert!(matches!(
            err(i64::from(i32::MAX) + 1, K::Int),
            CellError::OutOfRange { .. }
        ));
        assert!(matches!(
            err(2i64, K::Boolean),
            CellError::OutOfRange { .. }
        ));
        assert_eq!(ok(1i64, K::Boolean), Cell::Int(1));
        assert_eq!(ok(3i32, K::Long), Cell::Long(3));
        assert_eq!(ok(3i64, K::Double), Cell::Double(3.0));
        assert_eq!(ok(3i64, K::Float), Cell::Float(3.0));
        assert_eq!(ok(42i64, K::String), Cell::String("42".into()));
        assert_eq!(ok(42i64, K::Ulong), Cell::String("42".into()));
        assert!(matches!(err(-1i64, K::Ulong), CellError::OutOfRange { .. }));
        assert_eq!(
            ok(
                42i64,
                K::Decimal {
                    precision: 5,
                    scale: 2
                }
            ),
            Cell::String("42.00".into())
        );
        assert!(matches!(err(42i64, K::Bytes), CellError::Mismatch { .. }));
        assert!(matches!(err(42i64, K::Date), CellError::Mismatch { .. }));
    }

    #[test]
    fn epoch_numbers_into_datetime_columns_are_dates() {
        assert_eq!(
            ok(1_547_587_673_240i64, K::DateTime),
            Cell::String("2019-01-15 21:27:53.240".into())
        );
        assert_eq!(
            ok(1_547_587_673_240i64, K::Timestamp),
            Cell::Long(1_547_587_673_240)
        );
        assert!(matches!(
            err(i64::MAX, K::Timestamp),
            CellError::Temporal(TemporalError::OutOfRange)
        ));
    }

    #[test]
    fn floats_never_truncate_into_integers() {
        assert!(matches!(err(1.5f64, K::Int), CellError::Mismatch { .. }));
        assert!(matches!(err(1.0f64, K::Long), CellError::Mismatch { .. }));
        assert_eq!(
            ok(Value::Float32(0.1), K::Double),
            Cell::Double(f64::from(0.1f32))
        );
        assert!(matches!(
            err(1e300f64, K::Float),
            CellError::OutOfRange { .. }
        ));
        assert!(matches!(ok(f64::NAN, K::Float), Cell::Float(f) if f.is_nan()));
        assert_eq!(
            ok(Value::Float32(0.1), K::String),
            Cell::String("0.1".into())
        );
        assert_eq!(
            ok(
                1.25f64,
                K::Decimal {
                    precision: 5,
                    scale: 2
                }
            ),
            Cell::String("1.25".into())
        );
        assert!(matches!(
            err(
                1.255f64,
                K::Decimal {
                    precision: 5,
                    scale: 2
                }
            ),
            CellError::Decimal(DecimalError::TooPrecise { .. })
        ));
    }

    #[test]
    fn booleans_go_into_integer_and_text_columns_only() {
        assert_eq!(ok(true, K::Int), Cell::Int(1));
        assert_eq!(ok(true, K::Int8), Cell::Int(1));
        assert_eq!(ok(true, K::Long), Cell::Long(1));
        assert_eq!(ok(true, K::String), Cell::String("true".into()));
        for kind in [K::Float, K::Double, K::Bytes, K::Timestamp, K::Date] {
            assert!(
                matches!(err(true, kind), CellError::Mismatch { .. }),
                "{kind}"
            );
        }
    }

    #[test]
    fn numeric_strings_parse() {
        assert_eq!(ok(" 42 ", K::Int), Cell::Int(42));
        assert_eq!(ok("42", K::Long), Cell::Long(42));
        assert!(matches!(err("300", K::Int8), CellError::OutOfRange { .. }));
        assert_eq!(ok("2.5", K::Double), Cell::Double(2.5));
        assert_eq!(ok("2.5", K::Float), Cell::Float(2.5));
        assert_eq!(ok("TRUE", K::Boolean), Cell::Int(1));
        assert_eq!(ok("0", K::Boolean), Cell::Int(0));
        assert_eq!(
            err("4.2", K::Long),
            CellError::Unparseable {
                column: "long".into()
            }
        );
        assert!(matches!(
            err("yes", K::Boolean),
            CellError::Unparseable { .. }
        ));
        assert_eq!(
            ok("1700000000000", K::Timestamp),
            Cell::Long(1_700_000_000_000)
        );
        assert_eq!(
            ok("2023-11-14 22:13:20.000", K::Timestamp),
            Cell::Long(1_700_000_000_000)
        );
        assert!(matches!(
            err("soon", K::Timestamp),
            CellError::Unparseable { .. }
        ));
        assert_eq!(
            ok(
                "3.5",
                K::Decimal {
                    precision: 4,
                    scale: 2
                }
            ),
            Cell::String("3.50".into())
        );
        assert!(matches!(
            err(
                "x",
                K::Decimal {
                    precision: 4,
                    scale: 2
                }
            ),
            CellError::Unparseable { .. }
        ));
        assert_eq!(ok("2024-01-01", K::Date), Cell::String("2024-01-01".into()));
        assert!(matches!(err("x", K::Bytes), CellError::Mismatch { .. }));
    }

    #[test]
    fn char_columns_limit_length() {
        assert_eq!(ok("abcd", K::Char(4)), Cell::String("abcd".into()));
        assert_eq!(ok("ééé", K::Char(4)), Cell::String("ééé".into()));
        assert_eq!(err("abcde", K::Char(4)), CellError::TooLong { max: 4 });
    }

    #[test]
    fn dates() {
        let d = |kind| logical(Value::Int32(19_782), LogicalType::Date, kind);
        assert_eq!(d(K::Date).unwrap(), Cell::String("2024-02-29".into()));
        assert_eq!(d(K::String).unwrap(), Cell::String("2024-02-29".into()));
        assert_eq!(
            d(K::DateTime).unwrap(),
            Cell::String("2024-02-29 00:00:00.000".into())
        );
        assert_eq!(d(K::Timestamp).unwrap(), Cell::Long(19_782 * MS_PER_DAY));
        assert_eq!(d(K::Int).unwrap(), Cell::Int(19_782));
        assert!(matches!(d(K::Time), Err(CellError::Mismatch { .. })));
        assert!(matches!(
            logical(Value::Int32(-400_000), LogicalType::Date, K::Date),
            Err(CellError::Temporal(TemporalError::OutOfRange))
        ));
    }

    #[test]
    fn times() {
        let t = |ms, kind| logical(Value::Int32(ms), LogicalType::Time, kind);
        assert_eq!(
            t(45_296_789, K::Time).unwrap(),
            Cell::String("12:34:56.789".into())
        );
        assert_eq!(t(1, K::Int).unwrap(), Cell::Int(1));
        assert!(matches!(
            t(86_400_000, K::Time),
            Err(CellError::Temporal(TemporalError::BadTime))
        ));
        assert!(matches!(t(1, K::Date), Err(CellError::Mismatch { .. })));
    }

    #[test]
    fn timestamps() {
        let ts = |ms, kind| logical(Value::Int64(ms), LogicalType::Timestamp, kind);
        let ms = 1_700_000_000_123;
        assert_eq!(ts(ms, K::Timestamp).unwrap(), Cell::Long(ms));
        assert_eq!(ts(ms, K::Long).unwrap(), Cell::Long(ms));
        assert_eq!(
            ts(ms, K::DateTime).unwrap(),
            Cell::String("2023-11-14 22:13:20.123".into())
        );
        assert_eq!(ts(ms, K::Date).unwrap(), Cell::String("2023-11-14".into()));
        assert_eq!(
            ts(ms, K::Time).unwrap(),
            Cell::String("22:13:20.123".into())
        );
        assert_eq!(
            ts(ms, K::String).unwrap(),
            Cell::String("2023-11-14 22:13:20.123".into())
        );
        assert!(matches!(
            ts(temporal::MAX_TIMESTAMP_MS + 1, K::Timestamp),
            Err(CellError::Temporal(TemporalError::OutOfRange))
        ));
        assert!(matches!(ts(ms, K::Int), Err(CellError::Mismatch { .. })));
        // A logical value whose physical type is wrong is a mismatch, not a panic.
        assert!(matches!(
            logical("x".into(), LogicalType::Timestamp, K::Timestamp),
            Err(CellError::Mismatch { .. })
        ));
    }

    #[test]
    fn decimals() {
        let dec = |unscaled: i128, scale, kind| {
            logical(
                Value::Bytes(decimal_to_bytes(unscaled)),
                LogicalType::Decimal { scale },
                kind,
            )
        };
        let k = K::Decimal {
            precision: 10,
            scale: 2,
        };
        assert_eq!(dec(12345, 2, k).unwrap(), Cell::String("123.45".into()));
        assert_eq!(dec(-5, 0, k).unwrap(), Cell::String("-5.00".into()));
        assert_eq!(dec(7, -2, k).unwrap(), Cell::String("700.00".into()));
        assert!(matches!(
            dec(12345, 3, k),
            Err(CellError::Decimal(DecimalError::TooPrecise { .. }))
        ));
        assert!(matches!(
            dec(10i128.pow(12), 2, k),
            Err(CellError::Decimal(DecimalError::TooLarge { .. }))
        ));
        assert_eq!(
            dec(12345, 2, K::String).unwrap(),
            Cell::String("123.45".into())
        );
        assert_eq!(dec(12345, 2, K::Double).unwrap(), Cell::Double(123.45));
        assert!(matches!(
            dec(1, 0, K::Long),
            Err(CellError::Mismatch { .. })
        ));
        assert!(matches!(
            logical(
                Value::Bytes(vec![1; 17]),
                LogicalType::Decimal { scale: 0 },
                k
            ),
            Err(CellError::OutOfRange { .. })
        ));
    }

    #[test]
    fn nested_values_point_at_a_flattener() {
        let e = err(Value::Array(vec![Value::Map(vec![])]), K::String);
        assert_eq!(e, CellError::Nested { found: "array" });
        assert!(matches!(
            err(Value::Array(vec![]), K::Int),
            CellError::Nested { found: "array" }
        ));
        assert!(e.to_string().contains("flattener"));
        assert!(matches!(
            err(Value::Map(vec![]), K::String),
            CellError::Nested { found: "map" }
        ));
    }

    #[test]
    fn arrays_of_primitives_go_into_string_columns_as_json() {
        let array = Value::Array(vec![Value::Int32(1), Value::Null, Value::Int32(3)]);
        assert_eq!(
            to_cell(&array, None, K::String),
            Ok(Cell::String("[1,null,3]".into()))
        );
    }

    #[test]
    fn row_cells_borrow_what_goes_in_unchanged_and_agree_with_to_cell() {
        let kinds = [
            K::String,
            K::Char(4),
            K::Date,
            K::Time,
            K::DateTime,
            K::Ulong,
            K::Bytes,
            K::Long,
            K::Double,
        ];
        let values = [
            Value::from("abc"),
            Value::from("abcdef"),
            Value::from("12"),
            Value::Bytes(vec![1, 2]),
            Value::Int64(5),
            Value::Float64(2.5),
            Value::Int32(7),
        ];
        for kind in kinds {
            for value in &values {
                let row = to_row_cell(value, None, kind);
                let cell = to_cell(value, None, kind);
                match (&row, &cell) {
                    (Ok(r), Ok(c)) => assert_eq!(r, c, "{value:?} into {kind}"),
                    (Err(r), Err(c)) => assert_eq!(r, c, "{value:?} into {kind}"),
                    _ => panic!("{value:?} into {kind}: {row:?} against {cell:?}"),
                }
                let verbatim = matches!(
                    (value, kind),
                    (
                        Value::String(_),
                        K::String | K::Date | K::Time | K::DateTime | K::Ulong
                    ) | (Value::Bytes(_), K::Bytes)
                        | (Value::Int64(_), K::Long)
                        | (Value::Float64(_), K::Double)
                ) || matches!((value, kind), (Value::String(s), K::Char(4)) if s.len() <= 4);
                assert_eq!(
                    matches!(row, Ok(RowCell::Borrowed(_))),
                    verbatim,
                    "{value:?} into {kind}: {row:?}"
                );
            }
        }
    }

    #[test]
    fn errors_never_show_the_value() {
        let e = err("s3cret-ssn", K::Int);
        assert!(!e.to_string().contains("s3cret"), "{e}");
        let e = err("s3cret-ssn-too-long", K::Char(4));
        assert!(!e.to_string().contains("s3cret"), "{e}");
    }
}
