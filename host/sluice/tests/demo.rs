//! `sluice demo`, `sluice kinetica-emulator` and the demo's pipeline files, run as users
//! run them: the built binary.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn sluice() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.env_remove("RUST_LOG");
    cmd
}

fn repo_file(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(path)
}

/// Sends SIGTERM (what service managers send) and expects a clean exit within `timeout`.
fn terminate_and_expect_success(child: &mut Child, timeout: Duration) {
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + timeout;
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "still running {timeout:?} after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit}");
}

#[test]
fn the_demo_pipelines_are_valid() {
    let out = sluice()
        .arg("validate")
        .arg(repo_file("config/demo/stocks.yaml"))
        .arg(repo_file("config/demo/bench.yaml"))
        .arg(repo_file("config/demo/bench-source.yaml"))
        .arg(repo_file("config/demo/round-trip.yaml"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(
        stdout.contains("(pipeline `stocks-to-kinetica`)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(pipeline `bench-to-kinetica`)"),
        "{stdout}"
    );
}

#[test]
fn the_demo_puts_every_record_in_kinetica_and_says_so() {
    let started = Instant::now();
    let (code, stdout, stderr) = demo(&["--records", "2000"], None);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    for line in [
        "Sluice demo: 2,000 stock quotes",
        "transforms: source (insert-field)",
        "Summary",
        "  records produced:      2,000 (",
        "  records consumed:      2,000\n",
        "  records written:       2,000\n",
        "  records dead-lettered: 0\n",
        "  rows in Kinetica:      ki_home.stocks: 2,000\n",
        "  throughput:",
        "  wall time:",
        "OK: all 2,000 records are in Kinetica (every partition and offset checked).",
    ] {
        assert!(
            stdout.contains(line),
            "missing {line:?} in:\n{stdout}\n{stderr}"
        );
    }
    // Record contents never reach the logs (a symbol would be the giveaway).
    assert!(!stderr.contains("AAPL"), "{stderr}");
    assert!(started.elapsed() < Duration::from_secs(120));
}

/// Runs `sluice demo` with `args` (then `file`, after `--pipeline`); its exit code and
/// output.
fn demo(args: &[&str], file: Option<&PathBuf>) -> (Option<i32>, String, String) {
    let mut command = sluice();
    command.arg("demo").args(args);
    if let Some(file) = file {
        command.arg(file);
    }
    let out = command.output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The demo's pipeline with `from` replaced by `to`, in a temporary directory.
fn edited_pipeline(from: &str, to: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let stocks = std::fs::read_to_string(repo_file("config/demo/stocks.yaml")).unwrap();
    let edited = stocks.replace(from, to);
    assert_ne!(stocks, edited, "{from:?} is not in stocks.yaml");
    let file = dir.path().join("stocks.yaml");
    std::fs::write(&file, edited).unwrap();
    (dir, file)
}

#[test]
fn the_round_trip_demo_streams_every_quote_back_to_kafka_and_says_so() {
    let (code, stdout, stderr) = demo(&["--records", "3000", "--round-trip"], None);
    assert_eq!(code, Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("OK: all 3,000 records are in Kinetica"),
        "{stdout}"
    );
    assert!(
        stdout.contains("3,000 of 3,000 quotes in `returned.ki_home.stocks`"),
        "{stdout}"
    );
}

#[test]
fn a_demo_that_loses_records_exits_1_and_says_what_is_missing() {
    // Without its table the sink refuses the records and the pipeline stops.
    let (_dir, file) = edited_pipeline("create_table: true", "create_table: false");
    let (code, stdout, stderr) = demo(&["--records", "300", "--pipeline"], Some(&file));
    assert_eq!(code, Some(1), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("Stopped early: the pipeline failed: "),
        "{stdout}"
    );
    assert!(stdout.contains("create_table=false"), "{stdout}");
    assert!(
        stdout.contains("FAILED: 300 of 300 records are not in Kinetica"),
        "{stdout}"
    );
}

#[test]
fn a_demo_pipeline_that_cannot_start_names_the_problem() {
    // A transform with an unknown property is refused before anything is consumed.
    let (_dir, file) = edited_pipeline(
        "offset.field: kafka_offset",
        "offset.field: kafka_offset\n  colour: blue",
    );
    let (code, stdout, stderr) = demo(&["--records", "100", "--pipeline"], Some(&file));
    assert_eq!(code, Some(2), "{stdout}\n{stderr}");
    assert!(stderr.contains("colour"), "{stdout}\n{stderr}");
}

#[test]
fn the_emulator_command_serves_until_sigterm() {
    let mut child = sluice()
        .args(["kinetica-emulator", "--port", "0", "--workers", "2"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let head = lines.next().unwrap().unwrap();
    let url = head
        .strip_prefix("Kinetica emulator at http://")
        .unwrap_or_else(|| panic!("first line: {head}"))
        .to_owned();
    let workers: Vec<String> = (0..2).map(|_| lines.next().unwrap().unwrap()).collect();
    assert!(
        workers[0].starts_with("  worker rank 1 at http://127.0.0.1:"),
        "{workers:?}"
    );
    assert!(
        workers[1].starts_with("  worker rank 2 at http://127.0.0.1:"),
        "{workers:?}"
    );

    // Any HTTP answer shows the head node serves.
    let mut stream = TcpStream::connect(&url).unwrap();
    stream
        .write_all(b"POST /show/system/status HTTP/1.0\r\ncontent-length: 0\r\n\r\n")
        .unwrap();
    // The body is binary Avro (an error envelope here): not text.
    let mut answer = Vec::new();
    let _ = stream.read_to_end(&mut answer);
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1."), "{answer}");

    terminate_and_expect_success(&mut child, Duration::from_secs(10));
}

#[test]
fn keep_running_prints_the_addresses_and_stops_on_sigterm() {
    let mut child = sluice()
        .args(["demo", "--records", "200", "--keep-running"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut seen = Vec::new();
    let mut kafka = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("  Kafka bootstrap servers: ") {
            kafka = rest.split_whitespace().next().map(str::to_owned);
        }
        let last = line.starts_with("  Kinetica URL:");
        seen.push(line);
        if last {
            break;
        }
    }
    // Keep reading, or the demo's next line would fail on a closed pipe.
    let rest = std::thread::spawn(move || lines.count());
    let text = seen.join("\n");
    assert!(
        text.contains("OK: all 200 records are in Kinetica"),
        "{text}"
    );
    assert!(
        text.contains("Still running; Ctrl-C stops everything."),
        "{text}"
    );
    // What users point their own clients at answers.
    let kafka = kafka.unwrap_or_else(|| panic!("no Kafka address in:\n{text}"));
    TcpStream::connect(&kafka).unwrap();
    let kinetica = seen.last().unwrap().rsplit("http://").next().unwrap();
    TcpStream::connect(kinetica).unwrap();

    terminate_and_expect_success(&mut child, Duration::from_secs(30));
    rest.join().unwrap();
}

#[test]
fn the_datapump_writes_every_quote_with_or_without_the_schema_envelope() {
    use sluice_kafka::mock::MockKafka;
    use sluice_kafka::{KafkaSource, SourceSettings, Topics};
    let kafka = MockKafka::start().unwrap();
    for (topic, format, enveloped) in [
        ("pumped", "json", true),
        ("pumped-schemaless", "json-schemaless", false),
    ] {
        kafka.create_topic(topic, 2).unwrap();
        let out = sluice()
            .args(["datapump", "--records", "300", "--format", format])
            .args(["--bootstrap-servers", kafka.bootstrap_servers()])
            .args(["--topic", topic])
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("wrote 300 records ("), "{stdout}");
        let mut reader = KafkaSource::new(&SourceSettings {
            bootstrap_servers: kafka.bootstrap_servers().to_owned(),
            group_id: format!("read-{topic}"),
            topics: Topics::List(vec![topic.to_owned()]),
            properties: MockKafka::group_properties(),
        })
        .unwrap();
        let records =
            sluice_kafka::testing::consume_exactly(&mut reader, 300, Duration::from_secs(60))
                .unwrap();
        for record in &records {
            let value: serde_json::Value =
                serde_json::from_slice(record.value.as_deref().unwrap()).unwrap();
            let payload = if enveloped {
                assert_eq!(value["schema"]["type"], "struct", "{value}");
                &value["payload"]
            } else {
                assert!(value.get("schema").is_none(), "{value}");
                &value
            };
            let symbol = payload["symbol"].as_str().unwrap();
            assert_eq!(
                record.key.as_deref(),
                Some(symbol.as_bytes()),
                "keyed by symbol"
            );
        }
    }
}

/// An order with a field of each kind the data pump generates values for.
const ORDER_AVSC: &str = r#"{"type": "record", "name": "Order", "namespace": "test.pump", "fields": [
    {"name": "id", "type": "long"},
    {"name": "customer", "type": "string"},
    {"name": "status", "type": {"type": "enum", "name": "Status", "symbols": ["NEW", "PAID", "SHIPPED"]}},
    {"name": "note", "type": ["null", "string"], "default": null},
    {"name": "amount", "type": {"type": "bytes", "logicalType": "decimal", "precision": 9, "scale": 2}},
    {"name": "placed", "type": {"type": "long", "logicalType": "timestamp-millis"}},
    {"name": "lines", "type": {"type": "array", "items": {"type": "record", "name": "Line", "fields": [
        {"name": "sku", "type": "string"}, {"name": "quantity", "type": "int"}]}}}
]}"#;

/// `--format avro`: the quotes, and random records of a schema file, in Confluent's wire
/// format with their schemas in the tests' Schema Registry, read back and decoded by
/// Confluent's own Python client.
#[test]
fn the_datapump_writes_avro_through_a_registry_that_confluents_client_reads() {
    use sluice_kafka::mock::MockKafka;
    use sluice_schema_registry::testing;
    let kafka = MockKafka::start().unwrap();
    let registry = testing::shared_registry().url();
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("order.avsc");
    std::fs::write(&schema, ORDER_AVSC).unwrap();
    let quotes = testing::unique_subject("pumped-quotes");
    let orders = testing::unique_subject("pumped-orders");
    for (topic, schema) in [(&quotes, None), (&orders, Some(&schema))] {
        kafka.create_topic(topic, 2).unwrap();
        let mut pump = sluice();
        pump.args(["datapump", "--records", "200", "--format", "avro"])
            .args(["--schema-registry", &registry])
            .args(["--bootstrap-servers", kafka.bootstrap_servers()])
            .args(["--topic", topic]);
        if let Some(file) = schema {
            pump.arg("--schema").arg(file);
        }
        let out = {
            let _one_at_a_time = testing::registering();
            pump.output().unwrap()
        };
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("wrote 200 records ("), "{stdout}");
    }

    let read = testing::consume_avro(kafka.bootstrap_servers(), &registry, &quotes, 200);
    assert_eq!(read.records.len(), 200);
    for record in &read.records {
        let value = &record["value"];
        let symbol = value["symbol"]
            .as_str()
            .unwrap_or_else(|| panic!("{record}"));
        assert_eq!(record["key"], symbol, "keyed by symbol: {record}");
        assert!(value["bidPrice"].is_f64(), "{record}");
        assert!(value["bidSize"].is_i64(), "{record}");
        assert!(value["lastUpdated"]["$timestamp_ms"].is_i64(), "{record}");
    }
    assert_eq!(read.schemas[&format!("{quotes}-key")], "string");
    let value_schema = &read.schemas[&format!("{quotes}-value")];
    assert_eq!(value_schema["type"], "record", "{value_schema}");
    assert_eq!(value_schema["fields"].as_array().unwrap().len(), 13);

    let read = testing::consume_avro(kafka.bootstrap_servers(), &registry, &orders, 200);
    let mut keys: Vec<u64> = read
        .records
        .iter()
        .map(|r| r["key"].as_str().unwrap().parse().unwrap())
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, (0..200).collect::<Vec<_>>(), "keyed by index");
    let mut nulls = 0;
    for record in &read.records {
        let value = &record["value"];
        assert!(value["id"].is_i64(), "{record}");
        assert!(value["customer"].is_string(), "{record}");
        let status = value["status"].as_str().unwrap();
        assert!(["NEW", "PAID", "SHIPPED"].contains(&status), "{record}");
        nulls += usize::from(value["note"].is_null());
        assert!(
            value["note"].is_null() || value["note"].is_string(),
            "{record}"
        );
        let amount: f64 = value["amount"]["$decimal"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(
            amount.abs() < 10_000_000.0,
            "precision 9, scale 2: {record}"
        );
        assert!(value["placed"]["$timestamp_ms"].is_i64(), "{record}");
        for line in value["lines"].as_array().unwrap() {
            assert!(
                line["sku"].is_string() && line["quantity"].is_i64(),
                "{record}"
            );
        }
    }
    assert!(
        (1..100).contains(&nulls),
        "about one optional value in ten is null: {nulls}"
    );
    let value_schema = &read.schemas[&format!("{orders}-value")];
    let fields: Vec<&str> = value_schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "id", "customer", "status", "note", "amount", "placed", "lines"
        ]
    );
}

