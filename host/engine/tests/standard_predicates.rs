//! The standard predicates (transforms/has-header-key, record-is-tombstone) through
//! the predicate world, on what their golden files (`sluice transform test`,
//! host/sluice/tests/transform_golden.rs) cannot hold: a repeated header (JSON lines
//! give a record an object of headers) and an empty batch.

use sluice_engine::{PluginErrorKind, PredicatePlugin, SandboxLimits, WasmEngine, WorldKind};
use sluice_record::{Data, Record, SchemaBuilder, Struct, Value};

fn predicate(guest: &str, config: &[(&str, &str)]) -> Result<PredicatePlugin, String> {
    let engine = WasmEngine::new(None).expect("engine");
    let loaded = engine
        .load_file(&sluice_guests::path(guest), WorldKind::Predicate)
        .expect("load");
    let config = config
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    PredicatePlugin::new(&engine, loaded, config, SandboxLimits::default()).map_err(|e| {
        match e.kind {
            PluginErrorKind::InvalidConfig(m) => m,
            other => panic!("expected invalid-config, got {other:?}"),
        }
    })
}

/// A schema'd record, a schemaless one, a schema'd tombstone, a schemaless tombstone
/// and a record whose value is a null-valued struct field (not a tombstone); with
/// assorted headers.
fn records() -> Vec<Record> {
    let schema = SchemaBuilder::structure()
        .field("id", SchemaBuilder::int64().build_ref())
        .field("note", SchemaBuilder::string().optional().build_ref())
        .build_ref();
    let row = |id: i64, note: Value| {
        Data::with_schema(
            schema.clone(),
            Value::Struct(
                Struct::new(schema.clone())
                    .with("id", id)
                    .with("note", note),
            ),
        )
    };
    let optional = SchemaBuilder::structure()
        .field("id", SchemaBuilder::int64().build_ref())
        .optional()
        .build_ref();
    vec![
        Record::new("t", 0, 0)
            .with_value(row(1, Value::String("a".into())))
            .with_header("trace", Some(b"t-1".to_vec()))
            .with_header("trace", Some(b"t-2".to_vec())),
        Record::new("t", 0, 1)
            .with_value(Data::schemaless(Value::Int32(7)))
            .with_header("Trace", Some(b"x".to_vec())),
        Record::new("t", 0, 2)
            .with_value(Data::with_schema(optional, Value::Null))
            .with_header("trace", None),
        Record::new("t", 0, 3).with_value(Data::schemaless(Value::Null)),
        Record::new("t", 0, 4).with_value(row(5, Value::Null)),
    ]
}

#[test]
fn has_header_key_is_true_for_records_with_the_header_whatever_its_value() {
    let p = predicate("has-header-key", &[("name", "trace")]).unwrap();
    let mut instance = p.instantiate().unwrap();
    // Names are case-sensitive; a null-valued header counts, a repeated one too.
    assert_eq!(
        instance.test(&records()).unwrap(),
        [true, false, true, false, false]
    );
}

#[test]
fn has_header_key_refuses_a_missing_empty_or_unknown_property() {
    let e = predicate("has-header-key", &[]).err().unwrap();
    assert!(e.contains("`name`"), "{e}");
    let e = predicate("has-header-key", &[("name", "")]).err().unwrap();
    assert!(e.contains("`name` must not be empty"), "{e}");
    let e = predicate("has-header-key", &[("name", "h"), ("key", "h")])
        .err()
        .unwrap();
    assert!(e.contains("unknown property `key`"), "{e}");
}

#[test]
fn record_is_tombstone_is_true_for_null_values_schemad_or_not() {
    let p = predicate("record-is-tombstone", &[]).unwrap();
    let mut instance = p.instantiate().unwrap();
    assert_eq!(
        instance.test(&records()).unwrap(),
        [false, false, true, true, false]
    );
    assert!(instance.test(&[]).unwrap().is_empty());
    let e = predicate("record-is-tombstone", &[("negate", "true")])
        .err()
        .unwrap();
    assert!(e.contains("unknown property `negate`"), "{e}");
}
