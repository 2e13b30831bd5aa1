//! The Debian package: built with `host/sluice/debian/build-deb` from the binary cargo
//! already built for these tests (`--no-build`: a second, release build would double
//! CI's build time and disk), installed with `dpkg -i`, run, removed and purged.
//!
//! Installing is the point, so the test needs root: it runs as root (CI does) or through
//! `sudo -n`, and otherwise fails saying so — never skips. It refuses to touch a
//! `sluice` package it did not install.
//!
//! There is no systemd in CI's containers to start the unit, so the unit is checked with
//! `systemd-analyze verify` (when present) and by reading it, and the service's command
//! is run as systemd would run it — as the `sluice` user, with the unit's environment
//! and directories — but without its sandbox.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use crate::support;

const UNIT: &str = "/usr/lib/systemd/system/sluice.service";
const INSTALLED: &str = "/usr/bin/sluice";

#[test]
fn the_debian_package_installs_runs_and_purges() {
    let root = Root::find();
    assert!(
        !installed(),
        "a `sluice` package is installed already; this test installs and purges its own: \
         remove it first (`dpkg --purge sluice`)"
    );
    let scratch = tempfile::tempdir().unwrap();
    let deb = build(scratch.path());
    let guard = Purge(root.clone());
    root.ok(Command::new("dpkg").arg("-i").arg(&deb), "dpkg -i");
    assert!(installed());

    version_names_the_wit_contract();
    the_demo_runs(scratch.path());
    the_files_are_where_debian_puts_them();
    let unit = std::fs::read_to_string(UNIT).expect("the unit file");
    the_unit_is_hardened(&unit);
    the_user_and_its_directories_exist();
    the_service_command_serves_the_api(&root, &unit);

    root.ok(Command::new("dpkg").args(["-r", "sluice"]), "dpkg -r");
    assert!(!Path::new(INSTALLED).exists(), "dpkg -r left the binary");
    assert!(
        Path::new("/etc/sluice/worker.yaml").exists(),
        "dpkg -r keeps the conffile until purge"
    );
    root.ok(Command::new("dpkg").args(["-P", "sluice"]), "dpkg -P");
    for gone in ["/etc/sluice", "/var/lib/sluice", "/var/cache/sluice", UNIT] {
        assert!(!Path::new(gone).exists(), "the purge left {gone}");
    }
    std::mem::forget(guard);
}

/// The .deb of the binary these tests run, built by the script releases use.
fn build(out: &Path) -> PathBuf {
    let exe = Path::new(env!("CARGO_BIN_EXE_sluice"));
    let profile_dir = exe.parent().unwrap();
    // `target/debug` is the `dev` profile's directory; others are named after theirs.
    let profile = match profile_dir.file_name().unwrap().to_str().unwrap() {
        "debug" => "dev",
        other => other,
    };
    let started = std::time::Instant::now();
    let output = Command::new("bash")
        .arg(support::repo().join("host/sluice/debian/build-deb"))
        .args(["--profile", profile, "--no-build", "--fast", "--output"])
        .arg(out)
        // So that cargo-deb packages this very binary, whatever the target directory.
        .env("CARGO_TARGET_DIR", profile_dir.parent().unwrap())
        .output()
        .expect("run build-deb");
    assert_success(&output, "build-deb");
    eprintln!("build-deb took {:.1} s", started.elapsed().as_secs_f64());
    let debs: Vec<PathBuf> = std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "deb"))
        .collect();
    assert_eq!(debs.len(), 1, "one .deb in {}: {debs:?}", out.display());
    let contents = Command::new("dpkg-deb")
        .arg("--contents")
        .arg(&debs[0])
        .output()
        .unwrap();
    assert_success(&contents, "dpkg-deb --contents");
    eprintln!("{}", String::from_utf8_lossy(&contents.stdout));
    debs[0].clone()
}

