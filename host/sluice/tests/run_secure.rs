//! `sluice run --connect-worker` against a secured Apache Kafka: the TLS and SASL settings
//! of the Kinetica connector's README, written as its users write them (Kafka's Java
//! client names, in the worker file or as `consumer.*` in the connector file), read
//! through the `SASL_SSL` listener into the Kinetica emulator; and a wrong password or an
//! untrusted truststore stop start-up with an error naming the property. Needs Java
//! (with keytool) and Maven, like every test of the Apache Kafka broker.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use sluice_kafka::testing::{
    PLAIN_USER, SCRAM_512_USER, STORE_PASSWORD, SecureBroker, StoreFormat, shared_secure_broker,
};
use sluice_kinetica_emulator::EmulatorHandle as Emulator;
use support::{Running, emulator, repo};

use crate::support;

const TIMEOUT: Duration = Duration::from_secs(120);

fn eventually<T>(what: &str, check: impl FnMut() -> Option<T>) -> T {
    support::eventually_within(TIMEOUT, what, check, String::new)
}

/// A topic with `count` JSON-with-schema records, written through the plaintext listener.
fn topic_with_records(broker: &SecureBroker, topic: &str, count: i64) {
    broker.broker().create_topic(topic, 1).unwrap();
    support::produce_tweets(broker.plaintext(), topic, 0..count);
}

struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        Files {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The shipped worker file, pointed at `bootstrap`, with `extra` lines.
    fn worker(&self, bootstrap: &str, extra: &str) -> PathBuf {
        let shipped = std::fs::read_to_string(
            repo().join("config/compat/connect-standalone-sink.properties"),
        )
        .unwrap();
        assert!(shipped.contains("bootstrap.servers = localhost:9092"));
        let text = format!("{}\n{extra}", shipped.replace("localhost:9092", bootstrap));
        self.write("connect-standalone.properties", &text)
    }

    fn connector(&self, name: &str, topic: &str, emulator: &Emulator, extra: &str) -> PathBuf {
        self.write(
            &format!("{name}.properties"),
            &format!(
                "name = {name}\n\
                 topics = {topic}\n\
                 connector.class = com.kinetica.kafka.KineticaSinkConnector\n\
                 tasks.max = 1\n\
                 kinetica.url = {}\n\
                 kinetica.tables.schema_name = SEC\n\
                 {extra}\n",
                emulator.url()
            ),
        )
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }
}

/// The `sluice` binary under test: cargo's, or `$SLUICE_TEST_BIN` (for work trees that
/// share one target directory, where another tree's build may replace cargo's).
fn binary() -> PathBuf {
    std::env::var_os("SLUICE_TEST_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_sluice")))
}

fn sluice(worker: &Path, connector: &Path) -> Command {
    let mut command = Command::new(binary());
    command
        .args(["--log-level", "trace", "run", "--connect-worker"])
        .arg(worker)
        .arg(connector)
        .env_remove("RUST_LOG")
        // No REST API: a pipeline that fails ends the process, which these tests await.
        .env("SLUICE_REST_LISTENER", "none")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    command
}

/// Runs sluice until `rows` rows are in `table`, then stops it with SIGTERM; returns its
/// stderr.
fn run_until_rows(mut command: Command, emulator: &Emulator, table: &str, rows: usize) -> String {
    let mut child = command.spawn().expect("start sluice");
    let pid = child.id();
    let mut pipe = child.stderr.take().unwrap();
    let mut reader = Some(std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    }));
    let mut stderr = || reader.take().unwrap().join().unwrap();
    let mut running = Running(Some(child));
    eventually(&format!("{rows} rows in {table}"), || {
        if let Some(child) = &mut running.0
            && let Ok(Some(status)) = child.try_wait()
        {
            panic!("sluice exited early ({status}):\n{}", stderr());
        }
        (emulator.row_count(table) == Some(rows)).then_some(())
    });
    let killed = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let mut child = running.0.take().unwrap();
    let status = eventually("sluice to exit", || child.try_wait().unwrap());
    let stderr = stderr();
    assert_eq!(status.code(), Some(0), "{stderr}");
    stderr
}

