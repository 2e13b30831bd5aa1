//! `sluice transform …`: tools for transform authors.

mod bench;
mod bindings;
mod componentize;
mod contract;
mod deploy;
mod jsonl;
mod new;
mod test;

use std::process::ExitCode;

/// Work with Wasm transform components.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Run a transform, flattener or predicate component on records read from JSON lines
    /// and print the result (a predicate's: each record with `"matches": true|false`), or
    /// compare it with an expected file.
    Test(test::Args),
    /// Create a transform project in Rust, Python, JavaScript or C that builds and passes its
    /// golden test, with a README saying how.
    New(new::Args),
    /// Measure a transform, flattener or predicate component's CPU cost per record on
    /// given records.
    Bench(bench::Args),
    /// Generate a world's bindings for a language whose compiler does not (C).
    Bindings(bindings::Args),
    /// Make a component of a core Wasm module built for WASI preview1 (C, Go).
    Componentize(componentize::Args),
    /// Swap a running pipeline's transform for a new component, through the daemon's
    /// REST API (rolled back there if its first batch fails).
    Deploy(deploy::Args),
}

impl Command {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        match self {
            Command::Test(args) => test::run(args),
            Command::New(args) => new::run(args),
            Command::Bench(args) => bench::run(args),
            Command::Bindings(args) => bindings::run(args),
            Command::Componentize(args) => componentize::run(args),
            Command::Deploy(args) => deploy::run(args),
        }
    }
}
