//! `sluice validate` and `sluice run --dry-run` (everything `run` does before it
//! connects) give the same verdict and the same messages, for every pipeline file in
//! `config/` and for a set of broken files (`tests/broken/`). Broken files' messages
//! name the file, the line and the property; each broken file states the message it
//! must give in `# expect: …` comment lines. There is one for every standard transform
//! and predicate that can be misconfigured.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn sluice(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(args)
        .env_remove("RUST_LOG")
        .env_remove("SLUICE_COMPONENTS_DIR")
        .output()
        .expect("run sluice")
}

/// The problem lines of a command's output (both streams).
fn problems(out: &Output) -> Vec<String> {
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .map(str::trim)
        .filter(|l| l.starts_with("error: ") || l.starts_with("warning: "))
        .map(str::to_owned)
        .collect()
}

fn files_in(dir: &Path, keep: impl Fn(&Path) -> bool) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if keep(&path) {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn is_pipeline_file(path: &Path) -> bool {
    let name = path.file_name().unwrap().to_string_lossy();
    let ext_ok = [".yaml", ".yml", ".properties"]
        .iter()
        .any(|e| name.ends_with(e));
    // Kafka Connect worker files and secrets are not pipelines (the worker file is
    // checked with the connector files it serves, below).
    ext_ok
        && !name.starts_with("connect-standalone")
        && !path.components().any(|c| c.as_os_str() == "secrets")
}

/// Runs both commands on `args` and requires the same exit code and problem lines.
fn same_verdict(args: &[&str]) -> (bool, Vec<String>) {
    let validate = sluice(&[&["validate"], args].concat());
    let dry_run = sluice(&[&["run", "--dry-run"], args].concat());
    let (v, d) = (problems(&validate), problems(&dry_run));
    assert_eq!(
        validate.status.code(),
        dry_run.status.code(),
        "verdicts differ for {args:?}:\nvalidate: {v:#?}\ndry run: {d:#?}"
    );
    assert_eq!(v, d, "messages differ for {args:?}");
    (validate.status.success(), v)
}

#[test]
fn every_file_in_config_is_valid_and_can_start() {
    let config = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../config");
    let files = files_in(&config, is_pipeline_file);
    assert!(files.len() >= 6, "{files:?}");
    for file in &files {
        let (ok, problems) = same_verdict(&[file.to_str().unwrap()]);
        assert!(ok, "{} is refused: {problems:#?}", file.display());
        assert!(
            problems.iter().all(|p| p.starts_with("warning: ")),
            "{problems:#?}"
        );
    }
    // The Kafka Connect worker files, with the connector files they serve.
    for (worker, connector) in [
        ("connect-standalone-sink.properties", "sink.properties"),
        (
            "connect-standalone-avro.properties",
            "avro-kinetica-sink.properties",
        ),
    ] {
        let worker = config.join("compat").join(worker);
        let connector = config.join("compat").join(connector);
        let (ok, problems) = same_verdict(&[
            "--connect-worker",
            worker.to_str().unwrap(),
            connector.to_str().unwrap(),
        ]);
        assert!(ok, "{}: {problems:#?}", worker.display());
    }
}

/// The messages a broken file says it must give: its `# expect: …` lines.
fn expected_messages(text: &str) -> Vec<&str> {
    text.lines()
        .filter_map(|l| l.strip_prefix("# expect: "))
        .collect()
}

#[test]
fn broken_files_are_refused_by_both_naming_file_line_and_property() {
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let files = files_in(&broken, is_pipeline_file);
    assert!(files.len() >= 30, "{files:?}");
    for file in &files {
        let (ok, problems) = same_verdict(&[file.to_str().unwrap()]);
        assert!(!ok, "{} was accepted", file.display());
        let errors: Vec<&String> = problems
            .iter()
            .filter(|p| p.starts_with("error: "))
            .collect();
        assert!(!errors.is_empty(), "{}: no error line", file.display());
        let text = std::fs::read_to_string(file).unwrap();
        // The refusal is the one the file is about, in its words: for a component,
        // the alias and the component's own property.
        let expected = expected_messages(&text);
        assert!(
            !expected.is_empty(),
            "{} states no `# expect: …` message",
            file.display()
        );
        for message in expected {
            assert!(
                errors.iter().any(|e| e.contains(message)),
                "{}: no error says {message:?}: {errors:#?}",
                file.display()
            );
        }
        for e in errors {
            let at = format!("{}:", file.display());
            let line: usize = e
                .split_once(&at)
                .and_then(|(_, rest)| rest.split(':').next())
                .and_then(|n| n.trim().parse().ok())
                .unwrap_or_else(|| panic!("no file:line in {e}"));
            assert!(
                e.matches('`').count() >= 4,
                "no pipeline and property in {e}"
            );
            // The line is the property's own, where the file sets it.
            let property = e.split('`').nth(3).unwrap();
            let set_at = text.lines().position(|l| {
                l.strip_prefix(property)
                    .is_some_and(|rest| rest.starts_with(':') || rest.starts_with('='))
            });
            if let Some(index) = set_at {
                assert_eq!(line, index + 1, "{e}");
            }
        }
    }
}

/// Every standard transform and predicate has a broken file of its own, named after it
/// (`<component>-<mistake>.yaml`), so that a new one without is noticed.
#[test]
fn every_standard_transform_and_predicate_has_a_broken_file() {
    let broken = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/broken");
    let stems: Vec<String> = files_in(&broken, is_pipeline_file)
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    let components: Vec<&str> = sluice_guests::bundled()
        .iter()
        .map(|(name, _)| *name)
        // A flattener, configured through the sink's `kinetica.flatten_source.*`
        // (bad-array-mode.properties).
        .filter(|name| *name != "kinetica-flattener")
        .collect();
    assert!(components.len() >= 19, "{components:?}");
    let missing: Vec<&&str> = components
        .iter()
        .filter(|name| !stems.iter().any(|s| s.starts_with(&format!("{name}-"))))
        .collect();
    assert!(missing.is_empty(), "no broken file for {missing:?}");
}

/// `kinetica.flatten_source.enabled` with a pipeline's own `flattener`: the pipeline's
/// flattener runs, and both commands warn, in the same words, that the sink's
/// flattening settings are ignored.
#[test]
fn an_own_flattener_with_flatten_source_is_the_same_warning_in_both() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("both.yaml");
    std::fs::write(
        &file,
        "name: both\n\
         connector.class: kinetica-sink\n\
         topics: [t]\n\
         kinetica.url: http://127.0.0.1:9191\n\
         kinetica.flatten_source.enabled: true\n\
         flattener: kinetica-flattener\n",
    )
    .unwrap();
    let (ok, problems) = same_verdict(&[file.to_str().unwrap()]);
    assert!(ok, "{problems:#?}");
    assert!(
        problems.iter().any(|p| p.starts_with("warning: ")
            && p.contains("kinetica.flatten_source.enabled")
            && p.contains("is ignored")
            && p.contains("`flattener=kinetica-flattener`")),
        "{problems:#?}"
    );
}

