//! Records of a schema given in a file, for `sluice datapump --schema FILE`: an Avro
//! schema (`.avsc`, the JSON users of Confluent's tools have), read into a Kafka Connect
//! schema as Sluice's Avro converter reads a writer schema (`sluice_avro::schema`), with
//! seeded random values for its fields. Any format can then write them: the JSON
//! converter with or without its envelope, or Avro through a registry.
//!
//! Values by type: integers over their whole range; floats in [0, 1000); strings of 1-12
//! lower-case letters; bytes of 0-16 bytes (a `fixed` of its size); arrays and maps of
//! 0-3 entries; an enum one of its symbols; a general union one of its branches; an
//! optional value null one time in ten; `decimal` within its precision (at most 18
//! digits); `date`, `time-millis` and `timestamp-millis` between 2000 and 2030.

use std::path::Path;

use anyhow::Context as _;
use sluice_avro::schema::{DECIMAL_PRECISION, ENUM, FIXED_SIZE, UNION};
use sluice_avro::types::AvroType;
use sluice_record::logical::{self, LogicalType};
use sluice_record::{Data, Schema, SchemaKind, SchemaRef, Struct, Value};

use super::rng::SplitMix64;

/// 2000-01-01T00:00:00Z, the earliest generated date and time.
const EPOCH_2000_MS: i64 = 946_684_800_000;
/// Thirty years of days, the span of generated dates and times.
const SPAN_DAYS: u64 = 30 * 365;
const DAY_MS: u64 = 86_400_000;
/// How deep containers nest before they are generated empty (or null): a bound for
/// schemas that recurse.
const MAX_DEPTH: usize = 16;

/// Random values of one schema; record `i` of a seed is always the same.
#[derive(Debug, Clone)]
pub struct RandomRecords {
    schema: SchemaRef,
    seed: u64,
}

impl RandomRecords {
    /// The records of the Avro schema in `path`.
    pub fn from_avro_file(path: &Path, seed: u64) -> anyhow::Result<RandomRecords> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the schema file {}", path.display()))?;
        let json: serde_json::Value = serde_json::from_str(&text)
            .with_context(|| format!("{}: not JSON (an Avro schema is)", path.display()))?;
        let avro = AvroType::from_json(&json)
            .with_context(|| format!("{}: not an Avro schema", path.display()))?;
        let (schema, _) = sluice_avro::schema::to_connect(&avro)
            .with_context(|| format!("{}: no Kafka Connect schema for it", path.display()))?;
        Ok(RandomRecords { schema, seed })
    }

    /// Record `index`.
    pub fn data(&self, index: u64) -> Data {
        let mut rng = SplitMix64::for_record(self.seed, index);
        Data::new(Some(self.schema.clone()), value(&self.schema, &mut rng, 0))
    }
}

/// Keyed by the record's index, as text.
impl super::encoded::Records for RandomRecords {
    fn record(&self, index: u64, key: &mut String) -> Data {
        key.clear();
        key.push_str(&index.to_string());
        self.data(index)
    }
}

fn value(schema: &SchemaRef, rng: &mut SplitMix64, depth: usize) -> Value {
    if schema.optional && (rng.below(10) == 0 || depth > MAX_DEPTH) {
        return Value::Null;
    }
    if let Some(logical) = LogicalType::of(schema) {
        return match logical {
            LogicalType::Decimal { .. } => decimal(schema, rng),
            LogicalType::Date => {
                Value::Int32((EPOCH_2000_MS / DAY_MS as i64) as i32 + rng.below(SPAN_DAYS) as i32)
            }
            LogicalType::Time => Value::Int32(rng.below(DAY_MS) as i32),
            LogicalType::Timestamp => {
                Value::Int64(EPOCH_2000_MS + rng.below(SPAN_DAYS * DAY_MS) as i64)
            }
        };
    }
    let parameter = |name: &str| schema.parameters.get(name);
    match &schema.kind {
        SchemaKind::Int8 => Value::Int8(rng.next() as i8),
        SchemaKind::Int16 => Value::Int16(rng.next() as i16),
        SchemaKind::Int32 => Value::Int32(rng.next() as i32),
        SchemaKind::Int64 => Value::Int64(rng.next() as i64),
        SchemaKind::Float32 => Value::Float32((rng.unit() * 1000.0) as f32),
        SchemaKind::Float64 => Value::Float64(rng.unit() * 1000.0),
        SchemaKind::Boolean => Value::Boolean(rng.next() & 1 == 1),
        SchemaKind::String if parameter(ENUM).is_some() => enum_symbol(schema, rng),
        SchemaKind::String => {
            let len = 1 + rng.below(12) as usize;
            Value::String(
                (0..len)
                    .map(|_| (b'a' + rng.below(26) as u8) as char)
                    .collect(),
            )
        }
        SchemaKind::Bytes => {
            let len = match parameter(FIXED_SIZE).and_then(|s| s.parse().ok()) {
                Some(size) => size,
                None => rng.below(17) as usize,
            };
            Value::Bytes((0..len).map(|_| rng.next() as u8).collect())
        }
        SchemaKind::Array(element) => {
            let len = entries(rng, depth);
            Value::Array((0..len).map(|_| value(element, rng, depth + 1)).collect())
        }
        SchemaKind::Map { key, value: item } => {
            let len = entries(rng, depth);
            Value::Map(
                (0..len)
                    .map(|_| (value(key, rng, depth + 1), value(item, rng, depth + 1)))
                    .collect(),
            )
        }
        SchemaKind::Struct(fields) => {
            // Confluent's struct for a general union: one branch set, the others null.
            let branch = (schema.name.as_deref() == Some(UNION) && !fields.is_empty())
                .then(|| rng.below(fields.len() as u64) as usize);
            let values = fields
                .iter()
                .enumerate()
                .map(|(i, f)| match branch {
                    Some(b) if b != i => Value::Null,
                    Some(_) => value(&required(&f.schema), rng, depth + 1),
                    None => value(&f.schema, rng, depth + 1),
                })
                .collect();
            Value::Struct(
                Struct::from_values(schema.clone(), values)
                    .expect("one value per field of the schema"),
            )
        }
    }
}

