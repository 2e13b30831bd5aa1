//! Hot swap: replace a running component with a new one at a batch boundary, for any
//! world.
//!
//! The new component is loaded and configured off the hot path by whoever stages it
//! (a failure there never touches the running one). The task calling the component
//! picks it up before its next call and runs that call through it; if the new
//! component fails on that first call, it is dropped, the old one processes the same
//! input, and the stager hears why. Either way every record is processed exactly once.

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Mutex};

use sluice_record::{Data, Record};

use crate::bindings::types::Part;
use crate::bindings::{ConverterWorld, FlattenerWorld, PredicateWorld, TransformWorld};
use crate::converter::Encoded;
use crate::error::PluginError;
use crate::instance::{Instance, World};
use crate::transform::TransformOutput;

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

/// What a swap did, once a batch went through the new component.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swapped {
    /// The first offset of each topic-partition in the batch the new component
    /// processed first (transforms and flatteners; empty for other worlds).
    pub first_offsets: Vec<(String, i32, i64)>,
}

/// A staged swap's outcome.
pub type SwapResult = Result<Swapped, SwapError>;

struct Staged<W: World> {
    instance: Instance<W>,
    done: Sender<SwapResult>,
}

type Slot<W> = Arc<Mutex<Option<Staged<W>>>>;

/// Stages swaps from any thread. `SwapHandle` alone is a transform's.
pub struct SwapHandle<W: World = TransformWorld> {
    slot: Slot<W>,
}

impl<W: World> Clone for SwapHandle<W> {
    fn clone(&self) -> Self {
        SwapHandle {
            slot: self.slot.clone(),
        }
    }
}

impl<W: World> SwapHandle<W> {
    /// Stages `instance` to replace the running component at the next batch boundary.
    /// The receiver reports the outcome once a batch has gone through.
    pub fn stage(&self, instance: Instance<W>) -> Receiver<SwapResult> {
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

/// A component that can be swapped while batches flow through it.
pub struct Swappable<W: World> {
    active: Instance<W>,
    slot: Slot<W>,
}

/// A transform that can be hot-swapped at a batch boundary.
pub type SwappableTransform = Swappable<TransformWorld>;
/// A predicate that can be hot-swapped at a batch boundary.
pub type SwappablePredicate = Swappable<PredicateWorld>;
/// A converter component that can be hot-swapped at a batch boundary.
pub type SwappableConverter = Swappable<ConverterWorld>;
/// A flattener that can be hot-swapped at a batch boundary.
pub type SwappableFlattener = Swappable<FlattenerWorld>;

impl<W: World> Swappable<W> {
    /// Runs `active` until a swap is staged through a [`SwapHandle`].
    pub fn new(active: Instance<W>) -> Swappable<W> {
        Swappable {
            active,
            slot: Arc::new(Mutex::new(None)),
        }
    }

    /// A handle that stages a replacement, to be picked up at the next batch.
    pub fn handle(&self) -> SwapHandle<W> {
        SwapHandle {
            slot: self.slot.clone(),
        }
    }

    /// The most linear memory the running instance has been granted, in bytes.
    pub fn memory_peak(&self) -> u64 {
        self.active.memory_peak()
    }

    /// The name of the component running now.
    pub fn component_name(&self) -> &str {
        self.active.component_name()
    }

    /// Runs `call` on the active instance, first switching to a staged one if there is
    /// one. The input is cloned only when a swap is staged, so the old instance can take
    /// over if the new one fails; for borrowed inputs that clone is a pointer copy.
    fn run<I: Clone, T>(
        &mut self,
        input: I,
        first_offsets: impl Fn(&I) -> Vec<(String, i32, i64)>,
        call: impl Fn(&mut Instance<W>, I) -> Result<T, PluginError>,
    ) -> Result<T, PluginError> {
        let staged = self.slot.lock().expect("swap slot poisoned").take();
        let Some(mut staged) = staged else {
            return call(&mut self.active, input);
        };
        let swapped = Swapped {
            first_offsets: first_offsets(&input),
        };
        let backup = input.clone();
        match call(&mut staged.instance, input) {
            Ok(output) => {
                tracing::info!(
                    world = W::KIND.name(),
                    from = %self.active.component_name(),
                    to = %staged.instance.component_name(),
                    "component swapped"
                );
                self.active = staged.instance;
                let _ = staged.done.send(Ok(swapped));
                Ok(output)
            }
            Err(e) => {
                tracing::warn!(
                    component = %staged.instance.component_name(),
                    "swap rolled back: {e}"
                );
                let _ = staged.done.send(Err(SwapError::RolledBack(e)));
                call(&mut self.active, backup)
            }
        }
    }
}

impl SwappableTransform {
    /// [`TransformInstance::apply`](crate::TransformInstance::apply) on the active
    /// transform. The first batch after a swap is copied once, for the rollback.
    pub fn apply(&mut self, records: Vec<Record>) -> Result<TransformOutput, PluginError> {
        self.run(records, |r| first_offsets(r), Instance::apply)
    }
}

/// The first offset of each topic-partition in `records`, in the order they appear.
fn first_offsets(records: &[Record]) -> Vec<(String, i32, i64)> {
    let mut out: Vec<(String, i32, i64)> = Vec::new();
    for r in records {
        match out
            .iter_mut()
            .find(|(t, p, _)| *t == *r.topic && *p == r.partition)
        {
            Some(first) => first.2 = first.2.min(r.offset),
            None => out.push((r.topic.to_string(), r.partition, r.offset)),
        }
    }
    out
}

impl SwappablePredicate {
    /// [`PredicateInstance::test`](crate::PredicateInstance::test) on the active
    /// predicate.
    pub fn test(&mut self, records: &[Record]) -> Result<Vec<bool>, PluginError> {
        self.run(records, |_| Vec::new(), |i, r| i.test(r))
    }
}

impl SwappableConverter {
    /// [`ConverterInstance::to_data`](crate::ConverterInstance::to_data) on the active
    /// converter.
    pub fn to_data(
        &mut self,
        topic: &str,
        part: Part,
        inputs: &[Option<&[u8]>],
    ) -> Result<Vec<Result<Data, String>>, PluginError> {
        self.run(
            inputs,
            |_| Vec::new(),
            |i, inputs| i.to_data(topic, part, inputs),
        )
    }

    /// [`ConverterInstance::from_data`](crate::ConverterInstance::from_data) on the
    /// active converter.
    pub fn from_data(
        &mut self,
        topic: &str,
        part: Part,
        inputs: &[Data],
    ) -> Result<Encoded, PluginError> {
        self.run(
            inputs,
            |_| Vec::new(),
            |i, inputs| i.from_data(topic, part, inputs),
        )
    }
}

impl SwappableFlattener {
    /// [`FlattenerInstance::flatten`](crate::FlattenerInstance::flatten) on the active
    /// flattener. The first batch after a swap is copied once, for the rollback.
    pub fn flatten(&mut self, records: Vec<Record>) -> Result<TransformOutput, PluginError> {
        self.run(records, |r| first_offsets(r), Instance::flatten)
    }
}
