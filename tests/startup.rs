//! What `Pipeline::start` refuses, and how it says so: every problem names the pipeline
//! and the property to fix, and nothing is consumed.

use crate::common;

use common::Env;
use sluice_runtime::StartError;

fn start_error(env: &Env, extra: &str) -> StartError {
    let yaml = env.yaml("bad-p", "t", extra);
    match env.try_start(env.config("p.yaml", &yaml)) {
        Ok(_) => panic!("started despite:\n{extra}"),
        Err(e) => e,
    }
}

fn problem_about<'a>(error: &'a StartError, property: &str) -> &'a str {
    error
        .problems
        .errors()
        .find(|p| p.property.as_deref() == Some(property))
        .map(|p| p.message.as_str())
        .unwrap_or_else(|| panic!("no problem about {property}:\n{error}"))
}

#[test]
fn a_misspelt_component_property_is_reported_with_a_suggestion() {
    let env = Env::new();
    let e = start_error(
        &env,
        "transforms: [mask]\ntransforms.mask.type: mask-field\ntransforms.mask.fieldz: ssn",
    );
    let message = problem_about(&e, "transforms.mask.fieldz");
    assert!(
        message.contains("did you mean `transforms.mask.fields`?"),
        "{e}"
    );
    let text = e.to_string();
    assert!(text.contains("pipeline `bad-p`"), "{text}");
    assert!(text.contains("p.yaml"), "{text}");
}

#[test]
fn every_problem_is_reported_at_once() {
    let env = Env::new();
    let e = start_error(
        &env,
        "transforms: [a, b]\ntransforms.a.type: mask-field\ntransforms.a.fieldz: ssn\n\
         transforms.b.type: nowhere.wasm\nerrors.tolerance: all",
    );
    problem_about(&e, "transforms.a.fieldz");
    problem_about(&e, "transforms.b.type");
    problem_about(&e, "errors.tolerance");
}

#[test]
fn a_component_that_refuses_its_configuration_is_reported() {
    let env = Env::new();
    let e = start_error(
        &env,
        "transforms: [mask]\ntransforms.mask.type: mask-field\ntransforms.mask.fields: ssn\n\
         transforms.mask.part: both",
    );
    let message = problem_about(&e, "transforms.mask");
    assert!(message.contains("`part` must be `key` or `value`"), "{e}");
}

#[test]
fn unknown_components_and_connect_classes_say_what_exists() {
    let env = Env::new();
    let e = start_error(&env, "transforms: [m]\ntransforms.m.type: mask-feild");
    let message = problem_about(&e, "transforms.m.type");
    assert!(message.contains("did you mean `mask-field`?"), "{message}");
    let e = start_error(
        &env,
        "transforms: [r]\ntransforms.r.type: org.apache.kafka.connect.transforms.NoSuchTransform",
    );
    assert!(problem_about(&e, "transforms.r.type").contains("no Sluice component yet"));
    // A class with a bundled component and no `$Key`/`$Value` resolves: what is left
    // is the component's own complaint, its required property.
    let e = start_error(
        &env,
        "transforms: [r]\ntransforms.r.type: org.apache.kafka.connect.transforms.RegexRouter",
    );
    assert!(e.to_string().contains("`regex`"), "{e}");
    assert!(!e.to_string().contains("no Sluice component yet"), "{e}");
    let e = start_error(&env, "transforms: [w]\ntransforms.w.type: missing.wasm");
    assert!(problem_about(&e, "transforms.w.type").contains("does not exist"));
}

#[test]
fn tolerance_all_without_a_dead_letter_queue_is_refused() {
    let env = Env::new();
    let e = start_error(&env, "errors.tolerance: all");
    let message = problem_about(&e, "errors.tolerance");
    assert!(
        message.contains("errors.deadletterqueue.topic.name"),
        "{message}"
    );
}

#[test]
fn a_predicate_of_the_wrong_world_or_config_is_refused_naming_the_property() {
    let env = Env::new();
    // A transform component named as a predicate.
    let e = start_error(
        &env,
        "transforms: [mask]\ntransforms.mask.type: mask-field\ntransforms.mask.fields: ssn\n\
         transforms.mask.predicate: p\npredicates: [p]\npredicates.p.type: insert-field",
    );
    let message = problem_about(&e, "predicates.p.type");
    assert!(
        message.contains("a transform") && message.contains("a predicate was expected"),
        "{message}"
    );
    // A predicate whose own configure() refuses its pattern.
    let e = start_error(
        &env,
        "transforms: [mask]\ntransforms.mask.type: mask-field\ntransforms.mask.fields: ssn\n\
         transforms.mask.predicate: p\npredicates: [p]\npredicates.p.type: topic-name-matches\n\
         predicates.p.pattern: '(unclosed'",
    );
    let message = problem_about(&e, "predicates.p");
    assert!(
        message.contains("`pattern`") && message.contains("not a regular expression"),
        "{message}"
    );
}

#[test]
fn an_unknown_converter_is_reported_with_a_suggestion() {
    let env = Env::new();
    let e = start_error(&env, "value.converter: jsn");
    assert!(problem_about(&e, "value.converter").contains("json"), "{e}");
    let e = start_error(&env, "value.converter.schemas.enabled: false");
    let message = problem_about(&e, "value.converter.schemas.enabled");
    assert!(
        message.contains("value.converter.schemas.enable"),
        "{message}"
    );
}

#[test]
fn an_unreachable_kinetica_fails_the_start_before_anything_is_consumed() {
    let env = Env::new();
    env.create_topic("t", 1);
    env.produce("t", &[(None, Some(r#"{"id": 1}"#))]);
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let yaml = env
        .yaml("bad-p", "t", "kinetica.retry_count: 1")
        .replace(env.emulator.url(), &url);
    let e = env
        .try_start(env.config("p.yaml", &yaml))
        .err()
        .expect("started");
    let message = problem_about(&e, "kinetica.url");
    assert!(message.contains(&url), "{message}");
    assert_eq!(env.committed("sluice-bad-p", "t"), None);
}

#[test]
fn kinetica_over_https_needs_its_ca_and_an_untrusted_certificate_names_the_property() {
    let ca = sluice_kinetica_emulator::test_certs::TestCa::new("Sluice test CA");
    let env = Env::https(ca.server_tls(&["127.0.0.1"]));
    assert!(env.emulator.url().starts_with("https://"));
    env.create_topic("t", 1);
    env.produce("t", &[(None, Some(r#"{"id": 1}"#))]);

    // Without the CA: the system's roots do not trust the test CA, start-up fails at
    // once (not retried) naming the property, and nothing is consumed.
    let e = start_error(&env, "kinetica.retry_count: 1");
    let message = problem_about(&e, "kinetica.ssl.ca.location");
    assert!(message.contains("TLS handshake failed"), "{message}");
    assert_eq!(env.committed("sluice-bad-p", "t"), None);

    // With it, records arrive over HTTPS.
    let ca_file = env.dir.path().join("kinetica-ca.pem");
    ca.write_cert(&ca_file);
    let extra = format!(
        "kinetica.ssl.ca.location: {}\nvalue.converter.schemas.enable: false",
        ca_file.display()
    );
    let pipeline = env.start(env.config("p.yaml", &env.yaml("https-p", "t", &extra)));
    let rows = env.rows_when("t", 1);
    pipeline.stop().unwrap();
    assert_eq!(rows.len(), 1);
}
