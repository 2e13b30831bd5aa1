//! The sink against the Kinetica emulator: tables, columns and exact rows.

use std::collections::BTreeMap;

use sluice_kinetica::{ClientConfig, KineticaClient, KineticaType, Options, Value as K};
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle, start};
use sluice_kinetica_sink::settings::keys;
use sluice_kinetica_sink::{KineticaSink, RecordError, SinkError, SinkSettings};
use sluice_record::logical::{
    DATE, date_schema, decimal_schema, decimal_to_bytes, time_schema, timestamp_schema,
};
use sluice_record::{Data, Record, SchemaBuilder, SchemaRef, Struct, Value};

async fn emulator(workers: usize) -> EmulatorHandle {
    start(EmulatorConfig::with_workers(workers)).await.unwrap()
}

fn settings(emu: &EmulatorHandle, extra: &[(&str, &str)]) -> SinkSettings {
    let mut props = BTreeMap::from([
        (keys::URL.to_string(), emu.url().to_string()),
        (keys::ENABLE_MULTIHEAD.to_string(), "false".to_string()),
    ]);
    for (k, v) in extra {
        props.insert(k.to_string(), v.to_string());
    }
    SinkSettings::from_props(&props).unwrap()
}

async fn sink(emu: &EmulatorHandle, extra: &[(&str, &str)]) -> KineticaSink {
    KineticaSink::new(settings(emu, extra), "test")
        .await
        .unwrap()
}

fn client(emu: &EmulatorHandle) -> KineticaClient {
    KineticaClient::new(ClientConfig::new(emu.url())).unwrap()
}

fn structured(topic: &str, offset: i64, value: Struct) -> Record {
    let schema = value.schema().clone();
    Record::new(topic, 0, offset).with_value(Data::with_schema(schema, Value::Struct(value)))
}

fn schemaless(topic: &str, offset: i64, entries: &[(&str, Value)]) -> Record {
    let map = entries
        .iter()
        .map(|(k, v)| (Value::from(*k), v.clone()))
        .collect();
    Record::new(topic, 0, offset).with_value(Data::schemaless(Value::Map(map)))
}

/// `name base props…` per column, for comparing types at a glance.
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

fn kv_schema() -> SchemaRef {
    SchemaBuilder::structure()
        .name("com.acme.Kv")
        .field("id", SchemaBuilder::int64().build_ref())
        .field("v", SchemaBuilder::string().build_ref())
        .build_ref()
}

fn kv(topic: &str, offset: i64, id: i64, v: &str) -> Record {
    structured(
        topic,
        offset,
        Struct::new(kv_schema()).with("id", id).with("v", v),
    )
}

/// Creates `ki_home.<table>` with a primary key `id`, as a user would up front.
async fn create_kv_table(emu: &EmulatorHandle, table: &str, extra: &[&str]) {
    let mut id = vec!["id", "long", "primary_key"];
    id.extend(extra);
    let ty = KineticaType::from_column_list(&[id, vec!["v", "string"]]).unwrap();
    let c = client(emu);
    let type_id = c.create_type(&ty, "").await.unwrap();
    c.create_table(table, &type_id, Options::new())
        .await
        .unwrap();
}

