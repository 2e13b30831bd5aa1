//! `sluice transform deploy COMPONENT --connector NAME --alias ALIAS [--config k=v]…`:
//! swaps a running pipeline's transform for `COMPONENT` through a daemon's REST API
//! (`PUT /connectors/{name}/transforms/{alias}`), and says how it went. The request
//! names the component's SHA-256, so the daemon refuses bytes that changed on the way.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context as _;
use base64::Engine as _;

/// Environment variable holding the daemon's `rest.auth.token` (not a flag: a flag's
/// value shows in the process list).
pub const TOKEN_ENV: &str = "SLUICE_REST_TOKEN";

/// Arguments of `sluice transform deploy`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The new component (.wasm).
    component: PathBuf,
    /// The pipeline (connector) whose transform to replace.
    #[arg(long)]
    connector: String,
    /// The transform's alias in the pipeline (`transforms: [alias, …]`).
    #[arg(long)]
    alias: String,
    /// New properties for it, `key=value` (repeat); none: it keeps the running ones.
    #[arg(long = "config", value_name = "KEY=VALUE")]
    config: Vec<String>,
    /// The daemon's REST API.
    #[arg(long, default_value = "http://127.0.0.1:8083")]
    url: String,
    /// How long to wait for every task's first batch on the new version.
    #[arg(long, value_name = "MS", default_value_t = 30_000)]
    wait_ms: u64,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let bytes = std::fs::read(&args.component)
        .with_context(|| format!("cannot read {}", args.component.display()))?;
    let url = format!(
        "{}/connectors/{}/transforms/{}?wait_ms={}&sha256={}",
        args.url.trim_end_matches('/'),
        args.connector,
        args.alias,
        args.wait_ms,
        sluice_engine::digest(&bytes)
    );
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_millis(args.wait_ms) + Duration::from_secs(60))
        .build()?;
    let mut request = client.put(&url);
    if let Ok(token) = std::env::var(TOKEN_ENV) {
        request = request.bearer_auth(token);
    }
    request = if args.config.is_empty() {
        request
            .header(reqwest::header::CONTENT_TYPE, "application/wasm")
            .body(bytes)
    } else {
        let mut config = serde_json::Map::new();
        for pair in &args.config {
            let (k, v) = pair
                .split_once('=')
                .with_context(|| format!("--config {pair}: expected KEY=VALUE"))?;
            config.insert(k.to_owned(), v.into());
        }
        request.json(&serde_json::json!({
            "wasm": base64::engine::general_purpose::STANDARD.encode(&bytes),
            "config": config,
        }))
    };
    let response = request
        .send()
        .with_context(|| format!("cannot reach the daemon at {}", args.url))?;
    let status = response.status();
    let body: serde_json::Value = response.json().unwrap_or_default();
    if status.is_success() {
        println!(
            "{}: {} → {} ({})",
            args.alias,
            body["old_digest"].as_str().unwrap_or("?"),
            body["new_digest"].as_str().unwrap_or("?"),
            body["state"].as_str().unwrap_or("?")
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "error: {} ({status})",
            body["message"].as_str().unwrap_or("no message")
        );
        Ok(ExitCode::FAILURE)
    }
}
