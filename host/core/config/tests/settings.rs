//! `settings!`: one declared struct yields both the documentation (its `ConfigDef`) and
//! the parsed, typed values. Each field below is declared once and checked from both
//! sides.

use std::time::Duration;

use sluice_config::{
    ConfigValue, Importance, Origin, PropertyType, RawProperties, Secret, Validator, config_enum,
    settings,
};

config_enum! {
    /// A stand-in `enum` setting: a compression codec.
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub enum Compression {
        /// No compression.
        None = "none",
        /// gzip.
        Gzip = "gzip",
        /// Zstandard.
        Zstd = "zstd",
    }
}

settings! {
    /// A stand-in component with one setting of every kind.
    #[derive(Debug, Clone, PartialEq)]
    pub struct TestSettings {
        const COMPONENT = "test-component";
        const GROUP = "Test";
        pub mod names;

        /// Rows per request.
        #[property(BATCH_SIZE = "test.batch_size", default(100), display("Batch Size"),
            validator(Validator::at_least(1.0)))]
        pub batch_size: i32,
        /// Where the service listens, e.g. `http://localhost:1`.
        #[property(URL = "test.url", high, required, validator(Validator::Url))]
        pub url: String,
        /// The password; hidden everywhere.
        #[property(PASSWORD = "test.password", medium, default(""))]
        pub password: Secret,
        /// Put in front of table
        /// names.
        #[property(PREFIX = "test.tables.prefix", high, default("t_"),
            aliases(&["test.table_prefix"]))]
        pub prefix: String,
        /// Tables to skip.
        #[property(SKIP = "test.skip", default(Vec::new()))]
        pub skip: Vec<String>,
        /// Compression of requests.
        #[property(COMPRESSION = "test.compression", default(Compression::Gzip))]
        pub compression: Compression,
        /// How long to wait for an answer.
        #[property(TIMEOUT = "test.timeout.ms", default(Duration::from_secs(30)))]
        pub timeout: Duration,
        /// Fraction of rows to sample.
        #[property(SAMPLE = "test.sample", default(0.5), validator(Validator::between(0.0, 1.0)))]
        pub sample: f64,
        /// Largest offset to read; none: no limit.
        #[property(LIMIT = "test.limit")]
        pub limit: Option<i64>,
        /// Turn on the experimental mode.
        #[property(EXPERIMENTAL = "test.experimental", default(false))]
        pub experimental: bool,
        /// Experimental: how hard to try.
        #[property(EFFORT = "test.experimental.effort", default(1), order(0),
            visible_when(EXPERIMENTAL, true))]
        pub effort: i32,
    }
}

fn parse(pairs: &[(&str, &str)]) -> sluice_config::Checked<TestSettings> {
    let props = RawProperties::from_pairs(Origin::file("t.yaml"), pairs.iter().copied());
    TestSettings::from_raw(&props)
}

#[test]
fn the_declaration_is_the_documentation() {
    let def = TestSettings::config_def();
    assert_eq!(def.component, "test-component");
    let names: Vec<&str> = def.names().collect();
    assert_eq!(names, names::ALL);

    let batch = def.get(names::BATCH_SIZE).unwrap();
    assert_eq!(batch.ty, PropertyType::Int);
    assert_eq!(batch.default.as_deref(), Some("100"));
    assert_eq!(batch.doc, "Rows per request.");
    assert_eq!(batch.display_name, "Batch Size");
    assert_eq!(batch.group, "Test");
    assert_eq!(batch.importance, Importance::Low);
    assert_eq!(batch.validator, Some(Validator::at_least(1.0)));

    let url = def.get(names::URL).unwrap();
    assert!(url.is_required() && url.default.is_none());
    assert_eq!(url.display_name, "test.url", "the name unless declared");
    assert!(def.get(names::PASSWORD).unwrap().is_secret());

    // Doc comment lines are joined with a space.
    let prefix = def.lookup("test.table_prefix").unwrap();
    assert_eq!(prefix.name, names::PREFIX);
    assert_eq!(prefix.doc, "Put in front of table names.");

    assert_eq!(def.get(names::SKIP).unwrap().ty, PropertyType::List);
    let compression = def.get(names::COMPRESSION).unwrap();
    assert_eq!(
        compression.ty,
        PropertyType::Enum(&["none", "gzip", "zstd"])
    );
    assert_eq!(compression.default.as_deref(), Some("gzip"));
    assert_eq!(compression.recommended.join(","), "none,gzip,zstd");
    let timeout = def.get(names::TIMEOUT).unwrap();
    assert_eq!(
        (&timeout.ty, timeout.default.as_deref()),
        (&PropertyType::Long, Some("30000"))
    );
    assert_eq!(timeout.validator, Some(Validator::at_least(0.0)));
    assert_eq!(def.get(names::SAMPLE).unwrap().ty, PropertyType::Double);
    let limit = def.get(names::LIMIT).unwrap();
    assert!(!limit.is_required() && limit.default.is_none());

    // Visibility is declared on the dependent; the parent lists it as a dependent.
    let effort = def.get(names::EFFORT).unwrap();
    let when = effort.visible_when.as_ref().unwrap();
    assert_eq!(
        (&*when.property, &*when.equals),
        (names::EXPERIMENTAL, "true")
    );
    let experimental = def.get(names::EXPERIMENTAL).unwrap();
    assert_eq!(experimental.dependents.join(","), names::EFFORT);
}

