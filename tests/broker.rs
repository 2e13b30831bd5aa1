//! System tests against a real broker process (Apache Kafka, one broker shared by the
//! tests of this file; each test has topics and pipeline names of its own): JSON with
//! and without schemas into tables, through multi-head ingest to 3 worker ranks, with
//! table naming by topic, prefixes and destination overrides. The tests fail, saying
//! what to install, if Java or Maven is missing.

use crate::common;

use common::Env;
use sluice_kinetica::Value;

fn quote(i: i64) -> String {
    format!(
        r#"{{"schema":{{"type":"struct","fields":[{{"field":"symbol","type":"string"}},{{"field":"price","type":"double"}},{{"field":"size","type":"int32","optional":true}}]}},"payload":{{"symbol":"S{i:03}","price":{i}.5,"size":{size}}}}}"#,
        size = if i % 3 == 0 {
            "null".to_string()
        } else {
            i.to_string()
        }
    )
}

fn sorted(mut rows: Vec<Vec<Value>>) -> Vec<Vec<Value>> {
    rows.sort_by_key(|r| format!("{:?}", r[0]));
    rows
}

fn yaml(env: &Env, name: &str, topics: &str, extra: &str) -> String {
    format!(
        "name: {name}\n\
         connector.class: com.kinetica.kafka.KineticaSinkConnector\n\
         topics: {topics}\n\
         bootstrap.servers: {}\n\
         kinetica.url: {}\n\
         batch.max.wait.ms: 50\n\
         {extra}\n",
        env.bootstrap(),
        env.emulator.url()
    )
}

