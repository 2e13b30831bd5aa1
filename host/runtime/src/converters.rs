//! The key and value converters of a task: bytes ⇄ [`Record`]s, a batch at a time.
//!
//! A side's converter is native (`json`, `string`, `bytes`, by their Kafka Connect class
//! names too) or a converter component, called once per batch and side. Each task
//! builds its own pair from the same [`ConverterSpec`]s: the JSON converter caches
//! schemas behind a lock, and tasks sharing one would contend for it; a component
//! instance has its own store.

use std::collections::{BTreeMap, HashSet};

use sluice_connect::SourceBatch;
use sluice_convert::{ConvertError, Converter};
use sluice_engine::{ConverterPlugin, Part, PluginError, SwappableConverter};
use sluice_record::{Bytes, Data, RawRecord, Record};

use crate::bad_record::BadRecord;
use crate::error::Stage;
use crate::registry::BuildConverter;

/// A side's converter, checked at start-up.
pub(crate) enum ConverterSpec {
    Native {
        /// As configured (`json`, or a Kafka Connect class name).
        type_name: String,
        /// Builds it (from the registry's [`crate::ComponentSpec`]).
        build: BuildConverter,
        /// The `<key|value>.converter.` group with the prefix removed, plus
        /// `converter.type`, which Kafka Connect's worker sets and the JSON converter
        /// uses in its hints.
        props: BTreeMap<String, String>,
    },
    Wasm {
        /// As configured (a bundled name or a `.wasm` path).
        type_name: String,
        /// `the value converter `csv-converter``, for messages.
        label: String,
        plugin: ConverterPlugin,
    },
}

impl ConverterSpec {
    pub fn native(
        type_name: &str,
        build: BuildConverter,
        props: BTreeMap<String, String>,
    ) -> ConverterSpec {
        ConverterSpec::Native {
            type_name: type_name.to_owned(),
            build,
            props,
        }
    }

    /// Builds a native converter (to check its configuration, or for a task).
    pub fn build_native(&self) -> Result<Box<dyn Converter>, ConvertError> {
        match self {
            ConverterSpec::Native { build, props, .. } => build(props),
            ConverterSpec::Wasm { type_name, .. } => Err(ConvertError::Config(format!(
                "{type_name} is a converter component, not a native converter"
            ))),
        }
    }

    fn instantiate(&self, stage: Stage) -> Result<Side, String> {
        Ok(match self {
            ConverterSpec::Native { type_name, .. } => Side {
                run: Run::Native(self.build_native().map_err(|e| e.to_string())?),
                info: SideInfo {
                    class: type_name.clone(),
                    label: format!("the {} converter `{type_name}`", side_name(stage)),
                    stage,
                },
            },
            ConverterSpec::Wasm {
                type_name,
                label,
                plugin,
            } => Side {
                run: Run::Wasm(SwappableConverter::new(
                    plugin.instantiate().map_err(|e| e.to_string())?,
                )),
                info: SideInfo {
                    class: type_name.clone(),
                    label: label.clone(),
                    stage,
                },
            },
        })
    }
}

fn side_name(stage: Stage) -> &'static str {
    match stage {
        Stage::KeyConverter => "key",
        _ => "value",
    }
}

enum Run {
    Native(Box<dyn Converter>),
    Wasm(SwappableConverter),
}

/// One side's converter in a task.
struct Side {
    run: Run,
    info: SideInfo,
}

/// What messages and dead letter headers say about a side's converter.
struct SideInfo {
    class: String,
    label: String,
    stage: Stage,
}

/// A converter component failed a whole batch (a trap, a timeout, a broken contract).
#[derive(Debug)]
pub(crate) struct ConverterFailure {
    /// `key.converter` or `value.converter`.
    pub alias: String,
    /// `the value converter `csv-converter``.
    pub label: String,
    pub error: PluginError,
}

impl SideInfo {
    fn part(&self) -> Part {
        match self.stage {
            Stage::KeyConverter => Part::Key,
            _ => Part::Value,
        }
    }

