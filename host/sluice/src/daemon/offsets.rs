//! A pipeline's offsets in Kafka Connect's shape for sink connectors (KIP-875):
//! `{"partition": {"kafka_topic", "kafka_partition"}, "offset": {"kafka_offset"}}`,
//! read from, and written to, its consumer group.

use serde_json::{Value, json};
use sluice_config::PipelineConfig;
use sluice_kafka::{GroupOffset, SourceSettings};

fn settings(pipeline: &PipelineConfig) -> Result<SourceSettings, String> {
    sluice_kafka::source_settings(pipeline)
        .map(|(settings, _)| settings)
        .map_err(|problems| {
            problems
                .iter()
                .map(|p| format!("`{}`: {}", p.property, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        })
}

/// The group's committed offsets.
pub fn committed(pipeline: &PipelineConfig) -> Result<Vec<GroupOffset>, String> {
    sluice_kafka::committed_offsets(&settings(pipeline)?).map_err(|e| e.to_string())
}

/// The group's lag per partition: (topic, partition, records behind).
pub fn lag(pipeline: &PipelineConfig) -> Result<Vec<(String, i32, i64)>, String> {
    sluice_kafka::group_lag(&settings(pipeline)?).map_err(|e| e.to_string())
}

/// Sets the committed offsets of the listed partitions.
pub fn alter(pipeline: &PipelineConfig, offsets: &[GroupOffset]) -> Result<(), String> {
    sluice_kafka::set_offsets(&settings(pipeline)?, offsets).map_err(|e| e.to_string())
}

/// Forgets every committed offset (deletes the group).
pub fn reset(pipeline: &PipelineConfig) -> Result<(), String> {
    sluice_kafka::delete_group(&settings(pipeline)?).map_err(|e| e.to_string())
}

pub fn to_json(offsets: &[GroupOffset]) -> Value {
    let listed: Vec<Value> = offsets
        .iter()
        .map(|o| {
            json!({
                "partition": {"kafka_topic": o.topic, "kafka_partition": o.partition},
                "offset": {"kafka_offset": o.offset},
            })
        })
        .collect();
    json!({ "offsets": listed })
}

/// A `PATCH …/offsets` body, with Connect's messages for what is wrong in it.
pub fn parse_alter(body: &Value) -> Result<Vec<GroupOffset>, String> {
    let entries = body
        .get("offsets")
        .and_then(Value::as_array)
        .filter(|a| !a.is_empty())
        .ok_or("Partitions / offsets need to be provided for an alter offsets request")?;
    entries.iter().map(parse_entry).collect()
}

fn parse_entry(entry: &Value) -> Result<GroupOffset, String> {
    let partition = entry
        .get("partition")
        .filter(|p| !p.is_null())
        .ok_or("The partition for a sink connector offset cannot be null or missing")?;
    let (Some(topic), Some(number)) = (
        partition.get("kafka_topic"),
        partition.get("kafka_partition"),
    ) else {
        return Err(
            "The partition for a sink connector offset must contain the keys \
                    'kafka_topic' and 'kafka_partition'"
                .into(),
        );
    };
    let topic = topic
        .as_str()
        .ok_or("Kafka topic names must be valid strings and may not be null")?;
    if number.is_null() {
        return Err("Kafka partitions must be valid numbers and may not be null".into());
    }
    let partition = integer(number).ok_or_else(|| {
        format!(
            "Failed to parse the following Kafka partition value in the provided offsets: \
             '{}'. Partition values for sink connectors need to be integers.",
            shown(number)
        )
    })?;
    let offset = match entry.get("offset") {
        Some(Value::Object(o)) if o.contains_key("kafka_offset") => &o["kafka_offset"],
        Some(Value::Null) | None => {
            return Err(
                "Sluice cannot remove one partition's committed offset (`\"offset\": \
                        null`); set it with `kafka_offset`, or reset them all with DELETE"
                    .into(),
            );
        }
        _ => {
            return Err(
                "The offset for a sink connector should either be null or contain \
                        the key 'kafka_offset'"
                    .into(),
            );
        }
    };
    let offset = integer(offset).filter(|o| *o >= 0).ok_or_else(|| {
        format!(
            "Failed to parse the following Kafka offset value in the provided offsets: '{}'. \
             Offset values for sink connectors need to be integers.",
            shown(offset)
        )
    })?;
    Ok(GroupOffset {
        topic: topic.to_owned(),
        partition: i32::try_from(partition).map_err(|_| "partition out of range")?,
        offset,
    })
}

/// A number, or a string holding one (Connect takes both).
fn integer(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn shown(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
}
