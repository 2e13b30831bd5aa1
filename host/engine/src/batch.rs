//! The host side of the `batch` resource: the records of one call, and what the guest
//! did to them.

// A predicate reads the caller's records without copying them (`HostBatch::borrowed`).
#![allow(unsafe_code)]

use std::sync::Arc;

use sluice_record::{Data, Header, Record, SchemaRef};
use wasmtime::component::Resource;

use crate::bindings::types::{
    self, Data as WitData, FieldError, Header as WitHeader, NewRecord, Part, Scalar,
    Schema as WitSchema, SchemaType,
};
use crate::path::{self, SchemaCache};
use crate::state::HostState;
use crate::wit_convert::{data_to_wit, schema_from_wit, value_from_wit, wit_type};

/// The Rust type behind the WIT `batch` resource. It carries no data: the batch of the
/// current call lives in [`HostState::batch`], and the handle only names it.
pub struct BatchRep;

/// What became of one input record.
#[derive(Debug, Clone, PartialEq)]
pub enum Fate {
    Keep,
    Discard,
    Reject(String),
}

/// The records of one call.
pub struct HostBatch {
    records: Records,
    pub fates: Vec<Fate>,
    /// Records the guest added, with the index of the record each comes from.
    pub appended: Vec<(u32, Record)>,
    /// The topic every record shares, if they all share one.
    topic: Option<Arc<str>>,
    schemas: SchemaCache,
    /// The schemas `set` received in this call, each built once: a flattener or a
    /// transform sends the same schema with every record, and the sink caches its
    /// row plans (and checks its table) by the schema's address.
    set_schemas: Vec<(WitSchema, SchemaRef)>,
    /// Set when the guest broke the contract in a call that cannot return an error
    /// (e.g. appended a malformed record, or changed a read-only batch); the call then
    /// fails as a whole.
    pub violation: Option<String>,
}

impl HostBatch {
    /// A key or value from the guest, its schema shared with the records that sent
    /// the same one in this call.
    fn data_from_wit(&mut self, data: WitData) -> Result<Data, String> {
        let Some(wit) = data.schema else {
            return Ok(Data {
                schema: None,
                value: value_from_wit(data.value, None)?,
            });
        };
        let schema = match self.set_schemas.iter().find(|(w, _)| *w == wit) {
            Some((_, schema)) => schema.clone(),
            None => {
                let schema = schema_from_wit(wit.clone())?;
                self.set_schemas.push((wit, schema.clone()));
                schema
            }
        };
        let value = value_from_wit(data.value, Some(&schema))?;
        Ok(Data {
            schema: Some(schema),
            value,
        })
    }
}

/// The records a batch holds: its own (a transform or flattener changes them), or the
/// caller's, read-only (a predicate only looks at them, so they are not moved or
/// copied).
enum Records {
    Owned(Vec<Record>),
    Borrowed(BorrowedRecords),
}

/// A caller's `&[Record]` without its lifetime. See [`HostBatch::borrowed`].
struct BorrowedRecords {
    ptr: *const Record,
    len: usize,
}

// SAFETY: it stands for a `&[Record]`, which is `Send` because `Record` is `Sync`.
unsafe impl Send for BorrowedRecords {}

impl HostBatch {
    pub fn new(records: Vec<Record>) -> HostBatch {
        HostBatch::with(Records::Owned(records))
    }

    /// A read-only batch over the caller's records: the guest reads them through the
    /// same accessors, without the host copying them; a mutating accessor is a
    /// contract violation.
    ///
    /// # Safety
    /// The batch must be dropped before `records` is: the store only holds it for the
    /// duration of one guest call, which `Instance::call` guarantees by taking it out
    /// again, even when a host function panics.
    pub unsafe fn borrowed(records: &[Record]) -> HostBatch {
        HostBatch::with(Records::Borrowed(BorrowedRecords {
            ptr: records.as_ptr(),
            len: records.len(),
        }))
    }

