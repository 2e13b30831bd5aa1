//! Kafka Connect's `org.apache.kafka.connect.converters.ByteArrayConverter`.

use std::collections::BTreeMap;

use sluice_config::ConfigDef;
use sluice_record::{Data, SchemaBuilder, SchemaKind, SchemaRef, Value};

use crate::config::{CONVERTER_TYPE, ConverterType};
use crate::props::Props;
use crate::{ConvertError, Converter};

pub const COMPONENT: &str = "ByteArrayConverter";

pub fn config_def() -> ConfigDef {
    ConfigDef {
        component: COMPONENT.into(),
        properties: vec![CONVERTER_TYPE],
    }
}

/// Bytes in, bytes out: every value (and a Kafka null) is read with an optional bytes
/// schema, as Connect does; only bytes (or null) can be written.
#[derive(Debug, Clone)]
pub struct ByteArrayConverter {
    schema: SchemaRef,
}

impl Default for ByteArrayConverter {
    fn default() -> Self {
        ByteArrayConverter {
            schema: SchemaBuilder::bytes().optional().build_ref(),
        }
    }
}

impl ByteArrayConverter {
    /// Nothing to configure: `converter.type` is only validated.
    pub fn from_props(
        props: &BTreeMap<String, String>,
    ) -> Result<ByteArrayConverter, ConvertError> {
        let p = Props {
            props,
            component: COMPONENT,
        };
        ConverterType::from_props(&p)?;
        Ok(ByteArrayConverter::default())
    }
}

impl Converter for ByteArrayConverter {
    fn to_data(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<Data, ConvertError> {
        let value = bytes.map_or(Value::Null, |b| Value::Bytes(b.to_vec()));
        Ok(Data::with_schema(self.schema.clone(), value))
    }

    fn from_data(&self, _topic: &str, data: &Data) -> Result<Option<Vec<u8>>, ConvertError> {
        if let Some(schema) = &data.schema
            && schema.kind != SchemaKind::Bytes
        {
            return Err(ConvertError::mismatch(
                String::new(),
                format!(
                    "the byte array converter needs a bytes schema, not {}",
                    schema.schema_type()
                ),
            ));
        }
        match &data.value {
            Value::Null => Ok(None),
            Value::Bytes(b) => Ok(Some(b.clone())),
            other => Err(ConvertError::mismatch(
                String::new(),
                format!(
                    "the byte array converter writes bytes, not {}",
                    other.type_name()
                ),
            )),
        }
    }
}
