//! Reading pipeline files for `sluice run` and `sluice validate`: one loader and one
//! dry run, so the two commands cannot disagree. Whatever `run` would refuse,
//! `validate` refuses, with the same words: both load files through the registry and
//! build every pipeline's blueprint ([`sluice_runtime::check`]); `run` then connects.

pub mod compat;

use std::path::{Path, PathBuf};

use sluice_config::pipeline::PipelineConfig;
use sluice_config::{Checked, FileFormat, Problems};
use sluice_runtime::{Registry, RunOptions};

/// The files and the settings that apply to all of them.
#[derive(Debug, clap::Args)]
pub struct Files {
    /// Pipeline files (.yaml/.yml, or Kafka Connect connector .properties files).
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Kafka Connect compatibility: the `connect-standalone` worker .properties file;
    /// its settings (bootstrap.servers, converters, …) are defaults for every FILE.
    #[arg(long, value_name = "WORKER_PROPERTIES")]
    pub connect_worker: Option<PathBuf>,
    /// Directory of the bundled components (`transforms.<alias>.type=mask-field`);
    /// by default the components built into this binary.
    #[arg(long, value_name = "DIR", env = sluice_runtime::COMPONENTS_DIR_ENV)]
    pub components_dir: Option<PathBuf>,
}

impl Files {
    /// The options every pipeline of these files runs with.
    pub fn options(&self) -> RunOptions {
        RunOptions {
            components_dir: self.components_dir.clone(),
            ..RunOptions::default()
        }
    }

    /// Loads every file. `Err`: the worker file itself is wrong.
    pub fn load(
        &self,
        registry: &Registry,
    ) -> Result<Vec<(&Path, Checked<PipelineConfig>)>, Problems> {
        let worker = match &self.connect_worker {
            Some(path) => Some(compat::Worker::load(path)?),
            None => None,
        };
        Ok(self
            .files
            .iter()
            .map(|file| {
                let checked = match &worker {
                    Some(w) => w.connector(file, registry.connector_specs()),
                    None => load_file(registry, file),
                };
                (file.as_path(), checked)
            })
            .collect())
    }
}

fn load_file(registry: &Registry, file: &Path) -> Checked<PipelineConfig> {
    let checked = registry.load_file(file);
    if FileFormat::of(file) == Some(FileFormat::Properties) {
        let problems = compat::explain_missing_topics(checked.problems);
        return Checked::new(checked.value, problems);
    }
    checked
}
