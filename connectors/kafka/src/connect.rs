//! The Kafka source on the pipeline seam: [`Source`] for [`KafkaSource`], and the
//! factory that checks a pipeline's Kafka settings once and builds one consumer per
//! task.

use std::sync::Arc;

use sluice_config::pipeline::{PipelineConfig, Subscription, keys};
use sluice_connect::{
    AssignmentEvent, BatchLimits, Classify, ConnectError, ErrorClass, Offsets, SetupProblem,
    Source, SourceBatch, SourceFactory, TaskContext,
};

use crate::{Error, KafkaSource, RebalanceEvent, SourceSettings, Topics};

impl Classify for Error {
    fn class(&self) -> ErrorClass {
        match self {
            // librdkafka refused a property or a subscription: the file must change.
            // …or a security property is wrong, or the broker refused the credentials.
            Error::Create { .. } | Error::Subscribe { .. } | Error::Security { .. } => {
                ErrorClass::USER
            }
            // The broker or the group is unavailable or moving: worth trying again.
            Error::Commit { .. }
            | Error::Deliver { .. }
            | Error::Progress { .. }
            | Error::GroupOffsets { .. }
            | Error::Positions { .. }
            | Error::Transaction {
                retriable: true, ..
            } => ErrorClass::TRANSIENT,
            // Fenced by another producer with the same transactional.id, or fatal.
            Error::Transaction { .. } => ErrorClass::REFUSED,
            Error::Config(_) => ErrorClass::USER,
            Error::CreateTopic {
                retriable: true, ..
            } => ErrorClass::TRANSIENT,
            // The broker refused the topic as configured (replication, policy, ACLs).
            Error::CreateTopic { .. } => ErrorClass::USER,
            // librdkafka gave up on the consumer (it must be recreated).
            Error::Consume { .. } => ErrorClass::REFUSED,
        }
    }
}

/// The consumer settings of a sink pipeline's tasks (and of whoever reads or changes
/// its group's offsets), and its static member name, if any.
pub fn source_settings(
    config: &PipelineConfig,
) -> Result<(SourceSettings, Option<String>), Vec<SetupProblem>> {
    let topics = match &config.subscription {
        Some(Subscription::Topics(t)) => Topics::List(t.clone()),
        Some(Subscription::Pattern(p)) => Topics::Regex(p.clone()),
        None => {
            return Err(vec![SetupProblem::new(
                keys::TOPICS,
                "a sink needs the topics to consume: set `topics` or `topics.regex`",
            )]);
        }
    };
    let mut properties: std::collections::BTreeMap<String, String> = config
        .consumer
        .iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    // Kafka's Java security properties (a truststore that cannot be read, a malformed
    // sasl.jaas.config) are reported by `validate` too.
    crate::security::translate(&properties).map_err(|e| vec![consumer_problem(&e)])?;
    let static_member = match properties.remove(GROUP_INSTANCE_ID) {
        Some(base) if base.is_empty() => None,
        Some(base) => Some(base),
        None => Some(format!("{}-{}", config.name, instance_name())),
    };
    Ok((
        SourceSettings {
            bootstrap_servers: config.bootstrap_servers.join(","),
            group_id: config.group_id.clone(),
            topics,
            properties,
        },
        static_member,
    ))
}

/// Checks the Kafka side of a sink pipeline (`topics`/`topics.regex`,
/// `bootstrap.servers`, `group.id`, `consumer.*`) without connecting.
pub fn build_source(config: &PipelineConfig) -> Result<Arc<dyn SourceFactory>, Vec<SetupProblem>> {
    let (settings, static_member) = source_settings(config)?;
    Ok(Arc::new(KafkaSourceFactory {
        settings,
        static_member,
    }))
}

/// A security problem of a `consumer.*` property (set in the pipeline, or in a Kafka
/// Connect worker file without the prefix).
fn consumer_problem(error: &crate::SecurityError) -> SetupProblem {
    SetupProblem::new(
        format!("{}.{}", keys::CONSUMER, error.property),
        error.message.clone(),
    )
}

/// librdkafka's (and Kafka's) static membership property (KIP-345).
const GROUP_INSTANCE_ID: &str = "group.instance.id";

