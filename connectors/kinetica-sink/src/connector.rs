//! The Kinetica sink on the pipeline seam: the connector the registry knows
//! ([`connector`]), its factory, and [`Sink`] for a task's [`KineticaSink`].

use std::sync::Arc;

use sluice_config::pipeline::PipelineConfig;
use sluice_connect::{
    Classify, ConnectError, ConnectorPlugin, ErrorClass, Factory, Offsets,
    RecordFailure as SeamFailure, SetupProblem, Sink, SinkBatch, SinkFactory, SinkInput,
    TaskContext, TopicPartition, WriteReport,
};

use crate::config::{connector_spec, settings};
use crate::report::{RecordError, SinkError};
use crate::settings::{SettingsError, SinkSettings, keys};
use crate::sink::KineticaSink;

/// `com.kinetica.kafka.KineticaSinkConnector` and its short names, with its factory
/// and the bundled flattener `kinetica.flatten_source.enabled` turns on.
pub fn connector() -> ConnectorPlugin {
    ConnectorPlugin {
        spec: connector_spec(),
        factory: Factory::Sink(build),
        flattener: Some(crate::config::flattener),
    }
}

impl Classify for SinkError {
    fn class(&self) -> ErrorClass {
        match self {
            SinkError::Retriable(_) => ErrorClass::TRANSIENT,
            SinkError::Fatal(_) | SinkError::Setting { .. } => ErrorClass::REFUSED,
        }
    }
}

impl Classify for RecordError {
    /// A record that does not fit its table, or a table that cannot exist as
    /// configured: the data or the configuration must change.
    fn class(&self) -> ErrorClass {
        ErrorClass::USER
    }
}

fn build(config: &PipelineConfig) -> Result<Arc<dyn SinkFactory>, Vec<SetupProblem>> {
    match settings(&config.connector.config, &config.framework) {
        Ok(settings) => Ok(Arc::new(KineticaSinkFactory { settings })),
        Err(e) => {
            let key = match &e {
                SettingsError::Missing(k) | SettingsError::Invalid { key: k, .. } => *k,
                SettingsError::Naming(_) => keys::DESTINATION_NAME,
            };
            Err(vec![SetupProblem::new(key, e.to_string())])
        }
    }
}

struct KineticaSinkFactory {
    settings: SinkSettings,
}

impl SinkFactory for KineticaSinkFactory {
    fn create(&self, task: TaskContext<'_>) -> Result<Box<dyn Sink>, SetupProblem> {
        let problem = |message: String| SetupProblem::new(keys::URL, message);
        // One current-thread runtime per task: the task waits for each write anyway,
        // so a shared multi-threaded runtime would add cross-thread wake-ups and
        // threads without adding parallelism, and tasks stay independent.
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| problem(format!("cannot start the task's I/O runtime: {e}")))?;
        let sink = runtime
            .block_on(KineticaSink::connect(
                self.settings.clone(),
                task.pipeline,
                Some(task.requests.clone()),
            ))
            .map_err(|e| match e {
                // A refused certificate: the property to fix is named, not kinetica.url.
                SinkError::Setting { property, message } => SetupProblem::new(
                    property,
                    format!(
                        "cannot start the Kinetica sink for {}: {message}",
                        self.settings.url
                    ),
                ),
                e => problem(format!(
                    "cannot start the Kinetica sink for {}: {e}; check that Kinetica runs \
                     there and the credentials",
                    self.settings.url
                )),
            })?;
        Ok(Box::new(TaskSink { runtime, sink }))
    }
}

/// A task's sink: the async [`KineticaSink`] and the runtime that drives it.
struct TaskSink {
    runtime: tokio::runtime::Runtime,
    sink: KineticaSink,
}

impl Sink for TaskSink {
    fn input(&self) -> SinkInput {
        SinkInput::Records
    }

    /// Rows hold keys and values; headers are never stored.
    fn reads_headers(&self) -> bool {
        false
    }

    fn write(&mut self, batch: SinkBatch<'_>) -> Result<WriteReport, ConnectError> {
        let SinkBatch::Records(records) = batch else {
            return Err(ConnectError::message(
                ErrorClass::INTERNAL,
                "the Kinetica sink takes typed records, not bytes",
            ));
        };
        let report = self
            .runtime
            .block_on(self.sink.write(records))
            .map_err(ConnectError::new)?;
        Ok(WriteReport {
            written: report
                .tables
                .into_iter()
                .map(|(table, counts)| (table, counts.sent))
                .collect(),
            skipped: report.tombstones as u64,
            failures: report
                .failures
                .into_iter()
                .map(|f| SeamFailure {
                    index: f.index,
                    error: ConnectError::new(f.error),
                })
                .collect(),
        })
    }

    fn positions(&mut self, assigned: &[TopicPartition]) -> Result<Offsets, ConnectError> {
        self.runtime
            .block_on(self.sink.positions(assigned))
            .map_err(ConnectError::new)
    }

    fn done(&mut self, done: &Offsets) -> Result<(), ConnectError> {
        self.runtime
            .block_on(self.sink.done(done))
            .map_err(ConnectError::new)
    }
}
