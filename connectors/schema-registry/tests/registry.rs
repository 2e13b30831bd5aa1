//! The client against a real registry (Apicurio Registry's Confluent-compatible API,
//! `sluice_schema_registry::testing`), and both held to Confluent's own Python client.
//! Needs a JDK and Maven (the registry) and `pip install 'confluent-kafka[avro,schemaregistry]' fastavro`.

// `registering()` is held across awaits on purpose: one registration at a time.
#![allow(clippy::await_holding_lock)]

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Write as _};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::Value;
use sluice_error::{Classify, ErrorClass};
use sluice_schema_registry::testing::{
    PRODUCE_AVRO_SCRIPT, SchemaRegistry, python_with_confluent_kafka, registering, shared_registry,
    unique_subject,
};
use sluice_schema_registry::{
    Compatibility, ErrorKind, Missing, RegistryConfig, SchemaRegistryClient, SchemaType, Version,
};

const PREFIX: &str = "value.converter.";

const V1: &str =
    r#"{"type":"record","name":"Order","namespace":"t","fields":[{"name":"id","type":"long"}]}"#;
/// V1 with an optional field: backward compatible.
const V2: &str = r#"{"type":"record","name":"Order","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"note","type":["null","string"],"default":null}]}"#;
/// V1 with a required field and no default: not backward compatible.
const V2_BREAKING: &str = r#"{"type":"record","name":"Order","namespace":"t","fields":[{"name":"id","type":"long"},{"name":"qty","type":"int"}]}"#;

fn props(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn client_for(url: &str) -> SchemaRegistryClient {
    let config = RegistryConfig::from_props(&props(&[("schema.registry.url", url)]), PREFIX)
        .expect("valid config");
    SchemaRegistryClient::new(&config).expect("client")
}

fn registry() -> &'static SchemaRegistry {
    shared_registry()
}

/// The same schema, whatever whitespace or key order a registry gives it back with.
fn same_schema(a: &str, b: &str) -> bool {
    serde_json::from_str::<Value>(a).unwrap() == serde_json::from_str::<Value>(b).unwrap()
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[tokio::test]
async fn register_then_read_by_id_versions_latest_and_lookup() {
    let _one_at_a_time = registering();
    let client = client_for(&registry().url());
    let subject = unique_subject("orders-value");
    let id1 = client
        .register(&subject, V1, SchemaType::Avro)
        .await
        .unwrap();
    // Registering the same schema again finds it.
    assert_eq!(
        client
            .register(&subject, V1, SchemaType::Avro)
            .await
            .unwrap(),
        id1
    );
    let id2 = client
        .register(&subject, V2, SchemaType::Avro)
        .await
        .unwrap();
    assert_ne!(id1, id2);

    let by_id = client.schema_by_id(id1).await.unwrap();
    assert_eq!(by_id.id, id1);
    assert_eq!(by_id.schema_type, SchemaType::Avro);
    assert!(same_schema(&by_id.schema, V1), "{}", by_id.schema);
    assert!(by_id.references.is_empty());

    assert_eq!(client.versions(&subject).await.unwrap(), vec![1, 2]);
    let latest = client.latest(&subject).await.unwrap();
    assert_eq!(
        (latest.subject.as_str(), latest.version, latest.id),
        (subject.as_str(), 2, id2)
    );
    assert!(same_schema(&latest.schema, V2), "{}", latest.schema);
    let first = client.version(&subject, Version::Number(1)).await.unwrap();
    assert_eq!((first.version, first.id), (1, id1));

    let found = client
        .lookup(&subject, V1, SchemaType::Avro)
        .await
        .unwrap()
        .expect("V1 is registered");
    assert_eq!((found.version, found.id), (1, id1));
    assert_eq!(
        client
            .lookup(&subject, V2_BREAKING, SchemaType::Avro)
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        client
            .lookup(&unique_subject("nobody"), V1, SchemaType::Avro)
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn unknown_ids_and_subjects_are_not_found_and_not_retriable() {
    let client = client_for(&registry().url());
    let e = client.schema_by_id(987_654_321).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound(Missing::Schema), "{e}");
    assert_eq!(e.class(), ErrorClass::USER);
    // Confluent's registry answers 40401 (subject not found); Apicurio 2.4 answers
    // 40402 (no version `latest`) for a subject it does not know.
    let e = client.latest(&unique_subject("missing")).await.unwrap_err();
    assert!(
        matches!(
            e.kind,
            ErrorKind::NotFound(Missing::Subject | Missing::Version)
        ),
        "{e}"
    );
    let e = client
        .versions(&unique_subject("missing"))
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::NotFound(Missing::Subject), "{e}");
    assert!(e.to_string().contains(&registry().url()), "{e}");
}

#[tokio::test]
async fn compatibility_levels_are_set_read_and_enforced() {
    let _one_at_a_time = registering();
    let client = client_for(&registry().url());
    let subject = unique_subject("compat-value");
    client
        .register(&subject, V1, SchemaType::Avro)
        .await
        .unwrap();
    client
        .set_compatibility(&subject, Compatibility::Backward)
        .await
        .unwrap();
    assert_eq!(
        client.compatibility(&subject).await.unwrap(),
        Compatibility::Backward
    );
    assert!(
        client
            .is_compatible(&subject, Version::Latest, V2, SchemaType::Avro)
            .await
            .unwrap()
    );
    assert!(
        !client
            .is_compatible(&subject, Version::Number(1), V2_BREAKING, SchemaType::Avro)
            .await
            .unwrap()
    );
    let e = client
        .register(&subject, V2_BREAKING, SchemaType::Avro)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Incompatible, "{e}");
    assert!(!e.is_retriable());

    client
        .set_compatibility(&subject, Compatibility::None)
        .await
        .unwrap();
    assert_eq!(
        client.compatibility(&subject).await.unwrap(),
        Compatibility::None
    );
    client
        .register(&subject, V2_BREAKING, SchemaType::Avro)
        .await
        .unwrap();
}

