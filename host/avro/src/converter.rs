//! The Avro converter: Confluent's `AvroConverter`, byte for byte, on Sluice's
//! [`Converter`] seam.
//!
//! Reading, a batch of one topic at a time: [`Converter::prepare_decode`] collects the
//! schema ids of the batch, fetches the unknown ones from the registry (with the
//! version each has under the record's subject, which becomes the Kafka Connect
//! schema's version, as Confluent's converter does) and pins them for the batch; then
//! `to_data` decodes each record without touching the network. An unreachable registry
//! is one [`ConvertError::Unavailable`] for the batch, which the runtime waits out; an
//! id the registry does not know fails only the records that carry it.
//!
//! Writing mirrors it: [`Converter::prepare_encode`] registers (or, with
//! `auto.register.schemas=false`, looks up) the Avro schema of each distinct Kafka
//! Connect schema of the batch, or takes the subject's latest version with
//! `use.latest.version=true`.

use std::collections::{BTreeMap, HashMap};
use std::num::NonZeroUsize;
use std::sync::{Arc, Mutex};

use lru::LruCache;
use serde_json::Value as Json;
use sluice_config::{ConfigDef, Importance, PropertyDef, PropertyType, Validator};
use sluice_convert::{CONVERTER_TYPE, ConvertError, Converter, ConverterType, Props};
use sluice_record::{Data, Schema, SchemaRef};
use sluice_schema_registry::{
    RegistryConfig, RegistryError, SchemaRegistryClient, SchemaType, property_defs,
};

use crate::codec::{self, CodecError};
use crate::schema::{self, Decode};
use crate::subject::SubjectStrategy;
use crate::types::AvroType;
use crate::wire;

/// The names that select this converter.
pub const NAMES: [&str; 2] = ["avro", "io.confluent.connect.avro.AvroConverter"];

const COMPONENT: &str = "AvroConverter";
const GROUP: &str = "Avro";

/// `auto.register.schemas`.
pub const AUTO_REGISTER: PropertyDef = PropertyDef::new(
    "auto.register.schemas",
    PropertyType::Boolean,
    "When writing, register the Avro schema of each record's Kafka Connect schema under \
     its subject if the registry does not hold it yet. With false, the schema must be \
     registered already (or use.latest.version=true).",
)
.default("true")
.importance(Importance::Medium)
.group(GROUP)
.display("Auto Register Schemas");

/// `use.latest.version`.
pub const USE_LATEST: PropertyDef = PropertyDef::new(
    "use.latest.version",
    PropertyType::Boolean,
    "When writing, encode every record with the latest schema of its subject instead of \
     one derived from the record (fields are matched by name; a field the record lacks \
     takes the schema's default). Usually with auto.register.schemas=false.",
)
.default("false")
.importance(Importance::Medium)
.group(GROUP)
.display("Use Latest Version");

/// `key.subject.name.strategy`.
pub const KEY_STRATEGY: PropertyDef = PropertyDef::new(
    "key.subject.name.strategy",
    PropertyType::String,
    "How the subject of a key schema is named: TopicNameStrategy (<topic>-key), \
     RecordNameStrategy (the record's full name) or TopicRecordNameStrategy \
     (<topic>-<record full name>); Confluent's class names are accepted too.",
)
.default(crate::subject::DEFAULT_STRATEGY)
.importance(Importance::Medium)
.group(GROUP)
.display("Key Subject Name Strategy")
.recommended(&crate::subject::STRATEGIES);

/// `value.subject.name.strategy`.
pub const VALUE_STRATEGY: PropertyDef = PropertyDef::new(
    "value.subject.name.strategy",
    PropertyType::String,
    "How the subject of a value schema is named: TopicNameStrategy (<topic>-value), \
     RecordNameStrategy (the record's full name) or TopicRecordNameStrategy \
     (<topic>-<record full name>); Confluent's class names are accepted too.",
)
.default(crate::subject::DEFAULT_STRATEGY)
.importance(Importance::Medium)
.group(GROUP)
.display("Value Subject Name Strategy")
.recommended(&crate::subject::STRATEGIES);

