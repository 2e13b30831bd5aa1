//! Records and batches.

use std::sync::Arc;

use bytes::Bytes;

use crate::{SchemaRef, Value};

/// A key or a value: its data and, when the converter knows one, its schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Data {
    /// The schema the converter read or inferred; `None` for schemaless data.
    pub schema: Option<SchemaRef>,
    /// The data itself, in its physical form.
    pub value: Value,
}

impl Data {
    /// A null key or value with no schema: what an absent key or a tombstone's value converts to.
    pub const NULL: Data = Data {
        schema: None,
        value: Value::Null,
    };

    /// Data from its parts.
    pub fn new(schema: Option<SchemaRef>, value: Value) -> Data {
        Data { schema, value }
    }

    /// Data without a schema (for example JSON read with `schemas.enable=false`).
    pub fn schemaless(value: Value) -> Data {
        Data {
            schema: None,
            value,
        }
    }

    /// Data with a known schema.
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
    /// The header's name; Kafka allows several headers with the same name.
    pub key: String,
    /// The header's bytes; `None` for a null header value.
    pub value: Option<Vec<u8>>,
}

/// One Kafka record as it flows through a pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Shared: every record of a partition's batch points at the same string.
    pub topic: Arc<str>,
    /// The partition of the topic the record belongs to.
    pub partition: i32,
    /// The record's offset within its partition.
    pub offset: i64,
    /// Milliseconds since the Unix epoch, when the producer or broker set one.
    pub timestamp: Option<i64>,
    /// The record's headers, in the order Kafka delivered them.
    pub headers: Vec<Header>,
    /// The converted key.
    pub key: Data,
    /// The converted value; a null value makes the record a tombstone.
    pub value: Data,
}

impl Record {
    /// A record at `topic-partition@offset` with a null key and value, no timestamp and no headers.
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

    /// Builder-style: sets the key.
    pub fn with_key(mut self, key: Data) -> Record {
        self.key = key;
        self
    }

    /// Builder-style: sets the value.
    pub fn with_value(mut self, value: Data) -> Record {
        self.value = value;
        self
    }

    /// Builder-style: sets the timestamp, in milliseconds since the Unix epoch.
    pub fn with_timestamp(mut self, timestamp: i64) -> Record {
        self.timestamp = Some(timestamp);
        self
    }

    /// Builder-style: appends a header.
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
    /// The topic the record was consumed from (or is produced to).
    pub topic: Arc<str>,
    /// The partition of the topic.
    pub partition: i32,
    /// The record's offset within its partition.
    pub offset: i64,
    /// Milliseconds since the Unix epoch, when the producer or broker set one.
    pub timestamp: Option<i64>,
    /// The record's headers, in the order Kafka delivered them.
    pub headers: Vec<Header>,
    /// The key's bytes, before conversion; `None` for a null key.
    ///
    /// [`Bytes`], not `Vec<u8>`: a consumed batch's small payloads share a few
    /// allocations (connectors/kafka/src/payloads.rs) instead of taking two each.
    pub key: Option<Bytes>,
    /// The value's bytes, before conversion; `None` for a null value (a tombstone).
    pub value: Option<Bytes>,
}

impl RawRecord {
    /// Bytes of its key and value: what batches are bounded by (`batch.max.bytes`).
    pub fn payload_bytes(&self) -> usize {
        self.key.as_ref().map_or(0, Bytes::len) + self.value.as_ref().map_or(0, Bytes::len)
    }

    /// `topic-partition@offset`, as [`Record::coordinates`].
    pub fn coordinates(&self) -> String {
        format!("{}-{}@{}", self.topic, self.partition, self.offset)
    }
}
