//! Kinetica → Kafka: the source connector, from a table's insert monitor on the
//! emulator (ZMQ, as a server publishes) through a transform and the JSON converter (or
//! Avro through the registry) to the real broker,
//! configured with the Java connector's class name and properties.

use crate::common;

use common::{Env, TIMEOUT};
use sluice_kafka::{KafkaSource, SourceSettings, Topics};
use sluice_kinetica::{ClientConfig, EncodedRows, KineticaClient, KineticaType, Options, Value};
use sluice_kinetica_emulator::EmulatorConfig;

const TABLE: &str = "ki_home.source_rows";

#[test]
fn inserted_rows_reach_their_topic_with_nulls_and_column_types_kept_and_updates_and_deletes_their_events_topic()
 {
    let topic = format!("Tweets.{TABLE}");
    let (env, client, ty) = table_env(
        TABLE,
        &[
            &["id", "long", "primary_key"],
            &["msg", "string", "char16", "nullable"],
            &["at", "long", "timestamp"],
            &["flag", "int", "boolean", "nullable"],
        ],
        &[&topic, "kinetica.events"],
    );
    let insert = |rows: &[[Value; 4]]| {
        let mut encoded = EncodedRows::new();
        for row in rows {
            encoded.push_row(&ty, row).unwrap();
        }
        env.runtime
            .block_on(client.insert_records(TABLE, &encoded, &Options::new()))
            .unwrap();
    };
    let yaml = format!(
        "name: kinetica-to-kafka\n\
         connector.class: com.kinetica.kafka.KineticaSourceConnector\n\
         tasks.max: 1\n\
         kinetica.url: {}\n\
         kinetica.table_names: {TABLE}\n\
         kinetica.topic_prefix: Tweets.\n\
         kinetica.kafka_schema_version: 3\n\
         kinetica.timeout: 1000\n\
         kinetica.source.events_topic: kinetica.events\n\
         transforms: tag\n\
         transforms.tag.type: org.apache.kafka.connect.transforms.InsertField$Value\n\
         transforms.tag.static.field: origin\n\
         transforms.tag.static.value: kinetica\n\
         bootstrap.servers: {}\n\
         batch.max.wait.ms: 20\n",
        env.emulator.url(),
        env.bootstrap()
    );
    let pipeline = start_pipeline(&env, &yaml);

    let mut reader = topic_reader(&env, "reader-source-rows", &topic);
    // What is published before the source's subscription reaches the server is not
    // delivered (ZMQ's slow joiner, as with a real server): probe rows until one is.
    let mut seen = Vec::new();
    let mut probe = -1;
    common::eventually("a probe row in Kafka", TIMEOUT, || {
        insert(&[[Value::Long(probe), Value::Null, Value::Long(0), Value::Null]]);
        probe -= 1;
        seen.extend(
            reader
                .poll_batch(100, std::time::Duration::from_millis(200))
                .unwrap(),
        );
        (!seen.is_empty()).then_some(())
    });
    insert(&[
        [
            Value::Long(1),
            "one".into(),
            Value::Long(1_700_000_000_000),
            Value::Int(1),
        ],
        [
            Value::Long(2),
            Value::Null,
            Value::Long(1_700_000_001_000),
            Value::Null,
        ],
    ]);
    let rows = common::eventually("both rows in Kafka", TIMEOUT, || {
        seen.extend(
            reader
                .poll_batch(100, std::time::Duration::from_millis(200))
                .unwrap(),
        );
        let values: Vec<serde_json::Value> = seen
            .iter()
            .map(|r| serde_json::from_slice(r.value.as_deref().unwrap()).unwrap())
            .filter(|v: &serde_json::Value| v["payload"]["id"].as_i64() > Some(0))
            .collect();
        (values.len() == 2).then_some(values)
    });
    // The key is the primary key, a struct of its columns.
    let key: serde_json::Value =
        serde_json::from_slice(seen.last().unwrap().key.as_deref().unwrap()).unwrap();
    assert_eq!(key["payload"], serde_json::json!({"id": 2}), "{key}");
    assert_eq!(key["schema"]["name"], format!("{TABLE}.Key"), "{key}");
    // Updates and deletes arrive as counts on the events topic.
    update_and_delete(
        &env,
        &client,
        TABLE,
        &ty,
        &[Value::Long(1), "uno".into(), Value::Long(1), Value::Int(0)],
    );
    let mut events_reader = topic_reader(&env, "reader-source-events", "kinetica.events");
    let mut events = Vec::new();
    let events = common::eventually("an update and a delete event", TIMEOUT, || {
        events.extend(
            events_reader
                .poll_batch(100, std::time::Duration::from_millis(200))
                .unwrap(),
        );
        let payloads: Vec<serde_json::Value> = events
            .iter()
            .map(|r| {
                serde_json::from_slice::<serde_json::Value>(r.value.as_deref().unwrap())
                        .unwrap()["payload"]
                        .clone()
            })
            .collect();
        (payloads.len() >= 2).then_some(payloads)
    });
    pipeline.stop().unwrap();
    for (event, operation) in events.iter().zip(["update", "delete"]) {
        assert_eq!(event["table"], TABLE, "{event}");
        assert_eq!(event["operation"], operation, "{event}");
        assert_eq!(event["count"], 1, "{event}");
        assert!(
            event["time"].as_i64().unwrap() > 1_700_000_000_000,
            "{event}"
        );
    }

    assert_eq!(
        rows[0]["payload"],
        serde_json::json!({"id": 1, "msg": "one", "at": 1_700_000_000_000i64, "flag": true,
            "origin": "kinetica"}),
        "the row, and the transform's field"
    );
    assert_eq!(
        rows[1]["payload"],
        serde_json::json!({"id": 2, "msg": null, "at": 1_700_000_001_000i64, "flag": null,
            "origin": "kinetica"})
    );
    let schema = &rows[0]["schema"];
    assert_eq!(schema["name"], TABLE);
    assert_eq!(schema["version"], 3);
    let field = |name: &str| {
        schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["field"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(field("msg")["optional"], true, "nullable is optional");
    assert_eq!(field("msg")["parameters"]["kinetica.properties"], "char16");
    assert_eq!(
        field("at")["name"],
        "org.apache.kafka.connect.data.Timestamp"
    );
    assert_eq!(field("flag")["type"], "boolean");
    assert_eq!(field("id")["optional"], false);
}

/// Every Kinetica column type and property the source maps, one row with values and
/// one with NULLs, written as Avro through the registry and read back by Confluent's own
/// Python client (`DeserializingConsumer`, `AvroDeserializer`); update and delete counts
/// too. The mapping is docs/kinetica-source.md's table.
#[test]
fn every_column_type_and_null_reaches_kafka_as_avro_that_confluents_client_reads_as_documented() {
    use serde_json::json;
    use sluice_schema_registry::testing::{consume_avro, shared_registry};
    const TYPES: &str = "ki_home.source_types";
    let registry = shared_registry().url();
    let topic = format!("Types.{TYPES}");
    let events = "kinetica.types.events";
    let columns: &[&[&str]] = &[
        &["id", "long", "primary_key"],
        &["i", "int", "nullable"],
        &["i8", "int", "int8", "nullable"],
        &["i16", "int", "int16", "nullable"],
        &["flag", "int", "boolean", "nullable"],
        &["l", "long", "nullable"],
        &["ts", "long", "timestamp", "nullable"],
        &["f", "float", "nullable"],
        &["d", "double", "nullable"],
        &["s", "string", "nullable"],
        &["c", "string", "char8", "nullable"],
        &["dt", "string", "date", "nullable"],
        &["tm", "string", "time", "nullable"],
        &["dtm", "string", "datetime", "nullable"],
        &["dec", "string", "decimal", "nullable"],
        &["ip", "string", "ipv4", "nullable"],
        &["u", "string", "uuid", "nullable"],
        &["ul", "string", "ulong", "nullable"],
        &["b", "bytes", "nullable"],
    ];
    let (env, client, ty) = table_env(TYPES, columns, &[&topic, events]);
    let full = [
        Value::Long(1),
        Value::Int(-7),
        Value::Int(-8),
        Value::Int(300),
        Value::Int(1),
        Value::Long(1 << 40),
        Value::Long(1_700_000_000_123),
        Value::Float(1.5),
        Value::Double(-2.25),
        "text".into(),
        "char8".into(),
        "2024-02-29".into(),
        "23:59:58.250".into(),
        "2024-02-29 23:59:58.250".into(),
        "12345.6789".into(),
        "192.168.0.1".into(),
        "123e4567-e89b-12d3-a456-426614174000".into(),
        "18446744073709551615".into(),
        Value::Bytes(vec![0, 1, 254, 255]),
    ];
    let mut nulls = vec![Value::Null; columns.len()];
    nulls[0] = Value::Long(2);
    // Inserted before the source starts: the tracking column reads them.
    let mut rows = EncodedRows::new();
    rows.push_row(&ty, &full).unwrap();
    rows.push_row(&ty, &nulls).unwrap();
    env.runtime
        .block_on(client.insert_records(TYPES, &rows, &Options::new()))
        .unwrap();
    let yaml = format!(
        "name: kinetica-types\n\
         connector.class: kinetica-source\n\
         kinetica.url: {}\n\
         kinetica.table_names: {TYPES}\n\
         kinetica.topic_prefix: Types.\n\
         kinetica.source.tracking_column: id\n\
         kinetica.source.events_topic: {events}\n\
         key.converter: io.confluent.connect.avro.AvroConverter\n\
         key.converter.schema.registry.url: {registry}\n\
         value.converter: io.confluent.connect.avro.AvroConverter\n\
         value.converter.schema.registry.url: {registry}\n\
         offsets.storage.topic: offsets.kinetica-types\n\
         exactly.once.source.support: enabled\n\
         bootstrap.servers: {}\n\
         batch.max.wait.ms: 20\n",
        env.emulator.url(),
        env.bootstrap()
    );
    let pipeline = start_pipeline(&env, &yaml);
    let read = consume_avro(env.bootstrap(), &registry, &topic, 2);

    // Both rows, in tracking order, keyed by the primary key.
    let keys: Vec<_> = read.records.iter().map(|r| r["key"].clone()).collect();
    assert_eq!(keys, [json!({"id": 1}), json!({"id": 2})]);
    assert_eq!(
        read.records[0]["value"],
        json!({
            "id": 1, "i": -7, "i8": -8, "i16": 300, "flag": true, "l": 1i64 << 40,
            "ts": {"$timestamp_ms": 1_700_000_000_123i64}, "f": 1.5, "d": -2.25, "s": "text", "c": "char8",
            "dt": "2024-02-29", "tm": "23:59:58.250", "dtm": "2024-02-29 23:59:58.250",
            "dec": "12345.6789", "ip": "192.168.0.1",
            "u": "123e4567-e89b-12d3-a456-426614174000", "ul": "18446744073709551615",
            "b": {"$bytes": "0001feff"}
        })
    );
    let value = read.records[1]["value"].as_object().unwrap();
    assert_eq!(value["id"], 2);
    for (column, v) in value.iter().filter(|(c, _)| *c != "id") {
        assert!(v.is_null(), "{column} is {v}: a NULL is a null");
    }

    // The registered value schema: nullable columns are optional (a union with null),
    // Connect's types as Confluent's converter writes them, properties as parameters.
    let schema = &read.schemas[&format!("{topic}-value")];
    assert_eq!(schema["name"], "source_types", "{schema}");
    let field = |name: &str| {
        schema["fields"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no field {name} in {schema}"))
            .clone()
    };
    assert_eq!(
        field("id")["type"],
        json!({"type": "long", "connect.parameters": {"kinetica.properties": "primary_key"}}),
        "the key column is required, and says it is the key"
    );
    let member = |name: &str| -> serde_json::Value {
        let ty = field(name)["type"].clone();
        let union = ty.as_array().unwrap_or_else(|| panic!("{name}: {ty}"));
        assert!(union.contains(&json!("null")), "{name} is optional: {ty}");
        union.iter().find(|m| **m != json!("null")).unwrap().clone()
    };
    assert_eq!(member("i8")["connect.type"], "int8");
    assert_eq!(member("i16")["connect.type"], "int16");
    assert_eq!(member("flag"), "boolean");
    assert_eq!(member("ts")["logicalType"], "timestamp-millis");
    assert_eq!(member("f"), "float");
    assert_eq!(member("b"), "bytes");
    for (column, property) in [
        ("c", "char8"),
        ("dt", "date"),
        ("tm", "time"),
        ("dtm", "datetime"),
        ("dec", "decimal"),
        ("ip", "ipv4"),
        ("u", "uuid"),
        ("ul", "ulong"),
    ] {
        let m = member(column);
        assert_eq!(m["type"], "string", "{column}: {m}");
        assert_eq!(
            m["connect.parameters"]["kinetica.properties"], property,
            "{column}: {m}"
        );
    }

    // Updates and deletes: their counts, read by the same client.
    let mut changed = full.clone();
    changed[9] = "changed".into();
    update_and_delete(&env, &client, TYPES, &ty, &changed);
    let counted = consume_avro(env.bootstrap(), &registry, events, 2);
    pipeline.stop().unwrap();
    let operations: Vec<_> = counted
        .records
        .iter()
        .map(|r| {
            (
                r["value"]["table"].clone(),
                r["value"]["operation"].clone(),
                r["value"]["count"].clone(),
            )
        })
        .collect();
    assert_eq!(
        operations,
        [
            (json!(TYPES), json!("update"), json!(1)),
            (json!(TYPES), json!("delete"), json!(1))
        ]
    );
}

/// An environment with table monitors, its topics created, and `table` with `columns`.
fn table_env(
    table: &str,
    columns: &[&[&str]],
    topics: &[&str],
) -> (Env, KineticaClient, KineticaType) {
    let env = Env::kafka_with(EmulatorConfig {
        monitor_port: Some(0),
        ..EmulatorConfig::default()
    });
    for topic in topics {
        env.create_topic(topic, 1);
    }
    let client = KineticaClient::new(ClientConfig::new(env.emulator.url())).unwrap();
    let ty = KineticaType::from_column_list(columns).unwrap();
    env.runtime.block_on(async {
        let type_id = client.create_type(&ty, "").await.unwrap();
        client
            .create_table(table, &type_id, Options::new())
            .await
            .unwrap();
    });
    (env, client, ty)
}

/// Loads the pipeline `yaml` as `sluice run` would and starts it.
fn start_pipeline(env: &Env, yaml: &str) -> sluice_runtime::PipelineHandle {
    let path = env.dir.path().join("source.yaml");
    std::fs::write(&path, yaml).unwrap();
    let checked = sluice_runtime::Registry::standard().load_file(&path);
    let config = checked
        .value
        .unwrap_or_else(|| panic!("{}", checked.problems));
    env.start(config)
}

/// One update (`row` upserted over the row of its key) and one delete (`id = 2`).
fn update_and_delete(
    env: &Env,
    client: &KineticaClient,
    table: &str,
    ty: &KineticaType,
    row: &[Value],
) {
    let mut upsert = EncodedRows::new();
    upsert.push_row(ty, row).unwrap();
    env.runtime.block_on(async {
        let options = Options::from([("update_on_existing_pk".to_owned(), "true".to_owned())]);
        client
            .insert_records(table, &upsert, &options)
            .await
            .unwrap();
        client
            .delete_records(table, vec!["id = 2".to_owned()])
            .await
            .unwrap();
    });
}

/// A consumer of `topic` in group `group`, from the topic's start.
fn topic_reader(env: &Env, group: &str, topic: &str) -> KafkaSource {
    KafkaSource::new(&SourceSettings {
        bootstrap_servers: env.bootstrap().to_owned(),
        group_id: group.into(),
        topics: Topics::List(vec![topic.to_owned()]),
        properties: Default::default(),
    })
    .unwrap()
}
