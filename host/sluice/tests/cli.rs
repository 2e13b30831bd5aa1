//! The `sluice` binary as users run it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sluice(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.args(args).env_remove("RUST_LOG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run sluice")
}

fn text(out: &Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    path
}

const SINK: &str = "name: orders\nconnector.class: kinetica-sink\ntopics: [orders]\nkinetica.url: http://localhost:9191\n";

#[test]
fn a_misspelt_key_fails_with_the_file_the_key_and_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "orders.yaml",
        &format!("{SINK}kinetica.batchsize: 500\n"),
    );
    let out = sluice(&["validate", file.to_str().unwrap()], &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}{stderr}");
    let line = stdout
        .lines()
        .find(|l| l.contains("kinetica.batchsize"))
        .unwrap_or_else(|| panic!("no line about the key:\n{stdout}"));
    assert!(line.contains(&format!("{}:5", file.display())), "{line}");
    assert!(line.contains("pipeline `orders`"), "{line}");
    assert!(
        line.contains("did you mean `kinetica.batch_size`?"),
        "{line}"
    );
}

#[test]
fn every_file_is_reported_and_valid_ones_say_ok() {
    let dir = tempfile::tempdir().unwrap();
    let good = write(
        dir.path(),
        "good.properties",
        "name=g\nconnector.class=com.kinetica.kafka.KineticaSinkConnector\ntopics=t\nkinetica.url=http://h:9191\n",
    );
    let bad = write(
        dir.path(),
        "bad.yaml",
        "name: b\nconnector.class: kinetica-sink\n",
    );
    let out = sluice(
        &["validate", bad.to_str().unwrap(), good.to_str().unwrap()],
        &[],
    );
    let (stdout, _) = text(&out);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!("ok: {} (pipeline `g`)", good.display())),
        "{stdout}"
    );
    assert!(
        stdout.contains("`kinetica.url`: missing required property"),
        "{stdout}"
    );
    assert!(
        stdout.contains("`topics`: a sink needs the topics"),
        "{stdout}"
    );
}

#[test]
fn the_password_never_appears_in_any_output() {
    const SECRET: &str = "Sluice-Pw-7f3a9c-unique";
    let env = [("SLUICE_TEST_PW", SECRET)];
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "secret.yaml",
        &format!("{SINK}kinetica.username: admin\nkinetica.password: ${{env:SLUICE_TEST_PW}}\n"),
    );
    let path = file.to_str().unwrap();

    let validate = sluice(&["validate", path], &env);
    assert_eq!(validate.status.code(), Some(0), "{:?}", text(&validate));
    let runs = [
        validate,
        sluice(&["--log-level", "trace", "validate", path], &env),
        sluice(
            &[
                "validate",
                path,
                "--log-format",
                "json",
                "--log-level",
                "trace",
            ],
            &env,
        ),
        sluice(&["config", "describe"], &env),
        sluice(&["config", "describe", "--json"], &env),
    ];
    for out in &runs {
        let (stdout, stderr) = text(out);
        assert!(out.status.success(), "{stdout}{stderr}");
        assert!(
            !stdout.contains(SECRET) && !stderr.contains(SECRET),
            "leaked:\n{stdout}\n{stderr}"
        );
    }
    // The trace runs did log something, so the check above had something to look at.
    assert!(!runs[1].stderr.is_empty());

    // A broken pipeline with the secret set is reported without it too.
    let broken = write(
        dir.path(),
        "broken.yaml",
        &format!("{SINK}kinetica.password: ${{env:SLUICE_TEST_PW}}\ntasks.max: x\n"),
    );
    let out = sluice(
        &["--log-level", "trace", "validate", broken.to_str().unwrap()],
        &env,
    );
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        !stdout.contains(SECRET) && !stderr.contains(SECRET),
        "leaked:\n{stdout}\n{stderr}"
    );
}

