//! Kafka Connect's `org.apache.kafka.connect.storage.StringConverter`.

use std::collections::BTreeMap;

use sluice_config::{ConfigDef, Importance, PropertyDef, PropertyType};
use sluice_record::{Data, SchemaBuilder, SchemaRef, Value};

use crate::charset::Charset;
use crate::config::{CONVERTER_TYPE, ConverterType};
use crate::props::Props;
use crate::{ConvertError, Converter};

pub const COMPONENT: &str = "StringConverter";

pub const ENCODING: PropertyDef = PropertyDef::new(
    "converter.encoding",
    PropertyType::String,
    "The character set of the text: UTF-8, UTF-16 (with byte order mark; UTF-16BE, \
     UTF-16LE without), ISO-8859-1 or US-ASCII. As in Java, bytes that are not valid in \
     it are read as U+FFFD and characters it cannot represent are written as '?'.",
)
.default("UTF-8")
.importance(Importance::High)
.display("Character Encoding")
.recommended(&[
    "UTF-8",
    "UTF-16",
    "UTF-16BE",
    "UTF-16LE",
    "ISO-8859-1",
    "US-ASCII",
]);

pub fn config_def() -> ConfigDef {
    ConfigDef {
        component: COMPONENT.into(),
        properties: vec![ENCODING, CONVERTER_TYPE],
    }
}

/// Text in, text out. Reads every value (and a Kafka null) with an optional string
/// schema, as Connect does. Writes strings, and primitives as Java's `toString` would
/// (`42`, `true`, `1.5`, `1.0E10`); bytes and containers are refused (Connect would write
/// `[B@1b6d3586` or `Struct{…}`): use the JSON converter for those.
#[derive(Debug, Clone)]
pub struct StringConverter {
    charset: Charset,
    schema: SchemaRef,
}

impl Default for StringConverter {
    fn default() -> Self {
        StringConverter::new(Charset::Utf8)
    }
}

impl StringConverter {
    /// A converter that reads and writes text in `charset`, with an optional string
    /// schema on what it reads.
    pub fn new(charset: Charset) -> StringConverter {
        StringConverter {
            charset,
            schema: SchemaBuilder::string().optional().build_ref(),
        }
    }

    /// A converter configured from its property group (prefix removed): `converter.encoding`
    /// (default UTF-8) picks the [`Charset`]; an unsupported one is a
    /// [`ConvertError::Config`].
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<StringConverter, ConvertError> {
        let p = Props {
            props,
            component: COMPONENT,
        };
        let encoding = ENCODING;
        let charset = Charset::from_name(p.string(&encoding)).ok_or_else(|| {
            ConvertError::Config(format!(
                "{COMPONENT}: unsupported {}; supported: {}",
                ENCODING.name,
                ENCODING.recommended.join(", ")
            ))
        })?;
        ConverterType::from_props(&p)?; // validated; nothing depends on it here
        Ok(StringConverter::new(charset))
    }
}

impl Converter for StringConverter {
    fn to_data(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<Data, ConvertError> {
        let value = match bytes {
            None => Value::Null,
            Some(bytes) => Value::String(self.charset.decode(bytes)),
        };
        Ok(Data::with_schema(self.schema.clone(), value))
    }

    fn from_data(&self, _topic: &str, data: &Data) -> Result<Option<Vec<u8>>, ConvertError> {
        let text = match &data.value {
            Value::Null => return Ok(None),
            Value::String(s) => return Ok(Some(self.charset.encode(s))),
            Value::Boolean(v) => v.to_string(),
            Value::Int8(v) => v.to_string(),
            Value::Int16(v) => v.to_string(),
            Value::Int32(v) => v.to_string(),
            Value::Int64(v) => v.to_string(),
            Value::Float32(v) => java_float(f64::from(*v), format!("{v:e}"), format!("{v:?}")),
            Value::Float64(v) => java_float(*v, format!("{v:e}"), format!("{v:?}")),
            other => {
                return Err(ConvertError::mismatch(
                    String::new(),
                    format!(
                        "the string converter writes strings and primitives, not {}; use the \
                         JSON converter",
                        other.type_name()
                    ),
                ));
            }
        };
        Ok(Some(self.charset.encode(&text)))
    }
}

/// Java's `Double.toString`: plain between 10^-3 and 10^7 (`1.0`, `0.001`), else
/// computerized scientific notation (`1.0E7`, `1.5E-4`). Both use the shortest digits
/// that read back to the same number, as Rust's formatting does.
fn java_float(v: f64, scientific: String, plain: String) -> String {
    if v.is_nan() {
        return "NaN".into();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let magnitude = v.abs();
    if magnitude == 0.0 || (1e-3..1e7).contains(&magnitude) {
        return plain;
    }
    let (mantissa, exponent) = scientific.split_once('e').expect("{:e} has an exponent");
    let dot = if mantissa.contains('.') { "" } else { ".0" };
    format!("{mantissa}{dot}E{exponent}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn java(v: f64) -> String {
        java_float(v, format!("{v:e}"), format!("{v:?}"))
    }

    #[test]
    fn floats_print_like_java() {
        assert_eq!(java(1.0), "1.0");
        assert_eq!(java(0.001), "0.001");
        assert_eq!(java(1234567.5), "1234567.5");
        assert_eq!(java(1e7), "1.0E7");
        assert_eq!(java(1.5e-4), "1.5E-4");
        assert_eq!(java(-2.5e20), "-2.5E20");
        assert_eq!(java(0.0), "0.0");
        assert_eq!(java(f64::NEG_INFINITY), "-Infinity");
    }
}
