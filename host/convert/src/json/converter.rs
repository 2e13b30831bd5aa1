//! The converter: Kafka bytes ⇄ [`Data`], with or without the schema envelope.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use sluice_record::{Data, SchemaRef, Value};

use super::cache::BoundedCache;
use super::config::JsonConverterConfig;
use super::decode::{self, Ctx, Failure, MaybeTyped};
use super::encode::{Enc, EncCtx};
use super::schema::{SchemaJson, schema_from_text};
use crate::{ConvertError, Converter};

/// Kafka Connect's `org.apache.kafka.connect.json.JsonConverter`.
///
/// With `schemas.enable=true` (the default) every record is an envelope
/// `{"schema": …, "payload": …}`; with `false` it is plain JSON, read without a schema.
/// A Kafka null is [`Data::NULL`] and back. So is an empty value and a JSON `null` on
/// read (Connect fails on both; producers that cannot send a Kafka null send them).
pub struct JsonConverter {
    config: JsonConverterConfig,
    /// Envelope schema text → parsed schema (`None` for `"schema": null`).
    read_cache: BoundedCache<Box<str>, Option<SchemaRef>>,
    /// Schema (by address; the entry keeps it alive) → its JSON text.
    write_cache: BoundedCache<usize, (SchemaRef, Arc<[u8]>)>,
}

impl fmt::Debug for JsonConverter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JsonConverter")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Default for JsonConverter {
    fn default() -> Self {
        JsonConverter::new(JsonConverterConfig::default())
    }
}

impl JsonConverter {
    /// A converter with these settings and empty schema caches of
    /// `config.schemas_cache_size` entries each.
    pub fn new(config: JsonConverterConfig) -> JsonConverter {
        JsonConverter {
            read_cache: BoundedCache::new(config.schemas_cache_size),
            write_cache: BoundedCache::new(config.schemas_cache_size),
            config,
        }
    }

    /// A converter configured from its property group (prefix removed).
    pub fn from_props(props: &BTreeMap<String, String>) -> Result<JsonConverter, ConvertError> {
        JsonConverterConfig::from_props(props).map(JsonConverter::new)
    }

    /// The settings this converter was built with.
    pub fn config(&self) -> &JsonConverterConfig {
        &self.config
    }

    fn ctx(&self) -> Ctx {
        Ctx::new(
            self.config.replace_null_with_default,
            self.config.converter_type.prefix(),
        )
    }

    fn enc_ctx(&self) -> EncCtx {
        EncCtx::new(
            self.config.decimal_format,
            self.config.replace_null_with_default,
        )
    }

    /// The schema an envelope's raw `"schema"` text stands for, from the cache if seen.
    fn resolve_schema(&self, raw: &str) -> Result<Option<SchemaRef>, ConvertError> {
        if let Some(schema) = self.read_cache.get(raw) {
            return Ok(schema);
        }
        let schema = schema_from_text(raw)?;
        self.read_cache.insert(raw.into(), schema.clone());
        Ok(schema)
    }

    /// Appends the JSON text of a schema to `out`, from the cache if written before.
    fn write_schema(&self, schema: &SchemaRef, out: &mut Vec<u8>) {
        let key = Arc::as_ptr(schema) as usize;
        let hit = self.write_cache.with(&key, |(cached, json)| {
            // The entry holds the schema alive, so its address cannot have been reused;
            // checked anyway, it costs nothing.
            Arc::ptr_eq(cached, schema).then(|| out.extend_from_slice(json))
        });
        if hit.flatten().is_some() {
            return;
        }
        let json = SchemaJson {
            schema,
            decimal_format: self.config.decimal_format,
        };
        let bytes: Arc<[u8]> = serde_json::to_vec(&json)
            .expect("a schema always serializes")
            .into();
        out.extend_from_slice(&bytes);
        self.write_cache.insert(key, (Arc::clone(schema), bytes));
    }

    /// The envelope fast path. Nearly every record of a topic repeats the schema text of
    /// the one before, byte for byte; then the record is `{"schema":` + that text +
    /// `,"payload":` + payload + `}`, and only the payload needs parsing (the schema is
    /// most of the bytes). Anything else — other spacing, key order, a new schema, an
    /// error — takes the general path, which also gives errors their usual wording.
    fn read_known_envelope(&self, bytes: &[u8]) -> Option<Data> {
        let rest = bytes.strip_prefix(b"{\"schema\":")?;
        let (schema, payload) = self.read_cache.with_last(|text, schema| {
            let rest = rest.strip_prefix(text.as_bytes())?;
            let payload = rest.strip_prefix(b",\"payload\":")?;
            let payload = payload.trim_ascii_end().strip_suffix(b"}")?;
            Some((schema.clone(), payload))
        })?;
        let ctx = self.ctx();
        let seed = MaybeTyped {
            schema: schema.as_ref(),
            ctx: &ctx,
        };
        let value = decode::decode_slice(payload, seed).ok()?;
        Some(Data { schema, value })
    }
}