    fn with(records: Records) -> HostBatch {
        let mut batch = HostBatch {
            fates: Vec::new(),
            records,
            appended: Vec::new(),
            topic: None,
            schemas: SchemaCache::default(),
            set_schemas: Vec::new(),
            violation: None,
        };
        let records = batch.records();
        let topic = records.first().map(|r| r.topic.clone()).filter(|t| {
            records
                .iter()
                .all(|r| Arc::ptr_eq(&r.topic, t) || r.topic == *t)
        });
        let len = records.len();
        batch.fates = vec![Fate::Keep; len];
        batch.topic = topic;
        batch
    }

    pub fn records(&self) -> &[Record] {
        match &self.records {
            Records::Owned(v) => v,
            // SAFETY: see `HostBatch::borrowed`: the caller's slice outlives the batch.
            Records::Borrowed(b) => unsafe { std::slice::from_raw_parts(b.ptr, b.len) },
        }
    }

    /// The records, fates and appended records of an owned batch (a borrowed one gives
    /// no records: they are the caller's).
    pub fn into_parts(self) -> (Vec<Record>, Vec<Fate>, Vec<(u32, Record)>) {
        let records = match self.records {
            Records::Owned(v) => v,
            Records::Borrowed(_) => Vec::new(),
        };
        (records, self.fates, self.appended)
    }

    fn record(&self, index: u32) -> Result<&Record, FieldError> {
        self.records()
            .get(index as usize)
            .ok_or(FieldError::NoSuchRecord(index))
    }

    fn record_mut(&mut self, index: u32, method: &str) -> Result<&mut Record, FieldError> {
        self.records
            .writable(&mut self.violation, method)?
            .get_mut(index as usize)
            .ok_or(FieldError::NoSuchRecord(index))
    }
}

impl Records {
    /// The records, for an accessor that changes the batch (`method` is its WIT
    /// name); an error, with the violation recorded, if the batch is read-only.
    fn writable(
        &mut self,
        violation: &mut Option<String>,
        method: &str,
    ) -> Result<&mut Vec<Record>, FieldError> {
        match self {
            Records::Owned(v) => Ok(v),
            Records::Borrowed(_) => {
                let message =
                    format!("called `batch.{method}`, but this world's batch is read-only");
                violation.get_or_insert_with(|| message.clone());
                Err(FieldError::TypeMismatch(message))
            }
        }
    }
}

fn part_of(record: &Record, part: Part) -> &Data {
    match part {
        Part::Key => &record.key,
        Part::Value => &record.value,
    }
}

fn part_of_mut(record: &mut Record, part: Part) -> &mut Data {
    match part {
        Part::Key => &mut record.key,
        Part::Value => &mut record.value,
    }
}

fn headers_to_wit(headers: &[Header]) -> Vec<WitHeader> {
    headers
        .iter()
        .map(|h| WitHeader {
            key: h.key.clone(),
            value: h.value.clone(),
        })
        .collect()
}

fn headers_from_wit(headers: Vec<WitHeader>) -> Vec<Header> {
    headers
        .into_iter()
        .map(|h| Header {
            key: h.key,
            value: h.value,
        })
        .collect()
}

impl HostState {
    /// The batch of the call in progress. Guests only get a handle while a call is in
    /// progress, so a missing batch is a host bug, reported as a trap.
    fn current(&mut self) -> &mut HostBatch {
        self.batch
            .as_mut()
            .expect("batch accessor called outside of a call")
    }
}

impl types::Host for HostState {}

impl types::HostBatch for HostState {
    fn len(&mut self, _: Resource<BatchRep>) -> u32 {
        self.current().records().len() as u32
    }

    fn batch_topic(&mut self, _: Resource<BatchRep>) -> Option<String> {
        self.current().topic.as_deref().map(str::to_string)
    }

    fn topic(&mut self, _: Resource<BatchRep>, index: u32) -> String {
        self.current()
            .record(index)
            .map(|r| r.topic.to_string())
            .unwrap_or_default()
    }

    fn partition(&mut self, _: Resource<BatchRep>, index: u32) -> i32 {
        self.current().record(index).map_or(-1, |r| r.partition)
    }

    fn offset(&mut self, _: Resource<BatchRep>, index: u32) -> i64 {
        self.current().record(index).map_or(-1, |r| r.offset)
    }

