//! Kafka Connect's TLS and SASL settings (the Java client's names, as the Kinetica
//! connector's README gives them) against Apache Kafka with `SASL_SSL` and mutual-TLS
//! `SSL` listeners, stores made by `keytool`: records are consumed and produced through
//! each, and a wrong password or an untrusted certificate is refused with the property
//! named. They fail, saying what to install, when Java (with keytool) or Maven is missing.

use std::collections::BTreeMap;
use std::time::Duration;

use sluice_kafka::testing::{
    PLAIN_USER, SCRAM_256_USER, SCRAM_512_USER, STORE_PASSWORD, SecureBroker, StoreFormat,
    consume_exactly, produce_test_records, shared_secure_broker, test_record_index,
};
use sluice_kafka::{
    Error, KafkaSource, Partitioning, ProducerSettings, RecordProducer, SourceSettings, Topics,
};
use sluice_record::RawRecord;

const TIMEOUT: Duration = Duration::from_secs(120);

fn broker() -> &'static SecureBroker {
    let _ = tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_test_writer()
        .try_init();
    shared_secure_broker()
}

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn jaas(module: &str, (user, password): (&str, &str)) -> String {
    format!(
        "org.apache.kafka.common.security.{module} required username=\"{user}\" password=\"{password}\";"
    )
}

fn sasl_ssl(mechanism: &str, jaas: &str, truststore: StoreFormat) -> BTreeMap<String, String> {
    props(&[
        ("security.protocol", "SASL_SSL"),
        ("sasl.mechanism", mechanism),
        ("sasl.jaas.config", jaas),
        (
            "ssl.truststore.location",
            broker().truststore(truststore).to_str().unwrap(),
        ),
        ("ssl.truststore.password", STORE_PASSWORD),
        (
            "ssl.truststore.type",
            match truststore {
                StoreFormat::Jks => "JKS",
                StoreFormat::Pkcs12 => "PKCS12",
            },
        ),
    ])
}

/// Produces `count` records to a new topic through `servers` with `properties`, then
/// consumes them through the same listener with the same properties.
fn round_trip(topic: &str, servers: &str, properties: BTreeMap<String, String>) {
    let broker = broker();
    broker.broker().create_topic(topic, 1).unwrap();
    let producer_settings = ProducerSettings {
        bootstrap_servers: servers.to_owned(),
        properties: properties.clone(),
    };
    RecordProducer::check_security(&producer_settings).unwrap();
    let mut producer = RecordProducer::new(&producer_settings).unwrap();
    let records: Vec<RawRecord> = (0..20)
        .map(|i| RawRecord {
            topic: topic.into(),
            partition: 0,
            offset: 0,
            timestamp: None,
            headers: Vec::new(),
            key: None,
            value: Some(format!("{i}").into_bytes().into()),
        })
        .collect();
    producer
        .send(topic, &records, Partitioning::AsRecorded)
        .unwrap();
    // And some through the plaintext listener, to see both arrive.
    produce_test_records(broker.plaintext(), topic, 30, 10).unwrap();
    let mut source = KafkaSource::new(&SourceSettings {
        bootstrap_servers: servers.to_owned(),
        group_id: format!("{topic}-group"),
        topics: Topics::List(vec![topic.to_owned()]),
        properties,
    })
    .unwrap();
    let got = consume_exactly(&mut source, 50, TIMEOUT).unwrap();
    let values: Vec<String> = got[..20]
        .iter()
        .map(|r| String::from_utf8(r.value.as_deref().unwrap().to_vec()).unwrap())
        .collect();
    assert_eq!(values, (0..20).map(|i| i.to_string()).collect::<Vec<_>>());
    assert_eq!(
        test_record_index(got[20].value.as_deref().unwrap()),
        Some(0)
    );
}

#[test]
fn sasl_ssl_plain_with_a_jks_truststore_as_the_readme_configures_it() {
    let properties = sasl_ssl(
        "PLAIN",
        &jaas("plain.PlainLoginModule", PLAIN_USER),
        StoreFormat::Jks,
    );
    round_trip("sec-plain-jks", broker().sasl_ssl(), properties);
}

