//! The factory, property declarations, and the string and byte array converters.

use std::collections::BTreeMap;

use sluice_config::PropertyType;
use sluice_convert::{
    ConvertError, Converter, KNOWN_CONVERTERS, config_def, config_defs, converter_from_config,
};
use sluice_record::{Data, SchemaBuilder, SchemaKind, Struct, Value};

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn build(type_name: &str, pairs: &[(&str, &str)]) -> Box<dyn Converter> {
    converter_from_config(type_name, &props(pairs)).unwrap()
}

#[test]
fn every_known_name_builds_a_converter() {
    for name in KNOWN_CONVERTERS {
        let c = build(name, &[]);
        // Each reads Kafka null without failing.
        c.to_data("t", None).unwrap();
        assert!(config_def(name).is_some(), "{name}");
    }
    assert!(converter_from_config("JSON", &BTreeMap::new()).is_ok());
}

#[test]
fn class_names_select_the_right_converter() {
    let json = build(
        "org.apache.kafka.connect.json.JsonConverter",
        &[("schemas.enable", "false")],
    );
    assert_eq!(
        json.to_data("t", Some(b"[1]")).unwrap().value,
        Value::Array(vec![Value::Int64(1)])
    );
    let string = build("org.apache.kafka.connect.storage.StringConverter", &[]);
    assert_eq!(
        string.to_data("t", Some(b"[1]")).unwrap().value,
        Value::String("[1]".into())
    );
    let bytes = build(
        "org.apache.kafka.connect.converters.ByteArrayConverter",
        &[],
    );
    assert_eq!(
        bytes.to_data("t", Some(b"[1]")).unwrap().value,
        Value::Bytes(b"[1]".to_vec())
    );
}

#[test]
fn unknown_converters_list_the_known_ones() {
    let err = converter_from_config("avro", &BTreeMap::new())
        .err()
        .unwrap();
    let text = err.to_string();
    assert!(text.starts_with("unknown converter \"avro\"; known converters: json, string, bytes, org.apache.kafka.connect.json.JsonConverter"), "{text}");
    let err = converter_from_config(
        "org.apache.kafka.connect.json.JsonConverer",
        &BTreeMap::new(),
    )
    .err()
    .unwrap();
    assert!(
        err.to_string()
            .contains("did you mean \"org.apache.kafka.connect.json.JsonConverter\"?"),
        "{err}"
    );
}

#[test]
fn invalid_property_values_are_reported() {
    let cases = [
        (
            "json",
            "schemas.enable",
            "yes",
            "JsonConverter: invalid value for schemas.enable: expected true or false",
        ),
        (
            "json",
            "decimal.format",
            "HEX",
            "JsonConverter: invalid value for decimal.format: expected one of BASE64, NUMERIC",
        ),
        (
            "json",
            "schemas.cache.size",
            "-1",
            "JsonConverter: invalid value for schemas.cache.size: expected an integer in [0, ..]",
        ),
        (
            "json",
            "converter.type",
            "body",
            "JsonConverter: invalid value for converter.type: expected one of key, value, header",
        ),
        (
            "string",
            "converter.encoding",
            "EBCDIC",
            "StringConverter: unsupported converter.encoding; supported: UTF-8",
        ),
        (
            "bytes",
            "converter.type",
            "x",
            "ByteArrayConverter: invalid value for converter.type",
        ),
    ];
    for (ty, key, value, expected) in cases {
        let err = converter_from_config(ty, &props(&[(key, value)]))
            .err()
            .unwrap();
        assert!(matches!(err, ConvertError::Config(_)));
        assert!(err.to_string().starts_with(expected), "{err}");
    }
    // Case and whitespace as Kafka's ConfigDef allows.
    assert!(
        converter_from_config(
            "json",
            &props(&[("schemas.enable", " FALSE "), ("decimal.format", "numeric")])
        )
        .is_ok()
    );
}

