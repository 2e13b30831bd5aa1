//! Reading JSON: with the envelope, schemaless, every type, defaults, and errors.

use std::collections::BTreeMap;

use sluice_convert::{ConvertError, Converter, JsonConverter, converter_from_config};
use sluice_record::{Data, SchemaBuilder, SchemaKind, Struct, Value, logical};

fn with_schemas() -> JsonConverter {
    JsonConverter::default()
}

fn schemaless() -> Box<dyn Converter> {
    let props = BTreeMap::from([("schemas.enable".to_owned(), "false".to_owned())]);
    converter_from_config("json", &props).unwrap()
}

fn read(json: &str) -> Data {
    with_schemas().to_data("t", Some(json.as_bytes())).unwrap()
}

fn read_err(json: &str) -> ConvertError {
    with_schemas()
        .to_data("t", Some(json.as_bytes()))
        .unwrap_err()
}

fn payload_of(schema: &str, payload: &str) -> Value {
    read(&format!(r#"{{"schema":{schema},"payload":{payload}}}"#)).value
}

#[test]
fn kafka_null_and_json_null_are_null() {
    let c = with_schemas();
    assert_eq!(c.to_data("t", None).unwrap(), Data::NULL);
    assert_eq!(c.to_data("t", Some(b"")).unwrap(), Data::NULL);
    assert_eq!(c.to_data("t", Some(b"null")).unwrap(), Data::NULL);
    assert_eq!(read(r#"{"schema":null,"payload":null}"#), Data::NULL);
    assert_eq!(schemaless().to_data("t", None).unwrap(), Data::NULL);
    assert_eq!(
        schemaless().to_data("t", Some(b"null")).unwrap(),
        Data::NULL
    );
}

#[test]
fn every_primitive_with_a_schema() {
    let t = |ty: &str| format!(r#"{{"type":"{ty}","optional":false}}"#);
    assert_eq!(payload_of(&t("int8"), "-128"), Value::Int8(-128));
    assert_eq!(payload_of(&t("int16"), "32767"), Value::Int16(32767));
    assert_eq!(payload_of(&t("int32"), "-7"), Value::Int32(-7));
    assert_eq!(
        payload_of(&t("int64"), "9223372036854775807"),
        Value::Int64(i64::MAX)
    );
    assert_eq!(payload_of(&t("float"), "1.5"), Value::Float32(1.5));
    assert_eq!(payload_of(&t("float"), "3"), Value::Float32(3.0));
    assert_eq!(payload_of(&t("double"), "0.1"), Value::Float64(0.1));
    assert_eq!(payload_of(&t("double"), "-2"), Value::Float64(-2.0));
    assert_eq!(payload_of(&t("boolean"), "true"), Value::Boolean(true));
    assert_eq!(
        payload_of(&t("string"), r#""h\u00e9\n""#),
        Value::String("hé\n".into())
    );
    assert_eq!(
        payload_of(&t("bytes"), r#""dGVzdC1zdHJpbmc=""#),
        Value::Bytes(b"test-string".to_vec())
    );
    // Padding is optional on read.
    assert_eq!(
        payload_of(&t("bytes"), r#""dGVzdC1zdHJpbmc""#),
        Value::Bytes(b"test-string".to_vec())
    );
    // Integral numbers written as floats are accepted for integer types.
    assert_eq!(payload_of(&t("int32"), "1e3"), Value::Int32(1000));
    assert_eq!(payload_of(&t("int64"), "2.0"), Value::Int64(2));
}

#[test]
fn non_finite_floats_are_read_from_jacksons_strings() {
    let v = payload_of(r#"{"type":"double"}"#, r#""NaN""#);
    assert!(matches!(v, Value::Float64(f) if f.is_nan()));
    assert_eq!(
        payload_of(r#"{"type":"float"}"#, r#""-Infinity""#),
        Value::Float32(f32::NEG_INFINITY)
    );
}

#[test]
fn envelope_schema_attributes_are_kept() {
    let data = read(
        r#"{"schema":{"type":"string","optional":true,"name":"com.example.Name","version":3,
            "doc":"a name","parameters":{"k":"v"}},"payload":"x"}"#,
    );
    let s = data.schema.unwrap();
    assert!(s.optional);
    assert_eq!(s.name.as_deref(), Some("com.example.Name"));
    assert_eq!(s.version, Some(3));
    assert_eq!(s.doc.as_deref(), Some("a name"));
    assert_eq!(s.parameters.get("k").map(String::as_str), Some("v"));
    assert_eq!(data.value, Value::String("x".into()));
}

#[test]
fn nested_struct_array_and_maps() {
    let data = read(
        r#"{"schema":{"type":"struct","name":"Order","fields":[
              {"field":"id","type":"int64"},
              {"field":"tags","type":"array","items":{"type":"string"}},
              {"field":"qty","type":"map","keys":{"type":"string"},"values":{"type":"int32"}},
              {"field":"byid","type":"map","keys":{"type":"int32"},"values":{"type":"string"}},
              {"field":"line","type":"struct","fields":[{"field":"price","type":"double"}]}
            ]},
            "payload":{"id":7,"tags":["a","b"],"qty":{"x":1,"y":2},"byid":[[1,"one"],[2,"two"]],
                       "line":{"price":1.25}}}"#,
    );
    let schema = data.schema.unwrap();
    let Value::Struct(order) = &data.value else {
        panic!("not a struct")
    };
    assert!(std::sync::Arc::ptr_eq(order.schema(), &schema));
    assert_eq!(order.get("id"), Some(&Value::Int64(7)));
    assert_eq!(
        order.get("tags"),
        Some(&Value::Array(vec!["a".into(), "b".into()]))
    );
    assert_eq!(
        order.get("qty"),
        Some(&Value::Map(vec![
            ("x".into(), Value::Int32(1)),
            ("y".into(), Value::Int32(2))
        ]))
    );
    assert_eq!(
        order.get("byid"),
        Some(&Value::Map(vec![
            (Value::Int32(1), "one".into()),
            (Value::Int32(2), "two".into())
        ]))
    );
    let Some(Value::Struct(line)) = order.get("line") else {
        panic!("line is not a struct")
    };
    assert_eq!(line.get("price"), Some(&Value::Float64(1.25)));
    schema.validate(&data.value).unwrap();
}

#[test]
fn fields_in_any_order_unknown_fields_ignored() {
    let v = payload_of(
        r#"{"type":"struct","fields":[{"field":"a","type":"int32"},{"field":"b","type":"string"}]}"#,
        r#"{"extra":{"deep":[1,2]},"b":"x","a":1}"#,
    );
    let Value::Struct(s) = v else { panic!() };
    assert_eq!(s.values(), &[Value::Int32(1), Value::String("x".into())]);
}

#[test]
fn optional_and_defaults() {
    let schema = r#"{"type":"struct","fields":[
        {"field":"opt","type":"int32","optional":true},
        {"field":"def","type":"int32","optional":false,"default":42},
        {"field":"optdef","type":"string","optional":true,"default":"d"}]}"#;
    let Value::Struct(s) = payload_of(schema, "{}") else {
        panic!()
    };
    assert_eq!(
        s.values(),
        &[Value::Null, Value::Int32(42), Value::String("d".into())]
    );
    let Value::Struct(s) = payload_of(schema, r#"{"opt":null,"def":null,"optdef":"e"}"#) else {
        panic!()
    };
    assert_eq!(
        s.values(),
        &[Value::Null, Value::Int32(42), Value::String("e".into())]
    );
    // A top-level null takes the schema's default.
    assert_eq!(
        payload_of(r#"{"type":"int32","default":5}"#, "null"),
        Value::Int32(5)
    );
    // Optional top-level null keeps its schema.
    let data = read(r#"{"schema":{"type":"int32","optional":true},"payload":null}"#);
    assert!(data.schema.is_some());
    assert_eq!(data.value, Value::Null);
}

#[test]
fn defaults_can_be_kept_null() {
    let props = BTreeMap::from([("replace.null.with.default".to_owned(), "false".to_owned())]);
    let c = JsonConverter::from_props(&props).unwrap();
    let json = r#"{"schema":{"type":"struct","fields":[
        {"field":"a","type":"int32","optional":true,"default":1}]},"payload":{"a":null}}"#;
    let Value::Struct(s) = c.to_data("t", Some(json.as_bytes())).unwrap().value else {
        panic!()
    };
    assert_eq!(s.get("a"), Some(&Value::Null));
}

#[test]
fn logical_types() {
    let decimal = r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","version":1,"parameters":{"scale":"2"}}"#;
    // Kafka's JsonConverterTest: 1.56 is the bytes [0, -100], "AJw=".
    assert_eq!(
        payload_of(decimal, r#""AJw=""#),
        Value::Bytes(vec![0, 0x9c])
    );
    assert_eq!(payload_of(decimal, "1.56"), Value::Bytes(vec![0, 0x9c]));
    assert_eq!(payload_of(decimal, "1.5"), Value::Bytes(vec![0, 0x96]));
    assert_eq!(
        payload_of(decimal, "-0.01"),
        Value::Bytes(logical::decimal_to_bytes(-1))
    );
    // Exact beyond f64's precision.
    assert_eq!(
        payload_of(decimal, "123456789012345678901234.56"),
        Value::Bytes(logical::decimal_to_bytes(12345678901234567890123456))
    );
    let date = r#"{"type":"int32","name":"org.apache.kafka.connect.data.Date","version":1}"#;
    assert_eq!(payload_of(date, "19000"), Value::Int32(19000));
    let time = r#"{"type":"int32","name":"org.apache.kafka.connect.data.Time","version":1}"#;
    assert_eq!(payload_of(time, "3600000"), Value::Int32(3_600_000));
    let ts = r#"{"type":"int64","name":"org.apache.kafka.connect.data.Timestamp","version":1}"#;
    assert_eq!(
        payload_of(ts, "1700000000000"),
        Value::Int64(1_700_000_000_000)
    );
    let data = read(&format!(r#"{{"schema":{decimal},"payload":"AJw="}}"#));
    assert_eq!(
        data.schema.unwrap().logical(),
        Some(logical::LogicalType::Decimal { scale: 2 })
    );
}

#[test]
fn payload_may_come_before_schema() {
    let data = read(
        r#"{"payload":{"a":1},"schema":{"type":"struct","fields":[{"field":"a","type":"int8"}]}}"#,
    );
    let Value::Struct(s) = data.value else {
        panic!()
    };
    assert_eq!(s.get("a"), Some(&Value::Int8(1)));
}

#[test]
fn schemaless_values_as_connect_reads_them() {
    let c = schemaless();
    let data = c
        .to_data(
            "t",
            Some(br#"{"z":1,"a":[true,null,2.5,"s"],"m":{"k":-3},"big":18446744073709551615}"#),
        )
        .unwrap();
    assert_eq!(data.schema, None);
    assert_eq!(
        data.value,
        Value::Map(vec![
            ("z".into(), Value::Int64(1)),
            (
                "a".into(),
                Value::Array(vec![
                    Value::Boolean(true),
                    Value::Null,
                    Value::Float64(2.5),
                    "s".into()
                ])
            ),
            ("m".into(), Value::Map(vec![("k".into(), Value::Int64(-3))])),
            ("big".into(), Value::Float64(18446744073709551615.0)),
        ])
    );
    assert_eq!(
        c.to_data("t", Some(b" 42 ")).unwrap().value,
        Value::Int64(42)
    );
}

#[test]
fn envelope_with_null_schema_is_schemaless() {
    let data = read(r#"{"schema":null,"payload":{"a":1}}"#);
    assert_eq!(data.schema, None);
    assert_eq!(data.value, Value::Map(vec![("a".into(), Value::Int64(1))]));
}

#[test]
fn the_schema_cache_returns_the_same_schema() {
    let c = with_schemas();
    let json = br#"{"schema":{"type":"int32"},"payload":1}"#;
    let a = c.to_data("t", Some(json)).unwrap().schema.unwrap();
    let b = c.to_data("t", Some(json)).unwrap().schema.unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
    assert_eq!(a.kind, SchemaKind::Int32);
}

// ---- errors ----

const SECRET: &str = "s3cr3t-4111111111111111";

fn assert_private(err: &ConvertError) {
    let text = err.to_string();
    assert!(!text.contains(SECRET), "error leaks data: {text}");
    assert!(!text.contains("4111"), "error leaks data: {text}");
}

#[test]
fn bad_json_names_the_position() {
    let err = schemaless()
        .to_data(
            "t",
            Some(format!("{{\"a\":\"{SECRET}\",\n \"b\": }}").as_bytes()),
        )
        .unwrap_err();
    assert_private(&err);
    let ConvertError::Syntax { line, column, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!((*line, *column), (2, 7));
    assert_eq!(
        err.to_string(),
        "invalid JSON at line 2 column 7: expected value"
    );
    let err = schemaless().to_data("t", Some(b"{} x")).unwrap_err();
    assert!(err.to_string().contains("trailing characters"), "{err}");
    let err = schemaless().to_data("t", Some(b"[1, 2")).unwrap_err();
    assert!(err.to_string().contains("EOF"), "{err}");
}

/// A document is read as text when it is UTF-8 as a whole and from its bytes when not
/// (host/convert/src/json/decode.rs): either way its strings come out the same, and
/// bytes that are not UTF-8 are an error naming where they are.
#[test]
fn text_that_is_not_utf8_names_the_position() {
    let multibyte = "{\"k\u{e9}y\":\"v\u{2603}\\u00e9\",\"n\":1}";
    let value = schemaless()
        .to_data("t", Some(multibyte.as_bytes()))
        .unwrap()
        .value;
    assert_eq!(value.get("k\u{e9}y"), Some(&Value::from("v\u{2603}\u{e9}")));
    for bad in [&b"{\"a\":\"x\xff\"}"[..], b"{\"\xc3\":1}"] {
        let err = schemaless().to_data("t", Some(bad)).unwrap_err();
        let ConvertError::Syntax { line, column, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*line, 1, "{err}");
        assert!(*column > 0, "{err}");
        assert!(err.to_string().contains("unicode"), "{err}");
    }
}

#[test]
fn syntax_errors_inside_a_typed_payload_name_the_field() {
    let err = read_err(
        r#"{"schema":{"type":"struct","fields":[{"field":"a","type":"array","items":{"type":"int32"}}]},"payload":{"a":[1,]}}"#,
    );
    let ConvertError::Syntax { path, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(path, "a[1]");
}

#[test]
fn wrong_type_names_the_field_path_not_the_value() {
    let schema = r#"{"type":"struct","fields":[
        {"field":"id","type":"int64"},
        {"field":"lines","type":"array","items":{"type":"struct","fields":[
            {"field":"price","type":"double"}]}}]}"#;
    let json = format!(
        r#"{{"schema":{schema},"payload":{{"id":1,"lines":[{{"price":1}},{{"price":"{SECRET}"}}]}}}}"#
    );
    let err = read_err(&json);
    assert_private(&err);
    let ConvertError::Mismatch {
        path,
        problem,
        position,
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(path, "lines[1].price");
    assert_eq!(problem, "expected double but found string");
    assert!(position.is_some());
    assert!(
        err.to_string()
            .starts_with("field lines[1].price: expected double but found string (at line 4"),
        "{err}"
    );
}

#[test]
fn map_errors_name_the_entry_by_index() {
    let schema = r#"{"type":"map","keys":{"type":"string"},"values":{"type":"int32"}}"#;
    let err = read_err(&format!(
        r#"{{"schema":{schema},"payload":{{"ok":1,"{SECRET}":true}}}}"#
    ));
    assert_private(&err);
    assert!(
        err.to_string()
            .starts_with("field {value 1}: expected int32 but found boolean"),
        "{err}"
    );
    let schema = r#"{"type":"map","keys":{"type":"int32"},"values":{"type":"int32"}}"#;
    let err = read_err(&format!(r#"{{"schema":{schema},"payload":[[1,2],[3]]}}"#));
    assert!(err.to_string().contains("[key, value]"), "{err}");
    let err = read_err(&format!(
        r#"{{"schema":{schema},"payload":[[1,2],["x",3]]}}"#
    ));
    assert!(
        err.to_string()
            .starts_with("field {key 1}: expected int32 but found string"),
        "{err}"
    );
}

#[test]
fn type_errors_for_each_kind() {
    let cases = [
        (r#"{"type":"int8"}"#, "300", "integer out of range for int8"),
        (
            r#"{"type":"int16"}"#,
            "-40000",
            "integer out of range for int16",
        ),
        (
            r#"{"type":"int32"}"#,
            "1.5",
            "expected int32 but found a number with a fraction",
        ),
        (
            r#"{"type":"int64"}"#,
            "\"1\"",
            "expected int64 but found string",
        ),
        (
            r#"{"type":"boolean"}"#,
            "1",
            "expected boolean but found number",
        ),
        (
            r#"{"type":"string"}"#,
            "{}",
            "expected string but found object",
        ),
        (
            r#"{"type":"bytes"}"#,
            "\"!!\"",
            "bytes are not valid base64",
        ),
        (
            r#"{"type":"array","items":{"type":"int8"}}"#,
            "{}",
            "expected array but found object",
        ),
        (
            r#"{"type":"struct","fields":[]}"#,
            "[]",
            "expected struct but found array",
        ),
        (
            r#"{"type":"int32"}"#,
            "null",
            "null or missing value for a required int32 field",
        ),
        (
            r#"{"type":"int32","name":"org.apache.kafka.connect.data.Date"}"#,
            "true",
            "expected int32 (Date) but found boolean",
        ),
        (
            r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"1"}}"#,
            "1.25",
            "decimal has more decimal places than the schema's scale 1",
        ),
        (
            r#"{"type":"bytes","name":"org.apache.kafka.connect.data.Decimal","parameters":{"scale":"1"}}"#,
            "[]",
            "expected decimal (scale 1) as a base64 string or a number but found array",
        ),
    ];
    for (schema, payload, expected) in cases {
        let err = read_err(&format!(r#"{{"schema":{schema},"payload":{payload}}}"#));
        assert!(
            matches!(err, ConvertError::Mismatch { .. }),
            "{schema} {payload}: {err:?}"
        );
        assert!(
            err.to_string().starts_with(expected),
            "{schema} {payload}: {err}"
        );
    }
}

#[test]
fn missing_required_field_is_named() {
    let err = read_err(
        r#"{"schema":{"type":"struct","fields":[{"field":"a","type":"int32","optional":true},{"field":"b","type":"string"}]},"payload":{"a":1}}"#,
    );
    assert!(
        err.to_string()
            .starts_with("field b: null or missing value for a required string field"),
        "{err}"
    );
}

#[test]
fn missing_envelope_hints_at_schemas_enable() {
    for json in [
        r#"{"id":1,"name":"x"}"#,
        r#"{"schema":{"type":"int32"}}"#,
        r#"{"payload":1}"#,
        r#"{"schema":{"type":"int32"},"payload":1,"other":2}"#,
        r#"[1,2]"#,
        r#""text""#,
        "12",
    ] {
        let err = read_err(json);
        assert!(
            matches!(err, ConvertError::MissingEnvelope { .. }),
            "{json}: {err:?}"
        );
        let text = err.to_string();
        assert!(
            text.ends_with(
                "set value.converter.schemas.enable=false if your data has no schema envelope"
            ),
            "{text}"
        );
    }
    let props = BTreeMap::from([("converter.type".to_owned(), "key".to_owned())]);
    let key = JsonConverter::from_props(&props).unwrap();
    let err = key.to_data("t", Some(br#"{"id":1}"#)).unwrap_err();
    assert!(
        err.to_string()
            .contains("set key.converter.schemas.enable=false"),
        "{err}"
    );
}

#[test]
fn invalid_schemas_are_reported_with_a_pointer() {
    let cases = [
        (
            r#"{"optional":true}"#,
            "invalid schema at /: missing \"type\"",
        ),
        (
            r#"{"type":"int128"}"#,
            "invalid schema at /type: unknown schema type \"int128\"",
        ),
        (r#"{"type":"array"}"#, "invalid schema at /items: missing"),
        (
            r#"{"type":"map","keys":{"type":"string"}}"#,
            "invalid schema at /values: missing",
        ),
        (
            r#"{"type":"struct","fields":[{"type":"int32","field":"a"},{"type":"int32"}]}"#,
            "invalid schema at /fields/1/field: a struct field needs a string \"field\" name",
        ),
        (
            r#"{"type":"struct","fields":[{"type":"int32","field":"a"},{"type":"int8","field":"a"}]}"#,
            "invalid schema at /fields/1: duplicate field name \"a\"",
        ),
        (
            r#"{"type":"struct"}"#,
            "invalid schema at /fields: a struct schema needs a \"fields\" array",
        ),
        (
            r#"{"type":"int32","parameters":{"p":1}}"#,
            "invalid schema at /parameters/p: parameters must be strings",
        ),
        (
            r#"{"type":"int8","default":1000}"#,
            "invalid schema at /default: default does not match the schema: integer out of range for int8",
        ),
        (
            "[]",
            "invalid schema at /: expected a schema object but found array",
        ),
    ];
    for (schema, expected) in cases {
        let err = read_err(&format!(r#"{{"schema":{schema},"payload":null}}"#));
        assert!(
            matches!(err, ConvertError::Schema { .. }),
            "{schema}: {err:?}"
        );
        assert_eq!(err.to_string(), expected, "{schema}");
    }
}

#[test]
fn value_from_json_builds_structs_with_the_given_schema() {
    let schema = SchemaBuilder::structure()
        .field("a", SchemaBuilder::int16().build_ref())
        .field("b", SchemaBuilder::string().optional().build_ref())
        .build();
    let json = serde_json::json!({"a": 3});
    let v = sluice_convert::value_from_json(&json, Some(&schema)).unwrap();
    let expected = Struct::from_values(
        schema.clone().into_ref(),
        vec![Value::Int16(3), Value::Null],
    );
    assert_eq!(v, Value::Struct(expected.unwrap()));
    let err =
        sluice_convert::value_from_json(&serde_json::json!({"a": "x"}), Some(&schema)).unwrap_err();
    assert_eq!(err.to_string(), "field a: expected int16 but found string");
    let v = sluice_convert::value_from_json(&serde_json::json!([1, 1.5]), None).unwrap();
    assert_eq!(v, Value::Array(vec![Value::Int64(1), Value::Float64(1.5)]));
}

#[test]
fn a_repeated_schema_reads_the_same_and_fails_the_same() {
    // The second record with the same schema text takes the fast path.
    let c = with_schemas();
    let schema = r#"{"type":"struct","fields":[{"type":"int32","optional":false,"field":"a"}],"optional":false}"#;
    let doc = |payload: &str| format!(r#"{{"schema":{schema},"payload":{payload}}}"#);
    let first = c.to_data("t", Some(doc(r#"{"a":1}"#).as_bytes())).unwrap();
    let second = c.to_data("t", Some(doc(r#"{"a":1}"#).as_bytes())).unwrap();
    assert_eq!(first, second);
    assert!(std::sync::Arc::ptr_eq(
        first.schema.as_ref().unwrap(),
        second.schema.as_ref().unwrap()
    ));
    let spaced = c
        .to_data("t", Some(doc(" {\"a\":2} \n").as_bytes()))
        .unwrap();
    assert_eq!(spaced.value, payload_of(schema, r#"{"a":2}"#));
    let fresh = || JsonConverter::default();
    for bad in [
        doc(r#"{"a":"x"}"#),
        format!(r#"{{"schema":{schema},"payload":{{"a":1}},"x":2}}"#),
        format!(r#"{{"schema":{schema},"payload":{{"a":1}}"#),
        format!(r#"{{"schema":{schema},"payload":{{"a":1}}}}}}"#),
        format!(r#"{{"schema":{schema},"payload":{{"a":1}},"payload":{{"a":1}}}}"#),
    ] {
        let warm = c.to_data("t", Some(bad.as_bytes())).unwrap_err();
        let cold = fresh().to_data("t", Some(bad.as_bytes())).unwrap_err();
        assert_eq!(warm, cold, "{bad}");
    }
}
