//! `sluice run FILE…`: runs pipelines in the foreground until Ctrl-C or SIGTERM.
//!
//! A signal stops every pipeline gracefully (each task finishes and commits its batch
//! in flight) and exits 0; a second signal exits at once. A pipeline that stops on an
//! error stops the others too and exits 1 with the error. `--connect-worker` reads
//! Kafka Connect's `connect-standalone` files (see [`compat`]).

mod compat;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sluice_config::pipeline::PipelineConfig;
use sluice_config::{Checked, FileFormat};
use sluice_runtime::{Pipeline, PipelineHandle, RunOptions};

use crate::components::Registry;

/// How often the foreground loop looks at signals and pipelines.
const WATCH_INTERVAL: Duration = Duration::from_millis(100);

/// Arguments of `sluice run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Pipeline files (.yaml/.yml, or Kafka Connect connector .properties files).
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
    /// Kafka Connect compatibility: the `connect-standalone` worker .properties file;
    /// its settings (bootstrap.servers, converters, …) are defaults for every FILE.
    #[arg(long, value_name = "WORKER_PROPERTIES")]
    connect_worker: Option<PathBuf>,
    /// Directory of the bundled components (`transforms.<alias>.type=mask-field`).
    #[arg(long, value_name = "DIR", env = sluice_runtime::COMPONENTS_DIR_ENV)]
    components_dir: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let Some(configs) = load(&args)? else {
        return Ok(ExitCode::FAILURE);
    };
    let signalled = install_signal_handlers()?;
    let options = RunOptions {
        components_dir: args.components_dir.clone(),
        ..RunOptions::default()
    };
    let engine = options.engine()?;
    let mut running: Vec<PipelineHandle> = Vec::new();
    for config in configs {
        match Pipeline::start(config, &engine, options.clone()) {
            Ok(handle) => running.push(handle),
            Err(e) => {
                eprintln!("{e}");
                stop_all(running);
                return Ok(ExitCode::FAILURE);
            }
        }
    }
    tracing::info!("{} pipeline(s) running; Ctrl-C stops", running.len());
    loop {
        if signalled.load(Ordering::Relaxed) {
            tracing::info!("stopping: finishing the batches in flight");
            return Ok(stop_all(running));
        }
        if running.iter().any(PipelineHandle::is_finished) {
            // Pipelines only end by themselves when they fail.
            return Ok(stop_all(running));
        }
        // Wakes early if that pipeline ends; the others are looked at every interval.
        match running.first() {
            Some(p) => {
                p.wait(Some(WATCH_INTERVAL));
            }
            None => return Ok(ExitCode::SUCCESS),
        }
    }
}

/// Stops every pipeline (all asked at once, so they wind down in parallel) and says
/// how they ended.
fn stop_all(running: Vec<PipelineHandle>) -> ExitCode {
    for p in &running {
        p.request_stop();
    }
    let mut code = ExitCode::SUCCESS;
    for p in running {
        match p.stop() {
            Ok(summary) => {
                let m = &summary.metrics;
                eprintln!(
                    "pipeline `{}` stopped: {} record(s) in, {} written, {} discarded, {} dead-lettered",
                    summary.pipeline,
                    m.records_in,
                    m.records_written,
                    m.records_discarded,
                    m.records_dead_lettered
                );
            }
            Err(e) => {
                eprintln!("error: {e}");
                code = ExitCode::FAILURE;
            }
        }
    }
    code
}

/// Loads and checks every file; prints every problem. `None` if any has an error.
fn load(args: &Args) -> anyhow::Result<Option<Vec<PipelineConfig>>> {
    let registry = Registry::new();
    let worker = match &args.connect_worker {
        Some(path) => match compat::Worker::load(path) {
            Ok(worker) => Some(worker),
            Err(problems) => {
                eprint!("{problems}");
                return Ok(None);
            }
        },
        None => None,
    };
    let mut configs = Vec::new();
    let mut failed = false;
    for file in &args.files {
        let checked = match &worker {
            Some(w) => registry.check_groups(w.connector(file, registry.connectors())),
            None => load_file(&registry, file),
        };
        eprint!("{}", checked.problems);
        match checked.value {
            Some(config) => configs.push(config),
            None => failed = true,
        }
    }
    Ok((!failed).then_some(configs))
}

fn load_file(registry: &Registry, file: &Path) -> Checked<PipelineConfig> {
    let checked = registry.validate_file(file);
    if FileFormat::of(file) == Some(FileFormat::Properties) {
        let problems = compat::explain_missing_topics(checked.problems);
        return Checked::new(checked.value, problems);
    }
    checked
}

/// SIGINT and SIGTERM set the returned flag; a second one exits at once (status 1).
fn install_signal_handlers() -> anyhow::Result<Arc<AtomicBool>> {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let flag = Arc::new(AtomicBool::new(false));
    for signal in [SIGINT, SIGTERM] {
        // Registered first, so it sees the flag before the second handler sets it.
        signal_hook::flag::register_conditional_shutdown(signal, 1, flag.clone())?;
        signal_hook::flag::register(signal, flag.clone())?;
    }
    Ok(flag)
}