/// `schemas.cache.config`.
pub const CACHE_SIZE: PropertyDef = PropertyDef::new(
    "schemas.cache.config",
    PropertyType::Int,
    "How many schemas are kept, in each direction (schema ids read, Kafka Connect schemas \
     written); the least recently used are dropped and fetched again when needed.",
)
.default("1000")
.validator(Validator::Range {
    min: Some(1.0),
    max: None,
})
.importance(Importance::Low)
.group(GROUP)
.display("Schemas Cache Size");

/// `connect.meta.data`.
pub const CONNECT_META: PropertyDef = PropertyDef::new(
    "connect.meta.data",
    PropertyType::Boolean,
    "When writing, keep Kafka Connect's schema names, versions, docs and parameters in the \
     Avro schema (connect.name, connect.version, …), as Confluent's converter does.",
)
.default("true")
.importance(Importance::Low)
.group(GROUP)
.display("Connect Metadata");

/// `schemas.enable`: not a property of Confluent's Avro converter (Avro data always has
/// a schema), but the Kinetica connector's README puts it in the worker file next to
/// the Avro converter, and Kafka Connect passes unknown converter properties by. So it is
/// declared, to keep those files valid, and must be `true`.
pub const SCHEMAS_ENABLE: PropertyDef = PropertyDef::new(
    "schemas.enable",
    PropertyType::Boolean,
    "Accepted for worker files that set it next to the Avro converter (the Kinetica \
     connector's README does); Avro data always carries a schema, so it must be true.",
)
.default("true")
.importance(Importance::Low)
.group(GROUP)
.display("Schemas Enable");

/// The Avro converter's declared properties: its own, the registry client's, and
/// `converter.type`.
pub fn config_def() -> ConfigDef {
    let mut properties = vec![
        AUTO_REGISTER,
        USE_LATEST,
        KEY_STRATEGY,
        VALUE_STRATEGY,
        CACHE_SIZE,
        CONNECT_META,
        SCHEMAS_ENABLE,
    ];
    properties.extend(property_defs());
    properties.push(CONVERTER_TYPE);
    ConfigDef {
        component: COMPONENT.into(),
        properties,
    }
}

/// A writer schema, as read for one id: the Kafka Connect schema its records get and
/// the plan to decode them.
#[derive(Debug)]
struct ReadSchema {
    connect: SchemaRef,
    plan: Decode,
}

/// A schema to write with: the registry's id and the Avro type values are encoded as.
#[derive(Debug)]
struct WriteSchema {
    id: u32,
    ty: AvroType,
}

/// Confluent's `AvroConverter`.
pub struct AvroConverter {
    client: SchemaRegistryClient,
    /// The registry client is async and converters are called from task threads:
    /// lookups run on this runtime.
    runtime: tokio::runtime::Runtime,
    part: ConverterType,
    strategy: SubjectStrategy,
    auto_register: bool,
    use_latest: bool,
    connect_meta: bool,
    read: Mutex<LruCache<u32, Arc<ReadSchema>>>,
    /// Keyed by the Avro schema's JSON text.
    write: Mutex<LruCache<String, Arc<WriteSchema>>>,
    /// What the current batch needs, from the last `prepare_*` call.
    pinned_read: Mutex<HashMap<u32, Result<Arc<ReadSchema>, String>>>,
    /// By the address of the Kafka Connect schema (records of a batch share theirs).
    pinned_write: Mutex<HashMap<usize, Result<Arc<WriteSchema>, String>>>,
}

impl std::fmt::Debug for AvroConverter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AvroConverter")
            .field("registry", &self.client.urls())
            .field("part", &self.part)
            .finish_non_exhaustive()
    }
}

