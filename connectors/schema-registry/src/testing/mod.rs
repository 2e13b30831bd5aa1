//! Test support — only with the `testing` feature, which only tests enable
//! (dev-dependencies), so none of it is in a production build. The registry process is
//! a production module ([`crate::local`]: `sluice bench` uses it); it is re-exported
//! here for tests.
//!
//! * [`SchemaRegistry`] / [`shared_registry`]: Apicurio Registry 2.4.2.Final's
//!   Confluent-compatible API ([`crate::local`]), one per test binary. Needs a JDK and
//!   Maven ([`REGISTRY_INSTALL_HINT`]).
//! * [`python_with_confluent_kafka`], [`PRODUCE_AVRO_SCRIPT`]: Confluent's own Python
//!   client, to hold the registry and Sluice to it ([`PYTHON_INSTALL_HINT`]).
//! * [`unique_subject`]: subject names no other test of the process uses.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context as _, Result, anyhow, bail};

use crate::local::find_program;
pub use crate::local::{CCOMPAT_PATH, REGISTRY_INSTALL_HINT, SchemaRegistry, inputs_stamp};

/// What to install when Confluent's Python client is missing.
pub const PYTHON_INSTALL_HINT: &str = "the tests hold Sluice to Confluent's own client: \
     `python3 -m pip install 'confluent-kafka[avro,schemaregistry]' fastavro` (`.ci/run` \
     installs them)";

/// The helper that produces Avro records with Confluent's `AvroSerializer`:
/// `python3 produce_avro.py --bootstrap-servers B --registry-url R --topic T --schema
/// FILE|JSON --records FILE` (one JSON record per line); prints `schema_id=<id>`.
pub const PRODUCE_AVRO_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/produce_avro.py");

/// The registry shared by the tests of one test binary, started by the first test that
/// asks. Tests sharing it use subjects of their own ([`unique_subject`]).
///
/// # Panics
/// When the registry cannot be started, with the reason (e.g. [`REGISTRY_INSTALL_HINT`]);
/// every test that asks afterwards panics with the same reason.
pub fn shared_registry() -> &'static SchemaRegistry {
    static SHARED: OnceLock<Result<SchemaRegistry, String>> = OnceLock::new();
    SHARED
        .get_or_init(|| {
            let registry = SchemaRegistry::start().map_err(|e| format!("{e:#}"))?;
            eprintln!(
                "shared Schema Registry (Apicurio) at {} (log: {})",
                registry.url(),
                registry.log_path().display()
            );
            Ok(registry)
        })
        .as_ref()
        .unwrap_or_else(|e| panic!("cannot start the shared Schema Registry: {e}"))
}

