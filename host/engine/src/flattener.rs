//! The `flattener` world's adapter: nested keys or values become flat structs, one
//! primitive field per column. It works on a batch it owns for the call, like a
//! transform, and its result has the same shape.

use sluice_record::Record;

use crate::bindings::FlattenerWorld;
use crate::error::PluginError;
use crate::instance::{Instance, Plugin};
use crate::transform::TransformOutput;

/// A flattener component with its configuration, ready to instantiate.
pub type FlattenerPlugin = Plugin<FlattenerWorld>;

/// A running flattener instance.
pub type FlattenerInstance = Instance<FlattenerWorld>;

impl FlattenerInstance {
    /// Flattens one batch. Errors and a trapped instance are handled as
    /// [`TransformInstance::apply`](crate::TransformInstance::apply) handles them.
    pub fn flatten(&mut self, records: Vec<Record>) -> Result<TransformOutput, PluginError> {
        self.on_owned_batch(records, |exports, store, handle| {
            exports
                .sluice_plugin_flatten_records()
                .call_flatten(store, handle)
        })
    }
}
