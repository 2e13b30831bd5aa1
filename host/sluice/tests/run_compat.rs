//! `sluice run --connect-worker`: Kafka Connect's `connect-standalone` files, unchanged
//! but for where Kafka and Kinetica are, run by the `sluice` binary as a child process
//! until SIGTERM.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;
use sluice_kafka::group_progress;
use sluice_kafka::mock::MockKafka;
use sluice_schema_registry::testing::{self, shared_registry};
use support::{Running, produce_tweets, repo};

use crate::support;

const TIMEOUT: Duration = Duration::from_secs(90);
const TOPICS: [&str; 2] = ["Tweets.KafkaConnectorTest", "Tweets.KafkaConnectorTest2"];

fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    support::eventually_within(TIMEOUT, what, check, String::new)
}

/// `sluice run --connect-worker <worker> <connector>` as a child process, its stderr
/// read as it comes (so a full pipe never blocks it), killed if the test fails.
struct Worker {
    running: Running,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Worker {
    fn start(worker: &Path, connector: &Path) -> Worker {
        Worker::start_all(worker, &[connector])
    }

    /// As [`Worker::start`], with several connector files.
    fn start_all(worker: &Path, connectors: &[&Path]) -> Worker {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args([
                "--log-level",
                "info,librdkafka=warn",
                "run",
                "--connect-worker",
            ])
            .arg(worker)
            .args(connectors)
            // Tests run side by side: each daemon its own port.
            .env("SLUICE_REST_LISTENER", "127.0.0.1:0")
            .env_remove("RUST_LOG")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start sluice");
        let mut pipe = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = pipe.read_to_string(&mut text);
            text
        });
        Worker {
            running: Running(Some(child)),
            stderr: Some(stderr),
        }
    }

    /// Fails the test, with what sluice said, if it exited.
    fn check_running(&mut self) {
        if let Some(child) = &mut self.running.0
            && let Ok(Some(status)) = child.try_wait()
        {
            panic!("sluice exited early ({status}):\n{}", self.stderr());
        }
    }

    fn stderr(&mut self) -> String {
        self.stderr.take().unwrap().join().unwrap()
    }

    /// SIGTERM; requires a clean exit and returns what sluice said.
    fn terminate(&mut self) -> String {
        let mut child = self.running.0.take().unwrap();
        let killed = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(killed.success());
        let status = eventually("sluice to exit", || child.try_wait().unwrap());
        let stderr = self.stderr();
        eprintln!("{stderr}");
        assert_eq!(status.code(), Some(0), "{stderr}");
        stderr
    }
}

#[test]
fn connect_standalone_files_run_until_sigterm() {
    let kafka = MockKafka::start().unwrap();
    for topic in TOPICS {
        kafka.create_topic(topic, 1).unwrap();
    }
    let (_runtime, emulator) = support::emulator();

    // The README's sink.properties, pointed at this test's Kafka and Kinetica.
    let dir = tempfile::tempdir().unwrap();
    let shipped = std::fs::read_to_string(repo().join("config/compat/sink.properties")).unwrap();
    assert!(shipped.contains("kinetica.url = http://localhost:9191"));
    let connector = dir.path().join("sink.properties");
    std::fs::write(
        &connector,
        format!(
            "{}bootstrap.servers = {}\n",
            shipped.replace("http://localhost:9191", emulator.url()),
            kafka.bootstrap_servers()
        ),
    )
    .unwrap();
    let worker = repo().join("config/compat/connect-standalone-sink.properties");
    let mut sluice = Worker::start(&worker, &connector);

    produce_tweets(kafka.bootstrap_servers(), TOPICS[0], 0..30);
    produce_tweets(kafka.bootstrap_servers(), TOPICS[1], 100..110);
    let tables = [
        ("TEST.out_Tweets_KafkaConnectorTest", 30),
        ("TEST.out_Tweets_KafkaConnectorTest2", 10),
    ];
    for (table, rows) in tables {
        eventually(&format!("{rows} rows in {table}"), || {
            sluice.check_running();
            (emulator.row_count(table) == Some(rows)).then_some(())
        });
    }
    let texts: Vec<_> = emulator.rows(tables[1].0).unwrap();
    assert!(
        texts
            .iter()
            .any(|r| r[1] == sluice_kinetica::Value::String("tweet 105".into()))
    );

    let stderr = sluice.terminate();
    // Worker-only settings are accepted and noted; deprecated names are warned about.
    assert!(
        stderr.contains("Kafka Connect worker settings Sluice does not need, ignored")
            && stderr.contains("offset.storage.file.filename")
            && stderr.contains("rest.port")
            && stderr.contains("internal.key.converter"),
        "{stderr}"
    );
    assert!(stderr.contains("kinetica.collection_name"), "{stderr}");
    assert!(
        stderr.contains("pipeline `TwitterSinkConnector` stopped: 40 record(s) in, 40 written"),
        "{stderr}"
    );
    // Stopped gracefully: everything written was committed, in Kafka Connect's group.
    for (topic, end) in [(TOPICS[0], 30), (TOPICS[1], 10)] {
        let progress = group_progress(
            kafka.bootstrap_servers(),
            "connect-TwitterSinkConnector",
            topic,
            TIMEOUT,
        )
        .unwrap();
        assert_eq!(progress[0].committed, Some(end), "{topic}");
    }
}