    fn timestamp(&mut self, _: Resource<BatchRep>, index: u32) -> Option<i64> {
        self.current().record(index).ok().and_then(|r| r.timestamp)
    }

    fn partitions(&mut self, _: Resource<BatchRep>) -> Vec<i32> {
        self.current()
            .records()
            .iter()
            .map(|r| r.partition)
            .collect()
    }

    fn offsets(&mut self, _: Resource<BatchRep>) -> Vec<i64> {
        self.current().records().iter().map(|r| r.offset).collect()
    }

    fn timestamps(&mut self, _: Resource<BatchRep>) -> Vec<Option<i64>> {
        self.current()
            .records()
            .iter()
            .map(|r| r.timestamp)
            .collect()
    }

    fn any_schema(&mut self, _: Resource<BatchRep>, part: Part) -> bool {
        self.current()
            .records()
            .iter()
            .any(|r| part_of(r, part).schema.is_some())
    }

    fn headers(&mut self, _: Resource<BatchRep>, index: u32) -> Vec<WitHeader> {
        self.current()
            .record(index)
            .map(|r| headers_to_wit(&r.headers))
            .unwrap_or_default()
    }

    fn get_field(
        &mut self,
        _: Resource<BatchRep>,
        index: u32,
        part: Part,
        path: String,
    ) -> Result<Scalar, FieldError> {
        let record = self.current().record(index)?;
        let segments = path::segments(&path);
        Ok(path::get(part_of(record, part), &segments, &path, false)?.unwrap_or(Scalar::Null))
    }

    fn set_field(
        &mut self,
        _: Resource<BatchRep>,
        index: u32,
        part: Part,
        path: String,
        value: Scalar,
    ) -> Result<(), FieldError> {
        let batch = self.current();
        let segments = path::segments(&path);
        let record = batch
            .records
            .writable(&mut batch.violation, "set-field")?
            .get_mut(index as usize)
            .ok_or(FieldError::NoSuchRecord(index))?;
        path::set(
            part_of_mut(record, part),
            &segments,
            &path,
            value,
            &mut batch.schemas,
        )
    }

    fn get_column(
        &mut self,
        _: Resource<BatchRep>,
        part: Part,
        path: String,
    ) -> Result<Vec<Scalar>, FieldError> {
        let segments = path::segments(&path);
        self.current()
            .records()
            .iter()
            .map(|r| {
                Ok(path::get(part_of(r, part), &segments, &path, true)?.unwrap_or(Scalar::Null))
            })
            .collect()
    }

    fn column_types(
        &mut self,
        _: Resource<BatchRep>,
        part: Part,
        path: String,
    ) -> Result<Vec<Option<SchemaType>>, FieldError> {
        let segments = path::segments(&path);
        Ok(self
            .current()
            .records()
            .iter()
            .map(|r| path::value_type(part_of(r, part), &segments).map(wit_type))
            .collect())
    }

    fn set_column(
        &mut self,
        _: Resource<BatchRep>,
        part: Part,
        path: String,
        values: Vec<Scalar>,
    ) -> Result<(), FieldError> {
        let batch = self.current();
        let records = batch.records.writable(&mut batch.violation, "set-column")?;
        if values.len() != records.len() {
            return Err(FieldError::TypeMismatch(format!(
                "set-column got {} values for {} records",
                values.len(),
                records.len()
            )));
        }
        let segments = path::segments(&path);
        // Non-null values first: a field they add to a schema is then added (as null)
        // to every other record of that schema too, so one column gives one schema.
        // The nulls' places are noted on the way (most columns have none, and then
        // nothing is allocated), not sorted apart, which copied every value twice.
        let mut nulls = Vec::new();
        for (index, (record, value)) in records.iter_mut().zip(values).enumerate() {
            if matches!(value, Scalar::Null) {
                nulls.push(index);
                continue;
            }
            path::set(
                part_of_mut(record, part),
                &segments,
                &path,
                value,
                &mut batch.schemas,
            )?;
        }
        for index in nulls {
            path::set(
                part_of_mut(&mut records[index], part),
                &segments,
                &path,
                Scalar::Null,
                &mut batch.schemas,
            )?;
        }
        Ok(())
    }

