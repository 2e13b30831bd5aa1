//! Exact bytes as Kafka Connect's JsonConverter writes them (Jackson, key order of
//! `JsonConverter.asJsonSchema`, no whitespace), and reading Connect's own test inputs.

use std::collections::BTreeMap;

use sluice_convert::{Converter, JsonConverter};
use sluice_record::{Data, SchemaBuilder, Struct, Value, logical};

fn write(c: &JsonConverter, data: Data) -> String {
    String::from_utf8(c.from_data("t", &data).unwrap().unwrap()).unwrap()
}

fn numeric() -> JsonConverter {
    let props = BTreeMap::from([("decimal.format".to_owned(), "NUMERIC".to_owned())]);
    JsonConverter::from_props(&props).unwrap()
}

#[test]
fn int32() {
    let c = JsonConverter::default();
    let data = Data::with_schema(SchemaBuilder::int32().build_ref(), Value::Int32(42));
    assert_eq!(
        write(&c, data),
        r#"{"schema":{"type":"int32","optional":false},"payload":42}"#
    );
}

#[test]
fn debezium_style_key_struct() {
    // The key of Debezium's tutorial, byte for byte.
    let schema = SchemaBuilder::structure()
        .field("id", SchemaBuilder::int32().build_ref())
        .name("dbserver1.inventory.customers.Key")
        .build_ref();
    let value = Struct::new(schema.clone()).with("id", 1001);
    assert_eq!(
        write(
            &JsonConverter::default(),
            Data::with_schema(schema, Value::Struct(value))
        ),
        r#"{"schema":{"type":"struct","fields":[{"type":"int32","optional":false,"field":"id"}],"optional":false,"name":"dbserver1.inventory.customers.Key"},"payload":{"id":1001}}"#
    );
}