/// Environment variable naming this Sluice instance for static group membership;
/// default: the host name.
pub const INSTANCE_ID_ENV: &str = "SLUICE_INSTANCE_ID";

/// What tells this daemon's consumers apart from another daemon's in the same group:
/// `$SLUICE_INSTANCE_ID`, else the host name. Read from `/proc` rather than through a
/// crate: Linux is what Sluice is packaged for, and elsewhere `$HOSTNAME` or a fixed
/// name does (two daemons on one host then need `SLUICE_INSTANCE_ID`).
fn instance_name() -> String {
    std::env::var(INSTANCE_ID_ENV)
        .ok()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            std::fs::read_to_string("/proc/sys/kernel/hostname")
                .ok()
                .map(|h| h.trim().to_owned())
                .filter(|h| !h.is_empty())
        })
        .or_else(|| std::env::var("HOSTNAME").ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "sluice".to_owned())
}

struct KafkaSourceFactory {
    settings: SourceSettings,
    /// The base of each task's `group.instance.id` (`<base>-<task>`): a restarted task
    /// takes its partitions back at once instead of waiting for its old session to
    /// expire. `None`: dynamic membership (`consumer.group.instance.id` set empty).
    static_member: Option<String>,
}

impl SourceFactory for KafkaSourceFactory {
    fn create(&self, task: TaskContext<'_>) -> Result<Box<dyn Source>, SetupProblem> {
        let mut settings = self.settings.clone();
        if let Some(base) = &self.static_member {
            settings.properties.insert(
                GROUP_INSTANCE_ID.to_owned(),
                format!("{base}-{}", task.task),
            );
        }
        // The consumer joins the group only when it first polls, so creating it here
        // consumes nothing.
        let source = KafkaSource::new(&settings).map_err(|e| match e {
            Error::Security { source, .. } => consumer_problem(&source),
            e => SetupProblem::new(
                keys::BOOTSTRAP_SERVERS,
                format!("{e}; check bootstrap.servers and the consumer.* properties"),
            ),
        })?;
        // A wrong password or an untrusted certificate stops start-up here, naming the
        // property, rather than leaving a pipeline that consumes nothing.
        crate::check::check_consumer(&settings).map_err(|e| consumer_problem(&e))?;
        Ok(Box::new(source))
    }
}

impl Source for KafkaSource {
    fn poll(&mut self, limits: &BatchLimits) -> Result<SourceBatch, ConnectError> {
        self.poll_limited(limits.max_records, limits.max_bytes, limits.max_wait)
            .map(SourceBatch::Raw)
            .map_err(ConnectError::new)
    }

    fn commit(&mut self, acknowledged: &Offsets) -> Result<(), ConnectError> {
        KafkaSource::commit(self, acknowledged)
            .map(drop)
            .map_err(ConnectError::new)
    }

    fn take_events(&mut self) -> Vec<AssignmentEvent> {
        KafkaSource::take_events(self)
            .into_iter()
            .map(|e| match e {
                RebalanceEvent::Assigned(p) => AssignmentEvent::Assigned(p),
                RebalanceEvent::Revoked { partitions, lost } => {
                    AssignmentEvent::Revoked { partitions, lost }
                }
            })
            .collect()
    }

    fn pause(&mut self) -> Result<(), ConnectError> {
        self.pause_assigned().map_err(ConnectError::new)
    }

    fn resume(&mut self) -> Result<(), ConnectError> {
        self.resume_assigned().map_err(ConnectError::new)
    }

    fn leave_out_headers(&mut self) {
        KafkaSource::leave_out_headers(self);
    }

    fn seek(&mut self, positions: &Offsets) -> Result<(), ConnectError> {
        self.seek_after(positions).map_err(ConnectError::new)
    }

    fn rewind(&mut self, batch: &SourceBatch) -> Result<(), ConnectError> {
        match batch {
            SourceBatch::Raw(records) => KafkaSource::rewind(self, records),
            SourceBatch::Records(_) => unreachable!("a Kafka source delivers raw records"),
        }
        .map_err(ConnectError::new)
    }
}
