//! The client against the real registry over HTTPS: the CA in a JKS trust store made by
//! Java's `keytool` (`schema.registry.ssl.truststore.*`, the seed README's names) and in a
//! PEM file are trusted; without them the certificate is refused as a TLS error naming
//! the property, never retried. Needs a JDK (keytool, the registry) and Maven.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use sluice_error::Classify;
use sluice_kinetica_emulator::test_certs::TestCa;
use sluice_schema_registry::local::HttpsFiles;
use sluice_schema_registry::testing::{SchemaRegistry, unique_subject};
use sluice_schema_registry::{ErrorKind, RegistryConfig, SchemaRegistryClient, SchemaType};

const SCHEMA: &str =
    r#"{"type":"record","name":"T","namespace":"tls","fields":[{"name":"id","type":"long"}]}"#;

fn client(pairs: &[(&str, &str)]) -> SchemaRegistryClient {
    let props: BTreeMap<String, String> = pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    SchemaRegistryClient::new(&RegistryConfig::from_props(&props, "value.converter.").unwrap())
        .unwrap()
}

/// `keytool -importcert` of `ca_pem` into a new JKS store at `store`.
fn jks_truststore(ca_pem: &Path, store: &Path, password: &str) {
    let out = Command::new("keytool")
        .args([
            "-importcert",
            "-noprompt",
            "-alias",
            "ca",
            "-storetype",
            "JKS",
        ])
        .arg("-file")
        .arg(ca_pem)
        .arg("-keystore")
        .arg(store)
        .args(["-storepass", password])
        .output()
        .unwrap_or_else(|e| panic!("keytool (a JDK) is needed: {e}"));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn https_with_the_ca_trusted_from_a_jks_or_pem_store_works_and_without_it_is_a_tls_error() {
    let dir = tempfile::tempdir().unwrap();
    let ca = TestCa::new("sluice registry test CA");
    let server = ca.server_tls(&["127.0.0.1"]);
    let files = HttpsFiles {
        cert_chain: dir.path().join("server.pem"),
        key: dir.path().join("server.key"),
    };
    std::fs::write(&files.cert_chain, &server.cert_chain_pem).unwrap();
    std::fs::write(&files.key, &server.key_pem).unwrap();
    let registry = SchemaRegistry::start_https(&files).unwrap();
    let url = registry.https_url().unwrap();
    assert!(url.starts_with("https://"), "{url}");

    let ca_pem = dir.path().join("ca.pem");
    ca.write_cert(&ca_pem);
    let jks = dir.path().join("truststore.jks");
    jks_truststore(&ca_pem, &jks, "changeit");

    let subject = unique_subject("tls");
    let with_jks = client(&[
        ("schema.registry.url", &url),
        (
            "schema.registry.ssl.truststore.location",
            jks.to_str().unwrap(),
        ),
        ("schema.registry.ssl.truststore.password", "changeit"),
    ]);
    let id = with_jks
        .register(&subject, SCHEMA, SchemaType::Avro)
        .await
        .unwrap();
    let with_pem = client(&[
        ("schema.registry.url", &url),
        (
            "schema.registry.ssl.truststore.location",
            ca_pem.to_str().unwrap(),
        ),
        ("schema.registry.ssl.truststore.type", "PEM"),
    ]);
    let read = with_pem.schema_by_id(id).await.unwrap();
    assert!(read.schema.contains("\"tls\""), "{}", read.schema);

    // The system's roots do not hold the test CA.
    let untrusting = client(&[("schema.registry.url", &url)]);
    let e = untrusting.schema_by_id(id).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e}");
    assert!(!e.class().retriable, "{e}");
    assert!(
        e.to_string()
            .contains("value.converter.schema.registry.ssl.truststore.location"),
        "{e}"
    );
}
