//! Pipelines end to end: records produced to (mock) Kafka arrive in (emulated) Kinetica
//! tables with the right columns and values, transforms apply, and stopping and
//! restarting loses nothing.

use crate::common;

use common::{Env, TIMEOUT, columns, eventually, s, sorted_by_first};
use sluice_kinetica::Value;

const ORDER_SCHEMA: &str = r#"{"type":"struct","fields":[{"field":"id","type":"int64","optional":false},{"field":"name","type":"string","optional":false},{"field":"ssn","type":"string","optional":true},{"field":"score","type":"double","optional":true}]}"#;

/// A Kafka Connect JSON envelope with [`ORDER_SCHEMA`].
fn order(id: i64, name: &str, ssn: Option<&str>, score: Option<f64>) -> String {
    let ssn = ssn.map_or("null".to_owned(), |s| format!("\"{s}\""));
    let score = score.map_or("null".to_owned(), |s| s.to_string());
    format!(
        r#"{{"schema":{ORDER_SCHEMA},"payload":{{"id":{id},"name":"{name}","ssn":{ssn},"score":{score}}}}}"#
    )
}

#[test]
fn json_with_schema_becomes_a_table_with_its_columns_and_rows() {
    let env = Env::new();
    env.create_topic("orders", 1);
    let values: Vec<String> = (0..5)
        .map(|i| {
            order(
                i,
                &format!("n{i}"),
                Some("123-45-6789"),
                (i % 2 == 0).then_some(i as f64 / 4.0),
            )
        })
        .collect();
    let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce("orders", &records);

    let config = env.config("p.yaml", &env.yaml("orders-p", "orders", ""));
    let pipeline = env.start(config);
    let rows = sorted_by_first(env.rows_when("orders", 5));
    let summary = pipeline.stop().unwrap();

    assert_eq!(
        columns(&env, "orders"),
        [
            ("id".into(), "long".into()),
            ("name".into(), "string".into()),
            ("ssn".into(), "string".into()),
            ("score".into(), "double".into()),
        ]
    );
    let want: Vec<Vec<Value>> = (0..5)
        .map(|i| {
            vec![
                Value::Long(i),
                s(&format!("n{i}")),
                s("123-45-6789"),
                if i % 2 == 0 {
                    Value::Double(i as f64 / 4.0)
                } else {
                    Value::Null
                },
            ]
        })
        .collect();
    assert_eq!(rows, want);
    let m = summary.metrics;
    assert_eq!((m.records_in, m.records_written), (5, 5));
    assert_eq!(m.rows_per_table.values().sum::<u64>(), 5);
    assert_eq!(env.committed("sluice-orders-p", "orders"), Some(5));
}

