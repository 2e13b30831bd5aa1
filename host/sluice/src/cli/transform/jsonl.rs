//! Records as JSON lines, the format of `sluice transform test`:
//!
//! ```json
//! {"topic": "t", "partition": 0, "offset": 5, "timestamp": 1700000000000,
//!  "headers": {"h": "v"}, "key": "k", "value": {"a": 1},
//!  "key_schema": …, "value_schema": {"type": "struct", "fields": […]}}
//! ```
//!
//! Every field is optional (topic `test`, partition 0, offset = line number). Key and
//! value are JSON; with a `key_schema` / `value_schema` in Kafka Connect's JSON schema
//! format they become structured data of that schema, else schemaless data.

use anyhow::{Context, bail};
use serde_json::{Map, Value as Json, json};
use sluice_convert::{schema_from_json, schema_to_json, value_from_json, value_to_json};
use sluice_record::{Data, Header, Record};

const FIELDS: &[&str] = &[
    "topic",
    "partition",
    "offset",
    "timestamp",
    "headers",
    "key",
    "value",
    "key_schema",
    "value_schema",
];

fn data(line: &Map<String, Json>, value: &str, schema: &str) -> anyhow::Result<Data> {
    let schema = match line.get(schema) {
        Some(Json::Null) | None => None,
        Some(s) => Some(schema_from_json(s).with_context(|| format!("`{schema}`"))?),
    };
    let json = line.get(value).unwrap_or(&Json::Null);
    let v = value_from_json(json, schema.as_deref()).with_context(|| format!("`{value}`"))?;
    Ok(Data { schema, value: v })
}

/// Parses one input line; `number` (0-based) is the default offset.
pub fn parse_record(text: &str, number: usize) -> anyhow::Result<Record> {
    let json: Json = serde_json::from_str(text).context("not valid JSON")?;
    let Json::Object(line) = json else {
        bail!("a record must be a JSON object");
    };
    if let Some(unknown) = line.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        bail!("unknown field `{unknown}` (known: {})", FIELDS.join(", "));
    }
    let mut record = Record::new(
        line.get("topic").and_then(Json::as_str).unwrap_or("test"),
        line.get("partition").and_then(Json::as_i64).unwrap_or(0) as i32,
        line.get("offset")
            .and_then(Json::as_i64)
            .unwrap_or(number as i64),
    );
    record.timestamp = line.get("timestamp").and_then(Json::as_i64);
    if let Some(headers) = line.get("headers") {
        let Json::Object(headers) = headers else {
            bail!("`headers` must be an object of header name to string (or null)");
        };
        for (k, v) in headers {
            let value = match v {
                Json::Null => None,
                Json::String(s) => Some(s.as_bytes().to_vec()),
                other => Some(other.to_string().into_bytes()),
            };
            record.headers.push(Header {
                key: k.clone(),
                value,
            });
        }
    }
    record.key = data(&line, "key", "key_schema")?;
    record.value = data(&line, "value", "value_schema")?;
    Ok(record)
}

/// Renders a record as one JSON object (schemas included when the data has one).
pub fn render_record(record: &Record) -> Json {
    let mut out = Map::new();
    out.insert("topic".into(), json!(&*record.topic));
    out.insert("partition".into(), json!(record.partition));
    out.insert("offset".into(), json!(record.offset));
    out.insert("timestamp".into(), json!(record.timestamp));
    if !record.headers.is_empty() {
        let headers: Map<String, Json> = record
            .headers
            .iter()
            .map(|h| {
                let v = h
                    .value
                    .as_ref()
                    .map_or(Json::Null, |b| json!(String::from_utf8_lossy(b)));
                (h.key.clone(), v)
            })
            .collect();
        out.insert("headers".into(), Json::Object(headers));
    }
    for (name, data) in [("key", &record.key), ("value", &record.value)] {
        out.insert(
            name.into(),
            value_to_json(&data.value, data.schema.as_deref()),
        );
        if let Some(s) = &data.schema {
            out.insert(format!("{name}_schema"), schema_to_json(s));
        }
    }
    Json::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_record::Value;

    #[test]
    fn a_line_with_a_schema_becomes_a_struct_and_renders_back() {
        let line = r#"{"topic":"people","offset":9,"headers":{"h":"v"},"value":{"name":"ann","age":4},
            "value_schema":{"type":"struct","fields":[{"field":"name","type":"string"},{"field":"age","type":"int32"}]}}"#;
        let r = parse_record(line, 0).unwrap();
        assert_eq!(r.offset, 9);
        assert_eq!(r.value.value.get("age"), Some(&Value::Int32(4)));
        let back = render_record(&r);
        assert_eq!(back["value"], json!({"name": "ann", "age": 4}));
        assert_eq!(back["headers"], json!({"h": "v"}));
        assert_eq!(back["value_schema"]["fields"][1]["type"], json!("int32"));
    }

    #[test]
    fn defaults_and_schemaless_values() {
        let r = parse_record(r#"{"value":{"a":[1,2]}}"#, 3).unwrap();
        assert_eq!((&*r.topic, r.partition, r.offset), ("test", 0, 3));
        assert!(r.value.schema.is_none());
        assert!(matches!(r.value.value, Value::Map(_)));
    }

    #[test]
    fn mistakes_are_named() {
        let err = parse_record(r#"{"valeu":1}"#, 0).unwrap_err().to_string();
        assert!(err.contains("unknown field `valeu`"), "{err}");
        assert!(parse_record("[1]", 0).is_err());
        let err = parse_record(r#"{"value":"x","value_schema":{"type":"int32"}}"#, 0).unwrap_err();
        assert!(format!("{err:#}").contains("value"), "{err:#}");
    }
}