/// `--schema FILE` in the JSON formats: the file's fields, with Connect's schema
/// envelope or without it, keyed by index as plain text.
#[test]
fn the_datapump_writes_records_of_a_schema_file_as_connect_json() {
    use sluice_kafka::mock::MockKafka;
    use sluice_kafka::{KafkaSource, SourceSettings, Topics};
    let kafka = MockKafka::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let schema = dir.path().join("order.avsc");
    std::fs::write(&schema, ORDER_AVSC).unwrap();
    for (topic, format, enveloped) in [
        ("pumped-orders-json", "json", true),
        ("pumped-orders-schemaless", "json-schemaless", false),
    ] {
        kafka.create_topic(topic, 1).unwrap();
        let out = sluice()
            .args([
                "datapump",
                "--records",
                "50",
                "--format",
                format,
                "--schema",
            ])
            .arg(&schema)
            .args(["--bootstrap-servers", kafka.bootstrap_servers()])
            .args(["--topic", topic])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        let mut reader = KafkaSource::new(&SourceSettings {
            bootstrap_servers: kafka.bootstrap_servers().to_owned(),
            group_id: format!("read-{topic}"),
            topics: Topics::List(vec![topic.to_owned()]),
            properties: MockKafka::group_properties(),
        })
        .unwrap();
        let records =
            sluice_kafka::testing::consume_exactly(&mut reader, 50, Duration::from_secs(60))
                .unwrap();
        for (index, record) in records.iter().enumerate() {
            assert_eq!(record.key.as_deref(), Some(index.to_string().as_bytes()));
            let value: serde_json::Value =
                serde_json::from_slice(record.value.as_deref().unwrap()).unwrap();
            let payload = if enveloped {
                assert_eq!(value["schema"]["name"], "test.pump.Order", "{value}");
                &value["payload"]
            } else {
                assert!(value.get("schema").is_none(), "{value}");
                &value
            };
            assert!(payload["id"].is_i64(), "{value}");
            assert!(payload["status"].is_string(), "{value}");
            assert!(payload["lines"].is_array(), "{value}");
        }
    }
}

