//! Sluice's Wasm engine: loads plugin components (transforms, predicates, converters,
//! flatteners) that implement the `sluice:plugin` WIT, compiles them once and caches
//! the result, and calls them a batch at a time inside a sandbox with a memory limit, a
//! CPU budget per batch and no filesystem, network, environment or clock unless granted.
//!
//! It knows records (`sluice-record`) but nothing of Kafka or Kinetica.

mod batch;
mod bindings;
mod cache;
mod engine;
mod error;
mod guest_log;
mod limits;
mod path;
mod state;
mod swap;
mod transform;
mod wit_convert;
mod world;

pub use cache::CacheOutcome;
pub use engine::{LoadedComponent, WasmEngine};
pub use error::{PluginError, PluginErrorKind};
pub use limits::SandboxLimits;
pub use state::HostState;
pub use swap::{SwapError, SwapHandle, SwappableTransform};
pub use transform::{PropertySpec, TransformInstance, TransformOutput, TransformPlugin};
pub use world::WorldKind;
