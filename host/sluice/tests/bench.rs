//! `sluice bench e2e`, run as users run it: the built binary.

use std::process::Command;

fn sluice() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sluice"));
    cmd.env_remove("RUST_LOG");
    cmd
}

#[test]
fn bench_e2e_without_java_says_what_to_install() {
    let empty = tempfile::tempdir().unwrap();
    let out = sluice()
        .args(["bench", "e2e", "--records", "10"])
        .env("PATH", empty.path())
        .env_remove("JAVA_HOME")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("`java` is not on the PATH")
            && stderr.contains("apt-get install default-jdk-headless maven"),
        "{stderr}"
    );
}

/// Needs a JDK and Maven (the broker and the Schema Registry), as `.ci/run` provides.
#[test]
fn bench_e2e_measures_the_baseline_and_every_pipeline_variant() {
    let out = sluice()
        .args(["bench", "e2e", "--records", "20000", "--partitions", "4"])
        .args(["--consumer", "fetch.queue.backoff.ms=10"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(stdout.contains("on Apache Kafka at 127.0.0.1:"), "{stdout}");
    assert!(
        stdout
            .contains("consumer properties (baseline and pipelines): fetch.queue.backoff.ms=10\n"),
        "{stdout}"
    );
    // Both topics hold the same records, of the same size (JSON and Avro).
    for (topic, format) in [("bench", "JSON"), ("bench-avro", "Avro")] {
        let produced = format!("produced `{topic}` ({format}, ");
        assert!(stdout.contains(&produced), "no {produced:?} in:\n{stdout}");
    }
    for row in [
        "raw librdkafka consume (BaseConsumer)",
        "pipeline, multi-head (3 worker ranks)",
        "pipeline, multi-head (3 worker ranks), Avro + Schema Registry",
        "pipeline, head node only",
        "pipeline, multi-head + Wasm insert-field",
        "pipeline, multi-head + exactly-once",
    ] {
        // The label, then at least two spaces (one label is the start of another).
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix(row).filter(|rest| rest.starts_with("  ")))
            .unwrap_or_else(|| panic!("no row {row:?} in:\n{stdout}"));
        // The records, a rate, MB/s, times, and the ratio (`-` for the baseline itself).
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(columns[0], "20,000", "{row}{line}");
        let last = columns.last().unwrap();
        assert!(*last == "-" || last.parse::<f64>().is_ok(), "{row}{line}");
    }
}
