//! `sluice transform …`: tools for transform authors.

mod jsonl;
mod test;

use std::process::ExitCode;

/// Work with Wasm transform components.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run a transform component on records read from JSON lines and print the result
    /// (or compare it with an expected file).
    Test(test::Args),
}

impl Command {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Test(args) => test::run(args),
        }
    }
}
