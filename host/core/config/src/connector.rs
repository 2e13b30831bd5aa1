//! How a connector plugs into pipeline validation: its names, its kind and its
//! declared properties. The config crate knows no connector; the daemon passes the
//! specs of the ones it has (see the `sluice` binary's component registry).

use crate::def::ConfigDef;
use crate::parsed::ParsedConfig;

/// Whether the connector reads from Kafka (sink) or writes to it (source).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectorKind {
    /// Kafka → external system: needs `topics` or `topics.regex`.
    Sink,
    /// External system → Kafka.
    Source,
}

/// A problem found by a connector's cross-property check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckIssue {
    /// The key to blame (a connector or pipeline property).
    pub property: &'static str,
    /// Must not quote values of secret properties.
    pub message: String,
}

/// A check across several properties, run on resolved values (aliases already applied)
/// of the connector (`connector`) and of the pipeline (`pipeline`, e.g. `topics`). It
/// runs only when both validated without errors, so typed getters are safe in it.
pub type CrossCheck = fn(connector: &ParsedConfig, pipeline: &ParsedConfig) -> Vec<CheckIssue>;

/// A cross-check that finds nothing, for connectors without one.
pub fn no_cross_check(_: &ParsedConfig, _: &ParsedConfig) -> Vec<CheckIssue> {
    Vec::new()
}

/// What the pipeline grammar needs to know about a connector.
#[derive(Debug, Clone, Copy)]
pub struct ConnectorSpec {
    /// Sluice's short name, e.g. `kinetica-sink`; accepted in `connector.class`.
    pub name: &'static str,
    /// Further accepted `connector.class` values, e.g. the Java class name of the Kafka
    /// Connect connector it replaces.
    pub class_names: &'static [&'static str],
    /// Whether it is a sink or a source, which decides the pipeline keys it needs.
    pub kind: ConnectorKind,
    /// Its declared properties (the keys of the pipeline's connector section).
    pub config_def: fn() -> ConfigDef,
    /// Its cross-property check; [`no_cross_check`] if it has none.
    pub check: CrossCheck,
}

impl ConnectorSpec {
    /// Whether `connector.class = class` selects this connector (exact match).
    pub fn matches(&self, class: &str) -> bool {
        self.name == class || self.class_names.contains(&class)
    }
    /// Every accepted `connector.class` value.
    pub fn all_names(&self) -> impl Iterator<Item = &'static str> {
        std::iter::once(self.name).chain(self.class_names.iter().copied())
    }
}