/// Held by a test while it registers schemas in the shared registry. Apicurio's
/// in-memory (H2) storage races on concurrent registrations — 500s with "Unique index or
/// primary key violation" or "Timeout trying to lock table" — so the tests of one
/// process register one at a time. (Sluice itself retries such 500s as an outage.)
pub fn registering() -> std::sync::MutexGuard<'static, ()> {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    LOCK.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A subject name no other call in this process returns: `<base>-<pid>-<n>`.
pub fn unique_subject(base: &str) -> String {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    format!(
        "{base}-{}-{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// `python3` (or `$PYTHON`), checked to import `confluent_kafka`'s Schema Registry
/// client with Avro support and `fastavro`;
/// otherwise an error saying what to install ([`PYTHON_INSTALL_HINT`]).
pub fn python_with_confluent_kafka() -> Result<PathBuf> {
    let python = std::env::var_os("PYTHON")
        .map(PathBuf::from)
        .or_else(|| find_program("python3"))
        .ok_or_else(|| anyhow!("`python3` is not on the PATH: {PYTHON_INSTALL_HINT}"))?;
    let output = Command::new(&python)
        .args([
            "-c",
            "import confluent_kafka.schema_registry.avro, fastavro",
        ])
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("cannot run {}", python.display()))?;
    if !output.status.success() {
        bail!(
            "{} cannot import confluent_kafka.schema_registry.avro and fastavro ({}): \
             {PYTHON_INSTALL_HINT}",
            python.display(),
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(python)
}

/// Produces `records` (JSON objects, as fastavro takes them) to `topic` with Confluent's
/// Python `AvroSerializer` and Avro schema `schema`, registered through `registry_url`
/// under `<topic>-value` (TopicNameStrategy); returns the schema id. `scratch` holds the
/// records file. Registers while holding [`registering`].
///
/// # Panics
/// When Python's client is missing ([`PYTHON_INSTALL_HINT`]) or the script fails, with
/// its output.
pub fn produce_avro(
    bootstrap: &str,
    registry_url: &str,
    topic: &str,
    schema: &serde_json::Value,
    records: &[serde_json::Value],
    scratch: &Path,
) -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let python = python_with_confluent_kafka().unwrap_or_else(|e| panic!("{e:#}"));
    let file = scratch.join(format!(
        "produce-avro-{}.jsonl",
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let lines: Vec<String> = records.iter().map(serde_json::Value::to_string).collect();
    fs::write(&file, lines.join("\n")).unwrap();
    let _one_at_a_time = registering();
    let out = Command::new(python)
        .arg(PRODUCE_AVRO_SCRIPT)
        .args(["--bootstrap-servers", bootstrap])
        .args(["--registry-url", registry_url])
        .args(["--topic", topic])
        .args(["--schema", &schema.to_string()])
        .arg("--records")
        .arg(&file)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "produce_avro.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
        .lines()
        .find_map(|l| l.strip_prefix("schema_id="))
        .and_then(|id| id.trim().parse().ok())
        .unwrap_or_else(|| panic!("no schema id in {stdout}"))
}

/// The helper that reads Avro records with Confluent's `AvroDeserializer`
/// (`consume_avro.py --help`).
pub const CONSUME_AVRO_SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/consume_avro.py");

/// What Confluent's Python client reads from an Avro topic ([`consume_avro`]).
#[derive(Debug)]
pub struct ConsumedAvro {
    /// Each record as `{"partition", "offset", "key", "value"}`, in the order read; bytes
    /// are `{"$bytes": "<hex>"}`, timestamps `{"$timestamp_ms": <n>}`.
    pub records: Vec<serde_json::Value>,
    /// The latest registered schema of `<topic>-key` and `<topic>-value`, by subject.
    pub schemas: std::collections::BTreeMap<String, serde_json::Value>,
}

/// Reads `count` records of `topic` from its beginning with Confluent's Python
/// `DeserializingConsumer` and `AvroDeserializer` (`read_committed`), and the topic's
/// latest key and value schemas from the registry.
///
/// # Panics
/// When Python's client is missing ([`PYTHON_INSTALL_HINT`]) or fewer records arrive
/// within a minute, with the script's output.
pub fn consume_avro(
    bootstrap: &str,
    registry_url: &str,
    topic: &str,
    count: usize,
) -> ConsumedAvro {
    let python = python_with_confluent_kafka().unwrap_or_else(|e| panic!("{e:#}"));
    let out = Command::new(python)
        .arg(CONSUME_AVRO_SCRIPT)
        .args(["--bootstrap-servers", bootstrap])
        .args(["--registry-url", registry_url])
        .args(["--topic", topic])
        .args(["--count", &count.to_string()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "consume_avro.py failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut consumed = ConsumedAvro {
        records: Vec::new(),
        schemas: Default::default(),
    };
    for line in stdout.lines().filter(|l| !l.trim().is_empty()) {
        let mut value: serde_json::Value = serde_json::from_str(line).unwrap();
        match value
            .get("subject")
            .and_then(|s| s.as_str())
            .map(str::to_owned)
        {
            Some(subject) => {
                consumed.schemas.insert(subject, value["schema"].take());
            }
            None => consumed.records.push(value),
        }
    }
    consumed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subjects_are_unique() {
        let a = unique_subject("t");
        let b = unique_subject("t");
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("t-{}-", std::process::id())), "{a}");
    }
}
