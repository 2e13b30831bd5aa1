//! Logging for every command: `tracing` events to stderr, human-readable by default or
//! one JSON object per line with `--log-format json` (for log shippers). stdout stays
//! free for the commands' own output, so it can be piped.

use std::io::IsTerminal;

use clap::{Args, ValueEnum};
use tracing_subscriber::EnvFilter;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Human,
    Json,
}

/// Global logging flags, accepted before or after the subcommand.
#[derive(Debug, Args)]
pub struct LoggingArgs {
    /// How log lines are written to stderr.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Human)]
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `sluice=debug,warn` (overrides RUST_LOG; default `info`).
    #[arg(long, global = true, value_name = "FILTER")]
    pub log_level: Option<String>,
}

/// Installs the global subscriber. The filter comes from `--log-level`, else
/// `RUST_LOG`, else `info`.
pub fn init(args: &LoggingArgs) -> anyhow::Result<()> {
    let filter = match &args.log_level {
        Some(level) => EnvFilter::try_new(level)
            .map_err(|e| anyhow::anyhow!("invalid --log-level `{level}`: {e}"))?,
        None => EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
    };
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let installed = match args.log_format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
    installed.map_err(|e| anyhow::anyhow!("cannot install the logger: {e}"))
}