/// 0-3 entries, none beyond [`MAX_DEPTH`].
fn entries(rng: &mut SplitMix64, depth: usize) -> usize {
    if depth >= MAX_DEPTH {
        0
    } else {
        rng.below(4) as usize
    }
}

/// A union's chosen branch, which must not come out null.
fn required(schema: &SchemaRef) -> SchemaRef {
    let mut schema = Schema::clone(schema);
    schema.optional = false;
    schema.into_ref()
}

/// One of the enum's symbols, which Confluent's mapping keeps as parameters
/// `io.confluent.connect.avro.Enum.<symbol>`.
fn enum_symbol(schema: &Schema, rng: &mut SplitMix64) -> Value {
    let prefix = format!("{ENUM}.");
    let symbols: Vec<&str> = schema
        .parameters
        .keys()
        .filter_map(|k| k.strip_prefix(&prefix))
        .collect();
    match symbols.len() {
        0 => Value::String("".into()),
        n => Value::String(symbols[rng.below(n as u64) as usize].into()),
    }
}

/// An unscaled integer of at most the decimal's precision in digits (18 at most, so
/// that it fits in an `i64` before scaling).
fn decimal(schema: &Schema, rng: &mut SplitMix64) -> Value {
    let precision: u32 = schema
        .parameters
        .get(DECIMAL_PRECISION)
        .and_then(|p| p.parse().ok())
        .unwrap_or(18)
        .clamp(1, 18);
    let bound = 10u64.pow(precision);
    let magnitude = rng.below(bound) as i128;
    let unscaled = if rng.next() & 1 == 1 {
        -magnitude
    } else {
        magnitude
    };
    Value::Bytes(logical::decimal_to_bytes(unscaled))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(schema: &str) -> RandomRecords {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("schema.avsc");
        std::fs::write(&path, schema).unwrap();
        RandomRecords::from_avro_file(&path, 7).unwrap()
    }

    #[test]
    fn every_type_gets_a_value_its_schema_validates() {
        let records = records(
            r#"{"type": "record", "name": "Everything", "fields": [
                {"name": "i", "type": "int"}, {"name": "l", "type": "long"},
                {"name": "f", "type": "float"}, {"name": "d", "type": "double"},
                {"name": "b", "type": "boolean"}, {"name": "s", "type": "string"},
                {"name": "raw", "type": "bytes"},
                {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 4}},
                {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "DONE"]}},
                {"name": "maybe", "type": ["null", "string"]},
                {"name": "either", "type": ["int", "string"]},
                {"name": "tags", "type": {"type": "array", "items": "string"}},
                {"name": "counts", "type": {"type": "map", "values": "long"}},
                {"name": "price", "type": {"type": "bytes", "logicalType": "decimal", "precision": 6, "scale": 2}},
                {"name": "day", "type": {"type": "int", "logicalType": "date"}},
                {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
                {"name": "inner", "type": {"type": "record", "name": "Inner", "fields": [{"name": "x", "type": "int"}]}}
            ]}"#,
        );
        let schema = records.schema.clone();
        for index in 0..200 {
            let data = records.data(index);
            schema
                .validate(&data.value)
                .unwrap_or_else(|e| panic!("record {index}: {e}"));
            let Value::Struct(s) = &data.value else {
                panic!("not a struct")
            };
            let Some(Value::String(status)) = s.get("status") else {
                panic!("{s:?}")
            };
            assert!(["NEW", "DONE"].contains(&status.as_str()), "{status}");
            let Some(Value::Bytes(hash)) = s.get("hash") else {
                panic!("{s:?}")
            };
            assert_eq!(hash.len(), 4);
            let Some(Value::Bytes(price)) = s.get("price") else {
                panic!("{s:?}")
            };
            let unscaled = logical::decimal_from_bytes(price).unwrap();
            assert!(unscaled.abs() < 1_000_000, "{unscaled}");
        }
    }

    #[test]
    fn the_same_seed_and_index_give_the_same_record() {
        let schema = r#"{"type": "record", "name": "R", "fields": [{"name": "s", "type": "string"}, {"name": "n", "type": "long"}]}"#;
        let (a, b) = (records(schema), records(schema));
        assert_eq!(a.data(42).value, b.data(42).value);
        assert_ne!(a.data(42).value, a.data(43).value);
    }

    #[test]
    fn a_file_that_is_not_an_avro_schema_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.avsc");
        std::fs::write(&path, r#"{"type": "no-such-type"}"#).unwrap();
        let e = RandomRecords::from_avro_file(&path, 1).unwrap_err();
        assert!(format!("{e:#}").contains("not an Avro schema"), "{e:#}");
    }
}