impl AvroConverter {
    /// Builds the converter from its property group (prefix removed).
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<AvroConverter, ConvertError> {
        let p = Props {
            props,
            component: COMPONENT,
        };
        let part = ConverterType::from_props(&p)?;
        let registry = RegistryConfig::from_props(props, part.prefix())
            .map_err(|e| ConvertError::Config(format!("{COMPONENT}: {e}")))?;
        let client = SchemaRegistryClient::new(&registry)
            .map_err(|e| ConvertError::Config(format!("{COMPONENT}: {e}")))?;
        let strategy_def = match part {
            ConverterType::Key => &KEY_STRATEGY,
            _ => &VALUE_STRATEGY,
        };
        let strategy = SubjectStrategy::parse(p.string(strategy_def)).ok_or_else(|| {
            ConvertError::Config(format!(
                "{COMPONENT}: invalid value for {}{}: expected one of {}",
                part.prefix(),
                strategy_def.name,
                crate::subject::STRATEGIES.join(", ")
            ))
        })?;
        if !p.boolean(&SCHEMAS_ENABLE)? {
            return Err(ConvertError::Config(format!(
                "{COMPONENT}: {}schemas.enable=false: Avro data always has a schema; remove \
                 the property, or use the JSON converter for data without schemas",
                part.prefix()
            )));
        }
        let cache = NonZeroUsize::new(p.int(&CACHE_SIZE)? as usize).unwrap_or(NonZeroUsize::MIN);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| ConvertError::Config(format!("{COMPONENT}: cannot start: {e}")))?;
        Ok(AvroConverter {
            client,
            runtime,
            part,
            strategy,
            auto_register: p.boolean(&AUTO_REGISTER)?,
            use_latest: p.boolean(&USE_LATEST)?,
            connect_meta: p.boolean(&CONNECT_META)?,
            read: Mutex::new(LruCache::new(cache)),
            write: Mutex::new(LruCache::new(cache)),
            pinned_read: Mutex::new(HashMap::new()),
            pinned_write: Mutex::new(HashMap::new()),
        })
    }

    /// Runs a registry call to completion from a task thread (or from inside another
    /// runtime, on a scoped thread).
    fn block_on<F: Future + Send>(&self, future: F) -> F::Output
    where
        F::Output: Send,
    {
        if tokio::runtime::Handle::try_current().is_ok() {
            std::thread::scope(|s| {
                s.spawn(|| self.runtime.block_on(future))
                    .join()
                    .expect("a registry call panicked")
            })
        } else {
            self.runtime.block_on(future)
        }
    }

    /// The schema for id `id`: its text, parsed, mapped, with the subject version.
    async fn fetch_read(
        &self,
        topic: &str,
        id: u32,
    ) -> Result<Result<ReadSchema, String>, RegistryError> {
        let registered = match self.client.schema_by_id(id as i32).await {
            Ok(r) => r,
            Err(e) if e.is_not_found() => {
                return Ok(Err(format!(
                    "schema id {id} is not in the Schema Registry ({e}); the record was \
                     written against another registry, or its schema was deleted"
                )));
            }
            Err(e) => return Err(e),
        };
        if registered.schema_type != SchemaType::Avro {
            return Ok(Err(format!(
                "schema id {id} is a {} schema, not Avro; use the converter for that format",
                registered.schema_type.as_str()
            )));
        }
        let read = match read_schema(&registered.schema) {
            Ok(read) => read,
            Err(problem) => return Ok(Err(format!("schema id {id}: {problem}"))),
        };
        // Confluent's converter gives the Kafka Connect schema the subject version of
        // the writer schema, unless the schema says `connect.version` itself.
        if read.connect.version.is_some() {
            return Ok(Ok(read));
        }
        let subject = self
            .strategy
            .subject(topic, self.part, read.connect.name.as_deref());
        let version = match self
            .client
            .lookup(&subject, &registered.schema, SchemaType::Avro)
            .await
        {
            Ok(found) => found.map(|v| v.version),
            // Written under another subject (another strategy): no version, as in Java.
            Err(e) if !e.is_retriable() => None,
            Err(e) => return Err(e),
        };
        Ok(Ok(match version {
            Some(v) => with_version(read, v),
            None => read,
        }))
    }

    async fn fetch_write(
        &self,
        topic: &str,
        schema: &Schema,
    ) -> Result<Result<Arc<WriteSchema>, String>, RegistryError> {
        let subject = self
            .strategy
            .subject(topic, self.part, schema.name.as_deref());
        if self.use_latest {
            let latest = match self.client.latest(&subject).await {
                Ok(l) => l,
                Err(e) if e.is_not_found() => {
                    return Ok(Err(format!(
                        "use.latest.version=true and the subject {subject} has no schema \
                         in the registry; register one, or set use.latest.version=false"
                    )));
                }
                Err(e) => return Err(e),
            };
            let ty = serde_json::from_str(&latest.schema)
                .map_err(|e| e.to_string())
                .and_then(|json: Json| AvroType::from_json(&json).map_err(|e| e.0));
            return Ok(ty
                .map(|ty| {
                    Arc::new(WriteSchema {
                        id: latest.id as u32,
                        ty,
                    })
                })
                .map_err(|e| format!("the latest schema of {subject}: {e}")));
        }
        let mut json = schema::from_connect(schema);
        if !self.connect_meta {
            strip_connect_meta(&mut json);
        }
        let text = json.to_string();
        if let Some(hit) = self.write.lock().expect("cache").get(&text) {
            return Ok(Ok(hit.clone()));
        }
        let id = if self.auto_register {
            match self
                .client
                .register(&subject, &text, SchemaType::Avro)
                .await
            {
                Ok(id) => id,
                Err(e) if !e.is_retriable() => {
                    return Ok(Err(format!(
                        "cannot register the record's schema under {subject}: {e}"
                    )));
                }
                Err(e) => return Err(e),
            }
        } else {
            match self
                .client
                .lookup(&subject, &text, SchemaType::Avro)
                .await?
            {
                Some(v) => v.id,
                None => {
                    return Ok(Err(format!(
                        "the record's schema is not registered under {subject} and \
                         auto.register.schemas=false; register it, or set \
                         use.latest.version=true"
                    )));
                }
            }
        };
        let ty = AvroType::from_json(&json).map_err(|e| e.0);
        Ok(ty.map(|ty| {
            let w = Arc::new(WriteSchema { id: id as u32, ty });
            self.write.lock().expect("cache").put(text, w.clone());
            w
        }))
    }
}

