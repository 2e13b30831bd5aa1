//! The traits plugin authors implement, and the macros that export them.

use crate::bindings::sluice::plugin::types::{Batch, DataBatch, Decoded, Error, Part};
use crate::{Config, Property};

/// A single message transform.
///
/// `configure` runs once per instance, before any batch; `apply` runs once per batch.
pub trait Transform: Sized + 'static {
    /// The properties this transform understands (used by `sluice validate`).
    fn describe() -> Vec<Property>;
    /// Builds the transform from its property group.
    fn configure(config: Config) -> Result<Self, Error>;
    /// Changes, discards, rejects or appends records of the batch.
    fn apply(&self, batch: &Batch) -> Result<(), Error>;
}

/// A predicate: decides which records a transform applies to.
///
/// The batch is read-only: calling a method that changes it fails the call.
pub trait Predicate: Sized + 'static {
    /// The properties this predicate understands.
    fn describe() -> Vec<Property>;
    /// Builds the predicate from its property group.
    fn configure(config: Config) -> Result<Self, Error>;
    /// One boolean per record of the batch, in index order.
    fn test(&self, batch: &Batch) -> Result<Vec<bool>, Error>;
}

/// What `from-data` returns: per input, its bytes (`None`: a Kafka null) or why it
/// could not be encoded.
pub type Encoded = Vec<Result<Option<Vec<u8>>, String>>;

/// A converter: bytes ⇄ schema + value, for the keys or the values (`part`) of a
/// topic, a batch at a time. Schemas cross once per batch: results name their schema
/// by its index in [`Decoded::schemas`] / [`DataBatch::schemas`].
pub trait Converter: Sized + 'static {
    /// The properties this converter understands.
    fn describe() -> Vec<Property>;
    /// Builds the converter from its property group.
    fn configure(config: Config) -> Result<Self, Error>;
    /// Decodes each input (`None` is a Kafka null): one result per input, in order; an
    /// `Err` rejects that record only.
    fn to_data(
        &self,
        topic: &str,
        part: Part,
        inputs: Vec<Option<Vec<u8>>>,
    ) -> Result<Decoded, Error>;
    /// Encodes each input: one result per input, in order (`Ok(None)` is a Kafka null).
    #[allow(clippy::wrong_self_convention)] // the WIT function's name
    fn from_data(&self, topic: &str, part: Part, inputs: DataBatch) -> Result<Encoded, Error>;
}

/// A flattener: rewrites nested keys or values into flat structs whose fields are all
/// primitive, one column each in a table.
pub trait Flattener: Sized + 'static {
    /// The properties this flattener understands.
    fn describe() -> Vec<Property>;
    /// Builds the flattener from its property group.
    fn configure(config: Config) -> Result<Self, Error>;
    /// Rewrites the records of the batch in place.
    fn flatten(&self, batch: &Batch) -> Result<(), Error>;
}

/// Holds the configured plugin of this instance. A component instance is single
/// threaded, so a thread-local cell is all the state needs.
#[doc(hidden)]
pub mod state {
    use std::cell::RefCell;

    pub struct Slot<T>(RefCell<Option<T>>);

    impl<T> Default for Slot<T> {
        fn default() -> Self {
            Slot::new()
        }
    }

    impl<T> Slot<T> {
        pub const fn new() -> Self {
            Slot(RefCell::new(None))
        }
        pub fn set(&self, value: T) {
            *self.0.borrow_mut() = Some(value);
        }
        pub fn with<R>(
            &self,
            f: impl FnOnce(&T) -> Result<R, crate::Error>,
        ) -> Result<R, crate::Error> {
            match self.0.borrow().as_ref() {
                Some(t) => f(t),
                None => Err(crate::Error::Fatal(
                    "the component was called before `configure`".to_string(),
                )),
            }
        }
    }
}

