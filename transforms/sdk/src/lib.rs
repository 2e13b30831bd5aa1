//! The Rust SDK for Sluice plugins.
//!
//! A transform is a type that implements [`Transform`], exported with
//! [`export_transform!`]:
//!
//! ```ignore
//! use sluice_sdk::prelude::*;
//!
//! struct Upper { field: String }
//!
//! impl Transform for Upper {
//!     fn describe() -> Vec<Property> {
//!         vec![Property::string("field", None, "The field to upper-case.")]
//!     }
//!     fn configure(config: Config) -> Result<Self, Error> {
//!         Ok(Upper { field: config.required("field")? })
//!     }
//!     fn apply(&self, batch: &Batch) -> Result<(), Error> {
//!         let values = batch.get_column(Part::Value, &self.field)?;
//!         let upper = values.into_iter().map(|v| match v {
//!             Scalar::String(s) => Scalar::String(s.to_uppercase()),
//!             other => other,
//!         }).collect::<Vec<_>>();
//!         batch.set_column(Part::Value, &self.field, &upper)?;
//!         Ok(())
//!     }
//! }
//!
//! sluice_sdk::export_transform!(Upper);
//! ```
//!
//! The batch stays on the host: reading or writing a field costs a call, and the column
//! calls read or write one field of every record at once. See `wit/README.md`.

mod config;
mod plugin;

pub use config::{Config, Property};
pub use plugin::Transform;
#[doc(hidden)]
pub use plugin::state as plugin_state;

/// The generated bindings of the `transform` world, for what the traits do not cover.
pub mod bindings {
    wit_bindgen::generate!({
        path: "../../wit",
        world: "sluice:plugin/transform",
        pub_export_macro: true,
        export_macro_name: "export_transform_bindings",
        default_bindings_module: "sluice_sdk::bindings",
        generate_all,
    });
}

pub use bindings::sluice::plugin::host::{Level, log};
pub use bindings::sluice::plugin::types::{
    Batch, Data, Error, FieldError, Header, NewRecord, Node, Part, PropertyType, RecordError,
    Scalar, Schema, SchemaNode, SchemaType,
};

/// Everything a transform author usually needs.
pub mod prelude {
    pub use crate::{
        Batch, Config, Data, Error, FieldError, Header, Level, NewRecord, Node, Part, Property,
        Scalar, SchemaType, Transform, log,
    };
}

impl From<FieldError> for Error {
    fn from(e: FieldError) -> Error {
        Error::Fatal(match e {
            FieldError::NoSuchField(path) => format!("no such field: {path}"),
            FieldError::TypeMismatch(what) => format!("type mismatch: {what}"),
            FieldError::NoSuchRecord(i) => format!("no record at index {i}"),
        })
    }
}
