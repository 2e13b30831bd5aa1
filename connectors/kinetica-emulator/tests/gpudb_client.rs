//! Kinetica's official Python client (`gpudb`) against the emulator: connect,
//! create, insert, upsert, read back, show table — and read what Sluice's own
//! client wrote. Fails (never skips) when `gpudb` is not installed.

use std::path::Path;
use std::process::Command;

use sluice_kinetica::{ClientConfig, EncodedRows, KineticaClient, KineticaType, Options, Value};
use sluice_kinetica_emulator::{EmulatorConfig, start};

const SLUICE_TABLE: &str = "ki_home.sluice_written";

/// Writes rows with Sluice's client for the script to read back.
async fn write_with_sluice(url: &str) {
    let client = KineticaClient::new(ClientConfig::new(url)).unwrap();
    let ty = KineticaType::from_column_list(&[
        vec!["k", "long", "primary_key"],
        vec!["s", "string"],
        vec!["d", "double", "nullable"],
        vec!["b", "int", "int8", "nullable"],
    ])
    .unwrap();
    let type_id = client.create_type(&ty, "").await.unwrap();
    client
        .create_table(SLUICE_TABLE, &type_id, Options::new())
        .await
        .unwrap();
    let mut rows = EncodedRows::new();
    for row in [
        [
            Value::Long(1),
            "one".into(),
            Value::Double(0.5),
            Value::Null,
        ],
        [Value::Long(2), "two".into(), Value::Null, Value::Int(7)],
        [
            Value::Long(3),
            "three".into(),
            Value::Double(-1.25),
            Value::Int(-1),
        ],
    ] {
        rows.push_row(&ty, &row).unwrap();
    }
    let resp = client
        .insert_records(SLUICE_TABLE, &rows, &Options::new())
        .await
        .unwrap();
    assert_eq!(resp.count_inserted, 3);
}

/// Fails the test, saying how to fix it, when `gpudb` cannot be imported.
fn require_gpudb() {
    let probe = Command::new("python3")
        .args(["-c", "import gpudb"])
        .output();
    match probe {
        Ok(out) if out.status.success() => {}
        Ok(out) => panic!(
            "install Kinetica's Python client: pip install gpudb\n({})",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => panic!("install Kinetica's Python client: pip install gpudb (python3: {e})"),
    }
}

/// Runs the script with `args` and returns its stdout; panics with its output
/// on failure.
async fn run_script(args: Vec<String>) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gpudb/official_client.py");
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(&script)
            .args(&args)
            .output()
            .expect("run python3")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "gpudb script failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    stdout
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_client_works_against_the_emulator() {
    require_gpudb();
    let emu = start(EmulatorConfig::default()).await.unwrap();
    write_with_sluice(emu.url()).await;

    let stdout = run_script(vec![
        emu.url().to_owned(),
        "--sluice-table".into(),
        SLUICE_TABLE.into(),
    ])
    .await;
    assert!(stdout.contains("all checks passed"), "{stdout}");
    let stats = emu.stats();
    assert!(
        stats.unknown_endpoints.is_empty(),
        "the client called endpoints the emulator lacks: {:?}",
        stats.unknown_endpoints
    );
    // The script dropped its own table; Sluice's is untouched.
    assert_eq!(emu.row_count(SLUICE_TABLE), Some(3));
    assert_eq!(emu.row_count("ki_home.gpudb_people"), None);
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn official_python_multihead_ingest_agrees_with_the_emulators_routing() {
    require_gpudb();
    let emu = start(EmulatorConfig::with_workers(3)).await.unwrap();
    let stdout = run_script(vec![emu.url().to_owned(), "--multihead".into()]).await;
    assert!(
        stdout.contains("multi-head): all checks passed"),
        "{stdout}"
    );
    let stats = emu.stats();
    assert_eq!(stats.misrouted_rows, 0);
    assert_eq!(
        stats.rows_by_rank.get(&0),
        None,
        "rows went through the head"
    );
    let per_worker: u64 = (1..=3)
        .map(|r| stats.rows_by_rank.get(&r).copied().unwrap_or(0))
        .sum();
    assert_eq!(per_worker, 500);
    assert!(
        stats.unknown_endpoints.is_empty(),
        "{:?}",
        stats.unknown_endpoints
    );
    emu.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_official_table_monitor_sees_inserts_updates_and_deletes_over_zmq() {
    require_gpudb();
    let emu = start(EmulatorConfig {
        monitor_port: Some(0),
        ..EmulatorConfig::default()
    })
    .await
    .unwrap();
    let port = emu.monitor_port().expect("monitors served");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/gpudb/table_monitor.py");
    let url = emu.url().to_owned();
    let out = tokio::task::spawn_blocking(move || {
        Command::new("python3")
            .arg(&script)
            .args([url, port.to_string()])
            .output()
            .expect("run python3")
    })
    .await
    .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let seen: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    let inserted = seen["inserted"].as_array().unwrap();
    assert_eq!(inserted.len(), 3, "{seen}");
    assert_eq!(
        inserted[0],
        serde_json::json!({"id": 1, "msg": "one", "score": 1.5})
    );
    assert_eq!(
        inserted[1],
        serde_json::json!({"id": 2, "msg": null, "score": null})
    );
    assert_eq!(seen["updated"], serde_json::json!([1]), "{seen}");
    assert_eq!(seen["deleted"], serde_json::json!([2]), "{seen}");
    // The client cleared its monitors when it stopped.
    assert!(emu.stats().unknown_endpoints.is_empty());
    emu.shutdown().await;
}
