//! Sluice's Avro codec held to apache-avro's: what apache-avro encodes, Sluice decodes
//! to the Kafka Connect values Confluent's converter gives; what Sluice encodes,
//! apache-avro decodes to the same Avro values.

// The datum functions are the simplest way to drive apache-avro from a test; they are
// deprecated in favour of builders that say the same.
#![allow(deprecated)]

use std::collections::HashMap;

use apache_avro::types::Value as Avro;
use apache_avro::{Decimal, Schema as AvroSchema, from_avro_datum, to_avro_datum};
use serde_json::json;
use sluice_avro::codec::{decode, encode};
use sluice_avro::schema::to_connect;
use sluice_avro::types::AvroType;
use sluice_record::Value;

fn schema_json() -> serde_json::Value {
    json!({
        "type": "record", "name": "Order", "namespace": "com.acme",
        "fields": [
            {"name": "id", "type": "long"},
            {"name": "qty", "type": "int"},
            {"name": "tiny", "type": {"type": "int", "connect.type": "int8"}},
            {"name": "price", "type": "double"},
            {"name": "ratio", "type": "float"},
            {"name": "ok", "type": "boolean"},
            {"name": "name", "type": "string"},
            {"name": "blob", "type": "bytes"},
            {"name": "note", "type": ["null", "string"], "default": null},
            {"name": "also", "type": ["string", "null"]},
            {"name": "either", "type": ["null", "int", "string"]},
            {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "DONE"]}},
            {"name": "hash", "type": {"type": "fixed", "name": "Hash", "size": 3}},
            {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
            {"name": "day", "type": {"type": "int", "logicalType": "date"}},
            {"name": "at", "type": {"type": "long", "logicalType": "timestamp-millis"}},
            {"name": "at_us", "type": {"type": "long", "logicalType": "timestamp-micros"}},
            {"name": "tags", "type": {"type": "array", "items": "string"}},
            {"name": "attrs", "type": {"type": "map", "values": "long"}},
            {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                {"name": "zip", "type": "string"},
                {"name": "geo", "type": ["null", {"type": "record", "name": "Geo", "fields": [
                    {"name": "lat", "type": "double"}
                ]}]}
            ]}}
        ]
    })
}

fn avro_value() -> Avro {
    Avro::Record(vec![
        ("id".into(), Avro::Long(-7_000_000_000)),
        ("qty".into(), Avro::Int(42)),
        ("tiny".into(), Avro::Int(-5)),
        ("price".into(), Avro::Double(12.5)),
        ("ratio".into(), Avro::Float(0.25)),
        ("ok".into(), Avro::Boolean(true)),
        ("name".into(), Avro::String("Zoë ☃".into())),
        ("blob".into(), Avro::Bytes(vec![0, 255, 7])),
        ("note".into(), Avro::Union(0, Box::new(Avro::Null))),
        (
            "also".into(),
            Avro::Union(0, Box::new(Avro::String("x".into()))),
        ),
        (
            "either".into(),
            Avro::Union(2, Box::new(Avro::String("s".into()))),
        ),
        ("status".into(), Avro::Enum(1, "DONE".into())),
        ("hash".into(), Avro::Fixed(3, vec![1, 2, 3])),
        (
            "amount".into(),
            Avro::Decimal(Decimal::from(vec![0xff, 0x85])),
        ),
        ("day".into(), Avro::Date(19_000)),
        ("at".into(), Avro::TimestampMillis(1_700_000_000_123)),
        ("at_us".into(), Avro::TimestampMicros(-1_500)),
        (
            "tags".into(),
            Avro::Array(vec![Avro::String("a".into()), Avro::String("b".into())]),
        ),
        (
            "attrs".into(),
            Avro::Map(HashMap::from([("k".to_owned(), Avro::Long(9))])),
        ),
        (
            "address".into(),
            Avro::Record(vec![
                ("zip".into(), Avro::String("02139".into())),
                (
                    "geo".into(),
                    Avro::Union(
                        1,
                        Box::new(Avro::Record(vec![("lat".into(), Avro::Double(42.3))])),
                    ),
                ),
            ]),
        ),
    ])
}