#[tokio::test]
async fn structs_create_a_typed_table_with_exact_rows() {
    let emu = emulator(0).await;
    let mut sink = sink(
        &emu,
        &[(keys::TOPICS, "orders"), (keys::SCHEMA_NAME, "TEST")],
    )
    .await;
    let schema = SchemaBuilder::structure()
        .name("com.acme.Order")
        .version(1)
        .field("i8", SchemaBuilder::int8().build_ref())
        .field("i16", SchemaBuilder::int16().build_ref())
        .field("i32", SchemaBuilder::int32().build_ref())
        .field("i64", SchemaBuilder::int64().build_ref())
        .field("f32", SchemaBuilder::float32().build_ref())
        .field("f64", SchemaBuilder::float64().build_ref())
        .field("flag", SchemaBuilder::boolean().build_ref())
        .field("name", SchemaBuilder::string().optional().build_ref())
        .field("raw", SchemaBuilder::bytes().build_ref())
        .field("day", date_schema().build_ref())
        .field("at", time_schema().build_ref())
        .field("ts", timestamp_schema().build_ref())
        .field(
            "price",
            decimal_schema(2)
                .parameter("connect.decimal.precision", "10")
                .build_ref(),
        )
        .field("note", SchemaBuilder::string().optional().build_ref())
        .build_ref();
    let order = Struct::new(schema.clone())
        .with("i8", Value::Int8(-5))
        .with("i16", Value::Int16(300))
        .with("i32", 7)
        .with("i64", 1i64 << 40)
        .with("f32", Value::Float32(1.5))
        .with("f64", 2.25)
        .with("flag", true)
        .with("name", "ann")
        .with("raw", Value::Bytes(vec![1, 2]))
        .with("day", Value::Int32(19_782))
        .with("at", Value::Int32(45_296_789))
        .with("ts", 1_700_000_000_123i64)
        .with("price", Value::Bytes(decimal_to_bytes(12_345)));
    let second = Struct::new(schema)
        .with("i8", Value::Int8(0))
        .with("i16", Value::Int16(0))
        .with("i32", 0)
        .with("i64", 0i64)
        .with("f32", Value::Float32(0.0))
        .with("f64", 0.0)
        .with("flag", false)
        .with("raw", Value::Bytes(vec![]))
        .with("day", Value::Int32(0))
        .with("at", Value::Int32(0))
        .with("ts", 0i64)
        .with("price", Value::Bytes(decimal_to_bytes(-5)));

    let report = sink
        .write(&[
            structured("orders", 0, order),
            structured("orders", 1, second),
        ])
        .await
        .unwrap();

    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.tables["TEST.Order"].inserted, 2);
    assert_eq!(emu.table_names(), vec!["TEST.Order".to_string()]);
    assert!(emu.schema_names().contains(&"TEST".to_string()));
    assert_eq!(
        describe(&emu.table_type("TEST.Order").unwrap()),
        [
            "i8 int int8",
            "i16 int int16",
            "i32 int",
            "i64 long",
            "f32 float",
            "f64 double",
            "flag int boolean",
            "name string nullable",
            "raw bytes",
            "day string date",
            "at string time",
            "ts long timestamp",
            "price string decimal(10,2)",
            "note string nullable",
        ]
    );
    assert_eq!(
        emu.rows("TEST.Order").unwrap(),
        vec![
            vec![
                K::Int(-5),
                K::Int(300),
                K::Int(7),
                K::Long(1 << 40),
                K::Float(1.5),
                K::Double(2.25),
                K::Int(1),
                K::from("ann"),
                K::Bytes(vec![1, 2]),
                K::from("2024-02-29"),
                K::from("12:34:56.789"),
                K::Long(1_700_000_000_123),
                K::from("123.45"),
                K::Null,
            ],
            vec![
                K::Int(0),
                K::Int(0),
                K::Int(0),
                K::Long(0),
                K::Float(0.0),
                K::Double(0.0),
                K::Int(0),
                K::Null,
                K::Bytes(vec![]),
                K::from("1970-01-01"),
                K::from("00:00:00.000"),
                K::Long(0),
                K::from("-0.05"),
                K::Null,
            ],
        ]
    );
}

#[tokio::test]
async fn schemaless_maps_take_columns_from_the_first_record() {
    let emu = emulator(0).await;
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "events"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
        ],
    )
    .await;
    let records = [
        schemaless(
            "events",
            0,
            &[
                ("id", Value::Int64(1)),
                ("name", "a".into()),
                ("score", Value::Float64(1.5)),
                ("ok", Value::Boolean(true)),
                ("later", Value::Null),
            ],
        ),
        // Other key order, an extra key (not written), `later` typed here.
        schemaless(
            "events",
            1,
            &[
                ("name", "b".into()),
                ("id", Value::Int64(2)),
                ("extra", Value::Int64(9)),
                ("later", "x".into()),
            ],
        ),
        // Missing keys are null.
        schemaless("events", 2, &[("id", Value::Int64(3))]),
    ];
    let report = sink.write(&records).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(
        describe(&emu.table_type("events").unwrap()),
        [
            "id long nullable",
            "name string nullable",
            "score double nullable",
            "ok int boolean nullable",
            "later string nullable",
        ]
    );
    assert_eq!(
        emu.rows("events").unwrap(),
        vec![
            vec![K::Long(1), K::from("a"), K::Double(1.5), K::Int(1), K::Null],
            vec![K::Long(2), K::from("b"), K::Null, K::Null, K::from("x")],
            vec![K::Long(3), K::Null, K::Null, K::Null, K::Null],
        ]
    );
}

