//! The pipelines of one daemon and what an operator asks of them: create, reconfigure,
//! pause, resume, stop, restart, delete, and their status. What Kafka Connect's herder
//! is to its REST API; the REST layer (`rest`) only translates HTTP to these calls.
//!
//! Every call that starts or stops a pipeline blocks (tasks connect to Kafka and
//! Kinetica, or finish their batch in flight); the REST layer runs them on blocking
//! threads. While one runs, its connector is *busy*: other changes to it are refused
//! with [`WorkerError::Busy`] (Connect's 409) instead of queueing behind it, and reads
//! go on.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use sluice_config::pipeline::{PipelineConfig, keys};
use sluice_config::{ConnectorKind, Origin, Problems, RawEntry, RawProperties, RawValue};
use sluice_engine::WasmEngine;
use sluice_runtime::{Pipeline, PipelineHandle, PipelineState, RunOptions};

use super::cluster::SharedSwaps;
use super::config_dir::ConfigDir;

/// What an operator wants a connector to be doing (Connect's target state).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum TargetState {
    Running,
    Paused,
    Stopped,
}

/// A connector's configuration as Kafka Connect keeps it: flat string properties.
pub type ConnectorConfig = BTreeMap<String, String>;

/// Why a call was refused; the REST layer maps each to Connect's status code.
#[derive(Debug, thiserror::Error)]
pub enum WorkerError {
    /// 404.
    #[error("Connector {0} not found")]
    NotFound(String),
    /// 409: `POST /connectors` with a taken name.
    #[error("Connector {0} already exists")]
    Exists(String),
    /// 409: another change to the connector is under way.
    #[error("Cannot complete request momentarily: connector {0} is being reconfigured; try again")]
    Busy(String),
    /// 400: the configuration does not validate (every problem, one per line).
    #[error(
        "Connector configuration is invalid and contains the following {count} error(s):\n{problems}"
    )]
    Invalid { count: usize, problems: String },
    /// 400: a request that makes no sense in the connector's state.
    #[error("{0}")]
    BadRequest(String),
}

/// One connector: its configuration, what it should do, and its pipeline if it runs.
struct Entry {
    config: ConnectorConfig,
    /// `config` checked: what the pipeline (re)starts with.
    parsed: PipelineConfig,
    /// The file it was loaded from, if any (relative `${file:…}` references resolve
    /// against its directory).
    file: Option<PathBuf>,
    target: TargetState,
    kind: ConnectorKind,
    tasks_max: u32,
    topics: Vec<String>,
    pipeline: Option<PipelineHandle>,
    /// Its link to `sluice.config.topic`, while it runs and has one.
    shared: Option<Arc<SharedSwaps>>,
    /// Why its pipeline could not start, when it could not.
    start_failure: Option<String>,
    busy: bool,
}

/// The connector's state as Connect reports it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct StateInfo {
    pub state: &'static str,
    pub worker_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
}

/// One task's state, as Connect reports it; `degraded` is Sluice's own: a task that
/// waits out an outage is RUNNING to Connect's tools and says what it waits for here.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskState {
    pub id: u32,
    pub state: &'static str,
    pub worker_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degraded: Option<serde_json::Value>,
}

/// `GET /connectors/{name}/status`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Status {
    pub name: String,
    pub connector: StateInfo,
    pub tasks: Vec<TaskState>,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// `GET /connectors/{name}`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Info {
    pub name: String,
    pub config: ConnectorConfig,
    pub tasks: Vec<TaskId>,
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// A task's id as Connect writes it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TaskId {
    pub connector: String,
    pub task: u32,
}

/// The daemon's pipelines.
pub struct Worker {
    engine: WasmEngine,
    options: RunOptions,
    /// `host:port` of the REST listener: Connect's `worker_id`.
    worker_id: String,
    connectors: Mutex<BTreeMap<String, Entry>>,
    /// `--config-dir`, when given.
    config_dir: std::sync::OnceLock<Arc<ConfigDir>>,
}

/// Marks a connector busy for the life of the guard.
struct BusyGuard<'a> {
    worker: &'a Worker,
    name: String,
}

impl Drop for BusyGuard<'_> {
    fn drop(&mut self) {
        if let Some(e) = self.worker.lock().get_mut(&self.name) {
            e.busy = false;
        }
    }
}

