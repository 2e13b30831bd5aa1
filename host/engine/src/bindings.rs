//! Host bindings generated from `wit/plugin.wit`, one module per world.
//!
//! Every world imports the same `types` and `host` interfaces. They are generated once,
//! in `transform`, and the other worlds reuse them (`with:`), so a `Batch`, a `Scalar`
//! or an `Error` is one Rust type whichever world a component implements, and one
//! linker serves every world.

use wasmtime::Store;
use wasmtime::component::InstancePre;

use crate::instance::World;
use crate::state::HostState;
use crate::world::WorldKind;

/// The `transform` world, with the `types` and `host` interfaces every world shares.
pub mod transform {
    // Generated from wit/plugin.wit, whose doc comments the generator does not carry over.
    #![allow(missing_docs)]
    wasmtime::component::bindgen!({
        path: "../../wit/plugin.wit",
        world: "sluice:plugin/transform",
        additional_derives: [PartialEq],
        with: {
            // The batch lives in the store's state (`HostState::batch`), not in the
            // resource table: there is one batch per call, and skipping the table
            // lookup keeps every accessor call cheap.
            "sluice:plugin/types.batch": crate::batch::BatchRep,
        },
    });
}

/// Generates the bindings of a world that imports `types` and `host` from `transform`.
macro_rules! world_bindings {
    ($module:ident, $world:literal) => {
        pub mod $module {
            wasmtime::component::bindgen!({
                path: "../../wit/plugin.wit",
                world: $world,
                with: {
                    "sluice:plugin/types": super::transform::sluice::plugin::types,
                    "sluice:plugin/host": super::transform::sluice::plugin::host,
                },
            });
        }
    };
}

world_bindings!(predicate, "sluice:plugin/predicate");
world_bindings!(converter, "sluice:plugin/converter");
world_bindings!(flattener, "sluice:plugin/flattener");

pub use transform::sluice::plugin::types;

/// Implements [`World`] for a world's marker type: the whole per-world part of the
/// generic instance is which generated bindings it uses.
macro_rules! world {
    ($(#[$doc:meta])* $marker:ident, $kind:ident, $module:ident::$bindings:ident, $pre:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub enum $marker {}

        impl World for $marker {
            const KIND: WorldKind = WorldKind::$kind;
            type Pre = $module::$pre<HostState>;
            type Exports = $module::$bindings;

            fn pre(pre: InstancePre<HostState>) -> wasmtime::Result<Self::Pre> {
                $module::$pre::new(pre)
            }

            fn instantiate(
                pre: &Self::Pre,
                store: &mut Store<HostState>,
            ) -> wasmtime::Result<Self::Exports> {
                pre.instantiate(store)
            }

            fn describe(
                exports: &Self::Exports,
                store: &mut Store<HostState>,
            ) -> wasmtime::Result<Vec<types::Property>> {
                exports.sluice_plugin_configurable().call_describe(store)
            }

            fn configure(
                exports: &Self::Exports,
                store: &mut Store<HostState>,
                config: &[(String, String)],
            ) -> wasmtime::Result<Result<(), types::Error>> {
                exports
                    .sluice_plugin_configurable()
                    .call_configure(store, config)
            }
        }
    };
}

world!(
    /// The `transform` world: single message transforms.
    TransformWorld, Transform, transform::Transform, TransformPre
);
world!(
    /// The `predicate` world: one boolean per record.
    PredicateWorld, Predicate, predicate::Predicate, PredicatePre
);
world!(
    /// The `converter` world: bytes ⇄ schema + value.
    ConverterWorld, Converter, converter::Converter, ConverterPre
);
world!(
    /// The `flattener` world: nested values → flat structs.
    FlattenerWorld, Flattener, flattener::Flattener, FlattenerPre
);
