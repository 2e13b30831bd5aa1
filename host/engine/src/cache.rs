//! The on-disk cache of compiled components.
//!
//! Compiling a Python or JavaScript component takes seconds; loading a serialized one
//! takes milliseconds. Artifacts are keyed by the SHA-256 of the component bytes and by
//! the engine's compatibility hash (wasmtime version, configuration and target), since
//! an artifact only loads into an engine built the same way.

// Loading a cached compiled component is `unsafe` in wasmtime (see `load`).
#![allow(unsafe_code)]

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use wasmtime::Engine;
use wasmtime::component::Component;

/// Where a component came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheOutcome {
    /// Deserialized from the cache: no compilation.
    Hit,
    /// Compiled now (and stored for next time, if the cache is writable).
    Compiled,
    /// Compiled with no cache configured.
    Uncached,
}

#[derive(Debug, Clone)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
}

impl ComponentCache {
    pub fn new(dir: Option<PathBuf>) -> ComponentCache {
        ComponentCache { dir }
    }

    pub fn dir(&self) -> Option<&Path> {
        self.dir.as_deref()
    }

    fn artifact_path(&self, engine: &Engine, bytes: &[u8]) -> Option<PathBuf> {
        let dir = self.dir.as_ref()?;
        let mut engine_hash = DefaultHasher::new();
        engine
            .precompile_compatibility_hash()
            .hash(&mut engine_hash);
        let hex = digest(bytes);
        Some(dir.join(format!("{hex}-{:016x}.cwasm", engine_hash.finish())))
    }

    /// Compiles `bytes`, or loads the artifact a previous compile left.
    pub fn load(&self, engine: &Engine, bytes: &[u8]) -> anyhow::Result<(Component, CacheOutcome)> {
        let Some(path) = self.artifact_path(engine, bytes) else {
            return Ok((Component::new(engine, bytes)?, CacheOutcome::Uncached));
        };
        if path.exists() {
            // SAFETY: the artifact was written by `Component::serialize` of an engine
            // with the same compatibility hash (it is in the file name), into a cache
            // directory owned by this daemon. A corrupt or foreign file is rejected by
            // wasmtime's header checks and we fall back to compiling.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(c) => return Ok((c, CacheOutcome::Hit)),
                Err(e) => tracing::warn!(
                    path = %path.display(),
                    "ignoring unusable compiled component in the cache: {e:#}"
                ),
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = store(&path, &component.serialize()?) {
            tracing::warn!(path = %path.display(), "could not cache compiled component: {e:#}");
        }
        Ok((component, CacheOutcome::Compiled))
    }
}

/// Writes through a temporary file and a rename, so a concurrent reader never sees a
/// half-written artifact.
fn store(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().expect("artifact path has a parent");
    std::fs::create_dir_all(dir)?;
    let tmp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap().to_string_lossy(),
        std::process::id()
    ));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path)
}

/// A component's identity: the SHA-256 of its bytes, in lower-case hex (what the cache
/// names artifacts by, and what the REST API shows and checks).
pub fn digest(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
