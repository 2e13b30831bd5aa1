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
        "pipeline, multi-head + 3 Wasm SMTs (mask, insert, cast)",
        "pipeline, multi-head + exactly-once",
        "pipeline, multi-head, tasks.max=2",
        "pipeline, multi-head, table sharded on id",
    ] {
        // The label, then at least two spaces (one label is the start of another).
        let line = stdout
            .lines()
            .find_map(|l| l.strip_prefix(row).filter(|rest| rest.starts_with("  ")))
            .unwrap_or_else(|| panic!("no row {row:?} in:\n{stdout}"));
        // The records, a rate, MB/s, CPU per record, peak memory, times, and the
        // ratios (`-` for the baseline itself).
        let columns: Vec<&str> = line.split_whitespace().collect();
        assert_eq!(columns[0], "20,000", "{row}{line}");
        let cpu: f64 = columns[3].parse().unwrap_or_else(|_| panic!("{row}{line}"));
        assert!(cpu > 0.0, "no CPU time measured: {row}{line}");
        let memory: f64 = columns[4].parse().unwrap_or_else(|_| panic!("{row}{line}"));
        assert!(memory > 1.0, "no peak memory measured: {row}{line}");
        let last = columns.last().unwrap();
        assert!(*last == "-" || last.parse::<f64>().is_ok(), "{row}{line}");
    }
}

/// `--json`: one document on stdout, with the same runs; `--run` picks them.
#[test]
fn bench_e2e_json_reports_the_chosen_runs() {
    let out = sluice()
        .args([
            "bench",
            "e2e",
            "--records",
            "5000",
            "--partitions",
            "2",
            "--json",
        ])
        .args(["--run", "multihead", "--run", "sharded"])
        .args(["--consumer", "fetch.queue.backoff.ms=10"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    let doc: serde_json::Value =
        serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"));
    assert_eq!(doc["run"]["records"], 5000, "{doc}");
    assert_eq!(doc["baseline"]["records"], 5000, "{doc}");
    let labels: Vec<&str> = doc["pipelines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["label"].as_str().unwrap())
        .collect();
    assert_eq!(
        labels,
        [
            "pipeline, multi-head (3 worker ranks)",
            "pipeline, multi-head, table sharded on id"
        ]
    );
    for run in doc["pipelines"].as_array().unwrap() {
        assert_eq!(run["records"], 5000, "{run}");
        assert!(
            run["cpu_microseconds_per_record"].as_f64().unwrap() > 0.0,
            "{run}"
        );
        assert!(
            run["peak_memory_bytes"].as_u64().unwrap() > 1 << 20,
            "{run}"
        );
        assert!(run["rate_vs_raw"].as_f64().unwrap() > 0.0, "{run}");
    }
    // The progress lines went to stderr.
    assert!(stderr.contains("produced `bench`"), "{stderr}");
}

/// `sluice bench swap`, briefly: a daemon, a pipeline created over its REST API, and a
/// few swaps through it back and forth between two versions under a stream; every
/// record produced ends up in Kinetica. Needs a JDK and Maven (the broker).
#[test]
fn bench_swap_swaps_through_the_rest_api_and_loses_nothing() {
    let out = sluice()
        .args(["bench", "swap", "--swaps", "4", "--rate", "2000"])
        .args(["--partitions", "2", "--tasks", "2"])
        .output()
        .unwrap();
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
    assert!(
        stdout.starts_with("4 swaps of a transform through the REST API (PUT …/transforms/stamp, back and forth between two versions)"),
        "{stdout}"
    );
    // `  median 12.3 ms, p90 …, max …, (min …)`: four latencies, in order.
    let latencies: Vec<f64> = stdout
        .lines()
        .find_map(|l| l.strip_prefix("  median "))
        .unwrap_or_else(|| panic!("no latencies in:\n{stdout}"))
        .split(" ms")
        .filter_map(|part| part.rsplit(' ').next()?.parse().ok())
        .collect();
    assert_eq!(latencies.len(), 4, "{stdout}");
    let (median, p90, max, min) = (latencies[0], latencies[1], latencies[2], latencies[3]);
    assert!(
        0.0 < min && min <= median && median <= p90 && p90 <= max,
        "{stdout}"
    );
    // `  N records produced meanwhile, N written`: the same N, and some.
    let counts: Vec<u64> = stdout
        .lines()
        .find(|l| l.contains("records produced meanwhile"))
        .unwrap_or_else(|| panic!("no record counts in:\n{stdout}"))
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    assert!(
        counts.len() == 2 && counts[0] == counts[1] && counts[0] > 0,
        "{stdout}"
    );
}
