//! The `converter` world's adapter: bytes ⇄ schema + value for the keys or the values
//! of a topic, a batch at a time. Schemas cross once per batch, not once per record
//! (`data-batch`, `decoded` in wit/plugin.wit; the measurement is in wit/README.md).

use std::sync::Arc;

use sluice_record::{Data, SchemaRef};

use crate::bindings::ConverterWorld;
use crate::bindings::types::{DataBatch, IndexedData, Part, Schema as WitSchema};
use crate::error::PluginError;
use crate::instance::{Instance, Plugin};
use crate::wit_convert::{schema_from_wit, schema_to_wit, value_from_wit, value_to_wit};

/// A converter component with its configuration, ready to instantiate.
pub type ConverterPlugin = Plugin<ConverterWorld>;

/// A running converter instance.
pub type ConverterInstance = Instance<ConverterWorld>;

/// What [`ConverterInstance::from_data`] returns per input: its bytes (`None`: a Kafka
/// null) or why it could not be encoded.
pub type Encoded = Vec<Result<Option<Vec<u8>>, String>>;

/// Distinct schemas compared by value, beyond which a batch just lists every new
/// schema: a topic's records share one schema or a few, and comparing a schema with a
/// long list per record would cost more than sending it.
const MAX_COMPARED_SCHEMAS: usize = 8;

impl ConverterInstance {
    /// Decodes the keys or values (`part`) of a batch of `topic` (`None` is a Kafka
    /// null). One result per input, in order; an `Err` rejects that record only (so
    /// does a value that does not match the schema the converter gave it).
    pub fn to_data(
        &mut self,
        topic: &str,
        part: Part,
        inputs: &[Option<&[u8]>],
    ) -> Result<Vec<Result<Data, String>>, PluginError> {
        // The generated binding lowers owned buffers; the copy is a memcpy per input,
        // which the converter benchmark counts.
        let owned: Vec<Option<Vec<u8>>> = inputs.iter().map(|i| i.map(<[u8]>::to_vec)).collect();
        let (decoded, _) = self.call(None, |exports, store| {
            exports
                .sluice_plugin_convert_records()
                .call_to_data(store, topic, part, &owned)
        })?;
        if decoded.items.len() != inputs.len() {
            return Err(self.contract_error(format!(
                "`to-data` returned {} results for {} inputs",
                decoded.items.len(),
                inputs.len()
            )));
        }
        let schemas = decoded
            .schemas
            .into_iter()
            .map(schema_from_wit)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| self.contract_error(format!("`to-data` returned a bad schema: {e}")))?;
        decoded
            .items
            .into_iter()
            .map(|item| match item {
                Err(message) => Ok(Err(message)),
                Ok(IndexedData { schema, value }) => {
                    let schema = match schema {
                        None => None,
                        Some(i) => Some(schemas.get(i as usize).cloned().ok_or_else(|| {
                            self.contract_error(format!(
                                "`to-data` named schema {i} of {}",
                                schemas.len()
                            ))
                        })?),
                    };
                    Ok(value_from_wit(value, schema.as_ref())
                        .map(|value| Data { schema, value })
                        .map_err(|e| format!("the converter produced an invalid value: {e}")))
                }
            })
            .collect()
    }

    /// Encodes the keys or values (`part`) of a batch of `topic`. One result per input,
    /// in order; `Ok(None)` is a Kafka null.
    pub fn from_data(
        &mut self,
        topic: &str,
        part: Part,
        inputs: &[Data],
    ) -> Result<Encoded, PluginError> {
        let batch = data_batch(inputs);
        let (encoded, _) = self.call(None, |exports, store| {
            exports
                .sluice_plugin_convert_records()
                .call_from_data(store, topic, part, &batch)
        })?;
        if encoded.len() != inputs.len() {
            return Err(self.contract_error(format!(
                "`from-data` returned {} results for {} inputs",
                encoded.len(),
                inputs.len()
            )));
        }
        Ok(encoded)
    }
}

/// The inputs of `from-data`, each distinct schema listed once.
fn data_batch(inputs: &[Data]) -> DataBatch {
    let mut seen: Vec<SchemaRef> = Vec::new();
    let mut schemas: Vec<WitSchema> = Vec::new();
    let items = inputs
        .iter()
        .map(|data| {
            let schema = data.schema.as_ref().map(|s| {
                // Records of a batch usually share one `Arc`; a converter that builds a
                // schema per record still gets it listed once, by value.
                let found = seen.iter().position(|k| Arc::ptr_eq(k, s)).or_else(|| {
                    seen.iter()
                        .take(MAX_COMPARED_SCHEMAS)
                        .position(|k| **k == **s)
                });
                match found {
                    Some(i) => i as u32,
                    None => {
                        seen.push(s.clone());
                        schemas.push(schema_to_wit(s));
                        (schemas.len() - 1) as u32
                    }
                }
            });
            IndexedData {
                schema,
                value: value_to_wit(&data.value, schema.is_some()),
            }
        })
        .collect();
    DataBatch { schemas, items }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sluice_record::{SchemaBuilder, Value};

    #[test]
    fn a_shared_schema_is_listed_once_whether_or_not_it_is_the_same_arc() {
        let schema = || SchemaBuilder::int64().build_ref();
        let one = schema();
        let inputs = vec![
            Data::with_schema(one.clone(), Value::Int64(1)),
            Data::with_schema(one, Value::Int64(2)),
            Data::with_schema(schema(), Value::Int64(3)),
            Data::with_schema(SchemaBuilder::string().build_ref(), "x".into()),
            Data::schemaless(Value::Null),
        ];
        let batch = data_batch(&inputs);
        assert_eq!(batch.schemas.len(), 2);
        let indices: Vec<Option<u32>> = batch.items.iter().map(|i| i.schema).collect();
        assert_eq!(indices, [Some(0), Some(0), Some(0), Some(1), None]);
        assert!(
            batch.items[4].value.is_empty(),
            "a schemaless null is no nodes"
        );
    }
}