/// A writer schema's text parsed, validated by apache-avro, and mapped.
fn read_schema(text: &str) -> Result<ReadSchema, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    apache_avro::Schema::parse(&json).map_err(|e| format!("not a valid Avro schema: {e}"))?;
    let ty = AvroType::from_json(&json).map_err(|e| e.0)?;
    let (connect, plan) = schema::to_connect(&ty).map_err(|e| e.0)?;
    Ok(ReadSchema { connect, plan })
}

/// The schema with its version set, and the plan's root struct carrying it.
fn with_version(read: ReadSchema, version: i32) -> ReadSchema {
    let mut connect = (*read.connect).clone();
    connect.version = Some(version);
    let connect = connect.into_ref();
    let plan = schema::carrying(read.plan, &connect);
    ReadSchema { connect, plan }
}

/// Removes the `connect.*` attributes (`connect.meta.data=false`).
fn strip_connect_meta(json: &mut Json) {
    match json {
        Json::Object(o) => {
            o.retain(|k, _| !k.starts_with("connect.") || k == "connect.type");
            o.values_mut().for_each(strip_connect_meta);
        }
        Json::Array(a) => a.iter_mut().for_each(strip_connect_meta),
        _ => {}
    }
}

fn unavailable(e: RegistryError) -> ConvertError {
    ConvertError::Unavailable(e.to_string())
}

/// Registry errors that no retry fixes and that are about the configuration
/// (credentials, TLS) stop the pipeline rather than fail each record.
fn refused(e: RegistryError) -> ConvertError {
    if e.is_retriable() {
        unavailable(e)
    } else {
        ConvertError::Config(format!("{COMPONENT}: {e}"))
    }
}

fn bad(e: CodecError) -> ConvertError {
    ConvertError::Mismatch {
        path: e.path,
        problem: e.problem,
        position: None,
    }
}

impl Converter for AvroConverter {
    fn fetches(&self) -> bool {
        true
    }