#[test]
fn documentation_order_is_importance_then_order_then_declaration() {
    let def = TestSettings::config_def();
    let sorted: Vec<&str> = def.sorted().iter().map(|p| p.name.as_ref()).collect();
    assert_eq!(
        sorted,
        [
            names::URL,
            names::PREFIX,
            names::PASSWORD,
            names::EFFORT, // `order(0)` first among the low ones
            names::BATCH_SIZE,
            names::SKIP,
            names::COMPRESSION,
            names::TIMEOUT,
            names::SAMPLE,
            names::LIMIT,
            names::EXPERIMENTAL,
        ]
    );
}

#[test]
fn defaults_become_typed_values() {
    let checked = parse(&[(names::URL, "http://h:1")]);
    assert!(checked.problems.is_empty(), "{}", checked.problems);
    let s = checked.value.unwrap();
    assert_eq!(
        s,
        TestSettings {
            batch_size: 100,
            url: "http://h:1".into(),
            password: Secret::new(""),
            prefix: "t_".into(),
            skip: vec![],
            compression: Compression::Gzip,
            timeout: Duration::from_secs(30),
            sample: 0.5,
            limit: None,
            experimental: false,
            effort: 1,
        }
    );
}

#[test]
fn given_values_are_parsed_once_into_their_types() {
    let checked = parse(&[
        (names::URL, "http://h:1"),
        (names::BATCH_SIZE, " 7 "),
        (names::PASSWORD, " pw "),
        ("test.table_prefix", "old_"),
        (names::SKIP, "a, b"),
        (names::COMPRESSION, "ZSTD"),
        (names::TIMEOUT, "250"),
        (names::SAMPLE, "0.25"),
        (names::LIMIT, "9000000000"),
        (names::EXPERIMENTAL, "TRUE"),
    ]);
    let warnings: Vec<String> = checked.problems.warnings().map(|w| w.to_string()).collect();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("deprecated alias of `test.tables.prefix`"),
        "{warnings:?}"
    );
    let s = checked.value.unwrap();
    assert_eq!(s.batch_size, 7);
    assert_eq!(s.password.expose(), " pw ", "passwords are verbatim");
    assert_eq!(s.prefix, "old_");
    assert_eq!(s.skip, ["a", "b"]);
    assert_eq!(s.compression, Compression::Zstd);
    assert_eq!(s.timeout, Duration::from_millis(250));
    assert_eq!(s.sample, 0.25);
    assert_eq!(s.limit, Some(9_000_000_000));
    assert!(s.experimental);
}

#[test]
fn the_secret_never_shows() {
    let checked = parse(&[(names::URL, "http://h:1"), (names::PASSWORD, "hunter2")]);
    let s = checked.value.unwrap();
    let dump = format!("{s:?} {} {:?}", s.password, s.password);
    assert!(!dump.contains("hunter2"), "{dump}");
    assert!(dump.contains("[hidden]"));
}

#[test]
fn errors_name_the_property_and_are_all_reported() {
    let checked = parse(&[
        (names::BATCH_SIZE, "0"),
        (names::COMPRESSION, "lz4"),
        (names::TIMEOUT, "-5"),
        (names::SAMPLE, "2"),
        ("test.batchsize", "1"),
    ]);
    assert!(checked.value.is_none());
    let errors: Vec<(String, String)> = checked
        .problems
        .errors()
        .map(|p| (p.property.clone().unwrap(), p.message.clone()))
        .collect();
    let expected = [
        (names::BATCH_SIZE, "invalid value `0`: must be at least 1"),
        (names::URL, "missing required property"),
        (
            names::COMPRESSION,
            "invalid value `lz4`: expected one of: none, gzip, zstd",
        ),
        (names::TIMEOUT, "invalid value `-5`: must be at least 0"),
        (names::SAMPLE, "invalid value `2`: must be between 0 and 1"),
        (
            "test.batchsize",
            "unknown property; did you mean `test.batch_size`?",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, m)| (k.to_string(), m.to_string()))
        .collect();
    assert_eq!(errors, expected);
}

#[test]
fn visibility_follows_the_parent_value() {
    let def = TestSettings::config_def();
    let effort = def.get(names::EFFORT).unwrap();
    for (value, visible) in [("false", false), ("true", true)] {
        let props = RawProperties::from_pairs(
            Origin::file("t.yaml"),
            [(names::URL, "http://h:1"), (names::EXPERIMENTAL, value)],
        );
        let mut problems = sluice_config::Problems::new();
        let parsed = sluice_config::validate(&def, &props, Default::default(), &mut problems)
            .expect("valid");
        assert_eq!(def.is_visible(effort, &parsed), visible, "{value}");
        assert!(def.is_visible(def.get(names::URL).unwrap(), &parsed));
    }
}

#[test]
fn typed_values_come_from_validation_not_from_text() {
    // `from_parsed` reads `ConfigValue`s: a ParsedConfig validated elsewhere works as is.
    let def = TestSettings::config_def();
    let props = RawProperties::from_pairs(Origin::file("t"), [(names::URL, "http://h:1")]);
    let mut problems = sluice_config::Problems::new();
    let parsed = sluice_config::validate(&def, &props, Default::default(), &mut problems).unwrap();
    assert_eq!(parsed.get(names::BATCH_SIZE), Some(&ConfigValue::Int(100)));
    assert_eq!(parsed.get(names::LIMIT), None, "no default, no value");
    assert_eq!(TestSettings::from_parsed(&parsed).batch_size, 100);
}

#[test]
#[should_panic(expected = "declare `default(…)` or `required`")]
fn a_setting_without_default_must_say_required() {
    sluice_config::Declare::<i32>::new("x", " Some number.", "").into_def();
}