impl Worker {
    pub fn new(engine: WasmEngine, options: RunOptions, worker_id: String) -> Arc<Worker> {
        Arc::new(Worker {
            engine,
            options,
            worker_id,
            connectors: Mutex::new(BTreeMap::new()),
            config_dir: std::sync::OnceLock::new(),
        })
    }

    fn lock(&self) -> MutexGuard<'_, BTreeMap<String, Entry>> {
        // Entries are replaced whole; a panicking request cannot leave one half-done.
        self.connectors.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn options(&self) -> &RunOptions {
        &self.options
    }

    /// The engine every pipeline's components run on (hot swaps load theirs with it).
    pub fn engine(&self) -> &WasmEngine {
        &self.engine
    }

    /// The connectors' names, sorted.
    pub fn names(&self) -> Vec<String> {
        self.lock().keys().cloned().collect()
    }

    /// Parses and validates `config` as a pipeline, exactly as `sluice validate`
    /// checks a file (components loaded and configured, nothing connected).
    pub fn check(
        &self,
        name: &str,
        config: &ConnectorConfig,
        file: Option<&PathBuf>,
    ) -> Result<PipelineConfig, WorkerError> {
        let (parsed, mut problems) = self.parse(name, config, file);
        let parsed = match parsed {
            Some(p) if !problems.has_errors() => p,
            _ => return Err(invalid(problems)),
        };
        match sluice_runtime::check(parsed.clone(), &self.engine, &self.options) {
            Ok(_) => Ok(parsed),
            Err(e) => {
                problems.extend(e.problems);
                Err(invalid(problems))
            }
        }
    }

