//! State a pipeline's tasks share with its handle: the stop and pause requests, the
//! error that stopped the pipeline, how many tasks still run, and the metrics.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::PipelineError;
use crate::metrics::PipelineMetrics;
use crate::outage::DegradedTask;
use crate::status::{PipelineState, PipelineStatus};

pub(crate) struct Shared {
    pub name: String,
    pub metrics: Arc<PipelineMetrics>,
    /// Checked by tasks between batches; an atomic so the check costs nothing.
    stop: AtomicBool,
    /// Checked by tasks between batches, as `stop`: while set they consume nothing.
    pause: AtomicBool,
    state: Mutex<State>,
    /// Signalled when a stop is requested and when a task exits, so waiters wake up.
    changed: Condvar,
}

struct State {
    running: usize,
    failure: Option<PipelineError>,
    /// Tasks waiting out a failure, by task number.
    degraded: std::collections::BTreeMap<usize, DegradedTask>,
}

impl Shared {
    pub fn new(name: String, tasks: usize) -> Shared {
        Shared {
            name,
            metrics: Arc::new(PipelineMetrics::new(tasks)),
            stop: AtomicBool::new(false),
            pause: AtomicBool::new(false),
            state: Mutex::new(State {
                running: tasks,
                failure: None,
                degraded: Default::default(),
            }),
            changed: Condvar::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // The state is two plain fields; a panicking task cannot leave them half-done.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn request_stop(&self) {
        let _guard = self.lock();
        self.stop.store(true, Ordering::Relaxed);
        self.changed.notify_all();
    }

    pub fn stop_requested(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Pauses (`true`) or resumes every task, from its next batch boundary.
    pub fn set_paused(&self, paused: bool) {
        let _guard = self.lock();
        self.pause.store(paused, Ordering::Relaxed);
        self.changed.notify_all();
    }

    pub fn pause_requested(&self) -> bool {
        self.pause.load(Ordering::Relaxed)
    }

    /// Records why the pipeline stops (the first error wins) and stops the other tasks.
    pub fn fail(&self, error: PipelineError) {
        let mut state = self.lock();
        if state.failure.is_none() {
            state.failure = Some(error);
        }
        self.stop.store(true, Ordering::Relaxed);
        self.changed.notify_all();
    }

    pub fn failure(&self) -> Option<PipelineError> {
        self.lock().failure.clone()
    }

    pub fn set_degraded(&self, task: DegradedTask) {
        self.lock().degraded.insert(task.task, task);
    }

    pub fn update_degraded(&self, task: usize, attempts: u32, reason: &str) {
        if let Some(t) = self.lock().degraded.get_mut(&task) {
            t.attempts = attempts;
            reason.clone_into(&mut t.reason);
        }
    }

    pub fn clear_degraded(&self, task: usize) {
        self.lock().degraded.remove(&task);
    }

    pub fn status(&self) -> PipelineStatus {
        let state = self.lock();
        let degraded: Vec<DegradedTask> = state.degraded.values().cloned().collect();
        let failure = state.failure.as_ref().map(ToString::to_string);
        let overall = if failure.is_some() {
            PipelineState::Failed
        } else if state.running == 0 {
            PipelineState::Stopped
        } else if self.stop_requested() {
            PipelineState::Stopping
        } else if self.pause_requested() {
            PipelineState::Paused
        } else if !degraded.is_empty() {
            PipelineState::Degraded
        } else {
            PipelineState::Running
        };
        PipelineStatus {
            state: overall,
            degraded,
            failure,
        }
    }

    pub fn task_exited(&self) {
        let mut state = self.lock();
        state.running = state.running.saturating_sub(1);
        self.changed.notify_all();
    }

    pub fn is_finished(&self) -> bool {
        self.lock().running == 0
    }

    /// Waits until every task has exited or `timeout` passed; true if they have.
    pub fn wait_finished(&self, timeout: Option<Duration>) -> bool {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut guard = self.lock();
        while guard.running > 0 {
            guard = match deadline {
                None => self.changed.wait(guard).unwrap_or_else(|p| p.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return false;
                    }
                    self.changed
                        .wait_timeout(guard, left)
                        .unwrap_or_else(|p| p.into_inner())
                        .0
                }
            };
        }
        true
    }
}
