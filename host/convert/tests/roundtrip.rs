//! Properties: whatever a converter writes, it reads back unchanged.

use std::collections::BTreeMap;
use std::sync::Arc;

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use sluice_convert::{
    ByteArrayConverter, Charset, Converter, JsonConverter, StringConverter, schema_from_json,
    schema_to_json,
};
use sluice_record::{Data, Schema, SchemaBuilder, SchemaKind, SchemaRef, Struct, Value, logical};

fn json(props: &[(&str, &str)]) -> JsonConverter {
    let props: BTreeMap<String, String> = props
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    JsonConverter::from_props(&props).unwrap()
}

/// Names that exercise escaping but never collide with a logical type's.
fn name() -> impl Strategy<Value = String> {
    prop_oneof!["[a-z]{1,6}", "[a-zA-Z0-9_.\"\\\\/é\u{1F600}]{1,8}"]
}

fn finite_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>().prop_filter("not NaN", |f| !f.is_nan()),
        Just(0.0),
        Just(1.0),
        Just(-1e300)
    ]
}

fn finite_f32() -> impl Strategy<Value = f32> {
    any::<f32>().prop_filter("not NaN", |f| !f.is_nan())
}

/// The kinds of primitive schemas, logical types included.
fn primitive_schema() -> impl Strategy<Value = SchemaBuilder> {
    prop_oneof![
        Just(SchemaBuilder::int8()),
        Just(SchemaBuilder::int16()),
        Just(SchemaBuilder::int32()),
        Just(SchemaBuilder::int64()),
        Just(SchemaBuilder::float32()),
        Just(SchemaBuilder::float64()),
        Just(SchemaBuilder::boolean()),
        Just(SchemaBuilder::string()),
        Just(SchemaBuilder::bytes()),
        (-4i32..12).prop_map(logical::decimal_schema),
        Just(logical::date_schema()),
        Just(logical::time_schema()),
        Just(logical::timestamp_schema()),
    ]
}

/// Optional attributes every schema may carry.
fn decorate(b: SchemaBuilder) -> impl Strategy<Value = SchemaBuilder> {
    let logical = b.clone().build().logical().is_some();
    (
        any::<bool>(),
        proptest::option::of(name()),
        proptest::option::of(any::<i32>()),
        proptest::option::of(".{0,10}"),
        proptest::collection::btree_map("[a-z.]{1,5}", ".{0,5}", 0..3),
    )
        .prop_map(move |(optional, name, version, doc, params)| {
            let mut b = b.clone();
            if optional {
                b = b.optional();
            }
            // A logical type is defined by its name: keep it.
            if let (Some(n), false) = (name, logical) {
                b = b.name(n);
            }
            if let Some(v) = version {
                b = b.version(v);
            }
            if let Some(d) = doc {
                b = b.doc(d);
            }
            for (k, v) in params {
                if k != logical::SCALE {
                    b = b.parameter(k, v);
                }
            }
            b
        })
}

/// A primitive schema, sometimes with a default value.
fn leaf() -> impl Strategy<Value = SchemaRef> {
    primitive_schema()
        .prop_flat_map(decorate)
        .prop_flat_map(|b| {
            let schema = b.clone().build_ref();
            (Just(b), proptest::option::of(non_null_value(&schema)))
        })
        .prop_map(|(b, default)| match default {
            Some(d) => b.default_value(d).build_ref(),
            None => b.build_ref(),
        })
}

fn schema() -> impl Strategy<Value = SchemaRef> {
    leaf().prop_recursive(4, 24, 5, |inner| {
        let container = prop_oneof![
            inner.clone().prop_map(SchemaBuilder::array),
            (inner.clone(), inner.clone()).prop_map(|(k, v)| SchemaBuilder::map(k, v)),
            (Just(SchemaBuilder::string().build_ref()), inner.clone())
                .prop_map(|(k, v)| SchemaBuilder::map(k, v)),
            proptest::collection::btree_map("[a-e\"]{1,3}", inner, 1..5).prop_map(|fields| {
                fields
                    .into_iter()
                    .fold(SchemaBuilder::structure(), |b, (n, s)| b.field(n, s))
            }),
        ];
        container
            .prop_flat_map(decorate)
            .prop_map(SchemaBuilder::build_ref)
    })
}

/// A value for `schema`: null only where that survives a round trip (optional without
/// a default; with a default, null is written as the default).
fn value(schema: &SchemaRef) -> BoxedStrategy<Value> {
    if schema.optional && schema.default.is_none() {
        prop_oneof![1 => Just(Value::Null), 4 => non_null_value(schema)].boxed()
    } else {
        non_null_value(schema)
    }
}

