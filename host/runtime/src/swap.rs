//! Hot swap across a pipeline's tasks: each task runs its own instance of every
//! transform, so swapping the transform `mask` means staging a fresh instance in each.
//!
//! [`TransformSwap::deploy`] is the whole operation an operator asks for (the REST
//! API's `PUT /connectors/{name}/transforms/{alias}`): load and configure the new
//! component off the hot path, stage it in every task, wait until each has run a
//! batch through it, and — if any task's first batch failed — put the previous
//! version back in every task, so all tasks always run the same version. The
//! previous version is kept for [`TransformSwap::rollback`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant, SystemTime};

use sluice_engine::{
    PluginError, SandboxLimits, SwapHandle, SwapResult, TransformPlugin, WasmEngine, WorldKind,
};

/// One version of a transform: its component, configured.
#[derive(Clone)]
pub struct TransformVersion {
    plugin: TransformPlugin,
    /// The SHA-256 of the component's bytes.
    pub digest: String,
    /// The component's bytes.
    pub bytes: Arc<[u8]>,
    /// The properties it is configured with.
    pub properties: Vec<(String, String)>,
    /// When it started running (for the first version: when the pipeline started).
    pub loaded_at: SystemTime,
    /// Once it was swapped in, what shows it ran: the tasks that have run a batch on
    /// it, and where. `None` for the version the pipeline started with.
    pub runs: Option<Runs>,
}

/// What shows a swapped-in version ran: each task reports once it has run its first
/// batch on it (successfully: one that failed rolled back instead).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runs {
    /// The tasks that have run a batch on it.
    pub tasks: usize,
    /// The first offset of each topic-partition it processed, in those tasks' first
    /// batches, sorted.
    pub first_offsets: Vec<(String, i32, i64)>,
}

impl TransformVersion {
    pub(crate) fn new(
        plugin: TransformPlugin,
        digest: String,
        bytes: Arc<[u8]>,
        properties: Vec<(String, String)>,
    ) -> TransformVersion {
        TransformVersion {
            plugin,
            digest,
            bytes,
            properties,
            loaded_at: SystemTime::now(),
            runs: None,
        }
    }

    /// The component's name.
    pub fn component(&self) -> &str {
        self.plugin.name()
    }

    /// The memory and CPU budget its instances run with.
    pub fn limits(&self) -> &SandboxLimits {
        self.plugin.limits()
    }
}

struct Versions {
    current: TransformVersion,
    previous: Option<TransformVersion>,
    /// The outcomes of tasks that had not run a batch on `current` when its deploy
    /// stopped waiting: read when the versions are, into `current.runs`.
    pending: Vec<SwapOutcome>,
}

impl Versions {
    /// Notes that a task ran its first batch on `current`.
    fn ran(&mut self, swapped: &sluice_engine::Swapped) {
        if let Some(runs) = &mut self.current.runs {
            runs.tasks += 1;
            runs.first_offsets
                .extend(swapped.first_offsets.iter().cloned());
            runs.first_offsets.sort();
        }
    }

    /// Takes in what late tasks have reported since.
    fn catch_up(&mut self) {
        let pending = std::mem::take(&mut self.pending);
        for outcome in pending {
            match outcome.try_recv() {
                Ok(Ok(swapped)) => self.ran(&swapped),
                Ok(Err(e)) => tracing::warn!(
                    component = %self.current.component(),
                    "a task that ran no batch within the deploy's wait rolled back alone: {e}"
                ),
                Err(TryRecvError::Empty) => self.pending.push(outcome),
                Err(TryRecvError::Disconnected) => {}
            }
        }
    }
}

/// The swap handles of one transform alias, one per task, and its versions.
#[derive(Clone)]
pub struct TransformSwap {
    alias: String,
    handles: Vec<SwapHandle>,
    versions: Arc<Mutex<Versions>>,
    /// One deploy or rollback at a time: the second would supersede the first's
    /// staged instances half-way.
    busy: Arc<Mutex<()>>,
    /// Swaps that took, and those rolled back, since the pipeline started.
    counts: Arc<(AtomicU64, AtomicU64)>,
}

/// One task's outcome of a staged swap, reported once that task has run a batch
/// through the new component (or rolled it back).
pub type SwapOutcome = Receiver<SwapResult>;

/// How a deploy or rollback ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deployed {
    /// Every task runs the new version: it processed a batch in each.
    Running,
    /// Staged in every task, but some had no batch to run it on within the wait; each
    /// picks it up at its next batch (and rolls it back alone if that batch fails).
    Staged,
}

/// A deploy or rollback that took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deployment {
    /// Whether every task runs it yet.
    pub state: Deployed,
    /// The first offset of each topic-partition the new version processed (in the
    /// tasks that ran a batch on it within the wait).
    pub first_offsets: Vec<(String, i32, i64)>,
}

/// Why a deploy did not take.
#[derive(Debug, Clone, thiserror::Error)]
pub enum DeployError {
    /// The component did not load, is of another world, or refused its properties;
    /// nothing was staged.
    #[error("{0}")]
    Refused(PluginError),
    /// It failed its first batch in a task; every task runs the previous version again.
    #[error("rolled back: {0}")]
    RolledBack(String),
    /// Nothing to roll back to.
    #[error("transform `{0}` has no previous version")]
    NoPrevious(String),
    /// Another deploy or rollback of this transform is under way.
    #[error("another swap of transform `{0}` is under way")]
    Busy(String),
}

