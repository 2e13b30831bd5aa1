//! `sluice run --connect-worker`: Kafka Connect's `connect-standalone` files, unchanged
//! but for where Kafka and Kinetica are, run by the `sluice` binary as a child process
//! until SIGTERM.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Duration;

use sluice_kafka::group_progress;
use sluice_kafka::mock::MockKafka;
use support::{Running, produce_tweets, repo};

mod support;

const TIMEOUT: Duration = Duration::from_secs(90);
const TOPICS: [&str; 2] = ["Tweets.KafkaConnectorTest", "Tweets.KafkaConnectorTest2"];

fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    support::eventually_within(TIMEOUT, what, check, String::new)
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

    let mut child = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args([
            "--log-level",
            "info,librdkafka=warn",
            "run",
            "--connect-worker",
        ])
        .arg(&worker)
        .arg(&connector)
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start sluice");
    let pid = child.id();
    // Read as it comes, so a full pipe never blocks the child.
    let mut pipe = child.stderr.take().unwrap();
    let mut stderr_reader = Some(std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    }));
    let mut stderr = || stderr_reader.take().unwrap().join().unwrap();
    let mut running = Running(Some(child));

    produce_tweets(kafka.bootstrap_servers(), TOPICS[0], 0..30);
    produce_tweets(kafka.bootstrap_servers(), TOPICS[1], 100..110);
    let tables = [
        ("TEST.out_Tweets_KafkaConnectorTest", 30),
        ("TEST.out_Tweets_KafkaConnectorTest2", 10),
    ];
    for (table, rows) in tables {
        eventually(&format!("{rows} rows in {table}"), || {
            if let Some(child) = &mut running.0
                && let Ok(Some(status)) = child.try_wait()
            {
                panic!("sluice exited early ({status}):\n{}", stderr());
            }
            (emulator.row_count(table) == Some(rows)).then_some(())
        });
    }
    let texts: Vec<_> = emulator.rows(tables[1].0).unwrap();
    assert!(
        texts
            .iter()
            .any(|r| r[1] == sluice_kinetica::Value::String("tweet 105".into()))
    );

    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut child = running.0.take().unwrap();
    let status = eventually("sluice to exit", || child.try_wait().unwrap());
    let stderr = stderr();
    eprintln!("{stderr}");
    assert_eq!(status.code(), Some(0), "{stderr}");
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
