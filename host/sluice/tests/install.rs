//! The binary stands alone: copied away from the build tree it came from, with the
//! guests that build compiled out of reach, `sluice demo` runs from an empty directory —
//! the standard components are in the binary, not beside the sources.
//!
//! The binary is the one cargo built for these tests; a `cargo install` here would
//! compile every dependency a second time (another feature set) and double the build's
//! disk. That the production build carries no test code is the next test's concern.

use std::path::Path;
use std::process::Command;

#[test]
fn the_installed_binary_runs_the_demo_from_an_empty_directory() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("root");
    let empty = tmp.path().join("empty");
    std::fs::create_dir_all(root.join("bin")).unwrap();
    std::fs::create_dir(&empty).unwrap();
    let installed = root.join("bin/sluice");
    std::fs::copy(env!("CARGO_BIN_EXE_sluice"), &installed).expect("copy the binary");
    let build = std::env::var_os("CARGO_TARGET_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| workspace.join("target"));
    // The guests this build compiled are out of reach of the installed binary.
    let guests = build.join("guests");
    let hidden = build.join("guests-hidden");
    let _ = std::fs::remove_dir_all(&hidden);
    std::fs::rename(&guests, &hidden).unwrap();
    let out = Command::new(&installed)
        .current_dir(&empty)
        .args(["demo", "--records", "10000"])
        .env_remove("RUST_LOG")
        .env_remove("SLUICE_COMPONENTS_DIR")
        .output()
        .expect("run the installed sluice");
    std::fs::rename(&hidden, &guests).unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("OK: all 10,000 records are in Kinetica"),
        "{stdout}\n{stderr}"
    );
    assert_eq!(
        std::fs::read_dir(&empty).unwrap().count(),
        0,
        "the demo wrote into the working directory"
    );
}

/// Test guests and test support stay out of a production build: the binary's normal
/// dependencies enable no `testing` feature, and no test guest is embedded.
#[test]
fn the_production_build_has_no_testing_code() {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .current_dir(&workspace)
        .args(["tree", "--locked", "-e", "normal,features", "-p", "sluice"])
        .output()
        .expect("run cargo tree");
    let tree = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tree.contains("sluice-kafka"), "{tree}");
    assert!(
        !tree.contains("\"testing\""),
        "a testing feature is enabled:\n{tree}"
    );
    let test_guests = std::fs::read_dir(workspace.join("transforms/testing")).unwrap();
    for guest in test_guests {
        let name = guest.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            !tree.contains(&format!("{name} v")),
            "{name} is a dependency:\n{tree}"
        );
    }
}
