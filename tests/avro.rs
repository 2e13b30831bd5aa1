//! Avro with a real Schema Registry (Apicurio Registry's Confluent-compatible API),
//! records produced by Confluent's own serializer (Python's `confluent-kafka`
//! `AvroSerializer`), over the real Kafka broker into the Kinetica emulator: schema
//! evolution across four versions, and records the registry or the codec cannot read.
//! Fails (never skips) when Java, Maven or `confluent-kafka` are missing.

use crate::common;

use common::{Env, TIMEOUT, header, raw};
use serde_json::{Value as Json, json};
use sluice_kinetica::Value;
use sluice_runtime::{FailureKind, Stage};
use sluice_schema_registry::testing::{self, shared_registry};

/// Produces `records` with Confluent's serializer through the shared registry.
fn produce_avro(env: &Env, topic: &str, schema: &Json, records: &[Json]) -> u32 {
    testing::produce_avro(
        env.bootstrap(),
        &shared_registry().url(),
        topic,
        schema,
        records,
        env.dir.path(),
    )
}

/// A pipeline reading Avro values through the shared registry into the table named
/// after the topic.
fn avro_yaml(env: &Env, name: &str, topic: &str, extra: &str) -> String {
    common::logs();
    env.yaml(
        name,
        topic,
        &format!(
            "value.converter: io.confluent.connect.avro.AvroConverter\n\
             value.converter.schema.registry.url: {}\n\
             kinetica.tables.single_table_per_topic: true\n\
             {extra}",
            shared_registry().url()
        ),
    )
}

fn record(name: &str, fields: Json) -> Json {
    json!({"type": "record", "name": name, "namespace": "com.acme", "fields": fields})
}

#[test]
fn four_schema_versions_end_in_one_table_with_every_value_and_the_right_nullability() {
    let env = Env::new();
    let topic = "avro_orders";
    env.create_topic(topic, 1);
    let v1 = record(
        "Order",
        json!([{"name": "id", "type": "long"}, {"name": "name", "type": "string"}]),
    );
    let v2 = record(
        "Order",
        json!([
            {"name": "id", "type": "long"},
            {"name": "name", "type": "string"},
            {"name": "note", "type": ["null", "string"], "default": null}
        ]),
    );
    // `name` removed.
    let v3 = record(
        "Order",
        json!([
            {"name": "id", "type": "long"},
            {"name": "note", "type": ["null", "string"], "default": null}
        ]),
    );
    // `qty` added with a default.
    let v4 = record(
        "Order",
        json!([
            {"name": "id", "type": "long"},
            {"name": "note", "type": ["null", "string"], "default": null},
            {"name": "qty", "type": "int", "default": 1}
        ]),
    );
    let ids = [
        produce_avro(&env, topic, &v1, &[json!({"id": 1, "name": "a"})]),
        produce_avro(
            &env,
            topic,
            &v2,
            &[json!({"id": 2, "name": "b", "note": "n2"})],
        ),
        produce_avro(&env, topic, &v3, &[json!({"id": 3, "note": "n3"})]),
        produce_avro(
            &env,
            topic,
            &v4,
            &[json!({"id": 4, "note": null, "qty": 7})],
        ),
    ];
    assert_eq!(
        ids.iter().collect::<std::collections::BTreeSet<_>>().len(),
        4,
        "four schemas registered: {ids:?}"
    );

    let yaml = avro_yaml(
        &env,
        "avro-evolve",
        topic,
        "kinetica.schema_evolution.enabled: true\n\
         kinetica.schema_evolution.add_new_fields_as_columns: true\n\
         kinetica.schema_evolution.make_missing_field_nullable: true",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let rows = common::sorted_by_first(env.rows_when(topic, 4));
    pipeline.stop().unwrap();

    let columns = common::columns(&env, topic);
    let names: Vec<&str> = columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, ["id", "name", "note", "qty"], "{columns:?}");
    let ty = env.emulator.table_type(topic).unwrap();
    let nullable = |c: &str| {
        ty.columns()
            .iter()
            .find(|col| col.name == c)
            .unwrap()
            .nullable
    };
    assert!(!nullable("id"));
    assert!(nullable("name"), "v3 dropped name: it became nullable");
    assert!(
        nullable("note") && nullable("qty"),
        "added columns are nullable"
    );
    let s = common::s;
    assert_eq!(
        rows,
        [
            vec![Value::Long(1), s("a"), Value::Null, Value::Null],
            vec![Value::Long(2), s("b"), s("n2"), Value::Null],
            vec![Value::Long(3), Value::Null, s("n3"), Value::Null],
            vec![Value::Long(4), Value::Null, Value::Null, Value::Int(7)],
        ]
    );
    // And Kinetica's own client reads the same.
    crate::gpudb::require_gpudb();
    let expected = json!({
        "columns": {"id": "long", "name": "string", "note": "string", "qty": "int"},
        "nullable": ["name", "note", "qty"],
        "key": "id",
        "rows": [
            {"id": 1, "name": "a", "note": null, "qty": null},
            {"id": 2, "name": "b", "note": "n2", "qty": null},
            {"id": 3, "name": null, "note": "n3", "qty": null},
            {"id": 4, "name": null, "note": null, "qty": 7},
        ],
    });
    let out = crate::gpudb::read_back(&env, topic, &expected);
    assert!(out.contains("read back 4 rows"), "{out}");
}