    fn field_type(
        &mut self,
        _: Resource<BatchRep>,
        index: u32,
        part: Part,
        path: String,
    ) -> Result<Option<SchemaType>, FieldError> {
        let record = self.current().record(index)?;
        let Some(mut schema) = part_of(record, part).schema.clone() else {
            return Ok(None);
        };
        for name in path::segments(&path) {
            let next = match &schema.kind {
                sluice_record::SchemaKind::Struct(_) => {
                    schema.field(name).map(|(_, f)| f.schema.clone())
                }
                sluice_record::SchemaKind::Map { value, .. } => Some(value.clone()),
                _ => None,
            };
            schema = next.ok_or_else(|| FieldError::NoSuchField(path.clone()))?;
        }
        Ok(Some(wit_type(schema.schema_type())))
    }

    fn get(&mut self, _: Resource<BatchRep>, index: u32, part: Part) -> WitData {
        match self.current().record(index) {
            Ok(r) => data_to_wit(part_of(r, part)),
            Err(_) => data_to_wit(&Data::NULL),
        }
    }

    fn set(
        &mut self,
        _: Resource<BatchRep>,
        index: u32,
        part: Part,
        data: WitData,
    ) -> Result<(), String> {
        let data = self.current().data_from_wit(data)?;
        let record = self
            .current()
            .record_mut(index, "set")
            .map_err(|e| match e {
                FieldError::TypeMismatch(m) => m,
                _ => format!("no record at index {index}"),
            })?;
        *part_of_mut(record, part) = data;
        Ok(())
    }

    fn set_topic(&mut self, _: Resource<BatchRep>, index: u32, topic: String) {
        let batch = self.current();
        if let Ok(r) = batch.record_mut(index, "set-topic") {
            r.topic = topic.into();
            batch.topic = None;
        }
    }

    fn set_timestamp(&mut self, _: Resource<BatchRep>, index: u32, timestamp: Option<i64>) {
        if let Ok(r) = self.current().record_mut(index, "set-timestamp") {
            r.timestamp = timestamp;
        }
    }

    fn set_headers(&mut self, _: Resource<BatchRep>, index: u32, headers: Vec<WitHeader>) {
        if let Ok(r) = self.current().record_mut(index, "set-headers") {
            r.headers = headers_from_wit(headers);
        }
    }

    fn discard(&mut self, _: Resource<BatchRep>, index: u32) {
        let batch = self.current();
        if batch
            .records
            .writable(&mut batch.violation, "discard")
            .is_err()
        {
            return;
        }
        if let Some(f) = batch.fates.get_mut(index as usize) {
            *f = Fate::Discard;
        }
    }

    fn reject(&mut self, _: Resource<BatchRep>, index: u32, message: String) {
        let batch = self.current();
        if batch
            .records
            .writable(&mut batch.violation, "reject")
            .is_err()
        {
            return;
        }
        if let Some(f) = batch.fates.get_mut(index as usize) {
            *f = Fate::Reject(message);
        }
    }

    fn append(&mut self, _: Resource<BatchRep>, origin: u32, record: NewRecord) {
        let batch = self.current();
        if batch
            .records
            .writable(&mut batch.violation, "append")
            .is_err()
        {
            return;
        }
        let Some(offset) = batch.records().get(origin as usize).map(|r| r.offset) else {
            batch.violation = Some(format!(
                "append names origin {origin}, which is not in the batch"
            ));
            return;
        };
        let key = batch.data_from_wit(record.key);
        let value = batch.data_from_wit(record.value);
        let (key, value) = match (key, value) {
            (Ok(k), Ok(v)) => (k, v),
            (Err(e), _) | (_, Err(e)) => {
                batch.violation = Some(format!("appended a malformed record: {e}"));
                return;
            }
        };
        let new = Record {
            topic: record.topic.into(),
            partition: record.partition,
            offset,
            timestamp: record.timestamp,
            headers: headers_from_wit(record.headers),
            key,
            value,
        };
        batch.appended.push((origin, new));
    }

    fn drop(&mut self, _rep: Resource<BatchRep>) -> wasmtime::Result<()> {
        Ok(())
    }
}
