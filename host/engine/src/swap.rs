//! Hot swap: replace a running transform with a new one at a batch boundary.
//!
//! The new component is loaded and configured off the hot path by whoever stages it
//! (a failure there never touches the running one). The task applying batches picks
//! it up before its next batch and runs that batch through it; if the new component
//! fails on that first batch, it is dropped, the old one processes the same batch, and
//! the stager hears why. Either way every record is transformed exactly once.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use sluice_record::Record;

use crate::error::PluginError;
use crate::transform::{TransformInstance, TransformOutput};

/// Why a swap did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SwapError {
    /// The new component failed on its first batch; the old one stays.
    #[error("rolled back: the new component failed its first batch: {0}")]
    RolledBack(PluginError),
    /// Another swap was staged before this one was picked up.
    #[error("superseded by a later swap before it was applied")]
    Superseded,
}

struct Staged {
    instance: TransformInstance,
    done: Sender<Result<(), SwapError>>,
}

/// Stages swaps from any thread.
#[derive(Clone)]
pub struct SwapHandle {
    slot: Arc<Mutex<Option<Staged>>>,
}

impl SwapHandle {
    /// Stages `instance` to replace the running transform at the next batch boundary.
    /// The receiver reports the outcome once a batch has gone through.
    pub fn stage(&self, instance: TransformInstance) -> Receiver<Result<(), SwapError>> {
        let (done, outcome) = channel();
        let previous = self
            .slot
            .lock()
            .expect("swap slot poisoned")
            .replace(Staged { instance, done });
        if let Some(p) = previous {
            let _ = p.done.send(Err(SwapError::Superseded));
        }
        outcome
    }
}

/// A transform that can be swapped while batches flow through it.
pub struct SwappableTransform {
    active: TransformInstance,
    slot: Arc<Mutex<Option<Staged>>>,
}

impl SwappableTransform {
    pub fn new(active: TransformInstance) -> SwappableTransform {
        SwappableTransform {
            active,
            slot: Arc::new(Mutex::new(None)),
        }
    }

    pub fn handle(&self) -> SwapHandle {
        SwapHandle {
            slot: self.slot.clone(),
        }
    }

    pub fn component_name(&self) -> &str {
        self.active.component_name()
    }

    /// Applies the active transform, first switching to a staged one if there is one.
    pub fn apply(&mut self, records: Vec<Record>) -> Result<TransformOutput, PluginError> {
        let staged = self.slot.lock().expect("swap slot poisoned").take();
        let Some(mut staged) = staged else {
            return self.active.apply(records);
        };
        // The first batch is kept until the new component has processed it, so the
        // old one can take over if it fails. This copy happens once per swap.
        let backup = records.clone();
        match staged.instance.apply(records) {
            Ok(output) => {
                tracing::info!(
                    from = %self.active.component_name(),
                    to = %staged.instance.component_name(),
                    "transform swapped"
                );
                self.active = staged.instance;
                let _ = staged.done.send(Ok(()));
                Ok(output)
            }
            Err(e) => {
                tracing::warn!(
                    component = %staged.instance.component_name(),
                    "swap rolled back: {e}"
                );
                let _ = staged.done.send(Err(SwapError::RolledBack(e)));
                self.active.apply(backup)
            }
        }
    }
}
