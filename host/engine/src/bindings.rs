//! Host bindings generated from `wit/plugin.wit`.

wasmtime::component::bindgen!({
    path: "../../wit/plugin.wit",
    world: "sluice:plugin/transform",
    additional_derives: [PartialEq],
    with: {
        // The batch lives in the store's state (`HostState::batch`), not in the
        // resource table: there is one batch per call, and skipping the table lookup
        // keeps every accessor call cheap.
        "sluice:plugin/types.batch": crate::batch::BatchRep,
    },
});

pub use sluice::plugin::types;
