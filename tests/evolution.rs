//! Schema evolution end to end: JSON records with schemas v1 → v2 (an optional field
//! added) → v3 (a field removed) → v4 (a field with a default added) on one topic end in
//! one table with the union of the columns, the right nullability and every value, read
//! back with Kinetica's own Python client; an incompatible type change goes to the dead
//! letter queue or stops the pipeline, naming the field and the record; a new schemaless
//! key becomes a column.

use crate::common;
use crate::gpudb::{read_back, require_gpudb};

use common::{Env, TIMEOUT, header};
use serde_json::{Value as Json, json};
use sluice_runtime::{FailureKind, dlq_headers};

const EVOLVE: &str = "kinetica.tables.single_table_per_topic: true\n\
     kinetica.schema_evolution.enabled: true\n\
     kinetica.schema_evolution.add_new_fields_as_columns: true\n\
     kinetica.schema_evolution.make_missing_field_nullable: true";

fn field(name: &str, ty: &str, optional: bool) -> Json {
    json!({"field": name, "type": ty, "optional": optional})
}

fn schema(version: i32, fields: Vec<Json>) -> Json {
    json!({"type": "struct", "name": "com.acme.Item", "version": version, "fields": fields})
}

/// The four versions.
fn versions() -> [Json; 4] {
    let mut unit = field("unit", "string", false);
    unit["default"] = json!("kg");
    [
        schema(
            1,
            vec![field("id", "int64", false), field("name", "string", false)],
        ),
        schema(
            2,
            vec![
                field("id", "int64", false),
                field("name", "string", false),
                field("qty", "int32", true),
            ],
        ),
        schema(
            3,
            vec![field("id", "int64", false), field("qty", "int32", true)],
        ),
        schema(
            4,
            vec![
                field("id", "int64", false),
                field("qty", "int32", true),
                unit,
            ],
        ),
    ]
}

fn envelope(schema: &Json, payload: Json) -> String {
    json!({"schema": schema, "payload": payload}).to_string()
}

#[test]
fn four_schema_versions_end_in_one_table_that_gpudb_reads_back() {
    require_gpudb();
    let env = Env::new();
    env.create_topic("items", 1);
    let [v1, v2, v3, v4] = versions();
    let values = [
        envelope(&v1, json!({"id": 0, "name": "a"})),
        envelope(&v1, json!({"id": 1, "name": "b"})),
        envelope(&v2, json!({"id": 2, "name": "c", "qty": 20})),
        envelope(&v2, json!({"id": 3, "name": "d", "qty": null})),
        envelope(&v3, json!({"id": 4, "qty": 40})),
        envelope(&v4, json!({"id": 5, "qty": 50, "unit": "lb"})),
        envelope(&v4, json!({"id": 6, "qty": null})),
    ];
    let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce("items", &records);
    let pipeline = env.start(env.config("p.yaml", &env.yaml("evolve-p", "items", EVOLVE)));
    env.rows_when("items", values.len());
    common::eventually("the commit", TIMEOUT, || {
        (env.committed("sluice-evolve-p", "items") == Some(7)).then_some(())
    });
    let summary = pipeline.stop().unwrap();
    assert_eq!(summary.metrics.records_written, 7);

    // Schemas without `unit` leave it null; a v4 record's null reads its default.
    let row = |id: i64, name: Json, qty: Json, unit: Json| json!({"id": id, "name": name, "qty": qty, "unit": unit});
    let expected = json!({
        "columns": {"id": "long", "name": "string", "qty": "int", "unit": "string"},
        "nullable": ["name", "qty", "unit"],
        "key": "id",
        "rows": [
            row(0, json!("a"), Json::Null, Json::Null),
            row(1, json!("b"), Json::Null, Json::Null),
            row(2, json!("c"), json!(20), Json::Null),
            row(3, json!("d"), Json::Null, Json::Null),
            row(4, Json::Null, json!(40), Json::Null),
            row(5, Json::Null, json!(50), json!("lb")),
            row(6, Json::Null, Json::Null, json!("kg")),
        ],
    });
    let out = read_back(&env, "items", &expected);
    assert!(out.contains("read back 7 rows"), "{out}");
}

