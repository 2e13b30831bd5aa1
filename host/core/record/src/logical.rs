//! Kafka Connect's logical types: Decimal, Date, Time and Timestamp.
//!
//! They are recognised by schema name, exactly as Kafka Connect does, and keep their
//! physical representation in [`Value`]:
//!
//! | logical type | schema type | physical value |
//! |---|---|---|
//! | `Decimal` | bytes, parameter `scale` | big-endian two's-complement unscaled integer |
//! | `Date` | int32 | days since 1970-01-01 |
//! | `Time` | int32 | milliseconds since midnight |
//! | `Timestamp` | int64 | milliseconds since the Unix epoch |

use crate::{Schema, SchemaBuilder, SchemaType, Value};

/// Schema name of `Decimal`: a `bytes` schema with a [`SCALE`] parameter.
pub const DECIMAL: &str = "org.apache.kafka.connect.data.Decimal";
/// Schema name of `Date`: an `int32` of days since 1970-01-01.
pub const DATE: &str = "org.apache.kafka.connect.data.Date";
/// Schema name of `Time`: an `int32` of milliseconds since midnight.
pub const TIME: &str = "org.apache.kafka.connect.data.Time";
/// Schema name of `Timestamp`: an `int64` of milliseconds since the Unix epoch.
pub const TIMESTAMP: &str = "org.apache.kafka.connect.data.Timestamp";
/// The schema parameter holding a decimal's scale.
pub const SCALE: &str = "scale";

/// A logical type of Kafka Connect, as recognised by [`LogicalType::of`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogicalType {
    /// An arbitrary-precision decimal number, stored as its unscaled integer.
    Decimal {
        /// Digits after the decimal point: the value is `unscaled × 10^-scale`.
        scale: i32,
    },
    /// A calendar date, as days since 1970-01-01.
    Date,
    /// A time of day, as milliseconds since midnight.
    Time,
    /// An instant, as milliseconds since the Unix epoch.
    Timestamp,
}

impl LogicalType {
    /// The logical type of a schema, if its name and physical type match one.
    pub fn of(schema: &Schema) -> Option<LogicalType> {
        let name = schema.name.as_deref()?;
        match (name, schema.schema_type()) {
            (DECIMAL, SchemaType::Bytes) => {
                let scale = schema.parameters.get(SCALE)?.parse().ok()?;
                Some(LogicalType::Decimal { scale })
            }
            (DATE, SchemaType::Int32) => Some(LogicalType::Date),
            (TIME, SchemaType::Int32) => Some(LogicalType::Time),
            (TIMESTAMP, SchemaType::Int64) => Some(LogicalType::Timestamp),
            _ => None,
        }
    }

    /// Kafka Connect's schema name of this logical type (for example [`DECIMAL`]).
    pub fn name(self) -> &'static str {
        match self {
            LogicalType::Decimal { .. } => DECIMAL,
            LogicalType::Date => DATE,
            LogicalType::Time => TIME,
            LogicalType::Timestamp => TIMESTAMP,
        }
    }
}

/// A builder for a version 1 `Decimal` schema with the given scale.
pub fn decimal_schema(scale: i32) -> SchemaBuilder {
    SchemaBuilder::bytes()
        .name(DECIMAL)
        .version(1)
        .parameter(SCALE, scale.to_string())
}

/// A builder for a version 1 `Date` schema.
pub fn date_schema() -> SchemaBuilder {
    SchemaBuilder::int32().name(DATE).version(1)
}

/// A builder for a version 1 `Time` schema.
pub fn time_schema() -> SchemaBuilder {
    SchemaBuilder::int32().name(TIME).version(1)
}

/// A builder for a version 1 `Timestamp` schema.
pub fn timestamp_schema() -> SchemaBuilder {
    SchemaBuilder::int64().name(TIMESTAMP).version(1)
}

/// Encodes an unscaled decimal integer as Kafka Connect does: minimal big-endian
/// two's complement.
pub fn decimal_to_bytes(unscaled: i128) -> Vec<u8> {
    let bytes = unscaled.to_be_bytes();
    let sign_byte = if unscaled < 0 { 0xff } else { 0x00 };
    // Drop redundant leading sign bytes but keep one whose top bit carries the sign.
    let mut start = 0;
    while start < bytes.len() - 1
        && bytes[start] == sign_byte
        && (bytes[start + 1] & 0x80) == (sign_byte & 0x80)
    {
        start += 1;
    }
    bytes[start..].to_vec()
}

/// Decodes a decimal's unscaled integer; `None` if it does not fit in 128 bits.
pub fn decimal_from_bytes(bytes: &[u8]) -> Option<i128> {
    if bytes.is_empty() || bytes.len() > 16 {
        return None;
    }
    let fill = if bytes[0] & 0x80 != 0 { 0xff } else { 0x00 };
    let mut full = [fill; 16];
    full[16 - bytes.len()..].copy_from_slice(bytes);
    Some(i128::from_be_bytes(full))
}

/// Renders an unscaled decimal with its scale as plain text (`12345`, scale 2 → `123.45`).
pub fn decimal_to_string(unscaled: i128, scale: i32) -> String {
    if scale <= 0 {
        let zeros = "0".repeat(scale.unsigned_abs() as usize);
        return format!("{unscaled}{zeros}");
    }
    let scale = scale as usize;
    let digits = unscaled.unsigned_abs().to_string();
    let sign = if unscaled < 0 { "-" } else { "" };
    if digits.len() > scale {
        let (int, frac) = digits.split_at(digits.len() - scale);
        format!("{sign}{int}.{frac}")
    } else {
        format!("{sign}0.{}{digits}", "0".repeat(scale - digits.len()))
    }
}

/// Reads a decimal value (physical bytes) as text, for sinks that store decimals as strings.
pub fn decimal_value_to_string(value: &Value, scale: i32) -> Option<String> {
    match value {
        Value::Bytes(b) => decimal_from_bytes(b).map(|u| decimal_to_string(u, scale)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_bytes_round_trip() {
        for v in [
            0i128,
            1,
            -1,
            127,
            128,
            -128,
            -129,
            255,
            65535,
            i64::MAX as i128,
            i128::MIN,
        ] {
            let b = decimal_to_bytes(v);
            assert_eq!(decimal_from_bytes(&b), Some(v), "{v} -> {b:?}");
        }
        assert_eq!(decimal_to_bytes(128), vec![0x00, 0x80]);
        assert_eq!(decimal_to_bytes(-128), vec![0x80]);
    }

    #[test]
    fn decimal_text() {
        assert_eq!(decimal_to_string(12345, 2), "123.45");
        assert_eq!(decimal_to_string(-5, 3), "-0.005");
        assert_eq!(decimal_to_string(7, 0), "7");
        assert_eq!(decimal_to_string(7, -2), "700");
    }

    #[test]
    fn logical_types_are_recognised_by_name_and_type() {
        assert_eq!(
            decimal_schema(3).build().logical(),
            Some(LogicalType::Decimal { scale: 3 })
        );
        assert_eq!(date_schema().build().logical(), Some(LogicalType::Date));
        assert_eq!(time_schema().build().logical(), Some(LogicalType::Time));
        assert_eq!(
            timestamp_schema().build().logical(),
            Some(LogicalType::Timestamp)
        );
        // A Date name on the wrong physical type is not a Date.
        assert_eq!(SchemaBuilder::int64().name(DATE).build().logical(), None);
    }
}