/// Runs sluice, which must fail by itself; returns its exit code and stderr.
fn run_to_failure(mut command: Command) -> (Option<i32>, String) {
    let mut child = command.spawn().expect("start sluice");
    let mut pipe = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = pipe.read_to_string(&mut text);
        text
    });
    let mut running = Running(Some(child));
    let status = eventually("sluice to fail", || {
        running.0.as_mut().unwrap().try_wait().unwrap()
    });
    running.0 = None;
    (status.code(), reader.join().unwrap())
}

fn assert_no_secrets(stderr: &str, secrets: &[&str]) {
    for secret in secrets {
        assert!(
            !stderr.contains(secret),
            "`{secret}` in the output:\n{stderr}"
        );
    }
}

/// The README's "Authentication with SASL" lines and the truststore lines of
/// "Configuring SSL Certificates", in the worker file, unchanged but for the values.
fn readme_worker_lines(truststore: &Path, (user, password): (&str, &str)) -> String {
    format!(
        "sasl.mechanism=PLAIN\n\
         # Configure SASL_SSL if SSL encryption is enabled, otherwise configure SASL_PLAINTEXT\n\
         security.protocol=SASL_SSL\n\
         sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"{user}\" password=\"{password}\";\n\
         ssl.truststore.location={}\n\
         ssl.truststore.password={STORE_PASSWORD}\n",
        truststore.display()
    )
}

#[test]
fn the_readme_sasl_ssl_worker_settings_consume_from_a_secured_broker() {
    let broker = shared_secure_broker();
    let (_runtime, emulator) = emulator();
    topic_with_records(broker, "secure_plain", 25);
    let files = Files::new();
    let worker = files.worker(
        broker.sasl_ssl(),
        &readme_worker_lines(&broker.truststore(StoreFormat::Jks), PLAIN_USER),
    );
    let connector = files.connector("SecurePlain", "secure_plain", &emulator, "");
    let stderr = run_until_rows(
        sluice(&worker, &connector),
        &emulator,
        "SEC.secure_plain",
        25,
    );
    assert!(
        stderr.contains("pipeline `SecurePlain` stopped: 25 record(s) in, 25 written"),
        "{stderr}"
    );
    // The security settings are not among the ignored worker settings any more.
    assert!(!stderr.contains("ignored: sasl"), "{stderr}");
    assert_no_secrets(&stderr, &[PLAIN_USER.1, STORE_PASSWORD]);
}

#[test]
fn scram_sha_512_in_the_connector_file_with_secrets_from_providers() {
    let broker = shared_secure_broker();
    let (_runtime, emulator) = emulator();
    topic_with_records(broker, "secure_scram", 12);
    let files = Files::new();
    let worker = files.worker(broker.sasl_ssl(), "");
    files.write(
        "secrets.properties",
        &format!("truststore.password={STORE_PASSWORD}\n"),
    );
    let connector = files.connector(
        "SecureScram",
        "secure_scram",
        &emulator,
        &format!(
            "consumer.security.protocol=SASL_SSL\n\
             consumer.sasl.mechanism=SCRAM-SHA-512\n\
             consumer.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"{}\" password=\"${{env:SLUICE_TEST_SCRAM_PASSWORD}}\";\n\
             consumer.ssl.truststore.type=PKCS12\n\
             consumer.ssl.truststore.location={}\n\
             consumer.ssl.truststore.password=${{file:secrets.properties:truststore.password}}\n\
             consumer.ssl.endpoint.identification.algorithm=https\n",
            SCRAM_512_USER.0,
            broker.truststore(StoreFormat::Pkcs12).display()
        ),
    );
    let mut command = sluice(&worker, &connector);
    command.env("SLUICE_TEST_SCRAM_PASSWORD", SCRAM_512_USER.1);
    let stderr = run_until_rows(command, &emulator, "SEC.secure_scram", 12);
    assert_no_secrets(&stderr, &[SCRAM_512_USER.1, STORE_PASSWORD]);
}

