//! The daemon behind `sluice run`: its pipelines ([`worker`]), the REST API that
//! manages them ([`rest`], Kafka Connect's paths), metrics and settings.

pub mod cluster;
pub mod config_dir;
pub mod metrics;
pub mod offsets;
pub mod rest;
pub mod settings;
pub mod worker;

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use sluice_config::{FileFormat, Origin, Problems};
use sluice_engine::WasmEngine;
use sluice_runtime::RunOptions;

use settings::DaemonSettings;
use worker::{ConnectorConfig, Worker};

/// Environment variable that overrides `rest.listener` (tests and containers pick a
/// port without writing a worker file).
pub const REST_LISTENER_ENV: &str = "SLUICE_REST_LISTENER";

/// The daemon's settings from `--worker FILE` (the defaults without one), with
/// `$SLUICE_REST_LISTENER` over `rest.listener`.
pub fn load_settings(file: Option<&Path>) -> Result<DaemonSettings, Problems> {
    let raw = match file {
        Some(path) => {
            let (raw, problems) = sluice_config::load_raw(path, &[]);
            match raw {
                Some(raw) if !problems.has_errors() => raw,
                _ => return Err(problems),
            }
        }
        None => sluice_config::RawProperties::new(Origin::file("(defaults)")),
    };
    let checked = DaemonSettings::from_raw(&raw);
    let mut settings = match checked.value {
        Some(s) if !checked.problems.has_errors() => s,
        _ => return Err(checked.problems),
    };
    if let Ok(listener) = std::env::var(REST_LISTENER_ENV)
        && !listener.is_empty()
    {
        settings.listener = listener;
    }
    Ok(settings)
}

/// A running daemon: the worker and, unless `rest.listener` is `none`, its API.
pub struct Daemon {
    pub worker: Arc<Worker>,
    /// Where the API listens.
    pub rest: Option<SocketAddr>,
    /// Serves the API; dropped last.
    _runtime: tokio::runtime::Runtime,
}

impl Daemon {
    /// Binds the API (if any) and starts serving it; no pipeline runs yet.
    pub fn start(
        settings: &DaemonSettings,
        engine: WasmEngine,
        options: RunOptions,
    ) -> anyhow::Result<Daemon> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("sluice-rest")
            .enable_all()
            .build()?;
        if settings.listener.eq_ignore_ascii_case("none") {
            let worker = Worker::new(engine, options, "sluice".to_owned());
            return Ok(Daemon {
                worker,
                rest: None,
                _runtime: runtime,
            });
        }
        let token = settings.auth_token.clone();
        let tls = match (&settings.tls_cert, &settings.tls_key) {
            (Some(c), Some(k)) => Some((c.clone(), k.clone())),
            (None, None) => None,
            _ => anyhow::bail!("set both `rest.tls.cert` and `rest.tls.key`, or neither"),
        };
        let (socket, bound) = runtime.block_on(rest::bind(&settings.listener, token.as_ref()))?;
        let worker = Worker::new(engine, options, bound.to_string());
        runtime.block_on(rest::serve(socket, worker.clone(), token, tls))?;
        Ok(Daemon {
            worker,
            rest: Some(bound),
            _runtime: runtime,
        })
    }
}

/// What a pipeline file says, unresolved (`${env:…}` stays as written), as flat
/// properties: what `GET /connectors/{name}/config` shows for it.
pub fn file_config(path: &Path) -> ConnectorConfig {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let source = Origin::file(path);
    let mut problems = Problems::new();
    let entries = match FileFormat::of(path) {
        Some(FileFormat::Yaml) => {
            sluice_config::yaml::parse(&text, &source, &mut problems).unwrap_or_default()
        }
        _ => sluice_config::properties::parse(&text, &source, &mut problems),
    };
    entries
        .into_iter()
        .map(|(k, e)| (k, e.value.joined()))
        .collect()
}
