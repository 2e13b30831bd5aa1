//! Choosing and configuring a converter: `key.converter` / `value.converter` and their
//! property groups, with Kafka Connect's class names or Sluice's short names.

use std::collections::BTreeMap;

use sluice_config::{ConfigDef, Importance, PropertyDef, PropertyType};

use crate::props::Props;
use crate::{ByteArrayConverter, ConvertError, Converter, JsonConverter, StringConverter};

/// Short names and Kafka Connect class names of the converters, per converter.
const JSON_NAMES: [&str; 2] = ["json", "org.apache.kafka.connect.json.JsonConverter"];
const STRING_NAMES: [&str; 2] = ["string", "org.apache.kafka.connect.storage.StringConverter"];
const BYTES_NAMES: [&str; 2] = [
    "bytes",
    "org.apache.kafka.connect.converters.ByteArrayConverter",
];

/// Every name [`converter_from_config`] accepts.
pub const KNOWN_CONVERTERS: [&str; 6] = [
    JSON_NAMES[0],
    STRING_NAMES[0],
    BYTES_NAMES[0],
    JSON_NAMES[1],
    STRING_NAMES[1],
    BYTES_NAMES[1],
];

/// Whether a converter handles keys, values or headers. Kafka Connect's worker tells
/// every converter with `converter.type`; Sluice's runtime should do the same. Only
/// messages use it (the JSON converter's hint names `key.converter.schemas.enable`).
pub const CONVERTER_TYPE: PropertyDef = PropertyDef::new(
    "converter.type",
    PropertyType::Enum(&["key", "value", "header"]),
    "Whether this converter is used for keys, values or headers; set by the pipeline \
     runtime, as Kafka Connect's worker does.",
)
.default("value")
.importance(Importance::Low)
.display("Converter Type")
.recommended(&["key", "value", "header"]);

/// What a converter converts, from its `converter.type` property ([`CONVERTER_TYPE`]):
/// the runtime sets `key` for `key.converter` and `value` for `value.converter`, as
/// Kafka Connect's worker does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ConverterType {
    /// Record keys (`key.converter`).
    Key,
    /// Record values (`value.converter`); the default when `converter.type` is not set.
    #[default]
    Value,
    /// Header values (`header.converter`).
    Header,
}

impl ConverterType {
    /// The property prefix of a converter of this type (`value.converter.`).
    pub fn prefix(self) -> &'static str {
        match self {
            ConverterType::Key => "key.converter.",
            ConverterType::Value => "value.converter.",
            ConverterType::Header => "header.converter.",
        }
    }

    /// Reads `converter.type` from a converter's property group.
    pub fn from_props(p: &Props) -> Result<ConverterType, ConvertError> {
        Ok(match p.choice(&CONVERTER_TYPE)? {
            "key" => ConverterType::Key,
            "header" => ConverterType::Header,
            _ => ConverterType::Value,
        })
    }
}

/// The declared properties of every converter in this crate.
pub fn config_defs() -> Vec<ConfigDef> {
    vec![
        crate::json::config::config_def(),
        crate::string::config_def(),
        crate::bytes::config_def(),
    ]
}

/// The declared properties of the converter `type_name` names (any accepted spelling).
pub fn config_def(type_name: &str) -> Option<ConfigDef> {
    Some(match canonical(type_name)? {
        "json" => crate::json::config::config_def(),
        "string" => crate::string::config_def(),
        _ => crate::bytes::config_def(),
    })
}

/// `json`, `string` or `bytes` for any accepted spelling; short names ignore case,
/// class names are exact as in Java.
fn canonical(type_name: &str) -> Option<&'static str> {
    let name = type_name.trim();
    [JSON_NAMES, STRING_NAMES, BYTES_NAMES]
        .into_iter()
        .find(|[short, class]| short.eq_ignore_ascii_case(name) || *class == name)
        .map(|[short, _]| short)
}

/// Builds the converter `type_name` names, configured with its property group `props`
/// (the `value.converter.` / `key.converter.` prefix already removed).
///
/// Keys not declared by the converter are ignored here: reporting them is the caller's
/// job, against [`config_def`].
pub fn converter_from_config(
    type_name: &str,
    props: &BTreeMap<String, String>,
) -> Result<Box<dyn Converter>, ConvertError> {
    Ok(match canonical(type_name) {
        Some("json") => Box::new(JsonConverter::from_props(props)?),
        Some("string") => Box::new(StringConverter::from_props(props)?),
        Some(_) => Box::new(ByteArrayConverter::from_props(props)?),
        None => return Err(unknown(type_name)),
    })
}

fn unknown(type_name: &str) -> ConvertError {
    let closest = KNOWN_CONVERTERS
        .iter()
        .map(|k| {
            (
                strsim::jaro_winkler(&k.to_ascii_lowercase(), &type_name.to_ascii_lowercase()),
                k,
            )
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .filter(|(score, _)| *score > 0.85)
        .map(|(_, k)| format!(" (did you mean {k:?}?)"))
        .unwrap_or_default();
    ConvertError::Config(format!(
        "unknown converter {type_name:?}{closest}; known converters: {}",
        KNOWN_CONVERTERS.join(", ")
    ))
}
