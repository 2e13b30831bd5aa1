//! The example SMTs run through `sluice transform test` on their golden files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn transform_test(component: &str, input: &Path, config: &[&str], expect: Option<&Path>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.args(["transform", "test"])
        .arg(sluice_guests::path(component))
        .arg("--input")
        .arg(input)
        // Keep compiled components of this test out of the user's cache.
        .env(
            "SLUICE_CACHE_DIR",
            std::env::temp_dir().join("sluice-test-cache"),
        );
    for c in config {
        cmd.args(["--config", c]);
    }
    if let Some(e) = expect {
        cmd.arg("--expect").arg(e);
    }
    cmd.output().expect("run sluice")
}

fn golden(component: &str, config: &[&str]) {
    golden_file(component, "expected.jsonl", config);
}

fn golden_file(component: &str, expected: &str, config: &[&str]) {
    golden_case(component, "input.jsonl", expected, config);
}

/// The `golden/` directory of `component`.
fn golden_dir(component: &str) -> PathBuf {
    repo().join("transforms").join(component).join("golden")
}

/// The records (JSON lines) of a golden file.
fn golden_records(file: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}", file.display())))
        .collect()
}

/// `input` through `component` must give `expected` (both in the component's
/// `golden/`), every record of it.
fn golden_case(component: &str, input: &str, expected: &str, config: &[&str]) {
    let dir = golden_dir(component);
    let expected = dir.join(expected);
    let out = transform_test(component, &dir.join(input), config, Some(&expected));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "golden test of {component} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = golden_records(&expected).len();
    assert!(
        stdout.contains(&format!("ok: {records} records match")),
        "{stdout}"
    );
}

/// [`golden_file`] where `expected` must hold exactly `records` records (a filter or an
/// explode changes the count).
fn golden_count(component: &str, expected: &str, config: &[&str], records: usize) {
    let file = golden_dir(component).join(expected);
    assert_eq!(golden_records(&file).len(), records, "{}", file.display());
    golden_file(component, expected, config);
}

/// [`golden_file`] for a predicate: `expected` holds each input record with its
/// `"matches"`, which must be `matches`, in order. The verdicts are stated here as well
/// as in the file, so that a golden file regenerated from a wrong predicate fails.
fn golden_verdicts(component: &str, expected: &str, config: &[&str], matches: &[bool]) {
    let file = golden_dir(component).join(expected);
    let verdicts: Vec<Option<bool>> = golden_records(&file)
        .iter()
        .map(|r| r["matches"].as_bool())
        .collect();
    let stated: Vec<Option<bool>> = matches.iter().copied().map(Some).collect();
    assert_eq!(verdicts, stated, "{}", file.display());
    golden_file(component, expected, config);
}

