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

/// Runs an example's `build.sh` (with this `sluice` for the tools it calls).
fn build_example(example: &Path) {
    let built = Command::new("bash")
        .arg(example.join("build.sh"))
        .env("SLUICE", env!("CARGO_BIN_EXE_sluice"))
        .output()
        .expect("run build.sh");
    assert!(
        built.status.success(),
        "build.sh failed:\n{}\n{}",
        String::from_utf8_lossy(&built.stdout),
        String::from_utf8_lossy(&built.stderr)
    );
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
    build_example(&example);
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

#[test]
fn the_c_mask_builds_with_wit_bindgens_c_generator_and_clang_and_passes_mask_fields_golden_file() {
    require(
        "clang",
        "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32",
    );
    let example = repo().join("transforms/examples/c-mask");
    build_example(&example);
    let component = example.join("target/mask.wasm");
    passes_mask_fields_golden_file(&component);

    // What is a component already, or no Wasm at all, is refused, saying what it is.
    for (input, says) in [
        (component.clone(), "is a component already"),
        (example.join("mask.c"), "is not a Wasm module"),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(["transform", "componentize"])
            .arg(&input)
            .arg("-o")
            .arg(example.join("target/refused.wasm"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success() && stderr.contains(says), "{stderr}");
    }
}

/// `sluice transform new demo --lang <lang>`, then the commands of the `sh` block of
/// the project's README, as an author would run them; returns their output.
fn scaffold_and_follow_the_readme(lang: &str) -> String {
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("demo");
    let sluice = Path::new(env!("CARGO_BIN_EXE_sluice"));
    let out = Command::new(sluice)
        .args(["transform", "new", "demo", "--lang", lang, "--dir"])
        .arg(&project)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let readme = std::fs::read_to_string(project.join("README.md")).unwrap();
    let commands: Vec<&str> = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a sh block in the README")
        .lines()
        .collect();
    assert!(commands.len() >= 2, "{readme}");
    let path = format!(
        "{}:{}",
        sluice.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut said = String::new();
    for command in commands {
        let out = Command::new("bash")
            .args(["-c", command])
            .current_dir(&project)
            .env("PATH", &path)
            .env(
                "SLUICE_CACHE_DIR",
                std::env::temp_dir().join("sluice-test-cache"),
            )
            // The Rust project's README names Cargo's default target directory.
            .env_remove("CARGO_TARGET_DIR")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "`{command}` failed:\n{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        said.push_str(&stdout);
    }
    said
}

#[test]
fn a_new_python_transform_builds_and_passes_its_golden_test_as_its_readme_says() {
    require("componentize-py", "python3 -m pip install componentize-py");
    let said = scaffold_and_follow_the_readme("python");
    assert!(said.contains("ok: 3 records match"), "{said}");
}

#[test]
fn a_new_javascript_transform_builds_and_passes_its_golden_test_as_its_readme_says() {
    require("npm", "apt-get install nodejs npm");
    let said = scaffold_and_follow_the_readme("js");
    assert!(said.contains("ok: 3 records match"), "{said}");
}

#[test]
fn a_new_rust_transform_builds_and_passes_its_golden_test_as_its_readme_says() {
    // `.ci/run` adds the target (../shared/toolchain/add-wasm32-wasip2).
    let sysroot = Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
        .unwrap_or_default();
    assert!(
        Path::new(&sysroot)
            .join("lib/rustlib/wasm32-wasip2/lib")
            .is_dir(),
        "the wasm32-wasip2 target is needed: rustup target add wasm32-wasip2"
    );
    let said = scaffold_and_follow_the_readme("rust");
    assert!(said.contains("ok: 3 records match"), "{said}");
}

#[test]
fn a_new_c_transform_builds_and_passes_its_golden_test_as_its_readme_says() {
    require(
        "clang",
        "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32",
    );
    let said = scaffold_and_follow_the_readme("c");
    assert!(said.contains("ok: 3 records match"), "{said}");
}

#[test]
fn a_new_transform_refuses_a_bad_name_and_an_existing_directory() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_sluice"))
            .args(["transform", "new"])
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap()
    };
    let bad = run(&["no/slash", "--lang", "python"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("must be letters, digits"));
    std::fs::create_dir(dir.path().join("taken")).unwrap();
    let digit = run(&["1st", "--lang", "rust"]);
    assert!(!digit.status.success());
    assert!(String::from_utf8_lossy(&digit.stderr).contains("must not start with a digit"));
    let taken = run(&["taken", "--lang", "js"]);
    assert!(!taken.status.success());
    assert!(String::from_utf8_lossy(&taken.stderr).contains("exists already"));
}