#[test]
fn sasl_ssl_scram_with_a_pkcs12_truststore() {
    let properties = sasl_ssl(
        "SCRAM-SHA-512",
        &jaas("scram.ScramLoginModule", SCRAM_512_USER),
        StoreFormat::Pkcs12,
    );
    round_trip("sec-scram-512", broker().sasl_ssl(), properties);
    let mut properties = sasl_ssl(
        "SCRAM-SHA-256",
        &jaas("scram.ScramLoginModule", SCRAM_256_USER),
        StoreFormat::Jks,
    );
    // A "JKS" truststore that is a PKCS12 file, which Java reads too.
    properties.insert(
        "ssl.truststore.location".into(),
        broker()
            .truststore(StoreFormat::Pkcs12)
            .display()
            .to_string(),
    );
    round_trip("sec-scram-256", broker().sasl_ssl(), properties);
}

#[test]
fn mutual_tls_with_jks_and_pkcs12_keystores() {
    for (format, name) in [(StoreFormat::Jks, "JKS"), (StoreFormat::Pkcs12, "PKCS12")] {
        let keystore = broker().client_keystore(format);
        let truststore = broker().truststore(format);
        let properties = props(&[
            ("security.protocol", "SSL"),
            ("ssl.truststore.location", truststore.to_str().unwrap()),
            ("ssl.truststore.password", STORE_PASSWORD),
            ("ssl.truststore.type", name),
            ("ssl.keystore.location", keystore.to_str().unwrap()),
            ("ssl.keystore.password", STORE_PASSWORD),
            ("ssl.keystore.type", name),
            ("ssl.key.password", STORE_PASSWORD),
            ("ssl.endpoint.identification.algorithm", "https"),
        ]);
        round_trip(
            &format!("sec-mtls-{}", name.to_lowercase()),
            broker().ssl(),
            properties,
        );
    }
}

/// The property a security failure names, and its message.
fn refused(settings: &ProducerSettings) -> (String, String) {
    let error = match RecordProducer::new(settings) {
        Err(e) => e,
        Ok(_) => RecordProducer::check_security(settings).expect_err("must be refused"),
    };
    match error {
        Error::Security { source, .. } => (source.property, source.message),
        other => panic!("not a security error: {other}"),
    }
}

#[test]
fn wrong_passwords_and_untrusted_certificates_are_refused_naming_the_property() {
    let servers = broker().sasl_ssl().to_owned();
    let settings = |properties| ProducerSettings {
        bootstrap_servers: servers.clone(),
        properties,
    };
    let wrong = ("alice", "not-her-password");
    let (property, message) = refused(&settings(sasl_ssl(
        "PLAIN",
        &jaas("plain.PlainLoginModule", wrong),
        StoreFormat::Jks,
    )));
    assert_eq!(property, "sasl.jaas.config", "{message}");
    assert!(
        message.contains("refused the SASL credentials"),
        "{message}"
    );
    assert!(!message.contains("not-her-password"), "{message}");

    let (property, message) = refused(&settings(sasl_ssl(
        "SCRAM-SHA-512",
        &jaas("scram.ScramLoginModule", ("bob", "wrong")),
        StoreFormat::Pkcs12,
    )));
    assert_eq!(property, "sasl.jaas.config", "{message}");

    let mut untrusted = sasl_ssl(
        "PLAIN",
        &jaas("plain.PlainLoginModule", PLAIN_USER),
        StoreFormat::Jks,
    );
    untrusted.insert(
        "ssl.truststore.location".into(),
        broker().untrusted_truststore().display().to_string(),
    );
    let (property, message) = refused(&settings(untrusted.clone()));
    assert_eq!(property, "ssl.truststore.location", "{message}");
    assert!(message.contains("certificate"), "{message}");

    // A wrong store password is found before connecting.
    untrusted.insert("ssl.truststore.password".into(), "wrong-store-pw".into());
    let (property, message) = refused(&settings(untrusted));
    assert_eq!(property, "ssl.truststore.password", "{message}");
    assert!(!message.contains("wrong-store-pw"), "{message}");

    // Nothing to say about a broker that is not there: the pipeline waits for it.
    let mut nowhere = settings(sasl_ssl(
        "PLAIN",
        &jaas("plain.PlainLoginModule", PLAIN_USER),
        StoreFormat::Jks,
    ));
    nowhere.bootstrap_servers = "127.0.0.1:1".into();
    RecordProducer::check_security(&nowhere).unwrap();
}