/// Runs `component` on `lines` (JSON records) and returns its exit success, stdout and
/// stderr.
fn run_lines(component: &str, lines: &[&str], config: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = transform_test(component, &input, config, None);
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn refused(component: &str, config: &[&str], expected: &str) {
    refused_on(component, &[r#"{"value":{"a":1}}"#], config, expected);
}

/// `component` refuses `config` as a configuration error saying `expected`, on `lines`:
/// some configurations are wrong only for the fields they meet (a replacement of the
/// wrong type for one).
fn refused_on(component: &str, lines: &[&str], config: &[&str], expected: &str) {
    let (ok, _, stderr) = run_lines(component, lines, config);
    assert!(!ok, "{component} accepted {config:?}");
    assert!(
        stderr.contains("rejected its configuration") && stderr.contains(expected),
        "{component} {config:?}: {stderr}"
    );
}

#[test]

fn mask_field_matches_its_golden_file() {
    golden("mask-field", &["fields=ssn,balance"]);
}

/// MaskField over every kind of field, with a schema (a Decimal, a null field, a null
/// struct on a nested path), schemaless, and tombstones (which pass unchanged: there is
/// nothing to mask, and the delete must reach the sink). Without `replacement` each
/// field gets the empty value of its type (a zero Decimal, an empty array); with one, a
/// numeric replacement converts to each numeric type (the Decimal at its scale) and is
/// text for strings; a text replacement masks strings.
#[test]
fn mask_field_masks_nested_fields_and_replaces_by_type() {
    let c = "mask-field";
    let input = "input-nested.jsonl";
    golden_case(
        c,
        input,
        "expected-nested.jsonl",
        &["fields=ssn,balance,score,level,vip,tags,customer.address.zip"],
    );
    golden_case(
        c,
        input,
        "expected-replacement.jsonl",
        &[
            "fields=ssn,balance,score,level,customer.address.zip",
            "replacement=7",
        ],
    );
    golden_case(
        c,
        input,
        "expected-replacement-text.jsonl",
        &["fields=name,ssn,customer.address.zip", "replacement=***"],
    );
}

/// As Connect's: `fields` is required; an empty `replacement` is refused (its
/// `NonEmptyString`); a replacement converts to numbers and strings only, and must fit
/// the field's type; a struct cannot be masked (a nested path names its fields).
#[test]
fn mask_field_refuses_bad_configuration_naming_the_property() {
    let c = "mask-field";
    refused(c, &[], "`fields` must name at least one field");
    refused(
        c,
        &["fields=a", "replacement= "],
        "`replacement` must not be empty",
    );
    refused(
        c,
        &["fields=a", "part=both"],
        "`part` must be `key` or `value`",
    );
    refused(
        c,
        &["fields=a", "replacement=***"],
        "`replacement` `***` is not a valid int64 for field `a`",
    );
    let input = std::fs::read_to_string(golden_dir(c).join("input-nested.jsonl")).unwrap();
    let lines: Vec<&str> = input.lines().collect();
    let cases: [(&[&str], &str); 5] = [
        (
            &["fields=level", "replacement=300"],
            "`replacement` `300` is not a valid int8 for field `level`",
        ),
        // Digits beyond the Decimal's scale would be lost.
        (
            &["fields=balance", "replacement=0.001"],
            "`replacement` `0.001` is not a valid Decimal of scale 2 for field `balance`",
        ),
        (
            &["fields=vip", "replacement=1"],
            "`replacement` applies to numeric and string fields, not to `vip` (boolean)",
        ),
        (
            &["fields=tags", "replacement=x"],
            "`replacement` applies to numeric and string fields, not to `tags` (array)",
        ),
        (
            &["fields=customer.address"],
            "`fields`: `customer.address` is a struct, which cannot be masked",
        ),
    ];
    for (config, expected) in cases {
        refused_on(c, &lines, config, expected);
    }
}

/// Every field kind inserted into schema'd (a record without a timestamp too) and
/// schemaless values; the last two records are tombstones, schema'd and schemaless,
/// which pass unchanged, schema included, as Kafka Connect's InsertField passes them.
#[test]

fn insert_field_matches_its_golden_file() {
    golden(
        "insert-field",
        &[
            "static.field=source",
            "static.value=kafka",
            "topic.field=kafka_topic",
            "partition.field=kafka_partition",
            "offset.field=kafka_offset",
            "timestamp.field=kafka_ts",
        ],
    );
}

/// A key or value that is neither a struct nor a map cannot take a field: it is rejected,
/// as Connect fails it ("Only Struct objects supported"); the others get their fields,
/// and a tombstone passes unchanged.
#[test]
fn insert_field_rejects_a_value_that_is_not_a_struct_or_map() {
    let (ok, stdout, stderr) = run_lines(
        "insert-field",
        &[
            r#"{"value":{"a":1}}"#,
            r#"{"value":7,"value_schema":{"type":"int32"}}"#,
            r#"{"value":"text"}"#,
            r#"{"value":null}"#,
        ],
        &["topic.field=t"],
    );
    assert!(!ok, "a rejected record fails the test run");
    for rejected in [
        "rejected: record 1 (test-0@1): InsertField needs a struct or map value, not int32",
        "rejected: record 2 (test-0@2): InsertField needs a struct or map value, not string",
    ] {
        assert!(stderr.contains(rejected), "{stderr}");
    }
    let values: Vec<serde_json::Value> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["value"].clone())
        .collect();
    assert_eq!(
        values,
        [
            serde_json::json!({"a": 1, "t": "test"}),
            serde_json::Value::Null
        ]
    );
}

/// As Connect's: something to insert, and `static.value` with `static.field`.
#[test]
fn insert_field_refuses_bad_configuration_naming_the_property() {
    let c = "insert-field";
    refused(
        c,
        &[],
        "no field to insert: set at least one of `static.field`",
    );
    // A name that is only Connect's optionality marker names no field.
    refused(c, &["topic.field=?"], "no field to insert");
    refused(
        c,
        &["static.field=source"],
        "`static.field` needs `static.value`",
    );
    // Connect ignores a `static.value` without its field; here it is a mistake.
    refused(
        c,
        &["static.value=kafka", "topic.field=t"],
        "`static.value` needs `static.field`",
    );
    refused(
        c,
        &["topic.field=t", "part=both"],
        "`part` must be `key` or `value`",
    );
    refused(c, &["topic.feild=t"], "unknown property `topic.feild`");
}

/// A flattener runs through `sluice transform test` too: one golden file per array
/// mode, over a struct in a struct, arrays of strings, ints and structs, a map,
/// logical types and a schemaless record.
#[test]

fn kinetica_flattener_matches_its_golden_file_in_each_array_mode() {
    for (mode, file) in [
        ("CONVERT_TO_STRING", "convert-to-string.jsonl"),
        ("TAKE_FIRST_VALUE", "take-first-value.jsonl"),
        ("KEEP_ARRAYS", "keep-arrays.jsonl"),
    ] {
        golden_file(
            "kinetica-flattener",
            file,
            &[&format!("array_flattening_mode={mode}")],
        );
    }
}

#[test]

fn kinetica_flattener_refuses_an_unknown_mode_listing_the_modes() {
    let dir = golden_dir("kinetica-flattener");
    let out = transform_test(
        "kinetica-flattener",
        &dir.join("input.jsonl"),
        &["array_flattening_mode=FIRST"],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("`array_flattening_mode` must be one of CONVERT_TO_STRING, TAKE_FIRST_VALUE, KEEP_ARRAYS"),
        "{stderr}"
    );
}

#[test]

fn a_difference_from_the_expected_file_is_shown_and_exits_1() {
    let dir = golden_dir("mask-field");
    // Masking a different field than the golden file expects.
    let out = transform_test(
        "mask-field",
        &dir.join("input.jsonl"),
        &["fields=name"],
        Some(&dir.join("expected.jsonl")),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains("record 0:") && stdout.contains("- {") && stdout.contains("+ {"),
        "{stdout}"
    );
    assert!(stdout.contains("3 difference(s)"), "{stdout}");
}

#[test]

fn without_expect_the_records_are_printed_as_json_lines() {
    let dir = golden_dir("mask-field");
    let out = transform_test(
        "mask-field",
        &dir.join("input.jsonl"),
        &["fields=ssn"],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 3);
    assert_eq!(lines[0]["value"]["ssn"], "");
    assert_eq!(lines[0]["value"]["name"], "Ann");
}

#[test]

fn a_component_error_names_the_component_and_exits_non_zero() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"value\": {\"a\": 1}}\n").unwrap();
    let out = transform_test("trap", &input, &[], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("component `trap` trapped") && stderr.contains("deliberate panic"),
        "{stderr}"
    );
    let out = transform_test("mask-field", &input, &["nope=1"], None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("mask_field") && stderr.contains("unknown property `nope`"),
        "{stderr}"
    );
}