#[test]
fn an_unknown_schema_id_and_a_corrupt_body_go_to_the_dead_letter_queue_with_their_bytes() {
    let env = Env::new();
    let topic = "avro_bad";
    env.create_topic(topic, 1);
    env.create_topic("avro_bad-dlq", 1);
    let schema = record("Thing", json!([{"name": "id", "type": "long"}]));
    let id = produce_avro(&env, topic, &schema, &[json!({"id": 1})]);
    // Offset 1: an id no registry holds; offset 2: a known id with a truncated body
    // (a long's varint with its continuation bit set and nothing after it).
    let unknown = [0u8, 0x7f, 0xff, 0xff, 0xf0, 2];
    let mut corrupt = vec![0u8];
    corrupt.extend_from_slice(&id.to_be_bytes());
    corrupt.push(0x80);
    env.produce_raw(
        topic,
        &[
            raw(topic, None, Some(&unknown), Vec::new()),
            raw(topic, None, Some(&corrupt), Vec::new()),
        ],
    );
    produce_avro(&env, topic, &schema, &[json!({"id": 4})]);

    let yaml = avro_yaml(
        &env,
        "avro-bad",
        topic,
        "errors.tolerance: all\n\
         errors.deadletterqueue.topic.name: avro_bad-dlq\n\
         errors.deadletterqueue.context.headers.enable: true",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let rows = common::sorted_by_first(env.rows_when(topic, 2));
    let dead = env.read_topic("avro_bad-dlq", 2);
    pipeline.stop().unwrap();
    assert_eq!(rows, [vec![Value::Long(1)], vec![Value::Long(4)]]);
    assert_eq!(
        dead[0].value.as_deref(),
        Some(&unknown[..]),
        "original bytes"
    );
    assert_eq!(
        dead[1].value.as_deref(),
        Some(&corrupt[..]),
        "original bytes"
    );
    let message = |r| header(r, "__connect.errors.exception.message").unwrap_or_default();
    assert!(
        message(&dead[0]).contains("schema id 2147483632"),
        "{}",
        message(&dead[0])
    );
    assert!(
        message(&dead[1]).contains("ends early"),
        "{}",
        message(&dead[1])
    );
    assert_eq!(header(&dead[1], "__connect.errors.offset"), Some("2"));
    assert_eq!(
        header(&dead[1], "__connect.errors.stage"),
        Some("VALUE_CONVERTER")
    );
}

#[test]
fn with_tolerance_none_a_corrupt_body_stops_the_pipeline_naming_the_record() {
    let env = Env::new();
    let topic = "avro_strict";
    env.create_topic(topic, 1);
    let schema = record("Thing", json!([{"name": "id", "type": "long"}]));
    let id = produce_avro(&env, topic, &schema, &[json!({"id": 1})]);
    let mut corrupt = vec![0u8];
    corrupt.extend_from_slice(&id.to_be_bytes());
    corrupt.extend_from_slice(&[2, 0xff]);
    env.produce_raw(topic, &[raw(topic, None, Some(&corrupt), Vec::new())]);

    let pipeline = env.start(env.config("p.yaml", &avro_yaml(&env, "avro-strict", topic, "")));
    assert!(pipeline.wait(Some(TIMEOUT)), "the pipeline did not stop");
    let error = pipeline.stop().unwrap_err();
    let text = error.to_string();
    assert!(text.contains("avro_strict-0@1"), "{text}");
    assert!(text.contains("left over"), "{text}");
    assert!(text.contains(&format!("schema id {id}")), "{text}");
    match *error.kind {
        FailureKind::BadRecord { stage, .. } => assert_eq!(stage, Stage::ValueConverter),
        other => panic!("{other:?}"),
    }
}

#[test]
fn an_unreachable_registry_is_waited_out_and_nothing_is_dead_lettered() {
    use sluice_kinetica_emulator::fault_proxy::{Fault, FaultProxy};
    use sluice_runtime::PipelineState;

    let env = Env::new();
    let topic = "avro_outage";
    env.create_topic(topic, 1);
    env.create_topic("avro_outage-dlq", 1);
    let schema = record("Thing", json!([{"name": "id", "type": "long"}]));
    produce_avro(&env, topic, &schema, &[json!({"id": 1}), json!({"id": 2})]);

    // The pipeline reaches the registry through a proxy that answers 503.
    let registry = shared_registry().url();
    let root = registry.trim_start_matches("http://");
    let (address, path) = root.split_once('/').unwrap();
    let proxy = FaultProxy::start(address.parse().unwrap()).unwrap();
    proxy.set(Fault::Unavailable);
    let yaml = env.yaml(
        "avro-outage",
        topic,
        &format!(
            "value.converter: avro\n\
             value.converter.schema.registry.url: {}/{path}\n\
             kinetica.tables.single_table_per_topic: true\n\
             errors.tolerance: all\n\
             errors.deadletterqueue.topic.name: avro_outage-dlq",
            proxy.url()
        ),
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let waiting = common::eventually("the pipeline to be degraded", TIMEOUT, || {
        let status = pipeline.status();
        (status.state == PipelineState::Degraded).then(|| status.degraded[0].clone())
    });
    assert!(
        waiting.waiting_for.contains("schema registry"),
        "{waiting:?}"
    );
    assert!(waiting.reason.contains("503"), "{waiting:?}");

    proxy.set(Fault::None);
    let rows = common::sorted_by_first(env.rows_when(topic, 2));
    assert_eq!(rows, [vec![Value::Long(1)], vec![Value::Long(2)]]);
    let summary = pipeline.stop().unwrap();
    assert_eq!(
        summary.metrics.records_dead_lettered, 0,
        "the outage was not the records' fault"
    );
    assert_eq!(summary.metrics.outages, 1);
}
