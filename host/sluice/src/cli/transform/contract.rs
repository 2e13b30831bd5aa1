//! The WIT contract as the binary carries it: what `transform new` writes beside a new
//! project, what `transform bindings` generates code from and what `transform
//! componentize` embeds in a core module. One copy, so every tool of one `sluice`
//! speaks the contract its engine runs.

use anyhow::Context as _;
use wit_parser::{Resolve, WorldId};

/// `wit/plugin.wit`, the package `sluice:plugin`.
pub const WIT: &str = include_str!("../../../../../wit/plugin.wit");

/// The worlds of the contract: what a component can be.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum World {
    /// A single message transform (`transforms.<alias>.type`).
    Transform,
    /// A predicate (`predicates.<alias>.type`).
    Predicate,
    /// A converter (`key.converter`, `value.converter`).
    Converter,
    /// A flattener (`kinetica.flattener` and friends).
    Flattener,
}

impl World {
    pub fn name(self) -> &'static str {
        match self {
            World::Transform => "transform",
            World::Predicate => "predicate",
            World::Converter => "converter",
            World::Flattener => "flattener",
        }
    }
}

/// The parsed contract and the id of `world` in it.
pub fn resolve(world: World) -> anyhow::Result<(Resolve, WorldId)> {
    let mut resolve = Resolve::default();
    let package = resolve
        .push_str("plugin.wit", WIT)
        .context("the built-in WIT does not parse")?;
    let id = resolve.select_world(&[package], Some(world.name()))?;
    Ok((resolve, id))
}
