//! Compiles the guest workspace (`transforms/`) to `wasm32-wasip2` components, so that
//! `cargo build` and `cargo test` at the top level always use freshly built guests.
//!
//! The guests get their own target directory (`<target>/guests`): a nested cargo on
//! the outer build's target directory would wait forever for the lock the outer cargo
//! holds.

use std::env;
use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    let manifest_dir = PathBuf::from(env::var("CARGO_MANIFEST_DIR").unwrap());
    let root = manifest_dir
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .to_path_buf();
    let guests = root.join("transforms");
    let wit = root.join("wit");
    println!("cargo:rerun-if-changed={}", guests.display());
    println!("cargo:rerun-if-changed={}", wit.display());

    let target_dir = env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .map(|d| if d.is_absolute() { d } else { root.join(d) })
        .unwrap_or_else(|| root.join("target"))
        .join("guests");

    let cargo = env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(&guests)
        .args([
            "build",
            "--release",
            "--target",
            "wasm32-wasip2",
            "--workspace",
        ])
        .arg("--target-dir")
        .arg(&target_dir);
    // Flags meant for the host build must not leak into the guest build.
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_TARGET",
        "CARGO_TARGET_DIR",
        "RUSTC_WORKSPACE_WRAPPER",
        "CARGO_PROFILE_RELEASE_DEBUG",
    ] {
        cmd.env_remove(var);
    }
    let status = cmd
        .status()
        .expect("failed to run cargo for the Wasm guests");
    if !status.success() {
        panic!(
            "building the Wasm guests in {} failed (see above). If the error says the \
             wasm32-wasip2 target is missing, run: rustup target add wasm32-wasip2",
            guests.display()
        );
    }

    let out_dir = target_dir.join("wasm32-wasip2").join("release");
    let test_guests = test_guest_names(&guests.join("testing"));
    let mut bundled = String::new();
    let mut all = String::new();
    for entry in std::fs::read_dir(&out_dir).expect("guest output directory") {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "wasm") {
            let name = path
                .file_stem()
                .unwrap()
                .to_string_lossy()
                .replace('_', "-");
            let file = path.display().to_string();
            all.push_str(&format!("    ({name:?}, {file:?}),\n"));
            if !test_guests.contains(&name) {
                bundled.push_str(&format!("    ({name:?}, include_bytes!({file:?})),\n"));
            }
        }
    }
    let generated = format!(
        "/// The standard components, embedded.\n\
         pub const BUNDLED: &[(&str, &[u8])] = &[\n{bundled}];\n\
         /// Every built guest (standard and test), by path.\n\
         #[cfg(feature = \"testing\")]\n\
         pub const GUESTS: &[(&str, &str)] = &[\n{all}];\n"
    );
    let out = Path::new(&env::var("OUT_DIR").unwrap()).join("guests.rs");
    std::fs::write(out, generated).unwrap();
}

/// The crate names under `transforms/testing/`: guests that exist for tests only and
/// are never embedded in a production build.
fn test_guest_names(dir: &Path) -> Vec<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let manifest = entry.path().join("Cargo.toml");
        let Ok(text) = std::fs::read_to_string(&manifest) else {
            continue;
        };
        let name = text.lines().find_map(|l| {
            let (key, value) = l.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
        });
        names.extend(name);
    }
    names
}
