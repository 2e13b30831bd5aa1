//! A Sluice pipeline writes into the Kinetica emulator, then Kinetica's official Python
//! client (`gpudb`) reads the table back and checks it row by row: what Sluice writes is
//! what Kinetica's own tools read. Fails (never skips) when `gpudb` is not installed.

use crate::common;

use std::path::Path;
use std::process::Command;

use common::Env;
use serde_json::json;

const SCHEMA: &str = r#"{"type":"struct","fields":[{"field":"id","type":"int64","optional":false},{"field":"name","type":"string","optional":false},{"field":"qty","type":"int32","optional":false},{"field":"price","type":"double","optional":true},{"field":"active","type":"boolean","optional":false}]}"#;

/// Fails the test, saying how to fix it, when `gpudb` cannot be imported.
pub fn require_gpudb() {
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

#[test]
fn kineticas_python_client_reads_back_what_a_pipeline_wrote() {
    require_gpudb();
    let env = Env::new();
    env.create_topic("quotes", 1);
    let rows: Vec<serde_json::Value> = (0..25)
        .map(|i: i64| {
            json!({
                "id": i,
                "name": if i % 5 == 0 { "Zoë ☃".to_owned() } else { format!("q{i}") },
                "qty": (i * 7) as i32 - 50,
                "price": if i % 3 == 0 { serde_json::Value::Null } else { json!(i as f64 * 1.25) },
                "active": i % 2 == 0,
            })
        })
        .collect();
    let values: Vec<String> = rows
        .iter()
        .map(|payload| format!(r#"{{"schema":{SCHEMA},"payload":{payload}}}"#))
        .collect();
    let records: Vec<_> = values.iter().map(|v| (None, Some(v.as_str()))).collect();
    env.produce("quotes", &records);

    let yaml = env.yaml("quotes-p", "quotes", "kinetica.tables.schema_name: market");
    let pipeline = env.start(env.config("p.yaml", &yaml));
    env.rows_when("market.quotes", rows.len());
    pipeline.stop().unwrap();

    // Kinetica stores booleans in int columns: the client reads 1 and 0.
    let want: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut r = r.clone();
            r["active"] = json!(i32::from(r["active"].as_bool().unwrap()));
            r
        })
        .collect();
    let expected = json!({
        "columns": {"id": "long", "name": "string", "qty": "int", "price": "double", "active": "int"},
        "key": "id",
        "rows": want,
    });
    let stdout = read_back(&env, "market.quotes", &expected);
    assert!(stdout.contains("read back 25 rows"), "{stdout}");
}

/// Runs `gpudb/read_back.py` on `table` against `expected` (its format is in the
/// script); returns its output, failing the test with it when a check fails.
pub fn read_back(env: &Env, table: &str, expected: &serde_json::Value) -> String {
    let expected_path = env.dir.path().join(format!("expected-{table}.json"));
    std::fs::write(&expected_path, expected.to_string()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("gpudb/read_back.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(env.emulator.url())
        .arg(table)
        .arg(&expected_path)
        .output()
        .expect("run python3");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "gpudb read-back failed ({})\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        out.status
    );
    stdout
}