#[test]
fn decimal_base64_and_numeric() {
    // JsonConverterTest.decimalToJson: 1.56 at scale 2 is [0, -100].
    let schema = logical::decimal_schema(2).build_ref();
    let data = Data::with_schema(schema, Value::Bytes(logical::decimal_to_bytes(156)));
    let schema_json = r#"{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}"#;
    assert_eq!(
        write(&JsonConverter::default(), data.clone()),
        format!(r#"{{"schema":{schema_json},"payload":"AJw="}}"#)
    );
    assert_eq!(
        write(&numeric(), data),
        format!(r#"{{"schema":{schema_json},"payload":1.56}}"#)
    );
    let zero = Data::with_schema(
        logical::decimal_schema(2).build_ref(),
        Value::Bytes(vec![0]),
    );
    assert!(write(&numeric(), zero).ends_with(r#""payload":0.00}"#));
}

#[test]
fn date_time_timestamp() {
    let c = JsonConverter::default();
    let date = Data::with_schema(logical::date_schema().build_ref(), Value::Int32(10000));
    assert_eq!(
        write(&c, date),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Date","version":1},"payload":10000}"#
    );
    let time = Data::with_schema(logical::time_schema().build_ref(), Value::Int32(14400000));
    assert_eq!(
        write(&c, time),
        r#"{"schema":{"type":"int32","optional":false,"name":"org.apache.kafka.connect.data.Time","version":1},"payload":14400000}"#
    );
    let ts = Data::with_schema(
        logical::timestamp_schema().build_ref(),
        Value::Int64(4000000000),
    );
    assert_eq!(
        write(&c, ts),
        r#"{"schema":{"type":"int64","optional":false,"name":"org.apache.kafka.connect.data.Timestamp","version":1},"payload":4000000000}"#
    );
}

#[test]
fn maps_with_and_without_string_keys() {
    let c = JsonConverter::default();
    let int_map = SchemaBuilder::map(
        SchemaBuilder::int32().build_ref(),
        SchemaBuilder::int32().build_ref(),
    )
    .build_ref();
    let value = Value::Map(vec![
        (Value::Int32(1), Value::Int32(12)),
        (Value::Int32(2), Value::Int32(15)),
    ]);
    assert_eq!(
        write(&c, Data::with_schema(int_map, value)),
        r#"{"schema":{"type":"map","keys":{"type":"int32","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":[[1,12],[2,15]]}"#
    );
    let str_map = SchemaBuilder::map(
        SchemaBuilder::string().build_ref(),
        SchemaBuilder::int32().build_ref(),
    )
    .build_ref();
    let value = Value::Map(vec![("key1".into(), Value::Int32(12))]);
    assert_eq!(
        write(&c, Data::with_schema(str_map, value)),
        r#"{"schema":{"type":"map","keys":{"type":"string","optional":false},"values":{"type":"int32","optional":false},"optional":false},"payload":{"key1":12}}"#
    );
}

#[test]
fn arrays_bytes_floats_and_docs() {
    let c = JsonConverter::default();
    let schema = SchemaBuilder::array(SchemaBuilder::float32().build_ref())
        .optional()
        .doc("some floats")
        .build_ref();
    let value = Value::Array(vec![Value::Float32(1.1), Value::Float32(f32::NAN)]);
    assert_eq!(
        write(&c, Data::with_schema(schema, value)),
        r#"{"schema":{"type":"array","items":{"type":"float","optional":false},"optional":true,"doc":"some floats"},"payload":[1.1,"NaN"]}"#
    );
    let bytes = Data::with_schema(
        SchemaBuilder::bytes().build_ref(),
        Value::Bytes(b"test-string".to_vec()),
    );
    assert_eq!(
        write(&c, bytes),
        r#"{"schema":{"type":"bytes","optional":false},"payload":"dGVzdC1zdHJpbmc="}"#
    );
    let d = Data::with_schema(SchemaBuilder::float64().build_ref(), Value::Float64(1.0));
    assert_eq!(
        write(&c, d),
        r#"{"schema":{"type":"double","optional":false},"payload":1.0}"#
    );
}

#[test]
fn nulls_defaults_and_schemaless_envelopes() {
    let c = JsonConverter::default();
    // nullSchemaAndPrimitiveToJson
    assert_eq!(
        write(&c, Data::schemaless(Value::Boolean(true))),
        r#"{"schema":null,"payload":true}"#
    );
    assert_eq!(c.from_data("t", &Data::NULL).unwrap(), None);
    let opt = SchemaBuilder::int32().optional().build_ref();
    assert_eq!(
        write(&c, Data::with_schema(opt, Value::Null)),
        r#"{"schema":{"type":"int32","optional":true},"payload":null}"#
    );
    let def = SchemaBuilder::int32()
        .default_value(Value::Int32(42))
        .build_ref();
    assert_eq!(
        write(&c, Data::with_schema(def, Value::Null)),
        r#"{"schema":{"type":"int32","optional":false,"default":42},"payload":42}"#
    );
}

#[test]
fn schemas_disabled_writes_plain_json() {
    let props = BTreeMap::from([("schemas.enable".to_owned(), "false".to_owned())]);
    let c = JsonConverter::from_props(&props).unwrap();
    let schema = SchemaBuilder::structure()
        .field("a", SchemaBuilder::int8().build_ref())
        .field("b", SchemaBuilder::string().optional().build_ref())
        .build_ref();
    let value = Struct::new(schema.clone()).with("a", Value::Int8(1));
    assert_eq!(
        write(&c, Data::with_schema(schema, Value::Struct(value))),
        r#"{"a":1,"b":null}"#
    );
    // Connect writes the JSON text `null` (not a Kafka null) for a schema'd null.
    let opt = SchemaBuilder::string().optional().build_ref();
    assert_eq!(write(&c, Data::with_schema(opt, Value::Null)), "null");
    assert_eq!(c.from_data("t", &Data::NULL).unwrap(), None);
}

#[test]
fn reads_connect_test_inputs() {
    let c = JsonConverter::default();
    let read = |json: &str| c.to_data("t", Some(json.as_bytes())).unwrap();
    // From Kafka's JsonConverterTest (whitespace and missing "optional" as there).
    let d = read(r#"{ "schema": { "type": "boolean" }, "payload": true }"#);
    assert_eq!(d.value, Value::Boolean(true));
    assert!(!d.schema.unwrap().optional);
    let d = read(
        r#"{ "schema": { "type": "array", "items": { "type" : "int32" } }, "payload": [1, 2, 3] }"#,
    );
    assert_eq!(
        d.value,
        Value::Array(vec![Value::Int32(1), Value::Int32(2), Value::Int32(3)])
    );
    let d = read(
        r#"{ "schema": { "type": "map", "keys": { "type" : "int32" }, "values": { "type" : "int32" } }, "payload": [ [1, 12], [2, 15] ] }"#,
    );
    assert_eq!(
        d.value,
        Value::Map(vec![
            (Value::Int32(1), Value::Int32(12)),
            (Value::Int32(2), Value::Int32(15))
        ])
    );
    let d = read(
        r#"{ "schema": { "type": "struct", "fields": [{ "field": "field1", "type": "boolean" }, { "field": "field2", "type": "string" }] }, "payload": { "field1": true, "field2": "string" } }"#,
    );
    let Value::Struct(s) = d.value else { panic!() };
    assert_eq!(
        s.values(),
        &[Value::Boolean(true), Value::String("string".into())]
    );
    // And what Connect writes reads back to the same data.
    let schema = logical::decimal_schema(2).build_ref();
    let d = read(
        r#"{"schema":{"type":"bytes","optional":false,"name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}},"payload":"AJw="}"#,
    );
    assert_eq!(d.schema.unwrap(), schema);
    assert_eq!(d.value, Value::Bytes(vec![0, 0x9c]));
}