/// `validate --connect` on a pipeline whose systems run (librdkafka's mock cluster, the
/// emulator, a registry) and on one pointing at a stopped Kinetica.
#[test]
fn validate_connect_says_per_system_whether_it_answers_and_which_property_to_check() {
    let kafka = sluice_kafka::mock::MockKafka::start().unwrap();
    let (_runtime, emulator) = crate::support::emulator();
    let registry = sluice_schema_registry::testing::shared_registry().url();
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, kinetica: &str| {
        let path = dir.path().join(name);
        std::fs::write(
            &path,
            format!(
                "name: reach\n\
                 connector.class: kinetica-sink\n\
                 topics: [t]\n\
                 bootstrap.servers: {}\n\
                 kinetica.url: {kinetica}\n\
                 value.converter: avro\n\
                 value.converter.schema.registry.url: {registry}\n",
                kafka.bootstrap_servers()
            ),
        )
        .unwrap();
        path
    };
    let running = file("running.yaml", emulator.url());
    let out = sluice(&["validate", "--connect", running.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    for line in [
        "  Kafka: reachable (bootstrap.servers = ",
        "  Kinetica: reachable (kinetica.url = ",
        "  Schema Registry: reachable (value.converter.schema.registry.url = ",
        "ok: ",
    ] {
        assert!(stdout.contains(line), "{line:?} missing in:\n{stdout}");
    }

    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let stopped_url = format!("http://127.0.0.1:{}", closed.local_addr().unwrap().port());
    drop(closed);
    let stopped = file("stopped.yaml", &stopped_url);
    let out = sluice(&["validate", "--connect", stopped.to_str().unwrap()]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "  Kinetica: NOT reachable (kinetica.url = {stopped_url}): "
        )),
        "{stdout}"
    );
    assert!(stdout.contains("connection refused"), "{stdout}");
    assert!(stdout.contains("check `kinetica.url`"), "{stdout}");
    assert!(stdout.contains("  Kafka: reachable"), "{stdout}");
}
