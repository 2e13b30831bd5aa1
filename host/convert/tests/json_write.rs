//! Writing JSON: errors name the field, never the value; the JSON schema format API.

use std::collections::BTreeMap;

use serde_json::json;
use sluice_convert::{
    ConvertError, Converter, DecimalFormat, JsonConverter, schema_from_json, schema_to_json,
    try_value_to_json, value_to_json,
};
use sluice_record::{Data, SchemaBuilder, Struct, Value, logical};

const SECRET: &str = "s3cr3t-4111111111111111";

fn write_err(data: Data) -> ConvertError {
    JsonConverter::default().from_data("t", &data).unwrap_err()
}

fn order_schema() -> sluice_record::SchemaRef {
    let line = SchemaBuilder::structure()
        .field("sku", SchemaBuilder::string().build_ref())
        .field("price", SchemaBuilder::float64().build_ref())
        .build_ref();
    SchemaBuilder::structure()
        .field("id", SchemaBuilder::int64().build_ref())
        .field("lines", SchemaBuilder::array(line).build_ref())
        .build_ref()
}

#[test]
fn wrong_type_names_the_path() {
    let schema = order_schema();
    let line_schema = match &schema.fields()[1].schema.kind {
        sluice_record::SchemaKind::Array(items) => items.clone(),
        _ => unreachable!(),
    };
    let good = Struct::new(line_schema.clone())
        .with("sku", "a")
        .with("price", 1.0);
    let bad = Struct::new(line_schema)
        .with("sku", SECRET)
        .with("price", SECRET);
    let value = Struct::new(schema.clone()).with("id", 1i64).with(
        "lines",
        Value::Array(vec![Value::Struct(good), Value::Struct(bad)]),
    );
    let err = write_err(Data::with_schema(schema, Value::Struct(value)));
    assert_eq!(
        err.to_string(),
        "field lines[1].price: expected double but found string"
    );
}

#[test]
fn required_null_is_refused() {
    let schema = order_schema();
    let value = Struct::new(schema.clone()).with("lines", Value::Array(vec![]));
    let err = write_err(Data::with_schema(schema, Value::Struct(value)));
    assert_eq!(err.to_string(), "field id: null for a required int64 field");
    let err = write_err(Data::with_schema(
        SchemaBuilder::string().build_ref(),
        Value::Null,
    ));
    assert_eq!(err.to_string(), "null for a required string field");
}

#[test]
fn string_keyed_maps_need_string_keys() {
    let schema = SchemaBuilder::map(
        SchemaBuilder::string().build_ref(),
        SchemaBuilder::int32().build_ref(),
    )
    .build_ref();
    let value = Value::Map(vec![
        ("a".into(), Value::Int32(1)),
        (Value::Int32(2), Value::Int32(2)),
    ]);
    let err = write_err(Data::with_schema(schema, value));
    assert_eq!(
        err.to_string(),
        "field {key 1}: expected a string map key but found int32"
    );
}

#[test]
fn a_struct_with_other_fields_is_refused() {
    let schema = order_schema();
    let other = SchemaBuilder::structure()
        .field("x", SchemaBuilder::int32().build_ref())
        .field("y", SchemaBuilder::int32().build_ref())
        .build_ref();
    let value = Value::Struct(Struct::new(other));
    let err = write_err(Data::with_schema(schema, value));
    assert!(err.to_string().contains("other fields"), "{err}");
}

#[test]
fn numeric_decimals_beyond_128_bits_are_refused() {
    let props = BTreeMap::from([("decimal.format".to_owned(), "numeric".to_owned())]);
    let c = JsonConverter::from_props(&props).unwrap();
    let data = Data::with_schema(
        logical::decimal_schema(0).build_ref(),
        Value::Bytes(vec![1; 17]),
    );
    let err = c.from_data("t", &data).unwrap_err();
    assert!(err.to_string().contains("decimal.format=BASE64"), "{err}");
    // BASE64 carries any size.
    assert!(JsonConverter::default().from_data("t", &data).is_ok());
}