    /// The pipeline of `config`, and every problem found reading it.
    pub fn parse(
        &self,
        name: &str,
        config: &ConnectorConfig,
        file: Option<&PathBuf>,
    ) -> (Option<PipelineConfig>, Problems) {
        let mut problems = Problems::new();
        let source = Origin::file(match file {
            Some(f) => f.display().to_string(),
            None => format!("connector `{name}`"),
        });
        let entries: Vec<_> = config
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    RawEntry::new(RawValue::Scalar(v.clone()), source.clone()),
                )
            })
            .collect();
        let mut raw = RawProperties::build(source, entries, keys::VALUED_KEYS, &mut problems);
        let base = file
            .and_then(|f| f.parent())
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("."));
        sluice_config::provider::resolve(&mut raw, &base, &mut problems);
        let checked = PipelineConfig::from_raw(&raw, self.options.registry.connector_specs());
        problems.extend(checked.problems);
        (checked.value, problems)
    }

    /// Adds a connector from a REST call and starts it as `target` says. Blocks while
    /// it starts; a pipeline that cannot start stays, FAILED, with why.
    pub fn create(
        &self,
        name: &str,
        config: ConnectorConfig,
        target: TargetState,
    ) -> Result<Info, WorkerError> {
        let parsed = self.check(name, &config, None)?;
        if self.lock().contains_key(name) {
            return Err(WorkerError::Exists(name.to_owned()));
        }
        let file = self.write_back(name, &config, None)?;
        self.add(name, config, file, parsed, target)
    }

    /// Adds a connector already checked (a pipeline file given at start-up; `config`
    /// is what its file says, as `GET …/config` shows it) and starts it.
    pub fn add(
        &self,
        name: &str,
        config: ConnectorConfig,
        file: Option<PathBuf>,
        parsed: PipelineConfig,
        target: TargetState,
    ) -> Result<Info, WorkerError> {
        if parsed.name != name {
            return Err(WorkerError::BadRequest(format!(
                "Connector name configuration ({}) doesn't match connector name in the URL ({name})",
                parsed.name
            )));
        }
        {
            let mut connectors = self.lock();
            if connectors.contains_key(name) {
                return Err(WorkerError::Exists(name.to_owned()));
            }
            connectors.insert(name.to_owned(), Entry::new(config, file, parsed, target));
        }
        let _busy = BusyGuard {
            worker: self,
            name: name.to_owned(),
        };
        if target != TargetState::Stopped {
            self.start(name, target);
        }
        self.info(name)
    }

    /// Whether the connector's pipeline could not start, and why.
    pub fn start_failure(&self, name: &str) -> Option<String> {
        self.lock().get(name).and_then(|e| e.start_failure.clone())
    }

    /// Replaces a connector's configuration (creating it if new: `Ok(true)`), and
    /// restarts its pipeline with it in the state it was in.
    pub fn put_config(&self, name: &str, config: ConnectorConfig) -> Result<bool, WorkerError> {
        if !self.lock().contains_key(name) {
            self.create(name, config, TargetState::Running)?;
            return Ok(true);
        }
        let file = self.lock().get(name).and_then(|e| e.file.clone());
        let parsed = self.check(name, &config, file.as_ref())?;
        let written = self.write_back(name, &config, file.as_deref())?;
        self.replace(name, config, written.or(file), parsed)?;
        Ok(false)
    }

    /// Restarts a connector with a new checked configuration (from its file, or a REST
    /// call), in the state it was in.
    pub fn replace(
        &self,
        name: &str,
        config: ConnectorConfig,
        file: Option<PathBuf>,
        parsed: PipelineConfig,
    ) -> Result<(), WorkerError> {
        let busy = self.claim(name)?;
        let target = {
            let mut connectors = self.lock();
            let entry = connectors
                .get_mut(name)
                .ok_or_else(|| WorkerError::NotFound(name.to_owned()))?;
            entry.reconfigure(config, parsed);
            entry.file = file;
            entry.target
        };
        self.stop_pipeline(name);
        if target != TargetState::Stopped {
            self.start(name, target);
        }
        drop(busy);
        Ok(())
    }

    /// With `--config-dir`: writes a configuration the REST API set to the directory.
    fn write_back(
        &self,
        name: &str,
        config: &ConnectorConfig,
        previous: Option<&std::path::Path>,
    ) -> Result<Option<PathBuf>, WorkerError> {
        let Some(dir) = self.config_dir.get() else {
            return Ok(None);
        };
        dir.write(name, config, previous).map(Some).map_err(|e| {
            WorkerError::BadRequest(format!(
                "cannot write connector {name} to the configuration directory: {e}"
            ))
        })
    }

    /// Keeps pipelines and the files of `dir` in step (`sluice run --config-dir`).
    pub fn set_config_dir(&self, dir: Arc<ConfigDir>) {
        let _ = self.config_dir.set(dir);
    }

    /// The connector whose file `file` is.
    pub fn name_of_file(&self, file: &std::path::Path) -> Option<String> {
        self.lock()
            .iter()
            .find(|(_, e)| e.file.as_deref() == Some(file))
            .map(|(name, _)| name.clone())
    }

    /// The connector's configuration.
    pub fn config(&self, name: &str) -> Result<ConnectorConfig, WorkerError> {
        self.with(name, |e| e.config.clone())
    }

    /// `GET /connectors/{name}`.
    pub fn info(&self, name: &str) -> Result<Info, WorkerError> {
        self.with(name, |e| Info {
            name: name.to_owned(),
            config: e.config.clone(),
            tasks: e.task_ids(name),
            kind: kind_name(e.kind),
        })
    }

    /// The topics the connector reads (its `topics`; for `topics.regex`, none are
    /// listed until Sluice tracks the topics it has read).
    pub fn topics(&self, name: &str) -> Result<Vec<String>, WorkerError> {
        self.with(name, |e| e.topics.clone())
    }

    /// The pipeline's group id and topics, for reading and changing its offsets.
    pub fn offsets_scope(&self, name: &str) -> Result<(PipelineConfig, bool), WorkerError> {
        self.with(name, |e| {
            (
                e.parsed.clone(),
                e.target == TargetState::Stopped && e.pipeline.is_none(),
            )
        })
    }

    /// `GET /connectors/{name}/status`.
    pub fn status(&self, name: &str) -> Result<Status, WorkerError> {
        self.with(name, |e| e.status(name, &self.worker_id))
    }

    pub fn pause(&self, name: &str) -> Result<(), WorkerError> {
        self.set_target(name, TargetState::Paused)
    }

    pub fn resume(&self, name: &str) -> Result<(), WorkerError> {
        self.set_target(name, TargetState::Running)
    }

    /// Stops the pipeline and keeps the connector (Connect's STOPPED: no tasks; its
    /// offsets may then be changed).
    pub fn stop(&self, name: &str) -> Result<(), WorkerError> {
        self.set_target(name, TargetState::Stopped)
    }

    fn set_target(&self, name: &str, target: TargetState) -> Result<(), WorkerError> {
        let busy = self.claim(name)?;
        let (was, running) = {
            let mut connectors = self.lock();
            let entry = connectors
                .get_mut(name)
                .ok_or_else(|| WorkerError::NotFound(name.to_owned()))?;
            let was = entry.target;
            entry.target = target;
            if let Some(p) = &entry.pipeline {
                match target {
                    TargetState::Paused => p.pause(),
                    TargetState::Running => p.resume(),
                    TargetState::Stopped => {}
                }
            }
            (was, entry.pipeline.is_some())
        };
        match target {
            TargetState::Stopped => self.stop_pipeline(name),
            _ if !running || was == TargetState::Stopped => self.start(name, target),
            _ => {}
        }
        drop(busy);
        Ok(())
    }

    /// Restarts the pipeline (its tasks with it: a pipeline's tasks share its
    /// components and offsets, so Sluice restarts them together). With `only_failed`,
    /// only a failed pipeline is restarted. Returns whether it restarted.
    pub fn restart(&self, name: &str, only_failed: bool) -> Result<bool, WorkerError> {
        let failed = self.status(name)?.connector.state == "FAILED";
        if only_failed && !failed {
            return Ok(false);
        }
        let busy = self.claim(name)?;
        let target = self.with(name, |e| e.target)?;
        self.stop_pipeline(name);
        if target != TargetState::Stopped {
            self.start(name, target);
        }
        drop(busy);
        Ok(true)
    }

    /// Stops and removes the connector.
    pub fn delete(&self, name: &str) -> Result<(), WorkerError> {
        let busy = self.claim(name)?;
        self.stop_pipeline(name);
        drop(busy);
        let removed = self.lock().remove(name);
        if let (Some(dir), Some(file)) = (self.config_dir.get(), removed.and_then(|e| e.file))
            && let Err(e) = dir.remove(&file)
        {
            tracing::warn!(pipeline = %name, "cannot remove {}: {e}", file.display());
        }
        Ok(())
    }

    /// Stops every pipeline (all asked at once, then waited for), for shutdown.
    pub fn shutdown(&self) -> Vec<PipelineHandle> {
        let mut connectors = self.lock();
        let handles: Vec<PipelineHandle> = connectors
            .values_mut()
            .filter_map(|e| {
                e.shared = None;
                e.pipeline.take()
            })
            .collect();
        for h in &handles {
            h.request_stop();
        }
        handles
    }

    /// Whether some pipeline failed: `sluice run` with pipeline files (no REST
    /// changes expected) exits then, as it always did.
    pub fn failed(&self) -> Option<String> {
        self.lock().iter().find_map(|(name, e)| {
            let failure = e.pipeline.as_ref().and_then(|p| p.failure());
            failure.map(|f| format!("pipeline `{name}` failed: {f}"))
        })
    }

    /// Runs `f` on the swap handles, metrics and status of a running pipeline.
    pub fn with_pipeline<T>(
        &self,
        name: &str,
        f: impl FnOnce(Option<&PipelineHandle>) -> T,
    ) -> Result<T, WorkerError> {
        let connectors = self.lock();
        let entry = connectors
            .get(name)
            .ok_or_else(|| WorkerError::NotFound(name.to_owned()))?;
        Ok(f(entry.pipeline.as_ref()))
    }

    /// Writes the version `alias` runs now to the pipeline's `sluice.config.topic`, if
    /// it has one, so the other daemons running it swap too.
    pub fn share_swap(&self, name: &str, alias: &str) -> Result<(), String> {
        let (shared, version) = {
            let connectors = self.lock();
            let Some(entry) = connectors.get(name) else {
                return Ok(());
            };
            let version = entry
                .pipeline
                .as_ref()
                .and_then(|p| p.swap_handles().get(alias))
                .map(|s| s.current());
            (entry.shared.clone(), version)
        };
        match (shared, version) {
            (Some(shared), Some(version)) => shared.publish(alias, &version),
            _ => Ok(()),
        }
    }

    /// Every running pipeline's configuration, by name.
    pub fn running_configs(&self) -> BTreeMap<String, PipelineConfig> {
        self.lock()
            .iter()
            .filter(|(_, e)| e.pipeline.is_some())
            .map(|(name, e)| (name.clone(), e.parsed.clone()))
            .collect()
    }

    /// Every connector's state as `/metrics` labels it, running or not: its pipeline's
    /// (`running`, `degraded`, `paused`, `stopping`, `stopped`, `failed`), else
    /// `failed` when it could not start, `stopped` when it is STOPPED, and `starting`
    /// while its pipeline starts (or restarts).
    pub fn states(&self) -> Vec<(String, &'static str)> {
        self.lock()
            .iter()
            .map(|(name, e)| (name.clone(), e.metric_state()))
            .collect()
    }

    /// Every running pipeline's name and handle, for metrics.
    pub fn each_pipeline(&self, mut f: impl FnMut(&str, &PipelineHandle)) {
        for (name, e) in self.lock().iter() {
            if let Some(p) = &e.pipeline {
                f(name, p);
            }
        }
    }

    fn with<T>(&self, name: &str, f: impl FnOnce(&Entry) -> T) -> Result<T, WorkerError> {
        self.lock()
            .get(name)
            .map(f)
            .ok_or_else(|| WorkerError::NotFound(name.to_owned()))
    }

    /// Marks the connector busy, or says it is already.
    fn claim(&self, name: &str) -> Result<BusyGuard<'_>, WorkerError> {
        let mut connectors = self.lock();
        let entry = connectors
            .get_mut(name)
            .ok_or_else(|| WorkerError::NotFound(name.to_owned()))?;
        if entry.busy {
            return Err(WorkerError::Busy(name.to_owned()));
        }
        entry.busy = true;
        Ok(BusyGuard {
            worker: self,
            name: name.to_owned(),
        })
    }

    /// Starts the pipeline (blocking while its tasks connect) and installs it.
    fn start(&self, name: &str, target: TargetState) {
        let Ok(parsed) = self.with(name, |e| e.parsed.clone()) else {
            return;
        };
        let options = RunOptions {
            start_paused: target == TargetState::Paused,
            ..self.options.clone()
        };
        let topic = parsed
            .framework
            .try_string(keys::CONFIG_TOPIC)
            .filter(|t| !t.is_empty())
            .map(str::to_owned);
        match Pipeline::start(parsed.clone(), &self.engine, options) {
            Ok(handle) => {
                let shared = topic.and_then(|topic| {
                    let swaps = handle.swap_handles().clone();
                    SharedSwaps::start(&parsed, &topic, swaps, self.engine.clone())
                        .map_err(|e| {
                            tracing::error!(
                                pipeline = %name,
                                "hot swaps stay on this daemon: {e}"
                            );
                        })
                        .ok()
                        .map(Arc::new)
                });
                if let Some(e) = self.lock().get_mut(name) {
                    e.pipeline = Some(handle);
                    e.shared = shared;
                    e.start_failure = None;
                }
            }
            Err(e) => self.record_start_failure(name, e.to_string()),
        }
    }

    fn record_start_failure(&self, name: &str, why: String) {
        tracing::error!(pipeline = %name, "cannot start: {why}");
        if let Some(e) = self.lock().get_mut(name) {
            e.start_failure = Some(why);
        }
    }

    /// Stops the pipeline, if it runs, and waits for its tasks.
    fn stop_pipeline(&self, name: &str) {
        let (handle, shared) = self
            .lock()
            .get_mut(name)
            .map(|e| (e.pipeline.take(), e.shared.take()))
            .unwrap_or_default();
        // Stop following the shared topic first: nothing may swap a stopping pipeline.
        drop(shared);
        if let Some(handle) = handle
            && let Err(e) = handle.stop()
        {
            tracing::warn!(pipeline = %name, "had failed before it was stopped: {e}");
        }
    }
}

