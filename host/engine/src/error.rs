//! Typed errors from plugin components. Every error names the component.

use std::fmt;

/// What went wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PluginErrorKind {
    /// The file could not be read, is not a component, or does not compile.
    Load(String),
    /// The component does not implement the expected world.
    WrongWorld(String),
    /// The component's imports cannot be satisfied (it asks for something the sandbox
    /// does not provide).
    Link(String),
    /// The component rejected its configuration.
    InvalidConfig(String),
    /// One record could not be processed (`index` is its position in the batch).
    BadRecord {
        /// The record's index in the batch the component was given.
        index: u32,
        /// The component's reason.
        message: String,
    },
    /// The component reported a fatal error.
    Fatal(String),
    /// The guest trapped (a panic, `unreachable`, a bad memory access…).
    Trap(String),
    /// The call used up its CPU budget.
    Timeout {
        /// The budget, wall-clock milliseconds.
        budget_ms: u128,
    },
    /// The guest tried to grow its memory past the limit.
    OutOfMemory {
        /// The limit, in bytes.
        limit_bytes: usize,
    },
    /// The guest broke the contract (e.g. returned a list of the wrong length).
    Contract(String),
}

/// An error from a plugin component, naming the component.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct PluginError {
    /// The component's name (a bundled name or the file's stem).
    pub component: String,
    /// What went wrong.
    pub kind: PluginErrorKind,
}

impl PluginError {
    /// An error of component `component`.
    pub fn new(component: impl Into<String>, kind: PluginErrorKind) -> PluginError {
        PluginError {
            component: component.into(),
            kind,
        }
    }

    /// Whether the instance must be dropped and instantiated afresh: after a trap a
    /// component instance cannot be entered again.
    pub fn poisons_instance(&self) -> bool {
        matches!(
            self.kind,
            PluginErrorKind::Trap(_)
                | PluginErrorKind::Timeout { .. }
                | PluginErrorKind::OutOfMemory { .. }
        )
    }
}

impl fmt::Display for PluginError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let c = &self.component;
        match &self.kind {
            PluginErrorKind::Load(m) => write!(f, "component `{c}` could not be loaded: {m}"),
            PluginErrorKind::WrongWorld(m) => write!(f, "component `{c}` has the wrong world: {m}"),
            PluginErrorKind::Link(m) => write!(
                f,
                "component `{c}` needs imports the sandbox does not provide: {m}"
            ),
            PluginErrorKind::InvalidConfig(m) => {
                write!(f, "component `{c}` rejected its configuration: {m}")
            }
            PluginErrorKind::BadRecord { index, message } => {
                write!(
                    f,
                    "component `{c}` rejected record {index} of the batch: {message}"
                )
            }
            PluginErrorKind::Fatal(m) => write!(f, "component `{c}` failed: {m}"),
            PluginErrorKind::Trap(m) => write!(f, "component `{c}` trapped: {m}"),
            PluginErrorKind::Timeout { budget_ms } => write!(
                f,
                "component `{c}` used up its CPU budget of {budget_ms} ms for one batch \
                 (raise transforms.<alias>.sandbox.cpu.budget.ms if the work is legitimate)"
            ),
            PluginErrorKind::OutOfMemory { limit_bytes } => write!(
                f,
                "component `{c}` exceeded its memory limit of {limit_bytes} bytes \
                 (raise transforms.<alias>.sandbox.memory.max.bytes if the work is legitimate)"
            ),
            PluginErrorKind::Contract(m) => {
                write!(f, "component `{c}` broke the plugin contract: {m}")
            }
        }
    }
}

impl sluice_error::Classify for PluginError {
    fn class(&self) -> sluice_error::ErrorClass {
        use sluice_error::ErrorClass;
        match &self.kind {
            // The file, its configuration or a record must change.
            PluginErrorKind::Load(_)
            | PluginErrorKind::WrongWorld(_)
            | PluginErrorKind::Link(_)
            | PluginErrorKind::InvalidConfig(_)
            | PluginErrorKind::BadRecord { .. } => ErrorClass::USER,
            // A fresh instance may not hit it again (a CPU-starved host, a rare input
            // path): worth retrying the batch.
            PluginErrorKind::Trap(_)
            | PluginErrorKind::Timeout { .. }
            | PluginErrorKind::OutOfMemory { .. } => ErrorClass {
                domain: sluice_error::Domain::Internal,
                retriable: true,
            },
            // The component's considered answer, or a bug in it.
            PluginErrorKind::Fatal(_) | PluginErrorKind::Contract(_) => ErrorClass::INTERNAL,
        }
    }
}
