//! The Rust SDK for Sluice plugins: one trait and one export macro per world of
//! `wit/plugin.wit`.
//!
//! | world | trait | macro |
//! |---|---|---|
//! | `transform` | [`Transform`] | [`export_transform!`] |
//! | `predicate` | [`Predicate`] | [`export_predicate!`] |
//! | `converter` | [`Converter`] | [`export_converter!`] |
//! | `flattener` | [`Flattener`] | [`export_flattener!`] |
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
//! The other worlds work the same way: implement the trait, call the macro once. A
//! predicate reads the batch (read-only: a method that changes it fails the call) and
//! returns one boolean per record; a flattener rewrites the batch like a transform; a
//! converter builds a [`Decoded`] (schemas listed once per batch with
//! [`Decoded::add_schema`], then one result per input naming its schema by index) and
//! reads a [`DataBatch`] the same way. `transforms/testing/field-equals`,
//! `csv-converter` and `nest-flattener` are small examples of each.
//!
//! The batch stays on the host: reading or writing a field costs a call, and the column
//! calls read or write one field of every record at once. See `wit/README.md`.
//!
//! # One crate per world
//!
//! wit-bindgen generates, per world, a `#[macro_export]` macro for every exported
//! interface (`__export_<package>_<interface>_<version>_cabi`), so two worlds that
//! both export `configurable` cannot be generated in one crate: the macro is defined
//! twice at the crate root. Cargo features (one world per build) do not help, since
//! the guest workspace builds every guest at once and the SDK's features unify; and
//! `with:` only remaps imports — an exported interface (`configurable`) is always
//! generated. So the bindings live in small crates behind this one: `sluice-sdk-types`
//! generates the shared `types` and `host` interfaces once (from a world that only
//! imports them), and `sluice-sdk-transform`, `-predicate`, `-converter` and
//! `-flattener` each generate one world, mapping `types` and `host` onto
//! `sluice-sdk-types` with `with:`. Every world thus shares one `Batch`, `Scalar`,
//! `Error`…; each export macro emits its own world's entry points and type
//! information, so a component implements exactly that world. Guests depend on
//! `sluice-sdk` alone.

pub mod date_format;
pub mod nodes;
mod plugin;

#[doc(hidden)]
pub use plugin::state as plugin_state;
pub use plugin::{Converter, Encoded, Flattener, Predicate, Transform};
pub use sluice_sdk_types::{Config, Property, bindings, logical, problem_line, tree};

/// The generated bindings of each world (its exports), for what the traits do not
/// cover.
pub use sluice_sdk_converter as converter_bindings;
pub use sluice_sdk_flattener as flattener_bindings;
pub use sluice_sdk_predicate as predicate_bindings;
pub use sluice_sdk_transform as transform_bindings;

pub use bindings::sluice::plugin::host::{Level, log};
pub use bindings::sluice::plugin::types::{
    Batch, Data, DataBatch, Decoded, Error, FieldError, Header, IndexedData, NewRecord, Node, Part,
    PropertyType, RecordError, Scalar, Schema, SchemaNode, SchemaType,
};

/// Everything a plugin author usually needs.
pub mod prelude {
    pub use crate::{
        Batch, Config, Converter, Data, DataBatch, Decoded, Encoded, Error, FieldError, Flattener,
        Header, IndexedData, Level, NewRecord, Node, Part, Predicate, Property, Scalar, Schema,
        SchemaNode, SchemaType, Transform, log,
    };
}