#[test]
fn a_wrong_password_stops_start_up_naming_sasl_jaas_config() {
    let broker = shared_secure_broker();
    let (_runtime, emulator) = emulator();
    topic_with_records(broker, "secure_wrong_password", 1);
    let files = Files::new();
    let worker = files.worker(
        broker.sasl_ssl(),
        &readme_worker_lines(
            &broker.truststore(StoreFormat::Jks),
            ("alice", "not-alices-password"),
        ),
    );
    let connector = files.connector("SecureWrong", "secure_wrong_password", &emulator, "");
    let (code, stderr) = run_to_failure(sluice(&worker, &connector));
    assert_ne!(code, Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("sasl.jaas.config") && l.contains("refused the SASL credentials"))
        .unwrap_or_else(|| panic!("no error naming sasl.jaas.config:\n{stderr}"));
    eprintln!("{line}");
    assert!(line.contains("error"), "{line}");
    assert_no_secrets(&stderr, &["not-alices-password", STORE_PASSWORD]);
}

#[test]
fn an_untrusted_broker_certificate_stops_start_up_naming_the_truststore() {
    let broker = shared_secure_broker();
    let (_runtime, emulator) = emulator();
    topic_with_records(broker, "secure_untrusted", 1);
    let files = Files::new();
    let worker = files.worker(
        broker.sasl_ssl(),
        &readme_worker_lines(&broker.untrusted_truststore(), PLAIN_USER),
    );
    let connector = files.connector("SecureUntrusted", "secure_untrusted", &emulator, "");
    let (code, stderr) = run_to_failure(sluice(&worker, &connector));
    assert_ne!(code, Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("ssl.truststore.location") && l.contains("TLS handshake"))
        .unwrap_or_else(|| panic!("no error naming ssl.truststore.location:\n{stderr}"));
    eprintln!("{line}");
    assert_no_secrets(&stderr, &[PLAIN_USER.1, STORE_PASSWORD]);
}

#[test]
fn the_dead_letter_queue_producer_is_checked_at_start_up_too() {
    let broker = shared_secure_broker();
    let (_runtime, emulator) = emulator();
    topic_with_records(broker, "secure_dlq", 1);
    let files = Files::new();
    // The worker's settings reach the producer too; the connector's producer.* override
    // them with a wrong password.
    let worker = files.worker(
        broker.sasl_ssl(),
        &readme_worker_lines(&broker.truststore(StoreFormat::Jks), PLAIN_USER),
    );
    let connector = files.connector(
        "SecureDlq",
        "secure_dlq",
        &emulator,
        "errors.tolerance = all\n\
         errors.deadletterqueue.topic.name = secure_dlq_bad\n\
         producer.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"alice\" password=\"dlq-wrong-password\";\n",
    );
    let (code, stderr) = run_to_failure(sluice(&worker, &connector));
    assert_ne!(code, Some(0), "{stderr}");
    let line = stderr
        .lines()
        .find(|l| l.contains("dead letter queue") && l.contains("sasl.jaas.config"))
        .unwrap_or_else(|| panic!("no error about the DLQ producer's sasl.jaas.config:\n{stderr}"));
    assert!(line.contains("refused the SASL credentials"), "{line}");
    assert_no_secrets(
        &stderr,
        &["dlq-wrong-password", PLAIN_USER.1, STORE_PASSWORD],
    );
}

#[test]
fn validate_reports_a_wrong_truststore_password_without_connecting() {
    let broker = shared_secure_broker();
    let (_runtime, emulator) = emulator();
    let files = Files::new();
    let mut lines = readme_worker_lines(&broker.truststore(StoreFormat::Jks), PLAIN_USER);
    lines = lines.replace(
        &format!("ssl.truststore.password={STORE_PASSWORD}"),
        "ssl.truststore.password=wrong-store-password",
    );
    let worker = files.worker(broker.sasl_ssl(), &lines);
    let connector = files.connector("SecureValidate", "secure_validate", &emulator, "");
    let out = Command::new(binary())
        .args(["validate", "--connect-worker"])
        .arg(&worker)
        .arg(&connector)
        .env_remove("RUST_LOG")
        .output()
        .unwrap();
    let stderr = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("consumer.ssl.truststore.password") && stderr.contains("password is wrong"),
        "{stderr}"
    );
    assert_no_secrets(&stderr, &["wrong-store-password", PLAIN_USER.1]);
}