impl Converter for JsonConverter {
    fn to_data(&self, _topic: &str, bytes: Option<&[u8]>) -> Result<Data, ConvertError> {
        let bytes = match bytes {
            None | Some([]) => return Ok(Data::NULL),
            Some(bytes) => bytes,
        };
        if self.config.schemas_enable
            && let Some(data) = self.read_known_envelope(bytes)
        {
            return Ok(data);
        }
        let ctx = self.ctx();
        let result = if self.config.schemas_enable {
            let seed = Envelope {
                converter: self,
                ctx: &ctx,
            };
            decode::decode_slice(bytes, seed)
        } else {
            decode::schemaless(bytes).map(Data::schemaless)
        };
        result.map_err(|e| ctx.into_error(e))
    }

    fn from_data(&self, _topic: &str, data: &Data) -> Result<Option<Vec<u8>>, ConvertError> {
        if data.schema.is_none() && data.value.is_null() {
            return Ok(None);
        }
        let ctx = self.enc_ctx();
        let enc = Enc {
            value: &data.value,
            schema: data.schema.as_deref(),
            ctx: &ctx,
        };
        let mut out;
        if self.config.schemas_enable {
            out = Vec::with_capacity(512);
            out.extend_from_slice(b"{\"schema\":");
            match &data.schema {
                Some(schema) => self.write_schema(schema, &mut out),
                None => out.extend_from_slice(b"null"),
            }
            out.extend_from_slice(b",\"payload\":");
            serde_json::to_writer(&mut out, &enc).map_err(|e| ctx.into_error(e))?;
            out.push(b'}');
        } else {
            out = Vec::with_capacity(128);
            serde_json::to_writer(&mut out, &enc).map_err(|e| ctx.into_error(e))?;
        }
        Ok(Some(out))
    }
}

/// Reads `{"schema": …, "payload": …}` in either order. When the schema comes first (as
/// every writer puts it) the payload is decoded in the same pass; otherwise it is kept as
/// raw text and decoded once the schema is known.
struct Envelope<'a> {
    converter: &'a JsonConverter,
    ctx: &'a Ctx,
}

impl Envelope<'_> {
    fn missing<E: de::Error>(&self, problem: &'static str) -> E {
        self.ctx.fail(Failure::Envelope(problem))
    }
}

impl<'de> DeserializeSeed<'de> for Envelope<'_> {
    type Value = Data;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Data, D::Error> {
        d.deserialize_any(self)
    }
}

#[derive(PartialEq)]
enum Key {
    Schema,
    Payload,
    Other,
}

/// Classifies an envelope key without allocating it (or quoting it in an error).
struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Key;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Key, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Key;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("\"schema\" or \"payload\"")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Key, E> {
        Ok(match key {
            "schema" => Key::Schema,
            "payload" => Key::Payload,
            _ => Key::Other,
        })
    }
}

impl<'de> Visitor<'de> for Envelope<'_> {
    type Value = Data;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a {\"schema\": …, \"payload\": …} envelope")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
        let ctx = self.ctx;
        let mut schema: Option<Option<SchemaRef>> = None;
        let mut payload: Option<Value> = None;
        let mut deferred: Option<&'de RawValue> = None;
        while let Some(key) = map.next_key_seed(KeySeed)? {
            let duplicate = match key {
                Key::Schema => schema.is_some(),
                Key::Payload => payload.is_some() || deferred.is_some(),
                Key::Other => {
                    return Err(self.missing(
                        "the JSON object has fields other than \"schema\" and \"payload\"",
                    ));
                }
            };
            if duplicate {
                return Err(self.missing("the envelope repeats a field"));
            }
            if key == Key::Schema {
                let raw: &'de RawValue = map.next_value()?;
                let resolved = self
                    .converter
                    .resolve_schema(raw.get())
                    .map_err(|e| ctx.fail::<A::Error>(Failure::Error(e)))?;
                schema = Some(resolved);
            } else if let Some(s) = &schema {
                let seed = MaybeTyped {
                    schema: s.as_ref(),
                    ctx,
                };
                payload = Some(map.next_value_seed(seed)?);
            } else {
                deferred = Some(map.next_value()?);
            }
        }
        let Some(schema) = schema else {
            return Err(self.missing("the JSON object has no \"schema\" field"));
        };
        let value = match (payload, deferred) {
            (Some(value), _) => value,
            (None, Some(raw)) => {
                let seed = MaybeTyped {
                    schema: schema.as_ref(),
                    ctx,
                };
                // The failure, if any, is recorded in ctx; only the marker travels.
                decode::decode_str(raw.get(), seed).map_err(de::Error::custom)?
            }
            (None, None) => return Err(self.missing("the JSON object has no \"payload\" field")),
        };
        Ok(Data { schema, value })
    }

    fn visit_unit<E: de::Error>(self) -> Result<Data, E> {
        Ok(Data::NULL)
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Data, E> {
        Err(self.missing("the JSON is a boolean, not an object"))
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Data, E> {
        Err(self.missing("the JSON is a number, not an object"))
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Data, E> {
        Err(self.missing("the JSON is a number, not an object"))
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Data, E> {
        Err(self.missing("the JSON is a number, not an object"))
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Data, E> {
        Err(self.missing("the JSON is a string, not an object"))
    }
    fn visit_bytes<E: de::Error>(self, _: &[u8]) -> Result<Data, E> {
        Err(self.missing("the JSON is not an object"))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, _: A) -> Result<Data, A::Error> {
        Err(self.missing("the JSON is an array, not an object"))
    }
}
