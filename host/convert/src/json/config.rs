//! The JSON converter's properties, as Kafka's `JsonConverterConfig` declares them.

use std::collections::BTreeMap;

use sluice_config::{ConfigDef, Importance, PropertyDef, PropertyType, Validator};

use crate::ConvertError;
use crate::config::{CONVERTER_TYPE, ConverterType};
use crate::props::Props;

/// The component name in `sluice config describe` and in errors.
pub const COMPONENT: &str = "JsonConverter";

const GROUP: &str = "Schemas";

/// `schemas.enable` (default `true`): read and write Kafka Connect's
/// `{"schema": …, "payload": …}` envelope; `false` for plain JSON without schemas.
pub const SCHEMAS_ENABLE: PropertyDef = PropertyDef::new(
    "schemas.enable",
    PropertyType::Boolean,
    "Include schemas within each of the serialized values and keys: read and write the \
     {\"schema\": ..., \"payload\": ...} envelope. Set to false for plain JSON.",
)
.default("true")
.importance(Importance::High)
.group(GROUP)
.display("Enable Schemas");

/// `schemas.cache.size` (default `1000`, at least 0): how many schemas each direction's
/// cache holds; `0` disables caching.
pub const SCHEMAS_CACHE_SIZE: PropertyDef = PropertyDef::new(
    "schemas.cache.size",
    PropertyType::Int,
    "Maximum number of schemas cached in each direction (parsed envelope schemas, and \
     the JSON of schemas written); 0 disables the caches.",
)
.default("1000")
.validator(Validator::Range {
    min: Some(0.0),
    max: None,
})
.importance(Importance::High)
.group(GROUP)
.display("Schema Cache Size");

/// `decimal.format` (`BASE64`, the default, or `NUMERIC`): how `Decimal` values are
/// written ([`DecimalFormat`]); reading accepts both.
pub const DECIMAL_FORMAT: PropertyDef = PropertyDef::new(
    "decimal.format",
    PropertyType::Enum(&["BASE64", "NUMERIC"]),
    "How Decimal values are written: BASE64 (the unscaled bytes, base64-encoded) or \
     NUMERIC (a JSON number). Both forms are accepted when reading.",
)
.default("BASE64")
.importance(Importance::Low)
.group(GROUP)
.display("Decimal Format")
.recommended(&["BASE64", "NUMERIC"]);

/// `replace.null.with.default` (default `true`): a null or missing value whose schema
/// has a default reads and writes as that default.
pub const REPLACE_NULL_WITH_DEFAULT: PropertyDef = PropertyDef::new(
    "replace.null.with.default",
    PropertyType::Boolean,
    "Replace a null (or missing) value that has a default in its schema with the \
     default, when reading and when writing.",
)
.default("true")
.importance(Importance::Low)
.group(GROUP)
.display("Replace Null With Default");

pub fn config_def() -> ConfigDef {
    ConfigDef {
        component: COMPONENT.into(),
        properties: vec![
            SCHEMAS_ENABLE,
            SCHEMAS_CACHE_SIZE,
            DECIMAL_FORMAT,
            REPLACE_NULL_WITH_DEFAULT,
            CONVERTER_TYPE,
        ],
    }
}

/// How decimals are written (`decimal.format`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DecimalFormat {
    /// The unscaled two's-complement bytes, base64-encoded (Connect's default).
    #[default]
    Base64,
    /// A JSON number with exactly the schema's scale (`123.45`).
    Numeric,
}

/// The JSON converter's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonConverterConfig {
    /// [`SCHEMAS_ENABLE`]: whether keys and values are in the schema envelope (default
    /// `true`).
    pub schemas_enable: bool,
    /// [`SCHEMAS_CACHE_SIZE`]: schemas cached per direction (default 1000; 0: none).
    pub schemas_cache_size: usize,
    /// [`DECIMAL_FORMAT`]: how decimals are written (default [`DecimalFormat::Base64`]).
    pub decimal_format: DecimalFormat,
    /// [`REPLACE_NULL_WITH_DEFAULT`]: whether nulls become their schema's default
    /// (default `true`).
    pub replace_null_with_default: bool,
    /// `converter.type`: whether this converter handles keys or values (default value);
    /// used only to name the right property in error messages.
    pub converter_type: ConverterType,
}

impl Default for JsonConverterConfig {
    fn default() -> Self {
        JsonConverterConfig {
            schemas_enable: true,
            schemas_cache_size: 1000,
            decimal_format: DecimalFormat::Base64,
            replace_null_with_default: true,
            converter_type: ConverterType::Value,
        }
    }
}

impl JsonConverterConfig {
    /// Reads the converter's property group (prefix removed). Unknown keys are ignored:
    /// reporting them is the caller's job, against [`crate::config_def`].
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<Self, ConvertError> {
        let p = Props {
            props,
            component: COMPONENT,
        };
        Ok(JsonConverterConfig {
            schemas_enable: p.boolean(&SCHEMAS_ENABLE)?,
            schemas_cache_size: p.int(&SCHEMAS_CACHE_SIZE)?.try_into().unwrap_or(usize::MAX),
            decimal_format: match p.choice(&DECIMAL_FORMAT)? {
                "NUMERIC" => DecimalFormat::Numeric,
                _ => DecimalFormat::Base64,
            },
            replace_null_with_default: p.boolean(&REPLACE_NULL_WITH_DEFAULT)?,
            converter_type: ConverterType::from_props(&p)?,
        })
    }
}
