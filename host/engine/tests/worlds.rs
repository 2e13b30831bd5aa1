//! The predicate, converter and flattener worlds against the test components in
//! transforms/testing/: field-equals, csv-converter, nest-flattener (and
//! meddling-predicate, which breaks the read-only rule).

use sluice_engine::{
    ConverterPlugin, FlattenerPlugin, Part, PluginErrorKind, PredicatePlugin, SandboxLimits,
    SwapError, SwappablePredicate, WasmEngine, WorldKind,
};
use sluice_record::{Data, Record, SchemaBuilder, SchemaType, Struct, Value};

fn engine() -> WasmEngine {
    WasmEngine::new(None).expect("engine")
}

fn pairs(config: &[(&str, &str)]) -> Vec<(String, String)> {
    config
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn predicate(engine: &WasmEngine, guest: &str, config: &[(&str, &str)]) -> PredicatePlugin {
    let loaded = engine
        .load_file(&sluice_guests::path(guest), WorldKind::Predicate)
        .expect("load");
    PredicatePlugin::new(engine, loaded, pairs(config), SandboxLimits::default())
        .expect("configure")
}

/// Customers with a nested address; the address of every third record is null.
fn customers(n: usize) -> Vec<Record> {
    let address = SchemaBuilder::structure()
        .field("city", SchemaBuilder::string().build_ref())
        .field("zip", SchemaBuilder::int32().build_ref())
        .optional()
        .build_ref();
    let schema = SchemaBuilder::structure()
        .field("id", SchemaBuilder::int64().build_ref())
        .field("kind", SchemaBuilder::string().build_ref())
        .field("address", address.clone())
        .name("shop.Customer")
        .build_ref();
    (0..n)
        .map(|i| {
            let addr = if i % 3 == 2 {
                Value::Null
            } else {
                Value::Struct(
                    Struct::new(address.clone())
                        .with("city", if i % 2 == 0 { "Paris" } else { "Lyon" })
                        .with("zip", Value::Int32(75000 + i as i32)),
                )
            };
            let v = Struct::new(schema.clone())
                .with("id", i as i64)
                .with("kind", if i % 2 == 0 { "retail" } else { "trade" })
                .with("address", addr);
            Record::new("customers", 0, i as i64)
                .with_value(Data::with_schema(schema.clone(), Value::Struct(v)))
        })
        .collect()
}

#[test]
fn field_equals_says_which_records_match_without_changing_them() {
    let engine = engine();
    let records = customers(4);
    let kind = predicate(
        &engine,
        "field-equals",
        &[("field", "kind"), ("value", "trade")],
    );
    let mut instance = kind.instantiate().unwrap();
    assert_eq!(instance.test(&records).unwrap(), [false, true, false, true]);
    // Nested paths and non-string fields compare by their rendering; a null address
    // (record 2) is false.
    let city = predicate(
        &engine,
        "field-equals",
        &[("field", "address.zip"), ("value", "75000")],
    );
    let mut instance = city.instantiate().unwrap();
    assert_eq!(
        instance.test(&records).unwrap(),
        [true, false, false, false]
    );
    assert_eq!(
        records,
        customers(4),
        "the records are the caller's, unchanged"
    );
    assert!(instance.test(&[]).unwrap().is_empty());
}

#[test]
fn field_equals_names_an_unknown_property() {
    let engine = engine();
    let loaded = engine
        .load_file(&sluice_guests::path("field-equals"), WorldKind::Predicate)
        .unwrap();
    let declared = PredicatePlugin::describe(&engine, &loaded, SandboxLimits::default()).unwrap();
    let names: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["field", "value"]);
    let err = PredicatePlugin::new(
        &engine,
        loaded,
        pairs(&[("field", "kind"), ("value", "x"), ("vaule", "x")]),
        SandboxLimits::default(),
    )
    .err()
    .expect("an unknown property is refused");
    assert!(
        matches!(&err.kind, PluginErrorKind::InvalidConfig(m) if m.contains("vaule")),
        "{err}"
    );
}

#[test]
fn a_predicate_that_changes_its_batch_fails_and_the_records_are_untouched() {
    let engine = engine();
    let records = customers(2);
    let meddling = predicate(&engine, "meddling-predicate", &[]);
    let err = meddling.instantiate().unwrap().test(&records).unwrap_err();
    match &err.kind {
        PluginErrorKind::Contract(m) => {
            assert!(m.contains("set-field") && m.contains("read-only"), "{m}");
        }
        other => panic!("expected a contract error, got {other:?}"),
    }
    assert_eq!(records, customers(2));
}

