//! The part of the Sluice SDK every world shares: the `sluice:plugin` `types` and
//! `host` interfaces, generated once, and the helpers on them. Guests use the
//! `sluice-sdk` crate, which re-exports all of this; why the SDK is split into crates
//! is in its documentation ("One crate per world").

mod config;
mod data;
pub mod logical;
pub mod tree;

pub use config::{Config, Property, problem_line};

/// The shared interfaces, generated from a world that only imports them: it exports
/// nothing, so it defines none of the export macros the world crates each define.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../../wit",
        inline: "package sluice:sdk;
            world shared {
                import sluice:plugin/types@0.2.0;
                import sluice:plugin/host@0.2.0;
            }",
        world: "sluice:sdk/shared",
        generate_all,
        // Schemas are compared to find the ones a batch repeats (`tree::SchemaMemo`).
        additional_derives: [PartialEq],
    });
}

use bindings::sluice::plugin::types::{Error, FieldError};

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Error {
        Error::Fatal(match e {
            FieldError::NoSuchField(path) => format!("no such field: {path}"),
            FieldError::TypeMismatch(what) => format!("type mismatch: {what}"),
            FieldError::NoSuchRecord(i) => format!("no record at index {i}"),
        })
    }
}
