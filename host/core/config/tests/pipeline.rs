//! The pipeline grammar end to end: files on disk → `PipelineConfig` or problems.
//! A stand-in connector keeps these tests independent of the real connectors.

use std::path::{Path, PathBuf};
use std::time::Duration;

use sluice_config::pipeline::{self, ErrorTolerance, PipelineConfig, Subscription};
use sluice_config::{
    CheckIssue, Checked, ConfigDef, ConnectorKind, ConnectorSpec, Importance, ParsedConfig,
    PropertyDef, PropertyType, Validator, no_cross_check,
};

fn test_def() -> ConfigDef {
    ConfigDef::new(
        "test-sink",
        vec![
            PropertyDef::new("db.url", PropertyType::String, "URL")
                .required()
                .validator(Validator::Url)
                .importance(Importance::High),
            PropertyDef::new("db.batch_size", PropertyType::Int, "rows per request")
                .default("100")
                .validator(Validator::at_least(1.0)),
            PropertyDef::new("db.password", PropertyType::Password, "secret"),
            PropertyDef::new("db.tables.prefix", PropertyType::String, "prefix")
                .aliases(&["db.table_prefix"]),
        ],
    )
}

fn forbid_prefix_x(connector: &ParsedConfig, _: &ParsedConfig) -> Vec<CheckIssue> {
    if connector.string("db.tables.prefix") == "x" {
        vec![CheckIssue {
            property: "db.tables.prefix",
            message: "x is reserved".into(),
        }]
    } else {
        Vec::new()
    }
}

const SINK: ConnectorSpec = ConnectorSpec {
    name: "test-sink",
    class_names: &["com.example.TestSinkConnector"],
    kind: ConnectorKind::Sink,
    config_def: test_def,
    check: forbid_prefix_x,
};

const SOURCE: ConnectorSpec = ConnectorSpec {
    name: "test-source",
    class_names: &[],
    kind: ConnectorKind::Source,
    config_def: test_def,
    check: no_cross_check,
};

const BASE: &str = "name: p1\nconnector.class: test-sink\ndb.url: http://h:1\n";

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn load_text(name: &str, text: &str) -> Checked<PipelineConfig> {
    let dir = tempfile::tempdir().unwrap();
    pipeline::load(&write(dir.path(), name, text), &[SINK, SOURCE])
}

fn valid(text: &str) -> PipelineConfig {
    let checked = load_text("p.yaml", text);
    let problems = checked.problems.to_string();
    checked
        .value
        .unwrap_or_else(|| panic!("invalid:\n{problems}"))
}

fn errors(text: &str) -> Vec<String> {
    let checked = load_text("p.yaml", text);
    assert!(checked.value.is_none(), "expected errors");
    checked.problems.errors().map(ToString::to_string).collect()
}

/// What the runtime sees of a pipeline, for comparing spellings of the same one.
fn summary(p: &PipelineConfig) -> String {
    let mut out = format!(
        "{} {:?} {:?} vc={} {:?}\n",
        p.name,
        p.subscription,
        p.connector.config.expose_as_strings(),
        p.value_converter.type_name,
        p.value_converter.props.to_pairs()
    );
    for t in &p.transforms {
        out += &format!(
            "{} {} {:?} {} {:?}\n",
            t.alias,
            t.type_name,
            t.predicate,
            t.negate,
            t.props.to_pairs()
        );
    }
    out
}

#[test]
fn nested_dotted_and_properties_spellings_are_the_same_pipeline() {
    let nested = valid(
        "name: p1\nconnector:\n  class: test-sink\ntopics: [a, b]\ndb:\n  url: http://h:1\n  tables: {prefix: out_}\n\
         value.converter:\n  type: json\n  schemas.enable: false\n\
         transforms: [mask]\ntransforms.mask:\n  type: mask-field\n  fields: [ssn, card]\n",
    );
    let dotted = valid(
        "name: p1\nconnector.class: test-sink\ntopics: a,b\ndb.url: http://h:1\ndb.tables.prefix: out_\n\
         value.converter: json\nvalue.converter.schemas.enable: false\n\
         transforms: mask\ntransforms.mask.type: mask-field\ntransforms.mask.fields: ssn,card\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let props = write(
        dir.path(),
        "p.properties",
        "name=p1\nconnector.class=test-sink\ntopics=a,b\ndb.url=http://h:1\ndb.tables.prefix=out_\n\
         value.converter=json\nvalue.converter.schemas.enable=false\n\
         transforms=mask\ntransforms.mask.type=mask-field\ntransforms.mask.fields=ssn,card\n",
    );
    let props = pipeline::load(&props, &[SINK])
        .value
        .expect("valid .properties");
    assert_eq!(summary(&nested), summary(&dotted));
    assert_eq!(summary(&nested), summary(&props));
    assert_eq!(nested.value_converter.type_name, "json");
    assert_eq!(
        nested.subscription,
        Some(Subscription::Topics(vec!["a".into(), "b".into()]))
    );
}