#[test]
fn a_predicate_swap_applies_at_the_next_batch_and_a_failing_one_rolls_back() {
    let engine = engine();
    let records = customers(4);
    let retail = predicate(
        &engine,
        "field-equals",
        &[("field", "kind"), ("value", "retail")],
    );
    let trade = predicate(
        &engine,
        "field-equals",
        &[("field", "kind"), ("value", "trade")],
    );
    let meddling = predicate(&engine, "meddling-predicate", &[]);
    let mut p = SwappablePredicate::new(retail.instantiate().unwrap());
    assert_eq!(p.test(&records).unwrap(), [true, false, true, false]);

    let outcome = p.handle().stage(meddling.instantiate().unwrap());
    // The failing predicate's batch is answered by the old one.
    assert_eq!(p.test(&records).unwrap(), [true, false, true, false]);
    assert!(matches!(
        outcome.try_recv().unwrap(),
        Err(SwapError::RolledBack(_))
    ));

    let outcome = p.handle().stage(trade.instantiate().unwrap());
    assert_eq!(p.test(&records).unwrap(), [false, true, false, true]);
    assert!(outcome.try_recv().unwrap().is_ok());
}

fn csv(engine: &WasmEngine, fields: &str) -> ConverterPlugin {
    let loaded = engine
        .load_file(&sluice_guests::path("csv-converter"), WorldKind::Converter)
        .unwrap();
    ConverterPlugin::new(
        engine,
        loaded,
        pairs(&[("fields", fields)]),
        SandboxLimits::default(),
    )
    .unwrap()
}

const FIELDS: &str = "id:int64,name:string,score:float64,vip:boolean";

#[test]
fn csv_converter_decodes_lines_into_one_struct_schema_and_writes_them_back() {
    let engine = engine();
    let mut c = csv(&engine, FIELDS).instantiate().unwrap();
    let lines: [&[u8]; 3] = [b"1,ada,9.5,true", b"2,bob,,false\n", b"3,,0.25,"];
    let inputs: Vec<Option<&[u8]>> = lines.iter().map(|l| Some(*l)).chain([None]).collect();
    let decoded: Vec<Data> = c
        .to_data("t", Part::Value, &inputs)
        .unwrap()
        .into_iter()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(decoded.len(), 4);
    let schema = decoded[0].schema.clone().unwrap();
    assert_eq!(schema.name.as_deref(), Some("csv"));
    let fields: Vec<(&str, SchemaType)> = schema
        .fields()
        .iter()
        .map(|f| (f.name.as_str(), f.schema.schema_type()))
        .collect();
    assert_eq!(
        fields,
        [
            ("id", SchemaType::Int64),
            ("name", SchemaType::String),
            ("score", SchemaType::Float64),
            ("vip", SchemaType::Boolean)
        ]
    );
    // The schema crossed once: every record shares the host's one `Arc`.
    assert!(std::sync::Arc::ptr_eq(
        &schema,
        decoded[2].schema.as_ref().unwrap()
    ));
    let v = &decoded[0].value;
    assert_eq!(v.get("id"), Some(&Value::Int64(1)));
    assert_eq!(v.get("name"), Some(&Value::String("ada".into())));
    assert_eq!(v.get("score"), Some(&Value::Float64(9.5)));
    assert_eq!(v.get("vip"), Some(&Value::Boolean(true)));
    assert_eq!(decoded[1].value.get("score"), Some(&Value::Null));
    assert_eq!(decoded[3], Data::NULL, "a Kafka null stays null");

    let encoded = c.from_data("t", Part::Value, &decoded).unwrap();
    let encoded: Vec<Option<Vec<u8>>> = encoded.into_iter().collect::<Result<_, _>>().unwrap();
    assert_eq!(
        encoded,
        [
            Some(b"1,ada,9.5,true".to_vec()),
            Some(b"2,bob,,false".to_vec()),
            Some(b"3,,0.25,".to_vec()),
            None
        ]
    );
}

#[test]
fn csv_converter_rejects_bad_lines_one_by_one_naming_the_column() {
    let engine = engine();
    let mut c = csv(&engine, FIELDS).instantiate().unwrap();
    let inputs: [Option<&[u8]>; 4] = [
        Some(b"1,ada,9.5"),
        Some(b"x,ada,9.5,true"),
        Some(b"1,ada,9.5,true,extra"),
        Some(b"4,dan,1,false"),
    ];
    let out = c.to_data("t", Part::Value, &inputs).unwrap();
    assert_eq!(out.len(), 4);
    let err = |i: usize| out[i].as_ref().unwrap_err().clone();
    assert!(err(0).contains("`vip`"), "{}", err(0));
    assert!(
        err(1).contains("`id`") && err(1).contains("x"),
        "{}",
        err(1)
    );
    assert!(err(2).contains("unexpected column 5"), "{}", err(2));
    assert_eq!(
        out[3].as_ref().unwrap().value.get("name"),
        Some(&Value::String("dan".into())),
        "the good record after bad ones still converts"
    );
}