    fn bad(&self, raw: usize, reason: String) -> BadRecord {
        BadRecord {
            raw,
            stage: self.stage,
            class: self.class.clone(),
            label: self.label.clone(),
            exception: "sluice.ConvertError",
            reason,
        }
    }

    fn failure(&self, error: PluginError) -> ConverterFailure {
        ConverterFailure {
            alias: format!("{}.converter", side_name(self.stage)),
            label: self.label.clone(),
            error,
        }
    }

    fn prepare_failure(&self, error: ConvertError) -> PrepareFailure {
        PrepareFailure {
            label: self.label.clone(),
            error,
        }
    }

    fn bad_native(&self, raw: usize, error: ConvertError) -> BadRecord {
        self.bad(raw, error.to_string())
    }
}

/// A native converter could not fetch what a batch needs (its Schema Registry is
/// unreachable, or refuses the configuration).
#[derive(Debug)]
pub(crate) struct PrepareFailure {
    /// `the value converter `avro``.
    pub label: String,
    pub error: ConvertError,
}

impl std::fmt::Display for PrepareFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.label, self.error)
    }
}

impl PrepareFailure {
    /// An outage, worth waiting out.
    pub fn is_retriable(&self) -> bool {
        matches!(self.error, ConvertError::Unavailable(_))
    }
}

impl Side {
    /// The native converter, when it fetches anything before converting.
    fn fetching(&self) -> Option<&dyn Converter> {
        match &self.run {
            Run::Native(c) if c.fetches() => Some(c.as_ref()),
            _ => None,
        }
    }

    /// Lets a native converter fetch what decoding these records needs, a run of one
    /// topic at a time ([`Converter::prepare_decode`]).
    fn prepare_decode(
        &self,
        raw: &[RawRecord],
        indices: &[usize],
        pick: fn(&RawRecord) -> Option<&[u8]>,
    ) -> Result<(), PrepareFailure> {
        let Some(c) = self.fetching() else {
            return Ok(());
        };
        for run in runs_of_topic(raw, indices) {
            let inputs: Vec<Option<&[u8]>> = run.iter().map(|&i| pick(&raw[i])).collect();
            c.prepare_decode(&raw[run[0]].topic, &inputs)
                .map_err(|error| self.info.prepare_failure(error))?;
        }
        Ok(())
    }

    /// [`Side::prepare_decode`] before encoding ([`Converter::prepare_encode`]).
    fn prepare_encode(
        &self,
        records: &[Record],
        pick: fn(&Record) -> &Data,
    ) -> Result<(), PrepareFailure> {
        let Some(c) = self.fetching() else {
            return Ok(());
        };
        let all: Vec<usize> = (0..records.len()).collect();
        for run in runs_of_topic(records, &all) {
            let inputs: Vec<&Data> = run.iter().map(|&i| pick(&records[i])).collect();
            c.prepare_encode(&records[run[0]].topic, &inputs)
                .map_err(|error| self.info.prepare_failure(error))?;
        }
        Ok(())
    }

    /// Decodes one side of the raw records at `indices`: one result per index.
    fn decode(
        &mut self,
        raw: &[RawRecord],
        indices: &[usize],
        pick: fn(&RawRecord) -> Option<&[u8]>,
    ) -> Result<Vec<Result<Data, BadRecord>>, ConverterFailure> {
        let info = &self.info;
        match &mut self.run {
            Run::Native(c) => Ok(indices
                .iter()
                .map(|&i| {
                    c.to_data(&raw[i].topic, pick(&raw[i]))
                        .map_err(|e| info.bad_native(i, e))
                })
                .collect()),
            Run::Wasm(c) => {
                let mut out = Vec::with_capacity(indices.len());
                // One call per topic: the WIT names the topic once per call, and a
                // batch usually holds one topic.
                for run in runs_of_topic(raw, indices) {
                    let inputs: Vec<Option<&[u8]>> = run.iter().map(|&i| pick(&raw[i])).collect();
                    let decoded = c
                        .to_data(&raw[run[0]].topic, info.part(), &inputs)
                        .map_err(|e| info.failure(e))?;
                    out.extend(
                        decoded
                            .into_iter()
                            .zip(run)
                            .map(|(d, &i)| d.map_err(|reason| info.bad(i, reason))),
                    );
                }
                Ok(out)
            }
        }
    }