    fn prepare_decode(&self, topic: &str, inputs: &[Option<&[u8]>]) -> Result<(), ConvertError> {
        let mut ids: Vec<u32> = inputs
            .iter()
            .flatten()
            .filter_map(|b| wire::split(b).ok().map(|(id, _)| id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let mut pinned = HashMap::with_capacity(ids.len());
        let mut missing = Vec::new();
        {
            let mut cache = self.read.lock().expect("cache");
            for id in ids {
                match cache.get(&id) {
                    Some(hit) => {
                        pinned.insert(id, Ok(hit.clone()));
                    }
                    None => missing.push(id),
                }
            }
        }
        for id in missing {
            let fetched = self
                .block_on(self.fetch_read(topic, id))
                .map_err(refused)?
                .map(Arc::new);
            if let Ok(read) = &fetched {
                self.read.lock().expect("cache").put(id, read.clone());
            }
            pinned.insert(id, fetched);
        }
        *self.pinned_read.lock().expect("pinned") = pinned;
        Ok(())
    }

    fn to_data(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<Data, ConvertError> {
        let Some(bytes) = bytes else {
            return Ok(Data::NULL);
        };
        let (id, datum) = wire::split(bytes).map_err(|e| ConvertError::Encoding(e.to_string()))?;
        let read = self.pinned_read.lock().expect("pinned").get(&id).cloned();
        let read = match read {
            Some(Ok(read)) => read,
            Some(Err(why)) => return Err(ConvertError::Encoding(why)),
            None => {
                // Called without `prepare_decode` (a tool, not the runtime): fetch now.
                self.prepare_decode(_topic, &[Some(bytes)])?;
                return self.to_data(_topic, Some(bytes));
            }
        };
        let value = codec::decode(&read.plan, datum).map_err(|e| {
            let mut e = bad(e);
            if let ConvertError::Mismatch { problem, .. } = &mut e {
                problem.push_str(&format!(" (schema id {id})"));
            }
            e
        })?;
        Ok(Data::new(Some(read.connect.clone()), value))
    }

    fn prepare_encode(&self, topic: &str, inputs: &[&Data]) -> Result<(), ConvertError> {
        let mut pinned: HashMap<usize, Result<Arc<WriteSchema>, String>> = HashMap::new();
        for data in inputs {
            let Some(schema) = &data.schema else { continue };
            let key = Arc::as_ptr(schema) as usize;
            if pinned.contains_key(&key) {
                continue;
            }
            let w = self
                .block_on(self.fetch_write(topic, schema))
                .map_err(refused)?;
            pinned.insert(key, w);
        }
        *self.pinned_write.lock().expect("pinned") = pinned;
        Ok(())
    }

    fn from_data(&self, topic: &str, data: &Data) -> Result<Option<Vec<u8>>, ConvertError> {
        if data.value.is_null() && data.schema.as_ref().is_none_or(|s| s.optional) {
            return Ok(None);
        }
        let Some(schema) = &data.schema else {
            return Err(ConvertError::Config(format!(
                "{COMPONENT}: the record has no schema, and Avro needs one; give the \
                 data a schema (JSON with schemas.enable=true upstream) or use the JSON \
                 converter"
            )));
        };
        let key = Arc::as_ptr(schema) as usize;
        let w = self.pinned_write.lock().expect("pinned").get(&key).cloned();
        let w = match w {
            Some(Ok(w)) => w,
            Some(Err(why)) => return Err(ConvertError::Encoding(why)),
            None => {
                self.prepare_encode(topic, &[data])?;
                return self.from_data(topic, data);
            }
        };
        let mut out = wire::header(w.id, 64);
        codec::encode(&w.ty, &data.value, &mut out).map_err(bad)?;
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connect_meta_is_stripped_but_connect_type_kept() {
        let mut json = serde_json::json!({"type": "record", "name": "A", "connect.name": "a.A",
            "fields": [{"name": "x", "type": {"type": "int", "connect.type": "int8", "connect.version": 1}}]});
        strip_connect_meta(&mut json);
        assert!(json.get("connect.name").is_none());
        assert_eq!(json["fields"][0]["type"]["connect.type"], "int8");
        assert!(json["fields"][0]["type"].get("connect.version").is_none());
    }
}