fn version_names_the_wit_contract() {
    let wit = std::fs::read_to_string(support::repo().join("wit/plugin.wit")).unwrap();
    let package = wit
        .lines()
        .find_map(|l| l.trim().strip_prefix("package "))
        .and_then(|p| p.strip_suffix(';'))
        .expect("a package line");
    let out = Command::new(INSTALLED).arg("--version").output().unwrap();
    assert_success(&out, "sluice --version");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        format!(
            "sluice {} (WIT contract {package})",
            env!("CARGO_PKG_VERSION")
        )
    );
}

fn the_demo_runs(scratch: &Path) {
    let empty = scratch.join("demo");
    std::fs::create_dir(&empty).unwrap();
    let out = Command::new(INSTALLED)
        .current_dir(&empty)
        .args(["demo", "--records", "1000"])
        .env_remove("RUST_LOG")
        .env_remove("SLUICE_COMPONENTS_DIR")
        .env("SLUICE_CACHE_DIR", scratch.join("cache"))
        .output()
        .unwrap();
    assert_success(&out, "sluice demo");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains("OK: all 1,000 records are in Kinetica"),
        "{stdout}"
    );
}

fn the_files_are_where_debian_puts_them() {
    for file in [
        "/usr/share/bash-completion/completions/sluice",
        "/usr/share/zsh/vendor-completions/_sluice",
        "/usr/share/fish/vendor_completions.d/sluice.fish",
        "/usr/share/man/man1/sluice.1.gz",
        "/usr/share/doc/sluice/copyright",
        "/usr/share/doc/sluice/rest.md",
        "/usr/share/sluice/config/examples/kinetica-sink.yaml",
        "/usr/share/sluice/config/demo/stocks.yaml",
        "/usr/share/sluice/config/secrets/kinetica.properties",
        "/etc/sluice/worker.yaml",
    ] {
        assert!(Path::new(file).is_file(), "{file} is not installed");
    }
    let copyright = std::fs::read_to_string("/usr/share/doc/sluice/copyright").unwrap();
    assert!(copyright.contains("Apache License"), "{copyright}");
    let completion =
        std::fs::read_to_string("/usr/share/bash-completion/completions/sluice").unwrap();
    assert!(completion.contains("datapump"), "{completion}");
    let conffiles = Command::new("dpkg-query")
        .args(["-W", "-f=${Conffiles}", "sluice"])
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&conffiles.stdout).contains("/etc/sluice/worker.yaml"),
        "worker.yaml is not a conffile"
    );
    // A shipped example is valid as it stands (the binary finds its components inside).
    let out = Command::new(INSTALLED)
        .args([
            "validate",
            "/usr/share/sluice/config/examples/kinetica-sink.yaml",
        ])
        .output()
        .unwrap();
    assert_success(&out, "sluice validate on an installed example");
}

/// Read as systemd reads it: `[Section]`s of `Key=value`, a key may repeat.
fn settings(unit: &str, section: &str) -> Vec<(String, String)> {
    let mut current = String::new();
    let mut found = Vec::new();
    for line in unit.lines().map(str::trim) {
        if line.is_empty() || line.starts_with(['#', ';']) {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            current = name.to_owned();
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not `Key=value` in the unit: {line}"));
        if current == section {
            found.push((key.trim().to_owned(), value.trim().to_owned()));
        }
    }
    found
}

fn setting(unit: &str, key: &str) -> Option<String> {
    settings(unit, "Service")
        .into_iter()
        .rev()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v)
}