    /// Encodes one side of `records` (whose origins are `origins`).
    fn encode(
        &mut self,
        records: &[Record],
        origins: &[usize],
        pick: fn(&Record) -> &Data,
    ) -> Result<Vec<EncodedSide>, ConverterFailure> {
        let info = &self.info;
        match &mut self.run {
            Run::Native(c) => Ok(records
                .iter()
                .zip(origins)
                .map(|(r, &o)| {
                    c.from_data(&r.topic, pick(r))
                        .map_err(|e| info.bad_native(o, e))
                })
                .collect()),
            Run::Wasm(c) => {
                let all: Vec<usize> = (0..records.len()).collect();
                let mut out = Vec::with_capacity(records.len());
                for run in runs_of_topic(records, &all) {
                    let inputs: Vec<Data> =
                        run.iter().map(|&i| pick(&records[i]).clone()).collect();
                    let encoded = c
                        .from_data(&records[run[0]].topic, info.part(), &inputs)
                        .map_err(|e| info.failure(e))?;
                    out.extend(
                        encoded
                            .into_iter()
                            .zip(run)
                            .map(|(e, &i)| e.map_err(|reason| info.bad(origins[i], reason))),
                    );
                }
                Ok(out)
            }
        }
    }
}

/// Something with a topic.
trait Topical {
    fn topic(&self) -> &str;
}

impl Topical for RawRecord {
    fn topic(&self) -> &str {
        &self.topic
    }
}

impl Topical for Record {
    fn topic(&self) -> &str {
        &self.topic
    }
}

/// `indices` split into runs of consecutive records of one topic.
fn runs_of_topic<'a, T: Topical>(items: &[T], indices: &'a [usize]) -> Vec<&'a [usize]> {
    let mut runs = Vec::new();
    let mut start = 0;
    for i in 1..=indices.len() {
        if i == indices.len() || items[indices[i]].topic() != items[indices[start]].topic() {
            if start < i {
                runs.push(&indices[start..i]);
            }
            start = i;
        }
    }
    runs
}

pub(crate) struct Converters {
    key: Side,
    value: Side,
}

/// One side of one record, encoded (`None` is Kafka's null), or why it cannot be.
type EncodedSide = Result<Option<Vec<u8>>, BadRecord>;

/// What encoding a batch gave: the records for the sink with their batch index, and
/// the records that could not be encoded.
pub(crate) struct Encoded {
    pub records: Vec<RawRecord>,
    pub origins: Vec<usize>,
    pub bad: Vec<BadRecord>,
}

/// What decoding a batch gave: records with their batch index, and bad records.
pub(crate) struct Decoded {
    pub records: Vec<Record>,
    pub origins: Vec<usize>,
    pub bad: Vec<BadRecord>,
}

impl Converters {
    pub fn new(key: &ConverterSpec, value: &ConverterSpec) -> Result<Converters, String> {
        Ok(Converters {
            key: key.instantiate(Stage::KeyConverter)?,
            value: value.instantiate(Stage::ValueConverter)?,
        })
    }

    /// Lets the native converters fetch what decoding `batch` needs (see
    /// [`Converter::prepare_decode`]); nothing to do for a batch of typed records.
    pub fn prepare_decode(&self, batch: &SourceBatch) -> Result<(), PrepareFailure> {
        let SourceBatch::Raw(raw) = batch else {
            return Ok(());
        };
        if self.key.fetching().is_none() && self.value.fetching().is_none() {
            return Ok(());
        }
        let all: Vec<usize> = (0..raw.len()).collect();
        self.key.prepare_decode(raw, &all, |r| r.key.as_deref())?;
        self.value.prepare_decode(raw, &all, |r| r.value.as_deref())
    }

