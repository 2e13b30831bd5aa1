//! The engine against real guests built from transforms/: transforms work, and every
//! way a guest can misbehave becomes a typed error naming it while the host carries on.

use std::time::{Duration, Instant};

use sluice_engine::{
    CacheOutcome, PluginErrorKind, SandboxLimits, SwapError, SwappableTransform, TransformPlugin,
    WasmEngine, WorldKind,
};
use sluice_record::{Data, Record, SchemaBuilder, Struct, Value};

fn engine() -> WasmEngine {
    WasmEngine::new(None).expect("engine")
}

fn plugin(
    engine: &WasmEngine,
    guest: &str,
    config: &[(&str, &str)],
    limits: SandboxLimits,
) -> TransformPlugin {
    let loaded = engine
        .load_file(&sluice_guests::path(guest), WorldKind::Transform)
        .expect("load");
    let config = config
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    TransformPlugin::new(engine, loaded, config, limits).expect("configure")
}

fn records(n: usize) -> Vec<Record> {
    let schema = SchemaBuilder::structure()
        .field("name", SchemaBuilder::string().build_ref())
        .field("ssn", SchemaBuilder::string().optional().build_ref())
        .build_ref();
    (0..n)
        .map(|i| {
            let v = Struct::new(schema.clone())
                .with("name", format!("n{i}"))
                .with("ssn", format!("123-45-{i:04}"));
            Record::new("people", 2, 100 + i as i64)
                .with_value(Data::with_schema(schema.clone(), Value::Struct(v)))
                .with_timestamp(1_000 + i as i64)
        })
        .collect()
}

fn tight() -> SandboxLimits {
    SandboxLimits {
        memory_max_bytes: 16 << 20,
        cpu_budget: Duration::from_millis(200),
        ..SandboxLimits::default()
    }
}

#[test]
fn mask_field_masks_and_describes_itself() {
    let engine = engine();
    let p = plugin(
        &engine,
        "mask-field",
        &[("fields", "ssn")],
        SandboxLimits::default(),
    );
    assert!(
        p.properties()
            .iter()
            .any(|p| p.name == "fields" && p.default.is_none())
    );
    let out = p.instantiate().unwrap().apply(records(3)).unwrap();
    assert_eq!(out.records.len(), 3);
    for r in &out.records {
        assert_eq!(r.value.value.get("ssn"), Some(&Value::String("".into())));
        assert!(
            r.value
                .value
                .get("name")
                .unwrap()
                .as_str()
                .unwrap()
                .starts_with('n')
        );
    }
}

#[test]
fn insert_field_adds_typed_fields_to_the_schema() {
    let engine = engine();
    let p = plugin(
        &engine,
        "insert-field",
        &[
            ("topic.field", "t"),
            ("offset.field", "o"),
            ("partition.field", "p"),
            ("timestamp.field", "ts"),
            ("static.field", "src"),
            ("static.value", "kafka"),
        ],
        SandboxLimits::default(),
    );
    let out = p.instantiate().unwrap().apply(records(2)).unwrap();
    let r = &out.records[1];
    assert_eq!(
        r.value.value.get("t"),
        Some(&Value::String("people".into()))
    );
    assert_eq!(r.value.value.get("o"), Some(&Value::Int64(101)));
    assert_eq!(r.value.value.get("p"), Some(&Value::Int32(2)));
    assert_eq!(r.value.value.get("ts"), Some(&Value::Int64(1_001)));
    assert_eq!(
        out.records[0].value.value.get("o"),
        Some(&Value::Int64(100))
    );
    assert_eq!(
        r.value.value.get("src"),
        Some(&Value::String("kafka".into()))
    );
    let schema = r.value.schema.as_ref().unwrap();
    schema.validate(&r.value.value).unwrap();
    assert_eq!(schema.fields().len(), 7);
}

#[test]
fn a_column_that_starts_with_nulls_still_gives_every_record_one_schema() {
    let engine = engine();
    let p = plugin(
        &engine,
        "insert-field",
        &[("timestamp.field", "ts")],
        SandboxLimits::default(),
    );
    // The first and third records have no timestamp: their nulls are written after the
    // second record's value has added the field, so all three share its schema.
    let mut batch = records(3);
    batch[0].timestamp = None;
    batch[2].timestamp = None;
    let out = p.instantiate().unwrap().apply(batch).unwrap();
    let values: Vec<Option<&Value>> = out
        .records
        .iter()
        .map(|r| r.value.value.get("ts"))
        .collect();
    assert_eq!(
        values,
        [
            Some(&Value::Null),
            Some(&Value::Int64(1_001)),
            Some(&Value::Null)
        ]
    );
    let schema = out.records[1].value.schema.as_ref().unwrap();
    assert!(schema.field("ts").is_some());
    for r in &out.records {
        assert!(
            std::sync::Arc::ptr_eq(r.value.schema.as_ref().unwrap(), schema),
            "{r:?}"
        );
        schema.validate(&r.value.value).unwrap();
    }
}

