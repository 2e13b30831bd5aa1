//! The sink against the Kinetica emulator serving HTTPS: `kinetica.ssl.ca.location`,
//! `kinetica.ssl.endpoint.identification.enable`, and start-up failing at once, naming
//! the property, when the certificate is not trusted.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sluice_kinetica_emulator::test_certs::TestCa;
use sluice_kinetica_emulator::{EmulatorConfig, EmulatorHandle, EmulatorTls, start};
use sluice_kinetica_sink::settings::keys;
use sluice_kinetica_sink::{KineticaSink, SinkError, SinkSettings};
use sluice_record::{Data, Record, SchemaBuilder, Struct, Value};

/// The emulator's address: certificates that should match name it.
const EMULATOR_HOST: &str = "127.0.0.1";

async fn https_emulator(tls: EmulatorTls, workers: usize) -> EmulatorHandle {
    let emu = start(EmulatorConfig {
        workers,
        tls: Some(tls),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    assert!(emu.url().starts_with("https://127.0.0.1:"), "{}", emu.url());
    emu
}

/// A CA file in a temporary directory (kept alive by the returned guard).
fn ca_file(ca: &TestCa) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("kinetica-ca.pem");
    ca.write_cert(&path);
    (dir, path)
}

fn settings(url: &str, extra: &[(&str, &str)]) -> SinkSettings {
    let mut props = BTreeMap::from([
        (keys::URL.to_string(), url.to_string()),
        (keys::TOPICS.to_string(), "orders".to_string()),
        (keys::SINGLE_TABLE_PER_TOPIC.to_string(), "true".to_string()),
    ]);
    for (k, v) in extra {
        props.insert(k.to_string(), v.to_string());
    }
    SinkSettings::from_props(&props).unwrap()
}

fn records(n: i64) -> Vec<Record> {
    let schema = SchemaBuilder::structure()
        .name("com.acme.Order")
        .field("id", SchemaBuilder::int64().build_ref())
        .field("item", SchemaBuilder::string().build_ref())
        .build_ref();
    (0..n)
        .map(|i| {
            let value = Struct::new(schema.clone())
                .with("id", i)
                .with("item", format!("item-{i}"));
            Record::new("orders", 0, i)
                .with_value(Data::with_schema(schema.clone(), Value::Struct(value)))
        })
        .collect()
}

/// Starts a sink that must fail with a TLS problem naming `property`; returns the
/// error's text.
async fn start_up_error(settings: SinkSettings, property: &str) -> String {
    match KineticaSink::new(settings, "test").await {
        Ok(_) => panic!("the sink started"),
        Err(SinkError::Setting {
            property: named,
            message,
        }) => {
            println!("start-up error: {message}");
            assert_eq!(named, property, "{message}");
            message
        }
        Err(e @ SinkError::Retriable(_)) => panic!("a TLS failure was classified retriable: {e}"),
        Err(e) => panic!("a TLS failure did not name a property: {e}"),
    }
}

#[tokio::test]
async fn rows_are_written_over_https_to_the_head_and_the_worker_ranks() {
    let ca = TestCa::new("Sluice test CA");
    let emu = https_emulator(ca.server_tls(&[EMULATOR_HOST, "localhost"]), 2).await;
    assert!(emu.worker_urls().iter().all(|u| u.starts_with("https://")));
    let (_dir, path) = ca_file(&ca);
    let settings = settings(
        emu.url(),
        &[(keys::SSL_CA_LOCATION, path.to_str().unwrap())],
    );
    assert!(settings.enable_multihead);
    let mut sink = KineticaSink::new(settings, "test").await.unwrap();
    let report = sink.write(&records(50)).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(emu.row_count("orders"), Some(50));
    // Multi-head: the rows went to the worker ranks, over HTTPS too.
    let stats = emu.stats();
    let on_workers: u64 = stats
        .rows_by_rank
        .iter()
        .filter(|(rank, _)| **rank > 0)
        .map(|(_, n)| n)
        .sum();
    assert_eq!(on_workers, 50, "{stats:?}");
}

#[tokio::test]
async fn without_the_ca_file_start_up_fails_naming_kinetica_ssl_ca_location() {
    let ca = TestCa::new("Sluice test CA");
    let emu = https_emulator(ca.server_tls(&[EMULATOR_HOST]), 0).await;
    // The system's roots do not know the test CA.
    let message = start_up_error(settings(emu.url(), &[]), keys::SSL_CA_LOCATION).await;
    assert!(message.contains("TLS handshake failed"), "{message}");
    assert!(message.contains(keys::SSL_CA_LOCATION), "{message}");
    assert!(message.contains("UnknownIssuer"), "{message}");
    // No request got through the handshake.
    assert_eq!(emu.stats().requests.values().sum::<u64>(), 0);
}

#[tokio::test]
async fn a_ca_file_of_another_ca_is_refused_naming_the_file() {
    let ca = TestCa::new("Sluice test CA");
    let emu = https_emulator(ca.server_tls(&[EMULATOR_HOST]), 0).await;
    let (_dir, path) = ca_file(&TestCa::new("Someone else's CA"));
    let message = start_up_error(
        settings(
            emu.url(),
            &[(keys::SSL_CA_LOCATION, path.to_str().unwrap())],
        ),
        keys::SSL_CA_LOCATION,
    )
    .await;
    assert!(message.contains(keys::SSL_CA_LOCATION), "{message}");
    assert!(message.contains(path.to_str().unwrap()), "{message}");
}

#[tokio::test]
async fn a_certificate_for_another_host_fails_unless_hostname_verification_is_off() {
    let ca = TestCa::new("Sluice test CA");
    let emu = https_emulator(ca.server_tls(&["kinetica.example"]), 0).await;
    let (_dir, path) = ca_file(&ca);
    let ca_location = path.to_str().unwrap();

    let message = start_up_error(
        settings(emu.url(), &[(keys::SSL_CA_LOCATION, ca_location)]),
        keys::SSL_ENDPOINT_IDENTIFICATION,
    )
    .await;
    assert!(message.contains("does not name the host"), "{message}");
    assert!(
        message.contains(keys::SSL_ENDPOINT_IDENTIFICATION),
        "{message}"
    );

    let mut sink = KineticaSink::new(
        settings(
            emu.url(),
            &[
                (keys::SSL_CA_LOCATION, ca_location),
                (keys::SSL_ENDPOINT_IDENTIFICATION, "false"),
            ],
        ),
        "test",
    )
    .await
    .unwrap();
    let report = sink.write(&records(3)).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    assert_eq!(emu.row_count("orders"), Some(3));
}

#[tokio::test]
async fn hostname_verification_off_still_checks_the_ca() {
    let ca = TestCa::new("Sluice test CA");
    let emu = https_emulator(ca.server_tls(&["kinetica.example"]), 0).await;
    let (_dir, path) = ca_file(&TestCa::new("Someone else's CA"));
    let message = start_up_error(
        settings(
            emu.url(),
            &[
                (keys::SSL_CA_LOCATION, path.to_str().unwrap()),
                (keys::SSL_ENDPOINT_IDENTIFICATION, "false"),
            ],
        ),
        keys::SSL_CA_LOCATION,
    )
    .await;
    assert!(message.contains(keys::SSL_CA_LOCATION), "{message}");
    assert!(message.contains("UnknownIssuer"), "{message}");
}

#[tokio::test]
async fn an_https_url_against_a_plain_http_server_fails_at_once() {
    let emu = start(EmulatorConfig::default()).await.unwrap();
    let url = emu.url().replacen("http://", "https://", 1);
    let message = start_up_error(settings(&url, &[]), keys::URL).await;
    assert!(message.contains("TLS handshake failed"), "{message}");
    assert!(message.contains("plain HTTP"), "{message}");
}

#[test]
fn an_unreadable_ca_file_is_a_settings_error_naming_the_property() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let mut props = BTreeMap::from([
        (keys::URL.to_string(), "https://127.0.0.1:1".to_string()),
        (
            keys::SSL_CA_LOCATION.to_string(),
            missing.display().to_string(),
        ),
    ]);
    let err = SinkSettings::from_props(&props).unwrap_err().to_string();
    assert!(err.starts_with(keys::SSL_CA_LOCATION), "{err}");
    assert!(err.contains("cannot read"), "{err}");
    // A key file given by mistake: PEM, but no certificate in it.
    let key = dir.path().join("server-key.pem");
    let tls = TestCa::new("CA").server_tls(&[EMULATOR_HOST]);
    std::fs::write(&key, tls.key_pem).unwrap();
    props.insert(keys::SSL_CA_LOCATION.into(), key.display().to_string());
    let err = SinkSettings::from_props(&props).unwrap_err().to_string();
    assert!(err.contains("no PEM certificate"), "{err}");
}
