//! The workspace's error taxonomy: who must act (a [`Domain`]) and whether trying
//! again can help (the retry hint). Every error that reaches the pipeline runtime —
//! from a connector, a converter or a Wasm component — implements [`Classify`], so the
//! retry loop, the dead letter queue and status decide from the type, not from a
//! message. docs/runtime.md ("Errors") lists how each error maps onto it.
//! [`RetryPolicy`] says how the retriable ones are retried.

use std::fmt;

mod chain;
mod retry;

pub use chain::{find_cause, message_chain};
pub use retry::RetryPolicy;

/// Who has to act for a failure to go away.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Domain {
    /// The configuration or the data is wrong: a person must change it (a bad
    /// property, a record that does not fit its table, a component's `invalid-config`).
    User,
    /// A system Sluice talks to — Kafka, Kinetica, a schema registry — failed or
    /// cannot be reached.
    External,
    /// A bug in Sluice or in a component (a panic, a broken contract).
    Internal,
}

impl Domain {
    /// `user`, `external`, `internal`: for logs and status.
    pub fn name(self) -> &'static str {
        match self {
            Domain::User => "user",
            Domain::External => "external",
            Domain::Internal => "internal",
        }
    }
}

/// The class of an error: its [`Domain`] and whether retrying the same work later may
/// succeed. The runtime retries exactly the retriable ones (with back-off) and applies
/// the error policy to the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ErrorClass {
    /// Who has to act.
    pub domain: Domain,
    /// Whether the same work may succeed if tried again later.
    pub retriable: bool,
}

impl ErrorClass {
    /// A person must fix the configuration or the data; retrying cannot help.
    pub const USER: ErrorClass = ErrorClass {
        domain: Domain::User,
        retriable: false,
    };
    /// An outage or overload elsewhere: wait and try again.
    pub const TRANSIENT: ErrorClass = ErrorClass {
        domain: Domain::External,
        retriable: true,
    };
    /// Another system refuses for good (authentication, permissions, an unusable
    /// answer): retrying cannot help.
    pub const REFUSED: ErrorClass = ErrorClass {
        domain: Domain::External,
        retriable: false,
    };
    /// A bug.
    pub const INTERNAL: ErrorClass = ErrorClass {
        domain: Domain::Internal,
        retriable: false,
    };
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let retry = if self.retriable {
            "retriable"
        } else {
            "not retriable"
        };
        write!(f, "{} error, {retry}", self.domain.name())
    }
}

/// An error that knows its class. Every error a connector or the engine returns to the
/// runtime implements it.
pub trait Classify {
    /// The error's domain and retry hint.
    fn class(&self) -> ErrorClass;
}
