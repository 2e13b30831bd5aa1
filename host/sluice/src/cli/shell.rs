//! `sluice completions <shell>` and `sluice man`: shell completions (clap_complete) and
//! a man page (clap_mangen), generated from the command line's own definition so that
//! they always describe the binary that prints them. The Debian package ships both.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

/// Arguments of `sluice completions`.
#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    shell: clap_complete::Shell,
}

/// Prints the completion script for `args.shell` on stdout.
pub fn completions(args: CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut command = super::Cli::command();
    let mut out = std::io::stdout().lock();
    clap_complete::generate(args.shell, &mut command, "sluice", &mut out);
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// Prints the man page `sluice(1)` (roff) on stdout.
pub fn man() -> anyhow::Result<ExitCode> {
    let page = clap_mangen::Man::new(super::Cli::command());
    let mut out = std::io::stdout().lock();
    page.render(&mut out)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