impl Entry {
    fn new(
        config: ConnectorConfig,
        file: Option<PathBuf>,
        parsed: PipelineConfig,
        target: TargetState,
    ) -> Entry {
        let mut entry = Entry {
            config: ConnectorConfig::new(),
            parsed: parsed.clone(),
            file,
            target,
            kind: ConnectorKind::Sink,
            tasks_max: 1,
            topics: Vec::new(),
            pipeline: None,
            shared: None,
            start_failure: None,
            busy: true,
        };
        entry.reconfigure(config, parsed);
        entry
    }

    fn reconfigure(&mut self, config: ConnectorConfig, parsed: PipelineConfig) {
        self.config = config;
        self.kind = parsed.connector.kind;
        self.tasks_max = parsed.tasks_max.max(1);
        self.topics = match &parsed.subscription {
            Some(sluice_config::pipeline::Subscription::Topics(t)) => t.clone(),
            _ => Vec::new(),
        };
        self.parsed = parsed;
    }

    fn metric_state(&self) -> &'static str {
        let Some(pipeline) = &self.pipeline else {
            return if self.start_failure.is_some() {
                "failed"
            } else if self.target == TargetState::Stopped {
                "stopped"
            } else {
                "starting"
            };
        };
        state_name(pipeline.status().state)
    }

    fn task_ids(&self, name: &str) -> Vec<TaskId> {
        if self.target == TargetState::Stopped {
            return Vec::new();
        }
        (0..self.tasks_max)
            .map(|task| TaskId {
                connector: name.to_owned(),
                task,
            })
            .collect()
    }

    fn status(&self, name: &str, worker_id: &str) -> Status {
        let state = |s| StateInfo {
            state: s,
            worker_id: worker_id.to_owned(),
            trace: None,
        };
        let kind = kind_name(self.kind);
        let failed = |trace: String| Status {
            name: name.to_owned(),
            connector: StateInfo {
                trace: Some(trace),
                ..state("FAILED")
            },
            tasks: Vec::new(),
            kind,
        };
        let Some(pipeline) = &self.pipeline else {
            if let Some(why) = &self.start_failure {
                return failed(why.clone());
            }
            let s = match self.target {
                TargetState::Stopped => "STOPPED",
                _ => "UNASSIGNED",
            };
            return Status {
                name: name.to_owned(),
                connector: state(s),
                tasks: Vec::new(),
                kind,
            };
        };
        let status = pipeline.status();
        let failure = pipeline.failure();
        let overall = match status.state {
            PipelineState::Failed => "FAILED",
            PipelineState::Paused => "PAUSED",
            PipelineState::Stopped | PipelineState::Stopping => "UNASSIGNED",
            PipelineState::Running | PipelineState::Degraded => "RUNNING",
        };
        let tasks = (0..self.tasks_max)
            .map(|id| {
                let mine = failure.as_ref().filter(|f| f.task == id as usize);
                let degraded = status.degraded.iter().find(|d| d.task == id as usize);
                TaskState {
                    id,
                    state: if mine.is_some() { "FAILED" } else { overall },
                    worker_id: worker_id.to_owned(),
                    trace: mine.map(ToString::to_string),
                    degraded: degraded.map(|d| {
                        serde_json::json!({
                            "waiting_for": d.waiting_for,
                            "reason": d.reason,
                            "attempts": d.attempts,
                        })
                    }),
                }
            })
            .collect();
        Status {
            name: name.to_owned(),
            connector: StateInfo {
                state: overall,
                worker_id: worker_id.to_owned(),
                trace: status.failure,
            },
            tasks,
            kind,
        }
    }
}

fn kind_name(kind: ConnectorKind) -> &'static str {
    match kind {
        ConnectorKind::Sink => "sink",
        ConnectorKind::Source => "source",
    }
}

fn invalid(problems: Problems) -> WorkerError {
    let errors: Vec<String> = problems.errors().map(ToString::to_string).collect();
    WorkerError::Invalid {
        count: errors.len(),
        problems: errors.join("\n"),
    }
}

/// A running pipeline's state as `sluice_pipeline_state` and `/metrics/pipelines` name it.
pub(crate) fn state_name(state: PipelineState) -> &'static str {
    match state {
        PipelineState::Running => "running",
        PipelineState::Degraded => "degraded",
        PipelineState::Paused => "paused",
        PipelineState::Stopping => "stopping",
        PipelineState::Stopped => "stopped",
        PipelineState::Failed => "failed",
    }
}