fn non_null_value(schema: &SchemaRef) -> BoxedStrategy<Value> {
    if let Some(logical::LogicalType::Decimal { .. }) = schema.logical() {
        return (i128::MIN + 1..=i128::MAX)
            .prop_map(|u| Value::Bytes(logical::decimal_to_bytes(u)))
            .boxed();
    }
    if let Some(logical::LogicalType::Time) = schema.logical() {
        return (0..86_400_000).prop_map(Value::Int32).boxed();
    }
    match &schema.kind {
        SchemaKind::Int8 => any::<i8>().prop_map(Value::Int8).boxed(),
        SchemaKind::Int16 => any::<i16>().prop_map(Value::Int16).boxed(),
        SchemaKind::Int32 => any::<i32>().prop_map(Value::Int32).boxed(),
        SchemaKind::Int64 => any::<i64>().prop_map(Value::Int64).boxed(),
        SchemaKind::Float32 => finite_f32().prop_map(Value::Float32).boxed(),
        SchemaKind::Float64 => finite_f64().prop_map(Value::Float64).boxed(),
        SchemaKind::Boolean => any::<bool>().prop_map(Value::Boolean).boxed(),
        SchemaKind::String => any::<String>().prop_map(Value::from).boxed(),
        SchemaKind::Bytes => proptest::collection::vec(any::<u8>(), 0..12)
            .prop_map(Value::Bytes)
            .boxed(),
        SchemaKind::Array(items) => proptest::collection::vec(value(items), 0..4)
            .prop_map(Value::Array)
            .boxed(),
        SchemaKind::Map { key, value: v } => {
            proptest::collection::vec((non_null_value(key), value(v)), 0..4)
                .prop_map(Value::Map)
                .boxed()
        }
        SchemaKind::Struct(fields) => {
            let schema = Arc::clone(schema);
            fields
                .iter()
                .map(|f| value(&f.schema))
                .collect::<Vec<_>>()
                .prop_map(move |values| {
                    Value::Struct(Struct::from_values(schema.clone(), values).unwrap())
                })
                .boxed()
        }
    }
}

fn schema_and_value() -> impl Strategy<Value = (SchemaRef, Value)> {
    schema().prop_flat_map(|s| {
        let v = value(&s);
        (Just(s), v)
    })
}

/// Schemaless data as JSON knows it.
fn schemaless_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Boolean),
        any::<i64>().prop_map(Value::Int64),
        finite_f64().prop_map(Value::Float64),
        any::<String>().prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::vec((any::<String>().prop_map(Value::from), inner), 0..6)
                .prop_map(Value::Map),
        ]
    })
}

fn round_trip(c: &dyn Converter, data: &Data) -> Data {
    let bytes = c.from_data("t", data).unwrap();
    let first = c.to_data("t", bytes.as_deref()).unwrap();
    // Read again: the JSON converter's cached-schema fast path must agree.
    let again = c.to_data("t", bytes.as_deref()).unwrap();
    assert_eq!(first, again);
    first
}

/// 512 cases by default; `PROPTEST_CASES` for a longer run.
fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(512)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(cases()))]

    #[test]
    fn json_with_schemas_round_trips((schema, value) in schema_and_value()) {
        schema.validate(&value).unwrap();
        let data = Data::with_schema(schema, value);
        for c in [json(&[]), json(&[("decimal.format", "NUMERIC")])] {
            prop_assert_eq!(&round_trip(&c, &data), &data);
        }
    }

    #[test]
    fn schema_json_round_trips(schema in schema()) {
        let back = schema_from_json(&schema_to_json(&schema)).unwrap();
        prop_assert_eq!(&*back, &*schema);
    }

    #[test]
    fn schemaless_json_round_trips(value in schemaless_value()) {
        let data = Data::schemaless(value);
        for c in [json(&[("schemas.enable", "false")]), json(&[])] {
            prop_assert_eq!(&round_trip(&c, &data), &data);
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..64)) {
        let _ = json(&[]).to_data("t", Some(&bytes));
        let _ = json(&[("schemas.enable", "false")]).to_data("t", Some(&bytes));
    }

    #[test]
    fn strings_round_trip(text in any::<String>()) {
        for cs in [Charset::Utf8, Charset::Utf16, Charset::Utf16Be, Charset::Utf16Le] {
            let c = StringConverter::new(cs);
            let data = c.to_data("t", Some(&c.from_data("t", &Data::schemaless(text.clone().into())).unwrap().unwrap())).unwrap();
            prop_assert_eq!(data.value, Value::String(text.as_str().into()));
        }
    }

    #[test]
    fn latin1_strings_round_trip(text in "[\u{0}-\u{ff}]*") {
        let c = StringConverter::new(Charset::Latin1);
        let bytes = c.from_data("t", &Data::schemaless(text.clone().into())).unwrap().unwrap();
        prop_assert_eq!(bytes.len(), text.chars().count());
        prop_assert_eq!(c.to_data("t", Some(&bytes)).unwrap().value, Value::String(text.into()));
    }

    #[test]
    fn bytes_round_trip(bytes in proptest::option::of(proptest::collection::vec(any::<u8>(), 0..64))) {
        let c = ByteArrayConverter::default();
        let data = c.to_data("t", bytes.as_deref()).unwrap();
        prop_assert_eq!(c.from_data("t", &data).unwrap(), bytes);
    }
}

#[test]
fn the_generators_cover_what_they_should() {
    // Guard against a strategy that silently stopped producing containers.
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let mut kinds = std::collections::HashSet::new();
    for _ in 0..200 {
        let s = schema().new_tree(&mut runner).unwrap().current();
        kinds.insert(s.schema_type());
    }
    assert!(kinds.len() >= 10, "{kinds:?}");
    let _: Schema = SchemaBuilder::int8().build();
}