#[test]
fn a_component_receives_only_its_own_group() {
    let p = valid(&format!(
        "{BASE}topics: t\ntransforms: [mask, mask.v2]\n\
         transforms.mask.type: mask-field\ntransforms.mask.fields: ssn\ntransforms.mask.predicate: is-t\n\
         transforms.mask.negate: true\ntransforms.mask.sandbox.memory.max.bytes: 2097152\n\
         transforms.mask.v2.type: other\ntransforms.mask.v2.x: 1\n\
         predicates: [is-t]\npredicates.is-t.type: topic-name-matches\npredicates.is-t.pattern: t\n"
    ));
    let mask = &p.transforms[0];
    assert_eq!(
        mask.props.to_pairs(),
        [("fields".to_owned(), "ssn".to_owned())]
    );
    assert_eq!(mask.props.prefix(), "transforms.mask.");
    assert_eq!(mask.predicate.as_deref(), Some("is-t"));
    assert!(mask.negate);
    assert_eq!(mask.sandbox.memory_max_bytes, 2_097_152);
    // A dotted alias owns its keys: they are not in `mask`'s group.
    let v2 = &p.transforms[1];
    assert_eq!(
        (v2.alias.as_str(), v2.type_name.as_str()),
        ("mask.v2", "other")
    );
    assert_eq!(v2.props.to_pairs(), [("x".to_owned(), "1".to_owned())]);
    assert_eq!(v2.sandbox.memory_max_bytes, 134_217_728, "the default");
    let pred = &p.predicates[0];
    assert_eq!(
        pred.props.to_pairs(),
        [("pattern".to_owned(), "t".to_owned())]
    );
    // The connector never sees component or pipeline keys.
    let connector_keys: Vec<_> = p.connector.config.iter().map(|r| r.name.as_ref()).collect();
    assert_eq!(
        connector_keys,
        ["db.url", "db.batch_size", "db.password", "db.tables.prefix"]
    );
}

#[test]
fn framework_values_and_defaults() {
    let p = valid(&format!(
        "{BASE}topics.regex: \"^orders-.*\"\nerrors.tolerance: ALL\nerrors.deadletterqueue.topic.name: dlq\n\
         errors.retry.timeout: -1\nconsumer.fetch.min.bytes: 10\nproducer.override.linger.ms: 5\n"
    ));
    assert_eq!(p.group_id, "sluice-p1");
    assert_eq!(p.tasks_max, 1);
    assert_eq!(p.bootstrap_servers, ["localhost:9092"]);
    assert_eq!(
        p.subscription,
        Some(Subscription::Pattern("^orders-.*".into()))
    );
    assert_eq!(p.errors.tolerance, ErrorTolerance::All);
    assert_eq!(
        p.errors
            .dead_letter_queue
            .as_ref()
            .unwrap()
            .replication_factor,
        3
    );
    assert_eq!(p.errors.retry_timeout, None, "-1 retries forever");
    assert_eq!(p.errors.outage_timeout, None);
    assert_eq!(p.consumer.get("fetch.min.bytes"), Some("10"));
    assert_eq!(p.producer.get("linger.ms"), Some("5"));
    assert_eq!(p.key_converter.type_name, "json");
    assert_eq!(p.connector.name, "test-sink");
}

#[test]
fn outages_are_waited_out_forever_unless_errors_retry_timeout_is_set() {
    let unset = valid(&format!("{BASE}topics: t\n"));
    assert_eq!(unset.errors.retry_timeout, Some(Duration::ZERO));
    assert_eq!(unset.errors.outage_timeout, None);
    assert_eq!(unset.errors.retry_delay_max, Duration::from_secs(30));
    let set = valid(&format!("{BASE}topics: t\nerrors.retry.timeout: 5000\n"));
    assert_eq!(set.errors.retry_timeout, Some(Duration::from_secs(5)));
    assert_eq!(set.errors.outage_timeout, Some(Duration::from_secs(5)));
    let zero = valid(&format!("{BASE}topics: t\nerrors.retry.timeout: 0\n"));
    assert_eq!(zero.errors.outage_timeout, Some(Duration::ZERO));
}

