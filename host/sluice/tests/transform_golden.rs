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

/// `input` through `component` must give `expected` (both in the component's
/// `golden/`), every record of it.
fn golden_case(component: &str, input: &str, expected: &str, config: &[&str]) {
    let dir = repo().join("transforms").join(component).join("golden");
    let expected = dir.join(expected);
    let out = transform_test(component, &dir.join(input), config, Some(&expected));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "golden test of {component} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let records = std::fs::read_to_string(&expected)
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .count();
    assert!(
        stdout.contains(&format!("ok: {records} records match")),
        "{stdout}"
    );
}

/// `component` configured with `config` is refused, and the message says `needle`
/// (which names the property).
fn refused(component: &str, config: &[&str], needle: &str) {
    let dir = repo().join("transforms").join(component).join("golden");
    let out = transform_test(component, &dir.join("input.jsonl"), config, None);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{component} accepted {config:?}");
    assert!(
        stderr.contains("rejected its configuration") && stderr.contains(needle),
        "{component} {config:?}: {stderr}"
    );
}

#[test]
fn mask_field_matches_its_golden_file() {
    golden("mask-field", &["fields=ssn,balance"]);
}

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
    let dir = repo().join("transforms/kinetica-flattener/golden");
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
    let dir = repo().join("transforms/mask-field/golden");
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
    let dir = repo().join("transforms/mask-field/golden");
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
/// schema, a schemaless map and a tombstone; then the whole key.
#[test]
fn cast_matches_its_golden_files() {
    golden(
        "cast",
        &[
            "spec=id:int32,amount:string,flag:boolean,ts:string,code:int16,blob:string,qty:float64,customer.zip:int32",
        ],
    );
    golden_file("cast", "expected-key.jsonl", &["spec=int64", "part=key"]);
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
    let dir = repo().join("transforms/set-schema-metadata/golden");
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