/// What every export macro shares: the instance's plugin slot (`PLUGIN`), the exported
/// type (`Exported`) and its `configurable` implementation (in the world's bindings,
/// `$world_bindings`), which configures `$ty` through the world's trait `$world`.
#[doc(hidden)]
#[macro_export]
macro_rules! __export_configurable {
    ($ty:ty, $world:path, $($world_bindings:tt)*) => {
        thread_local! {
            static PLUGIN: $crate::plugin_state::Slot<$ty> = const { $crate::plugin_state::Slot::new() };
        }

        struct Exported;

        impl $($world_bindings)*::exports::sluice::plugin::configurable::Guest for Exported {
            fn describe() -> ::std::vec::Vec<$crate::Property> {
                <$ty as $world>::describe()
            }
            fn configure(
                properties: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
            ) -> ::std::result::Result<(), $crate::Error> {
                let plugin = <$ty as $world>::configure($crate::Config::new(properties))?;
                PLUGIN.with(|slot| slot.set(plugin));
                Ok(())
            }
        }
    };
}

/// Exports a [`Transform`] implementation as the component's `transform` world.
#[macro_export]
macro_rules! export_transform {
    ($ty:ty) => {
        const _: () = {
            use $crate::transform_bindings::exports::sluice::plugin::transform_records;

            $crate::__export_configurable!($ty, $crate::Transform, $crate::transform_bindings);

            impl transform_records::Guest for Exported {
                fn apply(batch: &$crate::Batch) -> ::std::result::Result<(), $crate::Error> {
                    PLUGIN.with(|slot| slot.with(|p| <$ty as $crate::Transform>::apply(p, batch)))
                }
            }

            $crate::transform_bindings::export_transform_bindings!(Exported with_types_in $crate::transform_bindings);
        };
    };
}

/// Exports a [`Predicate`] implementation as the component's `predicate` world.
#[macro_export]
macro_rules! export_predicate {
    ($ty:ty) => {
        const _: () = {
            use $crate::predicate_bindings::exports::sluice::plugin::test_records;

            $crate::__export_configurable!($ty, $crate::Predicate, $crate::predicate_bindings);

            impl test_records::Guest for Exported {
                fn test(
                    batch: &$crate::Batch,
                ) -> ::std::result::Result<::std::vec::Vec<bool>, $crate::Error> {
                    PLUGIN.with(|slot| slot.with(|p| <$ty as $crate::Predicate>::test(p, batch)))
                }
            }

            $crate::predicate_bindings::export_predicate_bindings!(Exported with_types_in $crate::predicate_bindings);
        };
    };
}

/// Exports a [`Converter`] implementation as the component's `converter` world.
#[macro_export]
macro_rules! export_converter {
    ($ty:ty) => {
        const _: () = {
            use $crate::converter_bindings::exports::sluice::plugin::convert_records;

            $crate::__export_configurable!($ty, $crate::Converter, $crate::converter_bindings);

            impl convert_records::Guest for Exported {
                fn to_data(
                    topic: ::std::string::String,
                    part: $crate::Part,
                    inputs: ::std::vec::Vec<::std::option::Option<::std::vec::Vec<u8>>>,
                ) -> ::std::result::Result<$crate::Decoded, $crate::Error> {
                    PLUGIN.with(|slot| {
                        slot.with(|p| <$ty as $crate::Converter>::to_data(p, &topic, part, inputs))
                    })
                }
                fn from_data(
                    topic: ::std::string::String,
                    part: $crate::Part,
                    inputs: $crate::DataBatch,
                ) -> ::std::result::Result<$crate::Encoded, $crate::Error> {
                    PLUGIN.with(|slot| {
                        slot.with(|p| <$ty as $crate::Converter>::from_data(p, &topic, part, inputs))
                    })
                }
            }

            $crate::converter_bindings::export_converter_bindings!(Exported with_types_in $crate::converter_bindings);
        };
    };
}

/// Exports a [`Flattener`] implementation as the component's `flattener` world.
#[macro_export]
macro_rules! export_flattener {
    ($ty:ty) => {
        const _: () = {
            use $crate::flattener_bindings::exports::sluice::plugin::flatten_records;

            $crate::__export_configurable!($ty, $crate::Flattener, $crate::flattener_bindings);

            impl flatten_records::Guest for Exported {
                fn flatten(batch: &$crate::Batch) -> ::std::result::Result<(), $crate::Error> {
                    PLUGIN.with(|slot| slot.with(|p| <$ty as $crate::Flattener>::flatten(p, batch)))
                }
            }

            $crate::flattener_bindings::export_flattener_bindings!(Exported with_types_in $crate::flattener_bindings);
        };
    };
}