#[test]
fn csv_converter_refuses_a_bad_type_in_its_configuration() {
    let engine = engine();
    let loaded = engine
        .load_file(&sluice_guests::path("csv-converter"), WorldKind::Converter)
        .unwrap();
    let err = ConverterPlugin::new(
        &engine,
        loaded,
        pairs(&[("fields", "id:integer")]),
        SandboxLimits::default(),
    )
    .err()
    .unwrap();
    assert!(
        matches!(&err.kind, PluginErrorKind::InvalidConfig(m) if m.contains("integer")),
        "{err}"
    );
}

#[test]
fn nest_flattener_lifts_nested_fields_to_the_top_of_schema_and_value() {
    let engine = engine();
    let loaded = engine
        .load_file(&sluice_guests::path("nest-flattener"), WorldKind::Flattener)
        .unwrap();
    let plugin = FlattenerPlugin::new(
        &engine,
        loaded,
        pairs(&[("delimiter", "__")]),
        SandboxLimits::default(),
    )
    .unwrap();
    let out = plugin.instantiate().unwrap().flatten(customers(3)).unwrap();
    assert_eq!(out.records.len(), 3);
    assert_eq!(out.origins, [0, 1, 2]);
    let first = &out.records[0].value;
    let schema = first.schema.as_ref().unwrap();
    assert_eq!(schema.name.as_deref(), Some("shop.Customer"));
    let fields: Vec<(&str, SchemaType, bool)> = schema
        .fields()
        .iter()
        .map(|f| (f.name.as_str(), f.schema.schema_type(), f.schema.optional))
        .collect();
    assert_eq!(
        fields,
        [
            ("id", SchemaType::Int64, false),
            ("kind", SchemaType::String, false),
            // Inside an optional struct, so optional.
            ("address__city", SchemaType::String, true),
            ("address__zip", SchemaType::Int32, true),
        ]
    );
    assert_eq!(
        first.value.get("address__city"),
        Some(&Value::String("Paris".into()))
    );
    assert_eq!(first.value.get("address__zip"), Some(&Value::Int32(75000)));
    assert_eq!(
        out.records[1].value.value.get("address__city"),
        Some(&Value::String("Lyon".into()))
    );
    // The records sent the same schema: the host built it once (the sink caches its
    // row plan and checks its table by the schema's address).
    let schema_of = |i: usize| out.records[i].value.schema.clone().unwrap();
    assert!(std::sync::Arc::ptr_eq(&schema_of(0), &schema_of(1)));
    assert!(std::sync::Arc::ptr_eq(&schema_of(0), &schema_of(2)));
    // A null struct gives null fields.
    let third = &out.records[2].value.value;
    assert_eq!(third.get("address__city"), Some(&Value::Null));
    assert_eq!(third.get("id"), Some(&Value::Int64(2)));
    for r in &out.records {
        r.value
            .schema
            .as_ref()
            .unwrap()
            .validate(&r.value.value)
            .unwrap();
    }
}

#[test]
fn each_world_is_refused_as_another_with_what_it_is() {
    let engine = engine();
    for (guest, is, asked) in [
        ("field-equals", "predicate", WorldKind::Transform),
        ("csv-converter", "converter", WorldKind::Predicate),
        ("nest-flattener", "flattener", WorldKind::Transform),
        ("mask-field", "transform", WorldKind::Flattener),
    ] {
        let err = engine
            .load_file(&sluice_guests::path(guest), asked)
            .err()
            .unwrap_or_else(|| panic!("{guest} loaded as a {}", asked.name()));
        match &err.kind {
            PluginErrorKind::WrongWorld(m) => {
                assert!(m.contains(&format!("it is a {is}")), "{guest}: {m}");
                assert!(m.contains(asked.interface()), "{guest}: {m}");
            }
            other => panic!("{guest}: expected WrongWorld, got {other:?}"),
        }
    }
}

#[test]
fn a_component_loaded_as_one_world_cannot_be_used_as_another() {
    let engine = engine();
    let loaded = engine
        .load_file(&sluice_guests::path("field-equals"), WorldKind::Predicate)
        .unwrap();
    let err = FlattenerPlugin::describe(&engine, &loaded, SandboxLimits::default())
        .expect_err("a predicate is not a flattener");
    assert!(
        matches!(&err.kind, PluginErrorKind::WrongWorld(m) if m.contains("loaded as a predicate")),
        "{err}"
    );
}