#[test]
fn every_problem_is_reported_with_file_pipeline_and_property() {
    let errs = errors(
        "name: p1\nconnector.class: test-sink\ntopics: t\ndb.url: nope\ndb.batchsize: 3\n\
         tasks.max: 0\ntransforms.mask.type: x\nerrors.tolerance: some\n",
    );
    assert_eq!(errs.len(), 5, "{errs:#?}");
    for e in &errs {
        assert!(e.contains("p.yaml:"), "{e}");
        assert!(e.contains("pipeline `p1`"), "{e}");
    }
    let all = errs.join("\n");
    assert!(all.contains("`db.url`: invalid value `nope`"), "{all}");
    assert!(
        all.contains("`db.batchsize`: unknown property; did you mean `db.batch_size`?"),
        "{all}"
    );
    assert!(
        all.contains("`tasks.max`: invalid value `0`: must be at least 1"),
        "{all}"
    );
    assert!(
        all.contains("transform `mask` is not listed in `transforms`"),
        "{all}"
    );
    assert!(
        all.contains("`errors.tolerance`: invalid value `some`: expected one of: none, all"),
        "{all}"
    );
}

#[test]
fn problems_point_at_the_line() {
    let errs = errors(&format!("{BASE}topics: t\ndb:\n  batch_size: zero\n"));
    assert!(errs[0].contains("p.yaml:6:"), "{}", errs[0]);
}

#[test]
fn topics_and_topics_regex_are_mutually_exclusive_and_one_is_required() {
    let both = errors(&format!("{BASE}topics: a\ntopics.regex: b.*\n"));
    assert!(both[0].contains("mutually exclusive"), "{both:?}");
    let neither = errors(BASE);
    assert!(
        neither[0].contains("set `topics` (a list) or `topics.regex`"),
        "{neither:?}"
    );
    let bad_regex = errors(&format!("{BASE}topics.regex: \"a(\"\n"));
    assert_eq!(bad_regex.len(), 1, "{bad_regex:?}");
    assert!(bad_regex[0].contains("not a valid regular expression"));
    let source = errors("name: s\nconnector.class: test-source\ndb.url: http://h:1\ntopics: a\n");
    assert!(source[0].contains("only sink connectors"), "{source:?}");
}

#[test]
fn transform_and_predicate_references_are_checked() {
    let errs = errors(&format!(
        "{BASE}topics: t\ntransforms: [mask]\ntransforms.mask.type: m\ntransforms.mask.predicate: is-tt\n\
         transforms.msak.fields: a\npredicates: [is-t]\npredicates.is-t.type: p\n"
    ));
    let all = errs.join("\n");
    assert!(
        all.contains("predicate `is-tt` is not listed in `predicates`; did you mean `is-t`?"),
        "{all}"
    );
    assert!(all.contains("`transforms.msak.fields`: transform `msak` is not listed in `transforms` (listed: mask); did you mean `mask`?"), "{all}");
    let missing_type = errors(&format!("{BASE}topics: t\ntransforms: [mask]\n"));
    assert!(
        missing_type[0].contains("p.yaml:5:"),
        "points at the list: {missing_type:?}"
    );
    assert!(missing_type[0].contains("`transforms.mask.type`: missing required property"));
}

#[test]
fn warnings_do_not_invalidate() {
    let checked = load_text(
        "p.yaml",
        &format!(
            "{BASE}topics: t\ndb.table_prefix: old_\nerrors.deadletterqueue.topic.name: dlq\n\
             predicates: [unused]\npredicates.unused.type: p\ntransforms: [a]\ntransforms.a.type: t\ntransforms.a.negate: true\n"
        ),
    );
    let (p, warnings) = checked.into_result().expect("valid");
    assert_eq!(p.connector.config.string("db.tables.prefix"), "old_");
    let text = warnings.to_string();
    assert_eq!(warnings.len(), 4, "{text}");
    assert!(
        text.contains("`db.table_prefix`: deprecated alias of `db.tables.prefix`"),
        "{text}"
    );
    assert!(
        text.contains("unless `errors.tolerance` is `all`"),
        "{text}"
    );
    assert!(text.contains("predicate `unused` is not used"), "{text}");
    assert!(
        text.contains("`transforms.a.negate`: has no effect without a `predicate`"),
        "{text}"
    );
}

