//! `sluice validate FILE…`: check pipeline files without running them.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use crate::components::Registry;

/// Arguments of `sluice validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The files to check.
    #[arg(required = true, value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let registry = Registry::new();
    let mut out = std::io::stdout().lock();
    let mut failed = 0usize;
    for file in &args.files {
        tracing::debug!(file = %file.display(), "validating");
        let checked = registry.validate_file(file);
        for problem in checked.problems.iter() {
            writeln!(out, "{problem}")?;
        }
        match &checked.value {
            Some(pipeline) => {
                let warnings = checked.problems.warnings().count();
                let note = match warnings {
                    0 => String::new(),
                    1 => ", 1 warning".to_owned(),
                    n => format!(", {n} warnings"),
                };
                writeln!(
                    out,
                    "ok: {} (pipeline `{}`{note})",
                    file.display(),
                    pipeline.name
                )?;
                tracing::debug!(
                    file = %file.display(),
                    pipeline = %pipeline.name,
                    transforms = pipeline.transforms.len(),
                    "valid"
                );
            }
            None => {
                failed += 1;
                let errors = checked.problems.errors().count();
                tracing::debug!(file = %file.display(), errors, "invalid");
            }
        }
    }
    if failed > 0 {
        writeln!(out, "{failed} of {} file(s) invalid", args.files.len())?;
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