/// v1 and a schema where `name` turned from string into bytes, which no string column
/// takes.
fn incompatible_records(env: &Env, topic: &str) -> Vec<String> {
    let [v1, ..] = versions();
    let bad = schema(
        9,
        vec![field("id", "int64", false), field("name", "bytes", false)],
    );
    let values = vec![
        envelope(&v1, json!({"id": 0, "name": "a"})),
        envelope(&bad, json!({"id": 1, "name": "AQI="})),
        envelope(&v1, json!({"id": 2, "name": "c"})),
    ];
    env.create_topic(topic, 1);
    let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce(topic, &records);
    values
}

const INCOMPATIBLE: &str = "field \"name\" is bytes in the record's schema but column \"name\" \
                            of table";

#[test]
fn an_incompatible_type_change_goes_to_the_dead_letter_queue_naming_field_and_record() {
    let env = Env::new();
    let values = incompatible_records(&env, "clash");
    env.create_topic("clash-dlq", 1);
    let yaml = env.yaml(
        "clash-p",
        "clash",
        &format!(
            "{EVOLVE}\n\
             errors.tolerance: all\n\
             errors.deadletterqueue.topic.name: clash-dlq\n\
             errors.deadletterqueue.context.headers.enable: true"
        ),
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let dead = env.read_topic("clash-dlq", 1);
    env.rows_when("clash", 2);
    common::eventually("the commit", TIMEOUT, || {
        (env.committed("sluice-clash-p", "clash") == Some(3)).then_some(())
    });
    pipeline.stop().unwrap();
    assert_eq!(header(&dead[0], dlq_headers::OFFSET), Some("1"));
    assert_eq!(header(&dead[0], dlq_headers::TOPIC), Some("clash"));
    assert_eq!(header(&dead[0], dlq_headers::PARTITION), Some("0"));
    assert_eq!(dead[0].value.as_deref(), Some(values[1].as_bytes()));
    // The coordinates travel in the headers above, as with Kafka Connect.
    let message = header(&dead[0], dlq_headers::EXCEPTION_MESSAGE).unwrap();
    assert!(message.contains(INCOMPATIBLE), "{message}");
    assert_eq!(env.emulator.row_count("clash"), Some(2));
}

#[test]
fn an_incompatible_type_change_with_tolerance_none_stops_cleanly() {
    let env = Env::new();
    incompatible_records(&env, "halt");
    let pipeline = env.start(env.config("p.yaml", &env.yaml("halt-p", "halt", EVOLVE)));
    assert!(pipeline.wait(Some(TIMEOUT)), "the pipeline did not stop");
    let error = pipeline.stop().unwrap_err();
    let text = error.to_string();
    assert!(text.contains(INCOMPATIBLE), "{text}");
    assert!(text.contains("halt-0@1"), "{text}");
    assert!(
        matches!(*error.kind, FailureKind::BadRecord { .. }),
        "{:?}",
        error.kind
    );
    // The bad record's batch is not committed.
    let committed = env.committed("sluice-halt-p", "halt");
    assert!(committed.is_none_or(|c| c <= 1), "committed {committed:?}");
}

#[test]
fn a_new_schemaless_key_becomes_a_column() {
    let env = Env::new();
    env.create_topic("loose", 1);
    env.produce(
        "loose",
        &[
            (None, Some(r#"{"id": 0}"#)),
            (None, Some(r#"{"id": 1, "note": "x"}"#)),
        ],
    );
    let yaml = env.yaml(
        "loose-p",
        "loose",
        &format!("{EVOLVE}\nvalue.converter.schemas.enable: false"),
    );
    let pipeline = env.start(env.config("p.yaml", &yaml));
    let rows = common::sorted_by_first(env.rows_when("loose", 2));
    pipeline.stop().unwrap();
    assert_eq!(
        common::columns(&env, "loose"),
        [
            ("id".to_string(), "long".to_string()),
            ("note".to_string(), "string".to_string())
        ]
    );
    use sluice_kinetica::Value as K;
    assert_eq!(
        rows,
        [vec![K::Long(0), K::Null], vec![K::Long(1), common::s("x")]]
    );
}
