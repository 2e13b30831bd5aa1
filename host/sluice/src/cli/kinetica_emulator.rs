//! `sluice kinetica-emulator`: an in-memory Kinetica (head node and worker ranks) in the
//! foreground, for trying pipelines and clients without a database. Stops on Ctrl-C or
//! SIGTERM.

use std::io::Write;
use std::process::ExitCode;

use sluice_kinetica_emulator::{EmulatorConfig, EmulatorTls};

/// Arguments of `sluice kinetica-emulator`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Port of the head node on 127.0.0.1 (Kinetica's default is 9191; 0 picks a free one).
    #[arg(long, default_value_t = 9191)]
    port: u16,
    /// Worker ranks for multi-head ingest, each on a free port; 0 runs the head node only.
    #[arg(long, default_value_t = 3)]
    workers: usize,
    /// Serve HTTPS on every rank with this PEM certificate chain (needs --tls-key).
    #[arg(long, requires = "tls_key", value_name = "PEM")]
    tls_cert: Option<std::path::PathBuf>,
    /// The private key (PEM) of --tls-cert.
    #[arg(long, requires = "tls_cert", value_name = "PEM")]
    tls_key: Option<std::path::PathBuf>,
    /// Serve table monitors (`/create/tablemonitor`) on this ZMQ port (Kinetica's
    /// default is 9002; 0 picks a free one); without it there are none.
    #[arg(long, value_name = "PORT")]
    monitor_port: Option<u16>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(serve(args))
}

async fn serve(args: Args) -> anyhow::Result<ExitCode> {
    // Listening before the URLs are printed: a script that reads them and sends SIGTERM
    // at once must find the handler in place.
    let signalled = shutdown_signal()?;
    let tls = match (&args.tls_cert, &args.tls_key) {
        (Some(cert), Some(key)) => Some(EmulatorTls::from_files(cert, key)?),
        _ => None,
    };
    let config = EmulatorConfig {
        port: args.port,
        workers: args.workers,
        tls,
        monitor_port: args.monitor_port,
        ..EmulatorConfig::default()
    };
    let emulator = sluice_kinetica_emulator::start(config).await?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "Kinetica emulator at {}", emulator.url())?;
        for (i, url) in emulator.worker_urls().iter().enumerate() {
            writeln!(out, "  worker rank {} at {url}", i + 1)?;
        }
        if let Some(port) = emulator.monitor_port() {
            writeln!(out, "  table monitors on tcp://127.0.0.1:{port}")?;
        }
        writeln!(out, "Press Ctrl-C to stop.")?;
        // Scripts wait for these lines before starting clients: do not leave them buffered.
        out.flush()?;
    }
    signalled.await;
    tracing::info!("stopping the Kinetica emulator");
    emulator.shutdown().await;
    Ok(ExitCode::SUCCESS)
}

/// Listens for Ctrl-C (SIGINT) and, on Unix, SIGTERM (what `kill` and service managers
/// send) from now on; the future resolves at the first. Call it from within the runtime.
pub fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut interrupt = signal(SignalKind::interrupt())?;
        let mut terminate = signal(SignalKind::terminate())?;
        Ok(async move {
            tokio::select! {
                _ = interrupt.recv() => {}
                _ = terminate.recv() => {}
            }
        })
    }
    #[cfg(not(unix))]
    {
        Ok(async {
            let _ = tokio::signal::ctrl_c().await;
        })
    }
}
