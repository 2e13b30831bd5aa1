//! `sluice validate FILE…`: check pipeline files without running them.
//!
//! Every file is loaded and then built exactly as `sluice run` builds it before it
//! connects anywhere (the dry run: connector settings, converters, components loaded,
//! described and configured, the error policy), so `validate` refuses whatever `run`
//! would refuse, with the same messages. With `--connect` it also tries the systems the
//! file names (`crate::reach`).

use std::io::Write;
use std::process::ExitCode;

use crate::cli::pipelines::Files;

/// Arguments of `sluice validate`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    files: Files,
    /// Also contact Kafka, Kinetica and the Schema Registry with each file's settings
    /// and say, per system, whether it answered and, if not, why (DNS, refused, TLS,
    /// authentication) and which property to look at; exit 1 if one did not.
    #[arg(long)]
    connect: bool,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let options = args.files.options();
    let registry = options.registry.clone();
    let mut out = std::io::stdout().lock();
    let loaded = match args.files.load(&registry) {
        Ok(loaded) => loaded,
        Err(problems) => {
            write!(out, "{problems}")?;
            return Ok(ExitCode::FAILURE);
        }
    };
    let engine = options.engine()?;
    let total = loaded.len();
    let mut failed = 0usize;
    for (file, checked) in loaded {
        tracing::debug!(file = %file.display(), "validating");
        write!(out, "{}", checked.problems)?;
        let Some(pipeline) = checked.value else {
            failed += 1;
            continue;
        };
        let name = pipeline.name.clone();
        let mut warnings = checked.problems.warnings().count();
        let reached = args.connect.then(|| crate::reach::check(&pipeline));
        match sluice_runtime::check(pipeline, &engine, &options) {
            Ok(found) => {
                write!(out, "{found}")?;
                warnings += found.warnings().count();
            }
            Err(e) => {
                write!(out, "{}", e.problems)?;
                failed += 1;
                continue;
            }
        }
        let note = match warnings {
            0 => String::new(),
            1 => ", 1 warning".to_owned(),
            n => format!(", {n} warnings"),
        };
        if let Some(reached) = reached {
            for reach in &reached {
                writeln!(out, "{reach}")?;
            }
            let unreachable = reached.iter().filter(|r| r.outcome.is_err()).count();
            if unreachable > 0 {
                writeln!(
                    out,
                    "unreachable: {} (pipeline `{name}`): {unreachable} system(s) did not answer",
                    file.display()
                )?;
                failed += 1;
                continue;
            }
        }
        writeln!(out, "ok: {} (pipeline `{name}`{note})", file.display())?;
    }
    if failed > 0 {
        writeln!(out, "{failed} of {total} file(s) invalid")?;
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}