#[tokio::test]
async fn an_invalid_schema_is_refused_as_invalid() {
    let _one_at_a_time = registering();
    let client = client_for(&registry().url());
    let e = client
        .register(
            &unique_subject("bad-value"),
            r#"{"type":"recordz"}"#,
            SchemaType::Avro,
        )
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Invalid, "{e}");
}

#[tokio::test]
async fn requests_fail_over_to_the_next_url_and_stay_there() {
    let _one_at_a_time = registering();
    let dead = format!("http://127.0.0.1:{}/apis/ccompat/v7", closed_port());
    let live = registry().url();
    let client = client_for(&format!("{dead},{live}"));
    assert_eq!(client.current_url(), dead);
    let subject = unique_subject("failover-value");
    let id = client
        .register(&subject, V1, SchemaType::Avro)
        .await
        .unwrap();
    assert_eq!(client.current_url(), live);
    assert_eq!(client.schema_by_id(id).await.unwrap().id, id);
    assert_eq!(client.current_url(), live);
}

#[tokio::test]
async fn no_answering_url_is_unavailable_and_retriable() {
    let a = format!("http://127.0.0.1:{}", closed_port());
    let b = format!("http://127.0.0.1:{}", closed_port());
    let client = client_for(&format!("{a},{b}"));
    let e = client.schema_by_id(1).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unavailable, "{e}");
    assert_eq!(e.class(), ErrorClass::TRANSIENT);
    let text = e.to_string();
    assert!(text.contains(&a) && text.contains(&b), "{text}");
}

/// A stand-in for a registry that requires basic auth, for the `Authorization` header
/// only: Apicurio 2.4 checks basic auth credentials against an OpenID Connect server
/// (Keycloak), which these tests do not run. It answers each request with 200 and a
/// schema when the header is `expected`, 401 otherwise, and reports every header it got.
fn auth_listener(expected: &'static str) -> (String, mpsc::Receiver<Option<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("127.0.0.1:{}", listener.local_addr().unwrap().port());
    let (seen, received) = mpsc::channel();
    thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut authorization = None;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("authorization")
                {
                    authorization = Some(value.trim().to_owned());
                }
            }
            let ok = authorization.as_deref() == Some(expected);
            let _ = seen.send(authorization);
            let (status, body) = if ok {
                ("200 OK", r#"{"schema":"\"string\""}"#)
            } else {
                (
                    "401 Unauthorized",
                    r#"{"error_code":401,"message":"Unauthorized"}"#,
                )
            };
            let _ = write!(
                stream,
                "HTTP/1.1 {status}\r\nContent-Type: application/vnd.schemaregistry.v1+json\r\n\
                 Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
        }
    });
    (url, received)
}

