//! Records generated as Kafka Connect data and written by a converter — Sluice's own
//! JSON converter, or its Avro converter against a Schema Registry (Confluent's wire
//! format; the schemas registered under `<topic>-key` and `<topic>-value` on first
//! use) — so that generated records are exactly what a Connect producer with that
//! converter writes.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use sluice_avro::AvroConverter;
use sluice_convert::{Converter, ConverterType, JsonConverter, JsonConverterConfig};
use sluice_record::{Data, SchemaBuilder, SchemaRef, Value};

/// Record `index`'s key (text, cleared first) and its value as Connect data.
pub trait Records: Send + 'static {
    fn record(&self, index: u64, key: &mut String) -> Data;
}

/// The converter of `part` for Avro through the registry at `registry_url` (its
/// Confluent-compatible API), with Confluent's defaults (TopicNameStrategy, schemas
/// registered automatically).
pub fn avro_converter(registry_url: &str, part: ConverterType) -> anyhow::Result<AvroConverter> {
    let part = match part {
        ConverterType::Key => "key",
        ConverterType::Value => "value",
        ConverterType::Header => "header",
    };
    let props = BTreeMap::from([
        ("schema.registry.url".to_owned(), registry_url.to_owned()),
        ("converter.type".to_owned(), part.to_owned()),
    ]);
    Ok(AvroConverter::from_props(&props)?)
}

/// The value converter for Kafka Connect JSON, with its schema envelope or without.
pub fn json_converter(schemas_enable: bool) -> JsonConverter {
    JsonConverter::new(JsonConverterConfig {
        schemas_enable,
        ..JsonConverterConfig::default()
    })
}

/// `data` as `converter` writes it for `topic`; a converter that writes Kafka's null
/// for a record (none of Sluice's do for data with a schema) is an error here.
pub fn encode(converter: &dyn Converter, topic: &str, data: &Data) -> anyhow::Result<Vec<u8>> {
    converter
        .from_data(topic, data)?
        .ok_or_else(|| anyhow::anyhow!("the converter wrote no value for a record"))
}

/// The schema of converted keys. One instance: the Avro converter knows a schema it has
/// registered by its address.
static KEY_SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| SchemaBuilder::string().build_ref());

/// A [`super::produce::Generator`] of `records`: values written by `converter`, keys by
/// `key_converter` as strings, or as plain text without one (`key.converter=string`).
pub struct Encoded<R> {
    pub records: R,
    pub key_converter: Option<Box<dyn Converter>>,
    pub converter: Box<dyn Converter>,
    pub topic: String,
}

impl<R: Records> super::produce::Generator for Encoded<R> {
    fn write(&mut self, index: u64, key: &mut Vec<u8>, value: &mut Vec<u8>) -> anyhow::Result<()> {
        let mut text = String::new();
        let data = self.records.record(index, &mut text);
        *value = encode(self.converter.as_ref(), &self.topic, &data)?;
        *key = match &self.key_converter {
            Some(converter) => {
                let key_data = Data::new(Some(KEY_SCHEMA.clone()), Value::String(text.into()));
                encode(converter.as_ref(), &self.topic, &key_data)?
            }
            None => text.into_bytes(),
        };
        Ok(())
    }
}
