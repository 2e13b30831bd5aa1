//! Hot swap across a pipeline's tasks: each task runs its own instance of every
//! transform, so swapping the transform `mask` means staging a fresh instance in each.

use std::sync::mpsc::Receiver;

use sluice_engine::{PluginError, SwapError, SwapHandle, TransformPlugin};

/// The swap handles of one transform alias, one per task.
#[derive(Clone)]
pub struct TransformSwap {
    alias: String,
    handles: Vec<SwapHandle>,
}

/// One task's outcome of a staged swap, reported once that task has run a batch
/// through the new component (or rolled it back).
pub type SwapOutcome = Receiver<Result<(), SwapError>>;

impl TransformSwap {
    pub(crate) fn new(alias: String, handles: Vec<SwapHandle>) -> TransformSwap {
        TransformSwap { alias, handles }
    }

    /// The transform's alias (`transforms=<alias>,…` in the pipeline file).
    pub fn alias(&self) -> &str {
        &self.alias
    }

    /// Each task's handle.
    pub fn task_handles(&self) -> &[SwapHandle] {
        &self.handles
    }

    /// Stages `plugin` (configured and checked off the hot path by the caller) in every
    /// task: each picks it up at its next batch boundary and runs that batch through it,
    /// rolling back to the running component if it fails. Returns one outcome per task.
    pub fn stage(&self, plugin: &TransformPlugin) -> Result<Vec<SwapOutcome>, PluginError> {
        // Instantiate every task's copy first, so a failure stages nothing.
        let instances = self
            .handles
            .iter()
            .map(|_| plugin.instantiate())
            .collect::<Result<Vec<_>, _>>()?;
        Ok(self
            .handles
            .iter()
            .zip(instances)
            .map(|(handle, instance)| handle.stage(instance))
            .collect())
    }
}

impl std::fmt::Debug for TransformSwap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TransformSwap")
            .field("alias", &self.alias)
            .field("tasks", &self.handles.len())
            .finish()
    }
}