#[tokio::test]
async fn upsert_replaces_rows_with_the_same_key() {
    let emu = emulator(0).await;
    create_kv_table(&emu, "kv", &[]).await;
    let mut sink = sink(
        &emu,
        &[(keys::TOPICS, "kv"), (keys::SINGLE_TABLE_PER_TOPIC, "true")],
    )
    .await;
    sink.write(&[kv("kv", 0, 1, "first"), kv("kv", 1, 2, "other")])
        .await
        .unwrap();
    let report = sink.write(&[kv("kv", 2, 1, "second")]).await.unwrap();
    assert_eq!(report.tables["kv"].updated, 1);
    assert_eq!(
        emu.rows("kv").unwrap(),
        vec![
            vec![K::Long(1), K::from("second")],
            vec![K::Long(2), K::from("other")]
        ]
    );
}

#[tokio::test]
async fn without_upsert_the_first_row_wins() {
    let emu = emulator(0).await;
    create_kv_table(&emu, "kv", &[]).await;
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "kv"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
            (keys::UPDATE_ON_EXISTING_PK, "false"),
        ],
    )
    .await;
    let report = sink
        .write(&[kv("kv", 0, 1, "first"), kv("kv", 1, 1, "again")])
        .await
        .unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let report2 = sink.write(&[kv("kv", 2, 1, "later")]).await.unwrap();
    assert!(report2.failures.is_empty(), "{:?}", report2.failures);
    assert_eq!(
        emu.rows("kv").unwrap(),
        vec![vec![K::Long(1), K::from("first")]]
    );
    let counts = report.tables["kv"];
    assert_eq!((counts.inserted, counts.updated, counts.sent), (1, 0, 2));
}

#[tokio::test]
async fn single_table_per_topic_puts_every_schema_in_the_topic_table() {
    let emu = emulator(0).await;
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "shop.orders"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
            (keys::PREFIX, "out_"),
        ],
    )
    .await;
    let v2 = SchemaBuilder::structure()
        .name("com.acme.KvV2")
        .field("id", SchemaBuilder::int64().build_ref())
        .field("extra", SchemaBuilder::int32().build_ref())
        .build_ref();
    let report = sink
        .write(&[
            kv("shop.orders", 0, 1, "a"),
            structured(
                "shop.orders",
                1,
                Struct::new(v2).with("id", 2i64).with("extra", 5),
            ),
        ])
        .await;
    // The table comes from the first record: `v` is required there, and the second
    // record has none.
    let report = report.unwrap();
    assert_eq!(
        emu.table_names(),
        vec!["ki_home.out_shop_orders".to_string()]
    );
    assert_eq!(
        emu.rows("out_shop_orders").unwrap(),
        vec![vec![K::Long(1), K::from("a")]]
    );
    assert_eq!(report.failures.len(), 1);
    assert_eq!(report.failures[0].index, 1);
    assert!(
        matches!(&report.failures[0].error, RecordError::Row(e) if e.to_string().contains("\"v\"")),
        "{}",
        report.failures[0]
    );
}

#[tokio::test]
async fn destination_names_follow_the_topic_list() {
    let emu = emulator(0).await;
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "a, b ,c"),
            (keys::DESTINATION_NAME, " ta , s2.tb,ta"),
            (keys::SCHEMA_NAME, "S"),
            (keys::PREFIX, "ignored_"),
        ],
    )
    .await;
    let report = sink
        .write(&[kv("a", 0, 1, "a"), kv("b", 0, 2, "b"), kv("c", 0, 3, "c")])
        .await
        .unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let mut tables = emu.table_names();
    tables.sort();
    assert_eq!(tables, ["S.ta", "s2.tb"]);
    assert_eq!(
        emu.rows("S.ta").unwrap(),
        vec![
            vec![K::Long(1), K::from("a")],
            vec![K::Long(3), K::from("c")]
        ]
    );
    assert_eq!(
        emu.rows("s2.tb").unwrap(),
        vec![vec![K::Long(2), K::from("b")]]
    );
}