/// ReplaceField: excluding and renaming (top-level and nested), on records with a
/// schema (whose schema changes, a null field taking its default), a schemaless map
/// and a tombstone; then including, with the old name `whitelist` too.
#[test]

fn replace_field_matches_its_golden_files() {
    golden(
        "replace-field",
        &[
            "exclude=ssn,customer.internal",
            "renames=name:full_name,customer.zip:postcode",
        ],
    );
    for include in ["include", "whitelist"] {
        golden_file(
            "replace-field",
            "expected-include.jsonl",
            &[&format!("{include}=id,score,customer.city")],
        );
    }
    golden_file(
        "replace-field",
        "expected-blacklist.jsonl",
        &["blacklist=ssn"],
    );
}

#[test]

fn replace_field_refuses_bad_configuration_naming_the_property() {
    refused(
        "replace-field",
        &["renames=a:b:c"],
        "`renames`: invalid rename mapping `a:b:c`",
    );
    refused("replace-field", &["renames=a.b:c.d"], "`renames`");
    refused("replace-field", &["exclude=a..b"], "`exclude`");
    refused("replace-field", &["part=both"], "`part`");
    refused(
        "replace-field",
        &["replace.null.with.default=maybe"],
        "`replace.null.with.default`",
    );
}

/// Cast: per field (top-level and nested, every kind of source), on records with a
/// schema, a schemaless map and a tombstone; then the whole key; then a batch of
/// schemaless records only.
#[test]

