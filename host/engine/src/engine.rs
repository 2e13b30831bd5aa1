//! The shared wasmtime engine: configuration, the WASI + plugin linker, the compiled
//! component cache, and the epoch ticker that enforces CPU budgets.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use wasmtime::component::{Component, HasSelf, Linker};
use wasmtime::{Config, Engine};

use crate::bindings::transform::Transform;
use crate::cache::{CacheOutcome, ComponentCache};
use crate::error::{PluginError, PluginErrorKind};
use crate::state::HostState;
use crate::world::{self, WorldKind};

/// How often the epoch advances; CPU budgets are counted in these ticks.
pub(crate) const EPOCH_TICK: Duration = Duration::from_millis(10);

/// One per daemon: compiling, caching and linking are shared by every pipeline.
#[derive(Clone)]
pub struct WasmEngine {
    inner: Arc<Inner>,
}

struct Inner {
    engine: Engine,
    linker: Linker<HostState>,
    cache: ComponentCache,
    ticker: Option<JoinHandle<()>>,
    stop: Arc<AtomicBool>,
}

impl Drop for Inner {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.ticker.take() {
            let _ = t.join();
        }
    }
}

/// A compiled component that implements the expected world.
#[derive(Clone)]
pub struct LoadedComponent {
    /// What errors and logs call the component.
    pub name: String,
    /// The compiled component.
    pub component: Component,
    /// Whether it was compiled now or loaded from the cache.
    pub cache: CacheOutcome,
    /// The world it implements (checked when it was loaded).
    pub world: WorldKind,
    /// The SHA-256 of its bytes ([`crate::digest`]).
    pub digest: String,
}

impl WasmEngine {
    /// An engine caching compiled components in `cache_dir` (none: always compile).
    pub fn new(cache_dir: Option<PathBuf>) -> anyhow::Result<WasmEngine> {
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config)?;

        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker)?;
        Transform::add_to_linker::<_, HasSelf<HostState>>(&mut linker, |s| s)?;

        let stop = Arc::new(AtomicBool::new(false));
        let ticker = {
            let engine = engine.clone();
            let stop = stop.clone();
            std::thread::Builder::new()
                .name("sluice-wasm-epoch".into())
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        std::thread::sleep(EPOCH_TICK);
                        engine.increment_epoch();
                    }
                })?
        };
        Ok(WasmEngine {
            inner: Arc::new(Inner {
                engine,
                linker,
                cache: ComponentCache::new(cache_dir),
                ticker: Some(ticker),
                stop,
            }),
        })
    }

    /// The default cache directory: `$SLUICE_CACHE_DIR`, else `$XDG_CACHE_HOME/sluice`,
    /// else `~/.cache/sluice`, each with `/components` appended.
    pub fn default_cache_dir() -> Option<PathBuf> {
        let base = std::env::var_os("SLUICE_CACHE_DIR")
            .map(PathBuf::from)
            .or_else(|| std::env::var_os("XDG_CACHE_HOME").map(|d| PathBuf::from(d).join("sluice")))
            .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache/sluice")))?;
        Some(base.join("components"))
    }

    /// The wasmtime engine every component of this process is compiled for.
    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    /// The linker with WASI (sandboxed by each store's context) and the plugin imports.
    pub fn linker(&self) -> &Linker<HostState> {
        &self.inner.linker
    }

    /// Where compiled components are cached, if anywhere.
    pub fn cache_dir(&self) -> Option<&Path> {
        self.inner.cache.dir()
    }

    /// Loads a component file and checks that it implements `world`. The component is
    /// named after the file unless `name` is given.
    pub fn load_file(&self, path: &Path, world: WorldKind) -> Result<LoadedComponent, PluginError> {
        let name = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let bytes = std::fs::read(path).map_err(|e| {
            PluginError::new(
                &name,
                PluginErrorKind::Load(format!("cannot read {}: {e}", path.display())),
            )
        })?;
        self.load_bytes(&name, &bytes, world)
    }

    /// Compiles (or loads from the cache) a component and checks its world.
    pub fn load_bytes(
        &self,
        name: &str,
        bytes: &[u8],
        world: WorldKind,
    ) -> Result<LoadedComponent, PluginError> {
        let (component, cache) = self
            .inner
            .cache
            .load(&self.inner.engine, bytes)
            .map_err(|e| PluginError::new(name, PluginErrorKind::Load(format!("{e:#}"))))?;
        world::check(&self.inner.engine, &component, world)
            .map_err(|m| PluginError::new(name, PluginErrorKind::WrongWorld(m)))?;
        Ok(LoadedComponent {
            name: name.to_string(),
            component,
            cache,
            world,
            digest: crate::cache::digest(bytes),
        })
    }
}
