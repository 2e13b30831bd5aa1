//! The generated bindings of the `transform` world: its exports, with the shared `types`
//! and `host` interfaces taken from `sluice-sdk-types`. A crate of its own because
//! wit-bindgen's export macros of two worlds collide in one crate (see `sluice-sdk`).
wit_bindgen::generate!({
    path: "../../../../wit",
    world: "sluice:plugin/transform",
    pub_export_macro: true,
    export_macro_name: "export_transform_bindings",
    default_bindings_module: "sluice_sdk_transform",
    with: {
        "sluice:plugin/types@0.2.0": sluice_sdk_types::bindings::sluice::plugin::types,
        "sluice:plugin/host@0.2.0": sluice_sdk_types::bindings::sluice::plugin::host,
    },
});