fn cast_matches_its_golden_files() {
    golden(
        "cast",
        &[
            "spec=id:int32,amount:string,flag:boolean,ts:string,code:int16,blob:string,qty:float64,customer.zip:int32",
        ],
    );
    golden_file("cast", "expected-key.jsonl", &["spec=int64", "part=key"]);
    // A batch with no schema at all takes the column path (the batch's `any-schema`
    // says so); the mixed batch above, one record at a time.
    golden_case(
        "cast",
        "schemaless.jsonl",
        "expected-schemaless.jsonl",
        &["spec=id:int32,amount:string,flag:boolean,code:int16,qty:float64,customer.zip:int32"],
    );
}

#[test]

fn cast_refuses_bad_configuration_naming_the_property() {
    refused("cast", &[], "`spec` must name at least one field");
    refused("cast", &["spec=id:bytes"], "`spec`: cannot cast to `bytes`");
    refused(
        "cast",
        &["spec=int32,id:int64"],
        "`spec`: a type for the whole value",
    );
    refused("cast", &["spec=a:b:c"], "`spec`: `a:b:c`");
}

/// ExtractField: a nested field (through a null struct, which gives null) and a
/// top-level one, with a schema and without; a tombstone stays null.
#[test]

fn extract_field_matches_its_golden_files() {
    golden("extract-field", &["field=customer.city"]);
    golden_file("extract-field", "expected-top.jsonl", &["field=id"]);
}

#[test]

fn extract_field_refuses_bad_configuration_naming_the_property() {
    refused("extract-field", &[], "missing required property `field`");
    refused("extract-field", &["field=a..b"], "`field`");
    refused(
        "extract-field",
        &["field=id", "field.syntax.version=V3"],
        "`field.syntax.version`",
    );
}

/// HoistField: a struct and a primitive with a schema, a schemaless map and a null
/// (wrapped too, as in Connect).
#[test]

fn hoist_field_matches_its_golden_file() {
    golden("hoist-field", &["field=payload"]);
}

#[test]

fn hoist_field_refuses_bad_configuration_naming_the_property() {
    refused("hoist-field", &[], "missing required property `field`");
    refused("hoist-field", &["field=payload", "part=both"], "`part`");
}

/// ValueToKey: top-level and nested fields (through a null struct) into a struct key
/// with a schema, a map key without; a tombstone keeps its key.
#[test]

fn value_to_key_matches_its_golden_file() {
    golden("value-to-key", &["fields=id,customer.city,region"]);
}

#[test]

fn value_to_key_refuses_bad_configuration_naming_the_property() {
    refused("value-to-key", &[], "`fields` must name at least one field");
    refused(
        "value-to-key",
        &["fields=a.id,b.id"],
        "`fields`: two fields",
    );
    refused(
        "value-to-key",
        &["fields=id", "part=key"],
        "unknown property `part`",
    );
}

/// SetSchemaMetadata: name and version, or the version alone, on a struct, a
/// primitive and a null; a schemaless record is rejected, as Connect requires a schema.
#[test]

