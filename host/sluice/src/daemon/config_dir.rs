//! `sluice run --config-dir DIR`: the pipelines of a directory, kept in step both ways.
//! Every pipeline file in it runs; a pipeline created or changed over the REST API is
//! written back there (`<name>.yaml`, atomically: a temporary file renamed over the
//! old one), and a deleted one's file is removed, so a restart runs what the API last
//! set; and a file added, changed or removed on disk starts, reconfigures or deletes
//! its pipeline.
//!
//! Files are compared by content, so the daemon's own writes are not taken for
//! changes. The directory is looked at every second: a plain scan, which needs no
//! file-notification machinery and behaves the same on every file system (network
//! mounts and container volumes included).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sluice_config::FileFormat;

use super::worker::{ConnectorConfig, TargetState, Worker};

/// How often the directory is scanned for changes.
const SCAN_INTERVAL: Duration = Duration::from_secs(1);

/// The directory and what the daemon last knew of each file in it.
pub struct ConfigDir {
    dir: PathBuf,
    /// Path → its content as last read or written.
    known: Mutex<BTreeMap<PathBuf, Vec<u8>>>,
}

impl ConfigDir {
    pub fn new(dir: PathBuf) -> anyhow::Result<Arc<ConfigDir>> {
        anyhow::ensure!(
            dir.is_dir(),
            "--config-dir {}: not a directory",
            dir.display()
        );
        let config_dir = Arc::new(ConfigDir {
            dir,
            known: Mutex::new(BTreeMap::new()),
        });
        let files = config_dir.files();
        let mut known = config_dir.lock();
        for file in files {
            if let Ok(bytes) = std::fs::read(&file) {
                known.insert(file, bytes);
            }
        }
        drop(known);
        Ok(config_dir)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<PathBuf, Vec<u8>>> {
        self.known.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The pipeline files in the directory, sorted.
    pub fn files(&self) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(&self.dir)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .map(|e| e.path())
                    .filter(|p| p.is_file() && FileFormat::of(p).is_some())
                    .collect()
            })
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Writes `config` as `<name>.yaml` (and removes `previous`, the pipeline's other
    /// file in the directory, if it had one); returns the file.
    pub fn write(
        &self,
        name: &str,
        config: &ConnectorConfig,
        previous: Option<&Path>,
    ) -> std::io::Result<PathBuf> {
        let path = self.dir.join(format!("{name}.yaml"));
        let mut text = format!(
            "# Written by the Sluice daemon when the REST API changed pipeline `{name}`.\n"
        );
        for (key, value) in config {
            // JSON strings are YAML strings: every value stays text, quoted as needed.
            text.push_str(&format!(
                "{key}: {}\n",
                serde_json::Value::from(value.as_str())
            ));
        }
        // Held from the write to the record of it: a scan sees both or neither.
        let mut known = self.lock();
        let temporary = self.dir.join(format!(".{name}.yaml.tmp"));
        std::fs::write(&temporary, &text)?;
        std::fs::rename(&temporary, &path)?;
        known.insert(path.clone(), text.into_bytes());
        if let Some(old) = previous.filter(|p| *p != path && p.starts_with(&self.dir)) {
            std::fs::remove_file(old)?;
            known.remove(old);
        }
        Ok(path)
    }

    /// Removes the pipeline's file.
    pub fn remove(&self, file: &Path) -> std::io::Result<()> {
        if !file.starts_with(&self.dir) {
            return Ok(());
        }
        let mut known = self.lock();
        known.remove(file);
        match std::fs::remove_file(file) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Scans the directory every second until `stop`, applying what changed on disk.
    pub fn watch(self: Arc<Self>, worker: Arc<Worker>, stop: Arc<AtomicBool>) {
        std::thread::Builder::new()
            .name("sluice-config-dir".into())
            .spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    std::thread::sleep(SCAN_INTERVAL);
                    self.scan(&worker);
                }
            })
            .expect("start the config directory watcher");
    }

    /// One scan: new and changed files (re)start their pipelines, removed ones delete
    /// theirs. A file that does not check is logged and leaves its pipeline as it is.
    fn scan(&self, worker: &Worker) {
        // Under the lock, as the daemon's own writes are (see `write`).
        let (changed, removed) = {
            let mut known = self.lock();
            let now: BTreeMap<PathBuf, Vec<u8>> = self
                .files()
                .into_iter()
                .filter_map(|f| std::fs::read(&f).ok().map(|b| (f, b)))
                .collect();
            let changed: Vec<PathBuf> = now
                .iter()
                .filter(|(f, b)| known.get(*f) != Some(*b))
                .map(|(f, _)| f.clone())
                .collect();
            let removed: Vec<PathBuf> = known
                .keys()
                .filter(|f| !now.contains_key(*f))
                .cloned()
                .collect();
            for file in &removed {
                known.remove(file);
            }
            for file in &changed {
                known.insert(file.clone(), now[file].clone());
            }
            (changed, removed)
        };
        for file in removed {
            if let Some(name) = worker.name_of_file(&file) {
                tracing::info!(pipeline = %name, file = %file.display(), "file removed: deleting the pipeline");
                if let Err(e) = worker.delete(&name) {
                    tracing::warn!(pipeline = %name, "cannot delete: {e}");
                }
            }
        }
        for file in changed {
            self.reload(worker, &file);
        }
    }

    fn reload(&self, worker: &Worker, file: &Path) {
        let checked = worker.options().registry.load_file(file);
        let Some(parsed) = checked.value.filter(|_| !checked.problems.has_errors()) else {
            tracing::error!(
                file = %file.display(),
                "the changed file does not check; its pipeline is left as it was:\n{}",
                checked.problems.to_string().trim_end()
            );
            return;
        };
        let name = parsed.name.clone();
        let shown = super::file_config(file);
        let outcome = if worker.names().contains(&name) {
            tracing::info!(pipeline = %name, file = %file.display(), "file changed: reconfiguring");
            worker.replace(&name, shown, Some(file.to_owned()), parsed)
        } else {
            tracing::info!(pipeline = %name, file = %file.display(), "new file: starting");
            worker
                .add(
                    &name,
                    shown,
                    Some(file.to_owned()),
                    parsed,
                    TargetState::Running,
                )
                .map(|_| ())
        };
        if let Err(e) = outcome {
            tracing::error!(pipeline = %name, "{e}");
        }
    }
}