#[test]
fn describe_json_lists_every_property() {
    let out = sluice(&["config", "describe", "--json"], &[]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let rows = list.as_array().expect("an array");
    let find = |name: &str| {
        rows.iter()
            .find(|r| r["name"] == name)
            .unwrap_or_else(|| panic!("{name} missing"))
    };
    let url = find("kinetica.url");
    assert_eq!(url["required"], true);
    assert_eq!(url["component"], "kinetica-sink");
    assert_eq!(url["group"], "Kinetica Properties");
    assert_eq!(find("kinetica.password")["secret"], true);
    assert_eq!(find("kinetica.timeout")["default"], "0");
    assert_eq!(
        find("kinetica.collection_name")["deprecated_alias_of"],
        "kinetica.tables.schema_name"
    );
    assert_eq!(find("topics.regex")["component"], "pipeline");
    assert_eq!(find("transforms.<alias>.type")["required"], true);
}

#[test]
fn describe_prints_a_table() {
    let out = sluice(&["config", "describe"], &[]);
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert!(
        stdout.lines().next().unwrap().starts_with("COMPONENT"),
        "{stdout}"
    );
    assert!(
        stdout
            .lines()
            .any(|l| l.contains("kinetica.password") && l.contains("(secret)"))
    );
}

#[test]
fn json_logs_are_json_lines_on_stderr() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "p.yaml", SINK);
    let out = sluice(
        &[
            "--log-format",
            "json",
            "--log-level",
            "debug",
            "validate",
            file.to_str().unwrap(),
        ],
        &[],
    );
    let (stdout, stderr) = text(&out);
    assert!(out.status.success(), "{stdout}{stderr}");
    assert!(stdout.starts_with("ok: "), "{stdout}");
    assert!(!stderr.is_empty());
    for line in stderr.lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
        assert!(v["level"].is_string(), "{line}");
    }
}

#[test]
fn the_example_pipelines_validate() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config/examples");
    let mut files: Vec<String> = std::fs::read_dir(&examples)
        .unwrap()
        .map(|e| e.unwrap().path().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert!(files.len() >= 2, "{files:?}");
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let out = sluice(&args, &[]);
    let (stdout, stderr) = text(&out);
    assert_eq!(out.status.code(), Some(0), "{stdout}{stderr}");
    assert_eq!(
        stdout.lines().filter(|l| l.starts_with("ok: ")).count(),
        files.len(),
        "{stdout}"
    );
}

#[test]
fn a_bad_log_filter_is_refused() {
    let out = sluice(&["--log-level", "=[", "config", "describe"], &[]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn version_names_the_wit_contract_of_wit_plugin_wit() {
    let wit =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../wit/plugin.wit"))
            .unwrap();
    let package = wit
        .lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .and_then(|p| p.strip_suffix(';'))
        .expect("a package line");
    let out = sluice(&["--version"], &[]);
    let (stdout, _) = text(&out);
    assert!(out.status.success());
    assert_eq!(
        stdout.trim(),
        format!(
            "sluice {} (WIT contract {package})",
            env!("CARGO_PKG_VERSION")
        )
    );
}

#[test]
fn completions_are_a_valid_bash_script_that_knows_the_subcommands() {
    let out = sluice(&["completions", "bash"], &[]);
    let (script, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    for subcommand in [
        "validate",
        "run",
        "demo",
        "bench",
        "transform",
        "kinetica-emulator",
    ] {
        assert!(script.contains(subcommand), "{subcommand} missing");
    }
    let dir = tempfile::tempdir().unwrap();
    let file = write(dir.path(), "sluice.bash", &script);
    let checked = Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(
        checked.status.success(),
        "bash -n: {}",
        String::from_utf8_lossy(&checked.stderr)
    );
}

#[test]
fn the_man_page_is_sluice_1_with_every_subcommand() {
    let out = sluice(&["man"], &[]);
    let (page, stderr) = text(&out);
    assert!(out.status.success(), "{stderr}");
    assert!(page.contains(".TH sluice 1"), "{page}");
    for subcommand in ["validate", "run", "demo", "bench", "completions"] {
        assert!(page.contains(subcommand), "{subcommand} missing");
    }
}
