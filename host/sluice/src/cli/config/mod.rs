//! `sluice config …`: commands about configuration itself.

mod describe;

use std::process::ExitCode;

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print every property Sluice knows (pipeline, connectors, components) with its
    /// type, default, importance and documentation; secrets are flagged.
    Describe(describe::Args),
}

impl Command {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Describe(args) => describe::run(args),
        }
    }
}
