//! `sluice transform componentize CORE.wasm -o COMPONENT.wasm [--world transform]`: a
//! core module built by a compiler that emits WASI preview1 modules (clang with
//! wasi-libc, Go's `wasip1` port) made into the component the engine loads.
//!
//! The module's imports and exports must already follow the component model's
//! canonical ABI for the world (the generated bindings do that); this step adds the
//! world's type when the module lacks it (C bindings link it in; Go's do not) and
//! adapts preview1's imports to preview2 with the adapter of the wasmtime release the
//! engine is built on — what `wasm-tools component embed` and `component new --adapt`
//! do, without a wasm-tools of matching version to install.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use wasi_preview1_component_adapter_provider::{
    WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME, WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
};
use wasmparser::{Encoding, Parser, Payload};

use super::contract::{self, World};

/// Arguments of `sluice transform componentize`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The core module (a reactor: built with `-mexec-model=reactor` or
    /// `-buildmode=c-shared`).
    module: PathBuf,
    /// Where to write the component.
    #[arg(short, long)]
    output: PathBuf,
    /// The world the module implements; its type is embedded when the module has none.
    #[arg(long, value_enum, default_value = "transform")]
    world: World,
}

pub fn run(args: Args) -> anyhow::Result<ExitCode> {
    let shown = args.module.display();
    let mut module = std::fs::read(&args.module).with_context(|| format!("cannot read {shown}"))?;
    let mut typed = false;
    for payload in Parser::new(0).parse_all(&module) {
        match payload.with_context(|| format!("{shown} is not a Wasm module"))? {
            Payload::Version {
                encoding: Encoding::Component,
                ..
            } => bail!("{shown} is a component already: load it as it is"),
            Payload::CustomSection(section) if section.name().starts_with("component-type") => {
                typed = true;
            }
            _ => {}
        }
    }
    if !typed {
        let (resolve, world) = contract::resolve(args.world)?;
        wit_component::embed_component_metadata(
            &mut module,
            &resolve,
            world,
            wit_component::StringEncoding::UTF8,
        )?;
    }
    let component = wit_component::ComponentEncoder::default()
        .validate(true)
        .module(&module)
        .with_context(|| format!("{shown} does not fit the `{}` world", args.world.name()))?
        .adapter(
            WASI_SNAPSHOT_PREVIEW1_ADAPTER_NAME,
            WASI_SNAPSHOT_PREVIEW1_REACTOR_ADAPTER,
        )?
        .encode()
        .with_context(|| format!("cannot make a component of {shown}"))?;
    std::fs::write(&args.output, &component)
        .with_context(|| format!("cannot write {}", args.output.display()))?;
    println!(
        "{}: a `{}` component ({} KB)",
        args.output.display(),
        args.world.name(),
        component.len() / 1024
    );
    Ok(ExitCode::SUCCESS)
}
