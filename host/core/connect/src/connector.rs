//! How a pipeline file selects a connector and how the runtime builds its tasks.

use std::sync::Arc;

use sluice_config::ConnectorSpec;
use sluice_config::pipeline::PipelineConfig;

use crate::metrics::RequestMetrics;
use crate::sink::Sink;
use crate::source::Source;

/// Something wrong with a pipeline's settings for a connector, or a task that cannot
/// start: the property to look at, and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetupProblem {
    /// The key to blame, e.g. `kinetica.url`.
    pub property: String,
    /// What is wrong and what to do; never quotes a secret.
    pub message: String,
}

impl SetupProblem {
    /// A problem with `property`.
    pub fn new(property: impl Into<String>, message: impl Into<String>) -> SetupProblem {
        SetupProblem {
            property: property.into(),
            message: message.into(),
        }
    }
}

/// Which task a source or sink is for, for logs and client ids.
#[derive(Debug, Clone, Copy)]
pub struct TaskContext<'a> {
    /// The pipeline's name.
    pub pipeline: &'a str,
    /// The task's number, from 0 to `tasks.max - 1`.
    pub task: usize,
    /// Where a connector records its requests to its external system (the pipeline's,
    /// shared by its tasks; `/metrics` shows them).
    pub requests: &'a Arc<RequestMetrics>,
}

/// Builds a pipeline's sources, one per task, from settings checked once.
pub trait SourceFactory: Send + Sync {
    /// Creates (and connects) the source of one task. Called on the task's thread.
    fn create(&self, task: TaskContext<'_>) -> Result<Box<dyn Source>, SetupProblem>;
}

/// Builds a pipeline's sinks, one per task, from settings checked once.
pub trait SinkFactory: Send + Sync {
    /// Creates (and connects) the sink of one task. Called on the task's thread.
    fn create(&self, task: TaskContext<'_>) -> Result<Box<dyn Sink>, SetupProblem>;
}

/// Checks a pipeline's settings for one side and returns what builds its tasks. It
/// must not connect anywhere: `sluice validate` calls it too (the dry run).
pub type BuildSource = fn(&PipelineConfig) -> Result<Arc<dyn SourceFactory>, Vec<SetupProblem>>;
/// As [`BuildSource`], for a sink.
pub type BuildSink = fn(&PipelineConfig) -> Result<Arc<dyn SinkFactory>, Vec<SetupProblem>>;

/// What a connector builds.
#[derive(Clone, Copy)]
pub enum Factory {
    /// A source connector (its records go to Kafka).
    Source(BuildSource),
    /// A sink connector (its records come from Kafka).
    Sink(BuildSink),
}

/// A bundled flattener component a connector asks the pipeline to run, configured
/// from the connector's own settings (the Kinetica sink's `kinetica.flatten_source.*`):
/// connectors know nothing of Wasm, so they only name it and give its properties.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BundledFlattener {
    /// The bundled component's name, e.g. `kinetica-flattener`.
    pub component: &'static str,
    /// The connector property that turned it on, e.g. `kinetica.flatten_source.enabled`:
    /// what problems loading or configuring the component are reported against.
    pub enabled_by: &'static str,
    /// The connector's prefix for the component's properties, e.g.
    /// `kinetica.flatten_source.`: a problem with the component's property `p` is
    /// reported against `<prefix>p`.
    pub prefix: &'static str,
    /// The component's properties, names without the prefix.
    pub properties: Vec<(String, String)>,
}

/// Which bundled flattener, if any, a connector's settings ask for. Called on settings
/// already validated; must not connect anywhere (`sluice validate` calls it too).
pub type ImplyFlattener = fn(&PipelineConfig) -> Option<BundledFlattener>;

/// A connector as the registry knows it: how `connector.class` selects it, its
/// declared properties and cross-checks ([`ConnectorSpec`]), and its factory.
#[derive(Clone)]
pub struct ConnectorPlugin {
    /// Names, class names, kind, declared properties, cross-property checks.
    pub spec: ConnectorSpec,
    /// Builds the connector's side of a pipeline.
    pub factory: Factory,
    /// The bundled flattener the connector's settings turn on, if it has such
    /// settings. A pipeline's own `flattener` key wins over it.
    pub flattener: Option<ImplyFlattener>,
}

impl std::fmt::Debug for ConnectorPlugin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ConnectorPlugin")
            .field("name", &self.spec.name)
            .finish_non_exhaustive()
    }
}
