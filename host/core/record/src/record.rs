//! Records and batches.

use std::sync::Arc;

use crate::{SchemaRef, Value};

/// A key or a value: its data and, when the converter knows one, its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    pub schema: Option<SchemaRef>,
    pub value: Value,
}

impl Data {
    pub const NULL: Data = Data {
        schema: None,
        value: Value::Null,
    };

    pub fn new(schema: Option<SchemaRef>, value: Value) -> Data {
        Data { schema, value }
    }

    pub fn schemaless(value: Value) -> Data {
        Data {
            schema: None,
            value,
        }
    }

    pub fn with_schema(schema: SchemaRef, value: Value) -> Data {
        Data {
            schema: Some(schema),
            value,
        }
    }
}

impl Default for Data {
    fn default() -> Self {
        Data::NULL
    }
}

/// A record header. Kafka header values are optional bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub key: String,
    pub value: Option<Vec<u8>>,
}

/// One Kafka record as it flows through a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Shared: every record of a partition's batch points at the same string.
    pub topic: Arc<str>,
    pub partition: i32,
    pub offset: i64,
    /// Milliseconds since the Unix epoch, when the producer or broker set one.
    pub timestamp: Option<i64>,
    pub headers: Vec<Header>,
    pub key: Data,
    pub value: Data,
}

impl Record {
    pub fn new(topic: impl Into<Arc<str>>, partition: i32, offset: i64) -> Record {
        Record {
            topic: topic.into(),
            partition,
            offset,
            timestamp: None,
            headers: Vec::new(),
            key: Data::NULL,
            value: Data::NULL,
        }
    }

    pub fn with_key(mut self, key: Data) -> Record {
        self.key = key;
        self
    }

    pub fn with_value(mut self, value: Data) -> Record {
        self.value = value;
        self
    }

    pub fn with_timestamp(mut self, timestamp: i64) -> Record {
        self.timestamp = Some(timestamp);
        self
    }

    pub fn with_header(mut self, key: impl Into<String>, value: Option<Vec<u8>>) -> Record {
        self.headers.push(Header {
            key: key.into(),
            value,
        });
        self
    }

    /// `topic-partition@offset`: how logs and errors point at a record without showing
    /// its contents.
    pub fn coordinates(&self) -> String {
        format!("{}-{}@{}", self.topic, self.partition, self.offset)
    }

    /// A tombstone: a record whose value is null (Kafka's delete marker for a key).
    pub fn is_tombstone(&self) -> bool {
        self.value.value.is_null()
    }
}

/// The unit of work: records are consumed, converted, transformed and written in
/// batches, and offsets are committed per batch.
pub type Batch = Vec<Record>;

/// A record as Kafka delivers it, before its key and value are converted: the form the
/// Kafka source produces and the dead letter queue receives.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    pub topic: Arc<str>,
    pub partition: i32,
    pub offset: i64,
    pub timestamp: Option<i64>,
    pub headers: Vec<Header>,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
}

impl RawRecord {
    /// `topic-partition@offset`, as [`Record::coordinates`].
    pub fn coordinates(&self) -> String {
        format!("{}-{}@{}", self.topic, self.partition, self.offset)
    }
}
