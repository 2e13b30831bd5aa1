//! Kafka Connect's JSON converter and JSON schema format.
//!
//! Bytes are base64 with padding (what Jackson writes; padding is optional on read).
//! Non-finite floats are the strings `"NaN"`, `"Infinity"`, `"-Infinity"` (Jackson's
//! default). Logical types are written as Connect writes them: Date, Time and Timestamp
//! as their integers, Decimal per `decimal.format`.
//!
//! Where Connect silently produces garbage, Sluice reports an error instead: an integer
//! that does not fit its schema's type (Connect truncates `300` to an int8 of 44), a
//! string where a number is expected (Connect reads 0), a decimal with more places than
//! its scale.

pub(crate) mod cache;
pub(crate) mod config;
mod converter;
mod decimal;
mod decode;
mod encode;
mod flat;
mod schema;

use std::sync::Arc;

use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
use serde::de::DeserializeSeed;
use sluice_record::{Schema, Value};

pub use config::{
    COMPONENT, DECIMAL_FORMAT, DecimalFormat, JsonConverterConfig, REPLACE_NULL_WITH_DEFAULT,
    SCHEMAS_CACHE_SIZE, SCHEMAS_ENABLE,
};
pub use converter::JsonConverter;
pub use schema::{schema_from_json, schema_to_json, schema_to_json_with};

use crate::ConvertError;

/// Standard base64, padded on write, padding optional on read.
pub(crate) const BASE64: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// Reads a payload (the `"payload"` half of an envelope, or plain JSON) into a value:
/// guided by `schema` when given, else as schemaless data (objects → maps with string
/// keys, integers → `Int64`, other numbers → `Float64`).
///
/// Nulls and missing struct fields take their schema's default, as with
/// `replace.null.with.default=true`.
pub fn value_from_json(
    json: &serde_json::Value,
    schema: Option<&Schema>,
) -> Result<Value, ConvertError> {
    let Some(schema) = schema else {
        return Ok(decode::Schemaless
            .deserialize(json)
            .expect("any JSON value is a schemaless value"));
    };
    // A struct value holds its schema by reference count.
    let schema = Arc::new(schema.clone());
    let ctx = decode::Ctx::new(true, "");
    let seed = decode::Typed {
        schema: &schema,
        ctx: &ctx,
    };
    seed.deserialize(json).map_err(|e| ctx.into_error(e))
}

/// Writes a value as JSON (the payload, without envelope), decimals as base64.
///
/// Meant for display (`sluice transform test` prints records with it), so it never
/// fails: a part of the value that does not match its schema is written as it is, without
/// the schema, and a required null is written as `null`. Use [`try_value_to_json`] to
/// have those reported.
pub fn value_to_json(value: &Value, schema: Option<&Schema>) -> serde_json::Value {
    let ctx = encode::EncCtx::lenient(DecimalFormat::Base64);
    let enc = encode::Enc {
        value,
        schema,
        ctx: &ctx,
    };
    serde_json::to_value(&enc).unwrap_or(serde_json::Value::Null)
}

/// [`value_to_json`] that fails where the value does not match its schema, as the
/// converter does, and writes decimals in the given format.
pub fn try_value_to_json(
    value: &Value,
    schema: Option<&Schema>,
    decimal_format: DecimalFormat,
) -> Result<serde_json::Value, ConvertError> {
    let ctx = encode::EncCtx::new(decimal_format, true);
    let enc = encode::Enc {
        value,
        schema,
        ctx: &ctx,
    };
    serde_json::to_value(&enc).map_err(|e| ctx.into_error(e))
}