impl TransformSwap {
    pub(crate) fn new(
        alias: String,
        handles: Vec<SwapHandle>,
        first: TransformVersion,
    ) -> TransformSwap {
        TransformSwap {
            alias,
            handles,
            versions: Arc::new(Mutex::new(Versions {
                current: first,
                previous: None,
                pending: Vec::new(),
            })),
            busy: Arc::default(),
            counts: Arc::default(),
        }
    }

    /// Swaps (deploys and rollbacks) that took, and those rolled back after a failed
    /// first batch, since the pipeline started.
    pub fn swap_counts(&self) -> (u64, u64) {
        (
            self.counts.0.load(Ordering::Relaxed),
            self.counts.1.load(Ordering::Relaxed),
        )
    }

    /// The transform's alias (`transforms=<alias>,…` in the pipeline file).
    pub fn alias(&self) -> &str {
        &self.alias
    }

    /// Each task's handle.
    pub fn task_handles(&self) -> &[SwapHandle] {
        &self.handles
    }

    fn versions(&self) -> MutexGuard<'_, Versions> {
        // Replaced whole under the lock: never half-written.
        self.versions.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The version running now, with what its tasks have reported of it so far.
    pub fn current(&self) -> TransformVersion {
        let mut v = self.versions();
        v.catch_up();
        v.current.clone()
    }

    /// The version a rollback would return to.
    pub fn previous(&self) -> Option<TransformVersion> {
        self.versions().previous.clone()
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

    /// Replaces the transform with the component `bytes`, configured with `properties`
    /// (`None`: the running version's), in every task; see the module's documentation.
    /// Waits up to `wait` for every task's first batch on it.
    pub fn deploy(
        &self,
        engine: &WasmEngine,
        bytes: &[u8],
        properties: Option<Vec<(String, String)>>,
        wait: Duration,
    ) -> Result<Deployment, DeployError> {
        let _one = self
            .busy
            .try_lock()
            .map_err(|_| DeployError::Busy(self.alias.clone()))?;
        let current = self.current();
        let properties = properties.unwrap_or_else(|| current.properties.clone());
        let name = self.alias.clone();
        let loaded = engine
            .load_bytes(&name, bytes, WorldKind::Transform)
            .map_err(DeployError::Refused)?;
        let digest = loaded.digest.clone();
        let plugin =
            TransformPlugin::new(engine, loaded, properties.clone(), current.limits().clone())
                .map_err(DeployError::Refused)?;
        let next = TransformVersion::new(plugin, digest, Arc::from(bytes), properties);
        self.switch(current, next, wait)
    }

    /// Puts the previous version back in every task.
    pub fn rollback(&self, wait: Duration) -> Result<Deployment, DeployError> {
        let _one = self
            .busy
            .try_lock()
            .map_err(|_| DeployError::Busy(self.alias.clone()))?;
        let (current, previous) = {
            let v = self.versions();
            (v.current.clone(), v.previous.clone())
        };
        let previous = previous.ok_or_else(|| DeployError::NoPrevious(self.alias.clone()))?;
        self.switch(current, previous, wait)
    }

    /// Stages `next` everywhere and waits; on a failed first batch anywhere, stages
    /// `current` again where `next` took.
    fn switch(
        &self,
        current: TransformVersion,
        next: TransformVersion,
        wait: Duration,
    ) -> Result<Deployment, DeployError> {
        let previous = self.previous();
        let outcomes = self.stage(&next.plugin).map_err(DeployError::Refused)?;
        // From here the staged version is the one listed: tasks without a batch yet
        // run it from their next one.
        {
            let mut v = self.versions();
            let mut staged = next.clone();
            staged.loaded_at = SystemTime::now();
            staged.runs = Some(Runs::default());
            v.previous = Some(std::mem::replace(&mut v.current, staged));
            // Late reports of the version replaced are of no interest now (and its
            // staged instances were superseded).
            v.pending.clear();
        }
        let deadline = Instant::now() + wait;
        let mut failure = None;
        let mut took = Vec::new();
        let mut late = Vec::new();
        for outcome in outcomes {
            let left = deadline.saturating_duration_since(Instant::now());
            match outcome.recv_timeout(left) {
                Ok(Ok(swapped)) => {
                    // Listed as it comes: `GET …/transforms` shows each task that ran
                    // it while the deploy still waits for the others.
                    self.versions().ran(&swapped);
                    took.extend(swapped.first_offsets);
                }
                Ok(Err(e)) => failure = Some(e.to_string()),
                Err(RecvTimeoutError::Timeout) => late.push(outcome),
                Err(RecvTimeoutError::Disconnected) => {}
            }
        }
        let pending = !late.is_empty();
        if let Some(why) = failure {
            // Back to `current` in the tasks that took `next` (and in those that have
            // not run a batch yet: restaging supersedes `next` there).
            let instances: Vec<_> = (0..self.handles.len())
                .map(|_| current.plugin.instantiate())
                .collect::<Result<_, _>>()
                .map_err(DeployError::Refused)?;
            for (handle, instance) in self.handles.iter().zip(instances) {
                drop(handle.stage(instance));
            }
            tracing::warn!(transform = %self.alias, "swap rolled back in every task: {why}");
            self.counts.1.fetch_add(1, Ordering::Relaxed);
            let mut v = self.versions();
            v.current = current;
            v.previous = previous;
            return Err(DeployError::RolledBack(why));
        }
        self.counts.0.fetch_add(1, Ordering::Relaxed);
        self.versions().pending = late;
        took.sort();
        Ok(Deployment {
            state: if pending {
                Deployed::Staged
            } else {
                Deployed::Running
            },
            first_offsets: took,
        })
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