#[test]
fn the_datapump_needs_a_registry_for_avro() {
    let out = sluice()
        .args(["datapump", "--records", "1", "--format", "avro"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--schema-registry"), "{stderr}");
}

/// On a terminal the demo draws a progress bar (indicatif) instead of its lines, and log
/// lines are printed above the bar, never into it. `script` (util-linux) gives it a
/// pseudo-terminal and writes what the terminal showed to stdout.
#[test]
fn on_a_terminal_the_demo_draws_a_bar_that_log_lines_do_not_tear() {
    let command = format!("{} demo --records 3000", env!("CARGO_BIN_EXE_sluice"));
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| {
            panic!("util-linux's `script` is needed (apt-get install bsdutils): {e}")
        });
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    // The bar (at some count: indicatif draws at most 20 times a second).
    assert!(text.contains("/3,000 written"), "no bar in:\n{text}");
    assert!(
        text.contains("OK: all 3,000 records are in Kinetica"),
        "{text}"
    );
    // The lines for logs and pipes are not printed on a terminal.
    assert!(!text.contains(" s] produced "), "{text}");
    // Log lines came while the bar was drawn (the group's assignment), each on a line
    // of its own.
    let (first, last) = (
        text.find("/3,000 written").unwrap(),
        text.rfind("/3,000 written").unwrap(),
    );
    assert!(
        text[first..last].contains("INFO"),
        "no log line while the bar was drawn:\n{text}"
    );
    for segment in text.split(['\n', '\r']) {
        assert!(
            !(segment.contains("/3,000 written") && segment.contains("INFO")),
            "a log line tore the bar: {segment:?}"
        );
    }
}
