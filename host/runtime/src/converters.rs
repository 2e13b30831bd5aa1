//! The key and value converters of a task: raw Kafka records to [`Record`]s.
//!
//! Each task builds its own pair from the same [`ConverterSpec`]s: the JSON converter
//! caches schemas behind a lock, and tasks sharing one would contend for it.

use std::collections::BTreeMap;

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

    /// Converts record `index` of a batch. Headers are kept as bytes (Sluice's records
    /// carry raw header values, so no header converter runs).
    pub fn convert(&self, index: usize, raw: &RawRecord) -> Result<Record, BadRecord> {
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
