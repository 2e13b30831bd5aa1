//! The key and value converters of a task: raw Kafka records to [`Record`]s.
//!
//! Each task builds its own pair from the same [`ConverterSpec`]s: the JSON converter
//! caches schemas behind a lock, and tasks sharing one would contend for it.

use std::collections::BTreeMap;

use sluice_connect::SourceBatch;
use sluice_convert::{ConvertError, Converter};
use sluice_record::{RawRecord, Record};

use crate::bad_record::BadRecord;
use crate::error::Stage;

/// A converter's type and properties, checked at start-up.
#[derive(Debug, Clone)]
pub(crate) struct ConverterSpec {
    /// As configured (`json`, or a Kafka Connect class name).
    pub type_name: String,
    /// The `<key|value>.converter.` group with the prefix removed, plus
    /// `converter.type`, which Kafka Connect's worker sets and the JSON converter
    /// uses in its hints.
    pub props: BTreeMap<String, String>,
}

impl ConverterSpec {
    pub fn build(&self) -> Result<Box<dyn Converter>, ConvertError> {
        sluice_convert::converter_from_config(&self.type_name, &self.props)
    }
}

pub(crate) struct Converters {
    key: Box<dyn Converter>,
    value: Box<dyn Converter>,
    key_type: String,
    value_type: String,
}

impl Converters {
    pub fn new(key: &ConverterSpec, value: &ConverterSpec) -> Result<Converters, ConvertError> {
        Ok(Converters {
            key: key.build()?,
            value: value.build()?,
            key_type: key.type_name.clone(),
            value_type: value.type_name.clone(),
        })
    }

    /// Record `index` of a consumed batch, decoded if the source delivered bytes.
    pub fn decode(&self, batch: &SourceBatch, index: usize) -> Result<Record, BadRecord> {
        match batch {
            SourceBatch::Raw(raw) => self.convert(index, &raw[index]),
            // The batch is kept for reruns and the dead letter queue, so the chain gets
            // a copy (schemas are shared, not copied).
            SourceBatch::Records(records) => Ok(records[index].clone()),
        }
    }

    /// Encodes records for a sink that takes bytes, keeping their origins. Records
    /// that cannot be encoded come back as bad records.
    pub fn encode(
        &self,
        records: Vec<Record>,
        origins: Vec<usize>,
    ) -> (Vec<RawRecord>, Vec<usize>, Vec<BadRecord>) {
        let mut encoded = Vec::with_capacity(records.len());
        let mut kept = Vec::with_capacity(records.len());
        let mut bad = Vec::new();
        for (record, origin) in records.into_iter().zip(origins) {
            let key = self
                .key
                .from_data(&record.topic, &record.key)
                .map_err(|e| self.bad(origin, Stage::KeyConverter, e));
            let value = self
                .value
                .from_data(&record.topic, &record.value)
                .map_err(|e| self.bad(origin, Stage::ValueConverter, e));
            match (key, value) {
                (Ok(key), Ok(value)) => {
                    encoded.push(RawRecord {
                        topic: record.topic,
                        partition: record.partition,
                        offset: record.offset,
                        timestamp: record.timestamp,
                        headers: record.headers,
                        key,
                        value,
                    });
                    kept.push(origin);
                }
                (Err(b), _) | (_, Err(b)) => bad.push(b),
            }
        }
        (encoded, kept, bad)
    }

    /// Converts record `index` of a batch. Headers are kept as bytes (Sluice's records
    /// carry raw header values, so no header converter runs).
    fn convert(&self, index: usize, raw: &RawRecord) -> Result<Record, BadRecord> {
        let key = self
            .key
            .to_data(&raw.topic, raw.key.as_deref())
            .map_err(|e| self.bad(index, Stage::KeyConverter, e))?;
        let value = self
            .value
            .to_data(&raw.topic, raw.value.as_deref())
            .map_err(|e| self.bad(index, Stage::ValueConverter, e))?;
        Ok(Record {
            topic: raw.topic.clone(),
            partition: raw.partition,
            offset: raw.offset,
            timestamp: raw.timestamp,
            headers: raw.headers.clone(),
            key,
            value,
        })
    }

    fn bad(&self, index: usize, stage: Stage, error: ConvertError) -> BadRecord {
        let (class, side) = match stage {
            Stage::KeyConverter => (&self.key_type, "key"),
            _ => (&self.value_type, "value"),
        };
        BadRecord {
            raw: index,
            stage,
            class: class.clone(),
            label: format!("the {side} converter `{class}`"),
            exception: "sluice.ConvertError",
            reason: error.to_string(),
        }
    }
}
