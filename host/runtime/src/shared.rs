//! State a pipeline's tasks share with its handle: the stop request, the error that
//! stopped the pipeline, how many tasks still run, and the metrics.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use crate::error::PipelineError;
use crate::metrics::PipelineMetrics;

pub(crate) struct Shared {
    pub name: String,
    pub metrics: Arc<PipelineMetrics>,
    /// Checked by tasks between batches; an atomic so the check costs nothing.
    stop: AtomicBool,
    state: Mutex<State>,
    /// Signalled when a stop is requested and when a task exits, so back-off pauses
    /// end early and waiters wake up.
    changed: Condvar,
}

struct State {
    running: usize,
    failure: Option<PipelineError>,
}

impl Shared {
    pub fn new(name: String, tasks: usize) -> Shared {
        Shared {
            name,
            metrics: Arc::default(),
            stop: AtomicBool::new(false),
            state: Mutex::new(State {
                running: tasks,
                failure: None,
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

    /// Pauses for `pause` unless a stop is requested first; true if it was.
    pub fn pause(&self, pause: Duration) -> bool {
        let deadline = Instant::now() + pause;
        let mut guard = self.lock();
        loop {
            if self.stop_requested() {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            guard = self
                .changed
                .wait_timeout(guard, left)
                .unwrap_or_else(|p| p.into_inner())
                .0;
        }
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
