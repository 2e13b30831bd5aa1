//! Schema evolution against the Kinetica emulator: tables altered before the batch that
//! needs it, values of new fields written, incompatible changes failing their records.

use std::collections::BTreeMap;

use sluice_kinetica::{ClientConfig, KineticaClient, KineticaType, Options, Value as K};
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle, start};
use sluice_kinetica_sink::settings::keys;
use sluice_kinetica_sink::{KineticaSink, RecordError, SinkSettings};
use sluice_record::{Data, Record, SchemaBuilder, SchemaRef, Struct, Value};

const EVOLVE: &[(&str, &str)] = &[
    (keys::TOPICS, "items"),
    (keys::SINGLE_TABLE_PER_TOPIC, "true"),
    (keys::EVOLUTION_ENABLED, "true"),
    (keys::ADD_NEW_FIELDS_AS_COLUMNS, "true"),
    (keys::MAKE_MISSING_FIELD_NULLABLE, "true"),
];

async fn sink(emu: &EmulatorHandle, extra: &[(&str, &str)]) -> KineticaSink {
    let mut props = BTreeMap::from([
        (keys::URL.to_string(), emu.url().to_string()),
        (keys::ENABLE_MULTIHEAD.to_string(), "false".to_string()),
    ]);
    for (k, v) in extra {
        props.insert(k.to_string(), v.to_string());
    }
    KineticaSink::new(SinkSettings::from_props(&props).unwrap(), "test")
        .await
        .unwrap()
}

fn record(offset: i64, schema: &SchemaRef, values: Vec<Value>) -> Record {
    let s = Struct::from_values(schema.clone(), values).unwrap();
    Record::new("items", 0, offset).with_value(Data::with_schema(schema.clone(), Value::Struct(s)))
}

/// `name base props…` per column.
fn describe(ty: &KineticaType) -> Vec<String> {
    ty.columns()
        .iter()
        .map(|c| {
            let mut parts = vec![c.name.clone(), c.base.to_string()];
            parts.extend(c.wire_properties());
            parts.join(" ")
        })
        .collect()
}

fn sorted(mut rows: Vec<Vec<K>>) -> Vec<Vec<K>> {
    rows.sort_by_key(|r| match r[0] {
        K::Long(v) => v,
        _ => i64::MAX,
    });
    rows
}

/// v1 → v2 (optional field added) → v3 (a required field removed) → v4 (a field with
/// a default added), one batch each, into one table.
pub fn versions() -> [SchemaRef; 4] {
    let id = || SchemaBuilder::int64().build_ref();
    let v1 = SchemaBuilder::structure()
        .name("com.acme.Item")
        .version(1)
        .field("id", id())
        .field("name", SchemaBuilder::string().build_ref())
        .build_ref();
    let v2 = SchemaBuilder::structure()
        .name("com.acme.Item")
        .version(2)
        .field("id", id())
        .field("name", SchemaBuilder::string().build_ref())
        .field("qty", SchemaBuilder::int32().optional().build_ref())
        .build_ref();
    let v3 = SchemaBuilder::structure()
        .name("com.acme.Item")
        .version(3)
        .field("id", id())
        .field("qty", SchemaBuilder::int32().optional().build_ref())
        .build_ref();
    let v4 = SchemaBuilder::structure()
        .name("com.acme.Item")
        .version(4)
        .field("id", id())
        .field("qty", SchemaBuilder::int32().optional().build_ref())
        .field(
            "unit",
            SchemaBuilder::string()
                .default_value(Value::from("kg"))
                .build_ref(),
        )
        .build_ref();
    [v1, v2, v3, v4]
}