fn the_unit_is_hardened(unit: &str) {
    assert!(
        !settings(unit, "Unit").is_empty() && !settings(unit, "Install").is_empty(),
        "{unit}"
    );
    for (key, value) in [
        ("User", "sluice"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("ReadWritePaths", "/etc/sluice/pipelines"),
        ("RestrictAddressFamilies", "AF_UNIX AF_INET AF_INET6"),
        ("CapabilityBoundingSet", ""),
        ("SystemCallFilter", "@system-service"),
        ("LockPersonality", "yes"),
        ("Restart", "on-failure"),
    ] {
        assert_eq!(
            setting(unit, key).as_deref(),
            Some(value),
            "{key}= in\n{unit}"
        );
    }
    // wasmtime maps the code it compiles executable.
    assert_eq!(setting(unit, "MemoryDenyWriteExecute"), None);
    let exec = setting(unit, "ExecStart").expect("ExecStart=");
    assert!(exec.starts_with(&format!("{INSTALLED} run ")), "{exec}");
    // Not enabled on install: no `WantedBy` symlink was made.
    assert!(
        !Path::new("/etc/systemd/system/multi-user.target.wants/sluice.service").exists(),
        "the package enabled the service"
    );
    if which("systemd-analyze") {
        let out = Command::new("systemd-analyze")
            .args(["verify", UNIT])
            .output()
            .unwrap();
        assert_success(&out, "systemd-analyze verify");
        // It reports problems on stderr and still exits 0 for some (unknown keys).
        let stderr = String::from_utf8_lossy(&out.stderr);
        let about_unit: Vec<&str> = stderr
            .lines()
            .filter(|l| l.contains("sluice.service"))
            .collect();
        assert!(about_unit.is_empty(), "systemd-analyze verify:\n{stderr}");
        // systemd's own grading of the sandbox, 0 (locked down) to 10; 1.7 when written.
        let out = Command::new("systemd-analyze")
            .args(["security", "--offline=yes", UNIT])
            .output()
            .unwrap();
        let report = String::from_utf8_lossy(&out.stdout);
        let exposure: f64 = report
            .lines()
            .find_map(|l| l.split_once("Overall exposure level for sluice.service: "))
            .and_then(|(_, rest)| rest.split_whitespace().next()?.parse().ok())
            .unwrap_or_else(|| panic!("no exposure level in:\n{report}"));
        assert!(exposure <= 2.0, "exposure {exposure}:\n{report}");
    } else {
        eprintln!("systemd-analyze is not installed: the unit was checked by reading it only");
    }
}

fn the_user_and_its_directories_exist() {
    let passwd = Command::new("getent")
        .args(["passwd", "sluice"])
        .output()
        .unwrap();
    assert_success(&passwd, "getent passwd sluice");
    let entry = String::from_utf8_lossy(&passwd.stdout).trim().to_owned();
    let fields: Vec<&str> = entry.split(':').collect();
    assert_eq!(fields.get(5), Some(&"/var/lib/sluice"), "{entry}");
    assert!(
        fields.get(6).is_some_and(|s| s.ends_with("nologin")),
        "{entry}"
    );
    let uid: u32 = fields[2].parse().unwrap();
    assert!(uid < 1000, "not a system user: {entry}");
    let group = Command::new("getent")
        .args(["group", "sluice"])
        .output()
        .unwrap();
    assert_success(&group, "getent group sluice");
    let stat = |path: &str| {
        let out = Command::new("stat")
            .args(["-c", "%U:%G %a", path])
            .output()
            .unwrap();
        assert_success(&out, "stat");
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    };
    assert_eq!(stat("/etc/sluice/pipelines"), "sluice:sluice 750");
    assert_eq!(stat("/etc/sluice/worker.yaml"), "root:sluice 640");
}

/// `ExecStart=` as the unit's user, with its environment and its state and cache
/// directories (made here as systemd would make them): the REST API answers, with no
/// pipelines, and SIGTERM stops it cleanly. The listener is moved to a free port
/// (`$SLUICE_REST_LISTENER`) so that a Connect worker on 8083 does not fail the test.
fn the_service_command_serves_the_api(root: &Root, unit: &str) {
    let specifier = |v: &str| v.replace("%C", "/var/cache").replace("%S", "/var/lib");
    for dir in ["/var/lib/sluice", "/var/cache/sluice"] {
        root.ok(
            Command::new("install").args(["-d", "-o", "sluice", "-g", "sluice", "-m", "0750", dir]),
            "install -d",
        );
    }
    let mut command = root.command("setpriv");
    command.args(["--reuid=sluice", "--regid=sluice", "--init-groups", "--"]);
    command.env_clear().env("PATH", "/usr/bin:/bin");
    for (key, value) in settings(unit, "Service") {
        if key == "Environment" {
            let (name, value) = value.split_once('=').unwrap();
            command.env(name, specifier(value));
        }
    }
    command
        .env("SLUICE_REST_LISTENER", "127.0.0.1:0")
        .current_dir(specifier(&setting(unit, "WorkingDirectory").unwrap()))
        .args(setting(unit, "ExecStart").unwrap().split_whitespace())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = command.spawn().expect("start the service's command");
    let pid = child.id();
    let stderr = child.stderr.take().unwrap();
    let mut running = support::Running(Some(child));
    let (tx, rx) = std::sync::mpsc::channel();
    let lines = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(at) = line.find("REST API on http://") {
                let url = line[at + "REST API on ".len()..]
                    .split_whitespace()
                    .next()
                    .unwrap();
                let _ = tx.send(url.to_owned());
            }
            seen.push(line);
        }
        seen.join("\n")
    });
    let Ok(url) = rx.recv_timeout(Duration::from_secs(60)) else {
        drop(running);
        panic!(
            "the service did not serve its API:\n{}",
            lines.join().unwrap()
        );
    };
    let client = reqwest::blocking::Client::new();
    let connectors: serde_json::Value = client
        .get(format!("{url}/connectors"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(connectors, serde_json::json!([]));
    root.ok(
        Command::new("kill").args(["-TERM", &pid.to_string()]),
        "kill -TERM",
    );
    let status = running.0.take().unwrap().wait().unwrap();
    let log = lines.join().unwrap();
    assert!(status.success(), "the service exited with {status}:\n{log}");
}

/// Runs commands as root: directly when the test is root, else through `sudo -n`.
#[derive(Clone)]
struct Root {
    sudo: bool,
}

impl Root {
    /// # Panics
    /// When the test is not root and `sudo -n` cannot make it so: installing a package
    /// is what it tests, so it does not skip.
    fn find() -> Root {
        let id = Command::new("id").arg("-u").output().expect("run `id -u`");
        if String::from_utf8_lossy(&id.stdout).trim() == "0" {
            return Root { sudo: false };
        }
        let sudo = Command::new("sudo").args(["-n", "true"]).status();
        assert!(
            sudo.is_ok_and(|s| s.success()),
            "this test installs the Debian package and needs root: run it as root (CI does) \
             or with password-less `sudo`"
        );
        Root { sudo: true }
    }

    fn command(&self, program: &str) -> Command {
        if self.sudo {
            let mut c = Command::new("sudo");
            c.args(["-n", "--preserve-env", program]);
            c
        } else {
            Command::new(program)
        }
    }

    /// Runs `command` (its program and arguments) as root, asserting success.
    fn ok(&self, command: &mut Command, what: &str) -> Output {
        let mut privileged = self.command(command.get_program().to_str().unwrap());
        privileged.args(command.get_args());
        let out = privileged
            .output()
            .unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_success(&out, what);
        out
    }
}

/// Purges the package if the test fails after installing it.
struct Purge(Root);

impl Drop for Purge {
    fn drop(&mut self) {
        let _ = self.0.command("dpkg").args(["-P", "sluice"]).output();
    }
}

fn installed() -> bool {
    Command::new("dpkg-query")
        .args(["-W", "-f=${Status}", "sluice"])
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).contains("install ok installed"))
}

fn which(program: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {program}")])
        .stdout(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn assert_success(out: &Output, what: &str) {
    assert!(
        out.status.success(),
        "{what} failed ({}):\n{}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
