//! The Avro converter against a real Schema Registry (Apicurio Registry's
//! Confluent-compatible API): writing registers or looks up schemas under the right
//! subjects, reading gets the writer schema and its subject version, and an
//! unreachable registry is an outage, not a bad record. Fails (never skips) when Java
//! or Maven is missing.

use std::collections::BTreeMap;

use sluice_avro::AvroConverter;
use sluice_convert::{ConvertError, Converter};
use sluice_record::{Data, SchemaBuilder, SchemaRef, Struct, Value};
use sluice_schema_registry::testing::{registering, shared_registry, unique_subject};
use sluice_schema_registry::{RegistryConfig, SchemaRegistryClient, SchemaType};

fn converter(extra: &[(&str, &str)]) -> AvroConverter {
    let mut props: BTreeMap<String, String> =
        BTreeMap::from([("schema.registry.url".to_owned(), shared_registry().url())]);
    props.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    AvroConverter::from_props(&props).unwrap()
}

fn client() -> SchemaRegistryClient {
    let props = BTreeMap::from([("schema.registry.url".to_owned(), shared_registry().url())]);
    SchemaRegistryClient::new(&RegistryConfig::from_props(&props, "value.converter.").unwrap())
        .unwrap()
}

fn block_on<F: Future>(f: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
        .block_on(f)
}

fn order_schema(name: &str) -> SchemaRef {
    SchemaBuilder::structure()
        .name(name)
        .field("id", SchemaBuilder::int64().build_ref())
        .field("note", SchemaBuilder::string().optional().build_ref())
        .build_ref()
}

fn order(schema: &SchemaRef, id: i64) -> Data {
    let value = Struct::from_values(
        schema.clone(),
        vec![Value::Int64(id), Value::String(format!("n{id}").into())],
    )
    .unwrap();
    Data::with_schema(schema.clone(), Value::Struct(value))
}

#[test]
fn writing_registers_under_the_topic_subject_and_reading_gets_the_schema_and_its_version() {
    let _one_at_a_time = registering();
    let topic = unique_subject("avro-write");
    let avro = converter(&[]);
    let schema = order_schema("com.acme.Order");
    let records = [order(&schema, 1), order(&schema, 2)];
    avro.prepare_encode(&topic, &records.iter().collect::<Vec<_>>())
        .unwrap();
    let bytes: Vec<Vec<u8>> = records
        .iter()
        .map(|r| avro.from_data(&topic, r).unwrap().unwrap())
        .collect();
    assert_eq!(bytes[0][0], 0, "magic byte");
    let id = u32::from_be_bytes(bytes[0][1..5].try_into().unwrap());

    let subject = format!("{topic}-value");
    let registered = block_on(client().latest(&subject)).unwrap();
    assert_eq!(registered.id as u32, id, "registered under <topic>-value");
    assert!(
        registered
            .schema
            .contains("\"connect.name\":\"com.acme.Order\"")
    );

    // A converter of its own reads them back, with the subject version.
    let reader = converter(&[]);
    let inputs: Vec<Option<&[u8]>> = bytes.iter().map(|b| Some(b.as_slice())).collect();
    reader.prepare_decode(&topic, &inputs).unwrap();
    let back = reader.to_data(&topic, Some(&bytes[1])).unwrap();
    let back_schema = back.schema.clone().unwrap();
    assert_eq!(back_schema.name.as_deref(), Some("com.acme.Order"));
    assert_eq!(back_schema.version, Some(registered.version));
    assert_eq!(back.value.get("id"), Some(&Value::Int64(2)));
    assert_eq!(back.value.get("note"), Some(&Value::String("n2".into())));
}

#[test]
fn record_name_strategies_name_the_subject_after_the_record() {
    let _one_at_a_time = registering();
    let topic = unique_subject("avro-strategy");
    let name = format!("com.acme.{}", topic.replace('-', "_"));
    let avro = converter(&[("value.subject.name.strategy", "TopicRecordNameStrategy")]);
    let schema = order_schema(&name);
    let record = order(&schema, 1);
    avro.prepare_encode(&topic, &[&record]).unwrap();
    avro.from_data(&topic, &record).unwrap().unwrap();
    let versions = block_on(client().versions(&format!("{topic}-{name}"))).unwrap();
    assert_eq!(versions, [1]);
}

#[test]
fn use_latest_version_writes_with_the_registrys_schema_and_fills_defaults() {
    let _one_at_a_time = registering();
    let topic = unique_subject("avro-latest");
    let subject = format!("{topic}-value");
    // The registry's schema has a field the records lack, with a default.
    let latest = r#"{"type":"record","name":"Order","namespace":"com.acme","fields":[
        {"name":"id","type":"long"},
        {"name":"note","type":["null","string"],"default":null},
        {"name":"qty","type":"int","default":5}]}"#;
    let id = block_on(client().register(&subject, latest, SchemaType::Avro)).unwrap();
    let avro = converter(&[
        ("use.latest.version", "true"),
        ("auto.register.schemas", "false"),
    ]);
    let schema = order_schema("com.acme.Order");
    let record = order(&schema, 9);
    avro.prepare_encode(&topic, &[&record]).unwrap();
    let bytes = avro.from_data(&topic, &record).unwrap().unwrap();
    assert_eq!(
        u32::from_be_bytes(bytes[1..5].try_into().unwrap()),
        id as u32
    );
    let back = converter(&[]).to_data(&topic, Some(&bytes)).unwrap();
    assert_eq!(back.value.get("qty"), Some(&Value::Int32(5)), "the default");
    assert_eq!(back.value.get("id"), Some(&Value::Int64(9)));
}

#[test]
fn without_auto_register_an_unregistered_schema_fails_its_records_saying_what_to_do() {
    let _one_at_a_time = registering();
    let topic = unique_subject("avro-noreg");
    let avro = converter(&[("auto.register.schemas", "false")]);
    let schema = order_schema("com.acme.Order");
    let record = order(&schema, 1);
    avro.prepare_encode(&topic, &[&record]).unwrap();
    let e = avro.from_data(&topic, &record).unwrap_err().to_string();
    assert!(e.contains(&format!("{topic}-value")), "{e}");
    assert!(e.contains("auto.register.schemas=false"), "{e}");
}

#[test]
fn an_unreachable_registry_is_an_outage_for_the_batch_not_a_bad_record() {
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let props = BTreeMap::from([
        (
            "schema.registry.url".to_owned(),
            format!("http://127.0.0.1:{closed}"),
        ),
        ("http.connect.timeout.ms".to_owned(), "500".to_owned()),
    ]);
    let avro = AvroConverter::from_props(&props).unwrap();
    let framed = [0u8, 0, 0, 0, 1, 2];
    let e = avro.prepare_decode("t", &[Some(&framed)]).unwrap_err();
    assert!(matches!(e, ConvertError::Unavailable(_)), "{e:?}");
}