#[test]
fn schemaless_json_becomes_a_table() {
    let env = Env::new();
    env.create_topic("events", 1);
    env.produce(
        "events",
        &[
            (
                None,
                Some(r#"{"id": 1, "kind": "click", "ok": true, "x": 1.5}"#),
            ),
            (
                None,
                Some(r#"{"id": 2, "kind": "view", "ok": false, "x": 2}"#),
            ),
        ],
    );
    let yaml = env.yaml(
        "events-p",
        "events",
        "value.converter.schemas.enable: false",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let rows = sorted_by_first(env.rows_when("events", 2));
    pipeline.stop().unwrap();

    let names: Vec<String> = columns(&env, "events").into_iter().map(|c| c.0).collect();
    assert_eq!(names, ["id", "kind", "ok", "x"]);
    assert_eq!(rows[0][0], Value::Long(1));
    assert_eq!(rows[0][1], s("click"));
    assert_eq!(rows[1][1], s("view"));
    assert_eq!(rows[0][3], Value::Double(1.5));
    assert_eq!(rows[1][3], Value::Double(2.0));
}

#[test]
fn mask_field_masks_values_before_they_are_written() {
    let env = Env::new();
    env.create_topic("people", 1);
    let values: Vec<String> = (0..3)
        .map(|i| order(i, "ann", Some("123-45-6789"), None))
        .collect();
    let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce("people", &records);
    // Kafka Connect's class name works too, and means part=value.
    let yaml = env.yaml(
        "people-p",
        "people",
        "transforms: [mask]\n\
         transforms.mask.type: org.apache.kafka.connect.transforms.MaskField$Value\n\
         transforms.mask.fields: ssn",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    assert!(pipeline.swap_handles().contains_key("mask"));
    let rows = env.rows_when("people", 3);
    pipeline.stop().unwrap();
    for row in rows {
        assert_eq!(row[1], s("ann"), "unmasked field changed");
        assert_eq!(row[2], s(""), "ssn not masked");
    }
}

#[test]
fn a_transform_swapped_in_applies_from_the_next_batch() {
    let env = Env::new();
    env.create_topic("swaps", 1);
    let yaml = env.yaml(
        "swaps-p",
        "swaps",
        "transforms: [t]\ntransforms.t.type: passthrough",
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let first = order(1, "ann", Some("secret-1"), None);
    env.produce("swaps", &[(None, Some(first.as_str()))]);
    env.rows_when("swaps", 1);

    let loaded = env
        .engine
        .load_file(
            &sluice_guests::path("mask-field"),
            sluice_engine::WorldKind::Transform,
        )
        .unwrap();
    let plugin = sluice_engine::TransformPlugin::new(
        &env.engine,
        loaded,
        vec![("fields".into(), "ssn".into())],
        sluice_engine::SandboxLimits::default(),
    )
    .unwrap();
    let outcomes = pipeline.swap_handles()["t"].stage(&plugin).unwrap();
    assert_eq!(outcomes.len(), 1, "one task, one outcome");
    let second = order(2, "bob", Some("secret-2"), None);
    env.produce("swaps", &[(None, Some(second.as_str()))]);
    outcomes[0].recv_timeout(TIMEOUT).unwrap().unwrap();
    let rows = sorted_by_first(env.rows_when("swaps", 2));
    pipeline.stop().unwrap();
    assert_eq!(rows[0][2], s("secret-1"), "written before the swap");
    assert_eq!(rows[1][2], s(""), "written after the swap");
}

#[test]
fn stopping_and_restarting_loses_nothing() {
    let env = Env::new();
    env.create_topic("ledger", 1);
    let produce = |from: i64, to: i64| {
        let values: Vec<String> = (from..to).map(|i| order(i, "x", None, None)).collect();
        let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
        env.produce("ledger", &records);
    };
    let yaml = env.yaml("ledger-p", "ledger", "batch.max.records: 7");
    produce(0, 30);
    let pipeline = env.start(env.config("p.yaml", &yaml));
    env.rows_when("ledger", 30);
    let first = pipeline.stop().unwrap();
    assert_eq!(first.metrics.records_written, 30);
    assert_eq!(env.committed("sluice-ledger-p", "ledger"), Some(30));

    // Written while no pipeline runs; the restarted one continues from the commit.
    produce(30, 50);
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let rows = env.rows_when("ledger", 50);
    eventually("the commit of the last batch", TIMEOUT, || {
        (env.committed("sluice-ledger-p", "ledger") == Some(50)).then_some(())
    });
    let second = pipeline.stop().unwrap();
    assert_eq!(second.metrics.records_in, 20, "re-read committed records");
    let mut ids: Vec<i64> = rows
        .iter()
        .map(|r| match r[0] {
            Value::Long(v) => v,
            ref other => panic!("id {other:?}"),
        })
        .collect();
    ids.sort_unstable();
    assert_eq!(ids, (0..50).collect::<Vec<_>>(), "lost or duplicated rows");
}

#[test]
fn several_tasks_share_the_partitions() {
    let env = Env::new();
    env.create_topic("wide", 4);
    let values: Vec<String> = (0..40).map(|i| order(i, "w", None, None)).collect();
    let raw: Vec<_> = values
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let mut r = common::raw("wide", None, Some(v.as_bytes()), Vec::new());
            r.partition = (i % 4) as i32;
            r
        })
        .collect();
    env.produce_raw("wide", &raw);
    let yaml = env.yaml("wide-p", "wide", "tasks.max: 2");
    let pipeline = env.start(env.config("p.yaml", &yaml));
    env.rows_when("wide", 40);
    let summary = pipeline.stop().unwrap();
    assert_eq!(summary.metrics.records_written, 40);
    assert_eq!(env.emulator.row_count("wide"), Some(40));
}
