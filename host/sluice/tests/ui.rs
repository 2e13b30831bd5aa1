//! The status page (`GET /ui`) in headless Chromium: `ui/ui.spec.mjs` drives it with
//! playwright-core, as an operator would, against a daemon whose pipeline takes a
//! steady stream from the real broker into the Kinetica emulator. The script checks
//! what the page shows and does (state, rising counts, a refused pause without the
//! token, pause and resume with it, as the REST status confirms) and saves a
//! screenshot, which is checked here to be a real picture of a page.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::Method;
use serde_json::json;
use sluice_kafka::testing::shared_broker;

use crate::support;
use crate::support::daemon::{Api, Stream, TIMEOUT, TOKEN};

/// Debian's Chromium, which playwright-core drives (it downloads no browser here).
const CHROMIUM: &str = "/usr/bin/chromium";

/// The directory of the script, its package.json and its node_modules.
fn script_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ui")
}

/// Fails, naming what to install, unless node, playwright-core and Chromium are there.
fn check_prerequisites() {
    let node = Command::new("node").arg("--version").output();
    assert!(
        node.is_ok_and(|o| o.status.success()),
        "the status page test needs Node.js (20 or newer): apt-get install nodejs npm"
    );
    assert!(
        script_dir()
            .join("node_modules/playwright-core/package.json")
            .exists(),
        "the status page test needs playwright-core: (cd {} && npm ci)",
        script_dir().display()
    );
    assert!(
        Path::new(CHROMIUM).exists(),
        "the status page test needs Chromium at {CHROMIUM}: apt-get install chromium"
    );
}

/// A PNG's width and height, from its IHDR chunk, if it is one.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let signature = b"\x89PNG\r\n\x1a\n";
    if bytes.len() < 24 || &bytes[..8] != signature || &bytes[12..16] != b"IHDR" {
        return None;
    }
    let word = |at: usize| u32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
    Some((word(16), word(20)))
}

#[test]
fn the_status_page_shows_a_running_pipeline_and_pauses_and_resumes_it() {
    check_prerequisites();
    let broker = shared_broker();
    let bootstrap = broker.bootstrap_servers();
    let topic = "ui_stream";
    broker.create_topic(topic, 1).unwrap();
    let (_runtime, emulator) = support::emulator();
    let dir = tempfile::tempdir().unwrap();
    let (_daemon, api) = Api::start(dir.path());
    let name = "tweets-to-kinetica";
    let (status, created) = api.send(
        Method::POST,
        "/connectors",
        Some(json!({"name": name, "config": {
            "connector.class": "kinetica-sink",
            "topics": topic,
            "bootstrap.servers": bootstrap,
            "kinetica.url": emulator.url(),
            "batch.max.wait.ms": 20,
            "batch.max.records": 50,
            "transforms": "stamp",
            "transforms.stamp.type": "insert-field",
            "transforms.stamp.static.field": "loaded_by",
            "transforms.stamp.static.value": "sluice",
        }})),
    );
    assert_eq!(status, 201, "{created}");
    let digest = support::eventually_within(
        TIMEOUT,
        "the transform listed",
        || {
            let (_, listed) = api.get(&format!("/connectors/{name}/transforms"));
            listed[0]["digest"].as_str().map(str::to_owned)
        },
        String::new,
    );
    let stream = Stream::start(bootstrap, topic, 1);

    // Kept after the test (target/tmp), for a person to look at.
    let screenshot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui/status-page.png");
    std::fs::create_dir_all(screenshot.parent().unwrap()).unwrap();
    let _ = std::fs::remove_file(&screenshot);
    let out = Command::new("node")
        .arg(script_dir().join("ui.spec.mjs"))
        .current_dir(script_dir())
        .env("SLUICE_URL", &api.url)
        .env("SLUICE_TOKEN", TOKEN)
        .env("SLUICE_PIPELINE", name)
        .env("SLUICE_DIGEST", &digest)
        .env("SLUICE_SCREENSHOT", &screenshot)
        .env("SLUICE_CHROMIUM", CHROMIUM)
        .output()
        .expect("run node");
    let report = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    println!("{report}");
    stream.finish();
    assert!(out.status.success(), "the browser test failed:\n{report}");

    // The buttons left it running, as the REST API says too.
    assert_eq!(api.state(name), "RUNNING");
    let png = std::fs::read(&screenshot).expect("the screenshot");
    let (width, height) = png_size(&png).expect("the screenshot is a PNG");
    // A blank or failed page compresses to a few KB; this one has text, a card and
    // sparklines.
    assert!(
        width >= 1000 && height >= 500 && png.len() > 30_000,
        "a {width}×{height} PNG of {} bytes: too small for the page",
        png.len()
    );
}