fn set_schema_metadata_matches_its_golden_files() {
    golden(
        "set-schema-metadata",
        &["schema.name=com.example.Order", "schema.version=3"],
    );
    golden_file(
        "set-schema-metadata",
        "expected-version.jsonl",
        &["schema.version=3"],
    );
    let dir = golden_dir("set-schema-metadata");
    let out = transform_test(
        "set-schema-metadata",
        &dir.join("input-schemaless.jsonl"),
        &["schema.version=3"],
        None,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("rejected: record 0"), "{stderr}");
    assert!(stderr.contains("no schema to update"), "{stderr}");
}

#[test]

fn set_schema_metadata_refuses_bad_configuration_naming_the_property() {
    refused(
        "set-schema-metadata",
        &[],
        "set `schema.name`, `schema.version` or both",
    );
    refused(
        "set-schema-metadata",
        &["schema.version=three"],
        "`schema.version` must be an int",
    );
}

/// Flatten: nested structs (one null: its leaves become null and optional) and an
/// array kept whole, nested maps without a schema, a tombstone; two delimiters.
#[test]

fn flatten_matches_its_golden_files() {
    golden("flatten", &[]);
    golden_file("flatten", "expected-underscore.jsonl", &["delimiter=_"]);
}

#[test]

fn flatten_refuses_bad_configuration_naming_the_property() {
    refused("flatten", &["part=middle"], "`part`");
    refused("flatten", &["delimeter=_"], "unknown property `delimeter`");
}

/// TimestampConverter: a Timestamp field to a string, a nested string parsed to a
/// Timestamp, unix seconds to a Date (before the epoch too), and the whole key from a
/// string to unix; with a schema (nulls stay null), without, and a tombstone.
#[test]

fn timestamp_converter_matches_its_golden_files() {
    golden(
        "timestamp-converter",
        &[
            "field=ts",
            "target.type=string",
            "format=yyyy-MM-dd'T'HH:mm:ss.SSSZ",
        ],
    );
    golden_file(
        "timestamp-converter",
        "expected-parse.jsonl",
        &[
            "field=meta.created",
            "target.type=Timestamp",
            "format=yyyy-MM-dd HH:mm:ss",
        ],
    );
    golden_file(
        "timestamp-converter",
        "expected-date.jsonl",
        &["field=epoch", "target.type=Date", "unix.precision=seconds"],
    );
    golden_file(
        "timestamp-converter",
        "expected-key.jsonl",
        &["part=key", "target.type=unix", "format=yyyy-MM-dd"],
    );
}

#[test]

fn timestamp_converter_refuses_bad_configuration_naming_the_property() {
    let t = "timestamp-converter";
    refused(t, &["field=ts"], "missing required property `target.type`");
    refused(t, &["target.type=iso"], "`target.type` must be one of");
    refused(t, &["target.type=string"], "`format` must be set");
    refused(
        t,
        &["target.type=string", "format=yyyy-qq"],
        "`format`: pattern letter `q`",
    );
    refused(
        t,
        &["target.type=unix", "unix.precision=hours"],
        "`unix.precision` must be one of",
    );
}

/// Filter drops every record it sees (schema'd, schemaless, tombstone); a predicate
/// decides which records those are (tests/standard_smts.rs).
#[test]
fn filter_drops_every_record_and_takes_no_properties() {
    golden_count("filter", "expected.jsonl", &[], 0);
    refused("filter", &["condition=x"], "unknown property `condition`");
}

#[test]
fn regex_router_matches_its_golden_file() {
    golden_count(
        "regex-router",
        "expected.jsonl",
        &[r"regex=orders\.(.*)", "replacement=sales_$1"],
        4,
    );
}

/// Java's `matches()` then `replaceFirst()`: only topics the regex matches whole are
/// routed; `$n`, `${name}` and `\$` have Java's meaning.
#[test]
fn regex_router_routes_whole_matches_with_java_replacements() {
    let (ok, stdout, stderr) = run_lines(
        "regex-router",
        &[
            r#"{"topic":"orders.eu","value":1}"#,
            r#"{"topic":"orders-eu","value":2}"#,
            r#"{"topic":"xorders.eu","value":3}"#,
        ],
        &[
            r"regex=orders\.(?<region>\w+)",
            r"replacement=$1\$_$0_${region}",
        ],
    );
    assert!(ok, "{stderr}");
    let topics: Vec<String> = stdout
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["topic"].to_string())
        .collect();
    assert_eq!(
        topics,
        [r#""eu$_orders.eu_eu""#, r#""orders-eu""#, r#""xorders.eu""#]
    );
}

