//! Transforms written in other languages, built from source and run through
//! `sluice transform test` on the Rust MaskField's golden files: the same records in,
//! the same records out. Fails (never skips) when a toolchain is missing, saying what to
//! install (`.ci/run` installs them).

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Fails the test with `install` when `program --version` does not run.
fn require(program: &str, install: &str) {
    let ok = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(ok, "`{program}` is needed: {install}");
}

/// `sluice transform test` of `component` on mask-field's golden files.
fn passes_mask_fields_golden_file(component: &Path) {
    let golden = repo().join("transforms/mask-field/golden");
    let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
        .args(["transform", "test"])
        .arg(component)
        .arg("--input")
        .arg(golden.join("input.jsonl"))
        .args(["--config", "fields=ssn,balance"])
        .arg("--expect")
        .arg(golden.join("expected.jsonl"))
        // Compiled components of the tests stay out of the user's cache, and a rerun
        // does not compile CPython again.
        .env(
            "SLUICE_CACHE_DIR",
            std::env::temp_dir().join("sluice-test-cache"),
        )
        .output()
        .expect("run sluice");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}: {stdout}\n{}",
        component.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("records match"), "{stdout}");
}

#[test]
fn the_python_mask_builds_with_componentize_py_and_passes_mask_fields_golden_file() {
    require("componentize-py", "python3 -m pip install componentize-py");
    let example = repo().join("transforms/examples/python-mask");
    let built = Command::new("bash")
        .arg(example.join("build.sh"))
        .output()
        .expect("run build.sh");
    assert!(
        built.status.success(),
        "build.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
    passes_mask_fields_golden_file(&example.join("target/mask.wasm"));
}

#[test]
fn the_javascript_mask_builds_with_componentize_js_and_passes_mask_fields_golden_file() {
    require("npm", "apt-get install nodejs npm");
    let example = repo().join("transforms/examples/js-mask");
    for (what, program, args) in [
        ("npm ci", "npm", &["ci", "--no-audit", "--no-fund"][..]),
        ("node build.mjs", "node", &["build.mjs"][..]),
    ] {
        let out = Command::new(program)
            .args(args)
            .current_dir(&example)
            .output()
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert!(
            out.status.success(),
            "{what} failed:\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    passes_mask_fields_golden_file(&example.join("target/mask.wasm"));
}