#[test]
fn a_connector_file_without_topics_is_refused_as_kafka_connect_would() {
    let dir = tempfile::tempdir().unwrap();
    let shipped =
        std::fs::read_to_string(repo().join("config/compat/quickstart-kinetica-sink.properties"))
            .unwrap();
    // The Kinetica connector's shipped quickstart file, which has no `topics` line.
    let without: String = shipped
        .lines()
        .filter(|l| !l.starts_with("topics="))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(without, shipped);
    let connector = dir.path().join("quickstart.properties");
    std::fs::write(&connector, without).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["run", "--connect-worker"])
        .arg(repo().join("config/compat/connect-standalone-sink.properties"))
        .arg(&connector)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.starts_with("error:") && l.contains("`topics`"))
        .unwrap_or_else(|| panic!("no error about topics:\n{stderr}"));
    assert!(line.contains("quickstart.properties"), "{line}");
    assert!(
        line.contains("Kafka Connect rejects such a file too"),
        "{line}"
    );
}

#[test]
fn the_readmes_avro_registry_evolution_and_flattening_files_run_unchanged() {
    let kafka = MockKafka::start().unwrap();
    let topic = "AvroOrders";
    kafka.create_topic(topic, 1).unwrap();
    let (_runtime, emulator) = support::emulator();
    let registry = shared_registry().url();

    // The shipped files, pointed at this test's Kafka, Kinetica and registry.
    let dir = tempfile::tempdir().unwrap();
    let point = |file: &str| {
        let shipped = std::fs::read_to_string(repo().join("config/compat").join(file)).unwrap();
        let pointed = shipped
            .replace("http://localhost:9191", emulator.url())
            .replace("http://localhost:8081", &registry)
            .replace("localhost:9092", kafka.bootstrap_servers());
        assert_ne!(pointed, shipped, "{file}");
        let path = dir.path().join(file);
        std::fs::write(&path, pointed).unwrap();
        path
    };
    let worker = point("connect-standalone-avro.properties");
    let connector = point("avro-kinetica-sink.properties");

    // A nested record, then a version with a new optional field, by Confluent's
    // serializer.
    let v1 = json!({"type": "record", "name": "Order", "namespace": "com.acme", "fields": [
        {"name": "id", "type": "long"},
        {"name": "customer", "type": {"type": "record", "name": "Customer", "fields": [
            {"name": "name", "type": "string"},
            {"name": "address", "type": {"type": "record", "name": "Address", "fields": [
                {"name": "zip", "type": "string"}]}}]}},
        {"name": "tags", "type": {"type": "array", "items": "string"}}
    ]});
    let mut v2 = v1.clone();
    v2["fields"]
        .as_array_mut()
        .unwrap()
        .push(json!({"name": "note", "type": ["null", "string"], "default": null}));
    let record = |id: i64, note: Option<&str>| {
        let mut r = json!({"id": id, "customer": {"name": format!("c{id}"),
            "address": {"zip": format!("0{id}")}}, "tags": ["a", "b"]});
        if let Some(n) = note {
            r["note"] = json!(n);
        }
        r
    };
    let produce = |schema: &serde_json::Value, records: &[serde_json::Value]| {
        testing::produce_avro(
            kafka.bootstrap_servers(),
            &registry,
            topic,
            schema,
            records,
            dir.path(),
        )
    };
    produce(&v1, &[record(1, None)]);
    produce(&v2, &[record(2, Some("n2"))]);

    let mut sluice = Worker::start(&worker, &connector);
    let table = "TEST.AvroOrders";
    eventually(&format!("2 rows in {table}"), || {
        sluice.check_running();
        (emulator.row_count(table) == Some(2)).then_some(())
    });
    let stderr = sluice.terminate();
    assert!(
        stderr.contains("kinetica.allow_schema_evolution"),
        "{stderr}"
    );

    let columns: Vec<String> = emulator
        .table_type(table)
        .unwrap()
        .columns()
        .iter()
        .map(|c| c.name.clone())
        .collect();
    assert_eq!(
        columns,
        [
            "id",
            "customer_name",
            "customer_address_zip",
            "tags",
            "note"
        ]
    );
    let mut rows = emulator.rows(table).unwrap();
    rows.sort_by_key(|r| format!("{:?}", r[0]));
    use sluice_kinetica::Value::{Long, Null, String as S};
    assert_eq!(
        rows,
        [
            vec![
                Long(1),
                S("c1".into()),
                S("01".into()),
                S("a,b".into()),
                Null
            ],
            vec![
                Long(2),
                S("c2".into()),
                S("02".into()),
                S("a,b".into()),
                S("n2".into())
            ],
        ]
    );
}

