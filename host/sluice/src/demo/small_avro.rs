//! The records of `small_json` as Avro, for the Avro run of `sluice bench e2e`: the same
//! keys and typed fields, in Confluent's wire format (magic byte, schema id, Avro
//! binary), written by Sluice's own `AvroConverter` against a Schema Registry, which
//! registers the schema under `<topic>-value` (TopicNameStrategy) on first use.
//!
//! Avro's binary form is more compact than JSON's text, so the pad is longer: each value
//! is padded to the size its JSON counterpart has, and a run of either format reads the
//! same bytes per record. Where the pad's length prefix grows by a byte (pads of 64 and
//! 8 192 bytes) that size cannot be hit exactly; such records are one byte short.

use sluice_avro::AvroConverter;
use sluice_convert::ConverterType;
use sluice_record::{Data, SchemaBuilder, SchemaRef, Struct, Value};

use super::encoded::{avro_converter, encode};
use super::small_json::{Fields, write_key};

/// Avro records of `size` bytes, framing included, keyed `k<index>`.
pub struct SmallAvro {
    size: usize,
    topic: String,
    /// One schema for every record: the converter registers it once, and keeps its id
    /// by the schema's address.
    schema: SchemaRef,
    converter: AvroConverter,
}

impl SmallAvro {
    /// Records for `topic`, with their schema registered in the registry at
    /// `registry_url` (its Confluent-compatible API), which is checked here: a registry
    /// that does not answer fails before anything is produced.
    pub fn new(size: usize, registry_url: &str, topic: &str) -> anyhow::Result<SmallAvro> {
        let converter = avro_converter(registry_url, ConverterType::Value)?;
        let field = |b: SchemaBuilder| b.build_ref();
        let schema = SchemaBuilder::structure()
            .name("sluice.bench.Quote")
            .field("id", field(SchemaBuilder::int64()))
            .field("symbol", field(SchemaBuilder::string()))
            .field("price", field(SchemaBuilder::float64()))
            .field("size", field(SchemaBuilder::int64()))
            .field("ts", field(SchemaBuilder::int64()))
            .field("pad", field(SchemaBuilder::string()))
            .build_ref();
        let generator = SmallAvro {
            size,
            topic: topic.to_owned(),
            schema,
            converter,
        };
        generator.encode(0, &mut Vec::new())?;
        Ok(generator)
    }

    /// Record `index`'s value, padded to the size (see the module's documentation).
    pub fn encode(&self, index: u64, value: &mut Vec<u8>) -> anyhow::Result<()> {
        let bare = self.encode_padded(index, 0)?;
        // A first guess that holds unless the pad's length prefix is longer than the
        // empty pad's (one byte); shortened by what it overshoots.
        let mut pad = self.size.saturating_sub(bare.len());
        let encoded = loop {
            let encoded = self.encode_padded(index, pad)?;
            if encoded.len() <= self.size || pad == 0 {
                break encoded;
            }
            pad = pad.saturating_sub((encoded.len() - self.size).max(1));
        };
        value.clear();
        value.extend_from_slice(&encoded);
        Ok(())
    }

    fn encode_padded(&self, index: u64, pad: usize) -> anyhow::Result<Vec<u8>> {
        let f = Fields::of(index);
        let values = vec![
            Value::Int64(f.id as i64),
            Value::String(format!("S{:03}", f.symbol).into()),
            Value::Float64(f.price_units as f64 + f.price_cents as f64 / 100.0),
            Value::Int64(f.size as i64),
            Value::Int64(f.ts as i64),
            Value::String("x".repeat(pad).into()),
        ];
        let value = Struct::from_values(self.schema.clone(), values)
            .expect("one value per field of the schema");
        let data = Data::new(Some(self.schema.clone()), Value::Struct(value));
        encode(&self.converter, &self.topic, &data)
    }
}

impl super::produce::Generator for SmallAvro {
    fn write(&mut self, index: u64, key: &mut Vec<u8>, value: &mut Vec<u8>) -> anyhow::Result<()> {
        super::produce::as_text(key, |key| write_key(index, key));
        self.encode(index, value)
    }
}