#[tokio::test]
async fn multi_head_routes_every_row_to_its_rank() {
    let emu = emulator(3).await;
    create_kv_table(&emu, "sharded", &["shard_key"]).await;
    let mut sink = KineticaSink::new(
        settings(
            &emu,
            &[
                (keys::TOPICS, "sharded,spread"),
                (keys::SINGLE_TABLE_PER_TOPIC, "true"),
                (keys::ENABLE_MULTIHEAD, "true"),
                (keys::BATCH_SIZE, "50"),
            ],
        ),
        "test",
    )
    .await
    .unwrap();
    let records: Vec<Record> = (0..300)
        .map(|i| kv("sharded", i, i, &format!("v{i}")))
        .chain((0..90).map(|i| kv("spread", i, i, "s")))
        .collect();
    let report = sink.write(&records).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(report.tables["sharded"].inserted, 300);
    assert_eq!(report.tables["spread"].inserted, 90);

    let mut rows = emu.rows("sharded").unwrap();
    rows.sort_by_key(|r| match r[0] {
        K::Long(id) => id,
        _ => unreachable!(),
    });
    let expected: Vec<Vec<K>> = (0..300)
        .map(|i| vec![K::Long(i), K::from(format!("v{i}"))])
        .collect();
    assert_eq!(rows, expected);
    assert_eq!(emu.row_count("spread"), Some(90));
    // Workers reject misrouted rows, so every row reached its owning rank.
    let stats = emu.stats();
    assert_eq!(stats.misrouted_rows, 0);
    for rank in 1..=3 {
        assert!(
            stats.rows_by_rank.get(&rank).copied().unwrap_or(0) > 0,
            "rank {rank}: {stats:?}"
        );
    }
    assert_eq!(
        stats.rows_by_rank.get(&0),
        None,
        "nothing via the head: {stats:?}"
    );
}

#[tokio::test]
async fn a_missing_table_without_create_table_fails_its_records() {
    let emu = emulator(0).await;
    let mut sink = sink(&emu, &[(keys::TOPICS, "kv"), (keys::CREATE_TABLE, "false")]).await;
    let report = sink
        .write(&[kv("kv", 7, 1, "a"), kv("kv", 8, 2, "b")])
        .await
        .unwrap();
    assert!(emu.table_names().is_empty());
    assert_eq!(report.failures.len(), 2);
    let first = &report.failures[0];
    assert_eq!((first.index, first.coordinates.as_str()), (0, "kv-0@7"));
    assert_eq!(
        first.to_string(),
        "record kv-0@7: table Kv does not exist and kinetica.tables.create_table=false; \
         create the table or set kinetica.tables.create_table=true"
    );
}