#[tokio::test]
async fn each_schema_version_alters_the_table_once_and_every_value_is_written() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let mut sink = sink(&emu, EVOLVE).await;
    let [v1, v2, v3, v4] = versions();
    let batches = [
        vec![
            record(0, &v1, vec![Value::Int64(0), "a".into()]),
            record(1, &v1, vec![Value::Int64(1), "b".into()]),
        ],
        vec![
            record(2, &v2, vec![Value::Int64(2), "c".into(), Value::Int32(20)]),
            record(3, &v2, vec![Value::Int64(3), "d".into(), Value::Null]),
            // An older schema in a later batch still goes in.
            record(4, &v1, vec![Value::Int64(4), "e".into()]),
        ],
        vec![record(5, &v3, vec![Value::Int64(5), Value::Int32(50)])],
        vec![
            record(6, &v4, vec![Value::Int64(6), Value::Int32(60), "lb".into()]),
            record(7, &v4, vec![Value::Int64(7), Value::Null, Value::Null]),
        ],
    ];
    for batch in &batches {
        let report = sink.write(batch).await.unwrap();
        assert!(report.failures.is_empty(), "{:?}", report.failures);
        assert_eq!(report.inserted(), batch.len() as u64);
    }
    let ty = emu.table_type("items").unwrap();
    assert_eq!(
        describe(&ty),
        [
            "id long",
            "name string nullable",
            "qty int nullable",
            "unit string nullable"
        ]
    );
    let s = |v: &str| K::String(v.to_owned());
    assert_eq!(
        sorted(emu.rows("items").unwrap()),
        [
            // Schemas without `unit` leave it null, before and after it was added.
            vec![K::Long(0), s("a"), K::Null, K::Null],
            vec![K::Long(1), s("b"), K::Null, K::Null],
            vec![K::Long(2), s("c"), K::Int(20), K::Null],
            vec![K::Long(3), s("d"), K::Null, K::Null],
            vec![K::Long(4), s("e"), K::Null, K::Null],
            vec![K::Long(5), K::Null, K::Int(50), K::Null],
            vec![K::Long(6), K::Null, K::Int(60), s("lb")],
            // A null required field with a default reads the default.
            vec![K::Long(7), K::Null, K::Null, s("kg")],
        ]
    );
    // Three alters (qty, name nullable, unit), each once: writing the same
    // versions again changes nothing.
    let alters = || {
        emu.stats()
            .requests
            .get("/alter/table")
            .copied()
            .unwrap_or(0)
    };
    assert_eq!(alters(), 3);
    let again: Vec<Record> = batches.iter().flatten().cloned().collect();
    sink.write(&again).await.unwrap();
    assert_eq!(alters(), 3);
    emu.shutdown().await;
}

#[tokio::test]
async fn two_sinks_evolving_the_same_table_both_write() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let mut first = sink(&emu, EVOLVE).await;
    let mut second = sink(&emu, EVOLVE).await;
    let [v1, v2, ..] = versions();
    first
        .write(&[record(0, &v1, vec![Value::Int64(0), "a".into()])])
        .await
        .unwrap();
    // The second sink knows the table as v1 made it.
    second
        .write(&[record(1, &v1, vec![Value::Int64(1), "b".into()])])
        .await
        .unwrap();
    let r = first
        .write(&[record(
            2,
            &v2,
            vec![Value::Int64(2), "c".into(), Value::Int32(2)],
        )])
        .await
        .unwrap();
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    // Its add_column is refused ("already exists"): it reads the table again.
    let r = second
        .write(&[record(
            3,
            &v2,
            vec![Value::Int64(3), "d".into(), Value::Int32(3)],
        )])
        .await
        .unwrap();
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    let rows = sorted(emu.rows("items").unwrap());
    assert_eq!(rows[3], [K::Long(3), K::String("d".into()), K::Int(3)]);
    emu.shutdown().await;
}

#[tokio::test]
async fn an_incompatible_type_change_fails_the_records_of_that_schema_by_field() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let mut sink = sink(&emu, EVOLVE).await;
    let [v1, ..] = versions();
    sink.write(&[record(0, &v1, vec![Value::Int64(0), "a".into()])])
        .await
        .unwrap();
    // `name` turns from string into bytes: no bytes value goes into a string column.
    let bad = SchemaBuilder::structure()
        .name("com.acme.Item")
        .version(9)
        .field("id", SchemaBuilder::int64().build_ref())
        .field("name", SchemaBuilder::bytes().build_ref())
        .build_ref();
    let report = sink
        .write(&[
            record(1, &bad, vec![Value::Int64(1), Value::Bytes(vec![1])]),
            record(2, &v1, vec![Value::Int64(2), "b".into()]),
            record(3, &bad, vec![Value::Int64(3), Value::Bytes(vec![3])]),
        ])
        .await
        .unwrap();
    let failed: Vec<(usize, &str)> = report
        .failures
        .iter()
        .map(|f| (f.index, f.coordinates.as_str()))
        .collect();
    assert_eq!(failed, [(0, "items-0@1"), (2, "items-0@3")]);
    assert!(matches!(
        &report.failures[0].error,
        RecordError::IncompatibleField { field, found, column, .. }
            if field == "name" && found == "bytes" && column == "string"
    ));
    assert_eq!(
        report.failures[0].to_string(),
        "record items-0@1: field \"name\" is bytes in the record's schema but column \"name\" \
         of table items is string: no bytes value converts into it and Kinetica cannot \
         change the column to take one; write the field under a new name, or change the \
         column by hand"
    );
    assert_eq!(report.inserted(), 1);
    assert_eq!(emu.row_count("items"), Some(2));
    emu.shutdown().await;
}