#[test]
fn regex_router_refuses_bad_configurations_naming_the_property() {
    refused("regex-router", &["replacement=x"], "`regex`");
    refused("regex-router", &["regex=a"], "`replacement`");
    refused(
        "regex-router",
        &["regex=(a", "replacement=x"],
        // One line (`regex` prints three), naming the pattern and the problem.
        "`regex`: not a regular expression: `(a`: unclosed group",
    );
    refused(
        "regex-router",
        &["regex=(a)", "replacement=$2"],
        "`replacement`: no group 2",
    );
    refused(
        "regex-router",
        &["regex=(a)", "replacement=${x}"],
        "`replacement`: no group named `x`",
    );
    refused(
        "regex-router",
        &["regex=a", "replacement=x", "replacment=y"],
        "unknown property `replacment`",
    );
}

#[test]
fn timestamp_router_matches_its_golden_file() {
    golden_count(
        "timestamp-router",
        "expected.jsonl",
        &[
            "topic.format=${topic}_${timestamp}",
            "timestamp.format=yyyy_MM_dd",
        ],
        4,
    );
}

/// Kafka Connect's defaults (`${topic}-${timestamp}`, `yyyyMMdd`, UTC), and a record
/// without a timestamp is rejected (Kafka Connect fails it) while the others route.
#[test]
fn timestamp_router_defaults_and_a_record_without_timestamp() {
    let (ok, stdout, stderr) = run_lines(
        "timestamp-router",
        &[
            r#"{"topic":"t","timestamp":1700000000000,"value":1}"#,
            r#"{"topic":"t","value":2}"#,
        ],
        &[],
    );
    assert!(!ok, "a rejected record fails the test run");
    assert!(stdout.contains(r#""topic":"t-20231114""#), "{stdout}");
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(
        stderr.contains("rejected: record 1") && stderr.contains("no timestamp"),
        "{stderr}"
    );
    refused(
        "timestamp-router",
        &["timestamp.format=yyyy-ww"],
        "`timestamp.format`: pattern letter `w`",
    );
    refused(
        "timestamp-router",
        &["timestamp.format='open"],
        "`timestamp.format`: unterminated quote",
    );
}

#[test]
fn insert_header_matches_its_golden_file() {
    golden_count(
        "insert-header",
        "expected.jsonl",
        &["header=env", "value.literal=prod"],
        4,
    );
    refused("insert-header", &["value.literal=x"], "`header`");
    refused("insert-header", &["header=h"], "`value.literal`");
    refused(
        "insert-header",
        &["header=h", "value=x"],
        "unknown property `value`",
    );
}

#[test]
fn drop_headers_matches_its_golden_file() {
    golden_count(
        "drop-headers",
        "expected.jsonl",
        &["headers=trace,missing"],
        4,
    );
    refused("drop-headers", &[], "`headers`");
    refused(
        "drop-headers",
        &["headers= , "],
        "`headers` must name at least one header",
    );
}

/// Move (fields leave the value and its schema) and copy, over a nested path, a null
/// struct on the way (a null header), a schema default and a schemaless record.
#[test]
fn header_from_matches_its_golden_files() {
    let config = ["fields=sku,ship.city,qty", "headers=h_sku,h_city,h_qty"];
    golden_file(
        "header-from",
        "expected.jsonl",
        &[config[0], config[1], "operation=move"],
    );
    golden_file(
        "header-from",
        "copy.jsonl",
        &[config[0], config[1], "operation=copy"],
    );
}

/// As Kafka Connect: a null (tombstone) value, a schema'd value without the field and
/// a struct-typed field are rejected, one record each; the others carry on.
#[test]
fn header_from_rejects_records_it_cannot_read() {
    let schema = r#""value_schema":{"type":"struct","fields":[{"field":"a","type":"string"},{"field":"s","type":"struct","fields":[{"field":"x","type":"int32"}]}]}"#;
    let (ok, stdout, stderr) = run_lines(
        "header-from",
        &[
            &format!(r#"{{"value":{{"a":"one","s":{{"x":1}}}},{schema}}}"#),
            r#"{"value":null}"#,
            r#"{"value":7,"value_schema":{"type":"int32"}}"#,
        ],
        &["fields=a", "headers=h", "operation=copy"],
    );
    assert!(!ok);
    assert!(stdout.contains(r#""headers":{"h":"one"}"#), "{stdout}");
    assert!(
        stderr.contains("rejected: record 1") && stderr.contains("the value is null"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rejected: record 2") && stderr.contains("not a struct"),
        "{stderr}"
    );
    let (ok, _, stderr) = run_lines(
        "header-from",
        &[&format!(
            r#"{{"value":{{"a":"one","s":{{"x":1}}}},{schema}}}"#
        )],
        &["fields=s,b", "headers=h1,h2", "operation=move"],
    );
    assert!(!ok);
    assert!(
        stderr.contains("struct, map or array field cannot be a header"),
        "{stderr}"
    );
}

#[test]
fn header_from_refuses_bad_configurations_naming_the_property() {
    refused("header-from", &["headers=h", "operation=copy"], "`fields`");
    refused("header-from", &["fields=a", "operation=copy"], "`headers`");
    refused("header-from", &["fields=a", "headers=h"], "`operation`");
    refused(
        "header-from",
        &["fields=a", "headers=h", "operation=cut"],
        "`operation` must be `move` or `copy`",
    );
    refused(
        "header-from",
        &["fields=a,b", "headers=h", "operation=copy"],
        "`fields` (2) and `headers` (1)",
    );
    refused(
        "header-from",
        &["fields=a", "headers=h", "operation=copy", "part=both"],
        "`part`",
    );
    refused(
        "header-from",
        &[
            "fields=a",
            "headers=h",
            "operation=copy",
            "replace.null.with.default=maybe",
        ],
        "replace.null.with.default",
    );
}

/// Each element becomes a record with the origin's offset, topic, key and headers;
/// the field's schema becomes the item schema; an empty, null or absent array yields
/// nothing.
#[test]
fn explode_matches_its_golden_file() {
    golden_count("explode", "expected.jsonl", &["field=lines"], 5);
    let (ok, _, stderr) = run_lines(
        "explode",
        &[r#"{"value":{"lines":3}}"#, r#"{"value":null}"#],
        &["field=lines"],
    );
    assert!(!ok);
    assert!(
        stderr.contains("rejected: record 0") && stderr.contains("not an array"),
        "{stderr}"
    );
    assert!(
        stderr.contains("rejected: record 1") && stderr.contains("the value is null"),
        "{stderr}"
    );
    refused("explode", &[], "`field`");
    refused("explode", &["field=a..b"], "`field` must name a field");
}

/// A predicate runs through `sluice transform test` too, and each record is printed
/// with its verdict. TopicNameMatches: `pattern` must match the whole topic name, as
/// Kafka Connect's `Matcher.matches()` does: `orders` is not found in `xorders` or
/// `orders.eu`, an alternation is anchored as a whole, and `(?i)` (Java's too) ignores
/// case. The records' topics differ, so each is tested on its own name.
#[test]
fn topic_name_matches_matches_whole_topic_names_as_java_does() {
    let c = "topic-name-matches";
    // orders, orders.eu, orders.eu.archive, xorders, orders-archive, payments, ORDERS
    let (f, t) = (false, true);
    golden_verdicts(
        c,
        "expected-exact.jsonl",
        &["pattern=orders"],
        &[t, f, f, f, f, f, f],
    );
    golden_verdicts(
        c,
        "expected.jsonl",
        &[r"pattern=orders\.\w+|payments"],
        &[f, t, f, f, f, t, f],
    );
    golden_verdicts(
        c,
        "expected-case-insensitive.jsonl",
        &["pattern=(?i)orders"],
        &[t, f, f, f, f, f, t],
    );
    // A batch of one topic (the usual batch) is answered once for all its records: by
    // the same whole-name rule. The pattern is trimmed, as Connect's `ConfigDef` does.
    let (ok, stdout, stderr) = run_lines(
        c,
        &[
            r#"{"topic":"orders.eu","value":1}"#,
            r#"{"topic":"orders.eu","value":null}"#,
        ],
        &["pattern= orders "],
    );
    assert!(ok, "{stderr}");
    assert_eq!(stdout.matches(r#""matches":false"#).count(), 2, "{stdout}");
}

#[test]
fn topic_name_matches_refuses_a_missing_empty_or_invalid_pattern_naming_it() {
    let c = "topic-name-matches";
    refused(c, &[], "missing required property `pattern`");
    // Connect's `NonEmptyString`: an empty pattern would select only an empty topic
    // name, which Kafka does not allow.
    refused(c, &["pattern= "], "`pattern` must not be empty");
    // One line, naming the pattern as written (not as anchored) and the problem.
    refused(
        c,
        &["pattern=(orders"],
        "`pattern`: `(orders` is not a regular expression: unclosed group",
    );
    refused(c, &["regex=orders"], "unknown property `regex`");
}

/// HasHeaderKey: a header of that name, whatever its value (null and empty count), on
/// schema'd, schemaless and tombstone records; names are case-sensitive; no headers or
/// other headers only do not match. The name is trimmed, as in Connect.
#[test]
fn has_header_key_matches_records_with_the_header_whatever_its_value() {
    let c = "has-header-key";
    let (f, t) = (false, true);
    for name in ["name=trace", "name= trace "] {
        golden_verdicts(c, "expected.jsonl", &[name], &[t, f, t, f, f, t]);
    }
    // A verdict that differs from the file is a difference: `span` is on records 4 and
    // 5, `trace` on 0, 2 and 5.
    let dir = golden_dir(c);
    let out = transform_test(
        c,
        &dir.join("input.jsonl"),
        &["name=span"],
        Some(&dir.join("expected.jsonl")),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(stdout.contains("3 difference(s)"), "{stdout}");
    // Record 4 has `span`: the file says false, the run true.
    let record_4 = stdout.split("record 4:").nth(1).unwrap_or_default();
    let actual = record_4
        .lines()
        .find(|l| l.starts_with("+ "))
        .unwrap_or_default();
    assert!(actual.contains(r#""matches":true"#), "{stdout}");
    refused(c, &[], "missing required property `name`");
    refused(c, &["name="], "`name` must not be empty");
    refused(c, &["name=trace", "key=trace"], "unknown property `key`");
}

/// RecordIsTombstone: null values, schema'd or schemaless, keyed or not; a struct with
/// a null field, an empty string, a zero or a null key are no tombstones. `negate`
/// belongs to the transform that uses the predicate, not to the predicate.
#[test]
fn record_is_tombstone_matches_null_values_only() {
    let (f, t) = (false, true);
    golden_verdicts(
        "record-is-tombstone",
        "expected.jsonl",
        &[],
        &[f, f, t, t, f, f, f, f],
    );
    refused(
        "record-is-tombstone",
        &["negate=true"],
        "unknown property `negate`",
    );
}

/// `sluice transform bench` on `component`'s golden input, with `args` after it.
fn bench(component: &str, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["transform", "bench"])
        .arg(sluice_guests::path(component))
        .arg("--input")
        .arg(golden_dir(component).join("input.jsonl"))
        .args(args)
        .env(
            "SLUICE_CACHE_DIR",
            std::env::temp_dir().join("sluice-test-cache"),
        )
        .output()
        .unwrap()
}

/// `sluice transform bench` runs a component on batches of the given records and says
/// what it costs per record: a transform, and a predicate too.
#[test]
fn bench_reports_the_cpu_cost_per_record_of_a_component() {
    for (component, config) in [
        ("mask-field", "fields=ssn"),
        ("topic-name-matches", "pattern=orders"),
    ] {
        let out = bench(
            component,
            &["--config", config, "--batch", "10", "--rounds", "3"],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            stdout.contains("ns CPU per record (median of 3 batches of 10 records"),
            "{stdout}"
        );
    }
    let refused = bench("mask-field", &["--config", "part=side"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("rejected its configuration"));
}
