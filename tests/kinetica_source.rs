//! Kinetica → Kafka: the source connector, from a table's insert monitor on the
//! emulator (ZMQ, as a server publishes) through the JSON converter to the real broker,
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
    let env = Env::kafka_with(EmulatorConfig {
        monitor_port: Some(0),
        ..EmulatorConfig::default()
    });
    let topic = format!("Tweets.{TABLE}");
    env.create_topic(&topic, 1);
    env.create_topic("kinetica.events", 1);
    let client = KineticaClient::new(ClientConfig::new(env.emulator.url())).unwrap();
    let ty = KineticaType::from_column_list(&[
        vec!["id", "long", "primary_key"],
        vec!["msg", "string", "char16", "nullable"],
        vec!["at", "long", "timestamp"],
        vec!["flag", "int", "boolean", "nullable"],
    ])
    .unwrap();
    env.runtime.block_on(async {
        let type_id = client.create_type(&ty, "").await.unwrap();
        client
            .create_table(TABLE, &type_id, Options::new())
            .await
            .unwrap();
    });
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
         bootstrap.servers: {}\n\
         batch.max.wait.ms: 20\n",
        env.emulator.url(),
        env.bootstrap()
    );
    let path = env.dir.path().join("source.yaml");
    std::fs::write(&path, yaml).unwrap();
    let checked = sluice_runtime::Registry::standard().load_file(&path);
    let config = checked
        .value
        .unwrap_or_else(|| panic!("{}", checked.problems));
    let pipeline = env.start(config);

    let mut reader = KafkaSource::new(&SourceSettings {
        bootstrap_servers: env.bootstrap().to_owned(),
        group_id: "reader-source-rows".into(),
        topics: Topics::List(vec![topic.clone()]),
        properties: Default::default(),
    })
    .unwrap();
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
    let mut upsert = EncodedRows::new();
    upsert
        .push_row(
            &ty,
            &[Value::Long(1), "uno".into(), Value::Long(1), Value::Int(0)],
        )
        .unwrap();
    env.runtime.block_on(async {
        let options = Options::from([("update_on_existing_pk".to_owned(), "true".to_owned())]);
        client
            .insert_records(TABLE, &upsert, &options)
            .await
            .unwrap();
        client
            .delete_records(TABLE, vec!["id = 2".to_owned()])
            .await
            .unwrap();
    });
    let mut events_reader = KafkaSource::new(&SourceSettings {
        bootstrap_servers: env.bootstrap().to_owned(),
        group_id: "reader-source-events".into(),
        topics: Topics::List(vec!["kinetica.events".into()]),
        properties: Default::default(),
    })
    .unwrap();
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
        serde_json::json!({"id": 1, "msg": "one", "at": 1_700_000_000_000i64, "flag": true})
    );
    assert_eq!(
        rows[1]["payload"],
        serde_json::json!({"id": 2, "msg": null, "at": 1_700_000_001_000i64, "flag": null})
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
