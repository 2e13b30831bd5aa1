//! `sluice transform bindings --lang c --world transform --out-dir DIR`: the C bindings
//! of a world, from wit-bindgen's C generator (built in, so a C author needs clang and
//! wasi-libc, not a wit-bindgen install of the right version).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context as _;

use super::contract::{self, World};

/// Arguments of `sluice transform bindings`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The language to generate bindings for.
    #[arg(long, value_enum)]
    lang: Lang,
    /// The world the component implements.
    #[arg(long, value_enum, default_value = "transform")]
    world: World,
    /// Where to write them (created if missing; files of an earlier run are replaced).
    #[arg(long)]
    out_dir: PathBuf,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
enum Lang {
    /// C: `<world>.h`, `<world>.c` and `<world>_component_type.o` (the world's type, which
    /// the linker keeps in the module for `sluice transform componentize`).
    C,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let (mut resolve, world) = contract::resolve(args.world)?;
    let mut files = wit_bindgen_core::Files::default();
    match args.lang {
        // Borrowed handles (the `batch` of `apply`) are dropped by the bindings when the
        // export returns: one thing fewer a C author can forget (the engine traps a
        // call that leaves one behind).
        Lang::C => wit_bindgen_c::Opts {
            autodrop_borrows: wit_bindgen_c::Enabled::Yes,
            ..Default::default()
        }
        .build()
        .generate(&mut resolve, world, &mut files)?,
    }
    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("cannot create {}", args.out_dir.display()))?;
    for (name, contents) in files.iter() {
        let path = args.out_dir.join(name);
        std::fs::write(&path, contents)
            .with_context(|| format!("cannot write {}", path.display()))?;
        println!("{}", path.display());
    }
    Ok(ExitCode::SUCCESS)
}
