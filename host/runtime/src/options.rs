//! What the embedding program (the `sluice` binary, the demo, benchmarks, tests) decides
//! for every pipeline it starts, as opposed to what a pipeline file says.

use std::path::PathBuf;
use std::time::Duration;

use sluice_engine::WasmEngine;

/// Environment variable naming the directory of bundled components; see
/// [`RunOptions::components_dir`].
pub const COMPONENTS_DIR_ENV: &str = "SLUICE_COMPONENTS_DIR";

/// Options for [`crate::Pipeline::start`].
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Where bundled components (`transforms.<alias>.type=mask-field`) are looked up as
    /// `<name>.wasm`. `None`: `$SLUICE_COMPONENTS_DIR`, else the components built with
    /// this binary ([`sluice_guests::dir`]).
    pub components_dir: Option<PathBuf>,
    /// Where [`RunOptions::engine`] caches compiled components. `None`:
    /// [`WasmEngine::default_cache_dir`].
    pub cache_dir: Option<PathBuf>,
    /// First pause before retrying a failed batch; doubles on each retry up to
    /// `errors.retry.delay.max.ms`.
    pub retry_initial_delay: Duration,
    /// Retries of a failed batch (a transform timeout/trap/out-of-memory, Kinetica
    /// unavailable, a dead letter queue write) made even when `errors.retry.timeout`
    /// has already run out (its default is 0). Transient failures are common enough
    /// (a CPU-starved host, a Kinetica fail-over) that giving up at once would stop
    /// pipelines for nothing.
    pub min_retries: u32,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            components_dir: None,
            cache_dir: None,
            retry_initial_delay: Duration::from_millis(200),
            min_retries: 3,
        }
    }
}

impl RunOptions {
    /// The directory bundled components are looked up in.
    pub fn components_dir(&self) -> PathBuf {
        self.components_dir
            .clone()
            .or_else(|| std::env::var_os(COMPONENTS_DIR_ENV).map(PathBuf::from))
            .unwrap_or_else(sluice_guests::dir)
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