#[test]
fn schemaless_values_are_written_from_what_they_are() {
    let props = BTreeMap::from([("schemas.enable".to_owned(), "false".to_owned())]);
    let c = JsonConverter::from_props(&props).unwrap();
    let inner = SchemaBuilder::structure()
        .field("f", SchemaBuilder::int16().build_ref())
        .build_ref();
    let value = Value::Map(vec![
        ("i8".into(), Value::Int8(-1)),
        ("f32".into(), Value::Float32(0.1)),
        ("b".into(), Value::Bytes(vec![1, 2, 3])),
        ("inf".into(), Value::Float64(f64::INFINITY)),
        (
            "pairs".into(),
            Value::Map(vec![(Value::Int32(1), "one".into())]),
        ),
        (
            "s".into(),
            Value::Struct(Struct::new(inner).with("f", Value::Int16(7))),
        ),
    ]);
    let out = c.from_data("t", &Data::schemaless(value)).unwrap().unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"i8":-1,"f32":0.1,"b":"AQID","inf":"Infinity","pairs":[[1,"one"]],"s":{"f":7}}"#
    );
}

#[test]
fn value_to_json_is_lenient_try_value_to_json_is_not() {
    let schema = SchemaBuilder::structure()
        .field("a", SchemaBuilder::int32().build_ref())
        .field("d", logical::decimal_schema(2).build_ref())
        .build();
    let s = Struct::from_values(
        schema.clone().into_ref(),
        vec![
            Value::String("oops".into()),
            Value::Bytes(logical::decimal_to_bytes(-1050)),
        ],
    )
    .unwrap();
    let value = Value::Struct(s);
    assert_eq!(
        value_to_json(&value, Some(&schema)),
        json!({"a": "oops", "d": "++Y="})
    );
    let err = try_value_to_json(&value, Some(&schema), DecimalFormat::Numeric).unwrap_err();
    assert_eq!(err.to_string(), "field a: expected int32 but found string");
    let ok = Struct::from_values(
        schema.clone().into_ref(),
        vec![
            Value::Int32(1),
            Value::Bytes(logical::decimal_to_bytes(-1050)),
        ],
    )
    .unwrap();
    assert_eq!(
        try_value_to_json(&Value::Struct(ok), Some(&schema), DecimalFormat::Numeric).unwrap(),
        json!({"a": 1, "d": -10.5})
    );
}

#[test]
fn schema_json_round_trip_with_every_attribute() {
    let point = SchemaBuilder::structure()
        .field("x", SchemaBuilder::float64().build_ref())
        .field("y", SchemaBuilder::float64().optional().build_ref())
        .name("Point")
        .build_ref();
    let schema = SchemaBuilder::structure()
        .field(
            "amount",
            logical::decimal_schema(3)
                .parameter("connect.decimal.precision", "10")
                .default_value(Value::Bytes(logical::decimal_to_bytes(1500)))
                .build_ref(),
        )
        .field(
            "tags",
            SchemaBuilder::map(
                SchemaBuilder::string().build_ref(),
                SchemaBuilder::array(SchemaBuilder::int8().build_ref()).build_ref(),
            )
            .optional()
            .build_ref(),
        )
        .field(
            "origin",
            SchemaBuilder::structure()
                .field("x", SchemaBuilder::float64().build_ref())
                .field("y", SchemaBuilder::float64().optional().build_ref())
                .name("Point")
                .default_value(Value::Struct(Struct::new(point.clone()).with("x", 0.5)))
                .build_ref(),
        )
        .name("com.example.Order")
        .version(2)
        .doc("an \"order\"")
        .parameter("k", "v")
        .build();
    let json = schema_to_json(&schema);
    assert_eq!(json["fields"][0]["default"], json!("Bdw="));
    assert_eq!(json["fields"][2]["default"], json!({"x": 0.5, "y": null}));
    assert_eq!(
        json.as_object().unwrap().keys().collect::<Vec<_>>(),
        [
            "type",
            "fields",
            "optional",
            "name",
            "version",
            "doc",
            "parameters"
        ]
    );
    let back = schema_from_json(&json).unwrap();
    assert_eq!(*back, schema);
}
