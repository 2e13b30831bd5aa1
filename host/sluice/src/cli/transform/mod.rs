//! `sluice transform …`: tools for transform authors.

mod bench;
mod jsonl;
mod new;
mod test;

use std::process::ExitCode;

/// Work with Wasm transform components.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run a transform component on records read from JSON lines and print the result
    /// (or compare it with an expected file).
    Test(test::Args),
    /// Create a transform project in Python or JavaScript that builds and passes its
    /// golden test, with a README saying how.
    New(new::Args),
    /// Measure a transform component's CPU cost per record on given records.
    Bench(bench::Args),
}

impl Command {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Test(args) => test::run(args),
            Command::New(args) => new::run(args),
            Command::Bench(args) => bench::run(args),
        }
    }
}
