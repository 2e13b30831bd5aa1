//! What the embedding program (the `sluice` binary, the demo, benchmarks, tests) decides
//! for every pipeline it starts, as opposed to what a pipeline file says.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use sluice_engine::WasmEngine;

use crate::registry::Registry;

/// Environment variable naming the directory of bundled components; see
/// [`RunOptions::components_dir`].
pub const COMPONENTS_DIR_ENV: &str = "SLUICE_COMPONENTS_DIR";

/// Options for [`crate::Pipeline::start`].
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The connectors, converters and bundled components pipelines may name.
    pub registry: Arc<Registry>,
    /// Where bundled components (`transforms.<alias>.type=mask-field`) are looked up as
    /// `<name>.wasm`. `None`: `$SLUICE_COMPONENTS_DIR`, else the components embedded
    /// in the binary.
    pub components_dir: Option<PathBuf>,
    /// Where [`RunOptions::engine`] caches compiled components. `None`:
    /// [`WasmEngine::default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// First pause before retrying a failed batch; doubles on each retry up to
    /// `errors.retry.delay.max.ms`.
    pub retry_initial_delay: Duration,
    /// Retries of a failed batch (a transform timeout/trap/out-of-memory; with
    /// `errors.retry.timeout` set, an outage too) made even when `errors.retry.timeout`
    /// has already run out (its default is 0). Transient failures are common enough
    /// (a CPU-starved host) that giving up at once would stop pipelines for nothing.
    pub min_retries: u32,
    /// Start the pipeline paused (Kafka Connect's `initial_state: PAUSED`): its tasks
    /// join the group and consume nothing until
    /// [`PipelineHandle::resume`](crate::PipelineHandle::resume).
    pub start_paused: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            registry: crate::registry::shared_standard(),
            components_dir: None,
            cache_dir: None,
            retry_initial_delay: Duration::from_millis(100),
            min_retries: 3,
            start_paused: false,
        }
    }
}

impl RunOptions {
    /// The directory bundled components are looked up in, if not the binary.
    pub fn components_dir(&self) -> Option<PathBuf> {
        self.components_dir
            .clone()
            .or_else(|| std::env::var_os(COMPONENTS_DIR_ENV).map(PathBuf::from))
    }

    /// A Wasm engine caching compiled components in [`RunOptions::cache_dir`] (or the
    /// default cache). One engine serves every pipeline of a process.
    pub fn engine(&self) -> anyhow::Result<WasmEngine> {
        let dir = self
            .cache_dir
            .clone()
            .or_else(WasmEngine::default_cache_dir);
        WasmEngine::new(dir)
    }
}
