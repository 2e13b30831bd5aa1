//! Sluice's Wasm engine: loads plugin components (transforms, predicates, converters,
//! flatteners) that implement the `sluice:plugin` WIT, compiles them once and caches
//! the result, and calls them a batch at a time inside a sandbox with a memory limit, a
//! CPU budget per batch and no filesystem, network, environment or clock unless granted.
//!
//! One generic component instance ([`Plugin`], [`Instance`], [`Swappable`]) holds what
//! every world shares — the store, the limits, trap handling, re-instantiation and hot
//! swap — and each world adds a thin adapter with its call: [`TransformInstance::apply`],
//! [`PredicateInstance::test`], [`ConverterInstance::to_data`] /
//! [`ConverterInstance::from_data`] and [`FlattenerInstance::flatten`].
//!
//! It knows records (`sluice-record`) but nothing of Kafka or Kinetica.

mod batch;
mod bindings;
mod cache;
mod converter;
mod engine;
mod error;
mod flattener;
mod guest_log;
mod instance;
mod limits;
mod path;
mod predicate;
mod state;
mod swap;
mod transform;
mod wit_convert;
mod world;

pub use bindings::types::Part;
pub use bindings::{ConverterWorld, FlattenerWorld, PredicateWorld, TransformWorld};
pub use cache::{CacheOutcome, digest};
pub use converter::{ConverterInstance, ConverterPlugin, Encoded};
pub use engine::{LoadedComponent, WasmEngine};
pub use error::{PluginError, PluginErrorKind};
pub use flattener::{FlattenerInstance, FlattenerPlugin};
pub use instance::{Instance, Plugin, PropertySpec, World};
pub use limits::SandboxLimits;
pub use predicate::{PredicateInstance, PredicatePlugin};
pub use state::HostState;
pub use swap::{
    SwapError, SwapHandle, SwapResult, Swappable, SwappableConverter, SwappableFlattener,
    SwappablePredicate, SwappableTransform, Swapped,
};
pub use transform::{TransformInstance, TransformOutput, TransformPlugin};
pub use world::{VERSION as WIT_VERSION, WorldKind};