#[test]
fn bad_configuration_is_a_typed_error_naming_the_component() {
    let engine = engine();
    let loaded = engine
        .load_file(&sluice_guests::path("mask-field"), WorldKind::Transform)
        .unwrap();
    let err = TransformPlugin::new(
        &engine,
        loaded,
        vec![("feilds".into(), "x".into())],
        SandboxLimits::default(),
    )
    .err()
    .expect("unknown property rejected");
    assert_eq!(err.component, "mask_field");
    assert!(
        matches!(&err.kind, PluginErrorKind::InvalidConfig(m) if m.contains("feilds")),
        "{err}"
    );
}

#[test]
fn a_spinning_guest_is_stopped_within_its_budget_and_the_host_carries_on() {
    let engine = engine();
    let p = plugin(&engine, "spin", &[], tight());
    let mut instance = p.instantiate().unwrap();
    let started = Instant::now();
    let err = instance.apply(records(1)).unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "took {:?}",
        started.elapsed()
    );
    assert_eq!(err.component, "spin");
    assert!(
        matches!(err.kind, PluginErrorKind::Timeout { budget_ms: 200 }),
        "{err}"
    );
    assert!(err.to_string().contains("spin"));
    // The poisoned instance is replaced on the next call, which fails the same way
    // rather than with "cannot enter component instance".
    let again = instance.apply(records(1)).unwrap_err();
    assert!(
        matches!(again.kind, PluginErrorKind::Timeout { .. }),
        "{again}"
    );
    // And other components in the same engine still work.
    let ok = plugin(
        &engine,
        "mask-field",
        &[("fields", "ssn")],
        SandboxLimits::default(),
    );
    assert_eq!(
        ok.instantiate()
            .unwrap()
            .apply(records(2))
            .unwrap()
            .records
            .len(),
        2
    );
}

#[test]
fn a_memory_bomb_hits_the_memory_limit() {
    let engine = engine();
    let p = plugin(&engine, "alloc-bomb", &[], tight());
    let err = p.instantiate().unwrap().apply(records(1)).unwrap_err();
    assert_eq!(err.component, "alloc_bomb");
    assert!(
        matches!(err.kind, PluginErrorKind::OutOfMemory { limit_bytes } if limit_bytes == 16 << 20),
        "{err}"
    );
}

#[test]
fn a_panicking_guest_becomes_a_trap_error_with_its_message() {
    let engine = engine();
    let p = plugin(&engine, "trap", &[], tight());
    let mut instance = p.instantiate().unwrap();
    let err = instance.apply(records(1)).unwrap_err();
    assert_eq!(err.component, "trap");
    match &err.kind {
        PluginErrorKind::Trap(m) => assert!(m.contains("deliberate panic"), "{m}"),
        other => panic!("expected a trap, got {other:?}"),
    }
    assert!(err.poisons_instance());
}

#[test]
fn a_component_of_the_wrong_world_is_refused_with_what_it_is() {
    let engine = engine();
    let err = engine
        .load_file(&sluice_guests::path("wrong-world"), WorldKind::Transform)
        .err()
        .expect("a predicate is not a transform");
    assert_eq!(err.component, "wrong_world");
    match &err.kind {
        PluginErrorKind::WrongWorld(m) => {
            assert!(m.contains("it is a predicate"), "{m}");
            assert!(m.contains("transform-records"), "{m}");
        }
        other => panic!("expected WrongWorld, got {other:?}"),
    }
    // It loads as what it is.
    engine
        .load_file(&sluice_guests::path("wrong-world"), WorldKind::Predicate)
        .expect("loads as a predicate");
}

#[test]
fn not_a_component_is_a_load_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("junk.wasm");
    std::fs::write(&path, b"not wasm at all").unwrap();
    let err = engine()
        .load_file(&path, WorldKind::Transform)
        .err()
        .unwrap();
    assert_eq!(err.component, "junk");
    assert!(matches!(err.kind, PluginErrorKind::Load(_)), "{err}");
}

