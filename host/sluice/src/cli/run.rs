//! `sluice run FILE…`: runs pipelines in the foreground until Ctrl-C or SIGTERM.
//!
//! A signal stops every pipeline gracefully (each task finishes and commits its batch
//! in flight, or abandons it if it is waiting out a failure) and exits 0; a task still
//! busy after `--shutdown-timeout-ms` (a write Kinetica never answers) is left behind
//! with its batch uncommitted, and the process exits anyway. A second signal exits at
//! once. A pipeline that stops on an
//! error stops the others too and exits 1 with the error. `--connect-worker` reads
//! Kafka Connect's `connect-standalone` files (see [`compat`]).

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use std::path::PathBuf;

use sluice_config::pipeline::PipelineConfig;
use sluice_runtime::{PipelineHandle, Registry};

use crate::cli::pipelines::Files;
use crate::daemon::config_dir::ConfigDir;
use crate::daemon::{self, Daemon, worker::TargetState};

/// How often the foreground loop looks at signals and pipelines.
const WATCH_INTERVAL: Duration = Duration::from_millis(100);

/// Arguments of `sluice run`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: Files,
    /// The daemon's own settings (`rest.listener`, `rest.auth.token`, `rest.tls.*`), a
    /// .yaml or .properties file; without it the REST API listens on 127.0.0.1:8083.
    #[arg(long, value_name = "FILE")]
    worker: Option<PathBuf>,
    /// Run every pipeline file in this directory, write pipelines the REST API creates
    /// or changes back to it (`<name>.yaml`), and reload a pipeline when its file
    /// changes (docs/rest.md).
    #[arg(long, value_name = "DIR")]
    config_dir: Option<PathBuf>,
    /// Build every pipeline (connector settings, converters, components loaded and
    /// configured), connect nothing, and exit: what `sluice validate` does.
    #[arg(long)]
    dry_run: bool,
    /// After a stop signal, how long tasks may take to finish their batches in flight
    /// before the process exits without them (their batches stay uncommitted and are
    /// read again on restart). Kafka Connect's `task.shutdown.graceful.timeout.ms`.
    #[arg(long, value_name = "MS", default_value_t = 5000)]
    shutdown_timeout_ms: u64,
}

pub fn run(mut args: Args) -> anyhow::Result<ExitCode> {
    let options = args.files.options();
    let config_dir = match &args.config_dir {
        Some(dir) => {
            let dir = ConfigDir::new(dir.clone())?;
            args.files.files.extend(dir.files());
            Some(dir)
        }
        None => None,
    };
    let Some(configs) = load(&args.files, &options.registry)? else {
        return Ok(ExitCode::FAILURE);
    };
    let engine = options.engine()?;
    if args.dry_run {
        return dry_run(configs, &engine, &options);
    }
    let settings = match daemon::load_settings(args.worker.as_deref()) {
        Ok(s) => s,
        Err(problems) => {
            eprint!("{problems}");
            return Ok(ExitCode::FAILURE);
        }
    };
    if configs.is_empty() && settings.listener.eq_ignore_ascii_case("none") {
        anyhow::bail!("no pipeline files and no REST API (`rest.listener: none`): nothing to run");
    }
    let signalled = install_signal_handlers()?;
    let bound = Duration::from_millis(args.shutdown_timeout_ms);
    let daemon = Daemon::start(&settings, engine, options)?;
    let worker = daemon.worker.clone();
    // Before any pipeline is added: the API serves already, and what it creates
    // meanwhile must be written back too.
    if let Some(dir) = &config_dir {
        worker.set_config_dir(dir.clone());
    }
    for (file, config) in configs {
        let name = config.name.clone();
        let shown = daemon::file_config(&file);
        let started = worker.add(&name, shown, Some(file), config, TargetState::Running);
        let failure = match started {
            Ok(_) => worker.start_failure(&name),
            Err(e) => Some(e.to_string()),
        };
        // A pipeline file that cannot start is refused, as before there was an API.
        if let Some(why) = failure {
            eprintln!("{why}");
            stop_all(worker.shutdown(), bound);
            return Ok(ExitCode::FAILURE);
        }
    }
    let stop_watching = Arc::new(AtomicBool::new(false));
    if let Some(dir) = config_dir {
        dir.watch(worker.clone(), stop_watching.clone());
    }
    tracing::info!("{} pipeline(s) running; Ctrl-C stops", worker.names().len());
    loop {
        if signalled.load(Ordering::Relaxed) {
            stop_watching.store(true, Ordering::Relaxed);
            tracing::info!("stopping: finishing the batches in flight");
            return Ok(stop_all(worker.shutdown(), bound));
        }
        // Without an API nothing can restart a failed pipeline: stop, as always. With
        // one, a failed pipeline shows FAILED (and `/health` 500) until it is
        // restarted or deleted, as in Kafka Connect.
        if daemon.rest.is_none()
            && let Some(failure) = worker.failed()
        {
            tracing::error!("{failure}");
            return Ok(stop_all(worker.shutdown(), bound));
        }
        std::thread::sleep(WATCH_INTERVAL);
    }
}

/// Stops every pipeline (all asked at once, so they wind down in parallel) and says
/// how they ended. Pipelines whose tasks are still busy after `bound` are left to the
/// process's exit.
fn stop_all(running: Vec<PipelineHandle>, bound: Duration) -> ExitCode {
    for p in &running {
        p.request_stop();
    }
    let deadline = std::time::Instant::now() + bound;
    let mut code = ExitCode::SUCCESS;
    for p in running {
        if !p.wait(Some(
            deadline.saturating_duration_since(std::time::Instant::now()),
        )) {
            tracing::warn!(
                pipeline = %p.name(),
                "a task did not finish its batch in flight within {} ms; exiting without \
                 it (the batch is uncommitted and read again on restart)",
                bound.as_millis()
            );
            // Joining would wait for the busy task; the process exit ends it.
            std::mem::forget(p);
            continue;
        }
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
fn load(
    files: &Files,
    registry: &Registry,
) -> anyhow::Result<Option<Vec<(PathBuf, PipelineConfig)>>> {
    let loaded = match files.load(registry) {
        Ok(loaded) => loaded,
        Err(problems) => {
            eprint!("{problems}");
            return Ok(None);
        }
    };
    let mut configs = Vec::new();
    let mut failed = false;
    for (file, checked) in loaded {
        eprint!("{}", checked.problems);
        match checked.value {
            Some(config) => configs.push((file.to_owned(), config)),
            None => failed = true,
        }
    }
    Ok((!failed).then_some(configs))
}

/// Builds every pipeline as `run` does before it connects, and says what it found.
fn dry_run(
    configs: Vec<(PathBuf, PipelineConfig)>,
    engine: &sluice_engine::WasmEngine,
    options: &sluice_runtime::RunOptions,
) -> anyhow::Result<ExitCode> {
    let mut code = ExitCode::SUCCESS;
    for (_, config) in configs {
        let name = config.name.clone();
        match sluice_runtime::check(config, engine, options) {
            Ok(warnings) => {
                eprint!("{warnings}");
                eprintln!("pipeline `{name}` can start");
            }
            Err(e) => {
                eprintln!("{e}");
                code = ExitCode::FAILURE;
            }
        }
    }
    Ok(code)
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