    /// Lets the native converters register or look up what encoding `records` needs
    /// (see [`Converter::prepare_encode`]).
    pub fn prepare_encode(&self, records: &[Record]) -> Result<(), PrepareFailure> {
        self.key.prepare_encode(records, |r| &r.key)?;
        self.value.prepare_encode(records, |r| &r.value)
    }

    /// The records of a consumed batch except those in `skip`, decoded if the source
    /// delivered bytes. Headers stay bytes (Sluice's records carry raw header values,
    /// so no header converter runs).
    pub fn decode(
        &mut self,
        batch: &SourceBatch,
        skip: &HashSet<usize>,
    ) -> Result<Decoded, ConverterFailure> {
        let indices: Vec<usize> = (0..batch.len()).filter(|i| !skip.contains(i)).collect();
        let raw = match batch {
            SourceBatch::Raw(raw) => raw,
            // The batch is kept for reruns, so the chain gets a copy (schemas are
            // shared, not copied).
            SourceBatch::Records(records) => {
                return Ok(Decoded {
                    records: indices.iter().map(|&i| records[i].clone()).collect(),
                    origins: indices,
                    bad: Vec::new(),
                });
            }
        };
        let keys = self.key.decode(raw, &indices, |r| r.key.as_deref())?;
        let values = self.value.decode(raw, &indices, |r| r.value.as_deref())?;
        let mut out = Decoded {
            records: Vec::with_capacity(indices.len()),
            origins: Vec::with_capacity(indices.len()),
            bad: Vec::new(),
        };
        for ((index, key), value) in indices.into_iter().zip(keys).zip(values) {
            match (key, value) {
                (Ok(key), Ok(value)) => {
                    let r = &raw[index];
                    out.records.push(Record {
                        topic: r.topic.clone(),
                        partition: r.partition,
                        offset: r.offset,
                        timestamp: r.timestamp,
                        headers: r.headers.clone(),
                        key,
                        value,
                    });
                    out.origins.push(index);
                }
                (Err(b), _) | (_, Err(b)) => out.bad.push(b),
            }
        }
        Ok(out)
    }

    /// Encodes records for a sink that takes bytes, keeping their origins. Records
    /// that cannot be encoded come back as bad records.
    pub fn encode(
        &mut self,
        records: Vec<Record>,
        origins: Vec<usize>,
    ) -> Result<Encoded, ConverterFailure> {
        let keys = self.key.encode(&records, &origins, |r| &r.key)?;
        let values = self.value.encode(&records, &origins, |r| &r.value)?;
        let mut encoded = Vec::with_capacity(records.len());
        let mut kept = Vec::with_capacity(records.len());
        let mut bad = Vec::new();
        for (((record, origin), key), value) in
            records.into_iter().zip(origins).zip(keys).zip(values)
        {
            match (key, value) {
                (Ok(key), Ok(value)) => {
                    encoded.push(RawRecord {
                        topic: record.topic,
                        partition: record.partition,
                        offset: record.offset,
                        timestamp: record.timestamp,
                        headers: record.headers,
                        key: key.map(Bytes::from),
                        value: value.map(Bytes::from),
                    });
                    kept.push(origin);
                }
                (Err(b), _) | (_, Err(b)) => bad.push(b),
            }
        }
        Ok(Encoded {
            records: encoded,
            origins: kept,
            bad,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn raw(topic: &str) -> RawRecord {
        RawRecord {
            topic: Arc::from(topic),
            partition: 0,
            offset: 0,
            timestamp: None,
            headers: Vec::new(),
            key: None,
            value: None,
        }
    }

    #[test]
    fn runs_split_where_the_topic_changes() {
        let items = [raw("a"), raw("a"), raw("b"), raw("a")];
        let all = [0, 1, 2, 3];
        let runs = runs_of_topic(&items, &all);
        assert_eq!(runs, [&[0, 1][..], &[2][..], &[3][..]]);
        let some = [1, 3];
        assert_eq!(runs_of_topic(&items, &some), [&[1, 3][..]]);
        assert!(runs_of_topic(&items, &[]).is_empty());
    }
}