#[test]
fn declarations_match_kafka() {
    let defs = config_defs();
    let names: Vec<_> = defs.iter().map(|d| d.component.as_ref()).collect();
    assert_eq!(
        names,
        ["JsonConverter", "StringConverter", "ByteArrayConverter"]
    );
    let json = &defs[0];
    let get = |n: &str| json.properties.iter().find(|p| p.name == n).unwrap();
    assert_eq!(get("schemas.enable").ty, PropertyType::Boolean);
    assert_eq!(get("schemas.enable").default.as_deref(), Some("true"));
    assert_eq!(get("schemas.cache.size").default.as_deref(), Some("1000"));
    assert_eq!(
        get("decimal.format").ty,
        PropertyType::Enum(&["BASE64", "NUMERIC"])
    );
    assert_eq!(get("decimal.format").default.as_deref(), Some("BASE64"));
    assert_eq!(
        get("replace.null.with.default").default.as_deref(),
        Some("true")
    );
    let string = &defs[1];
    assert_eq!(string.properties[0].name, "converter.encoding");
    assert_eq!(string.properties[0].default.as_deref(), Some("UTF-8"));
    for def in &defs {
        for p in &def.properties {
            assert!(!p.doc.is_empty(), "{}", p.name);
            assert!(!p.is_secret());
        }
    }
}

#[test]
fn string_converter_reads_with_an_optional_string_schema() {
    let c = build("string", &[]);
    let data = c.to_data("t", Some("héllo".as_bytes())).unwrap();
    let schema = data.schema.unwrap();
    assert_eq!(schema.kind, SchemaKind::String);
    assert!(schema.optional);
    assert_eq!(data.value, Value::String("héllo".into()));
    let null = c.to_data("t", None).unwrap();
    assert!(null.schema.is_some());
    assert_eq!(null.value, Value::Null);
    assert_eq!(c.from_data("t", &null).unwrap(), None);
    // Invalid UTF-8 is replaced, as Java's String(bytes, UTF_8) does.
    assert_eq!(
        c.to_data("t", Some(b"a\xffb")).unwrap().value,
        Value::String("a\u{FFFD}b".into())
    );
}

#[test]
fn string_converter_writes_primitives_like_java_to_string() {
    let c = build("string", &[]);
    let w = |v: Value| {
        String::from_utf8(c.from_data("t", &Data::schemaless(v)).unwrap().unwrap()).unwrap()
    };
    assert_eq!(w(Value::Int8(-5)), "-5");
    assert_eq!(w(Value::Int64(1 << 40)), "1099511627776");
    assert_eq!(w(Value::Boolean(true)), "true");
    assert_eq!(w(Value::Float64(2.0)), "2.0");
    assert_eq!(w(Value::Float32(1e10)), "1.0E10");
    assert_eq!(w(Value::Float64(f64::NAN)), "NaN");
    let s = SchemaBuilder::structure().build_ref();
    let err = c
        .from_data("t", &Data::schemaless(Value::Struct(Struct::new(s))))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("not struct; use the JSON converter"),
        "{err}"
    );
}

#[test]
fn string_converter_encodings() {
    let latin1 = build("string", &[("converter.encoding", "ISO-8859-1")]);
    assert_eq!(
        latin1
            .from_data("t", &Data::schemaless("é".into()))
            .unwrap()
            .unwrap(),
        vec![0xe9]
    );
    assert_eq!(
        latin1.to_data("t", Some(&[0xe9])).unwrap().value,
        Value::String("é".into())
    );
    let utf16 = build("string", &[("converter.encoding", "utf-16le")]);
    assert_eq!(
        utf16
            .from_data("t", &Data::schemaless("a".into()))
            .unwrap()
            .unwrap(),
        vec![b'a', 0]
    );
}

#[test]
fn byte_array_converter() {
    let c = build("bytes", &[]);
    let data = c.to_data("t", Some(&[0, 255])).unwrap();
    let schema = data.schema.clone().unwrap();
    assert_eq!(schema.kind, SchemaKind::Bytes);
    assert!(schema.optional);
    assert_eq!(data.value, Value::Bytes(vec![0, 255]));
    assert_eq!(c.from_data("t", &data).unwrap(), Some(vec![0, 255]));
    let null = c.to_data("t", None).unwrap();
    assert_eq!(null.value, Value::Null);
    assert_eq!(c.from_data("t", &null).unwrap(), None);
    let err = c
        .from_data("t", &Data::schemaless(Value::String("x".into())))
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the byte array converter writes bytes, not string"
    );
    let err = c
        .from_data(
            "t",
            &Data::with_schema(SchemaBuilder::string().build_ref(), Value::Bytes(vec![])),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "the byte array converter needs a bytes schema, not string"
    );
}