#[test]
fn json_with_and_without_schemas_lands_through_multi_head_ingest() {
    let env = Env::kafka(3);
    env.create_topic("quotes", 1);
    env.create_topic("events", 1);
    let quotes: Vec<String> = (0..300).map(quote).collect();
    env.produce(
        "quotes",
        &quotes
            .iter()
            .map(|q| (None, Some(q.as_str())))
            .collect::<Vec<_>>(),
    );
    let events: Vec<String> = (0..120)
        .map(|i| format!(r#"{{"id":{i},"kind":"k{}"}}"#, i % 4))
        .collect();
    env.produce(
        "events",
        &events
            .iter()
            .map(|e| (None, Some(e.as_str())))
            .collect::<Vec<_>>(),
    );

    let quotes_pipeline = env.start(env.config(
        "q.yaml",
        &yaml(
            &env,
            "quotes-p",
            "quotes",
            "kinetica.enable_multihead: true\n\
             kinetica.tables.single_table_per_topic: true\n\
             kinetica.tables.prefix: out_",
        ),
    ));
    let events_pipeline = env.start(env.config(
        "e.yaml",
        &yaml(
            &env,
            "events-p",
            "events",
            "kinetica.enable_multihead: true\n\
             kinetica.tables.single_table_per_topic: true\n\
             value.converter.schemas.enable: false",
        ),
    ));
    let quote_rows = sorted(env.rows_when("out_quotes", 300));
    let event_rows = sorted(env.rows_when("events", 120));
    let q = quotes_pipeline.stop().unwrap().metrics;
    let e = events_pipeline.stop().unwrap().metrics;

    assert_eq!((q.records_in, q.records_written), (300, 300));
    assert_eq!((e.records_in, e.records_written), (120, 120));
    assert_eq!(quote_rows.len(), 300, "no duplicates");
    assert_eq!(
        quote_rows[7],
        vec![
            Value::String("S007".into()),
            Value::Double(7.5),
            Value::Int(7)
        ]
    );
    assert_eq!(quote_rows[9][2], Value::Null, "optional int32 null");
    assert_eq!(event_rows.len(), 120);
    // Rows went to the worker ranks directly (multi-head), none of them misrouted.
    let stats = env.emulator.stats();
    assert_eq!(stats.misrouted_rows, 0);
    for rank in 1..=3 {
        assert!(
            stats.rows_by_rank.get(&rank).copied().unwrap_or(0) > 0,
            "rows by rank: {:?}",
            stats.rows_by_rank
        );
    }
    // Everything in the topic was committed.
    let progress = env.progress("sluice-quotes-p", "quotes");
    assert_eq!(
        progress
            .iter()
            .map(|p| (p.partition, p.committed, p.high_watermark))
            .collect::<Vec<_>>(),
        vec![(0, Some(300), 300)]
    );
}

#[test]
fn destination_overrides_name_one_table_per_topic() {
    let env = Env::kafka(0);
    env.create_topic("t1", 1);
    env.create_topic("t2", 1);
    let q: Vec<String> = (0..10).map(quote).collect();
    let records: Vec<_> = q.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce("t1", &records[..4]);
    env.produce("t2", &records[4..]);
    let pipeline = env.start(env.config(
        "o.yaml",
        &yaml(
            &env,
            "overrides",
            "t1,t2",
            "kinetica.enable_multihead: false\n\
             kinetica.tables.single_table_per_topic: true\n\
             kinetica.tables.destination_name: first, second",
        ),
    ));
    let first = sorted(env.rows_when("first", 4));
    let second = sorted(env.rows_when("second", 6));
    pipeline.stop().unwrap();
    assert_eq!(first.len(), 4);
    assert_eq!(second.len(), 6);
    assert_eq!(first[0][0], Value::String("S000".into()));
    assert_eq!(second[0][0], Value::String("S004".into()));
    assert!(env.emulator.rows("t1").is_none() && env.emulator.rows("t2").is_none());
}

fn kv(id: i64, v: &str) -> String {
    format!(
        r#"{{"schema":{{"type":"struct","fields":[{{"field":"id","type":"int64"}},{{"field":"v","type":"string"}}]}},"payload":{{"id":{id},"v":"{v}"}}}}"#
    )
}

/// Creates `table` with primary key `id`, as a user would before turning upserts on.
fn create_kv_table(env: &Env, table: &str) {
    use sluice_kinetica::{ClientConfig, KineticaClient, KineticaType, Options};
    let ty =
        KineticaType::from_column_list(&[vec!["id", "long", "primary_key"], vec!["v", "string"]])
            .unwrap();
    let client = KineticaClient::new(ClientConfig::new(env.emulator.url())).unwrap();
    env.runtime.block_on(async {
        let type_id = client.create_type(&ty, "").await.unwrap();
        client
            .create_table(table, &type_id, Options::new())
            .await
            .unwrap();
    });
}

#[test]
fn upsert_on_replaces_rows_and_upsert_off_keeps_the_first() {
    let env = Env::kafka(0);
    for topic in ["kv_on", "kv_off"] {
        env.create_topic(topic, 1);
        create_kv_table(&env, topic);
        let values = [kv(1, "first"), kv(2, "other"), kv(1, "second")];
        env.produce(
            topic,
            &values
                .iter()
                .map(|v| (None, Some(v.as_str())))
                .collect::<Vec<_>>(),
        );
    }
    let settings = "kinetica.enable_multihead: false\nkinetica.tables.single_table_per_topic: true";
    let on = env.start(env.config("on.yaml", &yaml(&env, "upsert-on", "kv_on", settings)));
    let off = env.start(env.config(
        "off.yaml",
        &yaml(
            &env,
            "upsert-off",
            "kv_off",
            &format!("{settings}\nkinetica.tables.update_on_existing_pk: false"),
        ),
    ));
    common::eventually(
        "both pipelines committed all 3 records",
        common::TIMEOUT,
        || {
            let on = env.committed("sluice-upsert-on", "kv_on");
            let off = env.committed("sluice-upsert-off", "kv_off");
            (on == Some(3) && off == Some(3)).then_some(())
        },
    );
    on.stop().unwrap();
    off.stop().unwrap();
    let s = |v: &str| Value::String(v.into());
    assert_eq!(
        sorted(env.emulator.rows("kv_on").unwrap()),
        vec![
            vec![Value::Long(1), s("second")],
            vec![Value::Long(2), s("other")]
        ]
    );
    assert_eq!(
        sorted(env.emulator.rows("kv_off").unwrap()),
        vec![
            vec![Value::Long(1), s("first")],
            vec![Value::Long(2), s("other")]
        ]
    );
}

#[test]
fn a_missing_dead_letter_queue_topic_is_created_as_configured() {
    let env = Env::kafka(0);
    env.create_topic("dlq_source", 1);
    env.produce(
        "dlq_source",
        &[(None, Some("not json")), (None, Some(r#"{"id":1}"#))],
    );
    let settings = "kinetica.enable_multihead: false\n\
                    value.converter.schemas.enable: false\n\
                    errors.tolerance: all\n\
                    errors.deadletterqueue.topic.name: made_dlq\n\
                    errors.deadletterqueue.topic.replication.factor: 1\n\
                    errors.deadletterqueue.topic.partitions: 3";
    let pipeline = env.start(env.config("d.yaml", &yaml(&env, "dlq-made", "dlq_source", settings)));
    let dead = env.read_topic("made_dlq", 1);
    pipeline.stop().unwrap();
    assert_eq!(dead[0].value.as_deref(), Some(&b"not json"[..]));
    assert_eq!(env.progress("reader-made_dlq", "made_dlq").len(), 3);
}

#[test]
fn a_dead_letter_queue_the_broker_cannot_create_stops_the_pipeline_naming_the_property() {
    let env = Env::kafka(0);
    env.create_topic("dlq_refused_source", 1);
    env.produce("dlq_refused_source", &[(None, Some("not json"))]);
    // The default replication factor, 3, on a single broker.
    let settings = "kinetica.enable_multihead: false\n\
                    value.converter.schemas.enable: false\n\
                    errors.tolerance: all\n\
                    errors.deadletterqueue.topic.name: refused_dlq";
    let pipeline = env.start(env.config(
        "r.yaml",
        &yaml(&env, "dlq-refused", "dlq_refused_source", settings),
    ));
    assert!(pipeline.wait(Some(common::TIMEOUT)), "the pipeline stops");
    let error = pipeline.stop().unwrap_err().to_string();
    assert!(
        error.contains("errors.deadletterqueue.topic.replication.factor"),
        "{error}"
    );
    assert_eq!(
        env.committed("sluice-dlq-refused", "dlq_refused_source"),
        None
    );
}