#[tokio::test]
async fn user_info_is_sent_as_basic_auth_and_never_shown() {
    // base64("alice:s3cret!")
    let (host, seen) = auth_listener("Basic YWxpY2U6czNjcmV0IQ==");
    let config = RegistryConfig::from_props(
        &props(&[
            ("schema.registry.url", &format!("http://{host}")),
            ("basic.auth.credentials.source", "USER_INFO"),
            ("basic.auth.user.info", "alice:s3cret!"),
        ]),
        PREFIX,
    )
    .unwrap();
    assert!(!format!("{config:?}").contains("s3cret"));
    let client = SchemaRegistryClient::new(&config).unwrap();
    let schema = client.schema_by_id(7).await.unwrap();
    assert_eq!((schema.id, schema.schema.as_str()), (7, "\"string\""));
    assert_eq!(
        seen.recv_timeout(Duration::from_secs(10))
            .unwrap()
            .as_deref(),
        Some("Basic YWxpY2U6czNjcmV0IQ==")
    );

    let wrong = RegistryConfig::from_props(
        &props(&[
            ("schema.registry.url", &format!("http://{host}")),
            ("basic.auth.credentials.source", "USER_INFO"),
            ("schema.registry.basic.auth.user.info", "alice:wrong-pw"),
        ]),
        PREFIX,
    )
    .unwrap();
    let e = SchemaRegistryClient::new(&wrong)
        .unwrap()
        .schema_by_id(7)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized, "{e}");
    assert_eq!(e.class(), ErrorClass::REFUSED);
    let text = format!("{e} {e:?}");
    assert!(
        text.contains("value.converter.basic.auth.user.info"),
        "{text}"
    );
    assert!(
        !text.contains("wrong-pw") && !text.contains("alice"),
        "{text}"
    );
}

#[tokio::test]
async fn url_credentials_are_sent_as_basic_auth_and_stripped_from_messages() {
    // base64("bob:p@ss"): `p%40ss` in the URL is the password `p@ss`.
    let (host, seen) = auth_listener("Basic Ym9iOnBAc3M=");
    let config = RegistryConfig::from_props(
        &props(&[("schema.registry.url", &format!("http://bob:p%40ss@{host}/"))]),
        PREFIX,
    )
    .unwrap();
    let client = SchemaRegistryClient::new(&config).unwrap();
    assert_eq!(client.urls(), vec![format!("http://{host}")]);
    assert_eq!(client.schema_by_id(7).await.unwrap().id, 7);
    assert_eq!(
        seen.recv_timeout(Duration::from_secs(10))
            .unwrap()
            .as_deref(),
        Some("Basic Ym9iOnBAc3M=")
    );

    let wrong = RegistryConfig::from_props(
        &props(&[("schema.registry.url", &format!("http://bob:nope-pw@{host}"))]),
        PREFIX,
    )
    .unwrap();
    let e = SchemaRegistryClient::new(&wrong)
        .unwrap()
        .schema_by_id(7)
        .await
        .unwrap_err();
    assert_eq!(e.kind, ErrorKind::Unauthorized, "{e}");
    let text = format!("{e} {e:?} {wrong:?}");
    assert!(!text.contains("bob") && !text.contains("nope-pw"), "{text}");
    assert!(
        text.contains("user info of value.converter.schema.registry.url"),
        "{text}"
    );
}

