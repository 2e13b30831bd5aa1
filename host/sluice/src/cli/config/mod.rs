//! `sluice config …`: commands about configuration itself.

mod describe;

use std::process::ExitCode;

use clap::Subcommand;

/// Inspect Sluice's configuration properties.
#[derive(Debug, Subcommand)]
pub enum Command {
    Describe(describe::Args),
}

impl Command {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Describe(args) => describe::run(args),
        }
    }
}