#[tokio::test]
async fn bad_records_fail_alone_and_the_rest_is_written() {
    let emu = emulator(0).await;
    let ty = KineticaType::from_column_list(&[vec!["id", "long"], vec!["small", "int", "int8"]])
        .unwrap();
    let c = client(&emu);
    let type_id = c.create_type(&ty, "").await.unwrap();
    c.create_table("t", &type_id, Options::new()).await.unwrap();
    let mut sink = sink(
        &emu,
        &[(keys::TOPICS, "t"), (keys::SINGLE_TABLE_PER_TOPIC, "true")],
    )
    .await;
    let nested = Value::Map(vec![("x".into(), Value::Int64(1))]);
    let records = [
        schemaless(
            "t",
            0,
            &[("id", Value::Int64(1)), ("small", Value::Int64(5))],
        ),
        Record::new("t", 0, 1), // tombstone
        schemaless(
            "t",
            2,
            &[("id", Value::Int64(2)), ("small", Value::Int64(1000))],
        ),
        Record::new("t", 0, 3).with_value(Data::schemaless("just text".into())),
        schemaless("t", 4, &[("id", Value::Null), ("small", Value::Int64(1))]),
        schemaless("t", 5, &[("id", Value::Int64(3)), ("small", nested)]),
        schemaless("t", 6, &[("id", "4".into()), ("small", "-7".into())]),
    ];
    let report = sink.write(&records).await.unwrap();
    assert_eq!(report.tombstones, 1);
    let failed: Vec<(usize, String)> = report
        .failures
        .iter()
        .map(|f| (f.index, f.to_string()))
        .collect();
    assert_eq!(
        failed,
        [
            (
                2,
                "record t-0@2: field \"small\": value out of range for column type int8".into()
            ),
            (
                3,
                "record t-0@3: the value is a string, not a struct or a map: each record becomes \
                 one row, so primitive values need wrapping into a struct first (e.g. a \
                 HoistField transform)"
                    .into()
            ),
            (
                4,
                "record t-0@4: field \"id\" is null (or missing) but the column is not nullable"
                    .into()
            ),
            (
                5,
                "record t-0@5: field \"small\": a nested map cannot be stored in a column; add a \
                 flattener transform to the pipeline to turn nested data into columns"
                    .into()
            ),
        ]
    );
    assert_eq!(
        emu.rows("t").unwrap(),
        vec![vec![K::Long(1), K::Int(5)], vec![K::Long(4), K::Int(-7)]]
    );
}

#[tokio::test]
async fn nested_struct_fields_cannot_create_a_table() {
    let emu = emulator(0).await;
    let mut sink = sink(&emu, &[(keys::TOPICS, "t")]).await;
    let address = SchemaBuilder::structure()
        .field("city", SchemaBuilder::string().build_ref())
        .build_ref();
    let schema = SchemaBuilder::structure()
        .name("Customer")
        .field("id", SchemaBuilder::int64().build_ref())
        .field("address", address.clone())
        .build_ref();
    let value = Struct::new(schema).with("id", 1i64).with(
        "address",
        Value::Struct(Struct::new(address).with("city", "x")),
    );
    let report = sink.write(&[structured("t", 0, value)]).await.unwrap();
    assert!(emu.table_names().is_empty());
    assert_eq!(
        report.failures[0].to_string(),
        "record t-0@0: field \"address\" is a struct: Kinetica columns are flat; add a \
         flattener transform to the pipeline to turn nested data into columns"
    );
}

#[tokio::test]
async fn a_logical_date_goes_into_existing_columns_of_other_types() {
    let emu = emulator(0).await;
    let ty = KineticaType::from_column_list(&[
        vec!["day", "string", "datetime"],
        vec!["ts", "string", "datetime"],
    ])
    .unwrap();
    let c = client(&emu);
    let type_id = c.create_type(&ty, "").await.unwrap();
    c.create_table("dates", &type_id, Options::new())
        .await
        .unwrap();
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "dates"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
        ],
    )
    .await;
    let schema = SchemaBuilder::structure()
        .field("day", date_schema().build_ref())
        // A plain int64 named like a Date is not a Date: epoch millis into datetime.
        .field("ts", SchemaBuilder::int64().name(DATE).build_ref())
        .build_ref();
    let v = Struct::new(schema)
        .with("day", Value::Int32(1))
        .with("ts", 1_547_587_673_240i64);
    let report = sink.write(&[structured("dates", 0, v)]).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(
        emu.rows("dates").unwrap(),
        vec![vec![
            K::from("1970-01-02 00:00:00.000"),
            K::from("2019-01-15 21:27:53.240")
        ]]
    );
}

