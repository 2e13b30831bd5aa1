//! The traits plugin authors implement, and the macros that export them.

use crate::bindings::sluice::plugin::types::{Batch, Error};
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

/// Holds the configured plugin of this instance. A component instance is single
/// threaded, so a thread-local cell is all the state needs.
#[doc(hidden)]
pub mod state {
    use std::cell::RefCell;

    pub struct Slot<T>(RefCell<Option<T>>);

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

/// Exports a [`Transform`] implementation as the component's `transform` world.
#[macro_export]
macro_rules! export_transform {
    ($ty:ty) => {
        const _: () = {
            use $crate::bindings::exports::sluice::plugin::{configurable, transform_records};

            thread_local! {
                static PLUGIN: $crate::plugin_state::Slot<$ty> = const { $crate::plugin_state::Slot::new() };
            }

            struct Exported;

            impl configurable::Guest for Exported {
                fn describe() -> ::std::vec::Vec<$crate::Property> {
                    <$ty as $crate::Transform>::describe()
                }
                fn configure(
                    properties: ::std::vec::Vec<(::std::string::String, ::std::string::String)>,
                ) -> ::std::result::Result<(), $crate::Error> {
                    let plugin = <$ty as $crate::Transform>::configure($crate::Config::new(properties))?;
                    PLUGIN.with(|slot| slot.set(plugin));
                    Ok(())
                }
            }

            impl transform_records::Guest for Exported {
                fn apply(batch: &$crate::Batch) -> ::std::result::Result<(), $crate::Error> {
                    PLUGIN.with(|slot| slot.with(|p| <$ty as $crate::Transform>::apply(p, batch)))
                }
            }

            $crate::bindings::export_transform_bindings!(Exported with_types_in $crate::bindings);
        };
    };
}