#[test]
fn a_second_compile_is_served_from_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let guest = sluice_guests::path("mask-field");
    let first = WasmEngine::new(Some(dir.path().to_path_buf())).unwrap();
    assert_eq!(
        first.load_file(&guest, WorldKind::Transform).unwrap().cache,
        CacheOutcome::Compiled
    );
    let artifacts = std::fs::read_dir(dir.path()).unwrap().count();
    assert_eq!(artifacts, 1, "one compiled artifact written");
    // A new engine (as after a restart) loads the artifact instead of compiling.
    let second = WasmEngine::new(Some(dir.path().to_path_buf())).unwrap();
    let loaded = second.load_file(&guest, WorldKind::Transform).unwrap();
    assert_eq!(loaded.cache, CacheOutcome::Hit);
    let p = TransformPlugin::new(
        &second,
        loaded,
        vec![("fields".into(), "ssn".into())],
        SandboxLimits::default(),
    )
    .unwrap();
    assert_eq!(
        p.instantiate()
            .unwrap()
            .apply(records(1))
            .unwrap()
            .records
            .len(),
        1
    );
}

#[test]
fn a_swap_takes_effect_at_the_next_batch() {
    let engine = engine();
    let passthrough = plugin(&engine, "passthrough", &[], SandboxLimits::default());
    let mask = plugin(
        &engine,
        "mask-field",
        &[("fields", "ssn")],
        SandboxLimits::default(),
    );
    let mut t = SwappableTransform::new(passthrough.instantiate().unwrap());
    let before = t.apply(records(2)).unwrap();
    assert_eq!(
        before.records[0].value.value.get("ssn"),
        Some(&Value::String("123-45-0000".into()))
    );
    let outcome = t.handle().stage(mask.instantiate().unwrap());
    assert!(
        outcome.try_recv().is_err(),
        "nothing happens until a batch goes through"
    );
    let after = t.apply(records(2)).unwrap();
    assert!(outcome.try_recv().unwrap().is_ok());
    assert_eq!(after.records.len(), 2);
    assert_eq!(
        after.records[0].value.value.get("ssn"),
        Some(&Value::String("".into()))
    );
    assert_eq!(t.component_name(), "mask_field");
}

#[test]
fn a_swap_that_fails_its_first_batch_is_rolled_back_without_losing_the_batch() {
    let engine = engine();
    let mask = plugin(
        &engine,
        "mask-field",
        &[("fields", "ssn")],
        SandboxLimits::default(),
    );
    let broken = plugin(&engine, "trap", &[], SandboxLimits::default());
    let mut t = SwappableTransform::new(mask.instantiate().unwrap());
    let outcome = t.handle().stage(broken.instantiate().unwrap());
    let out = t.apply(records(3)).unwrap();
    // The old transform processed the very batch the new one failed on.
    assert_eq!(out.records.len(), 3);
    assert!(
        out.records
            .iter()
            .all(|r| r.value.value.get("ssn") == Some(&Value::String("".into())))
    );
    match outcome.try_recv().unwrap() {
        Err(SwapError::RolledBack(e)) => assert_eq!(e.component, "trap"),
        other => panic!("expected a rollback, got {other:?}"),
    }
    assert_eq!(t.component_name(), "mask_field");
}

#[test]
fn a_component_that_rejects_its_configuration_never_gets_staged() {
    let engine = engine();
    let loaded = engine
        .load_file(&sluice_guests::path("fail-configure"), WorldKind::Transform)
        .unwrap();
    let err = TransformPlugin::new(&engine, loaded, vec![], SandboxLimits::default())
        .err()
        .unwrap();
    assert!(
        matches!(&err.kind, PluginErrorKind::InvalidConfig(m) if m.contains("answer")),
        "{err}"
    );
}

#[test]
fn outputs_say_which_input_record_each_came_from() {
    let engine = engine();
    let p = plugin(
        &engine,
        "sorter",
        &[("field", "name"), ("reject", "n1"), ("drop", "n2")],
        SandboxLimits::default(),
    );
    let out = p.instantiate().unwrap().apply(records(5)).unwrap();
    assert_eq!(out.origins, [0, 3, 4]);
    assert_eq!(out.records.len(), out.origins.len());
    assert_eq!(out.rejected_origins, [1]);
    assert_eq!(out.rejected[0].0.offset, 101);
    assert_eq!(out.discarded, 1);
}

#[test]
fn a_component_describes_itself_without_being_configured() {
    let engine = engine();
    let loaded = engine
        .load_file(&sluice_guests::path("mask-field"), WorldKind::Transform)
        .unwrap();
    // mask-field refuses an empty configuration, but can still say what it takes.
    let declared = TransformPlugin::describe(&engine, &loaded, SandboxLimits::default()).unwrap();
    let names: Vec<&str> = declared.iter().map(|p| p.name.as_str()).collect();
    assert!(
        names.contains(&"fields") && names.contains(&"part"),
        "{names:?}"
    );
    assert!(TransformPlugin::new(&engine, loaded, Vec::new(), SandboxLimits::default()).is_err());
}
