//! `sluice`: the Sluice daemon and its command-line tools.
//!
//! This file only wires things together: parse the command line, set up logging, run
//! the command. Commands live in [`cli`], one module each; [`daemon`] is what `sluice
//! run` serves; [`reach`] is shared by `sluice validate --connect` and the REST API's
//! `validate?connect=true`.

mod cli;
mod daemon;
mod demo;
mod logging;
mod progress_bar;
mod reach;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    if let Err(e) = logging::init(&cli.logging) {
        eprintln!("error: {e:#}");
        return ExitCode::from(2);
    }
    match cli.run() {
        Ok(code) => code,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