#[test]
fn connector_cross_checks_run_on_resolved_aliases() {
    let errs = errors(&format!("{BASE}topics: t\ndb.table_prefix: x\n"));
    assert!(
        errs[0].contains("`db.tables.prefix`: x is reserved"),
        "{errs:?}"
    );
    assert!(
        errs[0].contains("p.yaml:5:"),
        "at the alias's line: {errs:?}"
    );
}

#[test]
fn unknown_connector_is_suggested_and_obvious_typos_still_reported() {
    let errs = errors("name: p\nconnector.class: test-snk\ntopics: t\nerrors.tolerence: all\n");
    assert!(errs[0].contains("unknown connector `test-snk` (known: test-sink, test-source); did you mean `test-sink`?"), "{errs:?}");
    assert!(
        errs[1].contains("did you mean `errors.tolerance`?"),
        "{errs:?}"
    );
}

#[test]
fn providers_resolve_relative_to_the_file_and_secrets_stay_hidden() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("sec")).unwrap();
    write(
        dir.path(),
        "sec/db.properties",
        "password=pa55-w0rd\nurl=http://db:1\n",
    );
    let file = write(
        dir.path(),
        "p.yaml",
        "name: p\nconnector.class: test-sink\ntopics: t\n\
         db.url: ${file:sec/db.properties:url}\n\
         db.password: ${file:sec/db.properties:password}\n",
    );
    let p = pipeline::load(&file, &[SINK]).value.expect("valid");
    assert_eq!(
        p.connector.config.password("db.password").expose(),
        "pa55-w0rd"
    );
    assert_eq!(p.connector.config.string("db.url"), "http://db:1");
    let dump = format!("{p:?}");
    assert!(!dump.contains("pa55-w0rd"), "{dump}");

    // A provided value is never quoted in a problem, even for a non-secret property.
    write(
        dir.path(),
        "sec/db.properties",
        "password=x\nurl=not-a-url-pa55\n",
    );
    let checked = pipeline::load(&file, &[SINK]);
    let text = checked.problems.to_string();
    assert!(
        text.contains("`db.url`: invalid value: expected an absolute URL"),
        "{text}"
    );
    assert!(!text.contains("pa55"), "{text}");

    let missing = write(
        dir.path(),
        "m.yaml",
        "name: p\nconnector.class: test-sink\ntopics: t\ndb.url: ${env:SLUICE_TEST_SURELY_UNSET}\n",
    );
    let text = pipeline::load(&missing, &[SINK]).problems.to_string();
    assert_eq!(text.lines().count(), 1, "reported once: {text}");
    assert!(
        text.contains(
            "m.yaml:4: pipeline `p`: `db.url`: environment variable `SLUICE_TEST_SURELY_UNSET`"
        ),
        "{text}"
    );
}

#[test]
fn duplicate_keys_between_nested_and_dotted_spellings() {
    let errs = errors(&format!(
        "{BASE}topics: t\ndb.tables.prefix: a\ndb:\n  tables:\n    prefix: b\n"
    ));
    assert!(
        errs[0].contains("`db.tables.prefix`: set more than once (first at"),
        "{errs:?}"
    );
}

#[test]
fn a_group_is_validated_once_its_component_is_described() {
    let p = valid(&format!(
        "{BASE}topics: t\ntransforms: [mask]\ntransforms.mask.type: m\ntransforms.mask.fieldz: a\n"
    ));
    let def = ConfigDef::new(
        "mask-field",
        vec![PropertyDef::new("fields", PropertyType::List, "fields").required()],
    );
    let checked = p.validate_group(&p.transforms[0].props, &def);
    let text = checked.problems.to_string();
    assert!(checked.value.is_none());
    assert!(
        text.contains("pipeline `p1`: `transforms.mask.fields`: missing required property"),
        "{text}"
    );
    assert!(
        text.contains(
            "`transforms.mask.fieldz`: unknown property; did you mean `transforms.mask.fields`?"
        ),
        "{text}"
    );
}