#[test]
fn what_apache_avro_writes_decodes_to_confluents_connect_values_and_encodes_back_byte_for_byte() {
    let json = schema_json();
    let avro_schema = AvroSchema::parse(&json).unwrap();
    let bytes = to_avro_datum(&avro_schema, avro_value()).unwrap();

    let ty = AvroType::from_json(&json).unwrap();
    let (schema, plan) = to_connect(&ty).unwrap();
    let value = decode(&plan, &bytes).unwrap();

    let get = |name: &str| value.get(name).unwrap().clone();
    assert_eq!(get("id"), Value::Int64(-7_000_000_000));
    assert_eq!(get("tiny"), Value::Int8(-5));
    assert_eq!(get("ratio"), Value::Float32(0.25));
    assert_eq!(get("name"), Value::String("Zoë ☃".into()));
    assert_eq!(get("note"), Value::Null);
    assert_eq!(get("also"), Value::String("x".into()));
    let Value::Struct(either) = get("either") else {
        panic!("a general union reads as Confluent's union struct")
    };
    assert_eq!(either.get("string"), Some(&Value::String("s".into())));
    assert_eq!(either.get("int"), Some(&Value::Null));
    assert_eq!(get("status"), Value::String("DONE".into()));
    assert_eq!(get("hash"), Value::Bytes(vec![1, 2, 3]));
    assert_eq!(
        get("amount"),
        Value::Bytes(vec![0xff, 0x85]),
        "-1.23 unscaled"
    );
    assert_eq!(get("day"), Value::Int32(19_000));
    assert_eq!(get("at"), Value::Int64(1_700_000_000_123));
    assert_eq!(get("at_us"), Value::Int64(-2), "micros floor to millis");
    assert_eq!(
        get("attrs"),
        Value::Map(vec![(Value::String("k".into()), Value::Int64(9))])
    );
    assert_eq!(
        value.get("address").unwrap().get("geo").unwrap().get("lat"),
        Some(&Value::Float64(42.3))
    );
    assert!(schema.field("note").unwrap().1.schema.optional);

    // Back: Sluice's encoding of the decoded values is what apache-avro decodes to
    // the original (but for the truncated microseconds).
    let mut out = Vec::new();
    encode(&ty, &value, &mut out).unwrap();
    let back = from_avro_datum(&avro_schema, &mut out.as_slice(), None).unwrap();
    let Avro::Record(fields) = back else { panic!() };
    let Avro::Record(original) = avro_value() else {
        panic!()
    };
    for ((name, got), (_, want)) in fields.iter().zip(&original) {
        match name.as_str() {
            "at_us" => assert_eq!(got, &Avro::TimestampMicros(-2000)),
            _ => assert_eq!(got, want, "field {name}"),
        }
    }
}

#[test]
fn corrupt_and_truncated_data_fail_with_the_field_named_and_no_panic() {
    let json = schema_json();
    let avro_schema = AvroSchema::parse(&json).unwrap();
    let bytes = to_avro_datum(&avro_schema, avro_value()).unwrap();
    let (_, plan) = to_connect(&AvroType::from_json(&json).unwrap()).unwrap();
    for cut in 0..bytes.len() {
        assert!(decode(&plan, &bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut extra = bytes.clone();
    extra.push(0);
    assert!(
        decode(&plan, &extra)
            .unwrap_err()
            .problem
            .contains("left over")
    );
    // The enum index of `status` set out of range.
    let status_at = {
        let mut probe = Vec::new();
        let Avro::Record(fields) = avro_value() else {
            panic!()
        };
        let upto = AvroSchema::parse(&json!({"type": "record", "name": "P", "fields":
            json["fields"].as_array().unwrap()[..11].to_vec()}))
        .unwrap();
        probe.extend(to_avro_datum(&upto, Avro::Record(fields[..11].to_vec())).unwrap());
        probe.len()
    };
    let mut bad = bytes;
    bad[status_at] = 0x7e;
    let e = decode(&plan, &bad).unwrap_err();
    assert_eq!(e.path, "status", "{e}");
}

#[test]
fn hostile_counts_are_refused_before_anything_is_allocated() {
    let plan = |items: serde_json::Value| {
        to_connect(&AvroType::from_json(&json!({"type": "array", "items": items})).unwrap())
            .unwrap()
            .1
    };
    // A block of 2^40 strings in a 7-byte message.
    let huge = [0x80, 0x80, 0x80, 0x80, 0x80, 0x40, 0x00];
    assert!(decode(&plan(json!("string")), &huge).is_err());
    // And of 2^40 empty records, which take no bytes each.
    let empty = json!({"type": "record", "name": "Empty", "fields": []});
    let e = decode(&plan(empty), &huge).unwrap_err();
    assert!(e.problem.contains("claims more than"), "{e}");
}