#[tokio::test]
async fn unavailable_kinetica_is_retried_then_reported_as_retriable() {
    let emu = emulator(0).await;
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "kv"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
            (keys::RETRY_COUNT, "1"),
        ],
    )
    .await;
    sink.write(&[kv("kv", 0, 1, "a")]).await.unwrap();
    // One failure is absorbed by the retry.
    emu.inject_failure("/insert/records", 1, 503, "busy");
    sink.write(&[kv("kv", 1, 2, "b")]).await.unwrap();
    // Two are not.
    emu.inject_failure("/insert/records", 2, 503, "busy");
    let err = sink.write(&[kv("kv", 2, 3, "c")]).await.unwrap_err();
    assert!(err.is_retriable(), "{err}");
    assert_eq!(emu.row_count("kv"), Some(2));
    // The runtime retries the batch.
    sink.write(&[kv("kv", 2, 3, "c")]).await.unwrap();
    assert_eq!(emu.row_count("kv"), Some(3));
}

#[tokio::test]
async fn a_refused_request_is_fatal() {
    let emu = emulator(0).await;
    let mut sink = sink(
        &emu,
        &[(keys::TOPICS, "kv"), (keys::SINGLE_TABLE_PER_TOPIC, "true")],
    )
    .await;
    sink.write(&[kv("kv", 0, 1, "a")]).await.unwrap();
    emu.inject_failure("/insert/records", 1, 400, "Insufficient privileges");
    let err = sink.write(&[kv("kv", 1, 2, "b")]).await.unwrap_err();
    assert!(
        matches!(&err, SinkError::Fatal(m) if m.contains("Insufficient privileges")),
        "{err}"
    );
}

#[tokio::test]
async fn a_table_dropped_between_batches_is_recreated_on_retry() {
    let emu = emulator(0).await;
    let mut sink = sink(
        &emu,
        &[(keys::TOPICS, "kv"), (keys::SINGLE_TABLE_PER_TOPIC, "true")],
    )
    .await;
    sink.write(&[kv("kv", 0, 1, "a")]).await.unwrap();
    client(&emu).clear_table("kv", false).await.unwrap();
    let batch = [kv("kv", 1, 2, "b")];
    let err = sink.write(&batch).await.unwrap_err();
    assert!(err.is_retriable(), "{err}");
    sink.write(&batch).await.unwrap();
    assert_eq!(
        emu.rows("kv").unwrap(),
        vec![vec![K::Long(2), K::from("b")]]
    );
}

#[tokio::test]
async fn a_wrong_url_fails_at_start_up() {
    let emu = emulator(0).await;
    let mut s = settings(&emu, &[(keys::RETRY_COUNT, "1")]);
    s.url = "http://127.0.0.1:9".into(); // discard port: nothing listens
    let err = KineticaSink::new(s, "test").await.unwrap_err();
    assert!(err.is_retriable(), "{err}");
}

#[tokio::test]
async fn a_rank_refusing_its_rows_fails_those_rows_and_no_stored_one() {
    let emu = emulator(3).await;
    create_kv_table(&emu, "sharded", &["shard_key"]).await;
    let mut sink = sink(
        &emu,
        &[
            (keys::TOPICS, "sharded"),
            (keys::SINGLE_TABLE_PER_TOPIC, "true"),
            (keys::ENABLE_MULTIHEAD, "true"),
        ],
    )
    .await;
    emu.inject_failure("/insert/records", 1, 400, "refused for testing");
    let records: Vec<Record> = (0..30).map(|i| kv("sharded", i, i, "v")).collect();
    let report = sink.write(&records).await.unwrap();
    let message = report.failures[0].to_string();
    assert!(message.contains("refused for testing"), "{message}");
    assert!(message.contains("multi-head"), "{message}");
    // One rank's request was refused: its rows fail, every other row is stored, and
    // no stored row is reported (it would reach a dead letter queue twice over).
    let stored: std::collections::BTreeSet<i64> = emu
        .rows("sharded")
        .unwrap()
        .iter()
        .map(|row| match row[0] {
            K::Long(id) => id,
            ref other => panic!("{other:?}"),
        })
        .collect();
    let failed: std::collections::BTreeSet<i64> =
        report.failures.iter().map(|f| f.index as i64).collect();
    assert!(
        !failed.is_empty() && !stored.is_empty(),
        "{failed:?} {stored:?}"
    );
    assert!(stored.is_disjoint(&failed), "{failed:?} {stored:?}");
    assert_eq!(stored.len() + failed.len(), 30);
}