fn run_python(args: &[&str]) -> Value {
    let python = python_with_confluent_kafka().unwrap_or_else(|e| panic!("{e:#}"));
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/confluent_client.py");
    let out = Command::new(python)
        .arg(script)
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{script} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

#[tokio::test]
async fn confluent_s_python_client_and_ours_see_the_same_schemas() {
    let _one_at_a_time = registering();
    let url = registry().url();
    let client = client_for(&url);

    // Registered by Confluent's client, read by ours.
    let subject = unique_subject("py-value");
    let registered = run_python(&[&url, "register", &subject, V1]);
    let id = registered["id"].as_i64().unwrap() as i32;
    assert_eq!(registered["version"], 1);
    assert_eq!(registered["latest_id"].as_i64(), Some(i64::from(id)));
    let latest = client.latest(&subject).await.unwrap();
    assert_eq!((latest.version, latest.id), (1, id));
    assert!(same_schema(
        &latest.schema,
        registered["schema"].as_str().unwrap()
    ));
    assert!(same_schema(
        &client.schema_by_id(id).await.unwrap().schema,
        V1
    ));
    let found = client.lookup(&subject, V1, SchemaType::Avro).await.unwrap();
    assert_eq!(found.map(|v| (v.version, v.id)), Some((1, id)));

    // Registered by ours, read by Confluent's.
    let subject = unique_subject("rs-value");
    let id = client
        .register(&subject, V2, SchemaType::Avro)
        .await
        .unwrap();
    let read = run_python(&[&url, "by-id", &id.to_string()]);
    assert_eq!(read["type"], "AVRO");
    assert!(same_schema(read["schema"].as_str().unwrap(), V2), "{read}");
}

#[test]
fn produce_avro_py_writes_confluent_s_wire_format_to_kafka() {
    let _one_at_a_time = registering();
    use sluice_kafka::testing::{consume_exactly, shared_broker};
    use sluice_kafka::{KafkaSource, SourceSettings, Topics};

    let broker = shared_broker();
    let topic = unique_subject("avro-orders");
    broker.create_topic(&topic, 1).unwrap();
    let dir = std::env::temp_dir().join(unique_subject("sluice-produce-avro"));
    std::fs::create_dir_all(&dir).unwrap();
    let records = dir.join("records.jsonl");
    std::fs::write(
        &records,
        "{\"id\": 1, \"note\": null}\n{\"id\": 2, \"note\": \"two\"}\n",
    )
    .unwrap();

    let python = python_with_confluent_kafka().unwrap_or_else(|e| panic!("{e:#}"));
    let out = Command::new(python)
        .arg(PRODUCE_AVRO_SCRIPT)
        .args(["--bootstrap-servers", broker.bootstrap_servers()])
        .args(["--registry-url", &registry().url()])
        .args(["--topic", &topic, "--schema", V2, "--key-field", "id"])
        .arg("--records")
        .arg(&records)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("produced=2"), "{stdout}");
    let schema_id: i32 = stdout
        .lines()
        .find_map(|l| l.strip_prefix("schema_id="))
        .expect("schema_id= line")
        .parse()
        .unwrap();

    // TopicNameStrategy: registered under `<topic>-value`.
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let client = client_for(&registry().url());
    let latest = runtime
        .block_on(client.latest(&format!("{topic}-value")))
        .unwrap();
    assert_eq!(latest.id, schema_id);
    assert!(same_schema(&latest.schema, V2));

    let mut source = KafkaSource::new(&SourceSettings {
        bootstrap_servers: broker.bootstrap_servers().to_owned(),
        group_id: unique_subject("produce-avro-check"),
        topics: Topics::List(vec![topic.clone()]),
        properties: props(&[("auto.offset.reset", "earliest")]),
    })
    .unwrap();
    let consumed = consume_exactly(&mut source, 2, Duration::from_secs(120)).unwrap();
    for (record, (id, note)) in consumed.iter().zip([(1i64, None), (2, Some("two"))]) {
        let value = record.value.as_deref().unwrap();
        assert_eq!(value[0], 0, "magic byte");
        assert_eq!(
            i32::from_be_bytes(value[1..5].try_into().unwrap()),
            schema_id
        );
        // Avro binary of {id: long, note: [null, string]}: zig-zag varint, then the
        // union's branch index (zig-zag) and for a string its length and bytes.
        let mut expected = vec![(id << 1) as u8];
        match note {
            None => expected.push(0),
            Some(text) => {
                expected.push(2);
                expected.push((text.len() as u8) << 1);
                expected.extend(text.as_bytes());
            }
        }
        assert_eq!(&value[5..], expected.as_slice());
        assert_eq!(record.key.as_deref(), Some(id.to_string().as_bytes()));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[tokio::test]
async fn https_against_a_plain_http_registry_is_a_tls_error_not_an_outage() {
    let url = registry().url().replacen("http://", "https://", 1);
    let e = client_for(&url).schema_by_id(1).await.unwrap_err();
    assert_eq!(e.kind, ErrorKind::Tls, "{e}");
    assert!(!e.is_retriable());
    assert!(e.to_string().contains("does not speak TLS"), "{e}");
}