/// The README's system test, both halves: `source.properties` streams two Kinetica tables
/// into `Tweets.*` topics, `sink.properties` writes those topics back to `TEST.out_*`
/// tables — the shipped files, unchanged but for where Kafka and Kinetica are.
#[test]
fn the_readmes_source_and_sink_files_round_trip_kinetica_to_kafka_to_kinetica() {
    use sluice_kinetica::{
        ClientConfig, EncodedRows, KineticaClient, KineticaType, Options, Value,
    };

    let kafka = MockKafka::start().unwrap();
    for topic in TOPICS {
        kafka.create_topic(topic, 1).unwrap();
    }
    let (runtime, emulator) = support::emulator_with(sluice_kinetica_emulator::EmulatorConfig {
        monitor_port: Some(0),
        ..Default::default()
    });
    let client = KineticaClient::new(ClientConfig::new(emulator.url())).unwrap();
    let ty = KineticaType::from_column_list(&[
        vec!["id", "long", "primary_key"],
        vec!["text", "string", "nullable"],
    ])
    .unwrap();
    let sources = ["KafkaConnectorTest", "KafkaConnectorTest2"];
    runtime.block_on(async {
        let type_id = client.create_type(&ty, "").await.unwrap();
        for table in sources {
            client
                .create_table(table, &type_id, Options::new())
                .await
                .unwrap();
        }
    });
    let insert = |table: &str, ids: std::ops::Range<i64>| {
        let mut rows = EncodedRows::new();
        for id in ids {
            rows.push_row(
                &ty,
                &[Value::Long(id), Value::String(format!("tweet {id}"))],
            )
            .unwrap();
        }
        runtime
            .block_on(client.insert_records(table, &rows, &Options::new()))
            .unwrap();
    };
    let dir = tempfile::tempdir().unwrap();
    let connector = |file: &str| {
        let shipped = std::fs::read_to_string(repo().join("config/compat").join(file)).unwrap();
        assert!(shipped.contains("kinetica.url = http://localhost:9191"));
        let path = dir.path().join(file);
        std::fs::write(
            &path,
            format!(
                "{}bootstrap.servers = {}\n",
                shipped.replace("http://localhost:9191", emulator.url()),
                kafka.bootstrap_servers()
            ),
        )
        .unwrap();
        path
    };
    let (source, sink) = (connector("source.properties"), connector("sink.properties"));
    let worker = repo().join("config/compat/connect-standalone-sink.properties");
    let mut sluice = Worker::start_all(&worker, &[&source, &sink]);
    // Rows inserted before the source's monitors are subscribed are not streamed (the
    // mode without a tracking column, docs/kinetica-source.md): insert until some arrive.
    // The sink names tables after the records' value schema, which the source names
    // after its table (as both Java connectors do).
    let out = [
        "TEST.out_KafkaConnectorTest",
        "TEST.out_KafkaConnectorTest2",
    ];
    let mut next = 0;
    support::eventually_within(
        TIMEOUT,
        "the first rows back in Kinetica",
        || {
            sluice.check_running();
            insert(sources[0], next..next + 1);
            insert(sources[1], next..next + 1);
            next += 1;
            out.iter()
                .all(|t| emulator.row_count(t).unwrap_or(0) > 0)
                .then_some(())
        },
        || format!("tables: {:?}", emulator.table_names()),
    );
    let first = next;
    insert(sources[0], 1000..1030);
    insert(sources[1], 2000..2010);
    eventually("every later row back in Kinetica", || {
        sluice.check_running();
        let ids = |table: &str| -> Vec<i64> {
            emulator
                .rows(table)
                .unwrap_or_default()
                .iter()
                .filter_map(|r| match r[0] {
                    Value::Long(id) => Some(id),
                    _ => None,
                })
                .collect()
        };
        let a = ids(out[0]).iter().filter(|id| **id >= 1000).count();
        let b = ids(out[1]).iter().filter(|id| **id >= 2000).count();
        (a == 30 && b == 10).then_some(())
    });
    assert!(first > 0);
    let stderr = sluice.terminate();
    assert!(
        stderr.contains("pipeline `TwitterSourceConnector` stopped"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rows inserted while the pipeline is not running are not published"),
        "the start-up warning: {stderr}"
    );
}