#[tokio::test]
async fn a_wider_number_widens_its_column() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let mut sink = sink(&emu, EVOLVE).await;
    let narrow = SchemaBuilder::structure()
        .field("id", SchemaBuilder::int64().build_ref())
        .field("n", SchemaBuilder::int32().build_ref())
        .build_ref();
    let wide = SchemaBuilder::structure()
        .field("id", SchemaBuilder::int64().build_ref())
        .field("n", SchemaBuilder::int64().build_ref())
        .build_ref();
    sink.write(&[record(0, &narrow, vec![Value::Int64(0), Value::Int32(1)])])
        .await
        .unwrap();
    let big = i64::from(i32::MAX) + 1;
    let r = sink
        .write(&[record(1, &wide, vec![Value::Int64(1), Value::Int64(big)])])
        .await
        .unwrap();
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(
        describe(&emu.table_type("items").unwrap()),
        ["id long", "n long"]
    );
    assert_eq!(
        sorted(emu.rows("items").unwrap()),
        [vec![K::Long(0), K::Long(1)], vec![K::Long(1), K::Long(big)]]
    );
    emu.shutdown().await;
}

#[tokio::test]
async fn without_evolution_nothing_is_altered_and_the_known_columns_are_written() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "items"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
        ],
    )
    .await;
    let [v1, v2, ..] = versions();
    sink.write(&[record(0, &v1, vec![Value::Int64(0), "a".into()])])
        .await
        .unwrap();
    let r = sink
        .write(&[record(
            1,
            &v2,
            vec![Value::Int64(1), "b".into(), Value::Int32(1)],
        )])
        .await
        .unwrap();
    assert!(r.failures.is_empty());
    assert_eq!(
        describe(&emu.table_type("items").unwrap()),
        ["id long", "name string"]
    );
    assert_eq!(emu.stats().requests.get("/alter/table"), None);
    emu.shutdown().await;
}

#[tokio::test]
async fn a_new_schemaless_key_adds_a_nullable_column_and_its_values() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let mut sink = sink(&emu, EVOLVE).await;
    let map = |offset: i64, entries: &[(&str, Value)]| {
        let m = entries
            .iter()
            .map(|(k, v)| (Value::from(*k), v.clone()))
            .collect();
        Record::new("items", 0, offset).with_value(Data::schemaless(Value::Map(m)))
    };
    sink.write(&[map(0, &[("id", Value::Int64(0))])])
        .await
        .unwrap();
    let r = sink
        .write(&[
            map(1, &[("id", Value::Int64(1)), ("note", Value::Null)]),
            map(
                2,
                &[
                    ("id", Value::Int64(2)),
                    ("note", "x".into()),
                    ("ok", Value::Boolean(true)),
                ],
            ),
        ])
        .await
        .unwrap();
    assert!(r.failures.is_empty(), "{:?}", r.failures);
    assert_eq!(
        describe(&emu.table_type("items").unwrap()),
        [
            "id long nullable",
            "note string nullable",
            "ok int boolean nullable"
        ]
    );
    assert_eq!(
        sorted(emu.rows("items").unwrap()),
        [
            vec![K::Long(0), K::Null, K::Null],
            vec![K::Long(1), K::Null, K::Null],
            vec![K::Long(2), K::String("x".into()), K::Int(1)],
        ]
    );
    emu.shutdown().await;
}

/// A table the user made with a required key: evolution leaves the key alone, and a
/// record without the key fails on its own, naming the field.
#[tokio::test]
async fn key_columns_are_never_relaxed() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let client = KineticaClient::new(ClientConfig::new(emu.url())).unwrap();
    let ty =
        KineticaType::from_column_list(&[vec!["id", "long", "primary_key"], vec!["v", "string"]])
            .unwrap();
    let type_id = client.create_type(&ty, "").await.unwrap();
    client
        .create_table("items", &type_id, Options::new())
        .await
        .unwrap();
    let mut sink = sink(&emu, EVOLVE).await;
    let no_id = SchemaBuilder::structure()
        .field("v", SchemaBuilder::string().build_ref())
        .build_ref();
    let r = sink
        .write(&[record(0, &no_id, vec!["x".into()])])
        .await
        .unwrap();
    assert_eq!(r.failures.len(), 1);
    assert!(
        r.failures[0]
            .to_string()
            .contains("field \"id\" is null (or missing)"),
        "{}",
        r.failures[0]
    );
    assert_eq!(
        describe(&emu.table_type("items").unwrap()),
        ["id long primary_key", "v string"]
    );
    emu.shutdown().await;
}
