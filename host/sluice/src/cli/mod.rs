//! The command line. Each command is a module with an `Args` struct (clap derive) and a
//! `run(args) -> anyhow::Result<ExitCode>`; to add one, add its module here and a
//! variant to [`Command`] (or to a group such as [`config::Command`]).
//!
//! Conventions: a command's results go to stdout, logs to stderr; exit code 0 means
//! success, 1 means the command ran and found problems (e.g. an invalid file), 2 means
//! it could not run.

mod bench;
mod config;
mod datapump;
mod demo;
mod kinetica_emulator;
mod pipelines;
mod run;
mod shell;
mod transform;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::logging::LoggingArgs;

/// `sluice --version`: the binary's version and the WIT contract its components are
/// built against (`wit/plugin.wit`), which decides which components it can load.
static VERSION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
    format!(
        "{} (WIT contract sluice:plugin@{})",
        env!("CARGO_PKG_VERSION"),
        sluice_engine::WIT_VERSION
    )
});

/// Sluice streams records between Kafka and Kinetica through WebAssembly transforms.
#[derive(Debug, Parser)]
#[command(name = "sluice", version = VERSION.as_str())]
pub struct Cli {
    #[command(flatten)]
    pub logging: LoggingArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Check pipeline files (.yaml/.yml pipelines or .properties connector files) and
    /// print every problem; exit 1 if any file has an error.
    Validate(validate::Args),
    /// Inspect Sluice's configuration properties.
    #[command(subcommand)]
    Config(config::Command),
    /// Measure throughput end to end (needs a JDK and Maven for its Kafka broker).
    #[command(subcommand)]
    Bench(bench::Command),
    /// Run the demo: an in-process Kafka and Kinetica emulator, stock quotes through a
    /// Wasm transform into Kinetica, and a summary checking that every record arrived.
    Demo(demo::Args),
    /// Write test data to a topic: the demo's stock quotes or records of an Avro schema
    /// file, as Kafka Connect JSON with or without schemas or as Avro through a Schema
    /// Registry, at a rate or as fast as possible (the Kinetica connector's TestDataPump).
    Datapump(datapump::Args),
    /// Run pipelines in the foreground until Ctrl-C/SIGTERM (Kafka Connect's files too,
    /// with --connect-worker).
    Run(run::Args),
    /// Run an in-memory Kinetica (head node and worker ranks) until Ctrl-C.
    KineticaEmulator(kinetica_emulator::Args),
    /// Tools for transform authors: run a Wasm transform on golden records.
    #[command(subcommand)]
    Transform(transform::Command),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell), e.g.
    /// `sluice completions bash > /etc/bash_completion.d/sluice`.
    Completions(shell::CompletionsArgs),
    /// Print the man page sluice(1) (roff), e.g. `sluice man | man -l -`.
    Man,
}

impl Cli {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self.command {
            Command::Validate(args) => validate::run(args),
            Command::Config(command) => command.run(),
            Command::Run(args) => run::run(args),
            Command::Bench(command) => command.run(),
            Command::Demo(args) => demo::run(args),
            Command::Datapump(args) => datapump::run(args),
            Command::KineticaEmulator(args) => kinetica_emulator::run(args),
            Command::Transform(command) => command.run(),
            Command::Completions(args) => shell::completions(args),
            Command::Man => shell::man(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_well_formed() {
        Cli::command().debug_assert();
    }
}
