//! Kinetica → Kafka: the source connector, a drop-in for the Kinetica Kafka connector's
//! `com.kinetica.kafka.KineticaSourceConnector` (same properties, same table split
//! across tasks, same topics), streaming each table's inserts from its table monitor.
//!
//! Fixed on the way: a NULL is an optional field's null (the Java connector's first NULL
//! killed its monitor thread silently), column properties Kafka Connect has types for
//! are kept ([`schema`]), a task fails loudly when a monitor cannot be created, and
//! monitors are cleared on stop, and update and delete counts can be published as
//! events (`kinetica.source.events_topic`), keys are the tables' primary keys, and with
//! a tracking column (`kinetica.source.tracking_column`) a restarted source reads what
//! it missed before following the monitor, from positions the pipeline's Kafka sink
//! stores with the records (see `docs/kinetica-source.md`).

mod config;
mod schema;
mod source;

use std::sync::Arc;

use sluice_config::pipeline::PipelineConfig;
use sluice_connect::{ConnectorPlugin, Factory, SetupProblem, Source, SourceFactory, TaskContext};
use sluice_kinetica::{Auth, ClientConfig, KineticaClient, RetryPolicy, TlsConfig};

pub use config::{CONNECTOR_NAME, JAVA_CLASS_NAMES, SourceProps, config_def, connector_spec};

/// The connector the registry knows.
pub fn connector() -> ConnectorPlugin {
    ConnectorPlugin {
        spec: connector_spec(),
        factory: Factory::Source(build),
        flattener: None,
    }
}

fn build(config: &PipelineConfig) -> Result<Arc<dyn SourceFactory>, Vec<SetupProblem>> {
    let props = SourceProps::from_parsed(&config.connector.config);
    if props.tracking_column.is_empty() {
        tracing::warn!(
            pipeline = %config.name,
            "without kinetica.source.tracking_column, the Kinetica source streams each \
             table's inserts from the moment it subscribes: rows inserted while the pipeline \
             is not running are not published (docs/kinetica-source.md)"
        );
    }
    Ok(Arc::new(KineticaSourceFactory {
        props,
        tasks: config.tasks_max.max(1) as usize,
    }))
}

struct KineticaSourceFactory {
    props: SourceProps,
    tasks: usize,
}

/// The tables of task `task` of `tasks`, as the Java connector splits them
/// (contiguous groups, the first `n % tasks` one table larger), with their indices.
fn tables_of(tables: &[String], tasks: usize, task: usize) -> std::ops::Range<usize> {
    let (size, extra) = (tables.len() / tasks, tables.len() % tasks);
    let start = task * size + task.min(extra);
    let end = (task + 1) * size + (task + 1).min(extra);
    start.min(tables.len())..end.min(tables.len())
}

impl SourceFactory for KineticaSourceFactory {
    fn create(&self, task: TaskContext<'_>) -> Result<Box<dyn Source>, SetupProblem> {
        let problem = |message: String| SetupProblem::new(config::names::URL, message);
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| problem(format!("cannot start the task's I/O runtime: {e}")))?;
        let password = self
            .props
            .password
            .as_ref()
            .map(|p| p.expose().to_owned())
            .unwrap_or_default();
        let client = KineticaClient::new(ClientConfig {
            url: self.props.url.clone(),
            auth: Auth::basic(self.props.username.clone(), password),
            timeout: std::time::Duration::from_millis(self.props.timeout.max(0) as u64),
            retry: RetryPolicy::default(),
            tls: TlsConfig::default(),
            requests: Some(task.requests.clone()),
        })
        .map_err(|e| problem(e.to_string()))?;
        let tables = tables_of(&self.props.table_names, self.tasks, task.task)
            .map(|i| {
                let name = self.props.table_names[i].clone();
                source::TableSpec {
                    topic: format!("{}{name}", self.props.topic_prefix),
                    version: config::schema_version(&self.props, i),
                    name,
                }
            })
            .collect();
        let set = |value: &str| Some(value.to_owned()).filter(|v| !v.is_empty());
        let (events, tracking) = (
            set(&self.props.events_topic),
            set(&self.props.tracking_column),
        );
        let options = source::StartOptions {
            url: &self.props.url,
            events_topic: events.as_deref(),
            tracking_column: tracking.as_deref(),
        };
        let source = source::KineticaSource::start(runtime, client, tables, options)
            .map_err(|e| problem(e.to_string()))?;
        Ok(Box::new(source))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_split_as_the_java_connector_splits_them() {
        let t: Vec<String> = (1..=5).map(|i| format!("t{i}")).collect();
        assert_eq!(tables_of(&t, 2, 0), 0..3);
        assert_eq!(tables_of(&t, 2, 1), 3..5);
        assert_eq!(tables_of(&t[..2], 1, 0), 0..2);
        assert_eq!(tables_of(&t[..2], 3, 2), 2..2, "no table for a third task");
    }
}
